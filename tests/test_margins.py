"""Population margins: built from the ONS and Census tables, read back with validation."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import listening as yl
from app_pages.settings import MIN_BASE
from listening.design.margins import (
    MARGINS_FILE,
    UNKNOWN_SEX_MIN_COUNT,
    FewUnknownSexError,
    build_margins,
    load_margins,
    read_margins,
    with_unknown_sex,
)
from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError, MarginsError
from listening.explorer.views import composition
from listening.paths import SAMPLE_DIR

MYE = pd.read_csv(SAMPLE_DIR / "ons_mye2020_age11_18_by_district.csv")
CENSUS = pd.read_csv(SAMPLE_DIR / "census2021_under20_sex_by_district.csv").set_index("district")
BANDS = {11: "11-13", 12: "11-13", 13: "11-13", 14: "14-15", 15: "14-15"}
DISTRICT_TOTALS = MYE.groupby("district")["persons"].sum()


def test_age_margin_equals_ons_sums():
    expected = (
        MYE.assign(age_band=MYE["age"].map(BANDS).fillna("16-18"))
        .groupby(["district", "age_band"])["persons"]
        .sum()
    )
    by_age = load_margins()[0].set_index(["district", "age_band"])["population"]
    assert len(by_age) == 18
    pd.testing.assert_series_equal(
        by_age.sort_index(), expected.sort_index().astype(float), check_names=False
    )


def test_sex_margin_splits_each_district_by_census_ratio():
    by_sex = load_margins()[1]
    assert set(by_sex["sex"]) == {"Female", "Male"}
    totals = by_sex.groupby("district")["population"].sum()
    pd.testing.assert_series_equal(
        totals.sort_index(), DISTRICT_TOTALS.sort_index().astype(float), check_names=False
    )
    female = by_sex[by_sex["sex"] == "Female"].set_index("district")["population"]
    ratio = CENSUS["females_under20"] / (CENSUS["females_under20"] + CENSUS["males_under20"])
    gap = (female - DISTRICT_TOTALS * ratio).abs()
    assert (gap <= 0.5).all()


def test_committed_file_is_what_build_margins_makes():
    committed = pd.read_csv(MARGINS_FILE, keep_default_na=False, dtype={"population": int})
    built = build_margins().astype({"age_band": str, "sex": str}).fillna("")
    built = built.replace({"nan": ""})
    pd.testing.assert_frame_equal(committed, built.astype(committed.dtypes.to_dict()))


def _sample(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [(d, s) for (d, s), n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["district", "sex"])


def test_survey_gives_not_known_class_the_surveys_unweighted_share():
    data = _sample(
        {
            ("Fenland", "Female"): 20,
            ("Fenland", "Male"): 15,
            ("Fenland", "Not known"): 6,
            ("Cambridge", "Female"): 24,
            ("Peterborough", "Not known"): 5,
            ("Peterborough", "Male"): 30,
        }
    )
    data.loc[len(data)] = ["Cambridge", None]  # missing sex is not counted
    share = 11 / 100  # the survey's share, not Fenland's 6/41 nor Peterborough's 5/35
    plain = load_margins()[1].set_index(["district", "sex"])["population"]
    for survey in (data, SimpleNamespace(data=data)):
        by_age, by_sex = load_margins(survey)
        pd.testing.assert_frame_equal(by_age, load_margins()[0])
        pop = by_sex.set_index(["district", "sex"])["population"]
        for district in ("Fenland", "Peterborough"):
            total = DISTRICT_TOTALS[district]
            assert pop[(district, "Not known")] == pytest.approx(total * share)
            for sex in ("Female", "Male"):
                assert pop[(district, sex)] == pytest.approx(plain[(district, sex)] * (1 - share))
        assert ("Cambridge", "Not known") not in pop.index
        assert pop[("Cambridge", "Female")] == plain[("Cambridge", "Female")]
        totals = by_sex.groupby("district")["population"].sum()
        assert totals.to_dict() == pytest.approx(DISTRICT_TOTALS.astype(float).to_dict())


def _per_district_targets(margin: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """The old rule, for the control: each district's own share of "Not known"."""
    share = (data["sex"] == "Not known").groupby(data["district"], observed=True).mean()
    part = margin["district"].map(share).astype(float).to_numpy()
    known = margin.assign(population=margin["population"] * (1 - part))
    totals = margin.groupby("district", sort=False)["population"].sum()
    unknown = pd.DataFrame(
        {"district": totals.index, "sex": "Not known", "population": totals * share[totals.index]}
    )
    return pd.concat([known, unknown], ignore_index=True)


def _moved(data: pd.DataFrame, source: str, target: str) -> pd.DataFrame:
    """One "Not known" respondent fewer in ``source``, one more in ``target``.

    A girl in ``target`` and a "Not known" respondent in ``source`` swap sexes, so the
    survey's count and every district's respondents stay the same."""
    out = data.copy()
    unknown = out.index[(out["district"] == source) & (out["sex"] == "Not known")][0]
    girl = out.index[(out["district"] == target) & (out["sex"] == "Female")][0]
    out.loc[unknown, "sex"], out.loc[girl, "sex"] = "Female", "Not known"
    return out


def _published(data: pd.DataFrame, margins: list[pd.DataFrame]) -> pd.DataFrame:
    """What Who took part and the tables publish from the weights: the Sex table's
    weighted and population shares and the weighted base of every district x sex."""
    weights = SurveyDesign(data).rake(margins).weights
    shares = composition(data, weights, margins, "sex").set_index("category")
    bases = weights.groupby([data["district"], data["sex"]], observed=True).sum()
    return pd.concat([shares["weighted"], shares["population"], bases])


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return yl.load_sample().data


def test_published_figures_do_not_depend_on_where_not_known_respondents_are(bundled):
    moved = _moved(bundled, "Fenland", "East Cambridgeshire")  # Fenland 4 -> 3, EC 9 -> 10
    counts = {
        name: (frame["sex"] == "Not known").groupby(frame["district"], observed=True).sum()
        for name, frame in (("before", bundled), ("after", moved))
    }
    assert counts["before"].sum() == counts["after"].sum()
    assert counts["before"]["Fenland"] - 1 == counts["after"]["Fenland"] > 0
    before = with_unknown_sex(load_margins(), bundled)
    after = with_unknown_sex(load_margins(), moved)
    for one, other in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(one, other)
    pd.testing.assert_series_equal(_published(bundled, before), _published(moved, after))
    # Control: the old per-district rule's targets, and so its figures, did move.
    old_before = [before[0], _per_district_targets(load_margins()[1], bundled)]
    old_after = [after[0], _per_district_targets(load_margins()[1], moved)]
    assert not old_before[1]["population"].equals(old_after[1]["population"])
    gap = (_published(bundled, old_before) - _published(moved, old_after)).abs()
    assert gap["Not known"].max() > 1e-4  # the Sex table's weighted and population shares


def test_few_not_known_respondents_are_refused_unless_the_margins_size_them(tmp_path):
    data = _sample(
        {("Fenland", "Female"): 30, ("Fenland", "Male"): 30, ("Fenland", "Not known"): 4}
    )
    with pytest.raises(FewUnknownSexError) as caught:
        load_margins(data)
    message = str(caught.value)
    for fragment in ("fewer than 10", "'Not known'", "'district x sex'", "margins file"):
        assert fragment in message
    assert "4" not in message  # the count is not repeated
    assert isinstance(caught.value, MarginsError)
    text = _bundled_text().replace(
        "district x sex,Fenland,,Male,4338",
        "district x sex,Fenland,,Male,4238\ndistrict x sex,Fenland,,Not known,100",
    )
    assert "Not known,100" in text
    by_sex = read_margins(_write(tmp_path, text), data)[1]
    fenland = by_sex[by_sex["district"] == "Fenland"].set_index("sex")["population"]
    assert fenland.to_dict() == {"Female": 4133.0, "Male": 4238.0, "Not known": 100.0}
    none_unknown = data[data["sex"] != "Not known"]
    for got, plain in zip(load_margins(none_unknown), load_margins(), strict=True):
        pd.testing.assert_frame_equal(got, plain)


def test_unknown_sex_threshold_is_the_default_minimum_base():
    default = inspect.signature(yl.crosstab).parameters["min_base"].default
    assert UNKNOWN_SEX_MIN_COUNT == default == MIN_BASE
    data = _sample({("Fenland", "Female"): 50, ("Fenland", "Not known"): UNKNOWN_SEX_MIN_COUNT})
    unknown = load_margins(data)[1].set_index(["district", "sex"])["population"]
    assert unknown[("Fenland", "Not known")] == pytest.approx(DISTRICT_TOTALS["Fenland"] / 6)
    with pytest.raises(FewUnknownSexError):
        load_margins(data.iloc[:-1])  # 9 "Not known"


def test_survey_without_sex_column_is_refused():
    with pytest.raises(MarginsError, match="sex"):
        load_margins(pd.DataFrame({"district": ["Fenland"]}))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "margins.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _bundled_text() -> str:
    return MARGINS_FILE.read_text(encoding="utf-8")


def test_read_margins_accepts_ons_codes_and_matches_bundled(tmp_path):
    text = _bundled_text().replace("Fenland", "E07000010")
    margins = read_margins(_write(tmp_path, text))
    for got, want in zip(margins, load_margins(), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "district x sex,Fenland,,Male,4338",
            "district x sex,Fenland,,Male,lots",
            ["line 25", "'population'", "'lots'", "not a number"],
        ),
        (
            "district x sex,Fenland,,Male,4338",
            "district x sex,Fenland,,Male,-4338",
            ["line 25", "'population'", "'-4338'", "positive"],
        ),
        (
            "district x age_band,Cambridge,11-13,,4092",
            "district by age,Cambridge,11-13,,4092",
            ["line 2", "'margin'", "'district by age'", "'district x age_band'"],
        ),
        (
            "district x age_band,Cambridge,11-13,,4092",
            "district x age_band,Cambridge,11-12,,4092",
            ["line 2", "'age_band'", "'11-12'", "'11-13'"],
        ),
        (
            "district x sex,Fenland,,Male,4338",
            "district x sex,Fenland,16-18,Male,4338",
            ["line 25", "'age_band'", "'16-18'", "leave the cell blank"],
        ),
        (
            "district x sex,Fenland,,Male,4338",
            "district x sex,Fenland,,Female,4338",
            ["line 24", "line 25", "repeats", "Fenland"],
        ),
        (
            "district x sex,Fenland,,Male,4338",
            "district x sex,Fenland,,Male,4400",
            ["'district x age_band'", "'district x sex'", "Fenland", "8,471", "8,533"],
        ),
    ],
)
def test_read_margins_names_file_line_column_and_value(tmp_path, old, new, expected):
    text = _bundled_text()
    assert old in text
    path = _write(tmp_path, text.replace(old, new))
    with pytest.raises(MarginsError) as caught:
        read_margins(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert isinstance(caught.value, ListeningError)


def test_read_margins_collects_every_problem_but_shows_ten(tmp_path):
    lines = _bundled_text().splitlines()
    broken = [lines[0]] + [line.rsplit(",", 1)[0] + ",x" for line in lines[1:]]
    with pytest.raises(MarginsError) as caught:
        read_margins(_write(tmp_path, "\n".join(broken)))
    message = str(caught.value)
    assert "30 problem(s)" in message
    assert "and 20 more" in message


def test_read_margins_missing_file_and_columns(tmp_path):
    with pytest.raises(MarginsError, match="does not exist"):
        read_margins(tmp_path / "nowhere.csv")
    text = "margin,district,sex,population\ndistrict x age_band,Cambridge,,4092\n"
    with pytest.raises(MarginsError, match="age_band"):
        read_margins(_write(tmp_path, text))
    with pytest.raises(MarginsError, match="population"):
        read_margins(_write(tmp_path, "margin,district\ndistrict x sex,Fenland\n"))
