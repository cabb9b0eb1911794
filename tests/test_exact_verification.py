"""Exact verification's compiled and vectorized steps against plain references: the radix
sort of shingle hashes against ``np.unique``, the shingle sets of either kernel, the
overlaps of many pairs against :func:`overlap` pair by pair, ``verify_candidates`` with and
without the overlaps given, and lines read by their offset."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neardup.core import similarity
from neardup.core.arrays import pieces_of
from neardup.core.normalize import codepoints
from neardup.core.rewrites import Resemblance
from neardup.core.shingles import char_shingle_sets, char_shingle_sets_packed, shingle_set
from neardup.core.similarity import overlap, overlap_rows, packed_overlap_rows
from neardup.errors import InputError
from neardup.io import records
from neardup.io.records import LinesAt, parse_records, read_line
from neardup.searches.containment import Copied
from neardup.searches.near_duplicates import Near
from neardup.searches.protocol import Rule
from neardup.searches.rewritten_copies import Rewritten
from neardup.stages.verification import verify_candidates

needs_numba = pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba (neardup[fast]) not installed"
)

KINDS = ("random", "few", "equal", "one apart", "high", "low", "one byte", "ascending",
         "descending", "extremes")


def hashes_of(kind: str, size: int, seed: int) -> np.ndarray:
    """uint32 values that stress a radix sort in one way each."""
    rng = np.random.default_rng(seed)
    full = rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32)
    if kind == "few":  # many repeats, several distinct values
        return rng.choice(full[:5] if size else full, size)
    if kind == "equal":
        return np.full(size, rng.integers(0, 2**32), dtype=np.uint32)
    if kind == "one apart":  # all equal but the last, smaller in one byte (no pass moves
        # the others, and a sort that skips the pass where it differs gets it wrong)
        value = int(full[0]) | 0x80808080 if size else 0
        out = np.full(size, value, dtype=np.uint32)
        if size:
            out[-1] = value - (1 << (8 * int(rng.integers(0, 4))))
        return out
    if kind == "high":  # only the top byte varies (the first three passes are skipped)
        return full & np.uint32(0xFF000000)
    if kind == "low":  # only the bottom byte varies, the others all set
        return full | np.uint32(0xFFFFFF00)
    if kind == "one byte":  # one middle byte varies, with repeats
        return (full & np.uint32(0x0000FF00)) | np.uint32(0xAB0000CD)
    if kind == "ascending":
        return np.sort(full)
    if kind == "descending":
        return np.sort(full)[::-1].copy()
    if kind == "extremes":
        return rng.choice(np.array([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF], np.uint32), size)
    return full


def distinct_by_kernel(values: np.ndarray, at: int = 3) -> np.ndarray:
    """``sorted_distinct`` of the values, written at offset ``at`` of a larger array (whose
    other entries must stay as they were)."""
    from neardup.core.minhash_numba import sorted_distinct

    size = values.size
    out = np.full(size + 2 * at + 1, 0x5A5A5A5A, dtype=np.uint32)
    written = sorted_distinct(
        values.copy(), size, np.empty(size + 1, np.uint32), np.empty((4, 256), np.int64), out,
        at,
    )
    untouched = np.concatenate([out[:at], out[at + written :]])
    assert (untouched == 0x5A5A5A5A).all()
    return out[at : at + written]


@needs_numba
@pytest.mark.parametrize("kind", KINDS)
def test_sorted_distinct_equals_np_unique_around_the_radix_cut(kind: str) -> None:
    from neardup.core.minhash_numba import RADIX_FROM

    for size in (0, 1, 2, 3, RADIX_FROM - 1, RADIX_FROM, RADIX_FROM + 1, 255, 256, 257, 5000):
        values = hashes_of(kind, size, size)
        assert distinct_by_kernel(values).tolist() == np.unique(values).tolist(), (kind, size)


@needs_numba
@settings(deadline=None, max_examples=200)
@given(st.sampled_from(KINDS), st.integers(0, 3000), st.integers(0, 2**32 - 1))
def test_sorted_distinct_equals_np_unique(kind: str, size: int, seed: int) -> None:
    values = hashes_of(kind, size, seed)
    assert distinct_by_kernel(values).tolist() == np.unique(values).tolist()


LONG_TEXTS = [
    "",
    "的",
    "意识形态",
    "意识形态工作",
    "的" * 500,
    "ab" * 300,
    "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(70)),  # around the radix cut
    "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(68)),
    "".join(chr(0x4E00 + (i * 104729) % 20000) for i in range(6000)),
    "😀🀄" * 200 + "abc",
]


@needs_numba
@pytest.mark.parametrize("ngram", [1, 2, 5, 9])
def test_shingle_sets_of_long_documents_are_the_same_with_either_kernel(
    ngram: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cps = [codepoints(t) for t in LONG_TEXTS]
    monkeypatch.setenv("NEARDUP_KERNEL", "numba")
    fast = [s.tolist() for s in char_shingle_sets(cps, ngram)]
    values, sizes = char_shingle_sets_packed(cps, ngram)
    assert [s.tolist() for s in pieces_of(values, sizes)] == fast and values.size == sizes.sum()
    monkeypatch.setenv("NEARDUP_KERNEL", "numpy")
    slow = [s.tolist() for s in char_shingle_sets(cps, ngram)]
    assert fast == slow == [shingle_set(t, ngram).tolist() for t in LONG_TEXTS]
    assert [s.tolist() for s in pieces_of(*char_shingle_sets_packed(cps, ngram))] == slow


def random_sets(count: int, seed: int) -> list[np.ndarray]:
    """Sorted unique uint32 sets drawn from a small range, so that they overlap; some
    empty."""
    rng = np.random.default_rng(seed)
    return [
        np.unique(rng.integers(0, 400, rng.integers(0, 300) * (k % 7 != 0)).astype(np.uint32))
        for k in range(count)
    ]


@pytest.mark.parametrize("kernel", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_overlap_rows_are_the_floats_of_overlap(
    kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEARDUP_KERNEL", kernel)
    monkeypatch.setattr(similarity, "COMPILED_FROM", 1 if kernel == "numba" else 10**9)
    sets = random_sets(40, 7)
    pairs = np.array([(i, j) for i in range(40) for j in range(i, 40)], dtype=np.int64)
    rows = overlap_rows(sets, pairs).tolist()
    assert rows == [list(overlap(sets[i], sets[j])) for i, j in pairs.tolist()]
    sizes = np.array([s.size for s in sets], dtype=np.int64)
    assert packed_overlap_rows(np.concatenate(sets), sizes, pairs).tolist() == rows
    assert overlap_rows(sets, np.empty((0, 2), np.int64)).shape == (0, 3)


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 2**32 - 1), st.sampled_from([None, 0.5, 0.9]),
       st.booleans(), st.booleans())
def test_verify_candidates_with_the_overlaps_given_decides_the_same(
    seed: int, containment: float | None, with_copied: bool, with_rewrite: bool
) -> None:
    rng = np.random.default_rng(seed)
    sets = random_sets(30, seed)
    pairs = np.array(sorted({tuple(sorted(rng.choice(30, 2, replace=False).tolist()))
                             for _ in range(rng.integers(0, 2500))}), dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    lengths = rng.integers(1, 100, 30)

    def similar(a: int, b: int) -> similarity.Overlap:
        return overlap(sets[a], sets[b])

    def copied(a: int, b: int) -> float:
        return 0.0 if (a + b) % 3 == 0 else 1.0

    def rewritten(a: int, b: int) -> Resemblance:
        return Resemblance(((a * 31 + b) % 10) / 10, 30 if a % 2 else 20)

    rules: list[Rule] = [Near()]
    if containment is not None:
        rules.append(Copied(containment, copied if with_copied else None))
    if with_rewrite:
        rules.append(Rewritten(0.8, rewritten))
    calls: list[list[int]] = [[], []]
    found = [
        verify_candidates(pairs, similar, 0.3, lengths, rules, calls[n].append, known)
        for n, known in enumerate([None, overlap_rows(sets, pairs)])
    ]
    assert calls[0] == calls[1] and sum(calls[0]) == len(pairs)
    expected = []  # the rule, pair by pair
    for k, (i, j) in enumerate(pairs.tolist()):
        o = overlap(sets[i], sets[j])
        copy = containment is not None and o.containment >= containment and (
            not with_copied or copied(i, j) >= containment)
        if o.jaccard >= 0.3 or copy or (with_rewrite and rewritten(i, j).reaches(0.8)):
            expected.append(k)
    for verified in found:
        assert verified.order.tolist() == expected
        assert verified.pairs.tolist() == pairs[expected].tolist()
        shares = [list(overlap(sets[i], sets[j])) for i, j in verified.pairs.tolist()]
        assert np.column_stack([verified.jaccard, verified.a_in_b, verified.b_in_a]).tolist() \
            == np.asarray(shares, dtype=np.float64).reshape(-1, 3).tolist()
        nothing = np.full(len(verified.order), math.nan)
        rewrites = verified.recorded.get("rewrite", nothing).tolist()
        if with_rewrite:
            assert rewrites == [rewritten(i, j).value for i, j in verified.pairs.tolist()]
        else:
            assert all(math.isnan(r) for r in rewrites)
    assert found[0].clusters == found[1].clusters


def test_read_line_gives_what_readline_gives(tmp_path: Path) -> None:
    guess = records.LINE_GUESS
    lines = [b"a\n", b"x" * (guess - 1) + b"\n", b"y" * guess + b"\n", b"z" * (5 * guess) + b"\n",
             b"\n", "长".encode() * guess + b"\r\n", b"last, no newline"]
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(lines))
    offsets = np.cumsum([0] + [len(line) for line in lines]).tolist()
    with path.open("rb") as handle:
        for offset in offsets + [offset + 1 for offset in offsets] + [offsets[-1] + 10]:
            handle.seek(offset)
            assert read_line(handle, offset) == handle.readline()


def test_packed_lines_parse_and_a_changed_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    long_text = "长文" * 5000  # past the first read of a line
    rows = ['{"id": "a", "text": "甲"}', f'{{"id": "b", "text": "{long_text}"}}',
            '{"text": "丙", "title": "T"}']
    path.write_text("\n".join(rows), encoding="utf-8")  # no newline after the last
    offsets = np.cumsum([0] + [len(r.encode()) + 1 for r in rows[:-1]])
    packed = LinesAt([(str(path), "docs.jsonl")], np.zeros(3, np.int64),
                     offsets[[2, 0, 1]].astype(np.int64), np.array([3, 1, 2]),
                     ("id", "text", "title"))
    docs = parse_records(packed)
    assert [(d.id, d.text, d.title) for d in docs] == [
        ("docs.jsonl:3", "丙", "T"), ("a", "甲", None), ("b", long_text, None)]
    assert docs == parse_records(list(packed))
    path.write_text(rows[0] + "\n", encoding="utf-8")  # the file shrank
    with pytest.raises(InputError, match=r"docs.jsonl:3: changed while being read \(blank"):
        parse_records(packed)


@needs_numba
def test_a_scan_reports_the_same_with_either_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exact verification of a corpus's candidates (re-read lines, packed shingle sets,
    compiled merge; or numpy throughout) gives the same pairs, floats and clusters."""
    from neardup import Corpus, find_duplicates, load_documents

    docs = load_documents(Path(__file__).resolve().parent / "data" / "laws_sample.jsonl.gz")
    path = tmp_path / "laws.jsonl"
    path.write_text("".join(
        json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in docs
    ), encoding="utf-8")

    def scan(kernel: str) -> tuple[object, ...]:
        monkeypatch.setenv("NEARDUP_KERNEL", kernel)
        report = find_duplicates(Corpus(path), workers=1, containment=0.8)
        return report.pairs, report.clusters, report.documents

    fast = scan("numba")
    assert fast[0] and fast[1]
    assert fast == scan("numpy")


@needs_numba
def test_lines_read_back_alike_by_the_compiled_reader_and_by_the_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's documents as verification reads them again: the same texts, titles,
    lengths and sources whether the plain lines go through the compiled reader (the others,
    here an escaped id, a doubled title and a missing id, through the parser) or all
    through the parser; and a line that changed is named."""
    from neardup.engine.component_batches import read_back

    path = tmp_path / "docs.jsonl"
    rows = ['{"id": "a", "text": "甲乙丙", "title": "题"}', '{"id": "b\\u0041", "text": "丁"}',
            '{"id": "c", "text": "戊\\n己", "title": "x", "title": "y"}', '{"text": "庚"}',
            '{"id": "d", "text": "\U0001f600 辛", "meta": {"n": [1, 2.5]}}']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    offsets = np.cumsum([0] + [len(r.encode()) + 1 for r in rows[:-1]]).astype(np.int64)
    order = np.array([4, 0, 3, 1, 2])
    packed = LinesAt([(str(path), "docs.jsonl")], np.zeros(5, np.int64), offsets[order],
                     order + 1, ("id", "text", "title"))

    def read(kernel: str) -> tuple[object, ...]:
        monkeypatch.setenv("NEARDUP_KERNEL", kernel)
        back = read_back(packed)
        return (back.texts(), back.titles, back.lengths.tolist(),
                [back.source(k) for k in range(5)])

    fast = read("numba")
    assert fast == read("numpy")
    assert fast[0] == ["\U0001f600 辛", "甲乙丙", "庚", "丁", "戊\n己"]
    assert fast[1] == [None, "题", None, None, "y"]
    assert fast[3][0] == f"{path}:5"
    path.write_text(rows[0] + "\n", encoding="utf-8")  # the file shrank
    with pytest.raises(InputError, match=r"docs.jsonl:5: changed while being read"):
        read_back(packed)
