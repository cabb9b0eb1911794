"""The options commands share, written once, and what each one hands the command.

* :func:`parameter_options` — the pipeline parameters of ``scan``, passed as one validated
  :class:`~neardup.parameters.Parameters` named ``parameters`` (an invalid combination is a
  usage error);
* :func:`index_parameter_options` — the same options for ``index create`` (with defaults) and
  ``check`` (without: only what was given), passed as a dict named ``parameters`` of the
  options given, for :class:`~neardup.index.DuplicateIndex` to check;
* :func:`query_options` — ``--containment``, ``--max-df`` and ``--preset`` of ``check``,
  chosen per query, passed as :class:`QuerySettings` named ``query``;
* :func:`input_options` and :func:`index_input_options` — JSON Lines field names, ``--jsonl``
  for standard input and ``--strict``, passed as :class:`InputSettings` named ``inputs``;
* :func:`output_options` — ``--format``, ``-o/--output`` and ``--quiet`` of ``scan``, passed
  as :class:`OutputSettings` named ``output``; :func:`workers_option`.

``scan`` and the index commands word a few help texts differently (:data:`PARAMETER_HELP`,
:data:`INDEX_PARAMETER_HELP`); each keeps its own wording, so their ``--help`` is as it was.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import click

from ..errors import NeardupError
from ..formats import FORMATS
from ..parameters import DEFAULT_MAX_DF, PRESETS, parameters_for
from .output import check_output_path, report_format

F = TypeVar("F", bound=Callable[..., Any])

STDIN = "-"
"""The path that stands for standard input."""

PARAMETER_NAMES = ("threshold", "ngram", "unit", "num_perm", "bands", "seed", "verify", "html")
"""The keyword arguments the parameter options add, in the order they are shown."""

FOLDING_NAMES = ("script", "synonyms")
"""The keyword arguments of the folding options (an index records them too)."""

PARAMETER_HELP: dict[str, str] = {
    "threshold": "Minimum Jaccard similarity of shingle sets.",
    "ngram": "Shingle size, in characters or words (see --unit).",
    "unit": "Shingle unit: characters, or jieba words.",
    "num_perm": "MinHash permutations.",
    "bands": "LSH bands (must divide --num-perm); chosen from the threshold if omitted.",
    "seed": "Permutation seed (as datasketch's).",
    "verify": "Verify candidates by exact Jaccard, or trust the MinHash estimate.",
    "html": "Strip HTML tags, comments, scripts and entities before comparing.",
}
"""The help of each parameter option, as ``neardup scan`` words it."""

SEARCH_NAMES = ("containment", "rewrite", "max_df", "script", "synonyms", "preset")
"""The keyword arguments of the options of a containment search, of folding and of
presets."""

SEARCH_HELP: dict[str, str] = {
    "threshold": "Minimum Jaccard similarity of shingle sets [default: 0.7; 0.5 with "
                 "--preset copies].",
    "containment": "Also report partial copies: pairs where at least this share of the "
                   "smaller document is found in the other, whatever their Jaccard "
                   "(e.g. 0.3).",
    "rewrite": "Also report rewritten copies (words swapped, sentences moved, cut or "
               "inserted): pairs whose distinctive 4-grams (held by at most 20 documents, "
               "or --max-df when lower) have a Jaccard that, times the smaller share of "
               "either text in sentences with a partner in the other, is at least this "
               "(e.g. 0.025).",
    "max_df": "A containment search ignores fingerprints held by more documents than this "
              f"(boilerplate), a rewrite search such 4-grams [default: {DEFAULT_MAX_DF}].",
    "script": "Fold traditional Chinese characters to simplified before comparing (finds "
              "copies reposted in the other script).",
    "synonyms": "Replace words by one representative of their synonym class (extended HIT "
                "Cilin) before comparing (finds some rewritten copies).",
    "preset": "Parameters for a purpose: near-identical (the defaults) or copies (rewritten "
              "and partial copies: --threshold 0.5 --containment 0.3 --rewrite 0.025 "
              "--script simplified). Options given override it.",
}
"""The help of the options of a containment search and of presets."""

INDEX_PARAMETER_HELP: dict[str, str] = {
    **PARAMETER_HELP,
    "ngram": "Shingle size, in characters or words.",
    "unit": "Shingle unit: characters or jieba words.",
    "html": "Strip HTML tags, comments, scripts and entities first.",
}
"""The help of each parameter option, as ``neardup index create`` and ``check`` word it."""

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


def _parameter_options(defaults: bool, wording: Mapping[str, str]) -> list[Option]:
    """The parameter options, helped with ``wording``; with ``defaults=False`` every default
    is None (not given)."""

    def default(value: Any) -> Any:
        return value if defaults else None

    return [
        click.option("--threshold", "-t", type=click.FloatRange(0, 1, min_open=True),
                     default=default(0.7), show_default=defaults, help=wording["threshold"]),
        click.option("--ngram", "-n", type=click.IntRange(min=1), default=default(5),
                     show_default=defaults, help=wording["ngram"]),
        click.option("--unit", type=click.Choice(["char", "word"]), default=default("char"),
                     show_default=defaults, help=wording["unit"]),
        click.option("--num-perm", type=click.IntRange(min=1), default=default(128),
                     show_default=defaults, help=wording["num_perm"]),
        click.option("--bands", "-b", type=click.IntRange(min=1), default=None,
                     help=wording["bands"]),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=default(1),
                     show_default=defaults, help=wording["seed"]),
        click.option("--verify", type=click.Choice(["exact", "estimate"]),
                     default=default("exact"), show_default=defaults, help=wording["verify"]),
        click.option("--html-markup", "html", is_flag=True, default=default(False),
                     help=wording["html"]),
    ]


def _with_options(options: list[Option], func: Callable[..., Any]) -> Any:
    """``func`` decorated with ``options``, which ``--help`` shows in their order."""
    for option in reversed(options):
        func = option(func)
    return func


def _search_options(folding: bool = True, preset_help: str = SEARCH_HELP["preset"]) -> list[Option]:
    """``--containment``, ``--max-df``, (with ``folding``) ``--script`` and ``--synonyms``,
    and ``--preset`` (default None: not given)."""
    options = [
        click.option("--containment", "-c", type=click.FloatRange(0, 1, min_open=True),
                     default=None, help=SEARCH_HELP["containment"]),
        click.option("--max-df", type=click.IntRange(min=2), default=None, metavar="N",
                     help=SEARCH_HELP["max_df"]),
    ]
    if folding:
        options.insert(1, click.option(
            "--rewrite", type=click.FloatRange(0, 1, min_open=True), default=None,
            help=SEARCH_HELP["rewrite"],
        ))
        options += _folding_options()
    options.append(click.option("--preset", type=click.Choice(list(PRESETS)), default=None,
                                help=preset_help))
    return options


def _folding_options() -> list[Option]:
    """``--script`` and ``--synonyms`` (default None: not given)."""
    return [
        click.option("--script", type=click.Choice(["simplified"]), default=None,
                     help=SEARCH_HELP["script"]),
        click.option("--synonyms", is_flag=True, default=None, help=SEARCH_HELP["synonyms"]),
    ]


def parameter_options(func: F) -> F:
    """Add the pipeline parameter options, those of a containment search and ``--preset``;
    the command receives ``parameters: Parameters`` (the preset's, overridden by the
    options given).

    Invalid combinations (e.g. bands that do not divide num_perm) are usage errors (exit 2).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in (*PARAMETER_NAMES, *SEARCH_NAMES)}
        try:
            kwargs["parameters"] = parameters_for(values.pop("preset"), **values)
        except NeardupError as exc:
            raise click.UsageError(str(exc)) from None
        return func(*args, **kwargs)

    options = _parameter_options(True, PARAMETER_HELP)
    options[0] = click.option(  # the threshold: the preset's unless given
        "--threshold", "-t", type=click.FloatRange(0, 1, min_open=True), default=None,
        help=SEARCH_HELP["threshold"],
    )
    return cast(F, _with_options([options[0], *_search_options(), *options[1:]], wrapper))


def index_parameter_options(*, defaults: bool) -> Callable[[F], F]:
    """Add the parameter options; the command receives ``parameters: dict[str, Any]``, the
    options given (not None), for :class:`~neardup.index.DuplicateIndex` to validate.

    Args:
        defaults: show and apply the defaults (``index create``); without, an option not
            given is left out (``check``: the index's own parameters apply).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in (*PARAMETER_NAMES, *FOLDING_NAMES)}
            kwargs["parameters"] = {k: v for k, v in values.items() if v is not None}
            return func(*args, **kwargs)

        options = [*_parameter_options(defaults, INDEX_PARAMETER_HELP), *_folding_options()]
        return cast(F, _with_options(options, wrapper))

    return decorate


QUERY_HELP: dict[str, str] = {
    **SEARCH_HELP,
    "max_df": "A containment search ignores fingerprints held by more documents than this "
              f"(boilerplate) [default: {DEFAULT_MAX_DF}].",
    "preset": "Parameters for a purpose: near-identical (the defaults) or copies (partial "
              "copies: --containment 0.3, and with --against --threshold 0.5 --script "
              "simplified; an index keeps the parameters it was made with; the rewrite "
              "search is neardup scan's only). Options given override it.",
}
"""The help of the options a query chooses, as ``neardup check`` words it."""


@dataclass(frozen=True)
class QuerySettings:
    """What each check chooses for itself, whatever the index: ``--containment``,
    ``--max-df`` and ``--preset`` (None: not given)."""

    containment: float | None = None
    max_df: int | None = None
    preset: str | None = None

    def preset_values(self) -> dict[str, Any]:
        """The preset's parameters (none without one)."""
        return dict(PRESETS[self.preset]) if self.preset is not None else {}

    @property
    def chosen_containment(self) -> float | None:
        """The containment given, else the preset's (None: a Jaccard check)."""
        if self.containment is not None:
            return self.containment
        found: float | None = self.preset_values().get("containment")
        return found


def query_options(func: F) -> F:
    """Add ``--containment``, ``--max-df`` and ``--preset``; the command receives
    ``query: QuerySettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["query"] = QuerySettings(
            containment=kwargs.pop("containment"),
            max_df=kwargs.pop("max_df"),
            preset=kwargs.pop("preset"),
        )
        return func(*args, **kwargs)

    options = _search_options(folding=False, preset_help=QUERY_HELP["preset"])
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


def _input_options(func: F, strict_help: str) -> F:
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
    return cast(F, _with_options(options, wrapper))


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
            kwargs["output"] = OutputSettings(fmt or "text", path, kwargs.pop("quiet"))
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
    removed: str | None = None
    clusters: str | None = None
    quiet: bool = False


def dedup_options(func: F) -> F:
    """Add ``-o/--output``, ``--keep``, ``--prefer``, ``--min-length``, ``--removed``,
    ``--clusters`` and ``--quiet``; the command receives ``dedup: DedupSettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["dedup"] = DedupSettings(
            output=kwargs.pop("output_path"),
            keep=kwargs.pop("keep"),
            prefer=kwargs.pop("prefer"),
            min_length=kwargs.pop("min_length"),
            removed=kwargs.pop("removed"),
            clusters=kwargs.pop("clusters"),
            quiet=kwargs.pop("quiet"),
        )
        return func(*args, **kwargs)

    options = [
        click.option("--output", "-o", "output_path", required=True, metavar="OUTPUT",
                     help="Where to write the deduplicated corpus: a directory that mirrors "
                          "the inputs, or one .jsonl/.jsonl.gz file for JSON Lines inputs. "
                          "May not be an input."),
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
        click.option("--removed", metavar="FILE", default=None,
                     help="Write each removed document as a JSON line: id, the id kept in "
                          "its place, similarity, exact."),
        click.option("--clusters", metavar="FILE", default=None,
                     help="Write every document of each cluster as a JSON line: id, "
                          "cluster, kept, similarity to the kept one."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars and no warnings."),
    ]
    return cast(F, _with_options(options, wrapper))
