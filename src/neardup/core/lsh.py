"""Locality-sensitive hashing: band parameters and candidate pairs from band keys.

A signature of ``num_perm`` values is cut into ``bands`` bands of ``rows`` values. Two
documents with Jaccard similarity ``s`` agree on one band with probability ``s**rows``, so
they share at least one band key, and become a candidate pair, with probability::

    P(s) = 1 - (1 - s**rows) ** bands

:func:`choose_bands` picks, for a threshold ``t``, the largest ``rows`` (fewest false
candidates) for which ``P(t) >= 0.99`` with ``bands = num_perm // rows``.

Candidate pairs come from sorting each band's keys (uint64, a hash of the band's rows): a
run of equal keys is a group of documents. A group of at most :data:`MAX_GROUP` documents
yields all its pairs; a larger one (mass duplicates) is connected as a star from its first
document, so the pair list stays linear in the number of documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64
from ..errors import ParameterError
from .arrays import ranges, sorted_unique

TARGET_PROBABILITY = 0.99
MAX_GROUP = 32
KEY_BLOCK = 1 << 14



@dataclass(frozen=True)
class Banding:
    """``bands`` bands of ``rows`` signature values each (``bands * rows <= num_perm``)."""

    bands: int
    rows: int

    def probability(self, similarity: float) -> float:
        """Probability that a pair of this Jaccard similarity becomes a candidate."""
        return float(1.0 - (1.0 - similarity**self.rows) ** self.bands)


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """``1 - (1 - s**rows) ** bands``."""
    return Banding(bands, rows).probability(similarity)


def choose_bands(threshold: float, num_perm: int, bands: int | None = None) -> Banding:
    """Band parameters for ``threshold``, or the explicit ``bands`` (which must divide num_perm).

    Example:
        >>> choose_bands(0.7, 128)
        Banding(bands=32, rows=4)
        >>> round(choose_bands(0.7, 128).probability(0.7), 4)
        0.9998
    """
    if not 0.0 < threshold <= 1.0:
        raise ParameterError(f"threshold must be in (0, 1] (got {threshold})")
    if bands is not None:
        if bands < 1 or num_perm % bands:
            raise ParameterError(f"bands must be a divisor of num_perm={num_perm} (got {bands})")
        return Banding(bands, num_perm // bands)
    for rows in range(num_perm, 0, -1):
        banding = Banding(num_perm // rows, rows)
        if banding.probability(threshold) >= TARGET_PROBABILITY:
            return banding
    raise ParameterError(
        f"no banding of num_perm={num_perm} reaches P >= {TARGET_PROBABILITY} at "
        f"threshold {threshold}; raise num_perm"
    )


def band_keys(signatures: U32, banding: Banding) -> U64:
    """One uint64 key per (document, band): a hash of the band's ``rows`` values.

    ``key = fold(v_0..v_{r-1})`` with ``k = k * 0x100000001B3 ^ v`` (uint64, FNV-style),
    then the 64-bit MurmurHash3 finalizer.
    """
    n = signatures.shape[0]
    out = np.empty((n, banding.bands), dtype=np.uint64)
    for lo in range(0, n, KEY_BLOCK):  # blocks of documents bound the uint64 temporaries
        out[lo : lo + KEY_BLOCK] = _block_keys(signatures[lo : lo + KEY_BLOCK], banding)
    return out


def _block_keys(signatures: U32, banding: Banding) -> U64:
    n = signatures.shape[0]
    used = banding.bands * banding.rows
    view = signatures[:, :used].reshape(n, banding.bands, banding.rows).astype(np.uint64)
    key = np.full((n, banding.bands), np.uint64(0xCBF29CE484222325), dtype=np.uint64)
    for r in range(banding.rows):
        key = (key * np.uint64(0x100000001B3)) ^ view[:, :, r]
    key ^= key >> np.uint64(33)
    key *= np.uint64(0xFF51AFD7ED558CCD)
    key ^= key >> np.uint64(33)
    key *= np.uint64(0xC4CEB9FE1A85EC53)
    key ^= key >> np.uint64(33)
    return key


def candidate_pairs(keys: U64 | Sequence[U64], max_group: int = MAX_GROUP) -> npt.NDArray[np.int64]:
    """Unique candidate pairs ``(i, j)``, ``i < j``, of documents sharing a band key.

    Args:
        keys: (n_docs, bands) uint64 band keys, row i for document i; or a sequence of
            such blocks for consecutive documents (no need to concatenate them first).
        max_group: groups larger than this are connected as a star.

    Returns:
        An (n_pairs, 2) int64 array sorted by (i, j).
    """
    blocks = [keys] if isinstance(keys, np.ndarray) else list(keys)
    if not blocks:
        return np.empty((0, 2), dtype=np.int64)
    codes = [band_pair_codes(column, max_group) for column in band_columns(blocks)]
    return pairs_of_codes(codes, sum(b.shape[0] for b in blocks))


def band_columns(blocks: Sequence[U64]) -> Iterator[U64]:
    """Each band's keys for all documents, from (n_docs, bands) blocks of consecutive ones."""
    for band in range(blocks[0].shape[1] if blocks else 0):
        yield np.concatenate([b[:, band] for b in blocks])


def band_pair_codes(column: U64, max_group: int = MAX_GROUP) -> I64:
    """Codes ``i * n + j`` of the pairs of documents sharing a key in one band (``column``
    holds document i's key at i). Bands are independent: callers may hand them to different
    processes and merge with :func:`pairs_of_codes`."""
    order = np.argsort(column)  # pairs do not depend on the order within a group
    return _group_pairs(column[order], order, max_group)


def pairs_of_codes(codes: Sequence[I64], n: int) -> npt.NDArray[np.int64]:
    """The unique pairs ``(i, j)`` of pair codes of ``n`` documents, sorted."""
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = sorted_unique(np.concatenate(codes))
    return np.stack([unique // max(n, 1), unique % max(n, 1)], axis=1).astype(np.int64)


def _group_pairs(sorted_keys: U64, order: I64, max_group: int) -> I64:
    """Pair codes ``i * n + j`` for the runs of equal keys in one sorted band."""
    n = order.size
    if n < 2:
        return np.empty(0, dtype=np.int64)
    boundary = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate(([0], boundary))
    sizes = np.diff(np.concatenate((starts, [n])))
    multi = sizes > 1
    starts, sizes = starts[multi], sizes[multi]
    if not starts.size:
        return np.empty(0, dtype=np.int64)
    parts: list[I64] = []
    small = sizes <= max_group
    # Every pair within small groups: for offset d = 1..max_size-1, pair position p with p + d.
    s_starts, s_sizes = starts[small], sizes[small]
    for d in range(1, int(s_sizes.max()) if s_sizes.size else 1):
        eligible = s_sizes > d
        if not eligible.any():
            break
        first = ranges(s_starts[eligible], s_sizes[eligible] - d)
        parts.append(_codes(order[first], order[first + d], n))
    # Stars for large groups: the smallest document index is the centre.
    for start, size in zip(starts[~small].tolist(), sizes[~small].tolist(), strict=True):
        members = np.sort(order[start : start + size])
        parts.append(_codes(np.full(size - 1, members[0]), members[1:], n))
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _codes(a: I64, b: I64, n: int) -> I64:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return lo.astype(np.int64) * n + hi.astype(np.int64)
