"""crosstab: the numbers equal yl.proportion / yl.vs_rest / yl.rao_scott, suppression holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from briefing_data import AGREE, AREAS, FEEL, WORRIES, codebook, data, design

import listening as yl
from listening.errors import ListeningError
from listening.publish.tables import ALL, Crosstab, crosstab

ESTIMATES = ["estimate", "se", "ci_low", "ci_high"]


def _rows(table: pd.DataFrame, by: list[str], group: tuple, category: str) -> pd.Series:
    mask = (table["category"] == category) & (table[by].astype(str) == list(group)).all(axis=1)
    assert mask.sum() == 1, (group, category)
    return table[mask].iloc[0]


def _check_against(tab: Crosstab, reference: pd.DataFrame, by: list[str], label=None) -> int:
    """Compare every published row of ``tab`` with the matching ``reference`` row."""
    checked = 0
    for _, ref in reference.iterrows():
        group = tuple(str(ref[b]) for b in by) if by else (ALL,) * len(tab.by)
        category = label if label is not None else str(ref["category"])
        row = _rows(tab.table, list(tab.by), group, category)
        if row["suppressed"]:
            assert all(pd.isna(row[c]) for c in [*ESTIMATES, "n", "base", "weighted_base"])
            continue
        assert row["base"] == ref["base"]
        assert row["weighted_base"] == pytest.approx(ref["weighted_base"], rel=1e-10)
        if ref["estimate"] in (0.0, 1.0):
            _check_degenerate(row)
            checked += 1
            continue
        for column in ESTIMATES:
            assert row[column] == pytest.approx(ref[column], rel=1e-10, abs=1e-14, nan_ok=True)
        assert row["n"] == ref["n"]
        checked += 1
    return checked


def _check_degenerate(row: pd.Series) -> None:
    """An estimate of 0 (1) has the one-sided interval [0, u] ([1 - u, 1]) and no significance."""
    assert row["se"] == 0 and row["vs_rest"] == 0
    closed = 0.0 if row["estimate"] == 0 else 1.0
    other = row["ci_high"] if closed == 0 else row["ci_low"]
    assert closed in (row["ci_low"], row["ci_high"])
    assert 0 < other < 1


@pytest.mark.parametrize("by", [["area"], ["year"], ["area", "year"]])
def test_options_equal_proportion(by):
    d = design()
    tab = crosstab(d, "feel", by if len(by) > 1 else by[0], codebook=codebook())
    assert _check_against(tab, yl.proportion(d, "feel", by=by), by) > 0
    assert _check_against(tab, yl.proportion(d, "feel"), []) == len(FEEL)


def test_nets_equal_proportion_of_an_indicator_built_independently():
    frame = data()
    feel = frame["feel"].astype(object)
    net = pd.array(feel.isin(FEEL[:2]), dtype="boolean")
    net[feel.isna().to_numpy()] = pd.NA
    reference_design = design(frame.assign(net=net))
    reference = yl.proportion(reference_design, "net", by="area")
    reference = reference[reference["category"].astype(bool)]
    tab = crosstab(design(frame), "feel", by="area", codebook=codebook())
    assert _check_against(tab, reference, ["area"], label="Feel safe") == len(AREAS)


def test_multi_select_options_are_shares_mentioning():
    d = design()
    tab = crosstab(d, "worry", by="area", codebook=codebook())
    assert tab.kind == "multi"
    assert list(tab.table["category"].unique()) == WORRIES
    for option in WORRIES[:2]:
        column = f"worry__{option.lower()}"
        reference = yl.proportion(d, column, by="area")
        reference = reference[reference["category"].astype(bool)]
        assert _check_against(tab, reference, ["area"], label=option) == len(AREAS)
    answered = data()[[c for c in data().columns if c.startswith("worry__")]].notna().any(axis=1)
    assert tab.table.loc[tab.table["area"] == ALL, "base"].iloc[0] == answered.sum()


def test_option_nobody_ticks_is_zero():
    tab = crosstab(design(), "worry", by="area", codebook=codebook())
    none = tab.table[tab.table["category"] == "None of these"]
    assert (none["estimate"] == 0).all() and (none["n"] == 0).all()


def test_option_nobody_chooses_gets_a_zero_row_in_questionnaire_order():
    tab = crosstab(design(), "agree", by="area", codebook=codebook())
    assert list(tab.table["category"].unique()) == [*AGREE, "Agree (net)", "Disagree (net)"]
    never = tab.table[tab.table["category"] == "Strongly disagree"]
    assert (never["estimate"] == 0).all() and (never["n"] == 0).all()


def test_net_named_like_an_option_is_marked_and_equals_the_option():
    table = crosstab(design(), "agree", by="area", codebook=codebook()).table
    option = table[table["category"] == "Agree"].reset_index(drop=True)
    net = table[table["category"] == "Agree (net)"].reset_index(drop=True)
    pd.testing.assert_series_equal(option["estimate"], net["estimate"])


def test_without_codebook_categories_come_from_the_data():
    frame = data().assign(feel=lambda f: f["feel"].astype(object))
    tab = crosstab(design(frame), "feel", by="area")
    assert sorted(tab.table["category"].unique()) == sorted(FEEL)
    assert "Feel safe" not in set(tab.table["category"])
    assert tab.title == "feel"


def test_codebook_comes_from_the_design_when_it_has_one():
    class CodedDesign(yl.SurveyDesign):
        codebook = codebook(feel="Wording from the codebook")

    tab = crosstab(CodedDesign(data(), strata="area", clusters="school"), "feel", by="area")
    assert tab.title == "Wording from the codebook"
    assert tab.source == "Hand-made test data"
    assert "Feel safe" in set(tab.table["category"])


def test_all_comes_first_and_groups_follow_their_categories():
    tab = crosstab(design(), "feel", by="year", codebook=codebook())
    assert list(tab.table["year"].unique()) == [ALL, "Y7", "Y8", "Y9", "Y13"]
    assert list(tab.table.columns) == [
        "year",
        "category",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "base",
        "weighted_base",
        "suppressed",
        "vs_rest",
        "reason",
        "low_reliability",
    ]


def test_small_group_and_the_cheapest_other_are_suppressed():
    d = design()
    tab = crosstab(d, "feel", by="year", codebook=codebook(), min_base=10)
    groups = tab.table.drop_duplicates("year").set_index("year")
    bases = yl.proportion(d, "feel", by="year").drop_duplicates("year").set_index("year")["base"]
    assert bases["Y13"] < 10
    assert groups.loc["Y13", "reason"] == "threshold"
    smallest = bases.drop(index="Y13").idxmin()
    assert groups.loc[smallest, "reason"] == "secondary"
    assert not groups.drop(index=["Y13", smallest])["suppressed"].any()
    hidden = tab.table[tab.table["suppressed"]]
    assert hidden[[*ESTIMATES, "n", "base", "weighted_base"]].isna().all().all()
    assert (hidden["vs_rest"] == 0).all()


def test_min_base_zero_suppresses_nothing():
    tab = crosstab(design(), "feel", by="year", codebook=codebook(), min_base=0)
    assert not tab.table["suppressed"].any()


def test_combined_groups_have_no_line_with_a_single_hidden_cell():
    by = ["area", "year"]
    tab = crosstab(design(), "feel", by=by, codebook=codebook(), min_base=25)
    groups = tab.table.drop_duplicates(by)
    groups = groups[groups["area"] != ALL]
    assert groups["suppressed"].any()
    assert groups.loc[groups["base"] < 25, "suppressed"].all()
    for column in by:
        other = by[1 - by.index(column)]
        for _, line in groups.groupby(other):
            assert line["suppressed"].sum() != 1 or len(line) == 1


def test_vs_rest_is_holm_adjusted_over_the_published_table():
    d = design()
    tab = crosstab(d, "feel", by="area", codebook=codebook(), min_base=0)
    raw = yl.vs_rest(d, "feel", by="area")
    frame = data()
    feel = frame["feel"].astype(object)
    nets = {}
    for name, members in codebook().question("feel").nets.items():
        net = pd.array(feel.isin(members), dtype="boolean")
        net[feel.isna().to_numpy()] = pd.NA
        nets[name] = net
    net_design = design(frame.assign(**{f"n{i}": v for i, v in enumerate(nets.values())}))
    pieces = [raw.assign(category=raw["category"].astype(str))]
    for i, name in enumerate(nets):
        part = yl.vs_rest(net_design, f"n{i}", by="area")
        pieces.append(part[part["category"].astype(bool)].assign(category=name))
    p = pd.concat(pieces)
    order = np.argsort(p["p_value"].to_numpy())
    m = len(p)
    holm = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * p["p_value"].to_numpy()[order]))
    adjusted = np.empty(m)
    adjusted[order] = holm
    expected = np.where(adjusted < 0.05, np.sign(p["difference"]), 0)
    merged = tab.table.merge(
        p[["area", "category"]].assign(area=p["area"].astype(str), expected=expected),
        on=["area", "category"],
    )
    assert len(merged) == len(tab.table) - 6
    assert (merged["vs_rest"] == merged["expected"]).all()
    assert (merged["vs_rest"] != 0).any()
    assert (tab.table.loc[tab.table["area"] == ALL, "vs_rest"] == 0).all()


def test_test_is_rao_scott_of_question_by_group():
    d = design()
    tab = crosstab(d, "feel", by="area", codebook=codebook())
    expected = yl.rao_scott(d, "feel", "area")
    assert tab.test.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert tab.test.p_value == pytest.approx(expected.p_value, rel=1e-12)


def test_combined_test_uses_the_combination_as_one_variable():
    frame = data()
    combined = frame["area"].astype(str) + " x " + frame["year"].astype(str)
    expected = yl.rao_scott(design(frame.assign(both=combined)), "feel", "both")
    tab = crosstab(design(frame), "feel", by=["area", "year"], codebook=codebook())
    assert tab.test.statistic == pytest.approx(expected.statistic, rel=1e-12)


def test_combined_groups_with_missing_values_leave_those_respondents_out():
    frame = data()
    team = pd.Categorical(np.where(frame.index % 3 == 0, None, np.where(frame.index % 2, "A", "B")))
    frame = frame.assign(team=team)
    d = design(frame)
    tab = crosstab(d, "feel", by=["area", "team"], codebook=codebook(), min_base=0)
    assert _check_against(tab, yl.proportion(d, "feel", by=["area", "team"]), ["area", "team"])
    both = frame["area"].astype(str) + " x " + frame["team"].astype(str)
    both = both.where(frame["team"].notna())
    expected = yl.rao_scott(design(frame.assign(both=both)), "feel", "both")
    assert tab.test.statistic == pytest.approx(expected.statistic, rel=1e-12)


def test_multi_select_test_is_one_per_option():
    d = design()
    tab = crosstab(d, "worry", by="area", codebook=codebook())
    assert set(tab.test) == set(WORRIES)
    expected = yl.rao_scott(d, "worry__knives", "area")
    assert tab.test["Knives"].statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert tab.test["None of these"] is None


def test_row_order_of_the_data_does_not_matter():
    frame = data()
    shuffled = frame.sample(frac=1.0, random_state=3)
    a = crosstab(design(frame), "feel", by="year", codebook=codebook()).table
    b = crosstab(design(shuffled), "feel", by="year", codebook=codebook()).table
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_metadata():
    tab = crosstab(
        design(), "feel", by="area", codebook=codebook(), min_base=12, level=0.9, ci="beta"
    )
    assert (tab.question, tab.by, tab.min_base, tab.level, tab.ci) == (
        "feel",
        ("area",),
        12,
        0.9,
        "beta",
    )
    assert tab.title == "How safe do you feel?"
    assert "area" in tab.weighting and "Raked" in tab.weighting
    assert "clustered by school" in tab.method


@pytest.mark.parametrize(
    "kwargs",
    [
        {"by": "nowhere"},
        {"by": []},
        {"by": "feel"},
        {"min_base": -1},
        {"min_base": 2.5},
        {"ci": "wald"},
        {"level": 1.5},
    ],
)
def test_bad_arguments_raise_listening_error(kwargs):
    args = {"by": "area", **kwargs}
    with pytest.raises(ListeningError):
        crosstab(design(), "feel", codebook=codebook(), **args)


def test_unknown_column_and_wrong_question_type_raise():
    with pytest.raises(ListeningError, match="not in the design"):
        crosstab(design(), "nothing", by="area")
    with pytest.raises(ListeningError, match="type 'id'"):
        crosstab(design(), "school", by="area", codebook=codebook())


def test_a_group_called_all_is_refused():
    frame = data().assign(team=lambda f: np.where(f.index % 2, "All", "Some"))
    with pytest.raises(ListeningError, match="All"):
        crosstab(design(frame), "feel", by="team", codebook=codebook())


def test_an_option_nobody_ticks_mirrors_the_unticked_row():
    d = design()
    tab = crosstab(d, "worry", by="area", codebook=codebook(), min_base=0)
    unticked = yl.proportion(d, "worry__none_of_these", by="area")
    rows = tab.table[(tab.table["category"] == "None of these") & (tab.table["area"] != ALL)]
    assert np.allclose(rows["estimate"], 1 - unticked["estimate"])
    assert np.allclose(rows["se"], unticked["se"])
    for (_, row), (_, ref) in zip(rows.iterrows(), unticked.iterrows(), strict=True):
        if ref["estimate"] in (0.0, 1.0):
            _check_degenerate(row)
        else:
            assert row["ci_low"] == pytest.approx(1 - ref["ci_high"])
            assert row["ci_high"] == pytest.approx(1 - ref["ci_low"])
    assert (rows["n"].to_numpy() == unticked["base"] - unticked["n"]).all()
