"""Exact duplicates: documents whose normalized texts are identical, found by a strong hash.

Each normalized text (its code points) gets a 128-bit BLAKE2b digest, stored as two uint64
columns. A text whose code points all lie in the Basic Multilingual Plane is hashed as
2-byte code points (half the bytes to hash), any other as 4-byte ones; BLAKE2b's
personalization tells the two apart, so that a text of one kind and a text of the other
never share their hashed input. Two texts with the same digest are taken to be identical:
for a million texts the chance that two different ones share a 128-bit digest is about
``n² / 2^129`` (1e-27). Identical texts have identical shingle sets (Jaccard 1,
containment 1), so only the first of each group needs MinHash, LSH and verification; the
others follow it.

Example:
    >>> import numpy as np
    >>> cps = np.frombuffer("abcxyzabc".encode("utf-32-le"), dtype=np.uint32)
    >>> digests = text_digests(cps, np.array([3, 3, 3]))
    >>> first_of_group(digests).tolist()
    [0, 1, 0]
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64

DIGEST_BYTES = 16
"""Bytes of a text's digest (two uint64 columns)."""


def text_digests(flat: U32, lengths: I64) -> U64:
    """The BLAKE2b-128 digest of each text's code points, shape (n, 2) uint64 (see the module
    docstring for what is hashed).

    Args:
        flat: the texts' code points (uint32), concatenated.
        lengths: each text's length in code points.
    """
    flat = np.ascontiguousarray(flat, dtype=np.uint32)
    lengths = np.asarray(lengths, dtype=np.int64)
    wide = _beyond_bmp(flat, lengths)
    narrow = flat.astype(np.uint16).data.cast("B")  # wraps beyond the BMP: unused there
    full = flat.data.cast("B")
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    starts = [0, *ends[:-1]][: len(ends)]
    blake2b = hashlib.blake2b
    joined = b"".join(
        blake2b(full[4 * s : 4 * e], digest_size=DIGEST_BYTES, person=_UTF32).digest()
        if is_wide
        else blake2b(narrow[2 * s : 2 * e], digest_size=DIGEST_BYTES, person=_UTF16).digest()
        for s, e, is_wide in zip(starts, ends, wide.tolist(), strict=True)
    )
    out: U64 = np.frombuffer(joined, dtype=np.uint64).reshape(-1, 2).copy()
    return out


_UTF16 = b"neardup-utf16"
_UTF32 = b"neardup-utf32"


def _beyond_bmp(flat: U32, lengths: I64) -> npt.NDArray[np.bool_]:
    """Whether each text has a code point beyond U+FFFF."""
    high = flat > 0xFFFF
    if not high.any():
        return np.zeros(lengths.size, dtype=bool)
    owner = np.repeat(np.arange(lengths.size), lengths)
    out = np.zeros(lengths.size, dtype=bool)
    out[owner[high]] = True
    return out


def first_of_group(digests: U64) -> I64:
    """For each text, the index of the first text with the same digest (itself when it is the
    first, or alone).

    A stable sort of the first column finds the rows that share it (in input order); only
    those, few, are grouped by the whole digest. (``np.unique`` of the 16-byte rows sorted
    void keys, ten times slower at a million.)
    """
    n = digests.shape[0]
    out: I64 = np.arange(n, dtype=np.int64)
    if n < 2:
        return out
    order = np.argsort(digests[:, 0], kind="stable")
    firsts = digests[order, 0]
    repeated = np.zeros(n, dtype=bool)
    repeated[1:] = firsts[1:] == firsts[:-1]
    repeated[:-1] |= repeated[1:]
    rows = np.sort(order[repeated])  # every row whose first column another row shares
    if rows.size == 0:
        return out
    keys = np.ascontiguousarray(digests[rows], dtype=np.uint64).view(
        np.dtype((np.void, DIGEST_BYTES))
    ).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    out[rows] = rows[first[inverse.ravel()]]
    return out
