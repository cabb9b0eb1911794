"""A persistent near-duplicate index in one SQLite file, for incremental batches and CI checks.

:class:`DuplicateIndex` keeps, for every indexed document, its MinHash signature and LSH band
keys, its winnowed fingerprints (and, unless built with ``store_text=False``, its text as
it was added, which reports show, and its normalized text, which queries compare; built
with ``copies=True``, also its normalized sentences, sampled 5-grams and
4-grams), so that a new batch of documents
can be checked against everything indexed so far without recomputing it: for
near-duplicates, with ``containment`` for partial copies, and with ``formula_df`` and
``rewrite`` (``neardup check --preset copies``) judged as a scan judges copies.

File format (version 4)
-----------------------

An SQLite 3 database in WAL mode with ``PRAGMA application_id = 0x4E445550`` ("NDUP") and
``PRAGMA user_version = 4``, and these tables::

    meta(key TEXT PRIMARY KEY, value TEXT)            -- WITHOUT ROWID
        format          "neardup-index"
        format_version  "4"
        parameters      JSON of neardup.parameters.Parameters.to_dict() without containment,
                        max_df, rewrite and formula_df (threshold, ngram, unit, num_perm,
                        seed, bands, rows, verify, html, markers, script, synonyms)
        store_text      "1" or "0"
        copies          "1" or "0": whether sentences, sampled and grams are kept
        created_by      neardup version that created the file
    docs(doc INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT, source TEXT,
         length INTEGER,      -- characters of the original text
         shingles INTEGER,    -- shingles of the normalized text, with repeats
         signature BLOB,      -- num_perm uint32 values, little-endian
         fingerprints BLOB,   -- the document's distinct fingerprints, sorted uint32,
                              --   little-endian (their number is length(fingerprints) / 4)
         text BLOB,           -- zlib(UTF-8 normalized text), NULL when store_text is off
         sentences BLOB,      -- zlib(UTF-8 of the text's sentences, each normalized on its
                              --   own, joined by "\n"), NULL unless copies
         sampled INTEGER,     -- the number of its rows in sampled (0 unless copies)
         grams INTEGER,       -- the number of its rows in grams (0 unless copies)
         original BLOB)       -- zlib(UTF-8 of the text as it was added), NULL when
                              --   store_text is off: what reports show its passages in
    bands(band INTEGER, key INTEGER, doc INTEGER,
          PRIMARY KEY (band, key, doc))               -- WITHOUT ROWID
        one row per (document, band); key is neardup.core.lsh.band_keys' uint64 as signed int64
    fingerprints(fingerprint INTEGER, doc INTEGER,
                 PRIMARY KEY (fingerprint, doc))      -- WITHOUT ROWID
        one row per (document, distinct fingerprint); fingerprint is the uint32 of
        neardup.core.fingerprints (winnowed character or word n-gram hashes of the normalized
        text, window 16) as signed int32; fingerprints made another way (another window or
        hash) would be another format version
    sampled(shingle INTEGER, doc INTEGER,
            PRIMARY KEY (shingle, doc))               -- WITHOUT ROWID
        one row per (document, distinct sampled character 5-gram of its normalized text:
        neardup.core.formula.sampled_shingles, one hash in 4), as signed int32
    grams(gram INTEGER, doc INTEGER,
          PRIMARY KEY (gram, doc))                    -- WITHOUT ROWID
        one row per (document, distinct character 4-gram hash of its normalized text:
        neardup.core.rewrites.rewrite_shingles), as signed int32
        (both written only with copies, which needs store_text: the judgement and the
        rewrite search verify on the texts)

A lookup of one band key is one descent of the ``bands`` primary key, so checking a batch is a
join of its band keys with ``bands`` (cost ~ batch size x bands x log(index size)); a key held
by more than 32 documents makes candidates as a scan does, a star from its first holder
(:mod:`~neardup.stages.band_groups`). A
containment query does the same with the batch's fingerprints and ``fingerprints`` (about 11%
of a document's shingles): first the number of holders of each, counted up to ``max_df + 1``
(boilerplate is never read through), then the holders of those not cut. The fingerprint list
in ``docs`` is what removing a document deletes from ``fingerprints`` (the table is keyed by
fingerprint, and the text may not be stored); its length is the document's fingerprint count,
which the candidate rule needs.

``containment`` and ``max_df`` are not index parameters: every index of format 2 on can
answer a containment query, and each query chooses them (:meth:`DuplicateIndex.query`); the
report records them with the index's parameters. So are ``formula_df`` and ``rewrite``: a
query with them (an index of format 3 with texts) counts the document frequency of a
sampled shingle or a 4-gram as the holders in ``sampled`` or ``grams`` (counted up to the
cut plus one, so formula and common text is never read through) plus the new documents
that hold it, which is what a scan of the indexed and the new documents counts; it looks
up only the values of the new documents and of the indexed documents it compares
(:mod:`~neardup.stages.stored_values`). No separate frequency table is kept: the holder rows
are the frequencies, always in step with the documents (added and removed in the same
transaction), and a count stops at the cut (at most ``formula_df`` + 1 or 21 rows read).

Format 3 is format 4 without ``docs.original``: it opens, answers every query and takes
additions and removals (it stays format 3); :meth:`DuplicateIndex.texts` gives its
normalized texts, so ``neardup check`` shows the passages of its documents in them, with a
warning that says how to rebuild it.

Format 2 is format 3 without ``docs.sentences``, ``docs.sampled``, ``docs.grams`` and the
``sampled`` and ``grams`` tables: it opens and answers Jaccard and containment queries; a
query with ``formula_df`` or ``rewrite`` (``--preset copies``) is refused with an
:class:`~neardup.errors.IndexFileError` that says how to rebuild it.

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
:mod:`~neardup.index.rows_read`; the sampled shingle and 4-gram rows it read against the
texts of the documents met: :func:`~neardup.stages.stored_values.check_value_rows`), and
refuses a
damaged index with an :class:`~neardup.errors.IndexFileError` saying how to rebuild it;
``neardup index verify`` checks everything.

The package: :mod:`~neardup.index.duplicate_index` (the :class:`DuplicateIndex` API),
:mod:`~neardup.index.file` (creating and opening the file, its header, transactions),
:mod:`~neardup.index.statements` (the statements on the tables),
:mod:`~neardup.index.adding` (documents to rows), :mod:`~neardup.index.query`, and for
the copies judgement and the rewrite search :mod:`~neardup.stages.judged_query` and
:mod:`~neardup.stages.stored_values`.

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
