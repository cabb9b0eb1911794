"""Worker processes: the same report with one or many, lines parsed where they are hashed,
what workers send back, and the pool itself."""

from __future__ import annotations

import json
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
from neardup.engine import hashing_stage
from neardup.engine.workers import Workers
from neardup.searches.near_duplicates import NAME as NEAR_DUPLICATES
from neardup.searches.near_duplicates import keys_of
from neardup.stages.hashing import HashedBatch

DATA = Path(__file__).resolve().parent / "data"


def pair_tuples(report: object) -> list[tuple[str, str, float, float]]:
    return [(p.a, p.b, p.jaccard, p.containment) for p in report.pairs]  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_invalid_workers(workers: object) -> None:
    with pytest.raises(ParameterError, match="workers must be an integer >= 1"):
        find_duplicates(["a", "b"], workers=workers)  # type: ignore[arg-type]


@pytest.mark.usefixtures("small_batches")
@pytest.mark.slow
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


def _messy_jsonl(path: Path) -> None:
    """The laws sample as JSON lines, with every kind of line that holds no usable document."""
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    lines = [json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) for d in docs]
    lines[3:3] = ["{broken", "", json.dumps({"id": "blank", "text": "  \n"})]
    lines[40:40] = ['["not", "an", "object"]', json.dumps({"id": "punct", "text": "，。！"})]
    lines[90:90] = [json.dumps({"text": "没有编号的文件内容"}), json.dumps({"id": "n", "text": 5})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
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
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_repeated_ids_in_json_lines_are_named(tmp_path: Path, workers: int) -> None:
    path = tmp_path / "dups.jsonl"
    lines = [json.dumps({"id": f"d{i % 50}", "text": f"第{i}份文件"}, ensure_ascii=False) for i in range(120)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DuplicateIdError) as error:
        find_duplicates(Corpus(path), workers=workers)
    assert error.value.ids == [f"d{i}" for i in sorted(range(50), key=lambda i: f"d{i}")]


@pytest.mark.usefixtures("small_batches")
@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_exact_runs_keep_band_keys_but_not_signatures(workers: int) -> None:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    docs.insert(5, Document("blank", "  "))  # a batch with a row left out
    params = Parameters()
    items = list(enumerate(docs))
    received: list[int] = []  # signature columns of each batch the stage gets back

    class Recording(hashing_stage.HashingStage):
        def collect(self, batch: hashing_stage.Batch, result: HashedBatch | hashing_stage.ParsedLines) -> None:
            hashes = result.hashes if isinstance(result, hashing_stage.ParsedLines) else result
            received.append(hashes.signatures.shape[1])
            super().collect(batch, result)

    pool = Workers(workers)
    try:
        full = Recording(params, pool).run(iter(items))
        from_full, received = received, []
        lean = Recording(params, pool, keep_signatures=False).run(iter(items))
    finally:
        pool.close()
    assert len(received) > 3 and set(from_full) == {128}
    assert set(received) == ({0} if workers > 1 else {128})  # workers leave them out
    assert lean.ids == full.ids and lean.positions == full.positions
    lean_keys = [keys_of(block) for block in lean.searched[NEAR_DUPLICATES]]
    full_keys = [keys_of(block) for block in full.searched[NEAR_DUPLICATES]]
    assert np.array_equal(np.concatenate(lean_keys), np.concatenate(full_keys))
    assert all(block.flags.f_contiguous for block in lean_keys)  # bands are columns
    assert np.array_equal(full.signature(3), signatures([docs[3].text])[0])
    assert not lean.signatures_kept and lean.signatures == []
    with pytest.raises(RuntimeError, match="did not keep the signatures"):
        lean.signature(3)


@pytest.mark.slow
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
