"""The `listening` command: a briefing from the sample, exit code 2 on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import listening as yl
from listening.cli import check_outputs, default_questions, main
from listening.errors import ListeningError
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


# A careful CLI: every output is checked before anything is written, and no output may
# be an input. Each refusal leaves every file in the folder byte-identical and adds none.

QUICK = ["--questions", "safe_dark", "--quiet", "--date", "2025-03-01"]


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders and links to folders)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder holding copies of the sample survey, its codebook and the margins."""
    (tmp_path / "in.csv").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "book.yaml").write_bytes(CODEBOOK.read_bytes())
    (tmp_path / "margins.csv").write_bytes((SAMPLE_DIR / "population_margins.csv").read_bytes())
    return tmp_path


def refused(capsys, folder: Path, args: list[str], *needles: str) -> str:
    """Run ``main`` in-process; it must exit 2, write nothing and name every needle."""
    before = tree(folder)
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("listening: error: ")
    for needle in needles:
        assert str(needle) in line, line
    assert tree(folder) == before
    return line


def test_console_brief_refuses_to_overwrite_the_survey(inputs):
    """The issue's command: it used to replace the survey with a workbook and exit 0."""
    before = tree(inputs)
    survey = inputs / "in.csv"
    result = run(
        "brief", str(survey), "--codebook", str(inputs / "book.yaml"), "--out", str(survey)
    )
    assert_clean_failure(result, f"refusing to write --out {survey}: it is the survey")
    assert "choose another file name" in result.stderr
    assert tree(inputs) == before


@pytest.mark.parametrize(
    ("target", "role"),
    [("in.csv", "the survey"), ("book.yaml", "the codebook"), ("margins.csv", "the margins")],
)
def test_out_may_not_be_any_input(capsys, inputs, target, role):
    args = ["brief", inputs / "in.csv", "--codebook", inputs / "book.yaml"]
    args += ["--margins", inputs / "margins.csv", "--out", inputs / target, *QUICK]
    refused(capsys, inputs, args, inputs / target, role)


@pytest.mark.parametrize("spelling", ["./in.csv", "sub/../in.csv", "link.xlsx", "hard.xlsx"])
def test_an_input_under_another_name_is_still_refused(capsys, inputs, monkeypatch, spelling):
    """Relative paths, '..', a symbolic link and a hard link to the survey are all the survey."""
    (inputs / "sub").mkdir()
    (inputs / "link.xlsx").symlink_to(inputs / "in.csv")
    os.link(inputs / "in.csv", inputs / "hard.xlsx")
    monkeypatch.chdir(inputs)
    args = ["brief", "in.csv", "--codebook", "book.yaml", "--out", spelling, *QUICK]
    refused(capsys, inputs, args, Path(spelling), "it is the survey")


def test_bundled_inputs_are_inputs_too(capsys, inputs, monkeypatch):
    """Without --codebook and --margins the bundled files are read: never written over."""
    import listening.cli
    import listening.design.margins

    monkeypatch.setattr(listening.cli, "BUNDLED_CODEBOOK", inputs / "book.yaml")
    monkeypatch.setattr(listening.design.margins, "MARGINS_FILE", inputs / "margins.csv")
    for target, role in (("book.yaml", "the codebook"), ("margins.csv", "the margins")):
        args = ["brief", inputs / "in.csv", "--out", inputs / target, *QUICK]
        refused(capsys, inputs, args, inputs / target, role)


@pytest.mark.parametrize("option", ["--html", "--csv"])
def test_a_folder_option_naming_a_file_writes_no_workbook(capsys, inputs, option):
    """It used to exit 2 only after the workbook had been written."""
    (inputs / "existing.txt").write_text("keep me\n")
    args = ["brief", inputs / "in.csv", "--out", inputs / "brief.xlsx"]
    args += [option, inputs / "existing.txt", *QUICK]
    line = refused(capsys, inputs, args, option, inputs / "existing.txt", "not a folder")
    assert "brief.xlsx" not in line
    assert not (inputs / "brief.xlsx").exists()


@pytest.mark.parametrize("option", ["--html", "--csv"])
def test_a_folder_option_naming_the_survey_is_refused(capsys, inputs, option):
    args = ["brief", inputs / "in.csv", "--out", inputs / "brief.xlsx"]
    refused(capsys, inputs, [*args, option, inputs / "in.csv", *QUICK], option, "the survey")


@pytest.mark.parametrize("option", ["--html", "--csv"])
def test_a_folder_in_a_missing_folder_writes_nothing(capsys, inputs, option):
    args = ["brief", inputs / "in.csv", "--out", inputs / "brief.xlsx"]
    args += [option, inputs / "no" / "such", *QUICK]
    refused(capsys, inputs, args, option, inputs / "no", "does not exist")


def test_a_table_file_that_would_replace_the_survey_is_refused(capsys, inputs):
    """The survey saved where --csv would put table 1: caught before the workbook is written."""
    tables = inputs / "tables"
    tables.mkdir()
    survey = tables / "table_1_safe_dark_by_district.csv"
    survey.write_bytes(SAMPLE.read_bytes())
    args = ["brief", survey, "--out", inputs / "brief.xlsx", "--csv", tables, *QUICK]
    refused(capsys, inputs, args, "--csv", survey, "it is the survey")


def test_out_must_be_a_workbook_file_in_an_existing_folder(capsys, inputs):
    start = ["brief", inputs / "in.csv", *QUICK, "--out"]
    refused(capsys, inputs, [*start, inputs / "brief.csv"], "must end in .xlsx", "brief.xlsx")
    (inputs / "folder.xlsx").mkdir()
    refused(capsys, inputs, [*start, inputs / "folder.xlsx"], "folder.xlsx", "is a folder")
    refused(capsys, inputs, [*start, inputs / "gone" / "b.xlsx"], "cannot write", "gone")


def test_outputs_may_not_name_the_same_file(tmp_path):
    same = tmp_path / "t.csv"
    with pytest.raises(ListeningError, match="--html writes the same path"):
        check_outputs([("--html", same), ("--csv", tmp_path / "x" / ".." / "t.csv")], [])


def test_out_may_not_be_a_folder_option(capsys, inputs):
    """--out t.xlsx --csv t.xlsx used to write the workbook, then fail to make the folder."""
    args = ["brief", inputs / "in.csv", "--out", inputs / "t.xlsx", "--csv", inputs / "t.xlsx"]
    refused(capsys, inputs, [*args, *QUICK], "--csv writes the same path")


def test_a_rerun_replaces_its_own_outputs_and_leaves_inputs_alone(inputs):
    """The README's command shape: --html and --csv share a folder; running twice is fine."""
    before = {name: (inputs / name).read_bytes() for name in ("in.csv", "book.yaml")}
    args = ["brief", str(inputs / "in.csv"), "--codebook", str(inputs / "book.yaml"), *QUICK]
    args += ["--out", str(inputs / "brief.xlsx"), "--html", str(inputs / "t"), "--csv"]
    args += [str(inputs / "t"), "--unweighted"]
    assert main(args) == 0
    first = tree(inputs)
    assert main(args) == 0
    assert tree(inputs).keys() == first.keys()
    assert sorted(p.suffix for p in (inputs / "t").iterdir()) == [".csv", ".html"]
    assert {name: (inputs / name).read_bytes() for name in before} == before
