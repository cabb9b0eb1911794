"""How entry points resolve their parameters: params, a preset and overrides, as
:func:`neardup.parameters.resolve_parameters` makes them, and the values a field takes."""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from pathlib import Path

import pytest

from neardup import DuplicateIndex, Pair, Parameters, find_duplicates
from neardup.errors import ParameterError
from neardup.parameters import PARAMETER_FIELDS, field_infos, parameters_for, resolve_parameters
from neardup.searches.modes import modes_for

DOCS = ["今天天气很好，我们去公园散步吧", "今天天气很好，我们去公园散步吧好吗"]


@pytest.mark.parametrize("name", ["threshold", "containment", "rewrite"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0.0, 1.5])
def test_a_share_outside_zero_one_is_refused_nan_included(name: str, value: float) -> None:
    with pytest.raises(ParameterError, match=f"{name} must be in"):
        Parameters(**{name: value})


def test_a_given_banding_is_kept_and_a_chosen_one_chosen_again() -> None:
    given = resolve_parameters(Parameters(bands=16, rows=8), threshold=0.5)
    assert (given.bands, given.rows) == (16, 8)
    chosen = resolve_parameters(Parameters(threshold=0.8), threshold=0.5)
    assert chosen == Parameters(threshold=0.5)


def test_bands_alone_choose_their_rows_the_same_way_from_params_or_not() -> None:
    for bands in (8, 64):
        alone = resolve_parameters(bands=bands)
        on_params = resolve_parameters(Parameters(), bands=bands)
        assert (on_params.bands, on_params.rows) == (alone.bands, alone.rows)
    assert find_duplicates(DOCS, Parameters(), bands=8).parameters.rows == 16


def test_rows_without_bands_is_an_error_not_ignored() -> None:
    with pytest.raises(ParameterError, match="rows goes with bands"):
        resolve_parameters(rows=8)
    with pytest.raises(ParameterError, match="rows goes with bands"):
        find_duplicates(DOCS, Parameters(), rows=8)


def test_none_switches_off_what_a_preset_turns_on_and_leaves_the_rest() -> None:
    copies = resolve_parameters(preset="copies", rewrite=None, threshold=None)
    assert copies.rewrite is None and copies.containment == 0.3 and copies.threshold == 0.5
    assert resolve_parameters(preset="copies", script=None).script is None
    assert parameters_for("copies", rewrite=None).rewrite == 0.025  # given that are not None


def test_unknown_names_are_refused_by_every_resolver() -> None:
    for resolve in (resolve_parameters, parameters_for):
        with pytest.raises(ParameterError, match="unknown parameter 'thresold'"):
            resolve(thresold=0.5)


def test_an_index_leaves_out_what_a_preset_sets_for_scans_before_validating() -> None:
    """``check --against --preset copies --verify estimate``: the preset's rewrite search
    is left out of the index, so estimates are allowed."""
    with DuplicateIndex.create(":memory:", preset="copies", verify="estimate") as index:
        p = index.parameters
    assert (p.verify, p.rewrite, p.containment, p.threshold) == ("estimate", None, None, 0.5)


def test_an_index_recorded_with_a_number_for_a_flag_opens(tmp_path: Path) -> None:
    """Earlier versions accepted ``html=1`` and ``seed=True`` and recorded them as given."""
    path = tmp_path / "old.ndx"
    DuplicateIndex.create(path).close()
    db = sqlite3.connect(path)
    (stored,) = db.execute("SELECT value FROM meta WHERE key = 'parameters'").fetchone()
    recorded = {**json.loads(stored), "html": 1, "seed": True}
    db.execute("UPDATE meta SET value = ? WHERE key = 'parameters'", (json.dumps(recorded),))
    db.commit()
    db.close()
    with DuplicateIndex.open(path) as index:
        assert (index.parameters.html, index.parameters.seed) == (True, 1)


def test_help_lists_every_field_with_its_default_and_help() -> None:
    doc = Parameters.__doc__ or ""
    for name, info in field_infos():
        assert f"    {name} (default {PARAMETER_FIELDS[name].default!r}" in doc
        assert info.help in doc


def test_what_a_mode_records_is_a_field_of_a_pair() -> None:
    pair_fields = {f.name for f in dataclasses.fields(Pair)}
    params = Parameters(containment=0.3, rewrite=0.05)
    for mode in modes_for(params):
        rule = mode.rule(params, None)
        assert rule is None or rule.records is None or rule.records in pair_fields


def test_every_preset_says_what_it_is_for_and_names_only_fields() -> None:
    from neardup.parameters import PRESET_PURPOSES, PRESETS

    assert set(PRESET_PURPOSES) == set(PRESETS)
    for values in PRESETS.values():
        assert set(values) <= set(PARAMETER_FIELDS)
        Parameters(**values)  # valid


def test_one_marker_string_is_one_expression() -> None:
    """``markers="【广告】"`` is one expression: it was split into its characters, each then
    removed from every text, so that two different sentences became one (reported as
    identical, Jaccard 1.0)."""
    a = "广告公司发布了新的公告，告诉大家广州的广场将举办活动。"
    b = "公司发布了新的公，诉大家州的场将举办活动。"
    report = find_duplicates([a, b], markers="【广告】")
    assert report.parameters.markers == ("【广告】",)
    assert report.pairs == []
    assert find_duplicates(["【广告】" + a, a], markers="【广告】").pairs[0].exact
    for wrong in (["##x##", 1], 5):  # 5 was a TypeError
        with pytest.raises(ParameterError, match="markers must be regular expressions"):
            find_duplicates([a, b], markers=wrong)
