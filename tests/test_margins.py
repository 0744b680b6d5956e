"""Population margins: built from the ONS and Census tables, read back with validation."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from listening.design.margins import MARGINS_FILE, build_margins, load_margins, read_margins
from listening.errors import ListeningError, MarginsError
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


def test_survey_gives_not_known_class_its_unweighted_share():
    data = _sample(
        {
            ("Fenland", "Female"): 5,
            ("Fenland", "Male"): 3,
            ("Fenland", "Not known"): 2,
            ("Cambridge", "Female"): 4,
            ("Peterborough", "Not known"): 1,
            ("Peterborough", "Male"): 3,
        }
    )
    data.loc[len(data)] = ["Cambridge", None]  # missing sex is not counted
    plain = load_margins()[1].set_index(["district", "sex"])["population"]
    for survey in (data, SimpleNamespace(data=data)):
        by_age, by_sex = load_margins(survey)
        pd.testing.assert_frame_equal(by_age, load_margins()[0])
        pop = by_sex.set_index(["district", "sex"])["population"]
        for district, share in (("Fenland", 0.2), ("Peterborough", 0.25)):
            total = DISTRICT_TOTALS[district]
            assert pop[(district, "Not known")] == pytest.approx(total * share)
            for sex in ("Female", "Male"):
                assert pop[(district, sex)] == pytest.approx(plain[(district, sex)] * (1 - share))
        assert ("Cambridge", "Not known") not in pop.index
        assert pop[("Cambridge", "Female")] == plain[("Cambridge", "Female")]
        totals = by_sex.groupby("district")["population"].sum()
        assert totals.to_dict() == pytest.approx(DISTRICT_TOTALS.astype(float).to_dict())


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
