"""``neardup index create|add|remove|info``: maintain a persistent index (one SQLite file)
for ``neardup check``.

Exit codes: 0 when the command completed, 2 for usage errors, unusable inputs and index
files that cannot be used.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ..errors import NeardupError
from ..index import DuplicateIndex
from .inputs import InputReader
from .messages import fail, note, warn
from .options import InputSettings, index_input_options, index_parameter_options


def open_index(path: str, expected: dict[str, Any] | None = None) -> DuplicateIndex:
    """The index file at ``path``, made with the ``expected`` parameters.

    Exits with status 2 when it cannot be opened or was made with other parameters.
    """
    try:
        return DuplicateIndex.open(path, **(expected or {}))
    except NeardupError as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def index() -> None:
    """Maintain a persistent near-duplicate index (one SQLite file) for `neardup check`."""


@index.command("create")
@click.argument("index_path", metavar="INDEX")
@index_parameter_options(defaults=True)
@click.option("--no-text", is_flag=True,
              help="Do not store normalized texts: smaller, but similarities are estimated "
                   "from signatures and no passages can be shown.")
def create_command(index_path: str, parameters: dict[str, Any], no_text: bool) -> None:
    """Create an empty index file INDEX with these parameters (fixed for its lifetime)."""
    try:
        DuplicateIndex.create(index_path, store_text=not no_text, **parameters).close()
    except NeardupError as exc:
        fail(str(exc))
    note(f"created {index_path}")


@index.command("add")
@click.argument("index_path", metavar="INDEX")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--replace", is_flag=True, help="Replace documents whose id is already indexed.")
@index_input_options
@click.option("--quiet", "-q", is_flag=True, help="No warnings and no summary.")
def add_command(index_path: str, paths: tuple[str, ...], replace: bool, inputs: InputSettings,
                quiet: bool) -> None:
    """Add the documents of PATH... to INDEX, all in one transaction (all or none)."""
    reader = InputReader(paths, inputs, quiet=quiet, name_skipped="id")
    with open_index(index_path) as idx:
        try:
            result = idx.add(reader.documents(), replace=replace)
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
    with open_index(index_path) as idx:
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
        "texts       " + ("stored (exact verification, passages)" if stored
                          else "not stored (estimated similarities)"),
        f"size        {_size(info.size_bytes)} ({info.size_bytes} bytes)",
        f"parameters  threshold={p.threshold} ngram={p.ngram} unit={p.unit} "
        f"num_perm={p.num_perm} bands={p.bands} rows={p.rows} seed={p.seed} "
        f"verify={p.verify} html={p.html} markers={list(p.markers)}",
    ]
    click.echo("\n".join(lines))


def _size(size: int) -> str:
    """A size in bytes for people: ``512 B``, ``1.5 KiB``, ..., ``2.0 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover
