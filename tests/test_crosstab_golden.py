"""crosstab against R's survey package: options, nets, multi-select, combined groups, Holm.

The reference is tests/crosstab_golden/crosstab.json, made by make_golden.R from the
hand-made data of tests/briefing_data.py and from the bundled sample raked to the bundled
margins (files written by export_data.py); see the R script's header for the R call
behind every figure. Tolerances are CONTRACT's.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from briefing_data import codebook, design

import listening as yl
from listening.publish.tables import crosstab

GOLDEN = Path(__file__).resolve().parent / "crosstab_golden"
sys.path.insert(0, str(GOLDEN))

from export_data import frames  # noqa: E402

REFERENCE = json.loads((GOLDEN / "crosstab.json").read_text())
CASES = [
    pytest.param(name, t, id=f"{name}-{t['question']}-by-{'+'.join(t['by'])}")
    for name, tables in REFERENCE["datasets"].items()
    for t in tables
]


@cache
def sample_design() -> yl.SurveyDesign:
    survey = yl.load_sample()
    return yl.SurveyDesign.from_survey(survey).rake(yl.load_margins(survey))


def made(name: str, question: str, by: list[str]):
    if name == "handmade":
        return crosstab(design(), question, by=by, codebook=codebook(), min_base=0)
    return crosstab(sample_design(), question, by=by, min_base=0)


def test_committed_data_is_current():
    for name, frame in frames().items():
        written = (GOLDEN / name).read_text()
        assert frame.to_csv(index=False, lineterminator="\n") == written, (
            f"{name} is stale: run export_data.py and make_golden.R in tests/crosstab_golden"
        )


@pytest.mark.parametrize(("name", "case"), CASES)
def test_table_matches_r(name, case):
    by = case["by"]
    tab = made(name, case["question"], by)
    table = tab.table.set_index([*by, "category"])
    for row in case["rows"]:
        ours = table.loc[(*row["group"], row["category"])]
        assert ours["estimate"] == pytest.approx(row["estimate"], rel=1e-8, abs=1e-12)
        assert ours["se"] == pytest.approx(row["se"], rel=1e-6, abs=1e-12)
        if not row["degenerate"]:
            assert ours["ci_low"] == pytest.approx(row["ci_low"], rel=1e-6)
            assert ours["ci_high"] == pytest.approx(row["ci_high"], rel=1e-6)
        elif not np.isnan(ours["ci_low"]):
            assert 0 <= ours["ci_low"] <= ours["estimate"] <= ours["ci_high"] <= 1
        # an estimate of exactly 0 or 1 makes no significance claim (the disclosure policy)
        expected = 0 if ours["estimate"] in (0.0, 1.0) else row["vs_rest"]
        assert ours["vs_rest"] == expected, (row["group"], row["category"])
    assert len(table) >= len(case["rows"])


def test_the_references_hold_significant_differences():
    signs = [
        r["vs_rest"] for tables in REFERENCE["datasets"].values() for t in tables for r in t["rows"]
    ]
    assert 1 in signs and -1 in signs


@pytest.mark.parametrize(("name", "case"), CASES)
def test_rao_scott_matches_r(name, case):
    tab = made(name, case["question"], case["by"])
    multi = tab.kind == "multi"
    tests = case["test"] if multi else {None: case["test"]}
    for option, expected in tests.items():
        ours = tab.test[option] if multi else tab.test
        assert ours.statistic == pytest.approx(expected["statistic"], rel=1e-6)
        assert ours.p_value == pytest.approx(expected["p_value"], rel=1e-6)
