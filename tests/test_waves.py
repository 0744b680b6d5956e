"""The two synthetic waves: what is planted, what stays, and that the files are reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import listening as yl
from listening.ingest import synthetic, synthetic_waves
from listening.ingest.codebook import load_codebook
from listening.paths import SAMPLE_DIR

WAVE = SAMPLE_DIR / "wave2024"
KEYS = ["question", "category", "kind", "group_var", "group"]


@pytest.fixture(scope="module")
def truths() -> pd.DataFrame:
    after = pd.read_csv(SAMPLE_DIR / "population_truth.csv", keep_default_na=False)
    before = pd.read_csv(WAVE / "population_truth.csv", keep_default_na=False)
    before["question"] = before["question"].replace({"places_to_go": "good_places"})
    before.loc[before["question"] == "trusted_adult", "category"] = before["category"].replace(
        {"Unsure": "Not sure"}
    )
    merged = after.merge(before, on=KEYS, suffixes=("_after", "_before"), validate="1:1")
    merged["change"] = merged["proportion_after"] - merged["proportion_before"]
    return merged


def test_the_bundled_2024_files_are_exactly_the_generator_output(tmp_path):
    assert synthetic.main(["--out", str(tmp_path), "--waves"]) == 0
    for name in ("responses.csv", "population_truth.csv"):
        assert (tmp_path / "wave2024" / name).read_bytes() == (WAVE / name).read_bytes()
    # and the 2025 wave (the bundled sample) is untouched by the second wave
    assert (tmp_path / "responses.csv").read_bytes() == (SAMPLE_DIR / "responses.csv").read_bytes()


def test_load_sample_is_unchanged_and_the_sibling_reads_the_2024_wave():
    after, before = yl.load_sample(), yl.load_sample_2024()
    assert after.codebook.title == "Serious Violence Youth Listening Project"
    assert (len(after.data), len(after.rejected)) == (1718, 7)
    assert before.codebook.title.endswith("2024")
    assert len(before.rejected) == 0 and len(before.data) > 1500
    assert before.n_read == len(before.data)


def test_true_changes_are_planted_where_the_story_says_and_nowhere_else(truths):
    moved = truths[truths["change"].abs() > 1e-12]
    assert set(moved["question"]) == {"safe_dark", "seen_knife"}
    districts = moved[moved["group_var"] == "district"]
    assert set(zip(districts["question"], districts["group"], strict=True)) == {
        ("safe_dark", "Peterborough"),
        ("seen_knife", "Fenland"),
    }
    row = truths.set_index(KEYS).loc[("safe_dark", "Feel safe", "net", "district", "Peterborough")]
    assert 0.10 < row["change"] < 0.13  # feeling safe after dark up about 12 points
    knife = truths.set_index(KEYS).loc[("seen_knife", "Yes", "option", "district", "Fenland")]
    assert -0.04 < knife["change"] < -0.01  # knife-carrying seen down a little
    # the same people in both waves, the same item non-response
    assert (truths["base_after"] == truths["base_before"]).all()


def test_the_questionnaire_changes_between_the_waves():
    after, before = load_codebook(), load_codebook(WAVE / "codebook.yaml")
    assert set(after.questions) - set(before.questions) == {"safe_online", "good_places"}
    assert set(before.questions) - set(after.questions) == {"places_to_go"}
    assert before.question("trusted_adult").options == ("Yes", "No", "Unsure")
    assert before.question("places_to_go").options == after.question("good_places").options
    mapping = yl.load_harmonisation()
    assert mapping.resolve("good_places", after, before) == ("places_to_go", {})
    assert mapping.resolve("trusted_adult", after, before) == (
        "trusted_adult",
        {"Unsure": "Not sure"},
    )
    for name in set(after.questions) & set(before.questions):
        mapping.resolve(name, after, before)  # every other shared question is the same


def test_each_wave_has_its_own_schools_and_response_bias():
    after, before = yl.load_sample().data, yl.load_sample_2024().data
    only_after = set(after["school"]) - set(before["school"])
    only_before = set(before["school"]) - set(after["school"])
    assert only_after and only_before  # schools that took part in one wave only
    share = {
        name: data["age_band"].eq("16-18").mean() for name, data in (("a", after), ("b", before))
    }
    assert share["b"] > share["a"]  # 16-18s responded relatively more in 2024
    assert synthetic_waves.BEFORE_RESPONSE["age_band"] != tuple(synthetic.RESPONSE_AGE_BAND)


def test_shifts_change_only_the_shifted_answers():
    plain = synthetic.make_population(3)
    shifted = synthetic.make_population(3, shifts={"safe_dark": (0, 0, 0, 0, 0, -1.0)})
    other = [c for c in plain.columns if c != "safe_dark"]
    pd.testing.assert_frame_equal(plain[other], shifted[other])
    changed = plain["safe_dark"].cat.codes != shifted["safe_dark"].cat.codes
    assert changed.any()
    assert (plain.loc[changed, "district"] == "Peterborough").all()
    safer = plain["safe_dark"].cat.codes.to_numpy() <= shifted["safe_dark"].cat.codes.to_numpy()
    valid = (plain["safe_dark"].cat.codes >= 0) & ~plain["safe_dark"].isin(["Don't know"])
    assert safer[valid.to_numpy()].all()  # a lower latent never makes anyone feel safer


def test_shifting_a_question_that_is_not_a_scale_is_refused():
    with pytest.raises(yl.ListeningError, match="not scale questions"):
        synthetic.make_population(3, shifts={"worries": (0,) * 6})


def test_the_before_wave_is_deterministic_by_seed():
    one = synthetic.before_wave(5)[1]
    two = synthetic.before_wave(5)[1]
    pd.testing.assert_frame_equal(one, two)
    other = synthetic.before_wave(6)[1]
    assert not np.array_equal(one["school"].astype(str), other["school"].astype(str)[: len(one)])
