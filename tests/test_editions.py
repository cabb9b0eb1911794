"""Editions of a recurring event (:mod:`neardup.core.editions`): a yearly ceremony's report
re-run with the edition changed is a template filled in again, not a copy; a text that names
the same edition, or an assembly's next term (a law revised), is judged by what it shares."""

from __future__ import annotations

import pytest

from neardup import find_duplicates
from neardup.core.editions import OPENING, conflicts, named
from neardup.core.numerals import chinese_numeral as number


@pytest.mark.parametrize(("written", "value"), [
    ("7", 7), ("十", 10), ("十一", 11), ("十二", 12), ("二十", 20), ("二十七", 27),
    ("一百零五", 105), ("一百一十", 110), ("两千零二十五", 2025), ("二〇二五", 2025),
    ("两", 2), ("三千", 3000), ("〇", 0),
])
def test_numbers_in_digits_or_chinese_numerals(written: str, value: int) -> None:
    assert number(written) == value


def test_an_unknown_numeral_is_an_error_not_a_wrong_number() -> None:
    with pytest.raises(ValueError, match="万"):
        number("一万")


def editions(text: str) -> dict[tuple[str, str], frozenset[int]]:
    return named(text).opening


def test_editions_are_keyed_by_what_they_count() -> None:
    found = editions("第十七届中华图书特殊贡献奖颁奖仪式今天举行庆祝香港回归祖国27周年第5轮巡视")
    assert found == {("届", "中华"): frozenset({17}), ("周年", "祖国"): frozenset({27}),
                     ("轮", "巡视"): frozenset({5})}
    assert editions("没有任何序数的一句话") == {}
    # digits and numerals are not read as one number
    assert editions("祖国统一70周年") == {("周年", "统一"): frozenset({70})}


def test_other_editions_of_one_event_conflict_and_other_events_do_not() -> None:
    a = named("第十七届中华图书特殊贡献奖在京颁发")
    assert conflicts(a, named("第19届中华图书特殊贡献奖在京颁发")) == [
        ("第17届中华", "第19届中华")]
    assert conflicts(a, named("第十七届中华图书特殊贡献奖获得者座谈")) == []
    assert conflicts(a, named("第五届全运会开幕")) == []  # another event: not compared
    # a text naming several editions conflicts only when none is shared
    assert conflicts(named("第一个百年和第二个百年"), named("第二个百年奋斗目标")) == []


def test_a_repost_under_a_note_recalling_last_years_edition_holds_this_years() -> None:
    """The note pushes the report out of the repost's opening; the report's edition is still
    in the repost, so the two are not other editions."""
    report = "今天是我国第十个烈士纪念日敬献花篮仪式上午在广场隆重举行" * 3
    note = "编者按去年第九个烈士纪念日本台曾作报道" + "今年的仪式同样庄严隆重" * 20
    assert conflicts(named(report), named(note + report)) == []


def test_an_assemblys_term_is_not_an_edition() -> None:
    """A law revised under the next term of the assembly that passes it is the same law."""
    for assembly in ("全国人民代表大会常务委员会", "检察委员会", "中央委员会", "全国政协",
                     "董事会", "监事会", "理事会", "市委常委会"):
        assert editions(f"第十三届{assembly}第五次会议通过") == {}
    assert editions("第十三届全国运动会") == {("届", "全国"): frozenset({13})}


RITUAL = ("礼兵就位随着号令三军仪仗兵迈着铿锵有力的步伐正步行进到纪念碑前持枪伫立，"
          "军乐团奏响义勇军进行曲，全场齐声高唱国歌，国歌唱毕全场肃立向英勇献身的烈士默哀，"
          "默哀毕手持鲜花的少年儿童面向纪念碑高唱我们是共产主义接班人并致少年先锋队队礼，"
          "军乐团奏响献花曲十八名礼兵稳稳抬起花篮缓步走向纪念碑将花篮摆放在纪念碑基座上。")


def report_of(edition_a: str, edition_b: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    docs = {
        "a": f"今天是我国{edition_a}烈士纪念日，敬献花篮仪式上午在广场隆重举行。{RITUAL}",
        "b": f"今天是我国{edition_b}烈士纪念日，敬献花篮仪式上午在广场隆重举行。{RITUAL}"
             "各界代表也依次走到纪念碑前献上鲜花。",
        "c": "市园林局近日介绍了城市绿化工作的最新进展，老城区试点建设口袋公园二十处。",
    }
    report = find_duplicates(docs, preset="copies", workers=1)
    return ([(p.a, p.b, p.reason or "") for p in report.set_apart],
            [f"{p.a}-{p.b}" for p in report.pairs])


def test_a_ceremony_re_run_for_another_edition_is_set_apart_with_the_editions() -> None:
    apart, copies = report_of("第十个", "第十二个")
    assert copies == []
    assert apart == [("a", "b", "another edition of a recurring event (第10个烈士 and "
                      "第12个烈士): a template filled in again")]


def test_the_same_edition_reposted_is_a_copy() -> None:
    apart, copies = report_of("第十个", "第10个")
    assert copies == ["a-b"] and apart == []


def test_editions_are_read_in_the_opening_only() -> None:
    """Further in, an edition may belong to a passage taken from elsewhere (an essay made of
    halves of two yearly reports copies the first, whatever the second half says)."""
    far = "这是一段很长的开头文字" * 20 + "第十七届中华图书特殊贡献奖"
    assert len(far) > OPENING and editions(far) == {}
    assert named(far).anywhere == {("届", "中华"): frozenset({17})}
    assert editions("第十七届中华图书特殊贡献奖" + far) == {("届", "中华"): frozenset({17})}
