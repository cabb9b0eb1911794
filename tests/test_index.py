"""The persistent index: create, add, query, remove, reopen; atomic batches; bad files."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from neardup import (
    AlreadyIndexedError,
    Document,
    DuplicateIdError,
    DuplicateIndex,
    IndexFileError,
    InputError,
    find_duplicates,
    load_documents,
)
from neardup.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_28473338c6d0f06c.txt"
SRC = REPO / "src"
POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
    "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
    "圆包火住调满县局照参红细引听该铁价严"
)


def text(rng: random.Random, length: int = 300) -> str:
    return "".join(rng.choice(POOL) for _ in range(length))


def edited(rng: random.Random, original: str, edits: int = 5) -> str:
    chars = list(original)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice(POOL)
    return "".join(chars)


def corpus(n: int, seed: int = 0, prefix: str = "d") -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"{prefix}{i}", text(rng), f"title {i}", f"src{i}") for i in range(n)]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "corpus.ndx"


def test_create_add_query_remove_reopen(path: Path) -> None:
    docs = corpus(20)
    rng = random.Random(1)
    with DuplicateIndex.create(path, threshold=0.7) as index:
        result = index.add(docs)
        assert (result.read, result.added, result.replaced, result.skipped) == (20, 20, 0, [])
        assert len(index) == 20
        assert index.ids() == [d.id for d in docs]
        assert "d3" in index and "zz" not in index
        report = index.query([Document("new", edited(rng, docs[3].text), "new title", "n.txt")])
    assert [(p.a, p.b) for p in report.pairs] == [("new", "d3")]
    assert report.pairs[0].jaccard >= 0.7
    assert report.verification == "exact"
    assert report.documents["d3"].title == "title 3"
    assert report.documents["d3"].source == "src3"
    assert report.documents["new"].source == "n.txt"
    assert [c.representative for c in report.clusters] in (["new"], ["d3"])
    assert report.counts.processed == 1

    with DuplicateIndex.open(path) as index:
        assert len(index) == 20
        assert index.remove(["d3", "d4"]) == 2
        assert len(index) == 18
        assert index.query([Document("new", edited(rng, docs[3].text))]).pairs == []
        with pytest.raises(InputError, match="'nope'"):
            index.remove(["d5", "nope"])
        assert "d5" in index  # nothing removed
        assert index.remove(["nope"], missing_ok=True) == 0
        band_rows = index.info().band_rows
    assert band_rows == 18 * 32  # remove dropped the band rows too

    with DuplicateIndex.open(path, threshold=0.7, ngram=5) as index:
        assert index.ids() == [d.id for d in docs if d.id not in ("d3", "d4")]
        info = index.info()
        assert info.documents == 18 and info.size_bytes > 0 and info.store_text
        assert info.to_dict()["parameters"]["threshold"] == 0.7


def test_query_agrees_with_find_duplicates_on_the_seed(path: Path) -> None:
    docs = load_documents(SEED)
    assert len(docs) == 11
    expected = find_duplicates(docs)
    with DuplicateIndex.create(path) as index:
        index.add(docs[:10])
        report = index.query(docs[10:])
    assert [(p.a, p.b) for p in report.pairs] == [(docs[10].id, docs[1].id)]
    assert [(p.a, p.b) for p in expected.pairs] == [(docs[1].id, docs[10].id)]
    assert report.pairs[0].jaccard == pytest.approx(expected.pairs[0].jaccard)
    assert report.pairs[0].containment == pytest.approx(expected.pairs[0].containment)
    assert 0.8 < report.pairs[0].jaccard < 0.9


def test_pairs_among_new_documents_and_self_ids(path: Path) -> None:
    rng = random.Random(2)
    docs = corpus(5)
    a = text(rng)
    with DuplicateIndex.create(path) as index:
        index.add(docs)
        report = index.query(
            [
                Document("x", a),
                Document("d0", docs[0].text),  # a new version of d0: not compared with itself
                Document("y", edited(rng, a)),
            ]
        )
    assert [(p.a, p.b) for p in report.pairs] == [("x", "y")]
    assert len(report.clusters) == 1
    assert {m.id for m in report.clusters[0].members} == {"x", "y"}


def test_a_replaced_version_is_compared_with_none_of_the_batch(path: Path) -> None:
    """A batch that brings new versions of indexed documents is compared with the index
    without their old versions: ``x`` is not paired with the old ``y`` (its near copy)
    once ``y`` comes back with another text, and checking the indexed seeds again gives the
    scan's pairs, each once (it gave the new 2 with the old 11, the new 11 with the old 2,
    both named as new documents)."""
    rng = random.Random(5)
    a, b = text(rng), text(rng)
    with DuplicateIndex.create(path) as index:
        index.add([Document("x", a), Document("y", edited(rng, a, 2))])
        assert [(p.a, p.b) for p in index.query([Document("z", a)]).pairs] == [
            ("z", "x"), ("z", "y")]
        assert index.query([Document("x", a), Document("y", b)]).pairs == []
    seeds = load_documents(SEED)
    scanned = find_duplicates(seeds)
    with DuplicateIndex.create(path.with_name("seeds.ndx")) as index:
        index.add(seeds)
        checked = index.query(seeds)
    assert [(p.a, p.b, p.jaccard) for p in checked.pairs] == [
        (p.a, p.b, p.jaccard) for p in scanned.pairs]
    assert len(scanned.pairs) == 1


def test_store_text_off_estimates(path: Path) -> None:
    docs = corpus(5)
    rng = random.Random(3)
    with DuplicateIndex.create(path, store_text=False) as index:
        index.add(docs)
        assert index.texts(["d1"]) == {}
        report = index.query([Document("n", edited(rng, docs[1].text, 2))])
    assert report.verification == "estimate"
    assert [(p.a, p.b) for p in report.pairs] == [("n", "d1")]
    with DuplicateIndex.open(path) as index:
        assert not index.store_text


def test_texts_are_kept_as_added_and_normalized(path: Path) -> None:
    """An index keeps each text as it was added (which reports show) and its normalized
    form (which queries compare)."""
    with DuplicateIndex.create(path) as index:
        index.add([Document("a", "ＡＢＣ，　中文！ ##paidbegin##")])
        assert index.keeps_originals
        assert index.texts(["a", "missing"]) == {"a": "ＡＢＣ，　中文！ ##paidbegin##"}
        assert index.texts(["a", "missing"], normalized=True) == {"a": "abc中文"}


def test_already_indexed_ids_are_an_error_unless_replace(path: Path) -> None:
    docs = corpus(6)
    rng = random.Random(4)
    with DuplicateIndex.create(path) as index:
        index.add(docs[:4])
        with pytest.raises(AlreadyIndexedError, match=r"already indexed: 'd2', 'd3'") as info:
            index.add(docs[2:])
        assert info.value.ids == ["d2", "d3"]
        assert isinstance(info.value, DuplicateIdError)
        assert len(index) == 4  # d4, d5 were not added either
        changed = Document("d2", text(rng), "changed")
        result = index.add([changed, *docs[4:]], replace=True)
        assert (result.added, result.replaced) == (3, 1)
        assert len(index) == 6
        assert index.info().band_rows == 6 * 32
        # the old text of d2 is gone from the index; the new one is found
        assert index.query([Document("q", docs[2].text)]).pairs == []
        assert [p.b for p in index.query([Document("q", changed.text)]).pairs] == ["d2"]


def test_duplicate_ids_in_a_batch(path: Path) -> None:
    with DuplicateIndex.create(path) as index:
        with pytest.raises(DuplicateIdError, match="'a'"):
            index.add([Document("a", "一二三四五六"), Document("a", "七八九十")])
        assert len(index) == 0
        with pytest.raises(DuplicateIdError):
            index.query([Document("a", "一二三四五六"), Document("a", "七八九十")])


def test_empty_documents_are_skipped_with_a_reason(path: Path) -> None:
    with DuplicateIndex.create(path) as index:
        result = index.add(
            [Document("e", "  \n"), Document("p", "，。！"), Document("ok", "有内容的文件")]
        )
        assert result.added == 1
        assert [(s.id, s.reason) for s in result.skipped] == [
            ("e", "empty document"),
            ("p", "empty after normalization"),
        ]
        report = index.query([Document("q", "")])
        assert [s.id for s in report.skipped] == ["q"]
        assert report.counts.skipped == 1 and report.pairs == []


def test_add_streams_any_iterable_and_query_an_empty_batch(path: Path) -> None:
    docs = corpus(25)
    with DuplicateIndex.create(path) as index:
        result = index.add((d for d in docs), batch_size=4)
        assert result.added == 25 and len(index) == 25
        report = index.query([])
        assert report.pairs == [] and report.counts.documents == 0
        assert index.query({"t": docs[7].text, "u": "别的"}).pairs[0].b == "d7"


def test_memory_index() -> None:
    with DuplicateIndex.create(":memory:") as index:
        index.add(corpus(3))
        assert len(index) == 3


def test_create_refuses_an_existing_file_and_bad_parameters(path: Path) -> None:
    path.write_bytes(b"")
    with pytest.raises(IndexFileError, match="file exists"):
        DuplicateIndex.create(path)
    missing = path.parent / "nodir" / "x.ndx"  # was SQLite's "unable to open database file"
    with pytest.raises(IndexFileError, match=rf"cannot create index: no such directory "
                                             rf"{re.escape(repr(str(missing.parent)))}"):
        DuplicateIndex.create(missing)
    with pytest.raises(ParameterError, match="ngram"):
        DuplicateIndex.create(path.with_suffix(".b"), ngram=0)
    with pytest.raises(ParameterError, match="unknown index parameter"):
        DuplicateIndex.create(path.with_suffix(".c"), nagram=3)


# ---------------------------------------------------------------------- files that are not ours


def test_open_missing_file(path: Path) -> None:
    with pytest.raises(IndexFileError, match=r"corpus\.ndx: no such index file"):
        DuplicateIndex.open(path)
    assert not path.exists()  # open never creates


def test_open_random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(5).randbytes(8192))
    with pytest.raises(IndexFileError, match=r"corpus\.ndx: not a neardup index \(not an SQLite"):
        DuplicateIndex.open(path)


def test_open_empty_file(path: Path) -> None:
    path.write_bytes(b"")
    with pytest.raises(IndexFileError, match=r"not a neardup index \(an empty file"):
        DuplicateIndex.open(path)


def test_open_sqlite_of_another_application(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('format', 'neardup-index')")
    db.commit()
    db.close()
    with pytest.raises(IndexFileError, match=r"corpus\.ndx: not a neardup index \(an SQLite database"):
        DuplicateIndex.open(path)


def test_open_truncated_index(path: Path) -> None:
    with DuplicateIndex.create(path) as index:
        index.add(corpus(200))
    data = path.read_bytes()
    path.write_bytes(data[:4096] + random.Random(6).randbytes(len(data) - 4096))
    with pytest.raises(IndexFileError, match=r"corpus\.ndx"), DuplicateIndex.open(path) as index:
        index.query(corpus(3))


def _set_meta(path: Path, key: str, value: str) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    db.commit()
    db.close()


def test_open_newer_and_older_format_versions(path: Path) -> None:
    DuplicateIndex.create(path).close()
    _set_meta(path, "format_version", "5")
    with pytest.raises(IndexFileError, match=r"format version 5 is newer .* upgrade neardup"):
        DuplicateIndex.open(path)
    _set_meta(path, "format_version", "0")
    with pytest.raises(IndexFileError, match="format version 0 is older"):
        DuplicateIndex.open(path)


def test_open_corrupt_parameters_never_unpickles(path: Path) -> None:
    DuplicateIndex.create(path).close()
    _set_meta(path, "parameters", "\x80\x04K\x01.")  # a pickle, not JSON
    with pytest.raises(IndexFileError, match="corrupt index: bad parameters"):
        DuplicateIndex.open(path)
    _set_meta(path, "parameters", json.dumps({"ngram": 0}))
    with pytest.raises(IndexFileError, match="corrupt index: bad parameters"):
        DuplicateIndex.open(path)


def test_open_with_other_parameters(path: Path) -> None:
    DuplicateIndex.create(path, threshold=0.7, ngram=5).close()
    with pytest.raises(IndexFileError, match=r"corpus\.ndx: index was made with other parameters: "
                       r"ngram \(index: 5, asked: 3\)"):
        DuplicateIndex.open(path, ngram=3)
    with pytest.raises(IndexFileError, match=r"threshold \(index: 0.7, asked: 0.9\)"):
        DuplicateIndex.open(path, threshold=0.9)
    with pytest.raises(ParameterError, match="unknown index parameter"):
        DuplicateIndex.open(path, ngrams=5)
    DuplicateIndex.open(path, threshold=0.7, ngram=5, unit="char", bands=32).close()


# ---------------------------------------------------------------------- processes

CHILD = r"""
import sys, time
from pathlib import Path
from neardup import Document
from neardup.index import DuplicateIndex

path, prefix, count, start, hold = sys.argv[1:6]
count = int(count)
POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"

def documents():
    for i in range(count):
        body = "".join(POOL[(i * 7 + k * k) % len(POOL)] for k in range(200))
        yield Document(f"{prefix}{i}", body + prefix + str(i))
        if i == count // 2 and hold == "kill":
            Path(start).with_suffix(".half").touch()
            time.sleep(600)  # killed here, mid-batch

while not Path(start).exists():
    time.sleep(0.01)
with DuplicateIndex.open(path, timeout=120, cache_mb=0.05) as index:
    index.add(documents(), batch_size=10)
"""


def _child(path: Path, prefix: str, count: int, start: Path, hold: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), prefix, str(count), str(start), hold], env=env
    )


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def test_batch_killed_mid_way_leaves_none_of_it(path: Path, tmp_path: Path) -> None:
    with DuplicateIndex.create(path) as index:
        index.add(corpus(5))
        fingerprint_rows = index.info().fingerprint_rows
    assert fingerprint_rows
    start = tmp_path / "start"
    start.touch()
    child = _child(path, "k", 100, start, "kill")
    half = start.with_suffix(".half")
    deadline = time.monotonic() + 60
    while not half.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert half.exists(), "child did not reach the middle of its batch"
    wal = Path(str(path) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # part of the batch was written
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert _integrity(path) == "ok"
    with DuplicateIndex.open(path) as index:
        assert len(index) == 5
        assert not any(i.startswith("k") for i in index.ids())
        assert index.info().band_rows == 5 * 32
        assert index.info().fingerprint_rows == fingerprint_rows  # none of the batch's
        index.add(corpus(3, prefix="after"))  # still writable
        assert len(index) == 8


@pytest.mark.slow
def test_two_processes_adding_at_once(path: Path, tmp_path: Path) -> None:
    DuplicateIndex.create(path).close()
    start = tmp_path / "start"
    children = [_child(path, prefix, 150, start, "go") for prefix in ("p", "q")]
    time.sleep(0.5)
    start.touch()
    for child in children:
        assert child.wait(timeout=120) == 0
    assert _integrity(path) == "ok"
    with DuplicateIndex.open(path) as index:
        ids = set(index.ids())
        assert len(index) == 300
        assert {f"p{i}" for i in range(150)} <= ids
        assert {f"q{i}" for i in range(150)} <= ids
        assert index.info().band_rows == 300 * 32


def test_parameters_round_trip_for_any_banding(path: Path) -> None:
    # 0.5 with 128 permutations chooses 42 bands of 3 rows (42 does not divide 128)
    with DuplicateIndex.create(path, threshold=0.5) as index:
        banding = (index.parameters.bands, index.parameters.rows)
        index.add(corpus(3))
    with DuplicateIndex.open(path, threshold=0.5) as index:
        assert (index.parameters.bands, index.parameters.rows) == banding
        assert index.info().band_rows == 3 * banding[0]
    with pytest.raises(IndexFileError, match=r"threshold \(index: 0.5, asked: 0.8\); bands"):
        DuplicateIndex.open(path, threshold=0.8)


def test_skipped_records_pass_through(path: Path) -> None:
    from neardup import Skipped

    with DuplicateIndex.create(path) as index:
        result = index.add([Skipped("bad.bin", "binary file"), *corpus(2)])
        assert result.added == 2
        assert result.skipped == [Skipped("bad.bin", "binary file")]
        report = index.query([Skipped("x", "unreadable"), Document("q", "一二三四五六七")])
        assert [s.id for s in report.skipped] == ["x"]


def test_file_format(path: Path) -> None:
    with DuplicateIndex.create(path, ngram=4) as index:
        index.add([Document("a", "一二三四五六七八九十", "t", "s.txt")])
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x4E445550
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
        meta = dict(db.execute("SELECT key, value FROM meta"))
        assert meta["format"] == "neardup-index" and meta["format_version"] == "4"
        assert json.loads(meta["parameters"])["ngram"] == 4
        assert not {"containment", "max_df"} & set(json.loads(meta["parameters"]))
        doc, doc_id, title, source, length, sig, text = db.execute(
            "SELECT doc, id, title, source, length, signature, text FROM docs"
        ).fetchone()
        assert (doc_id, title, source, length, len(sig)) == ("a", "t", "s.txt", 10, 128 * 4)
        import zlib

        assert zlib.decompress(text).decode() == "一二三四五六七八九十"
        (original,) = db.execute("SELECT original FROM docs").fetchone()  # format 4
        assert zlib.decompress(original).decode() == "一二三四五六七八九十"
        bands = db.execute("SELECT band, doc FROM bands ORDER BY band").fetchall()
        assert bands == [(b, doc) for b in range(32)]
        # ten characters are seven 4-grams, fewer than a window: one fingerprint, the least hash
        from neardup.core.fingerprints import WINDOW
        from neardup.core.normalize import codepoints
        from neardup.core.shingles import ngram_hashes

        assert WINDOW == 16  # fingerprints made another way are another index format version
        least = int(ngram_hashes(codepoints("一二三四五六七八九十"), 4).min())
        blob = db.execute("SELECT fingerprints FROM docs").fetchone()[0]
        assert np.frombuffer(blob, dtype="<u4").tolist() == [least]
        stored = db.execute("SELECT fingerprint, doc FROM fingerprints").fetchall()
        assert stored == [(np.array([least], dtype=np.uint32).view(np.int32)[0], doc)]
    finally:
        db.close()


@pytest.mark.parametrize("ngram", [1, 3, 5])
def test_char_shingle_sets_equal_shingle_set(ngram: int) -> None:
    from neardup import shingle_set
    from neardup.core.normalize import codepoints
    from neardup.core.shingles import char_shingle_sets

    rng = random.Random(ngram)
    texts = [text(rng, rng.choice([0, 1, 2, 4, 5, 6, 50, 300])) for _ in range(60)]
    texts += ["aaaaaaaaaa", "abababababab"]
    got = char_shingle_sets([codepoints(t) for t in texts], ngram, block=500)
    for t, found in zip(texts, got, strict=True):
        assert found.dtype == np.uint32
        assert found.tolist() == shingle_set(t, ngram).tolist()
