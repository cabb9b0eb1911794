"""``deduplicate``: one member kept per cluster, as keep/prefer say; counts that add up."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from neardup import (
    Document,
    InputError,
    ParameterError,
    deduplicate,
    find_duplicates,
    load_documents,
    normalize_text,
    shingle_set,
)

DATA = Path(__file__).resolve().parent / "data"
BASE = "长江是中华民族的母亲河，也是中华民族发展的重要支撑，推动长江经济带发展必须走生态优先之路。"


def planted_laws(count: int = 150, seed: int = 3) -> list[dict[str, object]]:
    """Laws of the committed sample with planted copies: exact ones (spacing changed) and
    edited ones (a sentence cut), each with a score and a date."""
    rng = random.Random(seed)
    laws = load_documents(DATA / "laws_sample.jsonl.gz")[:count]
    records: list[dict[str, object]] = [
        {"id": d.id, "text": d.text, "score": rng.randint(0, 9), "date": f"2020-0{rng.randint(1, 9)}"}
        for d in laws
    ]
    for k, doc in enumerate(rng.sample(laws, 12)):
        text = doc.text.replace("。", "。 ") if k % 2 else doc.text[: len(doc.text) * 9 // 10]
        records.append({"id": f"{doc.id}~{k}", "text": text, "score": rng.randint(0, 9),
                        "date": f"2021-0{rng.randint(1, 9)}"})
    rng.shuffle(records)
    return records


def test_keep_first_longest_and_prefer() -> None:
    docs = [
        {"id": "a", "text": BASE, "score": 1},
        {"id": "b", "text": BASE + "要坚持共抓大保护。", "score": 5},
        {"id": "c", "text": BASE.replace("，", "。"), "score": 9},  # identical to a
        {"id": "d", "text": "完全不同的一段话，讲的是别的事情。", "score": 0},
    ]
    first = deduplicate(docs)
    assert first.kept == ["a", "d"]
    assert first.removed["c"] == ("a", 1.0, True)
    assert first.removed["b"].kept == "a" and not first.removed["b"].exact
    longest = deduplicate(docs, keep="longest")
    assert longest.kept == ["b", "d"] and set(longest.removed) == {"a", "c"}
    assert longest.removed["a"].similarity == longest.removed["c"].similarity < 1.0
    preferred = deduplicate(docs, prefer="score")
    assert preferred.kept == ["c", "d"]  # the copy with the best score stands for a
    assert preferred.removed["a"] == ("c", 1.0, True)
    (cluster,) = preferred.clusters
    assert cluster.representative == "c" and [m.id for m in cluster.members] == ["a", "b", "c"]


def test_each_cluster_keeps_exactly_one_member_as_asked() -> None:
    records = planted_laws()
    order = {r["id"]: k for k, r in enumerate(records)}
    lengths = {r["id"]: len(normalize_text(str(r["text"]))) for r in records}
    report = find_duplicates(records, threshold=0.7, workers=1)
    groups = [{m.id for m in c.members} for c in report.clusters]
    assert any(len(g) > 1 for g in groups) and report.identical
    scores = {r["id"]: -int(str(r["score"])) for r in records}  # smallest key: best
    dates = {r["id"]: tuple(-ord(ch) for ch in str(r["date"])) for r in records}
    rules: dict[tuple[str, str | None], Callable[[str], tuple[object, ...]]] = {
        ("first", None): lambda i: (order[i],),
        ("longest", None): lambda i: (-lengths[i], order[i]),
        ("first", "score"): lambda i: (scores[i], order[i]),
        ("longest", "date"): lambda i: (dates[i], -lengths[i], order[i]),
    }
    for (keep, prefer), rule in rules.items():

        def best(group: set[str], rule: Callable[[str], tuple[object, ...]] = rule) -> str:
            return min(group, key=rule)

        result = deduplicate(records, keep=keep, prefer=prefer, threshold=0.7, workers=1)
        assert [{m.id for m in c.members} for c in result.clusters] == groups
        kept = set(result.kept)
        for cluster in result.clusters:
            members = {m.id for m in cluster.members}
            assert members & kept == {cluster.representative} == {best(members)}, keep
            assert all(result.removed[m].kept == cluster.representative
                       for m in members - kept)
        counts = result.counts
        assert counts.kept + counts.removed + counts.passed_through == counts.read == len(records)
        assert result.kept == [r["id"] for r in records if r["id"] not in result.removed]
        texts = {r["id"]: normalize_text(str(r["text"])) for r in records}
        assert counts.removed_exact == sum(
            texts[i] == texts[r.kept] for i, r in result.removed.items()
        ) >= 1


def test_similarity_is_to_the_kept_member() -> None:
    records = planted_laws()
    result = deduplicate(records, keep="longest", threshold=0.7, workers=1)
    texts = {r["id"]: str(r["text"]) for r in records}
    for doc_id, (kept, similarity, exact) in list(result.removed.items())[:15]:
        a, b = (set(shingle_set(normalize_text(texts[i]), 5).tolist()) for i in (doc_id, kept))
        assert similarity == pytest.approx(len(a & b) / len(a | b))
        assert exact == (normalize_text(texts[doc_id]) == normalize_text(texts[kept]))


def test_short_documents_are_passed_through() -> None:
    docs = {"a": "好的", "b": "好的！", "c": BASE, "d": BASE + "。", "e": "  "}
    result = deduplicate(docs, min_length=5)
    assert result.kept == ["c"] and list(result.removed) == ["d"]
    assert result.passed_through == ["a", "b", "e"]
    assert result.counts.passed_through == 3 and result.counts.read == 5
    everything = deduplicate(docs)
    assert everything.kept == ["a", "c"] and everything.passed_through == ["e"]


def test_errors_name_what_is_wrong() -> None:
    with pytest.raises(ParameterError, match="keep must be one of"):
        deduplicate(["x"], keep="best")
    with pytest.raises(ParameterError, match="min_length must be an integer >= 0"):
        deduplicate(["x"], min_length=-1)
    with pytest.raises(ParameterError, match="threshold must be"):
        deduplicate(["x"], threshold=2.0)
    with pytest.raises(ParameterError, match="unknown parameter"):
        deduplicate(["x"], treshold=0.5)
    with pytest.raises(InputError, match="field 'score': the documents have no fields"):
        deduplicate([Document("a", BASE), Document("b", BASE + "吗")], prefer="score")
    with pytest.raises(InputError, match=r"^1: field 'q': values to prefer must be all "
                       r"numbers or all strings \(found number, string; this record's is "
                       r"'high', a string\)$"):  # the record named (it was not)
        deduplicate([{"text": BASE, "q": 1}, {"text": BASE + "吗", "q": "high"}], prefer="q")
