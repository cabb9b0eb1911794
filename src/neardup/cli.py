"""The ``neardup`` command line.

``neardup`` is a click group; commands live in their own functions and other modules attach
theirs with ``main.add_command(command)``. The option decorators are shared between commands:

* :func:`parameter_options` — the pipeline parameters (threshold, n-gram, unit, permutations,
  bands, seed, verification, HTML markup), passed to the command as one validated
  :class:`~neardup.report.Parameters` named ``parameters``;
* :func:`input_options` — JSON Lines field names, ``--jsonl`` for standard input, ``--strict``,
  passed as an :class:`InputSettings` named ``inputs``;
* :func:`output_options` — ``--format``, ``-o/--output`` and ``--quiet``, passed as an
  :class:`OutputSettings` named ``output``.

Exit codes: 0 when the command completed, 2 for usage errors and unusable inputs, with one
line on standard error: ``neardup: error: <path>: <reason>``.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click
import numpy as np
import numpy.typing as npt

from ._version import __version__
from .core.lsh import choose_bands
from .core.passages import add_passages
from .engine.find import find_duplicates
from .engine.memory import collector_paused, keep_freed_memory
from .errors import DuplicateIdError, InputError, NeardupError
from .formats import FORMATS, format_for_path, render
from .io.corpus import Corpus
from .io.documents import Document, decode_bytes, parse_jsonl_line, split_articles
from .io.records import Fetched, LineBlock, LinesAt, Record
from .parameters import Parameters
from .report import Skipped

F = TypeVar("F", bound=Callable[..., Any])

STDIN = "-"
STDIN_ID = "<stdin>"


# ---------------------------------------------------------------------------- errors, messages


class _Failure(Exception):
    """An input problem found while documents are streamed into the pipeline."""


def fail(message: str) -> NoReturn:
    """Print ``neardup: error: <message>`` on standard error and exit with status 2."""
    click.echo(f"neardup: error: {message}", err=True)
    sys.exit(2)


def warn(message: str) -> None:
    """Print ``neardup: warning: <message>`` on standard error."""
    click.echo(f"neardup: warning: {message}", err=True)


# ---------------------------------------------------------------------------- shared options


def parameter_options(func: F) -> F:
    """Add the pipeline parameter options; the command receives ``parameters: Parameters``.

    Invalid combinations (e.g. bands that do not divide num_perm) exit with status 2.
    """

    @click.option("--threshold", "-t", type=click.FloatRange(0, 1, min_open=True), default=0.7,
                  show_default=True, help="Minimum Jaccard similarity of shingle sets.")
    @click.option("--ngram", "-n", type=click.IntRange(min=1), default=5, show_default=True,
                  help="Shingle size, in characters or words (see --unit).")
    @click.option("--unit", type=click.Choice(["char", "word"]), default="char", show_default=True,
                  help="Shingle unit: characters, or jieba words.")
    @click.option("--num-perm", type=click.IntRange(min=1), default=128, show_default=True,
                  help="MinHash permutations.")
    @click.option("--bands", "-b", type=click.IntRange(min=1), default=None,
                  help="LSH bands (must divide --num-perm); chosen from the threshold if omitted.")
    @click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True,
                  help="Permutation seed (as datasketch's).")
    @click.option("--verify", type=click.Choice(["exact", "estimate"]), default="exact",
                  show_default=True,
                  help="Verify candidates by exact Jaccard, or trust the MinHash estimate.")
    @click.option("--html-markup", "html", is_flag=True,
                  help="Strip HTML tags, comments, scripts and entities before comparing.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = ("threshold", "ngram", "unit", "num_perm", "bands", "seed", "verify", "html")
        values = {name: kwargs.pop(name) for name in names}
        try:
            kwargs["parameters"] = Parameters(**values)
        except NeardupError as exc:
            raise click.UsageError(str(exc)) from None
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class InputSettings:
    """How input files and standard input are read."""

    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    jsonl: bool = False
    strict: bool = False


def input_options(func: F) -> F:
    """Add the input options; the command receives ``inputs: InputSettings``."""

    @click.option("--id-field", default="id", show_default=True, metavar="NAME",
                  help="JSON Lines field holding the document id.")
    @click.option("--text-field", default="text", show_default=True, metavar="NAME",
                  help="JSON Lines field holding the text.")
    @click.option("--title-field", default="title", show_default=True, metavar="NAME",
                  help="JSON Lines field holding the title.")
    @click.option("--jsonl", is_flag=True,
                  help="Read standard input ('-') as JSON Lines instead of one text.")
    @click.option("--strict", is_flag=True,
                  help="Treat unreadable files and lines (binary, undecodable, malformed) as "
                       "errors (exit 2) instead of skipping them with a warning.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["inputs"] = InputSettings(
            id_field=kwargs.pop("id_field"),
            text_field=kwargs.pop("text_field"),
            title_field=kwargs.pop("title_field"),
            jsonl=kwargs.pop("jsonl"),
            strict=kwargs.pop("strict"),
        )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class OutputSettings:
    """Where and how a report is written."""

    format: str = "text"
    path: str | None = None
    quiet: bool = False

    @property
    def progress(self) -> bool:
        """Progress bars only for a person watching: not quiet, and stderr a terminal."""
        return not self.quiet and sys.stderr.isatty()


def output_options(func: F) -> F:
    """Add ``--format``, ``-o/--output`` and ``--quiet``; the command receives
    ``output: OutputSettings`` (format inferred from the output file name when not given)."""

    @click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
                  help="Report format [default: from the --output suffix, else text].")
    @click.option("--output", "-o", "output_path", type=click.Path(allow_dash=True),
                  default=None, help="Write the report to FILE instead of standard output.")
    @click.option("--quiet", "-q", is_flag=True, help="No progress bars and no warnings.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fmt, path = kwargs.pop("fmt"), kwargs.pop("output_path")
        if path == STDIN:
            path = None
        if fmt is None:
            fmt = (format_for_path(path) if path else None) or "text"
        kwargs["output"] = OutputSettings(fmt, path, kwargs.pop("quiet"))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def write_report(text: str, output: OutputSettings) -> None:
    """Write a rendered report to the output file, or to standard output.

    Exits with status 2 when the file cannot be written.
    """
    if output.path is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output.path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"{output.path}: cannot write: {exc.strerror or exc}")


# ---------------------------------------------------------------------------- reading inputs


class InputCorpus(Corpus):
    """The files and directories of a command, read as a :class:`~neardup.documents.Corpus`
    (so the pipeline can re-read candidates), with standard input ('-') read up front.

    Every :class:`Skipped` record is passed on (the pipeline lists it in the report) after a
    warning naming the file; with ``strict`` the first one is an error instead.
    """

    def __init__(self, paths: tuple[str, ...], settings: InputSettings, show_warnings: bool):
        super().__init__(
            [p for p in paths if p != STDIN],
            id_field=settings.id_field,
            text_field=settings.text_field,
            title_field=settings.title_field,
        )
        self.settings = settings
        self.show_warnings = show_warnings
        self._warned: set[Skipped] = set()
        self.stdin_items = list(self._stdin()) if STDIN in paths else []
        self._stdin_docs = [d for d in self.stdin_items if isinstance(d, Document)]

    def __iter__(self) -> Iterator[Document | Skipped]:
        for item in itertools.chain(self.stdin_items, super().__iter__()):
            if isinstance(item, Skipped):
                self._skip(item)
            yield item

    def records(
        self, blocks: bool = False, parse: bool = False
    ) -> Iterator[Record | LineBlock | Skipped]:
        """As :meth:`Corpus.records`; with ``strict`` the lines are parsed here, so that the
        first unusable one stops the run at once."""
        parse = parse or self.settings.strict
        for item in itertools.chain(self.stdin_items, super().records(blocks, parse)):
            if isinstance(item, Skipped):
                self._skip(item)
            yield item

    def warn_unparsed(self, skipped: Iterable[Skipped]) -> None:
        """Warn about the lines a run found unusable after :meth:`records` passed them on
        unparsed (those with a source, not warned about yet)."""
        for item in skipped:
            if item.source is not None and item not in self._warned:
                self._skip(item)

    def _skip(self, item: Skipped) -> None:
        where = item.source or item.id
        if self.settings.strict:
            raise _Failure(f"{where}: {item.reason}")
        self._warned.add(item)
        if self.show_warnings:
            warn(f"{where}: {item.reason} (skipped)")

    def fetch_records(
        self, positions: Iterable[int], unread: bool = False
    ) -> Iterator[tuple[int, Fetched]]:
        stdin_docs = self._stdin_docs
        wanted = list(positions)
        yield from ((p, stdin_docs[p]) for p in wanted if p < len(stdin_docs))
        offset = len(stdin_docs)
        files = super().fetch_records([p - offset for p in wanted if p >= offset], unread)
        yield from ((p + offset, record) for p, record in files)

    def lines_at(self, positions: Sequence[int] | npt.NDArray[np.int64]) -> LinesAt | None:
        stdin_count = len(self._stdin_docs)
        wanted = np.asarray(positions, dtype=np.int64)
        if (wanted < stdin_count).any():  # documents read from standard input
            return None
        return super().lines_at(wanted - stdin_count)

    def _stdin(self) -> Iterator[Document | Skipped]:
        data = sys.stdin.buffer.read()
        if self.settings.jsonl:
            for lineno, line in enumerate(data.splitlines(keepends=True), start=1):
                yield parse_jsonl_line(
                    line, f"{STDIN_ID}:{lineno}", f"{STDIN_ID}:{lineno}",
                    self.settings.id_field, self.settings.text_field, self.settings.title_field,
                )
            return
        try:
            text = decode_bytes(data, STDIN_ID)
        except InputError as exc:
            yield Skipped(STDIN_ID, str(exc).removeprefix(f"{STDIN_ID}: "), STDIN_ID)
            return
        articles = split_articles(text, STDIN_ID)
        yield from articles if articles is not None else [Document(STDIN_ID, text, None, STDIN_ID)]


def check_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths, after checking that each exists and that ``-`` appears at most once.

    Exits with status 2 otherwise.
    """
    paths = tuple(paths)
    if paths.count(STDIN) > 1:
        raise click.UsageError("standard input ('-') can be given only once")
    for path in paths:
        if path != STDIN and not os.path.exists(path):
            fail(f"{path}: no such file or directory")
    return paths


class PipelineProgress:
    """tqdm bars on standard error for the pipeline's stages (``find_duplicates(progress=)``):
    documents read and hashed (rate), then candidate pairs verified (rate and ETA)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, n: int) -> None:
        if stage == "read":
            self._bar("read", "reading and hashing", "doc", None).update(n)
        elif stage == "candidates":
            self.close("read")
            self._bar("verified", "verifying", "pair", n)
        elif stage == "verified":
            self._bar("verified", "verifying", "pair", None).update(n)

    def _bar(self, key: str, description: str, unit: str, total: int | None) -> Any:
        if key not in self._bars:
            self._bars[key] = self._tqdm(
                desc=description, unit=unit, total=total, file=sys.stderr, leave=False,
                dynamic_ncols=True,
            )
        return self._bars[key]

    def close(self, key: str | None = None) -> None:
        """Close one bar, or all of them."""
        for name in [key] if key else list(self._bars):
            bar = self._bars.pop(name, None)
            if bar is not None:
                bar.close()


def _progress(
    enabled: bool, description: str, unit: str
) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """A wrapper that shows a tqdm progress bar on stderr over an iterable, when enabled."""

    def wrap(items: Iterable[Any]) -> Iterable[Any]:
        if not enabled:
            return items
        from tqdm import tqdm

        total = len(items) if isinstance(items, Sized) else None
        bar: Iterable[Any] = tqdm(items, desc=description, unit=unit, total=total,
                                  file=sys.stderr, leave=False, dynamic_ncols=True)
        return bar

    return wrap


# ---------------------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="neardup", message="%(prog)s %(version)s")
def main() -> None:
    """Find near-duplicate documents in collections of Chinese (and any other) text."""
    keep_freed_memory()


def workers_option(func: F) -> F:
    """Add ``--workers N`` (hashing processes; default: all cores)."""
    return click.option(
        "--workers", "-w", type=click.IntRange(min=1), default=None,
        help="Hashing processes [default: all cores]. Results do not depend on it.",
    )(func)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@parameter_options
@input_options
@output_options
@workers_option
@click.option("--passages/--no-passages", default=True, show_default=True,
              help="Find the passages each pair shares (--no-passages: similarities only, "
                   "faster on large corpora with many pairs).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
              show_default=True,
              help="Run here, or on Apache Spark (Parquet or JSON Lines input; writes Parquet "
                   "pairs/, clusters/ and skipped/ under -o DIR; needs neardup[spark]).")
@click.option("--spark-master", default="local[*]", show_default=True, metavar="URL",
              help="Spark master for --engine spark (ignored under spark-submit).")
def scan(paths: tuple[str, ...], parameters: Parameters, inputs: InputSettings,
         output: OutputSettings, workers: int | None, passages: bool, engine: str,
         spark_master: str) -> None:
    """Find near-duplicate documents in PATH... and report them with the passages they share.

    Each PATH is a file (.txt, .md, .jsonl, .jsonl.gz; a text file with "第N篇: title"
    headings holds one document per article), a directory (read recursively), or '-' for
    standard input (one text, or JSON Lines with --jsonl). Files that cannot be read as text
    are skipped with a warning and listed in the report (an error with --strict).

    Exit status: 0 when the scan completed (duplicates or not), 2 for usage errors and
    unusable inputs.
    """
    started = time.perf_counter()
    if engine == "spark":
        _scan_spark(check_paths(paths), parameters, inputs, output, spark_master)
        return
    progress = PipelineProgress() if output.progress else None
    with collector_paused():  # see neardup.heap: a scan keeps what it makes to its end
        try:
            corpus = InputCorpus(check_paths(paths), inputs, show_warnings=not output.quiet)
            report = find_duplicates(
                corpus, **pipeline_arguments(parameters), workers=workers, progress=progress,
                with_texts=passages,
            )
            if progress:
                progress.close()
            corpus.warn_unparsed(report.skipped)
            texts = report.texts
            if passages:
                report = add_passages(
                    report, texts, progress=_progress(output.progress, "finding passages", "pair")
                )
        except _Failure as exc:
            fail(str(exc))
        except DuplicateIdError as exc:
            fail(f"{exc} (ids of files in a directory are relative to it; to scan directories "
                 "holding files of the same name, scan their common parent)")
        except NeardupError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
        report.seconds = time.perf_counter() - started
        write_report(render(report, output.format, texts=texts), output)


def _scan_spark(
    paths: tuple[str, ...], parameters: Parameters, inputs: InputSettings,
    output: OutputSettings, master: str,
) -> None:
    """``scan --engine spark``: Parquet outputs under ``-o DIR`` and a one-line summary."""
    if STDIN in paths:
        raise click.UsageError("--engine spark reads files, not standard input ('-')")
    if output.path is None:
        raise click.UsageError("--engine spark writes Parquet: give the output directory with -o")
    arguments = pipeline_arguments(parameters)
    if arguments.pop("verify") != "exact":
        raise click.UsageError("--engine spark always verifies exactly (no --verify estimate)")
    try:
        from .spark import scan_spark

        counts = scan_spark(
            list(paths), output.path, master=master, id_col=inputs.id_field,
            text_col=inputs.text_field, **arguments,
        )
    except NeardupError as exc:
        fail(str(exc))
    click.echo(
        f"neardup (spark): {counts['documents']:,} documents read, {counts['skipped']:,} "
        f"skipped, {counts['pairs']:,} pairs, {counts['clusters']:,} clusters; Parquet "
        f"pairs/, clusters/, skipped/ in {output.path}"
    )


def pipeline_arguments(parameters: Parameters) -> dict[str, Any]:
    """Keyword arguments of :func:`~neardup.find_duplicates` for validated parameters.

    ``bands`` is None when it is the one the threshold implies (so the pipeline chooses it
    again, as it would without the option). Run options that do not change results (e.g. a
    future ``--workers``) belong next to these, added by the command, not in
    :class:`Parameters`.
    """
    implied = choose_bands(parameters.threshold, parameters.num_perm).bands
    return {
        "threshold": parameters.threshold,
        "ngram": parameters.ngram,
        "unit": parameters.unit,
        "num_perm": parameters.num_perm,
        "seed": parameters.seed,
        "bands": None if parameters.bands == implied else parameters.bands,
        "verify": parameters.verify,
        "html": parameters.html,
        "markers": parameters.markers,
    }


from .cli_index import check, index  # noqa: E402  (cli_index does not import cli)

main.add_command(index)
main.add_command(check)
