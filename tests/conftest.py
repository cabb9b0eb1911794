"""Shared fixtures: paths to the seed collection and to the shared corpora; what the Spark
tests need (Java 17)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from neardup.engine import component_batches, hashing_stage
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


def corpora_candidates() -> list[Path]:
    """Where the shared corpora are looked for, in order: ``NEARDUP_SHARED``/corpora, else
    ../shared/corpora beside this checkout, else beside the checkout it was cloned from."""
    candidates = [ROOT.parent / "shared" / "corpora"]
    if os.environ.get("NEARDUP_SHARED"):
        candidates.insert(0, Path(os.environ["NEARDUP_SHARED"]) / "corpora")
    origin = _origin_checkout()
    if origin is not None:
        candidates.append(origin.parent / "shared" / "corpora")
    return candidates


CANDIDATES = corpora_candidates()
CORPORA = next((c for c in CANDIDATES if c.is_dir()), CANDIDATES[0])


def missing_corpora_message(candidates: list[Path]) -> str:
    """Why the corpus tests do not run: where the corpora were looked for, and how to say
    where they are."""
    looked = ", ".join(str(c) for c in dict.fromkeys(candidates))
    return (f"shared corpora not found (looked in {looked}); set NEARDUP_SHARED to the folder "
            "that holds corpora/")

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
        message = missing_corpora_message(CANDIDATES)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CORPORA


JAVA_MISSING = "Java 17 not found (needed for the Spark tests)"


def java_major_version() -> int | None:
    """The major version of the Java that pyspark would start (``$JAVA_HOME/bin/java``, else
    ``java`` on the PATH), or None when there is none."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def require_java() -> None:
    """Skip (fail under ``CI=true``) unless Java 17 or newer is there for pyspark."""
    major = java_major_version()
    if major is not None and major >= 17:
        return
    message = JAVA_MISSING + ("" if major is None else f": found Java {major}")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many hashing batches and component batches, so that workers share the work."""
    monkeypatch.setattr(hashing_stage, "BATCH_DOCS", 37)
    monkeypatch.setattr(corpus_module, "BLOCK_LINES", 41)
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 30_000)
    monkeypatch.setattr(component_batches, "COMPONENT_BATCH_DOCS", 5)
