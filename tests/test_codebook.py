"""The codebook loads, and every malformed codebook fails with a clear CodebookError."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.errors import CodebookError, ListeningError
from listening.ingest.codebook import (
    MAX_CODEBOOK_BYTES,
    codebook_from_dict,
    load_codebook,
    slug,
)
from listening.ingest.survey import read_survey
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


# --- Hostile and mistyped codebooks -------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every (container, key) in a parsed YAML document."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield node, key
        if isinstance(value, dict | list):
            yield from _paths(value, (*prefix, key))


@st.composite
def mistyped_codebooks(draw):
    """The bundled codebook with a few values replaced by anything YAML can hold, or removed."""
    raw = copy.deepcopy(RAW)
    for _ in range(draw(st.integers(1, 4))):
        places = list(_paths(raw))
        container, key = draw(st.sampled_from(places))
        if draw(st.booleans()) and isinstance(container, dict):
            del container[key]
        else:
            container[key] = draw(VALUES)
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mistyped_codebooks())
def test_mistyped_codebooks_raise_only_codebook_errors(raw):
    try:
        codebook_from_dict(raw, path=Path("cb.yaml"))
    except CodebookError as err:
        assert "cb.yaml" in str(err)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mistyped_codebooks())
def test_an_accepted_mistyped_codebook_reads_the_sample_or_says_why(raw):
    try:
        codebook = codebook_from_dict(raw)
    except CodebookError:
        return
    try:
        survey = read_survey(SAMPLE_DIR / "responses.csv", codebook)
    except ListeningError as err:
        assert str(err)
        return
    assert survey.n_read == len(survey.data) + len(survey.rejected)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_load_or_raise_a_codebook_error(content):
    try:
        load_codebook(content)
    except CodebookError as err:
        assert "(in memory)" in str(err)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1, *x]\n", "inside the node it names"),
        ("x: *nowhere\n", "not valid YAML"),
        ("n: " + "9" * 5000 + "\n", "not valid YAML"),
        ("[" * 40 + "]" * 40 + "\n", "deeper than 32"),
        ("!!python/object:os.system {}\n", "not valid YAML"),
        ("? [a]\n: b\n", "not valid YAML"),
    ],
)
def test_hostile_yaml_names_the_problem(text, message):
    with pytest.raises(CodebookError, match=message):
        load_codebook(text.encode())


def test_codebook_in_memory_matches_the_file():
    path = SAMPLE_DIR / "codebook.yaml"
    from_file = load_codebook(path)
    for source in (path.read_bytes(), path.read_text(encoding="utf-8"), str(path)):
        assert load_codebook(source).questions == from_file.questions


def test_codebook_over_the_size_limit_is_refused(tmp_path: Path):
    big = b"# padding\n" * (MAX_CODEBOOK_BYTES // 10 + 1)
    with pytest.raises(CodebookError, match="over the limit"):
        load_codebook(big)
    (tmp_path / "big.yaml").write_bytes(big)
    with pytest.raises(CodebookError, match="big.yaml"):
        load_codebook(tmp_path / "big.yaml")


def test_aliases_within_the_cap_still_merge():
    text = b"base: &b {type: single, options: ['Yes', 'No']}\nid_column: id\nquestions:\n"
    text += b"  - {name: id, type: id}\n  - {<<: *b, name: q1}\n  - {<<: *b, name: q2}\n"
    codebook = load_codebook(text)
    assert codebook.question("q2").options == ("Yes", "No")
