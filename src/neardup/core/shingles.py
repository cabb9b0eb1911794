"""Shingles: character or word n-grams of normalized text, hashed to uint32.

The hash of one shingle is MurmurHash3_x86_32 (seed 0) of the shingle's UTF-32-LE encoding,
so a shingle of ``n`` code points is ``n`` 4-byte blocks. For code point ``c`` of a block::

    k = rotl32(c * 0xcc9e2d51, 15) * 0x1b873593          (uint32, wrapping)
    h = rotl32(h ^ k, 13) * 5 + 0xe6546b64                (h starts at 0)

and finally ``h ^= 4 * n`` followed by the fmix32 finalizer. All arithmetic is uint32 with
wrap-around. The vectorized functions apply each block step to every shingle of a batch at
once (one numpy operation per block position, never a Python call per shingle);
:func:`shingle_hash` is the scalar reference for a single shingle and gives the same value.

A text shorter than ``n`` yields one shingle, the whole text; an empty text yields none.
Word shingles join ``n`` consecutive jieba words with U+001F (a control character that
normalization removes, so it never occurs inside a word).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

import numpy as np
import numpy.typing as npt

from .._types import I64, SHINGLE_UNITS, U32, ShingleUnit
from ..errors import ParameterError
from . import kernels
from .arrays import pieces_of, ranges, sorted_unique, starts_of
from .folding import segment

WORD_SEPARATOR = "\x1f"

_C1 = np.uint32(0xCC9E2D51)
_C2 = np.uint32(0x1B873593)
_M5 = np.uint32(5)
_N1 = np.uint32(0xE6546B64)
_MASK32 = 0xFFFFFFFF


def _utf32(text: str) -> U32:
    """The code points of ``text`` (its UTF-32-LE encoding, which the hash reads)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _rotl(x: U32, r: int) -> U32:
    out: U32 = (x << np.uint32(r)) | (x >> np.uint32(32 - r))
    return out


def fmix32(h: U32) -> U32:
    """MurmurHash3's 32-bit finalizer, element-wise on a uint32 array (a bijection)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    out: U32 = h ^ (h >> np.uint32(16))
    return out


def block_keys(cps: U32) -> U32:
    """The per-block key ``rotl32(c * c1, 15) * c2`` of every code point."""
    out: U32 = _rotl(cps * _C1, 15) * _C2
    return out


def _block_step(h: U32, k: U32) -> U32:
    out: U32 = _rotl(h ^ k, 13) * _M5 + _N1
    return out


def ngram_hashes(cps: U32, ngram: int) -> U32:
    """Hashes of all character n-grams of one text's code points (with repeats, in order).

    ``len(cps) - ngram + 1`` values when the text is at least ``ngram`` long; one value (the
    whole text) when shorter; none when empty.
    """
    if ngram < 1:
        raise ParameterError(f"ngram must be >= 1 (got {ngram})")
    size = cps.size
    if size == 0:
        return np.empty(0, dtype=np.uint32)
    if size < ngram:
        return span_hashes(cps, np.zeros(1, np.int64), np.array([size], np.int64))
    keys = block_keys(cps)
    count = size - ngram + 1
    h = np.zeros(count, dtype=np.uint32)
    for i in range(ngram):
        h = _block_step(h, keys[i : i + count])
    return fmix32(h ^ np.uint32(4 * ngram))


def span_hashes(cps: U32, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> U32:
    """Hashes of the shingles ``cps[start:start + length]`` for spans of any length >= 1."""
    keys = block_keys(cps)
    h = np.zeros(starts.size, dtype=np.uint32)
    longest = int(lengths.max()) if lengths.size else 0
    for i in range(longest):
        live = lengths > i
        if live.all():
            h = _block_step(h, keys[starts + i])
        else:
            h[live] = _block_step(h[live], keys[starts[live] + i])
    return fmix32(h ^ (lengths.astype(np.uint32) * np.uint32(4)))


def shingle_hash(shingle: str) -> int:
    """Scalar reference: the uint32 hash of one shingle (MurmurHash3_x86_32, seed 0, of UTF-32-LE).

    This is the ``hashfunc`` to give ``datasketch.MinHash`` so that its signatures equal
    neardup's.

    Example:
        >>> shingle_hash("意识形态工")
        1052582238
    """
    h = 0
    for ch in shingle:
        k = (ord(ch) * 0xCC9E2D51) & _MASK32
        k = ((k << 15) | (k >> 17)) & _MASK32
        k = (k * 0x1B873593) & _MASK32
        h ^= k
        h = ((h << 13) | (h >> 19)) & _MASK32
        h = (h * 5 + 0xE6546B64) & _MASK32
    h ^= 4 * len(shingle)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK32
    return h ^ (h >> 16)


def words(text: str) -> list[str]:
    """jieba's words of a normalized text, with its HMM (:func:`neardup.core.folding.segment`)."""
    return [w for w in segment(text, hmm=True) if w]


def word_ngram_hashes(text: str, ngram: int) -> U32:
    """Hashes of the word n-grams of a normalized text, vectorized over the n-grams."""
    if ngram < 1:
        raise ParameterError(f"ngram must be >= 1 (got {ngram})")
    ws = words(text)
    if not ws:
        return np.empty(0, dtype=np.uint32)
    lengths = np.fromiter((len(w) for w in ws), dtype=np.int64, count=len(ws))
    starts = starts_of(lengths + 1)[:-1]
    joined = _utf32(WORD_SEPARATOR.join(ws))
    count = max(len(ws) - ngram + 1, 1)
    last = np.minimum(np.arange(count) + ngram - 1, len(ws) - 1)
    span_starts = starts[:count]
    span_lengths = starts[last] + lengths[last] - span_starts
    return span_hashes(joined, span_starts, span_lengths)


def shingle_hashes(text: str, ngram: int = 5, unit: ShingleUnit = "char") -> U32:
    """Hashes of the shingles of a *normalized* text, with repeats (uint32)."""
    if unit == "char":
        return ngram_hashes(_utf32(text), ngram)
    if unit == "word":
        return word_ngram_hashes(text, ngram)
    raise ParameterError(f"unit must be one of {SHINGLE_UNITS} (got {unit!r})")


def shingle_set(text: str, ngram: int = 5, unit: ShingleUnit = "char") -> U32:
    """The sorted set of shingle hashes of a normalized text."""
    return sorted_unique(shingle_hashes(text, ngram, unit))


def char_shingle_sets(cps: Sequence[U32], ngram: int, block: int = 1 << 21) -> list[U32]:
    """Sorted sets of character n-gram hashes of many normalized texts (code points).

    The same as ``shingle_set(text, ngram)`` for each text, computed for blocks of about
    ``block`` characters at once: the n-gram hashes of the concatenated block
    (:func:`ngram_hashes`) keep the windows that lie within one text, and
    one sort of ``text_number << 32 | hash`` (uint64) yields every text's distinct hashes.
    Texts shorter than ``ngram`` (one shingle: the whole text) are hashed one by one.
    With the numba kernel, each text's hashes are computed and sorted in one compiled loop.
    """
    compiled = kernels.minhash()
    if compiled is not None and cps:
        return pieces_of(*_char_sets_numba(compiled, cps, ngram))
    out: list[U32] = [np.empty(0, dtype=np.uint32)] * len(cps)
    group: list[int] = []
    size = 0
    for k, c in enumerate(cps):
        if c.size < ngram:
            out[k] = sorted_unique(ngram_hashes(c, ngram))
            continue
        group.append(k)
        size += c.size
        if size >= block:
            _char_sets_block(cps, group, ngram, out)
            group, size = [], 0
    if group:
        _char_sets_block(cps, group, ngram, out)
    return out


def char_shingle_sets_packed(cps: Sequence[U32], ngram: int) -> tuple[U32, I64]:
    """:func:`char_shingle_sets` packed: the sets one after another, and their sizes."""
    compiled = kernels.minhash()
    if compiled is not None and cps:
        return _char_sets_numba(compiled, cps, ngram)
    sets = char_shingle_sets(cps, ngram)
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    return (np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)), sizes


def _char_sets_numba(compiled: ModuleType, cps: Sequence[U32], ngram: int) -> tuple[U32, I64]:
    lengths = np.fromiter((c.size for c in cps), dtype=np.int64, count=len(cps))
    flat = np.concatenate(cps).astype(np.uint32, copy=False)
    values = np.empty(max(int(np.maximum(lengths - ngram + 1, 1).sum()), 1), dtype=np.uint32)
    counts = np.empty(len(cps), dtype=np.int64)
    written = compiled.shingle_sets(flat, starts_of(lengths), ngram, values, counts)
    return values[:written], counts


def _char_sets_block(cps: Sequence[U32], group: list[int], ngram: int, out: list[U32]) -> None:
    lengths = np.fromiter((cps[k].size for k in group), dtype=np.int64, count=len(group))
    hashes = ngram_hashes(np.concatenate([cps[k] for k in group]), ngram)
    counts = lengths - ngram + 1
    positions = ranges(starts_of(lengths)[:-1], counts)
    owner = np.repeat(np.arange(len(group), dtype=np.uint64), counts)
    combined = sorted_unique((owner << np.uint64(32)) | hashes[positions].astype(np.uint64))
    values = (combined & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bounds = np.searchsorted(combined >> np.uint64(32), np.arange(len(group) + 1, dtype=np.uint64))
    for i, k in enumerate(group):
        out[k] = values[bounds[i] : bounds[i + 1]]
