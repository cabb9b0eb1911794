"""A pair finder timed in a fresh process: the worker's side and the parent's.

A *contender* is a function ``run(texts, level) -> (pairs, info)``: document numbers
``(i, j)``, ``i < j``, and what it wants printed. The parent writes the documents to a JSON
Lines file and runs the benchmark script again in ``--worker`` mode
(:func:`run_contender`, measured by :func:`measure.run_measured`: peak memory of the whole
process tree); the worker (:func:`work`) loads the texts, warms the contender up on two
tiny texts (imports, numba's cached compilation), times it from texts in memory to pairs,
saves the pairs (``.npy``) and prints a JSON summary: seconds, its own peak after loading
(``VmHWM``) and ``info``. Used by ``compare_end_to_end.py`` and ``partial_copies.py``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from common import iter_jsonl
from measure import checked, own_peak_mb, run_measured, src_environment

Pairs = set[tuple[int, int]]
Contender = Callable[[list[str], float], tuple[Pairs, dict[str, Any]]]
WARM_TEXTS = ["今天天气很好我们去公园散步", "今天天气很好我们去公园散步了"]


def report_pairs(report: Any) -> Pairs:
    """The pairs of a neardup report whose ids are document numbers, as ``(i, j)``, ``i < j``."""
    return {(min(int(p.a), int(p.b)), max(int(p.a), int(p.b))) for p in report.pairs}


def write_texts(texts: list[str], path: Path, ids: list[str] | None = None) -> None:
    """``texts`` as JSON Lines ``{"id", "text"}`` (ids: their numbers unless given)."""
    with open(path, "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            doc = str(i) if ids is None else ids[i]
            handle.write(json.dumps({"id": doc, "text": text}, ensure_ascii=False) + "\n")


def work(
    run: Contender, path: Path, level: float, pairs_out: Path,
    warm: Callable[[], object] | None = None,
) -> None:
    """The worker: load, warm up (and ``warm``), time ``run``, save pairs, print a summary."""
    texts = [r["text"] for r in iter_jsonl(path)]
    run(WARM_TEXTS, level)
    if warm is not None:
        warm()
    loaded = own_peak_mb()
    started = time.perf_counter()
    pairs, info = run(texts, level)
    seconds = time.perf_counter() - started
    np.save(pairs_out, np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2))
    print(json.dumps({"seconds": seconds, "rss_loaded_mb": loaded, "info": info}))


def run_contender(
    script: str, name: str, path: Path, level: float, workdir: Path, **env: str
) -> dict[str, Any]:
    """Run ``script --worker NAME --input PATH --level LEVEL --pairs-out ...`` measured; its
    summary, with ``pairs`` and ``rss_peak_mb`` (the peak of its process tree) added."""
    pairs_out = workdir / f"{name}-{level}.npy"
    command = [sys.executable, str(Path(script).resolve()), "--worker", name, "--input",
               str(path), "--level", str(level), "--pairs-out", str(pairs_out)]
    done = checked(run_measured(command, src_environment(**env)), f"{name} worker")
    summary: dict[str, Any] = json.loads(done.output.strip().splitlines()[-1])
    summary["rss_peak_mb"] = done.peak_mb
    summary["pairs"] = {tuple(p) for p in np.load(pairs_out).tolist()}
    return summary
