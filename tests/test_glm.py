"""yl.glm and yl.predictive_margins against R's svyglm / svypredmeans, and their laws.

``tests/golden/glm.json`` is written by ``tests/golden/make_golden_glm.R`` (R survey
4.1.1; see ``tests/golden/README.md``): binomial, gaussian and poisson models on plain
(one-stage cluster, stratified), raked, trimmed, jackknife and raked jackknife designs,
overall and in domains, and predictive margins. Every number is compared at the
contract's tolerances: coefficients 1e-8, everything else 1e-6 (relative).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import listening as yl

GOLDEN = Path(__file__).parent / "golden"
GLM = json.loads((GOLDEN / "glm.json").read_text(encoding="utf-8"))
DESIGNS: dict[str, Any] = GLM["designs"]
CASES: list[dict[str, Any]] = GLM["cases"]
RTOL_COEF = 1e-8
RTOL = 1e-6
ATOL = 1e-12


def _num(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)


def _close(actual: float, expected: float, rtol: float, scale: float | None = None) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    floor = ATOL if scale is None else rtol * scale
    return abs(actual - expected) <= max(rtol * abs(expected), floor)


@functools.cache
def _data(name: str) -> pd.DataFrame:
    if name == "load_sample":
        return yl.load_sample().data
    return pd.read_csv(GOLDEN / name, keep_default_na=False, na_values=["NA"])


@functools.cache
def _design(name: str) -> yl.SurveyDesign:
    spec = DESIGNS[name]
    data = _data(spec["data"]).copy()
    for d in spec["derive"]:
        column = data[d["column"]]
        data[d["name"]] = column.isin(d["values"]).astype(float).where(column.notna())
    design = yl.SurveyDesign(
        data,
        weights=spec["weights"],
        strata=spec["strata"],
        clusters=spec["clusters"],
        fpc=spec["fpc"],
        lonely_psu=spec["lonely_psu"],
    )
    for step in spec["steps"]:
        if step["op"] == "rake":
            if step.get("source") == "load_margins":
                margins = yl.load_margins(yl.load_sample())
            else:
                margins = [pd.DataFrame(records) for records in step["margins"]]
            design = design.rake(margins)
        elif step["op"] == "trim":
            design = design.trim(lower=step["lower"], upper=step["upper"], strict=step["strict"])
        elif step["op"] == "jackknife":
            design = design.jackknife()
        else:
            raise AssertionError(f"unknown step {step['op']!r}")
    return design


def _domain(design: yl.SurveyDesign, domain: dict[str, Any] | None) -> yl.SurveyDesign:
    if domain is None:
        return design
    column = design.data[domain["column"]]
    return design.subset(column.isin(domain["values"]) & column.notna())


def _term_key(variable: Any, level: Any) -> tuple[str, str]:
    none = variable is None or (isinstance(variable, float) and math.isnan(variable))
    plain = level is None or (isinstance(level, float) and math.isnan(level))
    return ("" if none else str(variable), "" if plain else str(level))


def _check_glm(case: dict[str, Any]) -> list[str]:
    call, want = case["call"], case["expected"]
    design = _domain(_design(case["design"]), call["domain"])
    fit = yl.glm(design, call["formula"], family=call["family"], level=call["level"], min_base=1)
    problems = []
    if fit.df_residual != want["df_residual"]:
        problems.append(f"df_residual: listening {fit.df_residual}, R {want['df_residual']}")
    if fit.n != want["n"]:
        problems.append(f"rows used: listening {fit.n}, R {want['n']}")
    table = fit.table
    keys = [_term_key(v, lev) for v, lev in zip(table["variable"], table["level"], strict=True)]
    position = {k: i for i, k in enumerate(keys)}
    expected_keys = [_term_key(r["variable"], r["level"]) for r in want["coefficients"]]
    if sorted(keys) != sorted(expected_keys):
        return [*problems, f"terms: listening {keys}, R {expected_keys}"]
    fields = ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    for row, key in zip(want["coefficients"], expected_keys, strict=True):
        got = table.iloc[position[key]]
        for field in fields:
            rtol = RTOL_COEF if field == "estimate" else RTOL
            if not _close(float(got[field]), _num(row[field]), rtol):
                name = row["r_name"]
                problems.append(f"{name} {field}: listening {got[field]!r}, R {row[field]!r}")
        if call["family"] == "binomial":
            for ours, theirs in (("odds_ratio", "estimate"), ("or_low", "ci_low")):
                if not _close(float(got[ours]), math.exp(_num(row[theirs])), RTOL):
                    problems.append(f"{row['r_name']} {ours} is not exp({theirs})")
    cov = fit.cov.to_numpy()
    order = [position[k] for k in expected_keys]
    r_cov = np.array([[_num(v) for v in row] for row in want["vcov"]])
    scale = np.sqrt(np.outer(np.diag(r_cov), np.diag(r_cov)))
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if not _close(cov[a, b], r_cov[i, j], RTOL, scale[i, j]):
                problems.append(f"vcov[{i}, {j}]: listening {cov[a, b]!r}, R {r_cov[i, j]!r}")
    return problems


def _check_margins(case: dict[str, Any]) -> list[str]:
    call, want = case["call"], case["expected"]
    design = _domain(_design(case["design"]), call["domain"])
    fit = yl.glm(design, call["formula"], family=call["family"], level=call["level"])
    out = yl.predictive_margins(fit, call["by"], level=call["level"], min_base=1)
    problems = []
    got = {str(g): row for g, (_, row) in zip(out[call["by"]], out.iterrows(), strict=True)}
    wanted = {str(r["by"]): r for r in want["rows"]}
    if set(got) != set(wanted):
        return [f"groups: listening {sorted(got)}, R {sorted(wanted)}"]
    for g, row in wanted.items():
        if int(got[g]["df"]) != want["df"]:
            problems.append(f"{g} df: listening {got[g]['df']}, R {want['df']}")
        for field in ("estimate", "se", "ci_low", "ci_high"):
            rtol = RTOL_COEF if field == "estimate" else RTOL
            if not _close(float(got[g][field]), _num(row[field]), rtol):
                problems.append(f"{g} {field}: listening {got[g][field]!r}, R {row[field]!r}")
    return problems


def test_golden_file_covers_the_brief() -> None:
    """Families, design kinds, domains and margins are all there: no vacuous pass."""
    calls = [c["call"] for c in CASES]
    assert {c["family"] for c in calls if c["function"] == "glm"} == {
        "binomial",
        "gaussian",
        "poisson",
    }
    steps = {tuple(s["op"] for s in DESIGNS[c["design"]]["steps"]) for c in CASES}
    assert {(), ("rake",), ("rake", "trim"), ("jackknife",), ("jackknife", "rake")} <= steps
    assert any(c["domain"] for c in calls) and any(not c["domain"] for c in calls)
    margins = [c for c in CASES if c["call"]["function"] == "predictive_margins"]
    assert {tuple(s["op"] for s in DESIGNS[c["design"]]["steps"]) for c in margins} == steps
    assert len(CASES) >= 60


def test_factor_levels_are_listenings_order() -> None:
    """R's factors have the reference levels listening uses (the column's category order)."""
    for spec in DESIGNS.values():
        data = _data(spec["data"])
        for column, levels in GLM["meta"]["factor_levels"].items():
            if column not in data.columns:
                continue
            series = data[column].dropna()
            if isinstance(series.dtype, pd.CategoricalDtype):
                used = set(series.unique())
                order = [c for c in series.cat.categories if c in used]
            else:
                order = sorted(series.unique())
            assert order == levels, f"{column}: listening {order}, R {levels}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_r(case: dict[str, Any]) -> None:
    check = _check_glm if case["call"]["function"] == "glm" else _check_margins
    problems = check(case)
    assert not problems, f"{case['id']} differs from R:\n" + "\n".join(problems[:20])


# ------------------------------------------------------------------------------ laws
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ("plain", "raked", "jackknife", "raked_trimmed")


@st.composite
def samples(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    """A stratified cluster sample with a 0/1 outcome that varies in every group."""
    n_groups = draw(st.integers(2, 4))
    n_clusters = draw(st.integers(4, 12))
    n = draw(st.integers(8 * n_groups, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # every group has both outcomes in clusters 0 to 3 (two per stratum), so that no
    # jackknife replicate separates the outcome perfectly
    k = 8 * n_groups
    group = np.r_[np.repeat(np.arange(n_groups), 8), rng.integers(0, n_groups, n - k)]
    y = rng.integers(0, 2, n).astype(float)
    y[rng.random(n) < 0.1] = np.nan
    y[:k] = np.tile([0.0, 1.0], 4 * n_groups)
    school = rng.integers(0, n_clusters, n)
    school[:k] = np.tile(np.repeat(np.arange(4), 2), n_groups)
    school[k : k + n_clusters] = np.arange(n_clusters)[: n - k]
    data = pd.DataFrame(
        {
            "school": school,
            "stratum": school % 2,
            "w": rng.uniform(0.5, 4.0, n),
            "g": pd.Categorical(np.array(list("dcba"))[group], categories=list("dcba")[:n_groups]),
            "sex": np.where(rng.random(n) < 0.5, "F", "M"),
            "y": y,
            "score": rng.normal(10, 3, n),
        }
    )
    data.loc[:1, "sex"] = ["F", "M"]
    return data, n_groups


def _kind(data: pd.DataFrame, kind: str) -> yl.SurveyDesign:
    design = yl.SurveyDesign(data, weights="w", strata="stratum", clusters="school")
    margins = [
        pd.DataFrame({"sex": ["F", "M"], "population": [600.0, 400.0]}),
    ]
    if kind == "raked":
        return design.rake(margins)
    if kind == "raked_trimmed":
        raked = design.rake(margins)
        return raked.trim(upper=float(np.quantile(raked.weights, 0.9)))
    if kind == "jackknife":
        return design.jackknife()
    return design


@SETTINGS
@given(samples(), st.sampled_from(KINDS))
def test_unadjusted_margins_are_the_crude_proportions(sample, kind) -> None:
    """Equal estimates; equal standard errors under linearization (the delta method of
    the logit's variance is the proportion's; replicates differ by the logit's curvature)."""
    data, _ = sample
    design = _kind(data, kind)
    margins = yl.predictive_margins(yl.glm(design, "y ~ 1"), "g", min_base=1)
    crude = yl.proportion(design, "y", by="g")
    crude = crude[crude["category"] == 1.0].set_index("g")
    for _, row in margins.iterrows():
        want = crude.loc[row["g"]]
        assert row["estimate"] == pytest.approx(want["estimate"], rel=1e-9, abs=1e-12)
        if kind != "jackknife":
            assert row["se"] == pytest.approx(want["se"], rel=1e-7, abs=1e-12)
        assert row["base"] == want["base"]


@SETTINGS
@given(samples(), st.sampled_from(KINDS))
def test_intercept_models_are_the_mean(sample, kind) -> None:
    """y ~ 1 is the weighted mean (gaussian) or its logit (binomial), with the mean's se."""
    data, _ = sample
    design = _kind(data, kind)
    mean = yl.mean(design, "score").iloc[0]
    fit = yl.glm(design, "score ~ 1", family="gaussian")
    assert fit.coef.iloc[0] == pytest.approx(mean["estimate"], rel=1e-10)
    assert fit.table["se"].iloc[0] == pytest.approx(mean["se"], rel=1e-7)
    share = yl.proportion(design, "y")
    share = share[share["category"] == 1.0].iloc[0]
    logit = yl.glm(design, "y ~ 1", family="binomial")
    p = 1 / (1 + math.exp(-logit.coef.iloc[0]))
    assert p == pytest.approx(share["estimate"], rel=1e-9)
    if not design.is_replicate:  # the delta method, exact under linearization
        assert logit.table["se"].iloc[0] * p * (1 - p) == pytest.approx(share["se"], rel=1e-6)


@SETTINGS
@given(samples(), st.sampled_from(KINDS))
def test_missing_values_are_a_domain(sample, kind) -> None:
    """Rows missing a model variable are outside the model, as a subset() of the rest."""
    data, _ = sample
    design = _kind(data, kind)
    subset = design.subset(data["y"].notna())
    try:
        direct = yl.glm(design, "y ~ g + score", family="binomial")
    except yl.ConvergenceError:  # a separated sample (or replicate): refused either way
        with pytest.raises(yl.ConvergenceError):
            yl.glm(subset, "y ~ g + score", family="binomial")
        return
    inside = yl.glm(subset, "y ~ g + score", family="binomial")
    assert direct.n == int(data["y"].notna().sum())
    np.testing.assert_allclose(direct.coef, inside.coef, rtol=1e-9)
    np.testing.assert_allclose(direct.cov, inside.cov, rtol=1e-7, atol=1e-14)
    assert direct.df_residual == inside.df_residual or design.is_replicate


@SETTINGS
@given(samples())
def test_weights_scale_away(sample) -> None:
    """Multiplying every weight by a constant changes no coefficient or standard error."""
    data, _ = sample
    scaled = data.assign(w=data["w"] * 7.5)
    try:
        one = yl.glm(_kind(data, "plain"), "y ~ g + sex", min_base=1)
    except yl.ConvergenceError:
        # a small sample can be separated (a cell where everyone has the same outcome),
        # which the model refuses: nothing to compare
        assume(False)
    seven = yl.glm(_kind(scaled, "plain"), "y ~ g + sex", min_base=1)
    np.testing.assert_allclose(one.coef, seven.coef, rtol=1e-9)
    np.testing.assert_allclose(one.table["se"], seven.table["se"], rtol=1e-8)


def _small() -> yl.SurveyDesign:
    rng = np.random.default_rng(5)
    n = 200
    data = pd.DataFrame(
        {
            "school": rng.integers(0, 20, n),
            "y": rng.integers(0, 2, n).astype(float),
            "count": rng.poisson(3, n).astype(float),
            "area": rng.choice(["North", "South", "West"], n),
            "tiny": np.where(np.arange(n) < 4, "rare", "common"),
            "age": rng.integers(11, 19, n),
        }
    )
    return yl.SurveyDesign(data, clusters="school")


def test_reference_is_the_first_category_of_the_column() -> None:
    design = _small()
    data = design.data
    ordered = design.with_columns(
        area=pd.Categorical(data["area"], categories=["West", "South", "North", "East"])
    )
    fit = yl.glm(ordered, "y ~ area")
    assert fit.table["term"].tolist() == ["(Intercept)", "area[South]", "area[North]"]
    plain = yl.glm(design, "y ~ area")
    assert plain.table["term"].tolist() == ["(Intercept)", "area[South]", "area[West]"]


def test_predictive_margins_hide_small_groups() -> None:
    design = _small()
    out = yl.predictive_margins(yl.glm(design, "y ~ age"), "tiny")
    rare = out[out["tiny"] == "rare"].iloc[0]
    assert rare["suppressed"] and math.isnan(rare["estimate"]) and pd.isna(rare["base"])
    common = out[out["tiny"] == "common"].iloc[0]
    assert not common["suppressed"] and common["base"] == 196


@pytest.mark.parametrize(
    ("formula", "family", "message"),
    [
        ("y ~ area", "logistic", "family='logistic'"),
        ("y area", "binomial", "one '~'"),
        ("y ~ area * age", "binomial", "interactions"),
        ("y ~ nothing", "binomial", "'nothing' not in the design's data"),
        ("area ~ age", "binomial", "not numeric or boolean"),
        ("count ~ age", "binomial", "must be 0/1"),
        ("y ~ area + area", "binomial", "names a column twice"),
        ("y ~ y", "binomial", "response among the predictors"),
    ],
)
def test_bad_models_say_what_to_do(formula: str, family: str, message: str) -> None:
    with pytest.raises(yl.ListeningError, match=message.replace("*", r"\*")):
        yl.glm(_small(), formula, family=family)


def test_separation_is_a_convergence_error() -> None:
    design = _small()
    design = design.with_columns(sure=(design.data["area"] == "North").astype(float))
    with pytest.raises(yl.ConvergenceError, match="did not converge|broke down"):
        yl.glm(design, "sure ~ area")


def test_collinear_terms_are_refused() -> None:
    design = _small()
    design = design.with_columns(age2=design.data["age"] * 2.0)
    with pytest.raises(yl.ListeningError, match="cannot separate"):
        yl.glm(design, "y ~ age + age2")


def test_results_print_readably() -> None:
    fit = yl.glm(_small(), "count ~ area + age", family="poisson")
    text = repr(fit)
    assert "poisson" in text and "area[South]" in text and "residual df" in text
    html = fit._repr_html_()
    assert html.count("<tr>") == len(fit.table) + 1 and "area[West]" in html
    assert "odds_ratio" not in fit.table.columns
    logit = yl.glm(_small(), "y ~ area")
    assert {"odds_ratio", "or_low", "or_high"} <= set(logit.table.columns)


@pytest.mark.parametrize(
    ("formula", "family"),
    [("y ~ area + age", "binomial"), ("count ~ area + age", "poisson"), ("age ~ area", "gaussian")],
)
def test_coefficients_are_statsmodels_weighted_glm(formula: str, family: str) -> None:
    """The point estimates are statsmodels' GLM with the design weights as var_weights."""
    import statsmodels.api as sm

    design = _small()
    weights = np.random.default_rng(2).uniform(0.5, 3.0, len(design))
    design = yl.SurveyDesign(design.data.assign(w=weights), weights="w", clusters="school")
    fit = yl.glm(design, formula, family=family)
    families = {"binomial": sm.families.Binomial, "poisson": sm.families.Poisson}
    reference = sm.GLM(
        fit.frame.y,
        fit.frame.X,
        family=families.get(family, sm.families.Gaussian)(),
        var_weights=weights[fit.frame.rows],
    ).fit(tol=1e-14, tol_criterion="params")
    np.testing.assert_allclose(fit.coef.to_numpy(), reference.params, rtol=1e-9, atol=1e-12)


def test_small_categories_are_hidden_in_the_table() -> None:
    """A level with fewer than min_base respondents shows no figure (coef keeps it)."""
    fit = yl.glm(_small(), "y ~ tiny + age")
    rare = fit.table[fit.table["level"] == "rare"].iloc[0]
    assert rare["suppressed"] and math.isnan(rare["estimate"]) and math.isnan(rare["odds_ratio"])
    assert int(rare["n"]) == 4 and not math.isnan(fit.coef["tiny[rare]"])
    assert not fit.table.loc[fit.table["term"] == "age", "suppressed"].iloc[0]
    assert "[c]" in repr(fit) and "[c]" in fit._repr_html_() and "nan" not in repr(fit)
    shown = yl.glm(_small(), "y ~ tiny + age", min_base=4).table
    assert not shown["suppressed"].any()
