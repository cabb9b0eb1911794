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
