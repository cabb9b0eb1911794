"""Where the local engine's documents come from, and how the candidates among them are read
a second time.

The input is read once and streamed (:meth:`TextSource.items`). Exact verification then
re-reads only the candidate documents: from a :class:`~neardup.io.corpus.Corpus` by file
offset, or from the caller's sequence or mapping by position. A one-shot iterable (a
generator) cannot be re-read: its documents are kept in memory up to :data:`RETAIN_CHARS`
characters, and past that the run verifies by estimate (:attr:`TextSource.why_not` says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from .._types import I64
from ..errors import InputError
from ..io.corpus import Corpus
from ..io.documents import Document, as_document, as_documents
from ..io.records import Fetched, LineBlock, LinesAt, Record, parse_record
from ..io.tables import Records, as_records
from ..report import Skipped

RETAIN_CHARS = 128_000_000
"""Characters of a one-shot iterable's documents kept in memory for exact verification."""

DocumentsInput = (
    Corpus | Iterable[Document] | Sequence[str] | Mapping[str, str] | Iterable[tuple[str, str]]
)
"""What :func:`~neardup.find_duplicates` reads documents from."""


class TextSource:
    """Where the documents come from, and how candidates' texts are read a second time.

    In-memory tables and lists of dicts (:mod:`neardup.io.tables`) are read by their
    ``id_field`` and ``text_field`` columns.
    """

    def __init__(self, documents: object, id_field: str = "id", text_field: str = "text") -> None:
        records = as_records(documents, id_field, text_field)
        if records is not None:
            documents = records
        self._documents = documents
        self.text_field = documents.fields[1] if isinstance(documents, Corpus) else text_field
        """The field of records that holds the text."""
        self._retained: dict[int, Document] | None = None
        self._retained_chars = 0
        self.kind = (
            "corpus"
            if isinstance(documents, Corpus)
            else "mapping"
            if isinstance(documents, Mapping)
            else "sequence"
            if isinstance(documents, Sequence) and not isinstance(documents, (str, bytes))
            else "oneshot"
        )
        if self.kind == "oneshot":
            self._retained = {}

    @property
    def can_fetch(self) -> bool:
        return self._retained is not None or self.kind != "oneshot"

    @property
    def why_not(self) -> str:
        return (
            f"the input was a one-shot iterable of more than {RETAIN_CHARS:,} characters, "
            "which cannot be read twice: similarities are MinHash estimates. Pass a list, "
            "a dict or a neardup.Corpus for exact verification."
        )

    def items(self) -> Iterator[tuple[int, Record | LineBlock | Skipped]]:
        """(position, item); the position is what :meth:`fetch` takes (a block of lines:
        that of its first line). A corpus's JSON lines come unparsed, in blocks where they
        can (the hashing workers read and parse them)."""
        if self.kind == "corpus":  # positions count the corpus's records
            assert isinstance(self._documents, Corpus)
            position = 0
            for record in self._documents.records(blocks=True):
                if isinstance(record, Skipped):
                    yield -1, record
                else:
                    yield position, record
                    position += len(record) if isinstance(record, LineBlock) else 1
            return
        # positions are indices into the input (which may hold Skipped records too)
        for index, item in enumerate(as_documents(self._documents)):
            if isinstance(item, Skipped):
                yield -1, item
            else:
                self._retain(index, item)
                yield index, item

    def _retain(self, position: int, doc: Document) -> None:
        if self._retained is None:
            return
        self._retained_chars += len(doc.text)
        if self._retained_chars > RETAIN_CHARS:
            self._retained = None
        else:
            self._retained[position] = doc

    def fetch(self, positions: list[int]) -> dict[int, Document]:
        """The documents at these positions."""
        return dict(self.fetch_iter(positions))

    def fetch_iter(self, positions: list[int]) -> Iterator[tuple[int, Document]]:
        """The documents at these positions, as they are read."""
        if self.kind == "corpus":
            for position, record in self.fetch_records(positions):
                yield position, parse_record(record)
            return
        yield from self._fetch_in_memory(positions).items()

    def fetch_records(self, positions: list[int]) -> Iterator[tuple[int, Fetched]]:
        """:meth:`fetch_iter`, with a corpus's JSON lines left to read and parse (see
        :meth:`~neardup.io.corpus.Corpus.fetch_records`)."""
        if self.kind == "corpus":
            assert isinstance(self._documents, Corpus)
            yield from self._documents.fetch_records(positions, unread=True)
            return
        yield from self._fetch_in_memory(positions).items()

    def records_at(self, positions: I64) -> list[Fetched] | LinesAt:
        """The records at these positions, in their order, for a component batch: a
        corpus's JSON lines packed when they all are such lines (see
        :meth:`~neardup.io.corpus.Corpus.lines_at`), otherwise record by record."""
        if self.kind == "corpus":
            assert isinstance(self._documents, Corpus)
            packed = self._documents.lines_at(positions)
            if packed is not None:
                return packed
        records = dict(self.fetch_records(positions.tolist()))
        return [records[p] for p in positions.tolist()]

    def file_paths(self) -> set[str]:
        """The paths of the files of a corpus (none for other inputs), as skipped files
        name them."""
        if isinstance(self._documents, Corpus):
            return {str(path) for path, _ in self._documents.files}
        return set()

    def field_values(self, positions: list[int], name: str) -> list[object]:
        """The values of field (column) ``name`` of the records at these positions (None
        where a record lacks it).

        Raises:
            InputError: the documents are not records with fields (text files, strings,
                Documents), or a table has no such column.
        """
        if isinstance(self._documents, Records):
            column = self._documents.column(name)
            return [column[p] for p in positions]
        if self.kind != "corpus":
            raise InputError(
                f"field {name!r}: the documents have no fields (pass records: a list of dicts, "
                "a DataFrame, a pyarrow Table, JSON Lines or Parquet files)"
            )
        assert isinstance(self._documents, Corpus)
        return self._documents.field_values(positions, name)

    def field_names(self, position: int) -> list[str]:
        """The fields of the record at this position, for messages (none known: [])."""
        if isinstance(self._documents, Corpus):
            return self._documents.field_names(position)
        return []

    def _fetch_in_memory(self, positions: list[int]) -> dict[int, Document]:
        if self.kind == "mapping":
            assert isinstance(self._documents, Mapping)
            keys = list(self._documents.keys())
            return {p: Document(str(keys[p]), self._documents[keys[p]]) for p in positions}
        if self.kind == "sequence":
            assert isinstance(self._documents, Sequence)
            out = {}
            for p in positions:
                doc = as_document(self._documents[p], p)
                assert isinstance(doc, Document)
                out[p] = doc
            return out
        retained = self._retained or {}
        return {p: retained[p] for p in positions if p in retained}
