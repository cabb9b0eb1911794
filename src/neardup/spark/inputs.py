"""The documents DataFrame a Spark job starts from: its columns checked, renamed to the
internal ``(order, id, text)`` columns, and its ids checked unique.

The input order (see :mod:`neardup.spark`) is the value of ``order_col`` when given, else
``monotonically_increasing_id()`` taken once here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DuplicateIdError, InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ORD, ID, TEXT = "_nd_ord", "_nd_id", "_nd_text"
"""The internal columns: input order (long), id (string) and text (string)."""


def input_rows(df: DataFrame, id_col: str, text_col: str, order_col: str | None) -> DataFrame:
    """``(_nd_ord long, _nd_id string, _nd_text string)``, with columns checked."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegralType, StringType

    fields = {f.name: f.dataType for f in df.schema.fields}
    for role, name in (("id", id_col), ("text", text_col), ("order", order_col)):
        if name is not None and name not in fields:
            raise InputError(
                f"{role} column {name!r} is not in the DataFrame (columns: {sorted(fields)})"
            )
    if not isinstance(fields[text_col], StringType):
        raise InputError(
            f"text column {text_col!r} must be a string column "
            f"(got {fields[text_col].simpleString()})"
        )
    if order_col is not None and not isinstance(fields[order_col], IntegralType):
        raise InputError(
            f"order column {order_col!r} must be an integer column "
            f"(got {fields[order_col].simpleString()})"
        )
    order = (
        F.col(order_col).cast("long") if order_col is not None
        else F.monotonically_increasing_id()
    )
    return df.select(
        order.alias(ORD), F.col(id_col).cast("string").alias(ID), F.col(text_col).alias(TEXT)
    )


SHOWN_IDS = 10
"""Repeated ids a :class:`~neardup.errors.DuplicateIdError` names (the first, sorted)."""


def check_ids(docs: DataFrame, order_col: str | None) -> None:
    """Raise on null or duplicate ids (and null or duplicate order values). A duplicate
    names the first :data:`SHOWN_IDS` repeated ids, sorted as the local engine sorts them,
    and counts the others."""
    from pyspark.sql import functions as F
    repeated = (
        docs.groupBy(ID).count()
        .where(F.col(ID).isNull() | (F.col("count") > 1))
        .select(ID)
    )
    bad = repeated.limit(SHOWN_IDS + 1).collect()  # the usual case: none, in one job
    many = len(bad) > SHOWN_IDS
    if many:  # the first in id order (a null id sorts first)
        bad = repeated.orderBy(ID).limit(SHOWN_IDS).collect()
    if any(row[0] is None for row in bad):
        raise InputError("the id column is null in some rows; every document needs an id")
    if many:
        raise DuplicateIdError([str(row[0]) for row in bad], repeated.count())
    if bad:
        raise DuplicateIdError(sorted(str(row[0]) for row in bad))
    if order_col is not None:
        clash = (
            docs.groupBy(ORD).count()
            .where(F.col(ORD).isNull() | (F.col("count") > 1))
            .limit(1).collect()
        )
        if clash and clash[0][0] is None:
            raise InputError(f"order column {order_col!r} is null in some rows")
        if clash:
            raise InputError(
                f"order column {order_col!r} has the value {clash[0][0]} in more than one row; "
                "it must be unique"
            )


