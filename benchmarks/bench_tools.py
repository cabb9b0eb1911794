"""Tests of the benchmark tools themselves: the exact join, the corpus generator, the runners.

Plain tests (no timing); collected with the benchmarks and fast enough for CI.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from common import load_corpus
from compare_end_to_end import run_datasketch, run_neardup, run_rensa
from edits import EDITS, content_sentences, edit_text
from exact import brute_force_pairs, overlap, shingle_sets, similar_pairs
from generate_corpus import generate
from partial_collection import generate as generate_partial
from partial_scoring import Scorer
from passages_scale import edited, joined_laws
from passages_scale import main as passages_scale
from scale import ceiling, recall

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' oracles
from oracles import exact_pairs


@pytest.fixture(scope="module")
def sample_sets() -> list[np.ndarray]:
    """The committed laws sample plus planted copies, as shingle sets."""
    _, texts, _ = load_corpus("sample")
    texts = texts[:120]
    rng = np.random.default_rng(7)
    planted = [
        edit_text(texts[i], "substitute", rate, rng)
        for i, rate in zip(range(0, 40, 4), np.linspace(0.01, 0.2, 10), strict=True)
    ]
    return shingle_sets([*texts, *planted, texts[3][: len(texts[3]) // 2], ""])


@pytest.fixture(scope="module")
def all_pairs(sample_sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every pair with J >= 0.4, by comparing all pairs."""
    return brute_force_pairs(sample_sets, 0.4)


@pytest.mark.parametrize("threshold", [0.4, 0.6, 0.8, 0.9, 1.0])
def test_exact_join_equals_all_pairs(
    sample_sets: list[np.ndarray], all_pairs: tuple[np.ndarray, np.ndarray], threshold: float
) -> None:
    pairs, jaccard, candidates = similar_pairs(sample_sets, threshold)
    keep = all_pairs[1] >= threshold
    expected, expected_j = all_pairs[0][keep], all_pairs[1][keep]
    assert expected.shape[0] > 0 or threshold == 1.0
    assert pairs.tolist() == expected.tolist()
    assert np.allclose(jaccard, expected_j)
    assert candidates < len(sample_sets) * (len(sample_sets) - 1) // 2  # it did filter


def test_exact_join_agrees_with_core_oracle(sample_sets: list[np.ndarray]) -> None:
    pairs, jaccard, _ = similar_pairs(sample_sets, 0.5)
    core = exact_pairs(sample_sets, 0.5)
    assert [(i, j) for i, j, _ in core] == [tuple(p) for p in pairs.tolist()]
    assert np.allclose([j for _, _, j in core], jaccard)


SENTENCES = [f"第{i}条 这是用于生成测试语料的第{i}个句子，内容各不相同。" for i in range(500)]


def test_generator_is_deterministic_and_plants_copies(tmp_path: Path) -> None:
    out, truth = tmp_path / "a.jsonl.gz", tmp_path / "t.jsonl"
    stats = generate(
        out, truth, 300, doc_chars=300, dup_fraction=0.3, window=50, seed=3, sentences=SENTENCES
    )
    again = generate(
        tmp_path / "b.jsonl.gz",
        tmp_path / "u.jsonl",
        300,
        doc_chars=300,
        dup_fraction=0.3,
        window=50,
        seed=3,
        sentences=SENTENCES,
    )
    first = gzip.decompress(out.read_bytes())
    assert first == gzip.decompress((tmp_path / "b.jsonl.gz").read_bytes())
    assert truth.read_bytes() == (tmp_path / "u.jsonl").read_bytes()
    assert stats.documents == again.documents == 300
    docs = [json.loads(line) for line in first.decode("utf-8").splitlines()]
    pairs = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert len({d["id"] for d in docs}) == 300
    copies = [d for d in docs if "source_id" in d]
    assert len(copies) == len(pairs) == stats.copies
    assert 50 < stats.copies < 130
    ids = {d["id"] for d in docs if "source_id" not in d}
    assert all(p["source_id"] in ids and 0.0 <= p["jaccard"] <= 1.0 for p in pairs)
    light = [p["jaccard"] for p in pairs if p["edit"] == {"kind": "substitute", "rate": 0.01}]
    assert all(j > 0.8 for j in light)


@pytest.mark.parametrize(("kind", "rate"), EDITS)
def test_edits(kind: str, rate: float) -> None:
    rng = np.random.default_rng(0)
    text = "\n".join("".join(SENTENCES[i : i + 3]) for i in range(0, 30, 3))
    edited = edit_text(text, kind, rate, rng)
    if kind == "delete":
        assert len(edited) < len(text)
    elif kind == "insert":
        assert len(edited) > len(text)
    elif kind == "substitute":
        assert len(edited) == len(text) and edited != text
    elif kind == "move":
        assert sorted(edited.split("\n")) == sorted(text.split("\n"))
    elif kind == "html":
        assert edited.startswith("<!DOCTYPE html>") and "</p>" in edited


def test_end_to_end_runners_find_a_planted_pair() -> None:
    _, texts, _ = load_corpus("sample", 30)
    texts = [*texts, texts[5] + "附则"]
    for run in (run_neardup, run_datasketch, run_rensa):
        pairs, _ = run(texts, 0.7)
        assert (5, 30) in pairs, run.__name__


def test_scale_tools_measure_the_machine_and_recall(tmp_path: Path) -> None:
    corpus, truth = tmp_path / "c.jsonl", tmp_path / "t.jsonl"
    generate(
        corpus, truth, 60, doc_chars=300, dup_fraction=0.3, window=20, seed=1, sentences=SENTENCES
    )
    limit = ceiling(corpus, docs=60, rounds=5)  # medians of ~10 ms timings
    assert 0.3 < limit < 4.0  # 2.0 on two free cores, less when they are shared; noisy here
    planted = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    found = planted[0]
    report = tmp_path / "pairs.jsonl"
    report.write_text(json.dumps({"a": found["copy_id"], "b": found["source_id"]}) + "\n")
    ids = {json.loads(line)["id"] for line in corpus.read_text(encoding="utf-8").splitlines()}
    share, count, pairs = recall(report, truth, ids, 0.0)
    assert (count, pairs) == (len(planted), 1)
    assert share == pytest.approx(1 / len(planted))


def _fake_news(count: int, seed: int) -> tuple[list[str], list[str]]:
    """Items of 3-5 paragraphs of 3-5 sentences of random Chinese characters."""
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(count):
        paragraphs = []
        for _ in range(int(rng.integers(3, 6))):
            sentences = [
                "".join(
                    chr(0x4E00 + int(c)) for c in rng.integers(0, 8000, int(rng.integers(10, 30)))
                )
                + "。"
                for _ in range(int(rng.integers(3, 6)))
            ]
            paragraphs.append("".join(sentences))
        texts.append("\n".join(paragraphs))
    return [f"n{i}" for i in range(count)], texts


def test_partial_copies_truth_and_determinism() -> None:
    from neardup import normalize_text

    o = overlap("甲乙丙丁戊己庚辛", "丙丁戊己庚，")  # 4 and 1 shingles, 1 shared
    assert (o.containment, o.a_in_b, o.b_in_a, o.jaccard) == (1.0, 0.25, 1.0, 0.25)
    ids, texts = _fake_news(240, 5)
    collection = generate_partial(ids, texts, copies=8, seed=3)
    again = generate_partial(ids, texts, copies=8, seed=3)
    other = generate_partial(ids, texts, copies=8, seed=4)
    assert collection.texts == again.texts and collection.planted == again.planted
    assert collection.boilerplate == again.boilerplate
    assert collection.texts != other.texts
    where = collection.index()
    assert len(where) == len(texts)  # generated documents take their items' places
    main = [p for p in collection.planted if p.variant == "main"]
    heldout = [p for p in collection.planted if p.variant == "heldout"]
    assert len(main) == len(heldout) == 8
    assert len({p.source_id for p in main}) == 8 and len({p.source_id for p in heldout}) < 8
    hosts = {p.host_id for p in collection.planted}
    sources = {p.source_id for p in collection.planted}
    assert len(hosts) == 16 and not hosts & sources and not hosts & set(collection.ids)

    def grams(text: str) -> set[str]:
        t = normalize_text(text)
        return {t[i : i + 5] for i in range(len(t) - 4)}

    for p in collection.planted:  # the truth, against plain Python sets of 5-grams
        a, b = (
            grams(collection.texts[where[p.copy_id]]),
            grams(collection.texts[where[p.source_id]]),
        )
        assert p.containment == pytest.approx(len(a & b) / min(len(a), len(b)))
        assert p.copy_in_source == pytest.approx(len(a & b) / len(a))
        assert p.source_in_copy == pytest.approx(len(a & b) / len(b))
        assert p.jaccard == pytest.approx(len(a & b) / len(a | b))
        if p.variant == "main":  # 20-70 % of the sentences, lightly edited
            assert 0.1 < p.source_in_copy <= 0.85
        assert p.containment > 0
        assert 0.15 <= p.share <= 0.8
        assert len(content_sentences(collection.texts[where[p.source_id]])) >= 3
    assert len(collection.boilerplate) == 4
    for pair in collection.boilerplate:
        a, b = grams(collection.texts[where[pair.a_id]]), grams(collection.texts[where[pair.b_id]])
        assert len(a & b) > 0 and pair.containment < 0.15
        assert pair.containment == pytest.approx(len(a & b) / min(len(a), len(b)))
    # A detector reporting every planted pair and one boilerplate pair:
    scorer = Scorer(collection)
    reported = {tuple(sorted((where[p.copy_id], where[p.source_id]))) for p in collection.planted}
    first = collection.boilerplate[0]
    reported.add(tuple(sorted((where[first.a_id], where[first.b_id]))))
    score = scorer.score(reported, 0.3, 0.3, None)
    assert score.recall == {"main": 1.0, "heldout": 1.0}
    assert (score.reported, score.correct, score.boilerplate) == (17, 16, 1)


@pytest.mark.slow  # keeps -m "not slow" within its minute
def test_passages_scale_runs_and_its_edited_copy_differs(capsys: pytest.CaptureFixture[str]) -> None:
    text = joined_laws(30_000)
    assert len(text) == 30_000 and len(edited(text)) == 30_000 - 30_000 // 200
    passages_scale(["20000", "--pairs", "both"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| identical", "| edited"]
