"""``neardup index ...`` and ``neardup check``: exit codes, messages, CI formats, baselines."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from neardup import Document, find_duplicates, load_documents
from neardup.cli.check import check
from neardup.cli.index import index
from neardup.formats import render

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_28473338c6d0f06c.txt"
NAME = SEED.name


@click.group()
def cli() -> None:
    """A stand-in for the main ``neardup`` group."""


cli.add_command(index)
cli.add_command(check)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def articles() -> list[str]:
    """The seed's articles, each with its ``第N篇: title`` heading."""
    text = SEED.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(?=第[一二三四五六七八九十]+篇)", text)
    found = [p for p in parts if p.strip()]
    assert len(found) == 11
    return found


def write(path: Path, parts: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    return path


@pytest.fixture
def seed_index(tmp_path: Path) -> tuple[Path, list[str]]:
    """An index of articles 1-10 of the seed (ids ``<seed name>#N`` as in the seed), with
    what ``check --preset copies`` reads."""
    parts = articles()
    old = write(tmp_path / "old" / NAME, parts[:10])
    ndx = tmp_path / "seed.ndx"
    assert run("index", "create", ndx, "--copies").exit_code == 0
    result = run("index", "add", ndx, old)
    assert result.exit_code == 0, result.output
    assert "added 10 documents" in result.stderr
    return ndx, parts


SeedIndex = tuple[Path, list[str]]
OTHER = "一篇完全不同的短文，讲的是天气和庄稼，与总结无关。" * 5


def test_check_finds_the_rewritten_article(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    new = write(tmp_path / "new" / NAME, parts[10:])
    result = run("check", new, "--index", ndx)
    assert result.exit_code == 1, result.output
    assert f"{NAME}#11" in result.stdout
    assert f"{NAME}#2" in result.stdout
    assert "0.84" in result.stdout


def test_check_a_clean_article_exits_0(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    # Article 1, under its own id: a new version of the indexed #1, not a duplicate of others.
    one = write(tmp_path / "one" / NAME, parts[:1])
    result = run("check", one, "--index", ndx)
    assert result.exit_code == 0, result.output
    # Article 1 against an index of the other ten articles.
    others = tmp_path / "others.ndx"
    run("index", "create", others)
    run("index", "add", others, write(tmp_path / "rest" / "rest.txt", parts[1:]))
    result = run("check", write(tmp_path / "first.txt", parts[:1]), "--index", others)
    assert result.exit_code == 0, result.output
    # The same article under another id is a duplicate of the indexed one.
    result = run("check", tmp_path / "first.txt", "--index", ndx)
    assert result.exit_code == 1
    assert f"{NAME}#1" in result.stdout


def test_check_against_files(tmp_path: Path) -> None:
    parts = articles()
    old = write(tmp_path / "old.txt", parts[:10])
    new = write(tmp_path / "new.txt", parts[10:])
    result = run("check", new, "--against", old, "-f", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("new.txt#11", "old.txt#2")]
    rest = write(tmp_path / "rest.txt", parts[1:])
    assert run("check", write(tmp_path / "first.txt", parts[:1]), "--against", rest).exit_code == 0


def test_a_check_of_nothing_says_so_and_fails_with_strict(tmp_path: Path) -> None:
    """An empty batch passes the gate with a warning (a commit without new files), and with
    --strict fails: a pipeline that lost its batch is not told it is clean in silence."""
    old = write(tmp_path / "old.txt", articles()[:3])
    empty = tmp_path / "batch"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["check", str(empty), "--against", old])
    assert result.exit_code == 0
    assert f"neardup: warning: nothing to check: {empty} holds no document with text" in (
        result.stderr)
    strict = CliRunner().invoke(cli, ["check", str(empty), "--strict", "--against", old])
    assert strict.exit_code == 2 and "neardup: error: nothing to check" in strict.stderr


def test_new_documents_duplicating_each_other(tmp_path: Path) -> None:
    parts = articles()
    ndx = tmp_path / "x.ndx"
    run("index", "create", ndx)
    a = write(tmp_path / "batch" / "a.txt", parts[1:2])
    write(tmp_path / "batch" / "b.txt", parts[10:11])
    result = run("check", a.parent, "--index", ndx, "-f", "github")
    assert result.exit_code == 1
    assert "a.txt#2 duplicates b.txt#11 (also new)" in result.stdout


def test_github_format(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    new = write(tmp_path / "new" / NAME, parts[10:])
    result = run("check", new, "--index", ndx, "--format", "github")
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    escaped = str(new).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert errors == [
        f"::error file={escaped},title=near-duplicate::"
        f"{NAME}#11 duplicates {NAME}#2 (Jaccard 0.841)"
    ]
    clean = run("check", write(tmp_path / "one" / NAME, parts[:1]), "--index", ndx, "-f", "github")
    assert clean.exit_code == 0
    assert not [line for line in clean.stdout.splitlines() if line.startswith("::error")]


def test_github_escaping() -> None:
    """Ids and file names cannot end a workflow command early or add properties to it: the
    message escapes %, CR and LF; property values also : and ,."""
    text = "一篇完全相同的短文，讲的是天气和庄稼。" * 5
    docs = [Document("50% a\r\nb", text, None, "C:\\x,y%"), Document("m:1,2\n", text + "完")]
    report = find_duplicates(docs)
    assert report.pairs and report.skipped == []
    assert render(report, "github", checked=docs[:1]).splitlines()[0] == (
        "::error file=C%3A\\x%2Cy%25,title=near-duplicate::"
        "50%25 a%0D%0Ab duplicates m:1,2%0A (Jaccard 0.944)"
    )


def test_junit_format(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    batch = tmp_path / "batch"
    write(batch / "a.txt", parts[10:])  # duplicates indexed #2
    write(batch / "b.txt", parts[2:3])  # article 3 under another id: duplicates indexed #3
    write(batch / "c.txt", [OTHER])
    (batch / "d.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "junit.xml"
    result = run("check", batch, "--index", ndx, "--format", "junit", "-o", out)
    assert result.exit_code == 1
    assert "d.txt" in result.stderr  # skipped, with a warning
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"a.txt#11", "b.txt#3", "c.txt", "d.txt"}
    failure = cases["a.txt#11"].find("failure")
    assert failure is not None
    assert failure.get("message") == f"a.txt#11 duplicates {NAME}#2 (Jaccard 0.841)"
    assert f"{NAME}#3" in (cases["b.txt#3"].find("failure").get("message") or "")  # type: ignore[union-attr]
    assert cases["c.txt"].find("failure") is None
    assert cases["d.txt"].find("skipped") is not None


def test_baseline(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    new = write(tmp_path / "new" / NAME, parts[10:])
    base = tmp_path / "baseline.json"
    result = run("check", new, "--index", ndx, "--write-baseline", base, "-q")
    assert result.exit_code == 0
    data = json.loads(base.read_text(encoding="utf-8"))
    assert data["format"] == "neardup-baseline"
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [(f"{NAME}#11", f"{NAME}#2")]
    # writing the baseline passes, and GitHub shows no error on it (it showed one per pair)
    again = run("check", new, "--index", ndx, "--write-baseline", base, "-f", "github")
    assert again.exit_code == 0
    assert "::error" not in again.stdout
    assert again.stdout.startswith("::notice ") and "(accepted into the baseline)" in again.stdout
    hostile = tmp_path / "hostile.jsonl"  # escaped as every report is (it was written raw)
    hostile.write_text(json.dumps({"id": "a\u2028::error::forged\x1b[31m", "text": parts[1]})
                       + "\n", encoding="utf-8")
    annotated = run("check", hostile, "--index", ndx, "--write-baseline",
                    tmp_path / "b2.json", "-f", "github")
    assert annotated.exit_code == 0 and "forged" in annotated.stdout
    assert "\x1b" not in annotated.stdout and "\u2028" not in annotated.stdout
    assert all(line.startswith("::notice ") for line in annotated.stdout.split("\n")[:-1])
    assert run("check", new, "--index", ndx, "--baseline", base).exit_code == 0
    # a pair not in the baseline still fails
    write(tmp_path / "new" / "other.txt", parts[2:3])
    result = run("check", new.parent, "--index", ndx, "--baseline", base, "-f", "github")
    assert result.exit_code == 1
    assert "other.txt#3 duplicates" in result.stdout
    assert f"{NAME}#11 duplicates" not in result.stdout
    (tmp_path / "bad.json").write_text('{"pairs": []}', encoding="utf-8")
    result = run("check", new, "--index", ndx, "--baseline", tmp_path / "bad.json")
    assert result.exit_code == 2
    assert "neardup: error:" in result.stderr and "not a neardup baseline" in result.stderr


def test_add_when_the_check_passes(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    dup = write(tmp_path / "dup.txt", parts[10:])
    assert run("check", dup, "--index", ndx, "--add").exit_code == 1
    info = json.loads(run("index", "info", ndx, "--json").stdout)
    assert info["documents"] == 10  # not added: the check failed
    fresh = write(tmp_path / "fresh.txt", [OTHER])
    result = run("check", fresh, "--index", ndx, "--add")
    assert result.exit_code == 0
    assert "added 1 document to" in result.stderr
    assert json.loads(run("index", "info", ndx, "--json").stdout)["documents"] == 11
    copy = write(tmp_path / "copy.txt", [OTHER])
    assert run("check", copy, "--index", ndx).exit_code == 1


def test_index_commands(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    result = run("index", "info", ndx)
    assert result.exit_code == 0
    assert "documents   10" in result.stdout and "threshold=0.7" in result.stdout
    again = run("index", "add", ndx, tmp_path / "old" / NAME)
    assert again.exit_code == 2
    assert "neardup: error:" in again.stderr and "already indexed" in again.stderr
    first = f"'{NAME}#1' ({tmp_path / 'old' / NAME}"  # where the batch holds it (was: the id)
    assert first in again.stderr and "and 7 more (use --replace" in again.stderr, again.stderr
    assert run("index", "add", ndx, tmp_path / "old" / NAME, "--replace").exit_code == 0
    result = run("index", "remove", ndx, f"{NAME}#2", f"{NAME}#3")
    assert result.exit_code == 0 and "removed 2 documents" in result.stderr
    assert run("index", "remove", ndx, "nope").exit_code == 2
    new = write(tmp_path / "new" / NAME, parts[10:])
    assert run("check", new, "--index", ndx).exit_code == 0  # #2 is gone
    assert run("index", "create", ndx).exit_code == 2  # exists
    made = run("index", "create", tmp_path / "p.ndx", "--ngram", "3", "--threshold", "0.4",
               "--no-text")
    assert made.exit_code == 0
    info = json.loads(run("index", "info", tmp_path / "p.ndx", "--json").stdout)
    assert info["parameters"]["ngram"] == 3 and info["store_text"] is False


def test_index_add_refuses_a_file_it_cannot_read_whole(tmp_path: Path) -> None:
    """A ``.jsonl.gz`` cut short, added with a sound file: nothing is added (its first
    records were added, the rest skipped, exit 0, where dedup refuses the file), the error
    names the file and the line where reading stopped."""
    records = "".join(json.dumps({"id": f"r{k}", "text": f"第{k}条记录的正文内容，各不相同。" * 20},
                                 ensure_ascii=False) + "\n" for k in range(200))
    whole = gzip.compress(records.encode("utf-8"))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    sound = tmp_path / "sound.jsonl"
    sound.write_text(json.dumps({"id": "s", "text": "另一份完整的文件。"}, ensure_ascii=False)
                     + "\n", encoding="utf-8")
    ndx = tmp_path / "c.ndx"
    assert run("index", "create", ndx).exit_code == 0
    added = run("index", "add", ndx, sound, cut)
    assert added.exit_code == 2, added.output
    assert re.fullmatch(rf"neardup: error: {re.escape(str(cut))}: read \d+ records, then: "
                        rf"cannot read line \d+: .*; nothing added to {re.escape(str(ndx))} "
                        r"\(repair the file, or leave it out\)\n", added.stderr)  # said once
    assert "documents   0" in run("index", "info", ndx).stdout
    assert run("index", "add", ndx, sound).exit_code == 0


def test_jsonl_field_options(tmp_path: Path) -> None:
    parts = articles()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"key": f"k{i}", "body": p}, ensure_ascii=False) + "\n"
                for i, p in enumerate(parts[:10], start=1)),
        encoding="utf-8",
    )
    ndx = tmp_path / "j.ndx"
    run("index", "create", ndx)
    result = run("index", "add", ndx, corpus, "--id-field", "key", "--text-field", "body")
    assert result.exit_code == 0, result.output
    result = run("check", write(tmp_path / "n.txt", parts[10:]), "--index", ndx, "-f", "github")
    assert result.exit_code == 1
    assert "n.txt#11 duplicates k2" in result.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x8f\x00\x13random bytes" * 100, "not a neardup index (not an SQLite database)"),
        (b"", "not a neardup index (an empty file)"),
    ],
)
def test_check_with_a_bad_index(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.ndx"
    bad.write_bytes(content)
    new = write(tmp_path / "n.txt", articles()[10:])
    result = run("check", new, "--index", bad)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"neardup: error: {bad}: {reason}"


def test_check_usage_errors(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    new = write(tmp_path / "n.txt", parts[10:])
    mismatch = run("check", new, "--index", ndx, "--ngram", "3")
    assert mismatch.exit_code == 2
    assert "index was made with other parameters: ngram (index: 5, asked: 3)" in mismatch.stderr
    assert run("check", new).exit_code == 2  # neither --index nor --against
    assert run("check", new, "--index", ndx, "--against", new).exit_code == 2
    assert run("check", new, "--against", new, "--add").exit_code == 2
    missing = run("check", tmp_path / "nope.txt", "--index", ndx)
    assert missing.exit_code == 2
    assert "nope.txt: no such file or directory" in missing.stderr
    assert run("check", new, "--index", tmp_path / "none.ndx").exit_code == 2


def test_output_file_suffix_chooses_the_format(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    new = write(tmp_path / "new.txt", parts[10:])
    xml = tmp_path / "out.xml"
    assert run("check", new, "--index", ndx, "-o", xml).exit_code == 1
    assert ET.parse(xml).getroot().find("testsuite/testcase/failure") is not None
    md = tmp_path / "out.md"
    assert run("check", new, "--index", ndx, "-o", md).exit_code == 1
    markdown = md.read_text(encoding="utf-8")
    assert markdown.startswith("# neardup report") and "28473338c6d0f06c" in markdown


def test_text_report_shows_shared_passages(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, parts = seed_index
    result = run("check", write(tmp_path / "new.txt", parts[10:]), "--index", ndx)
    assert result.exit_code == 1
    assert "shared passages" in result.stdout
    bare = run("check", tmp_path / "new.txt", "--index", ndx, "--no-passages")
    assert bare.exit_code == 1
    assert "shared passages" not in bare.stdout and "0.841" in bare.stdout


def test_strict_makes_unreadable_inputs_errors(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, _ = seed_index
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bin.txt").write_bytes(b"\x00\x01\x02")
    write(tmp_path / "in" / "ok.txt", [OTHER])
    assert run("check", tmp_path / "in", "--index", ndx).exit_code == 0
    strict = run("check", tmp_path / "in", "--index", ndx, "--strict")
    assert strict.exit_code == 2
    assert "neardup: error: bin.txt: binary file" in strict.stderr


def test_check_and_add_read_standard_input(tmp_path: Path) -> None:
    """'-' reads standard input, one text (here with 第N篇 headings) or JSON Lines (--jsonl)."""
    parts = articles()
    ndx = tmp_path / "stdin.ndx"
    run("index", "create", ndx)
    lines = "".join(
        json.dumps({"id": f"old{i}", "text": p}, ensure_ascii=False) + "\n"
        for i, p in enumerate(parts[:10], start=1)
    )
    added = CliRunner().invoke(cli, ["index", "add", str(ndx), "-", "--jsonl"], input=lines)
    assert added.exit_code == 0, added.output
    assert "added 10 documents" in added.stderr
    found = CliRunner().invoke(cli, ["check", "-", "--index", str(ndx), "-f", "github"],
                               input="".join(parts[10:]))
    assert found.exit_code == 1
    assert "<stdin>#11 duplicates old2" in found.stdout
    twice = CliRunner().invoke(cli, ["check", "-", "--against", "-"], input=lines)
    assert twice.exit_code == 2 and "standard input ('-') can be given only once" in twice.output


def test_an_unsupported_file_is_an_error(tmp_path: Path) -> None:
    odd = tmp_path / "x.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    result = run("check", odd, "--against", odd)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"neardup: error: {odd}: unsupported file type (expected .txt, .md, .jsonl, .jsonl.gz "
        "or .parquet)"
    )


# ---------------------------------------------------------------------------- containment


def mixed_article(tmp_path: Path) -> tuple[Path, str, str]:
    """A file made of the first half of seed article 3 and the second half of article 7, and
    the ids of those two articles."""
    docs = {d.id.rsplit("#", 1)[1]: d for d in load_documents(SEED)}
    third, seventh = docs["3"].text, docs["7"].text
    mixed = third[: len(third) // 2] + seventh[len(seventh) // 2 :]
    return write(tmp_path / "new" / "mixed.txt", [mixed]), docs["3"].id, docs["7"].id


def test_check_containment_reports_the_copy_ratios(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, _ = seed_index
    mixed, third, seventh = mixed_article(tmp_path)
    assert run("check", mixed, "--index", ndx).exit_code == 0  # Jaccard alone: clean

    result = run("check", mixed, "--index", ndx, "--containment", "0.3")
    assert result.exit_code == 1, result.output
    assert "Copy ratios" in result.stdout
    assert re.search(
        rf"mixed\.txt: 100\.0% found elsewhere — 6\d\.\d% in {re.escape(seventh)}, "
        rf"3\d\.\d% in {re.escape(third)}",
        re.sub(r"\n +", " ", result.stdout),  # lines wrapped at 100 columns, joined again
    )
    for source in (third, seventh):  # about half of each source is in the new document
        assert re.search(rf"{re.escape(source)}: 5\d\.\d% found elsewhere — 5\d\.\d% in "
                         r"mixed\.txt", result.stdout)
    assert "containment 0.3 (fingerprints in more than 50 documents ignored: 0)" in result.stdout

    result = run("check", mixed, "--index", ndx, "-c", "0.3", "-f", "json")
    assert "2 near-duplicate or copied pair(s)" in result.stderr
    report = json.loads(result.stdout)
    assert report["parameters"]["containment"] == 0.3
    views = {c["id"]: c for c in report["copies"]}
    assert {s["id"] for s in views["mixed.txt"]["sources"]} == {third, seventh}
    text = (tmp_path / "new" / "mixed.txt").read_text(encoding="utf-8")
    for source in views["mixed.txt"]["sources"]:
        assert source["passages"]
        longest = max(p["end"] - p["start"] for p in source["passages"])
        assert longest > 500  # the half copied, in one piece or two
        for passage in source["passages"]:  # exact: the copied text is in the seed
            assert text[passage["start"] : passage["end"]] in load_seed_text()
    for pair in report["pairs"]:
        assert pair["a"] == "mixed.txt" and 0.45 < pair["b_in_a"] < 0.55


def load_seed_text() -> str:
    return "".join(d.text for d in load_documents(SEED))


def test_check_preset_copies_and_max_df(tmp_path: Path, seed_index: SeedIndex) -> None:
    ndx, _ = seed_index
    mixed, third, seventh = mixed_article(tmp_path)
    result = run("check", mixed, "--index", ndx, "--preset", "copies", "-f", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["parameters"]["containment"] == 0.3
    assert report["parameters"]["threshold"] == 0.7  # the index keeps its own threshold
    assert {p["b"] for p in report["pairs"]} == {third, seventh}
    # a containment given overrides the preset's; --max-df is recorded and applied; the
    # preset's rewrite search still takes each half for a rewritten copy, and its
    # judgement for a copy (as a scan with these parameters does)
    strict = run("check", mixed, "--index", ndx, "--preset", "copies", "-c", "0.9",
                 "--max-df", "7", "-f", "json")
    assert strict.exit_code == 1
    report = json.loads(strict.stdout)
    assert (report["parameters"]["max_df"], report["parameters"]["containment"]) == (7, 0.9)
    assert {p["b"] for p in report["pairs"]} == {third, seventh}
    assert all(p["containment"] < 0.9 and p["rewrite"] >= 0.025 for p in report["pairs"])
    # with --against the comparison is made for the check: the preset's threshold applies
    rest = write(tmp_path / "old" / "seed.txt", articles())
    against = run("check", mixed, "--against", rest, "--preset", "copies", "-f", "json")
    assert against.exit_code == 1
    report = json.loads(against.stdout)
    assert report["parameters"]["threshold"] == 0.5
    assert {p["b"] for p in report["pairs"]} == {"seed.txt#3", "seed.txt#7"}


def test_check_chooses_the_judgement_as_a_scan_does(tmp_path: Path, seed_index: SeedIndex) -> None:
    """--rewrite and --formula-df of a check, given alone or over the preset's, are those
    of a scan of the indexed documents and the new one: the same pairs and pairs set apart."""
    ndx, parts = seed_index
    mixed, _, _ = mixed_article(tmp_path)
    spelled = run("check", mixed, "--index", ndx, "-c", "0.3", "--rewrite", "0.025",
                  "--formula-df", "10", "-f", "json")
    preset = run("check", mixed, "--index", ndx, "--preset", "copies", "-f", "json")
    assert spelled.exit_code == preset.exit_code == 1, spelled.output

    def found(output: str) -> tuple[object, ...]:
        report = json.loads(output)
        return tuple(sorted((p["a"], p["b"], p["reason"]) for p in report[key])
                     for key in ("pairs", "set_apart"))

    assert found(spelled.stdout) == found(preset.stdout)
    docs = [Document(f"{NAME}#{k + 1}", part) for k, part in enumerate(parts[:10])]
    docs.append(Document("mixed.txt", mixed.read_text(encoding="utf-8")))
    for formula_df in (3, 40):
        checked = json.loads(run("check", mixed, "--index", ndx, "--preset", "copies",
                                 "--formula-df", formula_df, "-f", "json").stdout)
        assert checked["parameters"]["formula_df"] == formula_df
        scanned = find_duplicates(docs, preset="copies", threshold=0.7, script=None,
                                  formula_df=formula_df, workers=1)

        def judged(pairs: list[dict[str, object]]) -> list[tuple[object, ...]]:
            """Each pair as (the other document, reason, the new one's specific and
            formula shares), whichever side it is on."""
            side = [("a", "b") if p["a"] == "mixed.txt" else ("b", "a") for p in pairs]
            return sorted((p[o], p["reason"], p[f"specific_{m}"], p[f"formula_{m}"])
                          for p, (m, o) in zip(pairs, side, strict=True))

        scan_dict = scanned.to_dict()
        for key in ("pairs", "set_apart"):
            new = [p for p in scan_dict[key] if "mixed.txt" in (p["a"], p["b"])]
            assert judged(checked[key]) == judged(new), (formula_df, key)
        assert checked["pairs"]


@pytest.mark.parametrize("fmt", ["github", "junit", "markdown", "html", "csv"])
def test_check_containment_in_every_format(
    tmp_path: Path, seed_index: SeedIndex, fmt: str
) -> None:
    ndx, _ = seed_index
    mixed, third, seventh = mixed_article(tmp_path)
    result = run("check", mixed, "--index", ndx, "-c", "0.3", "-f", fmt)
    assert result.exit_code == 1, result.output
    shown = result.stdout.replace("\\", "")  # markdown escapes
    assert third in shown and seventh in shown


def test_check_containment_on_an_index_of_format_1(tmp_path: Path) -> None:
    old = tmp_path / "old.ndx"
    shutil.copyfile(REPO / "tests" / "data" / "old_index_v1.ndx", old)
    spring = write(tmp_path / "new.txt",
                   ["春天来了，公园里的桃花和杏花都开了，孩子们在草地上放风筝，老人们在湖边散步聊天！"])
    result = run("check", spring, "--index", old)
    assert result.exit_code == 1 and "spring.txt" in result.stdout  # Jaccard still works
    refused = run("check", spring, "--index", old, "--containment", "0.3")
    assert refused.exit_code == 2
    assert "this index (format 1) has no fingerprints" in refused.stderr
    assert "neardup index create" in refused.stderr and "neardup index add" in refused.stderr
    info = run("index", "info", old)
    assert "version 1" in info.stdout and "rebuild the index for containment" in info.stdout


def test_a_baseline_counts_what_it_accepts_and_names_stale_pairs(tmp_path: Path) -> None:
    """Issue 26: a first run has no baseline yet (a note, not exit 2); accepted pairs are
    counted even when the report goes to standard output; an accepted pair of a checked
    document that is no longer found is named."""
    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
    new, old = tmp_path / "new.txt", tmp_path / "old.txt"
    new.write_text(text + "好吗", encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    baseline = tmp_path / "ok.json"
    result = run("check", new, "--against", old, "--baseline", baseline, "-f", "github")
    assert result.exit_code == 1 and "ok.json: no baseline yet: no pair is accepted" in (
        result.stderr)
    assert run("check", new, "--against", old, "--write-baseline", baseline).exit_code == 0
    result = run("check", new, "--against", old, "--baseline", baseline, "-f", "github")
    assert result.exit_code == 0
    assert "ok.json: 1 pair found and accepted by the baseline" in result.stderr
    new.write_text("完全不同的另一篇文章，讲的是别的事情。", encoding="utf-8")
    result = run("check", new, "--against", old, "--baseline", baseline, "-f", "github")
    assert result.exit_code == 0
    assert ("1 accepted pair of the checked documents not found any more: 'new.txt' and "
            "'old.txt'") in result.stderr


def test_the_html_check_opens_the_pairs_set_apart_it_lists(tmp_path: Path) -> None:
    """The pairs set apart a check's HTML report lists open side by side as a scan's do:
    the check reads the stored texts of their indexed documents too."""
    from pages import Page
    from test_set_apart_reports import notices

    docs = notices(40, 5)

    def jsonl(path: Path, ids: list[str]) -> Path:
        path.write_text("".join(json.dumps({"id": i, "text": docs[i]}, ensure_ascii=False)
                                + "\n" for i in ids), encoding="utf-8")
        return path

    ids = sorted(docs)
    ndx = tmp_path / "notices.ndx"
    assert run("index", "create", ndx, "--preset", "copies").exit_code == 0
    assert run("index", "add", ndx, jsonl(tmp_path / "old.jsonl", ids[:30])).exit_code == 0
    page = tmp_path / "check.html"
    result = run("check", jsonl(tmp_path / "new.jsonl", ids[30:]), "--index", ndx,
                 "--preset", "copies", "-o", page)
    assert result.exit_code == 0, result.output  # template siblings only: no copy
    parsed = Page(page.read_text(encoding="utf-8"))
    listed = parsed.data("nd-table")["apart"]
    details = parsed.data("nd-detail")["apart"]
    assert listed and len(details) == len(listed)
    assert all(d["p"] and d["r"] is not None for d in details), "each opens side by side"
    names = [d[0] for d in parsed.data("nd-table")["documents"]]
    sides = {names[row[1]] for row in listed} | {names[row[2]] for row in listed}
    assert sides & set(ids[:30]), "pairs with indexed documents, whose texts the index keeps"
