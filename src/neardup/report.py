"""The result of a duplicate search: :class:`DuplicateReport` and its parts.

The output model: plain records that every engine fills and every renderer reads. It
depends on nothing else of neardup (:class:`~neardup.parameters.Parameters` is named for
type checkers only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .parameters import Parameters

@dataclass(frozen=True)
class Skipped:
    """A document or file that was not processed, and why (``source``: the file or
    ``file:line`` it came from, when known)."""

    id: str
    reason: str
    source: str | None = None


@dataclass(frozen=True)
class Passage:
    """A shared passage: the same normalized text at ``[a_start, a_end)`` of document a's
    original text and ``[b_start, b_end)`` of document b's."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    text: str


@dataclass(frozen=True)
class Pair:
    """Two near-duplicate documents (``a`` before ``b`` in input order) and their similarity.

    ``passages`` (longest first) and ``a_coverage``/``b_coverage`` (share of each document's
    normalized characters inside the passages) are filled by :func:`neardup.passages.add_passages`.
    """

    a: str
    b: str
    jaccard: float
    containment: float
    passages: tuple[Passage, ...] = ()
    a_coverage: float | None = None
    b_coverage: float | None = None


@dataclass(frozen=True)
class ClusterMember:
    """A cluster member and its Jaccard similarity to the cluster's representative."""

    id: str
    similarity: float


@dataclass(frozen=True)
class Cluster:
    """Documents connected by verified pairs; the representative is the longest one."""

    representative: str
    members: tuple[ClusterMember, ...]


@dataclass(frozen=True)
class DocumentInfo:
    """What a report keeps of a document that appears in a pair: its title, source, length
    of the original text (None when it was not re-read) and of the normalized text."""

    title: str | None
    source: str | None
    length: int | None
    normalized_length: int = 0


@dataclass(frozen=True)
class Counts:
    """How many documents were read, processed and skipped, and what was found."""

    documents: int
    processed: int
    skipped: int
    candidates: int
    pairs: int
    clusters: int


@dataclass
class DuplicateReport:
    """Verified near-duplicate pairs and clusters, what was skipped, and how they were found.

    ``verification`` is ``"exact"`` when every similarity was computed from shingle sets,
    ``"estimate"`` when it comes from signatures.
    """

    parameters: Parameters
    pairs: list[Pair]
    clusters: list[Cluster]
    skipped: list[Skipped]
    counts: Counts
    verification: str
    seconds: float = 0.0
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict, repr=False)
    """Original texts of the documents in pairs, when asked for (``with_texts=True``)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole report."""
        return {
            "parameters": self.parameters.to_dict(),
            "verification": self.verification,
            "counts": asdict(self.counts),
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "skipped": [flat_dict(s) for s in self.skipped],
            "pairs": [pair_dict(p, self.documents) for p in self.pairs],
            "clusters": [
                {
                    "representative": c.representative,
                    "members": [flat_dict(m) for m in c.members],
                }
                for c in self.clusters
            ],
        }


def flat_dict(record: Any) -> dict[str, Any]:
    """The fields of a dataclass instance whose fields are plain values, as a dict
    (``dataclasses.asdict`` copies recursively and cost seconds on a million-document report)."""
    return dict(vars(record))


def pair_dict(pair: Pair, documents: dict[str, DocumentInfo]) -> dict[str, Any]:
    """One pair of the JSON report, with the documents' titles when known."""
    out: dict[str, Any] = {
        "a": pair.a,
        "b": pair.b,
        "jaccard": round(pair.jaccard, 6),
        "containment": round(pair.containment, 6),
    }
    for side in ("a", "b"):
        info = documents.get(getattr(pair, side))
        if info is not None and info.title is not None:
            out[f"{side}_title"] = info.title
    for side in ("a", "b"):
        coverage = getattr(pair, f"{side}_coverage")
        if coverage is not None:
            out[f"{side}_coverage"] = round(coverage, 6)
    out["passages"] = [flat_dict(p) for p in pair.passages]
    return out
