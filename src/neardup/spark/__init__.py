"""The neardup pipeline on Apache Spark DataFrames, with the same result as the local one.

Extra ``neardup[spark]`` (pyspark, pyarrow, pandas), imported only when a function runs. The
modules, one job each:

* :mod:`~neardup.spark.pipeline`: the duplicate search (:func:`find_duplicates_spark`) and
  what runs where;
* :mod:`~neardup.spark.udfs`: the functions run on Arrow batches (``mapInArrow``);
* :mod:`~neardup.spark.candidates`: candidate pairs from band keys and fingerprints;
* :mod:`~neardup.spark.components`: connected components (:func:`connected_components`);
* :mod:`~neardup.spark.signatures`: MinHash signatures (:func:`signatures_spark`);
* :mod:`~neardup.spark.dedup`: the rows to keep (:func:`deduplicate_spark`);
* :mod:`~neardup.spark.reading`: files read in input order (:func:`read_documents_spark`);
* :mod:`~neardup.spark.lines`: a scan's JSON Lines read as lines and parsed in the workers
  as the local engine parses them (:func:`~neardup.spark.lines.read_lines_spark`);
* :mod:`~neardup.spark.jobs`: from files to Parquet (:func:`scan_spark`, :func:`dedup_spark`);
* :mod:`~neardup.spark.corpus` and :mod:`~neardup.spark.corpus_check`: a corpus stored as
  Parquet (:func:`store_corpus_spark`) and checks of new documents against it
  (:func:`check_spark`, the report of ``neardup check --index``);
* :mod:`~neardup.spark.inputs` and :mod:`~neardup.spark.session`: the checked input
  columns, the dependency check and the session.

**Input order.** Locally, the first document of a pair is the one that comes first in input,
large LSH groups are stars from their earliest member and ties between equally long
representatives go to the earliest document. On Spark the input order is the value of
``order_col`` when given (a unique integer column), else ``monotonically_increasing_id()``
taken once at input: the partition index, then the row position in the partition. For a
DataFrame made from a local list, or a single file, that is the file order;
:func:`scan_spark` builds an order column that follows the order of the given paths and of
the lines in each file (as :func:`neardup.load_documents` reads them).

Example (not run as a doctest: it needs a Spark session)::

    from neardup.spark import find_duplicates_spark
    df = spark.read.parquet("docs/")              # columns id, text
    pairs, clusters = find_duplicates_spark(df, threshold=0.8, containment=0.3)
    pairs.write.parquet("out/pairs")      # a, b, jaccard, containment, a_in_b, b_in_a, exact
    clusters.write.parquet("out/clusters")        # id, cluster_id, representative, similarity
"""

from .components import connected_components
from .corpus import store_corpus_spark
from .corpus_check import check_spark
from .dedup import deduplicate_spark
from .jobs import dedup_spark, scan_spark
from .outputs import CLUSTERS_SCHEMA, PAIRS_SCHEMA, SKIPPED_SCHEMA
from .pipeline import (
    SparkResult,
    find_duplicates_spark,
    find_duplicates_spark_result,
)
from .reading import read_documents_spark
from .signatures import signatures_spark

__all__ = [
    "CLUSTERS_SCHEMA",
    "PAIRS_SCHEMA",
    "SKIPPED_SCHEMA",
    "SparkResult",
    "check_spark",
    "connected_components",
    "dedup_spark",
    "deduplicate_spark",
    "find_duplicates_spark",
    "find_duplicates_spark_result",
    "read_documents_spark",
    "scan_spark",
    "signatures_spark",
    "store_corpus_spark",
]
