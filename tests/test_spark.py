"""neardup on Spark gives the local result: signatures, pairs, clusters, skipped documents,
and the same for a containment search (partial copies).

One ``local[2]`` session bound to loopback is shared by the whole module (it takes about
15 s to start). The laws data are ~2,000 laws of the shared corpus (or the committed
300-law sample when the corpus is absent) plus planted edited copies, chains of copies, a
mass-duplicate group larger than ``MAX_GROUP`` (a star) and empty documents, shuffled
into the collection deterministically. The containment search runs on the seeds plus a
document made of halves of two seed articles (through the command line), and on the
committed 310-law sample (versions of the same law, templated regulations) plus planted
partial copies.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require_java

import neardup
from neardup.core.lsh import MAX_GROUP
from neardup.core.normalize import normalize_codepoints
from neardup.errors import InputError
from neardup.io.corpus import Corpus
from neardup.parameters import Parameters
from neardup.stages.hashing import signatures_of_codepoints

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# pyspark comes with the test extra; in CI a missing pyspark is a failure, not a skip.
pyspark = (
    importlib.import_module("pyspark") if os.environ.get("CI") else pytest.importorskip("pyspark")
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "laws_zh.jsonl.gz"
SAMPLE = Path(__file__).resolve().parent / "data" / "laws_short_sample.jsonl.gz"
LAWS_SAMPLE = Path(__file__).resolve().parent / "data" / "laws_sample.jsonl.gz"
TOLERANCE = 1e-9


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require_java()
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    src = str(ROOT / "src")
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if src not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([src, *filter(None, paths)])
    from pyspark.sql import SparkSession

    from neardup.spark.session import driver_memory, machine_memory

    session = (  # its driver's heap sized as neardup sizes a local session's (1 GiB, the
        # default, runs out after some thousand jobs of the whole suite)
        SparkSession.builder.master("local[2]")
        .appName("neardup-tests")
        .config("spark.driver.memory", driver_memory(machine_memory()))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _laws() -> list[tuple[str, str]]:
    source, limit = (CORPUS, 2000) if CORPUS.exists() else (SAMPLE, 300)
    return _read_laws(source, limit)


def _read_laws(source: Path, limit: int) -> list[tuple[str, str]]:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(limit), handle, strict=False)]
    return [(r["id"], r["text"]) for r in records]


def _edit(text: str, rng: random.Random, rate: float) -> str:
    """Delete, replace or insert short spans until about ``rate`` of the text changed."""
    chars = list(text)
    budget = max(1, int(len(chars) * rate))
    while budget > 0 and chars:
        span = rng.randint(1, 8)
        at = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            del chars[at : at + span]
        elif op < 0.7:
            chars[at : at + span] = rng.choices(chars, k=span)
        else:
            chars[at:at] = rng.choices(chars, k=span)
        budget -= span
    return "".join(chars)


def planted_laws() -> list[tuple[str, str]]:
    """Laws + ~100 edited copies (some copies of copies) + a mass-duplicate group + empties."""
    rng = random.Random(6)
    docs = _laws()
    planted: list[tuple[str, str]] = []
    sources = rng.sample(docs, 80)
    for n, (doc_id, text) in enumerate(sources):
        planted.append((f"copy{n}:{doc_id}", _edit(text, rng, rng.uniform(0.01, 0.12))))
    for n in range(20):  # chains: copies of copies
        doc_id, text = planted[rng.randrange(len(planted))]
        planted.append((f"chain{n}:{doc_id}", _edit(text, rng, rng.uniform(0.01, 0.06))))
    short = min(docs[:200], key=lambda d: len(d[1]))
    planted += [(f"mass{n}", short[1]) for n in range(MAX_GROUP + 8)]
    planted += [("empty", ""), ("blank", "  \n "), ("punct", "，。！？ ##paidbegin##")]
    out = list(docs)
    for item in planted:
        out.insert(rng.randrange(len(out) + 1), item)
    return out


def _spark_df(spark: Any, docs: list[tuple[str, str]]) -> Any:
    return spark.createDataFrame(docs, "id string, text string")


def _assert_same(
    report: neardup.DuplicateReport, pairs: Any, clusters: Any, *, ordered: bool = True
) -> None:
    """Same pairs (ids; Jaccard, containment, a_in_b and b_in_a to 1e-9) and clusters
    (members, cluster ids, representatives, similarities); with ``ordered``, also in the same
    row order."""
    assert pairs.columns == ["a", "b", "jaccard", "containment", "a_in_b", "b_in_a", "exact"]
    # one meaning of a pair (issue 26): identical documents' pairs with their group's first
    # member, marked exact, in both engines, in the same order
    got_pairs = [tuple(r) for r in pairs.collect()]
    want_pairs = [
        (p.a, p.b, p.jaccard, p.containment, p.a_in_b, p.b_in_a, p.exact) for p in report.pairs
    ]
    assert sum(p[-1] for p in want_pairs) == sum(len(g.members) - 1 for g in report.identical)
    if not ordered:
        got_pairs.sort()
        want_pairs.sort()
    assert [p[:2] for p in got_pairs] == [p[:2] for p in want_pairs]
    assert [p[-1] for p in got_pairs] == [p[-1] for p in want_pairs]
    for got, want in zip(got_pairs, want_pairs, strict=True):
        for column in range(2, 6):
            assert got[column] == pytest.approx(want[column], abs=TOLERANCE), got[:2]
    rows = clusters.collect()
    got: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = got.setdefault(row.cluster_id, {"rep": row.representative, "members": {}})
        assert entry["rep"] == row.representative
        entry["members"][row.id] = row.similarity
    want = {
        c.members[0].id: {
            "rep": c.representative, "members": {m.id: m.similarity for m in c.members}
        }
        for c in report.clusters
    }
    if ordered:
        assert list(got) == list(want)  # same clusters, in the same order
    assert got.keys() == want.keys()
    for cluster_id, entry in want.items():
        assert got[cluster_id]["rep"] == entry["rep"]
        assert got[cluster_id]["members"].keys() == entry["members"].keys()
        for member, similarity in entry["members"].items():
            assert got[cluster_id]["members"][member] == pytest.approx(similarity, abs=TOLERANCE)
    if ordered:  # rows sorted by cluster, then member input order, as locally
        assert [r.id for r in rows] == [m.id for c in report.clusters for m in c.members]


def test_signatures_bit_identical(spark: Any) -> None:
    from neardup.spark import signatures_spark

    docs = [(d.id, d.text) for d in neardup.load_documents(ROOT / "seeds")]
    docs += [*_laws()[:150], ("empty", ""), ("punct", "，。")]
    got = {
        r.id: np.frombuffer(r.signature, dtype="<u4")
        for r in signatures_spark(_spark_df(spark, docs), num_perm=64, seed=7).collect()
    }
    want = neardup.signatures([t for _, t in docs], 64, 7)
    params = Parameters(num_perm=64, seed=7)
    cps = [normalize_codepoints(t)[0] for _, t in docs]
    via_pipeline, _ = signatures_of_codepoints(cps, params)
    assert list(got) == [i for i, _ in docs]
    stacked = np.stack([got[i] for i, _ in docs])
    assert np.array_equal(stacked, want)
    assert np.array_equal(stacked, via_pipeline)
    assert (stacked[-1] == 0xFFFFFFFF).all()  # empty document: datasketch's empty signature


def test_seeds_equal_local(spark: Any) -> None:
    from neardup.spark import find_duplicates_spark

    docs = neardup.load_documents(ROOT / "seeds")
    report = neardup.find_duplicates(docs)
    assert len(report.pairs) == 1  # the spun copy: a non-trivial comparison
    pairs, clusters = find_duplicates_spark(_spark_df(spark, [(d.id, d.text) for d in docs]))
    _assert_same(report, pairs, clusters)


@pytest.fixture(params=["driver", "spark"])
def outputs_made_on(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the pairs and clusters are named and ordered: on the driver (few pairs, the
    default) or by Spark joins (forced here by a limit of no rows)."""
    if request.param == "spark":
        monkeypatch.setattr("neardup.spark.pipeline.DRIVER_ROWS", 0)
    return str(request.param)


def test_planted_laws_equal_local(spark: Any, outputs_made_on: str) -> None:
    from neardup.spark import find_duplicates_spark_result

    docs = planted_laws()
    report = neardup.find_duplicates(docs)
    assert len(report.pairs) > MAX_GROUP + 50
    assert any(len(c.members) > MAX_GROUP for c in report.clusters)
    result = find_duplicates_spark_result(_spark_df(spark, docs))
    _assert_same(report, result.pairs, result.clusters)
    assert [tuple(r) for r in result.skipped.collect()] == [
        (s.id, s.reason) for s in report.skipped
    ]
    from pyspark import StorageLevel

    # the candidates' shingle sets, the largest frame kept, wait on local disk, not in the
    # driver's heap (the rest of what is kept is small and read often: memory first)
    levels = [frame.storageLevel for frame in result.cached]
    assert levels.count(StorageLevel.DISK_ONLY) == 1
    assert StorageLevel.MEMORY_AND_DISK in levels
    result.unpersist()


def test_scan_spark_word_unit_in_path_order(spark: Any, tmp_path: Path) -> None:
    """scan_spark on two JSON Lines files given out of name order, with word shingles,
    explicit bands and a containment search (word fingerprints, a low boilerplate cut): its
    Parquet output and counts equal find_duplicates on load_documents(paths)."""
    from neardup.spark import scan_spark

    docs = neardup.load_documents(ROOT / "seeds")
    records = [{"id": d.id, "text": d.text} for d in docs]
    records += [
        {"id": f"copy{i}", "text": d.text + "补充一句话。" * i} for i, d in enumerate(docs[:4])
    ]
    records += [{"id": "blank", "text": " "}]
    third, seventh = docs[2].text, docs[6].text
    records += [{"id": "partial", "text": third[: len(third) // 2] + seventh[len(seventh) // 2 :]}]
    first, second = tmp_path / "b.jsonl", tmp_path / "a.jsonl"
    for path, part in ((first, records[:9]), (second, records[9:])):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part))
    options: dict[str, Any] = {
        "threshold": 0.5, "unit": "word", "ngram": 3, "num_perm": 64, "bands": 16,
        "containment": 0.3, "max_df": 3,
    }
    report = neardup.find_duplicates(neardup.load_documents([first, second]), **options)
    assert len(report.pairs) >= 4
    assert sum(p.jaccard < 0.5 for p in report.pairs) >= 2  # partial copies
    assert report.counts.common_fingerprints > 0
    counts = scan_spark([str(first), str(second)], tmp_path / "out", spark=spark, **options)
    pairs = spark.read.parquet(str(tmp_path / "out" / "pairs"))
    clusters = spark.read.parquet(str(tmp_path / "out" / "clusters"))
    _assert_same(report, pairs, clusters, ordered=False)
    assert counts == {
        "documents": len(records),
        "skipped": 1,
        "pairs": len(report.pairs),  # a group of two's pair included, as exact
        "clusters": len(report.clusters),
        "clustered": sum(len(c.members) for c in report.clusters),
        "common_fingerprints": report.counts.common_fingerprints,
    }


def test_scan_spark_reads_json_lines_as_the_local_engine(spark: Any, tmp_path: Path) -> None:
    """scan_spark parses JSON lines in the workers as the local engine does: blank and
    malformed lines, an array, a missing or null text, a whitespace text are skipped with
    the local reasons, records without an id are named ``file:line`` (in a file, and in a
    directory's .gz file, as its path relative to the directory), a number id is its JSON
    text, a lone surrogate escape and CRLF endings are read alike; the pairs, clusters and
    skipped records equal find_duplicates on a Corpus of the same paths."""
    from neardup.spark import scan_spark

    docs = neardup.load_documents(ROOT / "seeds")
    texts = [d.text for d in docs]

    def line(record: object) -> str:
        return json.dumps(record, ensure_ascii=False) + "\n"

    first = tmp_path / "first.jsonl"
    first.write_bytes("".join([
        line({"id": "s0", "text": texts[0]}),
        "\n",
        "   \n",
        '{"id": "broken", "text": \n',
        line([{"id": "in-array", "text": texts[1]}]),
        line({"text": texts[1] + "转载。"}),
        line({"id": 7, "text": texts[1]}),
        line({"id": "null-text", "text": None}),
        line({"id": "no-text", "body": texts[2]}),
        line({"id": "blank", "text": " \u3000 "}),
        line({"id": None, "text": texts[2] + "@@"}).replace("@@", "\\ud800"),  # an escape
        json.dumps({"id": "crlf", "text": texts[2]}, ensure_ascii=False) + "\r\n",
        *(line({"id": f"s{k}", "text": t}) for k, t in enumerate(texts[3:], start=3)),
    ]).encode())
    folder = tmp_path / "more"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_text(line({"id": "copy0", "text": texts[0] + "补充。"})
                                    + line({"text": texts[4]}))
    with gzip.open(folder / "sub" / "b.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write(line({"id": "b1", "text": texts[5]}) + "\n" + line({"text": texts[5]}))
    paths = [str(first), str(folder)]
    report = neardup.find_duplicates(Corpus(paths), containment=0.3)
    unnamed = {"first.jsonl:6", "first.jsonl:11", "a.jsonl:2", "sub/b.jsonl.gz:3"}
    assert unnamed <= {p.a for p in report.pairs} | {p.b for p in report.pairs}
    assert len(report.skipped) == 8
    scan_spark(paths, tmp_path / "out", spark=spark, containment=0.3)
    out = tmp_path / "out"
    _assert_same(report, spark.read.parquet(str(out / "pairs")),
                 spark.read.parquet(str(out / "clusters")), ordered=False)
    skipped = spark.read.parquet(str(out / "skipped")).collect()
    assert [(r.id, r.reason) for r in skipped] == [(s.id, s.reason) for s in report.skipped]


def test_scan_spark_reads_the_files_the_local_engine_reads(spark: Any, tmp_path: Path) -> None:
    """A directory is read with the local engine's files in its order: a file in a
    subdirectory before a sibling whose name sorts after the directory's as a string
    (``a/x.jsonl`` before ``a-b.jsonl``), a README and a .json file left out; a file that
    Spark would pass over (a hidden name) is refused in one line, not dropped."""
    from neardup.spark import scan_spark

    texts = [d.text for d in neardup.load_documents(ROOT / "seeds")]
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "x.jsonl").write_text(json.dumps({"text": texts[0]}) + "\n")
    (folder / "a-b.jsonl").write_text(json.dumps({"text": texts[0] + "。"}) + "\n")
    (folder / "a.jsonl").write_text("\n" + json.dumps({"text": texts[0] + "！"}) + "\n")
    (folder / "b.json").write_text(json.dumps({"id": "json", "text": texts[0]}) + "\n")
    (folder / "README").write_text("not JSON\n")
    report = neardup.find_duplicates(Corpus([folder]))
    assert ("a/x.jsonl:1", "a-b.jsonl:1") in [(p.a, p.b) for p in report.pairs]
    scan_spark([str(folder)], tmp_path / "out", spark=spark)
    # which comes first in a pair, and the clusters' ids (their earliest members), follow
    # the input order; the rows of the Parquet parts are read back in no set order
    _assert_same(report, spark.read.parquet(str(tmp_path / "out" / "pairs")),
                 spark.read.parquet(str(tmp_path / "out" / "clusters")), ordered=False)
    skipped = spark.read.parquet(str(tmp_path / "out" / "skipped")).collect()
    assert [(r.id, r.reason) for r in skipped] == [(s.id, s.reason) for s in report.skipped]
    (folder / ".hidden.jsonl").write_text(json.dumps({"text": texts[1]}) + "\n")
    with pytest.raises(InputError, match=r"hidden.jsonl: Spark does not read a file whose name"):
        scan_spark([str(folder)], tmp_path / "out2", spark=spark)


def test_scan_spark_finds_the_text_field_past_many_records_without_it(
    spark: Any, tmp_path: Path
) -> None:
    """A null text after 1,500 records without the field shows the field exists: no
    error, as locally."""
    from neardup.spark import scan_spark

    source = tmp_path / "n.jsonl"
    lines = [json.dumps({"id": f"x{k}", "body": "文本"}) for k in range(1500)]
    source.write_text("\n".join([*lines, '{"id": "z", "text": null}']) + "\n")
    report = neardup.find_duplicates(Corpus([source]))
    counts = scan_spark([str(source)], tmp_path / "out", spark=spark)
    assert counts["skipped"] == len(report.skipped) == 1501


def test_scan_spark_without_the_text_field(spark: Any, tmp_path: Path) -> None:
    """JSON lines none of which has the text field: the local engine's one-line error."""
    from neardup.spark import scan_spark

    source = tmp_path / "x.jsonl"
    source.write_text('{"id": "a", "body": "文本"}\n{"id": "b", "body": "文本"}\n')
    with pytest.raises(InputError, match=r"no record has the text field .text.*id, body"):
        scan_spark([str(source)], tmp_path / "out", spark=spark)


def seeds_with_partial_copy() -> list[tuple[str, str]]:
    """The seed articles and a document made of the first half of article 3 and the second
    half of article 7 (issue 12's seed test)."""
    docs = [(d.id, d.text) for d in neardup.load_documents([ROOT / "seeds"])]
    third, seventh = docs[2][1], docs[6][1]
    return [*docs, ("partial", third[: len(third) // 2] + seventh[len(seventh) // 2 :])]


def laws_with_partial_copies() -> list[tuple[str, str]]:
    """The committed 310-law sample (versions of the same law, templated local regulations:
    natural partial copies, and boilerplate held by many laws) plus planted partial copies:
    25-60% of one law's lines, lightly edited, inside another law."""
    rng = random.Random(12)
    docs = _read_laws(LAWS_SAMPLE, 310)
    planted: list[tuple[str, str]] = []
    for n in range(30):
        (source_id, source), (host_id, host) = rng.sample(docs, 2)
        lines = source.splitlines()
        share = rng.uniform(0.25, 0.6)
        start = rng.randrange(max(1, int(len(lines) * (1 - share))))
        taken = "\n".join(lines[start : start + max(1, int(len(lines) * share))])
        host_lines = host.splitlines()
        at = rng.randrange(len(host_lines) + 1)
        text = "\n".join([*host_lines[:at], _edit(taken, rng, 0.02), *host_lines[at:]])
        planted.append((f"partial{n}:{source_id}>{host_id}", text))
    out = list(docs)
    for item in planted:
        out.insert(rng.randrange(len(out) + 1), item)
    return out


def test_containment_laws_equal_local(spark: Any, outputs_made_on: str) -> None:
    """A containment search on laws with natural and planted partial copies, with a
    boilerplate cut low enough to cut many fingerprints: the same pairs, shares, clusters
    and boilerplate count as locally, in the same order."""
    from neardup.spark import find_duplicates_spark_result

    docs = laws_with_partial_copies()
    options: dict[str, Any] = {"containment": 0.3, "max_df": 20}
    report = neardup.find_duplicates(docs, **options)
    copies = [p for p in report.pairs if p.jaccard < report.parameters.threshold]
    assert len(copies) > 100  # partial copies, not only near-duplicates
    assert sum(p.a.startswith("partial") or p.b.startswith("partial") for p in copies) >= 25
    assert report.counts.common_fingerprints > 100
    result = find_duplicates_spark_result(_spark_df(spark, docs), **options)
    _assert_same(report, result.pairs, result.clusters)
    assert result.common_fingerprints == report.counts.common_fingerprints
    result.unpersist()


def test_containment_seeds_equal_local(spark: Any, tmp_path: Path) -> None:
    """`neardup scan --engine spark --containment 0.3 --max-df 5` on the seeds plus a
    half-and-half copy: the pairs (with both shares) and clusters of the local containment
    search, and the same count of fingerprints cut; the copy is found with both of its
    sources, half of each."""
    from click.testing import CliRunner

    from neardup.cli import main

    docs = seeds_with_partial_copy()
    source = tmp_path / "seeds.jsonl"
    source.write_text("".join(
        json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in docs
    ))
    report = neardup.find_duplicates(
        neardup.load_documents([source]), containment=0.3, max_df=5
    )
    sources = {p.a: p for p in report.pairs if p.b == "partial"}
    assert sorted(sources) == ["000_28473338c6d0f06c.txt#3", "000_28473338c6d0f06c.txt#7"]
    assert all(0.4 < p.a_in_b < 0.6 for p in sources.values())  # half of each source
    assert 0.95 < sum(p.b_in_a for p in sources.values()) < 1.05  # all of the copy
    assert report.counts.common_fingerprints > 0  # the cut is exercised
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "scan", str(source), "--engine", "spark", "-o", str(out), "--spark-master", "local[2]",
        "--containment", "0.3", "--max-df", "5",
    ])
    assert result.exit_code == 0, result.output
    assert f"{len(report.pairs)} pairs (fingerprints in more than 5 documents ignored: " \
        f"{report.counts.common_fingerprints:,})" in result.output
    pairs = spark.read.parquet(str(out / "pairs"))
    clusters = spark.read.parquet(str(out / "clusters"))
    _assert_same(report, pairs, clusters, ordered=False)


def test_errors(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from neardup.spark import find_duplicates_spark

    df = _spark_df(spark, [("a", "同一个文本内容很长"), ("a", "另一个文本"), ("b", "x")])
    with pytest.raises(neardup.DuplicateIdError, match="'a'"):
        find_duplicates_spark(df)
    many = [(f"d{k % 13:02d}", f"文本{k}") for k in range(30)]  # 13 ids repeated
    with pytest.raises(neardup.DuplicateIdError) as local:
        neardup.find_duplicates(many)
    with pytest.raises(neardup.DuplicateIdError) as on_spark:
        find_duplicates_spark(_spark_df(spark, many))
    assert str(on_spark.value) == str(local.value)
    assert str(local.value).endswith("'d09' and 3 more")
    assert on_spark.value.count == 13
    with pytest.raises(InputError, match="the id column is null"):  # not 'None' as an id
        find_duplicates_spark(spark.createDataFrame([*many, (None, "无名")], "id string, text string"))
    with pytest.raises(neardup.ParameterError, match="ngram"):
        find_duplicates_spark(df, ngram=0)
    with pytest.raises(neardup.ParameterError, match="containment"):
        find_duplicates_spark(df, containment=1.5)
    with pytest.raises(neardup.ParameterError, match="max_df"):
        find_duplicates_spark(df, containment=0.3, max_df=1)
    with pytest.raises(neardup.InputError, match="'body'"):
        find_duplicates_spark(df, text_col="body")
    numbers = spark.createDataFrame([("a", 1)], "id string, text int")
    with pytest.raises(neardup.InputError, match="string column"):
        find_duplicates_spark(numbers)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(neardup.MissingDependencyError, match=r"neardup\[spark\]"):
        find_duplicates_spark(df)


def test_components_match_union_find(spark: Any) -> None:
    """Large-star/small-star on a long path, a random tree and a cycle with shuffled node
    numbers: the same components as the local union-find, each rooted at its smallest node;
    and the same rows from the driver's union-find that the pipeline runs on few edges."""
    from neardup.core.clusters import components
    from neardup.spark import connected_components

    rng = random.Random(3)
    labels = rng.sample(range(1000), 120)
    edges = [(labels[i], labels[i + 1]) for i in range(39)]  # path of 40
    edges += [(labels[i], labels[rng.randrange(40, i)]) for i in range(41, 90)]  # tree of 50
    edges += [(labels[i], labels[i + 1]) for i in range(90, 119)] + [(labels[119], labels[90])]
    df = spark.createDataFrame(edges, "a long, b long")
    rows = connected_components(df, []).collect()
    got: dict[int, set[int]] = {}
    for row in rows:
        got.setdefault(row.root, set()).add(row.node)
    want = components(edges)
    assert sorted(sorted(g) for g in got.values()) == sorted(want)
    assert all(root == min(group) for root, group in got.items())
    # what the pipeline runs: these few edges joined on the driver, the same rows
    from neardup.spark.components import components as spark_components

    assert sorted(tuple(r) for r in spark_components(df, []).collect()) == sorted(
        (r.node, r.root) for r in rows
    )


def test_cli_engine_spark_equals_the_local_scan(spark: Any, tmp_path: Path) -> None:
    """`neardup scan --engine spark` writes Parquet whose pairs equal the local scan's."""
    from click.testing import CliRunner

    from neardup.cli import main

    docs = neardup.load_documents(ROOT / "seeds")
    source = tmp_path / "seeds.jsonl"
    source.write_text(
        "".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in docs)
    )
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(source), "--engine", "spark", "-o", str(out),
                                  "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert "1 pairs" in result.output and "11 documents read" in result.output
    local = json.loads(runner.invoke(main, ["scan", str(source), "--format", "json"]).stdout)
    pairs = spark.read.parquet(str(out / "pairs")).collect()
    assert [(r.a, r.b) for r in pairs] == [(p["a"], p["b"]) for p in local["pairs"]]
    assert abs(pairs[0].jaccard - local["pairs"][0]["jaccard"]) < 1e-6
    missing_output = runner.invoke(main, ["scan", str(source), "--engine", "spark"])
    assert missing_output.exit_code == 2 and "-o" in missing_output.output


def _dedup_records() -> list[dict[str, Any]]:
    """The committed laws sample with planted exact and edited copies, a quality score with
    ties and nulls, and an empty document."""
    rng = random.Random(9)
    laws = _read_laws(LAWS_SAMPLE, 310)
    records: list[dict[str, Any]] = [
        {"id": i, "text": t, "q": rng.choice([None, 1.0, 2.0, 3.0])} for i, t in laws
    ]
    for k, (i, t) in enumerate(rng.sample(laws, 30)):
        text = t.replace("。", "。 ") if k % 3 == 0 else _edit(t, rng, 0.05)
        records.append({"id": f"{i}~{k}", "text": text, "q": rng.choice([None, 1.0, 3.0])})
    records.append({"id": "empty", "text": "  ", "q": 1.0})
    rng.shuffle(records)
    return records


@pytest.mark.parametrize(("keep", "prefer"), [("first", None), ("longest", "q")])
def test_dedup_keeps_what_local_keeps(spark: Any, keep: str, prefer: str | None) -> None:
    from neardup.spark import deduplicate_spark

    records = _dedup_records()
    local = neardup.deduplicate(records, keep=keep, prefer=prefer, workers=1)
    assert local.counts.removed_exact and local.counts.removed_near
    df = spark.createDataFrame(
        [(r["id"], r["text"], r["q"], k) for k, r in enumerate(records)],
        "id string, text string, q double, n long",
    )
    kept = deduplicate_spark(df, keep=keep, prefer=prefer, cluster_col="cluster",
                             order_col="n")
    assert kept.columns == ["id", "text", "q", "n", "cluster"]
    rows = kept.collect()
    assert [r.id for r in rows] == [
        r["id"] for r in records if r["id"] not in local.removed
    ]
    clusters = {c.representative: c.members[0].id for c in local.clusters}
    assert {r.id: r.cluster for r in rows if r.cluster is not None} == clusters


def test_dedup_command_on_spark_writes_the_locally_kept_rows(spark: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from neardup.cli import main

    records = _dedup_records()[:120]
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "laws.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    runner = CliRunner()
    local = runner.invoke(main, ["dedup", str(source), "-o", str(tmp_path / "local.jsonl"),
                                 "--keep", "longest", "--prefer", "q", "-q"])
    assert local.exit_code == 0, local.output
    kept = [json.loads(line)["id"]
            for line in (tmp_path / "local.jsonl").read_text().splitlines()]
    result = runner.invoke(main, ["dedup", str(source), "--engine", "spark", "-o",
                                  str(tmp_path / "out"), "--keep", "longest", "--prefer", "q",
                                  "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"neardup (spark): 120 read, {len(kept)} kept")
    rows = spark.read.parquet(str(tmp_path / "out")).collect()
    assert sorted(r.id for r in rows) == sorted(kept)
    assert {"id", "text", "q"} <= set(rows[0].asDict())
    refused = runner.invoke(main, ["dedup", str(source), "--engine", "spark", "-o",
                                   str(tmp_path / "o2"), "--min-length", "5"])
    assert refused.exit_code == 2 and "--min-length: not with --engine spark" in refused.output


def test_dedup_spark_reads_a_directory_as_the_local_engine(spark: Any, tmp_path: Path) -> None:
    """A directory whose names sort otherwise as strings (``a-b.jsonl`` before
    ``a/x.jsonl``) holding the same text twice, a report neardup wrote there and a field
    whose name has a dot: the Spark dedup keeps the record the local one keeps (the first in
    the local order), leaves the report out, and writes the dotted field (it kept the other
    copy, read the report as data and failed on the field)."""
    from neardup.spark import dedup_spark

    text = "国务院总理主持召开国务院常务会议，部署加快推进重点工作，研究进一步稳定就业的措施。"
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "x.jsonl").write_text(
        json.dumps({"id": "from-a-x", "text": text, "a.b": 1}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    (folder / "a-b.jsonl").write_text(
        json.dumps({"id": "from-a-b", "text": text, "a.b": 2}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "other", "text": "今天天气很好，我们一起去公园散步。", "a.b": 3},
                     ensure_ascii=False) + "\n", encoding="utf-8")
    from click.testing import CliRunner

    from neardup.cli import main

    runner = CliRunner()
    report = runner.invoke(main, ["scan", str(folder), "-f", "jsonl", "-q",
                                  "-o", str(folder / "pairs.jsonl")])
    assert report.exit_code == 0 and (folder / "pairs.jsonl").exists(), report.output
    local = runner.invoke(main, ["dedup", str(folder), "-q", "-o", str(tmp_path / "l.jsonl")])
    assert local.exit_code == 0, local.output
    assert [json.loads(line)["id"] for line in (tmp_path / "l.jsonl").read_text(
        encoding="utf-8").splitlines()] == ["from-a-x", "other"]
    counts = dedup_spark(str(folder), str(tmp_path / "out"), spark=spark)
    rows = spark.read.parquet(str(tmp_path / "out")).collect()
    assert [r.id for r in rows] == ["from-a-x", "other"]
    assert [r["a.b"] for r in rows] == [1, 3]
    assert counts["read"] == 3


def test_a_spark_scan_written_into_the_scanned_directory_is_no_document(
    spark: Any, tmp_path: Path
) -> None:
    """``scan --engine spark DIR -o DIR/out``, run twice: the second run leaves the first
    one's Parquet output out (it failed on Spark's footer error, reading the JSON Lines as
    Parquet, and refused the old parts as inputs under the output); the local scan leaves
    it out too, with a note for each part."""
    from click.testing import CliRunner

    from neardup.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    text = "国务院总理主持召开国务院常务会议，部署加快推进重点工作，研究进一步稳定就业的措施。"
    (folder / "a.jsonl").write_text(
        "".join(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n"
                for name in ("one", "two", "three")), encoding="utf-8")
    runner = CliRunner()
    for _ in range(2):
        scanned = runner.invoke(main, ["scan", str(folder), "--engine", "spark",
                                       "-o", str(folder / "out")])
        assert scanned.exit_code == 0, scanned.output
        assert "3 documents read, 0 skipped, 2 pairs" in scanned.output
    local = runner.invoke(main, ["scan", str(folder), "-f", "json", "-o", str(tmp_path / "r")])
    assert local.exit_code == 0, local.output
    assert re.search(r"left out, the pairs/ of a neardup Spark scan \((not a document|"
                     r"\d+ files, not documents)\)", local.output)
    assert "among 3 documents" in local.output


def test_dedup_spark_reads_a_parquet_directory_as_the_local_engine(
    spark: Any, tmp_path: Path
) -> None:
    """A Parquet directory whose names sort otherwise as strings (``a-b.parquet`` before
    ``a/x.parquet``), its files of different columns, and a Spark scan's output written into
    it: the Spark dedup keeps the record the local one keeps, every column of both files,
    and reads no part of the scan's output (it kept the other copy and read the scan's
    parts as documents)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neardup.spark import dedup_spark, scan_spark

    text = "国务院总理主持召开国务院常务会议，部署加快推进重点工作，研究进一步稳定就业的措施。"
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["from-a-x"], "text": [text], "x": [1]}),
                   folder / "a" / "x.parquet")
    pq.write_table(pa.table({"id": ["from-a-b", "other"],
                             "text": [text, "今天天气很好，我们一起去公园散步。"],
                             "y": ["b", "c"]}), folder / "a-b.parquet")
    scan_spark(str(folder), str(folder / "out"), spark=spark)
    assert list((folder / "out" / "pairs").glob("part-*.parquet"))
    from click.testing import CliRunner

    from neardup.cli import main

    local = CliRunner().invoke(main, ["dedup", str(folder), "-q", "-o", str(tmp_path / "l")])
    assert local.exit_code == 0, local.output
    assert pq.read_table(tmp_path / "l" / "a" / "x.parquet")["id"].to_pylist() == ["from-a-x"]
    assert pq.read_table(tmp_path / "l" / "a-b.parquet")["id"].to_pylist() == ["other"]
    assert not (tmp_path / "l" / "out").exists()
    counts = dedup_spark(str(folder), str(tmp_path / "out"), spark=spark)
    rows = spark.read.parquet(str(tmp_path / "out")).collect()
    assert [(r.id, r.x, r.y) for r in rows] == [("from-a-x", 1, None), ("other", None, "c")]
    assert counts["read"] == 3


def test_the_spark_readers_take_what_spark_takes(spark: Any, tmp_path: Path) -> None:
    """Paths the local listing does not know, read as Spark reads them (found in review of
    the listing by the local rules): a ``file://`` URI of a JSON Lines file (it was "read by
    Spark, but not among the inputs"), a ``.parq`` file, a file without a suffix named with
    ``file_format`` and a glob; Parquet files whose columns of one name have different types
    are one InputError line for a deduplication, not a Java trace."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neardup.spark import read_documents_spark

    text = "国务院总理主持召开国务院常务会议，部署加快推进重点工作。"
    lines = tmp_path / "a b.jsonl"
    lines.write_text(json.dumps({"id": "j", "text": text}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    rows = read_documents_spark(spark, f"file://{lines}").collect()
    assert [(r.id, r.text) for r in rows] == [("j", text)]
    table = pa.table({"id": ["p"], "text": [text]})
    for name in ("x.parq", "000000_0"):
        pq.write_table(table, tmp_path / name)
        read = read_documents_spark(spark, str(tmp_path / name), file_format="parquet")
        assert [(r.id, r.text) for r in read.collect()] == [("p", text)]
    (tmp_path / "g").mkdir()
    for k in range(2):
        pq.write_table(pa.table({"id": [f"g{k}"], "text": [text]}), tmp_path / "g" / f"{k}.parquet")
    globbed = read_documents_spark(spark, str(tmp_path / "g" / "*.parquet"))
    assert sorted(r.id for r in globbed.collect()) == ["g0", "g1"]
    (tmp_path / "mixed").mkdir()
    pq.write_table(pa.table({"id": ["a"], "text": [text], "q": [1]}), tmp_path / "mixed" / "a.parquet")
    pq.write_table(pa.table({"id": ["b"], "text": [text], "q": ["s"]}), tmp_path / "mixed" / "b.parquet")
    with pytest.raises(InputError, match=r"mixed: its Parquet files cannot be read together: "):
        read_documents_spark(spark, str(tmp_path / "mixed"), all_columns=True)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"thresold": 0.5}, "unknown parameter 'thresold'"),
        ({"verify": "estimate"}, "exact"),
    ],
)
def test_spark_entry_points_refuse_what_they_cannot_run_before_any_session(
    tmp_path: Path, given: dict[str, Any], says: str
) -> None:
    """Unknown names and estimates are a ParameterError naming the problem, raised before
    Spark starts (no pyspark session is needed). The rewrite search and the copies
    judgement run on Spark (``test_spark_copies.py``)."""
    from neardup.errors import ParameterError
    from neardup.spark import dedup_spark, scan_spark

    for run in (scan_spark, dedup_spark):
        with pytest.raises(ParameterError, match=says):
            run([str(tmp_path / "in.jsonl")], tmp_path / "out", **given)
