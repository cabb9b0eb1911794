"""Scale benchmark of the persistent index: build from a large corpus, then check a batch.

The corpus is the shared laws and news corpora followed by a generated corpus of ``--docs``
documents, each a random window (200-1,200 characters) of a law or news item with random
edits (substitutions, a deletion, an insertion from another document), so that some are
near-duplicates of each other and most are not. Documents are generated lazily and added in
transactions of ``--txn`` documents, so memory stays flat while the index grows.

Then a batch of ``--check`` documents (half lightly edited copies of indexed documents,
half new windows) is checked against the index, and the time for it is reported.

Usage::

    python benchmarks/index_scale.py                  # quick: 20,000 generated documents
    python benchmarks/index_scale.py --docs 100000
    python benchmarks/index_scale.py --docs 1000000 --out /tmp/big.ndx

Prints build rate (documents/s), index size on disk, peak RSS, and check latency.
The file name has no ``bench_``/``test_`` prefix, so pytest does not collect it.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from edits import donor_edit  # noqa: E402
from exact import overlap  # noqa: E402
from measure import current_mb, own_peak_mb  # noqa: E402

from neardup import Document, DuplicateIndex  # noqa: E402


def load_bases(corpora: Path) -> list[tuple[str, str, str]]:
    """(id, title, text) of every law and news item."""
    bases: list[tuple[str, str, str]] = []
    for name in ("laws_zh.jsonl.gz", "cctv_news.jsonl.gz"):
        path = corpora / name
        if not path.exists():
            sys.exit(f"index_scale: error: {path} not found (the shared corpora are needed)")
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                bases.append((f"{name.split('_')[0]}:{record['id']}", record.get("title") or "",
                              record["text"]))
    return bases


def variant(rng: random.Random, texts: list[str], edits: int) -> str:
    """A random window (200-1,200 characters) of one of ``texts``, edited
    (:func:`edits.donor_edit` with ``edits`` substitutions)."""
    text = texts[rng.randrange(len(texts))]
    size = rng.randint(200, 1200)
    start = rng.randrange(max(len(text) - size, 0) + 1)
    return donor_edit(rng, list(text[start : start + size]), texts, edits)


def corpus(
    bases: list[tuple[str, str, str]], generated: int, seed: int, keep: list[str], keep_every: int
) -> Iterator[Document]:
    """The base documents, then ``generated`` variants; every ``keep_every``-th text is kept."""
    for doc_id, title, text in bases:
        yield Document(doc_id, text, title or None)
    rng = random.Random(seed)
    texts = [text for _, _, text in bases]
    for i in range(generated):
        text = variant(rng, texts, rng.randint(0, 40))
        if i % keep_every == 0:
            keep.append(text)
        yield Document(f"gen:{i}", text)


class GenerationTimer:
    """Iterates documents and adds up the time spent producing them (not indexing them)."""

    def __init__(self, documents: Iterator[Document]) -> None:
        self._documents = documents
        self.seconds = 0.0
        self.count = 0

    def __iter__(self) -> GenerationTimer:
        return self

    def __next__(self) -> Document:
        started = time.perf_counter()
        try:
            doc = next(self._documents)
        finally:
            self.seconds += time.perf_counter() - started
        self.count += 1
        return doc


def cpu_seconds() -> float:
    """User + system CPU time of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000,
                        help="generated documents (default 20000)")
    parser.add_argument("--check", type=int, default=1_000, help="documents checked (default 1000)")
    parser.add_argument("--txn", type=int, default=50_000, help="documents per transaction")
    parser.add_argument("--cache-mb", type=float, default=256.0, help="SQLite page cache (MiB)")
    parser.add_argument("--no-text", action="store_true", help="build with store_text=False")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="index file (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the index file")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    args = parser.parse_args(argv)

    bases = load_bases(args.corpora)
    total = len(bases) + args.docs
    print(f"corpus: {len(bases):,} laws and news + {args.docs:,} generated = {total:,} documents")
    out = args.out or Path(tempfile.mkdtemp(prefix="neardup-index-")) / "scale.ndx"
    if out.exists():
        sys.exit(f"index_scale: error: {out} exists")
    half = args.check // 2
    keep: list[str] = []
    keep_every = max(args.docs // max(half, 1), 1)
    rss_start = current_mb()
    timer = GenerationTimer(corpus(bases, args.docs, args.seed, keep, keep_every))
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    added = 0
    with DuplicateIndex.create(out, store_text=not args.no_text, cache_mb=args.cache_mb) as index:
        while True:
            before = timer.count
            index.add(itertools.islice(timer, args.txn))  # one transaction, streamed
            if timer.count == before:
                break
            added = timer.count
            elapsed = time.perf_counter() - started
            in_add = elapsed - timer.seconds
            size = sum(_file_size(Path(str(out) + s)) for s in ("", "-wal"))
            print(
                f"  {added:>10,} docs  {elapsed:8.1f} s  in add {in_add:8.1f} s "
                f"{added / in_add:6.0f} docs/s  CPU {cpu_seconds() - cpu_started:8.1f} s  "
                f"RSS {current_mb():6.0f} MiB  file {size / 2**20:7.0f} MiB",
                flush=True,
            )
        build_seconds = time.perf_counter() - started
        in_add = build_seconds - timer.seconds
        info = index.info()

    rng = random.Random(args.seed + 1)
    texts = [text for _, _, text in bases]
    planted = [
        Document(f"check:dup{i}", donor_edit(rng, list(text), texts, 3))
        for i, text in enumerate(keep[:half])
    ]
    fresh = [
        Document(f"check:new{i}", variant(rng, texts, 40))
        for i in range(args.check - len(planted))
    ]
    batch = planted + fresh
    with DuplicateIndex.open(out, cache_mb=args.cache_mb) as index:
        size = index.info().size_bytes
        cold = time.perf_counter()
        report = index.query(batch)
        cold = time.perf_counter() - cold
        warm = time.perf_counter()
        index.query(batch)
        warm = time.perf_counter() - warm
    found = {p.a for p in report.pairs}
    true_copies = [
        d.id for d, original in zip(planted, keep, strict=False)
        if overlap(d.text, original).jaccard >= index.parameters.threshold
    ]
    recall = sum(1 for i in true_copies if i in found) / max(len(true_copies), 1)

    print()
    print(f"documents indexed      {info.documents:,} ({info.band_rows:,} band rows)")
    rate = info.documents / build_seconds
    per_doc = size / max(info.documents, 1)
    print(f"build                  {in_add:.1f} s in add(), {info.documents / in_add:,.0f} docs/s "
          f"({build_seconds:.1f} s, {rate:,.0f} docs/s with generating the corpus)")
    print(f"process CPU time       {cpu_seconds():.1f} s (user + system, whole run so far)")
    print(f"index size on disk     {size / 2**20:,.0f} MiB ({per_doc:,.0f} bytes/doc)")
    print(f"RSS                    start {rss_start:,.0f} MiB, peak {own_peak_mb():,.0f} MiB")
    print(f"check {len(batch):,} documents   {cold:.2f} s (first), {warm:.2f} s (again)")
    print(f"  candidates {report.counts.candidates:,}, pairs {len(report.pairs):,}; "
          f"{len(true_copies)} of the {len(planted)} edited copies have exact Jaccard >= "
          f"threshold, {recall:.1%} of them found")
    if not (args.keep or args.out):
        for suffix in ("", "-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
