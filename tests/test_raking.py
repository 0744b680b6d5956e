"""Raking to population margins: weights and variance against R, and every bad margin.

Reference values come from R 4.x with survey 4.1.1 on the rows ``example()``
builds (written to ``ex.csv``)::

    library(survey)
    d0 <- read.csv("ex.csv")
    D <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d0)
    pop <- list(data.frame(sex = c("F", "M"), Freq = c(520, 480)),
                data.frame(district = rep(c("North", "South", "East"), each = 2),
                           age = rep(c("11-13", "14-16"), 3),
                           Freq = c(150, 170, 180, 160, 170, 170)))
    R <- calibrate(D, list(~sex, ~district + age), pop, calfun = "raking",
                   epsilon = 1e-12, maxit = 100)
    weights(R)                                                      # raked_w
    dom <- subset(R, district == g & !is.na(q))
    m <- svymean(~q, dom, na.rm = TRUE); c(coef(m), SE(m), degf(dom))  # RAKED_PROPORTIONS
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_data import MARGINS, RAKED_PROPORTIONS, example

import listening as yl

R = {
    "raked_w": [
        5.4431136120452726,
        10.757675060055707,
        12.811231092420718,
        5.837615905546016,
        9.131409395661574,
        25.6127293896326,
        9.55458476358697,
        27.177949271809634,
        24.513989462527487,
        6.814484623628041,
        18.708044589823604,
        8.33713027402946,
        10.349575137216842,
        23.888795680715027,
        7.88253242995925,
        13.621103779607374,
        20.194232130280014,
        5.860456776320115,
        17.2027996228263,
        53.67633730167623,
        9.142124704541544,
        41.28949023205864,
        7.250885490870329,
        12.258993401646634,
        18.873114140448607,
        4.906428929012189,
        19.867364683965246,
        18.974221084897543,
        11.328707230029806,
        30.08616577149762,
        33.46562534247845,
        10.896883023685898,
        17.551996150617203,
        7.892514737465646,
        15.7650648599185,
        17.766770652222245,
        7.588900677209822,
        27.548778296793,
        31.513463864167203,
        9.247825928819818,
        30.35459269318999,
        5.9874249732498,
        14.093012526290781,
        13.083810477365837,
        6.226790299249084,
        9.403988780606696,
        20.626242866262594,
        10.03231400176632,
        27.883870032116388,
        31.570058949862585,
        7.0870640085731615,
        19.138114580394262,
        9.062098123945066,
        8.44996093329877,
        24.381348168977187,
        12.353613305368018,
        17.731889577437958,
        20.57169441308898,
        9.676574787839796,
        15.475953595167857,
        16.21847340423474,
    ],
}


def _design(data: pd.DataFrame | None = None) -> yl.SurveyDesign:
    data = example() if data is None else data
    return yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school", fpc="fpc")


def test_raked_weights_match_r_calibrate() -> None:
    raked = _design().rake(MARGINS)
    np.testing.assert_allclose(raked.weights, R["raked_w"], rtol=1e-8)


def test_raked_margins_hit_their_targets() -> None:
    raked = _design().rake(MARGINS)
    data = raked.data.assign(weight=raked.weights)
    by_sex = data.groupby("sex")["weight"].sum()
    assert by_sex.to_dict() == pytest.approx({"F": 520, "M": 480}, rel=1e-10)
    joint = data.groupby(["district", "age"])["weight"].sum()
    assert joint[("South", "14-16")] == pytest.approx(160, rel=1e-10)


def test_raked_standard_errors_match_r() -> None:
    out = yl.proportion(_design().rake(MARGINS), "q", by="district")
    for g in ("East", "North", "South"):
        rows = out[out["district"] == g]
        np.testing.assert_allclose(rows["estimate"], RAKED_PROPORTIONS[g][:3], rtol=1e-8)
        np.testing.assert_allclose(rows["se"], RAKED_PROPORTIONS[g][3:6], rtol=1e-6)


def test_a_raking_variable_has_no_sampling_error() -> None:
    out = yl.proportion(_design().rake(MARGINS), "sex")
    assert out["estimate"].tolist() == pytest.approx([0.52, 0.48], rel=1e-12)
    assert out["se"].max() < 1e-12


def test_margin_labels_match_categoricals_and_numbers() -> None:
    data = example()
    data["sex"] = pd.Categorical(data["sex"], categories=["M", "F"])
    data["year"] = np.where(data["age"] == "11-13", 7, 10)
    margins = [
        MARGINS[0],
        pd.DataFrame({"year": ["7", "10"], "population": [470.0, 530.0]}),
    ]
    raked = _design(data).rake(margins)
    totals = raked.data.assign(w=raked.weights).groupby("year")["w"].sum()
    assert totals.to_dict() == pytest.approx({7: 470, 10: 530}, rel=1e-10)
    numeric = [MARGINS[0], pd.DataFrame({"year": [7.0, 10.0], "population": [470, 530]})]
    np.testing.assert_allclose(_design(data).rake(numeric).weights, raked.weights, rtol=1e-12)


def _bad(margins: list[pd.DataFrame], data: pd.DataFrame | None = None) -> str:
    with pytest.raises(yl.MarginsError) as info:
        _design(data).rake(margins)
    return str(info.value)


def test_data_category_without_a_population_row() -> None:
    message = _bad([pd.DataFrame({"sex": ["F"], "population": [1000]})])
    assert "margin 'sex' has no population row for data category 'M'" in message
    assert "add a row" in message
    joint = MARGINS[1].iloc[1:]
    message = _bad([MARGINS[0], joint])
    assert "margin 'district x age'" in message and "'North x 11-13'" in message


def test_margin_category_without_respondents() -> None:
    extra = pd.DataFrame({"sex": ["F", "M", "X"], "population": [500, 480, 20]})
    message = _bad([extra])
    assert "margin 'sex' has categories with no respondents" in message
    assert "'X'" in message and "merge" in message


def test_missing_values_in_a_raking_variable() -> None:
    data = example()
    data.loc[[3, 7], "sex"] = None
    message = _bad(MARGINS, data)
    assert "raking variable 'sex' is missing for 2 respondents (rows 3, 7)" in message


def test_margin_totals_that_disagree() -> None:
    off = pd.DataFrame({"sex": ["F", "M"], "population": [520, 490]})
    message = _bad([off, MARGINS[1]])
    assert "margin totals disagree" in message and "'sex': 1,010" in message


def test_margins_that_disagree_on_a_shared_variable() -> None:
    district = pd.DataFrame({"district": ["North", "South", "East"], "population": [300, 360, 340]})
    message = _bad([district, MARGINS[1]])
    assert "'district' and 'district x age' give different population totals" in message
    assert "'North'" in message and "'East'" not in message


def test_non_positive_population() -> None:
    zero = pd.DataFrame({"sex": ["F", "M"], "population": [1000, 0]})
    message = _bad([zero])
    assert "non-positive or missing population" in message and "'M'=0" in message
    missing = pd.DataFrame({"sex": ["F", "M"], "population": [1000, None]})
    assert "'M'=" in _bad([missing])


def test_badly_formed_margins() -> None:
    assert "non-empty list of DataFrames" in _bad(MARGINS[0])  # type: ignore[arg-type]
    assert "non-empty list" in _bad([])
    assert "no 'population' column" in _bad([MARGINS[0].rename(columns={"population": "n"})])
    assert "only a 'population' column" in _bad([MARGINS[0][["population"]]])
    renamed = MARGINS[0].rename(columns={"sex": "gender"})
    assert "names variable(s) 'gender' that the survey data lack" in _bad([renamed])
    twice = pd.concat([MARGINS[0], MARGINS[0].iloc[:1]])
    assert "lists categories 'F' more than once" in _bad([twice])
    assert "is a list, not a DataFrame" in _bad([[1, 2]])  # type: ignore[list-item]


def test_non_convergence_reports_the_largest_gap() -> None:
    with pytest.raises(yl.ConvergenceError) as info:
        _design().rake(MARGINS, max_iter=1)
    message = str(info.value)
    assert "did not converge in 1 sweeps" in message
    assert "largest relative gap" in message and "margin 'sex'" in message


def test_raking_twice_is_refused() -> None:
    with pytest.raises(yl.ListeningError, match="already raked"):
        _design().rake(MARGINS).rake(MARGINS)


def test_progress_bar_is_optional(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = _design().rake(MARGINS)
    loud = _design().jackknife().rake(MARGINS, progress=True)
    assert "re-raking" in capsys.readouterr().err
    np.testing.assert_allclose(loud.weights, quiet.weights, rtol=1e-12)
