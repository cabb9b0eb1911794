"""Script and synonym folding: offsets back to the original, the seed collection in
traditional characters, the seed's rewritten pair, and defaults that stay as they were."""

from __future__ import annotations

import itertools
from pathlib import Path

import jieba
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from neardup import Parameters, find_duplicates, load_documents, normalize, normalize_text
from neardup.cli import main
from neardup.core.folding import (
    fold_script_text,
    fold_synonyms,
    fold_synonyms_many,
    segment,
    synonym_table,
)
from neardup.core.normalize import NormalizeOptions, normalize_codepoints, normalize_many
from neardup.core.shingles import shingle_set, words
from neardup.errors import ParameterError
from neardup.evidence.passages import shared_passages

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TRADITIONAL = ROOT / "tests" / "data" / "seeds_traditional.txt"
FOLD_ALL = NormalizeOptions(script="simplified", synonyms=True)

# Mixed text: traditional and simplified characters, words with synonyms, Latin, digits,
# full-width forms, punctuation, whitespace, a ligature and a unit that expand.
PIECES = ["立即", "马上", "迅速", "召开", "举行", "會議", "国际", "經濟", "发展", "重要", "的",
          "了", "是", "乾淨", "頭髮", "，", "。", "！", " ", "\n", "ＡＢ", "ok", "12", "㎏", "ﬁ",
          "##paidbegin##", "意识形态", "工作", "加强", "強化"]


def jaccard(a: str, b: str, options: NormalizeOptions | None = None) -> float:
    x = shingle_set(normalize_text(a, options))
    y = shingle_set(normalize_text(b, options))
    return len(np.intersect1d(x, y)) / len(np.union1d(x, y))


@pytest.fixture(scope="module")
def seeds() -> list[str]:
    return [d.text for d in load_documents(SEEDS)]


@pytest.fixture(scope="module")
def traditional() -> list[str]:
    return [d.text for d in load_documents(TRADITIONAL)]


# ------------------------------------------------------------------------------ offsets


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_folded_characters_map_back_to_their_original_text(text: str) -> None:
    norm = normalize(text, FOLD_ALL)
    assert norm.ends is not None
    assert len(norm.text) == norm.offsets.size == norm.ends.size
    if not norm.text:
        return
    assert (np.diff(norm.offsets) >= 0).all()
    assert (norm.ends > norm.offsets).all() and norm.ends.max() <= len(text)
    table = synonym_table()
    script_only = NormalizeOptions(script="simplified")
    # each run of characters with one span is that span's normalized text, or the
    # representative of the word it is
    spans = list(zip(norm.offsets.tolist(), norm.ends.tolist(), strict=True))
    position = 0
    for span, run in itertools.groupby(spans):
        length = len(list(run))
        original = normalize_text(text[span[0] : span[1]], script_only)
        folded = norm.text[position : position + length]
        assert folded == original or table[original] == folded
        position += length
    assert position == len(norm.text)


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_script_folding_keeps_every_offset(text: str) -> None:
    plain = normalize(text)
    folded = normalize(text, NormalizeOptions(script="simplified"))
    assert folded.offsets.tolist() == plain.offsets.tolist()
    assert folded.text == fold_script_text(plain.text)


@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=6))
def test_batch_folding_agrees_with_one_text_at_a_time(texts: list[str]) -> None:
    flat, lengths = normalize_many(texts, FOLD_ALL)
    one_by_one = [normalize_codepoints(t, FOLD_ALL)[0] for t in texts]
    assert lengths.tolist() == [c.size for c in one_by_one]
    assert flat.tolist() == [cp for c in one_by_one for cp in c.tolist()]
    assert fold_synonyms_many([normalize_text(t) for t in texts]) == [
        fold_synonyms(normalize_text(t)).text for t in texts
    ]


def test_a_replaced_word_maps_to_the_whole_original_word() -> None:
    folded = fold_synonyms("他们马上召开会议")
    assert folded.text == fold_synonyms("他们立即召开会议").text
    assert folded.text != "他们马上召开会议"
    spans = set(zip(folded.starts.tolist(), folded.ends.tolist(), strict=True))
    assert (2, 4) in spans  # 马上, both of its characters' replacements
    ev = shared_passages("今天他们马上召开会议。", "今天他们立即召开会议！", options=FOLD_ALL)
    # the passage takes in its sentence's closing punctuation, whichever it is
    assert [(p.a_start, p.a_end, p.b_start, p.b_end) for p in ev.passages] == [(0, 11, 0, 11)]
    ev = shared_passages("快讯：他们马上召开会议", "他们立即召开会议", options=FOLD_ALL)
    assert [p.text for p in ev.passages] == ["他们马上召开会议"]


def test_rjieba_segments_as_jieba_does(seeds: list[str]) -> None:
    """jieba is the oracle of the one segmenter, with its HMM (word shingles) and without
    (synonym folding)."""
    text = normalize_text("".join(seeds))
    assert segment(text) == list(jieba.cut(text, HMM=False))
    assert segment(text, hmm=True) == list(jieba.cut(text, HMM=True))
    assert words(text) == [w for w in jieba.lcut(text) if w]


# ------------------------------------------------------------------------- the seeds


def test_traditional_seed_copies_pair_only_with_script_folding(
    seeds: list[str], traditional: list[str]
) -> None:
    assert len(traditional) == len(seeds) == 11
    docs = {f"s{i}": t for i, t in enumerate(seeds)} | {
        f"t{i}": t for i, t in enumerate(traditional)
    }
    folded = find_duplicates(docs, threshold=0.9, script="simplified", workers=1)
    pairs = {(p.a, p.b): p.jaccard for p in folded.pairs + folded.identical_pairs()}
    for i in range(11):
        assert pairs[(f"s{i}", f"t{i}")] >= 0.9
    assert set(pairs) == {(f"s{i}", f"t{i}") for i in range(11)}
    plain = find_duplicates(docs, threshold=0.3, workers=1)
    assert not [p for p in plain.pairs if p.a[1:] == p.b[1:]]
    assert max(jaccard(s, t) for s, t in zip(seeds, traditional, strict=True)) < 0.1


def test_seed_pair_gains_with_synonyms_and_no_other_pair_comes_near(seeds: list[str]) -> None:
    with_synonyms = NormalizeOptions(synonyms=True)
    assert jaccard(seeds[1], seeds[10], with_synonyms) > jaccard(seeds[1], seeds[10])
    others = [
        jaccard(seeds[i], seeds[j], with_synonyms)
        for i, j in itertools.combinations(range(11), 2)
        if (i, j) != (1, 10)
    ]
    assert max(others) < 0.2
    report = find_duplicates(seeds, threshold=0.7, synonyms=True, workers=1)
    assert [(p.a, p.b) for p in report.pairs] == [("1", "10")]
    assert report.parameters.to_dict()["synonyms"] is True


def test_defaults_are_unchanged(seeds: list[str]) -> None:
    params = Parameters()
    assert (params.script, params.synonyms) == (None, False)
    assert params.to_dict()["script"] is None and params.to_dict()["synonyms"] is False
    assert params.normalize_options() == NormalizeOptions()
    report = find_duplicates(seeds, workers=1)
    assert [(p.a, p.b, round(p.jaccard, 4)) for p in report.pairs] == [
        ("1", "10", round(jaccard(seeds[1], seeds[10]), 4))
    ]
    assert normalize_text(seeds[1]) == normalize_text(seeds[1], NormalizeOptions())


def test_script_and_synonyms_are_validated() -> None:
    with pytest.raises(ParameterError, match="script must be one of"):
        Parameters(script="traditional")
    with pytest.raises(ParameterError, match="synonyms must be True or False"):
        Parameters(synonyms="yes")  # type: ignore[arg-type]


def test_cli_scan_folds_the_script(tmp_path: Path, seeds: list[str]) -> None:
    (tmp_path / "a.txt").write_text(seeds[0], encoding="utf-8")
    (tmp_path / "b.txt").write_text(fold_script_text(seeds[0]) and _traditional(0), "utf-8")
    runner = CliRunner()
    plain = runner.invoke(main, ["scan", str(tmp_path), "--format", "json", "-q"])
    folded = runner.invoke(
        main, ["scan", str(tmp_path), "--format", "json", "-q", "--script", "simplified"]
    )
    assert plain.exit_code == folded.exit_code == 0, folded.output
    assert '"pairs": []' in plain.stdout
    assert '"script": "simplified"' in folded.stdout and '"a.txt"' in folded.stdout
    bad = runner.invoke(main, ["scan", str(tmp_path), "--script", "traditional"])
    assert bad.exit_code == 2


def _traditional(i: int) -> str:
    return [d.text for d in load_documents(TRADITIONAL)][i]
