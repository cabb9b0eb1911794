"""neardup on Spark against the local engine on one generated corpus: wall time, peak
memory (the whole process tree: the Python driver, the JVM and its Python workers) and,
for Spark, the time of each stage read from Spark's event log.

Run (not collected by pytest), on a corpus of ``generate_corpus.py``::

    PYTHONPATH=src python benchmarks/generate_corpus.py --docs 100000 --out c100k.jsonl \\
        --no-jaccard
    PYTHONPATH=src python benchmarks/spark_scale.py c100k.jsonl --runs 3 \\
        --engines spark,local --old-src OLD/src --work /tmp/scale

Engines, each ``neardup`` of the command line in a fresh process under ``nice``, runs
alternated (``old``, ``spark``, ``local``, ``old``, ``spark``, ...), medians printed:

* ``local``: ``neardup scan -w 2 --no-passages -f json`` (the local engine);
* ``spark``: ``neardup scan --engine spark --spark-master local[2]`` of this ``src``;
* ``old``: the same command with the ``src`` of ``--old-src`` (an earlier checkout), when
  given;
* ``dedup-local``, ``dedup-spark``, ``dedup-old``: ``neardup dedup`` the same ways;
* any of them with ``@MEM`` (``spark@2g``): with ``SPARK_DRIVER_MEMORY=MEM``.

The Spark sessions are bound to loopback (``SPARK_LOCAL_IP``, ``spark.driver.host``,
``spark.driver.bindAddress``), write an event log under ``--work``, and get their other
settings from the code under test (no ``spark.sql.shuffle.partitions``, no driver memory
given here). Every run's pairs are compared with the first local run's: the same pairs
(ids) or the script stops.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from measure import REPO, Measured, run_measured

SPARK_CONF = (
    "--conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 "
    "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
    "--conf spark.eventLog.enabled=true --conf spark.eventLog.compress=false "
    "--conf spark.eventLog.dir={logs}"
)


def command(engine: str, corpus: Path, out: Path) -> list[str]:
    """The command line of one run (``engine@MEM``: the engine with that driver memory)."""
    engine = engine.split("@")[0]
    neardup = ["nice", sys.executable, "-m", "neardup"]
    if engine == "local":
        return [*neardup, "scan", str(corpus), "-w", "2", "--no-passages", "-f", "json",
                "-o", str(out), "-q"]
    if engine in ("spark", "old"):
        return [*neardup, "scan", str(corpus), "--engine", "spark", "--spark-master",
                "local[2]", "-o", str(out)]
    if engine == "dedup-local":
        return [*neardup, "dedup", str(corpus), "-w", "2", "-o", str(out), "-q"]
    return [*neardup, "dedup", str(corpus), "--engine", "spark", "--spark-master",
            "local[2]", "-o", str(out)]


def parts(done: Measured) -> str:
    """The peak's processes, largest first: ``java 2.08, python 0.95, command 0.17`` (GB)."""
    ordered = sorted(done.peak_parts.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{name} {mb / 1024:.2f}" for name, mb in ordered)


def run(engine: str, corpus: Path, work: Path, old_src: Path | None) -> tuple[Measured, Path]:
    """One measured run; the event log directory of a Spark run."""
    base, _, memory = engine.partition("@")
    src = old_src if base in ("old", "dedup-old") else REPO / "src"
    name = {"local": "report.json", "dedup-local": "result.jsonl"}.get(base, "result")
    out = work / f"out-{engine}" / name
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    logs = work / f"events-{engine}"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    env = {
        **os.environ, "PYTHONPATH": str(src), "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_SUBMIT_ARGS": SPARK_CONF.format(logs=logs) + " pyspark-shell",
    }
    if memory:
        env["SPARK_DRIVER_MEMORY"] = memory
    done = run_measured(command(engine, corpus, out), env, interval=0.1)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed with exit code {done.returncode}")
    return done, logs


def pairs_of(engine: str, work: Path) -> set[tuple[str, str]]:
    """The (a, b) ids of a scan's pairs."""
    out = work / f"out-{engine}"
    if engine == "local":
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        return {(p["a"], p["b"]) for p in report["pairs"]}
    import pyarrow.parquet as pq

    table = pq.read_table(out / "result" / "pairs")
    return set(zip(table.column("a").to_pylist(), table.column("b").to_pylist(), strict=True))


def kept_of(engine: str, work: Path) -> list[str]:
    """The ids a dedup kept, in the order written (Parquet part files in name order)."""
    if engine.startswith("dedup-local"):
        out = work / f"out-{engine}" / "result.jsonl"
        return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    out = work / f"out-{engine}" / "result"
    return [str(i) for i in pq.read_table(out, columns=["id"]).column("id").to_pylist()]


def stages(logs: Path) -> list[dict[str, Any]]:
    """Each completed stage of the event log: id, name (call site), wall seconds, task
    seconds (executor run time summed over tasks), tasks, shuffle bytes written."""
    files = sorted(p for p in logs.rglob("*") if p.is_file() and "appstatus" not in p.name)
    if not files:
        return []
    out: dict[int, dict[str, Any]] = {}
    task_time: dict[int, float] = defaultdict(float)
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        event = json.loads(line)
        kind = event.get("Event")
        if kind == "SparkListenerTaskEnd":
            metrics = event.get("Task Metrics") or {}
            task_time[event["Stage ID"]] += metrics.get("Executor Run Time", 0) / 1000
        elif kind == "SparkListenerStageCompleted":
            info = event["Stage Info"]
            written = sum(
                a.get("Value", 0) for a in info.get("Accumulables", [])
                if a.get("Name") == "internal.metrics.shuffle.write.bytesWritten"
            )
            out[info["Stage ID"]] = {
                "stage": info["Stage ID"], "name": info["Stage Name"],
                "wall": (info["Completion Time"] - info["Submission Time"]) / 1000,
                "tasks": info["Number of Tasks"], "shuffle_mb": written / 2**20,
            }
    for stage_id, row in out.items():
        row["task"] = task_time[stage_id]
    return [out[k] for k in sorted(out)]


def print_stages(logs: Path) -> None:
    """Each stage of a Spark run's event log, one line each."""
    for row in stages(logs):
        print(f"  stage {row['stage']:3d} {row['wall']:7.2f} s wall "
              f"{row['task']:7.2f} s tasks {row['tasks']:4d} tasks "
              f"{row['shuffle_mb']:7.1f} MB shuffled  {row['name'][:70]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="spark,local",
                        help="comma-separated: local, spark, old, dedup-local, dedup-spark, "
                             "dedup-old")
    parser.add_argument("--old-src", type=Path, default=None, help="src of the old code")
    parser.add_argument("--work", type=Path, default=Path("spark_scale_work"))
    parser.add_argument("--stages", action="store_true", help="print each Spark stage")
    parser.add_argument("--log", type=Path, help="only print the stages of this event log")
    args = parser.parse_args(argv)
    if args.log:
        print_stages(args.log)
        return 0
    engines = args.engines.split(",")
    times: dict[str, list[Measured]] = defaultdict(list)
    reference: set[tuple[str, str]] | None = None
    kept: list[str] | None = None
    for number in range(args.runs):
        for engine in engines:
            done, logs = run(engine, args.corpus, args.work, args.old_src)
            times[engine].append(done)
            print(f"run {number + 1} {engine}: {done.seconds:.1f} s, "
                  f"{done.peak_mb / 1024:.2f} GB ({parts(done)}); {done.output.strip()[-160:]}",
                  flush=True)
            if engine.startswith("dedup"):
                ids = kept_of(engine, args.work)
                if kept is None:
                    kept = ids
                elif ids != kept:
                    raise SystemExit(f"{engine}: {len(ids)} kept, not the same {len(kept)} "
                                     "in the same order as the first dedup")
            else:
                found = pairs_of(engine, args.work)
                if reference is None:
                    reference = found
                elif found != reference:
                    raise SystemExit(f"{engine}: {len(found)} pairs, not the same "
                                     f"{len(reference)} as the first scan")
            if args.stages and engine.split("@")[0] in ("spark", "old", "dedup-spark",
                                                         "dedup-old"):
                print_stages(logs)
    print("\nengine          wall (median)   peak memory (median)   runs")
    for engine, runs in times.items():
        wall = statistics.median(r.seconds for r in runs)
        peak = statistics.median(r.peak_mb for r in runs) / 1024
        print(f"{engine:15s} {wall:10.1f} s {peak:14.2f} GB         "
              + ", ".join(f"{r.seconds:.1f}" for r in runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
