"""The HTML report's parts that Python computes: the aligned rows of a pair, the passages'
colours, the JSON its script reads, the clusters and the histogram (the page as a browser
runs it: test_browser.py)."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pages import Page, clustered_documents

from neardup import find_duplicates
from neardup.evidence.passages import add_passages, shared_passages
from neardup.formats import render
from neardup.formats.html_align import (
    DIFFERENT,
    PUNCTUATION,
    aligned_chain,
    aligned_rows,
    hue_distance,
    in_text_order,
    passage_hues,
)
from neardup.formats.html_data import marker_spans, script_json, utf16_offsets
from neardup.formats.html_page import PRINT_MOST, asset
from neardup.formats.html_sections import histogram
from neardup.parameters import Parameters
from neardup.report import (
    Cluster,
    ClusterMember,
    Counts,
    DocumentInfo,
    DuplicateReport,
    ExactGroup,
    Pair,
    Passage,
)

SENTENCES = ["今天天气很好，我们去公园散步。", "会议强调要认真贯彻落实精神！", "各单位按时报送总结材料。",
             "第二部分说明了具体安排。", "联系人和联系方式见附件。", "请各位同事相互转告。"]


@st.composite
def edited_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A text of shuffled sentences and a copy with sentences dropped, moved, replaced."""
    a = draw(st.lists(st.sampled_from(range(len(SENTENCES))), min_size=2, max_size=12))
    b = draw(st.permutations(a))
    b = b[: draw(st.integers(1, len(b)))]
    b = [k if draw(st.booleans()) else (k + 1) % len(SENTENCES) for k in b]
    return "".join(SENTENCES[k] for k in a), "".join(SENTENCES[k] for k in b)


@given(edited_pair())
def test_rows_hold_both_texts_in_order(texts: tuple[str, str]) -> None:
    a, b = texts
    passages = in_text_order(shared_passages(a, b).passages)
    rows = aligned_rows(a, b, passages)
    assert "".join(a[r.a_start : r.a_end] for r in rows) == a
    assert "".join(b[r.b_start : r.b_end] for r in rows) == b
    chain = aligned_chain(passages)
    assert [r.kind for r in rows if r.kind >= 0] == chain
    for r in rows:
        if r.kind >= 0:
            p = passages[r.kind]
            assert (r.a_start, r.a_end, r.b_start, r.b_end) == (p.a_start, p.a_end, p.b_start,
                                                                 p.b_end)
        else:
            assert r.kind in (DIFFERENT, PUNCTUATION)
    # the chain keeps its order in b too, and no other increasing chain is heavier
    assert all(passages[x].b_end <= passages[y].b_start for x, y in pairwise(chain))


def test_rows_tell_differences_from_punctuation() -> None:
    a, b = "甲乙丙丁戊。己庚辛壬癸", "甲乙丙丁戊，己庚辛壬癸子丑寅"
    passages = [Passage(0, 5, 0, 5, "甲乙丙丁戊"), Passage(6, 11, 6, 11, "己庚辛壬癸")]
    assert [r.kind for r in aligned_rows(a, b, passages)] == [0, PUNCTUATION, 1, DIFFERENT]


def test_the_heaviest_chain_wins_over_the_longest() -> None:
    """One long passage in order beats two short ones in the other order."""
    passages = [Passage(0, 5, 100, 105, ""), Passage(5, 10, 105, 110, ""),
                Passage(10, 200, 0, 90, "")]
    assert aligned_chain(passages) == [2]


@given(st.permutations(range(12)), st.permutations(range(12)))
def test_neighbouring_passages_never_look_alike(a_order: list[int], b_order: list[int]) -> None:
    """Whatever order the passages take in b, neighbours in either text are 30 degrees of hue
    apart or more (the issue: 310 of 1,992 touching passages of the laws report were not)."""
    passages = in_text_order([Passage(a_order[k], a_order[k] + 1, b_order[k], b_order[k] + 1, "")
                              for k in range(12)])
    hues = passage_hues(passages)
    for side in ("a_start", "b_start"):
        order = sorted(range(12), key=lambda k: getattr(passages[k], side))
        assert all(hue_distance(hues[x], hues[y]) >= 30 for x, y in pairwise(order))


def test_script_json_cannot_close_its_element() -> None:
    hostile = "</script><script>alert(1)</script><!--<b>&amp;\u2028\u2029\x1b\x85\u202e\ud800"
    text = script_json({"t": hostile, hostile: [hostile]})
    assert not re.search("[<>&\u2028\u2029\x00-\x1f\x7f-\x9f\u202e\ud800-\udfff]", text)
    assert json.loads(text) == {"t": hostile, hostile: [hostile]}


@given(st.text(max_size=30), st.data())
def test_utf16_offsets_are_javascript_string_indices(text: str, data: st.DataObject) -> None:
    at = utf16_offsets(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    units = text.encode("utf-16-le", "surrogatepass")
    assert units[2 * at(start) : 2 * at(end)].decode("utf-16-le", "surrogatepass") == text[start:end]


def test_markers_found_by_their_patterns() -> None:
    text = "正文##paidbegin##付费内容##paidend##结尾##paidend##"
    spans = marker_spans(text, Parameters().markers)
    assert [text[s:e] for s, e in spans] == ["##paidbegin##", "##paidend##", "##paidend##"]


def test_histogram_counts_every_pair_and_marks_the_threshold() -> None:
    values = [0.71, 0.72, 0.74, 0.86, 0.99, 1.0, 1.0]
    svg = "".join(histogram(values, 0.7))
    counts = [int(c) for c in re.findall(r'class="count">(\d+)<', svg)]
    assert sum(counts) == len(values) and counts == [3, 1, 3]
    line = float(re.search(r'class="threshold" x1="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    first = float(re.search(r'class="hbar[^"]*" x="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert line == pytest.approx(first - 1, abs=0.2)  # the threshold is the first bar's edge
    assert histogram([], 0.7) == []


def _report() -> DuplicateReport:
    """rep ~ b ~ c (c joined only through b), and d, a copy of rep, identical to it."""
    pairs = [Pair("rep", "b", 0.8, 0.9, 0.9, 0.9), Pair("b", "c", 0.75, 0.8, 0.8, 0.8),
             Pair("d", "b", 0.8, 0.9, 0.9, 0.9)]
    clusters = [
        Cluster("x", (ClusterMember("x", 1.0), ClusterMember("y", 0.9))),
        Cluster("rep", (ClusterMember("rep", 1.0), ClusterMember("b", 0.8),
                        ClusterMember("c", 0.55), ClusterMember("d", 1.0))),
    ]
    documents = {i: DocumentInfo(f"<i>{i} title</i>", None, 10, 10)
                 for i in ("rep", "b", "c", "d", "x", "y")}
    return DuplicateReport(Parameters(), pairs, clusters, [], Counts(6, 6, 0, 3, 3, 2, 0, 0, 1),
                           "exact", documents=documents, identical=[ExactGroup(("rep", "d"))])


def _cluster_rows(page: str, number: int) -> list[str]:
    part = page.split(f'id="cluster-{number}"', 1)[1].split("</article>", 1)[0]
    return re.findall(r"<tr><td>(.*?)</tr>", part)


def test_clusters_largest_first_and_how_each_member_joined() -> None:
    page = render(_report(), "html")
    assert page.index('id="cluster-2"') < page.index('id="cluster-1"')  # 4 members, then 2
    rows = _cluster_rows(page, 2)
    # the identical copy shares the representative's row: one row for the group
    assert len(rows) == 3
    assert "representative" in rows[0] and "1 identical document" in rows[0]
    assert '<span class="id">d</span>' in rows[0]
    assert 'paired with it: <a href="#pair-1">pair 1</a>' in rows[1]
    assert ('joined through <span class="id">b</span> (<a href="#pair-2">pair 2</a>): '
            "no direct pair with the representative, Jaccard below the threshold 0.7") in rows[2]
    assert "&lt;i&gt;c title&lt;/i&gt;" in rows[2]  # titles are escaped


def test_identical_group_alone_is_one_row() -> None:
    report = _report()
    report.clusters.append(Cluster("p", tuple(ClusterMember(i, 1.0) for i in "pqrstuv")))
    report.identical.append(ExactGroup(tuple("pqrstuv")))
    page = render(report, "html")
    rows = _cluster_rows(page, 3)
    assert len(rows) == 1 and "6 identical documents" in rows[0]
    assert "7 documents · all identical" in page


def test_print_layout_is_made_when_the_page_opens_only_for_small_reports() -> None:
    for groups, at_load in ((1, True), (PRINT_MOST // 10 + 1, False)):
        report = find_duplicates(clustered_documents(groups), with_texts=True, workers=1)
        assert (len(report.pairs) <= PRINT_MOST) is at_load
        report = add_passages(report, report.texts)
        table = Page(render(report, "html", texts=report.texts)).data("nd-table")
        assert table["print_at_load"] is at_load


def test_assets_write_no_markup_from_data() -> None:
    script, style = asset("report.js"), asset("report.css")
    assert "</script" not in script.lower() and "</style" not in style.lower()
    # text reaches the page as text nodes only
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(",
                         script)
    assert not re.search(r"url\(|@import|https?:", style + script)


def test_the_copy_ratios_are_data_the_page_pages_through() -> None:
    """The copy ratios reach the page as data (every document, every source, largest
    first, with its pair's number), not as one row of markup per document."""
    from pages import many_copies

    report = many_copies(documents=800)
    page = render(report, "html")
    parsed = Page(page)
    table = parsed.data("nd-table")
    names = [d[0] for d in table["documents"]]
    assert len(table["copies"]) == len(report.copies)
    numbers = {(p.a, p.b): n for n, p in enumerate(report.pairs, start=1)}
    for (index, share, sources), copied in zip(table["copies"], report.copies, strict=True):
        assert names[index] == copied.id and share == round(copied.share, 6)
        assert [names[s[0]] for s in sources] == [s.id for s in copied.sources]
        assert [s[1] for s in sources] == sorted((s[1] for s in sources), reverse=True)
        assert sources[0][2] == numbers.get((copied.id, copied.sources[0].id), 0)
    assert page.count("<tr") < 20  # no row of markup per document: the script builds a page
    assert {"cq", "cmin", "csort", "copy-rows", "cprev", "cnext"} <= {
        a.get("id") for a in parsed.attrs}
    toc = re.search(r'<nav class="toc">(.*?)</nav>', page)
    assert toc and re.findall(r'href="#(\w+)"', toc.group(1)) == ["copies", "pairs"]


def test_the_histogram_says_which_search_found_the_pairs_left_of_the_threshold() -> None:
    """Pairs below the Jaccard threshold were found by containment or as rewrites: their
    bars are stacked by what found them, and the caption counts each."""
    from neardup.formats.html_sections import FOUND_BY

    values = [0.12, 0.14, 0.33, 0.8, 0.91]
    kinds = ["containment", "rewrite", "containment", "near", "near"]
    svg = "".join(histogram(values, 0.5, kinds))
    drawn = re.findall(r'class="hbar k-(\w+)"', svg)
    assert sorted(drawn) == sorted(["containment", "rewrite", "containment", "near", "near"])
    names = dict(FOUND_BY)
    assert f"{names['containment']}: 2" in svg and f"{names['rewrite']}: 1" in svg
    assert "Left of it, pairs found by another search" in svg
    assert "Left of it" not in "".join(histogram(values, 0.5))  # one search: no legend


def test_passages_side_by_side_in_a_row_of_differences_never_share_a_hue() -> None:
    """Passages swapped between the texts sit beside each other in a row of differences:
    their colours are kept far apart, so that neither looks like the other's partner."""
    import random

    from neardup.formats.html_align import NEIGHBOUR_HUES, side_by_side

    rng = random.Random(11)

    def chars(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(n))

    one, two, three, four, five = (chars(n) + "。" for n in (60, 40, 90, 40, 60))
    text_a = one + two + three + four + five  # b has the second and fourth swapped:
    text_b = one + four + three + two + five  # each sits beside the other in a row
    passages = in_text_order(shared_passages(text_a, text_b).passages)
    rows = aligned_rows(text_a, text_b, passages)
    beside = side_by_side(rows, passages)
    assert any(beside)
    hues = passage_hues(passages, beside)
    for k, others in enumerate(beside):
        for other in others:
            assert hue_distance(hues[k], hues[other]) >= NEIGHBOUR_HUES


def notices_sharing_a_story() -> tuple[dict[str, str], str]:
    """Thirty notices of one template, and two more (``x``, ``y``) that also carry one
    story: the copy ``x``/``y`` shares the story (specific) and the template's wording
    (formula), and the story's text."""
    import random

    from test_copies_judgement import TEMPLATE, filled

    rng = random.Random(7)
    docs = {f"n{k}": filled(TEMPLATE, rng) for k in range(30)}
    story = ("该市还在老城区试点建设口袋公园二十处，利用边角地块种植本地乔木和花草，附近居民"
             "步行五分钟即可到达，受到群众普遍欢迎。另外，市园林局还计划在新区建设三座大型城市"
             "公园，总面积超过两百公顷，预计明年底前全部建成开放。")
    docs["x"] = filled(TEMPLATE, rng) + story
    docs["y"] = filled(TEMPLATE, rng) + story
    return docs, story


def test_a_pairs_formula_passages_are_marked_in_its_detail() -> None:
    """The detail data says which of a pair's passages are formula (the page greys them),
    with or without the texts."""
    docs, story = notices_sharing_a_story()
    report = find_duplicates(docs, preset="copies", workers=1, with_texts=True)
    report = add_passages(report, report.texts)
    [pair] = report.pairs
    passages = sorted(pair.passages, key=lambda p: (p.a_start, p.b_start, p.a_end))
    assert any(p.formula for p in passages) and not all(p.formula for p in passages)
    for texts in (report.texts, None):
        detail = Page(render(report, "html", texts=texts)).data("nd-detail")["pairs"][0]
        assert detail["m"] == [int(p.formula) for p in passages]
    [specific] = [p for p in passages if not p.formula]
    assert story in specific.text


def test_a_repost_in_the_other_script_links_its_copy_ratio_to_its_group() -> None:
    """A news item and its repost in traditional characters are identical once folded: the
    pair is not listed (the group is, in a cluster), so the copy-ratio rows linked nowhere and
    the summary said "3 pairs" over a table of 2. Each row now links to the cluster that
    shows the group, and the summary says which pair is of identical documents."""
    text = ("国务院总理主持召开国务院常务会议，部署加快推进重点工作，研究进一步稳定就业的措施。"
            "会议指出，这些经验对于发展经济有重要意义，我们要认真总结。")
    traditional = text.translate(str.maketrans("国务这对发经们认总结会议为进",
                                               "國務這對發經們認總結會議為進"))
    other = ("今天天气很好，我们一起去公园散步，看看湖边新开的花，然后去图书馆看书，晚上回家吃饭，"
             "一家人其乐融融。")
    docs = [("simplified", text), ("traditional", traditional), ("other", other),
            ("quoted", "记者报道：" + other[:45] + "另外还有完全不同的内容在这里写着，与前文无关。")]
    found = find_duplicates(docs, preset="copies", with_texts=True)
    report = add_passages(found, found.texts)
    html = render(report, "html", texts=report.texts)
    page = Page(html)
    ids = [d[0] for d in page.data("nd-table")["documents"]]
    sources = {ids[row[0]]: {ids[s[0]]: s[2:] for s in row[2]}
               for row in page.data("nd-table")["copies"]}
    cluster = next(k for k, c in enumerate(report.clusters, start=1)
                   if {m.id for m in c.members} == {"simplified", "traditional"})
    assert sources["simplified"]["traditional"] == [0, cluster]  # no pair: the cluster
    assert sources["traditional"]["simplified"] == [0, cluster]
    assert all(len(s) == 1 and s[0] > 0 for s in sources["quoted"].values())  # a listed pair
    exact = sum(p.exact for p in report.pairs)
    assert exact == 1 and f"{len(report.pairs)} pairs (1 of identical documents)" in html
