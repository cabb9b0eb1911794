"""What every Spark job needs first: its optional dependencies, checked, and a session.

pyspark, pyarrow and pandas are imported only here and inside the functions that use them,
never when :mod:`neardup` or :mod:`neardup.spark` is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import require

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def require_spark() -> None:
    """Import pyspark, pyarrow and pandas, or raise :class:`MissingDependencyError` naming the
    ``neardup[spark]`` extra."""
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
        from pyspark.sql import functions  # noqa: F401
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "pyspark"
        require(missing, "spark")


def get_session(spark: SparkSession | None, master: str) -> SparkSession:
    """``spark`` when given, else the active session or a new one on ``master`` (an existing
    session, e.g. under ``spark-submit``, is reused)."""
    if spark is not None:
        return spark
    from pyspark.sql import SparkSession

    return SparkSession.builder.master(master).appName("neardup").getOrCreate()
