"""Renderers: every format from one report; the HTML page is self-contained and escapes
all document text."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from pages import Page

from neardup import Document, DuplicateReport, find_duplicates
from neardup.core.normalize import normalize_text
from neardup.errors import ParameterError
from neardup.evidence.passages import add_passages
from neardup.formats import CHECK_FORMATS, FORMATS, format_for_path, render
from neardup.formats.html_align import aligned_rows, in_text_order
from neardup.formats.markdown import md_escape
from neardup.formats.shared import shorten

HOSTILE = "<script>alert(1)</script></textarea>&amp;"
BASE = "这是一篇关于学习贯彻会议精神的通知，要求各单位认真组织学习并按时报送总结材料。"
TEXTS = {
    "doc|1 <b>": f"{BASE}{HOSTILE}第二部分说明了具体的时间安排和联系人。",
    "doc2": f"{BASE}{HOSTILE}第二部分写明了具体的时间安排与联系方式。",
    "other": "完全不同的一篇文章，讲的是天气预报和交通出行提示。",
}


@pytest.fixture(scope="module")
def report() -> DuplicateReport:
    return add_passages(find_duplicates(TEXTS, threshold=0.4), TEXTS)


def test_report_has_the_pair(report: DuplicateReport) -> None:
    assert [(p.a, p.b) for p in report.pairs] == [("doc|1 <b>", "doc2")]
    assert report.pairs[0].passages


def test_unknown_format() -> None:
    with pytest.raises(ParameterError, match="format must be one of"):
        render(find_duplicates(TEXTS), "yaml")


def test_format_for_path() -> None:
    assert [format_for_path(p) for p in ("r.json", "r.JSONL", "r.ndjson", "r.csv", "r.md",
                                         "r.markdown", "r.html", "r.htm", "r.txt", "r.out")] == [
        "json", "jsonl", "jsonl", "csv", "markdown", "markdown", "html", "html", "text", None,
    ]
    assert format_for_path("r.XML") is None  # not a format of any report
    assert format_for_path("r.XML", FORMATS + CHECK_FORMATS) == "junit"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_report_without_pairs(fmt: str) -> None:
    empty = find_duplicates({"x": "一二三四五六七", "y": "甲乙丙丁戊己庚"})
    out = render(empty, fmt)
    assert isinstance(out, str)
    if fmt == "json":
        assert json.loads(out)["pairs"] == []
    if fmt == "jsonl":
        assert out == ""


def test_text(report: DuplicateReport) -> None:
    out = render(report)
    first = out.splitlines()[0]
    assert first.startswith("neardup: 3 documents read, 0 skipped, 1 pair in 1 cluster (")
    assert "doc|1 <b>  <->  doc2" in out
    assert "Jaccard" in out and "containment" in out
    assert "这是一篇关于学习贯彻会议精神的通知" in out


def test_json(report: DuplicateReport) -> None:
    data = json.loads(render(report, "json"))
    assert data["format"] == "neardup-report" and data["version"] == 1
    assert {"parameters", "counts", "skipped", "pairs", "clusters", "documents"} <= set(data)
    assert data["parameters"]["threshold"] == 0.4
    assert data["counts"]["pairs"] == 1
    [pair] = data["pairs"]
    assert {"a", "b", "jaccard", "containment", "passages", "a_coverage", "b_coverage"} <= set(pair)
    text_a = TEXTS[pair["a"]]
    for p in pair["passages"]:
        assert p["text"] == text_a[p["a_start"] : p["a_end"]]
    assert data["clusters"][0]["representative"] in TEXTS


def test_json_is_the_report_dict(report: DuplicateReport) -> None:
    out = render(report, "json")
    assert json.loads(out) == json.loads(json.dumps(report.to_dict()))
    assert list(json.loads(out)) == [
        "format", "version", "neardup", "parameters", "verification", "counts", "seconds",
        "notes", "skipped", "pairs", "clusters", "identical", "documents",
    ]


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_check_formats_need_the_checked_documents(report: DuplicateReport, fmt: str) -> None:
    with pytest.raises(ParameterError, match="needs the documents checked"):
        render(report, fmt)


def test_check_formats(report: DuplicateReport) -> None:
    checked = [Document(doc_id, text) for doc_id, text in TEXTS.items()]
    github = render(report, "github", checked=checked).splitlines()
    assert github[0].startswith("::error file=doc|1 <b>,title=near-duplicate::doc|1 <b> "
                                "duplicates doc2 (also new) (Jaccard ")
    assert github[-1].endswith("1 near-duplicate pair(s) among 3 new document(s)")
    suite = ET.fromstring(render(report, "junit", checked=checked)).find("testsuite")
    assert suite is not None
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["doc|1 <b>", "doc2"]


def test_jsonl(report: DuplicateReport) -> None:
    lines = render(report, "jsonl").splitlines()
    assert [json.loads(line)["b"] for line in lines] == ["doc2"]


def test_csv(report: DuplicateReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert len(rows) == 1
    assert rows[0]["a"] == "doc|1 <b>" and rows[0]["b"] == "doc2"
    assert float(rows[0]["jaccard"]) == pytest.approx(report.pairs[0].jaccard, abs=1e-6)
    assert int(rows[0]["passages"]) == len(report.pairs[0].passages)
    assert "<script>" in rows[0]["longest_passage"]  # CSV is data, not markup


def test_markdown(report: DuplicateReport) -> None:
    out = render(report, "markdown")
    assert out.startswith("# neardup report\n")
    table_rows = [line for line in out.splitlines() if line.startswith("| 1 |")]
    # the pipe in the id is escaped, so the pairs row has exactly its 8 cells
    assert any(row.replace("\\|", "").count("|") == 9 for row in table_rows)
    assert "doc\\|1 \\<b\\>" in out
    assert "<script>" not in out and "\\<script\\>" in out


def test_md_escape() -> None:
    assert md_escape("- item") == "\\- item"
    assert md_escape("1. first") == "1\\. first"
    assert md_escape("a\nb  c") == "a b c"
    assert md_escape("[x](http://e)") == "\\[x\\]\\(http://e\\)"


def test_shorten() -> None:
    assert shorten("短 文\n本") == "短 文 本"
    long = shorten("字" * 500, 100)
    assert len(long) < 130 and "…" in long and "+418 chars" in long


def test_html_is_self_contained_and_escapes_document_text(report: DuplicateReport) -> None:
    page = render(report, "html", texts=TEXTS)
    tree = Page(page)
    assert page.startswith("<!DOCTYPE html>")
    # one program, ours, and no document text reached it; the rest are data blocks
    assert len(tree.programs) == 1 and "alert" not in tree.programs[0]
    assert [(kind, name) for kind, name, _ in tree.scripts] == [
        ("application/json", "nd-table"), ("application/json", "nd-detail"), (None, "")]
    assert "textarea" not in tree.tags and "b" not in tree.tags
    # nothing is fetched from the network: only in-page links
    assert tree.urls and all(u.startswith("#") for u in tree.urls)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    # both texts are carried in full, as data that cannot close its element
    assert tree.texts() == {"doc|1 <b>": TEXTS["doc|1 <b>"], "doc2": TEXTS["doc2"]}
    assert "</script><" not in page.split('id="nd-table">', 1)[1].rsplit("<script>", 1)[0][:-10]
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    # ids and titles in the markup are escaped
    assert "doc|1 &lt;b&gt;" in page


def test_html_passages_span_the_same_text_in_both(report: DuplicateReport) -> None:
    pair = report.pairs[0]
    detail = Page(render(report, "html", texts=TEXTS)).data("nd-detail")["pairs"][0]
    shown = sorted((a0, a1, b0, b1) for a0, a1, b0, b1, _, _ in detail["p"])
    assert shown == sorted((p.a_start, p.a_end, p.b_start, p.b_end) for p in pair.passages)
    for a0, a1, b0, b1, _, length in detail["p"]:
        assert length == a1 - a0
        assert normalize_text(TEXTS[pair.a][a0:a1]) == normalize_text(TEXTS[pair.b][b0:b1])
    # the kinds of the aligned rows (the browser test reads the rows the page makes of them)
    passages = in_text_order(pair.passages)
    assert detail["r"] == [r.kind for r in aligned_rows(TEXTS[pair.a], TEXTS[pair.b], passages)]
    assert any(kind >= 0 for kind in detail["r"])


def test_html_without_texts_lists_the_passages(report: DuplicateReport) -> None:
    tree = Page(render(report, "html"))
    [detail] = tree.data("nd-detail")["pairs"]
    assert detail["r"] is None  # no texts to align
    assert sorted(p[6] for p in detail["p"]) == sorted(p.text for p in report.pairs[0].passages)
    assert tree.texts() == {"doc|1 <b>": None, "doc2": None}


def test_the_text_report_lists_the_most_similar_pairs_first() -> None:
    """Pairs in input order are 0.74, 0.95, 0.82 similar: the text report lists them the
    most similar first, as a terminal reader scans them, with one share per side."""
    from dataclasses import replace

    from neardup.report import Pair

    base = find_duplicates({"x": "今天天气很好我们去公园", "y": "今天天气很好我们去公园吧"})
    pairs = [Pair("a", "b", 0.74, 0.8, 0.8, 0.7), Pair("c", "d", 0.95, 0.97, 0.97, 0.96),
             Pair("e", "f", 0.82, 0.9, 0.9, 0.85)]
    text = render(replace(base, pairs=pairs), "text")
    listed = [line.split()[1] for line in text.splitlines() if "<->" in line]
    assert listed == ["c", "e", "a"]
    assert "97.0% of a is in b, 96.0% of b is in a (counted in shingles)" in text


def test_no_row_of_the_text_report_starts_with_closing_punctuation() -> None:
    from neardup.formats.text import wrap_line

    line = "       “" + "一二三四五六七八九、十一二三四五六七八。九十一二三四五六七，八九十" * 3 + "”"
    for width in range(20, 90):
        rows = wrap_line(line, width)
        assert "".join(r.strip() for r in rows) == line.strip()
        assert not any(r.strip()[:1] in "、。，”" for r in rows[1:]), (width, rows)
