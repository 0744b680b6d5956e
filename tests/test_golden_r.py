"""`listening` against golden values made by R's survey package.

The golden files in ``tests/golden/*.json`` are written by ``tests/golden/make_golden.R``
(R survey 4.1; see ``tests/golden/README.md``). Each file holds design specs (data file,
weights, strata, clusters, fpc, lonely_psu, then rake / trim / jackknife steps) and cases
(a design, a call and R's answer). This module rebuilds every design with the public API,
makes every call and compares every weight, estimate, standard error, confidence bound,
degree of freedom, test statistic and p-value within CONTRACT.md's tolerances.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import listening as yl

GOLDEN = Path(__file__).parent / "golden"

# Relative tolerances from CONTRACT.md; values within ATOL of 0 are compared absolutely.
RTOL = {
    "weights": 1e-8,
    "estimate": 1e-8,
    "difference": 1e-8,
    "weighted_base": 1e-8,
    "se": 1e-6,
    "ci_low": 1e-6,
    "ci_high": 1e-6,
    "df": 1e-6,
    "statistic": 1e-6,
    "adjusted_statistic": 1e-6,
    "df_num": 1e-6,
    "df_den": 1e-6,
    "p_value": 1e-6,
    "deff": 1e-6,
}
ATOL = 1e-12
# p-values are never 0 in theory: tiny ones are compared relatively too.
ATOL_FIELD = {"p_value": 1e-300}
MAX_REPORTED = 20


FAMILIES = (
    "api_linearization",
    "api_raking",
    "api_replicate",
    "api_more",
    "api_bounded",
    "sample",
)


def _load() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    designs: dict[str, dict[str, Any]] = {}
    cases: list[dict[str, Any]] = []
    for path in (GOLDEN / f"{name}.json" for name in FAMILIES):
        golden = json.loads(path.read_text(encoding="utf-8"))
        for name, spec in golden["designs"].items():
            assert name not in designs, f"design {name!r} is defined twice ({path.name})"
            designs[name] = spec
        cases.extend(golden["cases"])
    return designs, cases


DESIGNS, CASES = _load()


def _num(value: Any) -> float:
    """A golden number: null is NA, and NaN / Inf / -Inf are written as strings."""
    if value is None or value == "NA":
        return math.nan
    return float(value)


def _key(value: Any) -> str:
    """A group or category label, the same whether it came from R or from pandas."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    return str(value)


@functools.cache
def _data(name: str) -> pd.DataFrame:
    if name == "load_sample":
        return yl.load_sample().data
    return pd.read_csv(GOLDEN / name, keep_default_na=False, na_values=["NA"])


@functools.cache
def _design(name: str) -> Any:
    spec = DESIGNS[name]
    design = yl.SurveyDesign(
        _data(spec["data"]).copy(),
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
            bounds = step.get("bounds")
            design = design.rake(margins, bounds=None if bounds is None else tuple(bounds))
        elif step["op"] == "trim":
            design = design.trim(lower=step["lower"], upper=step["upper"], strict=step["strict"])
        elif step["op"] == "jackknife":
            design = design.jackknife()
        else:
            raise AssertionError(f"unknown step {step['op']!r} in design {name!r}")
    return design


def _by(call: dict[str, Any]) -> str | list[str] | None:
    by = call.get("by")
    if by is None:
        return None
    return by[0] if len(by) == 1 else list(by)


def _call(design: Any, call: dict[str, Any]) -> Any:
    function = call["function"]
    if function == "weights":
        return design.weights
    if function == "proportion":
        return yl.proportion(
            design, call["column"], by=_by(call), ci=call["ci"], level=call["level"]
        )
    if function == "mean":
        return yl.mean(design, call["column"], by=_by(call), level=call["level"])
    if function == "vs_rest":
        return yl.vs_rest(design, call["column"], by=_by(call))
    if function == "rao_scott":
        return yl.rao_scott(design, call["row"], call["col"], statistic=call["statistic"])
    if function == "total":
        return yl.total(
            design, call["column"], by=_by(call), level=call["level"], deff=bool(call.get("deff"))
        )
    if function == "quantile":
        return yl.quantile(
            design, call["column"], call["quantiles"], by=_by(call), level=call["level"]
        )
    if function == "ratio":
        return yl.ratio(
            design, call["numerator"], call["denominator"], by=_by(call), level=call["level"]
        )
    if function == "ttest":
        return yl.ttest(design, call["column"], call["group"], level=call["level"])
    if function == "deff":
        estimator = yl.proportion if call["statistic"] == "proportion" else yl.mean
        return estimator(design, call["column"], by=_by(call), deff=True)
    raise AssertionError(f"unknown function {function!r}")


def _close(actual: float, expected: float, rtol: float, atol: float = ATOL) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    if math.isinf(expected):
        return actual == expected
    if abs(expected) <= atol:
        return abs(actual - expected) <= atol
    return abs(actual - expected) <= rtol * abs(expected)


def _bound_ok(actual: float, estimate: float, side: str) -> bool:
    """Where R has no usable interval the bound may be NaN or an exact limit."""
    if math.isnan(actual):
        return True
    slack = 1e-9
    if side == "ci_low":
        return -slack <= actual <= estimate + slack
    return estimate - slack <= actual <= 1 + slack


def _compare_value(problems: list[str], where: str, field: str, actual: Any, expected: Any) -> None:
    a = math.nan if actual is None or pd.isna(actual) else float(actual)
    e = _num(expected)
    if not _close(a, e, RTOL[field], ATOL_FIELD.get(field, ATOL)):
        gap = abs(a - e) / abs(e) if e not in (0.0,) and math.isfinite(e) else math.nan
        problems.append(f"{where} {field}: listening {a!r}, R {e!r} (relative gap {gap:.3g})")


def _rows_by_key(result: pd.DataFrame, by: list[str], with_category: bool) -> dict[tuple, Any]:
    keyed: dict[tuple, Any] = {}
    for _, row in result.iterrows():
        key = tuple(_key(row[b]) for b in by)
        if with_category:
            key += (_key(row["category"]),)
        assert key not in keyed, f"listening returned the row {key} twice"
        keyed[key] = row
    return keyed


def _expected_key(row: dict[str, Any], by: list[str], with_category: bool) -> tuple:
    key = tuple(_key(row["by"][b]) for b in by)
    if with_category:
        key += (_key(row["category"]),)
    return key


def _compare_rows(
    result: pd.DataFrame,
    expected_rows: list[dict[str, Any]],
    by: list[str],
    *,
    with_category: bool,
    numbers: tuple[str, ...],
    counts: tuple[str, ...],
    lenient: tuple[str, ...],
) -> list[str]:
    assert isinstance(result, pd.DataFrame), f"expected a DataFrame, got {type(result)}"
    actual = _rows_by_key(result, by, with_category)
    expected = {_expected_key(row, by, with_category): row for row in expected_rows}
    problems = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        problems.append(f"rows R has and listening lacks: {missing}")
    if extra:
        problems.append(f"rows listening has and R lacks: {extra}")
    for key in sorted(set(expected) & set(actual)):
        want, got = expected[key], actual[key]
        where = "/".join(key) if key else "all"
        for field in counts:
            if int(got[field]) != int(want[field]):
                problems.append(f"{where} {field}: listening {got[field]}, R {want[field]}")
        for field in numbers:
            if field == "df" and "df" not in result.columns:
                continue
            if want.get("degenerate") and field in lenient:
                if field == "se":
                    ok = abs(float(got["se"])) <= 1e-8 * abs(_num(want["estimate"]))
                elif field == "p_value":
                    ok = math.isnan(got[field]) or 0.0 <= got[field] <= 1.0
                else:
                    ok = _bound_ok(float(got[field]), _num(want["estimate"]), field)
                if not ok:
                    problems.append(
                        f"{where} {field}: listening {got[field]!r} is neither NaN nor a "
                        "possible value (R has no usable figure here)"
                    )
                continue
            _compare_value(problems, where, field, got[field], want[field])
    return problems


def _check(case: dict[str, Any], result: Any) -> list[str]:
    call, expected = case["call"], case["expected"]
    function = call["function"]
    by = list(call.get("by") or [])
    if function == "weights":
        got = np.asarray(result, dtype=float)
        want = np.array([_num(w) for w in expected["weights"]])
        if got.shape != want.shape:
            return [f"{got.shape[0]} weights, R has {want.shape[0]}"]
        problems: list[str] = []
        for i in range(len(want)):
            _compare_value(problems, f"row {i}", "weights", got[i], want[i])
        return problems
    if function == "proportion":
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=True,
            numbers=("estimate", "se", "ci_low", "ci_high", "weighted_base", "df"),
            counts=("n", "base"),
            lenient=("ci_low", "ci_high"),
        )
    if function == "mean":
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=False,
            numbers=("estimate", "se", "ci_low", "ci_high", "weighted_base", "df"),
            counts=("base",),
            lenient=(),
        )
    if function == "vs_rest":
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=True,
            numbers=("difference", "se", "p_value", "df"),
            counts=(),
            lenient=("p_value",),
        )
    if function == "rao_scott":
        problems = []
        fields = ["statistic", "df_num", "p_value"]
        fields += ["df_den"] if call["statistic"] == "F" else ["adjusted_statistic"]
        for field in fields:
            _compare_value(problems, "test", field, getattr(result, field), expected[field])
        if call["statistic"] == "Chisq" and result.df_den is not None:
            problems.append(f"df_den: listening {result.df_den!r}, R has none for Chisq")
        return problems
    if function == "total":
        categorical = "category" in expected["rows"][0]
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=categorical,
            numbers=("estimate", "se", "ci_low", "ci_high", "weighted_base", "df")
            + (("deff",) if call.get("deff") else ()),
            counts=("n", "base") if categorical else ("base",),
            lenient=("se",),
        )
    if function == "quantile":
        rows = [dict(row, category=row["quantile"]) for row in expected["rows"]]
        return _compare_rows(
            result.rename(columns={"quantile": "category"}),
            rows,
            by,
            with_category=True,
            numbers=("estimate", "se", "ci_low", "ci_high", "df"),
            counts=("base",),
            lenient=(),
        )
    if function == "ratio":
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=False,
            numbers=("estimate", "se", "ci_low", "ci_high", "df"),
            counts=("base",),
            lenient=(),
        )
    if function == "deff":
        return _compare_rows(
            result,
            expected["rows"],
            by,
            with_category=call["statistic"] == "proportion",
            numbers=("deff",),
            counts=(),
            lenient=(),
        )
    if function == "ttest":
        problems = []
        for field in ("estimate", "se", "statistic", "df", "p_value", "ci_low", "ci_high"):
            _compare_value(problems, "test", field, getattr(result, field), expected[field])
        if list(result.groups) != [str(g) for g in expected["groups"]]:
            problems.append(f"groups: listening {result.groups}, R {expected['groups']}")
        return problems
    raise AssertionError(f"unknown function {function!r}")


def _params() -> Iterator[Any]:
    for case in CASES:
        yield pytest.param(case, id=case["id"])


def test_golden_files_are_there() -> None:
    """The comparison below must not pass vacuously."""
    assert len(CASES) > 1000
    functions = {case["call"]["function"] for case in CASES}
    assert functions == {
        "weights",
        "proportion",
        "mean",
        "vs_rest",
        "rao_scott",
        "total",
        "quantile",
        "ratio",
        "ttest",
        "deff",
    }
    for spec in DESIGNS.values():
        assert spec["data"] == "load_sample" or (GOLDEN / spec["data"]).is_file()


def test_sample_export_is_current(tmp_path: Path) -> None:
    """sample.json was made from the bundled sample and margins as they are now."""
    spec = importlib.util.spec_from_file_location("export_sample", GOLDEN / "export_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.export(tmp_path)
    how = "regenerate: cd tests/golden && python export_sample.py && Rscript make_golden.R"
    assert (GOLDEN / "sample.json").is_file(), f"tests/golden/sample.json is missing; {how}"
    for name in ("sample_kept.csv", "sample_margins.csv"):
        committed = GOLDEN / name
        assert committed.is_file(), f"tests/golden/{name} is missing; {how}"
        assert (tmp_path / name).read_text() == committed.read_text(), (
            f"yl.load_sample() / yl.load_margins() no longer match tests/golden/{name}; {how}"
        )


@pytest.mark.parametrize("case", list(_params()))
def test_matches_r(case: dict[str, Any]) -> None:
    result = _call(_design(case["design"]), case["call"])
    problems = _check(case, result)
    shown = "\n".join(problems[:MAX_REPORTED])
    more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
    assert not problems, f"{case['id']} differs from R survey:\n{shown}{more}"
