"""The copies judgement and the rewrite search of the persistent index (format 3):
``check --preset copies`` against an index reports what a scan of the same documents
reports.

"The same" means: the report of a query of a batch against an index (made with the
``copies`` preset's index parameters) and the report of ``find_duplicates(indexed documents
followed by the batch, preset="copies")`` hold the same pairs involving a new document, each
in the same list (copies in ``pairs``, the others in ``set_apart``), with equal Jaccard,
containment, directional shares, rewrite resemblance, specific and formula shares and
reason (floats compared exactly). The query reports a (new, indexed) pair with the new
document first: its a/b figures are the scan's swapped. Document frequencies (the formula
cut, the common 4-grams) count the indexed and the new documents, as the scan counts both;
pairs of two indexed documents are not the query's to report.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neardup import (
    Document,
    DuplicateIndex,
    IndexFileError,
    add_passages,
    find_duplicates,
    load_documents,
)
from neardup.cli import main
from neardup.errors import ParameterError
from neardup.report import DuplicateReport

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
LAWS = REPO / "tests" / "data" / "laws_short_sample.jsonl.gz"
COPIES = {"containment": 0.3, "rewrite": 0.025, "formula_df": 10}
"""What ``--preset copies`` gives a query (its index parameters are the index's)."""
SWAPPED = (("a_in_b", "b_in_a"), ("specific_a", "specific_b"), ("formula_a", "formula_b"))
FIELDS = ("jaccard", "containment", "a_in_b", "b_in_a", "rewrite", "specific_a",
          "specific_b", "formula_a", "formula_b", "reason", "exact")


def seed_articles() -> dict[str, Document]:
    """The seed's articles by number ("3")."""
    return {d.id.rsplit("#", 1)[1]: d for d in load_documents([SEEDS])}


def involving(report: DuplicateReport | dict[str, Any], new: set[str]
              ) -> dict[tuple[str, str], dict[str, Any]]:
    """The pairs and pairs set apart that involve a new document, by (new id, other id),
    each with its figures seen from the new document and the list it is in."""
    if isinstance(report, DuplicateReport):
        lists = {"pairs": [vars(p) for p in report.pairs],
                 "set_apart": [vars(p) for p in report.set_apart]}
    else:
        lists = {"pairs": report["pairs"], "set_apart": report["set_apart"]}
    out = {}
    for kind, pairs in lists.items():
        for pair in pairs:
            a, b = pair["a"], pair["b"]
            if a not in new and b not in new:
                continue
            figures = {name: pair.get(name) for name in FIELDS} | {"list": kind}
            if a not in new:
                a, b = b, a
                for first, second in SWAPPED:
                    figures[first], figures[second] = figures[second], figures[first]
            out[(a, b)] = figures
    return out


def as_json_numbers(found: dict[tuple[str, str], dict[str, Any]]
                    ) -> dict[tuple[str, str], dict[str, Any]]:
    """The figures rounded as the JSON report writes them (6 decimals)."""
    return {key: {n: round(v, 6) if isinstance(v, float) else v for n, v in figures.items()}
            for key, figures in found.items()}


def planted_copies(rng: random.Random, sources: list[Document], count: int) -> list[Document]:
    """New laws made of half of one indexed law with a fifth to three fifths of another
    inserted, every second insertion edited (one character in 30 replaced)."""
    out = []
    for k in range(count):
        copied, host = rng.choice(sources).text, rng.choice(sources).text
        size = int(len(copied) * rng.choice([0.2, 0.4, 0.6]))
        start = rng.randrange(0, max(1, len(copied) - size))
        piece = copied[start : start + size]
        if k % 2:
            piece = "".join("和" if i % 30 == 29 else c for i, c in enumerate(piece))
        half = len(host) // 2
        out.append(Document(f"planted-{k}", host[:half] + piece + host[half:][: half // 2]))
    return out


# ---------------------------------------------------------------------------- the seeds


def test_check_preset_copies_of_a_seed_article_as_a_scan(tmp_path: Path) -> None:
    """Articles 1 and 3-11 indexed, article 2 checked with ``--preset copies``: the copy of
    article 11 is reported with the scan's figures and reason, and nothing else."""
    articles = seed_articles()
    old = [d for k, d in articles.items() if k != "2"]
    new = articles["2"]
    (tmp_path / "old.jsonl").write_text(
        "".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n"
                for d in old), encoding="utf-8")
    (tmp_path / "new.jsonl").write_text(
        json.dumps({"id": new.id, "text": new.text}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    ndx = tmp_path / "seeds.ndx"
    runner = CliRunner()
    created = runner.invoke(main, ["index", "create", str(ndx), "--copies", "--threshold",
                                   "0.5", "--script", "simplified"])
    assert created.exit_code == 0, created.output
    assert runner.invoke(main, ["index", "add", str(ndx), str(tmp_path / "old.jsonl")]
                         ).exit_code == 0
    checked = runner.invoke(main, ["check", str(tmp_path / "new.jsonl"), "--index", str(ndx),
                                   "--preset", "copies", "-f", "json", "-q"])
    assert checked.exit_code == 1, checked.output
    report = json.loads(checked.stdout)
    scan = find_duplicates([*old, new], preset="copies")
    expected = involving(scan, {new.id})
    assert list(expected) == [(new.id, articles["11"].id)]
    assert expected[(new.id, articles["11"].id)]["list"] == "pairs"
    assert involving(report, {new.id}) == as_json_numbers(expected)
    assert report["parameters"]["formula_df"] == 10 and report["parameters"]["rewrite"] == 0.025
    # the copy ratios of the check: article 2 found in article 11 at its specific share
    copy = {c["id"]: c for c in report["copies"]}[new.id]
    assert [s["id"] for s in copy["sources"]] == [articles["11"].id]
    assert copy["share"] > 0.9


@pytest.mark.slow  # keeps pytest -m 'not slow' within its minute
def test_query_judges_new_documents_among_themselves_as_a_scan() -> None:
    """New documents: articles 2 and 11, a copy of article 2 and one of (indexed) article 5
    that differs only by punctuation; the eight others indexed. The copy ratios (specific
    text only) are the scan's too."""
    articles = seed_articles()
    old = [d for k, d in articles.items() if k not in ("2", "11")]
    new = [articles["2"], articles["11"], Document("again-2", articles["2"].text),
           Document("again-5", articles["5"].text + "。")]
    with DuplicateIndex.create(":memory:", preset="copies") as index:
        index.add(old)
        report = index.query(new, **COPIES)
        texts = {d.id: d.text for d in new} | index.texts([d.id for d in old])
        by_name = index.query(new, preset="copies")  # the same choices, named by the preset
        assert by_name.pairs == report.pairs and by_name.parameters == report.parameters
        with pytest.raises(ParameterError, match="preset must be one of"):
            index.query(new, preset="copy")
    with pytest.raises(IndexFileError, match="the index is closed"):  # not sqlite3's error
        index.query(new)
    scan = find_duplicates([*old, *new], preset="copies")
    ids = {d.id for d in new}
    assert involving(report, ids) == involving(scan, ids)
    assert {(p.a, p.b, p.exact) for p in report.pairs} == {
        (articles["2"].id, articles["11"].id, False), (articles["2"].id, "again-2", True),
        (articles["11"].id, "again-2", False), ("again-5", articles["5"].id, True),
    }
    assert report.formula is not None and report.counts.formula_shingles > 0

    def ratios(found: DuplicateReport, texts: dict[str, str]) -> list[tuple[Any, ...]]:
        return [(c.id, c.share, sorted((s.id, s.share) for s in c.sources))
                for c in add_passages(found, texts).copies]

    assert ratios(report, texts) == ratios(scan, {d.id: d.text for d in [*old, *new]})


# ---------------------------------------------------------------------------- laws


@pytest.mark.slow
def test_laws_batch_with_planted_copies_as_a_scan() -> None:
    """240 laws indexed; 60 others and 30 planted partial copies checked (about 10 s)."""
    laws = load_documents([LAWS])
    old, new = laws[:240], laws[240:]
    new += planted_copies(random.Random(25), old, 30)
    with DuplicateIndex.create(":memory:", preset="copies") as index:
        index.add(old)
        report = index.query(new, **COPIES)
    scan = find_duplicates([*old, *new], preset="copies")
    ids = {d.id for d in new}
    expected = involving(scan, ids)
    found = involving(report, ids)
    assert found == expected
    lists = [figures["list"] for figures in expected.values()]
    assert lists.count("pairs") >= 50 and lists.count("set_apart") >= 30
    planted = {key for key, figures in expected.items()
               if key[0].startswith("planted-") and figures["list"] == "pairs"}
    assert len(planted) >= 20  # the planted copies are judged copies
    assert any(figures["rewrite"] is not None for figures in found.values())


@pytest.mark.slow
@pytest.mark.parametrize("asked", [
    {"rewrite": 0.025},
    {"formula_df": 10},
    {"formula_df": 4, "containment": 0.3},
    {"rewrite": 0.05, "containment": 0.5, "max_df": 5},
])
def test_each_search_alone_as_a_scan(asked: dict[str, Any]) -> None:
    """The rewrite search without the judgement, the judgement without it, other cuts: 120
    laws indexed, 30 others and 12 planted copies checked (about 2 s each)."""
    laws = load_documents([LAWS])[:150]
    old, new = laws[:120], laws[120:]
    new += planted_copies(random.Random(3), old, 12)
    with DuplicateIndex.create(":memory:", preset="copies") as index:
        index.add(old)
        report = index.query(new, **asked)
    scan = find_duplicates([*old, *new], threshold=0.5, script="simplified", **asked)
    ids = {d.id for d in new}
    assert involving(report, ids) == involving(scan, ids)
    assert len(involving(report, ids)) >= 25


# ---------------------------------------------------------------------------- the tables


def table_rows(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            "sampled": db.execute("SELECT count(*) FROM sampled").fetchone()[0],
            "grams": db.execute("SELECT count(*) FROM grams").fetchone()[0],
            "sampled_listed": db.execute("SELECT sum(sampled) FROM docs").fetchone()[0] or 0,
            "grams_listed": db.execute("SELECT sum(grams) FROM docs").fetchone()[0] or 0,
        }
    finally:
        db.close()


@pytest.mark.slow  # keeps pytest -m 'not slow' within its minute
def test_tables_follow_additions_replacements_and_removals(tmp_path: Path) -> None:
    articles = seed_articles()
    path = tmp_path / "seeds.ndx"
    with DuplicateIndex.create(path, copies=True) as index:
        index.add(list(articles.values())[:6])
        first = table_rows(path)
        index.add(list(articles.values())[6:])
        index.add([Document(articles["3"].id, articles["3"].text + "补充一句新的内容。")],
                  replace=True)
        index.remove([articles["5"].id, articles["9"].id])
        info = index.info()
        assert index.verify().sound
    rows = table_rows(path)
    assert rows["sampled"] == rows["sampled_listed"] and rows["grams"] == rows["grams_listed"]
    assert 0 < first["sampled"] < rows["sampled"] and rows["grams"] > 3 * rows["sampled"]
    assert (info.sampled_rows, info.gram_rows) == (rows["sampled"], rows["grams"])
    # a fresh index of the same documents holds the same rows
    again = tmp_path / "again.ndx"
    kept = [d for k, d in articles.items() if k not in ("5", "9")]
    with DuplicateIndex.create(again, copies=True) as index:
        index.add([Document(d.id, d.text + "补充一句新的内容。") if d.id == articles["3"].id
                   else d for d in kept])
    assert table_rows(again) == rows


@pytest.mark.slow  # keeps pytest -m 'not slow' within its minute
def test_verify_finds_a_missing_gram_row_and_a_query_refuses_it(tmp_path: Path) -> None:
    articles = seed_articles()
    path = tmp_path / "seeds.ndx"
    with DuplicateIndex.create(path, preset="copies") as index:
        index.add([d for k, d in articles.items() if k != "2"])
    db = sqlite3.connect(path)
    doc = db.execute("SELECT doc FROM docs WHERE id = ?", (articles["11"].id,)).fetchone()[0]
    db.execute("DELETE FROM sampled WHERE doc = ? AND shingle IN (SELECT shingle FROM sampled "
               "WHERE doc = ? LIMIT 50)", (doc, doc))
    db.commit()
    db.close()
    with DuplicateIndex.open(path) as index:
        assert not index.verify().sound
        with pytest.raises(IndexFileError, match="damaged index: the sampled table does not "
                           "give value"):
            index.query([articles["2"]], **COPIES)
        assert index.query([articles["2"]], containment=0.3).pairs  # that reads no sampled row


# ---------------------------------------------------------------------------- refusals


def test_an_index_of_format_2_refuses_the_copies_judgement_with_how_to_rebuild(
    tmp_path: Path,
) -> None:
    articles = seed_articles()
    path = tmp_path / "old.ndx"
    with DuplicateIndex.create(path) as index:
        index.add(list(articles.values())[:3])
    db = sqlite3.connect(path)  # what format 2 has: no sampled, no grams
    db.executescript("DROP TABLE sampled; DROP TABLE grams; PRAGMA user_version = 2; "
                     "UPDATE meta SET value = '2' WHERE key = 'format_version';")
    db.close()
    with DuplicateIndex.open(path) as index:
        assert index.format_version == 2
        assert index.query([articles["4"]], containment=0.3).counts.processed == 1
        for asked in ({"formula_df": 10}, {"rewrite": 0.025}):
            with pytest.raises(IndexFileError, match=r"format 2\) keeps no sampled shingles "
                               r"nor 4-grams.*rebuild it with `neardup index create"):
                index.query([articles["4"]], **asked)
    checked = CliRunner().invoke(main, ["check", str(SEEDS), "--index", str(path), "--preset",
                                        "copies", "-q"])
    assert checked.exit_code == 2 and "rebuild it" in checked.stderr


def test_copies_tables_are_kept_only_when_asked_for(tmp_path: Path) -> None:
    """An index for Jaccard and containment checks keeps no sampled shingles nor 4-grams
    (they make it about five times larger): a copies query says how to make one that does;
    ``preset="copies"`` or ``copies=True`` (``index create --copies``) keep them."""
    articles = seed_articles()
    plain, kept = tmp_path / "plain.ndx", tmp_path / "kept.ndx"
    for path, options in ((plain, {}), (kept, {"copies": True})):
        with DuplicateIndex.create(path, **options) as index:
            index.add(list(articles.values())[2:])
    with DuplicateIndex.open(plain) as index:
        info = index.info()
        assert not info.copies and info.sampled_rows is None
        assert index.query([articles["2"]], containment=0.3).counts.processed == 1
        with pytest.raises(IndexFileError, match=r"made without --copies.*index create "
                           r"NEW_INDEX --preset copies` \(--copies --threshold 0.5 --script "
                           r"simplified"):
            index.query([articles["2"]], **COPIES)
        assert index.verify().sound
    with DuplicateIndex.open(kept) as index:
        assert index.info().copies and index.info().sampled_rows
        assert index.query([articles["2"]], **COPIES).pairs
    assert os.path.getsize(plain) < os.path.getsize(kept)
    with DuplicateIndex.create(":memory:", preset="copies") as index:
        assert index.copies
    with pytest.raises(ParameterError, match="copies needs store_text"):
        DuplicateIndex.create(":memory:", copies=True, store_text=False)
    runner = CliRunner()
    both = runner.invoke(main, ["index", "create", str(tmp_path / "nt.ndx"), "--copies",
                                "--no-text"])
    assert both.exit_code == 2 and "--copies cannot be used with --no-text" in both.output
    made = runner.invoke(main, ["index", "create", str(tmp_path / "cli.ndx"), "--copies"])
    assert made.exit_code == 0, made.output
    described = runner.invoke(main, ["index", "info", str(tmp_path / "cli.ndx"), "--json"])
    assert json.loads(described.output)["copies"] is True
    shown = runner.invoke(main, ["index", "info", str(plain)])
    assert "not kept (made without --copies" in shown.output
    assert "script=None synonyms=False" in shown.output  # the folding it checks with


def test_an_index_without_texts_refuses_the_copies_judgement() -> None:
    with DuplicateIndex.create(":memory:", store_text=False) as index:
        index.add(["今天天气很好我们一起去公园散步看看湖边新开的花"])
        with pytest.raises(IndexFileError, match="keeps no texts"):
            index.query(["今天天气很好我们一起去公园散步看看湖边新开的花"], formula_df=10)


def test_rewrite_and_formula_df_are_chosen_per_query_not_recorded() -> None:
    with pytest.raises(ParameterError, match="formula_df is chosen per query"):
        DuplicateIndex.create(":memory:", formula_df=10)
    with DuplicateIndex.create(":memory:", preset="copies") as index:
        assert index.parameters.rewrite is None and index.parameters.formula_df is None
        report = index.query(["一二三四五六七八九十"], rewrite=0.05, formula_df=5)
        assert (report.parameters.rewrite, report.parameters.formula_df) == (0.05, 5)
        with pytest.raises(ParameterError, match="rewrite"):
            index.query(["一二三四五六七八九十"], rewrite=2.0)


@pytest.mark.slow  # keeps pytest -m 'not slow' within its minute
def test_the_rows_added_are_the_judgements_values() -> None:
    """What an addition computes its way (sort-based sets, sentences joined at once) is what
    the copies judgement and the rewrite search compute."""
    import numpy as np

    from neardup.core.arrays import pieces_of
    from neardup.core.formula import NGRAM, sampled_shingles
    from neardup.core.normalize import from_codepoints, normalize_many
    from neardup.core.rewrites import sentences_of
    from neardup.index.adding import sampled_sets
    from neardup.parameters import Parameters
    from neardup.searches.rewritten_copies import normalized_sentences

    texts = [d.text for d in load_documents([LAWS])[:30]]
    texts += ["", "。", "一二三四", "一二三四五", "甲。乙！丙？", "。。末尾"]
    options = Parameters(script="simplified").normalize_options()
    flat, lengths = normalize_many(texts, options)
    cps = pieces_of(flat, lengths)
    values, counts = sampled_sets(cps)
    expected, expected_counts = sampled_shingles(flat, lengths, NGRAM)
    assert np.array_equal(values, expected) and np.array_equal(counts, expected_counts)
    one_by_one = []
    for text in texts:
        normalized = normalize_many(sentences_of(text), options)
        one_by_one.append("\n".join(from_codepoints(c) for c in pieces_of(*normalized)))
    assert normalized_sentences(texts, options) == one_by_one
