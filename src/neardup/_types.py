"""Type aliases shared by the modules: numpy array shapes and the Literal choices.

Nothing here runs; the aliases only say what an array holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
"""Code points, shingle hashes, signatures."""
U64 = npt.NDArray[np.uint64]
"""LSH band keys."""
I64 = npt.NDArray[np.int64]
"""Lengths, offsets, positions, pairs of document indices."""
F64 = npt.NDArray[np.float64]
"""Similarities."""

ShingleUnit = Literal["char", "word"]
"""What a shingle is made of: characters, or jieba words."""
SHINGLE_UNITS: tuple[ShingleUnit, ...] = ("char", "word")

Verification = Literal["exact", "estimate"]
"""How candidate pairs are verified: exact Jaccard of shingle sets, or the MinHash estimate."""
VERIFICATIONS: tuple[Verification, ...] = ("exact", "estimate")

ProgressHook = Callable[[str, int], None]
"""Called as ``progress(stage, n)`` while a run works (see :func:`neardup.find_duplicates`)."""
