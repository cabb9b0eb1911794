"""Compare two JSON reports of ``neardup scan``: the same pairs, Jaccard to a tolerance, the
same clusters.

Reports of versions that group identical texts (the ``identical`` section) list those pairs
apart, with Jaccard 1; they are counted as pairs here, so that a report from before and one
from after that change compare.

Usage::

    python benchmarks/compare_reports.py OLD.json NEW.json [--tolerance 1e-9]

Exit status 0 when the reports agree, 1 with the first differences printed otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any


def pairs_of(report: dict[str, Any]) -> dict[tuple[str, str], float]:
    """Every reported pair (ids in order) and its Jaccard, identical texts included."""
    pairs = {tuple(sorted((p["a"], p["b"]))): float(p["jaccard"]) for p in report["pairs"]}
    for group in report.get("identical", []):
        for a, b in itertools.combinations(sorted(group["members"]), 2):
            pairs[(a, b)] = 1.0
    return pairs  # type: ignore[return-value]


def clusters_of(report: dict[str, Any]) -> set[frozenset[str]]:
    """The clusters, as sets of member ids."""
    return {frozenset(m["id"] for m in c["members"]) for c in report["clusters"]}


def compare(old: dict[str, Any], new: dict[str, Any], tolerance: float) -> list[str]:
    """The differences between two reports (none when they agree)."""
    problems: list[str] = []
    a, b = pairs_of(old), pairs_of(new)
    for key in sorted(a.keys() - b.keys())[:5]:
        problems.append(f"pair {key} only in the first report")
    for key in sorted(b.keys() - a.keys())[:5]:
        problems.append(f"pair {key} only in the second report")
    off = [k for k in a.keys() & b.keys() if abs(a[k] - b[k]) > tolerance]
    for key in sorted(off)[:5]:
        problems.append(f"pair {key}: Jaccard {a[key]} against {b[key]}")
    ca, cb = clusters_of(old), clusters_of(new)
    if ca != cb:
        problems.append(f"clusters differ: {len(ca - cb)} only in the first, {len(cb - ca)} only "
                        "in the second")
    if old["counts"]["documents"] != new["counts"]["documents"]:
        problems.append("documents counted differ")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (args.old, args.new))
    problems = compare(old, new, args.tolerance)
    for line in problems:
        print(line)
    if not problems:
        print(f"same report: {len(pairs_of(new)):,} pairs (Jaccard within {args.tolerance:g}), "
              f"{len(clusters_of(new)):,} clusters")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
