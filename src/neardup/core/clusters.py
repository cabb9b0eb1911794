"""Clusters of near-duplicates: connected components of verified pairs (union-find)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt


def components(edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components with more than one member, each sorted, ordered by first member.

    Union-find with path compression and union by size, over the nodes the edges touch (in
    dicts, so the cost follows the number of edges, not of documents).
    """
    parent: dict[int, int] = {}
    size: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:
            parent[x], x = root, parent[x]
        return root

    touched: set[int] = set()
    for a, b in edges:
        touched.add(a)
        touched.add(b)
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        sa, sb = size.get(ra, 1), size.get(rb, 1)
        if sa < sb:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] = sa + sb
    groups: dict[int, list[int]] = {}
    for node in sorted(touched):
        groups.setdefault(find(node), []).append(node)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def representative(members: list[int], lengths: npt.NDArray[np.int64]) -> int:
    """The longest member; ties go to the earliest in input order."""
    return max(members, key=lambda m: (int(lengths[m]), -m))


def clusters_with_similarities(
    edges: Iterable[tuple[int, int]],
    lengths: npt.NDArray[np.int64],
    similarity: Callable[[int, int], float],
) -> list[tuple[int, list[tuple[int, float]]]]:
    """Each component as ``(representative, [(member, similarity to the representative)])``,
    members ascending, components by first member; the representative's own is 1.0."""
    out = []
    for group in components(edges):
        rep = representative(group, lengths)
        out.append((rep, [(m, 1.0 if m == rep else similarity(rep, m)) for m in group]))
    return out
