"""MinHash signatures of a DataFrame's documents on Spark (:func:`signatures_spark`), bit for
bit those of :func:`neardup.signatures`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._types import ShingleUnit
from ..core.normalize import DEFAULT_MARKERS
from ..parameters import Parameters
from .inputs import ID, TEXT, input_rows
from .session import require_spark
from .udfs import signature_function

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def signatures_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    ngram: int = 5,
    unit: ShingleUnit = "char",
    num_perm: int = 128,
    seed: int = 1,
    html: bool = False,
    markers: Sequence[str] | None = None,
) -> DataFrame:
    """MinHash signatures of a DataFrame's documents: ``id string, signature binary``.

    ``signature`` is ``num_perm`` little-endian uint32 values
    (``np.frombuffer(row.signature, "<u4")``), bit-identical to :func:`neardup.signatures`
    with the same parameters: an empty (or null) document gets the empty signature, all
    0xFFFFFFFF, as in datasketch.

    Raises:
        ParameterError: a parameter is out of range.
        InputError: a column is missing or not a string column.
    """
    require_spark()
    params = Parameters(
        ngram=ngram, unit=unit, num_perm=num_perm, seed=seed, html=html,
        markers=DEFAULT_MARKERS if markers is None else tuple(markers),
    )
    docs = input_rows(df, id_col, text_col, None)
    return docs.select(ID, TEXT).mapInArrow(
        signature_function(params), "id string, signature binary"
    )


