"""Shared fixtures: paths to the seed collection and to the shared corpora."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from neardup.engine import component_batches, hashing
from neardup.io import corpus as corpus_module

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _origin_checkout() -> Path | None:
    """The local repository this checkout was cloned from, if it was (CI clones the working
    copy into a scratch directory, away from ``../shared``)."""
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    if not url or "://" in url or url.startswith("git@"):
        return None
    path = Path(url.removeprefix("file:"))
    return path.resolve() if path.is_dir() else None


def _find_corpora() -> Path:
    """``NEARDUP_SHARED``/corpora, else ../shared/corpora beside this checkout, else beside the
    checkout it was cloned from; the first candidate when none exists (named in messages)."""
    candidates = [ROOT.parent / "shared" / "corpora"]
    if os.environ.get("NEARDUP_SHARED"):
        candidates.insert(0, Path(os.environ["NEARDUP_SHARED"]) / "corpora")
    origin = _origin_checkout()
    if origin is not None:
        candidates.append(origin.parent / "shared" / "corpora")
    return next((c for c in candidates if c.is_dir()), candidates[0])


CORPORA = _find_corpora()

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
            pytest.fail(f"shared corpora not found ({CORPORA}; set NEARDUP_SHARED)")
        pytest.skip("shared corpora not present")
    return CORPORA


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many hashing batches and component batches, so that workers share the work."""
    monkeypatch.setattr(hashing, "BATCH_DOCS", 37)
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 41)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 30_000)
    monkeypatch.setattr(component_batches, "COMPONENT_BATCH_DOCS", 5)
