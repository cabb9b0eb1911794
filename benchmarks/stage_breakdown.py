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

from neardup import Corpus, Document, Parameters, find_duplicates
from neardup.core.exact import text_digests
from neardup.core.kernels import kernel_name
from neardup.core.lsh import band_keys
from neardup.core.minhash import minhash_flat, warm_up
from neardup.core.normalize import codepoints, map_packed, strip_packed
from neardup.engine.hashing_stage import hash_lines
from neardup.formats.json_report import render_json
from neardup.io.documents import parse_jsonl_line
from neardup.io.jsonl_fields import read_fields
from neardup.stages.hashing import BATCH_CHARS


def scan_stages(corpus: Path, workers: int) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds (CPU of this process: with one worker, of everything) of each
    stage of a scan; and the CPU seconds of the worker processes, all told."""
    events: dict[str, tuple[float, float]] = {}

    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def progress(stage: str, _: int) -> None:
        events.setdefault(f"first {stage}", now())
        events[f"last {stage}"] = now()

    before = os.times()
    started = now()
    report = find_duplicates(Corpus(corpus), workers=workers, progress=progress)
    found = now()
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "report.json").write_text(render_json(report), encoding="utf-8")
    ended = now()
    after = os.times()
    hashed = events["last read"]
    candidates = events.get("first candidates", hashed)
    verified = events.get("last verified", candidates)
    marks = [
        ("hashing (read, parse, normalize, sign)", started, hashed),
        ("candidates (LSH)", hashed, candidates),
        ("verification (re-read, exact Jaccard)", candidates, verified),
        ("report built", verified, found),
        ("report written (JSON)", found, ended),
        ("total", started, ended),
    ]
    out = {name: (b[0] - a[0], b[1] - a[1]) for name, a, b in marks}
    children = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    out["worker processes (CPU, all stages)"] = (float("nan"), children)
    out["pairs"] = (float(report.counts.pairs), 0.0)
    out["documents"] = (float(report.counts.documents), 0.0)
    return out


def step_costs(corpus: Path, sample: int) -> tuple[dict[str, float], int, int]:
    """Seconds of each hashing step over the first ``sample`` documents, their bytes and
    characters."""
    params = Parameters()
    options = params.normalize_options()
    warm_up()
    costs = dict.fromkeys(
        ["read", "parse", "encode", "parse + encode (compiled reader)", "strip markers",
         "normalize", "sign", "normalize + sign (fused)", "band keys", "digests",
         "all of a worker's batch (hash_lines)"], 0.0)
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
            clock = time.process_time()
            scratch.seek(0)
            scratch.read()
            costs["read"] += time.process_time() - clock
        clock = time.process_time()
        docs = [parse_jsonl_line(line, "x", "x", "id", "text", "title") for line in batch]
        texts = [d.text for d in docs if isinstance(d, Document)]
        costs["parse"] += time.process_time() - clock
        clock = time.process_time()
        joined = "".join(texts)
        sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        cps = codepoints(joined)
        costs["encode"] += time.process_time() - clock
        bounds = np.concatenate(([0], np.cumsum([len(line) for line in batch]))).astype(np.int64)
        if kernel_name() == "numba":
            clock = time.process_time()
            read_fields(data, bounds, "id", "text")
            costs["parse + encode (compiled reader)"] += time.process_time() - clock
        clock = time.process_time()
        linenos = np.arange(1, len(batch) + 1, dtype=np.int64)
        hash_lines(data, bounds, linenos, ("x", "x"), ("id", "text", "title"), params)
        costs["all of a worker's batch (hash_lines)"] += time.process_time() - clock
        total_chars += cps.size
        clock = time.process_time()
        stripped, sizes = strip_packed(cps, sizes, options, joined)
        costs["strip markers"] += time.process_time() - clock
        clock = time.process_time()
        flat, lengths, _ = map_packed(stripped, sizes)
        costs["normalize"] += time.process_time() - clock
        clock = time.process_time()
        minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        costs["sign"] += time.process_time() - clock
        clock = time.process_time()
        _, _, sigs = map_packed(stripped, sizes, (params.ngram, params.num_perm, params.seed))
        if sigs is None:  # the numpy path: no fused pass
            sigs = minhash_flat(flat, lengths, params.ngram, params.num_perm, params.seed)
        costs["normalize + sign (fused)"] += time.process_time() - clock
        clock = time.process_time()
        band_keys(sigs, params.banding)
        costs["band keys"] += time.process_time() - clock
        clock = time.process_time()
        text_digests(flat, lengths)
        costs["digests"] += time.process_time() - clock
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
    warm_up()
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
    print(f"\nthe scan ({stages.pop('documents')[0]:,.0f} documents, "
          f"{stages.pop('pairs')[0]:,.0f} pairs, {args.workers} workers, load "
          f"{os.getloadavg()[0]:.1f} after):")
    print("| stage | wall seconds | CPU seconds of the main process |")
    print("|---|---:|---:|")
    for stage, (wall, cpu) in stages.items():
        print(f"| {stage} | {wall:.1f} | {cpu:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
