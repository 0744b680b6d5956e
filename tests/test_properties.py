"""Laws that hold for any data: raked margins hit their targets, results ignore row order,
a domain that is everything is the whole sample, bad margins are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import listening as yl

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AREAS = ["North", "South", "East"]
SEXES = ["F", "M"]
ANSWERS = ["yes", "no", "unsure"]


@st.composite
def surveys(draw: st.DrawFn) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """A clustered, stratified sample with every raking cell present, and margins."""
    n_strata = draw(st.integers(1, 3))
    n_clusters = draw(st.integers(2 * n_strata, 10))
    n = draw(st.integers(max(12, n_clusters), 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    school = np.r_[np.arange(n_clusters), rng.integers(0, n_clusters, n - n_clusters)]
    # every area x sex cell has respondents, so that any margins can be met
    area = np.r_[0, 1, 2, 0, 1, 2, rng.integers(0, 3, n - 6)]
    sex = np.r_[0, 0, 0, 1, 1, 1, rng.integers(0, 2, n - 6)]
    answer = rng.integers(0, 3, n).astype(float)
    answer[rng.random(n) < 0.15] = np.nan
    data = pd.DataFrame(
        {
            "stratum": school % n_strata,
            "school": school,
            "w": rng.uniform(0.5, 5.0, n).round(3),
            "area": np.array(AREAS)[area],
            "sex": np.array(SEXES)[sex],
            "q": pd.Series(answer).map(dict(enumerate(ANSWERS))),
            "group": rng.choice(["a", "b"], n),
        }
    )
    total = draw(st.floats(100, 1e6))
    shares = [draw(st.floats(0.05, 1.0)) for _ in AREAS]
    female = draw(st.floats(0.2, 0.8))
    margins = [
        pd.DataFrame({"area": AREAS, "population": np.array(shares) / sum(shares) * total}),
        pd.DataFrame({"sex": SEXES, "population": [female * total, (1 - female) * total]}),
    ]
    return data, margins


def _design(data: pd.DataFrame) -> yl.SurveyDesign:
    return yl.SurveyDesign(
        data, weights="w", strata="stratum", clusters="school", lonely_psu="adjust"
    )


@SETTINGS
@given(surveys())
def test_raked_margins_equal_targets_and_weights_stay_positive(survey) -> None:
    data, margins = survey
    raked = _design(data).rake(margins)
    weights = raked.weights
    assert (weights > 0).all()
    for margin in margins:
        variable = margin.columns[0]
        achieved = weights.groupby(data[variable]).sum()
        target = margin.set_index(variable)["population"]
        np.testing.assert_allclose(achieved[target.index], target, rtol=1e-9)


@SETTINGS
@given(surveys(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(survey, rnd) -> None:
    data, margins = survey
    order = list(range(len(data)))
    rnd.shuffle(order)
    shuffled = data.iloc[order]
    for rake in (False, True):
        a, b = _design(data), _design(shuffled)
        if rake:
            a, b = a.rake(margins), b.rake(margins)
        pa = yl.proportion(a, "q", by="area")
        pb = yl.proportion(b, "q", by="area")
        pd.testing.assert_frame_equal(pa, pb, check_exact=False, rtol=1e-9, atol=1e-12)
        ma, mb = yl.vs_rest(a, "q", by="group"), yl.vs_rest(b, "q", by="group")
        pd.testing.assert_frame_equal(ma, mb, check_exact=False, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        _design(shuffled).rake(margins).weights.loc[data.index],
        _design(data).rake(margins).weights,
        rtol=1e-10,
    )


@SETTINGS
@given(surveys(), st.booleans())
def test_a_domain_that_is_everything_is_the_whole_sample(survey, rake) -> None:
    data, margins = survey
    design = _design(data.assign(everyone="all"))
    if rake:
        design = design.rake(margins)
    whole = yl.proportion(design, "q")
    domain = yl.proportion(design, "q", by="everyone").drop(columns="everyone")
    pd.testing.assert_frame_equal(whole, domain, check_exact=False, rtol=1e-12)
    whole_mean = yl.mean(design, "w")
    domain_mean = yl.mean(design, "w", by="everyone").drop(columns="everyone")
    pd.testing.assert_frame_equal(whole_mean, domain_mean, check_exact=False, rtol=1e-12)


@SETTINGS
@given(surveys())
def test_estimates_are_proportions_inside_their_intervals(survey) -> None:
    data, _ = survey
    out = yl.proportion(_design(data), "q", by="area", ci="beta")
    answered = out[out["base"] > 0]
    sums = answered.groupby("area")["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    inside = answered.dropna(subset=["ci_low", "ci_high"])
    assert (inside["ci_low"] <= inside["estimate"] + 1e-12).all()
    assert (inside["estimate"] <= inside["ci_high"] + 1e-12).all()


@SETTINGS
@given(surveys())
def test_two_groups_are_each_others_rest(survey) -> None:
    data, _ = survey
    out = yl.vs_rest(_design(data), "q", by="group").set_index(["group", "category"])
    groups = out.index.get_level_values("group").unique()
    if len(groups) == 2:
        a, b = (out.xs(g, level="group") for g in groups)
        np.testing.assert_allclose(a["difference"], -b["difference"], atol=1e-12)
        np.testing.assert_allclose(a["se"], b["se"], rtol=1e-9)


@SETTINGS
@given(surveys(), st.sampled_from(["area", "sex"]), st.data())
def test_bad_margins_name_the_variable_and_category(survey, variable, pick) -> None:
    data, margins = survey
    index = 0 if variable == "area" else 1
    margin = margins[index]
    category = pick.draw(st.sampled_from(list(margin[variable])))
    dropped = [m for m in margins]
    dropped[index] = margin[margin[variable] != category]
    dropped[1 - index] = margins[1 - index].assign(
        population=margins[1 - index]["population"]
        * dropped[index]["population"].sum()
        / margins[1 - index]["population"].sum()
    )
    with pytest.raises(yl.MarginsError) as info:
        _design(data).rake(dropped)
    message = str(info.value)
    assert f"margin {variable!r}" in message and repr(category) in message
    extra = [m for m in margins]
    extra[index] = pd.concat([margin, pd.DataFrame({variable: ["Elsewhere"], "population": [1.0]})])
    with pytest.raises(yl.MarginsError) as info:
        _design(data).rake(extra)
    message = str(info.value)
    assert f"margin {variable!r}" in message and "'Elsewhere'" in message
