"""The codebook loads, and every malformed codebook fails with a clear CodebookError."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from listening.errors import CodebookError, ListeningError
from listening.ingest.codebook import codebook_from_dict, load_codebook, slug
from listening.paths import SAMPLE_DIR

RAW = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))


def test_bundled_codebook_describes_the_questionnaire():
    cb = load_codebook()
    assert cb.id_column == "respondent_id"
    for column in ("respondent_id", "consent", "age", "school_year", "gender", "district"):
        assert column in cb.questions
    assert list(cb.districts) == [
        "Cambridge",
        "East Cambridgeshire",
        "Fenland",
        "Huntingdonshire",
        "South Cambridgeshire",
        "Peterborough",
    ]
    assert cb.districts["Peterborough"] == "E06000031"
    assert (cb.age_min, cb.age_max) == (11, 18)
    assert (cb.strata, cb.clusters) == ("district", "school")
    safety = [q for q in cb.questions.values() if q.name.startswith("safe_")]
    assert len(safety) == 6
    for question in safety:
        assert question.ordered
        assert question.missing == ("Don't know",)
        assert set(question.nets) == {"Feel safe", "Feel unsafe"}
        assert question.wording.startswith("How safe do you feel")
    assert cb.question("worries").exclusive == ("None of these",)
    assert "Street lighting" in cb.question("safer_text").coding_frame


def test_age_bands_cover_the_age_range_without_gaps():
    cb = load_codebook()
    ages = [age for _, low, high in cb.age_bands for age in range(low, high + 1)]
    assert ages == list(range(cb.age_min, cb.age_max + 1))


def test_option_columns_are_unique_snake_case():
    cb = load_codebook()
    for question in cb.of_type("multi"):
        columns = list(question.option_columns.values())
        assert len(set(columns)) == len(columns) == len(question.options)
        assert all(c == c.lower() and " " not in c for c in columns)


def test_slug():
    assert slug("  Don't know ") == "don_t_know"
    assert slug("CCTV") == "cctv"


def test_unknown_question_lists_known_names():
    with pytest.raises(CodebookError, match="no question 'nope'.*safe_dark"):
        load_codebook().question("nope")


def test_missing_file_names_the_path(tmp_path: Path):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(CodebookError, match="absent.yaml"):
        load_codebook(missing)


def test_invalid_yaml_is_a_codebook_error(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("questions: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="broken.yaml"):
        load_codebook(path)


def test_binary_file_is_a_codebook_error(tmp_path: Path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ListeningError):
        load_codebook(path)


def _broken(edit) -> dict:
    raw = copy.deepcopy(RAW)
    edit(raw)
    return raw


def _question(raw: dict, name: str) -> dict:
    return next(q for q in raw["questions"] if q["name"] == name)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.pop("id_column"), "'id_column' is required"),
        (lambda r: r.update(id_column="uid"), "id_column 'uid'"),
        (lambda r: r.update(questions="not a list"), "should be a list"),
        (lambda r: _question(r, "safe_day").update(type="scale"), "type 'scale'"),
        (lambda r: _question(r, "trusted_adult").pop("options"), "needs a list of options"),
        (lambda r: _question(r, "gender").update(missing=["Unknown"]), "Unknown"),
        (
            lambda r: _question(r, "good_places").update(nets={"Agree": ["Agreed"]}),
            "net 'Agree'",
        ),
        (lambda r: r["required_columns"].append("postcode"), "'postcode'"),
        (lambda r: r["questions"].append(dict(_question(r, "age"))), "appears twice"),
        (lambda r: r["design"].update(clusters="classroom"), "classroom"),
        (lambda r: r["districts"].pop(), "districts list"),
        (lambda r: r["age"]["bands"][0].update(min=14), "above max"),
        (lambda r: _question(r, "consent").update(codes={"1": "Maybe"}), "Maybe"),
        (lambda r: _question(r, "school_year").update(options=["Year 7", "year 7"]), "repeat"),
    ],
)
def test_malformed_codebook_says_what_and_where(edit, message):
    with pytest.raises(CodebookError, match=message) as info:
        codebook_from_dict(_broken(edit), path=Path("cb.yaml"))
    assert "cb.yaml" in str(info.value)
