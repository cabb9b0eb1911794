"""Recall and precision against brute-force exact Jaccard on real Chinese corpora.

- The committed laws sample (every law with a near-duplicate, plus others) is checked against
  exact all-pairs computed here and against the committed golden pairs.
- The full shared corpora (laws 3,475 and news 24,102 documents) are checked against golden
  brute-force pairs (tests/data/*_pairs.json, made by tests/data/make_corpus_pairs.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from oracles import exact_pairs

from neardup import find_duplicates, load_documents, normalize_text, shingle_set

DATA = Path(__file__).resolve().parent / "data"


def recall(found: set[frozenset[str]], truth: set[frozenset[str]]) -> float:
    return len(found & truth) / len(truth) if truth else 1.0


def test_laws_sample_against_brute_force() -> None:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    sets = [shingle_set(normalize_text(d.text), 5) for d in docs]
    brute = exact_pairs(sets, 0.5)
    golden = json.loads((DATA / "laws_sample_pairs.json").read_text())["pairs"]
    assert {(docs[a].id, docs[b].id) for a, b, _ in brute} == {(p["a"], p["b"]) for p in golden}
    for threshold in (0.5, 0.7, 0.9):
        truth = {frozenset((docs[a].id, docs[b].id)) for a, b, j in brute if j >= threshold}
        report = find_duplicates(docs, threshold=threshold)
        found = {frozenset((p.a, p.b)) for p in report.pairs + report.identical_pairs()}
        # the exact pairs of report.pairs are those with each group's first member
        assert {frozenset((p.a, p.b)) for p in report.pairs if p.exact} == {
            frozenset((g.members[0], m)) for g in report.identical for m in g.members[1:]
        }
        assert truth, threshold
        assert recall(found, truth) >= 0.99, threshold
        assert found <= truth  # nothing below the threshold, nothing invented
        assert all(p.jaccard >= threshold for p in report.pairs)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "corpus"), [("laws", "laws_zh.jsonl.gz"), ("news", "cctv_news.jsonl.gz")]
)
def test_full_corpus_recall(name: str, corpus: str, corpora_dir: Path) -> None:
    golden = json.loads((DATA / f"{name}_pairs.json").read_text())
    truth = {frozenset((p["a"], p["b"])) for p in golden["pairs"]}
    with gzip.open(corpora_dir / corpus, "rt", encoding="utf-8") as handle:
        docs = {json.loads(line)["id"]: json.loads(line)["text"] for line in handle}
    assert len(docs) == golden["documents"]
    report = find_duplicates(docs, threshold=golden["threshold"])
    found = {frozenset((p.a, p.b)) for p in report.pairs + report.identical_pairs()}
    print(f"{name}: recall {recall(found, truth):.4f} of {len(truth)} brute-force pairs, "
          f"{len(found - truth)} reported pairs not in the brute-force set")
    assert recall(found, truth) >= 0.99
    assert not found - truth
    assert min(p.jaccard for p in report.pairs) >= golden["threshold"]
