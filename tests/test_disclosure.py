"""The disclosure policy: groupings, District x Gender on the sample, thresholds in every export."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from briefing_data import codebook, design

import listening as yl
from listening.design.margins import with_unknown_sex
from listening.errors import CodebookError, ListeningError
from listening.ingest.codebook import codebook_from_dict
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.exports import CONFIDENTIAL, presentation_frame, tidy_frame

GENDER_BY = [["district"], ["gender"], ["district", "gender"]]


@pytest.fixture(scope="module")
def sample():
    book = yl.load_codebook()
    survey = yl.load_sample()
    margins = yl.load_margins(codebook=book)
    return yl.SurveyDesign.from_survey(survey).rake(
        with_unknown_sex(margins, survey, codebook=book)
    )


def _groups(tab) -> pd.DataFrame:
    return tab.table.drop_duplicates(list(tab.by)).set_index(list(tab.by))


@pytest.mark.parametrize("grouped", [True, False])
def test_district_by_gender_shows_girls_and_boys_where_no_small_leftover_follows(sample, grouped):
    """Girls and boys are shown in every district whose leftover is 0 or at least 10.

    The leftover of a district is its respondents in no shown group of District x
    Gender (another gender or none): the district minus its girls and boys (minus
    its hidden "Describe another way" group, when not grouped). Where it has 1 to 9
    respondents, showing both girls and boys would give it away (Fenland: 122 - 64 -
    54 = 4 on the sample), so one of them is hidden to protect it. The issue's
    target "girls and boys in every district" is then impossible there; the safe
    pattern is kept. On the sample this is Fenland (4) and East Cambridgeshire (9).
    """
    book = yl.load_codebook()
    policy = DisclosurePolicy.from_codebook(book) if grouped else DisclosurePolicy()
    tables = yl.crosstabs(sample, ["safe_dark"], GENDER_BY, policy=policy, codebook=book)
    both = _groups(tables[2])
    data = sample.data[sample.data["safe_dark"].notna()]
    affected = []
    for district in book.districts:
        here = data[data["district"] == district]
        leftover = int((~here["gender"].isin(["Girl", "Boy"])).sum())
        hidden = [g for g in ["Girl", "Boy"] if both.loc[(district, g), "suppressed"]]
        if leftover == 0 or leftover >= policy.min_base:
            assert hidden == [], (district, leftover)
        else:
            affected.append(district)
            assert len(hidden) == 1, (district, leftover, hidden)
            assert both.loc[(district, hidden[0]), "reason"] == "secondary"
            # the cheaper of the two goes
            bases = {g: int((here["gender"] == g).sum()) for g in ["Girl", "Boy"]}
            assert bases[hidden[0]] == min(bases.values())
    assert affected  # the sample has such districts: this test checks both branches
    other = [k for k in both.index if k[1] == "Describe another way"]
    if grouped:  # county only: never a group by district, but shown for the county
        assert other == []
        assert not _groups(tables[1]).loc["Describe another way", "suppressed"]
    else:  # each district's handful is hidden for being small
        assert len(other) == len(book.districts)
        assert set(both.loc[other, "reason"]) == {"threshold"}
    secondary = both.index[both["reason"] == "secondary"]
    assert sorted(d for d, _ in secondary) == sorted(affected)


def test_sample_codebook_declares_the_grouping():
    policy = DisclosurePolicy.from_codebook(yl.load_codebook(), min_base=12)
    assert dict(policy.county_only) == {"gender": ("Describe another way",)}
    assert policy.min_base == 12 and "district" in policy.complete


def test_merged_categories_are_published_as_one_group():
    frame = pd.DataFrame(
        {"g": ["a"] * 30 + ["b"] * 4 + ["c"] * 8 + ["d"] * 24, "q": list("xy") * 33}
    )
    policy = DisclosurePolicy(groups={"g": {"b or c": ("b", "c")}})
    groups = _groups(yl.crosstab(yl.SurveyDesign(frame), "q", by="g", policy=policy))
    assert list(groups.index) == ["All", "a", "b or c", "d"]
    assert groups.loc["b or c", "base"] == 12 and not groups["suppressed"].any()


def test_a_county_only_variable_cannot_be_crossed_with_district():
    frame = pd.DataFrame({"district": list("ab") * 20, "eth": list("xyz" * 13 + "x"), "q": "y"})
    policy = DisclosurePolicy(county_only={"eth": ()})
    with pytest.raises(ListeningError, match="county only"):
        yl.crosstab(yl.SurveyDesign(frame), "q", by=["district", "eth"], policy=policy)
    assert yl.crosstab(yl.SurveyDesign(frame), "q", by="eth", policy=policy).by == ("eth",)


@pytest.mark.parametrize(
    "publication",
    [{"merge": {"x": ["A"]}}, {"groups": {"x": ["Nope"]}}, {"county_only": "A"}],
)
def test_bad_publication_keys_are_refused(publication):
    raw = {
        "questions": [
            {"name": "g", "type": "single", "options": ["A", "B"], "publication": publication}
        ]
    }
    with pytest.raises(CodebookError, match="publication"):
        codebook_from_dict(raw)


@pytest.fixture(scope="module")
def gender_table(sample):
    """District x gender with the small groups shown as groups (no county-only grouping)."""
    tables = yl.crosstabs(sample, ["safe_dark"], GENDER_BY, policy=DisclosurePolicy())
    return tables[2]


def test_no_export_shows_a_figure_of_a_hidden_group(gender_table, sample, tmp_path):
    hidden = gender_table.table["suppressed"]
    assert hidden.any()
    truth = yl.proportion(sample, "safe_dark", by=["district", "gender"])
    small = truth[truth["gender"] == "Describe another way"]
    secret = {f"{v:g}" for v in small["base"]} | {f"{v:.6g}" for v in small["weighted_base"]}
    csv = gender_table.to_csv(tmp_path / "t.csv")
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    for column in ["estimate", "se", "n", "base", "weighted_base"]:
        assert (frame.loc[hidden.to_numpy(), column] == CONFIDENTIAL).all()
    sheet = presentation_frame(gender_table)
    for column in ["Base (respondents who answered)", "Weighted base"]:
        assert (sheet.loc[hidden.to_numpy(), column] == CONFIDENTIAL).all()
    html = gender_table.to_html()
    for group in small["district"]:
        section = html.split(f"{group} x Describe another way")[1].split("gt_group_heading")[0]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", section)
        assert cells and not any(re.fullmatch(r"[\d,.]+%?", c) for c in cells)
    weighted = {f"{float(v):.6g}" for v in frame["weighted_base"] if v != CONFIDENTIAL}
    assert not (secret & weighted & {f"{v:.6g}" for v in small["weighted_base"]})


def test_reasons_are_said_in_words(gender_table):
    sheet = presentation_frame(gender_table)
    hidden = gender_table.table["reason"] == "threshold"
    assert set(sheet.loc[hidden.to_numpy(), "Suppression"]) == {"[c] fewer than 10 answered"}
    assert set(sheet.loc[~gender_table.table["suppressed"].to_numpy(), "Suppression"]) == {"Shown"}
    assert "fewer than 10 answered" in gender_table.to_html()


def test_an_estimate_of_zero_has_an_interval_and_no_significance():
    tab = yl.crosstab(design(), "worry", by="area", codebook=codebook(), min_base=0)
    zero = tab.table[tab.table["estimate"] == 0]
    assert len(zero)
    assert (zero["ci_low"] == 0).all() and (zero["ci_high"] > 0).all()
    assert (zero["ci_high"] < 1).all() and (zero["vs_rest"] == 0).all()
    tidy = tidy_frame(tab).loc[zero.index]
    assert not (tidy[["estimate", "ci_low", "ci_high"]] == CONFIDENTIAL).any().any()
    compared = presentation_frame(tab).loc[zero.index, "Compared with the rest"]
    assert set(compared) == {"[z]"}


def test_low_reliability_follows_the_effective_base_rule():
    policy = DisclosurePolicy(min_base=0, min_effective_base=60)
    tab = yl.crosstab(design(), "feel", by="year", codebook=codebook(), policy=policy)
    p, se = tab.table["estimate"], tab.table["se"]
    inside = (p > 0) & (p < 1) & (se > 0)
    effective = p * (1 - p) / se**2
    expected = inside & (effective < 60)
    assert expected.any() and (~expected).any()
    assert (tab.table["low_reliability"] == expected).all()
    assert (presentation_frame(tab).loc[expected, "Low reliability"] == "[u]").all()


def test_policy_checks_its_arguments():
    with pytest.raises(ListeningError, match="min_base"):
        DisclosurePolicy(min_base=2.5)
    with pytest.raises(ListeningError, match="cost"):
        DisclosurePolicy(cost="area")
    with pytest.raises(ListeningError, match="two publication groups"):
        DisclosurePolicy(groups={"g": {"x": ("a",), "y": ("a",)}})
    assert np.isclose(DisclosurePolicy(cost="log").cost_of(np.e - 1), 1.0)
