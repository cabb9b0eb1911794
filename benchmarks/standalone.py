"""A Spark standalone cluster on loopback for a test or a benchmark: one master and one
worker started from the installed pyspark, waited for, measured while a job runs, and
stopped with every process they started.

pyspark's wheel ships ``bin/spark-class`` but not ``sbin/start-master.sh``, so the master
(``org.apache.spark.deploy.master.Master``) and the worker (``...worker.Worker``) are
started with ``spark-class``, each in a session of its own (a Ctrl-C meant for the caller
does not reach them; the caller's ``finally`` stops them), on free ports of 127.0.0.1
(``SPARK_LOCAL_IP`` too), with their logs, configuration and the worker's directory under
``work``. The master's REST submission server is off (it would take the fixed port 6066).
The worker counts as ready when the master's JSON page (``http://127.0.0.1:PORT/json/``)
lists it ``ALIVE``.

:class:`Standalone` remembers every process of the cluster it has seen (the executor the
worker starts for an application, and its Python workers), so :func:`stop_standalone`
ends them by id and :func:`left_over` can tell that none is left. Typical use::

    with standalone(work, cores=2, memory="4g", env=env) as cluster:
        run(["neardup", "scan", "docs.jsonl", "--engine", "spark",
             "--spark-master", cluster.master_url, "-o", "out"],
            env=driver_environment(env, executor_memory="4g"))
    assert not left_over(cluster)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
DAEMON_PROPERTIES = "spark.master.rest.enabled false\n"


def spark_home() -> Path:
    """The installed pyspark package, which holds ``bin/spark-class`` and ``jars/``."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_ports(count: int) -> list[int]:
    """``count`` different TCP ports of 127.0.0.1 free now (the kernel's choice; all held
    open together while chosen, so none is given twice).

    Example:
        >>> ports = free_ports(4)
        >>> len(set(ports)), all(1024 <= p <= 65535 for p in ports)
        (4, True)
    """
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((HOST, 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


@dataclass
class Standalone:
    """A running master and worker, and every process of the cluster seen so far."""

    master_url: str  # spark://127.0.0.1:PORT, for --spark-master
    web_url: str  # the master's web UI
    work: Path  # logs, configuration and the worker's directory
    master: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes] | None = None
    seen: dict[int, psutil.Process] = field(default_factory=dict)

    def roles(self) -> dict[str, list[psutil.Process]]:
        """The cluster's live processes now: ``master``, ``worker`` (the two JVMs) and
        ``executors`` (the worker's descendants: executor JVMs and their Python workers).
        Each is remembered in :attr:`seen`."""
        found: dict[str, list[psutil.Process]] = {"master": [], "worker": [], "executors": []}
        for role, popen in self.daemons():
            try:
                root = psutil.Process(popen.pid)
                found[role].append(root)
                found["executors" if role == "worker" else role] += root.children(recursive=True)
            except psutil.Error:
                continue
        for process in (p for group in found.values() for p in group):
            self.seen.setdefault(process.pid, process)
        return found

    def daemons(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        """The daemons started: ``("master", ...)`` and ``("worker", ...)`` once started."""
        started = [("master", self.master), ("worker", self.worker)]
        return [(name, popen) for name, popen in started if popen is not None]

    def wait_executors(self, timeout: float = 60) -> bool:
        """Wait until the worker has no executor left, whether it has: an application's
        executor ends a few seconds after its driver (when the master removes it), so the
        next job's would otherwise run beside it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(_running(p) for p in self.roles()["executors"]):
                return True
            time.sleep(0.2)
        return False

    def rss_mb(self) -> dict[str, float]:
        """Resident memory of each role now (:meth:`roles`), MiB."""
        sizes: dict[str, float] = {}
        for role, processes in self.roles().items():
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            sizes[role] = total / 2**20
        return sizes


def _daemon_environment(work: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    """The environment of the master and the worker: ``env`` (default: this one) bound to
    loopback, its Spark directories under ``work``."""
    conf = work / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "spark-defaults.conf").write_text(DAEMON_PROPERTIES, encoding="utf-8")
    return {
        **(os.environ if env is None else env),
        "SPARK_HOME": str(spark_home()),
        "SPARK_CONF_DIR": str(conf),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOG_DIR": str(work / "logs"),
        "SPARK_WORKER_DIR": str(work / "worker"),
        "PYSPARK_PYTHON": (env or os.environ).get("PYSPARK_PYTHON", sys.executable),
    }


def _launch(name: str, arguments: list[str], env: dict[str, str],
            work: Path) -> subprocess.Popen[bytes]:
    """``spark-class`` running one daemon in a session of its own, its output in
    ``work/NAME.log`` (``spark-class`` ends by exec-ing the JVM: the process is the JVM)."""
    with open(work / f"{name}.log", "ab") as log:
        return subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *arguments],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def master_state(web_url: str) -> dict[str, object] | None:
    """The master's JSON page (its state and workers), or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"{web_url}/json/", timeout=5) as page:
            state: dict[str, object] = json.loads(page.read().decode("utf-8"))
            return state
    except (OSError, urllib.error.URLError, ValueError):
        return None


def _wait(ready: str, cluster: Standalone, deadline: float) -> None:
    """Wait until the master is ``ALIVE`` (``ready="master"``) or lists an ``ALIVE`` worker;
    RuntimeError naming the log of a daemon that died, or the timeout."""
    while time.monotonic() < deadline:
        for name, popen in cluster.daemons():
            if popen.poll() is not None:
                log = cluster.work / f"{name}.log"
                tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise RuntimeError(f"the Spark {name} exited with code {popen.returncode} "
                                   f"(log: {log}): {tail[-1] if tail else 'no output'}")
        state = master_state(cluster.web_url)
        if state and state.get("status") == "ALIVE":
            workers = state.get("workers")
            alive = [w for w in workers if w.get("state") == "ALIVE"] if isinstance(
                workers, list) else []
            if ready == "master" or alive:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the Spark {ready} was not ready in time (logs in {cluster.work})")


def start_standalone(work: Path, *, cores: int = 2, memory: str = "4g",
                     env: Mapping[str, str] | None = None, timeout: float = 120) -> Standalone:
    """Start a master and one worker of ``cores`` and ``memory`` on 127.0.0.1 and wait until
    the worker is registered; both are stopped again when starting fails."""
    work.mkdir(parents=True, exist_ok=True)
    daemon_env = _daemon_environment(work, env)
    port, web, worker_port, worker_web = free_ports(4)
    master = _launch("master", [MASTER_CLASS, "--host", HOST, "--port", str(port),
                                "--webui-port", str(web)], daemon_env, work)
    cluster = Standalone(f"spark://{HOST}:{port}", f"http://{HOST}:{web}", work, master)
    deadline = time.monotonic() + timeout
    try:
        _wait("master", cluster, deadline)
        cluster.worker = _launch("worker", [
            WORKER_CLASS, "--host", HOST, "--port", str(worker_port), "--webui-port",
            str(worker_web), "--cores", str(cores), "--memory", memory, "--work-dir",
            str(work / "worker"), cluster.master_url], daemon_env, work)
        _wait("worker", cluster, deadline)
    except BaseException:
        stop_standalone(cluster)
        raise
    cluster.roles()
    return cluster


def stop_standalone(cluster: Standalone, timeout: float = 30) -> None:
    """Stop the worker, then the master (SIGTERM: the worker kills its executors), then
    SIGKILL whatever process of the cluster seen is still running after ``timeout``."""
    cluster.roles()
    for _name, popen in reversed(cluster.daemons()):
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(timeout)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
    remaining = [p for p in cluster.seen.values() if _running(p)]
    _gone, alive = psutil.wait_procs(remaining, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(alive, timeout=timeout)


def _running(process: psutil.Process) -> bool:
    """Whether ``process`` (the same process, not a reused id) runs and is not a zombie."""
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def left_over(cluster: Standalone) -> list[psutil.Process]:
    """The processes of the cluster still running: any seen, and any process whose command
    line names its master's port or its directory (a daemon started but never seen)."""
    port = cluster.master_url.rsplit(":", 1)[1]
    marks = (f"{HOST}:{port}", f"--port {port} ", str(cluster.work))
    found = {p.pid: p for p in cluster.seen.values() if _running(p)}
    for process in psutil.process_iter(["cmdline"]):
        line = " ".join(process.info["cmdline"] or []) + " "
        ours = "org.apache.spark" in line and any(mark in line for mark in marks)
        if ours and process.pid != os.getpid() and _running(process):
            found.setdefault(process.pid, process)
    return list(found.values())


@contextmanager
def standalone(work: Path, **options: object) -> Iterator[Standalone]:
    """:func:`start_standalone` with ``options``; the cluster is stopped on leaving, also on
    an error or Ctrl-C."""
    cluster = start_standalone(work, **options)  # type: ignore[arg-type]
    try:
        yield cluster
    finally:
        stop_standalone(cluster)


def driver_environment(env: Mapping[str, str], *,
                       executor_memory: str | None = None) -> dict[str, str]:
    """``env`` for a driver (``neardup ... --spark-master spark://...``) bound to loopback,
    without the web UI; its Python workers run this Python, its executor has
    ``executor_memory`` (default: Spark's, 1g; at most the worker's memory, or the job
    waits for resources).

    Example:
        >>> driver_environment({}, executor_memory="2g")["PYSPARK_SUBMIT_ARGS"].split()[-3:]
        ['--conf', 'spark.executor.memory=2g', 'pyspark-shell']
    """
    submit = (f"--conf spark.driver.host={HOST} --conf spark.driver.bindAddress={HOST} "
              "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false ")
    if executor_memory:
        submit += f"--conf spark.executor.memory={executor_memory} "
    submit += "pyspark-shell"
    return {**env, "SPARK_LOCAL_IP": HOST, "PYSPARK_SUBMIT_ARGS": submit,
            "PYSPARK_PYTHON": env.get("PYSPARK_PYTHON", sys.executable)}


class ClusterSampler(threading.Thread):
    """Samples the resident memory of the cluster's roles, of the caller's other child
    processes (the driver: ``neardup`` and its JVM) and of both together, every
    ``interval`` seconds until :meth:`stop`; the peaks in MiB in :attr:`peak`."""

    def __init__(self, cluster: Standalone, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.cluster, self.interval = cluster, interval
        self.done = threading.Event()
        self.peak: dict[str, float] = {}

    def sample(self) -> None:
        """One sample: each role, ``cluster`` (their sum), ``driver`` and ``total``."""
        sizes = self.cluster.rss_mb()
        ours = {p.pid for p in self.cluster.seen.values()}
        driver = 0
        for child in psutil.Process().children(recursive=True):
            if child.pid not in ours:
                try:
                    driver += child.memory_info().rss
                except psutil.Error:
                    continue
        sizes["cluster"] = sum(sizes.values())
        sizes["driver"] = driver / 2**20
        sizes["total"] = sizes["cluster"] + sizes["driver"]
        for name, size in sizes.items():
            self.peak[name] = max(self.peak.get(name, 0.0), size)

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.interval)

    def stop(self) -> dict[str, float]:
        """Stop sampling; the peaks."""
        self.done.set()
        self.join()
        return dict(self.peak)
