"""Documents: the record, the accepted inputs, and the file formats they are read from.

A *multi-article file* is a text file whose articles are headed by lines such as
``第一篇: 标题`` or ``第12篇：标题`` (a Chinese or Arabic numeral); each article becomes a
document with id ``<file name>#<N>``, its title, and the text below the heading.

Encodings are detected per file: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030.
A file that is binary or decodes to no plausible text is an :class:`~neardup.errors.InputError`
naming the file, or a :class:`~neardup.report.Skipped` record where reading goes on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.numerals import chinese_numeral
from ..errors import InputError
from ..report import Skipped

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
PARQUET_SUFFIXES = (".parquet",)
READ_KINDS = " ".join(TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES)
"""The file names neardup reads, as a message lists them."""

_HEADING = re.compile(
    r"^[ \t\u3000]*第([零〇一二两三四五六七八九十百千0-9０-９]+)篇"
    r"[ \t]*[:：][ \t\u3000]*(.*?)[ \t\r]*$",
    re.M,
)


@dataclass(frozen=True)
class Document:
    """One document: a unique ``id``, its ``text``, and optionally a ``title`` and ``source``.

    ``source`` says where it came from (``path`` or ``path:line``), for messages and reports.
    """

    id: str
    text: str
    title: str | None = None
    source: str | None = None


def decode_bytes(data: bytes, name: str) -> str:
    """Decode a file's bytes (UTF-8 with or without BOM, UTF-16 with BOM, GB18030).

    Raises:
        InputError: binary content, or bytes that are not text in any of these encodings.
    """
    return decode_text_file(data, name)[0]


def decode_text_file(data: bytes, name: str) -> tuple[str, str, bytes]:
    """:func:`decode_bytes`, with the encoding found and the byte-order mark, so that
    ``bom + text.encode(encoding)`` gives the bytes back.

    Raises:
        InputError: binary content, or bytes that are not text in any of these encodings.
    """
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")
    ):
        if data.startswith(bom):
            return _decode(data[len(bom):], encoding, name), encoding, bom
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8", b""
    except UnicodeDecodeError:
        pass
    text = _decode(data, "gb18030", name)
    if not _plausible(text):
        raise InputError(f"{name}: not valid UTF-8 and not plausible GB18030 text")
    return text, "gb18030", b""


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: cannot decode as UTF-8 or GB18030 (byte {exc.start}: {exc.reason})"
        ) from None


def _plausible(text: str) -> bool:
    """Few control, private-use or unassigned characters: real text, not decoded noise."""
    if not text:
        return True
    sample = text[:20000]
    odd = sum(
        1
        for ch in sample
        if ch not in "\t\n\r\f" and unicodedata.category(ch) in ("Cc", "Co", "Cn")
    )
    return odd <= 0.01 * len(sample)


def article_spans(text: str) -> list[tuple[int, int]] | None:
    r"""Where each article of :func:`split_articles` is in the text, heading included: the
    ``[start, end)`` of each of its documents, in order (None without headings). Text before
    the first heading is a span only when it is a document (not blank).

    Example:
        >>> article_spans("前言\n第一篇: 甲\n正文\n第二篇: 乙\n正文\n")
        [(0, 3), (3, 13), (13, 23)]
    """
    headings = [m.start() for m in _HEADING.finditer(text)]
    if not headings:
        return None
    starts = ([0] if text[: headings[0]].strip() else []) + headings
    return list(zip(starts, [*starts[1:], len(text)], strict=True))


def split_articles(text: str, name: str) -> list[Document] | None:
    """The articles of a multi-article text, or None when it has no ``第N篇:`` headings.

    Text before the first heading, when not blank, becomes article ``#0`` without title.
    """
    headings = list(_HEADING.finditer(text))
    if not headings:
        return None
    docs: list[Document] = []
    preamble = text[: headings[0].start()]
    if preamble.strip():
        docs.append(Document(f"{name}#0", preamble, None, name))
    for i, heading in enumerate(headings):
        body_start = heading.end() + 1 if heading.end() < len(text) else heading.end()
        body_end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        number = chinese_numeral(heading.group(1))
        title = heading.group(2) or None
        docs.append(Document(f"{name}#{number}", text[body_start:body_end], title, name))
    return docs


def file_kind(path: Path) -> str | None:
    """``"jsonl"``, ``"parquet"``, ``"text"``, or None for a file neardup does not read (by
    its suffix)."""
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def parse_jsonl_line(
    raw: bytes, where: str, source: str, id_field: str, text_field: str, title_field: str
) -> Document | Skipped:
    """The document of one JSON line (``where``: the id of a record without one, ``source``:
    ``path:line`` for messages), or why the line holds none.

    A lone surrogate escape (``"\\ud800"``: valid JSON, not encodable text) in the id, title
    or text becomes U+FFFD, so that the document can be stored, compared and reported.
    """
    if not raw or raw.isspace():  # what strip() would leave empty, without the copy
        return Skipped(where, "blank line", source)
    try:
        record, valid = _loads(raw, (id_field, text_field))
    except UnicodeDecodeError as exc:  # e.g. a GB18030 file: no JSON error to speak of
        return Skipped(where, f"{NOT_UTF8}: {exc}", source)
    except json.JSONDecodeError as exc:
        return Skipped(where, f"malformed JSON: {exc}", source)
    if not isinstance(record, dict):
        return Skipped(where, f"expected a JSON object, got {type(record).__name__}", source)
    text = record.get(text_field)
    if text is None and text_field not in record:
        return Skipped(where, missing_field(text_field, record), source)
    if not isinstance(text, str):
        found = "null" if text is None else f"a {type(text).__name__}"
        return Skipped(where, f"field {text_field!r} is {found}, expected a string", source)
    doc_id = record.get(id_field)
    if doc_id is None:
        doc_id = where
    title = record.get(title_field)
    if not isinstance(title, str):
        title = None
    if valid:  # no lone surrogate in the text or title (the id may be ``where``)
        return Document(_encodable(str(doc_id)), text, title, source)
    return Document(
        _encodable(str(doc_id)), _encodable(text),
        _encodable(title) if title is not None else None, source,
    )


SHOWN_FIELDS = 12
"""Field names a message lists at most."""


def missing_field(text_field: str, record: Mapping[str, object]) -> str:
    """Why a record without the text field is skipped, naming the fields it has.

    Example:
        >>> missing_field("text", {"id": 1, "html": "<p>"})
        "field 'text' is missing, expected a string (its fields: id, html)"
    """
    names = [str(name) for name in record]
    shown = ", ".join(names[:SHOWN_FIELDS]) + (", ..." if len(names) > SHOWN_FIELDS else "")
    return f"field {text_field!r} is missing, expected a string (its fields: {shown or 'none'})"


def text_field_not_found(
    documents: int, skipped: Iterable[Skipped], text_field: str
) -> InputError | None:
    """The error of a run whose records all lack the text field (JSON lines without it,
    Parquet files without its column): no ``documents`` were read, some records were
    skipped for that reason, and none for another that shows the field there (a text of
    another type, a null or empty text). None when the field was found, or a record merely
    lacks it here and there (those are skipped with a warning).

    Example:
        >>> missed = Skipped("x", missing_field("text", {"id": 1, "html": "<p>"}), "x.jsonl:1")
        >>> str(text_field_not_found(0, [missed], "text")).split(";")[0]
        "x.jsonl: no record has the text field 'text' (the fields of x.jsonl:1: id, html)"
    """
    if documents:
        return None
    missing = (f"field {text_field!r} is missing", f"no column {text_field!r}")
    first: Skipped | None = None
    for item in skipped:
        if item.reason.startswith(missing):
            first = first or item
        elif not item.reason.startswith(LINES_WITHOUT_RECORD):
            return None  # a record with the field, or a file that could not be read
    if first is None:
        return None
    where = first.source or first.id
    file = where.rsplit(":", 1)[0] if where.rsplit(":", 1)[-1].isdigit() else where
    fields = first.reason.rsplit("(its ", 1)[-1].rstrip(")").split(")")[0]
    fields = fields.removeprefix("fields: ").removeprefix("columns: ")
    return InputError(
        f"{file}: no record has the text field {text_field!r} (the fields of {where}: "
        f"{fields}); name the field that holds the text with --text-field (text_field= in "
        "Python)"
    )


NOT_UTF8 = "not UTF-8 (JSON Lines are UTF-8 text: convert the file, e.g. from GB18030)"
"""The reason a JSON Lines line is skipped when its bytes are not UTF-8."""

LINES_WITHOUT_RECORD = ("blank line", "malformed JSON", "expected a JSON object", "not UTF-8")
"""The reasons of lines that hold no record."""


def _loads_stdlib(raw: bytes, fields: tuple[str, str]) -> tuple[object, bool]:
    """The standard library's parse of a line, and False: its strings may hold lone
    surrogates."""
    return json.loads(raw), False


def _loads_fast(raw: bytes, fields: tuple[str, str]) -> tuple[object, bool]:
    """orjson's parse of a line, about twice as fast as the standard library's, and whether
    its strings are valid Unicode (orjson refuses lone surrogates).

    Whatever orjson refuses (lone surrogates, NaN, infinite numbers, a byte order mark,
    text that is not UTF-8, malformed JSON) goes to the standard library, so that the
    result and the error message are the same as without orjson; so does a record whose id or
    text (``fields``) orjson reads as a float (an integer past 64 bits becomes one: its
    ``str`` differs, and so does the type a skipped line's reason names).
    """
    try:
        record = _orjson_loads(raw)
    except ValueError:
        return _loads_stdlib(raw, fields)
    if isinstance(record, dict) and any(isinstance(record.get(f), float) for f in fields):
        return _loads_stdlib(raw, fields)
    return record, True


try:
    from orjson import loads as _orjson_loads
except ImportError:  # the optional extra ``neardup[fast]`` is not installed
    _loads = _loads_stdlib
else:
    _loads = _loads_fast


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (the same length)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def as_document(item: object, position: int) -> Document | Skipped:
    """One input item as a Document: a Document, a string (id = position) or (id, text)."""
    if isinstance(item, (Document, Skipped)):
        doc = item
    elif isinstance(item, str):
        return Document(str(position), item)
    elif isinstance(item, tuple) and len(item) == 2:
        doc = Document(str(item[0]), item[1])
    elif isinstance(item, Mapping):
        raise InputError(
            f"document {position}: a {type(item).__name__} among other items (records are "
            "read from a list of dicts, a DataFrame or a Table, not from an iterator)"
        )
    else:
        raise InputError(
            f"document {position}: expected a Document, a string or an (id, text) tuple, "
            f"got {type(item).__name__}"
        )
    if isinstance(doc, Document) and not isinstance(doc.text, str):
        raise InputError(
            f"document {doc.id!r} (at {position}): text must be a string, "
            f"got {type(doc.text).__name__}"
        )
    return doc


def as_documents(documents: object) -> Iterator[Document | Skipped]:
    """Documents from any accepted input: Documents, strings (ids "0", "1", ...), a dict
    id → text, (id, text) tuples, or a :class:`~neardup.io.corpus.Corpus` (whose
    :class:`~neardup.report.Skipped` records pass through)."""
    if isinstance(documents, (str, bytes)):
        raise InputError("documents must be a collection of documents, not a single string")
    if isinstance(documents, Mapping):
        for position, (key, text) in enumerate(documents.items()):
            yield as_document((key, text), position)
        return
    if not isinstance(documents, Iterable):
        raise InputError(f"documents must be iterable (got {type(documents).__name__})")
    for position, item in enumerate(documents):
        yield as_document(item, position)
