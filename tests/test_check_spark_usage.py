"""What ``neardup check --engine spark`` and ``neardup index create --engine spark`` refuse
before any Spark session starts (exit 2, one line): options the Spark check does not run, a
missing or unmarked corpus, a corpus made with other parameters, an index file given paths.
The checks against a stored corpus themselves are in ``tests/test_spark_corpus_check.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neardup.cli import main
from neardup.errors import IndexFileError
from neardup.parameters import Parameters
from neardup.spark.corpus import FORMAT, META, TABLES, VERSION, open_corpus
from neardup.stages.recorded import recorded_parameters


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _error(result: Any) -> str:
    """The one error line of a refusal (click's usage lines aside)."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines()
             if line.strip() and not line.startswith(("Usage:", "Try "))]
    assert len(lines) == 1, lines
    return str(lines[0])


def _corpus(tmp_path: Path, **parameters: Any) -> Path:
    """A directory marked as a corpus made with ``parameters`` (its tables empty)."""
    out = tmp_path / "corpus"
    for table in TABLES:
        (out / table).mkdir(parents=True)
    meta = {"format": FORMAT, "version": VERSION, "created_by": "test", "documents": 0,
            "skipped": 0, "parameters": recorded_parameters(Parameters(**parameters))}
    (out / META).write_text(json.dumps(meta), encoding="utf-8")
    return out


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "一段新的文字。" * 10}) + "\n",
                    encoding="utf-8")
    return path


def test_what_the_spark_check_does_not_run_is_refused(tmp_path: Path, batch: Path) -> None:
    message = _error(_run(["check", "--engine", "spark", batch, "--index", _corpus(tmp_path),
                           "--add"]))
    assert "cannot --add" in message


@pytest.mark.parametrize("options", [
    ["--preset", "copies"], ["--rewrite", "0.5"], ["--formula-df", "10"],
])
def test_a_copies_check_needs_a_corpus_stored_with_copies(
    tmp_path: Path, batch: Path, options: list[str]
) -> None:
    """The rewrite search and the copies judgement read what only a corpus stored with
    --preset copies (or --copies) keeps: refused on another, saying how to store one."""
    corpus = _corpus(tmp_path, threshold=0.5, script="simplified")
    message = _error(_run(["check", "--engine", "spark", batch, "--index", corpus, *options]))
    assert str(corpus) in message and "stored without copies" in message
    assert "index create --engine spark --preset copies" in message


def test_a_spark_check_needs_a_stored_corpus(tmp_path: Path, batch: Path) -> None:
    message = _error(_run(["check", "--engine", "spark", batch, "--against", batch]))
    assert "--index DIR" in message


def test_other_parameters_are_refused_before_a_session(tmp_path: Path, batch: Path) -> None:
    corpus = _corpus(tmp_path, threshold=0.8)
    message = _error(_run(["check", "--engine", "spark", batch, "--index", corpus,
                           "--threshold", "0.7"]))
    assert (f"{corpus}: index was made with other parameters: threshold (index: 0.8, "
            "asked: 0.7); bands") in message
    assert open_corpus(str(corpus), {"threshold": 0.8}).parameters.threshold == 0.8


def test_a_missing_or_unmarked_corpus_is_refused(tmp_path: Path, batch: Path) -> None:
    missing = tmp_path / "nowhere"
    assert f"{missing}: no such directory" in _error(
        _run(["check", "--engine", "spark", batch, "--index", missing]))
    corpus = _corpus(tmp_path)
    (corpus / META).write_text("{", encoding="utf-8")
    assert "damaged Parquet corpus" in _error(
        _run(["check", "--engine", "spark", batch, "--index", corpus]))
    (corpus / META).write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(IndexFileError, match="not a neardup Parquet corpus"):
        open_corpus(str(corpus))


def test_index_create_takes_paths_only_on_spark(tmp_path: Path, batch: Path) -> None:
    message = _error(_run(["index", "create", tmp_path / "x.ndx", batch]))
    assert "index create takes no PATH" in message
    assert not (tmp_path / "x.ndx").exists()
    message = _error(_run(["index", "create", "--engine", "spark", tmp_path / "c", batch,
                           "--no-text"]))
    assert "--no-text" in message
    message = _error(_run(["index", "create", "--engine", "spark", tmp_path / "c"]))
    assert "PATH..." in message


def test_index_info_shows_a_parquet_corpus_without_spark(tmp_path: Path) -> None:
    """`index info DIR` reads a Parquet corpus's JSON file and the size of its tables (no
    session), says whether it keeps what --preset copies reads, and refuses a directory
    that is no corpus in one line."""
    corpus = _corpus(tmp_path, threshold=0.7)
    (corpus / "bands" / "part-0.parquet").write_bytes(b"x" * 1000)
    shown = _run(["index", "info", corpus])
    assert shown.exit_code == 0, shown.output
    assert f"corpus      {corpus} (a Parquet corpus" in shown.stdout
    assert "copies      not kept (stored without --copies" in shown.stdout
    assert "bands/ 1000 B" in shown.stdout and "threshold=0.7" in shown.stdout
    meta = json.loads((corpus / META).read_text(encoding="utf-8"))
    (corpus / META).write_text(json.dumps({**meta, "copies": True}), encoding="utf-8")
    for table in ("sampled", "grams"):
        (corpus / table).mkdir()
    summary = json.loads(_run(["index", "info", corpus, "--json"]).stdout)
    assert summary["copies"] is True and summary["size_bytes"] == 1000
    assert set(summary["table_bytes"]) == {*TABLES, "sampled", "grams"}
    assert summary["parameters"]["threshold"] == 0.7
    message = _error(_run(["index", "info", tmp_path]))
    assert "not a neardup Parquet corpus" in message
    (corpus / META).write_text(json.dumps({**meta, "copies": "yes"}), encoding="utf-8")
    message = _error(_run(["index", "info", corpus]))
    assert "damaged Parquet corpus: copies is 'yes', not true or false" in message
