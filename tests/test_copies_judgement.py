"""The copies judgement (``formula_df``, :mod:`neardup.searches.copies`): copies told from
template siblings by what they share, on the seed reports (eleven siblings of one template,
of which report 2 is a rewritten copy of report 11) and on texts made for each case."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from conftest import SEEDS

from neardup import add_passages, find_duplicates
from neardup.core.formula import (
    CopyRule,
    Specificity,
    heaviest_chain,
    profile,
    specificity,
)
from neardup.core.normalize import codepoints
from neardup.io.corpus import load_documents

NO_FORMULA = np.empty(0, dtype=np.uint32)


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    return {f"s{k + 1}": doc.text for k, doc in enumerate(load_documents(SEEDS))}


def test_among_the_seed_reports_only_the_rewritten_copy_is_a_copy(seeds: dict[str, str]) -> None:
    report = find_duplicates(seeds, preset="copies", workers=1)
    assert [(p.a, p.b) for p in report.pairs] == [("s2", "s11")]
    pair = report.pairs[0]
    assert pair.reason and "shorter text" in pair.reason
    assert pair.specific_a is not None and pair.specific_a > 0.8
    assert pair.formula_a is not None and pair.formula_a < 0.1
    assert all(p.reason for p in report.set_apart)
    assert report.counts.set_apart == len(report.set_apart)
    assert not {(p.a, p.b) for p in report.set_apart} & {(p.a, p.b) for p in report.pairs}
    found = json.loads(json.dumps(report.to_dict()))
    assert found["pairs"][0]["reason"] == pair.reason
    assert "set_apart" in found and found["counts"]["set_apart"] == len(report.set_apart)


def test_without_the_judgement_the_preset_reports_what_it_found(seeds: dict[str, str]) -> None:
    report = find_duplicates(seeds, preset="copies", formula_df=None, workers=1)
    assert ("s2", "s11") in {(p.a, p.b) for p in report.pairs}
    assert report.set_apart == [] and all(p.reason is None for p in report.pairs)
    assert "set_apart" not in report.to_dict()


def test_half_of_one_report_and_half_of_another_is_a_copy_of_both(
    seeds: dict[str, str],
) -> None:
    three, seven = seeds["s3"], seeds["s7"]
    docs = seeds | {"half": three[: len(three) // 2] + seven[len(seven) // 2 :]}
    report = find_duplicates(docs, preset="copies", workers=1)
    assert {(p.a, p.b) for p in report.pairs if "half" in (p.a, p.b)} == {
        ("s3", "half"), ("s7", "half")}


def test_an_essay_from_three_reports_names_each_source_and_its_share(
    seeds: dict[str, str],
) -> None:
    """31%, 18% and 12% of an essay taken from three reports, the rest its own (text no
    other document holds): each source is reported with its share, though the second and
    third supply less than a containment of 0.3 in either direction."""
    size = 3000
    own = seeds["s10"][::-1][: int(0.39 * size)]  # reversed: shares no 5-gram with any
    a = seeds["s1"][800 : 800 + int(0.31 * size)]
    b = seeds["s4"][300 : 300 + int(0.18 * size)]
    c = seeds["s6"][1000 : 1000 + int(0.12 * size)]
    essay = a + own[:400] + b + own[400:800] + c + own[800:]
    report = find_duplicates(seeds | {"essay": essay}, preset="copies", with_texts=True,
                             workers=1)
    assert {p.a for p in report.pairs if p.b == "essay"} == {"s1", "s4", "s6"}
    viewed = add_passages(report, report.texts)
    (found,) = [c for c in viewed.copies if c.id == "essay"]
    shares = {source.id: source.share for source in found.sources}
    assert shares == pytest.approx({"s1": 0.31, "s4": 0.18, "s6": 0.12}, abs=0.03)
    assert found.share == pytest.approx(0.61, abs=0.03)


def filled(template: str, rng: random.Random) -> str:
    """The template with its slots filled: a name, a place, a date and two figures."""
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞"]
    places = ["杭州", "成都", "西安", "长沙", "昆明", "南宁", "太原", "合肥", "福州", "济南"]
    return template.format(
        name=rng.choice(names), place=rng.choice(places), month=rng.randint(1, 12),
        day=rng.randint(1, 28), count=rng.randint(100, 999), share=rng.randint(10, 99))


TEMPLATE = (
    "{month}月{day}日，{place}市举行新闻发布会，市政府新闻办公室主任{name}通报有关情况。"
    "据介绍，今年以来全市累计新增就业岗位{count}个，重点项目完成投资比例达到百分之{share}，"
    "各项工作总体平稳有序推进。发布会强调，要坚持稳中求进工作总基调，统筹发展和安全，"
    "扎实做好各项民生保障工作，确保全年目标任务圆满完成。"
)


def test_template_siblings_are_set_apart_and_a_copy_among_them_is_not() -> None:
    """Thirty notices filled from one template (different names, places, dates, figures)
    and one that also carries a specific paragraph of another document."""
    rng = random.Random(7)
    docs = {f"n{k}": filled(TEMPLATE, rng) for k in range(30)}
    story = ("该市还在老城区试点建设口袋公园二十处，利用边角地块种植本地乔木和花草，"
             "附近居民步行五分钟即可到达，受到群众普遍欢迎。")
    docs["story"] = "市园林局近日介绍了城市绿化工作的最新进展。" + story + "下一步将继续推广。"
    docs["n30"] = filled(TEMPLATE, rng) + story
    report = find_duplicates(docs, preset="copies", workers=1)
    assert [(p.a, p.b) for p in report.pairs] == [("story", "n30")]
    siblings = [p for p in report.set_apart if p.a.startswith("n") and p.b.startswith("n")]
    assert siblings, "the siblings the searches found are listed apart"
    why = ("no specific passage", "template filled in", "mostly formula", "little specific",
           "only formula")
    assert all(any(w in (p.reason or "") for w in why) for p in siblings)


def test_reposts_and_identical_texts_are_copies_in_any_collection() -> None:
    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书学习。"
    docs = {"a": text, "b": text + "！", "c": text + "晚上回家做饭。", "d": "完全不同的一句话而已。"}
    report = find_duplicates(docs, preset="copies", workers=1)
    assert {(p.a, p.b) for p in report.pairs} == {("a", "b"), ("a", "c"), ("b", "c")}
    reasons = {(p.a, p.b): p.reason for p in report.pairs}
    assert reasons["a", "b"] == "the same text once normalized"
    assert "unchanged" in (reasons["a", "c"] or "") and "unchanged" in (reasons["b", "c"] or "")


def measured(a: str, b: str) -> Specificity:
    return specificity(profile(codepoints(a), NO_FORMULA, 5),
                       profile(codepoints(b), NO_FORMULA, 5), 5)


def test_a_template_filled_in_differently_has_slots_and_different_figures() -> None:
    rng = random.Random(1)
    one, two = filled(TEMPLATE, rng), filled(TEMPLATE, rng)
    found = measured(one, two)
    assert found.slots > 0 and found.facts > 0 and found.figures_kept < 1
    rewritten = measured(one, one.replace("统筹", "兼顾").replace("扎实", "切实"))
    assert rewritten.figures_kept == 1 and rewritten.facts == 0


def test_theheaviest_chain_is_the_heaviest_increasing_sequence() -> None:
    rng = random.Random(5)
    for _ in range(200):
        k = rng.randint(1, 7)
        starts_a = rng.sample(range(0, 100, 10), k)
        starts_b = rng.sample(range(0, 100, 10), k)
        tiles = np.array([(a, b, rng.randint(1, 10)) for a, b in zip(starts_a, starts_b, strict=True)],
                         dtype=np.int64)
        chain = heaviest_chain(tiles)
        rows = tiles[chain]
        assert (np.diff(rows[:, 0]) > 0).all() and (np.diff(rows[:, 1]) > 0).all()
        best = 0
        for mask in range(1, 1 << k):
            chosen = tiles[[i for i in range(k) if mask >> i & 1]]
            chosen = chosen[np.argsort(chosen[:, 0])]
            if (np.diff(chosen[:, 1]) > 0).all():
                best = max(best, int(chosen[:, 2].sum()))
        assert int(rows[:, 2].sum()) == best


def test_each_reason_names_the_rule_that_decided() -> None:
    rule = CopyRule()
    base = Specificity(0.2, 0.2, 0.1, 0.1, 50, 0.3, 0.0, 0.0, 400, 2, 1.0)
    assert rule.reason(base) == (True, "a specific passage of 50 characters (punctuation and spaces not counted)")
    edited = Specificity(0.4, 0.4, 0.1, 0.1, 20, 0.2, 3.0, 0.0, 400)  # sentences taken, edited
    assert rule.reason(edited) == (True, "40% of the shorter text is specific shared text")
    assert not rule.reason(Specificity(0.15, 0.15, 0.1, 0.1, 20, 0.3, 0.0, 0.0, 400))[0]
    assert "template" in rule.reason(Specificity(0.3, 0.3, 0.1, 0.1, 50, 0.3, 2.0, 1.0, 400))[1]
    assert "formula" in rule.reason(Specificity(0.1, 0.1, 0.5, 0.5, 50, 0.3, 0.0, 0.0, 400))[1]
    assert "quoted" in rule.reason(Specificity(0.05, 0.05, 0.0, 0.0, 50, 0.05, 0.0, 0.0, 900))[1]
    assert rule.reason(Specificity(0.05, 0.05, 0.0, 0.0, 70, 0.05, 0.0, 0.0, 900))[0]
    assert rule.reason(Specificity(0.0, 0.0, 0.9, 0.9, 0, 0.9, 0.5, 0.5, 600))[0]
    yearly = Specificity(0.5, 0.5, 0.3, 0.3, 200, 0.9, 2.5, 2.0, 900)  # new figures each year
    assert not rule.reason(yearly)[0]
    notice = Specificity(0.1, 0.1, 0.7, 0.7, 40, 0.8, 1.5, 0.0, 600)  # formula, other names
    assert not rule.reason(notice)[0]
    rewritten = Specificity(0.2, 0.2, 0.1, 0.1, 20, 0.2, 3.0, 0.5, 400, 4, 1.0)
    assert not rule.reason(rewritten)[0] and rule.reason(rewritten, rewritten=True)[0]


def test_the_text_report_says_why_a_pair_is_a_copy_and_how_many_were_set_apart() -> None:
    from neardup.formats.text import render_text

    rng = random.Random(3)
    docs = {f"n{k}": filled(TEMPLATE, rng) for k in range(12)}
    docs["copy"] = docs["n0"] + "此外，该市将在年底前完成老旧小区改造任务的百分之八十以上。"
    report = find_duplicates(docs, preset="copies", workers=1)
    text = render_text(report)
    assert "copies judged by what they share (formula-df 10)" in " ".join(text.split())
    assert "     copy: " in text and "specific" in text
    if report.set_apart:
        assert f"Set apart: {len(report.set_apart)} pair" in text


def test_a_rare_text_candidate_needs_more_shared_rarities_in_longer_documents() -> None:
    from neardup.searches.copies import enough_rare

    shared = np.array([4, 4, 7, 8, 8])
    smaller = np.array([50, 150, 1000, 1000, 100000])
    assert enough_rare(shared, smaller, smaller * 2).tolist() == [True, False, False, True, True]


def judged_pairs(docs: dict[str, str]) -> list[tuple[object, ...]]:
    report = find_duplicates(docs, preset="copies", workers=1)
    return [(p.a, p.b, p.reason, p.specific_a, p.specific_b, p.formula_a, p.formula_b,
             p in report.pairs) for p in [*report.pairs, *report.set_apart]]


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_either_kernel_judges_every_pair_the_same(
    kernel: str, seeds: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch measures (compiled or numpy) decide as the pair-by-pair measure did: the
    same copies, pairs set apart, reasons and figures."""
    if kernel == "numba":
        pytest.importorskip("numba")
    rng = random.Random(11)
    docs = seeds | {f"n{k}": filled(TEMPLATE, rng) for k in range(16)}
    docs["copy"] = docs["n3"] + "此外，该市将在年底前完成老旧小区改造任务的百分之八十以上。"
    docs["half"] = seeds["s3"][: len(seeds["s3"]) // 2] + seeds["s7"][len(seeds["s7"]) // 2 :]
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    expected = judged_pairs(docs)
    assert any(copy for *_, copy in expected) and not all(copy for *_, copy in expected)
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    assert judged_pairs(docs) == expected


def test_the_judge_reads_pairs_of_any_node_numbers() -> None:
    """Verification names the compared documents by node; the judge finds each node's text
    whatever the numbers (not only positions)."""
    from neardup.parameters import Parameters
    from neardup.searches.copies import SpecificCopies
    from neardup.searches.protocol import ComparedTexts, Judged

    shared = "该市还在老城区试点建设口袋公园二十处利用边角地块种植本地乔木和花草附近居民步行五分钟即可到达"
    texts = ["市园林局近日介绍了绿化进展" + shared, "完全不同的一段文字讲的是别的事情而已没有什么",
             shared + "下一步将继续推广"]
    nodes = [30, 10, 20]
    compared = ComparedTexts(nodes, [codepoints(t) for t in texts], {})
    judge = SpecificCopies().judge(Parameters(formula_df=10), compared)
    assert judge is not None
    overlaps = np.array([[0.5, 0.8, 0.8], [0.0, 0.0, 0.0]])
    verdicts = judge.judge(Judged([(30, 20), (10, 20)], overlaps, np.array([True, False])), {})
    assert verdicts.copy.tolist() == [True, False]
    assert verdicts.reasons == [f"a specific passage of {len(shared)} characters (punctuation and spaces "
                                "not counted)",
                                "shares little specific text (text few documents hold)"]
    assert verdicts.figures["specific_b"][0] == len(shared) / len(texts[2])
    assert np.isnan(verdicts.figures["specific_a"][1])
