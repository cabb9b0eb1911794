"""The stages every engine runs the same way, on documents in memory: arrays in, arrays out.

The local engine (:mod:`neardup.engine`), the persistent index (:mod:`neardup.index`) and
Spark (:mod:`neardup.spark`) each orchestrate the pipeline their own way (worker processes,
SQLite, DataFrames), and call these for the work itself, so that the same documents get the
same signatures, band keys, shingle sets, verified pairs and clusters in each:

- :mod:`~neardup.stages.intake`: count the documents read, set aside the skipped ones and
  find repeated ids;
- :mod:`~neardup.stages.hashing`: texts to normalized code points, signatures and the arrays
  of each search mode asked for (:mod:`neardup.searches`); shingle sets for verification;
- :mod:`~neardup.stages.verification`: candidate pairs to verified pairs (by the accept rules
  of the search modes) and clusters, and the report's parts;
- :mod:`~neardup.stages.keeping`: which member of a cluster a deduplication keeps;
- :mod:`~neardup.stages.judged_query` (on :mod:`~neardup.stages.stored_values`): the copies
  judgement and the rewrite search of a check against stored documents (an index file, a
  Parquet corpus).
"""
