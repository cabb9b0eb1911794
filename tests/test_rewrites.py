"""The rewrite search (洗稿): distinctive 4-grams and sentences aligned by them, verified
exactly against a brute-force oracle; heavy rewrites found (also with text inserted from
elsewhere), unrelated seed reports not; what the index and the CLI do with it."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pages import Page

from neardup import (
    Document,
    DuplicateIndex,
    Parameters,
    find_duplicates,
    load_documents,
    normalize_text,
)
from neardup.cli import main
from neardup.core import rewrites
from neardup.core.folding import segment
from neardup.core.normalize import NormalizeOptions, codepoints
from neardup.core.rewrites import (
    LEAST_SHARED,
    PARTNER,
    _aligned_lengths,
    aligned_shares,
    resemblance,
    sentence_profiles,
)
from neardup.core.shingles import shingle_set
from neardup.core.similarity import overlap
from neardup.errors import ParameterError
from neardup.evidence.passages import add_passages
from neardup.formats import render
from neardup.formats.folded import folded_parts
from neardup.index import MEMORY
from neardup.parameters import PRESETS
from neardup.report import Passage

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SENTENCE = re.compile(r"[^。！？]+[。！？]*")


def reversed_words(text: str, seed: int, every: int = 3) -> list[str]:
    """The sentences of ``text`` with every ``every``-th word of two or more Chinese
    characters replaced by its characters reversed (another word, or none): no dictionary
    neardup folds with."""
    rng = random.Random(seed)
    sentences = [s for s in SENTENCE.findall(text) if s.strip()]
    out = []
    turn = rng.randrange(every)
    for sentence in sentences:
        words = []
        for word in segment(sentence):
            if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
                turn = (turn + 1) % every
                word = word[::-1] if turn == 0 else word
            words.append(word)
        out.append("".join(words))
    return out


def heavy_rewrite(text: str, seed: int) -> str:
    """``text`` with every third word replaced (:func:`reversed_words`) and its sentences
    rotated by half, with a line of padding at each end."""
    out = reversed_words(text, seed)
    half = len(out) // 2
    body = "".join(out[half:] + out[:half])
    return "【本网讯】" + body + "（完）转载请注明出处。"


def oracle_resemblance(
    texts: list[str], max_df: int, options: NormalizeOptions
) -> dict[tuple[int, int], tuple[float, int]]:
    """The rewrite resemblance of every pair, and the size of the intersection of their
    distinctive sets, by the definition and brute force: distinctive = the 4-gram strings
    of a normalized text held by at most ``max_df`` texts; a sentence (a piece between
    。！？；!? or a newline, normalized on its own) has a partner when one sentence of the
    other text shares PARTNER of its distinctive 4-grams; resemblance = Jaccard of the
    distinctive sets times the smaller share of normalized characters in sentences with a
    partner."""
    grams = []
    for text in texts:
        norm = normalize_text(text, options)
        grams.append({norm[k : k + 4] for k in range(len(norm) - 3)})
    held: dict[str, int] = {}
    for g in grams:
        for x in g:
            held[x] = held.get(x, 0) + 1
    rare = [{x for x in g if held[x] <= max_df} for g in grams]
    common = {x for x, n in held.items() if n > max_df}
    sentences = []
    for text in texts:
        normalized = [normalize_text(s, options) for s in re.split("[。！？；!?\n]", text)]
        sentences.append([
            (len(n), {n[k : k + 4] for k in range(len(n) - 3)} - common)
            for n in normalized
        ])

    def share(a: int, b: int) -> float:
        total = sum(size for size, _ in sentences[a])
        with_partner = sum(
            size for size, mine in sentences[a]
            if any(len(mine & theirs) >= PARTNER for _, theirs in sentences[b])
        )
        return with_partner / total if total else 0.0

    out = {}
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            shared = len(rare[i] & rare[j])
            jaccard = shared / len(rare[i] | rare[j]) if shared else 0.0
            out[i, j] = (jaccard * min(share(i, j), share(j, i)) if shared else 0.0, shared)
    return out


@pytest.fixture(scope="module")
def seeds() -> list[str]:
    return [d.text for d in load_documents(SEEDS)]


@pytest.fixture(scope="module")
def with_rewrites(seeds: list[str]) -> list[str]:
    """The seed reports and heavy rewrites of reports 4 and 7 (indices 3 and 6)."""
    return [*seeds, heavy_rewrite(seeds[3], 1), heavy_rewrite(seeds[6], 2)]


def test_the_rewrite_is_heavy(with_rewrites: list[str]) -> None:
    """The rewrites lost what the other searches need: 5-gram Jaccard and containment far
    below the preset's 0.5 and 0.3."""
    for source, copy in ((3, 11), (6, 12)):
        found = overlap(shingle_set(normalize_text(with_rewrites[source])),
                        shingle_set(normalize_text(with_rewrites[copy])))
        assert found.jaccard < 0.3 and found.containment < 0.45


def test_heavy_rewrites_found_only_by_the_rewrite_search(with_rewrites: list[str]) -> None:
    without = find_duplicates(
        with_rewrites, threshold=0.5, containment=0.3, script="simplified", workers=1
    )
    found = find_duplicates(with_rewrites, preset="copies", workers=1)
    assert {(p.a, p.b) for p in without.pairs} == {("1", "10")}  # the seed's own rewrite
    assert {(p.a, p.b) for p in found.pairs} == {("1", "10"), ("3", "11"), ("6", "12")}
    for pair in found.pairs:
        assert pair.rewrite is not None and pair.rewrite >= PRESETS["copies"]["rewrite"]
    assert found.clusters == without.clusters  # clusters join Jaccard pairs only


def test_resemblance_is_exact(with_rewrites: list[str]) -> None:
    """Every reported resemblance is the brute-force value, with a cut that makes some
    4-grams common (held by more than 3 of the 13 documents)."""
    report = find_duplicates(with_rewrites, rewrite=0.005, max_df=3, workers=1)
    expected = oracle_resemblance(with_rewrites, 3, Parameters().normalize_options())
    assert report.counts.common_rewrite_shingles > 0
    assert report.pairs
    for pair in report.pairs:
        assert pair.rewrite == pytest.approx(expected[int(pair.a), int(pair.b)][0], abs=1e-9)
    reported = {(int(p.a), int(p.b)) for p in report.pairs}
    qualify = {
        pair for pair, (value, shared) in expected.items()
        if value >= 0.005 and shared >= LEAST_SHARED
    }
    assert qualify - reported == set()
    assert len(qualify) > 3



def test_common_text_does_not_hide_a_rewrite(seeds: list[str]) -> None:
    """Two documents mostly made of text that many others hold (common 4-grams), whose own
    parts resemble: found, with the resemblance the oracle gives. (A candidate filter on a
    share of all their 4-grams would drop them.)"""
    boilerplate = seeds[0][:600]
    own = seeds[5][:200]
    changed = "".join("某" if k % 9 == 4 else c for k, c in enumerate(own))
    others = [boilerplate + seeds[k][:80] for k in range(1, 9)]
    docs = [*others, boilerplate + own, boilerplate + changed]
    report = find_duplicates(docs, threshold=0.99, rewrite=0.05, max_df=3, workers=1)
    expected = oracle_resemblance(docs, 3, Parameters().normalize_options())[8, 9]
    assert expected[0] >= 0.05 and expected[1] >= LEAST_SHARED
    pairs = {(p.a, p.b): p for p in report.pairs}
    assert pairs["8", "9"].rewrite == pytest.approx(expected[0], abs=1e-9)

def test_inserted_text_is_discounted(seeds: list[str]) -> None:
    """A rewrite of report 4 (every second word replaced) into which sentences of report 9
    were inserted, 0.8 of its own length: its distinctive Jaccard with report 4 (0.06) is
    hardly above that of two unrelated reports of the collection (up to 0.046), but most of
    each text lies in sentences with a partner in the other, and of no unrelated pair's.
    Found with the preset (not by the earlier measure, Jaccard >= 0.07), and with a margin
    of more than 1.6x over every unrelated pair (the Jaccard's was 1.35x)."""
    sentences = reversed_words(seeds[3], 1, every=2)
    foreign = [s for s in SENTENCE.findall(seeds[8]) if s.strip()]
    rng, taken = random.Random(3), []
    for sentence in foreign:
        if sum(map(len, taken)) >= 0.8 * sum(map(len, sentences)):
            break
        taken.append(sentence)
    for sentence in taken:
        sentences.insert(rng.randrange(len(sentences) + 1), sentence)
    docs = [*seeds, "".join(sentences)]
    options = Parameters().normalize_options()
    expected = oracle_resemblance(docs, 20, options)
    assert expected[3, 11][1] >= LEAST_SHARED
    report = find_duplicates(docs, preset="copies", formula_df=None, workers=1)
    found = {(p.a, p.b): p for p in report.pairs}
    assert found["3", "11"].rewrite == pytest.approx(expected[3, 11][0], abs=1e-9)
    unrelated = [
        value for (i, j), (value, _) in expected.items()
        if (i, j) not in {(1, 10), (3, 11), (8, 11)}  # the seed's rewrite; the donor
    ]
    assert found["3", "11"].rewrite >= 1.6 * max(unrelated)
    assert set(found) <= {("1", "10"), ("3", "11"), ("8", "11")}


def test_aligned_shares_leave_out_inserted_sentences() -> None:
    """Two sentences rewritten and moved, one inserted: each of a's sentences has a partner
    (one sentence of b sharing 4 or more of its 4-grams); b's inserted sentence has none, so
    b's share is its other sentences' characters over all of them; both kernels agree."""
    a = "张三李四王五赵六周七吴八郑九。一二三四五六七八九十甲乙。"
    b = "一二三四五六七八九十丙丁！完全不同的内容插进来了。张三李四王五赵六周七吴某。"
    profiles = sentence_profiles([a, b], [codepoints(normalize_text(t)) for t in (a, b)],
                                 NormalizeOptions(), np.empty(0, dtype=np.uint32))
    for kernel in (None, _aligned_lengths):
        in_a, in_b = aligned_shares(profiles[0], profiles[1], kernel)
        assert in_a == 1.0
        assert in_b == pytest.approx(24 / 35)  # 12 + 12 of 12 + 11 + 12 characters
    expected = oracle_resemblance([a, b], 2, NormalizeOptions())[0, 1]
    assert resemblance(profiles[0], profiles[1]) == (pytest.approx(expected[0]), expected[1])


def test_the_kernels_agree(with_rewrites: list[str]) -> None:
    """The compiled and the numpy aligned shares are the same for every pair of the seeds
    and rewrites, with a cut that makes 4-grams common."""
    pytest.importorskip("numba")
    from neardup.core.rewrites_numba import aligned_lengths

    options = NormalizeOptions()
    cps = [codepoints(normalize_text(t, options)) for t in with_rewrites]
    sets = [shingle_set(normalize_text(t, options), 4) for t in with_rewrites]
    values, held = np.unique(np.concatenate(sets), return_counts=True)
    profiles = sentence_profiles(with_rewrites, cps, options, values[held > 3])
    for i, a in enumerate(profiles):
        for b in profiles[i + 1 :]:
            compiled = aligned_lengths(a.grams, a.sentences, a.lengths, b.grams, b.sentences,
                                       b.lengths, PARTNER)
            assert tuple(map(int, compiled)) == _aligned_lengths(a, b)


def test_profiles_made_in_parts_are_the_same(
    with_rewrites: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    options = NormalizeOptions()
    cps = [codepoints(normalize_text(t, options)) for t in with_rewrites]
    common = np.sort(shingle_set(normalize_text(with_rewrites[0], options), 4))
    whole = sentence_profiles(with_rewrites, cps, options, common)
    monkeypatch.setattr(rewrites, "PROFILE_CHARACTERS", 2000)  # parts of one or a few texts
    parts = sentence_profiles(with_rewrites, cps, options, common)
    assert len(parts) == len(whole) == len(with_rewrites)
    for a, b in zip(whole, parts, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_too_little_text_is_no_rewrite() -> None:
    """Two short notices of one template resemble (distinctive 4-grams Jaccard 0.26) but
    share fewer than LEAST_SHARED distinctive 4-grams: not a rewritten copy."""
    a = "国务院总理李强24日在北京会见法国外长科隆纳，双方就中法关系交换了意见。"
    b = "国务院总理李强27日在北京会见德国外长贝尔伯克，双方就中德关系交换了意见。"
    expected = oracle_resemblance([a, b], 50, Parameters().normalize_options())[0, 1]
    assert expected[0] > 0.2 and expected[1] < LEAST_SHARED
    assert not find_duplicates([a, b], rewrite=0.07, workers=1).pairs


def test_workers_do_not_change_the_result(with_rewrites: list[str]) -> None:
    one = find_duplicates(with_rewrites, preset="copies", workers=1)
    two = find_duplicates(with_rewrites, preset="copies", workers=2)
    assert one.pairs == two.pairs


def test_parameters() -> None:
    assert Parameters(rewrite=0.1).rewrite == 0.1
    assert Parameters().rewrite is None
    for bad in (0, 1.5, True, "0.1"):
        with pytest.raises(ParameterError, match="rewrite"):
            Parameters(rewrite=bad)
    with pytest.raises(ParameterError, match="verify='exact'"):
        Parameters(rewrite=0.1, verify="estimate")


def test_the_index_takes_a_rewrite_search_per_query_not_at_creation() -> None:
    with pytest.raises(ParameterError, match="rewrite is chosen per query"):
        DuplicateIndex.create(MEMORY, rewrite=0.1)


def test_scan_reports_the_resemblance(tmp_path: Path, with_rewrites: list[str]) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"d{k}", "text": t}, ensure_ascii=False) + "\n"
                for k, t in enumerate(with_rewrites)),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["scan", str(path), "--rewrite", "0.07", "-f", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["parameters"]["rewrite"] == 0.07
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert set(pairs) == {("d1", "d10"), ("d3", "d11"), ("d6", "d12")}
    assert all(p["rewrite"] >= 0.07 for p in pairs.values())
    plain = CliRunner().invoke(main, ["scan", str(path), "-f", "json"])
    assert all("rewrite" not in p for p in json.loads(plain.output)["pairs"])


def test_check_against_with_the_preset_runs_the_rewrite_search(
    tmp_path: Path, with_rewrites: list[str]
) -> None:
    """``check --against --preset copies`` runs the rewrite search and the judgement in the
    index it builds in memory, and finds the rewritten copy a scan finds, for its reason."""
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(with_rewrites[3], encoding="utf-8")
    new.write_text(with_rewrites[11], encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(new), "--against", str(old), "--preset", "copies", "-q",
               "-f", "json"]
    )
    assert result.exit_code == 1, result.output
    [pair] = json.loads(result.output)["pairs"]
    scan = find_duplicates([Document("old.txt", with_rewrites[3]),
                            Document("new.txt", with_rewrites[11])], preset="copies")
    [scanned] = scan.pairs
    assert (pair["a"], pair["b"]) == ("new.txt", "old.txt")
    assert pair["reason"] == scanned.reason and pair["reason"].startswith("rewritten")
    assert pair["rewrite"] == round(scanned.rewrite or 0.0, 6) >= 0.025


def test_an_index_records_its_folding(tmp_path: Path) -> None:
    """``index create --script simplified`` records it; a check that asks otherwise is
    refused (exit 2), one that asks the same or nothing runs."""
    index = tmp_path / "seeds.ndx"
    runner = CliRunner()
    made = runner.invoke(main, ["index", "create", str(index), "--script", "simplified"])
    assert made.exit_code == 0, made.output
    assert DuplicateIndex.open(str(index)).parameters.script == "simplified"
    added = runner.invoke(main, ["index", "add", str(index), str(SEEDS), "-q"])
    assert added.exit_code == 0, added.output
    traditional = ROOT / "tests" / "data" / "seeds_traditional.txt"
    same = runner.invoke(main, ["check", str(traditional), "--index", str(index), "-q"])
    assert same.exit_code == 1  # traditional reposts of indexed reports
    asked = runner.invoke(
        main, ["check", str(traditional), "--index", str(index), "--script", "simplified", "-q"]
    )
    assert asked.exit_code == 1
    other = runner.invoke(
        main, ["check", str(traditional), "--index", str(index), "--synonyms", "-q"]
    )
    assert other.exit_code == 2
    assert "synonyms" in other.output


# ------------------------------------------------------------------- folded matches in HTML


def test_folded_parts_tell_folding_from_punctuation() -> None:
    """A replaced stretch counts as folded only when its letters differ: the synonyms here,
    not the full-width comma or the case of the Latin letters."""
    a, b = "他们马上召开会议，讨论ABC。", "他们立刻举行会议,讨论abc。"
    passage = Passage(0, len(a), 0, len(b), a)
    in_a, in_b = folded_parts(a, b, passage)
    assert [(p.start, p.end, p.other) for p in in_a] == [(2, 6, "立刻举行")]
    assert [(p.start, p.end, p.other) for p in in_b] == [(2, 6, "马上召开")]
    assert folded_parts(a, a, Passage(0, len(a), 0, len(a), a)) == ([], [])


def test_html_marks_what_matched_only_after_folding(tmp_path: Path, seeds: list[str]) -> None:
    """A traditional repost: with script folding its passages are underlined where the
    characters differ, with the simplified original's characters on hover; the same
    characters are not underlined, and a report without folding marks nothing (its passages
    are verbatim)."""
    traditional = load_documents(ROOT / "tests" / "data" / "seeds_traditional.txt")[2].text
    # a sentence added, so that the two are not identical once folded (an identical pair
    # is reported as a group of identical documents, without passages)
    docs = [("simplified", seeds[2]), ("traditional", traditional + "\n另外補充一句。")]
    folded = find_duplicates(docs, script="simplified", with_texts=True, workers=1)
    page = Page(render(add_passages(folded, folded.texts), "html", texts=folded.texts))
    [pair] = page.data("nd-detail")["pairs"]
    texts = [page.texts()[folded.pairs[0].a], page.texts()[folded.pairs[0].b]]
    assert pair["f"][0] and pair["f"][1]
    for text, parts in zip(texts, pair["f"], strict=True):
        for start, end, other in parts:
            shown = text[start:end]
            assert shown != other and len(shown) == len(other)  # one code point to one
    assert page.data("nd-table")["folds"] is True  # the page explains the underline
    rewritten = [("2", seeds[1]), ("11", seeds[10])]  # the seed's rewrite, not folded
    plain = find_duplicates(rewritten, with_texts=True, workers=1)
    assert plain.pairs
    plain_page = Page(render(add_passages(plain, plain.texts), "html", texts=plain.texts))
    assert plain_page.data("nd-detail")["pairs"][0]["f"] == [[], []]
    assert plain_page.data("nd-table")["folds"] is False
