"""``neardup dedup``: the output is the input without the removed records, byte for byte."""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from neardup import find_duplicates, load_documents, normalize_text
from neardup.cli import main
from neardup.io import deduplicated

DATA = Path(__file__).resolve().parent / "data"
SEED = "000_28473338c6d0f06c.txt"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["dedup", *args])


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("第") and "篇:" in line]


@pytest.mark.parametrize(("keep", "gone"), [("first", "第十一篇"), ("longest", "第二篇")])
def test_seeds(seeds_dir: Path, tmp_path: Path, keep: str, gone: str) -> None:
    """The acceptance: a copy of the seed file with 10 articles, article 11 or 2 gone as
    --keep says, every other heading and article as it was."""
    out = tmp_path / "out"
    result = run(str(seeds_dir), "-o", str(out), "--keep", keep)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "neardup: 11 read, 10 kept, 1 removed (0 exact, 1 near), 0 passed through, "
        f"0 skipped; wrote {out}\n"
    )
    original = (seeds_dir / SEED).read_text(encoding="utf-8")
    written = (out / SEED).read_text(encoding="utf-8")
    assert len(headings(written)) == 10
    assert headings(written) == [h for h in headings(original) if not h.startswith(gone)]
    start = original.index(gone)
    following = [original.find(h, start + 1) for h in headings(original)]
    end = min([i for i in following if i > start] or [len(original)])
    assert written == original[:start] + original[end:]
    assert [p.name for p in out.iterdir()] == [SEED]


def planted_jsonl(path: Path, count: int = 120) -> list[bytes]:
    """Laws with planted exact and near copies, a malformed line, a line without text and
    a short one; the lines written."""
    rng = random.Random(7)
    laws = load_documents(DATA / "laws_sample.jsonl.gz")[:count]
    records = [{"id": d.id, "title": d.title, "text": d.text, "score": rng.random()}
               for d in laws]
    for k, doc in enumerate(rng.sample(laws, 10)):
        text = doc.text.replace("。", "。 ") if k % 2 else doc.text[: len(doc.text) * 9 // 10]
        records.append({"id": f"{doc.id}~{k}", "text": text, "score": rng.random()})
    rng.shuffle(records)
    lines = [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records]
    lines.insert(17, b'{"id": "broken", "text": \n')
    lines.insert(40, b'{"id": "no-text"}\n')
    lines.insert(60, b'{"id": "short", "text": "\xe5\xa5\xbd"}\n')
    lines.append('{"id": "short2", "text": "坏！"}'.encode())  # no newline
    path.write_bytes(b"".join(lines))
    return lines


def is_subsequence(part: list[bytes], whole: list[bytes]) -> bool:
    rest = iter(whole)
    return all(any(line == other for other in rest) for line in part)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_jsonl_output_is_a_subsequence_and_counts_add_up(tmp_path: Path, suffix: str) -> None:
    lines = planted_jsonl(tmp_path / "in.jsonl")
    out = tmp_path / f"out{suffix}"
    result = run(str(tmp_path / "in.jsonl"), "-o", str(out), "--removed",
                 str(tmp_path / "removed.jsonl"), "--clusters", str(tmp_path / "clusters.jsonl"))
    assert result.exit_code == 0, result.output
    data = gzip.decompress(out.read_bytes()) if suffix.endswith(".gz") else out.read_bytes()
    written = data.splitlines(keepends=True)
    assert is_subsequence(written, lines)
    assert b'{"id": "broken", "text": \n' in written and b'{"id": "no-text"}\n' in written
    assert written[-1] == lines[-1]  # the last line, without its newline, as it was
    removed = [json.loads(line) for line in (tmp_path / "removed.jsonl").read_text().splitlines()]
    assert removed and len(written) + len(removed) == len(lines)
    removed_ids = {r["id"] for r in removed}
    assert removed_ids == {
        json.loads(line)["id"] for line in lines if line not in written
    }
    summary = result.stdout.splitlines()[-1].split("; ")[0]
    exact = sum(r["exact"] for r in removed)
    assert summary == (
        f"neardup: {len(lines)} read, {len(written) - 2} kept, {len(removed)} removed "
        f"({exact} exact, {len(removed) - exact} near), 2 passed through, 0 skipped"
    )
    assert "neardup: warning:" in result.output and ":18: malformed JSON" in result.output
    # the lines that hold no document are copied: their warnings say so (they said skipped)
    assert re.search(r":18: malformed JSON[^\n]*\(passed through\)\n", result.stderr)
    assert "(skipped)" not in result.stderr
    clusters: dict[int, list[dict[str, object]]] = {}
    for line in (tmp_path / "clusters.jsonl").read_text().splitlines():
        entry = json.loads(line)
        clusters.setdefault(entry["cluster"], []).append(entry)
    for members in clusters.values():
        assert sum(bool(m["kept"]) for m in members) == 1
        kept = next(m["id"] for m in members if m["kept"])
        assert all(r["kept"] == kept for r in removed if r["id"] in {m["id"] for m in members})
    docs = {json.loads(line)["id"]: json.loads(line).get("text") for line in lines[:-1]
            if line.startswith(b'{"id": "') and b'"text": "' in line}
    report = find_duplicates({k: v for k, v in docs.items() if v}, workers=1)
    assert {frozenset(m["id"] for m in ms) for ms in clusters.values()} == {
        frozenset(m.id for m in c.members) for c in report.clusters
    }


def test_prefer_and_min_length(tmp_path: Path) -> None:
    lines = planted_jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    result = run(str(tmp_path / "in.jsonl"), "-o", str(out), "--prefer", "score",
                 "--min-length", "3", "--clusters", str(tmp_path / "c.jsonl"), "-q")
    assert result.exit_code == 0, result.output
    records = {}
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):
            records[json.loads(line)["id"]] = json.loads(line)
    clusters: dict[int, list[dict[str, object]]] = {}
    for line in (tmp_path / "c.jsonl").read_text().splitlines():
        entry = json.loads(line)
        clusters.setdefault(entry["cluster"], []).append(entry)
    for members in clusters.values():
        best = max(members, key=lambda m: records[str(m["id"])]["score"])
        assert best["kept"]
    assert "4 passed through" in result.output  # broken, no-text, short, short2
    written = out.read_bytes()
    assert b'"id": "short"' in written and b'"id": "short2"' in written


def test_text_directories_are_mirrored(tmp_path: Path) -> None:
    base = "长江是中华民族的母亲河，也是中华民族发展的重要支撑，推动长江经济带发展必须走生态优先之路。"
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "one.txt").write_text(base * 3, encoding="utf-8")
    (src / "a" / "b" / "copy.txt").write_text(base * 3 + "\n", encoding="utf-8")
    gb = "前言\r\n第一篇: 甲\r\n别的内容，与其他的都不一样。\r\n第二篇：乙\r\n" + base * 3 + "吗\r\n"
    (src / "a" / "multi.md").write_bytes(gb.encode("gb18030"))
    (src / "notes.bin").write_bytes(b"\x00\x01")  # not read, not written
    out = tmp_path / "out"
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "5 read, 3 kept, 2 removed (1 exact, 1 near)" in result.output  # 前言 is one
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a/b/copy.txt", "a/multi.md",  # files in sorted path order: copy.txt comes first
    ]
    assert (out / "a/b/copy.txt").read_bytes() == (src / "a/b/copy.txt").read_bytes()
    kept = "前言\r\n第一篇: 甲\r\n别的内容，与其他的都不一样。\r\n"
    assert (out / "a" / "multi.md").read_bytes() == kept.encode("gb18030")


def test_output_may_not_be_an_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "x"}\n')
    result = run(str(src), "-o", str(src))
    assert result.exit_code == 2 and "the output is the input" in result.output
    result = run(str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "the output is inside the input" in result.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    result = run(str(src), "-o", str(tmp_path / "full"))
    assert result.exit_code == 2 and "exists and is not empty" in result.output
    result = run("-", "-o", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2 and "not standard input" in result.output
    (tmp_path / "t.txt").write_text("好的")
    result = run(str(tmp_path / "t.txt"), "-o", str(tmp_path / "o2.jsonl"))
    assert result.exit_code == 2 and "holds JSON Lines inputs only" in result.output


def test_an_interrupted_run_leaves_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             seeds_dir: Path) -> None:
    planted_jsonl(tmp_path / "in.jsonl")
    shutil.copy(seeds_dir / SEED, tmp_path / SEED)

    def broken(*args: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deduplicated, "_copy_lines", broken)
    for out in (tmp_path / "out.jsonl", tmp_path / "outdir"):
        result = run(str(tmp_path / "in.jsonl"), "-o", str(out), "-q")
        assert result.exit_code == 2 and "No space left on device" in result.output
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [SEED, "in.jsonl"]


def test_removed_file_names_the_kept_document(tmp_path: Path) -> None:
    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
    rows = [{"id": "a", "text": text}, {"id": "b", "text": text + "好吗"},
            {"id": "c", "text": text.replace("，", " ")}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run(str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"),
                 "--removed", str(tmp_path / "r.jsonl"), "--keep", "longest")
    assert result.exit_code == 0, result.output
    removed = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(r["id"], r["kept"], r["exact"]) for r in removed] == [
        ("a", "b", False), ("c", "b", False),
    ]
    assert normalize_text(rows[0]["text"]) == normalize_text(rows[2]["text"])
    assert removed[0]["similarity"] == removed[1]["similarity"] < 1


@pytest.mark.slow  # keeps -m "not slow" within its minute
def test_parquet_gives_the_kept_ids_of_json_lines(tmp_path: Path) -> None:
    """Parquet in, Parquet out: every column, the same schema and metadata, the rows of the
    kept ids, which are those JSON Lines keep; scan and check read Parquet too."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    lines = planted_jsonl(tmp_path / "in.jsonl")
    rows = [json.loads(line) for line in lines if b'"text": "' in line and b"broken" not in line]
    rows.append({"id": "null", "text": None, "score": 0.5})
    table = pa.Table.from_pylist(rows).replace_schema_metadata({b"origin": b"test"})
    (tmp_path / "pq").mkdir()
    pq.write_table(table, tmp_path / "pq" / "in.parquet", row_group_size=17)
    (tmp_path / "jl").mkdir()
    (tmp_path / "jl" / "in.jsonl").write_bytes(
        b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    )
    for keep in ("first", "longest"):
        outputs = {}
        for kind in ("pq", "jl"):
            result = run(str(tmp_path / kind), "-o", str(tmp_path / f"{kind}-{keep}"), "--keep",
                         keep, "--prefer", "score", "-q")
            assert result.exit_code == 0, result.output
            assert "1 passed through" in result.output
            outputs[kind] = result.output.split("; ")[0]
        assert outputs["pq"] == outputs["jl"]
        written = pq.read_table(tmp_path / f"pq-{keep}" / "in.parquet")
        assert written.schema.equals(table.schema, check_metadata=True)
        kept_json = [json.loads(line)["id"] for line in
                     (tmp_path / f"jl-{keep}" / "in.jsonl").read_bytes().splitlines()]
        assert written.column("id").to_pylist() == kept_json
        assert written.to_pylist() == [r for r in table.to_pylist() if r["id"] in kept_json]
    scan = CliRunner().invoke(main, ["scan", str(tmp_path / "pq" / "in.parquet"), "-f", "json",
                                     "--no-passages", "-q"])
    assert scan.exit_code == 0, scan.output
    assert json.loads(scan.stdout)["counts"]["documents"] == len(rows)
    renamed = table.rename_columns(["key" if c == "id" else "body" if c == "text" else c
                                    for c in table.column_names])
    pq.write_table(renamed, tmp_path / "renamed.parquet")
    index = tmp_path / "laws.ndx"
    assert CliRunner().invoke(main, ["index", "create", str(index)]).exit_code == 0
    assert CliRunner().invoke(main, ["index", "add", str(index),
                                     str(tmp_path / "jl" / "in.jsonl")]).exit_code == 0
    check = CliRunner().invoke(main, ["check", "--index", str(index),
                                      str(tmp_path / "renamed.parquet"),
                                      "--id-field", "key", "--text-field", "body", "-q"])
    # the indexed ids again: their old versions are compared with none of the batch, so the
    # check gives the scan's pairs, each once (108 before: each also against the old versions)
    scanned = len(json.loads(scan.stdout)["pairs"])
    assert check.exit_code == 1 and re.search(rf"\b{scanned} pairs", check.output), check.output
    result = run(str(tmp_path / "pq"), "-o", str(tmp_path / "x.parquet"))
    assert result.exit_code == 2 and "name a directory" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["laws_zh.jsonl.gz", "cctv_news.jsonl.gz"])
def test_shared_corpora_with_planted_copies(corpora_dir: Path, tmp_path: Path,
                                            corpus: str) -> None:
    """The acceptance on the shared corpora: output ⊆ input byte for byte, one member kept
    per cluster, counts that add up."""
    with gzip.open(corpora_dir / corpus, "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    rng = random.Random(11)
    for k, line in enumerate(rng.sample(lines, 40)):
        record = json.loads(line)
        record["id"] = f"{record['id']}~planted{k}"
        text = record["text"]
        record["text"] = text.replace("，", "， ") if k % 2 else text[: len(text) * 9 // 10]
        lines.insert(rng.randrange(len(lines)), json.dumps(record, ensure_ascii=False).encode()
                     + b"\n")
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(lines))
    out = tmp_path / "out.jsonl"
    result = run(str(source), "-o", str(out), "--clusters", str(tmp_path / "c.jsonl"), "-q")
    assert result.exit_code == 0, result.output
    written = out.read_bytes().splitlines(keepends=True)
    assert is_subsequence(written, lines)
    kept_ids = {json.loads(line)["id"] for line in written}
    clusters: dict[int, list[str]] = {}
    for line in (tmp_path / "c.jsonl").read_text().splitlines():
        entry = json.loads(line)
        clusters.setdefault(entry["cluster"], []).append(entry["id"])
    assert all(len(set(members) & kept_ids) == 1 for members in clusters.values())
    planted = [i for members in clusters.values() for i in members if "~planted" in i]
    assert len(planted) >= 30
    read, kept, removed = (int(n.replace(",", "")) for n in
                           [result.stdout.split(" read")[0].split()[-1],
                            result.stdout.split(" kept")[0].split()[-1],
                            result.stdout.split(" removed")[0].split()[-1]])
    assert read == len(lines) and kept + removed + (len(written) - kept) == read
    assert removed == sum(len(m) - 1 for m in clusters.values())


def test_the_library_writes_what_the_command_writes(seeds_dir: Path, tmp_path: Path) -> None:
    from neardup import Corpus, deduplicate, write_deduplicated

    corpus = Corpus([seeds_dir])
    result = deduplicate(corpus, workers=1)
    written = write_deduplicated(corpus, result.removed_positions, tmp_path / "lib")
    assert (written.kept, written.removed, written.files) == (10, 1, 1)
    assert run(str(seeds_dir), "-o", str(tmp_path / "cli")).exit_code == 0
    assert (tmp_path / "lib" / SEED).read_bytes() == (tmp_path / "cli" / SEED).read_bytes()


def test_one_parquet_input_may_write_one_parquet_file(tmp_path: Path) -> None:
    """The example of ``dedup --help`` (issue 26)."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
    docs = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": [text, text + "好吗", "别的"],
                             "quality": [1, 2, 3]}), docs)
    kept = tmp_path / "kept.parquet"
    kept.write_bytes(b"an older output")
    result = run(str(docs), "-o", str(kept), "--prefer", "quality")
    assert result.exit_code == 0, result.output
    assert pq.read_table(kept).to_pydict() == {"id": ["b", "c"], "text": [text + "好吗", "别的"],
                                               "quality": [2, 3]}
    result = run(str(docs), str(docs.rename(tmp_path / "more.parquet")), "-o", str(kept))
    assert result.exit_code == 2 and "holds the rows of one Parquet input" in result.stderr


def test_shards_that_reuse_ids(tmp_path: Path) -> None:
    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
    for shard, rows in (("a", [text, "别的内容，完全不一样的一段话。"]),
                        ("b", [text + "好吗", "第三个完全不同的文本内容。"])):
        (tmp_path / f"{shard}.jsonl").write_text("".join(
            json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n"
            for k, t in enumerate(rows, start=1)))
    a, b, out = (str(tmp_path / name) for name in ("a.jsonl", "b.jsonl", "out.jsonl"))
    result = run(a, b, "-o", out)
    assert result.exit_code == 2
    assert f"'1' at {a}:1 and {b}:1" in result.stderr and "--ignore-ids" in result.stderr
    result = run(a, b, "-o", out, "--ignore-ids", "--removed", str(tmp_path / "gone.jsonl"))
    assert result.exit_code == 0, result.output
    lines = Path(out).read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 2]  # lines as they were
    gone = json.loads((tmp_path / "gone.jsonl").read_text())
    assert (gone["id"], gone["kept"]) == ("b.jsonl:1", "a.jsonl:1")


def test_shards_that_reuse_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``e1/x.jsonl`` and ``e2/x.jsonl``, the same records under the same ids: with
    ``--ignore-ids`` the records are named by their paths under the current directory, so
    the shards stay apart, named as files or as directories (both were ``x.jsonl:1``: an
    error that suggested ``--ignore-ids`` itself). Outside the current directory the names
    still clash, and the error says so."""
    rows = "".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n" for k, t in
                   enumerate(["今天天气很好，我们去公园散步吧，然后一起吃午饭。",
                              "第三个完全不同的文本内容，讲的是另外一件事情。"], start=1))
    for shard in ("e1", "e2"):
        (tmp_path / shard).mkdir()
        (tmp_path / shard / "x.jsonl").write_text(rows, encoding="utf-8")
    outside = run(str(tmp_path / "e1" / "x.jsonl"), str(tmp_path / "e2" / "x.jsonl"),
                  "-o", str(tmp_path / "o.jsonl"), "--ignore-ids")
    assert outside.exit_code == 2
    assert "files outside the current directory are named by their names" in outside.stderr
    monkeypatch.chdir(tmp_path)
    for given, out in ((["e1/x.jsonl", "e2/x.jsonl"], "ex.jsonl"), (["e1", "e2"], "eo")):
        result = run(*given, "-o", out, "--ignore-ids", "--removed", f"gone-{out}.jsonl")
        assert result.exit_code == 0, result.output
        gone = [json.loads(line) for line in Path(f"gone-{out}.jsonl").read_text().splitlines()]
        assert [(g["id"], g["kept"]) for g in gone] == [
            ("e2/x.jsonl:1", "e1/x.jsonl:1"), ("e2/x.jsonl:2", "e1/x.jsonl:2")]
    assert Path("ex.jsonl").read_text(encoding="utf-8") == rows
    assert Path("eo/e1/x.jsonl").read_text(encoding="utf-8") == rows
    assert Path("eo/e2/x.jsonl").read_text(encoding="utf-8") == ""
    # names that do not clash are as without --ignore-ids: the output mirrors the directory
    assert run("e1", "-o", "one", "--ignore-ids").exit_code == 0
    assert Path("one/x.jsonl").read_text(encoding="utf-8") == rows
    twice = run("e1", "e1/x.jsonl", "-o", "twice", "--ignore-ids")
    assert twice.exit_code == 2 and "a file is read twice" in twice.stderr


def test_help_says_what_the_commands_take() -> None:
    runner = CliRunner()
    assert ".parquet" in runner.invoke(main, ["scan", "--help"]).output
    dedup_help = runner.invoke(main, ["dedup", "--help"]).output
    assert "--jsonl" not in dedup_help  # dedup reads no standard input
    assert "--ignore-ids" in dedup_help and "one .parquet file" in dedup_help
    check_help = " ".join(runner.invoke(main, ["check", "--help"]).output.split())
    assert "rewrite search such" not in check_help
    assert "--max-df N A containment check ignores fingerprints" in check_help
    assert "--jsonl" in check_help and "--root DIR" in check_help


def test_a_value_to_prefer_of_another_kind_is_named_by_file_and_line(tmp_path: Path) -> None:
    """``--prefer quality`` where one record's quality is a string: the error names its
    file and line (it named the field only)."""
    text = "今天天气很好，我们去公园散步吧，然后一起吃午饭，下午再去图书馆看书。"
    source = tmp_path / "prefer.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (
        {"id": "a", "text": text, "quality": 0.5}, {"id": "b", "text": text + "好吗", "quality": "0.95"},
        {"id": "c", "text": "另外一个完全不同的文本内容。", "quality": 1})), encoding="utf-8")
    result = run(str(source), "-o", str(tmp_path / "out.jsonl"), "--prefer", "quality")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"neardup: error: {source}:2: field 'quality': values to "
                                    "prefer must be all numbers or all strings")
    assert not (tmp_path / "out.jsonl").exists()


def test_an_output_named_as_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    """``-o o.txt`` for JSON Lines: dedup writes a directory there, which it named o.txt/ and
    reported as written; now refused before anything is read, nothing written."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "今天天气很好。"}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    result = run(str(source), "-o", str(tmp_path / "o.txt"))
    assert result.exit_code == 2
    assert "o.txt: dedup writes a directory here, not a .txt file" in result.stderr
    assert not (tmp_path / "o.txt").exists()
