"""Parquet or JSON Lines files as a Spark DataFrame whose input order column follows the
order in which :func:`neardup.load_documents` reads the same files
(:func:`read_documents_spark`)."""

from __future__ import annotations

import gzip
import json
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

    items, fmt = input_format(paths, file_format)
    frames = []
    for index, item in enumerate(items):
        fields = None if all_columns or fmt != "json" else (id_col, text_col)
        raw = _read(spark, str(item), fmt, fields)
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
    if one_local_file(items):
        # One file: Spark cuts it into splits in offset order, one partition each, so the
        # partition index then the row position is the file order; no pass to number runs.
        return rows.select(
            *([c for c in rows.columns if not c.startswith("_nd_")] if all_columns
              else [id_col, text_col]),
            F.col("_nd_mono").alias(INPUT_ORDER),
        )
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


def one_local_file(paths: Sequence[str | os.PathLike[str]]) -> bool:
    """Whether ``paths`` is one local file: Spark reads its splits as partitions in offset
    order, so partition index then row position is the file's order."""
    return len(paths) == 1 and "://" not in str(paths[0]) and os.path.isfile(paths[0])


def input_format(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    file_format: str | None = None,
) -> tuple[list[str | os.PathLike[str]], str]:
    """The paths as a list and the format they are read in (``"parquet"`` or ``"json"``),
    checked before any Spark session starts: a text file, or a directory of them, is an
    InputError of one line (the Spark engine reads Parquet and JSON Lines only).

    Raises:
        InputError: no paths, an unknown format, or text files.
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise InputError("no input paths given")
    fmt = file_format or _guess_format(str(items[0]))
    if fmt not in ("parquet", "json"):
        raise InputError(f"file_format must be 'parquet' or 'json' (got {fmt!r})")
    if file_format is None:
        for item in items[1:]:
            _guess_format(str(item))  # text files refused here, not by a Java trace
    return items, fmt


def _read(
    spark: SparkSession, path: str, fmt: str, fields: tuple[str, str] | None = None
) -> DataFrame:
    """The files of one path as a DataFrame, or InputError of one line. JSON Lines with
    ``fields`` (id and text) whose first record has both are read as those two string
    fields (a number given as id is read as its JSON text), without the pass over all the
    data that inferring a schema takes."""
    from pyspark.errors import AnalysisException

    reader = spark.read.option("recursiveFileLookup", "true")
    if fields is not None and _first_record_has(path, fields):
        reader = reader.schema(", ".join(f"`{name}` string" for name in fields))
    try:
        return reader.parquet(path) if fmt == "parquet" else reader.json(path)
    except AnalysisException as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot be read as {fmt}: {said}") from exc


def _first_record_has(path: str, fields: tuple[str, str]) -> bool:
    """Whether the first record of the first file of a local JSON Lines path has both
    fields (False when it cannot be told: a remote path, no record)."""
    if "://" in path:
        return False
    first = path
    if os.path.isdir(path):
        found = sorted(
            os.path.join(top, name) for top, dirs, names in os.walk(path) for name in names
            if not name.startswith(("_", "."))
        )
        if not found:
            return False
        first = found[0]
    try:
        opener = gzip.open if first.endswith(".gz") else open
        with opener(first, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    return isinstance(record, dict) and all(f in record for f in fields)
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return False


JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
TEXT_SUFFIXES = (".txt", ".md", ".text")


def _guess_format(path: str) -> str:
    """``"json"`` or ``"parquet"``, from a path's suffix, or for a local directory from the
    files in it."""
    if "://" not in path and os.path.isdir(path):
        return _directory_format(path)
    name = path.lower().rstrip("/")
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(JSON_SUFFIXES):
        return "json"
    if name.endswith(TEXT_SUFFIXES):
        raise InputError(_TEXT_FILES.format(path=path))
    if name.endswith((".parquet", ".parq")) or not Path(name).suffix:
        return "parquet"
    raise InputError(f"{path}: cannot tell the format from the name; pass file_format")




_TEXT_FILES = (
    "{path}: text files are not read by the Spark engine (it reads Parquet or JSON Lines "
    "with id and text fields); run the local engine, or convert them to JSON Lines first"
)


def _directory_format(path: str) -> str:
    """The format of the data files of a local directory (Spark's hidden ``_``/``.`` files
    aside)."""
    suffixes: set[str] = set()
    for _, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        for name in files:
            if name.startswith(("_", ".")):
                continue
            lower = name.lower().removesuffix(".gz")
            suffixes.add(Path(lower).suffix)
    if not suffixes:
        raise InputError(f"{path}: no files to read in this directory")
    if suffixes & {".parquet", ".parq"} or suffixes <= {""}:
        return "parquet"
    if suffixes & set(JSON_SUFFIXES):
        return "json"
    if suffixes & set(TEXT_SUFFIXES):
        raise InputError(_TEXT_FILES.format(path=path))
    raise InputError(
        f"{path}: no Parquet or JSON Lines files in this directory (found "
        f"{', '.join(sorted(s or 'no suffix' for s in suffixes))}); pass file_format"
    )
