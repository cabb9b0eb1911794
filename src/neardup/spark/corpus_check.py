"""A check of new documents against a corpus stored as Parquet (:func:`check_spark`), with
the pairs of ``neardup check --index`` on an index of the same documents.

What runs where: the corpus's side, every lookup whose cost grows with the corpus, is Spark
SQL over its tables (:mod:`neardup.spark.corpus`): the holders of the new documents' band
keys (a join of ``bands`` with the broadcast keys), the document frequency and holders of
their fingerprints (``fingerprints``), with the copies judgement and the rewrite search the
document frequency and holders of their sampled shingles and 4-grams (``sampled``,
``grams``), the stored documents met (``documents``, each read once). The new batch's side
runs on the driver with the stages every engine shares, as the SQLite check runs it: the new
documents hashed (:mod:`neardup.stages.hashing`), the band groups as a scan forms them
(:func:`~neardup.stages.band_groups.scanned_band_pairs`), the containment candidates and
boilerplate (:func:`~neardup.searches.containment.stored_candidates`, with
:class:`SparkFingerprints` as its store), the judged query
(:class:`~neardup.stages.judged_query.JudgedQuery`, with :class:`SparkCorpus` as its
tables), the exact verification of the candidates with the modes' rules and judge
(:func:`~neardup.stages.verification.verify_candidates`). So a check reads of the corpus
only the rows its new documents reach, and the texts of the documents met.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .._types import I64, U32, U64
from ..core.lsh import candidate_pairs
from ..core.similarity import Overlap, overlap
from ..errors import IndexFileError, NeardupError, ParameterError
from ..io.documents import Document, as_documents
from ..parameters import Parameters
from ..report import Counts, DocumentInfo, DuplicateReport
from ..searches.containment import NAME as CONTAINMENT
from ..searches.containment import StoredCandidates, stored_boilerplate, stored_candidates
from ..searches.modes import modes_for
from ..searches.near_duplicates import NAME as NEAR_DUPLICATES
from ..searches.near_duplicates import keys_of
from ..searches.protocol import ComparedTexts, Found, packed
from ..searches.rewritten_copies import normalized_sentences
from ..stages.band_groups import scanned_band_pairs
from ..stages.hashing import (
    nonempty_documents,
    normalized_codepoints,
    shingle_sets,
    signatures_of_codepoints,
)
from ..stages.intake import Intake
from ..stages.judged_query import AsScanned, JudgedQuery
from ..stages.verification import marked_exact, report_parts, verify_candidates
from .corpus import COPIES_TABLES, COUNT, TABLES, CorpusInfo, open_corpus
from .session import get_session, one_line, require_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def corpus_without_copies_message(path: str) -> str:
    """Why a check with the copies judgement or the rewrite search is refused on a corpus
    stored without ``copies``, and what to do."""
    return (f"{path}: this Parquet corpus was stored without copies, so it keeps no sampled "
            "shingles nor 4-grams, which the copies judgement and the rewrite search "
            "(--preset copies, formula_df, rewrite) read: store it again with `neardup index "
            "create --engine spark --preset copies DIR PATH...` (store_corpus_spark(..., "
            "preset='copies')); this one still answers Jaccard and containment checks")


@dataclass(frozen=True)
class Stored:
    """A stored document met by a check."""

    doc: int
    id: str
    title: str | None
    length: int
    text: str
    keys: U64


@dataclass
class CheckResult:
    """A check's report and the texts of the stored documents it met (by id), for
    passages."""

    report: DuplicateReport
    texts: dict[str, str]


class SparkCorpus:
    """The tables of a stored corpus, read by Spark; every lookup takes a small set of
    values, broadcast, and collects the matching rows.

    Any failure to read a table (a damaged Parquet file, a failed job) is an
    :class:`~neardup.errors.IndexFileError` naming the corpus.
    """

    def __init__(self, spark: SparkSession, info: CorpusInfo) -> None:
        self.spark = spark
        self.info = info
        self.path = info.path
        self._tables: dict[str, DataFrame] = {}
        self._read: dict[int, Stored] = {}

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Turn a failure of Spark reading the tables (a damaged Parquet file, or the job
        failing) into one line naming the corpus."""
        try:
            yield
        except NeardupError:
            raise
        except Exception as exc:
            raise IndexFileError(
                f"{self.path}: cannot read the Parquet corpus (damaged, or the Spark job "
                f"failed): {one_line(exc)}") from None

    def table(self, name: str) -> DataFrame:
        """The table ``name``, its columns checked."""
        if name not in self._tables:
            with self.reading():
                frame = self.spark.read.parquet(f"{self.path}/{name}")
            wanted = list({**TABLES, **COPIES_TABLES}[name])
            if name == "documents" and self.info.copies:
                wanted += [COUNT.format(table) for table in COPIES_TABLES]
            missing = [c for c in wanted if c not in frame.columns]
            if missing:
                raise IndexFileError(f"{self.path}: damaged Parquet corpus: the {name}/ table "
                                     f"has no column {missing[0]!r}")
            self._tables[name] = frame
        return self._tables[name]

    def matching(self, name: str, rows: list[tuple[Any, ...]], schema: str,
                  on: list[str], columns: list[str]) -> list[tuple[Any, ...]]:
        """The ``columns`` of the rows of table ``name`` that match one of ``rows`` (of
        ``schema``) on ``on``."""
        from pyspark.sql import functions as F

        if not rows:
            return []
        with self.reading():
            wanted = self.spark.createDataFrame(rows, schema)
            found = self.table(name).join(F.broadcast(wanted), on).select(*columns)
            return [tuple(row) for row in found.collect()]

    def shared_keys(self, keys: U64) -> list[tuple[int, int, int]]:
        """``(row of keys, doc, band)`` of every stored document holding a band key of the
        new documents (``keys``: (n, bands)), sorted."""
        n, bands = keys.shape
        signed = np.ascontiguousarray(keys).view(np.int64)
        rows = [(pos, band, int(signed[pos, band])) for pos in range(n) for band in range(bands)]
        found = self.matching("bands", rows, "pos long, band int, key long", ["band", "key"],
                               ["pos", "doc", "band"])
        return sorted((int(p), int(d), int(b)) for p, d, b in found)

    def docs_of(self, ids: list[str]) -> set[int]:
        """The doc numbers of the stored documents with these ids."""
        found = self.matching("documents", [(i,) for i in ids], "id string", ["id"], ["doc"])
        return {int(doc) for (doc,) in found}

    def documents(self, docs: list[int], bands: int) -> dict[int, Stored]:
        """The stored documents with these doc numbers (their text and band keys), each
        read once a check."""
        wanted = sorted(set(docs) - set(self._read))
        found = self.matching("documents", [(d,) for d in wanted], "doc long", ["doc"],
                               ["doc", "id", "title", "length", "text", "keys"])
        for doc, doc_id, title, length, text, keys in found:
            stored_keys = np.array(keys or [], dtype=np.int64).view(np.uint64)
            if stored_keys.size != bands or text is None:
                raise IndexFileError(f"{self.path}: damaged Parquet corpus: document "
                                     f"{doc_id!r} has {stored_keys.size} band keys (expected "
                                     f"{bands}) or no text")
            self._read[int(doc)] = Stored(int(doc), str(doc_id), title, int(length), str(text),
                                          stored_keys)
        return {doc: self._read[doc] for doc in docs if doc in self._read}

    def damaged(self, detail: str) -> str:
        """The message of damage found in the corpus's rows, from what is wrong."""
        return f"{self.path}: damaged Parquet corpus: {detail}"

    def count(self) -> int:
        """Stored documents."""
        return self.info.documents

    def _rows_of(self, table: str, column: str, values: U32) -> DataFrame:
        """The rows of ``table`` whose uint32 ``column`` (stored as int32 of the same bits)
        holds one of ``values``: a join with them, broadcast."""
        import pyarrow as pa
        from pyspark.sql import functions as F

        bits = np.unique(np.asarray(values, dtype=np.uint32)).view(np.int32)
        wanted = self.spark.createDataFrame(pa.table({column: pa.array(bits, pa.int32())}))
        return self.table(table).join(F.broadcast(wanted), column)

    def frequencies(self, table: str, column: str, values: U32, cap: int) -> I64:
        """How many stored documents hold each of ``values`` (uint32, repeats allowed) in
        ``column`` of ``table``, counted up to ``cap``."""
        values = np.asarray(values, dtype=np.uint32)
        out = np.zeros(values.size, dtype=np.int64)
        if not values.size:
            return out
        with self.reading():
            counted = self._rows_of(table, column, values).groupBy(column).count().toArrow()
        found = counted.column(column).to_numpy().astype(np.int32).view(np.uint32)
        order = np.argsort(found)
        found, counts = found[order], counted.column("count").to_numpy()[order]
        if found.size:
            at = np.minimum(np.searchsorted(found, values), found.size - 1)
            hit = found[at] == values
            out[hit] = counts[at[hit]]
        return np.minimum(out, cap)

    def holders(self, table: str, column: str, values: U32) -> tuple[U32, I64]:
        """Every (value, stored doc number) row of ``table`` whose ``column`` holds one of
        ``values``."""
        if not np.asarray(values).size:
            return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
        with self.reading():
            found = self._rows_of(table, column, values).select(column, "doc").toArrow()
        held = found.column(column).to_numpy().astype(np.int32).view(np.uint32)
        return held, found.column("doc").to_numpy().astype(np.int64)

    def value_frequencies(self, table: str, values: U32, cap: int) -> I64:
        """How many stored documents hold each of ``values`` (distinct) in ``table``
        (``sampled`` or ``grams``), counted up to ``cap``."""
        return self.frequencies(table, "value", values, cap)

    def value_holders(self, table: str, values: U32) -> tuple[U32, I64]:
        """Every (value, stored doc number) row of ``table`` of these distinct values."""
        return self.holders(table, "value", values)

    def value_counts(self, table: str, docs: list[int]) -> dict[int, int]:
        """How many values of ``table`` each of these stored documents holds (its
        ``documents`` row's count of them).

        Raises:
            IndexFileError: a document's count is missing (a damaged row).
        """
        found = self.matching("documents", [(d,) for d in docs], "doc long", ["doc"],
                               ["doc", COUNT.format(table)])
        counts = {}
        for doc, n in found:
            if n is None:
                raise IndexFileError(self.damaged(
                    f"document row {doc} has no {COUNT.format(table)} in the documents/ table"))
            counts[int(doc)] = int(n)
        return counts

    def normalized(self, parameters: Parameters) -> Callable[[list[int]], dict[int, U32]]:
        """The normalized code points of stored documents by doc number, read at once (what
        the copies judgement and the rewrite search make their values of)."""

        def read(docs: list[int]) -> dict[int, U32]:
            stored = self.documents(docs, parameters.banding.bands)
            _check_met(self, docs, stored, "sampled or grams")
            cps = normalized_codepoints([stored[d].text for d in docs], parameters)
            return dict(zip(docs, cps, strict=True))

        return read


class SparkFingerprints:
    """The corpus's fingerprints as a containment search reads them
    (:class:`~neardup.searches.containment.FingerprintStore`)."""

    def __init__(self, corpus: SparkCorpus) -> None:
        self.corpus = corpus
        self.path = corpus.path

    def fingerprint_frequencies(self, fingerprints: U32, cap: int) -> I64:
        """How many stored documents hold each fingerprint, counted up to ``cap``."""
        return self.corpus.frequencies("fingerprints", "fingerprint", fingerprints, cap)

    def fingerprint_holders(self, fingerprints: U32) -> tuple[U32, I64]:
        """Each (fingerprint, stored document) row of these fingerprints."""
        return self.corpus.holders("fingerprints", "fingerprint", fingerprints)

    def fingerprint_counts(self, docs: list[int]) -> dict[int, int]:
        """How many fingerprints each stored document has."""
        found = self.corpus.matching("documents", [(d,) for d in docs], "doc long", ["doc"],
                                      ["doc", "fingerprints"])
        return {int(d): int(c) for d, c in found}


def check_spark(
    documents: object,
    corpus_dir: str,
    *,
    expected: dict[str, Any] | None = None,
    containment: float | None = None,
    max_df: int | None = None,
    rewrite: float | None = None,
    formula_df: int | None = None,
    spark: SparkSession | None = None,
    master: str = "local[*]",
) -> CheckResult:
    """Near-duplicates (and with ``containment``, copies) of new documents among the
    documents of a corpus stored as Parquet (:func:`~neardup.spark.corpus.store_corpus_spark`)
    and among themselves: the report :meth:`neardup.index.DuplicateIndex.query` gives on an
    index of the same documents with the same parameters (the same pairs, figures, clusters
    and counts).

    ``expected``: parameters the corpus must have been made with (as
    :meth:`~neardup.index.DuplicateIndex.open` takes them); ``containment``, ``max_df``,
    ``rewrite`` and ``formula_df`` are chosen by each check, the last two (the rewrite
    search and the copies judgement, ``neardup check --preset copies``) on a corpus stored
    with ``copies``.

    Raises:
        IndexFileError: the corpus is missing, damaged, made with other parameters, or
            kept nothing for a rewrite search or copies judgement asked for.
        ParameterError: an out-of-range parameter.
        DuplicateIdError: an id occurs twice among the new documents.
        SparkJobError: the Spark job failed.
    """
    started = time.perf_counter()
    info = open_corpus(corpus_dir, expected)
    query_time: dict[str, Any] = {"containment": containment, "rewrite": rewrite,
                                  "formula_df": formula_df}
    if (rewrite is not None or formula_df is not None) and not info.copies:
        raise IndexFileError(corpus_without_copies_message(info.path))
    if max_df is not None:
        query_time["max_df"] = max_df
    parameters = replace(info.parameters, **query_time)
    if parameters.verify != "exact":
        raise ParameterError("the Spark engine verifies every pair exactly: verify must be "
                             f"'exact' (got {parameters.verify!r})")
    intake = Intake(skip_blank=False)
    given = [doc for item in as_documents(documents) if (doc := intake.take(item)) is not None]
    intake.check()
    require_spark()
    corpus = SparkCorpus(get_session(spark, master), info)
    return _checked(corpus, given, intake, parameters, started)


def _checked(corpus: SparkCorpus, given: list[Document], intake: Intake, parameters: Any,
             started: float) -> CheckResult:
    """The steps of :func:`check_spark` once the corpus is open and the documents taken:
    those of :func:`neardup.index.query.query_index` with exact verification."""
    modes = modes_for(parameters)
    containing = CONTAINMENT in {mode.name for mode in modes}
    judging = parameters.formula_df is not None or parameters.rewrite is not None
    new_docs, new_cps, empty = nonempty_documents(given, parameters)
    skipped = intake.skipped() + empty
    if new_docs:
        sigs, _ = signatures_of_codepoints(new_cps, parameters)
    else:
        sigs = np.empty((0, parameters.num_perm), dtype=np.uint32)
    lengths = np.fromiter((c.size for c in new_cps), dtype=np.int64, count=len(new_cps))
    flat = np.concatenate(new_cps) if new_cps else np.empty(0, dtype=np.uint32)
    hashed = {mode.name: mode.hash(flat, lengths, sigs, parameters) for mode in modes
              if new_docs or mode.name == NEAR_DUPLICATES}
    keys = keys_of(hashed[NEAR_DUPLICATES])
    judged = (JudgedQuery(corpus, parameters, hashed, corpus.normalized(parameters),
                          corpus.damaged)
              if judging and new_docs else None)
    banded = corpus.shared_keys(keys) if new_docs else []
    if any(mode.counts_every_copy for mode in modes):  # band groups as a scan's
        replaced = corpus.docs_of([d.id for d in new_docs]) if new_docs else set()
        among_banded, hits = _band_groups(
            keys, [row for row in banded if row[1] not in replaced])
    else:  # every holder, as the SQLite check pairs them
        among_banded = candidate_pairs(keys)
        hits = sorted({(pos, doc) for pos, doc, _ in banded})
    store = SparkFingerprints(corpus)
    copies = StoredCandidates.none()
    if containing and new_docs:
        fingerprints = packed(hashed[CONTAINMENT])
        copies = stored_candidates(store, fingerprints.values, fingerprints.counts,
                                   parameters, lambda met, read: _check_met(corpus, met, read))
    if judged is not None:
        judged.find_candidates(len(new_docs))
    with_stored = [*hits, *copies.with_stored, *(judged.with_stored() if judged else [])]
    met = {doc for _, doc in with_stored} | {doc for _, doc, _ in banded}
    stored = corpus.documents(sorted(met), parameters.banding.bands)
    _check_met(corpus, met, stored)
    _check_band_rows(corpus, banded, keys, stored)
    indexed = [stored[d] for d in sorted(stored)]
    n = len(new_docs)
    ids = [d.id for d in new_docs] + [old.id for old in indexed]
    all_cps = new_cps + normalized_codepoints([old.text for old in indexed], parameters)
    boilerplate = copies.common
    if containing and indexed:
        boilerplate = stored_boilerplate(store, all_cps[n:], copies, parameters)
    node_of = {old.doc: n + k for k, old in enumerate(indexed)}
    among_new = [among_banded, copies.among_new, *(judged.among_new() if judged else [])]
    pairs = {(int(i), int(j)) for found in among_new for i, j in found.tolist()}
    new_ids = {d.id for d in new_docs}  # a replaced version is compared with none of them
    pairs.update((i, node_of[doc]) for i, doc in with_stored
                 if indexed[node_of[doc] - n].id not in new_ids)
    candidates = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    found = {mode.name: Found(candidates) for mode in modes}
    if containing:
        found[CONTAINMENT] = copies.found()
    if judged is not None:
        judged.judge(new_docs, indexed, all_cps.__getitem__, candidates,
                     corpus_sentences(parameters))
        found.update(judged.found())
    nodes: list[int] = np.unique(candidates).tolist()
    sets = dict(zip(nodes, shingle_sets([all_cps[k] for k in nodes], parameters), strict=True))

    def similarity(i: int, j: int) -> Overlap:
        return overlap(sets[i], sets[j])

    common = {CONTAINMENT: boilerplate, **(judged.common() if judged else {})}
    seen = ComparedTexts(nodes, [all_cps[k] for k in nodes], common)
    rules = [rule for mode in modes if (rule := mode.rule(parameters, seen))]
    rules += judged.rules() if judged else []
    judges = [AsScanned(judge, n) for mode in modes if (judge := mode.judge(parameters, seen))]
    lengths_of = np.array([len(d.text) for d in new_docs] + [old.length for old in indexed],
                          dtype=np.int64)
    verified = verify_candidates(candidates, similarity, parameters.threshold, lengths_of,
                                 rules, judges=judges)

    def describe(node: int) -> DocumentInfo:
        if node < n:
            doc = new_docs[node]
            return DocumentInfo(doc.title, doc.source, len(doc.text))
        old = indexed[node - n]
        return DocumentInfo(old.title, None, old.length)

    parts = report_parts(verified, ids, describe)
    parts.pairs = marked_exact(parts.pairs, ids, all_cps.__getitem__, n)
    if judged is not None:
        parts.pairs = judged.exact_pairs(parts.pairs)
    report = DuplicateReport(
        parameters=parameters,
        pairs=parts.pairs,
        clusters=parts.clusters,
        skipped=skipped,
        counts=Counts(
            documents=intake.read,
            processed=n,
            skipped=len(skipped),
            candidates=int(candidates.shape[0]),
            pairs=len(parts.pairs),
            clusters=len(parts.clusters),
            set_apart=len(parts.set_apart),
            **{key: k for mode in modes for key, k in mode.counts(found[mode.name]).items()},
        ),
        verification="exact",
        seconds=time.perf_counter() - started,
        documents=parts.documents,
        notes=judged.notes(modes, found, "exact") if judged else [],
        set_apart=parts.set_apart,
        formula=judged.formula() if judged else None,
    )
    return CheckResult(report, {old.id: old.text for old in indexed})


def corpus_sentences(parameters: Parameters) -> Callable[[Stored], str]:
    """The normalized sentences of a stored document met, made of its text as an index
    file makes those it keeps."""
    options = parameters.normalize_options()

    def made(old: Stored) -> str:
        return normalized_sentences([old.text], options)[0]

    return made


def _band_groups(
    keys: U64, banded: list[tuple[int, int, int]]
) -> tuple[I64, list[tuple[int, int]]]:
    """:func:`~neardup.stages.band_groups.scanned_band_pairs` of the band rows met, the
    stored documents numbered by rank among the holders met (the order is all the rule
    reads; a corpus's doc numbers are input orders, which may exceed 32 bits)."""
    holders = sorted({doc for _, doc, _ in banded})
    rank = {doc: k for k, doc in enumerate(holders)}
    among, hits = scanned_band_pairs(keys, [(pos, rank[doc], band) for pos, doc, band in banded])
    return among, [(pos, holders[k]) for pos, k in hits]


def _check_met(corpus: SparkCorpus, met: Any, read: Any, rows: str = "band or fingerprint"
               ) -> None:
    """Raise unless every stored document a row of the ``rows`` tables led to was read.

    Raises:
        IndexFileError: naming the first missing document.
    """
    missing = sorted(set(met) - set(read))
    if missing:
        raise IndexFileError(
            f"{corpus.path}: damaged Parquet corpus: a {rows} row names document "
            f"{missing[0]}, which the documents/ table does not hold")


def _check_band_rows(corpus: SparkCorpus, banded: list[tuple[int, int, int]], keys: U64,
                     stored: dict[int, Stored]) -> None:
    """Raise unless every band row met holds the key its document's row records.

    Raises:
        IndexFileError: naming the first document whose band row differs.
    """
    for pos, doc, band in banded:
        if stored[doc].keys[band] != keys[pos, band]:
            raise IndexFileError(
                f"{corpus.path}: damaged Parquet corpus: the band {band} row of document "
                f"{stored[doc].id!r} does not hold the key its documents/ row records")
