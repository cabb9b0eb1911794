"""What every Spark job needs first: its optional dependencies, checked, and a session
sized to the machine; and the one-line error a failed Spark job becomes.

pyspark, pyarrow and pandas are imported only here and inside the functions that use them,
never when :mod:`neardup` or :mod:`neardup.spark` is imported.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import NeardupError, require

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPLITS_PER_CORE = 4
"""Input splits per core (``spark.sql.files.minPartitionNum``): every core hashes, and a
slow split does not leave the others idle."""

_SYMPTOMS = re.compile(r"NullPointerException|stopped SparkContext|has been shut down|"
                       r"SparkContext was shut down")
"""What Spark raises for a job once its context stopped, whatever stopped it."""

QUIET_LOG_LEVEL = "FATAL"
"""The console log level of a local session neardup starts, unless the user set up log4j."""

PROGRESS = "spark.ui.showConsoleProgress"
"""Spark's console progress bars (a line redrawn for every stage, on standard error)."""


def shows_progress(given: str | None, submit_args: str, terminal: bool) -> str | None:
    """What a session neardup starts sets :data:`PROGRESS` to: the bars on a terminal only
    (in a log or a CI job they are pages of partial lines), unless the user set it
    (``given``: its value in the Spark configuration; ``submit_args``:
    ``PYSPARK_SUBMIT_ARGS``), when None leaves it alone."""
    if given is not None or PROGRESS in submit_args:
        return None
    return "true" if terminal else "false"

TUNED = {
    # AQE sizes the shuffles' partitions from the data, also inside cached plans (the
    # default keeps a cached plan at spark.sql.shuffle.partitions, 200).
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "true",
}
"""SQL settings of a session neardup starts (any the user set are left as they are)."""


class SparkJobError(NeardupError, RuntimeError):
    """A Spark job failed (out of memory, a lost executor, an unreadable input): the message
    is one line, with the option to change when there is one."""


def require_spark() -> None:
    """Import pyspark, pyarrow and pandas, or raise :class:`MissingDependencyError` naming the
    ``neardup[spark]`` extra. pyspark's warning that it "does not yet fully support pandas
    >= 3.0.0" is silenced (in the process's warning filters): neardup passes Arrow batches,
    not pandas frames, and the warning printed twice a run on every console said nothing
    to act on."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        from pyspark.sql import functions  # noqa: F401
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "pyspark"
        require(missing, "spark")


def driver_memory(total_bytes: int) -> str:
    """The driver's heap for a local session on a machine of ``total_bytes``: a quarter of
    it, at least 1 GiB and at most 32 GiB (in local mode the driver's JVM runs every task).

    Example:
        >>> driver_memory(24 * 2**30), driver_memory(2 * 2**30)
        ('6g', '1g')
    """
    return f"{max(1, min(32, total_bytes // 4 // 2**30))}g"


HEAP_GIVEN_BACK = "-XX:GCTimeRatio=4 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
"""The local driver's garbage collector (G1) asked to grow the heap less eagerly and give
back what it does not use: a scan of 1,000,000 documents peaked at 4.24-4.54 GB with these
against 5.08-9.56 GB without, in the same time (docs/spark.md)."""

JAVA_OPTIONS = "spark.driver.extraJavaOptions"

PAGE_SIZE = "8m"
"""The size of the memory pages Spark's sorts, joins and aggregations take from a new local
session's heap (``spark.buffer.pageSize``; Spark's own choice is 64 MiB with a heap of a
few GiB). G1 holds each such page in regions of its own and reclaims them late: with 8 MiB
pages the JVM of a 1,000,000-document scan peaked about 0.4 GB lower in five runs, in the
same time (its peak wanders by as much from run to run: docs/spark.md)."""

PAGE_SIZE_KEY = "spark.buffer.pageSize"


def page_size(given: str | None, submit_args: str) -> str | None:
    """The page size a new local session gets: :data:`PAGE_SIZE`, unless the configuration
    (``given``) or ``PYSPARK_SUBMIT_ARGS`` sets one already (then None: it is the user's).

    Example:
        >>> page_size(None, ""), page_size("64m", "")
        ('8m', None)
        >>> page_size(None, "--conf spark.buffer.pageSize=2m pyspark-shell") is None
        True
    """
    if given is not None or PAGE_SIZE_KEY in submit_args or PAGE_SIZE_KEY in _spark_defaults():
        return None
    return PAGE_SIZE


def driver_java_options(given: str | None, submit_args: str) -> str | None:
    """The Java options a new local session's driver gets: :data:`HEAP_GIVEN_BACK`, unless
    the configuration (``given``), ``PYSPARK_SUBMIT_ARGS`` or ``spark-defaults.conf`` sets
    the driver's Java options already (then None: they are the user's).

    Example:
        >>> driver_java_options(None, "") == HEAP_GIVEN_BACK
        True
        >>> driver_java_options("-Xss4m", ""), driver_java_options(None, "--driver-java-options x")
        (None, None)
    """
    if given is not None or "java-options" in submit_args or JAVA_OPTIONS in submit_args:
        return None
    if JAVA_OPTIONS in _spark_defaults():  # spark-submit reads them; a --conf would win
        return None
    return HEAP_GIVEN_BACK


def _spark_defaults() -> str:
    """The text of ``spark-defaults.conf`` in Spark's configuration directory
    (``SPARK_CONF_DIR``, else ``SPARK_HOME/conf``), or nothing."""
    conf_dir = _conf_dir()
    if conf_dir is None:
        return ""
    try:
        with open(os.path.join(conf_dir, "spark-defaults.conf"), encoding="utf-8") as defaults:
            return defaults.read()
    except OSError:
        return ""


def _conf_dir() -> str | None:
    """Spark's configuration directory: ``SPARK_CONF_DIR``, else ``SPARK_HOME/conf``."""
    return os.environ.get("SPARK_CONF_DIR") or (
        os.path.join(os.environ["SPARK_HOME"], "conf") if os.environ.get("SPARK_HOME") else None
    )


def machine_memory() -> int:
    """The machine's physical memory in bytes (4 GiB when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 4 * 2**30


def get_session(spark: SparkSession | None, master: str) -> SparkSession:
    """``spark`` when given, else the active session or a new one on ``master`` (an existing
    session, e.g. under ``spark-submit``, is reused).

    A new local session's driver memory is sized to the machine (:func:`driver_memory`)
    unless ``SPARK_DRIVER_MEMORY`` or ``spark.driver.memory`` says otherwise, its driver's
    heap given back when unused (:func:`driver_java_options`) and taken in small pages
    (:func:`page_size`), and its Python
    workers run this Python unless ``PYSPARK_PYTHON`` or ``spark.pyspark.python`` says
    otherwise (the default, ``python3`` on the path, may lack pyarrow); its progress bars
    show on a terminal only (:func:`shows_progress`); the input is
    split :data:`SPLITS_PER_CORE` ways per core and the shuffles are sized by AQE
    (:data:`TUNED`), each unless set already.
    """
    if spark is not None:
        return spark
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("neardup")
    given = SparkConf()  # what spark-submit, PYSPARK_SUBMIT_ARGS and defaults set
    submit_args = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    if (
        master.startswith("local")
        and SparkSession.getActiveSession() is None
        and not os.environ.get("SPARK_DRIVER_MEMORY")
        and not given.contains("spark.driver.memory")
        and "driver-memory" not in submit_args and "spark.driver.memory" not in submit_args
    ):
        builder = builder.config("spark.driver.memory", driver_memory(machine_memory()))
    options = driver_java_options(given.get(JAVA_OPTIONS, None), submit_args)
    if master.startswith("local") and SparkSession.getActiveSession() is None and options:
        builder = builder.config(JAVA_OPTIONS, options)
    pages = page_size(given.get(PAGE_SIZE_KEY, None), submit_args)
    if master.startswith("local") and SparkSession.getActiveSession() is None and pages:
        builder = builder.config(PAGE_SIZE_KEY, pages)
    if (
        master.startswith("local")
        and not os.environ.get("PYSPARK_PYTHON")
        and not given.contains("spark.pyspark.python")
        and "spark.pyspark.python" not in submit_args
    ):  # the workers run here: in this Python, which has neardup, pyarrow and numpy
        os.environ["PYSPARK_PYTHON"] = sys.executable  # what pyspark's context reads
    progress = shows_progress(given.get(PROGRESS, None), submit_args, sys.stderr.isatty())
    if progress is not None:
        builder = builder.config(PROGRESS, progress)
    from pyspark import SparkContext

    created = SparkContext._active_spark_context is None  # not a context the user made
    session = builder.getOrCreate()
    if created and master.startswith("local") and not _logging_configured(
        session.sparkContext.getConf().get("spark.driver.extraJavaOptions", "") or "",
        submit_args,
    ):
        # In local mode the tasks log to this console: a failed task's Java stack trace
        # would bury the one-line error neardup prints (set up log4j to see them).
        session.sparkContext.setLogLevel(QUIET_LOG_LEVEL)
    conf = session.sparkContext.getConf()
    for key, value in TUNED.items():
        if not conf.contains(key):
            session.conf.set(key, value)
    if not conf.contains("spark.sql.files.minPartitionNum"):
        session.conf.set("spark.sql.files.minPartitionNum",
                         str(SPLITS_PER_CORE * session.sparkContext.defaultParallelism))
    return session


def _logging_configured(java_options: str, submit_args: str) -> bool:
    """Whether the user set up Spark's logging: a ``log4j2.properties`` in Spark's
    configuration directory (``SPARK_CONF_DIR``, else ``SPARK_HOME/conf``), or a log4j
    option in the driver's Java options (as the started session has them) or in
    ``PYSPARK_SUBMIT_ARGS``."""
    conf_dir = _conf_dir()
    if conf_dir and os.path.exists(os.path.join(conf_dir, "log4j2.properties")):
        return True
    return "log4j" in java_options or "log4j" in submit_args


def one_line(exc: BaseException) -> str:
    """What a Spark or Py4J exception says, in one line: a Python worker's exception
    (``ModuleNotFoundError: No module named 'pyarrow'``), else the first line of the Java
    exception (``java.lang.OutOfMemoryError: Java heap space``), else of its message.

    Example:
        >>> one_line(RuntimeError("Traceback (most recent call last):\\n  File x\\n"
        ...                       "ModuleNotFoundError: No module named 'pyarrow'\\n"))
        "ModuleNotFoundError: No module named 'pyarrow'"
    """
    text = str(exc).strip()
    python = re.findall(r"^(\w+(?:Error|Exception): [^\n]*)$", text, re.MULTILINE)
    found = re.search(r"((?:java|org|scala)\.[\w.$]+(?:Error|Exception)[^\n]*)", text)
    if python and "Traceback" in text:  # a Python worker failed: its own last line
        line = str(python[-1])
    elif found:
        line = found.group(1)
    else:
        line = (text.splitlines() or [type(exc).__name__])[0]
    return line if len(line) <= 300 else line[:297] + "..."


@contextmanager
def spark_errors() -> Iterator[None]:
    """Turn what a failed Spark job raises (a Py4J or PySpark exception, the JVM gone) into a
    :class:`SparkJobError` of one line that names what to change; neardup's own errors pass.
    Py4J's logging of a lost connection is silenced meanwhile."""
    import logging

    quiet = logging.getLogger("py4j")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        yield
    except NeardupError:
        raise
    except Exception as exc:
        if not _from_spark(exc):
            raise
        said = one_line(exc)
        if _driver_stopped():
            # what Spark raises once its context stopped is a symptom (a null scheduler, a
            # stopped context); anything else is said too
            said = "the Spark driver stopped while the job ran" + (
                "" if _SYMPTOMS.search(said) else f" ({said})")
        advice = ""
        if said.startswith("the Spark driver stopped") or "OutOfMemoryError" in said or (
            "Answer from Java side is empty" in str(exc) or "Connection refused" in str(exc)
        ):
            advice = ("; the Spark driver ran out of memory or died: give it more with "
                      "SPARK_DRIVER_MEMORY=16g (or spark.driver.memory) and run again")
        raise SparkJobError(f"the Spark job failed: {said}{advice}") from exc
    finally:
        quiet.setLevel(level)


def _driver_stopped() -> bool:
    """Whether the session's SparkContext stopped or its JVM is gone (a task that ran out of
    memory in local mode stops the context; the job then fails on a null scheduler)."""
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    if context is None or context._jsc is None:
        return False
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]

    try:
        return bool(context._jsc.sc().isStopped())
    except (Py4JError, ConnectionError):  # the JVM does not answer
        return True


def _from_spark(exc: BaseException) -> bool:
    """Whether ``exc`` comes from Spark or Py4J (not from neardup's own code)."""
    module = type(exc).__module__ or ""
    return module.startswith(("py4j", "pyspark")) or isinstance(exc, ConnectionError)
