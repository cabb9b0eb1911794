"""The result of a duplicate search: :class:`DuplicateReport` and its parts.

The output model: plain records that every engine fills and every renderer reads, and
:meth:`DuplicateReport.to_dict`, the one JSON shape of a report. It depends on nothing else
of neardup but its version (:class:`~neardup.parameters.Parameters` is named for type
checkers only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ._version import __version__
from .errors import MissingDependencyError, ParameterError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .parameters import Parameters

REPORT_FORMAT = "neardup-report"
"""The ``format`` of a JSON report."""
REPORT_VERSION = 1
"""The ``version`` of the JSON report's shape."""


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
    formula: bool = False
    """Whether the passage is formula (text many documents of the collection hold), which a
    copy ratio leaves out; known with a copies judgement."""


@dataclass(frozen=True)
class Pair:
    """Two near-duplicate documents, or one that copies part of the other (``a`` before ``b``
    in input order), and their similarity.

    ``jaccard`` and ``containment`` (``|A∩B| / min(|A|, |B|)``) are of the shingle sets;
    ``a_in_b`` (``|A∩B| / |A|``) is the share of a's shingles found in b, ``b_in_a`` the
    reverse. ``rewrite`` is their rewrite resemblance (the Jaccard of their distinctive 4-grams
    times the smaller share of either text in sentences with a partner in the other,
    :mod:`neardup.core.rewrites`), given when the parameters ask for a rewrite search.
    ``passages`` (longest first) and ``a_coverage``/``b_coverage`` (share of each
    document's normalized characters inside the passages) are filled by
    :func:`neardup.evidence.passages.add_passages`. ``exact`` is True when the two
    normalized texts are identical (every similarity 1): in a report of the local engine or
    Spark, ``b`` is then a later member of the :attr:`DuplicateReport.identical` group
    whose first member is ``a``.

    With a copies judgement (``formula_df``, :mod:`neardup.searches.copies`),
    ``specific_a``/``specific_b`` are the share of each document's normalized characters in
    specific shared passages (text few documents of the collection hold),
    ``formula_a``/``formula_b`` in shared formula (a template's wording, stock phrases), and
    ``reason`` says in a few words why the pair is a copy (or, set apart, why not).
    """

    a: str
    b: str
    jaccard: float
    containment: float
    a_in_b: float
    b_in_a: float
    passages: tuple[Passage, ...] = ()
    a_coverage: float | None = None
    b_coverage: float | None = None
    rewrite: float | None = None
    exact: bool = False
    specific_a: float | None = None
    specific_b: float | None = None
    formula_a: float | None = None
    formula_b: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CopySource:
    """Another document that holds part of a document's text: the share of the document's
    normalized characters in passages shared with it, and those passages (``a_*`` offsets in
    the document, ``b_*`` in the source; their ``text`` is the document's)."""

    id: str
    share: float
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class CopiedDocument:
    """The copy-ratio (查重) view of one document: the share of its normalized characters
    found in other documents (the union of its shared passages with all of them), and each
    source, largest share first."""

    id: str
    share: float
    sources: tuple[CopySource, ...]


class CheckedSource(NamedTuple):
    """A checked document's source, the share of it found there and the share coloured so."""
    id: str
    share: float
    coloured: float


class CheckedDocument(NamedTuple):
    """A checked document's page (:mod:`neardup.evidence.checked`): shares found (specific)
    and in formula only, sources (numbered from 1, largest first), spans ``(start, end,
    number)`` (0: formula); ``measured``: ``"shingles"`` without passages (no spans)."""
    id: str
    share: float
    formula: float
    sources: tuple[CheckedSource, ...]
    spans: tuple[tuple[int, int, int], ...]
    measured: str = "passages"


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
class ExactGroup:
    """Documents whose normalized texts are identical, in input order: the first went on to
    be compared (it stands for the others in pairs and clusters), the others are its copies."""

    members: tuple[str, ...]

    @property
    def representative(self) -> str:
        """The first member, the one that was compared."""
        return self.members[0]


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
    common_fingerprints: int = 0
    """Fingerprints cut as boilerplate by a containment search (held by more than
    ``max_df`` documents)."""
    common_rewrite_shingles: int = 0
    """4-grams a rewrite search found common (held by more than ``max_df`` documents)."""
    identical: int = 0
    """Processed documents identical (after normalization) to an earlier one: set aside
    before MinHash, listed in the report's ``identical`` groups."""
    set_apart: int = 0
    """Pairs a search found that the copies judgement did not take for copies (the report's
    ``set_apart``)."""
    formula_shingles: int = 0
    """Sampled shingles the copies judgement took for formula (held by more documents than
    its cut)."""


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
    copies: list[CopiedDocument] = field(default_factory=list)
    """The copy-ratio view of each document with shared passages, largest share first;
    filled with the passages (:func:`neardup.add_passages`) of a containment search."""
    identical: list[ExactGroup] = field(default_factory=list)
    """Groups of documents with identical normalized texts, by first member. :attr:`pairs`
    holds each later member's pair with the first, marked ``exact`` (a group of n makes
    n - 1 of them, not n(n-1)/2), and every member's pairs with other documents; the
    clusters hold every member."""
    set_apart: list[Pair] = field(default_factory=list)
    """With a copies judgement (``formula_df``): the pairs the searches found that are not
    copies (template siblings, topic neighbours), each with its ``reason``; never in
    :attr:`pairs`."""
    apart_passages: dict[tuple[str, str], Pair] = field(default_factory=dict, repr=False)
    """The pairs set apart that reports list (:func:`set_apart_shown`) with their passages
    and coverage (:func:`neardup.add_passages`), by ``(a, b)``: what the HTML report shows
    of them side by side; not in the JSON report, whose ``set_apart`` stays as found."""
    checked: list[CheckedDocument] = field(default_factory=list)
    """Pages of the documents a check named (``check``, ``scan --check``; JSON ``checked``)."""
    formula: npt.NDArray[np.uint32] | None = field(default=None, repr=False, compare=False)
    """With a copies judgement: the collection's formula shingles (sorted sampled hashes,
    :mod:`neardup.core.formula`), by which :func:`neardup.add_passages` marks formula
    passages and leaves them out of the copy ratios."""

    def identical_pairs(self) -> list[Pair]:
        """Every pair within the :attr:`identical` groups (all n(n-1)/2 of a group of n,
        ``exact``, every similarity 1); :attr:`pairs` holds those with each group's first
        member."""
        return [
            Pair(a, b, 1.0, 1.0, 1.0, 1.0, exact=True)
            for group in self.identical
            for k, a in enumerate(group.members)
            for b in group.members[k + 1 :]
        ]

    def __str__(self) -> str:
        """A short summary (``print(report)``), e.g. ``DuplicateReport: 4 documents read (0
        skipped), 3 pairs (1 exact) in 1 cluster, 1 group of identical documents; threshold
        0.7, exact verification, 0.06 s``; ``repr`` still shows every field."""
        c = self.counts
        exact = sum(1 for p in self.pairs if p.exact)
        found = [f"{_counted(c.pairs, 'pair')}" + (f" ({exact:,} exact)" if exact else "")
                 + f" in {_counted(c.clusters, 'cluster')}"]
        if self.identical:
            found.append(f"{_counted(len(self.identical), 'group')} of identical documents")
        if self.copies:
            found.append(f"{_counted(len(self.copies), 'document')} with copied passages")
        if self.parameters.formula_df is not None:
            found.append(f"{_counted(len(self.set_apart), 'pair')} set apart (not copies)")
        return (
            f"DuplicateReport: {_counted(c.documents, 'document')} read ({c.skipped:,} "
            f"skipped), {', '.join(found)}; threshold {self.parameters.threshold}, "
            f"{self.verification} verification, {self.seconds:.2f} s"
        )

    def to_pandas(self, what: str = "pairs") -> Any:
        """The pairs (``what="pairs"``), the clusters' members (``"clusters"``), the pairs
        set apart (``"set_apart"``) or the copy ratios' sources (``"copies"``) as a pandas
        DataFrame, one row each (see :meth:`table_columns` for the columns).

        Raises:
            MissingDependencyError: pandas is not installed.
            ParameterError: ``what`` is none of them.
        """
        columns = self.table_columns(what)
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError(
                "pandas is required for report.to_pandas(): pip install pandas"
            ) from None
        return pd.DataFrame(columns)

    def to_arrow(self, what: str = "pairs") -> Any:
        """The table ``what`` as a pyarrow Table (as :meth:`to_pandas`).

        Raises:
            MissingDependencyError: pyarrow is not installed.
            ParameterError: ``what`` is none of the tables.
        """
        columns = self.table_columns(what)
        try:
            import pyarrow as pa
        except ImportError:
            raise MissingDependencyError(
                "pyarrow is required for report.to_arrow(): pip install pyarrow"
            ) from None
        types = {"exact": pa.bool_(), "passages": pa.int64(), "cluster": pa.int64(),
                 "reason": pa.string(), "rank": pa.int64()}
        return pa.table({
            name: pa.array(values, types.get(name, pa.string() if name in _ID_COLUMNS
                                           else pa.float64()))
            for name, values in columns.items()
        })

    def table_columns(self, what: str = "pairs") -> dict[str, list[Any]]:
        """The columns of :meth:`to_pandas` and :meth:`to_arrow`, by name.

        ``"pairs"``: ``a, b, jaccard, containment, a_in_b, b_in_a, exact, rewrite, a_title,
        b_title, a_coverage, b_coverage, passages`` (the number of passages; None where a
        value is not known), and with a copies judgement ``specific_a, specific_b,
        formula_a, formula_b, reason``. ``"set_apart"``: the same columns, of the pairs the
        copies judgement set apart (``reason`` says why). ``"clusters"``: ``cluster``
        (numbered from 1, in report order), ``representative``, ``id``, ``similarity``
        (Jaccard to the representative), one row a member. ``"copies"``: ``id, share``
        (the document's share found elsewhere), ``rank`` (1 for its largest source),
        ``source, source_share``, one row a source (after :func:`~neardup.add_passages`).

        Raises:
            ParameterError: ``what`` is none of them.
        """
        if what == "clusters":
            rows = [(k, c.representative, m.id, m.similarity)
                    for k, c in enumerate(self.clusters, start=1) for m in c.members]
            names = ("cluster", "representative", "id", "similarity")
            return {name: [row[k] for row in rows] for k, name in enumerate(names)}
        if what == "copies":
            sources = [(c, rank, s) for c in self.copies
                       for rank, s in enumerate(c.sources, start=1)]
            return {"id": [c.id for c, _, _ in sources], "share": [c.share for c, _, _ in sources],
                    "rank": [rank for _, rank, _ in sources],
                    "source": [s.id for _, _, s in sources],
                    "source_share": [s.share for _, _, s in sources]}
        if what not in ("pairs", "set_apart"):
            raise ParameterError(
                f"what must be 'pairs', 'clusters', 'set_apart' or 'copies' (got {what!r})")
        titles = {k: info.title for k, info in self.documents.items()}
        pairs = self.pairs if what == "pairs" else self.set_apart
        columns: dict[str, list[Any]] = {
            "a": [p.a for p in pairs],
            "b": [p.b for p in pairs],
            "jaccard": [p.jaccard for p in pairs],
            "containment": [p.containment for p in pairs],
            "a_in_b": [p.a_in_b for p in pairs],
            "b_in_a": [p.b_in_a for p in pairs],
            "exact": [p.exact for p in pairs],
            "rewrite": [p.rewrite for p in pairs],
            "a_title": [titles.get(p.a) for p in pairs],
            "b_title": [titles.get(p.b) for p in pairs],
            "a_coverage": [p.a_coverage for p in pairs],
            "b_coverage": [p.b_coverage for p in pairs],
            "passages": [len(p.passages) for p in pairs],
        }
        if self.parameters.formula_df is not None or what == "set_apart":
            for name in ("specific_a", "specific_b", "formula_a", "formula_b", "reason"):
                columns[name] = [getattr(p, name) for p in pairs]
        return columns

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (what ``--format json`` writes), a JSON-ready dict::

            {"format": "neardup-report", "version": 1, "neardup": "0.1.0",
             "parameters": {...}, "verification": "exact", "counts": {...}, "seconds": 1.2,
             "notes": [...], "skipped": [{"id": ..., "reason": ..., "source": ...}],
             "pairs": [{"a": ..., "b": ..., "jaccard": ..., "containment": ...,
                        "a_in_b": ..., "b_in_a": ..., "exact": false,
                        "a_title": ..., "b_title": ..., "a_coverage": ..., "b_coverage": ...,
                        "passages": [{"a_start": ..., "a_end": ..., "b_start": ...,
                                      "b_end": ..., "text": ...}]}],
             "clusters": [{"representative": ..., "members": [{"id": ..., "similarity": ...}]}],
             "identical": [{"representative": ..., "members": [id, ...]}],
             "set_apart": [{"a": ..., "b": ..., ..., "reason": ...}],
             "documents": {id: {"title": ..., "source": ..., "length": ...,
                                "normalized_length": ...}},
             "copies": [{"id": ..., "share": ...,
                         "sources": [{"id": ..., "share": ...,
                                      "passages": [{"start": ..., "end": ...,
                                                    "source_start": ...,
                                                    "source_end": ...}]}]}]}

        Passage offsets are ``str`` indices (code points) into the documents' original texts,
        end exclusive; ``text`` is the original text of the span in document a. Titles and
        coverages appear only when known. With a copies judgement (``formula_df``) each pair
        has ``specific_a``, ``specific_b``, ``formula_a``, ``formula_b`` (null: not measured)
        and ``reason``, and ``set_apart`` lists the pairs judged not copies. ``copies`` (the
        copy-ratio view) appears when the parameters ask for a containment search; its
        passages are the document's spans (``start``, ``end``) and the source's.
        """
        apart = (
            {"set_apart": [pair_dict(p, self.documents) for p in self.set_apart]}
            if self.parameters.formula_df is not None else {}
        )
        return self.summary_dict() | {
            "pairs": [pair_dict(p, self.documents) for p in self.pairs],
            "clusters": [cluster_dict(c) for c in self.clusters],
            "identical": [group_dict(g) for g in self.identical],
        } | apart | {
            "documents": {doc_id: flat_dict(info) for doc_id, info in self.documents.items()},
        } | self.copies_dict()

    def summary_dict(self) -> dict[str, Any]:
        """The first keys of :meth:`to_dict`, up to ``skipped`` (before the pairs)."""
        return {
            "format": REPORT_FORMAT,
            "version": REPORT_VERSION,
            "neardup": __version__,
            "parameters": self.parameters.to_dict(),
            "verification": self.verification,
            "counts": asdict(self.counts),
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "skipped": [flat_dict(s) for s in self.skipped],
        }

    def copies_dict(self) -> dict[str, Any]:
        """The last keys of :meth:`to_dict`, after ``documents``: ``copies`` when the
        parameters ask for a containment search, ``checked`` when a check named documents."""
        out: dict[str, Any] = {} if self.parameters.containment is None else {
            "copies": [copied_dict(c) for c in self.copies]}
        if self.checked:
            out["checked"] = [checked_dict(c) for c in self.checked]
        return out


_ID_COLUMNS = frozenset({"a", "b", "a_title", "b_title", "representative", "id", "source"})
"""The text columns of :meth:`DuplicateReport.table_columns`."""


def _counted(count: int, word: str) -> str:
    return f"{count:,} {word if count == 1 else word + 's'}"


def flat_dict(record: Any) -> dict[str, Any]:
    """The fields of a dataclass instance whose fields are plain values, as a dict
    (``dataclasses.asdict`` copies recursively and cost seconds on a million-document report)."""
    return dict(vars(record))


def pair_dict(pair: Pair, documents: dict[str, DocumentInfo]) -> dict[str, Any]:
    """One pair of the JSON report, with the documents' titles when known."""
    out = dict(pair_items(pair, documents))
    out["passages"] = [passage_dict(p) for p in pair.passages]
    return out


def passage_dict(passage: Passage) -> dict[str, Any]:
    """One passage of the JSON report (``formula`` only when it is)."""
    out = flat_dict(passage)
    if not passage.formula:
        del out["formula"]
    return out


def pair_items(pair: Pair, documents: dict[str, DocumentInfo]) -> list[tuple[str, Any]]:
    """The keys and values of :func:`pair_dict` but ``passages`` (its last key)."""
    out: list[tuple[str, Any]] = [
        ("a", pair.a),
        ("b", pair.b),
        ("jaccard", round(pair.jaccard, 6)),
        ("containment", round(pair.containment, 6)),
        ("a_in_b", round(pair.a_in_b, 6)),
        ("b_in_a", round(pair.b_in_a, 6)),
        ("exact", pair.exact),
    ]
    if pair.rewrite is not None:
        out.append(("rewrite", round(pair.rewrite, 6)))
    for side, doc_id in (("a", pair.a), ("b", pair.b)):
        info = documents.get(doc_id)
        if info is not None and info.title is not None:
            out.append((f"{side}_title", info.title))
    if pair.a_coverage is not None:
        out.append(("a_coverage", round(pair.a_coverage, 6)))
    if pair.b_coverage is not None:
        out.append(("b_coverage", round(pair.b_coverage, 6)))
    for name in ("specific_a", "specific_b", "formula_a", "formula_b"):
        value = getattr(pair, name)
        if value is not None or pair.reason is not None:  # judged, perhaps not measured
            out.append((name, None if value is None else round(value, 6)))
    if pair.reason is not None:
        out.append(("reason", pair.reason))
    return out


def cluster_dict(cluster: Cluster) -> dict[str, Any]:
    """One cluster of the JSON report."""
    return {
        "representative": cluster.representative,
        "members": [flat_dict(m) for m in cluster.members],
    }


def group_dict(group: ExactGroup) -> dict[str, Any]:
    """One group of identical documents of the JSON report."""
    return {"representative": group.representative, "members": list(group.members)}


def copied_dict(copied: CopiedDocument) -> dict[str, Any]:
    """One document of the JSON report's copy-ratio view."""
    return {
        "id": copied.id,
        "share": round(copied.share, 6),
        "sources": [
            {
                "id": source.id,
                "share": round(source.share, 6),
                "passages": [
                    {"start": p.a_start, "end": p.a_end,
                     "source_start": p.b_start, "source_end": p.b_end}
                    for p in source.passages
                ],
            }
            for source in copied.sources
        ],
    }


def checked_dict(page: CheckedDocument) -> dict[str, Any]:
    """A checked page in the JSON report: ``id, share, formula, measured, largest`` (the id of
    its largest source), ``sources`` (``number, id, share, coloured``), ``spans``."""
    return {"id": page.id, "share": round(page.share, 6), "formula": round(page.formula, 6),
            "measured": page.measured, "largest": page.sources[0].id if page.sources else None,
            "sources": [{"number": k, "id": s.id, "share": round(s.share, 6), "coloured":
                         round(s.coloured, 6)} for k, s in enumerate(page.sources, start=1)],
            "spans": [list(span) for span in page.spans]}


SET_APART_SHOWN = 50
"""The pairs set apart that a text, Markdown or HTML report lists (:func:`set_apart_shown`),
and that :func:`neardup.add_passages` finds the passages of."""


def shared_amount(report: DuplicateReport, pair: Pair) -> float:
    """About how many normalized characters the two texts of a pair share: the share of a
    found in b times a's normalized length (its larger share when the length is not known)."""
    info = report.documents.get(pair.a)
    length = 0 if info is None else info.normalized_length
    return pair.a_in_b * length if length else max(pair.a_in_b, pair.b_in_a)


def set_apart_shown(report: DuplicateReport, most: int = SET_APART_SHOWN) -> list[Pair]:
    """The ``most`` pairs set apart that share most text (:func:`shared_amount`: in
    characters, not as a share, so that a short item half held by another does not come
    before two long reports), in that order: the ones a reader is most likely to ask about."""
    return sorted(report.set_apart,
                  key=lambda pair: (-shared_amount(report, pair), pair.a, pair.b))[:most]
