"""A persistent near-duplicate index in one SQLite file, for incremental batches and CI checks.

:class:`DuplicateIndex` keeps, for every indexed document, its MinHash signature and LSH band
keys, its winnowed fingerprints (and, unless built with ``store_text=False``, its normalized
text), so that a new batch of documents can be checked against everything indexed so far
without recomputing it: for near-duplicates, and with ``containment`` for partial copies.

File format (version 2)
-----------------------

An SQLite 3 database in WAL mode with ``PRAGMA application_id = 0x4E445550`` ("NDUP") and
``PRAGMA user_version = 2``, and these tables::

    meta(key TEXT PRIMARY KEY, value TEXT)            -- WITHOUT ROWID
        format          "neardup-index"
        format_version  "2"
        parameters      JSON of neardup.parameters.Parameters.to_dict() without containment
                        and max_df (threshold, ngram, unit, num_perm, seed, bands, rows,
                        verify, html, markers)
        store_text      "1" or "0"
        created_by      neardup version that created the file
    docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, source TEXT,
         length INTEGER,      -- characters of the original text
         shingles INTEGER,    -- shingles of the normalized text, with repeats
         signature BLOB,      -- num_perm uint32 values, little-endian
         fingerprints BLOB,   -- the document's distinct fingerprints, sorted uint32,
                              --   little-endian (their number is length(fingerprints) / 4)
         text BLOB)           -- zlib(UTF-8 normalized text), NULL when store_text is off
    bands(band INTEGER, key INTEGER, doc INTEGER,
          PRIMARY KEY (band, key, doc))               -- WITHOUT ROWID
        one row per (document, band); key is neardup.core.lsh.band_keys' uint64 as signed int64
    fingerprints(fingerprint INTEGER, doc INTEGER,
                 PRIMARY KEY (fingerprint, doc))      -- WITHOUT ROWID
        one row per (document, distinct fingerprint); fingerprint is the uint32 of
        neardup.core.fingerprints (winnowed character or word n-gram hashes of the normalized
        text, window 16) as signed int32; fingerprints made another way (another window or
        hash) would be another format version

A lookup of one band key is one descent of the ``bands`` primary key, so checking a batch is a
join of its band keys with ``bands`` (cost ~ batch size x bands x log(index size)). A
containment query does the same with the batch's fingerprints and ``fingerprints`` (about 11%
of a document's shingles): first the number of holders of each, counted up to ``max_df + 1``
(boilerplate is never read through), then the holders of those not cut. The fingerprint list
in ``docs`` is what removing a document deletes from ``fingerprints`` (the table is keyed by
fingerprint, and the text may not be stored); its length is the document's fingerprint count,
which the candidate rule needs.

``containment`` and ``max_df`` are not index parameters: every index of format 2 can answer a
containment query, and each query chooses them (:meth:`DuplicateIndex.query`); the report
records them with the index's parameters.

Format 1 (neardup 0.1.0) is format 2 without ``docs.fingerprints`` and the ``fingerprints``
table (its ``parameters`` may list containment null and max_df 50, which are ignored). Such
an index still opens, answers Jaccard queries and takes additions and removals (it stays
format 1); a containment query on it is refused with an
:class:`~neardup.errors.IndexFileError` that says how to rebuild it (``neardup index create``
and ``neardup index add``).

Nothing is ever unpickled: parameters are JSON, signatures and fingerprint lists raw
little-endian uint32.

Safety: every :meth:`DuplicateIndex.add` and :meth:`DuplicateIndex.remove` is one SQLite
transaction (``BEGIN IMMEDIATE``), so a batch (documents, band rows, fingerprint rows) is
either entirely in the index or not at all, also when the process is killed mid-way; a second
writer waits for the first (busy timeout). A query reads in one transaction.
Commits use ``synchronous = NORMAL`` (WAL): a power failure may lose the last committed
batches, but never leaves part of one.

Damage (:mod:`~neardup.index.damage`): every :meth:`DuplicateIndex.add` and
:meth:`DuplicateIndex.remove` first runs SQLite's ``integrity_check`` and compares row counts
(reading the whole file) and writes nothing into a damaged file; a query glances at the file
(its size against its page count, the first and last rows of each table: a few pages,
whatever the size of the index) and checks what it reads (SQLite's page checks, each text's
zlib checksum, each band row it meets against its document's signature, and what its lookups
found against the band keys and fingerprint lists of the documents met:
:mod:`~neardup.index.rows_read`), and refuses a
damaged index with an :class:`~neardup.errors.IndexFileError` saying how to rebuild it;
``neardup index verify`` checks everything.

The package: :mod:`~neardup.index.duplicate_index` (the :class:`DuplicateIndex` API),
:mod:`~neardup.index.file` (creating and opening the file, its header, transactions),
:mod:`~neardup.index.statements` (the statements on ``docs``, ``bands`` and ``fingerprints``),
:mod:`~neardup.index.adding` (documents to rows) and :mod:`~neardup.index.query`.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.ndx")
    >>> with DuplicateIndex.create(path, threshold=0.7) as index:
    ...     _ = index.add({"old": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观"})
    ...     report = index.query({"new": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观。"})
    ...     copy = "下雨了。我们今天去北京天安门看升旗仪式，然后去故宫博物院参观"
    ...     copy += "，晚上去王府井吃烤鸭"
    ...     copies = index.query({"copy": copy}, containment=0.5)
    >>> [(p.a, p.b, p.jaccard) for p in report.pairs]
    [('new', 'old', 1.0)]
    >>> [(p.a, p.b, round(p.jaccard, 2), p.b_in_a) for p in copies.pairs]  # all of old is in it
    [('copy', 'old', 0.64, 1.0)]
"""

from .duplicate_index import AddResult, DuplicateIndex, IndexInfo
from .file import MEMORY

__all__ = ["MEMORY", "AddResult", "DuplicateIndex", "IndexInfo"]
