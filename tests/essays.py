"""An essay made of three seed reports (31%, 18% and 12% of it) and its own text, as
``test_copies_judgement.py`` builds it: the 查重 case of the document page tests."""

from __future__ import annotations

from pathlib import Path

from neardup.io.corpus import load_documents

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SHARES = {"s1": 0.31, "s4": 0.18, "s6": 0.12}
"""The share of the essay taken from each seed report (the rest, 39%, is its own)."""


def seed_texts() -> dict[str, str]:
    """The seed reports' texts as ``s1`` to ``s11``."""
    return {f"s{k + 1}": doc.text for k, doc in enumerate(load_documents(SEEDS))}


def seed_ids() -> dict[str, str]:
    """The ids the command line gives the seed reports (``file#n``), by ``s1`` to ``s11``."""
    return {f"s{k + 1}": doc.id for k, doc in enumerate(load_documents(SEEDS))}


def three_source_essay(seeds: dict[str, str], size: int = 3000) -> str:
    """The essay: a part of s1, s4 and s6 each, with its own text (s10 reversed, which
    shares no 5-gram with any report) between them."""
    own = seeds["s10"][::-1][: int(0.39 * size)]
    a = seeds["s1"][800 : 800 + int(SHARES["s1"] * size)]
    b = seeds["s4"][300 : 300 + int(SHARES["s4"] * size)]
    c = seeds["s6"][1000 : 1000 + int(SHARES["s6"] * size)]
    return a + own[:400] + b + own[400:800] + c + own[800:]
