"""Clusters chain (issue 26, item 8): with a ~ b and b ~ c but a far from c, keeping one
member of the cluster removes c at a similarity below the threshold of the one kept.
``split_chains`` (``dedup --split-chains``) keeps so that every removed document is within
the threshold of its kept one, and ``--removed``/``--clusters`` say when one is not."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from neardup import deduplicate, find_duplicates
from neardup.cli import main


def chain() -> dict[str, str]:
    """a ~ b and b ~ c (Jaccard 0.73), a and c at 0.52: windows of one random text."""
    rng = random.Random(8)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(130))
    return {"a": text[0:100], "b": text[15:115], "c": text[30:130]}


def test_the_chain_is_one_cluster_below_the_threshold_at_its_ends() -> None:
    report = find_duplicates(chain(), threshold=0.7, workers=1)
    assert [(p.a, p.b) for p in report.pairs] == [("a", "b"), ("b", "c")]
    result = deduplicate(chain(), threshold=0.7, workers=1)
    assert result.kept == ["a"]
    assert result.removed["c"].kept == "a" and result.removed["c"].similarity < 0.7


def test_split_chains_keeps_every_removed_document_within_the_threshold() -> None:
    for keep in ("first", "longest"):
        result = deduplicate(chain(), threshold=0.7, workers=1, keep=keep, split_chains=True)
        assert result.kept == ["a", "c"]
        assert list(result.removed) == ["b"] and result.removed["b"].kept == "a"
        assert all(r.similarity >= 0.7 for r in result.removed.values())
        assert [(c.representative, [m.id for m in c.members]) for c in result.clusters] == [
            ("a", ["a", "b"])
        ]


def test_dedup_says_which_removed_documents_are_not_within_the_threshold(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "chain.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n"
                for k, t in chain().items()),
        encoding="utf-8",
    )

    def dedup(*extra: str) -> tuple[list[dict[str, object]], list[dict[str, object]], str]:
        out, removed, clusters = tmp_path / "out.jsonl", tmp_path / "r.jsonl", tmp_path / "c.jsonl"
        result = CliRunner().invoke(main, [
            "dedup", str(corpus), "-o", str(out), "--threshold", "0.7", "-q",
            "--removed", str(removed), "--clusters", str(clusters), *extra,
        ], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        lines = [[json.loads(x) for x in p.read_text().splitlines()] for p in (removed, clusters)]
        return lines[0], lines[1], out.read_text(encoding="utf-8")

    removed, clusters, kept = dedup()
    assert [(r["id"], r["kept"], r["within_threshold"]) for r in removed] == [
        ("b", "a", True), ("c", "a", False)
    ]
    assert [(c["id"], c["within_threshold"]) for c in clusters] == [
        ("a", True), ("b", True), ("c", False)
    ]
    assert [json.loads(x)["id"] for x in kept.splitlines()] == ["a"]
    removed, clusters, kept = dedup("--split-chains")
    assert [(r["id"], r["kept"], r["within_threshold"]) for r in removed] == [("b", "a", True)]
    assert all(c["within_threshold"] for c in clusters)
    assert [json.loads(x)["id"] for x in kept.splitlines()] == ["a", "c"]
