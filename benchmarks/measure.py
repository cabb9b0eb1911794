"""Wall time, CPU time and peak memory of a command run in a fresh process.

Every benchmark that reports memory measures it here, one way. ``ru_maxrss`` is not used:
on Linux it carries a peak over across fork and exec (``exec`` records the old memory map's
high-water mark, and a child started by vfork shares its parent's map until then), so a
child started by a large parent reports the parent's size; ``RUSAGE_CHILDREN`` is the
largest of those values. What is right instead:

* :func:`own_peak_mb`: ``VmHWM`` of ``/proc/<pid>/status``, the high-water mark of one
  process's own memory map, which starts afresh at ``exec``;
* :func:`run_measured`: the command in a fresh process, the resident memory of the whole
  process tree (the process and its workers) summed and sampled every ``interval``
  seconds by a thread while the caller waits for the child (so wall time is exact), and
  the root's own ``VmHWM`` as last read; the peak is the larger of the two. A peak of the
  tree shorter than the interval can be missed; the root's cannot, unless the command ends
  before the first sample (a few milliseconds on a loaded machine): then it reads 0.
  A child that shares its parent's memory map (made by ``vfork`` or ``posix_spawn`` and
  not yet past its ``exec``, as the JVM starts every helper program: Hadoop's ``chmod``
  of each Parquet file it writes) is not counted: its resident memory *is* its parent's,
  and counting it doubled a Spark driver's size in one sample of a run
  (:func:`shares_memory`).

CPU time (user + system of the child and its waited-for descendants) comes from
``RUSAGE_CHILDREN``, which counts time correctly across fork.

Example:
    >>> import sys
    >>> done = run_measured([sys.executable, "-c", "import time; time.sleep(0.5); print('hi')"])
    >>> done.output, done.returncode, done.peak_mb > 1
    ('hi\\n', 0, True)
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import resource
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
"""The repository: benchmarks run the ``neardup`` of its ``src`` in their children."""


def own_peak_mb(pid: int | str = "self") -> float:
    """Peak resident memory of one process (``VmHWM``), MiB; 0.0 when it is not readable.

    Right across fork: the mark belongs to the process's own memory map, new at ``exec``.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}
"""The number of Linux's ``kcmp`` system call by machine (where it is not known, every
process of the tree is counted)."""

KCMP_VM = 1
"""``kcmp``'s question: do the two processes share one memory map?"""


def shares_memory(first: int, second: int) -> bool:
    """Whether processes ``first`` and ``second`` share one memory map (Linux ``kcmp``;
    False where it cannot be asked).

    Example:
        >>> shares_memory(os.getpid(), os.getpid()) == (platform.machine() in KCMP_SYSCALL)
        True
        >>> child = subprocess.Popen(["sleep", "5"])  # its own memory once past its exec
        >>> shares_memory(os.getpid(), child.pid)
        False
        >>> child.kill(); _ = child.wait()
    """
    number = KCMP_SYSCALL.get(platform.machine())
    libc = _libc()
    if number is None or libc is None:
        return False
    return bool(libc.syscall(number, first, second, KCMP_VM, 0, 0) == 0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, loaded once (the sampler asks for every process of every sample)."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def counted(tree: list[psutil.Process]) -> list[psutil.Process]:
    """The processes of ``tree`` (a root, then its descendants) whose memory is their own:
    a child sharing its parent's memory map is left out."""
    pids = {p.pid for p in tree}
    kept: list[psutil.Process] = []
    for process in tree:
        try:
            parent = process.ppid()
        except psutil.Error:
            continue
        if process is tree[0] or parent not in pids or not shares_memory(process.pid, parent):
            kept.append(process)
    return kept


def current_mb() -> float:
    """Resident memory of this process now, MiB."""
    return float(psutil.Process().memory_info().rss) / 2**20


def src_environment(**extra: str) -> dict[str, str]:
    """This environment with the repository's ``src`` first on ``PYTHONPATH`` (and ``extra``)."""
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


@dataclass(frozen=True)
class Measured:
    """What :func:`run_measured` saw of one command."""

    seconds: float  # wall time
    cpu_seconds: float  # user + system of the process and its waited-for descendants
    peak_mb: float  # peak resident memory of the process tree, MiB
    output: str  # its standard output
    returncode: int
    stopped: str | None = None  # why it was stopped (a limit), else None
    peak_parts: dict[str, float] = field(default_factory=dict)
    """The tree's peak sample by process, MiB: ``command`` (the process started), then the
    others summed by program name (e.g. ``java``, ``python``: a Spark driver's JVM and its
    Python workers)."""


class _Sampler(threading.Thread):
    """Samples the resident memory of a process tree until told to stop."""

    def __init__(self, child: subprocess.Popen[bytes], interval: float, limit_mb: float | None,
                 timeout: float | None) -> None:
        super().__init__(daemon=True)
        self.child, self.interval, self.limit_mb, self.timeout = child, interval, limit_mb, timeout
        self.process = psutil.Process(child.pid)
        self.done = threading.Event()
        self.peak_mb = self.root_peak_mb = 0.0
        self.peak_parts: dict[str, float] = {}
        self.stopped: str | None = None

    def run(self) -> None:
        started = time.perf_counter()
        while not self.done.is_set():
            try:
                tree = counted([self.process, *self.process.children(recursive=True)])
                sizes = [(p, p.memory_info().rss / 2**20) for p in tree]
                now = sum(size for _, size in sizes)
                if now > self.peak_mb:
                    self.peak_mb, self.peak_parts = now, _parts(sizes, self.process)
                self.root_peak_mb = max(self.root_peak_mb, own_peak_mb(self.child.pid))
            except psutil.Error:
                now = 0.0
            elapsed = time.perf_counter() - started
            over = self.limit_mb is not None and now > self.limit_mb
            if over or (self.timeout is not None and elapsed > self.timeout):
                self.stopped = (
                    f"stopped after {elapsed:.0f} s at {now / 1024:.1f} GB RSS (limits "
                    f"{(self.limit_mb or 0) / 1024:g} GB, {self.timeout or 0:.0f} s)"
                )
                self.child.kill()
                return
            self.done.wait(self.interval)


def _parts(sizes: list[tuple[psutil.Process, float]], root: psutil.Process) -> dict[str, float]:
    """Resident MiB by process: the root as ``command``, the others summed by program name
    (``python3.11`` counted as ``python``)."""
    parts: dict[str, float] = defaultdict(float)
    for process, size in sizes:
        try:
            name = "command" if process.pid == root.pid else process.name()
        except psutil.Error:
            name = "?"
        parts["python" if name.startswith("python") else name] += size
    return dict(parts)


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    *,
    interval: float = 0.2,
    max_rss_gb: float | None = None,
    timeout: float | None = None,
    stdout: Any = None,
    stderr: Any = None,
) -> Measured:
    """Run ``command`` in a fresh process and measure it (see the module docstring).

    Args:
        command: the program and its arguments.
        env: its environment (default: this one).
        interval: seconds between samples of the process tree's memory.
        max_rss_gb: kill it past this resident memory (the machine is shared).
        timeout: kill it past this many seconds.
        stdout: where its standard output goes (a file or ``subprocess.DEVNULL``); default:
            captured into :attr:`Measured.output`.
        stderr: where its standard error goes (default: this process's).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as captured:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, env=env, stdout=captured if stdout is None else stdout, stderr=stderr
        )
        limit = None if max_rss_gb is None else max_rss_gb * 1024
        sampler = _Sampler(child, interval, limit, timeout)
        sampler.start()
        child.wait()
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        captured.seek(0)
        output = captured.read().decode("utf-8", "replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    peak = max(sampler.peak_mb, sampler.root_peak_mb)
    return Measured(seconds, cpu, peak, output, child.returncode, sampler.stopped,
                    sampler.peak_parts)


def checked(done: Measured, what: str) -> Measured:
    """``done``, or SystemExit naming ``what`` when it failed or was stopped."""
    if done.stopped or done.returncode != 0:
        raise SystemExit(f"{what} {done.stopped or f'failed with exit code {done.returncode}'}")
    return done
