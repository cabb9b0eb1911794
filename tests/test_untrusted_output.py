"""Untrusted ids, titles and texts in every output format (issue 15, items 1-4): every output
encodes, parses where the format is parseable, and carries no raw control or bidirectional
character where the format forbids it."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neardup.cli import main
from neardup.formats import CHECK_FORMATS, FORMATS, render
from neardup.formats.untrusted import safe_output
from neardup.io.documents import Document
from neardup.parameters import Parameters
from neardup.report import (
    Cluster,
    ClusterMember,
    CopiedDocument,
    CopySource,
    Counts,
    DocumentInfo,
    DuplicateReport,
    Pair,
    Passage,
    Skipped,
)

ALL_FORMATS = FORMATS + CHECK_FORMATS
C0_C1 = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters no readable format may carry raw (newline and tab are allowed)."""
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
SURROGATE = re.compile("[\ud800-\udfff]")
READABLE = ("text", "markdown", "csv", "github", "junit", "html")
"""Formats meant for people: no raw controls (HTML may also keep carriage returns)."""

HOSTILE = (
    "a\ud800",  # a lone surrogate (JSON "\ud800")
    "\x1b]0;PWNED\x07",  # OSC: set the terminal window's title
    "\x1b[2K\x1b[1A\x1b[2Kfake line",  # erase and overwrite report lines
    "\x1b]8;;http://example.invalid/\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31m\x9d0;c1\x9c",  # C1 CSI and OSC
    "evil\u202etxt.exe\u2066x\u2069",  # bidirectional overrides and isolates
    "=HYPERLINK(\"http://example.invalid\",\"click\")",  # a spreadsheet formula
    "\x00\x08\x0b\x0c\r\x7f\ufffe\uffff\ue000\U0010fffe",
)


def hostile_report(ids: list[str], title: str, text: str) -> tuple[DuplicateReport, list[Document]]:
    """A report (containment search: copy ratios too) whose every id, title, source, reason
    and passage holds untrusted text, and the documents it checked."""
    a, b, c = ids[0], ids[1] + "\x01", ids[2] + "\x02"  # distinct ids
    passage = Passage(0, len(text), 0, len(text), text)
    pairs = [
        Pair(a, b, 0.995, 1.0, 1.0, 1.0, (passage,), 0.5, 0.5),
        Pair(a, c, 0.2, 0.6, 0.6, 0.3, (passage,), None, None),
    ]
    clusters = [Cluster(a, (ClusterMember(a, 1.0), ClusterMember(b, 0.995)))]
    documents = {
        i: DocumentInfo(title + i, f"{i}.jsonl", len(text), len(text)) for i in (a, b, c)
    }
    copies = [CopiedDocument(a, 0.6, (CopySource(b, 0.5, ()), CopySource(c, 0.1, ())))]
    report = DuplicateReport(
        parameters=Parameters(containment=0.5),
        pairs=pairs,
        clusters=clusters,
        skipped=[Skipped(title + "\x1b[2J", f"reason {text[:20]}", title)],
        counts=Counts(4, 3, 1, 2, 2, 1),
        verification="exact",
        documents=documents,
        copies=copies,
    )
    checked = [Document(i, text, title, f"{i}.jsonl:1") for i in (a, b, c)]
    return report, checked


def rendered(report: DuplicateReport, checked: list[Document], fmt: str, text: str) -> str:
    ids = [p.a for p in report.pairs] + [p.b for p in report.pairs]
    return render(report, fmt, texts={i: text for i in ids}, checked=checked)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: list[str] = []

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def check_output(out: str, fmt: str) -> None:
    """What every output must hold: encodable, parseable, no forbidden raw character."""
    out.encode("utf-8")  # no lone surrogate
    assert not SURROGATE.search(out)
    if fmt in READABLE:
        allowed_cr = out.replace("\r", "") if fmt == "html" else out
        assert not C0_C1.search(allowed_cr), f"{fmt}: raw control character"
        assert not BIDI.search(out), f"{fmt}: raw bidirectional control"
    if fmt == "json":
        assert not C0_C1.search(out) and not BIDI.search(out)
        json.loads(out)
    elif fmt == "jsonl":
        assert not C0_C1.search(out.replace("\n", "")) and not BIDI.search(out)
        for line in out.splitlines():
            json.loads(line)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) == 3 and all(len(r) == len(rows[0]) for r in rows)
    elif fmt == "junit":
        ET.fromstring(out.encode("utf-8"))
    elif fmt == "html":
        parser = _Collect()
        parser.feed(out)
        parser.close()
    elif fmt == "github":
        assert all(line.startswith("::") for line in out.splitlines())


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_hostile_text_in_every_format(fmt: str) -> None:
    text = "正文" + "".join(HOSTILE)
    report, checked = hostile_report(list(HOSTILE[:3]), "".join(HOSTILE[1:]), text)
    out = rendered(report, checked, fmt, text)
    check_output(out, fmt)
    if fmt in READABLE:  # what was in the ids is shown, escaped
        assert "\\x1b" in out and "PWNED" in out and "\\u202e" in out


def test_json_keeps_the_values() -> None:
    """JSON escapes what it does not show raw: the values read back are the documents'
    (a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD)."""
    report, _ = hostile_report(["x\u202ey", "\x9b", "\x1b"], "t\x85", "正文")
    data = json.loads(render(report, "json"))
    assert data["pairs"][0]["a"] == "x\u202ey"
    assert data["documents"]["x\u202ey"]["title"] == "t\x85x\u202ey"
    report, _ = hostile_report(["x\ud800", "b", "c"], "t", "正文")
    assert json.loads(render(report, "jsonl").splitlines()[0])["a"] == "x\ufffd"


def test_csv_cells_that_start_a_formula_are_neutralized() -> None:
    report, _ = hostile_report(["=1+1", "+cmd", "@SUM(A1)"], "-2+3", "=正文")
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    for row in rows[1:]:
        for column in (0, 1, 2, 3, 9):
            assert row[column][:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    assert rows[1][0] == "'=1+1" and rows[1][1] == "'-2+3=1+1"
    assert rows[1][9] == "'=正文"


def test_junit_parses_whatever_the_ids_hold() -> None:
    """Ids and titles built from every code point class below U+0100, the bidirectional
    controls, surrogates and noncharacters: the XML parses, and the ids are recognizable."""
    classes = [chr(c) for c in range(0x100)] + ["\u202e", "\u2066", "\ud800", "\udfff",
                                               "\ufffe", "\uffff", "\ue000", "\U0010ffff"]
    ids = ["id-" + "".join(classes[k::3]) for k in range(3)]
    report, checked = hostile_report(ids, "".join(classes), "".join(classes))
    root = ET.fromstring(render(report, "junit", checked=checked).encode("utf-8"))
    names = [case.get("name") or "" for case in root.iter("testcase")]
    assert len(names) == 4 and all(n.startswith("id-") for n in names[:3])
    assert root.find(".//failure") is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.text(min_size=1, max_size=12), min_size=3, max_size=3, unique=True),
    title=st.text(max_size=20),
    text=st.text(min_size=1, max_size=40),
    fmt=st.sampled_from(ALL_FORMATS),
)
def test_fuzz_every_format(ids: list[str], title: str, text: str, fmt: str) -> None:
    """Ids, titles and texts drawn from all code point classes (hypothesis' text includes
    surrogates, C0/C1 controls, bidirectional controls, private use and noncharacters)."""
    report, checked = hostile_report(ids, title, text)
    check_output(rendered(report, checked, fmt, text), fmt)


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn"]), min_size=1,
               max_size=10))
def test_fuzz_other_characters_only(chars: str) -> None:
    report, checked = hostile_report([chars, chars + "b", chars + "c"], chars, chars)
    for fmt in ALL_FORMATS:
        check_output(rendered(report, checked, fmt, chars), fmt)


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture()
def hostile_jsonl(tmp_path: Path) -> Path:
    text = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观" * 3
    path = tmp_path / "hostile.jsonl"
    lines = [
        {"id": "a\ud800\x1b]0;PWNED\x07", "title": "=HYPERLINK(\"x\")\x1b[2K",
         "text": text + "\ud800"},
        {"id": "b\u202e", "text": text + "\x1b[31m"},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_scan_writes_every_format_of_hostile_documents(
    tmp_path: Path, hostile_jsonl: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["scan", str(hostile_jsonl), "-f", fmt, "-o", str(target),
                                       "-q"])
    assert result.exit_code == 0, result.output
    out = target.read_text(encoding="utf-8")
    assert out and "\ufffd" in out
    assert not C0_C1.search(out.replace("\r", "")) and not BIDI.search(out)


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_check_formats_of_hostile_documents(
    tmp_path: Path, hostile_jsonl: Path, fmt: str
) -> None:
    result = CliRunner().invoke(main, ["check", str(hostile_jsonl), "--against", str(hostile_jsonl),
                                       "--containment", "0.5", "-f", fmt, "-q"])
    assert result.exit_code == 1, result.output
    check_output_parses = ET.fromstring(result.stdout.encode()) if fmt == "junit" else None
    assert fmt != "junit" or check_output_parses is not None
    assert not C0_C1.search(result.stdout) and not BIDI.search(result.stdout)


def test_terminal_report_and_messages_carry_no_escape(hostile_jsonl: Path) -> None:
    """The text report on a terminal, and the messages on stderr that name ids."""
    result = CliRunner().invoke(main, ["scan", str(hostile_jsonl), str(hostile_jsonl)])
    assert result.exit_code == 2  # the ids repeat: the message names one
    assert "\x1b" not in result.stderr and "\\x1b]0;PWNED" in result.stderr
    result = CliRunner().invoke(main, ["scan", str(hostile_jsonl), "--containment", "0.5"])
    assert result.exit_code == 0
    assert "Copy ratios" in result.stdout
    assert not C0_C1.search(result.stdout) and not BIDI.search(result.stdout)


def test_an_id_cannot_forge_a_line_of_the_text_report() -> None:
    forged = "x\n\nPairs\n  1. innocent  <->  other\r\tz"
    report, _ = hostile_report([forged, "b", "c"], "title\nforged title", "正文")
    report.skipped[0] = replace(report.skipped[0], id=forged)
    out = render(report, "text")
    assert "\n  1. innocent" not in out and "\nPairs\n  1. innocent" not in out
    assert all("innocent" not in line or "x\\n\\nPairs\\n" in line for line in out.splitlines())
    assert "title\\nforged title" in out


def test_json_policy_escapes_del_in_ascii_text_and_keeps_the_rest() -> None:
    """An ASCII report is passed through at once unless it holds DEL, the one ASCII
    character the JSON policy escapes."""
    plain = '{"id": "a\\u0001b"}'
    assert safe_output(plain, "json") is plain
    assert safe_output('{"id": "a\x7fb"}', "json") == '{"id": "a\\u007fb"}'
    assert safe_output("a\x01b\x7f", "visible") == "a\\x01b\\x7f"


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_line_separators_cut_no_line(fmt: str, separator: str) -> None:
    """U+2028 and U+2029 in ids, a title and the text (found by the fuzz test): a GitHub
    annotation or a JSON Lines record was cut in two by readers that break lines there."""
    report, checked = hostile_report([f"a{separator}", "b", "c"], f"t{separator}",
                                     f"正文{separator}")
    out = rendered(report, checked, fmt, f"正文{separator}")
    check_output(out, fmt)
    assert separator not in out
