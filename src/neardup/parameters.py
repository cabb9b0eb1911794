"""The parameters of a duplicate search: one frozen, validated value that every engine takes
and every artifact (report, index file) records.

Each field of :class:`Parameters` is written once: its default, and as its metadata a
:class:`FieldInfo` (the values it takes, its help, its command-line flags). Validation
(:meth:`Parameters.__post_init__`) and the options of the command line
(:mod:`neardup.cli.options`) are made from these, so a new parameter is one new field.
:data:`PRESETS` are named sets of field values; :func:`resolve_parameters` is how every entry
point turns ``params``, ``preset`` and ``**overrides`` into one :class:`Parameters`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import Field, asdict, dataclass, field, fields, replace
from typing import Any, Literal

from ._types import SHINGLE_UNITS, VERIFICATIONS, ShingleUnit, Verification
from .core.formula import CopyRule
from .core.lsh import Banding, choose_bands
from .core.minhash import check_num_perm
from .core.normalize import DEFAULT_MARKERS, SCRIPTS, NormalizeOptions, marker_patterns
from .errors import ParameterError

DEFAULT_MAX_DF = 50
"""Fingerprints held by more documents than this are boilerplate and make no candidates of a
containment search."""

FIELD_INFO = "neardup"
"""The key of a :class:`Parameters` field's metadata that holds its :class:`FieldInfo`."""

Kind = Literal["integer", "number", "choice", "flag", "any"]
"""What values a field takes: an integer, a number (stored as a float), one of ``choices``,
True or False, or anything its own rule accepts."""


@dataclass(frozen=True)
class FieldInfo:
    """What a field of :class:`Parameters` is, besides its default: its help, the values it
    takes and its command-line flags (the field's metadata, made by :func:`meta`).

    ``low`` and ``high`` bound an integer or a number (``low_open``/``high_open``: the bound
    itself is out); ``check`` is a rule of the field's own, run before the bounds (its
    message words it). A field without ``flags`` has no command-line option.

    Example:
        >>> info = FieldInfo("Least Jaccard.", "number", low=0, high=1, low_open=True)
        >>> info.interval
        '(0, 1]'
        >>> info.validated("threshold", 1)
        1.0
        >>> info.validated("threshold", 0)
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: threshold must be in (0, 1] (got 0.0)
    """

    help: str
    kind: Kind = "any"
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    check: Callable[[Any], None] | None = None
    flags: tuple[str, ...] = ()
    metavar: str | None = None

    @property
    def interval(self) -> str:
        """The bounds as an interval, e.g. ``(0, 1]``, or ``>= 1`` without a high bound."""
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {_shown(self.low)}"
        return (f"{'(' if self.low_open else '['}{_shown(self.low)}, {_shown(self.high)}"
                f"{')' if self.high_open else ']'}")

    def validated(self, name: str, value: Any, optional: bool = False) -> Any:
        """``value`` as the field stores it (a number as a float); None is one when
        ``optional`` (the field's default is None: not given, or off).

        Raises:
            ParameterError: a value of another kind, or out of bounds, e.g.
                ``ngram must be an integer >= 1 (got 0)``.
        """
        if value is None and optional:
            return None
        if self.kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._error(name, "an integer", value)
            if self.check is not None:
                self.check(value)
            if not self._within(value):
                raise self._error(name, "an integer", value)
        elif self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParameterError(
                    f"{name} must be a number{' or None' if optional else ''} "
                    f"(got {value!r})"
                )
            value = float(value)
            if not self._within(value):
                raise ParameterError(f"{name} must be in {self.interval} (got {value})")
        elif self.kind == "choice" and value not in self.choices:
            raise ParameterError(f"{name} must be one of {self.choices} (got {value!r})")
        elif self.kind == "flag" and not isinstance(value, bool):
            raise ParameterError(f"{name} must be True or False (got {value!r})")
        return value

    def _within(self, value: float) -> bool:
        """Whether ``value`` is inside the bounds (written so that NaN is not)."""
        low, high = self.low, self.high
        return (
            (low is None or (value > low if self.low_open else value >= low))
            and (high is None or (value < high if self.high_open else value <= high))
        )

    def _error(self, name: str, kind: str, value: Any) -> ParameterError:
        bounds = "" if self.low is None else (
            f" {self.interval}" if self.high is None else f" in {self.interval}"
        )
        return ParameterError(f"{name} must be {kind}{bounds} (got {value!r})")


def _shown(bound: float | None) -> str:
    """A bound as a message shows it: ``2**32`` for a large power of two."""
    if isinstance(bound, int) and bound > 1 << 16 and bound & (bound - 1) == 0:
        return f"2**{bound.bit_length() - 1}"
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def meta(help: str, kind: Kind = "any", **rules: Any) -> dict[str, FieldInfo]:
    """The metadata of a :class:`Parameters` field: its :class:`FieldInfo`."""
    return {FIELD_INFO: FieldInfo(help, kind, **rules)}


SHARE: dict[str, Any] = {"kind": "number", "low": 0, "high": 1, "low_open": True}
"""The bounds of a share or a similarity: in (0, 1]."""


@dataclass(frozen=True)
class Parameters:
    """Everything that decides a result; recorded in every report and index.

    Each field's default, values and help are its :class:`FieldInfo`
    (``field_info("threshold").help``). ``containment``
    and ``rewrite``, when given, add the search for partial copies and for rewritten
    copies (洗稿, see :mod:`neardup.core.rewrites`; it needs exact verification) to that
    for near-duplicates; ``bands`` and ``rows`` are chosen from the threshold unless given.

    Raises:
        ParameterError: a value out of range, e.g. ``ngram must be an integer >= 1 (got 0)``.

    Example:
        >>> p = Parameters(threshold=0.8)
        >>> p.bands, p.rows
        (21, 6)
        >>> Parameters(ngram=0)
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: ngram must be an integer >= 1 (got 0)
    """

    threshold: float = field(default=0.7, metadata=meta(
        "Minimum Jaccard similarity of shingle sets.", **SHARE, flags=("--threshold", "-t"),
    ))
    containment: float | None = field(default=None, metadata=meta(
        "Also report partial copies: pairs where at least this share of the smaller document "
        "is found in the other, whatever their Jaccard (e.g. 0.3).",
        **SHARE, flags=("--containment", "-c"),
    ))
    max_df: int = field(default=DEFAULT_MAX_DF, metadata=meta(
        "A containment search ignores fingerprints held by more documents than this "
        "(boilerplate), a rewrite search such 4-grams.",
        "integer", low=2, flags=("--max-df",), metavar="N",
    ))
    rewrite: float | None = field(default=None, metadata=meta(
        "Also report rewritten copies (words swapped, sentences moved, cut or inserted): "
        "pairs whose distinctive 4-grams (held by at most 20 documents, or --max-df when "
        "lower) have a Jaccard that, times the smaller share of either text in sentences "
        "with a partner in the other, is at least this (e.g. 0.025).",
        **SHARE, flags=("--rewrite",),
    ))
    formula_df: int | None = field(default=None, metadata=meta(
        "Tell copies from template siblings: text held by more documents than this (or by "
        "more than a tenth of a small collection) is formula, a template's wording; a pair "
        "is then reported only when it shares a specific passage (rarer text, "
        f"{CopyRule.passage} characters or more, not a template filled with other names, "
        "dates or figures), much specific text or most of the shorter text in order, and "
        "the other pairs found are listed apart (e.g. 10; needs exact verification).",
        "integer", low=2, flags=("--formula-df",), metavar="N",
    ))
    ngram: int = field(default=5, metadata=meta(
        "Shingle size, in characters or words (see --unit).",
        "integer", low=1, flags=("--ngram", "-n"),
    ))
    unit: ShingleUnit = field(default="char", metadata=meta(
        "Shingle unit: characters, or jieba words.",
        "choice", choices=SHINGLE_UNITS, flags=("--unit",),
    ))
    num_perm: int = field(default=128, metadata=meta(
        "MinHash permutations.", "integer", low=1, check=check_num_perm, flags=("--num-perm",),
    ))
    seed: int = field(default=1, metadata=meta(
        "Permutation seed (as datasketch's).",
        "integer", low=0, high=2**32, high_open=True, flags=("--seed",),
    ))
    bands: int | None = field(default=None, metadata=meta(
        "LSH bands (must divide --num-perm); chosen from the threshold if omitted.",
        "integer", low=1, flags=("--bands", "-b"),
    ))
    rows: int | None = field(default=None, metadata=meta(
        "Signature values per LSH band (bands * rows <= num_perm); chosen with the bands if "
        "omitted.", "integer", low=1,
    ))
    verify: Verification = field(default="exact", metadata=meta(
        "Verify candidates by exact Jaccard, or trust the MinHash estimate.",
        "choice", choices=VERIFICATIONS, flags=("--verify",),
    ))
    html: bool = field(default=False, metadata=meta(
        "Strip HTML tags, comments, scripts and entities before comparing.",
        "flag", flags=("--html-markup",),
    ))
    markers: tuple[str, ...] = field(default=DEFAULT_MARKERS, metadata=meta(
        "Regular expressions removed before normalizing (default: the scraper markers "
        "##paidbegin## and ##paidend##).",
    ))
    script: str | None = field(default=None, metadata=meta(
        "Fold traditional Chinese characters to simplified before comparing (finds copies "
        "reposted in the other script).", "choice", choices=SCRIPTS, flags=("--script",),
    ))
    synonyms: bool = field(default=False, metadata=meta(
        "Replace words by one representative of their synonym class (extended HIT Cilin) "
        "before comparing (finds some rewritten copies).", "flag", flags=("--synonyms",),
    ))

    def __post_init__(self) -> None:
        for item in fields(self):
            info: FieldInfo = item.metadata[FIELD_INFO]
            value = info.validated(item.name, getattr(self, item.name), item.default is None)
            object.__setattr__(self, item.name, value)
        if self.formula_df is not None and self.verify != "exact":
            raise ParameterError(
                "formula_df needs verify='exact': telling copies from templates reads the texts"
            )
        if self.rewrite is not None and self.verify != "exact":
            raise ParameterError(
                "rewrite needs verify='exact': the resemblance of distinctive shingles "
                "cannot be estimated from signatures"
            )
        if self.bands is not None and self.rows is not None:
            if self.bands * self.rows > self.num_perm:
                raise ParameterError(
                    f"bands * rows must be <= num_perm={self.num_perm} "
                    f"(got {self.bands} * {self.rows})"
                )
        else:
            banding = choose_bands(self.threshold, self.num_perm, self.bands)
            object.__setattr__(self, "bands", banding.bands)
            object.__setattr__(self, "rows", banding.rows)
        object.__setattr__(self, "markers", marker_patterns(self.markers))
        self.normalize_options()  # validates the markers

    @property
    def banding(self) -> Banding:
        """The LSH banding: ``bands`` bands of ``rows`` signature values."""
        return Banding(int(self.bands or 1), int(self.rows or 1))

    def normalize_options(self) -> NormalizeOptions:
        """The normalization these parameters ask for."""
        return NormalizeOptions(
            html=self.html, markers=self.markers, script=self.script, synonyms=self.synonyms
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        out = asdict(self)
        out["markers"] = list(self.markers)
        return out


PARAMETER_FIELDS: dict[str, Field[Any]] = {item.name: item for item in fields(Parameters)}
"""The fields of :class:`Parameters`, in their order (``.default``; ``.metadata``, see
:func:`field_info`)."""


def field_info(name: str) -> FieldInfo:
    """The :class:`FieldInfo` of the :class:`Parameters` field ``name``.

    Example:
        >>> field_info("ngram").flags, field_info("ngram").interval
        (('--ngram', '-n'), '>= 1')
    """
    info: FieldInfo = PARAMETER_FIELDS[name].metadata[FIELD_INFO]
    return info


def field_infos() -> list[tuple[str, FieldInfo]]:
    """Each field of :class:`Parameters`, in their order, with its :class:`FieldInfo`."""
    return [(name, field_info(name)) for name in PARAMETER_FIELDS]


def _described(name: str, info: FieldInfo) -> str:
    """One field as ``help(Parameters)`` lists it: name, default, values, help."""
    default = PARAMETER_FIELDS[name].default
    if info.kind in ("integer", "number") and info.low is not None:
        values = f"; {info.interval}"
    elif info.kind == "choice":
        values = f"; one of {info.choices}"
    else:
        values = ""
    return f"    {name} (default {default!r}{values}): {info.help}"


Parameters.__doc__ = (Parameters.__doc__ or "") + "\n\nFields:\n" + "\n".join(
    _described(name, info) for name, info in field_infos()
)


PRESETS: dict[str, dict[str, Any]] = {
    "near-identical": {},
    "copies": {"threshold": 0.5, "containment": 0.3, "rewrite": 0.025, "script": "simplified",
               "formula_df": 10},
}
"""Parameters chosen for a purpose, for people who are not experts:

* ``near-identical`` (the defaults): copies that differ by little (Jaccard 0.7);
* ``copies``: rewritten and partial copies as well: a Jaccard threshold of 0.5, pairs
  where 30% of the smaller document is found in the other (containment 0.3), and
  traditional characters compared as simplified ones (script folding costs little); of
  the pairs found, only those that share specific content are copies, and template
  siblings and topic neighbours are listed apart (``formula_df`` 10).
"""


PRESET_PURPOSES: dict[str, str] = {
    "near-identical": "the defaults",
    "copies": "rewritten and partial copies",
}
"""What each of :data:`PRESETS` is for, in a few words (``--preset``'s help says it)."""


def preset_values(preset: str | None) -> dict[str, Any]:
    """The field values of ``preset`` (None: none, the defaults).

    Raises:
        ParameterError: an unknown preset.
    """
    if preset is None:
        return {}
    if preset not in PRESETS:
        raise ParameterError(f"preset must be one of {tuple(PRESETS)} (got {preset!r})")
    return dict(PRESETS[preset])


def parameters_for(preset: str | None = None, **given: Any) -> Parameters:
    """The parameters of ``preset`` (none: the defaults), overridden by those ``given`` that
    are not None (:func:`resolve_parameters`, where an explicit None also switches off).

    Raises:
        ParameterError: an unknown preset or parameter name, or a value out of range.

    Example:
        >>> p = parameters_for("copies", threshold=0.6, containment=None)
        >>> p.threshold, p.containment
        (0.6, 0.3)
    """
    return resolve_parameters(
        preset=preset, **{name: value for name, value in given.items() if value is not None}
    )


def resolve_parameters(
    params: Parameters | None = None, preset: str | None = None, **overrides: Any
) -> Parameters:
    """The parameters an entry point runs with: ``params`` (or the ``preset``'s, or the
    defaults) with ``overrides``.

    Every entry point (``find_duplicates``, ``deduplicate``, ``DuplicateIndex.create``, the
    Spark functions) takes ``params``, ``preset`` and ``**overrides`` and passes them here.
    An override of None leaves a field as it is, except for the fields that are off or chosen
    by default (``containment``, ``rewrite``, ``script``, ``bands``, ``rows``), where it
    switches the search or the folding off, or has the banding chosen:
    ``preset="copies", rewrite=None`` is the copies preset without the rewrite search.

    A banding chosen from the threshold is chosen again when ``threshold`` or ``num_perm``
    changes; one given (``bands``, with or without ``rows``) is kept. ``rows`` goes with
    ``bands``.

    Raises:
        ParameterError: an unknown parameter name (the message lists the valid ones), both
            ``params`` and ``preset``, ``params`` that are not :class:`Parameters`, an
            unknown preset, ``rows`` without ``bands``, or a value out of range.

    Example:
        >>> resolve_parameters(preset="copies", threshold=0.6).threshold
        0.6
        >>> resolve_parameters(preset="copies", rewrite=None).rewrite is None
        True
        >>> resolve_parameters(thresold=0.6)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: unknown parameter 'thresold'; the parameters are: ...
    """
    for name in overrides:
        if name not in PARAMETER_FIELDS:
            raise ParameterError(
                f"unknown parameter {name!r}; the parameters are: {', '.join(PARAMETER_FIELDS)}"
            )
    given = {
        name: value for name, value in overrides.items()
        if value is not None or PARAMETER_FIELDS[name].default is None
    }
    if given.get("rows") is not None and "bands" not in given:
        raise ParameterError(
            f"rows goes with bands: give both (got rows={given['rows']!r} alone)"
        )
    if "bands" in given and "rows" not in given:
        given["rows"] = None  # chosen for the bands given
    if params is None:
        return Parameters(**{**preset_values(preset), **given})
    if not isinstance(params, Parameters):
        raise ParameterError(
            f"params must be a Parameters (got {type(params).__name__}); give single values "
            "as keyword arguments"
        )
    if preset is not None:
        raise ParameterError("give params or preset, not both (a preset is a set of params)")
    if not given:
        return params
    if "bands" not in given and ("threshold" in given or "num_perm" in given):
        chosen = choose_bands(params.threshold, params.num_perm)
        if (params.bands, params.rows) == (chosen.bands, chosen.rows):
            given.update(bands=None, rows=None)  # chosen again for the new threshold
    return replace(params, **given)
