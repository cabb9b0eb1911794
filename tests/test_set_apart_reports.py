"""The pairs a copies judgement sets apart, as the text, Markdown and HTML reports show them:
how many by reason, and the ones that share most text with their reasons, bounded."""

from __future__ import annotations

import collections
import dataclasses
import html
import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pages import Page

from neardup import find_duplicates
from neardup.cli import main
from neardup.evidence.passages import add_passages
from neardup.formats.html_page import asset, render_html
from neardup.formats.json_report import render_json
from neardup.formats.markdown import render_markdown
from neardup.formats.set_apart import reason_kind
from neardup.formats.shared import judged_shares
from neardup.formats.text import render_text
from neardup.report import (
    SET_APART_SHOWN,
    DocumentInfo,
    DuplicateReport,
    Pair,
    set_apart_shown,
    shared_amount,
)

NOTICE = (
    "{month}月{day}日，{place}市举行新闻发布会，市政府新闻办公室主任{name}通报有关情况。"
    "据介绍，今年以来全市累计新增就业岗位{count}个，重点项目完成投资比例达到百分之{share}，"
    "各项工作总体平稳有序推进。发布会强调，要坚持稳中求进工作总基调，统筹发展和安全，"
    "扎实做好各项民生保障工作，确保全年目标任务圆满完成。"
)
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞"]
PLACES = ["杭州", "成都", "西安", "长沙", "昆明", "南宁", "太原", "合肥", "福州", "济南"]


def notices(count: int, seed: int) -> dict[str, str]:
    """``count`` notices filled from one template with other names, places, dates, figures."""
    rng = random.Random(seed)
    return {f"n{k:02d}<b>": NOTICE.format(
        name=rng.choice(NAMES), place=rng.choice(PLACES), month=rng.randint(1, 12),
        day=rng.randint(1, 28), count=rng.randint(100, 999), share=rng.randint(10, 99))
        for k in range(count)}


@pytest.fixture(scope="module")
def report() -> DuplicateReport:
    found = find_duplicates(notices(40, 5), preset="copies", workers=1)
    assert len(found.set_apart) > SET_APART_SHOWN, "more pairs set apart than a report lists"
    return found


def test_the_text_report_counts_the_pairs_set_apart_by_reason_and_lists_the_closest(
    report: DuplicateReport,
) -> None:
    text = " ".join(render_text(report, width=400).split())
    assert f"Set apart: {len(report.set_apart):,} pairs found, but judged not to be copies" in text
    for kind, count in collections.Counter(reason_kind(p.reason) for p in report.set_apart).items():
        assert f"{count:,} {kind}" in text
    assert (f"the {SET_APART_SHOWN} that share most text (all {len(report.set_apart):,} in the "
            "JSON report's set_apart)") in text
    closest = max(report.set_apart, key=lambda pair: shared_amount(report, pair))
    listed = f"{closest.a} <-> {closest.b} {closest.a_in_b:.1%} of a is in b"
    assert listed in text and closest.reason and closest.reason in text
    assert text.count(" <-> ") == SET_APART_SHOWN


def test_the_markdown_and_html_reports_show_the_same_count_and_list(
    report: DuplicateReport,
) -> None:
    markdown = render_markdown(report)
    assert "## Set apart: found, but not copies" in markdown
    assert f"{len(report.set_apart):,} pairs found, but judged not to be copies" in markdown
    section = markdown.split("## Set apart")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith(r"| n") and r"\<b\>" in line]
    assert len(rows) == SET_APART_SHOWN
    assert "n00<b>" not in markdown and r"n00\<b\>" in markdown  # ids escaped

    page = render_html(report)
    section = page.split('<section id="set-apart">')[1].split("</section>")[0]
    assert f"{len(report.set_apart):,} pairs" in section
    assert section.count('<tr><td data-label="a"><span class="id">') == SET_APART_SHOWN
    assert '<a href="#set-apart">Set apart</a>' in page
    assert "n00<b>" not in section and html.escape("n00<b>") in page
    kinds = {reason_kind(p.reason) for p in report.set_apart}
    assert all(f"<td>{html.escape(kind)}</td>" in section for kind in kinds)


def test_a_report_without_a_copies_judgement_has_no_set_apart_section() -> None:
    plain = find_duplicates(notices(12, 5), workers=1)
    assert not plain.set_apart
    assert "Set apart" not in render_text(plain)
    assert "Set apart" not in render_markdown(plain)
    assert 'id="set-apart"' not in render_html(plain)


def test_the_html_report_says_why_each_pair_is_a_copy() -> None:
    """Each pair's data carries the judgement's reason and shares, which its detail shows
    under "Why a copy"."""
    docs = notices(12, 5)
    docs["copy"] = docs["n00<b>"] + "此外，该市将在年底前完成老旧小区改造任务的百分之八十以上。"
    found = find_duplicates(docs, preset="copies", workers=1)
    assert found.pairs
    page = render_html(found)
    table = json.loads(re.search(r'<script type="application/json" id="nd-table">(.*?)</script>',
                                 page, re.S).group(1))  # type: ignore[union-attr]
    judged = [row[14] for row in table["pairs"]]
    assert len(judged) == len(found.pairs)
    assert all(text and text.startswith(pair.reason)
               for text, pair in zip(judged, found.pairs, strict=True))
    assert all("specific" in text for text in judged)
    assert '"Why a copy: "' in page


def test_the_pairs_listed_first_share_most_text_not_the_largest_share(
    report: DuplicateReport,
) -> None:
    """Two long reports sharing 400 characters come before a 40-character item of which
    90% is in another: a reader asks about the first."""
    tiny = Pair("brief", "story", 0.1, 0.9, 0.9, 0.05, reason="no specific passage")
    long = Pair("report", "other", 0.2, 0.4, 0.4, 0.4, reason="shares mostly formula")
    documents = {**report.documents, "brief": DocumentInfo(None, None, 40, 40),
                 "report": DocumentInfo(None, None, 1000, 1000)}
    both = dataclasses.replace(report, set_apart=[tiny, long], documents=documents)
    assert [p.a for p in set_apart_shown(both)] == ["report", "brief"]
    assert shared_amount(both, long) == 400 and shared_amount(both, tiny) == 36


# ------------------------------------------------- the pairs set apart opened in the HTML report


def notices_and_copies() -> dict[str, str]:
    """``notices(40, 5)`` (pairs set apart, more than a report lists) and two copies of two
    of them, which are reported."""
    docs = notices(40, 5)
    extra = "此外，该市将在年底前完成老旧小区改造任务的百分之八十以上。"
    docs["copy"] = docs["n00<b>"] + extra
    docs["copy2"] = docs["n03<b>"][:60] + extra
    return docs


@pytest.fixture(scope="module")
def evidenced() -> tuple[DuplicateReport, DuplicateReport]:
    """The report of :func:`notices_and_copies`, without passages and with them."""
    found = find_duplicates(notices_and_copies(), preset="copies", workers=1, with_texts=True)
    assert len(found.pairs) == 2 and len(found.set_apart) > SET_APART_SHOWN
    return found, add_passages(found, found.texts)


def test_passages_are_found_for_the_pairs_set_apart_a_report_lists_only(
    evidenced: tuple[DuplicateReport, DuplicateReport],
) -> None:
    """add_passages finds the passages of the 50 pairs set apart that reports list, as it
    finds those of the reported pairs, and of no other; set_apart and the JSON report stay
    as they were."""
    found, report = evidenced
    shown = set_apart_shown(report)
    assert list(report.apart_passages) == [(p.a, p.b) for p in shown]
    assert len(shown) == SET_APART_SHOWN < len(report.set_apart)
    for pair in shown:
        with_passages = report.apart_passages[pair.a, pair.b]
        again = add_passages(dataclasses.replace(found, pairs=[pair], set_apart=[]), found.texts)
        assert with_passages == again.pairs[0]  # computed as a reported pair's are
        assert with_passages.passages and with_passages.a_coverage is not None
    assert any(p.formula for pair in report.apart_passages.values() for p in pair.passages)
    assert report.set_apart == found.set_apart
    assert render_json(report) == render_json(dataclasses.replace(report, apart_passages={}))
    assert all(entry["passages"] == [] and "a_coverage" not in entry
               for entry in json.loads(render_json(report))["set_apart"])


def _apart_rows(page: Page) -> list[list[object]]:
    table = page.data("nd-table")
    ids = [d[0] for d in table["documents"]]
    return [[row[0], ids[row[1]], ids[row[2]], *row[3:]] for row in table["apart"]]


def test_the_html_report_carries_each_listed_pair_set_apart_to_open(
    evidenced: tuple[DuplicateReport, DuplicateReport],
) -> None:
    """Each pair of the Set apart table links to its detail (#apart-N): its reason, figures
    and, with the texts, the aligned rows and passages (formula marked); the reported pairs
    keep their numbers and rows."""
    _, report = evidenced
    shown = set_apart_shown(report)
    page = Page(render_html(report, report.texts))
    rows = _apart_rows(page)
    assert [(n, a, b) for n, a, b, *_ in rows] == [
        (k, p.a, p.b) for k, p in enumerate(shown, start=1)]
    for row, pair in zip(rows, shown, strict=True):
        evidence = report.apart_passages[pair.a, pair.b]
        assert row[13] == "apart" and row[15] == pair.reason
        assert row[11:13] == [round(pair.a_in_b, 6), round(pair.b_in_a, 6)]  # as the table
        assert row[10] == len(evidence.passages) and row[8] == round(evidence.a_coverage or 0, 4)
        assert row[14] == judged_shares(pair) and str(row[14]).startswith(
            "the judgement's own measure")
    detail = page.data("nd-detail")
    assert len(detail["apart"]) == SET_APART_SHOWN
    texts = page.texts()
    for item, pair in zip(detail["apart"], shown, strict=True):
        evidence = report.apart_passages[pair.a, pair.b]
        assert item["r"] is not None and len(item["p"]) == len(evidence.passages)
        assert item["m"] == [int(p.formula) for p in sorted(
            evidence.passages, key=lambda p: (p.a_start, p.b_start, p.a_end))]
        assert texts[pair.a] == report.texts[pair.a] and texts[pair.b] == report.texts[pair.b]
        for a0, a1, b0, b1, *_ in item["p"]:  # a passage holds the same text in both
            assert re.sub(r"\W", "", texts[pair.a][a0:a1]) == re.sub(
                r"\W", "", texts[pair.b][b0:b1])
    links = [url for url in page.urls if url.startswith("#apart-")]
    assert links == [f"#apart-{k}" for k in range(1, SET_APART_SHOWN + 1)]
    # the reported pairs: the same numbers and rows as in a report without pairs set apart
    alone = Page(render_html(dataclasses.replace(report, set_apart=[], apart_passages={}),
                             report.texts))
    assert _rows(page) == _rows(alone) and len(_rows(page)) == len(report.pairs)
    assert detail["pairs"] == alone.data("nd-detail")["pairs"]


def _rows(page: Page) -> list[list[object]]:
    table = page.data("nd-table")
    ids = [d[0] for d in table["documents"]]
    return [[row[0], ids[row[1]], ids[row[2]], *row[3:]] for row in table["pairs"]]


def test_a_pair_set_apart_without_texts_or_passages_says_so(
    evidenced: tuple[DuplicateReport, DuplicateReport],
) -> None:
    """Without the texts, the detail holds the passages' own text; without passages
    (--no-passages), none, as for a reported pair (the page says they were not computed)."""
    found, report = evidenced
    bare = Page(render_html(report))
    first = report.apart_passages[set_apart_shown(report)[0].a, set_apart_shown(report)[0].b]
    item = bare.data("nd-detail")["apart"][0]
    assert item["r"] is None and [q[6] for q in item["p"]] == [
        p.text for p in sorted(first.passages, key=lambda p: (p.a_start, p.b_start, p.a_end))]
    unfound = Page(render_html(found, found.texts))
    assert all(row[8] is None and row[10] == 0 for row in _apart_rows(unfound))
    assert all(row[8] is None for row in _rows(unfound))  # as for the reported pairs
    assert all(item["p"] == [] for item in unfound.data("nd-detail")["apart"])
    assert "Passages not computed (--no-passages, or add_passages not run)" in asset("report.js")


def test_scan_writes_the_pairs_set_apart_openable_and_the_same_json(tmp_path: Path) -> None:
    """``neardup scan --preset copies -o report.html``: the listed pairs set apart carry
    their passages; ``--no-passages`` none; the JSON report's set_apart has none either."""
    folder = tmp_path / "notices"
    folder.mkdir()
    for doc_id, text in notices_and_copies().items():
        (folder / f"{doc_id.replace('<b>', '')}.txt").write_text(text, encoding="utf-8")
    runs = {}
    for name, extra in (("html", []), ("bare", ["--no-passages"]), ("json", ["-f", "json"])):
        target = tmp_path / f"{name}.{'json' if name == 'json' else 'html'}"
        result = CliRunner().invoke(main, ["scan", str(folder), "--preset", "copies",
                                           "-o", str(target), "-q", *extra])
        assert result.exit_code == 0, result.output
        runs[name] = target.read_text(encoding="utf-8")
    html_rows = _apart_rows(Page(runs["html"]))
    assert len(html_rows) == SET_APART_SHOWN and all(row[10] for row in html_rows)
    assert all(row[8] is None for row in _apart_rows(Page(runs["bare"])))
    data = json.loads(runs["json"])
    assert len(data["set_apart"]) > SET_APART_SHOWN
    assert all(p["passages"] == [] and "a_coverage" not in p for p in data["set_apart"])
    assert all(p["passages"] for p in data["pairs"])
