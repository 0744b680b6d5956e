"""``yl.change`` against R (``tests/golden/change.json``) and its properties.

``tests/golden/make_golden_change.R`` stacks the two bundled waves (2025 = ``yl.load_sample()``,
2024 = ``yl.load_sample_2024()``) into one design whose strata are wave x district and whose
clusters are wave x school, raked on each wave's margins crossed with wave, and takes
``svycontrast`` of after minus before (options and nets, overall and by district; equal
weights, raked, and raked with jackknife replicates). Here each wave is its own design.
Tolerances are CONTRACT.md's: estimates 1e-8, standard errors, bounds, df and p 1e-6.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import listening as yl
from listening.estimate.estimators import holm

GOLDEN = Path(__file__).parent / "golden" / "change.json"
RTOL = {
    "estimate_before": 1e-8,
    "estimate_after": 1e-8,
    "difference": 1e-8,
    "se": 1e-6,
    "ci_low": 1e-6,
    "ci_high": 1e-6,
    "df": 1e-6,
    "p_value": 1e-6,
}
ATOL = 1e-12
CASES = json.loads(GOLDEN.read_text())["cases"]


def _num(value) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        return float(value)  # "NaN", "Inf"
    return float(value)


def _close(actual: float, expected: float, rtol: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    if abs(expected) <= ATOL:
        return abs(actual - expected) <= ATOL
    return abs(actual - expected) <= rtol * abs(expected)


@functools.cache
def designs(kind: str) -> tuple[yl.SurveyDesign, yl.SurveyDesign]:
    out = []
    for survey in (yl.load_sample(), yl.load_sample_2024()):
        design = yl.SurveyDesign.from_survey(survey)
        if kind == "raked_jackknife":
            design = design.jackknife()  # then re-rake every replicate, as R does
        if kind in ("raked", "raked_jackknife"):
            design = design.rake(yl.load_margins(survey))
        out.append(design)
    return out[0], out[1]


def _case_id(case: dict) -> str:
    return f"{case['design']}-{case['question']}-by_{case['by'] or 'all'}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_change_equals_r_on_the_stacked_design(case):
    after, before = designs(case["design"])
    by = case["by"]
    got = yl.change(
        after,
        before,
        case["question"],
        by=by,
        level=case["level"],
        harmonise=yl.load_harmonisation(),
    )
    keys = ([by] if by else []) + ["category"]
    got = got.set_index(keys)
    assert len(got) == len(case["rows"]), "one row per group and category, as R"
    problems = []
    for row in case["rows"]:
        where = tuple(row[k] for k in keys) if by else row["category"]
        mine = got.loc[where]
        assert mine["kind"] == row["kind"]
        for field, rtol in RTOL.items():
            if not _close(float(mine[field]), _num(row[field]), rtol):
                problems.append(f"{where} {field}: {mine[field]!r} vs R {row[field]!r}")
    assert not problems, "\n".join(problems[:20])


def test_golden_covers_options_nets_districts_and_all_three_designs():
    assert {c["design"] for c in CASES} == {"equal_weights", "raked", "raked_jackknife"}
    assert {c["by"] for c in CASES} == {None, "district"}
    kinds = {r["kind"] for c in CASES for r in c["rows"]}
    assert kinds == {"option", "net"}
    renamed = [c for c in CASES if c["question"] == "good_places"]
    assert renamed and all(any(r["category"] == "Agree (net)" for r in c["rows"]) for c in renamed)


# ---------------------------------------------------------------------------- properties


def test_swapping_the_waves_negates_the_change_and_keeps_its_uncertainty():
    after, before = designs("raked")
    forward = yl.change(after, before, "safe_dark", by="district")
    back = yl.change(before, after, "safe_dark", by="district")
    np.testing.assert_allclose(back["difference"], -forward["difference"], atol=1e-15)
    for column in ("se", "df", "p_value", "p_holm"):
        np.testing.assert_allclose(back[column], forward[column], rtol=1e-12)
    np.testing.assert_allclose(back["ci_low"], -forward["ci_high"], atol=1e-14)


def test_a_wave_against_itself_has_no_change_and_root_two_standard_errors():
    after, _ = designs("raked")
    out = yl.change(after, after, "seen_knife", by="district")
    one = yl.proportion(after, "seen_knife", by="district")
    assert (out["difference"] == 0).all()
    np.testing.assert_allclose(out["p_value"], 1.0)
    np.testing.assert_allclose(out["se"].to_numpy(), np.sqrt(2) * one["se"].to_numpy())
    np.testing.assert_array_equal(out["df"].to_numpy(), 2 * one["df"].to_numpy())
    assert (out["base_before"] == out["base_after"]).all()


def test_variance_of_the_change_is_the_sum_of_each_wave_own_variance():
    after, before = designs("raked")
    out = yl.change(after, before, "safe_dark", by="district")
    options = out[out["kind"] == "option"]
    a = yl.proportion(after, "safe_dark", by="district")
    b = yl.proportion(before, "safe_dark", by="district")
    np.testing.assert_allclose(options["se"] ** 2, a["se"].to_numpy() ** 2 + b["se"] ** 2)
    np.testing.assert_allclose(options["estimate_after"], a["estimate"])
    np.testing.assert_array_equal(options["base_before"], b["base"])


def test_nets_are_the_sums_of_their_options():
    after, before = designs("raked")
    out = yl.change(after, before, "safe_dark", by="district").set_index(["district", "category"])
    safe = out.xs("Feel safe", level="category")
    parts = (
        out.xs("Very safe", level="category")[["estimate_before", "estimate_after"]]
        + out.xs("Fairly safe", level="category")[["estimate_before", "estimate_after"]]
    )
    np.testing.assert_allclose(safe[["estimate_before", "estimate_after"]], parts, rtol=1e-12)


def test_holm_counts_each_yes_no_pair_once_across_the_districts():
    after, before = designs("raked")
    out = yl.change(after, before, "seen_knife", by="district")
    yes = out[out["category"] == "Yes"]
    no = out[out["category"] == "No"]
    np.testing.assert_allclose(yes["p_holm"].to_numpy(), no["p_holm"].to_numpy())
    np.testing.assert_allclose(yes["p_holm"], holm(yes["p_value"].to_numpy()))
    assert (out["p_holm"] >= out["p_value"] - 1e-15).all()


def test_holm_over_every_row_of_a_table_without_mirrors():
    after, before = designs("raked")
    out = yl.change(
        after, before, "trusted_adult", by="district", harmonise=yl.load_harmonisation()
    )
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    expected = np.empty(m)
    expected[order] = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    np.testing.assert_allclose(out["p_holm"], expected)


def test_interval_and_p_value_agree_at_the_chosen_level():
    after, before = designs("raked")
    out = yl.change(after, before, "safe_dark", by="district", level=0.9)
    excludes_zero = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    assert (excludes_zero == (out["p_value"] < 0.1)).all()
    wider = yl.change(after, before, "safe_dark", by="district", level=0.99)
    assert (wider["ci_high"] - wider["ci_low"] > out["ci_high"] - out["ci_low"]).all()


def test_the_planted_peterborough_change_shows_in_the_bundled_waves():
    after, before = designs("raked")
    out = yl.change(after, before, "safe_dark", by="district").set_index(["district", "category"])
    row = out.loc[("Peterborough", "Feel safe")]
    assert row["ci_low"] < 0.117 < row["ci_high"]  # the true change (population_truth.csv)
    assert row["difference"] > 0


def test_multi_select_options_compare_option_by_option():
    after, before = designs("equal_weights")
    out = yl.change(after, before, "worries")
    question = after.codebook.question("worries")
    assert out["category"].tolist() == list(question.options)
    a = yl.proportion(after, "worries__knife_crime")
    knife = out.set_index("category").loc["Knife crime"]
    assert knife["estimate_after"] == pytest.approx(
        float(a.loc[a["category"].astype(str) == "True", "estimate"].iloc[0])
    )


# ---------------------------------------------------------------------------- harmonisation


def test_a_reworded_option_without_a_mapping_says_what_to_add():
    after, before = designs("equal_weights")
    with pytest.raises(yl.NotHarmonisedError) as info:
        yl.change(after, before, "trusted_adult")
    message = str(info.value)
    assert "options:\n      Not sure: Unsure" in message
    assert "Unsure" in message and "'Not sure'" in message


def test_a_renamed_question_without_a_mapping_says_what_to_add():
    after, before = designs("equal_weights")
    with pytest.raises(yl.NotHarmonisedError, match="good_places:\n    before: <its"):
        yl.change(after, before, "good_places")


def test_a_question_asked_only_in_the_later_wave_cannot_be_compared():
    after, before = designs("equal_weights")
    with pytest.raises(yl.NotHarmonisedError, match="'safe_online' is not in the 2024"):
        yl.change(after, before, "safe_online", harmonise=yl.load_harmonisation())


def test_harmonise_accepts_a_path(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("questions:\n  trusted_adult:\n    options: {Not sure: Unsure}\n")
    after, before = designs("equal_weights")
    out = yl.change(after, before, "trusted_adult", harmonise=path)
    assert out["category"].tolist() == ["Yes", "No", "Not sure"]
    assert out["estimate_before"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (b"a: &x [1]\nquestions: *x\n", "anchors and aliases"),
        (b"questions: " + b"[" * 20 + b"]" * 20, "nests deeper"),
        (b"questions: [1, 2]", "not a list"),
        (b"- 1\n- 2\n", "top level must be a mapping"),
        (b"questions:\n  q: {before: [x]}\n", "'before' must be a question name"),
        (b"questions:\n  q: {rename: x}\n", "an entry holds 'before'"),
        (b"questions:\n  q: {options: {A: X, B: X}}\n", "two options map to the same"),
        (b"questions: {q: {options: [x]}}", "'options' must map"),
        (b"extra: 1\n", "unknown keys"),
        (b"questions: {\n", "not valid YAML"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_malformed_mappings_are_refused_with_a_reason(text, match):
    with pytest.raises(yl.ListeningError, match=match):
        yl.read_harmonisation(text)


def test_an_oversized_or_missing_mapping_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 300_000 + b"\n")
    with pytest.raises(yl.ListeningError, match="over the limit"):
        yl.read_harmonisation(big)
    with pytest.raises(yl.ListeningError, match="does not exist"):
        yl.read_harmonisation(tmp_path / "nope.yaml")


def test_a_mapping_keyed_by_an_unknown_option_is_refused():
    after, before = designs("equal_weights")
    mapping = yl.read_harmonisation(b"questions:\n  trusted_adult: {options: {Unsure: Unsure}}\n")
    with pytest.raises(yl.NotHarmonisedError, match="key each entry by the after label"):
        yl.change(after, before, "trusted_adult", harmonise=mapping)


def test_a_by_column_missing_from_a_wave_is_refused():
    after, before = designs("equal_weights")
    with pytest.raises(yl.ListeningError, match="not in the before wave"):
        yl.change(after, before.with_columns(), "safe_dark", by="safe_online")
    assert isinstance(pd.DataFrame(), pd.DataFrame)


# ---------------------------------------------------------------------------- disclosure


def _few_in(design: yl.SurveyDesign, district: str, n: int) -> yl.SurveyDesign:
    inside = design.data["district"] == district
    return design.subset(~inside | (inside.cumsum() <= n))


@pytest.mark.parametrize("hidden_in", ["before", "after"])
def test_a_group_hidden_in_one_wave_stays_hidden_in_the_change_table(hidden_in):
    after, before = designs("raked")
    if hidden_in == "before":
        before = _few_in(before, "Fenland", 6)
    else:
        after = _few_in(after, "Fenland", 6)
    raw = yl.change(after, before, "seen_knife", by="district")
    assert raw.loc[raw["district"] == "Fenland", f"base_{hidden_in}"].eq(6).all()  # raw: shown
    table = yl.change_table(after, before, "seen_knife", by="district")
    wave = after if hidden_in == "after" else before
    own = yl.crosstab(wave, "seen_knife", by="district").table
    hidden_own = set(own.loc[own["reason"] != "", "district"])
    assert "Fenland" in hidden_own
    hidden = table[table["reason"] != ""]
    assert set(hidden["district"]) == hidden_own  # every group the wave hides, and only those
    assert hidden["reason"].str.startswith(hidden_in).all()
    assert (
        hidden[
            [
                "estimate_before",
                "estimate_after",
                "difference",
                "se",
                "base_before",
                "base_after",
                "p_value",
                "p_holm",
            ]
        ]
        .isna()
        .all()
        .all()
    )
    shown = table[table["reason"] == ""].set_index(["district", "category"])
    same = raw.set_index(["district", "category"]).loc[shown.index]
    for column in ("difference", "se", "ci_low", "ci_high", "base_before", "base_after"):
        np.testing.assert_allclose(shown[column].to_numpy(float), same[column].to_numpy(float))
    assert (shown["p_holm"] <= same["p_holm"] + 1e-15).all()  # Holm over fewer groups


def test_a_change_table_of_bundled_waves_hides_nothing_and_equals_the_raw_change():
    after, before = designs("raked")
    table = yl.change_table(
        after, before, "trusted_adult", by="district", harmonise=yl.load_harmonisation()
    )
    raw = yl.change(
        after, before, "trusted_adult", by="district", harmonise=yl.load_harmonisation()
    )
    assert (table["reason"] == "").all()
    np.testing.assert_allclose(table["p_holm"], raw["p_holm"])
    six = before.subset(np.arange(len(before.data)) < 6)  # a wave of six respondents
    overall = yl.change_table(after, six, "seen_knife")
    assert (overall["reason"] == "threshold").all() and overall["difference"].isna().all()
