"""Clusters of near-duplicates: connected components of verified pairs (union-find)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components with more than one member, each sorted, ordered by first member.

    Union-find with path halving and union by size; ``n`` nodes numbered 0..n-1.
    """
    parent = np.arange(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    touched: set[int] = set()
    for a, b in edges:
        touched.update((a, b))
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
    groups: dict[int, list[int]] = {}
    for node in sorted(touched):
        groups.setdefault(find(node), []).append(node)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def representative(members: list[int], lengths: npt.NDArray[np.int64]) -> int:
    """The longest member; ties go to the earliest in input order."""
    return max(members, key=lambda m: (int(lengths[m]), -m))
