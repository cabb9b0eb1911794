"""Deterministic synthetic corpus from real text, with planted near-duplicates of known edits.

Base documents are about ``doc_chars`` characters (1,000 by default, varying ±30 %) of real
sentences drawn at random from the laws and news corpora (``../shared/corpora`` when present,
else the committed laws sample ``benchmarks/data/laws_sample.jsonl.gz``), grouped into
paragraphs of 2 to 6 sentences. Sentences are mixed across sources, so two base documents
share almost no 5-grams by chance.

A share ``dup_fraction`` of the documents are *planted copies* of an earlier base document
(chosen uniformly among the last ``window`` base documents, so one source may get several
copies), edited in one of these ways::

    substitute r   every character replaced with probability r (by a character of the text)
    insert r       after every character, with probability r, a character of the text
    delete r       every character deleted with probability r
    mixed r        the three above, each at r / 3
    move k         k paragraphs moved to other positions
    html           wrapped in HTML markup (tags, attributes, entities, <br>)

Output, JSON Lines (UTF-8, gzip when the name ends in .gz)::

    documents:     {"id": "g0000042", "text": ...}
                   {"id": ..., "text": ..., "source_id": "g0000017",
                    "edit": {"kind": "substitute", "rate": 0.05}}
    ground truth:  {"source_id": ..., "copy_id": ..., "edit": {...}, "jaccard": 0.83}

``jaccard`` is the exact character 5-gram Jaccard after neardup's default normalization
(HTML tags are then text; ``--no-jaccard`` skips it). Only (source, copy) pairs are listed;
two copies of one source are near-duplicates of each other too.

Two options make a corpus for containment search (both off by default; without them the
output is byte for byte what it was, since they draw from a random stream of their own):

``mutate_sentences`` (``--mutate-sentences R``)
    every base document has each character (line breaks aside) replaced with probability R
    by a character of the same document. At a million documents each real sentence is used
    about 50 times; mutated, two unrelated documents that drew the same sentence no longer
    share long verbatim runs (at 0.15 a run of 20 characters survives in one document with
    probability 0.04), so "copies" between unrelated documents do not arise by chance.
``partial_fraction`` (``--partial-fraction F``)
    a share F of the documents are *planted partial copies*: a host base document that
    appears nowhere else, with 30-70 % of the sentences of a source base document inserted
    (in the source's order or shuffled; as one block at a paragraph break or spread over the
    host's sentence breaks), each copied sentence lightly edited (``mixed`` at 0.025: about
    one character in 40). With partial copies on, half of the base documents can be the
    source of near-duplicate copies and the other half the source of partial copies, so no
    document is the source of both kinds. Documents and truth rows look like::

        {"id": ..., "text": ..., "source_id": ..., "edit": {"kind": "partial",
         "share": 0.45, "order": "shuffled", "placement": "spread"}}
        {"source_id": ..., "copy_id": ..., "edit": {...}, "jaccard": 0.21,
         "containment": 0.41, "source_in_copy": 0.41, "copy_in_source": 0.17}

    ``share`` is the share of the source's sentences copied; ``containment`` the exact
    ``|S∩C| / min(|S|, |C|)`` of the character 5-gram sets (neardup's normalization, as
    ``jaccard``), ``source_in_copy`` ``|S∩C| / |S|`` and ``copy_in_source`` ``|S∩C| / |C|``.
    With ``--no-jaccard`` none of these is computed.

Documents are written as they are made (memory holds one chunk and the window), and the
same arguments always give the same bytes (numpy PCG64 with ``seed``).

Usage::

    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 1000000 \\
        --out corpus.jsonl --truth truth.jsonl
    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 1000000 \\
        --out corpus.jsonl --truth truth.jsonl --mutate-sentences 0.15 --partial-fraction 0.05
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from common import LAWS_SAMPLE, corpus_path, iter_jsonl
from edits import EDITS, SENTENCE_END, edit_text, mutate_text, partial_copy
from exact import overlap

CHUNK = 10_000
_MARKDOWN = re.compile(r"^[#>*\-\s]+")


def load_sentences(min_chars: int = 8) -> tuple[list[str], str]:
    """Real sentences of the laws and news corpora (or of the committed laws sample)."""
    paths = [p for p in (corpus_path("laws"), corpus_path("news")) if p is not None]
    label = "laws + news" if len(paths) == 2 else "laws" if paths else "laws sample"
    if not paths:
        paths = [LAWS_SAMPLE]
    sentences: list[str] = []
    for path in paths:
        for record in iter_jsonl(path):
            for piece in SENTENCE_END.split(record["text"]):
                piece = _MARKDOWN.sub("", piece).strip()
                if len(piece) >= min_chars:
                    sentences.append(piece)
    if not sentences:
        raise ValueError(f"no sentences found in {', '.join(p.name for p in paths)}")
    return sentences, label


@dataclass
class Stats:
    """What :func:`generate` wrote."""

    documents: int = 0
    copies: int = 0
    partials: int = 0
    characters: int = 0
    sentences: int = 0
    source: str = ""
    seconds: float = 0.0
    by_edit: dict[str, int] = field(default_factory=dict)


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=1)
    return open(path, "w", encoding="utf-8")


def _base_documents(
    sentences: list[str],
    lengths: npt.NDArray[np.int64],
    count: int,
    doc_chars: int,
    rng: np.random.Generator,
) -> Iterator[str]:
    """``count`` base documents of random sentences, about ``doc_chars`` characters each."""
    per_doc = max(4, int(2.5 * doc_chars / max(float(lengths.mean()), 1.0)) + 4)
    picks = rng.integers(len(sentences), size=(count, per_doc))
    targets = (doc_chars * rng.uniform(0.7, 1.3, size=count)).astype(np.int64)
    reach = np.cumsum(lengths[picks], axis=1)
    used = np.minimum((reach < targets[:, None]).sum(axis=1) + 1, per_doc)
    breaks = rng.integers(2, 7, size=(count, per_doc))
    if per_doc < 2:
        raise ValueError("internal: fewer than two sentences per document")
    for row in range(count):
        chosen = itemgetter(*picks[row, : used[row]].tolist())(sentences)
        paragraphs: list[str] = []
        start = 0
        for size in breaks[row].tolist():
            if start >= len(chosen):
                break
            paragraphs.append("".join(chosen[start : start + size]))
            start += size
        yield "\n".join(paragraphs)


def generate(
    out: Path,
    truth: Path | None,
    docs: int,
    *,
    doc_chars: int = 1000,
    dup_fraction: float = 0.1,
    window: int = 10_000,
    seed: int = 0,
    jaccard: bool = True,
    sentences: list[str] | None = None,
    progress: bool = False,
    mutate_sentences: float = 0.0,
    partial_fraction: float = 0.0,
) -> Stats:
    """Write ``docs`` documents to ``out`` and the planted pairs to ``truth``.

    Args:
        out: documents, JSON Lines (gzip when it ends in .gz).
        truth: planted (source, copy) pairs, JSON Lines; None to skip.
        docs: number of documents, copies included.
        doc_chars: mean length of a base document, in characters.
        dup_fraction: share of documents that are planted copies, in [0, 1).
        window: copies are made from one of the last ``window`` base documents.
        seed: the numpy RNG seed; the same arguments give the same output.
        jaccard: compute each planted pair's exact Jaccard for the truth file.
        sentences: the real sentences to draw from (default: :func:`load_sentences`).
        progress: print a line per 100,000 documents to stderr.
        mutate_sentences: replace each character of a base document (line breaks aside)
            with this probability (see the module docstring); 0 to keep the sentences.
        partial_fraction: share of documents that are planted partial copies; 0 for none.

    Returns:
        Counts of what was written.
    """
    if docs < 0:
        raise ValueError(f"docs must be >= 0 (got {docs})")
    if not 0.0 <= dup_fraction < 1.0:
        raise ValueError(f"dup_fraction must be in [0, 1) (got {dup_fraction})")
    if doc_chars < 1 or window < 1:
        raise ValueError("doc_chars and window must be >= 1")
    if not 0.0 <= mutate_sentences < 1.0:
        raise ValueError(f"mutate_sentences must be in [0, 1) (got {mutate_sentences})")
    if not 0.0 <= partial_fraction < 1.0 - dup_fraction:
        raise ValueError(
            f"partial_fraction must be in [0, 1 - dup_fraction) (got {partial_fraction})"
        )
    started = time.perf_counter()
    stats = Stats()
    if sentences is None:
        sentences, stats.source = load_sentences()
    else:
        stats.source = "given sentences"
    stats.sentences = len(sentences)
    lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    rng = np.random.default_rng(seed)
    # the options' own stream, so that without them the output stays what it was
    extra = np.random.default_rng([seed, 1])
    partial_odds = partial_fraction / (1.0 - dup_fraction)  # among the non-copies
    recent: list[tuple[str, str]] = []  # ring buffer of (id, text) of base documents
    partial_sources: list[tuple[str, str]] = []  # the same, for partial copies
    with _open(out) as doc_file, _open(truth) if truth else _null() as truth_file:
        for chunk_start in range(0, docs, CHUNK):
            count = min(CHUNK, docs - chunk_start)
            is_copy = rng.random(count) < dup_fraction
            edits = rng.integers(len(EDITS), size=count)
            bases = _base_documents(sentences, lengths, int((~is_copy).sum()), doc_chars, rng)
            is_partial = (
                extra.random(count) < partial_odds if partial_fraction else np.zeros(count, bool)
            )
            lines: list[str] = []
            truth_lines: list[str] = []
            for k in range(count):
                doc_id = f"g{chunk_start + k:07d}"
                record: dict[str, Any]
                if is_copy[k] and recent:
                    source_id, source_text = recent[int(rng.integers(len(recent)))]
                    kind, rate = EDITS[int(edits[k])]
                    text = edit_text(source_text, kind, rate, rng)
                    edit = {"kind": kind, "rate": rate} if kind != "html" else {"kind": kind}
                    record = {"id": doc_id, "text": text, "source_id": source_id, "edit": edit}
                    pair: dict[str, Any] = {"source_id": source_id, "copy_id": doc_id, "edit": edit}
                    if jaccard:
                        pair["jaccard"] = round(overlap(source_text, text).jaccard, 6)
                    truth_lines.append(json.dumps(pair, ensure_ascii=False))
                    stats.copies += 1
                    label = f"{kind} {rate}" if kind != "html" else kind
                    stats.by_edit[label] = stats.by_edit.get(label, 0) + 1
                else:
                    text = next(bases, None) or _extra_base(sentences, lengths, doc_chars, rng)
                    if mutate_sentences:
                        text = mutate_text(text, mutate_sentences, extra)
                    if is_partial[k] and partial_sources:
                        source_id, source_text = partial_sources[
                            int(extra.integers(len(partial_sources)))
                        ]
                        text, edit = partial_copy(text, source_text, extra)
                        record = {"id": doc_id, "text": text, "source_id": source_id, "edit": edit}
                        pair = {"source_id": source_id, "copy_id": doc_id, "edit": edit}
                        if jaccard:
                            o = overlap(source_text, text)
                            pair["jaccard"] = round(o.jaccard, 6)
                            pair["containment"] = round(o.containment, 6)
                            pair["source_in_copy"] = round(o.a_in_b, 6)
                            pair["copy_in_source"] = round(o.b_in_a, 6)
                        truth_lines.append(json.dumps(pair, ensure_ascii=False))
                        stats.partials += 1
                    elif partial_fraction and extra.random() < 0.5:
                        record = {"id": doc_id, "text": text}
                        partial_sources.append((doc_id, text))
                        if len(partial_sources) > window:
                            partial_sources.pop(int(extra.integers(len(partial_sources) - 1)))
                    else:
                        record = {"id": doc_id, "text": text}
                        recent.append((doc_id, text))
                        if len(recent) > window:
                            recent.pop(int(rng.integers(len(recent) - 1)))
                lines.append(json.dumps(record, ensure_ascii=False))
                stats.characters += len(text)
            doc_file.write("\n".join(lines) + "\n")
            if truth_file is not None and truth_lines:
                truth_file.write("\n".join(truth_lines) + "\n")
            stats.documents += count
            if progress and stats.documents % 100_000 < count and stats.documents >= 100_000:
                rate_now = stats.documents / (time.perf_counter() - started)
                print(f"{stats.documents:,} documents ({rate_now:,.0f}/s)", file=sys.stderr)
    stats.seconds = time.perf_counter() - started
    return stats


def _extra_base(
    sentences: list[str], lengths: npt.NDArray[np.int64], doc_chars: int, rng: np.random.Generator
) -> str:
    """A base document when a copy had no source yet (the very first documents)."""
    return next(_base_documents(sentences, lengths, 1, doc_chars, rng))


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--out", type=Path, required=True, help="documents (.jsonl or .jsonl.gz)")
    parser.add_argument("--truth", type=Path, help="planted pairs (.jsonl)")
    parser.add_argument("--doc-chars", type=int, default=1000)
    parser.add_argument("--dup-fraction", type=float, default=0.1)
    parser.add_argument("--window", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-jaccard", action="store_true", help="do not compute the planted pairs' exact Jaccard"
    )
    parser.add_argument(
        "--mutate-sentences",
        type=float,
        default=0.0,
        metavar="RATE",
        help="replace characters of base documents at this rate (e.g. 0.15; default 0: off)",
    )
    parser.add_argument(
        "--partial-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="share of documents that are planted partial copies (e.g. 0.05; default 0)",
    )
    args = parser.parse_args(argv)
    try:
        stats = generate(
            args.out,
            args.truth,
            args.docs,
            doc_chars=args.doc_chars,
            dup_fraction=args.dup_fraction,
            window=args.window,
            seed=args.seed,
            jaccard=not args.no_jaccard,
            progress=True,
            mutate_sentences=args.mutate_sentences,
            partial_fraction=args.partial_fraction,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(
        f"{stats.documents:,} documents ({stats.copies:,} planted copies"
        + (f", {stats.partials:,} partial copies" if stats.partials else "")
        + "), "
        f"{stats.characters / max(stats.documents, 1):,.0f} characters on average, from "
        f"{stats.sentences:,} sentences of {stats.source}, in {stats.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
