"""MinHash signatures, bit-identical to ``datasketch.MinHash(scheme="affine32")``.

For a document with shingle hashes ``h_1..h_m`` (uint32, see :mod:`neardup.shingle`) and
permutation ``k`` with parameters ``a_k`` (odd) and ``b_k``::

    sig[k] = min_i ( a_k * fmix32(h_i) + b_k )   mod 2^32, all uint32

``a`` and ``b`` are drawn exactly as datasketch 2.0 draws them for ``seed``::

    gen = np.random.RandomState(seed)
    a = gen.randint(0, 2**31, num_perm, dtype=np.uint32) * 2 + 1
    b = gen.randint(0, 2**32, num_perm, dtype=np.uint32)

so ``datasketch.MinHash(num_perm, seed, hashfunc=neardup.shingle_hash)`` updated with the same
shingles has the same ``hashvalues``. Repeated shingles do not change a minimum, so no
per-document set is needed here.

Two kernels compute it:

* ``numpy``: documents are grouped into blocks of about :data:`BLOCK` shingles (so the block's
  arrays stay in cache); per block the shingle hashes are computed as whole-array operations,
  then for each permutation one multiply-add over the block and one ``minimum.reduceat`` at
  the document boundaries.
* ``numba`` (extra ``neardup[fast]``): one compiled loop fuses shingle hash, fmix,
  permutation and minimum per shingle (``cache=True``).

The default is numba when it is installed; ``NEARDUP_KERNEL=numpy|numba`` forces one.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .errors import MissingDependencyError, ParameterError
from .shingle import _block_step, block_keys, fmix32, span_hashes

U32 = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFFFFFF)
BLOCK = 1 << 16
KERNELS = ("numpy", "numba")


def check_num_perm(num_perm: int) -> None:
    """Raise :class:`ParameterError` unless 1 <= num_perm <= 2**16."""
    if not 1 <= num_perm <= 1 << 16:
        raise ParameterError(f"num_perm must be between 1 and 65536 (got {num_perm})")


@lru_cache(maxsize=32)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """The affine permutation parameters ``(a, b)`` datasketch draws for ``seed``."""
    check_num_perm(num_perm)
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def kernel_name() -> str:
    """The kernel in use: ``NEARDUP_KERNEL`` if set, else numba when importable, else numpy."""
    forced = os.environ.get("NEARDUP_KERNEL", "").strip().lower()
    if forced and forced not in KERNELS:
        raise ParameterError(f"NEARDUP_KERNEL must be one of {KERNELS} (got {forced!r})")
    if forced == "numpy":
        return "numpy"
    try:
        from . import _numba_kernel  # noqa: F401
    except ImportError as exc:
        if forced == "numba":
            raise MissingDependencyError(
                f"NEARDUP_KERNEL=numba but numba cannot be imported ({exc}): "
                "pip install 'neardup[fast]'"
            ) from exc
        return "numpy"
    return "numba"


def warm_up() -> None:
    """Load (and if needed compile) the kernel now, e.g. before forking worker processes, so
    that each worker does not load it again."""
    if kernel_name() == "numba":
        minhash_codepoints([np.arange(8, dtype=np.uint32)], 5, 1, 1)


def _offsets(lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    starts = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts


def minhash_codepoints(docs: Sequence[U32], ngram: int, num_perm: int = 128, seed: int = 1) -> U32:
    """Signatures (n_docs, num_perm) of character n-gram shingles of code point arrays.

    An empty document gets the empty signature (all 0xFFFFFFFF), as in datasketch.
    """
    lengths = np.fromiter((d.size for d in docs), dtype=np.int64, count=len(docs))
    flat = np.concatenate(docs) if docs else np.empty(0, dtype=np.uint32)
    return minhash_flat(flat.astype(np.uint32, copy=False), lengths, ngram, num_perm, seed)


def minhash_flat(
    flat: U32, lengths: npt.NDArray[np.int64], ngram: int, num_perm: int = 128, seed: int = 1
) -> U32:
    """:func:`minhash_codepoints` of documents given concatenated, with their lengths."""
    if ngram < 1:
        raise ParameterError(f"ngram must be >= 1 (got {ngram})")
    a, b = permutations(num_perm, seed)
    out = np.empty((lengths.size, num_perm), dtype=np.uint32)
    if not lengths.size:
        return out
    if kernel_name() == "numba":
        from ._numba_kernel import minhash_ngrams

        minhash_ngrams(flat, _offsets(lengths), ngram, a, b, out)
        return out
    docs = np.split(flat, np.cumsum(lengths)[:-1])
    counts = np.where(lengths >= ngram, lengths - ngram + 1, np.minimum(lengths, 1))
    for lo, hi in _blocks(counts):
        out[lo:hi] = _numpy_block(docs[lo:hi], lengths[lo:hi], counts[lo:hi], ngram, a, b)
    return out


def minhash_hashes(hash_arrays: Sequence[U32], num_perm: int = 128, seed: int = 1) -> U32:
    """Signatures (n_docs, num_perm) of documents given as arrays of shingle hashes."""
    a, b = permutations(num_perm, seed)
    out = np.empty((len(hash_arrays), num_perm), dtype=np.uint32)
    if not hash_arrays:
        return out
    counts = np.fromiter((h.size for h in hash_arrays), dtype=np.int64, count=len(hash_arrays))
    if kernel_name() == "numba":
        from ._numba_kernel import minhash_hashed

        flat = np.concatenate(hash_arrays).astype(np.uint32, copy=False)
        minhash_hashed(flat, _offsets(counts), a, b, out)
        return out
    for lo, hi in _blocks(counts):
        block = [np.asarray(h, dtype=np.uint32) for h in hash_arrays[lo:hi]]
        out[lo:hi] = _permute_min(np.concatenate(block), counts[lo:hi], a, b)
    return out


def _blocks(counts: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Consecutive document ranges holding about BLOCK shingles each (at least one document)."""
    bounds = [0]
    ends = np.cumsum(counts)
    while bounds[-1] < counts.size:
        lo = bounds[-1]
        base = ends[lo - 1] if lo else 0
        hi = int(np.searchsorted(ends, base + BLOCK, side="right"))
        bounds.append(max(hi, lo + 1))
    return list(itertools.pairwise(bounds))


def _numpy_block(
    docs: Sequence[U32],
    lengths: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    ngram: int,
    a: U32,
    b: U32,
) -> U32:
    """Shingle hashes of a block of documents in whole-array steps, then :func:`_permute_min`."""
    flat = np.concatenate(docs).astype(np.uint32, copy=False)
    starts = _offsets(lengths)[:-1]
    if (lengths >= ngram).all():
        keys = block_keys(flat)
        span = flat.size - ngram + 1
        h = np.zeros(max(span, 0), dtype=np.uint32)
        for i in range(ngram):
            h = _block_step(h, keys[i : i + span])
        h = fmix32(h ^ np.uint32(4 * ngram))
        positions = np.repeat(starts - np.cumsum(np.concatenate(([0], counts[:-1]))), counts)
        hashes = h[np.arange(counts.sum()) + positions]
    else:
        span_len = np.minimum(lengths, ngram)
        span_starts = np.repeat(starts, counts) + _within(counts)
        hashes = span_hashes(flat, span_starts, np.repeat(span_len, counts))
    return _permute_min(hashes, counts, a, b)


def _within(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0, 1, ..., c-1 for each count c, concatenated."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(_offsets(counts)[:-1], counts)


def _permute_min(hashes: U32, counts: npt.NDArray[np.int64], a: U32, b: U32) -> U32:
    """Per-document minimum of ``a_k * fmix32(h) + b_k`` for every permutation k."""
    out = np.full((counts.size, a.size), EMPTY, dtype=np.uint32)
    nonempty = np.flatnonzero(counts)
    if not nonempty.size:
        return out
    mixed = fmix32(hashes)
    starts = _offsets(counts)[:-1][nonempty]
    buf = np.empty_like(mixed)
    for k in range(a.size):
        np.multiply(mixed, a[k], out=buf)
        np.add(buf, b[k], out=buf)
        out[nonempty, k] = np.minimum.reduceat(buf, starts)
    return out
