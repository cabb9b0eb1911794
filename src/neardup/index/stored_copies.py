"""What an index file keeps for the copies judgement and the rewrite search of a query
(:class:`~neardup.stages.judged_query.JudgedQuery`, which every engine's check runs): the
stored texts and normalized sentences of the documents it reads, the message of damage, and
why an index that keeps none is refused."""

from __future__ import annotations

from collections.abc import Callable

from .._types import U32
from ..core.normalize import codepoints
from ..errors import IndexFileError
from .file import COPIES_SINCE, REBUILD_HINT
from .statements import StoredDocument, Tables, decompress_text


def no_copies_message(path: str, version: int, store_text: bool, copies: bool = True) -> str:
    """Why a copies judgement or a rewrite search of this index is refused, and what to do."""
    if version < COPIES_SINCE:
        return (
            f"{path}: this index (format {version}) keeps no sampled shingles nor 4-grams, "
            "which the copies judgement and the rewrite search (--preset copies, formula_df, "
            "rewrite) need: rebuild it with `neardup index create NEW_INDEX --preset copies` "
            "and `neardup index add NEW_INDEX PATH...` (DuplicateIndex.create(preset="
            "'copies') and add()); it still answers Jaccard and containment queries"
        )
    if store_text and not copies:
        return (
            f"{path}: this index was made without --copies, so it keeps no sampled shingles "
            "nor 4-grams, which the copies judgement and the rewrite search (--preset copies, "
            "formula_df, rewrite) read: make one with `neardup index create NEW_INDEX --preset "
            "copies` (--copies --threshold 0.5 --script simplified: the copies preset's "
            "threshold and folding) and `neardup index add NEW_INDEX PATH...`; this one still "
            "answers Jaccard and containment queries"
        )
    return (
        f"{path}: this index keeps no texts (made with --no-text): the copies judgement and "
        "the rewrite search (--preset copies, formula_df, rewrite) verify pairs on them; "
        "search with --containment, or rebuild it with `neardup index create NEW_INDEX "
        "--preset copies` and `neardup index add NEW_INDEX PATH...`"
    )


def stored_sentences(blob: object, path: str, doc_id: str) -> str:
    """A stored document's normalized sentences.

    Raises:
        IndexFileError: none are stored (a damaged row).
    """
    if not isinstance(blob, bytes):
        raise IndexFileError(
            f"{path}: damaged index: document {doc_id!r} has no stored sentences; {REBUILD_HINT}"
        )
    return decompress_text(blob, path, doc_id)


def indexed_cps(tables: Tables) -> Callable[[list[int]], dict[int, U32]]:
    """The normalized code points of an index file's documents, read by doc number.

    Raises:
        IndexFileError: a document has no stored text (a ``sampled`` or ``grams`` row
            named it).
    """

    def read(docs: list[int]) -> dict[int, U32]:
        found = tables.documents(docs, with_text=True)
        out = {}
        for doc in docs:
            stored = found.get(doc)
            if stored is None or stored.text is None:
                raise IndexFileError(
                    f"{tables.path}: damaged index: a sampled or grams row names document "
                    f"row {doc}, which has no stored text; {REBUILD_HINT}"
                )
            out[doc] = codepoints(decompress_text(stored.text, tables.path, stored.id))
        return out

    return read


def indexed_sentences(tables: Tables) -> Callable[[StoredDocument], str]:
    """The normalized sentences an index file stores of a document it read.

    Raises:
        IndexFileError: none are stored (a damaged row).
    """

    def read(old: StoredDocument) -> str:
        return stored_sentences(old.sentences, tables.path, old.id)

    return read


def index_damage(path: str) -> Callable[[str], str]:
    """The message of damage found in an index file's rows, from what is wrong."""

    def message(detail: str) -> str:
        return f"{path}: damaged index: {detail}; {REBUILD_HINT}"

    return message
