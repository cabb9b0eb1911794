"""pytest-benchmark: the hot paths of the pipeline, stage by stage, on real text.

normalization → shingling → signatures → band keys → candidate grouping → verification.
Run as benchmarks with::

    PYTHONPATH=src python -m pytest benchmarks/bench_pipeline.py --benchmark-enable \
        --benchmark-columns=min,mean,stddev,rounds

With the default ``--benchmark-disable`` (CI) each runs once on a few documents.
``NEARDUP_BENCH_DOCS`` sets the number of documents when enabled (default 1000) and
``NEARDUP_BENCH_CORPUS`` the corpus (``news``, default, or ``laws``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from common import kernel, real_texts

from neardup import choose_bands
from neardup.core.lsh import band_keys, candidate_pairs
from neardup.core.minhash import minhash_codepoints
from neardup.core.normalize import codepoints, normalize_codepoints, normalize_many
from neardup.core.shingles import ngram_hashes
from neardup.core.similarity import overlap

DISABLED_DOCS = 40
ENABLED_DOCS = int(os.environ.get("NEARDUP_BENCH_DOCS", "1000"))
CORPUS = os.environ.get("NEARDUP_BENCH_CORPUS", "news")
BANDING = choose_bands(0.7, 128)

U32 = npt.NDArray[np.uint32]


class Data:
    """Every stage's input, computed once per document count."""

    def __init__(self, count: int) -> None:
        raw, self.label = real_texts(count, CORPUS)
        # Plant a near-copy of every tenth document (its middle character dropped) so that the
        # band keys have real groups and verification real candidates.
        self.planted = [(i, len(raw) + k) for k, i in enumerate(range(0, len(raw), 10))]
        self.raw = raw + [
            raw[i][: len(raw[i]) // 2] + raw[i][len(raw[i]) // 2 + 1 :] for i, _ in self.planted
        ]
        self.cps: list[U32] = [normalize_codepoints(t)[0] for t in self.raw]
        self.sigs = minhash_codepoints(self.cps, 5, 128, 1)
        self.keys = band_keys(self.sigs, BANDING)
        self.candidates = candidate_pairs(self.keys)
        self.sets = [np.unique(ngram_hashes(c, 5)) for c in self.cps]


@lru_cache(maxsize=2)
def _data(count: int) -> Data:
    return Data(count)


@pytest.fixture
def data(benchmark: Any) -> Data:
    count = DISABLED_DOCS if benchmark.disabled else ENABLED_DOCS
    found = _data(count)
    benchmark.group = f"pipeline stages: {len(found.raw)} {found.label} docs"
    benchmark.extra_info.update(docs=len(found.raw), corpus=found.label)
    return found


def test_normalize_codepoints(benchmark: Any, data: Data) -> None:
    def run() -> int:
        return sum(normalize_codepoints(t)[0].size for t in data.raw)

    chars = benchmark(run)
    assert chars == sum(c.size for c in data.cps)


def test_normalize_many(benchmark: Any, data: Data) -> None:
    """The batch normalization the pipeline's hashing stage uses (one table lookup per batch)."""
    flat, lengths = benchmark(normalize_many, data.raw)
    assert lengths.tolist() == [c.size for c in data.cps]
    assert np.array_equal(flat, np.concatenate(data.cps))


def test_shingle_ngram_hashes(benchmark: Any, data: Data) -> None:
    def run() -> list[U32]:
        return [ngram_hashes(c, 5) for c in data.cps]

    hashes = benchmark(run)
    assert sum(h.size for h in hashes) == sum(max(c.size - 4, 1) for c in data.cps if c.size)


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_signatures(benchmark: Any, data: Data, name: str) -> None:
    with kernel(name):
        minhash_codepoints(data.cps[:2], 5, 128, 1)  # warm-up (numba's cached compilation)
        sigs = benchmark(minhash_codepoints, data.cps, 5, 128, 1)
    assert np.array_equal(sigs, data.sigs)


def test_band_keys(benchmark: Any, data: Data) -> None:
    keys = benchmark(band_keys, data.sigs, BANDING)
    assert keys.shape == (len(data.raw), BANDING.bands)
    assert keys.dtype == np.uint64


def test_candidate_pairs(benchmark: Any, data: Data) -> None:
    pairs = benchmark(candidate_pairs, data.keys)
    found = {(i, j) for i, j in pairs.tolist()}
    # A copy of a text of 200+ characters has Jaccard > 0.95: a candidate with P > 0.9999.
    assert {p for p in data.planted if data.cps[p[0]].size >= 200} <= found


def test_overlap(benchmark: Any, data: Data) -> None:
    def run() -> list[tuple[float, float]]:
        return [overlap(data.sets[i], data.sets[j]) for i, j in data.candidates]

    scores = benchmark(run)
    assert len(scores) == data.candidates.shape[0]
    assert all(0.0 <= s.jaccard <= s.containment <= 1.0 for s in scores)


def test_codepoints_roundtrip_cost(benchmark: Any, data: Data) -> None:
    """The floor under normalization: only encoding texts to code point arrays."""
    total = benchmark(lambda: sum(codepoints(t).size for t in data.raw))
    assert total == sum(len(t) for t in data.raw)
