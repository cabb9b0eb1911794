"""``neardup scan``: find near-duplicates in files, directories and standard input, here or
on Apache Spark (``--engine spark``).

Exit codes: 0 when the scan completed (duplicates or not), 2 for usage errors and unusable
inputs.
"""

from __future__ import annotations

import os
import time

import click

from ..engine.find import find_duplicates
from ..engine.memory import collector_paused
from ..errors import DuplicateIdError, NeardupError
from ..evidence.checked import checked_documents
from ..evidence.passages import add_passages
from ..formats.shared import plural
from ..parameters import Parameters
from ..report import DuplicateReport
from .inputs import InputReader, check_paths
from .messages import fail, note
from .options import (
    STDIN,
    InputSettings,
    OutputSettings,
    engine_options,
    input_options,
    output_options,
    parameter_options,
    workers_option,
)
from .output import rendered, write_report
from .progress import watched


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Find near-duplicates and the passages they share.",
    epilog="""\b
Examples:
  neardup scan articles/                     # .txt .md .jsonl .parquet files
  neardup scan news.jsonl.gz -o report.html  # to open in a browser
  neardup scan news.jsonl --text-field body --id-field url -o pairs.json
  neardup scan laws.jsonl --preset copies    # partial, rewritten copies
  cat essay.txt | neardup scan - corpus/     # standard input too
  neardup scan big.parquet --no-passages -w 4 -o pairs.csv
  neardup scan corpus/ --check essay.txt --preset copies -o essay.html  # 查重
""",
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@parameter_options
@input_options
@output_options
@workers_option
@click.option("--passages/--no-passages", default=True, show_default=True,
              help="Find the passages each pair shares (--no-passages: similarities only, "
                   "faster on large corpora with many pairs).")
@click.option("--check", "check", multiple=True, metavar="PATH",
              help="Documents to check (repeatable): scanned with PATH... and each given a "
                   "page of its own in the report: its text with what is found in the others "
                   "numbered by source, and each source's share.")
@engine_options("Run here, or on Apache Spark (Parquet or JSON Lines input; writes Parquet "
                "pairs/, clusters/ and skipped/ under -o DIR, and set_apart/ with --preset "
                "copies; needs neardup[spark]).")
def scan(paths: tuple[str, ...], parameters: Parameters, inputs: InputSettings,
         output: OutputSettings, workers: int | None, passages: bool, check: tuple[str, ...],
         engine: str, spark_master: str) -> None:
    """Find near-duplicate documents in PATH... and report them with the passages they share.

    With --containment (or --preset copies), also find documents that copy part of another,
    and say how much of each document is found elsewhere (the copy ratio). With --rewrite
    (or --preset copies), also find rewritten copies: words swapped, sentences moved.

    Each PATH is a file (.txt, .md, .jsonl, .jsonl.gz, .parquet; a text file with "第N篇:
    title" headings holds one document per article), a directory (read recursively; the
    reports neardup wrote there are left out), or '-' for standard input (one text, or JSON
    Lines with --jsonl). Files that cannot be read as text are skipped with a warning and
    listed in the report (an error with --strict). A report may not be written over an
    input.

    Exit status: 0 when the scan completed (duplicates or not), 2 for usage errors and
    unusable inputs.
    """
    started = time.perf_counter()
    if check and (engine == "spark" or STDIN in check):
        raise click.UsageError("--check reads files here (not standard input, not on Spark)")
    if engine == "spark":
        _scan_spark(check_paths(paths), parameters, inputs, output, spark_master)
        return
    progress = None
    with collector_paused():  # see neardup.engine.memory: a scan keeps what it makes to its end
        try:
            checked = _checked_texts(check, paths, inputs)
            scanned = paths + tuple(c for c in check if _scanned_in(c, paths) is None)
            corpus = InputReader(scanned, inputs, quiet=output.quiet)
            corpus.refuse_as_output(output.path)
            progress = watched(corpus) if output.progress else None
            report = find_duplicates(
                corpus, parameters, workers=workers, progress=progress, with_texts=passages
            )
            if progress:
                progress.close()
            corpus.warn_unparsed(report.skipped)
            texts = report.texts
            if passages:
                report = add_passages(report, texts, progress=progress)
            if progress:
                progress.close()
            if checked:
                texts = {**checked, **texts}
                report.checked = checked_documents(report, texts, list(checked))
        except DuplicateIdError as exc:
            fail(corpus.duplicate_message(exc))
        except NeardupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
        report.seconds = time.perf_counter() - started
        write_report(rendered(report, output.format, output.path, texts=texts), output.path)
    if output.path is not None:
        note(written_line(report, output.path), output.quiet)


def _scanned_in(path: str, paths: tuple[str, ...]) -> str | None:
    """The PATH of the scan that holds the ``--check`` file ``path`` (the file itself, or a
    directory above it), or None."""
    target = os.path.realpath(path)
    for scanned in paths:
        if scanned == STDIN:
            continue
        folder = os.path.realpath(scanned)
        if target == folder or (os.path.isdir(folder) and target.startswith(folder + os.sep)):
            return scanned
    return None


def _checked_texts(
    check: tuple[str, ...], paths: tuple[str, ...], inputs: InputSettings
) -> dict[str, str]:
    """The documents of ``--check`` (read once more by the scan), by the ids the scan gives
    them (a file found in a scanned directory: its path relative to it), and their texts."""
    found: dict[str, str] = {}
    for path in check:
        holder = _scanned_in(path, paths)
        root = holder if holder is not None and os.path.isdir(holder) else None
        found |= {d.id: d.text for d in InputReader([path], inputs, quiet=True,
                                                    root=root).documents()}
    return found


def written_line(report: DuplicateReport, path: str) -> str:
    """The line ``scan -o FILE`` ends with on standard error: what was found, where it went.

    Example:
        >>> from neardup import find_duplicates
        >>> report = find_duplicates(["今天天气很好我们去公园", "今天天气很好我们去公园吧"])
        >>> written_line(report, "r.html")
        '1 pair in 1 cluster among 2 documents; report written to r.html'

    With copy ratios it names the most copied document (with ``--check``, the checked
    documents' shares): ``...; 6 documents with text found in others, the most 92.2% of
    a.txt; report written to r.html``.
    """
    c = report.counts
    found = f"{plural(c.pairs, 'pair')} in {plural(c.clusters, 'cluster')}"
    if report.identical:
        found += f", {plural(len(report.identical), 'group')} of identical documents"
    skipped = f" ({c.skipped:,} skipped)" if c.skipped else ""
    copied = ""
    if report.checked:
        pages = sorted((page for page in report.checked if page.sources),
                       key=lambda page: (-page.share, page.id))
        named = ", ".join(f"{page.id} {page.share:.1%}" for page in pages[:3])
        more = f" and {len(pages) - 3:,} more" if len(pages) > 3 else ""
        copied = (f"; found in other documents: {named}{more}" if pages
                  else "; nothing of the checked documents found in other documents")
    elif report.copies:
        top = report.copies[0]
        copied = (f"; {plural(len(report.copies), 'document')} with text found in others, "
                  f"the most {top.share:.1%} of {top.id}")
    return (f"{found} among {plural(c.documents, 'document')}{skipped}{copied}; report "
            f"written to {path}")


def _scan_spark(
    paths: tuple[str, ...], parameters: Parameters, inputs: InputSettings,
    output: OutputSettings, master: str,
) -> None:
    """``scan --engine spark``: Parquet outputs under ``-o DIR`` and a one-line summary."""
    if STDIN in paths:
        raise click.UsageError("--engine spark reads files, not standard input ('-')")
    if output.path is None:
        raise click.UsageError("--engine spark writes Parquet: give the output directory with -o")
    if parameters.verify != "exact":
        raise click.UsageError("--engine spark always verifies exactly (no --verify estimate)")
    try:
        from ..spark import scan_spark

        counts = scan_spark(
            list(paths), output.path, master=master, id_col=inputs.id_field,
            text_col=inputs.text_field,
            params=parameters,
        )
    except NeardupError as exc:
        fail(str(exc))
    common = (
        f" (fingerprints in more than {parameters.max_df} documents ignored: "
        f"{counts['common_fingerprints']:,})" if parameters.containment is not None else ""
    )
    apart = (f", {counts['set_apart']:,} set apart (not copies)"
             if parameters.formula_df is not None else "")
    outputs = "pairs/, clusters/, skipped/" + (", set_apart/" if apart else "")
    click.echo(
        f"neardup (spark): {counts['documents']:,} documents read, {counts['skipped']:,} "
        f"skipped, {counts['pairs']:,} pairs{common}{apart}, {counts['clusters']:,} clusters; "
        f"Parquet {outputs} in {output.path}"
    )
