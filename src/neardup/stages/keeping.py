"""Which member of a cluster a deduplication keeps: the rule that the local engine
(:func:`neardup.engine.dedup.deduplicate`) and Spark (:func:`neardup.spark.deduplicate_spark`)
both take by name.

* ``keep="first"``: the earliest member in input order;
* ``keep="longest"``: the longest normalized text (ties: the earliest).

With ``prefer``, the largest value of that field or column comes first (missing values last),
then as ``keep`` says.
"""

from __future__ import annotations

from ..errors import ParameterError

KEEPS = ("first", "longest")
"""The values of ``keep``."""


def check_keep(keep: str) -> None:
    """Raise unless ``keep`` is one of :data:`KEEPS`.

    Raises:
        ParameterError: ``keep must be one of ('first', 'longest') (got 'last')``.

    Example:
        >>> check_keep("longest")
        >>> check_keep("last")
        Traceback (most recent call last):
        ...
        neardup.errors.ParameterError: keep must be one of ('first', 'longest') (got 'last')
    """
    if keep not in KEEPS:
        raise ParameterError(f"keep must be one of {KEEPS} (got {keep!r})")
