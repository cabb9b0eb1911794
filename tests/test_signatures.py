"""Shingle hashes and MinHash signatures against independent oracles (mmh3, datasketch)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mmh3
import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import char_shingles, word_shingles

import neardup
from neardup import (
    ParameterError,
    normalize_text,
    shingle_hash,
    shingle_hashes,
    signatures,
)
from neardup.core import minhash
from neardup.core.minhash import minhash_codepoints, minhash_hashes, permutations
from neardup.core.normalize import codepoints
from neardup.core.shingles import char_shingle_sets, ngram_hashes, shingle_set, word_ngram_hashes

TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(codec="utf-8"),
        st.sampled_from(list("的的的了了，。 ab😀🀄")),
    ),
    max_size=60,
)
UNCHANGED = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(list("abcxyz0123456789")),
    ),
    max_size=60,
)


@contextmanager
def kernel(name: str) -> Iterator[None]:
    """Force a MinHash kernel for the duration of a block (safe inside hypothesis tests)."""
    old = os.environ.get("NEARDUP_KERNEL")
    os.environ["NEARDUP_KERNEL"] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ["NEARDUP_KERNEL"]
        else:
            os.environ["NEARDUP_KERNEL"] = old


def datasketch_signature(text: str, ngram: int, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
    for shingle in char_shingles(text, ngram):
        m.update(shingle)
    return m.hashvalues


@given(st.text(max_size=12))
def test_shingle_hash_is_murmur3_of_utf32(shingle: str) -> None:
    data = shingle.encode("utf-32-le", "surrogatepass")
    assert shingle_hash(shingle) == mmh3.hash(data, 0, signed=False)


@given(TEXTS, st.integers(1, 7))
def test_vectorized_hashes_equal_scalar_reference(text: str, ngram: int) -> None:
    expected = [shingle_hash(s) for s in char_shingles(text, ngram)]
    assert ngram_hashes(codepoints(text), ngram).tolist() == expected


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert ngram_hashes(codepoints("中文"), 5).tolist() == [shingle_hash("中文")]
    assert ngram_hashes(codepoints(""), 5).size == 0
    with pytest.raises(ParameterError, match="ngram must be >= 1"):
        ngram_hashes(codepoints("abc"), 0)


def test_word_shingles_hash_like_the_reference() -> None:
    text = normalize_text("我们今天去北京天安门看升旗仪式，然后回家吃饭。")
    for n in (1, 2, 3, 50):
        expected = [shingle_hash(s) for s in word_shingles(text, n)]
        assert word_ngram_hashes(text, n).tolist() == expected


def test_permutations_are_datasketchs() -> None:
    for num_perm, seed in [(128, 1), (64, 7), (1, 0)]:
        a, b = permutations(num_perm, seed)
        ref = MinHash(num_perm=num_perm, seed=seed).permutations
        assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


@pytest.mark.parametrize("kernel_to_use", ["numpy", "numba"])
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=6),
    ngram=st.sampled_from([1, 2, 5]),
    params=st.sampled_from([(128, 1), (64, 42), (16, 2**31 + 5), (256, 0)]),
)
def test_signatures_equal_datasketch_bit_for_bit(
    kernel_to_use: str, texts: list[str], ngram: int, params: tuple[int, int]
) -> None:
    num_perm, seed = params
    normalized = [normalize_text(t) for t in texts]
    with kernel(kernel_to_use):
        batch = signatures(texts, num_perm, seed, ngram=ngram)
        singles = [signatures([t], num_perm, seed, ngram=ngram)[0] for t in texts]
    assert batch.dtype == np.uint32 and batch.shape == (len(texts), num_perm)
    for i, text in enumerate(normalized):
        expected = datasketch_signature(text, ngram, num_perm, seed)
        assert np.array_equal(batch[i], expected)
        assert np.array_equal(singles[i], batch[i])  # batch and scalar paths agree


@given(UNCHANGED)
def test_normalization_leaves_plain_text_signatures_unchanged(text: str) -> None:
    assert normalize_text(text) == text
    assert np.array_equal(signatures([text], 64, 3), signatures([text], 64, 3, normalize=False))


@given(st.lists(TEXTS, min_size=1, max_size=8), st.sampled_from([1, 3, 5]))
def test_numpy_and_numba_kernels_agree(texts: list[str], ngram: int) -> None:
    cps = [codepoints(normalize_text(t)) for t in texts]
    hashes = [ngram_hashes(c, ngram) for c in cps]
    with kernel("numpy"):
        by_numpy = minhash_codepoints(cps, ngram, 128, 1)
        hashes_numpy = minhash_hashes(hashes, 128, 1)
    with kernel("numba"):
        assert np.array_equal(by_numpy, minhash_codepoints(cps, ngram, 128, 1))
        assert np.array_equal(hashes_numpy, minhash_hashes(hashes, 128, 1))
    assert np.array_equal(by_numpy, hashes_numpy)


def test_large_batch_crosses_block_boundaries() -> None:
    rng = np.random.default_rng(0)
    sizes = rng.integers(0, 3000, 120)
    docs = [rng.integers(0x4E00, 0x4E80, size=int(n)).astype(np.uint32) for n in sizes]
    with kernel("numpy"):
        by_numpy = minhash_codepoints(docs, 5, 32, 9)
    with kernel("numba"):
        assert np.array_equal(by_numpy, minhash_codepoints(docs, 5, 32, 9))


@pytest.mark.parametrize("ngram", [1, 2, 5])
def test_documents_longer_than_a_block_are_hashed_in_pieces(
    ngram: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A block of 64 shingles makes every size class cheap: shorter than n, shorter than a
    # block, exactly a block, a block plus one, many blocks.
    monkeypatch.setattr(minhash, "BLOCK", 64)
    rng = np.random.default_rng(ngram)
    sizes = [0, 1, 3, 63 + ngram, 64 + ngram, 65 + ngram, 640, 1000, 7, 64, 129 + ngram]
    docs = [rng.integers(0x4E00, 0x4E40, size=n).astype(np.uint32) for n in sizes]
    hashes = [ngram_hashes(d, ngram) for d in docs]
    with kernel("numpy"):
        by_numpy = minhash_codepoints(docs, ngram, 32, 9)
        assert np.array_equal(by_numpy, minhash_hashes(hashes, 32, 9))
    with kernel("numba"):
        assert np.array_equal(by_numpy, minhash_codepoints(docs, ngram, 32, 9))


def test_empty_document_gets_datasketchs_empty_signature() -> None:
    sig = signatures(["", "，。"], 16, 1)
    assert np.array_equal(sig[0], MinHash(num_perm=16, seed=1, hashfunc=shingle_hash).hashvalues)
    assert np.array_equal(sig[1], sig[0])


def test_signature_can_be_handed_to_datasketch_unchanged() -> None:
    text = normalize_text(
        "二是加强党纪党规教育。局党委狠抓思想作风建设，贯彻落实中央八项规定精神。"
    )
    sig = signatures([text], 128, 1)[0]
    lean = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
    other = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
    other.update_batch(char_shingles(text, 5))
    assert lean.jaccard(other) == 1.0


def test_neardup_runs_without_datasketch_and_jieba() -> None:
    """datasketch and jieba are oracles of the tests, not dependencies: signing (of
    characters and of words) and finding duplicates, with synonym folding too, work in an
    interpreter where they cannot be imported."""
    code = (
        "import sys\n"
        "sys.modules['datasketch'] = sys.modules['jieba'] = None  # now ImportError\n"
        "import neardup\n"
        "texts = ['中文文本测试的一段话' * 5, '中文文本测试的一段话' * 5 + '了']\n"
        "neardup.signatures(texts, 16, 1)\n"
        "neardup.signatures(texts, 16, 1, ngram=2, unit='word')\n"
        "assert len(neardup.find_duplicates(texts).pairs) == 1\n"
        "assert len(neardup.find_duplicates(texts, unit='word', synonyms=True).pairs) == 1\n"
    )
    src = str(Path(neardup.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src, "NEARDUP_NO_PROGRESS": "1"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)


def test_hash_arrays_and_bad_items() -> None:
    hashes = shingle_hashes("中文文本测试", 3)
    m = MinHash(num_perm=32, seed=5, hashfunc=lambda h: h)
    m.update_batch(hashes.tolist())
    assert np.array_equal(signatures([hashes], 32, 5)[0], m.hashvalues)
    with pytest.raises(ValueError, match="item 0"):
        signatures([["a", "b"]], 32, 5)  # type: ignore[list-item]


def test_kernel_env_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEARDUP_KERNEL", "gpu")
    with pytest.raises(ParameterError, match="NEARDUP_KERNEL"):
        signatures(["abc"], 8, 1)


@settings(deadline=None)
@given(st.lists(TEXTS, max_size=6), st.integers(1, 6))
def test_shingle_sets_are_the_same_with_either_kernel(texts: list[str], ngram: int) -> None:
    cps = [codepoints(normalize_text(t)) for t in texts]
    with kernel("numba"):
        fast = char_shingle_sets(cps, ngram)
    with kernel("numpy"):
        slow = char_shingle_sets(cps, ngram)
    assert [s.tolist() for s in fast] == [s.tolist() for s in slow]
    assert [s.tolist() for s in fast] == [shingle_set(normalize_text(t), ngram).tolist()
                                          for t in texts]
