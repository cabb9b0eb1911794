"""The public ``signatures()`` entry point: texts or shingle-hash sets to MinHash signatures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .._types import SHINGLE_UNITS, U32, ShingleUnit
from ..errors import InputError, ParameterError
from .minhash import minhash_flat, minhash_hashes
from .normalize import (
    NormalizeOptions,
    codepoints,
    from_codepoints,
    normalize_codepoints,
    normalize_many,
    packed_codepoints,
)
from .shingles import word_ngram_hashes


def signatures(
    texts_or_hash_sets: Sequence[str] | Sequence[npt.ArrayLike],
    num_perm: int = 128,
    seed: int = 1,
    *,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    normalize: bool = True,
    options: NormalizeOptions | None = None,
) -> U32:
    """MinHash signatures, shape (n_docs, num_perm), dtype uint32.

    Each item is either a text (normalized unless ``normalize=False``, then shingled) or an
    array of shingle hashes (uint32, e.g. from :func:`neardup.shingle_hashes`). A document
    without shingles gets the empty signature (all 0xFFFFFFFF), as in datasketch.

    Example:
        >>> from datasketch import MinHash
        >>> from neardup import shingle_hash
        >>> m = MinHash(num_perm=16, seed=3, hashfunc=shingle_hash)
        >>> m.update_batch(["中文文本", "文文本测"])
        >>> from neardup import shingle_hashes
        >>> bool((signatures([shingle_hashes("中文文本测", 4)], 16, 3)[0] == m.hashvalues).all())
        True
    """
    if unit not in SHINGLE_UNITS:
        raise ParameterError(f"unit must be one of {SHINGLE_UNITS} (got {unit!r})")
    if not texts_or_hash_sets:
        return np.empty((0, num_perm), dtype=np.uint32)
    if all(isinstance(t, str) for t in texts_or_hash_sets):
        texts: list[str] = list(texts_or_hash_sets)  # type: ignore[arg-type]
        if unit == "char":
            flat, lengths = _packed(texts, normalize, options)
            return minhash_flat(flat, lengths, ngram, num_perm, seed)
        cps = [normalize_codepoints(t, options)[0] if normalize else codepoints(t) for t in texts]
        return minhash_hashes(
            [word_ngram_hashes(from_codepoints(c), ngram) for c in cps], num_perm, seed
        )
    return minhash_hashes(
        [_hash_array(h, i) for i, h in enumerate(texts_or_hash_sets)], num_perm, seed
    )


def _packed(
    texts: list[str], normalize: bool, options: NormalizeOptions | None
) -> tuple[U32, npt.NDArray[np.int64]]:
    """The texts' code points concatenated (normalized or not) and each text's length."""
    return normalize_many(texts, options) if normalize else packed_codepoints(texts)


def _hash_array(item: object, position: int) -> U32:
    if isinstance(item, np.ndarray) and item.dtype.kind in "ui":
        return item.astype(np.uint32, copy=False).ravel()
    kind = type(item).__name__
    if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
        kind = f"{kind} of str"
    raise InputError(
        f"item {position}: expected a text or an array of uint32 shingle hashes, got {kind}"
    )
