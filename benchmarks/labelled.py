"""The copies mode judged by reading: precision and recall of labelled copies on the
labelled pairs of ``data/`` (``labelled_pairs.md`` says how they were drawn and read).

``find_duplicates(corpus, preset="copies")`` runs on the whole shared corpus (news, laws);
each labelled pair of the chosen set is then *reported* (among ``report.pairs``), *set
apart* (``report.set_apart``, with the judgement's reason) or *not found*. A pair labelled
``copy`` is a positive; ``template``, ``topic`` and ``unrelated`` are negatives; a pair whose
readers have no majority is left out. The script prints, per corpus, precision and recall of
copies, the confusion table (label × what the mode did) and the same by the reason given.

Sets: ``tune`` (the half of ``labelled_pairs.jsonl`` the judgement was tuned on), ``fresh``
(``labelled_fresh.jsonl``, drawn from the judgement's own output), ``population``
(``labelled_population.jsonl``: news pairs drawn at random from what the judgement reports,
the precision of the list a user reads, and pairs a rescue rule would have added) and
``heldout`` (the other half: run it once, on the final judgement; ``--heldout`` must be
given to read it).

Usage::

    PYTHONPATH=src python benchmarks/labelled.py --set tune fresh
    PYTHONPATH=src python benchmarks/labelled.py --set heldout --heldout
    PYTHONPATH=src python benchmarks/labelled.py --set tune --corpus laws --save laws.json
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common import corpus_path, markdown_table

from neardup import find_duplicates
from neardup.io.corpus import Corpus

DATA = Path(__file__).resolve().parent / "data"
LABELS = ("copy", "template", "topic", "unrelated")
OUTCOMES = ("reported", "set apart", "not found")


@dataclass(frozen=True)
class Labelled:
    """A labelled pair: its id, corpus, documents and the label to judge by."""

    pair: str
    corpus: str
    a: str
    b: str
    label: str | None
    """The majority of its readers (None: no majority)."""


def majority(labels: Iterable[str | None]) -> str | None:
    """The label most readers gave, when at least two agree or there is one reader."""
    given = [label for label in labels if label]
    if len(given) == 1:
        return given[0]
    counts = collections.Counter(given).most_common()
    if not counts or counts[0][1] < 2:
        return None
    return counts[0][0]


SINGLE_READER = {"fresh": "labelled_fresh.jsonl", "population": "labelled_population.jsonl"}
"""The sets read by one reader a pair, and their files."""


def labelled_set(name: str) -> list[Labelled]:
    """The pairs of set ``name`` (``tune``, ``heldout``, ``fresh`` or ``population``)."""
    if name in SINGLE_READER:
        rows = _rows(DATA / SINGLE_READER[name])
        return [Labelled(r["pair"], r["corpus"], r["a"], r["b"], r["label"]) for r in rows]
    return [
        Labelled(r["pair"], r["corpus"], r["a"], r["b"],
                 majority((r["label"], r.get("second_label"), r.get("third_label"))))
        for r in _rows(DATA / "labelled_pairs.jsonl") if r["split"] == name
    ]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class Outcome:
    """What the copies mode did with a pair: reported, set apart or not found, and why."""

    did: str
    reason: str


def outcomes(corpus: str) -> tuple[dict[frozenset[str], Outcome], float]:
    """What ``preset="copies"`` does with every pair of the shared corpus, and the seconds."""
    path = corpus_path(corpus)
    if path is None:
        sys.exit(f"the shared {corpus} corpus is absent (../shared/corpora beside the repo)")
    started = time.perf_counter()
    report = find_duplicates(Corpus([str(path)]), preset="copies")
    seconds = time.perf_counter() - started
    did: dict[frozenset[str], Outcome] = {}
    for p in report.set_apart:
        did[frozenset((p.a, p.b))] = Outcome("set apart", p.reason or "")
    for p in report.pairs:
        did[frozenset((p.a, p.b))] = Outcome("reported", p.reason or "")
    return did, seconds


def reason_kind(reason: str) -> str:
    """A reason without its figures: what kind of reason it is."""
    kind = reason.split(":")[0].split(" (")[0]
    return re.sub(r"\d+(\.\d+)?%?", "N", kind)


def score(pairs: list[Labelled], did: dict[frozenset[str], Outcome]) -> dict[str, object]:
    """Precision, recall, the confusion table and the table by reason of ``pairs``."""
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    by_reason: collections.Counter[tuple[str, str, str]] = collections.Counter()
    undecided = 0
    for pair in pairs:
        if pair.label is None:
            undecided += 1
            continue
        outcome = did.get(frozenset((pair.a, pair.b)), Outcome("not found", ""))
        confusion[(pair.label, outcome.did)] += 1
        by_reason[(outcome.did, reason_kind(outcome.reason) or "-", pair.label)] += 1
    tp = confusion[("copy", "reported")]
    fp = sum(confusion[(label, "reported")] for label in LABELS if label != "copy")
    fn = sum(confusion[("copy", did)] for did in OUTCOMES if did != "reported")
    return {
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "tp": tp, "fp": fp, "fn": fn, "undecided": undecided,
        "confusion": confusion, "by_reason": by_reason,
    }


def print_score(title: str, scored: dict[str, object]) -> None:
    print(f"\n### {title}: precision {scored['precision']:.3f}, recall {scored['recall']:.3f} "
          f"(copies reported {scored['tp']}, others reported {scored['fp']}, copies missed "
          f"{scored['fn']}; {scored['undecided']} without a majority left out)\n")
    confusion = scored["confusion"]
    assert isinstance(confusion, collections.Counter)
    print(markdown_table(["label", *OUTCOMES],
                         [[label, *(str(confusion[(label, did)]) for did in OUTCOMES)]
                          for label in LABELS]))
    by_reason = scored["by_reason"]
    assert isinstance(by_reason, collections.Counter)
    rows = sorted({(did, kind) for did, kind, _ in by_reason})
    print()
    print(markdown_table(["outcome", "reason", *LABELS],
                         [[did, kind, *(str(by_reason[(did, kind, label)]) for label in LABELS)]
                          for did, kind in rows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", nargs="+", default=["tune"],
                        choices=["tune", "fresh", "population", "heldout"], dest="sets")
    parser.add_argument("--corpus", nargs="+", default=["news", "laws"], choices=["news", "laws"])
    parser.add_argument("--heldout", action="store_true",
                        help="read the held-out half (run it once, on the final judgement)")
    parser.add_argument("--save", help="write what the mode did with each labelled pair (JSON)")
    args = parser.parse_args()
    if "heldout" in args.sets and not args.heldout:
        parser.error("the held-out half is run once, at the end: add --heldout to read it")
    saved = []
    for corpus in args.corpus:
        did, seconds = outcomes(corpus)
        print(f"\n## {corpus}: preset copies in {seconds:.1f} s")
        for name in args.sets:
            pairs = [p for p in labelled_set(name) if p.corpus == corpus]
            print_score(f"{corpus}, {name} ({len(pairs)} pairs)", score(pairs, did))
            for p in pairs:
                outcome = did.get(frozenset((p.a, p.b)), Outcome("not found", ""))
                saved.append({"pair": p.pair, "set": name, "label": p.label,
                              "did": outcome.did, "reason": outcome.reason})
    if args.save:
        Path(args.save).write_text(json.dumps(saved, ensure_ascii=False, indent=1),
                                   encoding="utf-8")


if __name__ == "__main__":
    main()
