"""``neardup index ...`` and ``neardup check``: a persistent index and a CI gate.

This module exposes two click objects that the main ``neardup`` group attaches with
``main.add_command``:

* :data:`index` — a group: ``create``, ``add``, ``remove``, ``info``;
* :data:`check` — checks new documents against an index (``--index``) or a corpus of files
  (``--against``) and exits 1 when any is a near-duplicate, 0 when none is, 2 on errors.

Output formats: those of ``neardup scan`` (rendered by :mod:`neardup.formats`, with evidence
passages) plus ``github`` (workflow-command annotations) and
``junit`` (JUnit XML, one test case per new document).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

import click

from .core.passages import add_passages
from .errors import DuplicateIdError, NeardupError
from .formats import CHECK_FORMATS, FORMATS, format_for_path, render
from .index import MEMORY, DuplicateIndex
from .io.corpus import read_documents
from .io.documents import Document
from .report import DuplicateReport, Skipped

SCAN_FORMATS: tuple[str, ...] = FORMATS
CI_FORMATS: tuple[str, ...] = CHECK_FORMATS
BASELINE_FORMAT = "neardup-baseline"
BASELINE_VERSION = 1

_PARAMETER_OPTIONS = ("threshold", "ngram", "unit", "num_perm", "bands", "seed", "verify", "html")


# ---------------------------------------------------------------------------- messages


def fail(message: str) -> NoReturn:
    """Print ``neardup: error: <message>`` on standard error and exit with status 2."""
    click.echo(f"neardup: error: {message}", err=True)
    sys.exit(2)


def warn(message: str, quiet: bool = False) -> None:
    """Print ``neardup: warning: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(f"neardup: warning: {message}", err=True)


def note(message: str, quiet: bool = False) -> None:
    """Print ``neardup: <message>`` on standard error (unless quiet)."""
    if not quiet:
        click.echo(f"neardup: {message}", err=True)


# ---------------------------------------------------------------------------- options


def _parameter_options(defaults: bool) -> Callable[[Any], Any]:
    """The index parameter options; with ``defaults=False`` every default is None (not given)."""

    def default(value: Any) -> Any:
        return value if defaults else None

    def decorate(func: Any) -> Any:
        options = [
            click.option("--threshold", "-t", type=click.FloatRange(0, 1, min_open=True),
                         default=default(0.7), show_default=defaults,
                         help="Minimum Jaccard similarity of shingle sets."),
            click.option("--ngram", "-n", type=click.IntRange(min=1), default=default(5),
                         show_default=defaults, help="Shingle size, in characters or words."),
            click.option("--unit", type=click.Choice(["char", "word"]), default=default("char"),
                         show_default=defaults, help="Shingle unit: characters or jieba words."),
            click.option("--num-perm", type=click.IntRange(min=1), default=default(128),
                         show_default=defaults, help="MinHash permutations."),
            click.option("--bands", "-b", type=click.IntRange(min=1), default=None,
                         help="LSH bands (must divide --num-perm); chosen from the threshold "
                              "if omitted."),
            click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=default(1),
                         show_default=defaults, help="Permutation seed (as datasketch's)."),
            click.option("--verify", type=click.Choice(["exact", "estimate"]),
                         default=default("exact"), show_default=defaults,
                         help="Verify candidates by exact Jaccard, or trust the MinHash "
                              "estimate."),
            click.option("--html-markup", "html", is_flag=True, default=None,
                         help="Strip HTML tags, comments, scripts and entities first."),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _given_parameters(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the parameter options from ``kwargs``; keep those given (not None)."""
    values = {name: kwargs.pop(name) for name in _PARAMETER_OPTIONS}
    return {name: value for name, value in values.items() if value is not None}


def _input_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--id-field", default="id", show_default=True, metavar="NAME",
                         help="JSON Lines field holding the document id."),
            click.option("--text-field", default="text", show_default=True, metavar="NAME",
                         help="JSON Lines field holding the text."),
            click.option("--title-field", default="title", show_default=True, metavar="NAME",
                         help="JSON Lines field holding the title."),
            click.option("--strict", is_flag=True,
                         help="Treat unreadable files and lines (binary, undecodable, "
                              "malformed) as errors (exit 2) instead of skipping them."),
        ]
    ):
        func = option(func)
    return func


@dataclass(frozen=True)
class _Fields:
    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    strict: bool = False


def _fields(kwargs: dict[str, Any]) -> _Fields:
    return _Fields(
        kwargs.pop("id_field"), kwargs.pop("text_field"), kwargs.pop("title_field"),
        kwargs.pop("strict"),
    )


class _Reader:
    """Documents of paths, read lazily; skipped files and lines are kept and warned about."""

    def __init__(self, paths: Iterable[str], fields: _Fields, quiet: bool) -> None:
        self.paths = tuple(paths)
        self.fields = fields
        self.quiet = quiet
        self.skipped: list[Skipped] = []
        for path in self.paths:
            if not os.path.exists(path):
                fail(f"{path}: no such file or directory")

    def __iter__(self) -> Iterator[Document]:
        for path in self.paths:
            for item in read_documents(
                path,
                id_field=self.fields.id_field,
                text_field=self.fields.text_field,
                title_field=self.fields.title_field,
            ):
                if isinstance(item, Skipped):
                    if self.fields.strict:
                        fail(f"{item.id}: {item.reason}")
                    warn(f"{item.id}: {item.reason} (skipped)", self.quiet)
                    self.skipped.append(item)
                else:
                    yield item


def _open_index(path: str, expected: dict[str, Any] | None = None) -> DuplicateIndex:
    try:
        return DuplicateIndex.open(path, **(expected or {}))
    except NeardupError as exc:
        fail(str(exc))


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


# ---------------------------------------------------------------------------- neardup index


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def index() -> None:
    """Maintain a persistent near-duplicate index (one SQLite file) for `neardup check`."""


@index.command("create")
@click.argument("index_path", metavar="INDEX")
@_parameter_options(defaults=True)
@click.option("--no-text", is_flag=True,
              help="Do not store normalized texts: smaller, but similarities are estimated "
                   "from signatures and no passages can be shown.")
def create_command(index_path: str, no_text: bool, **kwargs: Any) -> None:
    """Create an empty index file INDEX with these parameters (fixed for its lifetime)."""
    params = _given_parameters(kwargs)
    try:
        DuplicateIndex.create(index_path, store_text=not no_text, **params).close()
    except NeardupError as exc:
        fail(str(exc))
    note(f"created {index_path}")


@index.command("add")
@click.argument("index_path", metavar="INDEX")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--replace", is_flag=True, help="Replace documents whose id is already indexed.")
@_input_options
@click.option("--quiet", "-q", is_flag=True, help="No warnings and no summary.")
def add_command(index_path: str, paths: tuple[str, ...], replace: bool, quiet: bool,
                **kwargs: Any) -> None:
    """Add the documents of PATH... to INDEX, all in one transaction (all or none)."""
    reader = _Reader(paths, _fields(kwargs), quiet)
    with _open_index(index_path) as idx:
        try:
            result = idx.add(reader, replace=replace)
        except NeardupError as exc:
            fail(str(exc))
        total = len(idx)
    for skipped in result.skipped:
        warn(f"{skipped.id}: {skipped.reason} (skipped)", quiet)
    replaced = f" ({result.replaced} replaced)" if result.replaced else ""
    skipped_count = len(result.skipped) + len(reader.skipped)
    note(f"added {result.added} documents{replaced} to {index_path}, skipped {skipped_count}; "
         f"{total} indexed", quiet)


@index.command("remove")
@click.argument("index_path", metavar="INDEX")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--missing-ok", is_flag=True, help="Ignore ids that are not indexed.")
def remove_command(index_path: str, ids: tuple[str, ...], missing_ok: bool) -> None:
    """Remove documents by id from INDEX (all in one transaction)."""
    with _open_index(index_path) as idx:
        try:
            removed = idx.remove(ids, missing_ok=missing_ok)
        except NeardupError as exc:
            fail(str(exc))
        total = len(idx)
    note(f"removed {removed} documents from {index_path}; {total} indexed")


@index.command("info")
@click.argument("index_path", metavar="INDEX")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info_command(index_path: str, as_json: bool) -> None:
    """Show the counts, parameters and size on disk of INDEX."""
    with _open_index(index_path) as idx:
        try:
            info = idx.info()
        except NeardupError as exc:
            fail(str(exc))
    if as_json:
        click.echo(json.dumps(info.to_dict(), ensure_ascii=False, indent=2))
        return
    p = info.parameters
    lines = [
        f"index       {info.path}",
        f"format      neardup-index version {info.format_version} (created by neardup "
        f"{info.created_by})",
        f"documents   {info.documents}",
        f"band rows   {info.band_rows}",
        f"texts       {'stored (exact verification, passages)' if info.store_text else 'not stored (estimated similarities)'}",  # noqa: E501
        f"size        {_size(info.size_bytes)} ({info.size_bytes} bytes)",
        f"parameters  threshold={p.threshold} ngram={p.ngram} unit={p.unit} "
        f"num_perm={p.num_perm} bands={p.bands} rows={p.rows} seed={p.seed} "
        f"verify={p.verify} html={p.html} markers={list(p.markers)}",
    ]
    click.echo("\n".join(lines))


# ---------------------------------------------------------------------------- baseline


def _pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def load_baseline(path: str) -> set[frozenset[str]]:
    """The accepted pairs of a baseline file (order within a pair does not matter).

    Exits with status 2 when the file is missing or not a neardup baseline.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        fail(f"{path}: cannot read baseline: {exc.strerror or exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: not a neardup baseline (not JSON: {exc})")
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        fail(f"{path}: not a neardup baseline (no \"format\": \"{BASELINE_FORMAT}\")")
    version = data.get("version")
    if version != BASELINE_VERSION:
        fail(f"{path}: baseline version {version!r} is not supported (expected "
             f"{BASELINE_VERSION})")
    pairs = data.get("pairs")
    if not isinstance(pairs, list):
        fail(f"{path}: not a neardup baseline (\"pairs\" is not a list)")
    accepted: set[frozenset[str]] = set()
    for number, pair in enumerate(pairs):
        if not (isinstance(pair, dict) and isinstance(pair.get("a"), str)
                and isinstance(pair.get("b"), str)):
            fail(f"{path}: pair {number}: expected an object with string fields \"a\" and \"b\"")
        accepted.add(_pair_key(pair["a"], pair["b"]))
    return accepted


def save_baseline(path: str, report: DuplicateReport) -> None:
    """Write every pair of ``report`` as accepted (a baseline for ``--baseline``)."""
    data = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "parameters": report.parameters.to_dict(),
        "pairs": [
            {"a": p.a, "b": p.b, "jaccard": round(p.jaccard, 6)}
            for p in sorted(report.pairs, key=lambda p: (p.a, p.b))
        ],
    }
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    except OSError as exc:
        fail(f"{path}: cannot write baseline: {exc.strerror or exc}")


def without_accepted(report: DuplicateReport, accepted: set[frozenset[str]]) -> DuplicateReport:
    """The report without its accepted pairs (and without clusters left with no pair)."""
    if not accepted:
        return report
    pairs = [p for p in report.pairs if _pair_key(p.a, p.b) not in accepted]
    ids = {p.a for p in pairs} | {p.b for p in pairs}
    clusters = [c for c in report.clusters if any(m.id in ids for m in c.members)]
    documents = {k: v for k, v in report.documents.items() if k in ids}
    counts = replace(report.counts, pairs=len(pairs), clusters=len(clusters))
    return replace(report, pairs=pairs, clusters=clusters, documents=documents, counts=counts)


# ---------------------------------------------------------------------------- scan formats


def _with_passages(
    report: DuplicateReport, texts: dict[str, str], quiet: bool
) -> DuplicateReport:
    """The report with its pairs' shared passages, when every text is at hand.

    Indexed documents contribute their stored *normalized* text, so their passage offsets
    refer to it.
    """
    if not report.pairs:
        return report
    missing = [i for p in report.pairs for i in (p.a, p.b) if i not in texts]
    if missing:
        warn(f"no stored text for {missing[0]!r}: passages are not shown "
             "(the index was created with --no-text)", quiet)
        return report
    try:
        return add_passages(report, texts)
    except NeardupError as exc:
        warn(f"passages not shown: {exc}", quiet)
        return report


# ---------------------------------------------------------------------------- neardup check


@click.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--index", "-i", "index_path", metavar="INDEX",
              help="Check against this index (see `neardup index create`).")
@click.option("--against", "-a", multiple=True, metavar="PATH",
              help="Check against the documents of PATH instead of an index (repeatable).")
@click.option("--add", "add_after", is_flag=True,
              help="Add the checked documents to the index when the check passes (documents "
                   "whose id is indexed are replaced).")
@click.option("--baseline", metavar="FILE",
              help="Accept the pairs listed in FILE (written by --write-baseline).")
@click.option("--write-baseline", metavar="FILE",
              help="Write every pair found to FILE as accepted, and exit 0.")
@_parameter_options(defaults=False)
@_input_options
@click.option("--format", "-f", "fmt", type=click.Choice(SCAN_FORMATS + CI_FORMATS),
              default=None,
              help="Report format [default: from the --output suffix (.xml: junit), else text].")
@click.option("--output", "-o", "output_path", type=click.Path(dir_okay=False), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--passages/--no-passages", default=True, show_default=True,
              help="Find the passages each pair shares (text, markdown, html, json reports).")
@click.option("--quiet", "-q", is_flag=True, help="No warnings and no summary on stderr.")
def check(
    paths: tuple[str, ...],
    index_path: str | None,
    against: tuple[str, ...],
    add_after: bool,
    baseline: str | None,
    write_baseline: str | None,
    fmt: str | None,
    output_path: str | None,
    passages: bool,
    quiet: bool,
    **kwargs: Any,
) -> None:
    """Check the documents of PATH... for near-duplicates of indexed documents and of each
    other.

    Every new document that is a near-duplicate of an indexed one (or, with --against, of a
    document of those files) or of another new one is reported, naming the one it
    duplicates. A new document whose id is already indexed is a new version of that
    document and is not compared with its own indexed entry.

    Parameter options given with --index must match the index's (otherwise an error); with
    --against they choose the comparison (defaults as `neardup scan`).

    Exit status: 0 when no near-duplicate is found, 1 when any is (pairs accepted by
    --baseline do not count), 2 for usage errors and unusable inputs.
    """
    started = time.perf_counter()
    fmt = fmt or _format_for_path(output_path)
    params = _given_parameters(kwargs)
    fields = _fields(kwargs)
    if bool(index_path) == bool(against):
        raise click.UsageError("give exactly one of --index INDEX and --against PATH")
    if add_after and not index_path:
        raise click.UsageError("--add needs --index")
    accepted = load_baseline(baseline) if baseline else set()
    reader = _Reader(paths, fields, quiet)
    new_docs = list(reader)
    if index_path:
        idx = _open_index(index_path, params)
    else:
        try:
            idx = DuplicateIndex.create(MEMORY, **params)
            corpus = _Reader(against, fields, quiet)
            idx.add(corpus)
        except DuplicateIdError as exc:
            fail(f"--against: {exc}")
        except NeardupError as exc:
            fail(str(exc))
    with idx:
        try:
            found = idx.query(new_docs)
        except DuplicateIdError as exc:
            fail(f"{exc} (ids of files in a directory are relative to it)")
        except NeardupError as exc:
            fail(str(exc))
        found = replace(
            found,
            skipped=[*reader.skipped, *found.skipped],
            counts=replace(
                found.counts,
                documents=found.counts.documents + len(reader.skipped),
                skipped=found.counts.skipped + len(reader.skipped),
            ),
        )
        report = without_accepted(found, accepted)
        accepted_count = len(found.pairs) - len(report.pairs)
        if fmt in SCAN_FORMATS and report.pairs and passages:
            texts = {d.id: d.text for d in new_docs}
            involved = {i for p in report.pairs for i in (p.a, p.b)} - set(texts)
            texts.update(idx.texts(involved))
            report = _with_passages(report, texts, quiet)
        else:
            texts = {}
        report.seconds = time.perf_counter() - started
        if write_baseline:
            save_baseline(write_baseline, found)
        passed = not report.pairs or bool(write_baseline)
        if add_after and passed:
            try:
                added = idx.add(new_docs, replace=True)
            except NeardupError as exc:
                fail(str(exc))
            note(f"added {added.added} documents to {index_path} ({added.replaced} replaced)",
                 quiet)
    _write(render(report, fmt, texts=texts, checked=new_docs), output_path)
    summary = (
        f"{len(report.pairs)} near-duplicate pair(s) among {len(new_docs)} checked document(s)"
    )
    if accepted_count:
        summary += f"; {accepted_count} accepted by the baseline"
    if write_baseline:
        summary += f"; {len(found.pairs)} written to baseline {write_baseline}"
    if fmt not in ("text", "github") or output_path:
        note(summary, quiet)
    sys.exit(0 if passed else 1)


def _format_for_path(path: str | None) -> str:
    """The format a report file name implies (``.xml``: junit), else ``text``."""
    if path is None:
        return "text"
    return format_for_path(path, SCAN_FORMATS + CI_FORMATS) or "text"


def _write(text: str, path: str | None) -> None:
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
