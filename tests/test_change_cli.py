"""`listening brief --compare-with`: the README's command on the bundled waves, bad input."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import listening as yl
from listening.cli import main
from listening.design.margins import load_margins, with_unknown_sex
from listening.ingest.harmonise import SAMPLE_HARMONISATION
from listening.ingest.sample import load_sample_2024
from listening.paths import SAMPLE_DIR

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOW, NOW_CODEBOOK = SAMPLE_DIR / "responses.csv", SAMPLE_DIR / "codebook.yaml"
BEFORE, BEFORE_CODEBOOK = (
    SAMPLE_DIR / "wave2024" / "responses.csv",
    SAMPLE_DIR / "wave2024/codebook.yaml",
)
COMPARE = [
    "--compare-with",
    str(BEFORE),
    "--before-codebook",
    str(BEFORE_CODEBOOK),
    "--harmonise",
    str(SAMPLE_HARMONISATION),
]


def readme_command() -> list[str]:
    """The README's `listening brief ... --compare-with ...` command, as arguments."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    (block,) = [b for b in blocks if "--compare-with" in b]
    words = shlex.split(block.replace("\\\n", " "))
    assert words[:2] == ["listening", "brief"]
    return words[1:]


def weighted(survey) -> yl.SurveyDesign:
    """A wave weighted as `brief` weights it: raked to the bundled margins."""
    codebook = survey.codebook
    margins = with_unknown_sex(load_margins(codebook=codebook), survey, codebook=codebook)
    return yl.SurveyDesign.from_survey(survey).rake(margins)


def test_the_readme_paths_are_the_bundled_waves():
    """The command names the files yl.load_sample_2024 and yl.load_harmonisation read."""
    words = readme_command()
    assert (ROOT / words[words.index("--compare-with") + 1]).resolve() == BEFORE.resolve()
    assert load_sample_2024().codebook.title == yl.load_codebook(BEFORE_CODEBOOK).title
    assert (ROOT / words[words.index("--harmonise") + 1]).resolve() == SAMPLE_HARMONISATION


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The README's command, run from the checkout, its outputs in a temporary folder."""
    out = tmp_path_factory.mktemp("compare")
    words = readme_command()
    for option, target in (("--out", out / "briefing.xlsx"), ("--csv", out / "tables")):
        words[words.index(option) + 1] = str(target)
    words[words.index("--html") + 1] = str(out / "tables")
    cwd = Path.cwd()
    stdout = io.StringIO()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(stdout):
            code = main([*words, "--quiet", "--date", "2025-03-01"])
    finally:
        os.chdir(cwd)
    return code, stdout.getvalue(), out


def test_the_readme_command_writes_change_sheets_for_every_harmonised_question(run):
    code, printed, out = run
    assert code == 0, printed
    book = openpyxl.load_workbook(out / "briefing.xlsx")
    tables = [n for n in book.sheetnames if n.startswith("Table_")]
    changes = [n for n in book.sheetnames if n.startswith("Change_since_2024_")]
    # every question but safe_online (new in 2025) is compared
    assert len(changes) == len(tables) - 1
    assert f"{len(changes)} change tables since 2024" in printed
    (skipped,) = [line for line in printed.splitlines() if line.startswith("Not compared")]
    assert "safe_online" in skipped and "harmonisation mapping" in skipped
    contents = [[c.value for c in row] for row in book["Contents"].iter_rows(min_row=4)]
    compared = [row[2] for row in contents if str(row[0]).startswith("Change_since")]
    assert "safe_online" not in compared and "good_places" in compared
    renamed = book[changes[compared.index("good_places")]]
    assert any("asked as places_to_go in 2024" in str(c.value) for c in renamed["A"][:6])


def sheet_frame(sheet) -> pd.DataFrame:
    (ref,) = [t.ref for t in sheet.tables.values()]
    cells = [[c.value for c in row] for row in sheet[ref]]
    return pd.DataFrame(cells[1:], columns=cells[0])


def test_the_workbook_and_csv_equal_yl_change_on_the_raked_waves(run):
    code, _, out = run
    assert code == 0
    after, before = weighted(yl.load_sample()), weighted(load_sample_2024())
    mapping = yl.load_harmonisation()
    book = openpyxl.load_workbook(out / "briefing.xlsx")
    contents = [[c.value for c in row] for row in book["Contents"].iter_rows(min_row=4)]
    sheets = {row[2]: row[0] for row in contents if str(row[0]).startswith("Change_since")}
    for question in ("safe_dark", "trusted_adult"):  # options reworded in trusted_adult
        raw = yl.change(after, before, question, by="district", harmonise=mapping)
        raw = raw.set_index(["district", "category"])
        frame = sheet_frame(book[sheets[question]])
        shown = frame[(frame["Suppression"] == "Shown") & (frame["District"] != "All")]
        assert len(shown) == len(raw)  # nothing hidden by district on the sample
        truth = raw.loc[list(zip(shown["District"], shown["Answer"], strict=True))]
        np.testing.assert_allclose(
            shown["Change (percentage points)"].astype(float), 100 * truth["difference"], rtol=1e-9
        )
        np.testing.assert_allclose(
            shown["Percentage 2024"].astype(float), truth["estimate_before"], rtol=1e-9
        )
        np.testing.assert_allclose(
            shown["Base 2025 (respondents who answered)"].astype(float), truth["base_after"]
        )
    files = sorted((out / "tables").glob("change_*_safe_dark_by_district.*"))
    assert [f.suffix for f in files] == [".csv", ".html"]
    csv = pd.read_csv(files[0])
    overall = yl.change(after, before, "safe_dark", harmonise=mapping)
    np.testing.assert_allclose(csv.loc[csv["district"] == "All", "ci_low"], overall["ci_low"])
    assert "Change since 2024" in files[1].read_text(encoding="utf-8")


def refused(capsys, folder: Path, args: list, *needles: str) -> str:
    """``main`` exits 2 with one line naming every needle, and writes nothing in ``folder``."""
    before = sorted(folder.rglob("*"))
    assert main([str(a) for a in args]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("listening: error: ")
    for needle in needles:
        assert needle in line, line
    assert sorted(folder.rglob("*")) == before
    return line


def brief(tmp_path: Path, *extra) -> list:
    return [
        "brief",
        NOW,
        "--codebook",
        NOW_CODEBOOK,
        "--out",
        tmp_path / "b.xlsx",
        "--quiet",
        *extra,
    ]


def test_a_named_question_that_is_not_harmonised_is_refused_saying_what_to_add(tmp_path, capsys):
    args = brief(tmp_path, "--questions", "safe_dark", "safe_online", *COMPARE)
    refused(capsys, tmp_path, args, "'safe_online'", "add to the harmonisation mapping", "before:")


def test_a_reworded_option_without_the_map_is_refused_naming_it(tmp_path, capsys):
    args = brief(tmp_path, "--questions", "trusted_adult", *COMPARE[:4])
    refused(capsys, tmp_path, args, "Not sure", "Unsure", "options:")


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--harmonise", str(SAMPLE_HARMONISATION)], "add --compare-with"),
        (["--before-codebook", str(BEFORE_CODEBOOK)], "add --compare-with"),
        (["--unweighted", *COMPARE, "--before-margins", "m.csv"], "--before-margins with"),
        (["--compare-with", str(BEFORE), "--harmonise", "no-such-map.yaml"], "no-such-map.yaml"),
        (["--compare-with", str(BEFORE), "--before-codebook", "nope.yaml"], "nope.yaml"),
    ],
)
def test_bad_comparison_options_exit_2_before_reading(tmp_path, capsys, extra, needle):
    refused(capsys, tmp_path, brief(tmp_path, "--questions", "safe_dark", *extra), needle)


def test_a_missing_earlier_wave_writes_nothing(tmp_path, capsys):
    args = brief(tmp_path, "--questions", "seen_knife", "--compare-with", tmp_path / "gone.csv")
    refused(capsys, tmp_path, args, "gone.csv", "does not exist")


def test_a_bad_harmonisation_file_is_named(tmp_path, capsys):
    bad = tmp_path / "map.yaml"
    bad.write_text("questions: [1, 2]\n", encoding="utf-8")
    args = brief(tmp_path, "--questions", "seen_knife", *COMPARE[:4], "--harmonise", bad)
    refused(capsys, tmp_path, args, "map.yaml", "must map question names")


def test_the_earlier_wave_is_an_input_that_no_output_may_replace(tmp_path, capsys):
    copy = tmp_path / "before.csv"
    copy.write_bytes(BEFORE.read_bytes())
    args = [
        "brief", NOW, "--questions", "seen_knife", "--compare-with", copy,
        "--before-codebook", BEFORE_CODEBOOK, "--out", tmp_path / "b.xlsx",
        "--csv", tmp_path, "--quiet",
    ]  # fmt: skip
    # --csv writes into the folder holding the earlier wave: fine; --out onto it is not
    args[args.index("--out") + 1] = copy
    refused(capsys, tmp_path, args, "the earlier wave's survey")
