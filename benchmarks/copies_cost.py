"""What the copies preset costs, and whether two source trees judge the same: wall time and
peak memory of ``find_duplicates(corpus, preset="copies")`` (the whole process tree, worker
processes included: :func:`measure.run_measured`), runs of the trees alternated, and the
judged pairs of each tree compared field by field.

Usage::

    python benchmarks/copies_cost.py dump CORPUS OUT.json [--workers N]
    python benchmarks/copies_cost.py same OLD.json NEW.json
    python benchmarks/copies_cost.py time CORPUS SRC [SRC ...] [--runs 3] [--workers N]

``dump`` writes what the judgement decided (every pair and every pair set apart, with its
overlaps, reason and specific/formula figures, the report's counts); ``same`` exits 1 and
prints the first differences when two dumps differ at all (floats compared exactly);
``time`` runs ``dump`` with each tree's ``src`` on ``PYTHONPATH``, the trees in turn, ``runs``
rounds, and prints each run and the medians (run it under ``nice`` on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from measure import checked, run_measured

FIELDS = ("a", "b", "jaccard", "a_in_b", "b_in_a", "rewrite", "exact", "specific_a",
          "specific_b", "formula_a", "formula_b", "reason")


def judged(corpus: str, workers: int | None) -> dict[str, Any]:
    """The copies preset's decisions on ``corpus``, JSON-ready."""
    from neardup import find_duplicates
    from neardup.io.corpus import Corpus

    report = find_duplicates(Corpus([corpus]), preset="copies", workers=workers).to_dict()

    def rows(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{name: pair.get(name) for name in FIELDS} for pair in pairs]

    return {"counts": report["counts"], "pairs": rows(report["pairs"]),
            "set_apart": rows(report.get("set_apart", []))}


def differences(old: dict[str, Any], new: dict[str, Any], most: int = 10) -> list[str]:
    """What differs between two dumps (nothing when they are the same)."""
    found = [f"counts: {old['counts']} != {new['counts']}"] if old["counts"] != new["counts"] else []
    for part in ("pairs", "set_apart"):
        if len(old[part]) != len(new[part]):
            found.append(f"{part}: {len(old[part])} != {len(new[part])}")
        for one, two in zip(old[part], new[part], strict=False):
            if one != two:
                changed = {k: (one[k], two[k]) for k in FIELDS if one[k] != two[k]}
                found.append(f"{part} {one['a']}–{one['b']}: {changed}")
    return found[:most]


def timed(corpus: str, trees: list[str], runs: int, workers: int | None) -> None:
    """Each tree's runs, alternated, and the medians of time and peak memory."""
    seen: dict[str, list[tuple[float, float]]] = {tree: [] for tree in trees}
    outputs: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            for k, tree in enumerate(trees):
                out = os.path.join(scratch, f"{k}.{run}.json")
                env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve()),
                       "NEARDUP_NO_PROGRESS": "1"}
                command = [sys.executable, __file__, "dump", corpus, out]
                if workers is not None:
                    command += ["--workers", str(workers)]
                done = checked(run_measured(command, env), tree)
                seen[tree].append((done.seconds, done.peak_mb))
                print(f"run {run + 1} {tree}: {done.seconds:.1f} s, {done.peak_mb:.0f} MiB",
                      flush=True)
                outputs[tree] = Path(out).read_text(encoding="utf-8")
        for k, tree in enumerate(trees):
            for other in trees[:k]:
                print(f"{tree}: same decisions as {other}:", not differences(
                    json.loads(outputs[other]), json.loads(outputs[tree])))
    base = trees[0]
    base_s = statistics.median(s for s, _ in seen[base])
    base_mb = statistics.median(m for _, m in seen[base])
    print("| tree | median s | median peak MiB | time ratio | memory ratio |")
    print("|---|---|---|---|---|")
    for tree in trees:
        s = statistics.median(s for s, _ in seen[tree])
        mb = statistics.median(m for _, m in seen[tree])
        print(f"| {tree} | {s:.1f} | {mb:.0f} | {s / base_s:.2f} | {mb / base_mb:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump")
    dump.add_argument("corpus")
    dump.add_argument("out")
    dump.add_argument("--workers", type=int)
    same = sub.add_parser("same")
    same.add_argument("old")
    same.add_argument("new")
    time = sub.add_parser("time")
    time.add_argument("corpus")
    time.add_argument("trees", nargs="+", help="source trees (their src directories)")
    time.add_argument("--runs", type=int, default=3)
    time.add_argument("--workers", type=int)
    args = parser.parse_args()
    if args.command == "dump":
        Path(args.out).write_text(json.dumps(judged(args.corpus, args.workers), ensure_ascii=False,
                                             indent=0), encoding="utf-8")
    elif args.command == "same":
        old, new = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (args.old, args.new))
        found = differences(old, new)
        print("\n".join(found) if found else
              f"the same: {len(old['pairs'])} pairs, {len(old['set_apart'])} set apart")
        sys.exit(1 if found else 0)
    else:
        timed(args.corpus, args.trees, args.runs, args.workers)


if __name__ == "__main__":
    main()
