"""``neardup index create --preset copies``: the index ``check --preset copies`` needs
(``--copies --threshold 0.5 --script simplified``) in one option, options given overriding
it, and refused with ``--no-text``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from neardup import load_documents
from neardup.cli import main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def made_with(path: Path) -> dict[str, object]:
    info = json.loads(run("index", "info", str(path), "--json").stdout)
    return {"copies": info["copies"], **{k: info["parameters"][k]
                                         for k in ("threshold", "script", "ngram")}}


def test_index_create_preset_copies_makes_the_index_a_copies_check_needs(
    tmp_path: Path,
) -> None:
    ndx = tmp_path / "seeds.ndx"
    made = run("index", "create", str(ndx), "--preset", "copies")
    assert made.exit_code == 0, made.output
    assert made_with(ndx) == {"copies": True, "threshold": 0.5, "script": "simplified",
                              "ngram": 5}
    articles = {d.id.rsplit("#", 1)[1]: d for d in load_documents([SEEDS])}
    old = tmp_path / "old.jsonl"
    old.write_text("".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n"
                           for k, d in articles.items() if k != "2"), encoding="utf-8")
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "2", "text": articles["2"].text}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    assert run("index", "add", str(ndx), str(old)).exit_code == 0
    checked = run("check", str(new), "--index", str(ndx), "--preset", "copies", "-f", "json",
                  "-q")
    assert checked.exit_code == 1, checked.output  # judged, not refused
    assert [p["b"] for p in json.loads(checked.stdout)["pairs"]] == [articles["11"].id]


def test_options_given_override_the_preset_and_no_text_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.ndx"
    assert run("index", "create", str(other), "--preset", "copies", "--threshold", "0.6",
               "--ngram", "4").exit_code == 0
    assert made_with(other) == {"copies": True, "threshold": 0.6, "script": "simplified",
                                "ngram": 4}
    plain = tmp_path / "plain.ndx"
    assert run("index", "create", str(plain), "--preset", "near-identical").exit_code == 0
    assert made_with(plain) == {"copies": False, "threshold": 0.7, "script": None, "ngram": 5}
    refused = run("index", "create", str(tmp_path / "nt.ndx"), "--preset", "copies",
                  "--no-text")
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines() == [
        "neardup: error: --preset copies cannot be used with --no-text: the copies judgement "
        "and the rewrite search verify pairs on the texts"]
    assert not (tmp_path / "nt.ndx").exists()
