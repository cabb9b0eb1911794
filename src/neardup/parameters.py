"""The parameters of a duplicate search: one frozen, validated value that every engine takes
and every artifact (report, index file) records."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ._types import SHINGLE_UNITS, VERIFICATIONS, ShingleUnit, Verification
from .core.lsh import Banding, choose_bands
from .core.minhash import check_num_perm
from .core.normalize import DEFAULT_MARKERS, NormalizeOptions
from .errors import ParameterError

DEFAULT_MAX_DF = 50
"""Fingerprints held by more documents than this are boilerplate and make no candidates of a
containment search."""


@dataclass(frozen=True)
class Parameters:
    """Everything that decides a result; recorded in every report and index.

    ``threshold`` is the least Jaccard of a near-duplicate pair. ``containment``, when given,
    also reports pairs whose containment (the share of the smaller document found in the
    other) is at least that: partial copies. ``max_df`` bounds how many documents may share a
    fingerprint of the containment search, or a shingle of the rewrite search, before it
    counts as boilerplate. ``rewrite``, when given, also reports pairs whose resemblance of
    distinctive shingles and aligned sentences is at least that: rewritten copies (洗稿), see
    :mod:`neardup.core.rewrites`; it needs exact verification.

    Raises:
        ParameterError: a value out of range, e.g. ``ngram must be >= 1 (got 0)``.
    """

    threshold: float = 0.7
    containment: float | None = None
    max_df: int = DEFAULT_MAX_DF
    rewrite: float | None = None
    ngram: int = 5
    unit: ShingleUnit = "char"
    num_perm: int = 128
    seed: int = 1
    bands: int | None = None
    rows: int | None = None
    verify: Verification = "exact"
    html: bool = False
    markers: tuple[str, ...] = DEFAULT_MARKERS
    script: str | None = None
    synonyms: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.ngram, bool) or not isinstance(self.ngram, int) or self.ngram < 1:
            raise ParameterError(f"ngram must be an integer >= 1 (got {self.ngram!r})")
        if self.unit not in SHINGLE_UNITS:
            raise ParameterError(f"unit must be one of {SHINGLE_UNITS} (got {self.unit!r})")
        if self.verify not in VERIFICATIONS:
            raise ParameterError(f"verify must be one of {VERIFICATIONS} (got {self.verify!r})")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ParameterError(f"seed must be an integer in [0, 2**32) (got {self.seed!r})")
        if not isinstance(self.num_perm, int):
            raise ParameterError(f"num_perm must be an integer (got {self.num_perm!r})")
        check_num_perm(self.num_perm)
        if not isinstance(self.threshold, (int, float)):
            raise ParameterError(f"threshold must be a number (got {self.threshold!r})")
        object.__setattr__(self, "threshold", float(self.threshold))
        if not 0.0 < self.threshold <= 1.0:
            raise ParameterError(f"threshold must be in (0, 1] (got {self.threshold})")
        for name in ("containment", "rewrite"):
            self._check_share(name)
        if self.rewrite is not None and self.verify != "exact":
            raise ParameterError(
                "rewrite needs verify='exact': the resemblance of distinctive shingles "
                "cannot be estimated from signatures"
            )
        if isinstance(self.max_df, bool) or not isinstance(self.max_df, int) or self.max_df < 2:
            raise ParameterError(f"max_df must be an integer >= 2 (got {self.max_df!r})")
        if self.bands is not None and self.rows is not None:
            if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm:
                raise ParameterError(
                    f"bands * rows must be <= num_perm={self.num_perm} "
                    f"(got {self.bands} * {self.rows})"
                )
        else:
            banding = choose_bands(self.threshold, self.num_perm, self.bands)
            object.__setattr__(self, "bands", banding.bands)
            object.__setattr__(self, "rows", banding.rows)
        object.__setattr__(self, "markers", tuple(self.markers))
        self.normalize_options()  # validates the markers, script and synonyms

    def _check_share(self, name: str) -> None:
        """``name`` is None or a number in (0, 1], stored as a float."""
        value = getattr(self, name)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f"{name} must be a number or None (got {value!r})")
        if not 0.0 < value <= 1.0:
            raise ParameterError(f"{name} must be in (0, 1] (got {value})")
        object.__setattr__(self, name, float(value))

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


PRESETS: dict[str, dict[str, Any]] = {
    "near-identical": {},
    "copies": {"threshold": 0.5, "containment": 0.3, "rewrite": 0.025, "script": "simplified"},
}
"""Parameters chosen for a purpose, for people who are not experts:

* ``near-identical`` (the defaults): copies that differ by little (Jaccard 0.7);
* ``copies``: rewritten and partial copies as well: a Jaccard threshold of 0.5, pairs
  where 30% of the smaller document is found in the other (containment 0.3), and
  traditional characters compared as simplified ones (script folding costs little).
"""


def parameters_for(preset: str | None = None, **given: Any) -> Parameters:
    """The parameters of ``preset`` (none: the defaults), overridden by those ``given`` that
    are not None.

    Raises:
        ParameterError: an unknown preset, or a value out of range.

    Example:
        >>> p = parameters_for("copies", threshold=0.6)
        >>> p.threshold, p.containment
        (0.6, 0.3)
    """
    if preset is not None and preset not in PRESETS:
        raise ParameterError(f"preset must be one of {tuple(PRESETS)} (got {preset!r})")
    values = dict(PRESETS[preset]) if preset is not None else {}
    values.update({name: value for name, value in given.items() if value is not None})
    return Parameters(**values)


def resolve_parameters(
    params: Parameters | None = None, preset: str | None = None, **overrides: Any
) -> Parameters:
    """The parameters an entry point runs with: ``params`` (or the ``preset``'s, or the
    defaults), with the ``overrides`` that are not None.

    Every entry point (``find_duplicates``, ``deduplicate``, ``DuplicateIndex.create``, the
    Spark functions) takes ``params``, ``preset`` and ``**overrides`` and passes them here.

    Raises:
        ParameterError: an unknown parameter name (the message lists the valid ones), both
            ``params`` and ``preset``, an unknown preset, or a value out of range.

    Example:
        >>> resolve_parameters(preset="copies", threshold=0.6).threshold
        0.6
        >>> resolve_parameters(thresold=0.6)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: unknown parameter 'thresold'; the parameters are: ...
    """
    valid = [f.name for f in fields(Parameters)]
    for name in overrides:
        if name not in valid:
            raise ParameterError(
                f"unknown parameter {name!r}; the parameters are: {', '.join(valid)}"
            )
    if params is None:
        return parameters_for(preset, **overrides)
    if preset is not None:
        raise ParameterError("give params or preset, not both (a preset is a set of params)")
    given = {name: value for name, value in overrides.items() if value is not None}
    if not given:
        return params
    if ("threshold" in given or "num_perm" in given) and "bands" not in given:
        given.update(bands=None, rows=None)  # chosen again for the new threshold
    return replace(params, **given)
