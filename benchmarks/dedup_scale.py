"""What `neardup dedup` costs: its wall time and peak memory against `neardup scan
--no-passages` on the same JSON Lines file, and side by side with the dedup scripts users of
datasketch and rensa write.

Every run is a child process on a file warmed in the page cache (``scale.warm``); peak RSS
is that of the process and its workers (``measure.run_measured``). With ``--repeat N`` scan and dedup alternate (their order swapped from
turn to turn) and each one's fastest run counts.

The contenders (``--contenders``) are the scripts of those libraries' own examples, one
pass over the file that writes the kept lines:

* datasketch: ``MinHash(num_perm=128)`` of a document's character 5-grams (UTF-8), then
  ``MinHashLSH(threshold=0.7, num_perm=128)``: a document with any candidate among those
  kept so far is removed, otherwise inserted and written;
* rensa: ``RMinHash(128, seed=1)`` of the same shingles and
  ``RMinHashDeduplicator(0.7, 128, use_lsh=True, num_bands=32, seed=1)``: ``add`` says whether to
  keep it.

Both take the shingles of ``neardup.normalize_text(text)`` so that the three compare the
same documents; neither verifies its candidates, and both keep the first document of a
group (``--keep first``, neardup's default).

Usage::

    PYTHONPATH=src python benchmarks/dedup_scale.py CORPUS.jsonl --docs 1000000 --repeat 2
    PYTHONPATH=src python benchmarks/dedup_scale.py CORPUS.jsonl --docs 100000 --contenders
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from common import char_shingles, markdown_table
from measure import checked, run_measured, src_environment
from scale import head, warm

THRESHOLD = 0.7
NUM_PERM = 128


def datasketch_dedup(source: Path, out: Path) -> int:
    """The datasketch user's script; the number of documents removed."""
    from datasketch import MinHash, MinHashLSH

    from neardup import normalize_text

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    removed = 0
    with source.open("rb") as lines, out.open("wb") as kept:
        for number, line in enumerate(lines):
            record = json.loads(line)
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch([s.encode("utf-8") for s in
                            char_shingles(normalize_text(record["text"]))])
            if lsh.query(m):
                removed += 1
                continue
            lsh.insert(str(number), m)
            kept.write(line)
    return removed


def rensa_dedup(source: Path, out: Path) -> int:
    """The rensa user's script; the number of documents removed."""
    from rensa import RMinHash, RMinHashDeduplicator

    from neardup import normalize_text

    dedup = RMinHashDeduplicator(THRESHOLD, NUM_PERM, True, 32, seed=1)
    removed = 0
    with source.open("rb") as lines, out.open("wb") as kept:
        for number, line in enumerate(lines):
            record = json.loads(line)
            m = RMinHash(NUM_PERM, 1)
            m.update(char_shingles(normalize_text(record["text"])))
            if dedup.add(str(number), m):
                kept.write(line)
            else:
                removed += 1
    return removed


CONTENDERS = {"datasketch": datasketch_dedup, "rensa": rensa_dedup}


def neardup_command(command: str, corpus: Path, out: Path, workers: int) -> list[str]:
    if command == "scan":
        options = ["--no-passages", "--format", "jsonl", "-o", str(out)]
    else:
        options = ["-o", str(out)]
    return [sys.executable, "-m", "neardup", command, str(corpus), *options, "--quiet",
            "--workers", str(workers)]


def run(command: list[str], corpus: Path) -> tuple[float, float, str]:
    """Wall time, peak RSS (MB) and standard output of a command on a warmed corpus."""
    warm(corpus)
    done = checked(run_measured(command, src_environment()), " ".join(command[1:4]))
    return done.seconds, done.peak_mb, done.output


def removed_of(summary: str) -> int:
    """The number removed, from dedup's summary line."""
    return int(summary.split(" removed")[0].rsplit(" ", 1)[-1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--contenders", action="store_true",
                        help="also run the datasketch and rensa dedup scripts")
    parser.add_argument("--contender", nargs=3, metavar=("TOOL", "IN", "OUT"),
                        help=argparse.SUPPRESS)  # in the child process
    args = parser.parse_args()
    if args.contender:
        tool, source, out = args.contender
        print(json.dumps({"removed": CONTENDERS[tool](Path(source), Path(out))}))
        return
    if args.corpus is None:
        parser.error("give the corpus")
    with tempfile.TemporaryDirectory(dir=args.corpus.parent) as scratch:
        work = Path(scratch)
        corpus = work / "corpus.jsonl"
        head(args.corpus, args.docs, corpus)
        best: dict[str, tuple[float, float, int]] = {}
        for turn in range(args.repeat):
            order = ("scan", "dedup") if turn % 2 == 0 else ("dedup", "scan")
            for command in order:
                out = work / f"{command}.jsonl"
                seconds, peak, output = run(
                    neardup_command(command, corpus, out, args.workers), corpus
                )
                removed = removed_of(output) if command == "dedup" else 0
                print(f"turn {turn + 1}: {command} {seconds:.1f} s, {peak:,.0f} MB", flush=True)
                if command not in best or seconds < best[command][0]:
                    best[command] = (seconds, peak, removed)
                out.unlink()
        if args.contenders:
            for tool in CONTENDERS:
                out = work / f"{tool}.jsonl"
                command = [sys.executable, __file__, "--contender", tool, str(corpus), str(out)]
                seconds, peak, output = run(command, corpus)
                best[tool] = (seconds, peak, json.loads(output)["removed"])
                print(f"{tool}: {seconds:.1f} s, {peak:,.0f} MB", flush=True)
    scan_seconds, scan_peak, _ = best["scan"]
    rows = [
        [name, f"{s:.1f}", f"{s / scan_seconds:.2f}", f"{p:,.0f}", f"{p / scan_peak:.2f}",
         "" if name == "scan" else f"{r:,}"]
        for name, (s, p, r) in best.items()
    ]
    print(f"\n{args.docs:,} documents, {args.workers} workers, fastest of {args.repeat}\n")
    print(markdown_table(
        ["run", "seconds", "x scan", "peak RSS MB", "x scan", "removed"], rows
    ))


if __name__ == "__main__":
    main()
