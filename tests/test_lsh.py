"""Band parameters and candidate pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neardup import ParameterError, choose_bands, signatures
from neardup.core.lsh import MAX_GROUP, TARGET_PROBABILITY, Banding, band_keys, candidate_pairs


@given(st.floats(0.3, 1.0), st.sampled_from([32, 64, 128, 256]))
def test_chosen_banding_reaches_the_target_probability(threshold: float, num_perm: int) -> None:
    banding = choose_bands(threshold, num_perm)
    assert banding.bands * banding.rows <= num_perm
    assert banding.probability(threshold) >= TARGET_PROBABILITY
    # The largest such rows: one more row would miss the target.
    rows = banding.rows + 1
    if rows <= num_perm:
        assert Banding(num_perm // rows, rows).probability(threshold) < TARGET_PROBABILITY


def test_explicit_bands_must_divide_num_perm() -> None:
    assert choose_bands(0.7, 128, bands=16) == Banding(16, 8)
    with pytest.raises(ParameterError, match="divisor of num_perm=128"):
        choose_bands(0.7, 128, bands=24)
    with pytest.raises(ParameterError, match=r"threshold must be in \(0, 1\]"):
        choose_bands(0.0, 128)
    with pytest.raises(ParameterError, match=r"threshold must be in \(0, 1\]"):
        choose_bands(1.5, 128)


def test_pairs_at_the_threshold_become_candidates_99_percent_of_the_time() -> None:
    """Empirical check of P(t) on random sets with Jaccard exactly 0.7."""
    rng = np.random.default_rng(1)
    banding = choose_bands(0.7, 128)
    trials, hits = 600, 0
    for trial in range(trials):
        # |A ∩ B| = 700, |A ∪ B| = 1000 → J = 0.7 exactly.
        universe = rng.choice(2**32 - 1, size=1000, replace=False).astype(np.uint32)
        a, b = universe[:850], universe[150:]
        sigs = signatures([a, b], 128, trial)
        keys = band_keys(sigs, banding)
        hits += int(candidate_pairs(keys).shape[0] == 1)
    # Expected rate 0.9998; a binomial with 600 trials stays above 0.98 with near certainty.
    assert hits / trials >= 0.98


def test_candidate_pairs_from_shared_keys() -> None:
    keys = np.array([[1, 2], [1, 3], [5, 2], [1, 9], [7, 7]], dtype=np.uint64)
    assert candidate_pairs(keys).tolist() == [[0, 1], [0, 2], [0, 3], [1, 3]]
    assert candidate_pairs(np.empty((0, 4), dtype=np.uint64)).shape == (0, 2)


def test_mass_duplicates_are_connected_as_a_star() -> None:
    n = 5000
    keys = np.zeros((n, 8), dtype=np.uint64)
    pairs = candidate_pairs(keys)
    assert pairs.shape == (n - 1, 2)
    assert (pairs[:, 0] == 0).all() and pairs[:, 1].tolist() == list(range(1, n))


def test_small_groups_give_all_pairs() -> None:
    keys = np.zeros((MAX_GROUP, 1), dtype=np.uint64)
    assert candidate_pairs(keys).shape[0] == MAX_GROUP * (MAX_GROUP - 1) // 2


def test_band_keys_depend_on_every_row() -> None:
    sigs = np.zeros((2, 8), dtype=np.uint32)
    sigs[1, 3] = 1
    keys = band_keys(sigs, Banding(2, 4))
    assert keys[0, 0] != keys[1, 0] and keys[0, 1] == keys[1, 1]
