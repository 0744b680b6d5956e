"""crosstab against R's survey package: options, nets, multi-select, combined groups, Holm.

The reference is tests/crosstab_golden/crosstab.json, made by make_golden.R from
crosstab_data.csv (the data of tests/briefing_data.py); see the R script's header for the
R call behind every figure. Tolerances are CONTRACT's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from briefing_data import codebook, design

from listening.crosstab import crosstab

GOLDEN = Path(__file__).resolve().parent / "crosstab_golden"
sys.path.insert(0, str(GOLDEN))

from export_data import frame  # noqa: E402

REFERENCE = json.loads((GOLDEN / "crosstab.json").read_text())
CASES = [pytest.param(t, id=f"{t['question']}-by-{'+'.join(t['by'])}") for t in REFERENCE["tables"]]


def test_committed_data_is_what_briefing_data_makes():
    written = (GOLDEN / "crosstab_data.csv").read_text()
    assert frame().to_csv(index=False, lineterminator="\n") == written


@pytest.mark.parametrize("case", CASES)
def test_table_matches_r(case):
    by = case["by"]
    tab = crosstab(design(), case["question"], by=by, codebook=codebook(), min_base=0)
    table = tab.table.set_index([*by, "category"])
    for row in case["rows"]:
        ours = table.loc[(*row["group"], row["category"])]
        assert ours["estimate"] == pytest.approx(row["estimate"], rel=1e-8, abs=1e-12)
        assert ours["se"] == pytest.approx(row["se"], rel=1e-6, abs=1e-12)
        if not row["degenerate"]:
            assert ours["ci_low"] == pytest.approx(row["ci_low"], rel=1e-6)
            assert ours["ci_high"] == pytest.approx(row["ci_high"], rel=1e-6)
        assert ours["vs_rest"] == row["vs_rest"], (row["group"], row["category"])
    assert len(table) >= len(case["rows"])
    assert any(row["vs_rest"] != 0 for row in case["rows"]) or case["question"] == "worry"


@pytest.mark.parametrize("case", CASES)
def test_rao_scott_matches_r(case):
    tab = crosstab(design(), case["question"], by=case["by"], codebook=codebook(), min_base=0)
    tests = case["test"] if case["question"] == "worry" else {None: case["test"]}
    for option, expected in tests.items():
        ours = tab.test[option] if option is not None else tab.test
        assert ours.statistic == pytest.approx(expected["statistic"], rel=1e-6)
        assert ours.p_value == pytest.approx(expected["p_value"], rel=1e-6)
