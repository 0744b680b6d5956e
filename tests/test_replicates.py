"""Replicate designs: jackknife (JKn, JK1) against R, the Rao-Wu bootstrap by its properties.

Reference values come from R 4.x with survey 4.1.1 on the rows ``example()``
builds (written to ``ex.csv``)::

    library(survey)
    d0 <- read.csv("ex.csv")
    D <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d0)
    J <- as.svrepdesign(D, type = "JKn")
    dom <- subset(J, district == g & !is.na(q))
    m <- svymean(~q, dom); c(coef(m), SE(m), degf(dom))                 # jprop_<g>
    svyciprop(~I(q == "Safe"), dom, method = "logit" | "beta")         # jlogit_, jbeta_
    m <- svymean(~score, subset(J, !is.na(score)))                     # jmean (+ degf)
    JR <- calibrate(J, list(~sex, ~district + age), pop, calfun = "raking",
                    epsilon = 1e-12, maxit = 100)                      # pop: MARGINS
    dom <- subset(JR, district == g & !is.na(q)); ...                  # jrprop_<g>
    dd <- subset(JR, !is.na(q) & !is.na(district))                     # jrvr_East_<k>
    svycontrast(svyby(~as.numeric(q == k), ~I(district == "East"), dd, svymean,
                      covmat = TRUE), c(-1, 1)); degf(dd)
    J1 <- as.svrepdesign(svydesign(ids = ~school, weights = ~w, data = d0), type = "JK1")
    m <- svymean(~q, subset(J1, !is.na(q)))                            # j1prop (+ degf)
    # lonely_jk: d2 moves school 12 to its own stratum "D" (fpc 4),
    # options(survey.lonely.psu = "adjust"), as.svrepdesign(L, type = "JKn")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_data import MARGINS, example

import listening as yl
from listening.design.replicates import bootstrap_factors, jackknife_factors
from listening.design.variance import Sampling

R = {
    "j1prop": [
        0.38951804055833555,
        0.3112983934685278,
        0.29918356597313667,
        0.06063857823523874,
        0.04200378690910578,
        0.050669080066179234,
        11.0,
    ],
    "jbeta_East_Safe": [0.2813482671239713, 0.5758858131550451],
    "jbeta_North_Safe": [0.28696065753093275, 0.5784630953264773],
    "jbeta_South_Safe": [0.16389268076808208, 0.4860886693857597],
    "jlogit_East_Safe": [0.2824848698145872, 0.578506342971291],
    "jlogit_North_Safe": [0.2882362266041823, 0.5805903494477042],
    "jlogit_South_Safe": [0.17139516443654493, 0.48940103208521085],
    "jmean": [4.6842364532019705, 0.26885894060396553, 9.0],
    "jprop_East": [
        0.42366107114308554,
        0.2533972821742606,
        0.3229416466826539,
        0.06701136967207948,
        0.03405883838790217,
        0.07550950805243284,
        9.0,
    ],
    "jprop_North": [
        0.42815463165572576,
        0.5353756382202771,
        0.03646973012399708,
        0.06633891210263773,
        0.061349475522853816,
        0.031615217036815094,
        9.0,
    ],
    "jprop_South": [
        0.3080851063829787,
        0.11148936170212766,
        0.5804255319148937,
        0.07264999044345608,
        0.0694998011191152,
        0.06765958011776846,
        9.0,
    ],
    "jrprop_East": [
        0.4441382177279055,
        0.26509738958826706,
        0.2907643926838275,
        0.10772149193240223,
        0.0778651455286509,
        0.07446517158648401,
        11.0,
    ],
    "jrprop_North": [
        0.40380162602161995,
        0.5712609260979381,
        0.024937447880441974,
        0.0819744594922991,
        0.0790611923519907,
        0.022009694541723152,
        11.0,
    ],
    "jrprop_South": [
        0.299410208466167,
        0.11595411071483101,
        0.5846356808190021,
        0.06930867944653465,
        0.07682685550457845,
        0.06508658783345968,
        11.0,
    ],
    "jrrs_F": [8.795861414995938, 3.067483549404661, 33.742319043451275, 0.00017347249533208065],
    "jrvr_East_Safe": [0.0916291853068818, 0.09208903304899559, 11.0],
    "jrvr_East_Unsafe": [-0.08244909722042787, 0.09636914038821152, 11.0],
    "jrvr_East_Unsure": [-0.009180088086453986, 0.06685353709523022, 11.0],
    "lonely_jk": [
        0.38951804055833555,
        0.3112983934685278,
        0.29918356597313667,
        0.050354054550632514,
        0.04207888118513267,
        0.042192005716847156,
    ],
}
DISTRICTS = ["East", "North", "South"]


def _design(data: pd.DataFrame | None = None, **kwargs: object) -> yl.SurveyDesign:
    spec = {"weights": "w", "strata": "stratum", "clusters": "school", "fpc": "fpc"}
    spec.update(kwargs)
    return yl.SurveyDesign(example() if data is None else data, **spec)


def _by_district(design: yl.SurveyDesign, name: str, **kwargs: object) -> None:
    out = yl.proportion(design, "q", by="district", **kwargs)
    for g in DISTRICTS:
        rows = out[out["district"] == g]
        ref = R[f"{name}_{g}"]
        np.testing.assert_allclose(rows["estimate"], ref[:3], rtol=1e-8)
        np.testing.assert_allclose(rows["se"], ref[3:6], rtol=1e-6)
        assert (rows["df"] == ref[6]).all()


def test_jkn_matches_r() -> None:
    jk = _design().jackknife()
    assert (jk.replicate_type, jk.n_replicates) == ("JKn", 12)
    _by_district(jk, "jprop")
    for ci in ("logit", "beta"):
        out = yl.proportion(jk, "q", by="district", ci=ci)
        for g in DISTRICTS:
            row = out[(out["district"] == g) & (out["category"] == "Safe")].iloc[0]
            got = [row["ci_low"], row["ci_high"]]
            np.testing.assert_allclose(got, R[f"j{ci}_{g}_Safe"], rtol=1e-6)
    mean = yl.mean(jk, "score").iloc[0]
    np.testing.assert_allclose([mean["estimate"], mean["se"], mean["df"]], R["jmean"], rtol=1e-6)


def test_raked_jkn_re_rakes_every_replicate_as_r() -> None:
    jr = _design().jackknife().rake(MARGINS)
    assert jr.is_raked and jr.is_replicate
    _by_district(jr, "jrprop")
    out = yl.vs_rest(jr, "q", by="district")
    for k in ("Safe", "Unsafe", "Unsure"):
        row = out[(out["district"] == "East") & (out["category"] == k)].iloc[0]
        diff, se, df = R[f"jrvr_East_{k}"]
        assert (row["difference"], row["se"]) == pytest.approx((diff, se), rel=1e-6)
        assert row["df"] == df


def test_jk1_matches_r() -> None:
    jk1 = yl.SurveyDesign(example(), weights="w", clusters="school").jackknife()
    assert (jk1.replicate_type, jk1.n_replicates) == ("JK1", 12)
    out = yl.proportion(jk1, "q")
    np.testing.assert_allclose(out["estimate"], R["j1prop"][:3], rtol=1e-8)
    np.testing.assert_allclose(out["se"], R["j1prop"][3:6], rtol=1e-6)
    assert out["df"].iloc[0] == R["j1prop"][6]


def _lonely(**kwargs: object) -> yl.SurveyDesign:
    data = example()
    data.loc[data["school"] == 12, ["stratum", "fpc"]] = ["D", 4]
    return _design(data, **kwargs)


def test_lonely_psu_in_a_jackknife() -> None:
    out = yl.proportion(_lonely(lonely_psu="adjust").jackknife(), "q")
    np.testing.assert_allclose(np.r_[out["estimate"], out["se"]], R["lonely_jk"], rtol=1e-6)
    with pytest.raises(yl.DesignError, match="stratum 'D' has only one cluster"):
        _lonely().jackknife()


def test_jkn_factors_follow_r_jknweights() -> None:
    s = Sampling.build(np.arange(5), np.array([0, 0, 0, 1, 1]), fpc=np.array([6.0, 4.0]))
    rep = jackknife_factors(s, stratified=True)
    assert rep.factors[:, 0].tolist() == [0.0, 1.5, 1.5, 1.0, 1.0]
    assert rep.factors[:, 4].tolist() == [1.0, 1.0, 1.0, 2.0, 0.0]
    # (n_h - 1) / n_h times the finite population correction 1 - n_h / N_h
    assert rep.rscales.tolist() == pytest.approx([2 / 3 * 0.5] * 3 + [1 / 2 * 0.5] * 2)
    assert rep.scale == 1.0
    certain = Sampling.build(np.arange(5), np.array([0, 0, 0, 1, 1]), fpc=np.array([6.0, 2.0]))
    assert jackknife_factors(certain, stratified=True).n_replicates == 3


def test_a_raked_design_cannot_be_jackknifed() -> None:
    raked = _design().rake(MARGINS)
    with pytest.raises(yl.ListeningError, match=r"jackknife\(\) on the design before raking"):
        raked.jackknife()
    with pytest.raises(yl.ListeningError, match="before raking"):
        raked.bootstrap(10)
    with pytest.raises(yl.ListeningError, match="already has JKn replicate weights"):
        _design().jackknife().jackknife()


def test_re_raking_a_replicate_without_a_category_names_it() -> None:
    data = example()
    data["sex"] = np.where(data["school"] == 3, "X", data["sex"])
    margins = [
        pd.DataFrame({"sex": ["F", "M", "X"], "population": [500, 450, 50]}),
        MARGINS[1],
    ]
    design = _design(data)
    design.rake(margins)  # the full sample rakes
    with pytest.raises(yl.MarginsError, match="deleting cluster 3.* margin 'sex' category 'X'"):
        design.jackknife().rake(margins)


def _clustered(n_clusters: int = 80, size: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    school = np.repeat(np.arange(n_clusters), size)
    effect = rng.normal(0, 0.8, n_clusters)[school]
    answer = np.where(rng.normal(effect, 1) > 0.3, "yes", "no")
    return pd.DataFrame(
        {
            "stratum": school % 4,
            "school": school,
            "w": rng.uniform(1, 3, school.size),
            "sex": rng.choice(["F", "M"], school.size),
            "q": answer,
        }
    )


def test_bootstrap_is_reproducible_for_a_seed() -> None:
    design = yl.SurveyDesign(_clustered(), weights="w", strata="stratum", clusters="school")
    a = yl.proportion(design.bootstrap(50, seed=3), "q")
    b = yl.proportion(design.bootstrap(50, seed=3), "q")
    c = yl.proportion(design.bootstrap(50, seed=4), "q")
    assert a.equals(b)
    assert not np.allclose(a["se"], c["se"])
    assert (a["df"] == 49).all()  # rank of 50 replicates, minus one


def test_bootstrap_factors_are_rao_wu_rescaled() -> None:
    s = Sampling.build(np.arange(7), np.array([0, 0, 0, 1, 1, 1, 1]))
    rep = bootstrap_factors(s, 200, seed=1)
    first, second = rep.factors[:3], rep.factors[3:]
    # n_h - 1 draws with replacement, each worth n_h / (n_h - 1)
    np.testing.assert_allclose(first.sum(axis=0), 3.0)
    np.testing.assert_allclose(second.sum(axis=0), 4.0)
    np.testing.assert_allclose(first / 1.5, np.round(first / 1.5))
    np.testing.assert_allclose(second * 3 / 4, np.round(second * 3 / 4))
    assert rep.scale == pytest.approx(1 / 199) and (rep.rscales == 1).all()


def test_bootstrap_se_is_close_to_linearization() -> None:
    design = yl.SurveyDesign(_clustered(), weights="w", strata="stratum", clusters="school")
    linear = yl.proportion(design, "q")["se"].to_numpy()
    boot = yl.proportion(design.bootstrap(2000, seed=11), "q")["se"].to_numpy()
    np.testing.assert_allclose(boot, linear, rtol=0.08)


def test_raked_bootstrap_rakes_every_replicate() -> None:
    data = _clustered()
    margins = [pd.DataFrame({"sex": ["F", "M"], "population": [5200.0, 4800.0]})]
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    boot = design.bootstrap(100, seed=2).rake(margins)
    sex = yl.proportion(boot, "sex")
    assert sex["estimate"].tolist() == pytest.approx([0.52, 0.48], rel=1e-12)
    assert sex["se"].max() < 1e-12
    np.testing.assert_allclose(boot.weights, design.rake(margins).weights, rtol=1e-12)


def test_bad_bootstraps() -> None:
    with pytest.raises(yl.ListeningError, match="at least 2 replicates"):
        _design().bootstrap(1)
    with pytest.raises(yl.DesignError, match="stratum 'D' has a single cluster"):
        _lonely(lonely_psu="adjust").bootstrap(10, seed=1)
