"""The local engine: :func:`~neardup.engine.find.find_duplicates`, from documents to a
verified report on one machine, its stages in worker processes.

:mod:`~neardup.engine.find` reads top to bottom: the documents
(:mod:`~neardup.engine.sources`) are hashed in batches (:mod:`~neardup.engine.hashing_stage`),
exact copies set aside (:mod:`~neardup.engine.set_aside`), paired by each search mode asked
for (:mod:`~neardup.engine.candidates`), verified and clustered
(:mod:`~neardup.engine.verification_stage`, exactly in
:mod:`~neardup.engine.component_batches`); :mod:`~neardup.engine.workers` holds the processes
all of them share and :mod:`~neardup.engine.memory` the heap and garbage-collector settings of
those processes. The work itself is :mod:`neardup.stages` and :mod:`neardup.searches`, which
the index and Spark run too.
"""
