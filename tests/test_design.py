"""The survey design: construction, immutability, trimming, lonely PSUs, diagnostics.

Reference values come from R 4.x with survey 4.1.1 on the rows ``example()``
builds (written to ``ex.csv``)::

    library(survey)
    d0 <- read.csv("ex.csv")
    D <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d0)
    R <- calibrate(D, list(~sex, ~district + age), pop, calfun = "raking",
                   epsilon = 1e-12, maxit = 100)            # pop: MARGINS below
    T <- trimWeights(R, upper = 30, lower = 10)             # trim_w
    svymean(~q, subset(T, !is.na(q)), na.rm = TRUE)         # tprop: coef, SE
    trimWeights(R, upper = 30, lower = 10, strict = TRUE)   # trim_strict_w
    T3 <- trimWeights(D, lower = 8, upper = 25)             # trim_plain_w, trim_plain_prop
    T4 <- trimWeights(R, upper = 25, strict = TRUE)         # trim_strict25_w, _prop
    D1 <- svydesign(ids = ~school, weights = ~w, data = d0)
    svymean(~q, subset(D1, !is.na(q)))                      # d1prop
    d2 <- d0; d2$stratum[d2$school == 12] <- "D"; d2$fpc[d2$school == 12] <- 4
    options(survey.lonely.psu = "adjust")
    L <- svydesign(ids = ~school, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d2)
    svymean(~q, subset(L, !is.na(q)))                       # lonely_adjust
    svymean(~q, subset(L, !is.na(q) & district == "North")) # lonely_adjust_north
    options(survey.lonely.psu = "fail")
    svymean(~q, subset(L, !is.na(q)))                       # Error: Stratum (D) has only one PSU
    svymean(~q, subset(L, !is.na(q) & school != 12))        # lonely_fail_without12
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_data import MARGINS, example

import listening as yl

R = {
    "trim_plain_prop": [
        0.37948184058852674,
        0.31251371912022025,
        0.308004440291253,
        0.05744986699778423,
        0.03773018918128043,
        0.04363292660667933,
    ],
    "trim_plain_w": [
        8.0,
        14.779761904761905,
        24.029761904761905,
        8.0,
        17.279761904761905,
        25.0,
        10.529761904761905,
        19.779761904761905,
        25.0,
        13.029761904761907,
        22.279761904761905,
        8.0,
        15.529761904761907,
        24.779761904761905,
        8.779761904761905,
        18.029761904761905,
        25.0,
        11.279761904761905,
        20.529761904761905,
        25.0,
        13.779761904761905,
        23.029761904761905,
        8.0,
        16.279761904761905,
        25.52976190476191,
        9.529761904761905,
        18.779761904761905,
        25.0,
        12.029761904761905,
        21.279761904761905,
        25.0,
        14.529761904761903,
        23.7797619047619,
        8.0,
        17.029761904761905,
        25.0,
        10.279761904761905,
        19.529761904761905,
        25.0,
        12.779761904761907,
        22.029761904761905,
        8.0,
        15.279761904761903,
        24.529761904761905,
        8.529761904761905,
        17.779761904761905,
        25.0,
        11.029761904761905,
        20.279761904761905,
        25.0,
        13.529761904761903,
        22.779761904761905,
        8.0,
        16.029761904761905,
        25.2797619047619,
        9.279761904761905,
        18.529761904761905,
        25.0,
        11.779761904761905,
        21.029761904761905,
        25.0,
    ],
    "trim_strict25_prop": [
        0.3730507222591377,
        0.30535937465644464,
        0.3215899030844177,
        0.05259324112346673,
        0.036178401040213796,
        0.0376182563819132,
    ],
    "trim_strict25_w": [
        7.208287962204885,
        12.52284941021532,
        14.576405442580343,
        7.60279025570563,
        10.896583745821193,
        25.0,
        11.319759113746588,
        25.0,
        25.0,
        8.579658973787659,
        20.473218939983216,
        10.102304624189077,
        12.114749487376459,
        25.0,
        9.647706780118867,
        15.386278129766996,
        21.959406480439625,
        7.625631126479725,
        18.967973972985913,
        25.0,
        10.907299054701163,
        25.0,
        9.016059841029946,
        14.02416775180625,
        20.63828849060822,
        6.671603279171806,
        21.632539034124857,
        20.739395435057155,
        13.09388158018942,
        25.0,
        25.0,
        12.662057373845512,
        19.317170500776815,
        9.657689087625265,
        17.53023921007811,
        19.531945002381857,
        9.35407502736944,
        25.0,
        25.0,
        11.013000278979437,
        25.0,
        7.752599323409417,
        15.8581868764504,
        14.848984827525452,
        7.991964649408699,
        11.169163130766314,
        22.391417216422205,
        11.797488351925935,
        25.0,
        25.0,
        8.85223835873278,
        20.903288930553874,
        10.827272474104685,
        10.215135283458388,
        25.0,
        14.118787655527644,
        19.49706392759757,
        22.336868763248592,
        11.441749137999409,
        17.241127945327467,
        17.98364775439435,
    ],
    "trim_strict_w": [
        10.0,
        10.532851543718376,
        12.586407576083385,
        10.0,
        10.0,
        25.387905873295278,
        10.0,
        26.953125755472296,
        24.289165946190153,
        10.0,
        18.483221073486273,
        10.0,
        10.124751620879511,
        23.663972164377697,
        10.0,
        13.396280263270048,
        19.969408613942683,
        10.0,
        16.97797610648897,
        29.99518726213571,
        10.0,
        29.99518726213571,
        10.0,
        12.034169885309309,
        18.648290624111276,
        10.0,
        19.642541167627915,
        18.749397568560212,
        11.103883713692476,
        29.99518726213571,
        29.99518726213571,
        10.672059507348568,
        17.327172634279872,
        10.0,
        15.540241343581167,
        17.541947135884914,
        10.0,
        27.32395478045567,
        29.99518726213571,
        10.0,
        29.99518726213571,
        10.0,
        13.868189009953444,
        12.858986961028505,
        10.0,
        10.0,
        20.401419349925263,
        10.0,
        27.659046515779053,
        29.99518726213571,
        10.0,
        18.91329106405693,
        10.0,
        10.0,
        24.156524652639863,
        12.128789789030684,
        17.507066061100627,
        20.34687089675165,
        10.0,
        15.251130078830514,
        15.99364988789741,
    ],
    "trim_w": [
        10.0,
        10.53766428158265,
        12.59122031394766,
        10.0,
        10.0,
        25.392718611159545,
        10.0,
        26.957938493336577,
        24.29397868405443,
        10.0,
        18.488033811350547,
        10.0,
        10.129564358743785,
        23.66878490224197,
        10.0,
        13.401093001134317,
        19.974221351806957,
        10.0,
        16.982788844353244,
        30.0,
        10.0,
        30.0,
        10.0,
        12.038982623173577,
        18.65310336197555,
        10.0,
        19.64735390549219,
        18.754210306424486,
        11.10869645155675,
        30.0,
        30.0,
        10.676872245212842,
        17.331985372144146,
        10.0,
        15.545054081445443,
        17.54675987374919,
        10.0,
        27.328767518319943,
        30.0,
        10.0,
        30.0,
        10.0,
        13.873001747817725,
        12.86379969889278,
        10.0,
        10.0,
        20.406232087789537,
        9.812303223293263,
        27.66385925364333,
        30.0,
        10.0,
        18.918103801921205,
        10.0,
        10.0,
        24.161337390504134,
        12.133602526894961,
        17.5118787989649,
        20.351683634615924,
        10.0,
        15.255942816694798,
        15.998462625761682,
    ],
    "tprop": [
        0.3763555500862228,
        0.31249067361156296,
        0.3111537763022142,
        0.0532199822913878,
        0.03595458554605116,
        0.03872646626873877,
    ],
    "lonely_adjust": [
        0.3895180405583355,
        0.3112983934685278,
        0.29918356597313667,
        0.05034536994222634,
        0.04242748327713267,
        0.042264612429195936,
    ],
    "lonely_adjust_north": [
        0.42815463165572576,
        0.5353756382202772,
        0.03646973012399708,
        0.07161982412656988,
        0.06586843893590381,
        0.031128199061908116,
    ],
    "lonely_fail_without12": [
        0.3553948832035595,
        0.328698553948832,
        0.31590656284760843,
        0.04632555612094557,
        0.042446141054672176,
        0.043077451692620526,
    ],
    "lonely_jk": [
        0.38951804055833555,
        0.3112983934685278,
        0.29918356597313667,
        0.050354054550632514,
        0.04207888118513267,
        0.042192005716847156,
    ],
    "d1prop": [
        0.3895180405583355,
        0.3112983934685278,
        0.29918356597313667,
        0.06091493156507892,
        0.042830511564525074,
        0.05111111879084483,
    ],
}


def _design(data: pd.DataFrame | None = None, **kwargs: object) -> yl.SurveyDesign:
    spec = {"weights": "w", "strata": "stratum", "clusters": "school", "fpc": "fpc"}
    spec.update(kwargs)
    return yl.SurveyDesign(example() if data is None else data, **spec)


def _props(design: yl.SurveyDesign, **kwargs: object) -> np.ndarray:
    out = yl.proportion(design, "q", **kwargs)
    return np.r_[out["estimate"].to_numpy(), out["se"].to_numpy()]


def test_weights_and_data() -> None:
    data = example().set_index(pd.Index([f"id{i}" for i in range(61)]))
    design = _design(data)
    assert design.weights.index.equals(data.index)
    assert design.weights.tolist() == data["w"].tolist()
    assert design.data.equals(data)
    assert len(design) == 61
    unweighted = yl.SurveyDesign(data)
    assert (unweighted.weights == 1.0).all()


def test_design_is_immutable() -> None:
    design = _design()
    with pytest.raises(AttributeError, match="immutable"):
        design.weights = None  # type: ignore[misc]
    raked = design.rake(MARGINS)
    trimmed = raked.trim(upper=30)
    assert design.weights.tolist() == example()["w"].tolist()
    assert raked is not design and trimmed is not raked
    assert not design.is_raked and raked.is_raked and trimmed.is_raked
    copy = design.data
    copy["w"] = 0.0
    assert design.weights.tolist() == example()["w"].tolist()
    assert (design.data["w"] > 0).all()


def test_repr_describes_the_design() -> None:
    assert repr(_design()) == (
        "SurveyDesign(61 rows, 3 strata, 12 clusters, weights 'w', fpc 'fpc')"
    )
    jk = _design().jackknife().rake(MARGINS)
    assert repr(jk).endswith("raked on sex + district x age, JKn with 12 replicates)")


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (None, {"weights": "weight"}, "weights column 'weight' is not in the data"),
        ("w_nan", {}, r"weights column 'w' is missing for rows 3"),
        ("w_zero", {}, r"non-positive values at rows 5"),
        ("w_text", {}, r"non-numeric values at rows 2 \(e.g. 'heavy'\)"),
        (
            "school_cross",
            {},
            "cluster 1 \\(column 'school'\\) appears in more than one stratum .* at row 0",
        ),
        ("fpc_varies", {}, "takes several values .* within stratum 'A'"),
        ("fpc_small", {}, "gives 3 clusters in the population of stratum 'A', fewer than the 5"),
        ("strata_nan", {}, "strata column 'stratum' is missing for rows 0"),
        (None, {"lonely_psu": "remove"}, "lonely_psu='remove' is not valid; use one of 'fail'"),
    ],
)
def test_bad_designs_say_what_where_and_how(change, kwargs, message) -> None:
    data = example()
    if change == "w_nan":
        data.loc[3, "w"] = np.nan
    elif change == "w_zero":
        data.loc[5, "w"] = 0.0
    elif change == "w_text":
        data["w"] = data["w"].astype(object)
        data.loc[2, "w"] = "heavy"
    elif change == "school_cross":
        data.loc[0, "stratum"] = "B"
    elif change == "fpc_varies":
        data.loc[0, "fpc"] = 21
    elif change == "fpc_small":
        data.loc[data["stratum"] == "A", "fpc"] = 3
    elif change == "strata_nan":
        data.loc[0, "stratum"] = None
    with pytest.raises(yl.DesignError, match=message):
        _design(data, **kwargs)


def test_data_must_be_a_frame_with_rows() -> None:
    with pytest.raises(yl.DesignError, match="pandas DataFrame"):
        yl.SurveyDesign([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(yl.DesignError, match="no rows"):
        yl.SurveyDesign(pd.DataFrame({"w": []}))


def test_cluster_design_without_strata_matches_r() -> None:
    design = yl.SurveyDesign(example(), weights="w", clusters="school")
    np.testing.assert_allclose(_props(design), R["d1prop"], rtol=1e-6)
    assert yl.proportion(design, "q")["df"].iloc[0] == 12 - 1


def test_trim_matches_r_trimweights() -> None:
    design = _design()
    plain = design.trim(lower=8, upper=25)
    np.testing.assert_allclose(plain.weights, R["trim_plain_w"], rtol=1e-8)
    np.testing.assert_allclose(_props(plain), R["trim_plain_prop"], rtol=1e-6)
    raked = design.rake(MARGINS)
    np.testing.assert_allclose(raked.trim(lower=10, upper=30).weights, R["trim_w"], rtol=1e-8)
    np.testing.assert_allclose(
        raked.trim(lower=10, upper=30, strict=True).weights, R["trim_strict_w"], rtol=1e-8
    )


def test_trimmed_raked_design_keeps_the_raking_linearization() -> None:
    raked = _design().rake(MARGINS)
    np.testing.assert_allclose(_props(raked.trim(lower=10, upper=30)), R["tprop"], rtol=1e-6)
    strict = raked.trim(upper=25, strict=True)
    np.testing.assert_allclose(strict.weights, R["trim_strict25_w"], rtol=1e-8)
    np.testing.assert_allclose(_props(strict), R["trim_strict25_prop"], rtol=1e-6)
    assert strict.weights.max() <= 25 + 1e-9
    assert strict.weights.sum() == pytest.approx(raked.weights.sum(), rel=1e-12)


def test_non_strict_trim_may_end_above_the_bound() -> None:
    raked = _design().rake(MARGINS)
    loose = raked.trim(upper=25)
    assert loose.weights.max() > 25  # R: range 6.61 26.22
    assert loose.weights.max() == pytest.approx(26.21757, rel=1e-6)


def test_bad_trim_bounds() -> None:
    design = _design()
    with pytest.raises(yl.ListeningError, match="lower < upper"):
        design.trim(lower=20, upper=10)
    with pytest.raises(yl.ListeningError, match="every weight lies outside"):
        design.trim(lower=40, upper=50)
    with pytest.raises(yl.ListeningError, match=r"trim \(and rake\) before"):
        design.jackknife().trim(upper=20)


def _lonely(data: pd.DataFrame | None = None, **kwargs: object) -> yl.SurveyDesign:
    data = example() if data is None else data
    data.loc[data["school"] == 12, ["stratum", "fpc"]] = ["D", 4]
    return _design(data, **kwargs)


def test_lonely_psu_adjust_matches_r() -> None:
    design = _lonely(lonely_psu="adjust")
    np.testing.assert_allclose(_props(design), R["lonely_adjust"], rtol=1e-6)
    north = yl.proportion(design, "q", by="district")
    north = north[north["district"] == "North"]
    np.testing.assert_allclose(
        np.r_[north["estimate"], north["se"]], R["lonely_adjust_north"], rtol=1e-6
    )


def test_lonely_psu_fail_only_when_the_domain_uses_the_stratum() -> None:
    with pytest.raises(yl.DesignError, match="stratum 'D' has only one cluster"):
        yl.proportion(_lonely(), "q")
    data = example()
    data.loc[data["school"] == 12, "q"] = None
    np.testing.assert_allclose(_props(_lonely(data)), R["lonely_fail_without12"], rtol=1e-6)


def test_lonely_psu_fail_on_a_raked_design_even_outside_the_domain() -> None:
    """R keeps every row of a calibrated design, so the lonely stratum is always used."""
    data = example()
    data.loc[data["school"] == 12, "q"] = None
    with pytest.raises(yl.DesignError, match="lonely_psu='adjust'"):
        yl.proportion(_lonely(data).rake(MARGINS), "q")


def test_diagnostics() -> None:
    w = example()["w"].to_numpy()
    diag = _design().diagnostics()
    n = len(w)
    assert diag.deff == pytest.approx(n * (w**2).sum() / w.sum() ** 2, rel=1e-12)
    assert diag.deff == pytest.approx(1 + (w.std() / w.mean()) ** 2, rel=1e-12)
    assert diag.effective_n == pytest.approx(n / diag.deff, rel=1e-12)
    assert (diag.min, diag.median, diag.max) == (w.min(), np.median(w), w.max())
    assert diag.margins is None and diag.sweeps is None
    assert "Kish design effect" in repr(diag)
    frame = diag.to_frame()
    assert frame.set_index("statistic").loc["kish_deff", "value"] == diag.deff


def test_diagnostics_of_a_raked_design() -> None:
    diag = _design().rake(MARGINS).diagnostics()
    table = diag.margins
    assert list(table.columns) == [
        "margin",
        "category",
        "respondents",
        "achieved",
        "target",
        "relative_gap",
    ]
    assert len(table) == 2 + 6
    data = example()
    for margin, column in (("sex", "sex"), ("district x age", None)):
        counts = table.loc[table["margin"] == margin, "respondents"]
        assert counts.sum() == len(data)
        if column:
            assert counts.tolist() == data[column].value_counts().sort_index().tolist()
    np.testing.assert_allclose(table["achieved"], table["target"], rtol=1e-10)
    assert table.loc[table["margin"] == "district x age", "category"].iloc[0] == "North x 11-13"
    assert diag.sweeps >= 1
    assert "raked in" in repr(diag)
    assert diag.to_frame()["statistic"].iloc[-1] == "raking_sweeps"


@pytest.mark.parametrize("kind", ["linear", "raked", "jackknife"])
def test_subset_is_the_domain_of_r_subset(kind: str) -> None:
    """subset(sex == "F") gives the F rows of by="sex" (each equals R's subset()); the
    other rows keep their place, so this is not the same as dropping them."""
    design = _design()
    if kind == "raked":
        design = design.rake(MARGINS)
    elif kind == "jackknife":
        design = design.jackknife().rake(MARGINS)
    girls = design.data["sex"] == "F"
    sub = yl.proportion(design.subset(girls), "q", by="district")
    both = yl.proportion(design, "q", by=["sex", "district"])
    both = both[both["sex"] == "F"].drop(columns="sex").reset_index(drop=True)
    pd.testing.assert_frame_equal(sub, both, check_exact=False, rtol=1e-10)
    chained = design.subset(girls).subset(design.data["district"] == "East")
    east = yl.proportion(chained, "q")
    np.testing.assert_allclose(east["se"], sub[sub["district"] == "East"]["se"], rtol=1e-10)
    assert "subset of" in repr(chained)


def test_subset_keeps_the_other_rows_in_the_design() -> None:
    design = _design()
    girls = example()["sex"] == "F"
    dropped = yl.SurveyDesign(example()[girls], weights="w", strata="stratum", clusters="school")
    kept = yl.proportion(design.subset(girls), "q")
    assert not np.allclose(kept["se"], yl.proportion(dropped, "q")["se"], rtol=1e-3)
    unknown = girls.astype(object).where(~girls, None)  # missing counts as outside
    empty = yl.proportion(design.subset(unknown), "q")
    assert (empty["base"] == 0).all() and empty["estimate"].isna().all()


def test_a_subset_is_for_estimates_only() -> None:
    sub = _design().subset(example()["sex"] == "F")
    with pytest.raises(yl.ListeningError, match="then take the subset"):
        sub.rake(MARGINS)
    with pytest.raises(yl.ListeningError, match="then take the subset"):
        sub.jackknife()
    with pytest.raises(yl.ListeningError, match="one value per row"):
        _design().subset([True, False])


def test_with_columns_keeps_weights_and_design() -> None:
    raked = _design().rake(MARGINS)
    data = example()
    safe = data["q"].isin(["Safe", "Unsure"]).where(data["q"].notna())
    added = raked.with_columns(feel_safe=safe)
    np.testing.assert_array_equal(added.weights, raked.weights)
    rebuilt = _design(data.assign(feel_safe=safe)).rake(MARGINS)
    pd.testing.assert_frame_equal(
        yl.proportion(added, "feel_safe"), yl.proportion(rebuilt, "feel_safe"), rtol=1e-10
    )
    assert "feel_safe" not in raked.data.columns
    with pytest.raises(yl.ListeningError, match="cannot replace 'sex'"):
        raked.with_columns(sex="F")
    with pytest.raises(yl.ListeningError, match="cannot replace 'w'"):
        raked.with_columns(w=1.0)


def test_codebook_travels_with_every_derived_design():
    survey = yl.load_sample()
    design = yl.SurveyDesign.from_survey(survey)
    assert design.codebook is survey.codebook
    raked = design.rake(yl.load_margins(survey))
    derived = [
        raked,
        raked.trim(upper=float(raked.weights.quantile(0.99))),
        raked.with_columns(flag=True),
        raked.subset(raked.data["district"] == "Fenland"),
        design.jackknife(),
    ]
    assert all(d.codebook is survey.codebook for d in derived)
    assert yl.SurveyDesign(survey.data).codebook is None


def test_subset_takes_series_arrays_and_missing_values() -> None:
    design = _design()
    data = example()
    north = data["district"] == "North"
    by_series = yl.proportion(design.subset(north), "q")
    by_array = yl.proportion(design.subset(north.to_numpy()), "q")
    with_missing = yl.proportion(design.subset(north.where(data["sex"] == "F")), "q")
    pd.testing.assert_frame_equal(by_series, by_array)
    both = yl.proportion(design.subset(north & (data["sex"] == "F")), "q")
    pd.testing.assert_frame_equal(with_missing, both)
    with pytest.raises(yl.ListeningError, match="one value per row"):
        design.subset([True, False])
