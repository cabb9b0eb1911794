"""The search modes, one module each behind one protocol (:mod:`~neardup.searches.protocol`):

- :mod:`~neardup.searches.near_duplicates`: LSH band keys to candidates, Jaccard accepts;
- :mod:`~neardup.searches.containment`: winnowed fingerprints (with the ``max_df``
  boilerplate cut) to candidates, containment without boilerplate accepts;
- :mod:`~neardup.searches.rewritten_copies`: distinctive 4-grams to candidates, rewrite
  resemblance accepts and is recorded on the pair;
- :mod:`~neardup.searches.modes`: the modes a run's parameters ask for.

The stages (:mod:`neardup.stages`) hash, verify and report through them, and so do the
engines: the local one (:mod:`neardup.engine`) and the index (:mod:`neardup.index`).
"""
