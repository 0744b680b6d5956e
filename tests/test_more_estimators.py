"""Properties of totals, quantiles, ratios, t-tests, design effects and Holm's family.

The numbers themselves are held to R by tests/test_golden_r.py (api_more.json).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import listening as yl


def survey(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "school": rng.integers(0, max(n // 6, 2), n),
            "area": rng.choice(["North", "South", "East"], n),
            "sex": rng.choice(["Girl", "Boy"], n),
            "w": rng.uniform(0.5, 3.0, n),
            "safe": rng.choice(["Yes", "No", None], n, p=[0.6, 0.3, 0.1]),
            "score": rng.normal(5, 2, n),
            "count": rng.integers(0, 4, n),
            "size": rng.integers(1, 5, n),
        }
    )


@settings(max_examples=25, deadline=None)
@given(n=st.integers(20, 200), seed=st.integers(0, 10_000))
def test_totals_of_all_categories_add_up_to_the_weighted_base(n, seed):
    data = survey(n, seed)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    out = yl.total(design, "safe", by="area")
    sums = out.groupby("area", observed=True)[["estimate", "weighted_base"]].agg(
        {"estimate": "sum", "weighted_base": "first"}
    )
    np.testing.assert_allclose(sums["estimate"], sums["weighted_base"], rtol=1e-12)
    answered = data["safe"].notna()
    np.testing.assert_allclose(
        out.groupby("area", observed=True)["weighted_base"].first().sum(),
        data.loc[answered, "w"].sum(),
        rtol=1e-12,
    )


def test_a_numeric_total_is_the_weighted_sum_and_the_mean_times_the_population():
    data = survey(300, 1)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    total = yl.total(design, "score", by="sex")
    mean = yl.mean(design, "score", by="sex")
    np.testing.assert_allclose(
        total["estimate"], mean["estimate"] * mean["weighted_base"], rtol=1e-12
    )
    np.testing.assert_allclose(total["cv"], total["se"] / total["estimate"])


def test_a_ratio_with_a_constant_denominator_is_the_mean():
    data = survey(300, 2).assign(one=1.0)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    ratio = yl.ratio(design, "score", "one", by="area")
    mean = yl.mean(design, "score", by="area")
    np.testing.assert_allclose(ratio["estimate"], mean["estimate"], rtol=1e-12)
    np.testing.assert_allclose(ratio["se"], mean["se"], rtol=1e-10)


def test_the_median_splits_the_weight_in_two():
    data = survey(400, 3)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    out = yl.quantile(design, "score", (0.5,), by="area")
    for _, row in out.iterrows():
        group = data[data["area"] == row["area"]]
        below = group.loc[group["score"] < row["estimate"], "w"].sum()
        at_or_below = group.loc[group["score"] <= row["estimate"], "w"].sum()
        assert below <= 0.5 * group["w"].sum() <= at_or_below
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]


def test_ttest_is_the_difference_of_the_two_means():
    data = survey(300, 4)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    res = yl.ttest(design, "score", "sex")
    means = yl.mean(design, "score", by="sex").set_index("sex")["estimate"]
    assert res.groups == ("Boy", "Girl")
    assert res.estimate == pytest.approx(means["Girl"] - means["Boy"], rel=1e-12)
    assert res.ci_low < res.estimate < res.ci_high
    assert "t-test" in repr(res)


def test_ttest_needs_two_groups():
    design = yl.SurveyDesign(survey(100, 5))
    with pytest.raises(yl.ListeningError, match="two groups"):
        yl.ttest(design, "score", "area")


def test_an_unweighted_design_has_an_infinite_design_effect_as_in_r():
    design = yl.SurveyDesign(survey(100, 6))
    assert np.isinf(yl.mean(design, "score", deff=True)["deff"]).all()


def test_holm_counts_mirror_image_tests_once():
    """Two groups and a yes/no answer: four rows, one test."""
    data = survey(400, 7)
    data = data[data["safe"].notna()]
    out = yl.vs_rest(yl.SurveyDesign(data, weights="w"), "safe", by="sex")
    assert len(out) == 4
    np.testing.assert_allclose(out["p_holm"], out["p_value"], rtol=1e-12)
    three = yl.vs_rest(yl.SurveyDesign(data, weights="w"), "safe", by="area")
    # three groups: three distinct tests (the two answers of a group are one)
    smallest = three["p_value"].min()
    assert three["p_holm"].min() == pytest.approx(min(1.0, 3 * smallest))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(60, 300),
    seed=st.integers(0, 10_000),
    lower=st.floats(0.3, 0.9),
    upper=st.floats(1.2, 3.0),
)
def test_bounded_raking_meets_the_margins_with_every_ratio_inside_the_bounds(n, seed, lower, upper):
    data = survey(n, seed)
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    total = data["w"].sum()
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.4, 0.6)
    margins = [
        pd.DataFrame({"sex": ["Girl", "Boy"], "population": [share * total, (1 - share) * total]}),
        pd.DataFrame(
            {"area": ["East", "North", "South"], "population": rng.dirichlet([5, 5, 5]) * total}
        ),
    ]
    try:
        raked = design.rake(margins, bounds=(lower, upper))
    except yl.ConvergenceError:
        return  # the bounds may be too tight for these margins: refused, never broken
    ratio = raked.weights / design.weights
    assert ratio.min() >= lower * (1 - 1e-9)
    assert ratio.max() <= upper * (1 + 1e-9)
    for margin in margins:
        (column,) = [c for c in margin.columns if c != "population"]
        achieved = raked.weights.groupby(data[column]).sum()
        target = margin.set_index(column)["population"]
        np.testing.assert_allclose(achieved[target.index], target, rtol=1e-8)


def test_bounds_that_cannot_be_met_are_refused():
    data = survey(200, 8)
    design = yl.SurveyDesign(data, weights="w")
    total = data["w"].sum()
    margin = pd.DataFrame({"sex": ["Girl", "Boy"], "population": [0.9 * total, 0.1 * total]})
    with pytest.raises(yl.ConvergenceError, match="widen the bounds"):
        design.rake([margin], bounds=(0.9, 1.1))
    with pytest.raises(yl.ListeningError, match="lower < upper"):
        design.rake([margin], bounds=(3, 1.2))


@pytest.mark.parametrize("seed", range(30))
def test_bounded_raking_succeeds_whenever_weights_within_the_bounds_exist(seed):
    """Feasibility by linear programming (HiGHS): a refusal must mean there is no answer."""
    from scipy.optimize import linprog

    data = survey(200, seed)
    design = yl.SurveyDesign(data, weights="w")
    total = data["w"].sum()
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.4, 0.6)
    margins = [
        pd.DataFrame({"sex": ["Girl", "Boy"], "population": [share * total, (1 - share) * total]}),
        pd.DataFrame(
            {"area": ["East", "North", "South"], "population": rng.dirichlet([5, 5, 5]) * total}
        ),
    ]
    cell = data["sex"] + "|" + data["area"]
    base = data.groupby(cell)["w"].sum()
    rows = [np.ones(len(base))]
    targets = [total]
    for margin in margins:
        (column,) = [c for c in margin.columns if c != "population"]
        for label, population in zip(margin[column], margin["population"], strict=True):
            part = 0 if column == "sex" else 1
            rows.append(np.array([k.split("|")[part] == label for k in base.index], dtype=float))
            targets.append(population)
    a_eq = np.array(rows) * base.to_numpy()[None, :]
    feasible = linprog(np.zeros(len(base)), A_eq=a_eq, b_eq=targets, bounds=(0.6, 1.5)).status == 0
    try:
        raked = design.rake(margins, bounds=(0.6, 1.5))
    except yl.ConvergenceError:
        assert not feasible, "weights within the bounds exist, but raking refused"
        return
    ratio = raked.weights / design.weights
    assert 0.6 - 1e-9 <= ratio.min() and ratio.max() <= 1.5 + 1e-9
