"""Clusters: connected components and representatives."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from neardup.core.clusters import components, representative


def reachable_groups(edges: list[tuple[int, int]]) -> list[list[int]]:
    """Components by breadth-first search (the oracle)."""
    neighbours: dict[int, set[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    seen: set[int] = set()
    groups = []
    for start in sorted(neighbours):
        if start in seen:
            continue
        group, frontier = {start}, [start]
        while frontier:
            frontier = [n for node in frontier for n in neighbours[node] if n not in group]
            group.update(frontier)
        seen |= group
        if len(group) > 1:
            groups.append(sorted(group))
    return groups


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=60))
def test_components_match_breadth_first_search(edges: list[tuple[int, int]]) -> None:
    assert components(edges) == reachable_groups(edges)


def test_long_chains_and_large_node_numbers() -> None:
    rng = random.Random(5)
    nodes = rng.sample(range(10**9), 3000)
    edges = [(nodes[i], nodes[i + 1]) for i in range(1999)]  # a path of 2,000
    edges += [(nodes[rng.randrange(2000, 3000)], nodes[rng.randrange(2000, 3000)]) for _ in range(900)]
    assert components(edges) == reachable_groups(edges)


def test_representative_is_the_longest_then_the_first() -> None:
    lengths = np.array([5, 9, 9, 2], dtype=np.int64)
    assert representative([0, 1, 2, 3], lengths) == 1
    assert representative([0, 3], lengths) == 0
