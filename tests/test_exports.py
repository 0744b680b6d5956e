"""Exports: [c] everywhere a group is hidden, no formulas from text, same bytes every time."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest
from briefing_data import codebook, design

import listening as yl
from listening.ingest.codebook import codebook_from_dict
from listening.publish.exports import CONFIDENTIAL, HIGHER, LOWER, tidy_frame, to_csv, to_html
from listening.publish.tables import ALL, crosstab
from listening.publish.writers import FORMULA_TRIGGERS, csv_bytes, neutralise

NUMBERS = ["estimate", "se", "ci_low", "ci_high"]
HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@A1", "\tTabbed", "\rReturn"]


def _key(value: float) -> str:
    return f"{value:.10g}"


def hidden_and_published(tab, d) -> tuple[set[str], set[str]]:
    """Figures of the suppressed groups (from yl.proportion) and of the published rows.

    Zeros and ones are left out: an estimate of 0% is not told apart from any other.
    """
    by = list(tab.by)
    reference = yl.proportion(d, tab.question, by=by)
    hidden_groups = tab.table.loc[tab.table["suppressed"], by].drop_duplicates()
    hidden = reference.merge(hidden_groups.astype(str), on=by) if len(by) else reference
    values = hidden[NUMBERS].stack().dropna()
    hidden = {_key(v) for v in values if v not in (0.0, 1.0)}
    shown = tab.table.loc[~tab.table["suppressed"], [*NUMBERS, "weighted_base"]]
    return hidden, {_key(v) for v in shown.stack().dropna()}


def csv_numbers(path) -> set[str]:
    out = set()
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            for field in row:
                try:
                    out.add(_key(float(field)))
                except ValueError:
                    continue
    return out


@pytest.fixture(scope="module")
def suppressed_table():
    d = design()
    return crosstab(d, "feel", by="year", codebook=codebook()), d


def test_csv_shows_c_for_every_hidden_figure(tmp_path, suppressed_table):
    tab, _ = suppressed_table
    path = to_csv(tab, tmp_path / "t.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    hidden = frame["suppressed"] == "True"
    assert hidden.any()
    assert (frame.loc[hidden, [*NUMBERS, "n"]] == CONFIDENTIAL).all().all()
    assert (frame.loc[~hidden, "estimate"] != CONFIDENTIAL).all()


def test_no_hidden_number_in_the_csv(tmp_path, suppressed_table):
    tab, d = suppressed_table
    hidden, published = hidden_and_published(tab, d)
    assert hidden - published, "the test data must have hidden figures not published elsewhere"
    found = csv_numbers(to_csv(tab, tmp_path / "t.csv"))
    assert found & hidden <= published


def test_the_search_finds_figures_when_nothing_is_hidden(tmp_path, suppressed_table):
    tab, d = suppressed_table
    hidden, published = hidden_and_published(tab, d)
    open_tab = crosstab(d, "feel", by="year", codebook=codebook(), min_base=0)
    found = csv_numbers(to_csv(open_tab, tmp_path / "open.csv"))
    assert hidden - published <= found


def test_csv_values_equal_the_table(tmp_path, suppressed_table):
    tab, _ = suppressed_table
    frame = pd.read_csv(to_csv(tab, tmp_path / "t.csv"), dtype=str, keep_default_na=False)
    shown = ~tab.table["suppressed"]
    for column in NUMBERS:
        written = pd.to_numeric(frame.loc[shown, column], errors="coerce")
        expected = tab.table.loc[shown, column]
        assert np.allclose(written, expected, rtol=1e-11, equal_nan=True)


def test_csv_is_byte_identical_across_runs(tmp_path):
    first = to_csv(crosstab(design(), "feel", by="area", codebook=codebook()), tmp_path / "a.csv")
    second = to_csv(crosstab(design(), "feel", by="area", codebook=codebook()), tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()


def test_html_is_the_same_string_across_runs():
    one = to_html(crosstab(design(), "feel", by="area", codebook=codebook()))
    two = to_html(crosstab(design(), "feel", by="area", codebook=codebook()))
    assert one == two


def _html_rows(html: str) -> list[list[str]]:
    rows = []
    for body in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_html_hides_suppressed_groups_and_marks_significance(suppressed_table):
    tab, d = suppressed_table
    html = tab.to_html()
    assert tab.title in html and "Hand-made test data" in html
    groups = re.findall(r'class="gt_group_heading"[^>]*>(.*?)</th>', html)
    assert groups == [ALL, "Y7", "Y8", "Y9", "Y13"]
    sections = re.split(r'class="gt_group_heading"', html)[1:]
    flags = tab.table.drop_duplicates("year").set_index("year")["suppressed"]
    for name, section in zip(groups, sections, strict=True):
        rows = [r for r in _html_rows(section) if len(r) == 4]
        assert rows
        for _answer, percent, interval, _base in rows:
            if flags[name]:
                # [c] with its reason: too few answered, or hidden to protect a smaller group
                assert percent.startswith(CONFIDENTIAL) and interval == CONFIDENTIAL
                assert "answered" in percent or "smaller group" in percent
            else:
                assert re.fullmatch(r"\d+\.\d%[▲▼]?", percent)
    hidden, published = hidden_and_published(tab, d)
    shown = {f"{100 * float(v):.1f}%" for v in published}
    secret = {f"{100 * float(v):.1f}%" for v in hidden}
    assert set(re.findall(r"\d+\.\d%", html)) & secret <= shown


def test_html_markers_follow_vs_rest():
    tab = crosstab(design(), "feel", by="area", codebook=codebook(), min_base=0)
    html = tab.to_html()
    assert html.count(HIGHER) - 1 == (tab.table["vs_rest"] > 0).sum()
    assert html.count(LOWER) - 1 == (tab.table["vs_rest"] < 0).sum()
    assert (tab.table["vs_rest"] != 0).any()


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_prefixes_every_trigger(text):
    assert text.startswith(FORMULA_TRIGGERS)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Very safe", "11-13", "", "Don't know", "£5"])
def test_neutralise_leaves_ordinary_text(text):
    assert neutralise(text) == text


def hostile_case():
    """A codebook and data whose labels and wording try to be formulas."""
    book = codebook_from_dict(
        {
            "id_column": "id",
            "source": '=WEBSERVICE("http://evil")',
            "questions": [
                {"name": "id", "type": "id"},
                {"name": "grp", "type": "single", "options": ["@grp", "-grp", "ok"]},
                {
                    "name": "q",
                    "wording": '=HYPERLINK("http://evil","click")',
                    "type": "single",
                    "options": HOSTILE,
                    "nets": {"+net": HOSTILE[:2]},
                },
            ],
        }
    )
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "id": [f"R{i}" for i in range(120)],
            "grp": pd.Categorical(rng.choice(["@grp", "-grp", "ok"], 120)),
            "q": pd.Categorical(rng.choice(HOSTILE, 120), categories=HOSTILE),
        }
    )
    return book, yl.SurveyDesign(frame)


def test_csv_neutralises_labels(tmp_path):
    book, d = hostile_case()
    tab = crosstab(d, "q", by="grp", codebook=book)
    with open(to_csv(tab, tmp_path / "h.csv"), newline="", encoding="utf-8") as handle:
        fields = [f for row in csv.reader(handle) for f in row]
    assert fields
    assert not [f for f in fields if f.startswith(FORMULA_TRIGGERS) and not _is_number(f)]
    assert "'" + HOSTILE[0] in fields and "'@grp" in fields and "'+net" in fields


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_csv_bytes_of_the_tidy_frame_are_the_csv_file(tmp_path, suppressed_table):
    """What the explorer downloads (writers.csv_bytes) is what to_csv writes."""
    tab, _ = suppressed_table
    assert csv_bytes(tidy_frame(tab)) == to_csv(tab, tmp_path / "t.csv").read_bytes()
