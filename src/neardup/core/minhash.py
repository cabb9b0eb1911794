"""MinHash signatures, bit-identical to ``datasketch.MinHash(scheme="affine32")``.

For a document with shingle hashes ``h_1..h_m`` (uint32, see :mod:`neardup.core.shingles`) and
permutation ``k`` with parameters ``a_k`` (odd) and ``b_k``::

    sig[k] = min_i ( a_k * fmix32(h_i) + b_k )   mod 2^32, all uint32

``a`` and ``b`` are drawn exactly as datasketch 2.0 draws them for ``seed``::

    gen = np.random.RandomState(seed)
    a = gen.randint(0, 2**31, num_perm, dtype=np.uint32) * 2 + 1
    b = gen.randint(0, 2**32, num_perm, dtype=np.uint32)

so ``datasketch.MinHash(num_perm, seed, hashfunc=neardup.shingle_hash)`` updated with the same
shingles has the same ``hashvalues``. Repeated shingles do not change a minimum, so no
per-document set is needed here.

Two kernels compute it (chosen by :mod:`neardup.core.kernels`; both give the same
signatures):

* ``numpy``: documents are grouped into blocks of about :data:`BLOCK` shingles (so the block's
  arrays stay in cache); per block the shingle hashes are computed as whole-array operations,
  then for each permutation one in-place multiply-add over the block (stepping from the
  previous permutation, see :func:`chain_steps`) and one ``minimum.reduceat`` at the
  document starts. Its time counts towards loading numba
  (:data:`neardup.core.kernels.NUMBA_LOAD_SECONDS`).
* ``numba`` (extra ``neardup[fast]``, :mod:`neardup.core.minhash_numba`): one compiled loop
  fuses shingle hash, fmix, permutation and minimum per shingle (``cache=True``).
  :func:`warm_up` loads it at once, before forking workers for a large job.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .._types import U32
from ..errors import ParameterError
from . import kernels
from .arrays import starts_of, within
from .shingles import fmix32, span_hashes

EMPTY = np.uint32(0xFFFFFFFF)
BLOCK = 1 << 17
"""Shingles per block of the numpy kernel: its one buffer (512 KiB) stays in a core's L2."""


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


@lru_cache(maxsize=32)
def chain_steps(num_perm: int, seed: int) -> tuple[U32, U32]:
    """``(r, s)`` such that permutation k follows from permutation k - 1 by ``y -> r_k*y + s_k``
    (mod 2^32), and permutation 0 from the mixed hash itself (``r_0 = a_0``, ``s_0 = b_0``).

    ``a_k`` is odd, so it has an inverse mod 2^32 and ``r_k = a_k / a_(k-1)``,
    ``s_k = b_k - r_k * b_(k-1)``: the numpy kernel then updates one buffer in place from
    permutation to permutation, which is faster than computing each from the mixed hashes.
    """
    a, b = (x.tolist() for x in permutations(num_perm, seed))
    mask = (1 << 32) - 1
    r, s = [a[0]], [b[0]]
    for k in range(1, num_perm):
        r.append(a[k] * pow(a[k - 1], -1, 1 << 32) & mask)
        s.append((b[k] - r[k] * b[k - 1]) & mask)
    steps = np.array(r, dtype=np.uint32), np.array(s, dtype=np.uint32)
    for x in steps:
        x.flags.writeable = False
    return steps


def warm_up() -> None:
    """Load (and if needed compile) the numba kernel now when it is installed (and not
    ruled out by ``NEARDUP_KERNEL``), e.g. before forking worker processes for a large job,
    so that each worker does not load it again."""
    if kernels.load_numba():
        minhash_codepoints([np.arange(8, dtype=np.uint32)], 5, 1, 1)


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
    flat = np.asarray(flat).astype(np.uint32, copy=False)
    if ngram < 1:
        raise ParameterError(f"ngram must be >= 1 (got {ngram})")
    a, b = permutations(num_perm, seed)
    out = np.empty((lengths.size, num_perm), dtype=np.uint32)
    if not lengths.size:
        return out
    compiled = kernels.minhash()
    if compiled is not None:
        compiled.minhash_ngrams(flat, starts_of(lengths), ngram, a, b, out)
        return out
    started = time.perf_counter()
    r, s = chain_steps(num_perm, seed)
    starts = starts_of(lengths)
    counts = np.where(lengths >= ngram, lengths - ngram + 1, np.minimum(lengths, 1))
    for lo, hi in _blocks(counts):
        block = flat[starts[lo] : starts[hi]]
        if counts[lo] > BLOCK:  # a long document is a block of its own
            out[lo] = _long_document(block, ngram, r, s)
        else:
            out[lo:hi] = _numpy_block(block, lengths[lo:hi], counts[lo:hi], ngram, r, s)
    kernels.add_numpy_seconds(time.perf_counter() - started)
    return out


def _long_document(cps: U32, ngram: int, r: U32, s: U32) -> U32:
    """The signature of one document of more than BLOCK shingles: the minimum over pieces of
    BLOCK shingles each (overlapping by ``ngram - 1`` code points), so each piece's arrays stay
    in cache."""
    signature = np.full(r.size, EMPTY, dtype=np.uint32)
    for lo in range(0, cps.size - ngram + 1, BLOCK):
        piece = cps[lo : lo + BLOCK + ngram - 1]
        length = np.array([piece.size], dtype=np.int64)
        count = np.array([piece.size - ngram + 1], dtype=np.int64)
        np.minimum(signature, _numpy_block(piece, length, count, ngram, r, s)[0], out=signature)
    return signature


def minhash_hashes(hash_arrays: Sequence[U32], num_perm: int = 128, seed: int = 1) -> U32:
    """Signatures (n_docs, num_perm) of documents given as arrays of shingle hashes."""
    a, b = permutations(num_perm, seed)
    out = np.empty((len(hash_arrays), num_perm), dtype=np.uint32)
    if not hash_arrays:
        return out
    counts = np.fromiter((h.size for h in hash_arrays), dtype=np.int64, count=len(hash_arrays))
    compiled = kernels.minhash()
    if compiled is not None:
        flat = np.concatenate(hash_arrays).astype(np.uint32, copy=False)
        compiled.minhash_hashed(flat, starts_of(counts), a, b, out)
        return out
    started = time.perf_counter()
    r, s = chain_steps(num_perm, seed)
    for lo, hi in _blocks(counts):
        block = [np.asarray(h, dtype=np.uint32) for h in hash_arrays[lo:hi]]
        out[lo:hi] = _permute_min(np.concatenate(block), counts[lo:hi], r, s)
    kernels.add_numpy_seconds(time.perf_counter() - started)
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
    flat: U32,
    lengths: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    ngram: int,
    r: U32,
    s: U32,
) -> U32:
    """Shingle hashes of a block of documents (concatenated in ``flat``) in whole-array
    steps, then the per-permutation minima."""
    starts = starts_of(lengths)[:-1]
    if (lengths >= ngram).all():
        return _permute_min_windows(_mixed_windows(flat, ngram), starts, lengths, ngram, r, s)
    span_len = np.minimum(lengths, ngram)
    span_starts = np.repeat(starts, counts) + within(counts)
    hashes = span_hashes(flat, span_starts, np.repeat(span_len, counts))
    return _permute_min(hashes, counts, r, s)


def _rotl_inplace(x: U32, r: int, tmp: U32) -> None:
    np.right_shift(x, np.uint32(32 - r), out=tmp)
    np.left_shift(x, np.uint32(r), out=x)
    np.bitwise_or(x, tmp, out=x)


def _fmix_inplace(h: U32, tmp: U32) -> None:
    np.right_shift(h, np.uint32(16), out=tmp)
    np.bitwise_xor(h, tmp, out=h)
    np.multiply(h, np.uint32(0x85EBCA6B), out=h)
    np.right_shift(h, np.uint32(13), out=tmp)
    np.bitwise_xor(h, tmp, out=h)
    np.multiply(h, np.uint32(0xC2B2AE35), out=h)
    np.right_shift(h, np.uint32(16), out=tmp)
    np.bitwise_xor(h, tmp, out=h)


def _mixed_windows(flat: U32, ngram: int) -> U32:
    """``fmix32(shingle_hash(w))`` of every window of ``ngram`` code points of ``flat``
    (windows crossing document boundaries included), computed in place in two buffers."""
    keys = np.multiply(flat, np.uint32(0xCC9E2D51))
    tmp = np.empty_like(keys)
    _rotl_inplace(keys, 15, tmp)
    np.multiply(keys, np.uint32(0x1B873593), out=keys)
    span = flat.size - ngram + 1
    h = np.zeros(span, dtype=np.uint32)
    t = tmp[:span]
    for i in range(ngram):
        np.bitwise_xor(h, keys[i : i + span], out=h)
        _rotl_inplace(h, 13, t)
        np.multiply(h, np.uint32(5), out=h)
        np.add(h, np.uint32(0xE6546B64), out=h)
    np.bitwise_xor(h, np.uint32(4 * ngram), out=h)
    _fmix_inplace(h, t)  # MurmurHash3's finalizer: the shingle hash
    _fmix_inplace(h, t)  # the scheme's pre-mix
    return h


def _permute_min_windows(
    mixed: U32,
    starts: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    ngram: int,
    r: U32,
    s: U32,
) -> U32:
    """Per-document minima over the windows of :func:`_mixed_windows`.

    The ``ngram - 1`` windows that cross from one document into the next are overwritten with
    a copy of the first window of the document they start in: a repeated value cannot change
    that document's minimum, and ``reduceat`` then needs one segment per document (its cost
    per segment is as large as that of a few hundred elements).
    """
    if ngram > 1 and lengths.size > 1:
        ends = starts[:-1] + lengths[:-1] - ngram + 1
        crossing = (ends[:, np.newaxis] + np.arange(ngram - 1)).ravel()
        mixed[crossing] = np.repeat(mixed[starts[:-1]], ngram - 1)
    minima: U32 = _permute_min_segments(mixed, starts, r, s).T
    return minima


def _permute_min_segments(mixed: U32, starts: npt.NDArray[np.int64], r: U32, s: U32) -> U32:
    """``out[k, d] = min(a_k * mixed[i] + b_k)`` over the segment of document d, which runs
    from ``starts[d]`` to the next start (every segment non-empty); shape (num_perm, n_docs).

    ``mixed`` is overwritten: it is stepped in place from one permutation to the next with the
    :func:`chain_steps` ``r, s`` (an in-place multiply costs about half an out-of-place one).
    """
    out = np.empty((r.size, starts.size), dtype=np.uint32)
    for r_k, s_k, row in zip(r, s, out, strict=True):
        mixed *= r_k  # in-place operators: less call overhead than np.multiply(..., out=)
        mixed += s_k
        np.minimum.reduceat(mixed, starts, out=row)
    return out


def _permute_min(hashes: U32, counts: npt.NDArray[np.int64], r: U32, s: U32) -> U32:
    """Per-document minimum of ``a_k * fmix32(h) + b_k`` for every permutation k (given as
    :func:`chain_steps`)."""
    out = np.full((counts.size, r.size), EMPTY, dtype=np.uint32)
    nonempty = np.flatnonzero(counts)
    if nonempty.size:
        starts = starts_of(counts)[:-1][nonempty]
        out[nonempty] = _permute_min_segments(fmix32(hashes), starts, r, s).T
    return out
