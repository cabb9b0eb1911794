"""The numba normalization kernel (fused with MinHash) against the numpy path and the
text-by-text normalizer, over every class of code point."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_signatures import kernel

from neardup import NormalizeOptions
from neardup.core import normalize as normalize_module
from neardup.core.minhash import minhash_flat
from neardup.core.normalize import (
    COMPOSING_LIMIT,
    CharacterTable,
    codepoints,
    map_packed,
    normalize_codepoints,
    normalize_many,
)
from neardup.parameters import Parameters
from neardup.stages.hashing import hash_batch

pytest.importorskip("numba")

SPECIAL = list(
    "，。！？“”《》、　 \n\t\r\x00\x07\x1f\x7f\u200b\u200d\ufeff\u00ad"  # punctuation, space, controls
    "ＡＢＣａｂｃ１２３ｶﾞﾊﾟ"  # fullwidth and halfwidth forms
    "ÉéΣσςİıẞß"  # case
    "\u0301\u0308\u0323\u0345\u093c\u05b0"  # combining marks
    "\u1100\u1161\u11a8가각"  # Hangul: leading, vowel and final jamo; syllables
    "\u0bbe\u0bc6\u0cd5\u0cc6\u0d3e\u0d46\u0dcf\u0dd9\u09be\u09c7\u102e\u1025\u1b35\u1b05"
    "ﬁ㈱℃Ⅱ¼ﷺ\ufdfa①⑴ŉǄ"  # expansions
    "\u212b\u2126\u0344\u0f73\u2adc"  # singletons, composition exclusions
    "😀🀄\U00020000\U0002f800\U000e0001"  # astral, CJK compatibility, tags
    "\ud800\udc00\udfff"  # lone surrogates
    "乾國際經濟會議"  # traditional Chinese
)
PIECES = [
    "##paidbegin##", "##PAIDEND##", "&amp;", "&#20013;", "&#x4e2d;", "&nbsp;", "&bogus;",
    "<p class='x'>", "</p>", "<script>var a = '<b>';</script>", "<!-- c -->", "<![CDATA[x]]>",
    "<style>p{}</style>", "<", ">",
]
CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(),  # every plane and category, surrogates included
    st.characters(categories=["Mn", "Mc", "Me"]),
    st.sampled_from(SPECIAL),
)
TEXTS = st.lists(st.one_of(CHARS, st.sampled_from(PIECES)), max_size=40).map("".join)
OPTIONS = st.builds(
    NormalizeOptions,
    html=st.booleans(),
    markers=st.sampled_from([(), normalize_module.DEFAULT_MARKERS, (r"\[广告\]",)]),
    script=st.sampled_from([None, "simplified"]),
    synonyms=st.just(False),
)


def one_by_one(texts: list[str], options: NormalizeOptions) -> tuple[list[int], list[int]]:
    """The text-by-text normalizer's code points, concatenated, and lengths."""
    pieces = [normalize_codepoints(t, options)[0] for t in texts]
    return [int(c) for p in pieces for c in p], [p.size for p in pieces]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=6), OPTIONS)
def test_numba_batch_equals_numpy_batch_and_text_by_text(
    texts: list[str], options: NormalizeOptions
) -> None:
    expected = one_by_one(texts, options)
    for name in ("numba", "numpy"):
        with kernel(name):
            flat, lengths = normalize_many(texts, options)
        assert (flat.tolist(), lengths.tolist()) == expected, name


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=6), st.integers(1, 6), st.sampled_from([1, 7, 64]))
def test_fused_signatures_equal_signatures_of_the_normalized_texts(
    texts: list[str], ngram: int, num_perm: int
) -> None:
    with kernel("numba"):
        cps, sizes = codepoints("".join(texts)), np.array([len(t) for t in texts], np.int64)
        stripped, sizes = normalize_module.strip_packed(cps, sizes, NormalizeOptions())
        flat, lengths, sigs = map_packed(stripped, sizes, (ngram, num_perm, 3))
    with kernel("numpy"):
        expected_flat, expected_lengths = normalize_many(texts)
        expected = minhash_flat(expected_flat, expected_lengths, ngram, num_perm, 3)
    assert flat.tolist() == expected_flat.tolist()
    assert lengths.tolist() == expected_lengths.tolist()
    assert sigs is not None and np.array_equal(sigs, expected)


@pytest.mark.parametrize("options", [{}, {"script": "simplified"}, {"html": True}])
def test_hash_batch_is_the_same_with_either_kernel(options: dict[str, object]) -> None:
    texts = ["國際經濟會議在北京召開。" * 3, "e\u0301te\u0301 ﬁ㈱", "", "<b>中文</b>&amp;", "가\u11a8"]
    params = Parameters(**options)  # type: ignore[arg-type]
    with kernel("numba"):
        fast = hash_batch(texts, params)
    with kernel("numpy"):
        slow = hash_batch(texts, params)
    theirs = slow.arrays()
    assert list(fast.arrays()) == list(theirs)
    for name, a in fast.arrays().items():
        assert np.array_equal(a, theirs[name]), name


@given(st.integers(0, 0x10FFFF), st.integers(0, 0x10FFFF))
def test_texts_without_flagged_code_points_are_normalized(first: int, second: int) -> None:
    """The kernel checks only documents with a flagged code point: a text of two unflagged
    code points must already be NFKC (the quick check's argument)."""
    pair = np.array([first, second], dtype=np.uint32)
    if not normalize_module._needs_check(pair).any():
        assert unicodedata.is_normalized("NFKC", chr(first) + chr(second))


def test_the_kernel_table_uses_the_table_entries() -> None:
    from neardup.core import normalize_numba

    assert (normalize_numba.UNKNOWN, normalize_numba.MULTI, normalize_numba.REMOVED) == (
        CharacterTable.UNKNOWN, CharacterTable.MULTI, CharacterTable.REMOVED
    )


@pytest.mark.parametrize("mark", ["\u0bbe", "\u0cd5", "\u0d3e", "\u1161", "\u11a8", "\u0301"])
def test_characters_that_compose_with_the_one_before_are_flagged(mark: str) -> None:
    assert normalize_module._needs_check(codepoints(mark)).all()


def test_no_canonical_decomposition_past_the_composing_limit() -> None:
    for cp in range(COMPOSING_LIMIT, 0x110000, 1):
        decomposition = unicodedata.decomposition(chr(cp))
        assert not decomposition or decomposition.startswith("<"), hex(cp)


def test_expansions_longer_than_the_batch_and_many_new_code_points() -> None:
    """A batch whose result is longer than its input (the kernel's output is enlarged) and
    with more unknown code points than the kernel reports at once (it is called again): on
    a new, empty table, every code point is unknown."""
    texts = ["\ufdfa" * 20, "".join(chr(c) for c in range(0xAC00, 0xAC00 + 6000)), "ﬁ"]
    table = CharacterTable()
    with kernel("numba"):
        flat, lengths, _ = map_packed(codepoints("".join(texts)),
                                      np.array([len(t) for t in texts], np.int64), table=table)
    assert lengths[0] > 20 * 10 and lengths.tolist()[1:] == [6000, 2]
    assert flat.tolist() == one_by_one(texts, NormalizeOptions())[0]
    assert (table.entries != CharacterTable.UNKNOWN).sum() >= 6000 + 2  # filled here
