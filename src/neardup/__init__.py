"""neardup: find near-duplicate documents in collections of Chinese (and any other) text.

Example:
    >>> from neardup import find_duplicates
    >>> text = "我们今天去北京天安门看升旗仪式"
    >>> report = find_duplicates({"a": text, "b": text + "了"})
    >>> [(p.a, p.b) for p in report.pairs]
    [('a', 'b')]
"""

from __future__ import annotations

from ._version import __version__
from .core.lsh import Banding, choose_bands
from .core.normalize import Normalized, NormalizeOptions, normalize, normalize_text
from .core.passages import Evidence, add_passages, shared_passages
from .core.shingles import shingle_hash, shingle_hashes, shingle_set
from .core.signatures import signatures
from .engine.dedup import deduplicate
from .engine.find import find_duplicates
from .errors import (
    AlreadyIndexedError,
    DuplicateIdError,
    IndexFileError,
    InputError,
    MissingDependencyError,
    NeardupError,
    ParameterError,
)
from .formats import FORMATS, render
from .index import AddResult, DuplicateIndex, IndexInfo
from .io.corpus import Corpus, load_documents, read_documents
from .io.deduplicated import write_deduplicated
from .io.documents import Document
from .parameters import Parameters
from .report import (
    Cluster,
    ClusterMember,
    Counts,
    DedupCounts,
    DedupResult,
    DocumentInfo,
    DuplicateReport,
    ExactGroup,
    Pair,
    Passage,
    Removed,
    Skipped,
)

__all__ = [
    "FORMATS",
    "AddResult",
    "AlreadyIndexedError",
    "Banding",
    "Cluster",
    "ClusterMember",
    "Corpus",
    "Counts",
    "DedupCounts",
    "DedupResult",
    "Document",
    "DocumentInfo",
    "DuplicateIdError",
    "DuplicateIndex",
    "DuplicateReport",
    "Evidence",
    "ExactGroup",
    "IndexFileError",
    "IndexInfo",
    "InputError",
    "MissingDependencyError",
    "NeardupError",
    "NormalizeOptions",
    "Normalized",
    "Pair",
    "ParameterError",
    "Parameters",
    "Passage",
    "Removed",
    "Skipped",
    "__version__",
    "add_passages",
    "choose_bands",
    "deduplicate",
    "find_duplicates",
    "load_documents",
    "normalize",
    "normalize_text",
    "read_documents",
    "render",
    "shared_passages",
    "shingle_hash",
    "shingle_hashes",
    "shingle_set",
    "signatures",
    "write_deduplicated",
]
