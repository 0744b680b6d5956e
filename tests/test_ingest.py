"""read_survey: row rules, normalisation, file-level errors, report, no-codebook mode."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_ingest_support import CODEBOOK, dirty_rows, to_csv, valid_frame

import listening as yl
from listening import CodebookError, IngestError, ListeningError
from listening.ingest.codebook import codebook_from_dict
from listening.ingest.survey import Survey, read_survey


def read(frame: pd.DataFrame, tmp_path: Path, name: str = "survey.csv", **kwargs) -> Survey:
    return read_survey(to_csv(frame, tmp_path / name, **kwargs), CODEBOOK)


def reason_of(survey: Survey, row: int) -> str:
    """The reason of the rejected row with 1-based data row number ``row``."""
    match = survey.rejected.loc[survey.rejected["row"] == row, "reason"]
    assert len(match) == 1, f"row {row} not rejected: {survey.rejected[['row', 'reason']]}"
    return match.iloc[0]


def assert_invariant(survey: Survey) -> None:
    assert survey.n_read == len(survey.data) + len(survey.rejected)
    rows = sorted([*survey.data.index, *survey.rejected["row"]])
    assert rows == list(range(1, survey.n_read + 1))


# --- Valid input ---------------------------------------------------------------


def test_valid_rows_are_all_kept_and_typed(tmp_path):
    frame = valid_frame(60, seed=1)
    survey = read(frame, tmp_path)
    assert_invariant(survey)
    assert len(survey.rejected) == 0 and len(survey.data) == 60
    assert survey.data.index.tolist() == list(range(1, 61))
    for q in CODEBOOK.of_type("single"):
        column = survey.data[q.name]
        assert list(column.cat.categories) == list(q.options)
        assert column.cat.ordered == q.ordered
        as_text = frame[q.name].where(~frame[q.name].isin(q.missing))
        assert column.astype(object).where(column.notna(), None).tolist() == [
            None if pd.isna(v) else v for v in as_text
        ]
    assert survey.data["age"].dtype == "Int64"
    assert survey.data["age"].tolist() == frame["age"].astype(int).tolist()
    assert survey.data["respondent_id"].dtype == "string"
    assert survey.data["safer_text"].dtype == "string"


def test_multi_select_columns_from_both_layouts(tmp_path):
    frame = valid_frame(40, seed=2)
    data = read(frame, tmp_path).data
    worries = CODEBOOK.question("worries")
    for option, column in worries.option_columns.items():
        assert data[column].dtype == "boolean"
        expected = [option in cell.split("; ") if cell else None for cell in frame["worries"]]
        assert [None if pd.isna(v) else v for v in data[column]] == expected
    safer = CODEBOOK.question("safer_options")
    ticks = frame[list(safer.option_columns.values())] == "1"
    none_ticked = ~ticks.any(axis=1).to_numpy()
    for column in safer.option_columns.values():
        got = data[column]
        assert got.isna().to_numpy().tolist() == none_ticked.tolist()
        assert (got[~none_ticked] == ticks.loc[~none_ticked, column].to_numpy()).all()


def test_derived_age_band_and_sex(tmp_path):
    frame = valid_frame(80, seed=3)
    data = read(frame, tmp_path).data
    assert data["age_band"].cat.ordered
    assert list(data["age_band"].cat.categories) == list(CODEBOOK.age_band_labels)
    for label, low, high in CODEBOOK.age_bands:
        inside = data["age"].between(low, high).to_numpy()
        assert (data["age_band"][inside] == label).all()
    mapping = CODEBOOK.weighting["sex_map"]
    unknown = CODEBOOK.weighting["sex_unknown"]
    expected = [mapping.get(g, unknown) for g in frame["gender"]]
    assert data["sex"].astype(str).tolist() == expected
    assert list(data["sex"].cat.categories) == [*dict.fromkeys(mapping.values()), unknown]


def test_missing_codes_are_na_and_counted_in_report(tmp_path):
    frame = valid_frame(50, seed=4)
    survey = read(frame, tmp_path)
    nonresponse = survey.report().nonresponse.set_index("question")
    for q in CODEBOOK.of_type("single"):
        for code in q.missing:
            assert nonresponse.loc[q.name, code] == (frame[q.name] == code).sum()
        assert nonresponse.loc[q.name, "answered"] == survey.data[q.name].notna().sum()
    blank_worries = (frame["worries"] == "").sum()
    assert nonresponse.loc["worries", "blank"] == blank_worries


def test_design_uses_the_codebook_strata_and_clusters(tmp_path):
    survey = read(valid_frame(40, seed=16), tmp_path)
    design = yl.SurveyDesign.from_survey(survey)
    assert (design.strata, design.clusters) == (CODEBOOK.strata, CODEBOOK.clusters)
    assert design.weights.index.equals(survey.data.index)
    assert yl.SurveyDesign.from_survey(survey, clusters=None).clusters is None


# --- Messy but valid -------------------------------------------------------------


def messy(frame: pd.DataFrame) -> pd.DataFrame:
    """The same answers written the untidy ways exports and people write them."""
    out = frame.copy()
    singles = [q.name for q in CODEBOOK.of_type("single")]
    for i, name in enumerate(singles):
        variants = [
            lambda v: f"  {v.upper()} ",
            lambda v: v.lower().replace(" ", "   "),
            lambda v: v.replace("'", "\u2019"),
            lambda v: f"\t{v}\u00a0",
        ]
        out[name] = [variants[(i + k) % 4](v) if v else v for k, v in enumerate(out[name])]
    district_codes = {name: code for name, code in CODEBOOK.districts.items()}
    out.loc[::3, "district"] = frame.loc[::3, "district"].map(district_codes)
    out.loc[::2, "school_year"] = frame.loc[::2, "school_year"].str.replace("Year ", "y")
    out.loc[::2, "consent"] = "Y"
    out.loc[1::2, "consent"] = "1"
    out["age"] = [f" {a}.0" if k % 2 else f"{a} " for k, a in enumerate(frame["age"])]
    out["worries"] = [
        v.replace("; ", " | ").lower() if k % 2 else v.replace("; ", ",")
        for k, v in enumerate(frame["worries"])
    ]
    safer = list(CODEBOOK.question("safer_options").option_columns.items())
    for j, (option, column) in enumerate(safer):
        yes, no = [("Yes", "No"), ("TRUE", "false"), (option, ""), ("1.0", "0.0")][j % 4]
        out[column] = [yes if v == "1" else no for v in frame[column]]
    out["respondent_id"] = " " + frame["respondent_id"] + "  "
    return out.rename(columns={"respondent_id": "Respondent_ID", "age": " AGE "})


def test_messy_cells_normalise_to_the_clean_answers(tmp_path):
    frame = valid_frame(120, seed=5)
    clean = read(frame, tmp_path, "clean.csv")
    untidy = read(messy(frame), tmp_path, "messy.csv")
    assert len(untidy.rejected) == 0, untidy.rejected["reason"].tolist()
    pd.testing.assert_frame_equal(untidy.data, clean.data)


def test_ons_codes_and_codebook_codes_map_to_labels(tmp_path):
    frame = valid_frame(6, seed=6)
    names = list(CODEBOOK.districts)
    frame["district"] = [CODEBOOK.districts[n] for n in names]
    data = read(frame, tmp_path).data
    assert data["district"].astype(str).tolist() == names


def test_district_codes_from_the_districts_list(tmp_path):
    book = codebook_from_dict(
        {
            "id_column": "id",
            "district_column": "area",
            "districts": [{"name": "North", "code": "E01"}, {"name": "South", "code": "E02"}],
            "questions": [
                {"name": "id", "type": "id"},
                {"name": "area", "type": "single", "options": ["North", "South"]},
            ],
        }
    )
    path = tmp_path / "areas.csv"
    path.write_text("id,area\nA,e02\nB,North\nC,E03\n")
    survey = read_survey(path, book)
    assert survey.data["area"].astype(str).tolist() == ["South", "North"]
    assert "area: 'E03' is not a district" in survey.rejected["reason"].iloc[0]


def test_multi_select_missing_code_is_counted_not_answered(tmp_path):
    book = codebook_from_dict(
        {
            "id_column": "id",
            "questions": [
                {"name": "id", "type": "id"},
                {
                    "name": "fears",
                    "type": "multi",
                    "options": ["Dark", "Gangs", "Don't know"],
                    "missing": ["Don't know"],
                },
            ],
        }
    )
    path = tmp_path / "fears.csv"
    path.write_text("id,fears\nA,Dark|gangs\nB,don't know\nC,\n")
    survey = read_survey(path, book)
    assert list(survey.data.columns) == ["id", "fears__dark", "fears__gangs"]
    assert survey.data["fears__dark"].tolist() == [True, pd.NA, pd.NA]
    row = survey.report().nonresponse.set_index("question").loc["fears"]
    assert (row["answered"], row["blank"], row["Don't know"]) == (1, 1, 1)


# --- Row rules: every reason ---------------------------------------------------------


@pytest.fixture
def dirty(tmp_path) -> tuple[pd.DataFrame, Survey]:
    frame = dirty_rows(valid_frame(30, seed=7))
    return frame, read(frame, tmp_path)


def test_dirty_rows_rejected_and_rest_kept(dirty):
    frame, survey = dirty
    assert_invariant(survey)
    assert sorted(survey.rejected["row"]) == [2, 3, 4, 5, 6, 7, 8]
    rejected = survey.rejected.set_index("row")
    for column in frame.columns:
        assert rejected[column].tolist() == frame.loc[rejected.index - 1, column].tolist()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (2, "age: 10 is outside 11-18"),
        (3, "age: 19 is outside 11-18"),
        (4, "consent: 'No' is not 'Yes'"),
        (5, "respondent_id: 'YL00001' repeats the id of row 1"),
        (6, "district: 'Fenlnd' is not a district (known: Cambridge, East Cambridgeshire"),
        (7, "row is entirely blank"),
        (8, "safe_dark: 'Scary' is not an option (known: Very safe"),
    ],
)
def test_each_reason_names_column_and_value(dirty, row, expected):
    assert expected in reason_of(dirty[1], row)


def test_report_counts_rules_without_values(dirty):
    _, survey = dirty
    report = survey.report()
    reasons = report.reasons.set_index(["rule", "column"])["rows"]
    assert reasons[("age out of range", "age")] == 2
    assert reasons[("duplicate id", "respondent_id")] == 1
    assert reasons[("blank row", "")] == 1
    text, page = str(report), report._repr_html_()
    for value in ("Fenlnd", "Scary", "YL00001"):
        assert value not in text and value not in page
        for table in report.to_frames().values():
            assert not table.astype(str).isin([value]).any().any()


def rule_case(tmp_path, column: str, value: str) -> str:
    frame = valid_frame(5, seed=8)
    frame.loc[2, column] = value
    survey = read(frame, tmp_path)
    assert_invariant(survey)
    assert len(survey.data) == 4
    return reason_of(survey, 3)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("age", "14.5", "age: '14.5' is not a whole number"),
        ("age", "fourteen", "age: 'fourteen' is not a whole number"),
        ("age", " ", "age: blank, but it is required"),
        ("consent", "", "consent: blank, not 'Yes'"),
        ("consent", "maybe", "consent: 'maybe' is not 'Yes'"),
        ("respondent_id", "  ", "respondent_id: missing id"),
        ("school", "", "school: blank, but it is required"),
        ("district", "", "district: blank, but it is required"),
        ("gender", "Alien", "gender: 'Alien' is not an option (known: Girl, Boy"),
        ("worries", "Gangs; Aliens", "worries: 'Aliens' is not an option"),
        ("worries", "None of these; Gangs", "worries: 'None of these' is ticked with other"),
        ("safer_options__cctv", "maybe", "safer_options__cctv: 'maybe' is not a tick"),
    ],
)
def test_rule(tmp_path, column, value, expected):
    assert expected in rule_case(tmp_path, column, value)


def test_every_broken_rule_is_named(tmp_path):
    frame = valid_frame(4, seed=9)
    frame.loc[3, ["respondent_id", "age", "consent", "district"]] = ["YL00001", "9", "No", "X"]
    reason = reason_of(read(frame, tmp_path), 4)
    for part in ("repeats the id of row 1", "age: 9 is outside", "consent: 'No'", "'X' is not"):
        assert part in reason
    assert reason.count("; ") >= 3


def test_duplicates_all_name_the_first_row(tmp_path):
    frame = valid_frame(6, seed=10)
    frame.loc[[3, 5], "respondent_id"] = frame.loc[1, "respondent_id"]
    survey = read(frame, tmp_path)
    assert 2 in survey.data.index
    for row in (4, 6):
        assert "repeats the id of row 2" in reason_of(survey, row)


def test_close_match_is_suggested(tmp_path):
    assert "did you mean 'Fenland'?" in rule_case(tmp_path, "district", "Fenlnd")


def test_ragged_row_is_rejected_with_its_extra_fields(tmp_path):
    frame = valid_frame(4, seed=11)
    path = to_csv(frame, tmp_path / "ragged.csv")
    lines = path.read_text().splitlines()
    lines[2] += ",surplus"
    lines.insert(3, "just,three,fields")
    path.write_text("\n".join(lines) + "\n")
    survey = read_survey(path, CODEBOOK)
    assert_invariant(survey)
    assert survey.n_read == 5 and len(survey.data) == 3
    assert "but the header has" in reason_of(survey, 2) and "'surplus'" in reason_of(survey, 2)
    assert "row has 3 fields" in reason_of(survey, 3)


def test_blank_trailing_fields_are_not_malformed(tmp_path):
    frame = valid_frame(3, seed=17)
    path = to_csv(frame, tmp_path / "trailing.csv")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [line + ",," for line in lines[1:]]) + "\n")
    survey = read_survey(path, CODEBOOK)
    pd.testing.assert_frame_equal(survey.data, read(frame, tmp_path).data)


def test_blank_lines_are_blank_rows(tmp_path):
    frame = valid_frame(3, seed=12)
    path = to_csv(frame, tmp_path / "gaps.csv")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", "   ", lines[2], lines[3]]) + "\n")
    survey = read_survey(path, CODEBOOK)
    assert_invariant(survey)
    assert len(survey.data) == 3
    assert survey.rejected["reason"].tolist() == ["row is entirely blank"] * 2


# --- Encodings and line endings --------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "newline", "expected"),
    [
        ("utf-8", "\n", "utf-8"),
        ("utf-8-sig", "\r\n", "utf-8"),
        ("cp1252", "\r\n", "cp1252"),
        ("latin-1", "\r", "latin-1"),
    ],
)
def test_encodings_and_line_endings(tmp_path, encoding, newline, expected):
    frame = valid_frame(30, seed=13)
    frame["safer_text"] = "Caf\u00e9 by the park"
    if encoding == "cp1252":
        frame["safe_dark"] = frame["safe_dark"].str.replace("'", "\u2019")
    if encoding == "latin-1":
        frame.loc[0, "safer_text"] = "control \x81 byte"
    reference = read(valid_frame(30, seed=13).assign(safer_text="Caf\u00e9 by the park"), tmp_path)
    survey = read(frame, tmp_path, "enc.csv", encoding=encoding, newline=newline)
    assert survey.report().encoding == expected
    assert list(survey.data.columns) == list(reference.data.columns)
    different = ["safer_text"] if encoding == "latin-1" else []
    pd.testing.assert_frame_equal(
        survey.data.drop(columns=different), reference.data.drop(columns=different)
    )


# --- Columns ------------------------------------------------------------------------------


def test_extra_columns_are_kept_aside_and_reported(tmp_path):
    frame = valid_frame(5, seed=14).assign(teacher_note=["a", "", "c", "d", "e"])
    survey = read(frame, tmp_path)
    assert "teacher_note" not in survey.data
    assert survey.extra_columns["teacher_note"].tolist() == ["a", pd.NA, "c", "d", "e"]
    assert survey.extra_columns.index.equals(survey.data.index)
    assert survey.report().extra_columns == ("teacher_note",)
    assert "teacher_note" in str(survey.report())


def test_absent_optional_question_is_all_na_and_reported(tmp_path):
    frame = valid_frame(5, seed=15).drop(columns=["safe_online", "worries"])
    survey = read(frame, tmp_path)
    assert survey.data["safe_online"].isna().all()
    assert survey.data["worries__gangs"].isna().all()
    nonresponse = survey.report().nonresponse.set_index("question")
    assert not nonresponse.loc["safe_online", "in_file"]
    assert nonresponse.loc["safe_dark", "in_file"]


# --- File-level errors ---------------------------------------------------------------------


def message(path: Path, codebook=CODEBOOK) -> str:
    with pytest.raises(IngestError) as caught:
        read_survey(path, codebook)
    return str(caught.value)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    assert str(path) in message(path) and "does not exist" in message(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "survey.txt"
    path.write_text("a,b\n1,2\n")
    text = message(path)
    assert str(path) in text and "'.txt'" in text and ".csv" in text


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"respondent_id,consent\n"])
def test_empty_files(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    text = message(path)
    assert str(path) in text and ("empty" in text or "no data rows" in text)


@pytest.mark.parametrize("suffix", [".xlsx", ".sav", ".parquet"])
def test_corrupt_binary_files(tmp_path, suffix):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    text = message(path)
    assert str(path) in text and "cannot be read" in text


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    assert "archive.xlsx" in message(path) and "cannot be read" in message(path)


def test_workbook_without_header_row(tmp_path):
    path = tmp_path / "noheader.xlsx"
    pd.DataFrame([[None, None], ["YL1", 14]]).to_excel(path, index=False, header=False)
    assert "noheader.xlsx" in message(path) and "row 1" in message(path)


def test_unhashable_parquet_cells_are_read_as_text(tmp_path):
    path = tmp_path / "nested.parquet"
    pd.DataFrame({"id": ["a", "b"], "items": [[1, 2], [3]]}).to_parquet(path)
    survey = read_survey(path)
    assert survey.data["items"].tolist() == ["[1 2]", "[3]"]


def test_missing_id_column_suggests_close_name(tmp_path):
    frame = valid_frame(3).rename(columns={"respondent_id": "respondent id"})
    text = message(to_csv(frame, tmp_path / "noid.csv"))
    assert (
        "noid.csv" in text and "'respondent_id'" in text and "did you mean 'respondent id'" in text
    )


def test_missing_required_columns_are_listed_with_suggestions(tmp_path):
    frame = valid_frame(3).rename(columns={"age": "ages"}).drop(columns=["school"])
    text = message(to_csv(frame, tmp_path / "cols.csv"))
    assert "cols.csv" in text and "'age' (did you mean 'ages'?)" in text and "'school'" in text


def test_semicolon_file_gets_a_hint(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("respondent_id;age\nYL1;14\n")
    assert "separated by ';'" in message(path)


def test_duplicate_header_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("respondent_id,age,Age\nYL1,14,14\n")
    text = message(path)
    assert "dup.csv" in text and "'Age' appears twice" in text


def test_multi_select_in_both_forms_or_half(tmp_path):
    frame = valid_frame(3).assign(worries__gangs="1")
    assert "both the delimited column 'worries'" in message(to_csv(frame, tmp_path / "b.csv"))
    frame = valid_frame(3).drop(columns=["safer_options__cctv"])
    text = message(to_csv(frame, tmp_path / "h.csv"))
    assert "lacks 'safer_options__cctv'" in text and "h.csv" in text


def test_bad_codebook_path_raises_codebook_error(tmp_path):
    path = to_csv(valid_frame(3), tmp_path / "ok.csv")
    with pytest.raises(CodebookError, match="nowhere.yaml"):
        read_survey(path, tmp_path / "nowhere.yaml")


def test_codebook_of_the_wrong_type(tmp_path):
    path = to_csv(valid_frame(3), tmp_path / "ok.csv")
    with pytest.raises(CodebookError, match="got a dict"):
        read_survey(path, {"id_column": "respondent_id"})


def test_consent_value_must_be_an_option(tmp_path):
    book = codebook_from_dict(
        {
            "id_column": "id",
            "consent": {"column": "ok", "value": "Sure"},
            "questions": [
                {"name": "id", "type": "id"},
                {"name": "ok", "type": "single", "options": ["Yes", "No"]},
            ],
        }
    )
    path = tmp_path / "c.csv"
    path.write_text("id,ok\nA,Yes\n")
    with pytest.raises(CodebookError, match="'Sure'"):
        read_survey(path, book)


def test_all_errors_are_listening_errors():
    assert issubclass(IngestError, ListeningError)


# --- Without a codebook ------------------------------------------------------------------------


def test_without_codebook_keeps_every_non_blank_row(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,score,ratio,name\nA, 3,0.5,x\nA,4,,\n,,,\nB,,1e-3, y \n")
    survey = read_survey(path)
    assert survey.codebook is None
    assert_invariant(survey)
    assert survey.data.index.tolist() == [1, 2, 4]
    assert survey.data["id"].tolist() == ["A", "A", "B"]
    assert survey.data["score"].dtype == "Int64" and survey.data["score"].tolist() == [3, 4, pd.NA]
    assert survey.data["ratio"].dtype == "Float64"
    assert survey.data["name"].tolist() == ["x", pd.NA, "y"]
    assert survey.rejected["reason"].tolist() == ["row is entirely blank"]
    assert len(survey.report().nonresponse) == 0


def test_without_codebook_codes_with_leading_zeros_stay_text(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("code,n\n007,1\n12,2\n")
    data = read_survey(path).data
    assert data["code"].tolist() == ["007", "12"] and data["n"].dtype == "Int64"
