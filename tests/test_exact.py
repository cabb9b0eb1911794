"""Exact duplicates: grouped by digest before MinHash, reported once, their pairs with other
documents kept."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neardup import find_duplicates, load_documents, render
from neardup.core.exact import first_of_group, text_digests
from neardup.core.normalize import packed_codepoints

DATA = Path(__file__).resolve().parent / "data"


@given(st.lists(st.sampled_from(["", "a", "ab", "甲乙", "甲乙丙", "ba"]), max_size=12))
def test_first_of_group_is_the_first_identical_text(texts: list[str]) -> None:
    cps, sizes = packed_codepoints(texts)
    first = first_of_group(text_digests(cps, sizes)).tolist()
    assert first == [texts.index(t) for t in texts]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=40))
def test_first_of_group_compares_both_columns(rows: list[tuple[int, int]]) -> None:
    """Digests that share their first 64 bits but not the second are different texts."""
    digests = np.array(rows, dtype=np.uint64).reshape(-1, 2)
    assert first_of_group(digests).tolist() == [rows.index(r) for r in rows]


def test_digests_tell_texts_apart_by_content_not_by_split() -> None:
    cps, sizes = packed_codepoints(["ab", "c", "a", "bc"])
    digests = text_digests(cps, sizes)
    assert digests.shape == (4, 2) and digests.dtype == np.uint64
    assert len({tuple(row) for row in digests.tolist()}) == 4


def test_seven_identical_documents_are_one_group_and_six_exact_pairs_not_21() -> None:
    other = "今天天气很好，我们去公园散步吧，然后一起吃午饭。"
    docs = {f"n{k}": "CONTENT NOTFOUND" + " " * k for k in range(7)} | {
        "x": other, "y": other + "好吗", "z": other + "!",
    }
    report = find_duplicates(docs, workers=1)
    assert [g.members for g in report.identical] == [
        tuple(f"n{k}" for k in range(7)), ("x", "z"),
    ]
    assert report.counts.identical == 7
    # the pairs among distinct texts, each copy with the pairs of its first, and within a
    # group each copy with its first, marked exact (6 for 7 documents, not 21)
    assert {(p.a, p.b, p.exact) for p in report.pairs} == {("x", "y", False), ("y", "z", False)} | {
        ("n0", f"n{k}", True) for k in range(1, 7)
    } | {("x", "z", True)}
    assert report.counts.pairs == 2 + 6 + 1
    assert len(report.identical_pairs()) == 21 + 1
    clusters = {c.representative: [m.id for m in c.members] for c in report.clusters}
    assert clusters == {"n0": [f"n{k}" for k in range(7)], "y": ["x", "y", "z"]}
    text = render(report, "text")
    assert "7 identical documents: n0, n1, n2, n3, n4, n5, n6" in text
    data = json.loads(render(report, "json"))
    assert data["identical"][0] == {"representative": "n0", "members": [f"n{k}" for k in range(7)]}
    assert data["counts"]["identical"] == 7


def test_planted_copies_keep_every_pair_among_distinct_texts() -> None:
    """The laws sample with planted exact copies (changed only in spacing and punctuation):
    the pairs among distinct texts are those of the sample, and every copy has its
    original's pairs."""
    docs = load_documents(DATA / "laws_sample.jsonl.gz")[:120]
    plain = find_duplicates(docs, threshold=0.5, workers=1)
    originals = [d for d in docs if any(d.id in (p.a, p.b) for p in plain.pairs)][:5]
    planted = docs + [
        type(d)(f"{d.id}~copy", d.text.replace("。", "。 ")) for d in originals
    ]
    report = find_duplicates(planted, threshold=0.5, workers=1)
    assert [g.members for g in report.identical] == [(d.id, f"{d.id}~copy") for d in originals]

    copied = {d.id for d in originals}

    def group(doc_id: str) -> set[str]:
        return {doc_id, f"{doc_id}~copy"} if doc_id in copied else {doc_id}

    expected = {
        frozenset((a, b)): p.jaccard for p in plain.pairs for a in group(p.a) for b in group(p.b)
    }
    expected |= {frozenset((d.id, f"{d.id}~copy")): 1.0 for d in originals}  # exact pairs
    assert {frozenset((p.a, p.b)): p.jaccard for p in report.pairs} == expected
    assert {(p.a, p.b) for p in report.pairs if p.exact} == {
        (d.id, f"{d.id}~copy") for d in originals
    }


def test_groups_agree_with_normalized_texts() -> None:
    texts = ["甲乙丙丁", "甲乙丙丁。", "甲 乙丙丁", "乙丙丁甲", "甲乙丙丁戊"]
    report = find_duplicates(texts, workers=1)
    assert [g.members for g in report.identical] == [("0", "1", "2")]
    exact = {(p.a, p.b) for p in report.pairs if p.exact}
    assert exact == {("0", "1"), ("0", "2")}  # each with its group's first
    for a, b in itertools.combinations(range(5), 2):
        identical = a in (0, 1, 2) and b in (0, 1, 2)
        assert ((str(a), str(b)) in exact) == (identical and a == 0)


def test_a_containment_search_compares_copies_but_lists_them_once() -> None:
    """A containment search counts every document that holds a fingerprint to tell
    boilerplate, so identical documents all go on; the report still lists them once, and
    their pairs as the other searches give them: each copy with its first, exact."""
    from neardup import deduplicate

    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书学习。"
    docs = {"a": text, "b": text + "！", "c": text + "晚上回家做饭。", "d": text.replace("，", " ")}
    report = find_duplicates(docs, containment=0.3, workers=1)
    assert [g.members for g in report.identical] == [("a", "b", "d")]
    assert report.counts.identical == 2
    assert {(p.a, p.b, p.exact) for p in report.pairs} == {
        ("a", "c", False), ("b", "c", False), ("c", "d", False), ("a", "b", True),
        ("a", "d", True),
    }
    result = deduplicate(docs, preset="copies", workers=1)
    assert result.kept == ["a"]
    assert {i: r.exact for i, r in result.removed.items()} == {"b": True, "c": False, "d": True}


def test_digests_tell_two_byte_and_four_byte_texts_apart() -> None:
    """A text beyond the BMP is hashed as 4-byte code points, others as 2-byte ones: a BMP
    text whose 2-byte encoding equals another's 4-byte encoding still gets its own digest,
    and a text's digest does not depend on its neighbours in the batch."""
    astral = "\U00010041"  # as 4 bytes: 41 00 01 00
    bmp = "\u0041\u0001"  # as 2-byte code points: 41 00 01 00, the same bytes
    texts = [astral, bmp, "abc", "abc\U0001f600"]
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    sizes = np.array([len(t) for t in texts])
    together = text_digests(cps, sizes)
    assert len({tuple(row) for row in together.tolist()}) == 4
    for k, text in enumerate(texts):
        alone = text_digests(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32),
                             np.array([len(text)]))
        assert alone.tolist() == together[k : k + 1].tolist()


def test_digests_of_empty_texts_and_no_texts() -> None:
    empty = text_digests(np.empty(0, dtype=np.uint32), np.array([0, 0]))
    assert empty.shape == (2, 2) and empty[0].tolist() == empty[1].tolist()
    assert text_digests(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)).shape == (0, 2)
