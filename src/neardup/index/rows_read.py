"""What a query read from the ``bands`` and ``fingerprints`` tables, checked against the
documents it met: rows a damaged B-tree hides are never missed silently.

SQLite's ``quick_check`` reads every page but not the order of a table's rows across its
pages: with two leaf pages of ``fingerprints`` swapped, it says "ok" while a lookup of a
fingerprint descends to a leaf that holds other ones and finds none of its rows, and a copy
is lost without a word. A query cannot afford SQLite's ``integrity_check`` (it reads the
whole file), but what it read can be checked against what the documents it met say it must
have found, at a cost that grows with those documents, not with the index:

* :func:`check_shared_keys`: every band key a new document shares with the signature of an
  indexed document met (by a band or a fingerprint row) must have been found in ``bands``;
* :func:`check_fingerprint_rows`: every fingerprint looked up (the new documents', and with
  exact verification those of the indexed documents met, whose holders decide the
  boilerplate) that the stored fingerprint list of a document met holds must have been
  counted and, when its holders were read, found with that document; every row found must
  be in its document's list.

An indexed document whose every row the query would meet is hidden by the damage is not met
at all; ``neardup index verify`` and the next ``add`` (SQLite's ``integrity_check``) find
that damage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._types import I64, U32, U64
from ..core.lsh import band_keys
from ..errors import IndexFileError
from ..parameters import Parameters
from .file import REBUILD_HINT
from .statements import StoredDocument, Tables, decode_signature


class RecordingStore:
    """The fingerprint store a containment query reads through
    (:class:`~neardup.searches.containment.FingerprintStore`): the index's tables, with what
    each lookup found recorded for :func:`check_fingerprint_rows`."""

    def __init__(self, tables: Tables):
        self._tables = tables
        self.path = tables.path
        self.counted: list[tuple[I64, I64]] = []
        """The fingerprints counted (their uint32 values), and their holders
        counted."""
        self.looked_up: list[I64] = []
        """The fingerprints whose holders were read."""
        self.held: list[tuple[I64, I64]] = []
        """The rows found: (fingerprint, doc)."""

    def fingerprint_frequencies(self, fingerprints: U32, cap: int) -> I64:
        found = self._tables.fingerprint_frequencies(fingerprints, cap)
        self.counted.append((fingerprints.astype(np.int64), found))
        return found

    def fingerprint_holders(self, fingerprints: U32) -> tuple[U32, I64]:
        held, docs = self._tables.fingerprint_holders(fingerprints)
        self.looked_up.append(fingerprints.astype(np.int64))
        self.held.append((held.astype(np.int64), docs))
        return held, docs

    def fingerprint_counts(self, docs: list[int]) -> dict[int, int]:
        return self._tables.fingerprint_counts(docs)

    def met(self) -> set[int]:
        """The documents named by a fingerprint row found."""
        return {doc for _, docs in self.held for doc in docs.tolist()}


def _damaged(path: str, what: str) -> IndexFileError:
    return IndexFileError(f"{path}: damaged index: {what}; {REBUILD_HINT}")


def check_shared_keys(
    path: str,
    banded: list[tuple[int, int, int]],
    keys: U64,
    stored: dict[int, StoredDocument],
    parameters: Parameters,
) -> None:
    """Raise unless every band key a new document (row of ``keys``) shares with an indexed
    document met (``stored``; its keys made from its stored signature) is among the band
    rows the query found (``banded``: row of keys, doc, band).

    Raises:
        IndexFileError: naming a document whose band row the lookup did not find.
    """
    if not stored or keys.shape[0] == 0:
        return
    docs = sorted(stored)
    sigs = np.stack([decode_signature(stored[d].signature, parameters.num_perm, path)
                     for d in docs])
    theirs = band_keys(sigs, parameters.banding)
    found = set(banded)
    for band in range(keys.shape[1]):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        low = np.searchsorted(ordered, theirs[:, band], "left")
        high = np.searchsorted(ordered, theirs[:, band], "right")
        for k in np.flatnonzero(high > low).tolist():
            for row in order[low[k] : high[k]].tolist():
                if (int(row), docs[k], band) not in found:
                    doc = stored[docs[k]]
                    raise _damaged(
                        path,
                        f"the band {band} row of document {doc.id!r} (row {doc.doc}) was not "
                        "found by its lookup (the bands table's pages are out of order)",
                    )


def check_fingerprint_rows(
    path: str, store: RecordingStore, lists: dict[int, tuple[str, object]]
) -> None:
    """Raise unless the fingerprint rows a query found agree with the fingerprint lists of
    the documents it met (``lists``: doc → id and stored list): each fingerprint counted that
    a list holds was counted at least once and, when its holders were read, found with that
    document; each row found is in its document's list.

    Raises:
        IndexFileError: naming the document and fingerprint that disagree.
    """
    if not store.counted:
        return
    counted, first = np.unique(  # as uint32 bits, like the lists
        np.concatenate([f for f, _ in store.counted]) & 0xFFFFFFFF, return_index=True
    )
    holders = np.concatenate([n for _, n in store.counted])[first]
    looked_up = (np.unique(np.concatenate(store.looked_up) & 0xFFFFFFFF) if store.looked_up
                 else counted[:0])
    names = {doc: doc_id for doc, (doc_id, _) in lists.items()}
    for doc, (doc_id, blob) in lists.items():
        if not isinstance(blob, bytes) or len(blob) % 4:
            raise _damaged(path, f"the fingerprint list of document {doc_id!r} (row {doc}) "
                                 "is not uint32 values")
    blobs = [blob for _, blob in lists.values() if isinstance(blob, bytes)]
    mine = np.frombuffer(b"".join(blobs), dtype="<u4").astype(np.int64)
    owner = np.repeat(np.fromiter(lists, dtype=np.int64, count=len(lists)),
                      [len(blob) // 4 for blob in blobs])
    maybe = np.zeros(_BUCKETS, dtype=bool)  # a filter first: few list values were counted
    maybe[counted & (_BUCKETS - 1)] = True
    some = np.flatnonzero(maybe[mine & (_BUCKETS - 1)])
    at = np.searchsorted(counted, mine[some]).clip(max=counted.size - 1)
    equal = counted[at] == mine[some]
    hit, at = some[equal], at[equal]
    wanted, wanted_doc, count = mine[hit], owner[hit], holders[at]
    holders_read = np.zeros(counted.size, dtype=bool)
    holders_read[np.searchsorted(counted, looked_up)] = True  # looked_up: some of counted
    read = holders_read[at]
    found = np.unique(np.concatenate(
        [_codes(f, d) for f, d in store.held] or [np.empty(0, np.int64)]
    ))
    expected = np.sort(_codes(wanted[read], wanted_doc[read]))
    lost = wanted[count == 0], wanted_doc[count == 0]
    if not lost[0].size and not np.array_equal(expected, found):
        missed = ~_within(found, expected)
        lost = wanted[read][missed], wanted_doc[read][missed]
        extra = found[~_within(expected, found)]
        if not lost[0].size and extra.size:
            code = int(extra[0])
            raise _damaged(
                path,
                f"the fingerprints table has a row ({(code >> 32) & 0xFFFFFFFF}, doc "
                f"{code & 0xFFFFFFFF}) "
                "that its document's fingerprint list does not hold",
            )
    if lost[0].size:
        fingerprint, doc = int(lost[0][0]), int(lost[1][0])
        raise _damaged(
            path,
            f"the fingerprints table does not give fingerprint {fingerprint} of "
            f"document {names[doc]!r} (row {doc}), which its fingerprint list holds (the "
            "table's pages are out of order or lost)",
        )


_BUCKETS = 1 << 22
"""Buckets of the filter that spares most list values a binary search (4 MB)."""


def _within(ordered: I64, values: I64) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` is in ``ordered`` (sorted)."""
    if not ordered.size:
        return np.zeros(values.size, dtype=bool)
    at = np.searchsorted(ordered, values).clip(max=ordered.size - 1)
    out: npt.NDArray[np.bool_] = ordered[at] == values
    return out


def _codes(fingerprints: I64, docs: I64) -> I64:
    """One int64 per (fingerprint, doc) row: the fingerprint's uint32 bits above the doc's
    low 32 bits."""
    high = (fingerprints & 0xFFFFFFFF).astype(np.uint64) << np.uint64(32)
    out: I64 = (high | (docs.astype(np.uint64) & np.uint64(0xFFFFFFFF))).view(np.int64)
    return out
