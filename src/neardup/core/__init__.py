"""The pure algorithms: strings and arrays in, strings and arrays out; no I/O, no processes.

In the order a document meets them:

- :mod:`~neardup.core.normalize`: NFKC, case, markup, punctuation and whitespace removal,
  with the map back to the original text;
- :mod:`~neardup.core.shingles`: character or word n-grams, hashed to uint32;
- :mod:`~neardup.core.minhash` (and :mod:`~neardup.core.minhash_numba`, its fused kernel):
  MinHash signatures, bit-identical to datasketch's; :mod:`~neardup.core.signatures` is the
  public batch entry point;
- :mod:`~neardup.core.lsh`: bands of a signature to keys, and keys to candidate pairs;
- :mod:`~neardup.core.similarity`: exact and estimated Jaccard and containment;
- :mod:`~neardup.core.clusters`: connected components of verified pairs;
- :mod:`~neardup.core.passages`: the passages two documents share, in their original texts;
- :mod:`~neardup.core.arrays`: whole-array helpers the others share.
"""
