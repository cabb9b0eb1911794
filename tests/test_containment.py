"""The containment search: winnowed fingerprints, their candidate pairs, partial copies found
against brute force, the copy-ratio view, presets and the scan command."""

from __future__ import annotations

import gzip
import json
import random
import re
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from neardup import (
    add_passages,
    find_duplicates,
    load_documents,
    normalize_text,
    render,
    shingle_set,
)
from neardup.cli import main
from neardup.core import fingerprints
from neardup.core.fingerprints import (
    WINDOW,
    shared_fingerprint_pairs,
    winnow,
    winnow_flat,
)
from neardup.core.normalize import codepoints
from neardup.core.shingles import ngram_hashes
from neardup.core.similarity import overlap
from neardup.errors import ParameterError
from neardup.io.documents import Document
from neardup.parameters import parameters_for

DATA = Path(__file__).parent / "data"
HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), max_size=120)


# ---------------------------------------------------------------------------- fingerprints


@given(st.lists(HAN, max_size=12), st.integers(1, 6), st.integers(1, 20))
def test_winnow_flat_is_winnow_of_each_text(texts: list[str], ngram: int, window: int) -> None:
    cps = [codepoints(t) for t in texts]
    flat = np.concatenate(cps) if cps else np.empty(0, dtype=np.uint32)
    lengths = np.array([c.size for c in cps], dtype=np.int64)
    values, counts = winnow_flat(flat, lengths, ngram, window)
    assert counts.tolist() == [winnow(ngram_hashes(c, ngram), window).size for c in cps]
    pieces = np.split(values, np.cumsum(counts)[:-1]) if counts.size else []
    for c, piece in zip(cps, pieces, strict=True):
        expected = winnow(ngram_hashes(c, ngram), window)
        assert piece.tolist() == expected.tolist()
        hashes = ngram_hashes(c, ngram).tolist()
        windows = range(max(len(hashes) - window + 1, 1)) if hashes else range(0)
        assert set(expected.tolist()) == {min(hashes[i : i + window]) for i in windows}


@given(st.lists(HAN, max_size=12), st.integers(1, 6), st.integers(1, 20))
def test_the_compiled_and_the_numpy_winnowing_agree(
    texts: list[str], ngram: int, window: int
) -> None:
    cps = [codepoints(t) for t in texts]
    flat = np.concatenate(cps) if cps else np.empty(0, dtype=np.uint32)
    lengths = np.array([c.size for c in cps], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEARDUP_KERNEL", "numpy")
        expected = winnow_flat(flat, lengths, ngram, window)
        patch.setenv("NEARDUP_KERNEL", "numba")
        compiled = winnow_flat(flat, lengths, ngram, window)
    assert compiled[0].tolist() == expected[0].tolist()
    assert compiled[1].tolist() == expected[1].tolist()


@given(HAN, HAN, st.text(alphabet="abcdefghij", min_size=WINDOW + 4, max_size=60))
def test_a_shared_run_of_window_plus_ngram_minus_one_shares_a_fingerprint(
    left: str, right: str, run: str
) -> None:
    """The winnowing guarantee: any shared run of WINDOW + 5 - 1 characters is caught."""
    a = winnow(ngram_hashes(codepoints(left + run + right), 5))
    b = winnow(ngram_hashes(codepoints(right + run), 5))
    assert np.intersect1d(a, b).size >= 1


def _brute_pairs(
    sets: list[set[int]], max_df: int
) -> tuple[dict[tuple[int, int], int], list[int]]:
    holders: dict[int, list[int]] = {}
    for doc, values in enumerate(sets):
        for value in values:
            holders.setdefault(value, []).append(doc)
    shared: dict[tuple[int, int], int] = {}
    common = []
    for value, docs in holders.items():
        if len(docs) > max_df:
            common.append(value)
            continue
        for pair in combinations(docs, 2):
            shared[pair] = shared.get(pair, 0) + 1
    return shared, common


@given(
    st.lists(st.sets(st.integers(0, 40), max_size=15), min_size=2, max_size=25),
    st.integers(2, 8),
    st.sampled_from([0.1, 0.3, 0.6, 1.0]),
)
def test_shared_fingerprint_pairs_match_brute_force(
    sets: list[set[int]], max_df: int, containment: float
) -> None:
    values = np.array([v for s in sets for v in sorted(s)], dtype=np.uint32)
    counts = np.array([len(s) for s in sets], dtype=np.int64)
    found = shared_fingerprint_pairs(values, counts, containment, max_df)
    shared, common = _brute_pairs(sets, max_df)
    expected = {
        pair: n
        for pair, n in shared.items()
        if n >= max(1, int(0.5 * containment * min(counts[pair[0]], counts[pair[1]])))
    }
    assert dict(zip(map(tuple, found.pairs.tolist()), found.shared.tolist(), strict=True)) == (
        expected
    )
    assert found.common.tolist() == sorted(common)
    assert found.common_held.tolist() == [len(s & set(common)) for s in sets]
    assert found.pairs.tolist() == sorted(found.pairs.tolist())


@given(
    st.lists(st.sets(st.integers(0, 30), max_size=8), min_size=1, max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
    st.integers(1, 40),
)
def test_blocks_and_parts_give_the_same_pairs(
    sets: list[set[int]], cuts: list[int], part: int
) -> None:
    """Fingerprints given in blocks of whole documents, and sorted in parts, give what one
    array sorted at once gives."""
    arrays = [np.array(sorted(s), dtype=np.uint32) for s in sets]
    counts = np.array([a.size for a in arrays], dtype=np.int64)
    bounds = sorted({0, len(sets), *(c for c in cuts if c <= len(sets))})
    blocks = [np.concatenate([np.empty(0, np.uint32), *arrays[lo:hi]])
              for lo, hi in pairwise(bounds)]
    whole = shared_fingerprint_pairs(np.concatenate(arrays), counts, 0.3, 3)
    original = fingerprints.PART_FINGERPRINTS
    fingerprints.PART_FINGERPRINTS = part
    try:
        parted = shared_fingerprint_pairs(blocks, counts, 0.3, 3)
    finally:
        fingerprints.PART_FINGERPRINTS = original
    assert parted.pairs.tolist() == whole.pairs.tolist()
    assert parted.shared.tolist() == whole.shared.tolist()
    assert parted.common.tolist() == whole.common.tolist()
    assert parted.common_held.tolist() == whole.common_held.tolist()


def test_a_pair_budget_lowers_the_boilerplate_cut_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Passages that recur in tens of documents make d (d - 1) / 2 pairs each; past the
    budget the cut comes down (never below 2) and the report says so."""
    rng = random.Random(4)
    phrases = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(30)) for _ in range(40)]
    docs = ["".join(rng.sample(phrases, 6)) for _ in range(200)]  # each phrase in ~30 docs
    wide = find_duplicates(docs, containment=0.3)
    assert not wide.notes
    monkeypatch.setattr(fingerprints, "LEAST_PAIRS", 2000)
    monkeypatch.setattr(fingerprints, "PAIRS_PER_DOCUMENT", 1)
    narrow = find_duplicates(docs, containment=0.3)
    assert narrow.counts.common_fingerprints > wide.counts.common_fingerprints
    assert len(narrow.pairs) < len(wide.pairs)
    assert any("not 50" in note for note in narrow.notes), narrow.notes
    assert fingerprints.within_budget(np.array([0, 0, 10**9]), 50, 10) == 2


# ---------------------------------------------------------------------------- partial copies


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？；\n])", text) if s.strip()]


def _laws() -> list[Document]:
    with gzip.open(DATA / "laws_sample.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [Document(row["id"], row["text"]) for row in rows]


PLANTED: dict[str, tuple[str, str]] = {}
"""The source and host of each planted copy, by its id."""


def _planted_copies(docs: list[Document], count: int, seed: int) -> list[Document]:
    """Documents that hold 30-70% of one law's sentences (in order or shuffled, lightly
    edited) inside another law (their source and host go to :data:`PLANTED`)."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        source, host = rng.sample(docs, 2)
        sentences = _sentences(source.text)
        taken = rng.sample(sentences, max(1, round(len(sentences) * rng.uniform(0.3, 0.7))))
        if rng.random() < 0.5:
            taken.sort(key=sentences.index)
        edited = []
        for sentence in taken:
            chars = list(sentence)
            for _ in range(len(chars) // 40):
                chars[rng.randrange(len(chars))] = rng.choice("的了和是在")
            edited.append("".join(chars))
        host_sentences = _sentences(host.text)
        at = rng.randrange(len(host_sentences) + 1)
        text = "".join(host_sentences[:at] + edited + host_sentences[at:])
        out.append(Document(f"copy{k}", text))
        PLANTED[f"copy{k}"] = (source.id, host.id)
    return out


def _exact_sets(docs: list[Document]) -> list[np.ndarray]:
    return [shingle_set(normalize_text(d.text)) for d in docs]


def _copy_oracle(docs: list[Document], max_df: int) -> list[set[int]]:
    """Each document's shingle set without boilerplate, by the definition and plain
    Python: fingerprints are the minima of every window of WINDOW shingle hashes (or of all
    of them); a fingerprint held by more than ``max_df`` documents is common; a shingle whose
    hash is common is boilerplate, and so is every shingle between two of those at most
    WINDOW apart."""
    hashes = [ngram_hashes(codepoints(normalize_text(d.text)), 5).tolist() for d in docs]

    def windows(h: list[int]) -> list[tuple[int, int]]:
        if len(h) <= WINDOW:
            return [(0, len(h))] if h else []
        return [(i, i + WINDOW) for i in range(len(h) - WINDOW + 1)]

    holders: dict[int, int] = {}
    for h in hashes:
        for value in {min(h[lo:hi]) for lo, hi in windows(h)}:
            holders[value] = holders.get(value, 0) + 1
    common = {value for value, count in holders.items() if count > max_df}
    out = []
    for h in hashes:
        at = [i for i, value in enumerate(h) if value in common]
        boiler = set(at)
        for here, there in pairwise(at):
            if there - here <= WINDOW:
                boiler.update(range(here, there))
        out.append({value for i, value in enumerate(h) if i not in boiler})
    return out


@pytest.mark.slow
def test_partial_copies_against_brute_force() -> None:
    """Among 310 laws and 60 planted partial copies, every pair (brute force over all
    pairs) whose containment is >= 0.3 with and without boilerplate is found but for a few,
    every planted copy carrying >= 30% of its source is, and every reported pair is exact."""
    docs = _laws()
    docs += _planted_copies(docs, 60, seed=12)
    sets = _exact_sets(docs)
    free = _copy_oracle(docs, 50)
    truth = {}
    for i, j in combinations(range(len(docs)), 2):
        found = overlap(sets[i], sets[j])
        smaller = min(len(free[i]), len(free[j]))
        copy = found.containment >= 0.3 and smaller and len(free[i] & free[j]) >= 0.3 * smaller
        if copy or found.jaccard >= 0.7:
            truth[docs[i].id, docs[j].id] = found
    report = find_duplicates(docs, containment=0.3)
    reported = {(p.a, p.b): p for p in report.pairs}
    missed = set(truth) - set(reported)
    assert len(missed) <= 0.02 * len(truth), sorted(missed)[:10]
    index = {d.id: k for k, d in enumerate(docs)}
    planted = [
        (source, copy) if index[source] < index[copy] else (copy, source)
        for copy, (source, _) in PLANTED.items()
        if copy in index and overlap(sets[index[source]], sets[index[copy]]).containment >= 0.3
    ]
    assert len(planted) >= 55
    found_planted = sum(pair in reported for pair in planted)
    assert found_planted >= 0.95 * len(planted)
    for (a, b), pair in reported.items():
        exact = truth.get((a, b))
        assert exact is not None, (a, b)  # nothing that is neither a copy nor near-identical
        assert (pair.jaccard, pair.a_in_b, pair.b_in_a) == pytest.approx(
            (exact.jaccard, exact.a_in_b, exact.b_in_a), abs=1e-12
        )


def test_same_result_with_two_workers(small_batches: None) -> None:
    docs = _laws()[:120]
    docs += _planted_copies(docs, 10, seed=3)
    one = find_duplicates(docs, containment=0.3, workers=1)
    two = find_duplicates(docs, containment=0.3, workers=2)
    assert one.pairs == two.pairs
    assert one.clusters == two.clusters
    assert one.counts == two.counts
    assert any(p.b.startswith("copy") and p.jaccard < 0.3 for p in one.pairs)


def test_containment_adds_pairs_and_keeps_the_near_duplicates_and_clusters() -> None:
    docs = _laws()
    docs += _planted_copies(docs, 20, seed=7)
    plain = find_duplicates(docs, threshold=0.7)
    wide = find_duplicates(docs, threshold=0.7, containment=0.3)
    assert [p for p in wide.pairs if p.jaccard >= 0.7] == plain.pairs
    assert wide.clusters == plain.clusters
    assert len(wide.pairs) > len(plain.pairs)
    assert all(p.containment >= 0.3 for p in wide.pairs if p.jaccard < 0.7)
    assert all(p.containment == max(p.a_in_b, p.b_in_a) for p in wide.pairs)


def test_estimate_verification_keeps_estimated_containment() -> None:
    docs = _laws()[:100]
    docs += _planted_copies(docs, 8, seed=9)
    report = find_duplicates(docs, containment=0.3, verify="estimate")
    assert report.verification == "estimate"
    assert all(p.jaccard >= 0.7 or p.containment >= 0.3 for p in report.pairs)
    assert sum(p.b.startswith("copy") for p in report.pairs) >= 6


def test_boilerplate_alone_makes_no_copy_and_is_counted() -> None:
    """Short documents that share only a notice held by more than max_df documents are no
    copies, though the notice is over 30% of each; the same documents with a shared
    sentence outside the notice are."""
    notice = "本网站所刊登的各种新闻信息资料均为版权所有未经协议授权禁止下载使用。"
    rng = random.Random(1)

    def filler(size: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(size))

    docs = [Document(str(k), notice + filler(60)) for k in range(40)]
    shared = filler(50)
    docs += [Document("x", notice + shared + filler(20)), Document("y", filler(20) + shared)]
    sets = _exact_sets(docs)
    assert overlap(sets[0], sets[1]).containment > 0.3
    report = find_duplicates(docs, containment=0.3, max_df=20)
    assert report.counts.common_fingerprints >= 1
    assert [(p.a, p.b) for p in report.pairs] == [("x", "y")]
    unlimited = find_duplicates(docs, containment=0.3, max_df=100)
    assert unlimited.counts.common_fingerprints == 0
    assert len(unlimited.pairs) > 40


# ---------------------------------------------------------------------------- the seeds


def _seed_mix(seeds_dir: Path) -> tuple[list[Document], Document]:
    docs = list(load_documents([seeds_dir]))
    third, seventh = docs[2].text, docs[6].text
    return docs, Document("mix", third[: len(third) // 2] + seventh[len(seventh) // 2 :])


def test_seed_mix_names_both_sources_with_exact_passages(seeds_dir: Path) -> None:
    docs, mix = _seed_mix(seeds_dir)
    report = find_duplicates([*docs, mix], containment=0.3, with_texts=True)
    report = add_passages(report, report.texts)
    third, seventh = docs[2], docs[6]
    by_pair = {(p.a, p.b): p for p in report.pairs}
    assert set(by_pair) == {(docs[1].id, docs[10].id), (third.id, "mix"), (seventh.id, "mix")}
    assert by_pair[third.id, "mix"].a_in_b == pytest.approx(0.5, abs=0.05)
    assert by_pair[seventh.id, "mix"].a_in_b == pytest.approx(0.5, abs=0.05)
    view = {c.id: c for c in report.copies}["mix"]
    assert view.share > 0.95
    assert [s.id for s in view.sources] == [seventh.id, third.id]
    texts = {d.id: d.text for d in [*docs, mix]}
    for source in view.sources:
        for passage in source.passages:
            here = texts["mix"][passage.a_start : passage.a_end]
            there = texts[source.id][passage.b_start : passage.b_end]
            assert normalize_text(here) == normalize_text(there) and passage.text == here
    first = view.sources[1].passages[0]
    assert (first.a_start, first.b_start) == (0, 0)
    assert first.a_end > 0.4 * len(third.text) // 2


def test_default_scan_of_the_seeds_is_unchanged(seeds_dir: Path) -> None:
    docs, mix = _seed_mix(seeds_dir)
    report = find_duplicates([*docs, mix])
    assert [(p.a, p.b) for p in report.pairs] == [(docs[1].id, docs[10].id)]
    assert report.copies == [] and "copies" not in report.to_dict()
    assert report.counts.common_fingerprints == 0


# ---------------------------------------------------------------------------- presets


def test_presets_and_overrides() -> None:
    assert parameters_for().containment is None
    assert parameters_for("near-identical") == parameters_for()
    copies = parameters_for("copies")
    assert (copies.threshold, copies.containment) == (0.5, 0.3)
    assert parameters_for("copies", threshold=0.8).threshold == 0.8
    assert parameters_for("copies", containment=0.6).containment == 0.6
    with pytest.raises(ParameterError, match="preset must be one of"):
        parameters_for("fuzzy")
    report = find_duplicates(["一二三四五六七八九十"], preset="copies")
    assert report.parameters.containment == 0.3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"containment": 0}, "containment must be in"),
        ({"containment": 1.5}, "containment must be in"),
        ({"containment": "0.3"}, "containment must be a number"),
        ({"max_df": 1}, "max_df must be an integer >= 2"),
    ],
)
def test_invalid_containment_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        find_duplicates(["一二三"], **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- the command


def test_scan_containment_prints_copy_ratios_and_json(seeds_dir: Path, tmp_path: Path) -> None:
    _, mix = _seed_mix(seeds_dir)
    (tmp_path / "mix.txt").write_text(mix.text, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(seeds_dir), str(tmp_path / "mix.txt"),
                                  "--preset", "copies", "-q"])
    assert result.exit_code == 0, result.output
    joined = re.sub(r"\n    (?=\S)", " ", result.output)  # lines wrapped at 100 columns
    line = next(x for x in joined.splitlines() if x.strip().startswith("mix.txt:"))
    assert re.fullmatch(
        r"\s+mix\.txt: \d+\.\d% found elsewhere — \d+\.\d% in \S+#7, \d+\.\d% in \S+#3", line
    ), line
    assert "containment 0.3" in result.output
    out = tmp_path / "r.json"
    result = runner.invoke(main, ["scan", str(seeds_dir), str(tmp_path / "mix.txt"),
                                  "--containment", "0.3", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["parameters"]["containment"] == 0.3
    mix_view = next(c for c in data["copies"] if c["id"] == "mix.txt")
    assert len(mix_view["sources"]) == 2 and mix_view["sources"][0]["passages"]
    assert all({"a_in_b", "b_in_a"} <= set(p) for p in data["pairs"])


def test_scan_rejects_a_bad_containment(seeds_dir: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(seeds_dir), "--containment", "0"])
    assert result.exit_code == 2
    assert "--containment" in result.output


def test_html_shows_the_copy_ratios_with_links_to_the_pairs(seeds_dir: Path) -> None:
    docs, mix = _seed_mix(seeds_dir)
    report = find_duplicates([*docs, mix], preset="copies", with_texts=True)
    page = render(add_passages(report, report.texts), "html", texts=report.texts)
    assert '<section id="copies">' in page  # the script builds its rows from the data
    found = re.search(r'id="nd-table">(.*?)</script>', page)
    assert found is not None
    data = json.loads(found.group(1))
    names = [d[0] for d in data["documents"]]
    number = 1 + [(p.a, p.b) for p in report.pairs].index((docs[6].id, "mix"))
    (mixed,) = [c for c in data["copies"] if names[c[0]] == "mix"]
    assert [docs[6].id, number] in [[names[s[0]], s[2]] for s in mixed[2]]
    assert "traditional characters folded to simplified" in page
    plain = render(add_passages(find_duplicates(docs, with_texts=True), report.texts), "html")
    assert 'id="copies"' not in plain


def test_ci_formats_call_a_partial_copy_so(seeds_dir: Path) -> None:
    docs, mix = _seed_mix(seeds_dir)
    report = find_duplicates([*docs, mix], preset="copies", with_texts=True)
    github = render(report, "github", checked=[mix])
    assert "title=near-duplicate::" in github and "title=partial copy::" in github
    junit = render(report, "junit", checked=[mix])
    assert 'type="partial copy"' in junit and "% of mix is in" in junit
    assert "; copy: " in junit and "; copy: " in github  # the judgement's reason
    markdown = render(add_passages(report, report.texts), "markdown")
    assert "## Copy ratios" in markdown and "- mix: " in markdown
