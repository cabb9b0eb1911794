"""Evidence passages: spans of the original texts that hold the same normalized text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup import NormalizeOptions, Parameters, find_duplicates, load_documents, normalize_text
from neardup.errors import InputError, ParameterError
from neardup.evidence.passages import Evidence, add_passages, shared_passages

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_A = "000_28473338c6d0f06c.txt#2"
SEED_B = "000_28473338c6d0f06c.txt#11"


def check_evidence(
    a: str, b: str, evidence: Evidence, options: NormalizeOptions | None = None, min_length: int = 5
) -> None:
    """The invariants every result must keep."""
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    lengths = []
    for p in evidence.passages:
        assert 0 <= p.a_start < p.a_end <= len(a)
        assert 0 <= p.b_start < p.b_end <= len(b)
        assert p.text == a[p.a_start : p.a_end]
        norm = normalize_text(p.text, options)
        assert norm == normalize_text(b[p.b_start : p.b_end], options)
        assert len(norm) >= min_length
        lengths.append(len(norm))
        span_a = set(range(p.a_start, p.a_end))
        span_b = set(range(p.b_start, p.b_end))
        assert not span_a & taken_a and not span_b & taken_b, "passages overlap"
        taken_a |= span_a
        taken_b |= span_b
    assert lengths == sorted(lengths, reverse=True)
    assert 0.0 <= evidence.a_coverage <= 1.0 and 0.0 <= evidence.b_coverage <= 1.0
    total_a = len(normalize_text(a, options))
    if total_a:
        assert evidence.a_coverage == pytest.approx(sum(lengths) / total_a)


def test_one_passage_across_punctuation_and_spaces() -> None:
    a = "今天天气很好，我们去公园散步吧。"
    b = "昨天：今天天气很好 我们去公园散步"
    evidence = shared_passages(a, b)
    assert [(p.a_start, p.a_end, p.b_start, p.b_end) for p in evidence.passages] == [(0, 14, 3, 17)]
    assert evidence.passages[0].text == "今天天气很好，我们去公园散步"
    check_evidence(a, b, evidence)


def test_passages_are_the_spans_of_the_pure_search() -> None:
    """``shared_passages`` (evidence) is :func:`neardup.core.passages.shared_spans` (core,
    spans only) with each span's text in a."""
    from neardup.core.passages import shared_spans

    a = "第一部分的内容完全相同而且比较长一些。中间这句被改写过了。最后一部分也相同"
    b = "第一部分的内容完全相同而且比较长一些。中间那段已经换了说法！最后一部分也相同"
    found, evidence = shared_spans(a, b), shared_passages(a, b)
    assert found.spans == tuple((p.a_start, p.a_end, p.b_start, p.b_end) for p in evidence.passages)
    assert [p.text for p in evidence.passages] == [a[a0:a1] for a0, a1, _, _ in found.spans]
    assert (found.a_coverage, found.b_coverage) == (evidence.a_coverage, evidence.b_coverage)
    assert len(found.spans) >= 2


def test_rewritten_middle_gives_two_passages_longest_first() -> None:
    a = "第一部分的内容完全相同而且比较长一些。中间这句被改写过了。最后一部分也相同"
    b = "第一部分的内容完全相同而且比较长一些。中间那段已经换了说法！最后一部分也相同"
    evidence = shared_passages(a, b)
    texts = [normalize_text(p.text) for p in evidence.passages]
    assert texts[0] == "第一部分的内容完全相同而且比较长一些中间"
    assert "最后一部分也相同" in texts
    check_evidence(a, b, evidence)


def test_identical_and_disjoint_texts() -> None:
    text = "意识形态工作责任制落实情况的总结报告"
    same = shared_passages(text, text)
    assert len(same.passages) == 1 and same.passages[0].text == text
    assert same.a_coverage == same.b_coverage == 1.0
    none = shared_passages(text, "完全不相关的另一段文字内容")
    assert none.passages == () and none.a_coverage == 0.0
    empty = shared_passages("", text)
    assert empty.passages == () and empty.b_coverage == 0.0


def test_texts_shorter_than_ngram() -> None:
    evidence = shared_passages("你好", "你好！", ngram=5, min_length=1)
    assert [p.text for p in evidence.passages] == ["你好"]


def test_moved_paragraphs_are_matched_in_both_orders() -> None:
    p1 = "第一段讲的是理论学习的具体安排和要求"
    p2 = "第二段讲的是宣传阵地的管理办法和制度"
    evidence = shared_passages(p1 + p2, p2 + "。" + p1)
    assert sorted(normalize_text(p.text) for p in evidence.passages) == sorted([p1, p2])
    check_evidence(p1 + p2, p2 + "。" + p1, evidence)


def test_repeated_passage_in_one_text_is_matched_once() -> None:
    chunk = "这是一段会被重复两次的文字"
    a = chunk + "，中间插一句不同的话，" + chunk
    b = chunk
    evidence = shared_passages(a, b)
    assert len(evidence.passages) == 1
    assert evidence.b_coverage == 1.0
    check_evidence(a, b, evidence)


def test_expansions_and_html_entities_keep_the_invariant() -> None:
    options = NormalizeOptions(html=True)
    a = "重量为5㎏的货物<b>运送</b>&#x4e2d;国各地的仓库里面"
    b = "重量为5kg的货物运送中国各地的仓库里面"
    evidence = shared_passages(a, b, options=options)
    assert evidence.passages
    assert evidence.a_coverage == 1.0
    check_evidence(a, b, evidence, options)


def test_min_length_and_parameters() -> None:
    a, b = "甲乙丙丁戊己庚辛壬癸", "子丑甲乙丙丁戊寅卯辰"
    assert [p.text for p in shared_passages(a, b).passages] == ["甲乙丙丁戊"]
    assert shared_passages(a, b, min_length=6).passages == ()
    with pytest.raises(ParameterError):
        shared_passages(a, b, ngram=0)
    with pytest.raises(ParameterError):
        shared_passages(a, b, min_length=0)


_pieces = st.sampled_from(
    ["意识形态", "工作", "总结", "，", " ", "\n", "。", "ＡＢ", "ab", "㎏", "学习", "强国",
     "&amp;", "e\u0301"]
)
_text = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(_text, _text, _text, st.booleans())
def test_property_passages_hold_the_same_normalized_text(
    shared: str, extra_a: str, extra_b: str, html: bool
) -> None:
    options = NormalizeOptions(html=html)
    a = extra_a + shared + extra_b
    b = extra_b + shared + extra_a
    evidence = shared_passages(a, b, ngram=3, options=options, min_length=3)
    check_evidence(a, b, evidence, options, min_length=3)


@pytest.fixture(scope="module")
def seed_evidence() -> tuple[dict[str, str], object]:
    texts = {d.id: d.text for d in load_documents(SEEDS)}
    report = add_passages(find_duplicates(texts), texts)
    return texts, report


def test_seed_pair_passages_index_the_original_articles(seed_evidence: tuple) -> None:
    texts, report = seed_evidence
    assert [(p.a, p.b) for p in report.pairs] == [(SEED_A, SEED_B)]
    pair = report.pairs[0]
    a, b = texts[SEED_A], texts[SEED_B]
    check_evidence(a, b, Evidence(pair.passages, pair.a_coverage, pair.b_coverage))
    assert len(pair.passages[0].text) > 1000
    assert 0.8 < pair.a_coverage <= 1.0 and 0.8 < pair.b_coverage <= 1.0
    assert report.to_dict()["pairs"][0]["a_coverage"] == round(pair.a_coverage, 6)


def test_add_passages_word_unit_falls_back_to_characters() -> None:
    texts = {
        "x": "我们今天去北京天安门看升旗仪式然后去故宫参观",
        "y": "我们今天去北京天安门看升旗仪式然后去故宫参观了",
    }
    # a report as find_duplicates(texts, unit="word", ngram=2) makes it, without loading jieba
    char_report = find_duplicates(texts)
    report = replace(char_report, parameters=Parameters(unit="word", ngram=2))
    [pair] = add_passages(report, texts).pairs
    assert [p.text for p in pair.passages] == [texts["x"]]


def test_add_passages_needs_every_text() -> None:
    texts = {"x": "今天天气很好我们去公园散步", "y": "今天天气很好我们去公园散步吧"}
    report = find_duplicates(texts)
    with pytest.raises(InputError, match="'y'"):
        add_passages(report, {"x": texts["x"]})


def test_repetitive_texts_stay_one_passage() -> None:
    long, short = "哈" * 3000, "哈" * 1000
    evidence = shared_passages(long, short)
    assert [len(p.text) for p in evidence.passages] == [1000]
    assert evidence.b_coverage == 1.0
    check_evidence(long, short, evidence)
    period = "我们大家" * 500
    shifted = shared_passages(period, "，" + period[1:])
    assert [len(p.text) for p in shifted.passages] == [1999]
    check_evidence(period, "，" + period[1:], shifted)


def test_repetitive_stretch_between_distinct_text() -> None:
    head_a = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(400))
    head_b = "".join(chr(0x4E00 + (i * 104729) % 20000) for i in range(200))
    tail = "这一段结尾在两篇文章里完全一样并且足够长"
    a = head_a + "好" * 600 + tail
    b = head_b + "好" * 600 + tail
    evidence = shared_passages(a, b)
    assert normalize_text(evidence.passages[0].text) == "好" * 600 + tail
    check_evidence(a, b, evidence)


def test_tiling_never_trusts_a_hash_collision() -> None:
    from neardup.core.normalize import codepoints
    from neardup.core.passages import tile_runs

    a = codepoints("一二三四五六七八九十")
    b = codepoints("一二三四五X七八九十")
    # a run as a hash collision would make it: claimed equal over all ten characters
    assert tile_runs(a, b, [(-10, 0, 0)], 3) == [(0, 0, 5), (6, 6, 4)]
    assert tile_runs(a, b, [(-10, 0, 0)], 5) == [(0, 0, 5)]


def test_tiling_cuts_runs_around_taken_text() -> None:
    from neardup.core.normalize import codepoints
    from neardup.core.passages import tile_runs

    a = codepoints("甲乙丙丁戊己庚辛壬癸子丑")
    b = codepoints("甲乙丙丁戊己庚辛壬癸子丑甲乙丙丁戊己庚")
    # the long run takes a[0:12] = b[0:12]; the second run (a[0:7] = b[12:19]) is blocked in a
    assert tile_runs(a, b, [(-12, 0, 0), (-7, 0, 12)], 2) == [(0, 0, 12)]
    # a run taken partly in b keeps its free pieces
    assert tile_runs(a, b, [(-5, 0, 12), (-7, 3, 3)], 2) == [(3, 3, 7), (0, 12, 3)]


# ---------------------------------------------------------------------------- both paths


def _whole_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from neardup.core import passages

    monkeypatch.setattr(passages, "_compiled", lambda size_a, size_b: False)


_repetitive = st.lists(st.sampled_from(["哈", "哈哈", "我们", "大家", "，", "好"]), max_size=60)


@settings(max_examples=120, deadline=None)
@given(_text, _text, _text, st.lists(_repetitive.map("".join), max_size=3), st.integers(1, 6))
def test_property_compiled_and_whole_array_paths_agree(
    shared: str, extra_a: str, extra_b: str, noise: list[str], ngram: int
) -> None:
    pytest.importorskip("numba")
    a = extra_a + shared + "".join(noise) + extra_b
    b = extra_b + "".join(reversed(noise)) + shared + extra_a + shared
    compiled = shared_passages(a, b, ngram=ngram, min_length=ngram)
    with pytest.MonkeyPatch.context() as patch:
        _whole_array_path(patch)
        plain = shared_passages(a, b, ngram=ngram, min_length=ngram)
    assert compiled == plain
    check_evidence(a, b, compiled, min_length=ngram)


def test_paths_agree_on_a_long_repetitive_law_text(
    corpora_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joined laws (boilerplate repeated hundreds of times: heavy n-grams, many runs on
    other diagonals) against a copy with a passage cut out and one moved."""
    pytest.importorskip("numba")
    docs = load_documents(corpora_dir / "laws_zh.jsonl.gz")
    a = "".join(d.text for d in docs[:40])
    cut, moved = len(a) // 3, slice(len(a) // 2, len(a) // 2 + 3000)
    b = a[: cut] + a[cut + 500 : moved.start] + a[moved.stop :] + a[moved]
    compiled = shared_passages(a, b)
    identical = shared_passages(a, a)
    _whole_array_path(monkeypatch)
    assert shared_passages(a, b) == compiled
    assert shared_passages(a, a) == identical
    check_evidence(a, b, compiled)
    assert compiled.b_coverage > 0.97 and compiled.a_coverage > 0.97  # all but the cut
    assert identical.a_coverage > 0.98


def test_progress_counts_every_character_of_every_pair() -> None:
    texts = {
        "x": "今天天气很好我们去公园散步然后回家吃饭",
        "y": "今天天气很好我们去公园散步然后回家吃饭吧",
        "z": "今天天气很好我们去公园散步然后回家吃饭了",
    }
    report = find_duplicates(texts)
    calls: list[tuple[str, int]] = []
    add_passages(report, texts, progress=lambda stage, n: calls.append((stage, n)))
    total = sum(len(texts[p.a]) + len(texts[p.b]) for p in report.pairs)
    assert calls[0] == ("passages", total)
    steps = [n for stage, n in calls[1:]]
    assert {stage for stage, _ in calls[1:]} == {"passage characters"}
    assert sum(steps) == total and min(steps) > 0 and len(steps) >= 3 * len(report.pairs)


def test_progress_of_a_long_pair_comes_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel chains the match points chunk by chunk of A and says so between chunks,
    so a huge pair's bar moves while its runs are found."""
    pytest.importorskip("numba")
    from neardup.core import passages, passages_numba

    monkeypatch.setattr(passages_numba, "CHUNK", 256)
    monkeypatch.setattr(passages, "_compiled", lambda size_a, size_b: True)
    a = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    b = a[:1000] + "插入的一句话" + a[1000:]
    steps: list[int] = []
    evidence = shared_passages(a, b, progress=steps.append)
    assert sum(steps) == len(a) + len(b)
    assert len(steps) >= 3 + 3000 // 256 - 1 and min(steps) > 0
    assert evidence.a_coverage == 1.0


@pytest.mark.parametrize("compiled", [True, False])
def test_runs_grow_linearly_with_a_repetitive_text(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work units of the search, the runs and the characters they span (the tiling
    looks at each character of each run), grow in proportion to the text, not its square,
    even when every n-gram recurs hundreds of times (a text made of a few phrases)."""
    import itertools
    import random

    from neardup.core import passages
    from neardup.core.normalize import codepoints
    from neardup.core.shingles import ngram_hashes

    if compiled:
        pytest.importorskip("numba")
    monkeypatch.setattr(passages, "_compiled", lambda size_a, size_b: compiled)
    phrases = ["我们大家", "今天天气很好", "依照本法规定", "的", "，", "第一条"]
    rng = random.Random(7)
    text_a = "".join(rng.choice(phrases) for _ in range(24000))
    text_b = "".join(rng.choice(phrases) for _ in range(24000))
    work = []
    for size in (len(text_a) // 4, len(text_a) // 2, len(text_a)):
        hashes = ngram_hashes(codepoints(normalize_text(text_a[:size])), 5)
        other = ngram_hashes(codepoints(normalize_text(text_b[:size])), 5)
        _, _, run_len = passages._diagonal_runs(hashes, other, 5)
        assert int(run_len.sum()) <= (passages.NEAREST + 1) * 5 * hashes.size
        work.append((run_len.size / hashes.size, int(run_len.sum()) / hashes.size))
    # per character of the text, the work does not grow from 20k to 80k characters
    # (a search quadratic in the text would do twice the work per character at each step)
    for (runs_small, chars_small), (runs_large, chars_large) in itertools.pairwise(work):
        assert runs_large <= 1.1 * runs_small and chars_large <= 1.1 * chars_small
    assert min(runs for runs, _ in work) > 0.1  # the search does find the repeated phrases
