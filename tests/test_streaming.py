"""Streaming input, re-reading candidates, worker processes."""

from __future__ import annotations

import gzip
import json
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

from neardup import (
    Corpus,
    Document,
    DuplicateIdError,
    ParameterError,
    Parameters,
    Skipped,
    find_duplicates,
    load_documents,
    signatures,
)
from neardup.engine import find as pipeline
from neardup.engine import hashing, verification
from neardup.engine.workers import Workers
from neardup.io import corpus as corpus_module
from neardup.io import records as records_module

DATA = Path(__file__).resolve().parent / "data"


def pair_tuples(report: object) -> list[tuple[str, str, float, float]]:
    return [(p.a, p.b, p.jaccard, p.containment) for p in report.pairs]  # type: ignore[attr-defined]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many hashing batches and verification units, so that workers share the work."""
    monkeypatch.setattr(hashing, "BATCH_DOCS", 37)
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 41)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 30_000)
    monkeypatch.setattr(verification, "UNIT_DOCS", 5)


@pytest.mark.usefixtures("small_batches")
def test_two_workers_give_the_same_report_as_one() -> None:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    docs.insert(5, Document("blank", "  "))
    docs.insert(50, Document("punct", "，。"))
    one = find_duplicates(docs, workers=1)
    two = find_duplicates(docs, workers=2)
    assert one.counts.pairs > 50
    assert pair_tuples(one) == pair_tuples(two)
    assert one.clusters == two.clusters
    assert one.skipped == two.skipped == [
        Skipped("blank", "empty document"),
        Skipped("punct", "empty after normalization"),
    ]
    assert one.counts == two.counts


@pytest.mark.usefixtures("small_batches")
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


def test_corpus_fetch_reads_the_same_documents(tmp_path: Path, seeds_dir: Path) -> None:
    gz = tmp_path / "d.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as out:
        for i in range(100):
            out.write(json.dumps({"id": f"n{i}", "text": f"第{i}号文件的内容"}, ensure_ascii=False) + "\n")
    corpus = Corpus([gz, seeds_dir])
    docs = [d for d in corpus if isinstance(d, Document)]
    assert len(docs) == 111
    fetched = corpus.fetch([99, 3, 100, 110])
    assert fetched == {99: docs[99], 3: docs[3], 100: docs[100], 110: docs[110]}
    with pytest.raises(ValueError, match="has not been read"):
        corpus.fetch([111])


def test_one_shot_iterable_beyond_the_budget_is_verified_by_estimate(
    monkeypatch: pytest.MonkeyPatch, seeds_dir: Path
) -> None:
    docs = load_documents(seeds_dir)
    small = find_duplicates(iter(docs))
    assert small.verification == "exact" and not small.notes
    monkeypatch.setattr(pipeline, "RETAIN_CHARS", 10_000)
    big = find_duplicates(iter(docs))
    assert big.verification == "estimate"
    assert "one-shot iterable" in big.notes[0] and "estimate" in big.notes[0]
    assert [(p.a, p.b) for p in big.pairs] == [(p.a, p.b) for p in small.pairs]


def test_progress_hook_counts_every_document(seeds_dir: Path) -> None:
    seen: dict[str, int] = {}

    def hook(stage: str, n: int) -> None:
        seen[stage] = seen.get(stage, 0) + n

    find_duplicates(load_documents(seeds_dir), progress=hook)
    assert seen == {"read": 11, "candidates": 1, "verified": 1}


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_invalid_workers(workers: object) -> None:
    with pytest.raises(ParameterError, match="workers must be an integer >= 1"):
        find_duplicates(["a", "b"], workers=workers)  # type: ignore[arg-type]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_changed_before_verification_is_an_error_naming_the_line(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verification, "UNIT_DOCS", 2)
    text = "重复的文件内容在这里出现了两次而且足够长"
    lines = [json.dumps({"id": f"d{i}", "text": f"{text}{i % 3}"}, ensure_ascii=False) for i in range(9)]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def corrupt(stage: str, n: int) -> None:
        if stage == "candidates":  # after hashing, before the candidates are re-read
            path.write_text("\n".join("{" + "x" * (len(line) - 1) for line in lines) + "\n")

    with pytest.raises(ValueError, match=r"docs\.jsonl:1: changed while being read"):
        find_duplicates(Corpus(path), workers=workers, progress=corrupt)


def test_units_hold_whole_components_and_every_candidate_once() -> None:
    import numpy as np

    candidates = np.array([[0, 5], [1, 2], [2, 9], [3, 4], [5, 7], [6, 8], [1, 9]])
    lengths = np.arange(10, dtype=np.int64) * 10
    units = verification.plan_units(candidates, lengths, unit_docs=3)
    assert [u.nodes.tolist() for u in units] == [[0, 5, 7], [1, 2, 9], [3, 4, 6, 8]]
    seen = []
    for unit in units:
        assert unit.lengths.tolist() == (unit.nodes * 10).tolist()
        for (a, b), k in zip(unit.pairs.tolist(), unit.order.tolist(), strict=True):
            assert [unit.nodes[a], unit.nodes[b]] == candidates[k].tolist()
            seen.append(k)
    assert sorted(seen) == list(range(len(candidates)))
    assert verification.plan_units(np.empty((0, 2), dtype=np.int64), lengths) == []


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, 2])
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


def _messy_jsonl(path: Path) -> None:
    """The laws sample as JSON lines, with every kind of line that holds no usable document."""
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    lines = [json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) for d in docs]
    lines[3:3] = ["{broken", "", json.dumps({"id": "blank", "text": "  \n"})]
    lines[40:40] = ['["not", "an", "object"]', json.dumps({"id": "punct", "text": "，。！"})]
    lines[90:90] = [json.dumps({"text": "没有编号的文件内容"}), json.dumps({"id": "n", "text": 5})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, 2])
def test_lines_parsed_by_workers_give_the_report_of_lines_parsed_here(
    tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "messy.jsonl"
    _messy_jsonl(path)
    here = find_duplicates(list(Corpus(path)), workers=1)  # parsed in this process
    there = find_duplicates(Corpus(path), workers=workers)  # parsed in the hashing stage
    assert pair_tuples(there) == pair_tuples(here) and here.counts.pairs > 50
    assert there.clusters == here.clusters
    assert there.skipped == here.skipped
    assert [s.reason.split(":")[0] for s in here.skipped] == [
        "malformed JSON",
        "blank line",
        "empty document",
        "expected a JSON object, got list",
        "empty after normalization",
        "field 'text' is a int, expected a string",
    ]
    assert there.counts == here.counts and here.counts.documents == 317
    assert there.documents == here.documents


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, 2])
def test_repeated_ids_in_json_lines_are_named(tmp_path: Path, workers: int) -> None:
    path = tmp_path / "dups.jsonl"
    lines = [json.dumps({"id": f"d{i % 50}", "text": f"第{i}份文件"}, ensure_ascii=False) for i in range(120)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DuplicateIdError) as error:
        find_duplicates(Corpus(path), workers=workers)
    assert error.value.ids == [f"d{i}" for i in sorted(range(50), key=lambda i: f"d{i}")]


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_blocks_of_lines_cover_the_file_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trailing_newline: bool
) -> None:
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 7)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1000)
    lines = [json.dumps({"id": f"d{i}", "text": "长" * (i * 37 % 900)}) for i in range(60)]
    lines[10] = json.dumps({"id": "huge", "text": "大" * 5000})  # longer than a block
    lines[20:20] = ["", "\r", "{broken"]
    data = "\n".join(lines) + ("\n" if trailing_newline else "")
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data.encode("utf-8"))
    corpus = Corpus(path)
    one_by_one = [r.data for r in corpus.records() if isinstance(r, records_module.RawLine)]
    keys = list(corpus._records.key_of)
    blocks = [b for b in corpus.records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert all(len(b) <= 7 for b in blocks) and len(blocks) > 10
    from_blocks = []
    for block in blocks:
        raw, bounds = block.read(), block.bounds.tolist()
        from_blocks += [raw[bounds[k] : bounds[k + 1]] for k in range(len(block))]
    assert from_blocks == one_by_one and b"".join(from_blocks) == path.read_bytes()
    assert list(corpus._records.key_of) == keys  # the same positions: the same lines re-read
    fetched = dict(corpus.fetch_records([0, 10, 62]))
    assert records_module.parse_record(fetched[10]).id == "huge"


def test_short_lines_make_full_blocks_not_remainders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 300)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 40_000)  # a read holds ~800 short lines
    path = tmp_path / "short.jsonl"
    path.write_text("".join(f'{{"id": "d{i}", "text": "x{i}"}}\n' for i in range(5000)))
    blocks = [b for b in Corpus(path).records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert [len(b) for b in blocks] == [300] * 16 + [200]
    assert [b.first_lineno for b in blocks] == list(range(1, 5001, 300))


def test_heap_settings_take_effect_with_glibc() -> None:
    from neardup.engine.memory import keep_freed_memory

    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert keep_freed_memory() == glibc


def test_a_run_does_not_move_the_positions_of_an_earlier_iteration(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = ["", json.dumps({"id": "x", "text": "第一份文件的内容"}), "{broken"]
    lines.append(json.dumps({"id": "y", "text": "第二份文件的内容"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = Corpus(path)
    docs = [d for d in corpus if isinstance(d, Document)]
    assert [d.id for d in docs] == ["x", "y"]
    report = find_duplicates(corpus, workers=1)  # reads records: blank and broken lines count
    assert report.counts.processed == 2 and len(report.skipped) == 2
    assert corpus.fetch([0, 1]) == {0: docs[0], 1: docs[1]}


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, 2])
def test_exact_runs_keep_band_keys_but_not_signatures(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    docs.insert(5, Document("blank", "  "))  # a batch with a row left out
    params = Parameters()
    items = list(enumerate(docs))
    received: list[int] = []  # signature columns of each batch the stage gets back
    collect = hashing.HashingStage._collect

    def recording(stage: hashing.HashingStage, batch: object, result: object) -> None:
        hashes = result.hashes if isinstance(result, hashing.ParsedLines) else result
        received.append(hashes[0].shape[1])  # type: ignore[index]
        collect(stage, batch, result)  # type: ignore[arg-type]

    monkeypatch.setattr(hashing.HashingStage, "_collect", recording)
    pool = Workers(workers)
    try:
        full = hashing.HashingStage(params, pool).run(iter(items))
        from_full, received = received, []
        lean = hashing.HashingStage(params, pool, keep_signatures=False).run(iter(items))
    finally:
        pool.close()
    assert len(received) > 3 and set(from_full) == {128}
    assert set(received) == ({0} if workers > 1 else {128})  # workers leave them out
    assert lean.ids == full.ids and lean.positions == full.positions
    assert np.array_equal(np.concatenate(lean.keys), np.concatenate(full.keys))
    assert all(block.flags.f_contiguous for block in lean.keys)  # bands are columns
    assert np.array_equal(full.signature(3), signatures([docs[3].text])[0])
    assert not lean.signatures_kept and lean.signatures == []
    with pytest.raises(RuntimeError, match="did not keep the signatures"):
        lean.signature(3)


def test_only_runs_that_may_estimate_keep_signatures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds_dir: Path
) -> None:
    kept: list[bool] = []

    class Recording(hashing.HashingStage):
        def __init__(
            self,
            params: Parameters,
            workers: Workers,
            progress: hashing.ProgressHook | None = None,
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


def test_lines_at_packs_the_records_fetch_records_gives(tmp_path: Path) -> None:
    plain, packed_gz = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    rows = [json.dumps({"id": f"a{i}", "text": f"第{i}份文件"}) for i in range(5)]
    plain.write_text("\n".join(["", *rows]) + "\n", encoding="utf-8")
    packed_gz.write_bytes(gzip.compress(b'{"id": "b0", "text": "x"}\n'))
    (tmp_path / "c.txt").write_text("正文", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text('{"id": "d0", "text": "y"}\n{"id": "d1", "text": "z"}\n')
    corpus = Corpus(tmp_path)
    records = list(corpus.records(blocks=True))  # the blank line is a record too: 6 + 1 + 1 + 2
    assert sum(len(r) if isinstance(r, records_module.LineBlock) else 1 for r in records) == 10
    wanted = [5, 9, 1, 8, 3]
    packed = corpus.lines_at(wanted)
    assert packed is not None and len(packed) == 5 and len(packed.files) == 2
    one_by_one = dict(corpus.fetch_records(wanted, unread=True))
    assert list(packed) == [one_by_one[p] for p in wanted]
    assert [d.id for d in records_module.parse_records(packed)] == ["a4", "d1", "a0", "d0", "a2"]
    assert corpus.lines_at([1, 6]) is None  # a line of a compressed file
    assert corpus.lines_at([1, 7]) is None  # a text file
    with pytest.raises(ValueError, match="position 10 has not been read"):
        corpus.lines_at([1, 10])
    text_only = Corpus(tmp_path / "c.txt")
    list(text_only.records(blocks=True))
    assert text_only.lines_at([0]) is None


def test_a_library_run_leaves_the_garbage_collector_alone(seeds_dir: Path) -> None:
    import gc

    states: set[bool] = set()
    find_duplicates(load_documents(seeds_dir), progress=lambda *_: states.add(gc.isenabled()))
    assert states == {True} and gc.isenabled()


def test_the_command_line_pauses_the_garbage_collector_for_a_scan(
    seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from click.testing import CliRunner

    import neardup.cli as cli

    states: list[bool] = []

    def recording(*args: object, **kwargs: object) -> object:
        states.append(gc.isenabled())
        return find_duplicates(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "find_duplicates", recording)
    result = CliRunner().invoke(cli.main, ["scan", str(seeds_dir), "--quiet"])
    assert result.exit_code == 0 and states == [False] and gc.isenabled()
    result = CliRunner().invoke(cli.main, ["scan", str(seeds_dir / "missing.txt")])
    assert result.exit_code == 2 and gc.isenabled()  # restored after a failure too


def test_worker_processes_collect_garbage_while_the_run_pauses_it() -> None:
    import gc

    from neardup.engine.memory import collector_paused

    workers = Workers(2)
    try:
        with collector_paused():
            assert not gc.isenabled()
            assert workers.pool().submit(gc.isenabled).result()
    finally:
        workers.close()


def test_a_file_of_a_few_megabytes_is_cut_into_blocks_for_every_worker(tmp_path: Path) -> None:
    path = tmp_path / "mid.jsonl"
    text = "中文" * 400
    rows = (json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) for i in range(3000))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    size = path.stat().st_size
    assert 4 * corpus_module.MIN_BLOCK_BYTES < size < corpus_module.BLOCK_BYTES  # once a single block
    blocks = [b for b in Corpus(path).records(blocks=True) if isinstance(b, records_module.LineBlock)]
    assert len(blocks) > size // corpus_module.MIN_BLOCK_BYTES
    assert all(b.bounds[-1] <= corpus_module.MIN_BLOCK_BYTES for b in blocks)
    assert sum(len(b) for b in blocks) == 3000


def test_workers_map_keeps_the_order_of_the_calls() -> None:
    workers = Workers(2)
    try:
        calls = [(n, 3) for n in range(20)]
        assert list(workers.map(pow, iter(calls))) == [n**3 for n in range(20)]
        assert list(workers.map(pow, iter(calls), here=True)) == [n**3 for n in range(20)]
        with pytest.raises(ZeroDivisionError):
            list(workers.map(divmod, [(1, 1), (1, 0), (2, 1)]))
    finally:
        workers.close()
