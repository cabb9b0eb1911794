"""Helpers shared by the benchmark and quality scripts: corpora, shingles, timing, tables.

Corpora are read from ``../shared/corpora`` beside the repository when present; otherwise
from the committed laws sample ``benchmarks/data/laws_sample.jsonl.gz`` (public-domain
statutes). News text is never committed.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_CORPORA = REPO.parent / "shared" / "corpora"
LAWS_SAMPLE = HERE / "data" / "laws_sample.jsonl.gz"

CORPUS_FILES = {
    "laws": "laws_zh.jsonl.gz",
    "news": "cctv_news.jsonl.gz",
}


def corpus_path(name: str) -> Path | None:
    """Path of the shared corpus ``name`` (``laws`` or ``news``), or None when absent."""
    if name not in CORPUS_FILES:
        raise ValueError(f"corpus must be one of {sorted(CORPUS_FILES)} (got {name!r})")
    path = SHARED_CORPORA / CORPUS_FILES[name]
    return path if path.is_file() else None


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file (gzip when the name ends in .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc


def load_corpus(name: str, limit: int | None = None) -> tuple[list[str], list[str], str]:
    """Ids and texts of a corpus, and a label saying where they came from.

    ``name`` is ``laws`` or ``news`` (shared corpora) or ``sample`` (the committed laws
    sample). When the shared corpus is absent, the laws sample is used instead.
    """
    path = LAWS_SAMPLE if name == "sample" else corpus_path(name)
    label = name
    if path is None:
        path, label = LAWS_SAMPLE, f"sample (shared {name} corpus absent)"
    ids: list[str] = []
    texts: list[str] = []
    for record in iter_jsonl(path):
        ids.append(str(record["id"]))
        texts.append(record["text"])
        if limit is not None and len(texts) >= limit:
            break
    return ids, texts, label


def real_texts(count: int, corpus: str = "news") -> tuple[list[str], str]:
    """``count`` real texts: the first ``count`` of a shared corpus, or, when it is absent or
    too small, pieces of about 500 characters cut from the committed laws sample."""
    _, texts, label = load_corpus(corpus, count)
    if len(texts) >= count and not label.startswith("sample"):
        return texts, label
    _, laws, _ = load_corpus("sample")
    pieces: list[str] = []
    while len(pieces) < count:
        for law in laws:
            pieces.extend(law[i : i + 500] for i in range(0, len(law), 500))
            if len(pieces) >= count:
                break
    return pieces[:count], "laws sample cut into 500-character pieces"


def char_shingles(text: str, ngram: int = 5) -> list[str]:
    """Character n-grams of a normalized text; a shorter text is one shingle (as neardup).

    Example:
        >>> char_shingles("意识形态工作", 5)
        ['意识形态工', '识形态工作']
        >>> char_shingles("总结", 5)
        ['总结']
    """
    if len(text) < ngram:
        return [text] if text else []
    return [text[i : i + ngram] for i in range(len(text) - ngram + 1)]


def best_of(function: Callable[[], object], repeat: int = 3) -> float:
    """The smallest wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


@contextmanager
def kernel(name: str) -> Iterator[None]:
    """Set ``NEARDUP_KERNEL`` inside the block, restoring the previous value after it."""
    previous = os.environ.get("NEARDUP_KERNEL")
    os.environ["NEARDUP_KERNEL"] = name
    try:
        yield
    finally:
        if previous is None:
            del os.environ["NEARDUP_KERNEL"]
        else:
            os.environ["NEARDUP_KERNEL"] = previous


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def normalized(texts: list[str]) -> list[str]:
    """The texts after neardup's default normalization (NFKC, lower case, no space/punct)."""
    from neardup import normalize_text

    return [normalize_text(t) for t in texts]
