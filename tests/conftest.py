"""Shared fixtures: paths to the seed collection and to the shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPORA = ROOT.parent / "shared" / "corpora"

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    """The shared corpora; a missing folder fails loudly in CI instead of skipping."""
    if not CORPORA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared corpora not found beside the checkout ({CORPORA.name})")
        pytest.skip("shared corpora not present")
    return CORPORA
