"""MinHash signatures of a DataFrame's documents on Spark (:func:`signatures_spark`), bit for
bit those of :func:`neardup.signatures`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..parameters import Parameters, resolve_parameters
from .inputs import ID, TEXT, input_rows
from .session import require_spark
from .udfs import signature_function

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def signatures_spark(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    params: Parameters | None = None,
    *,
    preset: str | None = None,
    **overrides: Any,
) -> DataFrame:
    """MinHash signatures of a DataFrame's documents: ``id string, signature binary``.

    ``signature`` is ``num_perm`` little-endian uint32 values
    (``np.frombuffer(row.signature, "<u4")``), bit-identical to :func:`neardup.signatures`
    with the same parameters: an empty (or null) document gets the empty signature, all
    0xFFFFFFFF, as in datasketch. The parameters are taken as by
    :func:`neardup.spark.find_duplicates_spark` (``params``, ``preset``, ``**overrides``);
    those that make signatures are ``ngram``, ``unit``, ``num_perm``, ``seed`` and the
    normalization (``html``, ``markers``, ``script``, ``synonyms``).

    Raises:
        MissingDependencyError: pyspark, pyarrow or pandas is not installed.
        ParameterError: an unknown or out-of-range parameter.
        InputError: a column is missing or not a string column.
    """
    require_spark()
    params = resolve_parameters(params, preset, **overrides)
    docs = input_rows(df, id_col, text_col, None)
    return docs.select(ID, TEXT).mapInArrow(
        signature_function(params), "id string, signature binary"
    )
