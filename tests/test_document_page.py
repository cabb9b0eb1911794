"""The page of a checked document (查重, :mod:`neardup.evidence.checked`): an essay made of
three seed reports and its own text, checked with ``scan --check`` and ``check --against``,
in every report format; its shares against the characters its spans colour."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from essays import SEEDS, SHARES, seed_ids, seed_texts, three_source_essay
from pages import Page

from neardup import add_passages, find_duplicates
from neardup.cli import main
from neardup.core.normalize import normalize
from neardup.evidence.checked import checked_documents
from neardup.report import DuplicateReport


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return seed_texts()


@pytest.fixture(scope="module")
def essay(seeds: dict[str, str]) -> str:
    return three_source_essay(seeds)


@pytest.fixture(scope="module")
def checked(seeds: dict[str, str], essay: str) -> DuplicateReport:
    report = find_duplicates(seeds | {"essay": essay}, preset="copies", with_texts=True,
                             workers=1)
    report = add_passages(report, report.texts)
    report.checked = checked_documents(report, report.texts, ["essay"])
    return report


@pytest.fixture(scope="module")
def essay_file(tmp_path_factory: pytest.TempPathFactory, essay: str) -> Path:
    path = tmp_path_factory.mktemp("essay") / "essay.txt"
    path.write_text(essay, encoding="utf-8")
    return path


def test_the_page_names_each_source_with_its_share(checked: DuplicateReport) -> None:
    (page,) = checked.checked
    shares = {source.id: source.share for source in page.sources}
    assert shares == pytest.approx(SHARES, abs=0.02)
    assert [s.id for s in page.sources] == ["s1", "s4", "s6"]  # numbered largest first
    assert page.share == pytest.approx(sum(SHARES.values()), abs=0.02)
    assert page.measured == "passages"


def test_the_coloured_characters_add_up_to_the_share(
    checked: DuplicateReport, essay: str, seeds: dict[str, str]
) -> None:
    """Each span's text is in the source its number names; the normalized characters of the
    spans of each number are its coloured share, and they add up to the total."""
    (page,) = checked.checked
    at = normalize(essay, checked.parameters.normalize_options()).offsets
    number = np.zeros(len(essay), dtype=int)
    for start, end, k in page.spans:
        assert 0 <= start < end <= len(essay)
        number[start:end] = k
        if k:
            source = page.sources[k - 1].id
            assert essay[start:end].strip("。，；：") in seeds[source]
    counted = np.bincount(number[at], minlength=len(page.sources) + 1) / at.size
    for k, source in enumerate(page.sources, start=1):
        assert counted[k] == pytest.approx(source.coloured, abs=1e-9)
        assert source.coloured <= source.share + 1e-9
    assert counted[1:].sum() == pytest.approx(page.share, abs=1e-9)


def test_a_document_copied_from_nowhere_has_a_page_that_says_so(
    checked: DuplicateReport,
) -> None:
    (page,) = checked_documents(checked, {"own": "自己写的文字，没有抄。"}, ["own"])
    assert (page.share, page.sources, page.spans) == (0.0, (), ())


def test_the_summary_names_the_most_copied_checked_documents_first(
    essay_file: Path, tmp_path: Path
) -> None:
    """A clean document checked before the essay is not named with 0.0% in the summary."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_own.txt").write_text("自己写的一段文字，讲的是别的事情，没有抄任何人。" * 4,
                                      encoding="utf-8")
    (folder / "essay.txt").write_text(essay_file.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["scan", str(SEEDS), "--check", str(folder), "--preset", "copies",
            "-o", str(tmp_path / "r.json")]
    written = CliRunner().invoke(main, args)
    assert written.exit_code == 0
    assert "; found in other documents: essay.txt 60." in written.output
    assert "a_own.txt" not in written.output


def test_scan_check_writes_the_page_in_each_format(essay_file: Path, tmp_path: Path) -> None:
    args = ["scan", str(SEEDS), "--check", str(essay_file), "--preset", "copies"]
    ids = seed_ids()
    written = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "r.json")])
    assert written.exit_code == 0  # its summary line gives the checked document's share
    assert "; found in other documents: essay.txt 60." in written.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (page,) = data["checked"]
    assert page["id"] == "essay.txt"
    assert [s["id"] for s in page["sources"]] == [ids["s1"], ids["s4"], ids["s6"]]
    assert page["largest"] == ids["s1"]
    pairs = {frozenset((p["a"], p["b"])) for p in data["pairs"]}
    assert all(frozenset(("essay.txt", s["id"])) in pairs for s in page["sources"])
    text = CliRunner().invoke(main, args).output
    assert "Checked documents" in text and "[3] 11." in text
    markdown = CliRunner().invoke(main, [*args, "-f", "markdown"]).output
    assert "## Checked document 1: essay.txt" in markdown
    assert re.search(r"> \\\[1\\\] \*\*一是强化舆情管控", markdown)
    assert markdown.count("\\[2\\] **") >= 1 and markdown.count("\\[3\\] **") >= 1


def test_the_html_page_numbers_each_span_and_links_its_pairs(essay_file: Path) -> None:
    args = ["scan", str(SEEDS), "--check", str(essay_file), "--preset", "copies", "-f", "html"]
    page = CliRunner().invoke(main, args).output
    parsed = Page(page)
    ids = {a.get("id") for a in parsed.attrs}
    assert {"checked", "doc-1"} <= ids
    numbers = {a.get("data-src") for a in parsed.attrs if a.get("class") == "src"}
    assert numbers == {"1", "2", "3"}
    links = re.findall(r'of this document is in .*?href="#pair-(\d+)"', page)
    table = parsed.data("nd-table")
    names = [d[0] for d in table["documents"]]
    linked = [{names[table["pairs"][int(n) - 1][k]] for k in (1, 2)} for n in links]
    ids_of = seed_ids()
    assert linked == [{"essay.txt", ids_of[s]} for s in ("s1", "s4", "s6")]
    assert parsed.urls.count("#doc-1") >= 1  # the overview links the page


def test_check_against_gives_each_checked_document_a_page(
    essay_file: Path, tmp_path: Path
) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("这是一篇自己写的短文，讲的是秋天的山和水，没有抄别人的。" * 3, encoding="utf-8")
    result = CliRunner().invoke(main, [
        "check", str(essay_file), str(clean), "--against", str(SEEDS), "--preset", "copies",
        "-f", "json", "-q", "--root", str(essay_file.parent.parent)])
    assert result.exit_code == 1, result.output
    pages = {p["id"]: p for p in json.loads(result.output)["checked"]}
    text = CliRunner().invoke(main, [
        "check", str(essay_file), str(clean), "--against", str(SEEDS), "--preset", "copies",
        "-q"]).output
    assert "nothing found in the others for 1 document: " in text and "clean.txt" in text
    summary = CliRunner().invoke(main, [
        "check", str(essay_file), "--against", str(SEEDS), "--preset", "copies",
        "-o", str(tmp_path / "r.md")]).output
    assert "; found in other documents: " in summary and "essay.txt" in summary
    assert len(pages) == 2
    essay_page = next(p for i, p in pages.items() if i.endswith("essay.txt"))
    clean_page = next(p for i, p in pages.items() if i.endswith("clean.txt"))
    assert essay_page["share"] > 0.3 and essay_page["sources"]
    assert clean_page["share"] == 0 and clean_page["sources"] == []


def test_without_passages_the_page_says_they_were_not_computed(essay_file: Path) -> None:
    args = ["scan", str(SEEDS), "--check", str(essay_file), "--preset", "copies",
            "--no-passages"]
    html = CliRunner().invoke(main, [*args, "-f", "html"]).output
    assert "Passages not computed (--no-passages, or add_passages not run)" in html
    assert 'class="src"' not in html
    assert "Copy ratios not computed (--no-passages, or add_passages not run)" in html
    assert "0 shared passages" not in html
    text = CliRunner().invoke(main, args).output
    assert "Copy ratios not computed (--no-passages, or add_passages not run)" in text
    data = json.loads(CliRunner().invoke(main, [*args, "-f", "json"]).output)
    assert data["checked"][0]["measured"] == "shingles"
    assert data["checked"][0]["spans"] == []


def test_the_summary_line_of_a_copies_scan_names_the_most_copied(tmp_path: Path) -> None:
    plain = CliRunner().invoke(main, ["scan", str(SEEDS), "--preset", "copies", "-o",
                                      str(tmp_path / "s.json")])
    assert "2 documents with text found in others, the most 9" in plain.output


def test_a_checked_file_inside_the_scanned_directory_is_read_once(
    tmp_path: Path, essay: str
) -> None:
    """``scan corpus/ --check corpus/new/essay.txt``: the essay is scanned once, under the
    id the directory gives it, and gets its page."""
    corpus = tmp_path / "corpus"
    (corpus / "new").mkdir(parents=True)
    for seed in SEEDS.iterdir():
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "new" / "essay.txt").write_text(essay, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(corpus), "--check",
                                       str(corpus / "new" / "essay.txt"), "--preset", "copies",
                                       "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    (page,) = json.loads(result.output)["checked"]
    assert page["id"] == "new/essay.txt" and len(page["sources"]) == 3


def test_check_refuses_standard_input_to_check_in_a_scan(essay_file: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(SEEDS), "--check", "-"])
    assert result.exit_code == 2
    assert "--check" in result.output


def test_every_format_numbers_a_pair_alike(checked: DuplicateReport) -> None:
    """A source's pair has one number in the text, Markdown and HTML reports (the text lists
    the pairs most similar first, under the numbers the others give them), so that "pair 3"
    of the text report is pair 3 of the page."""
    from neardup.formats import render

    text, markdown = render(checked, "text"), render(checked, "markdown")
    html = render(checked, "html")
    in_text = re.findall(r"\[\d\] [\d.]+% of \S+ is in \S+ \(pair (\d+)\)", text)
    in_markdown = re.findall(r"\\\(pair (\d+)\\\)", markdown)
    assert len(in_text) == 3 and in_text == in_markdown[:3]
    for number in in_text:
        pair = checked.pairs[int(number) - 1]
        listed = re.search(rf"^  {number}\. (\S+)  <->  (\S+)$", text, re.M)
        assert listed and {listed[1], listed[2]} == {pair.a, pair.b}
        assert f'href="#pair-{number}"' in html
