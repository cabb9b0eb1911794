"""JSON lines parse the same with orjson as with the standard library: the same documents,
the same reasons and messages for lines that hold none."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neardup.io import documents
from neardup.io.documents import parse_jsonl_line
from neardup.report import Skipped

orjson = pytest.importorskip("orjson")

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(), st.integers(), st.floats(), st.integers(2**63, 2**80)),
        "text": st.one_of(st.text(), JSON_VALUES),
        "title": st.one_of(st.text(), JSON_VALUES),
        "other": JSON_VALUES,
    },
)
ODD_LINES = [
    b"", b"\n", b"  \r\n", b"\xef\xbb\xbf{\"text\": \"x\"}", b'{"text": "\\ud800x"}',
    b'{"text": "\xed\xa0\x80"}', b'{"text": "\xff"}', b'{"id": NaN, "text": "x"}',
    b'{"id": 1e400, "text": "x"}', b'{"id": 123456789012345678901234567890, "text": "x"}',
    b'{"id": 1.5, "text": "x"}', b'{"text": -9223372036854775809}', b'{"text": "x"} trailing', b"[1, 2]", b'"just a string"',
    b'{"text": "tab\tinside"}', b'{"id": "a", "id": "b", "text": "x"}', b"\x00",
    b'{"text": "x",}', b'{"text": 5}', b'{"title": "t"}', "\u00a0{}".encode(),
]


def both_ways(
    raw: bytes, monkeypatch: pytest.MonkeyPatch, where: str = "f.jsonl:3"
) -> tuple[object, object]:
    args = (where, "dir/f.jsonl:3", "id", "text", "title")
    fast = parse_jsonl_line(raw, *args)
    with monkeypatch.context() as m:
        m.setattr(documents, "_loads", documents._loads_stdlib)
        slow = parse_jsonl_line(raw, *args)
    return fast, slow


def test_orjson_is_used_when_installed() -> None:
    assert documents._loads is documents._loads_fast


@pytest.mark.parametrize("raw", ODD_LINES)
def test_odd_lines_parse_the_same(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both_ways(raw, monkeypatch)
    assert fast == slow


@given(RECORDS)
def test_records_parse_the_same(record: dict[str, object]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        raw = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
        fast, slow = both_ways(raw, monkeypatch)
        assert fast == slow


def test_a_malformed_line_names_file_and_line_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = both_ways(b'{"text": ', monkeypatch)
    assert isinstance(fast, Skipped) and fast == slow
    assert fast.source == "dir/f.jsonl:3" and fast.reason.startswith("malformed JSON: ")


def test_a_line_that_is_not_utf8_says_so_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GB18030 line is no malformed JSON: the reason names the encoding (it read
    "malformed JSON: 'utf-8' codec can't decode ...")."""
    raw = '{"id": "a", "text": "今天天气很好"}'.encode("gb18030")
    fast, slow = both_ways(raw, monkeypatch)
    assert isinstance(fast, Skipped) and fast == slow
    assert fast.reason.startswith("not UTF-8 (JSON Lines are UTF-8 text: convert the file")


def test_an_id_made_from_an_undecodable_file_name_is_encodable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, slow = both_ways(b'{"text": "x"}', monkeypatch, where="bad\udcff.jsonl:3")
    assert fast == slow and fast.id == "bad\ufffd.jsonl:3"  # type: ignore[union-attr]
