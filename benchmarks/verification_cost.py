"""What exact verification costs per re-read character, step by step (issue 17).

Scans a JSON Lines corpus with one worker (everything in this process) and times, with
``time.process_time``, each step of :func:`~neardup.engine.component_batches.verify_component_batch`
as the scan runs it: reading the candidates' lines (seek and read), parsing them
(``parse_jsonl_line``), normalizing, building the shingle sets, the overlaps of the
candidate pairs (intersections), ``verify_candidates`` (keeping pairs and clustering) and
the rest of the batch (the compiled kernels are loaded before, as the hashing stage's are).
Each step's CPU seconds are divided by the characters of the
re-read documents (their original text), so runs on different corpora compare.

The steps are timed by wrapping the functions that ``component_batches`` calls, so the
script measures whichever code is on ``PYTHONPATH``: run it against two checkouts, one
after the other and alternating, to compare them.

Usage::

    PYTHONPATH=src python benchmarks/verification_cost.py corpus.jsonl [--json out.json]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from neardup import Corpus, find_duplicates
from neardup.core.kernels import kernel_name
from neardup.core.minhash import warm_up
from neardup.core.shingles import char_shingle_sets
from neardup.engine import component_batches
from neardup.io import records

STEPS = {
    "read_back": "read + parse",
    "normalize_packed": "normalize",
    "normalized_codepoints": "normalize",
    "shingle_sets": "shingle sets",
    "packed_shingle_sets": "shingle sets",
    "overlaps": "intersections",
    "overlap_rows": "intersections",
    "packed_overlap_rows": "intersections",
    "verify_candidates": "verify_candidates",
}
"""Functions ``component_batches`` calls (those it has) and the step each one is (the
first is the re-reading; older checkouts named it ``parse_records``)."""


def timed(function: Callable[..., Any], totals: dict[str, float], step: str) -> Callable[..., Any]:
    """``function``, adding the CPU seconds of each call to ``totals[step]``."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[step] = totals.get(step, 0.0) + time.process_time() - started

    return wrapper


def warm_kernels() -> None:
    """Load the compiled kernels verification calls (once a process, ~20-50 ms each: a fixed
    cost, not one per character), as ``warm_up`` does the hashing ones."""
    warm_up()
    if kernel_name() != "numba":
        return
    from neardup.core.overlap_numba import intersection_sizes_merged

    char_shingle_sets([np.arange(10, dtype=np.uint32)], 5)
    values = np.arange(4, dtype=np.uint32)
    pairs = np.zeros((1, 2), dtype=np.int64)
    intersection_sizes_merged(values, np.array([0, 4]), pairs, np.zeros(1, dtype=np.int64))


def measure(corpus: Path) -> dict[str, Any]:
    """Scan ``corpus`` with one worker and return the CPU seconds of each verification step,
    the documents and characters re-read, and the pairs checked."""
    warm_kernels()
    totals: dict[str, float] = {}
    reread = {"documents": 0, "characters": 0}
    reading = "read_back" if hasattr(component_batches, "read_back") else "parse_records"
    for name, step in {reading: "read + parse", **dict(list(STEPS.items())[1:])}.items():
        if hasattr(component_batches, name):
            setattr(component_batches, name, timed(getattr(component_batches, name), totals, step))
    records.parse_jsonl_line = timed(records.parse_jsonl_line, totals, "parse")
    if hasattr(component_batches, "read_fields"):  # the compiled reader: parsing, too
        component_batches.read_fields = timed(component_batches.read_fields, totals, "parse")
    batch = component_batches.verify_component_batch

    def counted(batch_: Any, *args: Any) -> Any:
        started = time.process_time()
        result = batch(batch_, *args)
        totals["batch"] = totals.get("batch", 0.0) + time.process_time() - started
        return result

    read = getattr(component_batches, reading)

    def counting_read(fetched: Any) -> Any:
        docs = read(fetched)
        if reading == "read_back":
            reread["documents"] += len(docs.lengths)
            reread["characters"] += int(docs.lengths.sum())
        else:
            reread["documents"] += len(docs)
            reread["characters"] += sum(len(doc.text) for doc in docs)
        return docs

    setattr(component_batches, reading, counting_read)
    # the engine imports verify_component_batch by name
    from neardup.engine import verification_stage as verification

    verification.verify_component_batch = counted  # type: ignore[assignment]
    started = time.process_time()
    report = find_duplicates(Corpus(corpus), workers=1)
    scan = time.process_time() - started
    steps = {
        "read": totals.get("read + parse", 0.0) - totals.get("parse", 0.0),
        "parse": totals.get("parse", 0.0),
    }
    for step in dict.fromkeys(list(STEPS.values())[1:]):
        steps[step] = totals.get(step, 0.0)
    steps["other"] = totals.get("batch", 0.0) - sum(steps.values())
    steps["verification"] = totals.get("batch", 0.0)
    return {
        "corpus": str(corpus),
        "kernel": kernel_name(),
        "scan_cpu_s": scan,
        "pairs": len(report.pairs),
        "clusters": len(report.clusters),
        **reread,
        "steps_cpu_s": steps,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a JSON Lines corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    result = measure(args.corpus)
    chars = max(result["characters"], 1)
    print(
        f"{result['corpus']}: {result['documents']:,} documents re-read, "
        f"{result['characters']:,} characters ({result['characters'] / max(result['documents'], 1):,.0f} "
        f"each), {result['pairs']:,} pairs, kernel {result['kernel']}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"{'step':<20} {'CPU s':>8} {'ns/char':>9}")
    for step, seconds in result["steps_cpu_s"].items():
        print(f"{step:<20} {seconds:8.3f} {seconds / chars * 1e9:9.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
