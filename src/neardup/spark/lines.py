"""JSON Lines files on Spark read as lines and parsed in the Python workers, as the local
engine parses them (:func:`read_lines_spark`, :class:`JsonLines`).

Spark's own JSON reader parses every record in the JVM, and the texts then travel to the
Python workers that hash them; at a million documents (3 GB) that took 14 s of the hashing
pass, and the pass that reads the candidates' texts again parsed every record once more.
Read as lines, the records reach the workers as raw bytes and are parsed there by the local
engine's own code (the numba reader of :mod:`neardup.io.jsonl_fields`, else
:func:`~neardup.io.documents.parse_jsonl_line`), so a scan on Spark reads what the local
engine reads: a blank or malformed line, a record without the text field are skipped with
the local reason, and a record without an id is named ``file:line`` as locally (the line
numbers are counted after the hashing pass, only when some record needs one).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._types import I64, U32
from ..core.arrays import pieces_of, starts_of
from ..core.kernels import kernel_name, load_numba
from ..core.normalize import codepoints, from_codepoints
from ..errors import InputError
from ..io.documents import (
    LINES_WITHOUT_RECORD,
    Document,
    parse_jsonl_line,
    text_field_not_found,
)
from ..io.jsonl_fields import read_fields, unread_fields
from ..parameters import Parameters
from ..report import Skipped
from ..stages.hashing import BATCH_DOCS, hash_packed
from ..stages.intake import skip_reason
from .inputs import ID, ORD, TEXT
from .reading import (
    PARTITION_SHIFT,
    input_files,
    input_format,
    is_remote,
    numbered,
    one_local_file,
    ordered_runs,
)
from .udfs import (
    HASHED_SCHEMA,
    SETS_SCHEMA,
    ArrowBatches,
    ArrowFunction,
    hashed_rows,
    set_rows,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

LINE = "_nd_line"
"""The column of a line's bytes, as read from its file."""

UNNAMED = "\x00neardup: no id\x00"
"""What a record without an id is called in the workers, before it is named ``file:line``
(a record whose id is this very string is named so too)."""

NEWLINE = b"\n"
"""Put back at the end of each line before parsing: Spark's lines come without it, the
local engine's with it, and a malformed line's message counts it. (The last line of a file
without a final newline is the one exception: there the two messages differ.)"""


@dataclass(frozen=True)
class JsonLines:
    """JSON Lines files as ``(_nd_ord, _nd_line)`` rows in input order (the order of
    :func:`~neardup.spark.reading.read_documents_spark`), with what naming a record without
    an id needs."""

    frame: DataFrame
    fields: tuple[str, str, str]
    """The id, text and title fields."""
    files: list[tuple[str, str]]
    """The files read, in input order: (path, name: what their records without an id are
    numbered under)."""
    file_of_run: dict[int, int] | None
    """Each run's file (its index in :attr:`files`; None: one file, whose runs are its
    splits)."""

    def hashed(self, params: Parameters, keep: Callable[[DataFrame], DataFrame]) -> DataFrame:
        """The rows of :data:`~neardup.spark.udfs.HASHED_SCHEMA` of every line (a line
        without a document is skipped with its reason), every id filled in.

        Raises:
            InputError: no record has the text field.
        """
        from pyspark.sql import functions as F

        hashed = keep(self.frame.mapInArrow(line_hash_function(params, self.fields),
                                            HASHED_SCHEMA))
        found = hashed.agg(
            F.count(F.when(F.col(ID).isNull(), 1)).alias("unnamed"),
            F.count(F.when(F.col("skip").isNull(), 1)).alias("documents"),
        ).first()
        assert found is not None
        if found["unnamed"]:
            named = keep(self._named(hashed))
            named.count()  # filled from the hashed rows before they go
            hashed.unpersist()
            hashed = named
        if not found["documents"]:
            self._check_text_field(hashed)
        return hashed

    def texts(self, needed: DataFrame, parts: int) -> DataFrame:
        """``(_nd_ord, _nd_text)`` of the lines whose order numbers are ``needed``, in
        ``parts`` partitions by order number."""
        texts = self._chosen(needed).mapInArrow(line_text_function(self.fields),
                                                f"{ORD} long, {TEXT} string")
        return texts.repartition(parts, ORD)

    def sets(self, needed: DataFrame, parts: int, params: Parameters,
             common: U32 | None) -> DataFrame:
        """The rows of :data:`~neardup.spark.udfs.SETS_SCHEMA` of the lines whose order
        numbers are ``needed``, in ``parts`` partitions by order number (moved once made:
        the joins to pairs then move the pairs only)."""
        sets = self._chosen(needed).mapInArrow(line_set_function(params, common, self.fields),
                                               SETS_SCHEMA)
        return sets.repartition(parts, ORD)

    def _chosen(self, needed: DataFrame) -> DataFrame:
        """The lines whose order numbers are ``needed`` (a broadcast semi-join in the JVM:
        the other lines never reach Python)."""
        from pyspark.sql import functions as F

        return self.frame.join(F.broadcast(needed), ORD, "left_semi")

    def _named(self, hashed: DataFrame) -> DataFrame:
        """``hashed`` with each record without an id named ``file:line``, as locally."""
        from pyspark.sql import functions as F

        low = (1 << PARTITION_SHIFT) - 1
        run = F.shiftright(ORD, PARTITION_SHIFT)
        counted = hashed.groupBy(run.alias("run")).agg(
            F.count("*").alias("lines"), F.min(F.col(ORD).bitwiseAND(F.lit(low))).alias("first")
        ).collect()
        bases: list[tuple[int, str, int, int]] = []
        seen: dict[int, int] = {}
        for row in sorted(counted, key=lambda r: r["run"]):
            file = 0 if self.file_of_run is None else self.file_of_run[int(row["run"])]
            before = seen.get(file, 0)
            seen[file] = before + int(row["lines"])
            bases.append((int(row["run"]), self.files[file][1], before, int(row["first"])))
        spark = hashed.sparkSession
        table = spark.createDataFrame(bases, "run long, name string, base long, first long")
        line = F.col("base") + F.col(ORD).bitwiseAND(F.lit(low)) - F.col("first") + 1
        named = F.when(F.col(ID).isNull(), F.concat(F.col("name"), F.lit(":"),
                                                      line.cast("string"))).otherwise(F.col(ID))
        return (
            hashed.join(F.broadcast(table), run == F.col("run"))
            .withColumn(ID, named)
            .select(*hashed.columns)
        )

    def _check_text_field(self, hashed: DataFrame) -> None:
        """The local engine's error when no record has the text field (every record
        without a document lacks it, or is a line without a record)."""
        from pyspark.sql import functions as F

        reason = F.col("skip")
        missing = reason.startswith(f"field {self.fields[1]!r} is missing")
        first = hashed.where(missing).orderBy(ORD).select(ID, "skip").first()
        if first is None:
            return
        other = reason.isNotNull() & ~missing
        for without in LINES_WITHOUT_RECORD:
            other = other & ~reason.startswith(without)
        if hashed.where(other).limit(1).count():
            return  # a record with the field, null or empty: the field is there
        name, line = str(first[0]).rsplit(":", 1)
        paths = {named: path for path, named in self.files}
        source = f"{paths.get(name, name)}:{line}"
        error = text_field_not_found(0, [Skipped(first[0], first[1], source)], self.fields[1])
        if error is not None:
            raise error


def read_lines_spark(
    spark: SparkSession,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    id_field: str = "id",
    text_field: str = "text",
    title_field: str = "title",
) -> JsonLines:
    """The lines of JSON Lines files (``.gz`` too) in input order, for a scan on Spark.

    Raises:
        InputError: no paths, or paths that are not JSON Lines.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    items, fmt = input_format(paths, None)
    if fmt != "json":
        raise InputError(f"{items[0]}: not JSON Lines (read_lines_spark reads JSON Lines)")
    files = input_files(items)
    reader = spark.read.option("lineSep", "\n")
    if any(is_remote(path) for path, _ in files):
        reader = reader.option("recursiveFileLookup", "true")
    try:
        raw = reader.text([path for path, _ in files])
    except AnalysisException as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{files[0][0]}: cannot be read: {said}") from exc
    rows = raw.select(F.col("value").cast("binary").alias(LINE),
                      F.col("_metadata.file_path").alias("_nd_file"),
                      F.monotonically_increasing_id().alias("_nd_mono"))
    fields = (id_field, text_field, title_field)
    if one_local_file(items):  # its splits in offset order: partition, then position
        return JsonLines(rows.select(F.col("_nd_mono").alias(ORD), LINE), fields, files, None)
    runs, read = ordered_runs(rows, files)
    frame = numbered(rows, runs, ORD).select(ORD, LINE)
    ordered = sorted(read.items(), key=lambda item: item[1][0])
    position = {uri: k for k, (uri, _) in enumerate(ordered)}
    named = [(uri, name) for uri, (_, name) in ordered]
    file_of_run = {run: position[uri] for run, (_, _, uri) in enumerate(runs)}
    return JsonLines(frame, fields, named, file_of_run)


def line_hash_function(params: Parameters, fields: tuple[str, str, str]) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, line)`` → the rows of
    :func:`~neardup.spark.udfs.hash_function`, one per line: its document hashed, or the
    reason it holds none (the id null when the record has none, named later)."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        load_numba()  # a pass over every document: worth the load, as for local workers
        for batch in batches:
            ords = batch.column(ORD).to_numpy(zero_copy_only=False)
            column = batch.column(LINE)
            for lo in range(0, len(column), BATCH_DOCS):
                part = column.slice(lo, BATCH_DOCS)
                ids, reasons, flat, sizes = parse_lines(*line_bytes(part), fields)
                hashes = hash_packed(flat, sizes, params)
                starts = starts_of(sizes)
                for k in np.flatnonzero(hashes.lengths == 0).tolist():
                    if reasons[k] is None:
                        text = from_codepoints(flat[starts[k] : starts[k] + sizes[k]])
                        reasons[k] = skip_reason(text)
                yield hashed_rows(ords[lo : lo + len(part)], pa.array(ids, pa.string()),
                                  hashes, reasons, params)

    return run


def line_text_function(fields: tuple[str, str, str]) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, line)`` → ``(ord, text)`` of lines that hold a
    document."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            texts = line_texts(batch.column(LINE), fields)
            yield pa.RecordBatch.from_arrays([batch.column(ORD), pa.array(texts, pa.string())],
                                             names=[ORD, TEXT])

    return run


def line_set_function(params: Parameters, common: U32 | None,
                      fields: tuple[str, str, str]) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, line)`` → the rows of
    :func:`~neardup.spark.udfs.set_function` of the lines' texts."""

    def run(batches: ArrowBatches) -> ArrowBatches:
        for batch in batches:
            yield set_rows(batch.column(ORD), line_texts(batch.column(LINE), fields), params,
                           common)

    return run


def line_texts(column: pa.Array, fields: tuple[str, str, str]) -> list[str | None]:
    """The text of each line of a binary column (None for a line without a document)."""
    texts: list[str | None] = []
    for raw in column.to_pylist():
        item = parse_jsonl_line(raw + NEWLINE, UNNAMED, UNNAMED, *fields)
        texts.append(item.text if isinstance(item, Document) else None)
    return texts


def line_bytes(column: pa.Array) -> tuple[bytes, I64]:
    """The bytes of an Arrow binary column's rows, joined, and the row bounds in them."""
    import pyarrow as pa

    wide = pa.types.is_large_binary(column.type)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[column.offset : column.offset + len(column) + 1].astype(np.int64)
    data = column.buffers()[2]
    size = int(offsets[-1] - offsets[0])
    joined = b"" if data is None or not size else data.slice(int(offsets[0]), size).to_pybytes()
    return joined, offsets - offsets[0]


def parse_lines(
    data: bytes, bounds: I64, fields: tuple[str, str, str]
) -> tuple[list[str | None], list[str | None], U32, I64]:
    """Each line's id (None: a record without one, or no record), the reason a line holds
    no record (else None), and the texts' code points with each line's length (0 for a
    line without a record), as :func:`neardup.engine.hashing_stage.hash_lines` reads
    them."""
    lines = max(bounds.size - 1, 0)
    compiled = kernel_name() == "numba"
    found = read_fields(data, bounds, *fields) if compiled else unread_fields(lines)
    ids = list(found.ids)
    reasons: list[str | None] = [None] * lines
    parsed: dict[int, U32] = {}
    ends = bounds.tolist()
    for k in np.flatnonzero(~found.read).tolist():
        item = parse_jsonl_line(data[ends[k] : ends[k + 1]] + NEWLINE, UNNAMED, UNNAMED, *fields)
        if isinstance(item, Skipped):
            reasons[k] = item.reason
            parsed[k] = _NONE
        else:
            ids[k] = item.id
            parsed[k] = codepoints(item.text)
    ids = [None if i == UNNAMED else i for i in ids]
    if not parsed:
        return ids, reasons, found.codepoints, found.lengths.astype(np.int64)
    pieces = pieces_of(found.codepoints, found.lengths)
    texts = [parsed[k] if k in parsed else pieces[k] for k in range(lines)]
    sizes = np.fromiter((t.size for t in texts), dtype=np.int64, count=lines)
    flat = np.concatenate(texts) if texts else _NONE
    return ids, reasons, flat.astype(np.uint32, copy=False), sizes


_NONE: U32 = np.empty(0, dtype=np.uint32)
