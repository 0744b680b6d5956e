"""The `listening` command: a briefing from the sample, exit code 2 on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import listening as yl
from listening.cli import default_questions, main
from listening.ingest.codebook import load_codebook
from listening.paths import SAMPLE_DIR
from listening.publish.tables import crosstab

SAMPLE = SAMPLE_DIR / "responses.csv"
CODEBOOK = SAMPLE_DIR / "codebook.yaml"
LISTENING = Path(sys.executable).with_name("listening")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LISTENING), *args], capture_output=True, text=True, timeout=600, check=False
    )


def assert_clean_failure(result: subprocess.CompletedProcess, needle: str = "") -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(("listening: error:", "listening brief: error:")), lines
    assert needle in lines[-1]


def test_brief_on_the_sample_writes_workbook_csv_and_html(tmp_path):
    out = tmp_path / "brief.xlsx"
    code = main(
        [
            "brief",
            str(SAMPLE),
            "--codebook",
            str(CODEBOOK),
            "--questions",
            "safe_dark",
            "worries",
            "--by",
            "district",
            "--by",
            "district+age_band",
            "--out",
            str(out),
            "--csv",
            str(tmp_path / "csv"),
            "--html",
            str(tmp_path / "html"),
            "--date",
            "2025-03-01",
            "--quiet",
        ]
    )
    assert code == 0
    sheets = openpyxl.load_workbook(out).sheetnames
    assert sheets[:4] == ["Cover", "Contents", "Notes", "Weighting_targets"]
    assert sheets[4:] == [f"Table_{i}" for i in range(1, 5)]
    csvs = sorted((tmp_path / "csv").glob("*.csv"))
    assert len(csvs) == 4 and len(list((tmp_path / "html").glob("*.html"))) == 4

    survey = yl.read_survey(SAMPLE, CODEBOOK)
    design = yl.SurveyDesign.from_survey(survey).rake(yl.load_margins(survey))
    expected = crosstab(design, "safe_dark", "district", codebook=survey.codebook).table
    written = pd.read_csv(tmp_path / "csv" / "table_1_safe_dark_by_district.csv", dtype=str)
    shown = ~expected["suppressed"]
    got = pd.to_numeric(written.loc[shown, "estimate"])
    assert got.to_numpy() == pytest.approx(expected.loc[shown, "estimate"].to_numpy(), rel=1e-11)
    reference = yl.proportion(design, "safe_dark", by="district")
    first = reference.iloc[0]
    row = written[
        (written["district"] == str(first["district"]))
        & (written["category"] == str(first["category"]))
    ].iloc[0]
    assert float(row["estimate"]) == pytest.approx(first["estimate"], rel=1e-11)


def test_console_script_default_questions_progress_on_stderr(tmp_path):
    out = tmp_path / "brief.xlsx"
    result = run("brief", str(SAMPLE), "--out", str(out), "--date", "2025-03-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [result.stdout.strip()]
    assert result.stdout.startswith(f"Wrote {out}")
    assert "tables" in result.stderr and "%" in result.stderr
    questions = default_questions(load_codebook(CODEBOOK), [["district"]])
    assert len(openpyxl.load_workbook(out).sheetnames) == 4 + len(questions)


def test_default_questions_leave_out_consent_design_and_by_columns():
    book = load_codebook(CODEBOOK)
    questions = default_questions(book, [["district"], ["age_band", "gender"]])
    assert {"consent", "district", "gender", "school", "respondent_id"}.isdisjoint(questions)
    assert {"safe_dark", "worries", "trust_police"} <= set(questions)
    assert all(book.question(q).type in ("single", "multi") for q in questions)


def test_validate_prints_the_ingest_report():
    result = run("validate", str(SAMPLE), "--codebook", str(CODEBOOK))
    assert result.returncode == 0, result.stderr
    assert "rows read" in result.stdout and "rejected" in result.stdout


def test_missing_data_file_exits_2(tmp_path):
    assert_clean_failure(
        run("brief", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "b.xlsx")), "nope.csv"
    )
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2


@pytest.mark.parametrize(
    "content",
    ["questions: 5\n", "id_column: [unclosed\n", "title: x\nquestions:\n  - {name: a}\n"],
)
def test_bad_codebook_exits_2(tmp_path, content):
    book = tmp_path / "bad.yaml"
    book.write_text(content)
    result = run("brief", str(SAMPLE), "--codebook", str(book), "--out", str(tmp_path / "b.xlsx"))
    assert_clean_failure(result, "bad.yaml")


def test_missing_codebook_exits_2(tmp_path):
    result = run("validate", str(SAMPLE), "--codebook", str(tmp_path / "none.yaml"))
    assert_clean_failure(result, "none.yaml")


def test_bad_margins_exit_2(tmp_path):
    margins = tmp_path / "margins.csv"
    margins.write_text("margin,district,age_band,population\ndistrict x age_band,Nowhere,11-13,5\n")
    result = run("brief", str(SAMPLE), "--margins", str(margins), "--out", str(tmp_path / "b.xlsx"))
    assert_clean_failure(result, "margins.csv")


def test_unknown_question_exits_2(tmp_path):
    result = run("brief", str(SAMPLE), "--questions", "no_such", "--out", str(tmp_path / "b.xlsx"))
    assert_clean_failure(result, "no_such")


@pytest.mark.parametrize(
    "args",
    [
        ["brief", "x.csv"],
        ["brief", "x.csv", "--out", "b.xlsx", "--min-base", "-1"],
        ["brief", "x.csv", "--out", "b.xlsx", "--date", "1 March"],
        ["brief", "x.csv", "--out", "b.xlsx", "--margins", "m.csv", "--unweighted"],
        ["explode"],
        [],
    ],
)
def test_bad_arguments_exit_2(args):
    assert main(args) == 2


def test_unwritable_output_exits_2(tmp_path):
    result = run(
        "brief",
        str(SAMPLE),
        "--questions",
        "safe_dark",
        "--out",
        str(tmp_path / "missing" / "dir" / "b.xlsx"),
        "--quiet",
    )
    assert_clean_failure(result, "cannot write")


def test_workbook_lists_published_targets_not_sample_sized_classes(tmp_path):
    """The "Not known" sex class is sized from a few respondents per district: it is used
    for raking but never written, and the sexes' targets are the published ones."""
    out = tmp_path / "brief.xlsx"
    args = ["brief", str(SAMPLE), "--codebook", str(CODEBOOK), "--questions", "safe_dark"]
    assert main([*args, "--out", str(out), "--date", "2025-03-01", "--quiet"]) == 0
    sheet = openpyxl.load_workbook(out)["Weighting_targets"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert not any("Not known" in c for c in cells)
    published = yl.load_margins()
    female = published[1].query("district == 'Fenland' and sex == 'Female'")["population"]
    rows = list(sheet.iter_rows(values_only=True))
    fenland_female = [r for r in rows if "Fenland" in r and "Female" in r]
    assert len(fenland_female) == 1 and float(female.iloc[0]) in fenland_female[0]
    notes = " ".join(
        str(c)
        for row in openpyxl.load_workbook(out)["Notes"].iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    assert "own weighting class" in notes
