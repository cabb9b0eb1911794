"""datasketch's ``MinHashLSHEnsemble`` on the corpus of ``scale.py --containment``: time,
peak memory, recall of the planted partial copies and sampled precision.

For each size N it runs, in a fresh child process, on the first N documents of a corpus made
by ``generate_corpus.py --mutate-sentences R --partial-fraction F``:

1. sketches: each text normalized as neardup normalizes it (``neardup.normalize_text``), its
   character 5-gram set (its size is the set size LSH Ensemble needs) and its MinHash
   (``neardup.signatures``, 128 permutations, seed 1, handed over as ``LeanMinHash(...,
   scheme="affine32")``: bit-identical to ``datasketch.MinHash(scheme="affine32",
   hashfunc=neardup's shingle hash)``, and about 150x faster to make than datasketch's own,
   so this step flatters datasketch);
2. build: ``MinHashLSHEnsemble(threshold=C, num_perm=128, num_part=16, m=8)`` and
   ``index`` of every document (it must see them all at once, to choose its partitions);
3. query: every document is queried (``query(minhash, size)``: the indexed sets that
   contain at least C of the query set); every key returned but the query itself makes an
   unordered candidate pair.

LSH Ensemble's candidates are not verified: they are reported as they are. Wall time of the
three steps and the child's peak RSS (``VmHWM``, and the peak after the sketches: see
``measure.py``) are its own. The parent watches the child's RSS and stops it past ``--max-rss-gb`` (the machine is
shared), or past ``--timeout`` seconds, and says so.

Recall is over the planted partial copies (truth rows of kind ``partial``) whose exact
containment is at least C, and over the planted near-duplicates with exact Jaccard >= 0.7;
precision is over a random sample of the candidate pairs (``--sample``), each checked on
the texts (right: exact containment >= C or Jaccard >= 0.7, as ``scale.py`` counts).

Usage::

    PYTHONPATH=src python benchmarks/lsh_ensemble_scale.py corpus.jsonl truth.jsonl \\
        --sizes 100000 --containment 0.3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from measure import own_peak_mb, run_measured, src_environment
from scale import families, head, ids_of, is_partial, sampled_precision, warm

NUM_PERM = 128
SEED = 1
BATCH = 10_000


def worker(corpus: Path, containment: float, parts: int, out: Path) -> None:
    """Sketch, index and query every document of ``corpus``; the candidate pairs (document
    positions) to ``out`` (.npy) and the timings to ``out`` + .json."""
    from datasketch import LeanMinHash, MinHashLSHEnsemble

    from neardup import normalize_text, shingle_set, signatures

    signatures(["预热一下内核。"], NUM_PERM, SEED)  # load the kernel outside the timing
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    loaded = own_peak_mb()
    started = time.perf_counter()
    sketches: list[LeanMinHash] = []
    sizes: list[int] = []
    for start in range(0, len(texts), BATCH):
        normalized = [normalize_text(t) for t in texts[start : start + BATCH]]
        sizes += [int(shingle_set(t, 5).size) for t in normalized]
        for row in signatures(normalized, NUM_PERM, SEED, normalize=False):
            sketches.append(LeanMinHash(seed=SEED, hashvalues=row, scheme="affine32"))
    del texts
    sketched = time.perf_counter()
    after_sketches = own_peak_mb()
    print("phase: build", file=sys.stderr, flush=True)
    ensemble = MinHashLSHEnsemble(threshold=containment, num_perm=NUM_PERM, num_part=parts, m=8)
    ensemble.index([(i, m, n) for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)) if n])
    built = time.perf_counter()
    print("phase: query", file=sys.stderr, flush=True)
    found: list[np.ndarray] = []
    for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)):
        if not n:
            continue
        keys = np.fromiter(ensemble.query(m, n), dtype=np.int64)
        keys = keys[keys != i]
        if keys.size:
            found.append(np.minimum(keys, i) << 32 | np.maximum(keys, i))
    pairs = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    queried = time.perf_counter()
    np.save(out, np.stack([pairs >> 32, pairs & 0xFFFFFFFF], axis=1))
    Path(f"{out}.json").write_text(
        json.dumps(
            {
                "sketch_s": sketched - started,
                "build_s": built - sketched,
                "query_s": queried - built,
                "seconds": queried - started,
                "peak_rss_mb": own_peak_mb(),
                "after_load_mb": loaded,
                "after_sketches_mb": after_sketches,
                "partitions": [
                    [int(lo), int(hi)]
                    for lo, hi in zip(ensemble.lowers, ensemble.uppers, strict=True)
                    if lo is not None
                ],
            }
        ),
        encoding="utf-8",
    )


def run_child(
    part: Path, containment: float, parts: int, out: Path, max_rss_gb: float, timeout: float
) -> str | None:
    """Run :func:`worker` in a fresh process; None when it finished, else why it was stopped."""
    command = [sys.executable, __file__, "--worker", str(part), str(out), "--containment",
               str(containment), "--num-part", str(parts)]
    warm(part)
    done = run_measured(
        command, src_environment(), interval=0.5, max_rss_gb=max_rss_gb, timeout=timeout
    )
    if done.stopped:
        return done.stopped
    if done.returncode != 0:
        return f"failed with exit code {done.returncode}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path, help="generated corpus (JSON Lines)")
    parser.add_argument("truth", type=Path, help="its ground truth (or the output, with --worker)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--containment", type=float, default=0.3)
    parser.add_argument("--threshold", type=float, default=0.7, help="near-duplicate Jaccard")
    parser.add_argument("--num-part", type=int, default=16)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--max-rss-gb", type=float, default=12.0)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.corpus, args.containment, args.num_part, args.truth)
        return
    family = families(args.truth)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            part = Path(scratch) / f"head{size}.jsonl"
            head(args.corpus, size, part)
            os.sync()
            ids = [json.loads(line)["id"] for line in part.open(encoding="utf-8")]
            out = Path(scratch) / f"lshe{size}.npy"
            load = os.getloadavg()[0]
            stopped = run_child(
                part, args.containment, args.num_part, out, args.max_rss_gb, args.timeout
            )
            if stopped:
                print(f"{len(ids):,} docs: LSH Ensemble {stopped}; load {load:.1f}", flush=True)
                rows.append(f"| {len(ids):,} | not measured: {stopped} |")
                continue
            stats = json.loads(Path(f"{out}.json").read_text(encoding="utf-8"))
            positions = np.load(out)
            found = {frozenset((ids[a], ids[b])) for a, b in positions.tolist()}
            present = set(ids_of(part))
            hit = {"partial": 0, "near": 0}
            planted = {"partial": 0, "near": 0}
            with args.truth.open(encoding="utf-8") as handle:
                for line in handle:
                    row = json.loads(line)
                    if row["source_id"] not in present or row["copy_id"] not in present:
                        continue
                    if is_partial(row):
                        kind, ok = "partial", row["containment"] >= args.containment
                    else:
                        kind, ok = "near", row["jaccard"] >= args.threshold
                    if ok:
                        planted[kind] += 1
                        hit[kind] += frozenset((row["source_id"], row["copy_id"])) in found
            pairs = [(ids[a], ids[b]) for a, b in positions.tolist()]
            precision, sampled, planted_share = sampled_precision(
                pairs, part, family, args.threshold, args.containment, args.sample
            )
            recall_partial = hit["partial"] / max(planted["partial"], 1)
            recall_near = hit["near"] / max(planted["near"], 1)
            print(
                f"{len(ids):,} docs: {stats['seconds']:.1f} s (sketches {stats['sketch_s']:.1f}, "
                f"build {stats['build_s']:.1f}, query {stats['query_s']:.1f}), peak RSS "
                f"{stats['peak_rss_mb']:,.0f} MB (after sketches {stats['after_sketches_mb']:,.0f}),"
                f" load {load:.1f}; {len(pairs):,} candidate pairs; partial recall "
                f"{recall_partial:.4f} of {planted['partial']:,}, near-dup recall "
                f"{recall_near:.4f} of {planted['near']:,}, precision {precision:.4f} of "
                f"{sampled:,} (planted share {planted_share:.3f})",
                flush=True,
            )
            rows.append(
                f"| {len(ids):,} | {stats['seconds']:.1f} | {stats['sketch_s']:.1f} "
                f"| {stats['build_s']:.1f} | {stats['query_s']:.1f} "
                f"| {stats['peak_rss_mb']:,.0f} | {load:.1f} "
                f"| {recall_near:.4f} of {planted['near']:,} "
                f"| {recall_partial:.4f} of {planted['partial']:,} "
                f"| {precision:.4f} of {sampled:,} | {len(pairs):,} |"
            )
    print()
    print(
        "| documents | seconds | sketches s | build s | query s | peak RSS MB | load "
        f"| near-dup recall (J >= {args.threshold}) | partial recall (C >= "
        f"{args.containment}) | precision (sample) | candidate pairs |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
