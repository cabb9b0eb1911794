"""A persistent near-duplicate index in one SQLite file, for incremental batches and CI checks.

:class:`DuplicateIndex` keeps, for every indexed document, its MinHash signature and LSH band
keys (and, unless built with ``store_text=False``, its normalized text), so that a new batch
of documents can be checked against everything indexed so far without recomputing it.

File format (version 1)
-----------------------

An SQLite 3 database in WAL mode with ``PRAGMA application_id = 0x4E445550`` ("NDUP") and
``PRAGMA user_version = 1``, and these tables::

    meta(key TEXT PRIMARY KEY, value TEXT)            -- WITHOUT ROWID
        format          "neardup-index"
        format_version  "1"
        parameters      JSON of neardup.parameters.Parameters.to_dict() (threshold, ngram, unit,
                        num_perm, seed, bands, rows, verify, html, markers)
        store_text      "1" or "0"
        created_by      neardup version that created the file
    docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, source TEXT,
         length INTEGER,      -- characters of the original text
         shingles INTEGER,    -- shingles of the normalized text, with repeats
         signature BLOB,      -- num_perm uint32 values, little-endian
         text BLOB)           -- zlib(UTF-8 normalized text), NULL when store_text is off
    bands(band INTEGER, key INTEGER, doc INTEGER,
          PRIMARY KEY (band, key, doc))               -- WITHOUT ROWID
        one row per (document, band); key is neardup.core.lsh.band_keys' uint64 as signed int64

A lookup of one band key is one descent of the ``bands`` primary key, so checking a batch is a
join of its band keys with ``bands`` (cost ~ batch size x bands x log(index size)).

Nothing is ever unpickled: parameters are JSON, signatures raw little-endian uint32.

Safety: every :meth:`DuplicateIndex.add` and :meth:`DuplicateIndex.remove` is one SQLite
transaction (``BEGIN IMMEDIATE``), so a batch is either entirely in the index or not at all,
also when the process is killed mid-way; a second writer waits for the first (busy timeout).
Commits use ``synchronous = NORMAL`` (WAL): a power failure may lose the last committed
batches, but never leaves part of one.

The package: :mod:`~neardup.index.duplicate_index` (the :class:`DuplicateIndex` API),
:mod:`~neardup.index.file` (creating and opening the file, its header, transactions),
:mod:`~neardup.index.tables` (the statements on ``docs`` and ``bands``),
:mod:`~neardup.index.adding` (documents to rows) and :mod:`~neardup.index.query`.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.ndx")
    >>> with DuplicateIndex.create(path, threshold=0.7) as index:
    ...     _ = index.add({"old": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观"})
    ...     report = index.query({"new": "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观。"})
    >>> [(p.a, p.b, p.jaccard) for p in report.pairs]
    [('new', 'old', 1.0)]
"""

from .duplicate_index import AddResult, DuplicateIndex, IndexInfo
from .file import MEMORY

__all__ = ["MEMORY", "AddResult", "DuplicateIndex", "IndexInfo"]
