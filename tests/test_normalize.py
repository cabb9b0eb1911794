"""Normalization: what it removes, its offsets, idempotence."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neardup import NormalizeOptions, ParameterError, normalize, normalize_text

TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(codec="utf-8"),
        st.sampled_from(list("，。！？“”《》、　 \n\tＡＢＣａｂｃ１２３ÉéΣσς😀#ﬁ㈱")),
    ),
    max_size=80,
)


def test_fullwidth_case_punctuation_whitespace_and_markers() -> None:
    assert normalize_text("ＡＢＣ，　中文！\n ##paidbegin##正文##paidend##") == "abc中文正文"


def test_markers_are_configurable() -> None:
    opts = NormalizeOptions(markers=(r"\[广告\]",))
    assert normalize_text("正文[广告]结束##paidbegin##", opts) == "正文结束paidbegin"


def test_invalid_marker_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="not a valid regular expression"):
        NormalizeOptions(markers=("(",))
    with pytest.raises(ParameterError, match="empty string"):
        NormalizeOptions(markers=("x*",))


def test_html_tags_entities_and_scripts() -> None:
    html = '<p class="a">中文&amp;英文&#20013;</p><script>var x = "<b>";</script><!-- c -->尾'
    assert normalize_text(html, NormalizeOptions(html=True)) == "中文英文中尾"
    assert "script" in normalize_text(html)  # markup is kept unless asked


def test_offsets_point_at_the_original_characters() -> None:
    text = "Ａ，b　中&lt;文"
    n = normalize(text, NormalizeOptions(html=True))
    assert n.text == "ab中<文"
    assert [text[o] for o in n.offsets] == ["Ａ", "b", "中", "&", "文"]


def test_expanding_characters_share_their_source_offset() -> None:
    n = normalize("x㈱y")
    assert n.text == "x株y"
    n = normalize("ﬁ")
    assert n.text == "fi" and n.offsets.tolist() == [0, 0]


def test_combining_sequences_are_composed() -> None:
    assert normalize_text("e\u0301") == "é"
    assert normalize_text("e,\u0301") == "é"


@given(TEXTS)
def test_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(TEXTS)
def test_result_is_nfkc_lowercase_without_punctuation_or_space(text: str) -> None:
    n = normalize(text)
    assert unicodedata.is_normalized("NFKC", n.text)
    assert len(n.offsets) == len(n.text)
    assert all(0 <= o < len(text) for o in n.offsets.tolist())
    assert list(n.offsets) == sorted(n.offsets)
    for ch in n.text:
        assert unicodedata.category(ch)[0] not in "PZ"
        assert unicodedata.category(ch) not in ("Cc", "Cf")


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=50))
def test_chinese_text_is_unchanged(text: str) -> None:
    assert normalize_text(text) == text


@given(st.lists(TEXTS, max_size=8), st.booleans())
def test_batch_normalization_equals_text_by_text(texts: list[str], html: bool) -> None:
    from neardup.core.normalize import normalize_codepoints, normalize_many

    options = NormalizeOptions(html=html)
    flat, lengths = normalize_many(texts, options)
    singles = [normalize_codepoints(t, options)[0] for t in texts]
    assert lengths.tolist() == [s.size for s in singles]
    assert flat.tolist() == [cp for s in singles for cp in s.tolist()]


def test_batch_normalization_with_a_combining_mark_at_a_boundary() -> None:
    from neardup.core.normalize import from_codepoints, normalize_many

    flat, lengths = normalize_many(["e", "\u0301x", "ﬁ㈱"])
    assert lengths.tolist() == [1, 2, 3]  # the mark is not composed across documents
    assert from_codepoints(flat) == "e\u0301xfi株"


@pytest.mark.parametrize(("html", "markers", "expected"), [
    (False, ("##paidbegin##", "##paidend##"), (ord("#"),)),
    (True, ("##paidbegin##",), (ord("#"), ord("&"), ord("<"))),
    (False, ("paid",), None),  # a letter: case folding could change it
    (False, ("#?paid",), None),  # the first character is optional
    (False, ("#a|b",), None),  # an alternative starts otherwise
    (False, (r"\d+",), None),  # syntax
    (False, ("[#]",), None),
])
def test_the_characters_every_marker_match_starts_with(
    html: bool, markers: tuple[str, ...], expected: tuple[int, ...] | None
) -> None:
    from neardup.core.normalize import _match_starts

    assert _match_starts(html, markers) == expected


@pytest.mark.parametrize("html", [False, True])
def test_stripping_packed_texts_is_the_same_with_or_without_the_joined_string(html: bool) -> None:
    """Without the texts as one string, a batch with no character a match starts with is
    returned as it is; with one, the markers and markup are stripped as before."""
    from neardup.core.normalize import packed_codepoints, strip_packed

    options = NormalizeOptions(html=html)
    for texts in (["中文内容", "没有标记"], ["前##PAIDBEGIN##中", "&amp; <b>粗</b> #"]):
        flat, sizes = packed_codepoints(texts)
        given = strip_packed(flat, sizes, options, "".join(texts))
        found = strip_packed(flat, sizes, options)
        assert given[0].tolist() == found[0].tolist() and given[1].tolist() == found[1].tolist()
