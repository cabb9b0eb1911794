"""The options commands share, written once, and what each one hands the command.

* :func:`parameter_options` — an option for each :class:`~neardup.parameters.Parameters`
  field that has flags, made from its :class:`~neardup.parameters.FieldInfo`
  (:func:`parameter_option`), and ``--preset``; ``scan`` and ``dedup`` receive one
  validated :class:`~neardup.parameters.Parameters` named ``parameters`` (an invalid
  combination is a usage error);
* :func:`index_parameter_options` — the options of the fields an index is made with, for
  ``index create`` (with defaults) and ``check`` (without: only what was given), passed as
  a dict named ``parameters`` of the options given, for
  :class:`~neardup.index.DuplicateIndex` to check;
* :func:`query_options` — ``--containment``, ``--max-df`` and ``--preset`` of ``check``,
  chosen per query, passed as :class:`QuerySettings` named ``query``;
* :func:`input_options` and :func:`index_input_options` — JSON Lines field names, ``--jsonl``
  for standard input and ``--strict``, passed as :class:`InputSettings` named ``inputs``;
* :func:`output_options` — ``--format``, ``-o/--output`` and ``--quiet`` of ``scan``, passed
  as :class:`OutputSettings` named ``output``; :func:`workers_option`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import click

from ..errors import NeardupError
from ..formats import FORMATS
from ..parameters import (
    PARAMETER_FIELDS,
    PRESET_PURPOSES,
    PRESETS,
    FieldInfo,
    field_info,
    field_infos,
    resolve_parameters,
)
from .output import check_output_path, report_format

F = TypeVar("F", bound=Callable[..., Any])

STDIN = "-"
"""The path that stands for standard input."""

STRICT_HELP = (
    "Treat unreadable files and lines (binary, undecodable, malformed) as errors (exit 2) "
    "instead of skipping them with a warning."
)
INDEX_STRICT_HELP = (
    "Treat unreadable files and lines (binary, undecodable, malformed) as errors (exit 2) "
    "instead of skipping them."
)


# ---------------------------------------------------------------------------- parameters


Option = Callable[[Any], Any]
"""A click option decorator."""

def index_fields() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The :class:`~neardup.parameters.Parameters` fields that have an option and that an
    index is made with, and those each query chooses, in their order."""
    from ..stages.recorded import QUERY_PARAMETERS, SCAN_ONLY

    made_with = tuple(
        name for name, info in field_infos()
        if info.flags and name not in QUERY_PARAMETERS + SCAN_ONLY
    )
    return made_with, QUERY_PARAMETERS


def parameter_option(
    name: str, *, defaults: bool = True, presets: bool = False, help_text: str | None = None
) -> Option:
    """The option of the :class:`~neardup.parameters.Parameters` field ``name``, made from
    its :class:`~neardup.parameters.FieldInfo`: flags, type and range, help.

    Args:
        name: the field; the command receives its value (None when not given and
            ``defaults`` is off).
        defaults: give and show the field's default; without, an option not given is None.
        presets: the command has ``--preset``: a field a preset changes is None unless
            given, its help naming the default and the presets' values.
        help_text: the help, when the field's own says more than the command does.
    """
    info = field_info(name)
    default = PARAMETER_FIELDS[name].default
    chosen = [(preset, values[name]) for preset, values in PRESETS.items() if name in values]
    shown = defaults and default is not None and info.kind != "flag"
    help_text = info.help if help_text is None else help_text
    if shown and presets and chosen:
        by_preset = "; ".join(f"{value} with --preset {preset}" for preset, value in chosen)
        help_text = f"{help_text.removesuffix('.')} [default: {default}; {by_preset}]."
        shown = False
    if info.kind == "flag":
        return click.option(*info.flags, name, is_flag=True, default=None, help=help_text)
    return click.option(
        *info.flags, name, type=_click_type(info), default=default if shown else None,
        show_default=shown, metavar=info.metavar, help=help_text,
    )


def _click_type(info: FieldInfo) -> click.ParamType[Any]:
    """The click type of a field: its range or its choices."""
    if info.kind == "integer":
        low = None if info.low is None else int(info.low) + info.low_open
        high = None if info.high is None else int(info.high) - info.high_open
        return click.IntRange(low, high)
    if info.kind == "number":
        return click.FloatRange(info.low, info.high, min_open=info.low_open,
                                max_open=info.high_open)
    if info.kind == "choice":
        return click.Choice([choice for choice in info.choices if choice is not None])
    return click.STRING


def preset_flags(preset: str, names: Collection[str] | None = None) -> str:
    """The options ``preset`` stands for (those of ``names`` only, if given), e.g.
    ``--threshold 0.5 --containment 0.3``."""
    return " ".join(
        field_info(name).flags[0] if value is True else f"{field_info(name).flags[0]} {value}"
        for name, value in PRESETS[preset].items()
        if names is None or name in names
    )


def preset_option(help_text: str) -> Option:
    """``--preset`` (default None: not given)."""
    return click.option("--preset", type=click.Choice(list(PRESETS)), default=None,
                        help=help_text)


SCAN_PRESET_HELP = (
    "Parameters for a purpose: "
    + " or ".join(
        f"{preset} ({PRESET_PURPOSES[preset]}"
        + (f": {preset_flags(preset)})" if PRESETS[preset] else ")")
        for preset in PRESETS
    )
    + ". Options given override it."
)
"""The help of ``--preset`` of ``scan`` and ``dedup``."""


def _with_options(options: list[Option], func: Callable[..., Any]) -> Any:
    """``func`` decorated with ``options``, which ``--help`` shows in their order."""
    for option in reversed(options):
        func = option(func)
    return func


def parameter_options(func: F) -> F:
    """Add an option for each :class:`~neardup.parameters.Parameters` field that has flags,
    and ``--preset``; the command receives ``parameters: Parameters`` (the preset's,
    overridden by the options given).

    Invalid combinations (e.g. bands that do not divide num_perm) are usage errors (exit 2).
    """
    names = [name for name, info in field_infos() if info.flags]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names}
        try:
            given = {name: value for name, value in values.items() if value is not None}
            kwargs["parameters"] = resolve_parameters(preset=kwargs.pop("preset"), **given)
        except NeardupError as exc:
            raise click.UsageError(str(exc)) from None
        return func(*args, **kwargs)

    options = [parameter_option(name, presets=True) for name in names]
    return cast(F, _with_options([*options, preset_option(SCAN_PRESET_HELP)], wrapper))


def index_parameter_options(*, defaults: bool) -> Callable[[F], F]:
    """Add the options of the fields an index is made with (:func:`index_fields`); the
    command receives ``parameters: dict[str, Any]``, the options given (not None), for
    :class:`~neardup.index.DuplicateIndex` to validate.

    Args:
        defaults: show and apply the defaults (``index create``); without, an option not
            given is left out (``check``: the index's own parameters apply).
    """

    names, _ = index_fields()

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names}
            kwargs["parameters"] = {k: v for k, v in values.items() if v is not None}
            return func(*args, **kwargs)

        options = [parameter_option(name, defaults=defaults) for name in names]
        return cast(F, _with_options(options, wrapper))

    return decorate


def query_preset_help() -> str:
    """The help of ``--preset`` of ``check``."""
    made_with, per_query = index_fields()
    return (
        "Parameters for a purpose: near-identical (the defaults) or copies (partial copies, "
        "rewrites and the copies judgement as neardup scan's: "
        f"{preset_flags('copies', per_query + COPIES_OPTIONS)}, the last two with an index "
        f"of format 3 or later; with --against also {preset_flags('copies', made_with)}, an "
        "index keeping the parameters it was made with). Options given override it."
    )


@dataclass(frozen=True)
class QuerySettings:
    """What each check chooses for itself, whatever the index: ``--containment``,
    ``--max-df``, ``--rewrite``, ``--formula-df`` and ``--preset`` (None: not given)."""

    containment: float | None = None
    max_df: int | None = None
    preset: str | None = None
    rewrite: float | None = None
    formula_df: int | None = None

    def preset_values(self) -> dict[str, Any]:
        """The preset's parameters (none without one)."""
        return dict(PRESETS[self.preset]) if self.preset is not None else {}

    def judged(self) -> dict[str, Any]:
        """``rewrite`` and ``formula_df`` of the rewrite search and the copies judgement:
        the options given, else the preset's (None: not run)."""
        preset = self.preset_values()
        return {name: preset.get(name) if getattr(self, name) is None else getattr(self, name)
                for name in COPIES_OPTIONS}

    @property
    def chosen_containment(self) -> float | None:
        """The containment given, else the preset's (None: a Jaccard check)."""
        if self.containment is not None:
            return self.containment
        found: float | None = self.preset_values().get("containment")
        return found


COPIES_OPTIONS = ("rewrite", "formula_df")
"""The options of the rewrite search and the copies judgement, which a check chooses as a
scan does (an index keeps what they need from format 3 on, or ``--against``)."""


CHECK_HELP = {
    "max_df": "A containment check ignores fingerprints held by more documents than this, "
              "indexed and new together (boilerplate).",
}
"""The help of ``check``'s options whose field's help speaks of what check does not run
(the rewrite search)."""


def query_options(func: F) -> F:
    """Add ``--containment``, ``--max-df`` and ``--preset``; the command receives
    ``query: QuerySettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["query"] = QuerySettings(
            containment=kwargs.pop("containment"),
            max_df=kwargs.pop("max_df"),
            preset=kwargs.pop("preset"),
            **{name: kwargs.pop(name) for name in COPIES_OPTIONS},
        )
        return func(*args, **kwargs)

    _, per_query = index_fields()
    options = [*(parameter_option(name, help_text=CHECK_HELP.get(name)) for name in per_query),
               *(parameter_option(name, defaults=False, help_text=CHECK_HELP.get(name))
                 for name in COPIES_OPTIONS),
               preset_option(query_preset_help())]
    return cast(F, _with_options(options, wrapper))


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class InputSettings:
    """How input files and standard input are read."""

    id_field: str = "id"
    text_field: str = "text"
    title_field: str = "title"
    jsonl: bool = False
    strict: bool = False


def input_options(func: F) -> F:
    """Add the input options (as ``scan`` words them); the command receives
    ``inputs: InputSettings``."""
    return _input_options(func, STRICT_HELP)


def index_input_options(func: F) -> F:
    """Add the input options (as ``index add`` and ``check`` word them); the command
    receives ``inputs: InputSettings``."""
    return _input_options(func, INDEX_STRICT_HELP)


def dedup_input_options(func: F) -> F:
    """Add the input options of ``dedup``: no ``--jsonl`` (it reads no standard input), and
    ``--ignore-ids``; the command receives ``inputs: InputSettings``."""
    func = click.option(
        "--ignore-ids", is_flag=True,
        help="Do not read ids: name each record by its file and line (or row); files of "
             "one name in different directories by their paths under the current directory. "
             "For shards that reuse ids or file names (dedup copies records by position and "
             "needs no ids; --removed and --clusters then name file:line).",
    )(func)
    return _input_options(func, STRICT_HELP, stdin=False)


NO_ID_FIELD = "\x00neardup: no id field"
"""The id field of ``--ignore-ids``: a name no record uses, so every record is named by its
place (``file:line``)."""


def _input_options(func: F, strict_help: str, stdin: bool = True) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ignore_ids = kwargs.pop("ignore_ids", False)
        kwargs["inputs"] = InputSettings(
            id_field=NO_ID_FIELD if ignore_ids else kwargs.pop("id_field"),
            text_field=kwargs.pop("text_field"),
            title_field=kwargs.pop("title_field"),
            jsonl=kwargs.pop("jsonl", False),
            strict=kwargs.pop("strict"),
        )
        kwargs.pop("id_field", None)
        return func(*args, **kwargs)

    options = [
        click.option("--id-field", default="id", show_default=True, metavar="NAME",
                     help="JSON Lines field holding the document id."),
        click.option("--text-field", default="text", show_default=True, metavar="NAME",
                     help="JSON Lines field holding the text."),
        click.option("--title-field", default="title", show_default=True, metavar="NAME",
                     help="JSON Lines field holding the title."),
        click.option("--jsonl", is_flag=True,
                     help="Read standard input ('-') as JSON Lines instead of one text."),
        click.option("--strict", is_flag=True, help=strict_help),
    ]
    if not stdin:
        options = [option for k, option in enumerate(options) if k != 3]
    return cast(F, _with_options(options, wrapper))


ROOT_HELP = (
    "Ids of files are their paths relative to DIR (the same for `index add` and `check`, so "
    "that a new version of an indexed file is compared as itself); a file outside DIR has "
    "its path relative to the directory given, or its name."
)


def root_option(func: F) -> F:
    """Add ``--root DIR`` (default: the current directory) of ``index add`` and ``check``;
    the command receives ``root``."""
    return click.option(
        "--root", default=".", show_default=True, metavar="DIR",
        type=click.Path(exists=True, file_okay=False), help=ROOT_HELP,
    )(func)


# ---------------------------------------------------------------------------- output


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
        if kwargs.get("engine") == "spark":  # -o is a directory of Parquet files
            if fmt is not None:
                raise click.UsageError(
                    f"--engine spark writes Parquet (pairs/, clusters/ and skipped/ under -o "
                    f"DIR), not a report: --format {fmt} is for the local engine")
            kwargs["output"] = OutputSettings("text", path, kwargs.pop("quiet"))
        else:
            check_output_path(path)
            kwargs["output"] = OutputSettings(report_format(fmt, path, FORMATS), path,
                                              kwargs.pop("quiet"))
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def engine_options(engine_help: str) -> Callable[[F], F]:
    """Add ``--engine local|spark`` (helped with ``engine_help``) and ``--spark-master``; the
    command receives ``engine`` and ``spark_master``."""

    def decorate(func: F) -> F:
        options = [
            click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
                         show_default=True, help=engine_help),
            click.option("--spark-master", default="local[*]", show_default=True,
                         metavar="URL",
                         help="Spark master for --engine spark (ignored under spark-submit)."),
        ]
        return cast(F, _with_options(options, func))

    return decorate


def workers_option(func: F) -> F:
    """Add ``--workers N`` (hashing processes; default: all cores)."""
    return click.option(
        "--workers", "-w", type=click.IntRange(min=1), default=None,
        help="Hashing processes [default: all cores]. Results do not depend on it.",
    )(func)


# ---------------------------------------------------------------------------- dedup


@dataclass(frozen=True)
class DedupSettings:
    """What ``dedup`` keeps and where it writes."""

    output: str
    keep: str = "first"
    prefer: str | None = None
    min_length: int = 0
    split_chains: bool = False
    removed: str | None = None
    clusters: str | None = None
    quiet: bool = False


def dedup_options(func: F) -> F:
    """Add ``-o/--output``, ``--keep``, ``--prefer``, ``--min-length``, ``--split-chains``,
    ``--removed``,
    ``--clusters`` and ``--quiet``; the command receives ``dedup: DedupSettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["dedup"] = DedupSettings(
            output=kwargs.pop("output_path"),
            keep=kwargs.pop("keep"),
            prefer=kwargs.pop("prefer"),
            min_length=kwargs.pop("min_length"),
            split_chains=kwargs.pop("split_chains"),
            removed=kwargs.pop("removed"),
            clusters=kwargs.pop("clusters"),
            quiet=kwargs.pop("quiet"),
        )
        return func(*args, **kwargs)

    options = [
        click.option("--output", "-o", "output_path", required=True, metavar="OUTPUT",
                     help="Where to write the deduplicated corpus: a directory that mirrors "
                          "the inputs, one .jsonl/.jsonl.gz file for JSON Lines inputs, or "
                          "one .parquet file for one Parquet input. May not be an input."),
        click.option("--keep", type=click.Choice(["first", "longest"]), default="first",
                     show_default=True,
                     help="Which member of each group of near-duplicates to keep: the first "
                          "in input order, or the longest."),
        click.option("--prefer", metavar="FIELD", default=None,
                     help="Keep the member with the largest value of this JSON Lines or "
                          "Parquet field (a quality score, a date); then as --keep says."),
        click.option("--min-length", type=click.IntRange(min=0), default=0, show_default=True,
                     metavar="N",
                     help="Leave documents shorter than N normalized characters as they are "
                          "(not compared, passed through)."),
        click.option("--split-chains", is_flag=True,
                     help="Split clusters where they chain (a~b, b~c, a far from c), so that "
                          "every removed document is within the threshold of the one kept "
                          "for it (keeps more)."),
        click.option("--removed", metavar="FILE", default=None,
                     help="Write each removed document as a JSON line: id, the id kept in "
                          "its place, similarity, exact, within_threshold (false: joined "
                          "through others)."),
        click.option("--clusters", metavar="FILE", default=None,
                     help="Write every document of each cluster as a JSON line: id, "
                          "cluster, kept, similarity to the kept one, within_threshold."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars and no warnings."),
    ]
    return cast(F, _with_options(options, wrapper))
