"""Results a script can use at once (issue 26, the smaller items): ``print(report)`` is a
short summary, ``report.to_pandas()``/``to_arrow()`` give the pairs and clusters as tables,
``deduplicate(df)`` keeps the ids' type (a DataFrame without an id column is identified by
its index) and ``result.deduplicated(df)`` gives the frame back without the removed rows."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from neardup import ParameterError, add_passages, deduplicate, find_duplicates

TEXT = "今天天气很好，我们去公园散步吧，然后一起吃午饭。"


def test_print_report_is_a_short_summary() -> None:
    report = find_duplicates([TEXT, TEXT + "！", TEXT + "好吗", "完全不同的一句话"], workers=1)
    shown = str(report)
    assert "\n" not in shown and len(shown) < 300
    assert shown.startswith("DuplicateReport: 4 documents read (0 skipped), 3 pairs (1 exact) "
                            "in 1 cluster, 1 group of identical documents; threshold 0.7, "
                            "exact verification, ")


def test_pairs_and_clusters_as_pandas_and_arrow() -> None:
    report = find_duplicates({"x": TEXT, "y": TEXT + "！", "z": TEXT + "好吗"}, workers=1)
    pairs = report.to_pandas()
    assert list(pairs.columns[:7]) == ["a", "b", "jaccard", "containment", "a_in_b", "b_in_a",
                                       "exact"]
    assert [tuple(r) for r in pairs[["a", "b", "exact"]].itertuples(index=False)] == [
        ("x", "y", True), ("x", "z", False), ("y", "z", False)
    ]
    clusters = report.to_arrow("clusters")
    assert clusters.column_names == ["cluster", "representative", "id", "similarity"]
    assert clusters.column("id").to_pylist() == ["x", "y", "z"]
    assert report.to_arrow().schema.field("exact").type == pa.bool_()
    with pytest.raises(ValueError, match="what must be 'pairs', 'clusters'"):
        report.to_pandas("pair")


def test_deduplicate_keeps_the_ids_type_and_gives_the_frame_back() -> None:
    df = pd.DataFrame({"id": [10, 20, 30, 40], "text": [TEXT, TEXT + "好吗", TEXT + "！", "别的"]})
    result = deduplicate(df, workers=1)
    assert result.kept == [10, 40] and set(result.removed) == {20, 30}
    assert result.removed[30].kept == 10
    assert df[~df.id.isin(result.removed)].id.tolist() == [10, 40]
    assert result.deduplicated(df).id.tolist() == [10, 40]
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert deduplicate(table, workers=1).deduplicated(table).column("id").to_pylist() == [10, 40]
    with pytest.raises(ValueError, match="4 were read"):
        result.deduplicated(df.iloc[:2])


def test_a_frame_without_an_id_column_is_identified_by_its_index() -> None:
    df = pd.DataFrame({"text": ["别的", TEXT + "！", TEXT + "好吗", TEXT]}, index=[7, 5, 3, 1])
    result = deduplicate(df, workers=1)
    assert result.kept == [7, 5] and set(result.removed) == {3, 1}
    assert df.drop(index=list(result.removed)).index.tolist() == [7, 5]
    assert result.deduplicated(df).index.tolist() == [7, 5]
    assert next((p.a, p.b) for p in find_duplicates(df, workers=1).pairs) == ("5", "3")


SHARES_ONLY_FORMULA = "shares only formula (text many documents hold)"


def test_pairs_set_apart_and_copy_ratios_as_tables() -> None:
    """The copies preset's pairs set apart and its copy ratios as tables too (they were
    refused: "what must be 'pairs' or 'clusters'")."""
    shared = "国务院总理主持召开国务院常务会议，部署加快推进重点工作，研究进一步稳定就业的措施。"
    form = "届时，中央广播电视总台央视新闻频道、中国之声将进行现场直播，新华网等进行网络直播。"
    docs = [("a", shared + "会议指出，要坚持稳中求进工作总基调。"),
            ("b", "记者从有关部门了解到，" + shared), ("c", "今天天气很好，我们一起去公园散步。"),
            ("d", "国务院新闻办公室将于明天上午十点举行发布会。" + form),  # three notices on one
            ("e", "全国人大常委会办公厅将于周五下午三点举行记者会。" + form),  # template: set
            ("f", "外交部将于下周一上午九点举行例行记者会。" + form)]  # apart
    found = find_duplicates(docs, preset="copies", with_texts=True)
    report = add_passages(found, found.texts)
    copies = report.to_pandas("copies")
    assert copies.columns.tolist() == ["id", "share", "rank", "source", "source_share"]
    assert [(c.id, s.id) for c in report.copies for s in c.sources] == list(
        zip(copies.id, copies.source, strict=True))
    assert report.to_arrow("copies").column("rank").to_pylist() == copies["rank"].tolist()
    apart = report.to_pandas("set_apart")
    assert list(zip(apart.a, apart.b, apart.reason, strict=True)) == [
        ("d", "e", SHARES_ONLY_FORMULA), ("d", "f", SHARES_ONLY_FORMULA),
        ("e", "f", SHARES_ONLY_FORMULA)]
    with pytest.raises(ParameterError, match="'set_apart' or 'copies'"):
        report.to_pandas("nothing")
