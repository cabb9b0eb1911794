"""The copies judgement and the rewrite search of a check against stored documents
(``formula_df``, ``rewrite``; an index file or a Parquet corpus, :class:`ValueTables`):
candidates from the store's ``sampled`` and ``grams`` tables, and the formula shingles and
common 4-grams that the judge and the rewrite rule read, counted over the indexed and the
new documents together, as a scan of both counts them.

Document frequencies (:class:`Frequencies`) are the number of indexed documents holding a
value (counted in the table up to the cut plus one: held by more, it is formula or common
whatever the count) plus the number of new documents holding it. They are looked up once
per value, for the values the query meets: the new documents' (candidates) and those of the
indexed documents it compares (their formula, their common 4-grams, the rare count of a
rewrite candidate), never the whole collection's; so the report counts the formula
shingles and common 4-grams of the new documents, not of the collection.

The candidates are those a scan of the indexed and new documents makes that involve a new
document: for the copies judgement the pairs sharing enough rare sampled shingles
(:func:`~neardup.searches.copies.enough_rare`, with every document's whole count of sampled
shingles), for the rewrite search those sharing at least
:data:`~neardup.core.rewrites.LEAST_SHARED` distinctive 4-grams with a Jaccard of their
distinctive sets of at least ``rewrite``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .._types import I64, U32
from ..core.arrays import members, ranges, sorted_unique
from ..core.fingerprints import shared_fingerprint_pairs
from ..core.formula import NGRAM, sampled_shingles
from ..core.normalize import packed_codepoints
from ..core.rewrites import LEAST_SHARED as REWRITE_LEAST
from ..core.rewrites import Profile, rewrite_shingles, sentence_profiles
from ..errors import IndexFileError
from ..parameters import Parameters
from ..searches.copies import LEAST_SHARED, enough_rare, formula_cut
from ..searches.protocol import Found, Packed
from ..searches.rewritten_copies import common_cut, normalized_sentences, stored_profiles


class ValueTables(Protocol):
    """Where a query reads the indexed documents' sampled shingles and 4-grams: an index
    file's tables (:class:`~neardup.index.statements.Tables`) or a Parquet corpus's
    (:class:`~neardup.spark.corpus_check.SparkCorpus`)."""

    path: str

    def count(self) -> int:
        """Indexed documents."""

    def value_frequencies(self, table: str, values: U32, cap: int) -> I64:
        """How many indexed documents hold each of ``values`` (distinct) in ``table``
        (``sampled`` or ``grams``), counted up to ``cap``."""

    def value_holders(self, table: str, values: U32) -> tuple[U32, I64]:
        """Every (value, indexed doc number) row of ``table`` of these distinct values."""

    def value_counts(self, table: str, docs: list[int]) -> dict[int, int]:
        """How many values of ``table`` each of these indexed documents holds."""


@dataclass
class Frequencies:
    """Document frequencies of one table's values over the indexed documents (counted up
    to ``cap``) and the new ones, each looked up once; what was looked up is kept for the
    check of the rows read (:func:`check_value_rows`)."""

    tables: ValueTables
    table: str
    cap: int
    new_values: U32
    """The new documents' distinct values, sorted ..."""
    new_df: I64
    """... and how many new documents hold each."""
    known: U32 = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    stored: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    held: list[tuple[U32, I64]] = field(default_factory=list)
    """The (value, doc) rows read by :meth:`holders`."""

    @classmethod
    def of_new(cls, tables: ValueTables, table: str, cap: int, new: Packed) -> Frequencies:
        values, df = np.unique(new.values, return_counts=True)
        return cls(tables, table, cap, values.astype(np.uint32), df.astype(np.int64))

    def indexed(self, values: U32) -> I64:
        """How many indexed documents hold each of ``values`` (up to the cap)."""
        return self.total(values, new=False)

    def new(self, values: U32) -> I64:
        """How many new documents hold each of ``values``."""
        out = np.zeros(values.size, dtype=np.int64)
        at, hit = _found_at(self.new_values, values)
        out[hit] = self.new_df[at[hit]]
        return out

    def total(self, values: U32, new: bool = True) -> I64:
        """Indexed (up to the cap) and, with ``new``, new documents holding each of
        ``values``; the values not yet known are looked up in the table, all at once.
        Values are searched in sorted order (millions of them: a search in order walks the
        sorted arrays once, a search at random misses the cache at every step)."""
        values = values.astype(np.uint32, copy=False)
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        at, hit = _found_at(self.known, ordered)
        if not hit.all():
            missing = sorted_unique(ordered[~hit])
            found = self.tables.value_frequencies(self.table, missing, self.cap)
            known = np.concatenate([self.known, missing])
            merged = np.argsort(known, kind="stable")
            self.known = known[merged]
            self.stored = np.concatenate([self.stored, found])[merged]
            at = np.searchsorted(self.known, ordered)
        counts = self.stored[at] if values.size else np.zeros(0, dtype=np.int64)
        if new:
            at, hit = _found_at(self.new_values, ordered)
            counts = counts + np.where(hit, self.new_df[at] if at.size else 0, 0)
        out = np.empty(values.size, dtype=np.int64)
        out[order] = counts
        return out

    def above(self, values: U32, cut: int) -> U32:
        """The distinct ``values`` held by more than ``cut`` documents, sorted."""
        distinct = sorted_unique(values.astype(np.uint32, copy=False))
        out: U32 = distinct[self.total(distinct) > cut]
        return out

    def holders(self, values: U32) -> tuple[U32, I64]:
        """The (value, indexed doc) rows of these distinct values."""
        held, docs = self.tables.value_holders(self.table, values)
        self.held.append((held, docs))
        return held, docs


def _found_at(ordered: U32, values: U32) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Where each of ``values`` is in the sorted ``ordered`` (clipped to its last index),
    and whether it is there."""
    if not ordered.size:
        return np.zeros(values.size, dtype=np.int64), np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), ordered.size - 1)
    return at, ordered[at] == values


@dataclass
class StoredValues:
    """What the query made of indexed documents' stored texts: their sampled shingles and
    4-grams, from their normalized code points (``cps``: those of several documents by doc
    number, read at once by the caller's reader)."""

    cps: Callable[[list[int]], dict[int, U32]]
    _sampled: dict[int, U32] = field(default_factory=dict)
    _grams: dict[int, U32] = field(default_factory=dict)

    def sampled(self, docs: list[int]) -> list[U32]:
        """The sampled shingles of each of ``docs``."""
        return self._made(docs, self._sampled, lambda c: sampled_shingles(c, _one(c), NGRAM)[0])

    def grams(self, docs: list[int]) -> list[U32]:
        """The 4-grams of each of ``docs``."""
        return self._made(docs, self._grams, lambda c: rewrite_shingles(c, _one(c))[0])

    def _made(self, docs: list[int], made: dict[int, U32], make: Callable[[U32], U32]
              ) -> list[U32]:
        missing = sorted({doc for doc in docs if doc not in made})
        if missing:
            read = self.cps(missing)
            made.update((doc, make(read[doc])) for doc in missing)
        return [made[doc] for doc in docs]

    def met(self, table: str) -> dict[int, U32]:
        """The values of the documents whose values were made, by doc number."""
        return dict(self._sampled if table == "sampled" else self._grams)


def _one(cps: U32) -> I64:
    return np.array([cps.size], dtype=np.int64)


@dataclass(frozen=True)
class JudgedCandidates:
    """A mode's candidates: among the new documents (positions ``i < j``), with indexed
    ones (position, doc number), and what the mode's candidate stage records."""

    among_new: I64
    with_stored: list[tuple[int, int]]
    found: Found


def copies_candidates(
    freq: Frequencies, new: Packed, documents: int, formula_df: int,
    stored: StoredValues,
) -> JudgedCandidates:
    """The pairs sharing enough rare sampled shingles (the new documents' ``new``),
    ``documents`` indexed and new together deciding the formula cut."""
    cut = formula_cut(formula_df, documents)
    owners = np.repeat(np.arange(new.counts.size, dtype=np.int64), new.counts)
    distinct = freq.new_values
    indexed = freq.indexed(distinct)
    rare = indexed + freq.new_df <= cut
    kept = members(new.values, distinct[rare])
    among = shared_fingerprint_pairs(new.values[kept], np.bincount(owners[kept],
                                     minlength=new.counts.size), 1e-9, cut, least=LEAST_SHARED)
    a, b = among.pairs[:, 0], among.pairs[:, 1]
    among_new = among.pairs[enough_rare(among.shared, new.counts[a], new.counts[b])]
    held, docs = freq.holders(distinct[rare & (indexed > 0)])
    pairs, shared = joined(new.values[kept], owners[kept], held, docs)
    some = shared >= LEAST_SHARED
    pairs, shared = pairs[some], shared[some]
    whole = freq.tables.value_counts("sampled", np.unique(pairs[:, 1]).tolist())
    counts_b = np.array([whole.get(d, 0) for d in pairs[:, 1].tolist()], dtype=np.int64)
    enough = enough_rare(shared, new.counts[pairs[:, 0]], counts_b)
    stored.sampled(np.unique(pairs[enough, 1]).tolist())  # for the check of the rows read
    with_stored = [(int(i), int(d)) for i, d in pairs[enough].tolist()]
    formula = distinct[~rare]
    return JudgedCandidates(among_new, with_stored, Found(among_new, formula, cut))


def rewrite_candidates(
    freq: Frequencies, new: Packed, params: Parameters, stored: StoredValues
) -> JudgedCandidates:
    """The pairs whose distinctive 4-gram sets (the new documents' ``new``) share at least
    :data:`~neardup.core.rewrites.LEAST_SHARED` 4-grams with a Jaccard of ``rewrite``."""
    least = params.rewrite or 0.0
    cut = common_cut(params)
    owners = np.repeat(np.arange(new.counts.size, dtype=np.int64), new.counts)
    distinct = freq.new_values
    indexed = freq.indexed(distinct)
    rare = indexed + freq.new_df <= cut
    kept = members(new.values, distinct[rare])
    rare_new = np.bincount(owners[kept], minlength=new.counts.size)
    among = shared_fingerprint_pairs(new.values[kept], rare_new, 0.0, cut, REWRITE_LEAST)
    a, b = among.pairs[:, 0], among.pairs[:, 1]
    close = _resembling(among.shared, rare_new[a], rare_new[b], least)
    among_new = among.pairs[close]
    held, docs = freq.holders(distinct[rare & (indexed > 0)])
    pairs, shared = joined(new.values[kept], owners[kept], held, docs)
    some = shared >= REWRITE_LEAST
    pairs, shared = pairs[some], shared[some]
    # An indexed document's rare 4-grams are at least those it shares, at most all its
    # 4-grams: most pairs are decided by those bounds, and only the documents of the others
    # have every 4-gram's frequency looked up (the most costly step of a check).
    whole = freq.tables.value_counts("grams", np.unique(pairs[:, 1]).tolist())
    rare_a = rare_new[pairs[:, 0]]
    most = np.array([whole.get(d, 0) for d in pairs[:, 1].tolist()], dtype=np.int64)
    close = _resembling(shared, rare_a, np.maximum(most, shared), least)  # with any count
    unsure = ~close & _resembling(shared, rare_a, shared, least)
    docs = np.unique(pairs[unsure, 1])
    grams = stored.grams(docs.tolist())
    counts = np.fromiter((g.size for g in grams), dtype=np.int64, count=len(grams))
    owner = np.repeat(np.arange(docs.size), counts)
    flat = np.concatenate(grams) if grams else np.empty(0, dtype=np.uint32)
    rare_stored = np.bincount(owner[freq.total(flat) <= cut], minlength=docs.size)
    rare_b = rare_stored[np.searchsorted(docs, pairs[unsure, 1])]
    close[unsure] = _resembling(shared[unsure], rare_a[unsure], rare_b, least)
    with_stored = [(int(i), int(d)) for i, d in pairs[close].tolist()]
    return JudgedCandidates(among_new, with_stored, Found(among_new, distinct[~rare], cut))


def _resembling(shared: I64, rare_a: I64, rare_b: I64, least: float) -> np.ndarray:
    """As :func:`~neardup.core.rewrites.resembling_pairs` keeps pairs: enough shared
    distinctive 4-grams for a Jaccard of ``least``, and at least the fewest a rewrite
    shares."""
    union = rare_a + rare_b - shared
    out: np.ndarray = (shared >= least * union) & (shared >= REWRITE_LEAST)
    return out


def joined(values: U32, owners: I64, held: U32, docs: I64) -> tuple[I64, I64]:
    """The distinct pairs (owner, doc) of equal values in ``values`` (owned by ``owners``)
    and ``held`` (held by ``docs``), and how many values each pair shares, pairs sorted."""
    if not values.size or not held.size:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.argsort(held, kind="stable")
    held, docs = held[order], docs[order]
    low = np.searchsorted(held, values, "left")
    sizes = np.searchsorted(held, values, "right") - low
    matched = np.stack([np.repeat(owners, sizes), docs[ranges(low, sizes)]], axis=1)
    if not matched.size:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs, shared = np.unique(matched, axis=0, return_counts=True)
    return pairs.astype(np.int64), shared.astype(np.int64)


@dataclass(frozen=True)
class Judging:
    """What the judge and the rewrite rule read of the compared documents."""

    formula: U32
    """The formula shingles among the compared documents' sampled shingles, sorted."""
    common: U32
    """The common 4-grams among the compared documents' 4-grams, sorted."""
    profiles: dict[int, Profile]
    """Each compared document's rewrite profile, by node (empty without a rewrite search)."""


def judging(
    nodes: list[int],
    cps: Sequence[U32],
    new_texts: dict[int, str],
    sentences: dict[int, str],
    frequencies: tuple[Frequencies | None, Frequencies | None],
    cuts: tuple[int, int],
    params: Parameters,
) -> Judging:
    """The formula shingles and common 4-grams of the compared documents (``nodes`` and
    their normalized code points ``cps``: new ones with their original text in
    ``new_texts``, indexed ones with their stored normalized sentences in ``sentences``),
    and their rewrite profiles when the query has a rewrite search (``frequencies``: those
    of the sampled shingles, of the 4-grams; None: no copies judgement, no rewrite
    search)."""
    sampled_freq, gram_freq = frequencies
    if not nodes:
        return Judging(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.uint32), {})
    lengths = np.fromiter((c.size for c in cps), dtype=np.int64, count=len(cps))
    flat = np.concatenate(cps) if cps else np.empty(0, dtype=np.uint32)
    formula = np.empty(0, dtype=np.uint32)
    if sampled_freq is not None:
        formula = sampled_freq.above(sampled_shingles(flat, lengths, NGRAM)[0], cuts[0])
    if gram_freq is None:
        return Judging(formula, np.empty(0, dtype=np.uint32), {})
    options = params.normalize_options()
    new_nodes = [(k, node) for k, node in enumerate(nodes) if node in new_texts]
    old_nodes = [(k, node) for k, node in enumerate(nodes) if node not in new_texts]
    pieces = normalized_sentences([new_texts[n] for _, n in new_nodes], options)
    pieces += [sentences[n] for _, n in old_nodes]
    split = [s for joined in pieces for s in joined.split("\n")]
    grams = [rewrite_shingles(flat, lengths)[0]]
    if split:
        grams.append(rewrite_shingles(*packed_codepoints(split))[0])
    common = gram_freq.above(np.concatenate(grams), cuts[1])
    profiles: dict[int, Profile] = {}
    made = sentence_profiles([new_texts[n] for _, n in new_nodes],
                             [cps[k] for k, _ in new_nodes], options, common) if new_nodes else []
    profiles.update((n, p) for (_, n), p in zip(new_nodes, made, strict=True))
    made = stored_profiles([sentences[n] for _, n in old_nodes],
                           [cps[k] for k, _ in old_nodes], common) if old_nodes else []
    profiles.update((n, p) for (_, n), p in zip(old_nodes, made, strict=True))
    return Judging(formula, common, profiles)


def check_value_rows(freq: Frequencies, met: dict[int, U32], names: dict[int, str],
                     damaged: Callable[[str], str]) -> None:
    """Raise unless the ``sampled`` or ``grams`` rows a query read agree with the values of
    the indexed documents whose texts it read (``met``, by doc number): each value looked up
    that such a document holds was counted, and found with it when its holders were read;
    each row found of such a document is one of its values. ``damaged`` makes the message
    of what is wrong (the store's name and what to do).

    Raises:
        IndexFileError: naming the document and value that disagree.
    """
    if not met or not freq.known.size:
        return
    docs = np.fromiter(met, dtype=np.int64, count=len(met))
    values = np.concatenate(list(met.values())).astype(np.int64)
    owners = np.repeat(docs, [v.size for v in met.values()])
    counted = members(values.astype(np.uint32), freq.known)
    zero = np.flatnonzero(counted)[freq.indexed(values[counted].astype(np.uint32)) == 0]
    lost = [(int(values[k]), int(owners[k])) for k in zero[:1].tolist()]
    held = [(h.astype(np.int64), d) for h, d in freq.held]
    read = np.concatenate([h for h, _ in held]) if held else np.empty(0, dtype=np.int64)
    held_docs = np.concatenate([d for _, d in held]) if held else np.empty(0, dtype=np.int64)
    # doc numbers by rank among those met (a Parquet corpus's exceed 32 bits)
    every = np.unique(np.concatenate([docs, held_docs]))
    found = np.sort(_codes(read, np.searchsorted(every, held_docs)))
    if not lost:
        wanted = members(values, sorted_unique(read))
        codes = _codes(values[wanted], np.searchsorted(every, owners[wanted]))
        missed = np.flatnonzero(~members(codes, found))
        lost = [(int(values[wanted][k]), int(owners[wanted][k])) for k in missed[:1].tolist()]
    if lost:
        value, doc = lost[0]
        raise IndexFileError(damaged(
            f"the {freq.table} table does not give value {value} of document "
            f"{names.get(doc, '?')!r} (doc {doc}), which its text holds (its rows are out of "
            "order or lost)"
        ))
    theirs = found[members(found & 0xFFFFFFFF, np.searchsorted(every, np.sort(docs)))]
    extra = theirs[~members(theirs, np.sort(_codes(values, np.searchsorted(every, owners))))]
    if extra.size:
        code = int(extra[0])
        value, doc = (code >> 32) & 0xFFFFFFFF, int(every[code & 0xFFFFFFFF])
        raise IndexFileError(damaged(
            f"the {freq.table} table has a row ({value}, doc {doc}) that its document's text "
            "does not hold"
        ))


def _codes(values: I64, docs: I64) -> I64:
    """One int64 per (value, doc): the value's uint32 bits above the doc's low 32 bits (a
    doc's rank among those met, below 2**32)."""
    out: I64 = ((values & 0xFFFFFFFF) << 32) | (docs & 0xFFFFFFFF)
    return out
