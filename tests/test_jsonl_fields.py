"""The compiled reader of JSON lines agrees with the JSON parser on every line it reads, and
leaves to the parser every line it cannot read the same way."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.io.documents import Document, parse_jsonl_line

pytest.importorskip("numba")

from neardup.io.jsonl_fields import read_fields

FIELDS = ("id", "text", "title")


def _read(
    lines: list[bytes], id_field: str = "id", text_field: str = "text", title_field: str = "title"
) -> list[object]:
    """What the reader makes of each line: ``(id, text, blank, title)``, or None when it left
    the line to the JSON parser."""
    bounds = np.concatenate(([0], np.cumsum([len(line) for line in lines]))).astype(np.int64)
    found = read_fields(b"".join(lines), bounds, id_field, text_field, title_field)
    texts = np.split(found.codepoints, np.cumsum(found.lengths)[:-1]) if lines else []
    return [
        (found.ids[k], texts[k].astype("<u4").tobytes().decode("utf-32-le"),
         bool(found.blank[k]), found.titles[k])
        if found.read[k] else None
        for k in range(len(lines))
    ]


def _agrees(
    line: bytes, got: object, id_field: str = "id", text_field: str = "text",
    title_field: str = "title",
) -> None:
    parsed = parse_jsonl_line(line, "w", "s", id_field, text_field, title_field)
    if got is None:
        return
    assert isinstance(parsed, Document), (line, parsed)
    assert got == (parsed.id, parsed.text, not parsed.text.strip(), parsed.title), line


def test_plain_lines_are_read_and_the_others_left_to_the_parser() -> None:
    read = [
        b'{"id": "a", "text": "\xe4\xb8\xad\xe6\x96\x87 ok"}\n',
        b'  {"text":"x\\ny\\u00e9\\ud83d\\ude00\\/\\"","id":"b","n":[1,-2.5e3,{"k":null}],'
        b'"t":true,"f":false}\r\n',
        b'{"id": "c", "text": " \\t\\u3000 "}\n',  # blank text
        b'{"id": "d", "text": "\xf0\x9f\x98\x80\xef\xbd\x81", "meta": {}, "list": []}',
    ]
    left = [
        b"\n",  # blank line
        b'{"id": "e", "text": "a"',  # truncated
        b'{"id": 5, "text": "a"}',  # id not a string
        b'{"id": "f\\u0041", "text": "a"}',  # escaped id
        b'{"text": "a"}',  # no id
        b'{"id": "g", "text": "a", "text": "b"}',  # text twice
        b'{"id": "h", "text": "\\ud800"}',  # lone surrogate
        b'{"id": "i", "text": "\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
        b'{"id": "j", "text": "\xc0\xaf"}',  # overlong
        b'{"id": "k", "text": "a\tb"}',  # raw control character
        b'{"id": "l", "text": "a", "n": 01}',  # leading zero
        b'{"id": "m", "text": "a", "n": NaN}',  # the stdlib's, not JSON
        b'\xef\xbb\xbf{"id": "n", "text": "a"}',  # byte order mark
        b'{"id": "o", "text": "a"} x',  # trailing garbage
        b'{"id": "p", "te\\u0078t": "a"}',  # escaped key
        b'[{"id": "q", "text": "a"}]',  # not an object
        b'{"id": "r", "text": "a", "deep": ' + b"[" * 70 + b"]" * 70 + b"}",
        b'{"id": "s", "text": ["a"]}',  # text not a string
        b'{"id": "t", "text": "a",}',  # trailing comma
    ]
    got = _read(read + left)
    assert all(g is not None for g in got[: len(read)])
    assert got[len(read):] == [None] * len(left)
    assert got[2] == ("c", " \t\u3000 ", True, None)
    for line, found in zip(read + left, got, strict=True):
        _agrees(line, found)


def test_other_field_names_and_a_field_name_that_needs_escapes() -> None:
    lines = [b'{"key": "x1", "body": "\xe6\x96\x87", "id": "no"}', b'{"a\\"b": "x", "body": "y"}']
    assert _read(lines, "key", "body") == [("x1", "文", False, None), None]
    assert _read(lines[1:], 'a"b', "body") == [None]  # its key has an escape: the parser reads it
    assert _read(lines[:1], "key", "body", "body") == [("x1", "文", False, "文")]
    assert _read(lines[:1], "key", "body", "key") == [("x1", "文", False, "x1")]


def test_titles_are_read_as_the_parser_reads_them() -> None:
    lines = [
        b'{"id": "a", "text": "t", "title": "\xe6\xa0\x87\xe9\xa2\x98"}',
        b'{"id": "b", "text": "t", "title": 7}',  # not a string: no title
        b'{"id": "c", "text": "t", "title": "x\\ny"}',  # escaped: the parser reads it
        b'{"id": "d", "text": "t", "title": "x", "title": "y"}',  # twice: the parser
    ]
    got = _read(lines)
    assert got == [("a", "t", False, "标题"), ("b", "t", False, None), None, None]
    for line, found in zip(lines, got, strict=True):
        _agrees(line, found)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("中文 \u3000\n\t\"\\/"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    doc_id=_texts, text=_texts, others=st.dictionaries(st.text(max_size=6), _values, max_size=4),
    ascii_only=st.booleans(), title=st.none() | _texts | st.integers(),
)
def test_random_records_read_as_the_parser_reads_them(
    doc_id: str, text: str, others: dict[str, object], ascii_only: bool, title: object
) -> None:
    record = {**others, "id": doc_id, "text": text}
    if title is not None:
        record["title"] = title
    line = json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")
    (got,) = _read([line])
    _agrees(line, got)
    def unescaped(value: str) -> bool:
        return json.dumps(value, ensure_ascii=ascii_only)[1:-1] == value

    plain_title = not isinstance(title, str) or unescaped(title)
    if all(unescaped(key) for key in record) and unescaped(doc_id) and plain_title:
        assert got is not None, line  # a plain record is read, not left to the parser


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60), st.binary(max_size=8))
def test_random_bytes_are_never_read_differently(noise: bytes, tail: bytes) -> None:
    lines = [noise, b'{"id": "x", "text": "' + noise + b'"}' + tail, b'{"id": "' + noise + b'", "text": "a"}']
    for line, got in zip(lines, _read(lines), strict=True):
        _agrees(line, got)


def test_a_batch_of_lines_hashes_the_same_with_and_without_the_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plain, blank, malformed and nested lines in one batch: the same ids, problems (with
    their line numbers), blank documents and hashes whether the plain lines are read by the
    kernel or every line by the JSON parser."""
    from neardup.engine.hashing_stage import hash_lines
    from neardup.parameters import Parameters

    rows = [
        b'{"id": "a", "text": "\xe4\xb8\xad\xe6\x96\x87\xe7\x9a\x84\xe5\x86\x85\xe5\xae\xb9\xe4\xb8\x80"}\n',
        b"\n",
        b'{"id": "b", "text": "  "}\n',
        b'{"id": "c", "text": "nested", "m": {"k": [1, 2]}}\n',
        b'{"id": "d\\u0041", "text": "escaped id \\u00e9"}\n',
        b'{"broken\n',
        b'{"id": "e", "text": "\\ud800 lone"}\n',
        b'{"id": "f", "text": "[[MARKER]] \xe4\xb8\xad\xe6\x96\x87 <b>x</b>"}\n',
    ]
    data = b"".join(rows)
    bounds = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int64)
    linenos = np.arange(10, 10 + len(rows), dtype=np.int64)
    params = Parameters()
    args = (data, bounds, linenos, ("f.jsonl", "dir/f.jsonl"), FIELDS, params)
    monkeypatch.setenv("NEARDUP_KERNEL", "numba")
    fast = hash_lines(*args)
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    slow = hash_lines(*args)
    assert fast.ids == slow.ids == ["a", None, "b", "c", "dA", None, "e", "f"]
    assert fast.blank == slow.blank == [2]
    assert fast.skipped == slow.skipped and sorted(fast.skipped) == [1, 5]
    assert "f.jsonl:15" in str(fast.skipped[5])
    theirs = slow.hashes.arrays()
    assert list(fast.hashes.arrays()) == list(theirs)
    for name, mine in fast.hashes.arrays().items():
        assert np.array_equal(mine, theirs[name]), name


def test_no_code_point_past_the_last_whitespace_one_is_whitespace() -> None:
    from neardup.io.jsonl_fields import LAST_WHITESPACE

    assert chr(LAST_WHITESPACE).isspace()
    assert not any(chr(c).isspace() for c in range(LAST_WHITESPACE + 1, 0x110000))
