"""Parquet or JSON Lines files as a Spark DataFrame whose input order column follows the
order in which :func:`neardup.load_documents` reads the same files
(:func:`read_documents_spark`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .session import require_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

INPUT_ORDER = "_nd_input_order"
"""The column of :func:`read_documents_spark` that holds each row's input order."""

PARTITION_SHIFT = 33
"""``monotonically_increasing_id()`` puts the partition index above bit 33."""


def read_documents_spark(
    spark: SparkSession,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    id_col: str = "id",
    text_col: str = "text",
    file_format: str | None = None,
    all_columns: bool = False,
) -> DataFrame:
    """Parquet or JSON Lines files as ``(id_col, text_col, _nd_input_order)`` rows (with
    ``all_columns``, every column of the files and ``_nd_input_order``).

    ``_nd_input_order`` follows the order of ``paths``, then of the files of each path
    (sorted by name), then of the rows in each file, as :func:`neardup.load_documents` reads
    them. The format is taken from ``file_format`` (``"parquet"`` or ``"json"``) or the
    first path's suffix (``.parquet``/``.parq`` → Parquet, ``.jsonl``, ``.json``,
    ``.ndjson`` (optionally ``.gz``) → JSON Lines); a directory without a suffix is read as
    Parquet.

    Raises:
        InputError: no paths, an unknown format, or a column missing from the data.
    """
    require_spark()
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise InputError("no input paths given")
    fmt = file_format or _guess_format(str(items[0]))
    if fmt not in ("parquet", "json"):
        raise InputError(f"file_format must be 'parquet' or 'json' (got {fmt!r})")
    frames = []
    for index, item in enumerate(items):
        reader = spark.read.option("recursiveFileLookup", "true")
        raw = reader.parquet(str(item)) if fmt == "parquet" else reader.json(str(item))
        for role, name in (("id", id_col), ("text", text_col)):
            if name not in raw.columns:
                raise InputError(f"{item}: no {role} column {name!r} (columns: {raw.columns})")
        columns = [F.col(c) for c in raw.columns] if all_columns else [
            F.col(id_col), F.col(text_col)
        ]
        frames.append(raw.select(
            *columns, F.lit(index).alias("_nd_path"),
            F.col("_metadata.file_path").alias("_nd_file"),
        ))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame, allowMissingColumns=all_columns)
    rows = rows.withColumn("_nd_mono", F.monotonically_increasing_id())
    rows = rows.withColumn("_nd_part", F.shiftright("_nd_mono", PARTITION_SHIFT))
    # Each (path, file, partition) run of rows is contiguous and in file order inside its
    # partition; number the runs in (path, file name, partition) order, then rows by position.
    runs = (
        rows.select("_nd_path", "_nd_file", "_nd_part").distinct()
        .withColumn("_nd_run", F.row_number().over(
            Window.orderBy("_nd_path", "_nd_file", "_nd_part")
        ) - 1)
    )
    low_bits = (1 << PARTITION_SHIFT) - 1
    return (
        rows.join(F.broadcast(runs), ["_nd_path", "_nd_file", "_nd_part"])
        .select(
            *([c for c in rows.columns if not c.startswith("_nd_")] if all_columns
              else [id_col, text_col]),
            (F.shiftleft(F.col("_nd_run").cast("long"), PARTITION_SHIFT)
             + F.col("_nd_mono").bitwiseAND(F.lit(low_bits))).alias(INPUT_ORDER),
        )
    )


def _guess_format(path: str) -> str:
    """``"json"`` or ``"parquet"``, from a path's suffix."""
    name = path.lower().rstrip("/")
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "json"
    if name.endswith((".parquet", ".parq")) or not Path(name).suffix:
        return "parquet"
    raise InputError(f"{path}: cannot tell the format from the name; pass file_format")


