"""The Rao-Scott test of association against R's svychisq.

Reference values come from R 4.x with survey 4.1.1 on the rows ``example()``
builds (written to ``ex.csv``); each is ``c(statistic, parameter, p.value)``::

    library(survey)
    d0 <- read.csv("ex.csv")
    D <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d0)
    svychisq(~q + district, subset(D, !is.na(q)))                        # rs_F
    svychisq(~q + district, subset(D, !is.na(q)), statistic = "Chisq")   # rs_Chisq
    R <- calibrate(D, list(~sex, ~district + age), pop, calfun = "raking",
                   epsilon = 1e-12, maxit = 100)                         # pop: MARGINS
    svychisq(~q + sex, subset(R, !is.na(q)))                             # rrs_F
    svychisq(~q + sex, subset(R, !is.na(q)), statistic = "Chisq")        # rrs_Chisq
    JR <- calibrate(as.svrepdesign(D, type = "JKn"), list(~sex, ~district + age), pop,
                    calfun = "raking", epsilon = 1e-12, maxit = 100)
    svychisq(~q + district, subset(JR, !is.na(q)))                       # jrrs_F
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_data import MARGINS, example

import listening as yl

R = {
    "rs_Chisq": [14.841525068682886, 4.0, 1.1002953345813575e-09],
    "rs_F": [11.92007422004573, 2.544377239464859, 22.89939515518373, 0.00012174481299636026],
    "rrs_Chisq": [1.853858291688611, 2.0, 0.6159217243193507],
    "rrs_F": [0.4846353944329543, 1.4117911362465472, 12.706120226218925, 0.5627957141549105],
    "jrrs_F": [8.795861414995938, 3.067483549404661, 33.742319043451275, 0.00017347249533208065],
}


def _design() -> yl.SurveyDesign:
    return yl.SurveyDesign(example(), weights="w", strata="stratum", clusters="school", fpc="fpc")


def _check_f(result: yl.RaoScottResult, ref: list[float]) -> None:
    got = [result.statistic, result.df_num, result.df_den, result.p_value]
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def _check_chisq(result: yl.RaoScottResult, ref: list[float]) -> None:
    assert result.df_den is None
    np.testing.assert_allclose([result.statistic, result.df_num, result.p_value], ref, rtol=1e-6)
    # R's p-value is that of X^2 / mean(delta) on (r - 1)(c - 1) degrees of freedom
    assert result.p_value == pytest.approx(
        stats.chi2.sf(result.adjusted_statistic, result.df_num), rel=1e-9
    )


def test_linearization_design_matches_r() -> None:
    f = yl.rao_scott(_design(), "q", "district")
    _check_f(f, R["rs_F"])
    assert f.method.startswith("Pearson's X^2: Rao & Scott adjustment")
    chisq = yl.rao_scott(_design(), "q", "district", statistic="Chisq")
    _check_chisq(chisq, R["rs_Chisq"])
    # the first-order statistic is the F statistic times (r - 1)(c - 1)
    assert chisq.adjusted_statistic == pytest.approx(f.statistic * 4, rel=1e-12)


def test_raked_design_matches_r() -> None:
    raked = _design().rake(MARGINS)
    _check_f(yl.rao_scott(raked, "q", "sex"), R["rrs_F"])
    _check_chisq(yl.rao_scott(raked, "q", "sex", statistic="Chisq"), R["rrs_Chisq"])


def test_raked_jackknife_matches_r() -> None:
    jr = _design().jackknife().rake(MARGINS)
    _check_f(yl.rao_scott(jr, "q", "district"), R["jrrs_F"])


def test_the_test_is_symmetric() -> None:
    a = yl.rao_scott(_design(), "q", "district")
    b = yl.rao_scott(_design(), "district", "q")
    assert (a.statistic, a.df_num, a.df_den) == pytest.approx((b.statistic, b.df_num, b.df_den))


def test_independent_columns_give_a_small_statistic() -> None:
    data = pd.DataFrame({"a": list("xxyy") * 25, "b": list("pqpq") * 25})
    result = yl.rao_scott(yl.SurveyDesign(data), "a", "b")
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


def test_bad_calls() -> None:
    with pytest.raises(yl.ListeningError, match="'F', 'Chisq'"):
        yl.rao_scott(_design(), "q", "sex", statistic="Wald")
    data = example().assign(one="same")
    design = yl.SurveyDesign(data, weights="w", clusters="school")
    with pytest.raises(yl.ListeningError, match="'one' has 1"):
        yl.rao_scott(design, "q", "one")
    with pytest.raises(yl.ListeningError, match="'nope'"):
        yl.rao_scott(design, "q", "nope")


def test_a_singular_table_is_a_clear_error_as_in_r() -> None:
    # R 4.1 survey: svychisq(~a+b, svydesign(ids=~1, data=d)) stops with
    # "system is computationally singular" on this table (empty cells)
    data = pd.DataFrame({"a": list("yxxyz"), "b": list("rpprq")})
    with pytest.raises(yl.ListeningError, match="singular.*merge small categories"):
        yl.rao_scott(yl.SurveyDesign(data), "a", "b")
    # a briefing table has no test there, rather than an error
    assert yl.crosstab(yl.SurveyDesign(data), "a", "b", min_base=1).test is None
