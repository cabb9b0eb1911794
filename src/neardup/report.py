"""The result of a duplicate search: :class:`DuplicateReport` and its parts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .documents import Skipped
from .errors import ParameterError
from .lsh import Banding, choose_bands
from .minhash import check_num_perm
from .normalize import DEFAULT_MARKERS, NormalizeOptions
from .shingle import UNITS

Verify = Literal["exact", "estimate"]
VERIFY_MODES = ("exact", "estimate")


@dataclass(frozen=True)
class Parameters:
    """Everything that decides a result; recorded in every report and index.

    Raises:
        ParameterError: a value out of range, e.g. ``ngram must be >= 1 (got 0)``.
    """

    threshold: float = 0.7
    ngram: int = 5
    unit: str = "char"
    num_perm: int = 128
    seed: int = 1
    bands: int | None = None
    rows: int | None = None
    verify: str = "exact"
    html: bool = False
    markers: tuple[str, ...] = DEFAULT_MARKERS

    def __post_init__(self) -> None:
        if isinstance(self.ngram, bool) or not isinstance(self.ngram, int) or self.ngram < 1:
            raise ParameterError(f"ngram must be an integer >= 1 (got {self.ngram!r})")
        if self.unit not in UNITS:
            raise ParameterError(f"unit must be one of {UNITS} (got {self.unit!r})")
        if self.verify not in VERIFY_MODES:
            raise ParameterError(f"verify must be one of {VERIFY_MODES} (got {self.verify!r})")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ParameterError(f"seed must be an integer in [0, 2**32) (got {self.seed!r})")
        if not isinstance(self.num_perm, int):
            raise ParameterError(f"num_perm must be an integer (got {self.num_perm!r})")
        check_num_perm(self.num_perm)
        if not isinstance(self.threshold, (int, float)):
            raise ParameterError(f"threshold must be a number (got {self.threshold!r})")
        object.__setattr__(self, "threshold", float(self.threshold))
        if self.bands is not None and self.rows is not None:
            if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm:
                raise ParameterError(
                    f"bands * rows must be <= num_perm={self.num_perm} "
                    f"(got {self.bands} * {self.rows})"
                )
        else:
            banding = choose_bands(self.threshold, self.num_perm, self.bands)
            object.__setattr__(self, "bands", banding.bands)
            object.__setattr__(self, "rows", banding.rows)
        object.__setattr__(self, "markers", tuple(self.markers))
        self.normalize_options()  # validates the markers

    @property
    def banding(self) -> Banding:
        """The LSH banding: ``bands`` bands of ``rows`` signature values."""
        return Banding(int(self.bands or 1), int(self.rows or 1))

    def normalize_options(self) -> NormalizeOptions:
        """The normalization these parameters ask for."""
        return NormalizeOptions(html=self.html, markers=self.markers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        out = asdict(self)
        out["markers"] = list(self.markers)
        return out


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
