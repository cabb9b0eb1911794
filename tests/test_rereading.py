"""find_duplicates re-reads only the candidates: from a corpus, a list, a dict or a one-shot
iterable, and says when it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from neardup import (
    Corpus,
    Document,
    Parameters,
    Skipped,
    find_duplicates,
    load_documents,
)
from neardup.engine import component_batches, hashing_stage, sources
from neardup.engine import find as pipeline
from neardup.engine.workers import Workers

DATA = Path(__file__).resolve().parent / "data"


def pair_tuples(report: object) -> list[tuple[str, str, float, float]]:
    return [(p.a, p.b, p.jaccard, p.containment) for p in report.pairs]  # type: ignore[attr-defined]


@pytest.mark.usefixtures("small_batches")
@pytest.mark.slow
def test_corpus_input_is_streamed_and_candidates_re_read(tmp_path: Path) -> None:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    plain = tmp_path / "laws.jsonl"
    plain.write_text(
        "".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in docs)
        + "{broken\n",
        encoding="utf-8",
    )
    expected = pair_tuples(find_duplicates(docs))
    for path in (plain, DATA / "laws_sample.jsonl.gz"):
        report = find_duplicates(Corpus(path), workers=2)
        assert report.verification == "exact" and not report.notes
        assert pair_tuples(report) == expected
    report = find_duplicates(Corpus(plain))
    assert report.skipped == [
        Skipped("laws.jsonl:311", report.skipped[0].reason, f"{plain}:311")
    ]
    assert "malformed JSON" in report.skipped[0].reason
    assert report.counts.documents == len(docs) + 1


def test_one_shot_iterable_beyond_the_budget_is_verified_by_estimate(
    monkeypatch: pytest.MonkeyPatch, seeds_dir: Path
) -> None:
    docs = load_documents(seeds_dir)
    small = find_duplicates(iter(docs))
    assert small.verification == "exact" and not small.notes
    monkeypatch.setattr(sources, "RETAIN_CHARS", 10_000)
    big = find_duplicates(iter(docs))
    assert big.verification == "estimate"
    assert "one-shot iterable" in big.notes[0] and "estimate" in big.notes[0]
    assert [(p.a, p.b) for p in big.pairs] == [(p.a, p.b) for p in small.pairs]


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_a_file_changed_before_verification_is_an_error_naming_the_line(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(component_batches, "COMPONENT_BATCH_DOCS", 2)
    text = "重复的文件内容在这里出现了两次而且足够长"
    lines = [json.dumps({"id": f"d{i}", "text": f"{text}{i % 3}"}, ensure_ascii=False) for i in range(9)]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def corrupt(stage: str, n: int) -> None:
        if stage == "candidates":  # after hashing, before the candidates are re-read
            path.write_text("\n".join("{" + "x" * (len(line) - 1) for line in lines) + "\n")

    with pytest.raises(ValueError, match=r"docs\.jsonl:1: changed while being read"):
        find_duplicates(Corpus(path), workers=workers, progress=corrupt)


def test_only_runs_that_may_estimate_keep_signatures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds_dir: Path
) -> None:
    kept: list[bool] = []

    class Recording(hashing_stage.HashingStage):
        def __init__(
            self,
            params: Parameters,
            workers: Workers,
            progress: hashing_stage.ProgressHook | None = None,
            keep_signatures: bool = True,
        ) -> None:
            kept.append(keep_signatures)
            super().__init__(params, workers, progress, keep_signatures)

    monkeypatch.setattr(pipeline, "HashingStage", Recording)
    docs = load_documents(seeds_dir)
    exact = find_duplicates(docs)
    find_duplicates(Corpus(seeds_dir))
    find_duplicates({d.id: d.text for d in docs})
    estimated = find_duplicates(docs, verify="estimate")
    find_duplicates(iter(docs))  # one-shot: may run out of retention and estimate
    assert kept == [False, False, False, True, True]
    assert [(p.a, p.b) for p in estimated.pairs] == [(p.a, p.b) for p in exact.pairs]


def test_progress_hook_counts_every_document(seeds_dir: Path) -> None:
    seen: dict[str, int] = {}

    def hook(stage: str, n: int) -> None:
        seen[stage] = seen.get(stage, 0) + n

    find_duplicates(load_documents(seeds_dir), progress=hook)
    assert seen == {"read": 11, "candidates": 1, "verified": 1}


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_progress_counts_every_candidate_checked(workers: int) -> None:
    seen: dict[str, int] = {}

    def hook(stage: str, n: int) -> None:
        seen[stage] = seen.get(stage, 0) + n

    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    report = find_duplicates(docs, workers=workers, progress=hook)
    assert report.counts.candidates > report.counts.pairs
    assert seen == {
        "read": report.counts.processed,
        "candidates": report.counts.candidates,
        "verified": report.counts.candidates,
    }


def test_component_batches_hold_whole_components_and_every_candidate_once() -> None:

    candidates = np.array([[0, 5], [1, 2], [2, 9], [3, 4], [5, 7], [6, 8], [1, 9]])
    lengths = np.arange(10, dtype=np.int64) * 10
    batches = component_batches.plan_component_batches(candidates, lengths, batch_docs=3)
    assert [b.nodes.tolist() for b in batches] == [[0, 5, 7], [1, 2, 9], [3, 4, 6, 8]]
    seen = []
    for batch in batches:
        assert batch.lengths.tolist() == (batch.nodes * 10).tolist()
        for (a, b), k in zip(batch.pairs.tolist(), batch.order.tolist(), strict=True):
            assert [batch.nodes[a], batch.nodes[b]] == candidates[k].tolist()
            seen.append(k)
    assert sorted(seen) == list(range(len(candidates)))
    assert component_batches.plan_component_batches(np.empty((0, 2), dtype=np.int64), lengths) == []


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("kind", ["jsonl.gz", "parquet"])
def test_a_compressed_or_parquet_corpus_is_read_once_for_every_batch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    """A .jsonl.gz file is decompressed from its start, and a Parquet file's row groups are
    read whole, at each fetch: the verification's batches are fetched together (one read of
    the file for the laws), not one read each; the same pairs either way."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neardup.engine import verification_stage
    from neardup.io import corpus as corpus_module

    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    path = DATA / "laws_sample.jsonl.gz"
    if kind == "parquet":
        path = tmp_path / "laws.parquet"
        pq.write_table(pa.table({"id": [d.id for d in docs], "text": [d.text for d in docs]}),
                       path, row_group_size=50)
    reads: list[int] = []
    fetch = corpus_module.read_rows_at if kind == "parquet" else Corpus._seek_jsonl

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return fetch(*args, **kwargs)  # type: ignore[operator]

    if kind == "parquet":
        monkeypatch.setattr(corpus_module, "read_rows_at", counted)
    else:
        monkeypatch.setattr(Corpus, "_seek_jsonl", counted)
    expected = pair_tuples(find_duplicates(docs))
    assert pair_tuples(find_duplicates(Corpus(path))) == expected
    assert len(reads) == 1
    reads.clear()
    monkeypatch.setattr(verification_stage, "READ_AHEAD", 1)  # a read for every batch
    assert pair_tuples(find_duplicates(Corpus(path))) == expected
    assert len(reads) > 10


def test_parquet_rows_read_a_few_at_a_time_keep_their_numbers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Rows become documents a few at a time, across row groups: each keeps its row number
    (an id-less row is ``<file>:<row>``, a null text skipped at its row), and a re-read
    finds the same documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neardup.io import parquet

    monkeypatch.setattr(parquet, "READ_ROWS", 5)
    texts: list[str | None] = [f"第{k}条 内容{k}" for k in range(40)]
    texts[23] = None
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"text": texts}), path, row_group_size=17)
    corpus = Corpus(path)
    read = list(corpus)
    assert [d.id for d in read] == [f"rows.parquet:{k + 1}" for k in range(40)]
    assert [(d.text if isinstance(d, Document) else d.reason) for d in read] == [
        "text is null" if t is None else t for t in texts
    ]
    again = corpus.fetch([0, 22, 23, 38])  # positions count documents, not the skipped row
    assert [again[p].text for p in (0, 22, 23, 38)] == [texts[0], texts[22], texts[24], texts[39]]


def test_fetches_hold_about_the_read_ahead_in_characters_as_read() -> None:
    """Batches are fetched together until their texts as read (markup included) reach the
    read-ahead: guessed from the normalized lengths at first, then from what a fetch held
    (HTML ten times its text: smaller fetches after the first)."""
    from neardup.engine.component_batches import ComponentBatch
    from neardup.engine.verification_stage import with_records

    class Pages:
        """Each document read as 1,000 characters for 100 of normalized text."""

        def __init__(self) -> None:
            self.fetched: list[list[int]] = []

        def records_at(self, positions: np.ndarray) -> list[Document]:
            self.fetched.append(positions.tolist())
            return [Document(f"d{p}", "<p>" * 333 + "x") for p in positions.tolist()]

    none = np.zeros((0, 2), dtype=np.int64)
    batches = [ComponentBatch(np.array([k]), none, none[:, 0], np.array([100]))
               for k in range(20)]
    source = Pages()
    done = list(with_records(batches, np.arange(20) * 10, source, 4_000))  # type: ignore[arg-type]
    assert [len(f) for f in source.fetched] == [10, 4, 4, 2]
    assert [b.records[0].id for b in done] == [f"d{k * 10}" for k in range(20)]  # type: ignore[union-attr]


def test_characters_read_count_only_the_records_held() -> None:
    """Lines to be read later by offset (plain JSON Lines beside a .gz file) hold nothing:
    neither their characters nor their normalized lengths enter the ratio."""
    from neardup.engine.verification_stage import characters_read
    from neardup.io.records import LineAt, RawLine

    fields = ("id", "text", "title")
    records = [LineAt("a.jsonl", "a.jsonl", 0, 1, fields), RawLine(b"x" * 300, "b", "b.gz", 1, fields),
               Document("c", "y" * 50)]
    assert characters_read(records, np.array([1000, 100, 40])) == (350, 140)  # type: ignore[arg-type]
