"""Containment queries of the persistent index: partial copies found through the fingerprint
table, in both directions, with the DF cut; the table kept in step with the documents; the
query parameters; and an index of format 1 (made before the table) still answering Jaccard
queries."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from neardup import (
    Document,
    DuplicateIndex,
    IndexFileError,
    add_passages,
    find_duplicates,
    load_documents,
    normalize,
)
from neardup.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
OLD_INDEX = REPO / "tests" / "data" / "old_index_v1.ndx"
"""An index of three short documents made by neardup at format 1 (tests/data/README.md)."""
POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"


def seed_articles() -> dict[str, Document]:
    """The seed's articles by number ("3"), ids like ``000_28473338c6d0f06c.txt#3``."""
    return {d.id.rsplit("#", 1)[1]: d for d in load_documents([SEEDS])}


def halves(first: str, second: str) -> str:
    """The first half of one text and the second half of another."""
    return first[: len(first) // 2] + second[len(second) // 2 :]


def random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(POOL) for _ in range(length))


def fingerprints_consistent(path: Path) -> tuple[int, int]:
    """Rows of the fingerprint table, and the fingerprints the documents' lists hold."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT count(*) FROM fingerprints").fetchone()[0]
        listed = db.execute("SELECT coalesce(sum(length(fingerprints) / 4), 0) FROM docs")
        return int(rows), int(listed.fetchone()[0])
    finally:
        db.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "seeds.ndx"


# ---------------------------------------------------------------------- the seed acceptance


def test_half_of_two_seed_articles_is_found_with_both_sources(path: Path) -> None:
    articles = seed_articles()
    mixed = halves(articles["3"].text, articles["7"].text)
    third, seventh = articles["3"].id, articles["7"].id
    with DuplicateIndex.create(path) as index:
        index.add(articles.values())
        assert index.query({"mixed.txt": mixed}).pairs == []  # Jaccard alone misses it
        report = index.query({"mixed.txt": mixed}, containment=0.3)
        texts = {"mixed.txt": mixed, **index.texts([third, seventh])}
    assert report.parameters.containment == 0.3
    assert report.verification == "exact"
    pairs = {p.b: p for p in report.pairs}
    assert set(pairs) == {third, seventh} and all(p.a == "mixed.txt" for p in report.pairs)
    for pair in pairs.values():
        assert pair.jaccard < 0.7
        assert 0.45 < pair.b_in_a < 0.55  # half of each source is in the new document
    assert pairs[third].a_in_b + pairs[seventh].a_in_b == pytest.approx(1.0, abs=0.02)

    shown = add_passages(report, texts)
    views = {c.id: c for c in shown.copies}
    assert views["mixed.txt"].share == pytest.approx(1.0, abs=0.01)
    assert {s.id for s in views["mixed.txt"].sources} == {third, seventh}
    for source in (third, seventh):
        assert 0.45 < views[source].share < 0.55  # about 50% of each source was copied
        assert [s.id for s in views[source].sources] == ["mixed.txt"]
    for pair in shown.pairs:  # exact passages: both spans hold the same normalized text
        assert pair.passages
        for passage in pair.passages:
            copied = normalize(mixed[passage.a_start : passage.a_end]).text
            assert copied == normalize(texts[pair.b][passage.b_start : passage.b_end]).text
            assert passage.text in (articles["3"].text + articles["7"].text)


def test_a_new_document_that_was_copied_by_an_indexed_one(path: Path) -> None:
    articles = seed_articles()
    mixed = halves(articles["3"].text, articles["7"].text)
    others = [d for number, d in articles.items() if number not in ("3", "7")]
    with DuplicateIndex.create(path) as index:
        index.add([*others, Document("mixed.txt", mixed)])
        report = index.query([articles["3"], articles["7"]], containment=0.3)
    found = {(p.a, p.b): p for p in report.pairs}
    assert set(found) == {(articles["3"].id, "mixed.txt"), (articles["7"].id, "mixed.txt")}
    for pair in found.values():
        assert 0.45 < pair.a_in_b < 0.55  # half of the new document is in the indexed one


def test_a_jaccard_query_is_unchanged(path: Path) -> None:
    docs = load_documents([SEEDS])
    expected = find_duplicates(docs)
    with DuplicateIndex.create(path) as index:
        index.add(docs[:10])
        report = index.query(docs[10:])
    assert report.parameters.containment is None
    assert report.counts.common_fingerprints == 0
    assert [(p.a, p.b) for p in report.pairs] == [(docs[10].id, docs[1].id)]
    assert [(p.b, p.a) for p in report.pairs] == [(p.a, p.b) for p in expected.pairs]
    assert report.copies == []


def test_query_agrees_with_find_duplicates(tmp_path: Path) -> None:
    """Partial copies in both directions, among the new documents too: the pairs that involve
    a new document are those of find_duplicates over all the documents."""
    rng = random.Random(3)
    originals = [random_text(rng, rng.randrange(300, 900)) for _ in range(30)]
    docs = [Document(f"o{k}", t) for k, t in enumerate(originals)]
    for k in range(30):  # a part of one or two originals, with filler
        a, b = rng.sample(originals, 2)
        start = rng.randrange(len(a) // 2)
        part = a[start : start + rng.randrange(100, 400)]
        extra = b[: rng.randrange(0, 200)]
        docs.append(Document(f"c{k}", random_text(rng, rng.randrange(30, 150)) + part + extra))
    rng.shuffle(docs)
    for containment, least in ((0.2, 15), (0.5, 5)):
        expected = find_duplicates(docs, containment=containment)
        with DuplicateIndex.create(tmp_path / f"{containment}.ndx") as index:
            index.add(docs[:40])
            report = index.query(docs[40:], containment=containment)
        new = {d.id for d in docs[40:]}
        want = {frozenset((p.a, p.b)): p for p in expected.pairs if {p.a, p.b} & new}
        got = {frozenset((p.a, p.b)): p for p in report.pairs}
        assert got.keys() == want.keys()
        assert len(got) >= least
        for key, pair in got.items():
            assert pair.containment == pytest.approx(want[key].containment)
            assert pair.jaccard == pytest.approx(want[key].jaccard)


# ---------------------------------------------------------------------- the DF cut


def test_common_fingerprints_are_cut_counting_indexed_and_new(path: Path) -> None:
    rng = random.Random(4)
    boilerplate = random_text(rng, 60)
    made: list[str] = []

    def with_boilerplate(prefix: str, count: int) -> list[Document]:
        """Documents that share only the boilerplate (each one's text after it starts with a
        character of its own)."""
        docs = []
        for k in range(count):
            own = chr(0x5000 + len(made))
            made.append(own)
            docs.append(Document(f"{prefix}{k}", boilerplate + own + random_text(rng, 1000)))
        return docs

    old = with_boilerplate("old", 45)
    with DuplicateIndex.create(path) as index:
        index.add(old)
        one = with_boilerplate("new", 1)
        found = index.query(one, containment=0.05)  # 46 holders: not cut
        assert found.counts.common_fingerprints == 0
        assert len(found.pairs) == 45
        ten = with_boilerplate("many", 10)
        cut = index.query(ten, containment=0.05)  # 55 holders: boilerplate
        again = index.query(ten, containment=0.05, max_df=100)
    assert cut.counts.common_fingerprints > 0
    # only the few fingerprints of windows across the seam (held by fewer) are left
    assert cut.counts.candidates < 50
    assert again.counts.common_fingerprints == 0
    assert len(again.pairs) == 10 * 45 + 45  # new with indexed, and among the new
    assert again.parameters.max_df == 100
    # the same cut as find_duplicates over the indexed and the new documents together
    expected = find_duplicates([*old, *ten], containment=0.05)
    new = {d.id for d in ten}
    assert {frozenset((p.a, p.b)) for p in cut.pairs} == {
        frozenset((p.a, p.b)) for p in expected.pairs if {p.a, p.b} & new
    }


# ---------------------------------------------------------------------- the table


def test_fingerprints_follow_add_remove_and_replace(path: Path) -> None:
    articles = seed_articles()
    with DuplicateIndex.create(path) as index:
        index.add(articles.values())
        info = index.info()
        assert info.fingerprint_rows and info.to_dict()["fingerprint_rows"] > 0
    assert fingerprints_consistent(path)[0] == fingerprints_consistent(path)[1] > 0
    mixed = halves(articles["3"].text, articles["7"].text)
    with DuplicateIndex.open(path) as index:
        index.remove([articles["3"].id])
        rows, listed = fingerprints_consistent(path)
        assert rows == listed
        report = index.query({"mixed.txt": mixed}, containment=0.3)
        assert [p.b for p in report.pairs] == [articles["7"].id]
        index.add([Document(articles["7"].id, "换了一篇完全不同的短文。" * 20)], replace=True)
        assert fingerprints_consistent(path)[0] == fingerprints_consistent(path)[1]
        assert index.query({"mixed.txt": mixed}, containment=0.3).pairs == []
        index.remove(index.ids())
        assert fingerprints_consistent(path) == (0, 0)


def test_without_texts_shares_are_estimated(path: Path) -> None:
    articles = seed_articles()
    mixed = halves(articles["3"].text, articles["7"].text)
    with DuplicateIndex.create(path, store_text=False) as index:
        index.add(articles.values())
        report = index.query({"mixed.txt": mixed}, containment=0.3)
    assert report.verification == "estimate"
    assert {p.b for p in report.pairs} == {articles["3"].id, articles["7"].id}


# ---------------------------------------------------------------------- parameters


def test_containment_and_max_df_are_chosen_per_query(path: Path) -> None:
    with pytest.raises(ParameterError, match="containment is chosen per query"):
        DuplicateIndex.create(path, containment=0.3)
    with pytest.raises(ParameterError, match="max_df is chosen per query"):
        DuplicateIndex.create(path, max_df=10)
    assert not path.exists()
    with DuplicateIndex.create(path, threshold=0.5) as index:
        index.add({"a": "今天天气很好，我们一起去公园散步。"})
        assert index.parameters.containment is None
        with pytest.raises(ParameterError, match=r"containment must be in \(0, 1\]"):
            index.query({"b": "x"}, containment=1.5)
        with pytest.raises(ParameterError, match="max_df must be an integer >= 2"):
            index.query({"b": "x"}, containment=0.3, max_df=1)
        report = index.query({"b": "今天天气很好，我们一起去公园散步。"}, containment=0.3, max_df=7)
        assert (report.parameters.containment, report.parameters.max_df) == (0.3, 7)
        assert report.parameters.threshold == 0.5
        assert index.query([], containment=0.3).pairs == []
    with pytest.raises(ParameterError, match="containment is chosen per query"):
        DuplicateIndex.open(path, containment=0.3)


# ---------------------------------------------------------------------- format 1


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    copied = tmp_path / "old.ndx"
    shutil.copyfile(OLD_INDEX, copied)
    return copied


def test_an_index_of_format_1_answers_jaccard_queries(old_index: Path) -> None:
    spring = "春天来了，公园里的桃花和杏花都开了，孩子们在草地上放风筝，老人们在湖边散步聊天！"
    with DuplicateIndex.open(old_index) as index:
        assert index.format_version == 1 and not index.has_fingerprints
        assert sorted(index.ids()) == ["autumn.txt", "spring.txt", "winter.txt"]
        info = index.info()
        assert info.fingerprint_rows is None and info.band_rows == 3 * 32
        report = index.query({"new.txt": spring})
        assert [(p.a, p.b, p.jaccard) for p in report.pairs] == [("new.txt", "spring.txt", 1.0)]
        with pytest.raises(IndexFileError) as refused:
            index.query({"new.txt": spring}, containment=0.3)
        message = str(refused.value)
        assert "old.ndx: this index (format 1) has no fingerprints" in message
        assert "neardup index create" in message and "neardup index add" in message
        # it still takes additions and removals, and stays format 1
        index.add({"summer.txt": "夏天的午后，知了在树上不停地叫，我们坐在树荫下吃西瓜乘凉。"})
        assert index.remove(["autumn.txt"]) == 1
    with DuplicateIndex.open(old_index) as index:
        assert index.format_version == 1
        assert sorted(index.ids()) == ["spring.txt", "summer.txt", "winter.txt"]
        assert index.query({"new.txt": spring}).pairs[0].b == "spring.txt"
    db = sqlite3.connect(old_index)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "fingerprints" not in tables
    finally:
        db.close()


def test_the_fixture_is_format_1(old_index: Path) -> None:
    db = sqlite3.connect(old_index)  # a copy: even reading a WAL file makes -shm and -wal
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        assert meta["format_version"] == "1"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = [r[1] for r in db.execute("PRAGMA table_info(docs)")]
        assert "fingerprints" not in columns
    finally:
        db.close()
    assert OLD_INDEX.stat().st_size < 16_384
