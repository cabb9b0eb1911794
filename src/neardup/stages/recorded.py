"""The parameters an artifact records (an index file, a Parquet corpus): which fields are
recorded, reading them back, and checking that one was made with the parameters asked for.

Shared by the engines that store a corpus (:mod:`neardup.index`, :mod:`neardup.spark`): the
same names, the same refusals, the same messages.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..errors import IndexFileError, ParameterError
from ..parameters import PARAMETER_FIELDS, Parameters, field_info

QUERY_PARAMETERS = ("containment", "max_df")
"""The :class:`~neardup.parameters.Parameters` fields each query chooses
(:meth:`~neardup.index.DuplicateIndex.query`): they are not index parameters, never recorded
in the file nor checked against it."""
COPIES_PARAMETERS = ("rewrite", "formula_df")
"""The :class:`~neardup.parameters.Parameters` fields of the rewrite search and the copies
judgement, which each query chooses too (an index of format 3 keeps the 4-grams and
sampled shingles they read; ``neardup check`` takes them from ``--preset copies``): not
index parameters either, never recorded."""
SCAN_ONLY = COPIES_PARAMETERS
"""The fields without an option of ``neardup index create`` or ``neardup check`` (the CLI's
name for :data:`COPIES_PARAMETERS`)."""
PARAMETER_NAMES = tuple(
    f.name for f in fields(Parameters) if f.name not in QUERY_PARAMETERS + COPIES_PARAMETERS
)
"""The index parameters: those recorded in the file, fixed for its lifetime."""


def recorded_parameters(parameters: Parameters) -> dict[str, Any]:
    """The index parameters as the ``meta`` table records them (JSON-ready, without the
    :data:`QUERY_PARAMETERS`)."""
    left_out = QUERY_PARAMETERS + COPIES_PARAMETERS
    return {k: v for k, v in parameters.to_dict().items() if k not in left_out}


def check_names(params: dict[str, Any]) -> None:
    """Raise unless every name in ``params`` is an index parameter.

    Raises:
        ParameterError: an unknown name, a query parameter (containment, max_df), a
            rewrite search or the copies judgement (rewrite, formula_df).
    """
    judged = sorted(k for k in set(params) & set(COPIES_PARAMETERS) if params[k] is not None)
    if judged:
        raise ParameterError(
            f"{', '.join(judged)} is chosen per query, not an index parameter: pass it to "
            "DuplicateIndex.query() (neardup check --preset copies)"
        )
    params = {k: v for k, v in params.items() if k not in COPIES_PARAMETERS}
    query_time = sorted(set(params) & set(QUERY_PARAMETERS))
    if query_time:
        raise ParameterError(
            f"{', '.join(query_time)} is chosen per query, not an index parameter: pass it "
            "to DuplicateIndex.query() (neardup check --containment, --max-df)"
        )
    unknown = sorted(set(params) - set(PARAMETER_NAMES))
    if unknown:
        raise ParameterError(f"unknown index parameter(s): {', '.join(unknown)}")


def parameters_from(params: dict[str, Any]) -> Parameters:
    """:class:`~neardup.parameters.Parameters` from the index parameters (as the meta table
    or a caller gives them; ``markers`` may be a list, or None for the default).

    Raises:
        ParameterError: an unknown or out-of-range parameter, or a query parameter
            (containment, max_df), which each query chooses.
    """
    check_names(params)
    params = {name: _as_recorded(name, value) for name, value in params.items()}
    if "markers" in params and params["markers"] is not None:
        params = {**params, "markers": tuple(params["markers"])}
    elif "markers" in params:
        params = {k: v for k, v in params.items() if k != "markers"}
    return Parameters(**params)


def _as_recorded(name: str, value: Any) -> Any:
    """A stored value as its field takes it: earlier versions accepted, and recorded, 0 and 1
    for a flag and True or False for an integer (JSON keeps them apart)."""
    kind = field_info(name).kind if name in PARAMETER_FIELDS else None
    if kind == "flag" and type(value) is int and value in (0, 1):
        return bool(value)
    if kind == "integer" and isinstance(value, bool):
        return int(value)
    return value


def check_parameters(name: str, parameters: Parameters, expected: dict[str, Any]) -> None:
    """Check that an index was made with the ``expected`` parameter values.

    Raises:
        IndexFileError: naming each parameter that differs.
        ParameterError: an out-of-range expected parameter.
    """
    merged = {**{n: getattr(parameters, n) for n in PARAMETER_NAMES}, **expected}
    if {"threshold", "num_perm", "bands", "rows"} & set(expected):
        # the banding follows from the asked values unless given explicitly
        for key in ("bands", "rows"):
            if key not in expected:
                merged.pop(key)
        if "bands" in expected and "rows" not in expected:
            merged.pop("rows", None)
    stored = parameters.to_dict()
    wanted = parameters_from(merged).to_dict()
    compared = list(expected) + [k for k in ("bands", "rows") if k not in expected]
    differ = [
        f"{key} (index: {stored[key]!r}, asked: {wanted[key]!r})"
        for key in compared
        if stored[key] != wanted[key]
    ]
    if differ:
        raise IndexFileError(f"{name}: index was made with other parameters: {'; '.join(differ)}")
