"""neardup: find near-duplicate documents in collections of Chinese (and any other) text.

Example:
    >>> from neardup import find_duplicates
    >>> text = "我们今天去北京天安门看升旗仪式"
    >>> report = find_duplicates({"a": text, "b": text + "了"})
    >>> [(p.a, p.b) for p in report.pairs]
    [('a', 'b')]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .core.lsh import Banding, choose_bands
    from .core.normalize import Normalized, NormalizeOptions, normalize, normalize_text
    from .core.shingles import shingle_hash, shingle_hashes, shingle_set
    from .core.signatures import signatures
    from .engine.dedup import deduplicate
    from .engine.find import find_duplicates
    from .errors import (
        AlreadyIndexedError,
        ConvergenceError,
        DuplicateIdError,
        IndexFileError,
        InputError,
        MissingDependencyError,
        NeardupError,
        ParameterError,
    )
    from .evidence.passages import Evidence, add_passages, shared_passages
    from .formats import FORMATS, render
    from .index import AddResult, DuplicateIndex, IndexInfo
    from .io.corpus import Corpus, load_documents, read_documents
    from .io.dedup_result import DedupCounts, DedupResult, Removed
    from .io.deduplicated import write_deduplicated
    from .io.documents import Document
    from .parameters import Parameters
    from .report import (
        Cluster,
        ClusterMember,
        Counts,
        DocumentInfo,
        DuplicateReport,
        ExactGroup,
        Pair,
        Passage,
        Skipped,
    )

_MODULES: dict[str, tuple[str, ...]] = {
    "core.lsh": ("Banding", "choose_bands"),
    "core.normalize": ("Normalized", "NormalizeOptions", "normalize", "normalize_text"),
    "core.shingles": ("shingle_hash", "shingle_hashes", "shingle_set"),
    "core.signatures": ("signatures",),
    "engine.dedup": ("deduplicate",),
    "engine.find": ("find_duplicates",),
    "errors": (
        "AlreadyIndexedError", "ConvergenceError", "DuplicateIdError", "IndexFileError",
        "InputError",
        "MissingDependencyError", "NeardupError", "ParameterError",
    ),
    "evidence.passages": ("Evidence", "add_passages", "shared_passages"),
    "formats": ("FORMATS", "render"),
    "index": ("AddResult", "DuplicateIndex", "IndexInfo"),
    "io.corpus": ("Corpus", "load_documents", "read_documents"),
    "io.dedup_result": ("DedupCounts", "DedupResult", "Removed"),
    "io.deduplicated": ("write_deduplicated",),
    "io.documents": ("Document",),
    "parameters": ("Parameters",),
    "report": (
        "Cluster", "ClusterMember", "Counts", "DocumentInfo", "DuplicateReport", "ExactGroup",
        "Pair", "Passage", "Skipped",
    ),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}
"""The module (below this package) that defines each public name: ``import neardup`` loads
none of them (the command line's ``--help`` and ``--version`` stay fast); the first use of a
name imports its module (PEP 562)."""


def __getattr__(name: str) -> Any:
    """The public name ``name``, imported from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "FORMATS",
    "AddResult",
    "AlreadyIndexedError",
    "Banding",
    "Cluster",
    "ClusterMember",
    "ConvergenceError",
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
