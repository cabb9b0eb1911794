"""A check on Spark against a corpus stored as Parquet gives the SQLite check's report (issue
28 item 3): ``neardup index create --engine spark DIR PATH...`` then ``neardup check
--engine spark --index DIR`` finds the pairs, shares, clusters and counts that ``neardup
check --index INDEX.ndx`` finds on an index of the same documents with the same parameters,
for Jaccard and containment checks, with the same exit code; other parameters, a missing or
damaged corpus and the copies preset are refused in one line (exit 2).

The corpora: the seed articles (one left out, and a document made of halves of two others,
checked), and the committed 310-law sample with a mass-duplicate group larger than
``MAX_GROUP`` (its band keys make stars), checked with held-out laws, edited copies,
partial copies, a new version of a stored law (the same id), a document repeated in the
batch and an empty one. The Spark session is ``test_spark.py``'s.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_spark import LAWS_SAMPLE, _edit, _read_laws, seeds_with_partial_copy, spark

from neardup.cli import main
from neardup.core.lsh import MAX_GROUP
from neardup.errors import IndexFileError
from neardup.index import DuplicateIndex
from neardup.io.documents import Document

pytestmark = [pytest.mark.spark, pytest.mark.slow]

__all__ = ["spark"]  # the session fixture, shared with test_spark.py


def _write_jsonl(path: Path, docs: list[Document]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for doc in docs:
            record = {"id": doc.id, "text": doc.text, "title": doc.title}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _stored(tmp_path: Path, corpus: list[Document], spark: Any,
            **parameters: Any) -> tuple[Path, Path]:
    """The corpus as an index file and as a Parquet corpus, made with ``parameters``."""
    from neardup.spark.corpus import store_corpus_spark

    index = tmp_path / "corpus.ndx"
    with DuplicateIndex.create(index, **parameters) as idx:
        idx.add(corpus)
    source = _write_jsonl(tmp_path / "corpus.jsonl", corpus)
    info = store_corpus_spark(source, tmp_path / "corpus", spark=spark, **parameters)
    assert (info.documents, info.skipped) == (len(idx_ids(index)), 0)
    return index, tmp_path / "corpus"


def idx_ids(index: Path) -> list[str]:
    with DuplicateIndex.open(index) as idx:
        return idx.ids()


def _assert_same_check(index: Path, corpus: Path, batch: list[Document], spark: Any,
                       containment: float | None = None, max_df: int | None = None) -> Any:
    """The Spark check's report equals the SQLite check's: pairs (every figure), clusters,
    documents, skipped and counts; returns the report."""
    from neardup.spark.corpus_check import check_spark

    with DuplicateIndex.open(index) as idx:
        want = idx.query(batch, containment=containment, max_df=max_df)
    got = check_spark(batch, str(corpus), containment=containment, max_df=max_df,
                      spark=spark)
    assert [(p.a, p.b) for p in got.report.pairs] == [(p.a, p.b) for p in want.pairs]
    assert got.report.pairs == want.pairs
    assert got.report.clusters == want.clusters
    assert got.report.documents == want.documents
    assert got.report.skipped == want.skipped
    assert got.report.counts == want.counts
    assert got.report.parameters == want.parameters
    involved = {i for p in want.pairs for i in (p.a, p.b)} - {d.id for d in batch}
    assert set(got.texts) >= involved
    return want


def _seeds() -> tuple[list[Document], list[Document]]:
    """The seed articles but the eleventh as the corpus; the eleventh (of which the second
    is a spun copy), the partial copy of the third and seventh, an edited copy of the
    fifth and a law (unrelated) as the batch."""
    seeds = [Document(i, t, f"seed {k}") for k, (i, t) in enumerate(seeds_with_partial_copy())]
    articles, partial = seeds[:11], seeds[11]
    law_id, law = _read_laws(LAWS_SAMPLE, 1)[0]
    batch = [articles[10], partial,
             Document("edited-5", _edit(articles[4].text, random.Random(5), 0.03)),
             Document(law_id, law)]
    return articles[:10], batch


def test_seeds_check_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    """On the seeds, the Jaccard check finds the spun copy and the edited copy, the
    containment check also the partial copy, each as the SQLite check does."""
    corpus, batch = _seeds()
    index, stored = _stored(tmp_path, corpus, spark)
    jaccard = _assert_same_check(index, stored, batch, spark)
    assert {(p.a, p.b) for p in jaccard.pairs} >= {
        (batch[0].id, corpus[1].id), ("edited-5", corpus[4].id)}
    copied = _assert_same_check(index, stored, batch, spark, containment=0.3)
    assert {p.a for p in copied.pairs} >= {"partial", "edited-5", batch[0].id}
    assert not any(batch[3].id in (p.a, p.b) for p in copied.pairs)


def _laws() -> tuple[list[Document], list[Document]]:
    """The corpus: the first 280 laws of the sample and 40 copies of a short one (a group
    of band keys larger than ``MAX_GROUP``); the batch: the 30 other laws, edited copies and
    partial copies of stored laws, a new version of a stored law, a near copy of the
    repeated law, a law repeated in the batch and an empty document."""
    rng = random.Random(28)
    laws = [Document(i, t, i.rsplit("/", 1)[-1]) for i, t in _read_laws(LAWS_SAMPLE, 310)]
    stored, held = laws[:280], laws[280:]
    short = min(stored, key=lambda d: len(d.text))
    group = [Document(f"repeated-{k}", short.text) for k in range(MAX_GROUP + 8)]
    corpus = stored[:100] + group + stored[100:]
    batch = list(held)
    for k, doc in enumerate(rng.sample(stored, 6)):
        batch.append(Document(f"copy-{k}", _edit(doc.text, rng, 0.04)))
    for k, (doc, host) in enumerate(zip(rng.sample(stored, 5), rng.sample(held, 5),
                                        strict=True)):
        lines = doc.text.splitlines()
        taken = "\n".join(lines[: max(1, len(lines) * 2 // 5)])
        batch.append(Document(f"partial-{k}", host.text[:2500] + "\n" + _edit(taken, rng, 0.02)))
    version = stored[7]
    batch.append(Document(version.id, _edit(version.text, rng, 0.03)))  # a new version
    batch.append(Document("copy-of-old-version", version.text))  # not paired with the old
    batch.append(Document("near-repeated", _edit(short.text + short.text, rng, 0.02)))
    batch.append(Document("repeat-of-first", held[0].text))
    batch.append(Document("empty", "  "))
    return corpus, batch


def test_laws_check_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    """On the law sample, Jaccard and containment checks (a boilerplate cut low enough to
    cut many fingerprints) give the SQLite check's report; the planted copies are found."""
    corpus, batch = _laws()
    index, stored = _stored(tmp_path, corpus, spark)
    jaccard = _assert_same_check(index, stored, batch, spark)
    found = {p.a for p in jaccard.pairs}
    assert {f"copy-{k}" for k in range(6)} <= found
    assert "repeat-of-first" in {p.b for p in jaccard.pairs}
    version = next(d.id for d in batch if d.id in {c.id for c in corpus})
    # the copy of a stored law's old text is compared with its new version only, once
    assert [{p.a, p.b} for p in jaccard.pairs if "copy-of-old-version" in (p.a, p.b)] == [
        {"copy-of-old-version", version}]
    copied = _assert_same_check(index, stored, batch, spark, containment=0.3, max_df=5)
    assert {f"partial-{k}" for k in range(5)} <= {i for p in copied.pairs for i in (p.a, p.b)}
    assert copied.counts.common_fingerprints > 0
    checked = _write_jsonl(tmp_path / "batch.jsonl", batch)
    involved = {i for p in [*jaccard.pairs, *copied.pairs] for i in (p.a, p.b)}
    clean = _write_jsonl(tmp_path / "clean.jsonl",
                         [d for d in batch if d.id not in involved and d.text.strip()][:3])
    runs = [(checked, [], 1), (checked, ["--containment", "0.3", "--max-df", "5"], 1),
            (clean, [], 0)]
    for path, extra, code in runs:  # the exit codes and JSON pairs, through the CLI
        local = _cli(["check", str(path), "--index", str(index), "-f", "json", *extra])
        on_spark = _cli(["check", "--engine", "spark", str(path), "--index", str(stored),
                         "-f", "json", *extra])
        assert (local.exit_code, on_spark.exit_code) == (code, code), on_spark.output
        assert json.loads(on_spark.stdout)["pairs"] == json.loads(local.stdout)["pairs"]


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_cli_check_on_spark_equals_sqlite(spark: Any, tmp_path: Path) -> None:
    """Through the command line: the same JSON pairs and exit codes as ``check --index``
    (1 with copies found, 0 for a clean batch), with the summary line of check."""
    corpus, batch = _seeds()
    source = _write_jsonl(tmp_path / "corpus.jsonl", corpus)
    checked = _write_jsonl(tmp_path / "batch.jsonl", batch)
    clean = _write_jsonl(tmp_path / "clean.jsonl", [batch[3]])
    index, stored = str(tmp_path / "c.ndx"), str(tmp_path / "corpus")
    assert _cli(["index", "create", index]).exit_code == 0
    assert _cli(["index", "add", index, str(source)]).exit_code == 0
    made = _cli(["index", "create", "--engine", "spark", stored, str(source)])
    assert made.exit_code == 0, made.output
    assert "stored 10 documents" in made.output
    for extra in ([], ["--containment", "0.3"]):
        local = _cli(["check", str(checked), "--index", index, "-f", "json", *extra])
        on_spark = _cli(["check", "--engine", "spark", str(checked), "--index", stored,
                         "-f", "json", *extra])
        assert (local.exit_code, on_spark.exit_code) == (1, 1), on_spark.output
        want, got = json.loads(local.stdout), json.loads(on_spark.stdout)
        assert got["pairs"] == want["pairs"] and want["pairs"]
        assert got["counts"] == want["counts"]
        assert got["checked"] == want["checked"]
        summary = [line for line in on_spark.stderr.splitlines() if "checked document" in line]
        assert summary == [line for line in local.stderr.splitlines()
                           if "checked document" in line]
    passed = _cli(["check", "--engine", "spark", str(clean), "--index", stored])
    assert passed.exit_code == 0, passed.output


@pytest.fixture(scope="module")
def stored_seeds(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from neardup.spark.corpus import store_corpus_spark

    tmp = tmp_path_factory.mktemp("stored")
    docs = [Document(i, t) for i, t in seeds_with_partial_copy()[:11]]
    source = _write_jsonl(tmp / "seeds.jsonl", docs)
    store_corpus_spark(source, tmp / "corpus", spark=spark)
    return tmp


def _refused(args: list[str]) -> str:
    result = _cli(args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines()  # a usage error: click's two lines
             if line.strip() and not line.startswith(("Usage:", "Try "))]  # before it
    assert len(lines) == 1, lines
    return lines[0]


def test_other_parameters_are_refused(spark: Any, stored_seeds: Path, tmp_path: Path) -> None:
    """A check asking for other parameters than the corpus's is refused in one line naming
    the corpus and the parameter (exit 2), as with an index file; so are a rewrite search
    on a corpus stored without copies and a corpus stored over an existing directory."""
    batch = _write_jsonl(tmp_path / "b.jsonl", [Document("x", "一段新的文字，与语料无关。" * 5)])
    corpus = str(stored_seeds / "corpus")
    message = _refused(["check", "--engine", "spark", str(batch), "--index", corpus,
                        "--threshold", "0.8"])
    assert corpus in message and "other parameters" in message and "threshold" in message
    message = _refused(["check", "--engine", "spark", str(batch), "--index", corpus,
                        "--rewrite", "0.025"])
    assert "stored without copies" in message
    message = _refused(["index", "create", "--engine", "spark", corpus,
                        str(stored_seeds / "seeds.jsonl")])
    assert "already exists" in message
    with pytest.raises(IndexFileError, match="ngram"):
        from neardup.spark.corpus_check import check_spark

        check_spark([Document("x", "文字")], corpus, expected={"ngram": 3}, spark=spark)


def test_missing_or_damaged_corpus_is_refused(spark: Any, stored_seeds: Path,
                                              tmp_path: Path) -> None:
    """A missing directory, one without its JSON file, one missing a table and one with a
    damaged Parquet file are each refused in one line naming the directory (exit 2)."""
    batch = _write_jsonl(tmp_path / "b.jsonl",
                         [Document("x", seeds_with_partial_copy()[10][1])])
    missing = str(tmp_path / "nowhere")
    assert missing in _refused(["check", "--engine", "spark", str(batch), "--index", missing])

    def damaged(name: str) -> Path:
        copy = tmp_path / name
        shutil.copytree(stored_seeds / "corpus", copy)
        return copy

    no_meta = damaged("no-meta")
    (no_meta / "neardup-corpus.json").unlink()
    message = _refused(["check", "--engine", "spark", str(batch), "--index", str(no_meta)])
    assert str(no_meta) in message and "not a neardup Parquet corpus" in message
    no_bands = damaged("no-bands")
    shutil.rmtree(no_bands / "bands")
    message = _refused(["check", "--engine", "spark", str(batch), "--index", str(no_bands)])
    assert str(no_bands) in message and "bands/" in message
    broken = damaged("broken")
    for part in (broken / "bands").glob("part-*.parquet"):
        part.write_bytes(b"PAR1 not a parquet file PAR1")
    message = _refused(["check", "--engine", "spark", str(batch), "--index", str(broken)])
    assert str(broken) in message and "cannot read the Parquet corpus (damaged" in message
