"""``neardup dedup``: write the corpus without its near-duplicates, one member of each group
kept.

Exit codes: 0 when the deduplicated corpus was written, 2 for usage errors and unusable
inputs (nothing is then written under the output's name).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click

from ..engine.dedup import deduplicate
from ..engine.memory import collector_paused
from ..errors import DuplicateIdError, InputError, NeardupError
from ..io.corpus import Corpus
from ..io.dedup_result import DedupResult
from ..io.deduplicated import Written, check_output, write_deduplicated
from ..io.outputs import temporary_beside
from ..io.reasons import is_damage
from ..parameters import Parameters
from .inputs import InputReader, check_paths
from .messages import fail
from .options import (
    NO_ID_FIELD,
    STDIN,
    DedupSettings,
    InputSettings,
    dedup_input_options,
    dedup_options,
    engine_options,
    parameter_options,
    workers_option,
)
from .output import check_output_path
from .progress import watched


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Write the corpus without its near-duplicates.",
    epilog="""\b
Examples:
  neardup dedup news.jsonl.gz -o news.dedup.jsonl.gz
  neardup dedup crawl.jsonl -o kept.jsonl --keep longest --removed gone.jsonl
  neardup dedup docs.parquet -o kept.parquet --prefer quality  # best score
  neardup dedup articles/ -o articles-dedup/ --threshold 0.8
""",
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@dedup_options
@parameter_options
@dedup_input_options
@workers_option
@engine_options("Run here, or on Apache Spark (Parquet or JSON Lines input; writes the kept "
                "rows, every column, as Parquet to OUTPUT; needs neardup[spark]).")
def dedup(paths: tuple[str, ...], dedup: DedupSettings, parameters: Parameters,
          inputs: InputSettings, workers: int | None, engine: str, spark_master: str) -> None:
    """Write PATH... without near-duplicates to OUTPUT: one document of each group is kept.

    JSON Lines inputs give JSON Lines, each kept line byte for byte as it was, in input
    order; a line that holds no document (malformed JSON) is copied as it is. Parquet files
    give Parquet files with every column (one Parquet input may give one .parquet OUTPUT
    file). Text files and directories give a directory that mirrors their relative paths,
    a multi-article file ("第N篇: title" headings) rewritten with its kept articles only.

    Documents identical after normalization are grouped first, and compared once. The
    options of scan choose what counts as a near-duplicate. Nothing is written under the
    output's name until it is complete, and nothing when an input is damaged (a truncated
    gzip): dedup copies its inputs. Ids only name records in --removed and --clusters:
    shards that reuse ids are deduplicated with --ignore-ids.

    Exit status: 0 when the output was written, 2 for usage errors and unusable inputs.
    """
    if STDIN in paths:
        raise click.UsageError("dedup reads files, not standard input ('-')")
    try:
        check_output(dedup.output, paths)
    except NeardupError as exc:
        fail(str(exc))
    outputs = [path for path in (dedup.output, dedup.removed, dedup.clusters) if path]
    if len({os.path.realpath(path) for path in outputs}) < len(outputs):
        raise click.UsageError("-o, --removed and --clusters must name different files")
    for extra in (dedup.removed, dedup.clusters):
        check_output_path(extra)  # before the work, and before OUTPUT is written
    if engine == "spark":
        _dedup_spark(check_paths(paths), dedup, parameters, inputs, spark_master)
        return
    with collector_paused():
        try:
            ignoring = inputs.id_field == NO_ID_FIELD
            corpus = InputReader(paths, inputs, quiet=dedup.quiet, copies_lines=True,
                                 root="." if ignoring and _names_clash(paths) else None)
            for extra, what in ((dedup.removed, "--removed file"),
                                (dedup.clusters, "--clusters file")):
                corpus.refuse_as_output(extra, what)
            progress = watched(corpus) if not dedup.quiet and sys.stderr.isatty() else None
            result = deduplicate(
                corpus, parameters, keep=dedup.keep, prefer=dedup.prefer,
                min_length=dedup.min_length, workers=workers, progress=progress,
                split_chains=dedup.split_chains,
            )
            if progress:
                progress.close()
            corpus.warn_unparsed(result.report.skipped)
            skipped_files = _unwritable_files(corpus, dedup.output)
            c = result.counts
            written = write_deduplicated(
                corpus, result.removed_positions, dedup.output, skipped_files,
                expected=(c.kept + c.passed_through, c.removed),
            )
            if dedup.removed:
                _write_lines(dedup.removed, _removed_lines(result))
            if dedup.clusters:
                _write_lines(dedup.clusters, _cluster_lines(result))
        except DuplicateIdError as exc:
            read = [os.path.realpath(path) for path, _ in corpus.files]
            fail(corpus.duplicate_message(exc) + (
                "; a file is read twice (named twice, or also found in a directory given)"
                if len(set(read)) < len(read) else
                "; files outside the current directory are named by their names: run dedup "
                "from a directory that holds them" if ignoring else
                "; dedup needs no ids: --ignore-ids numbers the records by file and line"))
        except NeardupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
    click.echo(dedup_summary_line(result, written, dedup))


def _dedup_spark(paths: tuple[str, ...], dedup: DedupSettings, parameters: Parameters,
                 inputs: InputSettings, master: str) -> None:
    """``dedup --engine spark``: the kept rows as Parquet in OUTPUT, and a summary line."""
    given = [name for name, value in (("--removed", dedup.removed),
                                      ("--clusters", dedup.clusters),
                                      ("--min-length", dedup.min_length),
                                      ("--split-chains", dedup.split_chains)) if value]
    if given:
        raise click.UsageError(f"{', '.join(given)}: not with --engine spark")
    if parameters.verify != "exact":
        raise click.UsageError("--engine spark always verifies exactly (no --verify estimate)")
    try:
        from ..spark import dedup_spark

        counts = dedup_spark(
            list(paths), dedup.output, master=master, id_col=inputs.id_field,
            text_col=inputs.text_field, keep=dedup.keep, prefer=dedup.prefer,
            # clusters join near-duplicates only
            params=replace(parameters, rewrite=None, formula_df=None),
        )
    except NeardupError as exc:
        fail(str(exc))
    click.echo(
        f"neardup (spark): {counts['read']:,} read, {counts['kept']:,} kept, "
        f"{counts['read'] - counts['kept']:,} removed; wrote Parquet to {dedup.output}"
    )


def _names_clash(paths: tuple[str, ...]) -> bool:
    """Whether two files of ``paths`` get one name (``e1/x.jsonl``, ``e2/x.jsonl``: both
    ``x.jsonl``), which ``--ignore-ids`` numbers records by: then files are named by their
    paths under the current directory, as ``index add`` names them (and the output mirrors
    those paths); otherwise as without it."""
    try:
        names = [name for _, name in Corpus(list(paths)).files]
    except InputError:
        return False  # the reader says what is wrong with the paths
    return len(set(names)) < len(names)


def _unwritable_files(corpus: InputReader, output: str) -> set[str]:
    """The input files that could not be read as documents (binary, undecodable text), left
    out of the output; exits with status 2 when one is damaged (it cannot be read whole, so
    it cannot be copied): nothing is written then."""
    paths = {str(path) for path, _ in corpus.files}
    skipped = [s for s in corpus.skipped if s.source in paths]
    damaged = next((s for s in skipped if is_damage(s.reason)), None)
    if damaged is not None:
        fail(f"{damaged.source}: {damaged.reason}; nothing written to {output} (dedup copies "
             "its inputs: repair the file, or leave it out)")
    return {str(s.source) for s in skipped}


def dedup_summary_line(result: DedupResult, written: Written, dedup: DedupSettings) -> str:
    """What ``dedup`` did, in one line: read, kept, removed (exact / near), passed through,
    skipped, and where it wrote."""
    c = result.counts
    extra = "".join(
        f", {what} in {path}"
        for what, path in (("removed", dedup.removed), ("clusters", dedup.clusters))
        if path
    )
    return (
        f"neardup: {c.read:,} read, {c.kept:,} kept, {c.removed:,} removed "
        f"({c.removed_exact:,} exact, {c.removed_near:,} near), {c.passed_through:,} passed "
        f"through, {c.skipped:,} skipped; wrote {written.path}{extra}"
    )


def _removed_lines(result: DedupResult) -> Iterator[dict[str, object]]:
    threshold = result.report.parameters.threshold
    for doc_id, (kept, similarity, exact) in result.removed.items():
        yield {"id": doc_id, "kept": kept, "similarity": round(similarity, 6), "exact": exact,
               "within_threshold": similarity >= threshold}


def _cluster_lines(result: DedupResult) -> Iterator[dict[str, object]]:
    threshold = result.report.parameters.threshold
    for number, cluster in enumerate(result.clusters, start=1):
        for member in cluster.members:
            yield {"id": member.id, "cluster": number,
                   "kept": member.id == cluster.representative,
                   "similarity": round(member.similarity, 6),
                   "within_threshold": member.similarity >= threshold}


def _write_lines(path: str, records: Iterator[dict[str, object]]) -> None:
    """JSON Lines to ``path``, under a temporary name until complete."""
    target = Path(path)
    try:
        partial = temporary_beside(target, directory=False)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
