"""The ``copies`` preset on Spark gives the local engine's decisions (issue 25 item 5, issue 28
item 2): the same copies (ids, Jaccard, containment, shares, rewrite resemblance, specific
and formula shares, reason), the same pairs set apart with the same reasons, the same
clusters and the same counts of values cut (formula shingles, common 4-grams, boilerplate).

On the seeds (only the spun copy, report 2 of report 11, is a copy), the seeds plus a
document made of halves of two seed articles through ``neardup scan --engine spark``, the
committed 310-law sample, and 1,000 news items of the shared corpus (skipped when the corpus
is absent: its texts are not committed). The Spark session is ``test_spark.py``'s.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from test_spark import LAWS_SAMPLE, ROOT, _read_laws, seeds_with_partial_copy, spark

import neardup

pytestmark = [pytest.mark.spark, pytest.mark.slow]

__all__ = ["spark"]  # the session fixture, shared with test_spark.py

NEWS = ROOT.parent / "shared" / "corpora" / "cctv_news.jsonl.gz"
TOLERANCE = 1e-9
FIGURES = ("rewrite", "specific_a", "specific_b", "formula_a", "formula_b")
COLUMNS = ["a", "b", "jaccard", "containment", "a_in_b", "b_in_a", "exact", *FIGURES, "reason"]
EVIDENCE = ["passages", "a_coverage", "b_coverage"]


def _rows(pairs: list[neardup.Pair]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(p, name) for name in COLUMNS) for p in pairs]


def _assert_same_pairs(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    """The same pairs in the same order, every figure within :data:`TOLERANCE`, the same
    reasons."""
    assert [g[:2] for g in got] == [w[:2] for w in want]
    for row, expected in zip(got, want, strict=True):
        for name, value, wanted in zip(COLUMNS[2:], row[2:], expected[2:], strict=True):
            if isinstance(wanted, float) and not math.isnan(wanted):
                assert value == pytest.approx(wanted, abs=TOLERANCE), (row[:2], name)
            else:
                assert value == wanted, (row[:2], name)


def _assert_same(report: neardup.DuplicateReport, result: Any, passages: bool = False) -> None:
    """The Spark result's pairs, pairs set apart, clusters and counts equal the report's;
    with ``passages``, also the pairs' passages and coverages and the copy ratios."""
    rows = result.pairs.collect()
    assert result.pairs.columns == COLUMNS + (EVIDENCE if passages else [])
    _assert_same_pairs([tuple(r)[: len(COLUMNS)] for r in rows], _rows(report.pairs))
    if passages:
        _assert_same_evidence(report, rows, result.copies.collect())
    assert result.set_apart is not None and result.set_apart.columns == COLUMNS
    _assert_same_pairs([tuple(r) for r in result.set_apart.collect()], _rows(report.set_apart))
    clusters: dict[str, dict[str, float]] = {}
    for row in result.clusters.collect():
        clusters.setdefault(row.cluster_id, {})[row.id] = row.similarity
    assert clusters.keys() == {c.members[0].id for c in report.clusters}
    for cluster in report.clusters:
        got = clusters[cluster.members[0].id]
        assert got.keys() == {m.id for m in cluster.members}
        for member in cluster.members:
            assert got[member.id] == pytest.approx(member.similarity, abs=TOLERANCE)
    assert result.formula_shingles == report.counts.formula_shingles
    assert result.common_rewrite_shingles == report.counts.common_rewrite_shingles
    assert result.common_fingerprints == report.counts.common_fingerprints


def _assert_same_evidence(report: neardup.DuplicateReport, rows: list[Any],
                          copies: list[Any]) -> None:
    """The same passages (spans, texts, formula marks) and coverages on every pair, and the
    same copy ratios (documents in the same order, shares, sources and their shares)."""
    for row, pair in zip(rows, report.pairs, strict=True):
        assert [tuple(p) for p in row.passages] == [
            (p.a_start, p.a_end, p.b_start, p.b_end, p.text, p.formula) for p in pair.passages
        ], (pair.a, pair.b)
        assert row.a_coverage == pytest.approx(pair.a_coverage, abs=TOLERANCE)
        assert row.b_coverage == pytest.approx(pair.b_coverage, abs=TOLERANCE)
    assert [r.id for r in copies] == [c.id for c in report.copies]
    for row, copied in zip(copies, report.copies, strict=True):
        assert row.share == pytest.approx(copied.share, abs=TOLERANCE)
        assert [s.id for s in row.sources] == [s.id for s in copied.sources]
        for got, want in zip(row.sources, copied.sources, strict=True):
            assert got.share == pytest.approx(want.share, abs=TOLERANCE)


def _run(spark: Any, docs: list[tuple[str, str]], passages: bool = False
         ) -> tuple[neardup.DuplicateReport, Any]:
    from neardup.spark import find_duplicates_spark_result

    report = neardup.find_duplicates(docs, preset="copies", workers=1, with_texts=passages)
    if passages:
        report = neardup.add_passages(report, report.texts)
    result = find_duplicates_spark_result(
        spark.createDataFrame(docs, "id string, text string"), preset="copies",
        passages=passages,
    )
    return report, result


def test_seeds_copies_equal_local(spark: Any) -> None:
    """Among the eleven seed reports only (2, 11) is a copy, on Spark as locally, with the
    same figures and reason; no template sibling is reported."""
    docs = [(d.id, d.text) for d in neardup.load_documents(ROOT / "seeds")]
    report, result = _run(spark, docs, passages=True)
    assert [(p.a[-3:], p.b[-3:]) for p in report.pairs] == [("t#2", "#11")]
    assert report.pairs[0].reason and report.pairs[0].specific_a is not None
    _assert_same(report, result, passages=True)
    result.unpersist()


def test_laws_copies_equal_local(spark: Any) -> None:
    """The committed 310-law sample (versions of one law, templated local regulations):
    the same copies, rewrites included, and the same pairs set apart as template siblings
    or topic neighbours, with the same reasons; the same passages (formula ones marked)
    and copy ratios (issue 28: "passages and copy ratios equal to local")."""
    docs = _read_laws(LAWS_SAMPLE, 310)
    report, result = _run(spark, docs, passages=True)
    assert len(report.pairs) >= 5 and len(report.set_apart) >= 10
    assert any(p.jaccard < 0.5 for p in report.pairs)  # not only near-duplicates
    assert any(p.formula for pair in report.pairs for p in pair.passages)
    assert report.copies
    _assert_same(report, result, passages=True)
    result.unpersist()


def test_news_copies_equal_local(spark: Any) -> None:
    """1,000 news items of the shared corpus: reposts, template siblings (ceremonies,
    bulletins), identical items; the same copies and pairs set apart."""
    if not NEWS.exists():
        pytest.skip(f"{NEWS} is absent (news texts are not committed)")
    with gzip.open(NEWS, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in itertools.islice(handle, 1000)]
    docs = [(r["id"], r["text"]) for r in records]
    report, result = _run(spark, docs)
    assert len(report.set_apart) > len(report.pairs) > 10
    _assert_same(report, result)
    result.unpersist()


def test_cli_copies_preset_on_spark(spark: Any, tmp_path: Path) -> None:
    """``neardup scan --engine spark --preset copies`` on the seeds plus a document made of
    halves of articles 3 and 7, an empty one and a repeat: exit 0, the local copies (the
    half-and-half document with both sources, the repeat as exact) in ``pairs/`` and the
    pairs set apart in ``set_apart/``."""
    from click.testing import CliRunner

    from neardup.cli import main

    docs = seeds_with_partial_copy()
    docs += [("blank", " "), ("again", docs[4][1])]  # skipped; identical to article 5
    source = tmp_path / "seeds.jsonl"
    source.write_text("".join(
        json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in docs
    ))
    report = neardup.find_duplicates(neardup.load_documents([source]), preset="copies")
    assert {p.a[-2:] for p in report.pairs if p.b == "partial"} == {"#3", "#7"}
    assert any(p.exact and p.b == "again" for p in report.pairs) and len(report.skipped) == 1
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "scan", str(source), "--engine", "spark", "-o", str(out), "--spark-master", "local[2]",
        "--preset", "copies",
    ])
    assert result.exit_code == 0, result.output
    assert f"{len(report.pairs)} pairs" in result.output
    assert f"{len(report.set_apart)} set apart" in result.output
    pairs = spark.read.parquet(str(out / "pairs"))
    assert pairs.columns == COLUMNS
    got = sorted((tuple(r) for r in pairs.collect()), key=lambda r: r[:2])
    _assert_same_pairs(got, sorted(_rows(report.pairs), key=lambda r: r[:2]))
    apart = sorted((tuple(r) for r in spark.read.parquet(str(out / "set_apart")).collect()),
                   key=lambda r: r[:2])
    _assert_same_pairs(apart, sorted(_rows(report.set_apart), key=lambda r: r[:2]))
