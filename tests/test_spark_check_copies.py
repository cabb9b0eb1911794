"""A check with the copies preset on Spark gives the SQLite check's report (issues 25 and
28): ``neardup index create --engine spark --preset copies DIR PATH...`` keeps each
document's sampled shingles and 4-grams, and ``neardup check --engine spark --preset copies
--index DIR`` runs the same copies judgement and rewrite search as ``neardup check --preset
copies --index INDEX.ndx`` (:mod:`neardup.stages.judged_query`): the same pairs with their
figures and reasons, the same pairs set apart, counts and exit code.

The corpora: the seed reports (the spun copy of the second checked, a document made of
halves of the third and seventh, an essay of 31%, 18% and 12% of three reports, an edited
copy), and the committed law sample with the planted copies of
``tests/test_spark_corpus_check.py`` (versions of one law, edited and partial copies).
The Spark session is ``test_spark.py``'s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from test_spark import spark
from test_spark_corpus_check import _laws, _seeds, _write_jsonl

from neardup.cli import main
from neardup.index import DuplicateIndex
from neardup.io.documents import Document

pytestmark = [pytest.mark.spark, pytest.mark.slow]

__all__ = ["spark"]  # the session fixture, shared with test_spark.py

COPIES = {"containment": 0.3, "rewrite": 0.025, "formula_df": 10}


def _stored(tmp_path: Path, corpus: list[Document], spark: Any,
            cli: bool = False) -> tuple[Path, Path]:
    """The corpus as an index file and as a Parquet corpus, both with the copies preset
    (the Parquet corpus with ``cli``: by ``index create --engine spark --copies``). The
    Parquet corpus is read from two files, so that its doc numbers pass 32 bits (the second
    file's documents are numbered above 2**32)."""
    from neardup.spark.corpus import open_corpus, store_corpus_spark

    index = tmp_path / "corpus.ndx"
    with DuplicateIndex.create(index, preset="copies") as idx:
        idx.add(corpus)
    half = len(corpus) // 2
    sources = [_write_jsonl(tmp_path / "corpus-1.jsonl", corpus[:half]),
               _write_jsonl(tmp_path / "corpus-2.jsonl", corpus[half:])]
    stored = tmp_path / "corpus"
    if cli:
        made = _cli(["index", "create", "--engine", "spark", str(stored), *map(str, sources),
                     "--copies", "--threshold", "0.5", "--script", "simplified"])
        assert made.exit_code == 0 and "with what --preset copies reads" in made.stderr
    else:
        store_corpus_spark(sources, stored, preset="copies", spark=spark)
    numbers = pq.read_table(stored / "documents", columns=["doc"]).column("doc").to_pylist()
    assert max(numbers) >= 2**32
    assert open_corpus(str(stored)).copies
    return index, stored


def _same_check(index: Path, corpus: Path, batch: list[Document], spark: Any) -> Any:
    """The Spark check's report with the copies preset equals the SQLite check's: pairs
    (every figure and reason), pairs set apart, clusters, counts, formula; returns it."""
    from neardup.spark.corpus_check import check_spark

    with DuplicateIndex.open(index) as idx:
        want = idx.query(batch, **COPIES)
    got = check_spark(batch, str(corpus), spark=spark, **COPIES).report
    assert [(p.a, p.b, p.reason) for p in got.pairs] == [
        (p.a, p.b, p.reason) for p in want.pairs]
    assert got.pairs == want.pairs
    assert got.set_apart == want.set_apart
    assert got.clusters == want.clusters
    assert got.counts == want.counts
    assert got.notes == want.notes
    assert (got.formula is None, want.formula is None) == (False, False)
    assert got.formula.tolist() == want.formula.tolist()
    return want


def _essay(corpus: list[Document]) -> Document:
    """31%, 18% and 12% of an essay from the first, fourth and sixth reports, the rest
    text no other document holds (the tenth reversed)."""
    text = {k + 1: doc.text for k, doc in enumerate(corpus)}
    size = 3000
    own = text[10][::-1][: int(0.39 * size)]
    taken = (text[1][800 : 800 + int(0.31 * size)], text[4][300 : 300 + int(0.18 * size)],
             text[6][1000 : 1000 + int(0.12 * size)])
    return Document("essay", taken[0] + own[:400] + taken[1] + own[400:800] + taken[2]
                    + own[800:])


def test_seeds_copies_check_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    """On the seeds, the copies check on Spark reports what the SQLite one reports: the
    spun copy of the second report, the half-and-half document with both sources, the
    essay with its three sources, the edited copy; nothing else among the reports. The
    corpus is stored by the command line's --copies, and the command line's check gives the
    same JSON pairs and exit code on either engine."""
    corpus, batch = _seeds()
    batch = [*batch, _essay(corpus)]
    index, stored = _stored(tmp_path, corpus, spark, cli=True)
    report = _same_check(index, stored, batch, spark)
    found = {(p.a, p.b) for p in report.pairs}
    ids = [doc.id for doc in corpus]
    assert (batch[0].id, ids[1]) in found
    assert {b for a, b in found if a == "partial"} == {ids[2], ids[6]}
    assert {b for a, b in found if a == "essay"} == {ids[0], ids[3], ids[5]}
    assert {a for a, _ in found} == {batch[0].id, "partial", "edited-5", "essay"}
    checked = _write_jsonl(tmp_path / "batch.jsonl", batch)
    local = _cli(["check", str(checked), "--index", str(index), "--preset", "copies",
                  "-f", "json"])
    on_spark = _cli(["check", "--engine", "spark", str(checked), "--index", str(stored),
                     "--preset", "copies", "-f", "json"])
    assert (local.exit_code, on_spark.exit_code) == (1, 1), on_spark.output
    assert json.loads(on_spark.stdout)["pairs"] == json.loads(local.stdout)["pairs"]
    assert json.loads(on_spark.stdout)["set_apart"] == json.loads(local.stdout)["set_apart"]


def test_laws_copies_check_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    """On the law sample the copies check on Spark gives the SQLite check's report, with
    pairs set apart and pairs of the rewrite search among them; each planted copy is
    found (reported, or set apart with the judgement's reason)."""
    corpus, batch = _laws()
    index, stored = _stored(tmp_path, corpus, spark)
    report = _same_check(index, stored, batch, spark)
    assert report.set_apart and any(p.rewrite is not None for p in report.pairs)
    met = {i for p in [*report.pairs, *report.set_apart] for i in (p.a, p.b)}
    assert {f"copy-{k}" for k in range(6)} | {f"partial-{k}" for k in range(5)} <= met


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)
