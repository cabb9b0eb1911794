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
from urllib.parse import unquote, urlparse

from ..errors import InputError
from ..io.corpus import HIDDEN, Corpus
from ..io.documents import file_kind
from ..io.outputs import spark_part
from .session import require_spark

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

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
    (sorted by the parts of their paths: ``a/x.parquet`` before ``a-b.parquet``), then of
    the rows in each file, as :func:`neardup.load_documents` reads them; the reports and
    Spark scan outputs neardup wrote in a local directory are left out. The format is
    taken from ``file_format`` (``"parquet"`` or ``"json"``) or the first path's suffix
    (``.parquet``/``.parq`` → Parquet, ``.jsonl``, ``.json``, ``.ndjson`` (optionally
    ``.gz``) → JSON Lines); a directory without a suffix is read as Parquet.

    Raises:
        InputError: no paths, an unknown format, or a column missing from the data.
    """
    require_spark()
    from pyspark.sql import functions as F

    items, fmt = input_format(paths, file_format)
    if fmt == "parquet":
        return _parquet_rows(spark, items, id_col, text_col, all_columns)
    fields = None if all_columns else (id_col, text_col)
    # the files the local engine reads (a directory's JSON Lines files, the reports and
    # Spark outputs neardup wrote there left out), read at once and numbered in its order
    files = input_files(items)
    raw = _read(spark, [path for path, _ in files], fmt, fields)
    chosen = _selected(raw, files[0][0], id_col, text_col, all_columns)
    if one_local_file(items):  # its splits in offset order: partition, then position
        return chosen.withColumn(INPUT_ORDER, F.monotonically_increasing_id())
    rows = chosen.select("*", F.col("_metadata.file_path").alias("_nd_file"),
                         F.monotonically_increasing_id().alias("_nd_mono"))
    return numbered(rows, ordered_runs(rows, files)[0], INPUT_ORDER)


def _parquet_rows(spark: SparkSession, items: Sequence[str | os.PathLike[str]], id_col: str,
                  text_col: str, all_columns: bool) -> DataFrame:
    """Parquet inputs as :func:`read_documents_spark` gives them: each path read by Spark
    (a directory recursively, a glob, a URI; a Spark scan's output in a local directory
    left out: :func:`parquet_paths`), its rows numbered in path order, then in the local
    engine's order of the path's files (``a/x.parquet`` before ``a-b.parquet``), then by
    position. With ``all_columns``, files of different columns are read with all of them."""
    from pyspark.sql import functions as F

    frames = []
    for index, item in enumerate(items):
        raw = _read(spark, parquet_paths(str(item)), "parquet", merged=all_columns)
        frames.append(_selected(raw, str(item), id_col, text_col, all_columns).select(
            "*", F.lit(index).alias("_nd_path"), F.col("_metadata.file_path").alias("_nd_file"),
        ))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame, allowMissingColumns=all_columns)
    wanted = [c for c in rows.columns if not c.startswith("_nd_")] if all_columns else [
        id_col, text_col]
    rows = rows.withColumn("_nd_mono", F.monotonically_increasing_id())
    if one_local_file(items):
        # One file: Spark cuts it into splits in offset order, one partition each, so the
        # partition index then the row position is the file order; no pass to number runs.
        return rows.select(*map(quoted, wanted), F.col("_nd_mono").alias(INPUT_ORDER))
    part = F.shiftright("_nd_mono", PARTITION_SHIFT)
    found = rows.select("_nd_path", "_nd_file", part.alias("_nd_part")).distinct().collect()
    runs = sorted(((int(row[0]), file_order(str(row[1]))), int(row[2]), str(row[1]))
                  for row in found)
    return numbered(rows.select(*map(quoted, wanted), "_nd_file", "_nd_mono"), runs,
                    INPUT_ORDER)


def quoted(name: str) -> Column:
    """The column ``name`` as written (a name with a dot or a backtick is one column, not a
    path)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def parquet_paths(item: str) -> list[str]:
    """What Spark reads for one Parquet input: the path itself, or for a local directory
    that holds a Spark scan's output (:func:`~neardup.io.outputs.spark_part`) its other
    files (names Spark passes over aside: :data:`~neardup.io.corpus.HIDDEN`), so that the
    output is not read as data.

    Raises:
        InputError: such a directory holds nothing else.
    """
    if is_remote(item) or not os.path.isdir(item):
        return [item]
    found: list[str] = []
    left_out = False
    for top, dirs, names in os.walk(item):
        dirs[:] = sorted(d for d in dirs if not d.startswith(HIDDEN))
        for name in sorted(n for n in names if not n.startswith(HIDDEN)):
            path = os.path.join(top, name)
            if spark_part(Path(path)) is not None:
                left_out = True
            else:
                found.append(path)
    if not left_out:
        return [item]
    if not found:
        raise InputError(f"{item}: no Parquet files to read (only a neardup Spark scan's output)")
    return found


def file_order(uri: str) -> tuple[str, ...]:
    """A file's place among the files of its input, as the local engine orders them: by
    the parts of its path (``a/x.parquet`` before ``a-b.parquet``)."""
    return Path(unquote(urlparse(uri).path)).parts


def _selected(raw: DataFrame, where: str, id_col: str, text_col: str,
              all_columns: bool) -> DataFrame:
    """The id and text columns of ``raw`` (with ``all_columns``, every column), named as
    written (a name with a dot or a backtick is one column, not a path).

    Raises:
        InputError: the id or text column is missing.
    """

    for role, name in (("id", id_col), ("text", text_col)):
        if name not in raw.columns:
            raise InputError(f"{where}: no {role} column {name!r} (columns: {raw.columns})")
    names = raw.columns if all_columns else [id_col, text_col]
    return raw.select(*map(quoted, names))


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
    spark: SparkSession, every: list[str], fmt: str, fields: tuple[str, str] | None = None,
    *, merged: bool = False,
) -> DataFrame:
    """The files ``every`` (a directory or a remote path: the files under it) as one
    DataFrame, or InputError of one line. JSON Lines with ``fields`` (id and text) whose
    first record has both are read as those two string fields (a number given as id is
    read as its JSON text), without the pass over all the data that inferring a schema
    takes. ``merged``: Parquet files of different columns are read with all of them (Spark
    would otherwise take one file's columns, and a deduplication would drop the others'
    fields); columns of one name and different types are an InputError."""
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors import AnalysisException

    first = every[0]
    reader = spark.read.option("recursiveFileLookup", "true")
    if merged and fmt == "parquet":
        reader = reader.option("mergeSchema", "true")
    if fields is not None and _first_record_has(first, fields):
        reader = reader.schema(", ".join(f"`{name}` string" for name in fields))
    try:
        return reader.parquet(*every) if fmt == "parquet" else reader.json(every)
    except AnalysisException as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{first}: cannot be read as {fmt}: {said}") from exc
    except Py4JJavaError as exc:  # merging the files' schemas failed
        said = str(exc.java_exception.toString()).splitlines()[0]
        raise InputError(f"{first}: its Parquet files cannot be read together: {said}") from exc


def _first_record_has(first: str, fields: tuple[str, str]) -> bool:
    """Whether the first record of a local JSON Lines file has both fields (False when it
    cannot be told: a remote path, no record)."""
    if "://" in first:
        return False
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
    and the parts of an earlier Spark scan's output aside)."""
    suffixes: set[str] = set()
    for top, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(HIDDEN)]
        for name in files:
            if name.startswith(HIDDEN) or spark_part(Path(top, name)) is not None:
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


def input_files(items: Sequence[str | os.PathLike[str]]) -> list[tuple[str, str]]:
    """The JSON Lines files of ``items`` in input order with their names, as the local
    engine reads them (:class:`~neardup.io.corpus.Corpus`: a directory's JSON Lines files,
    the reports and Spark outputs neardup wrote there left out, in path order); a remote
    path stands for what Spark finds under it (its name: empty).

    Raises:
        InputError: a local file that is not JSON Lines (the Spark engine reads JSON Lines
            or Parquet) or that Spark passes over (a hidden name), or a directory without
            any.
    """
    files: list[tuple[str, str]] = []
    for item in items:
        if is_remote(str(item)):
            files.append((str(item), ""))
            continue
        within = Corpus([item]).files
        if not within:
            raise InputError(f"{item}: no JSON Lines files to read")
        for path, name in within:
            if file_kind(path) != "jsonl":
                raise InputError(
                    f"{path}: not JSON Lines; the Spark engine reads JSON Lines or Parquet "
                    "(convert it, or run the local engine)"
                )
            if path.name.startswith(HIDDEN):
                raise InputError(
                    f"{path}: Spark does not read a file whose name starts with '.' or '_' "
                    "(rename it, or run the local engine)"
                )
            files.append((str(path), name))
    return files


REMOTE = 1 << 32
"""Spacing of the sort keys of the inputs' files: the files found under a remote path
come at its place, by name."""


def read_files(files: list[tuple[str, str]], uris: list[str]) -> dict[str, tuple[int, str]]:
    """Each file Spark read (by its URI, ``uris`` sorted) with its sort key and name: a
    local file, its index in ``files`` and its name there; a file found under a remote
    path, after that path's place (its index times :data:`REMOTE`) by name, named by its
    path under it."""
    local = {os.path.abspath(path): k for k, (path, _) in enumerate(files) if not is_remote(path)}
    read: dict[str, tuple[int, str]] = {}
    for rank, uri in enumerate(uris):
        scheme = urlparse(uri).scheme
        path = os.path.abspath(unquote(urlparse(uri).path)) if scheme in ("", "file") else None
        if path is not None and path in local:
            read[uri] = (local[path] * REMOTE, files[local[path]][1])
            continue
        under = [(k, name) for k, (item, _) in enumerate(files) if is_remote(item)
                 if (name := _name_under(uri, item)) is not None]
        if not under:
            raise InputError(f"{uri}: read by Spark, but not among the inputs")
        k, name = under[0]
        read[uri] = (k * REMOTE + rank, name)
    return read


def _name_under(uri: str, item: str) -> str | None:
    """The path of the file ``uri`` under the input URI ``item`` (its name when it is the
    input itself), None when it is not under it. Compared as Spark writes URIs back: of the
    same scheme, percent-decoded, whatever the host (``file:///x`` is ``file:/x``,
    ``hdfs:///p`` is ``hdfs://nn:8020/p``).

    Example:
        >>> _name_under("file:/tmp/in/a%20b.jsonl", "file:///tmp/in"), _name_under(
        ...     "hdfs://nn:8020/p/x.jsonl", "hdfs:///p/x.jsonl")
        ('a b.jsonl', 'x.jsonl')
    """
    found, given = urlparse(uri), urlparse(item)
    path, root = unquote(found.path), unquote(given.path).rstrip("/")
    if found.scheme != given.scheme or not (path == root or path.startswith(root + "/")):
        return None
    return path[len(root):].lstrip("/") or path.rsplit("/", 1)[-1]


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URI (``hdfs://``, ``s3a://``...), not a local path."""
    return "://" in path




def ordered_runs(
    rows: DataFrame, files: list[tuple[str, str]]
) -> tuple[list[tuple[int, int, str]], dict[str, tuple[int, str]]]:
    """The runs of ``rows`` (``_nd_file``, ``_nd_mono``: one file's rows in one partition)
    in input order (``(sort key, partition, uri)``, sorted) and each file Spark read with
    its sort key and name (:func:`read_files`): the local engine's order of ``files``,
    then partition (a file's splits come in offset order)."""
    from pyspark.sql import functions as F

    part = F.shiftright("_nd_mono", PARTITION_SHIFT)
    found = rows.select("_nd_file", part.alias("_nd_part")).distinct().collect()
    read = read_files(files, sorted({str(row[0]) for row in found}))
    return sorted((read[str(row[0])][0], int(row[1]), str(row[0])) for row in found), read


def numbered(
    rows: DataFrame, runs: Sequence[tuple[object, int, str]], column: str
) -> DataFrame:
    """``rows`` with ``column``, each row's input order: its run's number (in ``runs``,
    ``(sort key, partition, uri)`` in input order) above :data:`PARTITION_SHIFT`, its
    position in the run below; ``_nd_file``, ``_nd_mono`` and ``_nd_part`` dropped."""
    from pyspark.sql import functions as F

    table = rows.sparkSession.createDataFrame(
        [(uri, part, run) for run, (_, part, uri) in enumerate(runs)],
        "_nd_file string, _nd_part long, _nd_run long",
    )
    low = (1 << PARTITION_SHIFT) - 1
    return (
        rows.withColumn("_nd_part", F.shiftright("_nd_mono", PARTITION_SHIFT))
        .join(F.broadcast(table), ["_nd_file", "_nd_part"])
        .withColumn(column, F.shiftleft("_nd_run", PARTITION_SHIFT)
                    + F.col("_nd_mono").bitwiseAND(low))
        .drop("_nd_file", "_nd_mono", "_nd_part", "_nd_run")
    )
