"""``neardup index create|add|remove|info|verify``: maintain a persistent index (one SQLite
file) for ``neardup check``.

Exit codes: 0 when the command completed (``verify``: and found the index sound), 1 when
``verify`` found damage, 2 for usage errors, unusable inputs and index files that cannot be
used (``add`` and ``remove`` refuse a damaged index).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..errors import (
    AlreadyIndexedError,
    DuplicateIdError,
    InputError,
    NeardupError,
)
from ..formats.untrusted import safe_output
from ..index import DuplicateIndex
from ..index.file import COPIES_SINCE, DEFAULT_TIMEOUT, REBUILD_HINT
from ..io.documents import Document
from ..io.reasons import is_damage
from .check_spark import CREATE_ENGINE_HELP, corpus_summary, create_spark
from .inputs import InputReader
from .messages import fail, note, warn
from .options import (
    InputSettings,
    engine_options,
    index_input_options,
    index_parameter_options,
    preset_option,
    root_option,
)


def open_index(
    path: str, expected: dict[str, Any] | None = None, wait: float = DEFAULT_TIMEOUT
) -> DuplicateIndex:
    """The index file at ``path``, made with the ``expected`` parameters; a write waits up
    to ``wait`` seconds for another process's, saying so at once.

    Exits with status 2 when it cannot be opened or was made with other parameters.
    """
    try:
        idx = DuplicateIndex.open(path, timeout=wait, **(expected or {}))
    except NeardupError as exc:
        fail(str(exc))
    idx.on_wait = lambda seconds: note(
        f"{path}: another process is writing the index; waiting for it (up to {seconds:g} s, "
        "--wait SECONDS)"
    )
    return idx


def wait_option(func: Any) -> Any:
    """Add ``--wait SECONDS``: how long a write waits for another process writing the index."""
    return click.option(
        "--wait", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
        metavar="SECONDS",
        help="How long to wait for another process writing the index before giving up.",
    )(func)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Maintain a persistent index for `neardup check`.",
    epilog="""\b
Examples:
  neardup index create corpus.ndx --threshold 0.8
  neardup index add corpus.ndx published/ archive.jsonl.gz
  neardup check drafts/ --index corpus.ndx
  neardup index info corpus.ndx
""",
)
def index() -> None:
    """Maintain a persistent near-duplicate index (one SQLite file) for `neardup check`."""


_NOT_GIVEN = (click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP)
"""Where an option left at its default comes from (with ``--preset``, the preset's value
applies instead)."""
CREATE_PRESET_HELP = (
    "Parameters for a purpose: copies makes the index `check --preset copies` needs "
    "(--copies --threshold 0.5 --script simplified); near-identical the defaults. Options "
    "given override it."
)


@index.command("create", short_help="Create an empty index with these parameters.", epilog="""\b
Examples:
  neardup index create corpus.ndx
  neardup index create corpus.ndx --threshold 0.8 --ngram 4 --html-markup
  neardup index create small.ndx --no-text   # smaller; estimates only
  neardup index create papers.ndx --preset copies  # for check --preset copies
  neardup index create --engine spark corpus/ docs.jsonl   # a Parquet corpus
""")
@click.argument("index_path", metavar="INDEX")
@click.argument("paths", nargs=-1, metavar="[PATH...]")
@index_parameter_options(defaults=True)
@preset_option(CREATE_PRESET_HELP)
@click.option("--no-text", is_flag=True,
              help="Do not store texts: smaller, but similarities are estimated "
                   "from signatures and no passages can be shown.")
@click.option("--copies", is_flag=True,
              help="Also keep what `check --preset copies` reads (4-grams, sampled shingles "
                   "and sentences of each document, for the rewrite search and the copies "
                   "judgement): an index file 3 to 4 times as large, `add` 1.6 to 3 times "
                   "as long; a Parquet corpus (--engine spark) keeps the 4-grams and sampled "
                   "shingles. "
                   "With --threshold 0.5 --script simplified it checks as the copies preset "
                   "scans (--preset copies gives all three).")
@index_input_options
@engine_options(CREATE_ENGINE_HELP)
def create_command(
    index_path: str, paths: tuple[str, ...], parameters: dict[str, Any], preset: str | None,
    no_text: bool, copies: bool, inputs: InputSettings, engine: str, spark_master: str,
) -> None:
    """Create an empty index file INDEX with these parameters (fixed for its lifetime).

    With --engine spark, hash the documents of PATH... (Parquet or JSON Lines) on Spark and
    store what `neardup check --engine spark --index INDEX` reads of them as Parquet in the
    new directory INDEX, with these parameters.
    """
    if engine == "local" and paths:
        raise click.UsageError("index create takes no PATH: add the documents with `neardup "
                               "index add INDEX PATH...` (or store them with --engine spark)")
    if engine == "spark" and no_text:
        raise click.UsageError("--engine spark cannot --no-text: a Parquet corpus keeps the "
                               "texts, which a check verifies its pairs on")
    if copies and no_text:
        fail("--copies cannot be used with --no-text: the copies judgement and the rewrite "
             "search verify pairs on the texts")
    if preset == "copies" and no_text:
        fail("--preset copies cannot be used with --no-text: the copies judgement and the "
             "rewrite search verify pairs on the texts")
    if preset is not None:  # the preset's values, overridden by the options given
        context = click.get_current_context()
        parameters = {name: value for name, value in parameters.items()
                      if context.get_parameter_source(name) not in _NOT_GIVEN}
    if engine == "spark":
        note(create_spark(index_path, paths, parameters, preset, inputs, spark_master,
                          copies or None))
        return
    try:
        DuplicateIndex.create(index_path, preset=preset, store_text=not no_text,
                              copies=copies or None, **parameters).close()
    except NeardupError as exc:
        fail(str(exc))
    note(f"created {index_path}")



@index.command("add", short_help="Add documents to INDEX, all or none.", epilog="""\b
Examples:
  neardup index add corpus.ndx published/ archive.jsonl.gz
  neardup index add corpus.ndx updated.jsonl --replace  # new versions
  cat today.jsonl | neardup index add corpus.ndx - --jsonl
""")
@click.argument("index_path", metavar="INDEX")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--replace", is_flag=True, help="Replace documents whose id is already indexed.")
@index_input_options
@root_option
@wait_option
@click.option("--quiet", "-q", is_flag=True, help="No warnings and no summary.")
def add_command(index_path: str, paths: tuple[str, ...], replace: bool, inputs: InputSettings,
                root: str, wait: float, quiet: bool) -> None:
    """Add the documents of PATH... to INDEX, all in one transaction (all or none).

    The id of a file's document is its path relative to --root (the current directory), as
    `neardup check` gives it. A damaged index is refused before anything is written."""
    reader = InputReader(paths, inputs, quiet=quiet, name_skipped="id", damage_fails=True,
                         root=root)
    with open_index(index_path, wait=wait) as idx:
        try:
            result = idx.add(_read_whole(reader, index_path), replace=replace)
        except AlreadyIndexedError as exc:
            fail(f"{exc.path}: already indexed: {reader.placed(exc.ids)} (use --replace to "
                 "replace them)")
        except DuplicateIdError as exc:
            fail(reader.duplicate_message(exc))
        except NeardupError as exc:
            fail(str(exc))
        total = len(idx)
    for skipped in result.skipped:
        warn(f"{skipped.id}: {skipped.reason} (skipped)", quiet)
    replaced = f" ({result.replaced} replaced)" if result.replaced else ""
    skipped_count = len(result.skipped) + len(reader.skipped)
    note(f"added {_documents(result.added)}{replaced} to {index_path}, skipped "
         f"{skipped_count}; {total} indexed", quiet)


def _read_whole(reader: InputReader, index_path: str) -> Iterator[Document]:
    """The documents, stopped by an :class:`~neardup.errors.InputError` (which undoes the
    add) when a file could not be read whole: a truncated ``.gz`` would otherwise be half
    added, with exit status 0, where ``dedup`` refuses it."""

    seen = 0  # the skipped items looked at so far: each is looked at once

    def refuse_damage() -> None:
        nonlocal seen
        damaged = next((s for s in reader.skipped[seen:] if is_damage(s.reason)), None)
        seen = len(reader.skipped)
        if damaged is not None:
            raise InputError(f"{damaged.source or damaged.id}: {damaged.reason}; nothing added "
                             f"to {index_path} (repair the file, or leave it out)")

    for document in reader.documents():
        if len(reader.skipped) > seen:
            refuse_damage()
        yield document
    refuse_damage()


@index.command("remove", epilog="""\b
Examples:
  neardup index remove corpus.ndx article-17 article-18
  neardup index remove corpus.ndx old-1 old-2 --missing-ok
""")
@click.argument("index_path", metavar="INDEX")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--missing-ok", is_flag=True, help="Ignore ids that are not indexed.")
@wait_option
def remove_command(index_path: str, ids: tuple[str, ...], missing_ok: bool, wait: float) -> None:
    """Remove documents by id from INDEX (all in one transaction).

    A damaged index is refused before anything is written."""
    with open_index(index_path, wait=wait) as idx:
        try:
            removed = idx.remove(ids, missing_ok=missing_ok)
        except NeardupError as exc:
            fail(str(exc))
        total = len(idx)
    note(f"removed {_documents(removed)} from {index_path}; {total} indexed")


def _documents(count: int) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} document{'' if count == 1 else 's'}"


@index.command("info", short_help="Show the counts, parameters and size of INDEX.",
               epilog="""\b
Examples:
  neardup index info corpus.ndx
  neardup index info corpus.ndx --json | jq .documents
  neardup index info corpus/                 # a Parquet corpus
""")
@click.argument("index_path", metavar="INDEX")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info_command(index_path: str, as_json: bool) -> None:
    """Show the counts, parameters and size on disk of INDEX (an index file, or a Parquet
    corpus stored by `index create --engine spark`)."""
    if os.path.isdir(index_path):
        _corpus_info(corpus_summary(index_path), as_json)
        return
    with open_index(index_path) as idx:
        try:
            info = idx.info()
        except NeardupError as exc:
            fail(str(exc))
    if as_json:
        click.echo(json.dumps(info.to_dict(), ensure_ascii=False, indent=2))
        return
    p = info.parameters
    stored = info.store_text
    lines = [
        f"index       {info.path}",
        f"format      neardup-index version {info.format_version} (created by neardup "
        f"{info.created_by})",
        f"documents   {info.documents}",
        f"band rows   {info.band_rows}",
        "fingerprint " + (
            f"{info.fingerprint_rows} rows (for containment checks)"
            if info.fingerprint_rows is not None
            else "rows none (format 1: rebuild the index for containment checks)"
        ),
        "copies      " + (
            f"{info.sampled_rows} sampled shingle rows, {info.gram_rows} 4-gram rows (for "
            "--preset copies)" if info.gram_rows is not None
            else "not kept (made without --copies or --preset copies: no check --preset "
            "copies)"
            if info.format_version >= COPIES_SINCE
            else "none (format 1 or 2: rebuild the index for --preset copies)"
        ),
        "texts       " + (
            "stored as added and normalized (exact verification, passages as written)"
            if info.texts_as_added
            else "normalized only (format 3 or older: passages shown without punctuation; "
            "rebuild the index to show them as written)" if stored
            else "not stored (estimated similarities)"),
        f"size        {_size(info.size_bytes)} ({info.size_bytes} bytes)",
        f"parameters  threshold={p.threshold} ngram={p.ngram} unit={p.unit} "
        f"num_perm={p.num_perm} bands={p.bands} rows={p.rows} seed={p.seed} "
        f"verify={p.verify} html={p.html} markers={list(p.markers)} script={p.script} "
        f"synonyms={p.synonyms}",
    ]
    click.echo("\n".join(lines))


@index.command("verify", short_help="Check INDEX for damage (exit 1 when damaged).",
               epilog="""\b
Examples:
  neardup index verify corpus.ndx || echo "rebuild corpus.ndx"
""")
@click.argument("index_path", metavar="INDEX")
def verify_command(index_path: str) -> None:
    """Check INDEX for damage: SQLite's integrity check, then neardup's own invariants
    (every document's band and fingerprint rows, stored texts, counts).

    Exit status: 0 when the index is sound, 1 when it is damaged (what is wrong on standard
    output), 2 when it cannot be opened as an index.
    """
    with open_index(index_path) as idx:
        result = idx.verify()
    if result.sound:
        click.echo(f"{index_path}: sound ({result.documents:,} documents)")
        return
    lines = [f"{index_path}: damaged index:"] + [f"  {p}" for p in result.problems]
    lines.append(REBUILD_HINT[0].upper() + REBUILD_HINT[1:].split(" (")[0])
    click.echo(safe_output("\n".join(lines)))
    sys.exit(1)


def _corpus_info(summary: dict[str, Any], as_json: bool) -> None:
    """Print the ``index info`` of a Parquet corpus."""
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    p = summary["parameters"]
    tables = ", ".join(f"{name}/ {_size(size)}" for name, size in summary["table_bytes"].items())
    lines = [
        f"corpus      {summary['corpus']} (a Parquet corpus, for check --engine spark)",
        f"format      {summary['format']} version {summary['version']} (created by neardup "
        f"{summary['created_by']})",
        f"documents   {summary['documents']} ({summary['skipped']} skipped: nothing left "
        "after normalization)",
        "copies      " + ("kept: sampled shingles and 4-grams (for --preset copies)"
                          if summary["copies"] else "not kept (stored without --copies or "
                          "--preset copies: no check --preset copies)"),
        f"tables      {tables}",
        f"size        {_size(summary['size_bytes'])} ({summary['size_bytes']} bytes)",
        "parameters  " + " ".join(f"{name}={value}" for name, value in p.items()),
    ]
    click.echo(safe_output("\n".join(lines)))


def _size(size: int) -> str:
    """A size in bytes for people: ``512 B``, ``1.5 KiB``, ..., ``2.0 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover
