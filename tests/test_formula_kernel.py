"""The copies judgement's measures made for a whole batch (:func:`neardup.core.formula.profiles`,
:func:`~neardup.core.formula.specificities`, :func:`~neardup.core.formula.sampled_shingles`)
give what the measures of one text and one pair give, with the numpy and with the numba
kernel: on random texts (of a small alphabet, so that they share passages and figures), on
the seed reports, and on the edge cases (empty and short texts, no passage, hash
collisions)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import SEEDS

from neardup.core.formula import (
    NGRAM,
    Profile,
    Profiles,
    profile,
    profiles,
    sampled,
    sampled_shingles,
    specificities,
    specificity,
)
from neardup.core.normalize import codepoints
from neardup.core.shingles import ngram_hashes
from neardup.io.corpus import load_documents

ALPHABET = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说年" + "0123456789二三"


def kernels() -> list[str]:
    found = ["numpy"]
    try:
        import numba  # noqa: F401

        found.append("numba")
    except ImportError:
        pass
    return found


def texts_sharing(rng: random.Random, count: int) -> list[str]:
    """Texts made of pieces of a few sources and of random text: they share passages
    (some in order, some not), figures and slots; with empty and very short ones."""
    sources = ["".join(rng.choices(ALPHABET, k=rng.randint(50, 400))) for _ in range(4)]
    out = ["", "一", "一二三四", "一二三四五", "一二三四五六七", "7", "12", "3", "45", "6"]
    for _ in range(count // 3):  # a source filled in: short stretches differ (slots)
        source = rng.choice(sources)
        cuts = sorted(rng.sample(range(len(source)), min(len(source), rng.randint(1, 8))))
        out.append("".join(source[a:b] + "".join(rng.choices(ALPHABET, k=rng.randint(1, 6)))
                           for a, b in zip([0, *cuts], [*cuts, len(source)], strict=True)))
    for _ in range(count - count // 3):
        parts = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.6:
                source = rng.choice(sources)
                start = rng.randrange(len(source))
                parts.append(source[start : start + rng.randint(3, 120)])
            else:
                parts.append("".join(rng.choices(ALPHABET, k=rng.randint(1, 30))))
        out.append("".join(parts))
    return out


def every_pair(size: int) -> np.ndarray:
    return np.array([(i, j) for i in range(size) for j in range(i + 1, size)],
                    dtype=np.int64).reshape(-1, 2)


def one_by_one(flat: np.ndarray, lengths: np.ndarray, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sampled_shingles` text by text (what it was before it was made one pass)."""
    values, counts = [], []
    start = 0
    for size in lengths.tolist():
        cps = flat[start : start + size]
        start += size
        hashes = np.unique(ngram_hashes(cps, ngram)) if size >= ngram else np.empty(0, np.uint32)
        kept = hashes[sampled(hashes)]
        values.append(kept)
        counts.append(kept.size)
    joined = np.concatenate(values) if values else np.empty(0, np.uint32)
    return joined, np.array(counts, dtype=np.int64)


def formula_of(cps: list[np.ndarray], share: int = 3) -> np.ndarray:
    """Some sampled shingles of the texts taken as formula (one in ``share``), sorted."""
    lengths = np.array([c.size for c in cps], dtype=np.int64)
    values, _ = sampled_shingles(np.concatenate(cps), lengths, NGRAM)
    distinct = np.unique(values)
    return distinct[distinct % np.uint32(share) == 1]


def same_profile(one: Profile, two: Profile) -> None:
    for name in ("cps", "hashes", "formula_at", "rare_at", "rare", "numerals_at"):
        mine, theirs = getattr(one, name), getattr(two, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name
    assert one.figures == two.figures and one.sampled == two.sampled


@pytest.mark.parametrize("kernel", kernels())
@pytest.mark.parametrize("seed", range(3))
def test_sampled_shingles_in_one_pass_are_those_of_each_text(
    kernel: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    rng = random.Random(seed)
    cps = [codepoints(t) for t in texts_sharing(rng, 40)]
    rng.shuffle(cps)  # empty and short texts first, last and between
    lengths = np.array([c.size for c in cps], dtype=np.int64)
    flat = np.concatenate(cps)
    for ngram in (1, 3, NGRAM, 9):
        got, expected = sampled_shingles(flat, lengths, ngram), one_by_one(flat, lengths, ngram)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
        assert got[0].dtype == np.uint32 and got[1].dtype == np.int64


@pytest.mark.parametrize("kernel", kernels())
@pytest.mark.parametrize("texts", [[], [""], ["", "", "一二"], ["一二三四五六"], ["一二三四五六" * 30]])
def test_sampled_shingles_of_empty_and_short_batches(
    kernel: str, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    cps = [codepoints(t) for t in texts]
    lengths = np.array([c.size for c in cps], dtype=np.int64)
    flat = np.concatenate(cps) if cps else np.empty(0, np.uint32)
    got, expected = sampled_shingles(flat, lengths, NGRAM), one_by_one(flat, lengths, NGRAM)
    assert np.array_equal(got[0], expected[0]) and got[1].tolist() == expected[1].tolist()
    batch = profiles(cps, np.empty(0, dtype=np.uint32), NGRAM)
    for k, text in enumerate(cps):
        same_profile(batch.profile(k), profile(text, np.empty(0, dtype=np.uint32), NGRAM))


@pytest.mark.parametrize("kernel", kernels())
def test_a_batch_profiles_each_text_as_profile_does(
    kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cps = [codepoints(t) for t in texts_sharing(random.Random(1), 60)]
    formula = formula_of(cps)
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    batch = profiles(cps, formula, NGRAM)
    rare = np.split(batch.rare, np.cumsum(batch.rare_counts)[:-1])
    for k, text in enumerate(cps):
        expected = profile(text, formula, NGRAM)
        same_profile(batch.profile(k), expected)
        assert np.array_equal(rare[k], expected.rare) and batch.sampled[k] == expected.sampled
    assert batch.figures() == [profile(text, formula, NGRAM).figures for text in cps]
    assert any(len(figures) > 1 for figures in batch.figures())
    assert profiles([], formula, NGRAM).sampled.size == 0
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    whole_arrays = profiles(cps, formula, NGRAM)
    for name in ("flat", "starts", "formula", "rare", "rare_counts", "sampled"):
        mine, theirs = getattr(batch, name), getattr(whole_arrays, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), name


def measured_each(batch: Profiles, pairs: np.ndarray) -> list[object]:
    return [specificity(batch.profile(i), batch.profile(j), NGRAM) for i, j in pairs.tolist()]


@pytest.mark.parametrize("kernel", kernels())
@pytest.mark.parametrize("seed", range(2))
def test_pairs_measured_together_are_measured_as_one_by_one(
    kernel: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cps = [codepoints(t) for t in texts_sharing(random.Random(seed), 18)]
    batch = profiles(cps, formula_of(cps), NGRAM)
    pairs = every_pair(len(cps))
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    expected = measured_each(batch, pairs)
    assert any(found.slots for found in expected) and any(found.longest_specific
                                                            for found in expected)
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    assert specificities(batch, pairs) == expected
    flipped = pairs[::7, ::-1]  # (j, i): the other text is a
    assert specificities(batch, flipped) == measured_each(batch, flipped)


def colliding_ngrams() -> tuple[str, str]:
    """Two different 5-grams of one hash, found among the windows of a random text (a few
    hundred thousand windows hold a dozen collisions of 32-bit hashes)."""
    rng = random.Random(2)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(300_000))
    hashes = ngram_hashes(codepoints(text), NGRAM)
    order = np.argsort(hashes, kind="stable")
    same = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
    for k in same.tolist():
        one, two = sorted(order[k : k + 2].tolist())
        if text[one : one + NGRAM] != text[two : two + NGRAM]:
            return text[one : one + NGRAM], text[two : two + NGRAM]
    raise AssertionError("no collision")  # pragma: no cover


@pytest.mark.parametrize("kernel", kernels())
def test_hash_collisions_make_no_passage_in_either_kernel(
    kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two texts alike but for two different 5-grams of one hash: their match points make
    one run over the collision, which the tiling cuts to the text that really matches."""
    one, two = colliding_ngrams()
    assert one != two and ngram_hashes(codepoints(one), NGRAM)[0] == ngram_hashes(
        codepoints(two), NGRAM)[0]
    before, after = "今天天气很好我们一起去公园散步看看", "湖边新开的花晚上一起吃饭好不好呀"
    cps = [codepoints(before + one + after), codepoints(before + two + after),
           codepoints("甲乙" + before + one + after + "丙丁")]
    batch = profiles(cps, np.empty(0, dtype=np.uint32), NGRAM)
    pairs = every_pair(len(cps))
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    expected = measured_each(batch, pairs)
    whole = len(before) + NGRAM + len(after)  # one run over the collision: cut by the tiling
    assert 0 < expected[0].longest_specific < whole and expected[0].ordered < 1.0
    assert expected[1].longest_specific == whole
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    assert specificities(batch, pairs) == expected


@pytest.mark.parametrize("kernel", kernels())
def test_the_seed_reports_measured_together_as_one_by_one(
    kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [doc.text for doc in load_documents(SEEDS)]
    texts.append(texts[2][: len(texts[2]) // 2] + texts[6][len(texts[6]) // 2 :])
    cps = [codepoints(t) for t in texts]
    for formula in (np.empty(0, dtype=np.uint32), formula_of(cps, 2)):
        batch = profiles(cps, formula, NGRAM)
        pairs = every_pair(len(cps))
        monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
        expected = [specificity(profile(cps[i], formula, NGRAM), profile(cps[j], formula, NGRAM),
                                NGRAM) for i, j in pairs.tolist()]
        monkeypatch.setenv("NEARDUP_KERNEL", kernel)
        assert specificities(batch, pairs) == expected
        assert max(found.ordered for found in expected) > 0.8


def test_no_pairs_and_pairs_without_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    cps = [codepoints(t) for t in ("", "一二", "甲乙丙丁戊己庚辛壬癸", "子丑寅卯辰巳午未申酉戌亥")]
    batch = profiles(cps, np.empty(0, dtype=np.uint32), NGRAM)
    for kernel in kernels():
        monkeypatch.setenv("NEARDUP_KERNEL", kernel)
        assert specificities(batch, np.zeros((0, 2), dtype=np.int64)) == []
        found = specificities(batch, every_pair(len(cps)))
        assert [f.shorter for f in found] == [0, 0, 0, 2, 2, 10]
        assert all(f.longest_specific == 0 and f.figures_kept == 1.0 for f in found)


def test_texts_that_are_pieces_of_one_array_are_not_copied() -> None:
    """Verification's normalized texts are views of one array: the batch reads them in
    place."""
    from neardup.core.arrays import pieces_of

    texts = [codepoints(t) for t in texts_sharing(random.Random(4), 12)]
    lengths = np.array([t.size for t in texts], dtype=np.int64)
    flat = np.concatenate(texts)
    formula = formula_of(texts)
    apart = profiles(texts, formula, NGRAM)
    pieces = pieces_of(flat, lengths)
    together = profiles(pieces, formula, NGRAM)
    assert np.shares_memory(together.flat, flat) and not np.shares_memory(apart.flat, flat)
    for name in ("flat", "starts", "rare", "rare_counts", "sampled"):
        assert np.array_equal(getattr(together, name), getattr(apart, name)), name
    shuffled = pieces[::-1]  # pieces of one array, not in its order: copied
    backwards = profiles(shuffled, formula, NGRAM)
    assert not np.shares_memory(backwards.flat, flat)
    assert np.array_equal(backwards.flat, np.concatenate(shuffled))
    middle = profiles(pieces[3:7], formula, NGRAM)
    assert np.array_equal(middle.flat, np.concatenate(pieces[3:7]))
