"""The local engine's candidate stage: the candidate pairs of every search mode asked for
(:mod:`neardup.searches`), over the processed documents' arrays, in the worker processes
when they are running."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import I64, U32
from ..parameters import Parameters
from ..searches.protocol import Found, SearchMode
from .hashing_stage import Processed
from .workers import Workers


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs ``(i, j)``, ``i < j``, sorted, and what each mode's candidate stage
    recorded, by mode name."""

    pairs: I64
    found: dict[str, Found]

    def common(self) -> dict[str, U32]:
        """What each mode cut as boilerplate, by mode name."""
        return {name: found.common for name, found in self.found.items()}


def find_candidates(
    hashed: Processed, workers: Workers, params: Parameters, modes: list[SearchMode]
) -> Candidates:
    """Each mode's :meth:`~neardup.searches.protocol.SearchMode.candidates` of the processed
    documents (in the worker processes when they are running), and their union."""
    mapper = workers.map if workers.started else None
    pairs: I64 | None = None
    found: dict[str, Found] = {}
    for mode in modes:
        found[mode.name] = mode.candidates(hashed.searched.get(mode.name, []), params, mapper)
        mine = found[mode.name].pairs
        pairs = mine if pairs is None else union_of_pairs(pairs, mine)
    return Candidates(np.empty((0, 2), dtype=np.int64) if pairs is None else pairs, found)


def union_of_pairs(first: I64, second: I64) -> I64:
    """The sorted distinct pairs of two arrays of pairs (shape (m, 2), values < 2**32)."""
    codes = np.union1d(_codes(first), _codes(second))
    return np.stack(((codes >> 32), (codes & 0xFFFFFFFF)), axis=1).astype(np.int64)


def _codes(pairs: I64) -> I64:
    out: I64 = (pairs[:, 0].astype(np.int64) << 32) | pairs[:, 1].astype(np.int64)
    return out
