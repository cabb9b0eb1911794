"""What the main process spends after verification: building the report and writing it.

A scan's last serial steps, after the worker processes have verified the candidate pairs:
the exact groups (:func:`neardup.engine.set_aside.exact_groups`, :func:`first_of_group` as
``set_aside`` calls it on every digest), the report's pairs, clusters and documents by id
(:func:`neardup.stages.verification.report_parts`), the exact copies put back
(:func:`neardup.engine.set_aside.with_copies`), the JSON text (:func:`render_json`, and the
standard library's ``json.dumps(report.to_dict(), indent=2)`` it must equal), the
untrusted-text pass and the file written.

Run the search once and keep what those steps take (a pickle; ``--capture``), then time the
steps alone as often as needed, with the garbage collector paused as ``neardup scan`` pauses
it. The pickle holds only plain records and arrays, so the same file times another checkout
(``PYTHONPATH=that/src``): before and after a change, in alternating runs.

Usage::

    PYTHONPATH=src python benchmarks/report_cost.py --capture corpus.jsonl state.pkl -w 2
    PYTHONPATH=src python benchmarks/report_cost.py state.pkl --repeat 3 [--check-stdlib]
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import pickle
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import neardup.engine.find as find
from neardup import Corpus, DocumentInfo, DuplicateReport
from neardup.cli.output import replace_file
from neardup.core.exact import first_of_group
from neardup.engine.hashing_stage import Processed
from neardup.engine.set_aside import exact_groups, with_copies
from neardup.formats.json_report import render_json
from neardup.formats.untrusted import safe_output
from neardup.stages.verification import report_parts


def capture(corpus: Path, out: Path, workers: int) -> None:
    """Run ``find_duplicates`` on ``corpus`` and pickle what the post-verification steps take
    (the verified pairs, ids, positions, digests, copies, and what is known of the documents
    in pairs), and the report."""
    state: dict[str, Any] = {}
    real_parts, real_copies, real_groups = find.report_parts, find.with_copies, find.exact_groups

    def parts_hook(verified: Any, ids: Any, describe: Callable[[int], DocumentInfo]) -> Any:
        state.update(verified=verified, ids=list(ids),
                     infos={i: describe(i) for i in verified.documents()})
        return real_parts(verified, ids, describe)

    def copies_hook(parts: Any, hashed: Processed, copies: Any, *more: Any) -> Any:
        state.update(positions=np.asarray(hashed.positions, dtype=np.int64), copies=copies)
        return real_copies(parts, hashed, copies, *more)

    def groups_hook(hashed: Processed, copies: Any, **options: Any) -> Any:
        state["digests"] = hashed.all_digests()
        return real_groups(hashed, copies, **options)

    find.report_parts, find.with_copies, find.exact_groups = (  # type: ignore[assignment]
        parts_hook, copies_hook, groups_hook
    )
    started = time.perf_counter()
    gc.disable()
    state["report"] = find.find_duplicates(Corpus(corpus), workers=workers)
    print(f"find_duplicates: {time.perf_counter() - started:.1f} s")
    with out.open("wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)


def time_steps(state: dict[str, Any], check_stdlib: bool) -> dict[str, float]:
    """Seconds of each step, once, from the captured state."""
    hashed = Processed(ids=state["ids"], positions=array("q", state["positions"].tolist()),
                    digests=[state["digests"]])
    copies, verified, infos = state["copies"], state["verified"], state["infos"]
    every_digest = np.concatenate([state["digests"], state["digests"][copies.of]])
    seconds: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        started = time.process_time()
        result = step()
        seconds[name] = time.process_time() - started
        return result

    timed("first_of_group (set_aside)", lambda: first_of_group(every_digest))
    newer = "verified" in inspect.signature(with_copies).parameters  # else an older checkout
    more = {"went_on": False} if newer else {}  # a search without containment, as captured
    identical = timed("exact_groups", lambda: exact_groups(hashed, copies, **more))
    parts = timed("report_parts", lambda: report_parts(verified, hashed.ids, infos.__getitem__))
    parts = timed("with_copies", lambda: with_copies(parts, hashed, copies, *[verified][:newer]))
    captured: DuplicateReport = state["report"]
    report = DuplicateReport(
        captured.parameters, parts.pairs, parts.clusters, captured.skipped, captured.counts,
        captured.verification, captured.seconds, parts.documents, captured.notes,
        identical=identical,
    )
    text = timed("render_json", lambda: render_json(report))
    text = timed("safe_output", lambda: safe_output(text, "json"))
    with tempfile.TemporaryDirectory() as folder:
        timed("write file", lambda: replace_file(str(Path(folder) / "report.json"), text))
    seconds["total"] = sum(seconds.values())
    if check_stdlib:
        expected = timed("stdlib json.dumps(to_dict)", lambda: json.dumps(
            report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        same = render_json(report) == expected
        print(f"render_json equals json.dumps(to_dict(), indent=2): {same}")
        identical_before = [g.members for g in captured.identical]
        print("same report as the captured one:",
              report.pairs == captured.pairs and report.clusters == captured.clusters
              and report.documents == captured.documents
              and [g.members for g in identical] == identical_before)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path,
                        help="state.pkl, or with --capture: corpus.jsonl state.pkl")
    parser.add_argument("--capture", action="store_true", help="run the search and pickle")
    parser.add_argument("-w", "--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check-stdlib", action="store_true",
                        help="also time json.dumps(to_dict()) and check the text is the same")
    args = parser.parse_args()
    if args.capture:
        capture(args.paths[0], args.paths[1], args.workers)
        return
    with args.paths[0].open("rb") as handle:
        state = pickle.load(handle)
    gc.disable()  # as neardup scan does (neardup.engine.memory.collector_paused)
    runs = [time_steps(state, args.check_stdlib and k == 0) for k in range(args.repeat)]
    print(f"{'step':32} " + " ".join(f"run {k + 1:>2}" for k in range(len(runs))) + "    best")
    for name in runs[0]:
        values = [run[name] for run in runs if name in run]
        print(f"{name:32} " + " ".join(f"{v:6.2f}" for v in values) + f"  {min(values):6.2f}")


if __name__ == "__main__":
    main()
