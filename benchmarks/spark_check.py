"""The check of a batch on Spark against a Parquet corpus, against the same check on the
SQLite index of the same documents: the same pairs (every figure), counts and exit status?
And how long each takes.

Run (not collected by pytest), once both stores of one corpus exist::

    neardup index create i.ndx && neardup index add i.ndx corpus.jsonl
    neardup index create --engine spark corpus.parquet corpus.jsonl
    (with --copies: ``index create --preset copies`` for both)
    PYTHONPATH=src python benchmarks/spark_check.py corpus.jsonl i.ndx corpus.parquet \\
        --work /tmp/spark_check

The batch (``--work``/batch.jsonl, made once): 500 edited copies of corpus documents (one in
2,000, a sentence dropped and 2% of the characters replaced by random CJK characters) and
500 new documents of ``generate_corpus.py`` (another seed). Each check runs as the command
line (``neardup check``, JSON report) for Jaccard and for ``--containment 0.3``, and on the
500 new documents alone (exit 0 expected); with ``--copies`` (both stores made with
``--preset copies``) also ``--preset copies``, whose pairs must agree in every field (the
judgement's figures and reasons) and whose pairs set apart must be the same. The script
exits 1 on the first difference.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measure import REPO

COPIES, EVERY, CHANGED = 500, 2000, 0.02
CJK = [chr(c) for c in range(0x4E00, 0x9FA5)]


def make_batch(corpus: Path, out: Path) -> None:
    """The edited copies and the new documents (see the module)."""
    rng = random.Random(20261207)
    rows: list[dict[str, str]] = []
    with corpus.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % EVERY == 7 and len(rows) < COPIES:
                doc = json.loads(line)
                sentences = doc["text"].split("。")
                if len(sentences) > 3:
                    del sentences[rng.randrange(len(sentences))]
                text = [rng.choice(CJK) if rng.random() < CHANGED else c
                        for c in "。".join(sentences)]
                rows.append({"id": f"batch-copy-{len(rows):03d}-of-{doc['id']}",
                             "text": "".join(text)})
    generated = out.with_name("generated.jsonl")
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_corpus.py"), "--docs",
                    str(COPIES), "--out", str(generated), "--seed", "4242", "--no-jaccard",
                    "--dup-fraction", "0"], check=True)
    with generated.open(encoding="utf-8") as lines:
        rows += [{"id": f"batch-new-{k:03d}", "text": json.loads(line)["text"]}
                 for k, line in enumerate(lines)]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")


def checked(batch: Path, store: Path, spark: bool, extra: list[str],
            out: Path) -> tuple[int, float, dict[str, Any]]:
    """Exit status, wall time and JSON report of one ``neardup check``."""
    command = [sys.executable, "-m", "neardup", "check", str(batch), "--index", str(store),
               *extra, "-f", "json", "-o", str(out), "-q"]
    if spark:
        command[4:4] = ["--engine", "spark"]
    started = time.perf_counter()
    done = subprocess.run(command, stderr=subprocess.DEVNULL)
    return done.returncode, time.perf_counter() - started, json.loads(out.read_text())


def figures(report: dict[str, Any]) -> dict[tuple[str, str], tuple[float, ...]]:
    return {(p["a"], p["b"]): tuple(p.get(k) for k in ("jaccard", "containment", "a_in_b",
                                                       "b_in_a"))
            for p in report["pairs"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="the JSON Lines both stores were made of")
    parser.add_argument("index", type=Path, help="its SQLite index")
    parser.add_argument("parquet", type=Path, help="its Parquet corpus")
    parser.add_argument("--work", type=Path, default=Path("spark_check_work"))
    parser.add_argument("--copies", action="store_true",
                        help="also check with --preset copies (stores made with it)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    batch = args.work / "batch.jsonl"
    if not batch.exists():
        make_batch(args.corpus, batch)
    new = args.work / "new.jsonl"
    new.write_text("".join(batch.read_text(encoding="utf-8").splitlines(True)[COPIES:]),
                   encoding="utf-8")
    cases = [("jaccard", batch, []), ("containment 0.3", batch, ["--containment", "0.3"]),
             ("new documents only", new, [])]
    if args.copies:
        cases.append(("preset copies", batch, ["--preset", "copies"]))
    for name, checked_batch, extra in cases:
        runs = [checked(checked_batch, store, spark, extra,
                        args.work / f"{engine}.json")
                for engine, store, spark in (("sqlite", args.index, False),
                                             ("spark", args.parquet, True))]
        (code, seconds, local), (spark_code, spark_seconds, spark) = runs
        same = (code == spark_code and figures(local) == figures(spark)
                and local["counts"] == spark["counts"] and local["pairs"] == spark["pairs"]
                and local.get("set_apart") == spark.get("set_apart"))
        apart = f" ({len(local.get('set_apart') or [])} set apart)" if "set_apart" in local else ""
        print(f"{name}: SQLite exit {code}, {len(local['pairs'])} pairs{apart}, {seconds:.1f} s; "
              f"Spark exit {spark_code}, {len(spark['pairs'])} pairs, {spark_seconds:.1f} s; "
              f"{'the same pairs, figures and counts' if same else 'DIFFERENT'}", flush=True)
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
