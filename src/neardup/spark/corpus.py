"""A corpus stored as Parquet for checks on Spark (:func:`store_corpus_spark`), and opening
one (:func:`open_corpus`).

The directory holds what a check reads of each document, hashed once by the Spark hashing
stage (:func:`neardup.spark.udfs.hash_function`, the stages every engine shares)::

    DIR/neardup-corpus.json   {"format": "neardup-spark-corpus", "version": 1,
                               "created_by": "...", "parameters": {...},
                               "documents": N, "skipped": K}
    DIR/documents/   doc long (input order), id string, title string, text string (as
                     read), length long (its characters), fingerprints int (how many),
                     keys array<long> (band keys), prints array<int> (fingerprints)
    DIR/bands/       band int, key long, doc long      (one row per band of a document)
    DIR/fingerprints/ fingerprint int, doc long        (its distinct winnowed fingerprints)
    DIR/sampled/     value int, doc long  (with copies: its sampled 5-grams, as the copies
                     judgement hashes them; documents/ then has sampled_count int)
    DIR/grams/       value int, doc long  (with copies: its 4-grams, as the rewrite search
                     hashes them; documents/ then has grams_count int)

uint32 and uint64 values are stored in signed columns with the same bits, as in the Spark
pipeline. The parameters are the index parameters (those a SQLite index records:
:data:`neardup.stages.recorded.PARAMETER_NAMES`); containment and max_df are chosen by each
check, as with an index, since every document's fingerprints are kept; so are ``rewrite``
and ``formula_df`` in a corpus stored with ``copies`` (``"copies": true`` in the JSON file),
which a check with ``--preset copies`` needs (:mod:`neardup.stages.judged_query` reads its
``sampled`` and ``grams`` tables as it reads an index file's). Documents with
nothing left after normalization are not stored (counted in ``skipped``). The JSON file is
written last, into a directory renamed into place when complete: a directory without it is
not a corpus. Local directories only (the JSON file is read before any session starts).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import IndexFileError, InputError
from ..parameters import Parameters
from ..stages.recorded import (
    check_names,
    check_parameters,
    parameters_from,
    recorded_parameters,
)
from .inputs import ID, ORD, TEXT, check_ids
from .pipeline import spark_parameters
from .reading import INPUT_ORDER, input_format, read_documents_spark
from .session import get_session, require_spark, spark_errors
from .udfs import HASHED_SCHEMA, ArrowBatches, ArrowFunction, hash_function

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

FORMAT = "neardup-spark-corpus"
VERSION = 1
META = "neardup-corpus.json"
TABLES = {
    "documents": ("doc", "id", "title", "text", "length", "fingerprints", "keys", "prints"),
    "bands": ("band", "key", "doc"),
    "fingerprints": ("fingerprint", "doc"),
}
"""Each table of a corpus and the columns a check reads of it."""
COPIES_TABLES = {
    "sampled": ("value", "doc"),
    "grams": ("value", "doc"),
}
"""The tables of a corpus stored with ``copies``, and the columns a check reads of them
(``documents`` then has each one's ``NAME_count``: how many values a document holds)."""
COUNT = "{}_count"
"""The ``documents`` column of how many values a document holds in a copies table."""
TITLE = "title"
"""The column of a document's title in the rows :func:`corpus_function` takes."""


@dataclass(frozen=True)
class CorpusInfo:
    """What ``neardup-corpus.json`` records of a stored corpus."""

    path: str
    parameters: Parameters
    documents: int
    skipped: int
    created_by: str
    copies: bool = False
    """Whether it keeps what a check with the copies judgement and the rewrite search reads
    (stored with ``copies``)."""


def store_corpus_spark(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    master: str = "local[*]",
    id_col: str = "id",
    text_col: str = "text",
    title_col: str = "title",
    file_format: str | None = None,
    spark: SparkSession | None = None,
    copies: bool | None = None,
    **overrides: Any,
) -> CorpusInfo:
    """Hash the documents of Parquet or JSON Lines files on Spark and store what a check
    needs of them as Parquet under ``output_dir`` (a new local directory; see the module's
    docstring for its layout).

    ``title_col``: the column (JSON Lines field) stored as each document's title, when
    the input has it as a string column. The parameters are taken as by
    :func:`~neardup.spark.scan_spark`; those each check
    chooses (``containment``, ``max_df``, ``rewrite``, ``formula_df``) are refused, as
    :meth:`neardup.index.DuplicateIndex.create` refuses them. ``copies``: also keep what a
    check with the copies judgement and the rewrite search (``--preset copies``) reads, each
    document's sampled shingles and 4-grams (by default when ``preset="copies"``).

    Raises:
        ParameterError: an unknown or out-of-range parameter, or one chosen per check.
        InputError: ``output_dir`` exists (and is not empty) or is remote; unreadable input.
        DuplicateIdError: an id occurs twice.
        SparkJobError: the Spark job failed.
    """
    check_names({k: v for k, v in overrides.items() if v is not None})
    parameters = spark_parameters(params, preset, **overrides)
    if copies is None:
        copies = parameters.rewrite is not None or parameters.formula_df is not None
    out = str(output_dir).rstrip("/")
    _check_new_directory(out)
    input_format(paths, file_format)
    require_spark()
    partial = f"{out}.partial"
    shutil.rmtree(partial, ignore_errors=True)  # left by a write that was killed
    try:
        with spark_errors():
            session = get_session(spark, master)
            counts = _write_tables(session, paths, partial, parameters,
                                   (id_col, text_col, title_col), file_format, copies)
        info = CorpusInfo(out, parameters, counts[0], counts[1], __version__, copies)
        with open(os.path.join(partial, META), "w", encoding="utf-8") as handle:
            json.dump(_meta(info), handle, ensure_ascii=False, indent=1)
        os.replace(partial, out)
        return info
    finally:
        if os.path.exists(partial):
            shutil.rmtree(partial, ignore_errors=True)


def _write_tables(
    spark: SparkSession, paths: Any, out: str, parameters: Parameters,
    columns: tuple[str, str, str], file_format: str | None, copies: bool,
) -> tuple[int, int]:
    """Write the tables under ``out`` (``columns``: the input's id, text and title
    columns; ``copies``: with ``sampled`` and ``grams``); the documents stored and
    skipped."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    id_col, text_col, title_col = columns
    raw = read_documents_spark(spark, paths, id_col=id_col, text_col=text_col,
                               file_format=file_format, all_columns=True)
    fields = {f.name: f.dataType for f in raw.schema.fields}
    title = (F.col(title_col) if isinstance(fields.get(title_col), StringType)
             else F.lit(None).cast("string"))
    if not isinstance(fields[text_col], StringType):
        raise InputError(f"text column {text_col!r} must be a string column "
                         f"(got {fields[text_col].simpleString()})")
    docs = raw.select(F.col(INPUT_ORDER).alias(ORD), F.col(id_col).cast("string").alias(ID),
                      F.col(text_col).alias(TEXT), title.alias(TITLE))
    check_ids(docs, ORD)
    hashing = replace(parameters, containment=1.0, rewrite=None, formula_df=None)
    if copies:  # any value: it only asks the hashing for the sampled shingles and 4-grams
        hashing = replace(hashing, rewrite=1.0, formula_df=2)
    hashed = docs.mapInArrow(
        corpus_function(hashing), f"{HASHED_SCHEMA}, text string, title string, chars long"
    ).where(F.col("skip").isNull())
    values = {"sampled": F.col("sampled"), "grams": F.col("rewrites")} if copies else {}
    if copies:  # hashed once: the documents and the tables of their values are written of it
        hashed = hashed.persist(StorageLevel.MEMORY_AND_DISK)
    hashed.select(
        F.col(ORD).alias("doc"), F.col(ID).alias("id"), "title", "text",
        F.col("chars").alias("length"), F.size("fingerprints").alias("fingerprints"),
        "keys", F.col("fingerprints").alias("prints"),
        *(F.size(column).alias(COUNT.format(name)) for name, column in values.items()),
    ).sortWithinPartitions("doc").write.parquet(f"{out}/documents")
    for name, column in values.items():
        hashed.select(F.explode(column).alias("value"), F.col(ORD).alias("doc")).write.parquet(
            f"{out}/{name}")
    hashed.unpersist()
    stored = spark.read.parquet(f"{out}/documents")
    stored.select(F.posexplode("keys").alias("band", "key"), "doc").select(
        F.col("band").cast("int"), "key", "doc"
    ).write.parquet(f"{out}/bands")
    stored.select(F.explode("prints").alias("fingerprint"), "doc").write.parquet(
        f"{out}/fingerprints")
    total = int(docs.count())
    kept = int(stored.count())
    return kept, total - kept


def corpus_function(params: Parameters) -> ArrowFunction:
    """The ``mapInArrow`` function: ``(ord, id, text, title)`` → the rows of
    :func:`~neardup.spark.udfs.hash_function` (its fingerprints always computed), with the
    text, the title and the text's length in characters."""
    hashing = hash_function(params)

    def run(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            start = 0
            for hashed in hashing(iter([batch])):
                part = batch.slice(start, hashed.num_rows)
                start += hashed.num_rows
                texts = part.column(TEXT)
                chars = [len(t) if t is not None else 0 for t in texts.to_pylist()]
                yield pa.RecordBatch.from_arrays(
                    [*hashed.columns, texts.cast(pa.string()),
                     part.column(TITLE).cast(pa.string()), pa.array(chars, pa.int64())],
                    names=[*hashed.schema.names, "text", "title", "chars"],
                )

    return run


def _meta(info: CorpusInfo) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_by": info.created_by,
        "parameters": recorded_parameters(info.parameters),
        "documents": info.documents,
        "skipped": info.skipped,
        "copies": info.copies,
    }


def _check_new_directory(out: str) -> None:
    """Refuse a remote output, or one that exists (an empty directory aside).

    Raises:
        InputError: naming the output.
    """
    if "://" in out:
        raise InputError(f"{out}: a Parquet corpus is written to a local directory (or a "
                         "mounted one), not to a URI")
    if os.path.isdir(out) and not os.listdir(out):
        return  # replaced by the complete directory
    if os.path.lexists(out):
        raise InputError(f"{out}: already exists; a Parquet corpus is written to a new "
                         "directory (remove it or give another name)")


def open_corpus(path: str, expected: dict[str, Any] | None = None) -> CorpusInfo:
    """The stored corpus at ``path``: its ``neardup-corpus.json`` read and checked, its
    tables present, made with the ``expected`` parameters (those given; others are the
    corpus's). Reads no Parquet and starts no session.

    Raises:
        IndexFileError: no such directory, not a neardup Parquet corpus, an unknown
            version, a table missing, or other parameters (each in one line naming
            ``path``).
        ParameterError: an unknown or out-of-range expected parameter, or one chosen per
            check.
    """
    path = path.rstrip("/") or path
    check_names(expected or {})
    if not os.path.isdir(path):
        what = "is not a directory" if os.path.exists(path) else "no such directory"
        raise IndexFileError(f"{path}: {what}; a Parquet corpus is the directory written by "
                             "`neardup index create --engine spark DIR PATH...`")
    meta = os.path.join(path, META)
    try:
        with open(meta, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise IndexFileError(f"{path}: not a neardup Parquet corpus (no {META}; an "
                             "interrupted write leaves none)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFileError(f"{meta}: damaged Parquet corpus: cannot read it ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexFileError(f"{meta}: not a neardup Parquet corpus (no \"format\": "
                             f"\"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise IndexFileError(f"{meta}: Parquet corpus version {data.get('version')!r} is not "
                             f"supported (expected {VERSION})")
    try:
        parameters = parameters_from(dict(data["parameters"]))
        copies = data.get("copies", False)
        if not isinstance(copies, bool):
            raise TypeError(f"copies is {copies!r}, not true or false")
        info = CorpusInfo(path, parameters, int(data["documents"]), int(data["skipped"]),
                          str(data.get("created_by")), copies)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFileError(f"{meta}: damaged Parquet corpus: {exc}") from None
    for table in [*TABLES, *(COPIES_TABLES if info.copies else ())]:
        if not os.path.isdir(os.path.join(path, table)):
            raise IndexFileError(f"{path}: damaged Parquet corpus: no {table}/ table")
    if expected:
        check_parameters(path, parameters, expected)
    return info
