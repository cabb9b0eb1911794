"""The JSON report writer gives the text of ``json.dumps(report.to_dict(), ensure_ascii=False,
indent=2)`` exactly, and JSON Lines that of ``json.dumps(pair_dict(...))`` a line: on real
reports and on reports whose ids, titles and numbers are hostile."""

from __future__ import annotations

import copy
import importlib
import json
import math
import sys
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neardup import find_duplicates, load_documents
from neardup.evidence.passages import add_passages
from neardup.formats import json_report, render
from neardup.parameters import parameters_for
from neardup.report import (
    Cluster,
    ClusterMember,
    CopiedDocument,
    CopySource,
    Counts,
    DocumentInfo,
    DuplicateReport,
    ExactGroup,
    Pair,
    Passage,
    Skipped,
    pair_dict,
)
from neardup.stages.verification import Verified, report_parts

HOSTILE = [
    'q"uote', "back\\slash", "ctrl\x00\x01\x08\t\n\x0c\r\x1f", "del\x7f c1\x85\x9f",
    "ls\u2028ps\u2029", "bidi\u202e\u2066", "nonchar\ufffe\uffff", "lone\ud800", "low\udfff",
    "astral\U0001f600\U00020000", "中文，标点。", "", " ", "\\u0041", "</script>",
]
NUMBERS = [0.0, -0.0, 1.0, 1e-06, 5e-05, 0.0001, 0.123456789, 1 / 3, 1e16, 1e22,
           math.nan, math.inf, -math.inf, 1, 0, True]


VALID = [text for text in HOSTILE if "\ud800" not in text and "\udfff" not in text]
"""The hostile strings without lone surrogates."""
PLAIN = [0.0, 1.0, 0.5, 0.0001, 0.123456789, 1 / 3, 123456.75]
"""Finite numbers in plain notation."""


def expected_json(report: DuplicateReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def expected_jsonl(report: DuplicateReport) -> str:
    return "".join(
        json.dumps(pair_dict(p, report.documents), ensure_ascii=False) + "\n"
        for p in report.pairs
    )


def assert_same(report: DuplicateReport) -> None:
    assert json_report.render_json(report) == expected_json(report)
    assert json_report.render_jsonl(report) == expected_jsonl(report)


def hostile_report(ids: list[str], numbers: list[float], containment: float | None) -> (
    DuplicateReport
):
    """A report holding every id and number in every place they can go."""
    pairs, clusters, documents = [], [], {}
    for k, a in enumerate(ids):
        b = ids[(k + 1) % len(ids)]
        x = numbers[k % len(numbers)]
        y = numbers[(k + 3) % len(numbers)]
        passages = tuple(Passage(k, k + 1, 2, 3, t) for t in ids[k : k + 2]) if k % 2 else ()
        pairs.append(Pair(a, b, x, y, x, y, passages, a_coverage=y if k % 3 else None,
                          b_coverage=x if k % 4 else None, rewrite=x if k % 5 else None))
        clusters.append(Cluster(a, tuple(ClusterMember(m, numbers[j % len(numbers)])
                                         for j, m in enumerate(ids[k:]))))
        documents[a] = DocumentInfo(b if k % 2 else None, a if k % 3 else None,
                                    None if k % 4 else k, k)
    return DuplicateReport(
        parameters=parameters_for(None, containment=containment),
        pairs=pairs,
        clusters=clusters,
        skipped=[Skipped(i, i, None if k % 2 else i) for k, i in enumerate(ids)],
        counts=Counts(len(ids), len(ids), 0, 3, len(pairs), len(clusters)),
        verification="exact",
        seconds=numbers[1 % len(numbers)],
        documents=documents,
        notes=list(ids),
        identical=[ExactGroup(tuple(ids[k:])) for k in range(len(ids))],
        copies=[CopiedDocument(i, numbers[k % len(numbers)],
                               (CopySource(i, 0.5, (Passage(0, 1, 2, 3, i),)),))
                for k, i in enumerate(ids)],
    )


@pytest.mark.parametrize("containment", [None, 0.3])
@pytest.mark.parametrize(("ids", "numbers"), [(HOSTILE, NUMBERS), (VALID, PLAIN),
                                              (VALID, NUMBERS), (HOSTILE, PLAIN)])
def test_hostile_ids_and_numbers(
    ids: list[str], numbers: list[float], containment: float | None
) -> None:
    assert_same(hostile_report(ids, numbers, containment))


def test_empty_report() -> None:
    report = hostile_report(["x"], [0.5], None)
    report.pairs, report.clusters, report.documents, report.identical = [], [], {}, []
    report.skipped, report.notes = [], []
    assert_same(report)


def test_records_with_unusual_values() -> None:
    """Values the fast path does not write (a list where a number goes, a non-str id or
    document key) are written as the standard library writes them."""
    report = hostile_report(HOSTILE[:4], NUMBERS, None)
    report.pairs.append(Pair("x", "y", 0.5, 1.0, 1.0, 1.0))
    report.documents["x"] = DocumentInfo(["a", "list"], None, None)  # type: ignore[arg-type]
    report.clusters.append(Cluster("x", (ClusterMember(7, 1.0),)))  # type: ignore[arg-type]
    report.clusters.append(Cluster("x", (ClusterMember("y", {"z": 1}),)))  # type: ignore[arg-type]
    report.identical.append(ExactGroup((None, "y")))  # type: ignore[arg-type]
    report.documents[3] = DocumentInfo(None, None, None)  # type: ignore[index]
    assert_same(report)


def test_a_judged_pair_unmeasured_has_its_figures_as_null() -> None:
    """A pair set apart as sharing little specific text is not measured: its four figures
    are written null, not left out (a script reading ``pair["specific_a"]`` must not fail
    on one pair in a thousand)."""
    report = hostile_report(VALID[:4], PLAIN, 0.3)
    report.parameters = parameters_for("copies")
    measured = Pair("m", "n", 0.2, 0.5, 0.5, 0.3, specific_a=0.4, specific_b=0.2,
                    formula_a=0.1, formula_b=0.05, reason="a specific passage of 80 characters")
    unmeasured = Pair("u", "v", 0.1, 0.4, 0.4, 0.2,
                      reason="shares little specific text (text few documents hold)")
    report.pairs, report.set_apart = [measured], [unmeasured, measured]
    assert_same(report)
    written = json.loads(json_report.render_json(report))
    assert written["set_apart"][0]["specific_a"] is None
    assert {k: written["set_apart"][0][k] for k in ("specific_b", "formula_a", "formula_b")} == (
        dict.fromkeys(("specific_b", "formula_a", "formula_b")))
    assert written["pairs"][0]["formula_b"] == 0.05
    assert "specific_a" not in pair_dict(Pair("x", "y", 1, 1, 1, 1), {})  # not judged


def test_a_value_json_cannot_write_fails_as_json_does() -> None:
    report = hostile_report(["x", "y"], [0.5], None)
    report.documents["x"] = DocumentInfo(object(), None, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_report.render_json(report)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_report.render_jsonl(report)


text_any = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None))


@given(
    ids=st.lists(text_any, min_size=1, max_size=6),
    numbers=st.lists(st.floats() | st.integers(-(2**70), 2**70), min_size=1, max_size=6),
)
def test_any_ids_and_numbers(ids: list[str], numbers: list[float]) -> None:
    assert_same(hostile_report(ids, numbers, 0.5))


@pytest.fixture(scope="module")
def laws(corpora_dir: Path) -> list[object]:
    return load_documents(corpora_dir / "laws_zh.jsonl.gz")[:400]


@pytest.fixture(scope="module")
def real_report(laws: list[object]) -> DuplicateReport:
    report = find_duplicates(laws, preset="copies", with_texts=True)
    return add_passages(report, report.texts)


@pytest.mark.slow  # the copies preset on 400 laws judges every candidate: about 10 s
def test_real_report_with_passages_and_copies(real_report: DuplicateReport) -> None:
    report = real_report
    assert report.pairs and report.clusters and any(p.passages for p in report.pairs)
    assert_same(report)
    assert render(report, "json") == expected_json(report)


def test_the_same_text_without_orjson(
    monkeypatch: pytest.MonkeyPatch, laws: list[object]
) -> None:
    """The writer needs no orjson: with its import blocked it writes the same text."""
    report = find_duplicates(laws)
    with_orjson = json_report.render_json(report), json_report.render_jsonl(report)
    monkeypatch.setitem(sys.modules, "orjson", None)
    try:
        without = importlib.reload(json_report)
        assert (without.render_json(report), without.render_jsonl(report)) == with_orjson
    finally:
        monkeypatch.undo()
        importlib.reload(json_report)
    assert with_orjson == (expected_json(report), expected_jsonl(report))


def test_report_parts_records_are_the_dataclasses() -> None:
    """report_parts makes its pairs and members as the dataclasses: every field set, in
    order (flat_dict and the JSON keys follow that order)."""
    verified = Verified(
        pairs=np.array([[0, 1], [1, 2]], dtype=np.int64),
        order=np.array([0, 1], dtype=np.int64),
        jaccard=np.array([0.75, 0.5]),
        a_in_b=np.array([0.8, 0.5]),
        b_in_a=np.array([0.9, 0.6]),
        recorded={"rewrite": np.array([math.nan, 0.25])},
        clusters=[(1, [(0, 0.75), (1, 1.0)])],
    )
    parts = report_parts(verified, ["x", "y", "z"], lambda i: DocumentInfo(None, None, i))
    assert parts.pairs == [Pair("x", "y", 0.75, 0.9, 0.8, 0.9),
                           Pair("y", "z", 0.5, 0.6, 0.5, 0.6, rewrite=0.25)]
    assert parts.clusters == [Cluster("y", (ClusterMember("x", 0.75), ClusterMember("y", 1.0)))]
    for record in [*parts.pairs, *parts.clusters[0].members]:
        assert list(vars(record)) == [f.name for f in fields(record)]
        assert hash(record) == hash(copy.deepcopy(record))
    with pytest.raises(FrozenInstanceError):
        parts.pairs[0].a = "w"  # type: ignore[misc]


def test_clusters_and_documents_of_any_values_are_written_as_json_does() -> None:
    """Valid ids and plain numbers, hostile ones, and a representative that is a float:
    the clusters and documents sections are the standard library's text."""
    assert_same(hostile_report(VALID, PLAIN, None))
    assert_same(hostile_report(HOSTILE, NUMBERS, None))
    report = hostile_report(VALID, PLAIN, None)
    report.clusters.append(Cluster(1e-06, (ClusterMember("x", 0.5),)))  # type: ignore[arg-type]
    assert_same(report)
