"""pytest-benchmark: the signature loop of neardup beside datasketch and rensa.

Every contender takes the same list of normalized texts and makes the character 5-gram
shingles and 128-permutation signatures itself. Run as benchmarks with::

    PYTHONPATH=src python -m pytest benchmarks/bench_signatures.py --benchmark-enable \
        --benchmark-group-by=group --benchmark-columns=min,mean,stddev,rounds

With the default ``--benchmark-disable`` (CI) each function runs once on a few documents.
``NEARDUP_BENCH_DOCS`` sets the number of documents when enabled (default 1000) and
``NEARDUP_BENCH_CORPUS`` the corpus (``news``, default, or ``laws``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from common import (
    kernel,
    normalized,
    real_texts,
    signatures_datasketch,
    signatures_neardup,
    signatures_rensa,
    signatures_rensa_matrix,
)

DISABLED_DOCS = 40
ENABLED_DOCS = int(os.environ.get("NEARDUP_BENCH_DOCS", "1000"))
CORPUS = os.environ.get("NEARDUP_BENCH_CORPUS", "news")


@lru_cache(maxsize=4)
def _texts(count: int) -> tuple[tuple[str, ...], str]:
    raw, label = real_texts(count, CORPUS)
    return tuple(normalized(raw)), label


@pytest.fixture
def texts(benchmark: Any) -> list[str]:
    """Normalized real texts: a few when benchmarks are disabled, else NEARDUP_BENCH_DOCS."""
    count = DISABLED_DOCS if benchmark.disabled else ENABLED_DOCS
    found, label = _texts(count)
    benchmark.group = f"signatures: {count} {label} docs, char 5-grams, 128 perm"
    benchmark.extra_info.update(
        docs=count, corpus=label, chars=sum(map(len, found)), num_perm=128, ngram=5
    )
    return list(found)


def _neardup(name: str) -> Callable[[list[str]], Any]:
    def run(texts: list[str]) -> Any:
        with kernel(name):
            return signatures_neardup(texts)

    return run


CONTENDERS: dict[str, Callable[[list[str]], Any]] = {
    "neardup-numpy": _neardup("numpy"),
    "neardup-numba": _neardup("numba"),
    "rensa-RMinHash": signatures_rensa,
    "rensa-digest_matrix": signatures_rensa_matrix,
    "datasketch-bulk": signatures_datasketch,
}


@pytest.mark.parametrize("name", list(CONTENDERS))
def test_signature_loop(benchmark: Any, texts: list[str], name: str) -> None:
    run = CONTENDERS[name]
    benchmark.extra_info["library"] = name
    if name.startswith("neardup"):
        run(texts)  # warm-up outside the timing (numba loads its cached compilation)
    result = benchmark(run, texts)
    rows = result.len() if hasattr(result, "len") else len(result)  # rensa's matrix has .len()
    assert rows == len(texts)


def test_kernels_identical(benchmark: Any, texts: list[str]) -> None:
    """neardup's numpy and numba kernels give bit-identical signatures on the same texts."""
    benchmark.group = "checks"
    numpy_sigs = CONTENDERS["neardup-numpy"](texts)
    numba_sigs = benchmark.pedantic(CONTENDERS["neardup-numba"], args=(texts,), rounds=1)
    assert numpy_sigs.shape == (len(texts), 128)
    assert np.array_equal(numpy_sigs, numba_sigs)


def test_rensa_paths_agree(benchmark: Any, texts: list[str]) -> None:
    """rensa's two paths give the same digests (so timing either is timing RMinHash)."""
    benchmark.group = "checks"
    per_doc = signatures_rensa(texts)
    matrix = benchmark.pedantic(signatures_rensa_matrix, args=(texts,), rounds=1).to_rows()
    assert [list(r) for r in matrix] == [list(d) for d in per_doc]
