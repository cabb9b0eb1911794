"""``neardup scan --engine spark`` on a standalone cluster (a master and a worker on loopback,
started and stopped here) gives the local engine's pairs and clusters (issue 28).

The cluster is started by ``benchmarks/standalone.py`` (as ``benchmarks/spark_standalone.py``
starts it at 100,000 documents), and the scan runs as a person types it, in a process of its
own: its driver is that process's JVM, its tasks run in the worker's executor. So this test
starts no session of its own (the ``spark`` fixture's ``local[2]`` session would be reused by
a scan run in this process); it reads the Parquet outputs with pyarrow.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import require_java

import neardup

pytestmark = [pytest.mark.spark, pytest.mark.slow]

pyspark = (
    importlib.import_module("pyspark") if os.environ.get("CI") else pytest.importorskip("pyspark")
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import src_environment  # noqa: E402
from spark_standalone import differences, local_answer, spark_answer  # noqa: E402
from standalone import (  # noqa: E402
    ClusterSampler,
    driver_environment,
    left_over,
    master_state,
    standalone,
)

LAWS_SAMPLE = ROOT / "tests" / "data" / "laws_sample.jsonl.gz"
SEED_PAIR = ("000_28473338c6d0f06c.txt#2", "000_28473338c6d0f06c.txt#11")


def test_scan_on_a_standalone_cluster_equals_the_local_scan(tmp_path: Path) -> None:
    require_java()
    seeds = tmp_path / "seeds.jsonl"  # Spark reads JSON Lines, not the seeds' text file
    seeds.write_text("".join(
        json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n"
        for d in neardup.load_documents(ROOT / "seeds")
    ), encoding="utf-8")
    inputs = [str(seeds), str(LAWS_SAMPLE)]
    neardup_cli = [sys.executable, "-m", "neardup", "scan", *inputs]
    env = src_environment()
    report = tmp_path / "local.json"
    subprocess.run([*neardup_cli, "--no-passages", "-f", "json", "-o", str(report), "-q"],
                   env=env, check=True, timeout=120)
    out = tmp_path / "spark"
    with standalone(tmp_path / "cluster", cores=2, memory="2g", env=env) as cluster:
        sampler = ClusterSampler(cluster, interval=0.5)
        sampler.start()
        done = subprocess.run(
            [*neardup_cli, "--engine", "spark", "--spark-master", cluster.master_url, "-o",
             str(out)], env=driver_environment(env), capture_output=True, text=True,
            timeout=300,
        )
        peaks = sampler.stop()
        state: Any = master_state(cluster.web_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "321 documents read" in done.stdout, done.stdout
    apps = [app["name"] for key in ("activeapps", "completedapps") for app in state[key]]
    assert apps == ["neardup"]  # the job ran on this master
    assert peaks["executors"] > 0 and len(cluster.seen) > 2  # and in its worker's executor
    local, spark = local_answer(report), spark_answer(out)
    assert SEED_PAIR in {p[:2] for p in local.pairs} and len(local.pairs) > 50
    assert differences(local, spark) == []
    assert spark == local
    assert left_over(cluster) == []
