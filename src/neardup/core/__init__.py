"""The pure algorithms: strings and arrays in, strings and arrays out; no I/O, no processes.

In the order a document meets them:

- :mod:`~neardup.core.normalize`: NFKC, case, markup, punctuation and whitespace removal,
  with the map back to the original text;
- :mod:`~neardup.core.folding`: script (traditional to simplified) and synonym folding of
  normalized text;
- :mod:`~neardup.core.exact`: exact duplicates, by a digest of the normalized text;
- :mod:`~neardup.core.shingles`: character or word n-grams, hashed to uint32;
- :mod:`~neardup.core.minhash`: MinHash signatures, bit-identical to datasketch's;
  :mod:`~neardup.core.signatures` is the public batch entry point;
- :mod:`~neardup.core.lsh`: bands of a signature to keys, and keys to candidate pairs;
- :mod:`~neardup.core.fingerprints`: winnowed fingerprints, and the pairs of documents
  sharing enough of them (containment candidates);
- :mod:`~neardup.core.similarity`: exact and estimated Jaccard and containment;
- :mod:`~neardup.core.rewrites`: the resemblance of rewritten copies, by sentences aligned
  on distinctive 4-grams;
- :mod:`~neardup.core.clusters`: connected components of verified pairs;
- :mod:`~neardup.core.passages`: the spans two texts share, in their original texts (put on
  a report by :mod:`neardup.evidence.passages`);
- :mod:`~neardup.core.arrays`: whole-array helpers the others share.

:mod:`~neardup.core.kernels` chooses numpy or numba, and holds the compiled twins:
:mod:`~neardup.core.minhash_numba`, :mod:`~neardup.core.normalize_numba`,
:mod:`~neardup.core.fingerprints_numba`, :mod:`~neardup.core.rewrites_numba` and
:mod:`~neardup.core.overlap_numba`. :mod:`~neardup.core.passages_numba`, the twin of the
passage search, is loaded by :mod:`~neardup.core.passages`, which asks
:mod:`~neardup.core.kernels` which kernel runs (as :mod:`neardup.io.jsonl_numba` does).
"""
