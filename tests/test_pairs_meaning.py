"""One meaning of a pair (issue 26, item 6): every pair, those of identical documents
included and marked ``exact``, in ``report.pairs`` and in every output made for a program
(CSV, JSON Lines, JSON, GitHub, JUnit); a group of k identical documents gives k - 1 pairs
(each with its first member), and ``identical_pairs()`` still lists all k(k-1)/2. Spark
gives the same pairs (tests/test_spark.py)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner, Result

from neardup import DuplicateIndex, find_duplicates, render
from neardup.cli import main

TEXT = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书学习。"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_two_documents_differing_in_punctuation_are_one_exact_pair(tmp_path: Path) -> None:
    corpus = tmp_path / "two.jsonl"
    corpus.write_text(
        json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "b", "text": TEXT.replace("，", "、")}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    rows = list(csv.DictReader(io.StringIO(run("scan", corpus, "-f", "csv", "-q").stdout)))
    assert [(r["a"], r["b"], r["jaccard"], r["exact"]) for r in rows] == [
        ("a", "b", "1.000000", "true")
    ]
    lines = run("scan", corpus, "-f", "jsonl", "-q").stdout.splitlines()
    assert [(p["a"], p["b"], p["exact"]) for p in map(json.loads, lines)] == [("a", "b", True)]
    data = json.loads(run("scan", corpus, "-f", "json", "-q").stdout)
    assert [(p["a"], p["b"], p["exact"]) for p in data["pairs"]] == [("a", "b", True)]
    assert data["counts"]["pairs"] == 1
    assert data["identical"] == [{"representative": "a", "members": ["a", "b"]}]
    text = run("scan", corpus, "-q").stdout
    assert "2 identical documents: a, b" in text and "\nPairs\n" not in text  # shown once
    assert "1 pair (1 of identical documents) in 1 cluster" in text


def test_a_group_of_five_gives_four_exact_pairs_in_input_order() -> None:
    other = "完全不同的一句话，讲的是另外一件事情，和上面的文字没有关系。"
    docs = {"x": TEXT, "o": other, "y": TEXT + "！", "z": " " + TEXT, "w": TEXT + "。",
            "v": TEXT.replace("，", ",")}
    report = find_duplicates(docs, workers=1)
    assert [(p.a, p.b, p.exact, p.jaccard) for p in report.pairs] == [
        ("x", m, True, 1.0) for m in ("y", "z", "w", "v")
    ]
    assert len(report.identical_pairs()) == 10 and all(p.exact for p in report.identical_pairs())
    assert report.counts.pairs == 4
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [r["exact"] for r in rows] == ["true"] * 4


def test_check_marks_identical_pairs_exact_in_github_junit_and_csv(tmp_path: Path) -> None:
    index = tmp_path / "i.ndx"
    with DuplicateIndex.create(index) as idx:
        idx.add({"old": TEXT})
    batch = tmp_path / "new.jsonl"
    records = [{"id": "same", "text": TEXT.replace("，", " ")}, {"id": "near", "text": TEXT + "好吗"}]
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                     encoding="utf-8")
    github = run("check", batch, "--index", index, "-f", "github", "-q")
    assert github.exit_code == 1
    assert "title=identical::same duplicates old (identical after normalization)" in (
        github.stdout
    )
    assert "title=near-duplicate::near duplicates old" in github.stdout
    junit = ET.fromstring(run("check", batch, "--index", index, "-f", "junit", "-q").stdout)
    kinds = {case.get("name"): [f.get("type") for f in case.findall("failure")]
             for case in junit.iter("testcase")}
    assert kinds == {"same": ["identical"], "near": ["near-duplicate"]}
    rows = list(csv.DictReader(io.StringIO(
        run("check", batch, "--index", index, "-f", "csv", "-q").stdout
    )))
    assert {(r["a"], r["b"], r["exact"]) for r in rows} == {
        ("same", "old", "true"), ("near", "old", "false"), ("same", "near", "false"),
    }


def test_a_member_of_an_identical_group_shows_its_length_and_title(tmp_path: Path) -> None:
    """A copy set aside is not re-read by verification: its title and length come from the
    re-reading for passages, or, without passages, its normalized length is shown."""
    corpus = tmp_path / "three.jsonl"
    records = [{"id": "a", "title": "A", "text": TEXT},
               {"id": "b", "title": "B", "text": TEXT.replace("，", " ")},
               {"id": "c", "title": "C", "text": TEXT + "晚上回家做饭，早点睡觉。"}]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    text = run("scan", corpus, "--threshold", "0.5", "-q").stdout
    assert f"a: b  B  ({len(records[1]['text'])} chars)" in text, text
    quick = run("scan", corpus, "--threshold", "0.5", "-q", "--no-passages").stdout
    assert "a: b  (32 chars normalized)" in quick, quick  # punctuation removed


def test_check_gives_a_group_of_identical_new_documents_as_scan_does(tmp_path: Path) -> None:
    """Three identical new documents: each later one's pair with the first, not all three
    pairs; each one still fails the check."""
    index = tmp_path / "i.ndx"
    with DuplicateIndex.create(index) as idx:
        idx.add({"old": "完全不同的一句话，讲的是另外一件事情，和上面的文字没有关系。"})
    batch = tmp_path / "new.jsonl"
    records = [{"id": f"n{k}", "text": TEXT + "！" * k} for k in range(3)]
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                     encoding="utf-8")
    data = json.loads(run("check", batch, "--index", index, "-f", "json", "-q").stdout)
    assert [(p["a"], p["b"], p["exact"]) for p in data["pairs"]] == [
        ("n0", "n1", True), ("n0", "n2", True)
    ]
    junit = ET.fromstring(run("check", batch, "--index", index, "-f", "junit", "-q").stdout)
    assert junit.get("failures") == "3"
