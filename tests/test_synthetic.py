"""The synthetic population, its school-survey sample, the export layout and the truth."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import listening as yl
from listening.errors import ListeningError
from listening.ingest.codebook import load_codebook
from listening.ingest.synthetic import (
    DEFAULT_SEED,
    INSERTED,
    MESSY,
    analysis_frame,
    draw_sample,
    export_responses,
    main,
    make_population,
    make_responses,
    population_truth,
)
from listening.ingest.synthetic_population import PHRASES
from listening.paths import SAMPLE_DIR

CODEBOOK = load_codebook()
MYE = pd.read_csv(SAMPLE_DIR / "ons_mye2020_age11_18_by_district.csv")
CENSUS = pd.read_csv(SAMPLE_DIR / "census2021_under20_sex_by_district.csv")


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return make_population(DEFAULT_SEED)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("default")
    assert main(["--seed", str(DEFAULT_SEED), "--out", str(folder)]) == 0
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_same_seed_same_bytes_and_committed_files_are_its_output(written, tmp_path):
    assert main(["--seed", str(DEFAULT_SEED), "--out", str(tmp_path)]) == 0
    for name in ("responses.csv", "population_truth.csv"):
        assert (tmp_path / name).read_bytes() == written[name]
        assert (SAMPLE_DIR / name).read_bytes() == written[name], f"regenerate {name}"


def test_another_seed_gives_other_files(written, tmp_path):
    assert main(["--seed", str(DEFAULT_SEED + 1), "--out", str(tmp_path)]) == 0
    for name in ("responses.csv", "population_truth.csv"):
        assert (tmp_path / name).read_bytes() != written[name]


def test_population_matches_ons_counts_exactly(population):
    got = population.groupby([population["district"].astype(str), "age"]).size()
    want = MYE.set_index(["district", "age"])["persons"]
    assert got.to_dict() == want.to_dict()


def test_sex_follows_census_under20_ratio_per_district(population):
    females = (population["census_sex"] == "Female").groupby(population["district"]).sum()
    sizes = population.groupby("district", observed=True).size()
    ratio = CENSUS.set_index("district")
    share = ratio["females_under20"] / (ratio["females_under20"] + ratio["males_under20"])
    assert ((females - sizes * share).abs() <= 0.5).all()


def test_gender_answers_and_derived_sex(population):
    shares = population["gender"].value_counts(normalize=True)
    assert 0.01 < shares["Describe another way"] < 0.03
    assert 0.01 < shares["Prefer not to say"] < 0.03
    expected = population["gender"].map({"Girl": "Female", "Boy": "Male"}).fillna("Not known")
    assert (population["sex"].astype(str) == expected.astype(str)).all()
    girls = population["gender"] == "Girl"
    assert (population.loc[girls, "census_sex"] == "Female").all()


def test_schools_nested_in_districts_with_sixth_forms_and_colleges(population):
    per_school = population.groupby("school", observed=True)["district"].nunique()
    assert (per_school == 1).all()
    for code, district in population.groupby("school", observed=True)["district"].first().items():
        prefix = {"Cambridge": "CAM", "Fenland": "FEN", "Peterborough": "PET"}.get(district)
        assert re.fullmatch(r"[A-Z]{3}\d{2}", code)
        assert prefix is None or code.startswith(prefix)
    ages = population.groupby("school_type", observed=True)["age"].agg(["min", "max"])
    assert ages.loc["college", "min"] >= 16
    assert ages.loc["11-16", "max"] <= 16
    assert ages.loc["11-18", "max"] == 18
    assert (population.groupby("district", observed=True)["school"].nunique() >= 5).all()


def _truth(truth: pd.DataFrame, question: str, category: str, group: str = "All") -> float:
    row = truth[
        (truth["question"] == question)
        & (truth["category"] == category)
        & (truth["group"] == group)
    ]
    assert len(row) == 1
    return float(row["proportion"].iloc[0])


@pytest.fixture(scope="module")
def truth(population) -> pd.DataFrame:
    return population_truth(population)


def test_realistic_marginals_and_effects(truth):
    assert 0.85 < _truth(truth, "safe_day", "Feel safe") < 0.95
    assert 0.50 < _truth(truth, "safe_dark", "Feel safe") < 0.62
    assert _truth(truth, "safe_dark", "Feel safe", "Girl") < _truth(
        truth, "safe_dark", "Feel safe", "Boy"
    )
    assert _truth(truth, "safe_dark", "Feel safe", "16-18") < _truth(
        truth, "safe_dark", "Feel safe", "11-13"
    )
    for district in ("Fenland", "Peterborough"):
        assert _truth(truth, "safe_town", "Feel safe", district) + 0.05 < _truth(
            truth, "safe_town", "Feel safe", "South Cambridgeshire"
        )
    assert 0.05 < _truth(truth, "seen_knife", "Yes") < 0.3


def test_truth_agrees_with_a_direct_count(population, truth):
    valid = population["safe_dark"].isin(CODEBOOK.question("safe_dark").options)
    answers = population.loc[valid, "safe_dark"].astype(str)
    direct = answers.isin(["Fairly unsafe", "Very unsafe"]).groupby(
        population.loc[valid, "district"].astype(str)
    )
    rows = truth[
        (truth["question"] == "safe_dark")
        & (truth["category"] == "Feel unsafe")
        & (truth["group_var"] == "district")
    ].set_index("group")
    pd.testing.assert_series_equal(
        rows["proportion"].sort_index(), direct.mean().sort_index(), check_names=False
    )
    assert (rows["base"].sort_index() == direct.size().sort_index()).all()


def test_truth_options_sum_to_one_and_nets_add_up(truth):
    single = truth[truth["question"].isin([q.name for q in CODEBOOK.of_type("single")])]
    options = single[single["kind"] == "option"]
    sums = options.groupby(["question", "group_var", "group"])["proportion"].sum()
    assert np.allclose(sums, 1.0)
    assert (truth["proportion"] == truth["population"] / truth["base"]).all()
    net = _truth(truth, "trust_police", "Trust the police", "Fenland")
    parts = [_truth(truth, "trust_police", o, "Fenland") for o in ("A lot", "A little")]
    assert net == pytest.approx(sum(parts))
    assert set(truth["group_var"]) == {"All", "district", "age_band", "gender"}
    assert "Prefer not to say" not in set(truth["category"])


def test_item_nonresponse_and_missing_codes(population):
    dark = population["safe_dark"]
    assert 0.02 < (dark == "Don't know").mean() < 0.06
    assert 0.003 < dark.isna().mean() < 0.03
    assert 0.08 < (population["trust_police"] == "Don't know").mean() < 0.2
    assert 0.01 < population["worries__knife_crime"].isna().mean() < 0.08


def test_multi_select_exclusive_and_correlated(population):
    columns = list(CODEBOOK.question("worries").option_columns.values())
    ticks = population[columns].fillna(False).astype(bool)
    none = ticks["worries__none_of_these"]
    assert not (none & ticks.drop(columns="worries__none_of_these").any(axis=1)).any()
    answered = population[columns[0]].notna()
    assert (ticks[answered].any(axis=1)).all()
    knife, gangs = ticks["worries__knife_crime"], ticks["worries__gangs"]
    assert gangs[knife].mean() > 1.5 * gangs[~knife].mean()


def test_free_text_uses_coding_frame_and_holds_personal_details(population):
    frame = CODEBOOK.question("safer_text").coding_frame
    for theme, phrases in PHRASES.items():
        for phrase in phrases:
            hits = [t for t, words in frame.items() if any(w in phrase.lower() for w in words)]
            assert (theme in hits) if theme else not hits, (theme, phrase, hits)
    text = population["safer_text"]
    assert 0.3 < text.isna().mean() < 0.6
    written = text.dropna()
    assert written.str.contains(r"@example\.(?:com|org)").any()
    assert written.str.contains(r"07700 ?900").any()
    assert written.str.contains("Jamie Smith").any()
    assert written.nunique() > 500


def test_sample_shows_the_designed_biases(population):
    pop = {
        "female": (population["sex"] == "Female").mean(),
        "fenland": (population["district"] == "Fenland").mean(),
        "older": (population["age_band"] == "16-18").mean(),
    }
    draws = [draw_sample(population, seed) for seed in range(20)]
    got = {
        "female": np.mean([(s["sex"] == "Female").mean() for s in draws]),
        "fenland": np.mean([(s["district"] == "Fenland").mean() for s in draws]),
        "older": np.mean([(s["age_band"] == "16-18").mean() for s in draws]),
    }
    assert got["female"] > pop["female"] + 0.03
    assert got["fenland"] < 0.8 * pop["fenland"]
    assert got["older"] < 0.7 * pop["older"]
    sizes = [len(s) for s in draws]
    assert 1550 < np.mean(sizes) < 1850


def test_draw_sample_design(population):
    sample = draw_sample(population, 3, n_schools=[2, 3, 4, 5, 6, 7])
    schools = sample.groupby("district", observed=True)["school"].nunique()
    assert schools.tolist() == [2, 3, 4, 5, 6, 7]
    assert sample["respondent_id"].is_unique
    assert sample["respondent_id"].iloc[0] == "YL00001"
    again = draw_sample(population, 3, n_schools=[2, 3, 4, 5, 6, 7])
    pd.testing.assert_frame_equal(sample, again)
    assert not draw_sample(population, 4).equals(draw_sample(population, 5))
    with pytest.raises(ListeningError, match="one per district"):
        draw_sample(population, 3, n_schools=[1, 2])


def test_analysis_frame_is_what_ingest_reads_from_the_export(population, tmp_path):
    sample = draw_sample(population, 11)
    path = tmp_path / "responses.csv"
    export_responses(sample).to_csv(path, index=False)
    survey = yl.read_survey(path, CODEBOOK)
    assert survey.rejected.empty
    expected = analysis_frame(sample)
    got = survey.data.reset_index(drop=True)[list(expected.columns)]
    pd.testing.assert_frame_equal(got, expected)


def test_export_layout():
    out = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)
    safer = list(CODEBOOK.question("safer_options").option_columns.values())
    assert list(out.columns[:8]) == [
        "respondent_id",
        "consent",
        "age",
        "school_year",
        "gender",
        "district",
        "school",
        "ethnicity",
    ]
    assert "worries" in out and set(safer) <= set(out.columns)
    assert out["worries"].str.contains("; ").any()
    assert set(out[safer].stack()) == {"0", "1", ""}
    assert out["respondent_id"].iloc[0] == "YL00001"


def test_committed_sample_has_its_dirty_rows():
    raw = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)

    def cell(row: int, column: str) -> str:  # row: 1-based data row, as in the README
        return raw.loc[row - 1, column]

    assert cell(50, "age") == "10" and cell(100, "age") == "19"
    assert cell(150, "consent") == "No" and cell(150, "safe_day") == ""
    assert raw.loc[199].equals(raw.loc[198])
    assert cell(250, "district") == "Fenlnd"
    assert (raw.loc[299] == "").all()
    assert cell(350, "safe_town") == "Quite safe"
    assert cell(15, "district") != cell(15, "district").strip()
    assert cell(45, "district").isupper()
    assert re.fullmatch(r"E0\d{7}", cell(75, "district"))
    assert re.fullmatch(r"y\d{1,2}", cell(105, "school_year"))
    assert re.fullmatch(r"Y\d{1,2}", cell(135, "school_year"))
    assert cell(165, "gender").isupper() and cell(195, "gender") != cell(195, "gender").strip()
    assert cell(225, "consent") == "Y"

    survey = yl.load_sample()
    assert sorted(survey.rejected["row"]) == sorted(INSERTED)
    assert set(MESSY) <= set(survey.data.index)
    assert 1600 < len(survey.data) < 1800


def test_make_responses_reads_back_cleanly(tmp_path):
    big = make_responses(3000, seed=5)
    assert len(big) == 3000 and big["respondent_id"].is_unique
    assert list(big.columns) == list(pd.read_csv(SAMPLE_DIR / "responses.csv", nrows=1).columns)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    survey = yl.read_survey(path, CODEBOOK)
    assert survey.rejected.empty and len(survey.data) == 3000
    pd.testing.assert_frame_equal(big, make_responses(3000, seed=5))
