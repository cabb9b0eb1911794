"""The HTML report in a real browser (headless Chromium, driven over the DevTools protocol):
the seed report, a report of hostile documents and one of 1,000 pairs are opened, read
from the DOM, sorted and filtered through the page's own controls, printed, and laid out
at three widths; screenshots are saved in each test's tmp dir.

Without Chromium (Debian package ``chromium``) or websocket-client these tests are
skipped, saying why; under CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import Page, file_url, find_chromium, in_ci
from click.testing import CliRunner
from pages import clustered_documents

from neardup import DuplicateReport, find_duplicates, load_documents
from neardup.cli import main
from neardup.evidence.passages import add_passages
from neardup.formats import render

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a browser: CI runs them, not -m "not slow"

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _missing() -> str | None:
    if find_chromium() is None:
        return "headless Chromium not found on PATH (Debian package chromium; .ci/run installs it)"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client is missing (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    missing = _missing()
    if missing is not None:
        if in_ci():
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    page = Page(find_chromium() or "", tmp_path_factory.mktemp("chromium-profile"))
    yield page
    page.close()


def _open(browser: Page, path: Path, width: int = 1400) -> float:
    browser.resize(width, 1000)
    seconds = browser.open(file_url(path))
    assert browser.run("document.documentElement.dataset.ready") is not None, "script failed"
    return seconds


def _rows(browser: Page) -> list[int]:
    return [int(n) for n in browser.run(
        "Array.from(document.querySelectorAll('#pair-rows tr')).map(r => r.dataset.pair)")]


def _columns(browser: Page, box: str) -> list[str]:
    """The text of column a and of column b of the aligned view ``box`` (a selector),
    without the page's own labels."""
    return list(browser.run(f"""['a', 'b'].map(s => Array.from(document.querySelectorAll(
        '{box} .row:not(.head) .cell.' + s)).map(c => Array.from(c.childNodes)
        .filter(n => !(n.classList && (n.classList.contains('side-label') ||
                                       n.classList.contains('none'))))
        .map(n => n.textContent).join('')).join(''))"""))


def _no_overflow(browser: Page, tmp_path: Path, name: str) -> None:
    for width in (1400, 800, 390):
        browser.resize(width, 1200)
        wide = browser.run("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"{name} overflows at {width} px: {wide}"
        browser.screenshot(tmp_path / f"{name}-{width}.png")


# ---------------------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("seeds") / "report.html"
    result = CliRunner().invoke(main, ["scan", str(SEEDS), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    return target


def test_seed_report_reads_cluster_first(browser: Page, seed_page: Path, tmp_path: Path) -> None:
    _open(browser, seed_page)
    order = browser.run("Array.from(document.body.children).map(e => e.id).filter(Boolean)")
    assert order[:4] == ["top", "summary", "clusters", "pairs"]
    assert browser.run("document.querySelectorAll('#summary svg rect.hbar').length") == 1
    assert browser.run("document.querySelectorAll('#clusters article.cluster').length") == 1
    headers = browser.run(
        "Array.from(document.querySelectorAll('table.pairs th[data-sort] button'))"
        ".map(b => b.parentNode.dataset.sort)")
    assert {"jaccard", "containment", "length", "number"} <= set(headers)
    assert _rows(browser) == [1]
    # nothing of the documents runs or is drawn as an element: our three scripts, no image
    assert browser.run("[document.scripts.length, document.images.length]") == [3, 0]
    browser.screenshot(tmp_path / "seeds-top.png", full=True)


def test_seed_pair_shows_what_differs(browser: Page, seed_page: Path, tmp_path: Path) -> None:
    _open(browser, seed_page)
    browser.click("#pair-rows a")
    assert browser.run("location.hash") == "#pair-1"
    texts = {d.id: d.text for d in load_documents(SEEDS)}
    data = json.loads(browser.run("document.getElementById('nd-detail').textContent"))
    ids = [d[0] for d in json.loads(browser.run(
        "document.getElementById('nd-table').textContent"))["documents"]]
    a, b = texts[ids[0]], texts[ids[1]]
    passages = data["pairs"][0]["p"]
    # each passage is marked in each text, holding exactly its text (line breaks stay outside
    # the marks, so that an empty line draws no frame)
    shown = browser.run("""(function () {
        var out = {};
        document.querySelectorAll('#detail .aligned mark').forEach(function (m) {
          var key = m.closest('.cell').classList.contains('a') ? 'a' : 'b';
          key += m.dataset.k; out[key] = (out[key] || '') + m.textContent; });
        return out; })()""")
    assert len(shown) == 2 * len(passages)
    for k, (a0, a1, b0, b1, _, _) in enumerate(passages):
        assert shown[f"a{k}"] == a[a0:a1].replace("\n", "")
        assert shown[f"b{k}"] == b[b0:b1].replace("\n", "")
    # the aligned rows hold both texts in full, each in its own column
    assert _columns(browser, "#detail .aligned") == [a, b]
    # next difference: a row of differences, centred and marked
    differences = browser.run("document.querySelectorAll('#detail ol.diffs li').length")
    assert differences == data["pairs"][0]["r"].count(-1) > 0
    browser.click("#next-diff")
    browser.click("#next-diff")
    assert browser.run("document.querySelector('.row.current').dataset.diff") == "1"
    assert browser.run("document.getElementById('diff-info').textContent") == (
        f"difference 2 of {differences}")
    # a passage is reached with the keyboard, and Enter centres its partner
    browser.run("document.querySelector('#detail .cell.a mark[data-k=\"3\"]').focus()")
    browser.key("Enter", "Enter", 13)
    focused = browser.run("""(function () { var m = document.activeElement,
        box = m.closest('.aligned').getBoundingClientRect(), r = m.getBoundingClientRect();
        return [m.dataset.k, m.closest('.cell').classList.contains('b'),
                Math.abs((r.top + r.bottom) / 2 - (box.top + box.bottom) / 2) < box.height / 4];
        })()""")
    assert focused == ["3", True, True]
    # the passage list, longest first, is in the order of the lengths it shows
    lengths = browser.run("""Array.from(document.querySelectorAll('#detail ol.passages li'))
        .map(li => parseInt(li.textContent.replace(/,/g, '')))""")
    assert len(lengths) == len(passages) and lengths == sorted(lengths, reverse=True)
    # scraper markers are shown as markers
    markers = browser.run("Array.from(document.querySelectorAll('#detail .marker'))"
                          ".map(m => m.textContent)")
    assert markers and set(markers) <= {"##paidbegin##", "##paidend##"}
    assert len(markers) == sum(t.count("##paidbegin##") + t.count("##paidend##") for t in (a, b))
    _no_overflow(browser, tmp_path, "seeds-detail")


def test_seed_report_prints_every_text_in_full(
    browser: Page, seed_page: Path, tmp_path: Path
) -> None:
    _open(browser, seed_page)
    texts = [d.text for d in load_documents(SEEDS)]
    a, b = texts[1], texts[10]
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        hidden = browser.run("""['.controls', '.pager', '#detail', 'nav.toc'].map(
            s => getComputedStyle(document.querySelector(s)).display)""")
        assert hidden == ["none"] * 4
        printed = browser.run("""(function () {
            var box = document.querySelector('#print-all .aligned');
            return [getComputedStyle(document.getElementById('print-all')).display,
                    box.scrollHeight <= box.clientHeight + 1]; })()""")
        assert printed == ["block", True]  # shown, and nothing cut off
        assert _columns(browser, "#print-all .aligned") == [a, b]
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
    browser.pdf(tmp_path / "seeds.pdf")
    assert (tmp_path / "seeds.pdf").stat().st_size > 10_000


def test_folded_matches_are_underlined(browser: Page, tmp_path: Path) -> None:
    """A traditional repost compared with script folding: the characters that match only
    after folding are underlined, the other document's on hover."""
    simplified = load_documents(SEEDS)[2].text
    traditional = load_documents(ROOT / "tests" / "data" / "seeds_traditional.txt")[2].text
    docs = [("simplified", simplified), ("traditional", traditional + "\n另外補充一句。")]
    report = find_duplicates(docs, script="simplified", with_texts=True, workers=1)
    target = tmp_path / "folded.html"
    target.write_text(render(add_passages(report, report.texts), "html", texts=report.texts),
                      encoding="utf-8")
    _open(browser, target)
    browser.click("#pair-rows a")
    folded = browser.run("""Array.from(document.querySelectorAll('#detail .cell.b mark .folded'))
        .map(f => [f.textContent, f.title.split(': ').pop()])""")
    assert folded and all(shown != other and len(shown) == len(other) for shown, other in folded)
    assert "Dotted underline" in browser.run("document.getElementById('detail').textContent")


# ---------------------------------------------------------------------------- hostile text


def test_hostile_documents_stay_text(browser: Page, tmp_path: Path) -> None:
    payload = ("</script><script>window.pwned = 1</script><img src=x onerror='window.pwned=2'>"
               "<!-- \u2028\x1b[2J\u202e\ud800")
    base = "这是一篇关于学习贯彻会议精神的通知，要求各单位认真组织学习并按时报送总结材料。" * 3
    texts = {f"a{payload}": base + payload + "第二部分说明了具体的时间安排和联系人。",
             f"b{payload}": base + payload + "第二部分写明了具体的时间安排与联系方式。"}
    report = add_passages(find_duplicates(texts, threshold=0.5), texts)
    target = tmp_path / "hostile.html"
    target.write_text(render(report, "html", texts=texts), encoding="utf-8")
    _open(browser, target)
    browser.click("#pair-rows a")
    live = browser.run("""[window.pwned === undefined, document.querySelectorAll('img').length,
        document.scripts.length, document.querySelector('#detail .cell.a').textContent]""")
    assert live[:3] == [True, 0, 3]
    assert "<img src=x onerror='window.pwned=2'>" in live[3]
    assert "\\x1b[2J\\u202e\ufffd" in live[3]  # controls shown, not obeyed
    assert browser.run("document.querySelector('#pair-rows .id').textContent").startswith(
        "a</script><script>")


# ---------------------------------------------------------------------------- 1,000 pairs


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> tuple[DuplicateReport, Path]:
    report = find_duplicates(clustered_documents(100), with_texts=True, workers=1)
    report = add_passages(report, report.texts)
    assert len(report.pairs) == 1000
    target = tmp_path_factory.mktemp("thousand") / "report.html"
    target.write_text(render(report, "html", texts=report.texts), encoding="utf-8")
    return report, target


def _expected(report: DuplicateReport, key: Any, descending: bool) -> list[int]:
    numbered = list(enumerate(report.pairs, start=1))
    numbered.sort(key=lambda np: (-key(np[1]) if descending else key(np[1]), np[0]))
    return [n for n, _ in numbered]


def test_thousand_pairs_sort_filter_and_page(
    browser: Page, thousand: tuple[DuplicateReport, Path], tmp_path: Path
) -> None:
    report, target = thousand
    seconds = _open(browser, target)
    ready = browser.run("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert seconds < 2 and ready < 2000, (seconds, ready)
    assert browser.run("document.querySelectorAll('#clusters article.cluster').length") == 100
    jaccard = [round(p.jaccard, 4) for p in report.pairs]
    assert _rows(browser) == _expected(report, lambda p: round(p.jaccard, 4), True)[:100]
    # click the Jaccard header: ascending
    took = browser.run("""new Promise(function (done) { var t = performance.now();
        document.querySelector('th[data-sort="jaccard"] button').click();
        requestAnimationFrame(() => setTimeout(() => done(performance.now() - t))); })""")
    assert took < 2000
    assert browser.run("document.querySelector('th[data-sort=\"jaccard\"]')"
                       ".getAttribute('aria-sort')") == "ascending"
    assert _rows(browser) == _expected(report, lambda p: round(p.jaccard, 4), False)[:100]
    browser.click('th[data-sort="containment"] button')
    assert _rows(browser) == _expected(report, lambda p: round(p.containment, 4), True)[:100]
    # type in the search box: the pairs of one group's documents
    browser.type("#q", "g0042-")
    assert browser.run("document.getElementById('page-info').textContent") == (
        "1–10 of 10 pairs (of 1,000)")
    assert all(report.pairs[n - 1].a.startswith("g0042-") for n in _rows(browser))
    browser.run("document.getElementById('q').value = ''")
    browser.type("#q", "第7组")  # titles are searched too
    assert {report.pairs[n - 1].a[:5] for n in _rows(browser)} == {"g0006"}
    browser.run("var q = document.getElementById('q'); q.value = '';"
                "q.dispatchEvent(new Event('input'))")
    # a similarity range
    low = max(v for v in set(jaccard) if sum(1 for j in jaccard if j >= v) >= 200)
    browser.type("#min", str(low))
    inside = sum(1 for j in jaccard if j >= low)
    assert browser.run("document.getElementById('page-info').textContent") == (
        f"1–{min(inside, 100)} of {inside:,} pairs (of 1,000)")
    assert 0 < inside < 1000
    assert all(jaccard[n - 1] >= low for n in _rows(browser))
    # the next page
    browser.click("#next-page")
    assert browser.run("document.getElementById('page-info').textContent").startswith("101–200")
    browser.screenshot(tmp_path / "thousand-table.png")
    # a pair opens from the table, and the next pair follows the table's order
    first, second = _rows(browser)[:2]
    browser.click("#pair-rows a")
    assert browser.run("location.hash") == f"#pair-{first}"
    browser.click(".pairnav button:last-child")
    assert browser.run("location.hash") == f"#pair-{second}"
    assert browser.run("document.querySelectorAll('#detail .aligned mark').length") > 0
    # the details are not in the page until asked for: one pair's, not a thousand
    assert browser.run("document.querySelectorAll('.aligned').length") == 1
    _no_overflow(browser, tmp_path, "thousand-detail")


# ---------------------------------------------------------------------------- a checked essay


@pytest.mark.slow
def test_checked_essay_page_shares_are_the_highlighted_characters(
    browser: Page, tmp_path: Path
) -> None:
    """The page of an essay made of three seed reports (31%, 18%, 12%): all three sources
    listed, each share within a point of the letters and digits coloured with its number
    (counted in the DOM), the total too; every span's number links a source of the list."""
    from essays import seed_texts, three_source_essay

    essay = tmp_path / "essay.txt"
    essay.write_text(three_source_essay(seed_texts()), encoding="utf-8")
    target = tmp_path / "essay.html"
    result = CliRunner().invoke(main, ["scan", str(SEEDS), "--check", str(essay), "--preset",
                                       "copies", "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    _open(browser, target)
    browser.click('#checked a[href="#doc-1"]')
    measured = browser.run(r"""(function () {
        var page = document.getElementById('doc-1'), text = page.querySelector('.doctext');
        function letters(node) {
            var copy = node.cloneNode(true);
            copy.querySelectorAll('.fn').forEach(function (f) { f.remove(); });
            return (copy.textContent.match(/[\p{L}\p{N}]/gu) || []).length;
        }
        var total = letters(text), by = {};
        text.querySelectorAll('mark.src').forEach(function (m) {
            by[m.dataset.src] = (by[m.dataset.src] || 0) + letters(m);
        });
        var listed = Array.from(page.querySelectorAll('ol.srcs li')).map(function (li) {
            return [li.querySelector('.fn').textContent,
                    parseFloat(li.querySelector('.srcshare').textContent)];
        });
        var found = parseFloat(page.querySelector('dl.figures dd').textContent);
        return {total: total, by: by, listed: listed, found: found,
                top: page.getBoundingClientRect().top};
    })()""")
    assert [number for number, _ in measured["listed"]] == ["1", "2", "3"]
    highlighted = {k: 100 * n / measured["total"] for k, n in measured["by"].items()}
    for number, share in measured["listed"]:
        assert abs(share - highlighted[number]) <= 1, (number, share, highlighted)
    assert abs(measured["found"] - sum(highlighted.values())) <= 1
    assert [share for _, share in measured["listed"]] == pytest.approx([31, 18, 12], abs=1.5)
    assert -2 <= measured["top"] < 200  # the overview's link brought the page into view
    browser.screenshot(tmp_path / "essay-page.png")
    # the pairs that one search found: the near-duplicate pair alone, then the others
    kinds = browser.run("JSON.parse(document.getElementById('nd-table').textContent)"
                        ".pairs.map(p => [p[0], p[13]])")
    assert {kind for _, kind in kinds} >= {"near", "containment"}
    for kind in ("near", "containment"):
        browser.run(f"var s = document.getElementById('kind'); s.value = '{kind}';"
                    "s.dispatchEvent(new Event('change'))")
        assert sorted(_rows(browser)) == sorted(n for n, k in kinds if k == kind)
    _no_overflow(browser, tmp_path, "essay")  # the page, the copy ratios, the pairs


# ---------------------------------------------------------------------------- copy ratios


@pytest.mark.slow
def test_copy_ratios_of_six_thousand_documents_page_sort_and_fit_a_phone(
    browser: Page, tmp_path: Path
) -> None:
    """6,000 documents with copy ratios (some with 40 sources, as in the news corpus): the
    page opens in under 3 s and is a few screens tall, not a million pixels; 50 documents a
    page, at most 5 sources each and "+N more"; sorted by the largest source, filtered;
    the pairs table one click from the top; nothing wider than a phone's 390 px."""
    from pages import many_copies

    report = many_copies()
    target = tmp_path / "copies.html"
    target.write_text(render(report, "html"), encoding="utf-8")
    seconds = _open(browser, target)
    ready = browser.run("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert seconds < 3 and ready < 3000, (seconds, ready)
    assert browser.run("document.documentElement.scrollHeight") < 20000
    rows = "document.querySelectorAll('#copy-rows > tr')"
    assert browser.run(f"{rows}.length") == 50
    assert browser.run("document.getElementById('cinfo').textContent") == (
        "1–50 of 6,000 documents")
    assert browser.run("Math.max(...Array.from(document.querySelectorAll('#copy-rows ul.sources'))"
                       ".map(u => u.querySelectorAll('li:not(:has(button))').length))") == 5
    more, doc_id = browser.run("(function () { var b = document.querySelector("
                               "'#copy-rows button.more'); return [b.textContent, "
                               "b.closest('tr').querySelector('.id').textContent]; })()")
    (count,) = [len(c.sources) for c in report.copies if c.id == doc_id]
    assert more == f"+{count - 5} more"
    browser.click("#copy-rows button.more")
    assert browser.run("document.querySelector('#copy-rows button.more') === null || "
                       "document.querySelector('#copy-rows button.more').closest('tr')"
                       ".querySelector('.id').textContent !== " + json.dumps(doc_id))
    assert count in browser.run("Array.from(document.querySelectorAll('#copy-rows ul.sources'))"
                                ".map(u => u.children.length)")
    # sorted by the largest source, descending
    browser.run("var s = document.getElementById('csort'); s.value = 'largest';"
                "s.dispatchEvent(new Event('change'))")
    largest = browser.run(f"Array.from({rows}).map(r => parseFloat(r.children[2].textContent))")
    expected = sorted((c.sources[0].share for c in report.copies), reverse=True)[:50]
    assert largest == pytest.approx([round(v * 100, 1) for v in expected], abs=0.051)
    browser.click("#cnext")
    assert browser.run("document.getElementById('cinfo').textContent").startswith("51–100")
    # filtered by a document's id
    browser.type("#cq", report.copies[123].id)
    assert browser.run(f"{rows}.length") >= 1
    assert report.copies[123].id in browser.run(f"{rows}[0].textContent") or any(
        report.copies[123].id in row for row in browser.run(
            f"Array.from({rows}).map(r => r.textContent)"))
    # the pairs table, one click from the top
    browser.run("window.scrollTo(0, 0)")
    browser.click('.toc a[href="#pairs"]')
    top = browser.run("document.getElementById('pairs').getBoundingClientRect().top")
    assert -2 <= top < 100
    browser.screenshot(tmp_path / "copies-1400.png")
    browser.resize(390, 900)
    browser.run("document.getElementById('copies').scrollIntoView()")
    wide = browser.run("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], wide
    browser.screenshot(tmp_path / "copies-390.png")


@pytest.mark.slow
def test_the_copies_report_of_the_news_corpus_opens_fast_and_fits_a_phone(
    browser: Page, corpora_dir: Path, tmp_path: Path
) -> None:
    """The whole news corpus (24,102 items) scanned with ``--preset copies``: its report
    paints and is interactive in under 3 s, the pairs table is one click from the top, and
    nothing is wider than a phone's 390 px (its copy ratios were 1.2 million pixels tall,
    and printing did not end in 600 s)."""
    target = tmp_path / "news.html"
    scanned = CliRunner().invoke(main, ["scan", str(corpora_dir / "cctv_news.jsonl.gz"),
                                        "--preset", "copies", "-f", "html", "-o", str(target)])
    assert scanned.exit_code == 0, scanned.output
    seconds = _open(browser, target)
    assert browser.run("document.querySelectorAll('#copy-rows > tr').length") == 50
    painted = browser.run("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    ready = browser.run("performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert seconds < 3 and painted < 3000 and ready < 3000, (seconds, painted, ready)
    assert browser.run("document.documentElement.scrollHeight") < 40000
    browser.click('.toc a[href="#pairs"]')
    top = browser.run("document.getElementById('pairs').getBoundingClientRect().top")
    assert -2 <= top < 100
    assert browser.run("document.querySelectorAll('#pair-rows tr').length") > 0
    browser.screenshot(tmp_path / "news-1400.png")
    browser.resize(390, 900)
    for section in ("copies", "pairs"):
        browser.run(f"document.getElementById('{section}').scrollIntoView()")
        wide = browser.run("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], (section, wide)
    browser.screenshot(tmp_path / "news-390.png")


# ---------------------------------------------------------------------------- moved passages


@pytest.mark.slow
def test_a_moved_passage_has_its_partners_number(browser: Page, tmp_path: Path) -> None:
    """Three passages, the first two swapped in b: every passage shows its number at its
    start in both texts, the same number as its partner, and the partners' texts agree; the
    pair marked reviewed stays marked after a reload."""
    import random

    rng = random.Random(5)

    def chars(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(n))

    one, two, three = chars(120) + "。", chars(90) + "。", chars(150) + "。"
    texts = {"a": "\n\n\n\n" + one + chars(40) + two + chars(30) + three + "\n\n\n",
             "b": two + chars(35) + one + "\n\n\n\n\n" + chars(45) + three}
    report = find_duplicates(texts, threshold=0.3, with_texts=True)
    report = add_passages(report, report.texts)
    target = tmp_path / "moved.html"
    target.write_text(render(report, "html", texts=texts), encoding="utf-8")
    _open(browser, target)
    browser.click("#pair-rows a")
    marks = browser.run("""Array.from(document.querySelectorAll('#detail .aligned mark'))
        .map(m => [m.closest('.cell').classList.contains('a') ? 'a' : 'b', m.dataset.k,
                   m.dataset.n || null, m.textContent, m.classList.contains('moved')])""")
    numbered = {(side, k): n for side, k, n, _, _ in marks if n is not None}
    ks = {k for _, k, _, _, _ in marks}
    assert len(ks) == 3 and any(moved for *_, moved in marks)
    for k in ks:
        assert numbered[("a", k)] == numbered[("b", k)] == str(int(k) + 1)
        text_a = "".join(t for side, kk, _, t, _ in marks if side == "a" and kk == k)
        text_b = "".join(t for side, kk, _, t, _ in marks if side == "b" and kk == k)
        assert text_a == text_b and text_a in (one, two, three)  # ends on its "。"
    browser.screenshot(tmp_path / "moved-1400.png")
    # blank lines draw no tall bands (the texts keep them: the columns are the texts)
    assert [c.replace("\n", "") for c in _columns(browser, "#detail .aligned")] == [
        texts["a"].replace("\n", ""), texts["b"].replace("\n", "")]
    assert _columns(browser, "#detail .aligned") == [texts["a"], texts["b"]]
    tall = browser.run("""Array.from(document.querySelectorAll('#detail .aligned .row'))
        .filter(r => !r.classList.contains('head') && Array.from(r.querySelectorAll('.cell'))
            .every(c => !c.innerText.replace(/^[ab]\\s*/, '').trim()))
        .map(r => r.getBoundingClientRect().height)""")
    assert all(height < 12 for height in tall), tall
    lines = browser.run("""Array.from(document.querySelectorAll('#detail .aligned .cell'))
        .map(c => c.innerText.split('\\n').filter(l => !l.trim()).length)""")
    assert max(lines) <= 2, lines  # at most one empty line shows inside a cell
    # marked reviewed: the mark stays in this browser, shown in the table after a reload
    browser.click("#reviewed")
    assert browser.run("document.querySelector('#pair-rows tr').classList.contains('reviewed')")
    _open(browser, target)
    assert browser.run("document.querySelector('#pair-rows tr').classList.contains('reviewed')")
    browser.click("#pair-rows a")
    assert browser.run("document.getElementById('reviewed').checked")
    browser.click("#reviewed")  # and unmarked
    assert not browser.run("document.querySelector('#pair-rows tr.reviewed')")


# ---------------------------------------------------------------------------- printing


@pytest.mark.slow
def test_printing_the_laws_report_is_bounded_and_says_so(browser: Page, tmp_path: Path) -> None:
    """The laws sample's 89 pairs (long texts) printed whole made 1,871 pages; the print
    version holds the summary and the first pairs' texts up to a budget, and says how many
    of how many it holds."""
    import re

    from neardup.formats.html_page import PRINT_CHARS

    target = tmp_path / "laws.html"
    laws = ROOT / "tests" / "data" / "laws_sample.jsonl.gz"
    result = CliRunner().invoke(main, ["scan", str(laws), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    _open(browser, target)
    browser.run("window.dispatchEvent(new Event('beforeprint'))")
    note = browser.run("document.querySelector('#print-all .print-note').textContent")
    printed = browser.run("document.querySelectorAll('#print-all section.print-pair').length")
    total = len(browser.run("JSON.parse(document.getElementById('nd-table').textContent).pairs"))
    assert 1 <= printed < total
    assert note.startswith(f"Printed: the summary and the first {printed} of {total} pairs")
    chars = browser.run("""(function () { var t = JSON.parse(document.getElementById(
        'nd-table').textContent); return Array.from(document.querySelectorAll(
        '#print-all section.print-pair h3')).map(function (h) {
            var p = t.pairs[parseInt(/Pair (\\d+)/.exec(h.textContent)[1], 10) - 1];
            return t.documents[p[1]][2] + t.documents[p[2]][2]; }); })()""")
    assert len(chars) == printed and sum(chars) <= PRINT_CHARS
    pdf = tmp_path / "laws.pdf"
    browser.pdf(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 1 < pages <= 80, pages  # about a page for each 1,500 characters of text


def test_formula_passages_are_grey_and_said_so(browser: Page, tmp_path: Path) -> None:
    """A copy that shares a story and a template's wording: the wording's passages are
    grey marks titled as formula in both texts, and the page says what grey means."""
    from test_html_report import notices_sharing_a_story

    docs, _ = notices_sharing_a_story()
    report = find_duplicates(docs, preset="copies", workers=1, with_texts=True)
    target = tmp_path / "formula.html"
    target.write_text(render(add_passages(report, report.texts), "html", texts=report.texts),
                      encoding="utf-8")
    _open(browser, target)
    browser.click("#pair-rows a")
    marks = browser.run("""['a', 'b'].map(s => Array.from(document.querySelectorAll(
        '#detail .cell.' + s + ' mark')).map(m => [m.classList.contains('formula'),
        m.title.includes('formula'), getComputedStyle(m).backgroundColor]))""")
    for side in marks:
        formula = [m for m in side if m[0]]
        assert formula and all(title for _, title, _ in formula)
        assert not all(m[0] for m in side), "the story's passage is not formula"
        grey = {colour for _, _, colour in formula}
        assert not grey & {colour for is_formula, _, colour in side if not is_formula}
    assert "Grey passages: formula" in browser.run("document.getElementById('detail').textContent")
    browser.screenshot(tmp_path / "formula.png")


# ---------------------------------------------------------------------------- pairs set apart


def test_a_pair_set_apart_opens_side_by_side_with_its_reason(browser: Page, tmp_path: Path) -> None:
    """Each pair of the Set apart table opens as a reported pair does: its two texts side by
    side with the shared passages marked (formula grey) and the differences, its reason and
    figures; the pairs table, its numbers and its counts are those without it."""
    from test_set_apart_reports import notices_and_copies

    from neardup.report import set_apart_shown

    report = find_duplicates(notices_and_copies(), preset="copies", workers=1, with_texts=True)
    report = add_passages(report, report.texts)
    target = tmp_path / "apart.html"
    target.write_text(render(report, "html", texts=report.texts), encoding="utf-8")
    _open(browser, target)
    numbers = _rows(browser)
    assert sorted(numbers) == list(range(1, len(report.pairs) + 1))
    info = browser.run("document.getElementById('page-info').textContent")
    assert info == f"1–{len(report.pairs)} of {len(report.pairs)} pairs"
    browser.run("document.querySelector('#set-apart details').open = true")
    lines = browser.run("Array.from(document.querySelectorAll('#set-apart td .id'))"
                        ".map(e => e.getClientRects().length)")
    assert lines and set(lines) == {1}, "a short id is broken over lines at 1400 px"
    browser.click('#set-apart a[href="#apart-2"]')
    assert browser.run("location.hash") == "#apart-2"
    shown = set_apart_shown(report)[1]
    evidence = report.apart_passages[shown.a, shown.b]
    title = browser.run("document.getElementById('detail-title').textContent")
    assert title == f"Pair set apart, 2 of 50: {shown.a} ↔ {shown.b}"
    reason = browser.run("document.querySelector('#detail p.apart-reason').textContent")
    assert reason.startswith(f"Set apart: {shown.reason}")
    facts = browser.run("document.getElementById('detail').textContent")
    assert f"{shown.a_in_b:.1%} of a is in b" in facts and "formula " in facts
    assert f"{len(evidence.passages)} shared passages" in facts
    # the two texts side by side, each in its own column, the passages marked in both
    assert _columns(browser, "#detail .aligned") == [report.texts[shown.a],
                                                     report.texts[shown.b]]
    marks = browser.run("""['a', 'b'].map(s => Array.from(document.querySelectorAll(
        '#detail .aligned .cell.' + s + ' mark')).map(m => [m.dataset.k,
        m.classList.contains('formula')]))""")
    formula = {str(k) for k, p in enumerate(sorted(
        evidence.passages, key=lambda p: (p.a_start, p.b_start, p.a_end))) if p.formula}
    for side in marks:
        assert {k for k, _ in side} == {str(k) for k in range(len(evidence.passages))}
        assert {k for k, grey in side if grey} == formula and formula
    columns = browser.run("""Array.from(document.querySelectorAll('#detail .aligned .row.same'))
        .map(r => Array.from(r.querySelectorAll('.cell')).map(c => c.getBoundingClientRect().left))""")
    assert columns and all(a < b for a, b in columns)  # side by side, a left of b
    differences = browser.run("document.querySelectorAll('#detail ol.diffs li').length")
    assert differences > 0  # the template's names, dates and figures
    assert browser.run("document.querySelector('table.set-apart tbody tr:nth-child(2)')"
                       ".classList.contains('open')")
    assert not browser.run("document.querySelector('#pair-rows tr.open')")
    browser.click("#detail .pairnav button:last-of-type")  # the next pair set apart
    assert browser.run("location.hash") == "#apart-3"
    # the reported pairs: unchanged, and pair 1 is still the first reported pair
    browser.run("location.hash = '#pair-1'")
    browser.settle()
    first = report.pairs[0]
    assert browser.run("document.getElementById('detail-title').textContent") == (
        f"Pair 1: {first.a} ↔ {first.b}")
    assert not browser.run("document.querySelector('#detail p.apart-reason')")
    assert _rows(browser) == numbers
    browser.run("location.hash = '#apart-1'")
    browser.settle()
    browser.screenshot(tmp_path / "apart-1400.png")
    _no_overflow(browser, tmp_path, "apart")


def test_a_pair_set_apart_without_texts_or_passages_says_what_it_shows(
    browser: Page, tmp_path: Path
) -> None:
    """Without the texts, a pair set apart lists its shared passages; without passages
    (--no-passages), it says they were not computed, as a reported pair does."""
    from test_set_apart_reports import notices_and_copies

    report = find_duplicates(notices_and_copies(), preset="copies", workers=1, with_texts=True)
    pages = {"bare": render(report, "html"),
             "no-texts": render(add_passages(report, report.texts), "html")}
    said = {}
    for name, page in pages.items():
        target = tmp_path / f"{name}.html"
        target.write_text(page, encoding="utf-8")
        _open(browser, target)
        browser.run("location.hash = '#apart-1'")
        browser.settle()
        said[name] = browser.run("document.getElementById('detail').textContent")
        assert browser.run("document.querySelector('#detail p.apart-reason').textContent"
                           ).startswith("Set apart: ")
        assert not browser.run("document.querySelector('#detail .aligned')")
        _no_overflow(browser, tmp_path, name)
    assert "Passages not computed (--no-passages" in said["bare"]
    assert "the texts are not shown side by side" in said["bare"]
    assert "The texts were not given to the renderer; the shared passages only." in said[
        "no-texts"]
    assert "Shared passages, longest first" in said["no-texts"]
