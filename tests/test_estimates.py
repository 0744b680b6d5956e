"""Proportions, means and group-versus-rest differences against R survey 4.1.

The reference values were computed by R 4.x with survey 4.1.1 on the rows that
``example()`` builds (written with ``example().to_csv("ex.csv", index=False,
na_rep="NA")``), by this script::

    library(survey)
    d0 <- read.csv("ex.csv")
    D <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d0)
    dom <- subset(D, district == g & !is.na(q))                    # prop_<g>_est, _se, df
    svymean(~q, dom, na.rm = TRUE); degf(dom)
    svyciprop(~I(q == k), dom, method = "logit" | "beta", level)   # logit_<g>_<k>, beta_...
    dom <- subset(D, sex == s & !is.na(score))                     # mean_<s>
    m <- svymean(~score, dom); c(coef(m), SE(m), confint(m, df = degf(dom)), degf(dom))
    dd <- subset(D, !is.na(q) & !is.na(district))                  # vr_<g>_<k>
    b <- svyby(~as.numeric(q == k), ~I(district == g), dd, svymean, covmat = TRUE)
    cc <- svycontrast(b, c(-1, 1)); c(coef(cc), SE(cc), degf(dd))
    dd <- subset(D, !is.na(score) & !is.na(sex))                   # vr_mean_F
    svycontrast(svyby(~score, ~I(sex == "F"), dd, svymean, covmat = TRUE), c(-1, 1))
    pop <- list(data.frame(sex = c("F", "M"), Freq = c(520, 480)),
                data.frame(district = rep(c("North", "South", "East"), each = 2),
                           age = rep(c("11-13", "14-16"), 3),
                           Freq = c(150, 170, 180, 160, 170, 170)))
    R <- calibrate(D, list(~sex, ~district + age), pop, calfun = "raking",
                   epsilon = 1e-12, maxit = 100)
    # RAKED_PROPORTIONS[g] = c(coef, SE, degf) of svymean(~q, subset(R, district == g & !is.na(q)),
    # na.rm = TRUE); rlogit / rbeta as above (na.rm = TRUE); rmean: svymean(~score,
    # subset(R, !is.na(score)), na.rm = TRUE); rmean_M with confint(df = degf(domain));
    # rvr_<g>_<k>: svycontrast(svytotal(~yin + yout + nin + nout, dd, na.rm = TRUE),
    # quote(yin / nin - yout / nout)) on dd <- subset(R, !is.na(q) & !is.na(district))
    # (svyby(covmat = TRUE) does not handle a calibrated design in survey 4.1)
    p.adjust(c(0.01, 0.04, NA, 0.03, 0.2, 0.001), "holm")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_data import MARGINS, RAKED_PROPORTIONS, example

import listening as yl
from listening.estimate.estimators import holm

R = {
    "prop_East_est": [0.4236610711430855, 0.2533972821742606, 0.32294164668265385],
    "prop_East_se": [0.06585090159204743, 0.03434976189918535, 0.072885856415697],
    "prop_North_est": [0.42815463165572576, 0.5353756382202772, 0.03646973012399708],
    "prop_North_se": [0.06653471147236405, 0.06149499930237659, 0.031003482274990397],
    "prop_South_est": [0.3080851063829787, 0.11148936170212766, 0.5804255319148937],
    "prop_South_se": [0.07147927720509413, 0.06490411327811851, 0.06644413570396686],
    "logit_East_Safe": [0.28539743613028523, 0.5750094520297252],
    "logit_East_Unsafe": [0.18372618930018214, 0.33853131915742213],
    "logit_East_Unsure": [0.1832677473458655, 0.5034478213091794],
    "logit_North_Safe": [0.2882036164582489, 0.5806290560977558],
    "logit_North_Unsafe": [0.397113821726018, 0.6684059506440412],
    "logit_North_Unsure": [0.005117261289545685, 0.21785045586102278],
    "logit_South_Safe": [0.1704655497223567, 0.49104036486778296],
    "logit_South_Unsafe": [0.026948240854257618, 0.36245705646146464],
    "logit_South_Unsure": [0.42442368237841444, 0.7218547718128908],
    "beta_East_Safe": [0.28375985384438934, 0.5731308550367504],
    "beta_East_Unsafe": [0.1836044702576311, 0.3339645150910955],
    "beta_East_Unsure": [0.17686511354503973, 0.4995899388180378],
    "beta_North_Safe": [0.2865520771046813, 0.5789260502353459],
    "beta_North_Unsafe": [0.3986320056489809, 0.6683322950032253],
    "beta_North_Unsure": [0.0014265709629397373, 0.17084088784128348],
    "beta_South_Safe": [0.1635117738157937, 0.4866706006297904],
    "beta_South_Unsafe": [0.015893149096649985, 0.33400681114365893],
    "beta_South_Unsure": [0.4261828018721643, 0.7239685097083769],
    "logit90_East_Safe": [0.3095690549701211, 0.5465177144016258],
    "beta90_East_Safe": [0.3055888232228383, 0.5486882702005857],
    "mean_F": [4.62765370829887, 0.3313957963838244, 3.8779843337879862, 5.377323082809753, 9.0],
    "mean_M": [4.767559886317499, 0.5791078866389171, 3.432134704998811, 6.102985067636187, 8.0],
    "vr_East_Safe": [0.05091951576209569, 0.06343122910791466, 9.0],
    "vr_East_Unsafe": [-0.08635134312031911, 0.05801464764594335, 9.0],
    "vr_East_Unsure": [0.03543182735822337, 0.06930521483775354, 9.0],
    "vr_North_Safe": [0.06047120214212315, 0.0439993023224951, 9.0],
    "vr_North_Unsafe": [0.3507095211551494, 0.057982448324109405, 9.0],
    "vr_North_Unsure": [-0.4111807232972725, 0.05509825333510455, 9.0],
    "vr_South_Safe": [-0.11792557248811208, 0.06647180794962654, 9.0],
    "vr_South_Unsafe": [-0.2893496924550043, 0.051830282962811315, 9.0],
    "vr_South_Unsure": [0.4072752649431164, 0.058559419075992165, 9.0],
    "vr_mean_F": [-0.13990617801862903, 0.7343221896370771, 9.0],
    "rvr_East_Safe": [0.0916291853068818, 0.07231839575626396, 9.0],
    "rvr_East_Unsafe": [-0.08244909722042781, 0.07971412043453559, 9.0],
    "rvr_East_Unsure": [-0.009180088086453986, 0.06376745042592973, 9.0],
    "rvr_North_Safe": [0.02291764973194832, 0.05883443478622486, 9.0],
    "rvr_North_Unsafe": [0.37134749792027133, 0.07069886406130382, 9.0],
    "rvr_North_Unsure": [-0.39426514765221954, 0.046124226125789765, 9.0],
    "rvr_South_Safe": [-0.12675447984043575, 0.06336963813015647, 9.0],
    "rvr_South_Unsafe": [-0.28556629079412776, 0.07013243963339634, 9.0],
    "rvr_South_Unsure": [0.4123207706345636, 0.061513034876253675, 9.0],
    "rlogit_East_Safe": [0.2750640286972993, 0.627220654700508],
    "rlogit_East_Unsafe": [0.15374288568783767, 0.41733094045003527],
    "rlogit_East_Unsure": [0.16407119961408329, 0.46130105054906984],
    "rlogit_North_Safe": [0.2591257504032628, 0.5673918972432255],
    "rlogit_North_Unsafe": [0.4186587790673249, 0.7114171555136416],
    "rlogit_North_Unsure": [0.0034811007541979922, 0.15771318757206954],
    "rlogit_South_Safe": [0.16676475748866657, 0.4771449103988278],
    "rlogit_South_Unsafe": [0.025802093999455017, 0.39377534166002953],
    "rlogit_South_Unsure": [0.43250388768105785, 0.7221814718117705],
    "rbeta_East_Safe": [0.26158258302388293, 0.6384462053347435],
    "rbeta_East_Unsafe": [0.1431778604237572, 0.4204012518139756],
    "rbeta_East_Unsure": [0.15155437606572375, 0.46623824397167424],
    "rbeta_North_Safe": [0.24826684335529808, 0.5748932479034414],
    "rbeta_North_Unsafe": [0.41171599909528156, 0.7206584615804523],
    "rbeta_North_Unsure": [0.0007033113715085693, 0.12838886721919518],
    "rbeta_South_Safe": [0.15341738059139057, 0.48289702610923957],
    "rbeta_South_Unsafe": [0.011668299794194661, 0.38054069013213687],
    "rbeta_South_Unsure": [0.425934654362201, 0.7314544579396423],
    "rmean": [4.612685335088835, 0.309517210164955],
    "rmean_M": [4.832912067174156, 0.5330749220819228, 3.603639092479604, 6.062185041868709],
}
RTOL_SE = 1e-6
DISTRICTS = ["East", "North", "South"]
ANSWERS = ["Safe", "Unsafe", "Unsure"]


@pytest.fixture(scope="module")
def design() -> yl.SurveyDesign:
    return yl.SurveyDesign(example(), weights="w", strata="stratum", clusters="school", fpc="fpc")


@pytest.fixture(scope="module")
def raked(design: yl.SurveyDesign) -> yl.SurveyDesign:
    return design.rake(MARGINS)


def _cell(table: pd.DataFrame, group: str, answer: str) -> pd.Series:
    return table[(table["district"] == group) & (table["category"] == answer)].iloc[0]


def test_proportions_and_intervals_match_r(design: yl.SurveyDesign) -> None:
    logit = yl.proportion(design, "q", by="district")
    beta = yl.proportion(design, "q", by="district", ci="beta")
    df = {"East": 9, "North": 9, "South": 8}
    for g in DISTRICTS:
        rows = logit[logit["district"] == g]
        np.testing.assert_allclose(rows["estimate"], R[f"prop_{g}_est"], rtol=1e-8)
        np.testing.assert_allclose(rows["se"], R[f"prop_{g}_se"], rtol=RTOL_SE)
        assert (rows["df"] == df[g]).all()
        for k in ANSWERS:
            got = _cell(logit, g, k)[["ci_low", "ci_high"]].to_numpy(dtype=float)
            np.testing.assert_allclose(got, R[f"logit_{g}_{k}"], rtol=1e-6)
            got = _cell(beta, g, k)[["ci_low", "ci_high"]].to_numpy(dtype=float)
            np.testing.assert_allclose(got, R[f"beta_{g}_{k}"], rtol=1e-6)


def test_level_changes_the_interval_as_in_r(design: yl.SurveyDesign) -> None:
    for ci in ("logit", "beta"):
        out = yl.proportion(design, "q", by="district", ci=ci, level=0.9)
        got = _cell(out, "East", "Safe")[["ci_low", "ci_high"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, R[f"{ci}90_East_Safe"], rtol=1e-6)


def test_counts_and_bases(design: yl.SurveyDesign) -> None:
    data = example()
    out = yl.proportion(design, "q", by="district")
    answered = data.dropna(subset=["q"])
    for g in DISTRICTS:
        sub = answered[answered["district"] == g]
        rows = out[out["district"] == g]
        assert (rows["base"] == len(sub)).all()
        assert rows["n"].tolist() == [int((sub["q"] == k).sum()) for k in ANSWERS]
        assert rows["weighted_base"].iloc[0] == pytest.approx(sub["w"].sum(), rel=1e-12)
        assert rows["estimate"].sum() == pytest.approx(1.0, rel=1e-12)


def test_means_match_r(design: yl.SurveyDesign) -> None:
    out = yl.mean(design, "score", by="sex", level=0.95)
    for s in ("F", "M"):
        row = out[out["sex"] == s].iloc[0]
        est, se, lo, hi, df = R[f"mean_{s}"]
        assert row["estimate"] == pytest.approx(est, rel=1e-8)
        assert row["se"] == pytest.approx(se, rel=RTOL_SE)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-6)
        assert row["df"] == df


def test_vs_rest_matches_r(design: yl.SurveyDesign) -> None:
    out = yl.vs_rest(design, "q", by="district")
    assert len(out) == 9
    for g in DISTRICTS:
        for k in ANSWERS:
            row = _cell(out, g, k)
            diff, se, df = R[f"vr_{g}_{k}"]
            assert row["difference"] == pytest.approx(diff, rel=1e-8)
            assert row["se"] == pytest.approx(se, rel=RTOL_SE)
            assert row["df"] == df
            # R: 2 * pt(-abs(diff / se), degf(dd))
            assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(diff / se), df), rel=1e-6)
    assert out["p_holm"].tolist() == pytest.approx(holm(out["p_value"].to_numpy()).tolist())
    expected = np.where(out["p_holm"] < 0.05, np.sign(out["difference"]), 0)
    assert out["vs_rest"].tolist() == expected.astype(int).tolist()


def test_vs_rest_of_a_mean_matches_r(design: yl.SurveyDesign) -> None:
    out = yl.vs_rest(design, "score", by="sex")
    assert "category" not in out.columns
    row = out[out["sex"] == "F"].iloc[0]
    diff, se, df = R["vr_mean_F"]
    assert row["difference"] == pytest.approx(diff, rel=1e-8)
    assert row["se"] == pytest.approx(se, rel=RTOL_SE)
    assert row["df"] == df


def test_raked_proportions_match_r(raked: yl.SurveyDesign) -> None:
    logit = yl.proportion(raked, "q", by="district")
    beta = yl.proportion(raked, "q", by="district", ci="beta")
    for g in DISTRICTS:
        rows = logit[logit["district"] == g]
        ref = RAKED_PROPORTIONS[g]
        np.testing.assert_allclose(rows["estimate"], ref[:3], rtol=1e-8)
        np.testing.assert_allclose(rows["se"], ref[3:6], rtol=RTOL_SE)
        assert (rows["df"] == ref[6]).all()
        for k in ANSWERS:
            got = _cell(logit, g, k)[["ci_low", "ci_high"]].to_numpy(dtype=float)
            np.testing.assert_allclose(got, R[f"rlogit_{g}_{k}"], rtol=1e-6)
            got = _cell(beta, g, k)[["ci_low", "ci_high"]].to_numpy(dtype=float)
            np.testing.assert_allclose(got, R[f"rbeta_{g}_{k}"], rtol=1e-6)


def test_raked_means_match_r(raked: yl.SurveyDesign) -> None:
    overall = yl.mean(raked, "score").iloc[0]
    assert overall["estimate"] == pytest.approx(R["rmean"][0], rel=1e-8)
    assert overall["se"] == pytest.approx(R["rmean"][1], rel=RTOL_SE)
    boys = yl.mean(raked, "score", by="sex").set_index("sex").loc["M"]
    est, se, lo, hi = R["rmean_M"]
    assert (boys["estimate"], boys["se"]) == pytest.approx((est, se), rel=1e-6)
    assert (boys["ci_low"], boys["ci_high"]) == pytest.approx((lo, hi), rel=1e-6)


def test_raked_vs_rest_matches_r(raked: yl.SurveyDesign) -> None:
    out = yl.vs_rest(raked, "q", by="district")
    for g in DISTRICTS:
        for k in ANSWERS:
            row = _cell(out, g, k)
            diff, se, df = R[f"rvr_{g}_{k}"]
            assert row["difference"] == pytest.approx(diff, rel=1e-8)
            assert row["se"] == pytest.approx(se, rel=RTOL_SE)
            assert row["df"] == df


def test_holm_matches_r() -> None:
    got = holm(np.array([0.01, 0.04, np.nan, 0.03, 0.2, 0.001]))
    want = [0.04, 0.09, np.nan, 0.09, 0.2, 0.005]  # R: p.adjust(..., "holm")
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_every_category_in_every_group() -> None:
    data = pd.DataFrame({"g": ["a", "a", "b", "b", "c"], "q": ["x", "y", "x", "x", None]})
    out = yl.proportion(yl.SurveyDesign(data), "q", by="g")
    assert out[["g", "category"]].values.tolist() == [
        ["a", "x"],
        ["a", "y"],
        ["b", "x"],
        ["b", "y"],
        ["c", "x"],
        ["c", "y"],
    ]
    b_y = out[(out["g"] == "b") & (out["category"] == "y")].iloc[0]
    assert (b_y["estimate"], b_y["n"], b_y["base"]) == (0.0, 0, 2)
    c_rows = out[out["g"] == "c"]
    assert (c_rows["base"] == 0).all() and c_rows["estimate"].isna().all()


def test_categorical_order_is_kept_and_unused_categories_dropped() -> None:
    order = ["Very unsafe", "Fairly unsafe", "Fairly safe", "Very safe"]
    values = ["Very safe", "Fairly safe", "Very unsafe", "Very safe"]
    data = pd.DataFrame({"q": pd.Categorical(values, categories=order, ordered=True)})
    out = yl.proportion(yl.SurveyDesign(data), "q")
    assert list(out["category"]) == ["Very unsafe", "Fairly safe", "Very safe"]
    assert out["category"].cat.ordered


def test_plain_columns_are_accepted() -> None:
    data = pd.DataFrame(
        {
            "flag": [True, False, True, True],
            "count": [1, 2, 2, 3],
            "text": pd.array(["b", "a", None, "b"], dtype="string"),
        }
    )
    design = yl.SurveyDesign(data)
    assert yl.proportion(design, "flag")["category"].tolist() == [False, True]
    assert yl.proportion(design, "count")["estimate"].tolist() == [0.25, 0.5, 0.25]
    text = yl.proportion(design, "text")
    assert text["category"].tolist() == ["a", "b"] and text["base"].tolist() == [3, 3]


def test_two_by_columns_equal_one_combined_column(design: yl.SurveyDesign) -> None:
    data = example()
    data["both"] = data["district"] + "/" + data["sex"]
    combined = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school", fpc="fpc")
    two = yl.proportion(design, "q", by=["district", "sex"])
    one = yl.proportion(combined, "q", by="both")
    two_key = two["district"] + "/" + two["sex"]
    assert two_key.tolist() == one["both"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high", "df"):
        np.testing.assert_allclose(two[col], one[col], rtol=1e-12)


def test_bad_arguments_say_what_to_do(design: yl.SurveyDesign) -> None:
    with pytest.raises(yl.ListeningError, match="'logit', 'beta'"):
        yl.proportion(design, "q", ci="wald")
    with pytest.raises(yl.ListeningError, match="'nope' not in the design's data"):
        yl.proportion(design, "nope")
    with pytest.raises(yl.ListeningError, match="by column 'area'"):
        yl.mean(design, "score", by="area")
    with pytest.raises(yl.ListeningError, match="use proportion"):
        yl.mean(design, "q")
    with pytest.raises(yl.ListeningError, match="level"):
        yl.proportion(design, "q", level=95)
    with pytest.raises(yl.ListeningError, match="needs a by column"):
        yl.vs_rest(design, "q", by=[])
    with pytest.raises(yl.ListeningError, match="'auto', 'proportion', 'mean'"):
        yl.vs_rest(design, "q", by="sex", statistic="median")


def test_missing_values_keep_their_place_in_the_design(design: yl.SurveyDesign) -> None:
    """Dropping the non-respondents first changes the SE: they still count as clusters."""
    data = example()
    data.loc[data["school"] == 12, "q"] = None
    full = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    dropped = yl.SurveyDesign(
        data.dropna(subset=["q"]), weights="w", strata="stratum", clusters="school"
    )
    kept = yl.proportion(full, "q")
    assert kept["df"].iloc[0] == 11 - 3
    assert not np.allclose(kept["se"], yl.proportion(dropped, "q")["se"], rtol=1e-3)
