"""Where the time of a scan goes: stage by stage, against the floor of the machine.

Two measurements of one JSON Lines corpus:

1. The scan itself (``find_duplicates`` as ``neardup scan --no-passages`` runs it, then the
   JSON report written): wall time of each stage from the progress hook's events, i.e.
   hashing (read, parse, normalize and sign, in the worker processes), the candidate search
   (LSH), verification (re-reading and exact Jaccard of the candidates) and writing the
   report; and the CPU time of this process and of the workers (``os.times``).
2. The per-character cost of each step of a worker's hashing, measured in this process on
   the first ``--sample`` documents (one batch after another, as a worker hashes them):
   reading the bytes, parsing the JSON lines, encoding to code points, normalizing, signing
   (separately, and fused as the numba kernel does it), band keys and digests. Scaled to
   the corpus and divided by the workers, it says how the hashing stage's time splits.

Usage::

    PYTHONPATH=src python benchmarks/stage_breakdown.py corpus.jsonl --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from neardup import find_duplicates
from neardup.core.exact import text_digests
from neardup.core.lsh import band_keys
from neardup.core.minhash import kernel_name, minhash_flat, warm_up
from neardup.core.normalize import codepoints, map_packed, strip_packed
from neardup.formats.json_report import render_json
from neardup.io.corpus import Corpus
from neardup.io.documents import Document, parse_jsonl_line
from neardup.parameters import Parameters
from neardup.stages.hashing import BATCH_CHARS


def scan_stages(corpus: Path, workers: int) -> dict[str, float]:
    """Wall seconds of each stage of a scan, and CPU seconds here and in the workers."""
    events: dict[str, float] = {}
    started = time.perf_counter()
    before = os.times()

    def progress(stage: str, _: int) -> None:
        now = time.perf_counter()
        events.setdefault(f"first {stage}", now)
        events[f"last {stage}"] = now

    report = find_duplicates(Corpus(corpus), workers=workers, progress=progress)
    found = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "report.json").write_text(render_json(report), encoding="utf-8")
    ended = time.perf_counter()
    after = os.times()
    hashed = events["last read"]
    candidates = events.get("first candidates", hashed)
    verified = events.get("last verified", candidates)
    return {
        "hashing (read, parse, normalize, sign)": hashed - started,
        "candidates (LSH)": candidates - hashed,
        "verification (re-read, exact Jaccard)": verified - candidates,
        "report built": found - verified,
        "report written (JSON)": ended - found,
        "total": ended - started,
        "cpu here": (after.user + after.system) - (before.user + before.system),
        "cpu workers": (after.children_user + after.children_system)
        - (before.children_user + before.children_system),
        "pairs": float(report.counts.pairs),
        "documents": float(report.counts.documents),
    }


def step_costs(corpus: Path, sample: int) -> tuple[dict[str, float], int, int]:
    """Seconds of each hashing step over the first ``sample`` documents, their bytes and
    characters."""
    params = Parameters()
    options = params.normalize_options()
    warm_up()
    costs = dict.fromkeys(
        ["read", "parse", "encode", "strip markers", "normalize", "sign", "normalize + sign "
         "(fused)", "band keys", "digests"], 0.0)
    total_bytes = total_chars = 0
    with corpus.open("rb") as handle:
        lines = [line for _, line in zip(range(sample), handle, strict=False)]
    batches: list[list[bytes]] = [[]]
    size = 0
    for line in lines:
        batches[-1].append(line)
        size += len(line)
        if size >= BATCH_CHARS:
            batches.append([])
            size = 0
    warm = [parse_jsonl_line(line, "x", "x", "id", "text", "title") for line in batches[0]]
    map_packed(*strip_packed(*_packed(warm), options))  # fill the tables first
    for batch in batches:
        if not batch:
            continue
        data = b"".join(batch)
        total_bytes += len(data)
        with tempfile.TemporaryFile() as scratch:
            scratch.write(data)
            scratch.flush()
            clock = time.perf_counter()
            scratch.seek(0)
            scratch.read()
            costs["read"] += time.perf_counter() - clock
        clock = time.perf_counter()
        docs = [parse_jsonl_line(line, "x", "x", "id", "text", "title") for line in batch]
        texts = [d.text for d in docs if isinstance(d, Document)]
        costs["parse"] += time.perf_counter() - clock
        clock = time.perf_counter()
        joined = "".join(texts)
        sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        cps = codepoints(joined)
        costs["encode"] += time.perf_counter() - clock
        total_chars += cps.size
        clock = time.perf_counter()
        stripped, sizes = strip_packed(cps, sizes, options, joined)
        costs["strip markers"] += time.perf_counter() - clock
        clock = time.perf_counter()
        flat, lengths, _ = map_packed(stripped, sizes)
        costs["normalize"] += time.perf_counter() - clock
        clock = time.perf_counter()
        minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        costs["sign"] += time.perf_counter() - clock
        clock = time.perf_counter()
        _, _, sigs = map_packed(stripped, sizes, (params.ngram, params.num_perm, params.seed))
        if sigs is None:  # the numpy path: no fused pass
            sigs = minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        costs["normalize + sign (fused)"] += time.perf_counter() - clock
        clock = time.perf_counter()
        band_keys(sigs, params.banding)
        costs["band keys"] += time.perf_counter() - clock
        clock = time.perf_counter()
        text_digests(flat, lengths)
        costs["digests"] += time.perf_counter() - clock
    return costs, total_bytes, total_chars


def _packed(docs: list[Document | object]) -> tuple[np.ndarray, np.ndarray]:
    texts = [d.text for d in docs if isinstance(d, Document)]
    return codepoints("".join(texts)), np.array([len(t) for t in texts], dtype=np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20_000, help="documents timed step by step")
    parser.add_argument("--no-scan", action="store_true", help="only the per-step costs")
    args = parser.parse_args()
    print(f"kernel: {kernel_name()}; load {os.getloadavg()[0]:.1f}")
    costs, sample_bytes, sample_chars = step_costs(args.corpus, args.sample)
    corpus_bytes = args.corpus.stat().st_size
    scale = corpus_bytes / sample_bytes  # the corpus's characters, from its bytes
    print(f"\nper step, {args.sample:,} documents ({sample_chars / 1e6:.1f}M characters), "
          f"scaled to the corpus ({corpus_bytes / 1e9:.2f} GB) and {args.workers} workers:")
    print("| step | ns per character | seconds per worker at corpus scale |")
    print("|---|---:|---:|")
    for step, seconds in costs.items():
        print(f"| {step} | {seconds / sample_chars * 1e9:.1f} "
              f"| {seconds * scale / args.workers:.1f} |")
    if args.no_scan:
        return
    stages = scan_stages(args.corpus, args.workers)
    print(f"\nthe scan ({stages.pop('documents'):,.0f} documents, {stages.pop('pairs'):,.0f} "
          f"pairs, {args.workers} workers, load {os.getloadavg()[0]:.1f} after):")
    print("| stage | seconds |")
    print("|---|---:|")
    for stage, seconds in stages.items():
        print(f"| {stage} | {seconds:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
