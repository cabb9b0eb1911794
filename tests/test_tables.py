"""In-memory shapes: a list of dicts, a pandas DataFrame, a pyarrow Table and a (duck-typed)
datasets.Dataset give the same pairs as Documents; anything else is refused, never misread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from neardup import InputError, deduplicate, find_duplicates, load_documents

DATA = Path(__file__).resolve().parent / "data"


class FakeDataset:
    """What neardup uses of a Hugging Face ``datasets.Dataset``: column names, features and
    columns by name."""

    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self._columns = columns
        self.column_names = list(columns)
        self.features = dict.fromkeys(columns, "string")

    def __getitem__(self, name: str) -> list[Any]:
        return self._columns[name]

    def __len__(self) -> int:
        return len(next(iter(self._columns.values())))


@pytest.fixture(scope="module")
def laws() -> list[dict[str, str]]:
    docs = load_documents(DATA / "laws_sample.jsonl.gz")
    return [{"id": d.id, "title": d.title or "", "text": d.text} for d in docs]


def _pairs(report: Any) -> list[tuple[str, str, float]]:
    return [(p.a, p.b, p.jaccard) for p in report.pairs + report.identical_pairs()]


def test_every_shape_gives_the_pairs_of_documents(laws: list[dict[str, str]]) -> None:
    expected = _pairs(find_duplicates(load_documents(DATA / "laws_sample.jsonl.gz"), workers=1))
    assert len(expected) > 20
    frame = pd.DataFrame(laws)
    shapes = {
        "dicts": laws,
        "DataFrame": frame,
        "Table": pa.Table.from_pandas(frame),
        "Dataset": FakeDataset({k: frame[k].tolist() for k in frame.columns}),
    }
    for name, shape in shapes.items():
        assert _pairs(find_duplicates(shape, workers=1)) == expected, name


def test_other_field_names(laws: list[dict[str, str]]) -> None:
    renamed = pd.DataFrame(laws[:60]).rename(columns={"id": "path", "text": "body"})
    expected = _pairs(find_duplicates({d["id"]: d["text"] for d in laws[:60]}, workers=1))
    report = find_duplicates(renamed, id_field="path", text_field="body", workers=1)
    assert _pairs(report) == expected
    result = deduplicate(renamed, id_field="path", text_field="body", workers=1)
    assert result.kept[0] == laws[0]["id"]


def test_a_dataframe_is_never_read_as_its_column_names() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "body": ["x", "y"]})
    with pytest.raises(InputError, match=r"pandas DataFrame has no text column 'text' "
                                         r"\(its columns: id, body\)"):
        find_duplicates(frame)
    with pytest.raises(InputError, match="pyarrow Table has no text column 'content'"):
        find_duplicates(pa.table({"text": ["x"]}), text_field="content")
    with pytest.raises(InputError, match="not supported"):
        find_duplicates(frame["body"])


def test_records_missing_the_text_or_mixed_are_refused() -> None:
    with pytest.raises(InputError, match=r"document 1: no field 'text' \(its fields: id, body\)"):
        find_duplicates([{"id": "a", "text": "x"}, {"id": "b", "body": "y"}])
    with pytest.raises(InputError, match="document 1: expected a dict like the others, got str"):
        find_duplicates([{"id": "a", "text": "x"}, "y"])
    with pytest.raises(InputError, match="text must be a string, got int"):
        find_duplicates([{"id": "a", "text": 3}])
    with pytest.raises(InputError, match="expected a Document, a string"):
        find_duplicates([3.5])


def test_null_texts_are_skipped_and_ids_default_to_positions() -> None:
    frame = pd.DataFrame({"text": ["今天天气很好我们去公园", None, "今天天气很好我们去公园吧"]})
    report = find_duplicates(frame)
    assert [(s.id, s.reason) for s in report.skipped] == [("1", "text is null")]
    assert [(p.a, p.b) for p in report.pairs] == [("0", "2")]


def test_prefer_reads_a_column(laws: list[dict[str, str]]) -> None:
    text = laws[0]["text"]
    table = pa.table({"id": ["a", "b", "c"], "text": [text, text + "附则。", "别的"],
                      "quality": [0.2, 0.9, 0.5]})
    assert deduplicate(table, prefer="quality").kept == ["b", "c"]
    with pytest.raises(InputError, match="pyarrow Table has no column 'score'"):
        deduplicate(table, prefer="score")


def test_the_ids_of_a_dict_and_of_pairs_keep_their_type() -> None:
    """``{100: text, ...}`` and ``[(100, text), ...]``: the removed ids are the ints given,
    so a filter by them keeps ten of the eleven seeds (they were strings, and the filter
    kept all eleven)."""
    seeds = load_documents(Path(__file__).resolve().parents[1] / "seeds")
    data = {100 + k: doc.text for k, doc in enumerate(seeds)}
    for given in (data, list(data.items())):
        result = deduplicate(given)
        assert list(result.removed) == [110] and result.removed[110].kept == 101
        assert result.kept == [k for k in data if k != 110]
        assert len({k: t for k, t in data.items() if k not in result.removed}) == 10
