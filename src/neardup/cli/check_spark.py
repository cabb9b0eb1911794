"""``neardup check --engine spark``: the check against a corpus stored as Parquet
(:func:`neardup.spark.corpus_check.check_spark`), and ``neardup index create --engine
spark`` which stores one (:func:`neardup.spark.corpus.store_corpus_spark`)."""

from __future__ import annotations

import os
from typing import Any

import click

from ..errors import DuplicateIdError, NeardupError
from ..io.documents import Document
from ..report import DuplicateReport
from .inputs import InputReader
from .messages import fail
from .options import STDIN, InputSettings, QuerySettings

SPARK_ENGINE_HELP = (
    "Check here against an index file, or on Apache Spark against a corpus stored as "
    "Parquet (--index DIR, written by `neardup index create --engine spark DIR PATH...`, "
    "with --preset copies for a check with --preset copies; needs neardup[spark])."
)
CREATE_ENGINE_HELP = (
    "Create an empty index file here, or on Apache Spark store the documents of PATH... "
    "(Parquet or JSON Lines) as a Parquet corpus in the directory INDEX, for `neardup check "
    "--engine spark` (--preset copies or --copies: also for `check --preset copies`; needs "
    "neardup[spark])."
)


def check_spark_usage(index_path: str | None, add_after: bool) -> None:
    """Usage errors of ``check --engine spark`` (exit 2): it checks against a stored
    corpus (``--index DIR``) and adds nothing."""
    if not index_path:
        raise click.UsageError("--engine spark checks against a Parquet corpus: give it with "
                               "--index DIR (not --against)")
    if add_after:
        raise click.UsageError("--engine spark cannot --add: a Parquet corpus is written whole "
                               "by `neardup index create --engine spark`")


def query_spark(
    new_docs: list[Document], corpus_dir: str, parameters: dict[str, Any],
    query: QuerySettings, reader: InputReader, master: str,
) -> tuple[DuplicateReport, dict[str, str]]:
    """The report of the check of ``new_docs`` (read by ``reader``) against the Parquet
    corpus ``corpus_dir``, made with the parameter options given, and the texts of the
    stored documents met (exit 2 on any error)."""
    try:
        from ..spark.corpus_check import check_spark

        result = check_spark(new_docs, corpus_dir, expected=parameters,
                             containment=query.chosen_containment, max_df=query.max_df,
                             master=master, **query.judged())
    except DuplicateIdError as exc:
        fail(reader.duplicate_message(exc))
    except NeardupError as exc:
        fail(str(exc))
    return result.report, result.texts


def create_spark(
    corpus_dir: str, paths: tuple[str, ...], parameters: dict[str, Any],
    preset: str | None, inputs: InputSettings, master: str, copies: bool | None = None,
) -> str:
    """``index create --engine spark``: store the documents of ``paths`` as a Parquet
    corpus (``copies``: with what a check with the copies preset reads; None: with the
    copies preset); the summary line (exit 2 on any error)."""
    if not paths:
        raise click.UsageError("--engine spark stores documents: give INDEX (a new "
                               "directory) and the files, PATH...")
    if STDIN in paths:
        raise click.UsageError("--engine spark reads files, not standard input ('-')")
    try:
        from ..spark.corpus import store_corpus_spark

        info = store_corpus_spark(list(paths), corpus_dir, preset=preset, master=master,
                                  id_col=inputs.id_field, text_col=inputs.text_field,
                                  title_col=inputs.title_field, copies=copies, **parameters)
    except NeardupError as exc:
        fail(str(exc))
    kept = " with what --preset copies reads" if info.copies else ""
    return (f"stored {info.documents:,} documents ({info.skipped:,} skipped: nothing left "
            f"after normalization) as a Parquet corpus in {corpus_dir}{kept}")


def corpus_summary(corpus_dir: str) -> dict[str, Any]:
    """``index info`` of a Parquet corpus: what its ``neardup-corpus.json`` records, its
    tables and their size on disk (no Spark session; exit 2 when it is no corpus)."""
    from ..spark.corpus import COPIES_TABLES, FORMAT, TABLES, VERSION, open_corpus
    from ..stages.recorded import recorded_parameters

    try:
        info = open_corpus(corpus_dir)
    except NeardupError as exc:
        fail(str(exc))
    tables = [*TABLES, *(COPIES_TABLES if info.copies else ())]
    sizes = {table: _tree_size(os.path.join(info.path, table)) for table in tables}
    return {
        "corpus": info.path, "format": FORMAT, "version": VERSION,
        "created_by": info.created_by, "documents": info.documents, "skipped": info.skipped,
        "copies": info.copies, "table_bytes": sizes, "size_bytes": sum(sizes.values()),
        "parameters": recorded_parameters(info.parameters),
    }


def _tree_size(path: str) -> int:
    """The bytes of the files under ``path``."""
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names)
