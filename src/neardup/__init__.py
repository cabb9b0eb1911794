"""neardup: find near-duplicate documents in collections of Chinese (and any other) text.

Example:
    >>> from neardup import find_duplicates
    >>> text = "我们今天去北京天安门看升旗仪式"
    >>> report = find_duplicates({"a": text, "b": text + "了"})
    >>> [(p.a, p.b) for p in report.pairs]
    [('a', 'b')]
"""

from __future__ import annotations

from .documents import Corpus, Document, Skipped, load_documents, read_documents
from .errors import (
    DuplicateIdError,
    IndexError_,
    InputError,
    MissingDependencyError,
    NeardupError,
    ParameterError,
)
from .lsh import Banding, candidate_probability, choose_bands
from .minhash import kernel_name, permutations
from .normalize import Normalized, NormalizeOptions, normalize, normalize_text
from .pipeline import find_duplicates
from .report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Parameters,
    Passage,
)
from .shingle import shingle_hash, shingle_hashes, shingle_set
from .signatures import signatures

__version__ = "0.1.0"

__all__ = [
    "Banding",
    "Cluster",
    "ClusterMember",
    "Corpus",
    "Counts",
    "Document",
    "DocumentInfo",
    "DuplicateIdError",
    "DuplicateReport",
    "IndexError_",
    "InputError",
    "MissingDependencyError",
    "NeardupError",
    "NormalizeOptions",
    "Normalized",
    "Pair",
    "ParameterError",
    "Parameters",
    "Passage",
    "Skipped",
    "__version__",
    "candidate_probability",
    "choose_bands",
    "find_duplicates",
    "kernel_name",
    "load_documents",
    "normalize",
    "normalize_text",
    "permutations",
    "read_documents",
    "shingle_hash",
    "shingle_hashes",
    "shingle_set",
    "signatures",
]
