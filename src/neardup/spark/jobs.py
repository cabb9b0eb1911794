"""The Spark jobs that read files and write Parquet, as the command line runs them
(``neardup scan --engine spark``, ``neardup dedup --engine spark``): :func:`scan_spark` and
:func:`dedup_spark`."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..io.corpus import Corpus
from ..io.outputs import SPARK_OUTPUTS
from ..parameters import Parameters
from ..stages.keeping import check_keep
from .dedup import deduplicated
from .lines import JsonLines, read_lines_spark
from .pipeline import find_duplicates_spark_result, spark_parameters
from .reading import INPUT_ORDER, input_format, one_local_file, read_documents_spark
from .session import get_session, require_spark, spark_errors

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def scan_spark(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    master: str = "local[*]",
    id_col: str = "id",
    text_col: str = "text",
    file_format: str | None = None,
    spark: SparkSession | None = None,
    passages: bool = False,
    **overrides: Any,
) -> dict[str, int]:
    """Read Parquet or JSON Lines documents, find near-duplicates on Spark, write Parquet.

    Writes ``pairs/``, ``clusters/`` and ``skipped/`` (Parquet, overwritten) under
    ``output_dir``, and with the copies judgement (``formula_df``, the ``copies`` preset's)
    ``set_apart/``: the pairs found that are not copies, with the reason. Uses ``spark``
    when given, else gets or creates a session on ``master`` (an existing session, e.g.
    under ``spark-submit``, is reused). The parameters are checked before any session
    starts.

    Args:
        paths: files or directories (see :func:`~neardup.spark.reading.read_documents_spark`).
        output_dir: directory (or ``hdfs://``/``s3a://`` URI) for the outputs.
        params: the parameters (:class:`neardup.Parameters`); None: those of ``preset``, or
            the defaults.
        preset: a named set of parameters, instead of ``params``.
        master: Spark master when a new session is created.
        id_col: id column of the input.
        text_col: text column of the input.
        file_format: ``"parquet"`` or ``"json"``; from the first path's suffix when None.
        spark: an existing session.
        passages: also the pairs' shared passages and, for a containment search, the copy
            ratios in ``copies/`` (``id, share, sources``).
        **overrides: parameters that replace those of ``params`` or ``preset``, as for
            :func:`~neardup.spark.pipeline.find_duplicates_spark`.

    Returns:
        Counts: ``documents``, ``skipped``, ``pairs``, ``clusters`` (documents in clusters
        are counted in ``clustered``), ``common_fingerprints`` (cut as boilerplate by a
        containment search; 0 without one); with the copies judgement also ``set_apart``
        and ``formula_shingles``, with a rewrite search ``common_rewrite_shingles``.

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: an unknown or out-of-range parameter, or one the Spark engine does
            not run (:func:`~neardup.spark.pipeline.spark_parameters`).
        InputError: unreadable input (see
            :func:`~neardup.spark.reading.read_documents_spark`).
    """
    parameters = spark_parameters(params, preset, **overrides)
    out = str(output_dir).rstrip("/")
    check_report_directory(out)
    check_inputs_kept(out, paths)
    check_outputs_replaceable(out)
    _, fmt = input_format(paths, file_format)
    require_spark()
    with spark_errors():
        spark = get_session(spark, master)
        # JSON Lines are parsed in the workers, as the local engine parses them
        docs: DataFrame | JsonLines = (
            read_lines_spark(spark, paths, id_field=id_col, text_field=text_col)
            if fmt == "json" else
            read_documents_spark(spark, paths, id_col=id_col, text_col=text_col,
                                 file_format=file_format)
        )
        result = find_duplicates_spark_result(
            docs, id_col, text_col, parameters, order_col=INPUT_ORDER, passages=passages
        )
        try:
            result.pairs.write.mode("overwrite").parquet(f"{out}/pairs")
            result.clusters.write.mode("overwrite").parquet(f"{out}/clusters")
            result.skipped.write.mode("overwrite").parquet(f"{out}/skipped")
            if result.set_apart is not None:
                result.set_apart.write.mode("overwrite").parquet(f"{out}/set_apart")
            if result.copies is not None:
                result.copies.write.mode("overwrite").parquet(f"{out}/copies")
            written = spark.read.parquet(f"{out}/clusters")
            assert result.hashed is not None
            judged = {} if result.set_apart is None else {
                "set_apart": int(spark.read.parquet(f"{out}/set_apart").count()),
                "formula_shingles": result.formula_shingles,
            }
            if parameters.rewrite is not None:
                judged["common_rewrite_shingles"] = result.common_rewrite_shingles
            return judged | {
                "documents": int(result.hashed.count()),
                "skipped": int(spark.read.parquet(f"{out}/skipped").count()),
                "pairs": int(spark.read.parquet(f"{out}/pairs").count()),
                "clusters": int(written.select("cluster_id").distinct().count()),
                "clustered": int(written.count()),
                "common_fingerprints": result.common_fingerprints,
            }
        finally:
            result.unpersist()


def dedup_spark(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    master: str = "local[*]",
    id_col: str = "id",
    text_col: str = "text",
    keep: str = "first",
    prefer: str | None = None,
    cluster_col: str | None = None,
    spark: SparkSession | None = None,
    **overrides: Any,
) -> dict[str, int]:
    """Read Parquet or JSON Lines records (every column), keep what
    :func:`~neardup.spark.dedup.deduplicate_spark` keeps, and write them as Parquet to
    ``output_dir`` (a local directory is written under a temporary name and renamed when
    complete).

    The arguments are those of :func:`scan_spark` and, for ``keep``, ``prefer`` and
    ``cluster_col``, of :func:`~neardup.spark.dedup.deduplicate_spark`; ``keep`` and the
    parameters are checked before any session starts.

    Returns:
        Counts: ``read`` and ``kept`` rows.

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: an unknown keep, an unknown or out-of-range parameter, or one the
            Spark engine does not run.
        InputError: unreadable input or a missing column.
    """
    check_keep(keep)
    parameters = spark_parameters(params, preset, **overrides)
    out = str(output_dir).rstrip("/")
    local = "://" not in out
    if local:
        check_new_output(out)
    items, _ = input_format(paths)
    require_spark()
    partial = f"{out}.partial" if local else out
    try:
        with spark_errors():
            spark = get_session(spark, master)
            rows = read_documents_spark(spark, paths, id_col=id_col, text_col=text_col,
                                        all_columns=True)
            kept, result = deduplicated(
                rows, id_col, text_col, parameters, keep=keep, prefer=prefer,
                cluster_col=cluster_col, order_col=INPUT_ORDER, in_order=one_local_file(items),
            )
            try:
                kept.drop(INPUT_ORDER).write.mode("overwrite").parquet(partial)
                assert result.hashed is not None
                read = int(result.hashed.count())
            finally:
                result.unpersist()
            if local:
                os.replace(partial, out)
            return {"read": read, "kept": int(spark.read.parquet(out).count())}
    finally:
        if local and os.path.exists(partial):
            shutil.rmtree(partial, ignore_errors=True)


REPORT_SUFFIXES = (".html", ".htm", ".json", ".csv", ".md", ".txt", ".xml", ".tsv")
"""Names of report files, not of the directory :func:`scan_spark` writes."""


def check_report_directory(out: str) -> None:
    """Refuse an output that is a file, or named like a report file (``report.html``):
    :func:`scan_spark` writes a directory of Parquet files, and ``-f html -o report.html``
    meant a report it does not write.

    Raises:
        InputError: naming the output and what is written instead.
    """
    name = out.rsplit("/", 1)[-1].lower()
    if name.endswith(REPORT_SUFFIXES):
        raise InputError(
            f"{out}: the Spark engine writes a directory of Parquet files (pairs/, clusters/, "
            "skipped/), not a report file; give a directory name with -o, or run the local "
            "engine for a text, JSON, CSV, Markdown or HTML report"
        )
    if "://" not in out and os.path.isfile(out):
        raise InputError(f"{out}: is a file; the Spark engine writes a directory here")


WRITTEN = tuple(SPARK_OUTPUTS)
"""The directories :func:`scan_spark` writes (replaces) under its output."""


def check_inputs_kept(
    out: str, paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
) -> None:
    """Refuse an output whose directories (:data:`WRITTEN`) would replace an input: an input
    path, or a file read from an input directory, at or under one of them (``-o`` naming
    the input directory, which holds a ``pairs/`` of its own). An earlier Spark scan's
    output there is no input (the scan leaves it out) and is replaced.

    Raises:
        InputError: naming the input and the output.
    """
    if "://" in out:
        return
    written = [os.path.realpath(os.path.join(out, name)) for name in WRITTEN]
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    for item in items:
        if "://" in str(item):
            continue
        inputs = [str(item)]
        if os.path.isdir(item):
            inputs += [str(path) for path, _ in Corpus([item]).files]
        for path in inputs:
            real = os.path.realpath(path)
            if any(real == target or real.startswith(target + os.sep) for target in written):
                raise InputError(
                    f"{path}: an input under the output {out} (whose pairs/, clusters/ and "
                    "skipped/ are replaced); give another output directory"
                )


SPARK_WRITTEN = re.compile(r"\.?(part-.*|_SUCCESS)(\.crc)?")
"""The names of the files Spark writes in a Parquet directory (parts, the success marker,
and their checksums)."""


def check_outputs_replaceable(out: str) -> None:
    """Refuse a local output whose directories (:data:`WRITTEN`) hold anything but an
    earlier Spark output (files Spark did not write, or a file in a directory's place):
    Spark replaces those directories whole, and would delete it.

    Raises:
        InputError: naming the first such file.
    """
    if "://" in out:
        return
    for name in WRITTEN:
        target = os.path.join(out, name)
        if os.path.lexists(target) and not os.path.isdir(target):
            raise InputError(f"{target}: exists and is not a directory of Parquet files; "
                             "scan --engine spark would replace it: give another output")
        for top, _, names in os.walk(target):
            for found in sorted(names):
                if not SPARK_WRITTEN.fullmatch(found):
                    raise InputError(
                        f"{os.path.join(top, found)}: scan --engine spark replaces "
                        f"{target}/ whole and would delete this file, which it did not "
                        "write; give another output directory (or move the file)"
                    )


def check_new_output(out: str) -> None:
    """Refuse a local output that exists (an empty directory aside), before any job runs.

    Raises:
        InputError: naming the output.
    """
    if os.path.isdir(out) and not os.listdir(out):
        return
    if os.path.lexists(out):
        raise InputError(
            f"{out}: already exists; dedup --engine spark writes a new directory (remove it "
            "or give another name)"
        )
