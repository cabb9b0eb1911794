"""find_duplicates end to end: the seed collection, input forms, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from oracles import char_shingles

from neardup import (
    Document,
    DuplicateIdError,
    InputError,
    ParameterError,
    find_duplicates,
    load_documents,
    normalize_text,
)

SEED = "000_28473338c6d0f06c.txt"


def brute_force_jaccard(a: str, b: str, ngram: int = 5) -> float:
    sa = set(char_shingles(normalize_text(a), ngram))
    sb = set(char_shingles(normalize_text(b), ngram))
    return len(sa & sb) / len(sa | sb)


def test_seed_collection_has_exactly_one_pair(seeds_dir: Path) -> None:
    docs = load_documents(seeds_dir)
    report = find_duplicates(docs)
    assert [(p.a, p.b) for p in report.pairs] == [(f"{SEED}#2", f"{SEED}#11")]
    pair = report.pairs[0]
    by_id = {d.id: d.text for d in docs}
    exact = brute_force_jaccard(by_id[pair.a], by_id[pair.b])
    assert abs(pair.jaccard - exact) <= 0.005
    assert 0.8 < pair.jaccard < 0.9 and pair.containment >= pair.jaccard
    assert [c.representative for c in report.clusters] == [f"{SEED}#11"]  # the longer one
    assert report.counts.documents == 11 and report.counts.skipped == 0
    assert report.verification == "exact"
    for doc in docs:
        assert "paid" not in normalize_text(doc.text)
    assert any("##paidbegin##" in d.text for d in docs)  # the markers were really there


def test_no_other_seed_pair_comes_close(seeds_dir: Path) -> None:
    docs = load_documents(seeds_dir)
    for i, a in enumerate(docs):
        for b in docs[i + 1 :]:
            if {a.id, b.id} != {f"{SEED}#2", f"{SEED}#11"}:
                assert brute_force_jaccard(a.text, b.text) < 0.1
    assert find_duplicates(docs, threshold=0.1).counts.pairs == 1


def test_report_to_dict_is_json_ready(seeds_dir: Path) -> None:
    data = json.loads(json.dumps(find_duplicates(load_documents(seeds_dir)).to_dict()))
    assert data["parameters"]["threshold"] == 0.7 and data["parameters"]["rows"] == 4
    assert data["counts"]["pairs"] == 1
    assert set(data["pairs"][0]) >= {"a", "b", "jaccard", "containment", "passages"}
    assert data["clusters"][0]["representative"] == f"{SEED}#11"


TEXT = "我们今天去北京天安门看升旗仪式，然后去王府井大街吃烤鸭，晚上回酒店休息。"


@pytest.mark.parametrize(
    "documents",
    [
        [TEXT, TEXT + "好", "完全不同的内容在这里出现了吗"],
        {"0": TEXT, "1": TEXT + "好", "2": "完全不同的内容在这里出现了吗"},
        iter([("0", TEXT), ("1", TEXT + "好"), ("2", "完全不同的内容在这里出现了吗")]),
        [Document("0", TEXT), Document("1", TEXT + "好"), Document("2", "完全不同")],
    ],
)
def test_input_forms(documents: object) -> None:
    report = find_duplicates(documents)  # type: ignore[arg-type]
    assert [(p.a, p.b) for p in report.pairs] == [("0", "1")]


def test_empty_input() -> None:
    report = find_duplicates([])
    assert report.pairs == [] and report.clusters == [] and report.counts.documents == 0


def test_empty_and_punctuation_only_documents_are_skipped_not_merged() -> None:
    report = find_duplicates({"a": "", "b": "   \n", "c": "，。！", "d": TEXT, "e": ""})
    assert [(s.id, s.reason) for s in report.skipped] == [
        ("a", "empty document"),
        ("b", "empty document"),
        ("c", "empty after normalization"),
        ("e", "empty document"),
    ]
    assert report.pairs == [] and report.counts.processed == 1 and report.counts.documents == 5


def test_one_character_documents_get_one_shingle() -> None:
    report = find_duplicates({"a": "好", "b": "好！", "c": "坏"})
    assert [g.members for g in report.identical] == [("a", "b")]
    assert [(p.a, p.b, p.jaccard, p.exact) for p in report.pairs] == [("a", "b", 1.0, True)]
    assert [(p.a, p.b, p.jaccard) for p in report.identical_pairs()] == [("a", "b", 1.0)]


@pytest.mark.slow
def test_twenty_megabyte_document() -> None:
    rng = np.random.default_rng(3)
    big = "".join(map(chr, rng.integers(0x4E00, 0x9FA5, size=20 * 1024 * 1024 // 3)))
    assert len(big.encode("utf-8")) >= 20 * 1024 * 1024 - 3
    report = find_duplicates({"big": big, "copy": big[:-100] + "尾巴", "small": TEXT})
    assert [(p.a, p.b) for p in report.pairs] == [("big", "copy")]
    assert report.pairs[0].jaccard > 0.99


def test_duplicate_ids_are_named() -> None:
    with pytest.raises(DuplicateIdError, match=r"duplicate document ids: 'x', 'y'") as info:
        find_duplicates([("x", "a"), ("y", "b"), ("x", "c"), ("y", "d"), ("z", "e")])
    assert info.value.ids == ["x", "y"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ngram": 0}, r"ngram must be an integer >= 1 \(got 0\)"),
        ({"threshold": 0}, r"threshold must be in \(0, 1\] \(got 0"),
        ({"threshold": 1.2}, r"threshold must be in \(0, 1\]"),
        ({"num_perm": 0}, "num_perm must be between 1 and 65536"),
        ({"bands": 7}, "bands must be a divisor of num_perm=128"),
        ({"unit": "sentence"}, "unit must be one of"),
        ({"verify": "maybe"}, "verify must be one of"),
        ({"seed": -1}, "seed must be an integer"),
        ({"markers": ["("]}, "not a valid regular expression"),
    ],
)
def test_invalid_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        find_duplicates(["a"], **kwargs)  # type: ignore[arg-type]


def test_bad_items_are_input_errors() -> None:
    with pytest.raises(InputError, match="not a single string"):
        find_duplicates("一段文字")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="document 1: expected a Document"):
        find_duplicates(["a", 3])  # type: ignore[list-item]
    with pytest.raises(InputError, match="text must be a string"):
        find_duplicates({"a": b"bytes"})  # type: ignore[dict-item]


def test_estimate_verification_and_word_unit(seeds_dir: Path) -> None:
    docs = load_documents(seeds_dir)
    estimated = find_duplicates(docs, verify="estimate")
    assert estimated.verification == "estimate"
    assert [(p.a, p.b) for p in estimated.pairs] == [(f"{SEED}#2", f"{SEED}#11")]
    assert abs(estimated.pairs[0].jaccard - 0.84) < 0.1
    words = find_duplicates(docs, unit="word", ngram=3)
    assert [(p.a, p.b) for p in words.pairs] == [(f"{SEED}#2", f"{SEED}#11")]
    assert words.parameters.unit == "word"


def test_html_option_and_cluster_members() -> None:
    base = "<p>长江是中华民族的母亲河，也是中华民族发展的重要支撑。</p>"
    docs = {
        "a": base,
        "b": base.replace("<p>", "<div class='x'>").replace("</p>", "</div>"),
        "c": base + "<p>十年来</p>",
    }
    plain = find_duplicates(docs)
    marked = find_duplicates(docs, html=True)
    # a and b are identical once the markup is gone: one group, and their pairs with c
    assert marked.counts.pairs == 3 and marked.counts.identical == 1 and plain.counts.pairs < 2
    assert [g.members for g in marked.identical] == [("a", "b")]
    assert {(p.a, p.b) for p in marked.pairs} == {("a", "b"), ("a", "c"), ("b", "c")}
    (cluster,) = marked.clusters
    assert cluster.representative == "c"
    assert {m.id for m in cluster.members} == {"a", "b", "c"}
    assert all(0.7 <= m.similarity <= 1.0 for m in cluster.members)
