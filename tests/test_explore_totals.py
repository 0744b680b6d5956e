"""Explore's "about N young people" and district figures adjusted for age and sex.

What the page shows equals ``yl.total`` and ``yl.predictive_margins`` computed
directly, and a group the table hides shows neither.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from explorer_reading import offer
from streamlit.testing.v1 import AppTest

import listening as yl
from listening.explorer.estimates import (
    about,
    adjusted_display,
    adjusted_margins,
    answer_column,
    answer_totals,
    can_adjust,
    totals_display,
)
from listening.explorer.sources import designs

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ANSWER = "Feel safe"  # the page's default answer for safe_dark
SMALL_BASE = 300  # above the smallest districts' bases in the sample


@pytest.fixture(scope="module")
def sample():
    survey = yl.load_sample()
    built = designs(survey, yl.load_margins())
    return {"book": survey.codebook, "raked": built.raked, "unweighted": built.unweighted}


def _explore(min_base: int | None = None, adjust: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    if min_base is not None:
        at.selectbox(key="min_base").set_value(min_base)
        at.run()
    at.switch_page("app_pages/explore.py").run()
    if adjust:
        at.toggle(key="explore_adjust").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]
    return at


@pytest.fixture(scope="module")
def page():
    return _explore()


@pytest.fixture(scope="module")
def small_page():
    with pytest.MonkeyPatch.context() as patch:
        offer(patch, SMALL_BASE)
        yield _explore(min_base=SMALL_BASE)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value.reset_index(drop=True)
    raise AssertionError(f"no table with a column {column!r}")


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text.split(" ")[0]))


def _direct_totals(design, column: str) -> pd.DataFrame:
    """R's svytotal of the indicator overall and by district, the 1s only."""
    overall = yl.total(design, column).assign(district="All")
    by = yl.total(design, column, by="district")
    both = pd.concat([overall, by], ignore_index=True)
    both = both[both["category"].astype(str) == "True"]
    return both.assign(district=both["district"].astype(str)).set_index("district")


def _margins(design, column: str, min_base: int = 10) -> pd.DataFrame:
    fit = yl.glm(design, f"`{column}` ~ age_band + sex + district", family="binomial")
    out = yl.predictive_margins(fit, "district", min_base=min_base)
    return out.assign(district=out["district"].astype(str)).set_index("district")


def test_about_n_young_people_equals_yl_total(page, sample):
    shown = _table(page, "About (young people)").set_index("District")
    direct = _direct_totals(sample["raked"], f"safe_dark[{ANSWER}]")
    assert set(shown.index) == set(direct.index) and len(shown) == 7
    for district, row in direct.iterrows():
        cell = shown.loc[district]
        assert cell["About (young people)"] == about(row["estimate"])
        assert cell["95% interval"] == f"{about(row['ci_low'])} to {about(row['ci_high'])}"
        # Rounded, not invented: within half a rounding unit of R's svytotal.
        unit = 10 if row["estimate"] < 1_000 else 100 if row["estimate"] < 100_000 else 1_000
        assert abs(_number(cell["About (young people)"]) - row["estimate"]) <= unit / 2
    everyone = direct.loc["All"]
    sentence = [html.unescape(m.value) for m in page.markdown if "young people (" in m.value]
    assert sentence and f"about {about(everyone['estimate'])} young people" in sentence[0]
    assert f"{about(everyone['ci_low'])} to {about(everyone['ci_high'])}" in sentence[0]


def test_totals_are_the_share_of_the_weighted_base(sample):
    """Property: the total of an answer is its share times the group's weighted
    base, and the totals of all the options add up to the weighted base."""
    design, book = sample["raked"], sample["book"]
    question = book.question("safe_dark")
    tab = yl.crosstab(design, "safe_dark", by="district", codebook=book)
    options = {
        option: answer_totals(design, tab, question, option, level=0.95)
        for option in question.options
    }
    for option, frame in options.items():
        rows = tab.table[tab.table["category"] == option].reset_index(drop=True)
        expected = rows["estimate"] * rows["weighted_base"]
        np.testing.assert_allclose(frame["total"], expected, rtol=1e-9)
    added = sum(frame["total"].to_numpy() for frame in options.values())
    bases = tab.table.drop_duplicates("district")["weighted_base"].to_numpy()
    np.testing.assert_allclose(added, bases, rtol=1e-9)


def test_adjusted_district_figures_equal_predictive_margins(page, sample):
    shown = _table(page, "Adjusted %").set_index("District")
    direct = _margins(sample["raked"], f"safe_dark[{ANSWER}]")
    assert set(shown.index) == set(direct.index) and len(shown) == 6
    crude = _table(page, "Compared with the rest")
    crude = crude[crude["Answer"] == ANSWER].set_index("District")
    for district, row in direct.iterrows():
        cell = shown.loc[district]
        assert cell["Adjusted %"] == f"{row['estimate'] * 100:.1f}"
        assert cell["Adjusted 95% interval"] == (
            f"{row['ci_low'] * 100:.1f} to {row['ci_high'] * 100:.1f}"
        )
        assert cell["Crude %"] == crude.loc[district, "%"]
        assert cell["Crude 95% interval"] == crude.loc[district, "95% interval"]
    assert any("county's mix of ages and sexes" in c.value for c in page.caption)


def test_hidden_groups_show_no_total_and_no_adjusted_figure(small_page, sample):
    open_tab = yl.crosstab(sample["raked"], "safe_dark", by="district", min_base=1)
    bases = open_tab.table.drop_duplicates("district").set_index("district")["base"]
    small = [str(d) for d, b in bases.items() if b < SMALL_BASE]
    assert small and len(small) < len(bases) - 1, "some districts hidden, some shown"
    totals = _table(small_page, "About (young people)").set_index("District")
    adjusted = _table(small_page, "Adjusted %").set_index("District")
    assert (totals.loc[small] == "[c]").all(axis=None)
    assert (adjusted.loc[small] == "[c]").all(axis=None)
    shown = [d for d in adjusted.index if d not in small]
    assert shown and (adjusted.loc[shown] != "[c]").all(axis=None)
    # None of the hidden districts' figures is anywhere on the page.
    text = "\n".join(
        [html.unescape(str(m.value)) for m in [*small_page.markdown, *small_page.caption]]
        + [f.value.to_csv() for f in small_page.dataframe]
    )
    secret_totals = _direct_totals(sample["raked"], f"safe_dark[{ANSWER}]").loc[small]
    secret_margins = _margins(sample["raked"], f"safe_dark[{ANSWER}]", min_base=1).loc[small]
    for value in secret_totals["estimate"]:
        assert f"{value:,.0f}" not in text and f"{value:.0f}" not in text
    for value in secret_margins["estimate"]:
        assert f"{value * 100:.2f}" not in text


def test_unweighted_shows_no_number_of_young_people():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("app_pages/explore.py").run()
    at.radio(key="explore_weighting").set_value("Unweighted").run()
    assert not at.exception
    assert not any("About (young people)" in f.value.columns for f in at.dataframe)
    assert any("only count the respondents" in c.value for c in at.caption)
    # Two breakdowns: no adjustment is offered.
    at.multiselect(key="explore_by").set_value(["Gender", "Age band"]).run()
    assert not at.exception
    assert not [t for t in at.toggle if t.key == "explore_adjust"]


def test_low_reliability_of_the_table_marks_the_figures(sample):
    design, book = sample["raked"], sample["book"]
    question = book.question("safe_dark")
    tab = yl.crosstab(design, "safe_dark", by="district", codebook=book)
    flagged = tab.table.assign(low_reliability=tab.table["district"] == "Fenland")
    tab = dataclasses.replace(tab, table=flagged)
    totals = totals_display(
        answer_totals(design, tab, question, ANSWER, level=0.95), ["district"], level=0.95
    ).set_index("District")
    assert totals.loc["Fenland", "About (young people)"].endswith(" [u]")
    assert not totals.drop(index="Fenland")["About (young people)"].str.contains(r"\[u\]").any()
    margins = adjusted_margins(
        design, tab, question, ANSWER, adjust_for=[], level=0.95, min_base=10
    )
    shown = adjusted_display(margins, "district", level=0.95).set_index("District")
    assert shown.loc["Fenland", "Crude %"].endswith(" [u]")
    assert shown.loc["Fenland", "Adjusted %"].endswith(" [u]")


def test_which_answers_can_be_counted_and_adjusted(sample):
    book = sample["book"]
    dark, worries = book.question("safe_dark"), book.question("worries")
    assert answer_column(dark, "Very unsafe") == "safe_dark[Very unsafe]"
    assert answer_column(worries, "Gangs") == "worries[Gangs]"
    assert can_adjust(dark, "Feel unsafe", ["district"], book)
    assert not can_adjust(dark, "Feel unsafe", ["gender"], book)
    assert not can_adjust(worries, "Gangs", ["district"], book)
    ticks = dataclasses.replace(worries, nets={"Violence": ("Gangs", "Knife crime")})
    assert answer_column(ticks, "Violence") is None  # a net of ticks is not one indicator
    assert answer_column(dark, "Feel safe (net)") == "safe_dark[Feel safe]"


@pytest.mark.parametrize("count", [0.0, 4.9, 5.0, 994.9, 995.0, 99_949.0, 99_951.0, 2.5e6])
def test_about_rounds_to_a_sensible_unit(count):
    text = about(count)
    value = float(text.replace(",", ""))
    unit = 10 if count < 1_000 else 100 if count < 100_000 else 1_000
    assert value % unit == 0 and abs(value - count) <= unit / 2
    assert text == f"{value:,.0f}"
