"""The Spark engine's Arrow-batch functions against the local engine's, without a JVM: the
band keys cut into parts and grouped per part give :func:`neardup.core.lsh.candidate_pairs`'
pairs, and batch verification gives :func:`neardup.core.similarity.overlap`'s floats."""

from __future__ import annotations

import numpy as np
import pytest

from neardup.core.lsh import MAX_GROUP, candidate_pairs
from neardup.core.similarity import overlap

pa = pytest.importorskip("pyarrow")


def _keys_batch(ords: np.ndarray, keys: np.ndarray) -> object:
    from neardup.spark.inputs import ORD

    sizes = np.full(keys.shape[0], keys.shape[1], dtype=np.int32)
    sizes[::7] = 0  # skipped documents have no band keys
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int32)
    values = np.concatenate([keys[i, : sizes[i]] for i in range(keys.shape[0])])
    return pa.RecordBatch.from_arrays(
        [pa.array(ords, pa.int64()),
         pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.view(np.int64)))],
        names=[ORD, "keys"],
    ), sizes


@pytest.mark.parametrize("parts", [1, 3, 8])
def test_band_key_parts_give_the_local_candidate_pairs(parts: int) -> None:
    from neardup.spark.udfs import band_pairs_batches, key_parts_function

    rng = np.random.default_rng(parts)
    n, bands = 600, 8
    keys = rng.integers(0, 2**63, size=(n, bands), dtype=np.uint64)
    for _ in range(150):  # near-duplicates: a copy shares some bands with its source
        i, j = rng.integers(0, n, size=2)
        shared = rng.random(bands) < 0.4
        keys[j, shared] = keys[i, shared]
    keys[100 : 100 + MAX_GROUP + 9, 3] = keys[99, 3]  # a group larger than MAX_GROUP: a star
    # one key value in two bands, its documents interleaved: two groups, not one
    keys[[400, 402, 404, 406], 1] = keys[300, 5]
    keys[[401, 403, 405], 5] = keys[300, 5]
    ords = np.sort(rng.choice(2**40, size=n, replace=False)).astype(np.int64)
    batches, sizes = [], np.empty(0, dtype=np.int32)
    for lo in range(0, n, 128):  # several batches, as a partition gives them
        batch, batch_sizes = _keys_batch(ords[lo : lo + 128], keys[lo : lo + 128])
        batches.append(batch)
        sizes = np.concatenate([sizes, batch_sizes])
    rows = [row for out in key_parts_function(parts)(iter(batches)) for row in
            out.to_pylist()]
    by_part: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        by_part.setdefault(int(row["part"]), []).append(row)  # type: ignore[call-overload]
    found: set[tuple[int, int]] = set()
    for part_rows in by_part.values():
        table = pa.RecordBatch.from_pylist(part_rows)
        for out in band_pairs_batches(iter([table])):
            found |= set(zip(out.column("a").to_pylist(), out.column("b").to_pylist(),
                             strict=True))
    kept = sizes > 0
    index = np.flatnonzero(kept)
    local = candidate_pairs(keys[kept])
    want = {(int(ords[index[i]]), int(ords[index[j]])) for i, j in local.tolist()}
    assert found == want
    assert len(want) > 100  # the copies and the star (its centre paired with each member)


def test_batch_verification_gives_the_floats_of_overlap() -> None:
    from neardup.spark.udfs import similarity_function

    rng = np.random.default_rng(3)
    sets = [np.unique(rng.integers(0, 400, size=k).astype(np.uint32)) for k in
            (0, 1, 5, 50, 200, 300, 300)]
    pairs = [(i, j) for i in range(len(sets)) for j in range(len(sets))]

    def column(items: list[np.ndarray]) -> object:
        offsets = np.concatenate(([0], np.cumsum([s.size for s in items]))).astype(np.int32)
        values = np.concatenate(items).view(np.int32)
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))

    empty = [np.empty(0, dtype=np.uint32)] * len(pairs)
    batch = pa.RecordBatch.from_arrays(
        [pa.array([i for i, _ in pairs], pa.int64()), pa.array([j for _, j in pairs], pa.int64()),
         column([sets[i] for i, _ in pairs]), column([sets[j] for _, j in pairs]),
         column(empty), column(empty)],
        names=["a", "b", "sa", "sb", "fa", "fb"],
    )
    out = next(similarity_function(False)(iter([batch]))).to_pylist()
    for row, (i, j) in zip(out, pairs, strict=True):
        want = overlap(sets[i], sets[j])
        assert (row["jaccard"], row["a_in_b"], row["b_in_a"]) == tuple(want)
        assert row["containment"] == want.containment == row["free_containment"]


AWKWARD_LINES = [
    '{"id": "a", "text": "今天天气很好，我们一起去公园散步。"}',
    "",
    "   ",
    '{"id": "broken", "text": ',
    '[{"id": "in-array", "text": "数组"}]',
    '{"text": "没有编号的记录，名字在后面补上。"}',
    '{"id": 7, "text": "编号是数字"}',
    '{"id": "null", "text": null}',
    '{"id": "no-text", "body": "正文"}',
    '{"id": "blank", "text": " \\u3000 "}',
    '{"id": "sur", "text": "孤立的代理项\\ud800在这里"}',
    '{"id": "esc\\"aped", "text": "转义的\\n换行和\\"引号\\""}',
    '{"id": "crlf", "text": "回车换行结尾的行"}\r',
    '{"id": "punct", "text": "。，、！？"}',
]


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_lines_hash_as_the_texts_they_hold(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows :func:`line_hash_function` makes of JSON lines (sliced out of a larger
    Arrow column, with either kernel) equal those :func:`hash_function` makes of the
    documents the local parser reads from the same lines, and each line without a
    document has the local reason; the ids of records without one are left null."""
    from neardup.io.documents import parse_jsonl_line
    from neardup.parameters import Parameters
    from neardup.report import Skipped
    from neardup.spark.inputs import ID, ORD, TEXT
    from neardup.spark.lines import LINE, line_hash_function
    from neardup.spark.udfs import hash_function

    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    params = Parameters(containment=0.3, rewrite=0.5)
    fields = ("id", "text", "title")
    raw = [line.encode() for line in AWKWARD_LINES]
    column = pa.array([b"padding", *raw, b"more"], pa.binary()).slice(1, len(raw))
    ords = pa.array(np.arange(100, 100 + len(raw)), pa.int64())
    batch = pa.RecordBatch.from_arrays([ords, column], names=[ORD, LINE])
    got = pa.Table.from_batches(list(line_hash_function(params, fields)(iter([batch]))))
    parsed = [parse_jsonl_line(r + b"\n", "NAME", "NAME", *fields) for r in raw]
    docs = [(k, p) for k, p in enumerate(parsed) if not isinstance(p, Skipped)]
    texts = pa.RecordBatch.from_arrays(
        [pa.array([100 + k for k, _ in docs], pa.int64()),
         pa.array([p.id for _, p in docs]), pa.array([p.text for _, p in docs])],
        names=[ORD, ID, TEXT],
    )
    want = pa.Table.from_batches(list(hash_function(params)(iter([texts])))).to_pylist()
    rows = got.to_pylist()
    assert [r[ORD] for r in rows] == list(range(100, 100 + len(raw)))
    for k, p in enumerate(parsed):
        if isinstance(p, Skipped):
            assert rows[k]["skip"] == p.reason and rows[k]["keys"] == []
            assert rows[k][ID] is None
    for (k, p), expected in zip(docs, want, strict=True):
        assert rows[k] | {ID: p.id} == expected  # the unnamed record's id is filled later
        assert rows[k][ID] == (None if p.id == "NAME" else p.id)
    assert {r["skip"] for r in rows} >= {"blank line", "empty document",
                                         "empty after normalization"}


def test_line_bytes_of_a_sliced_column() -> None:
    """The bytes and bounds of a slice of a binary column (large or not)."""
    from neardup.spark.lines import line_bytes

    for kind in (pa.binary(), pa.large_binary()):
        column = pa.array([b"ab", b"", b"cde", b"f"], kind).slice(1, 2)
        data, bounds = line_bytes(column)
        assert data == b"cde" and bounds.tolist() == [0, 0, 3]
    data, bounds = line_bytes(pa.array([b"", b""], pa.binary()))
    assert data == b"" and bounds.tolist() == [0, 0, 0]
