"""Change tables in the briefing: the workbook, CSV and HTML read back against yl.change.

The earlier wave is the bundled 2024 sample with Fenland cut to 6 respondents, so that
the 2024 wave's own protection hides Fenland (threshold) and one more district
(secondary): those groups must read [c] in the change tables although the 2025 tables
show them, and the 2024 bases the change tables publish must not give Fenland away.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import listening as yl
from listening.errors import ListeningError
from listening.publish.briefing import briefing_bytes
from listening.publish.change_exports import SIGNIFICANT, published_tables, tidy_change_frame
from listening.publish.exports import CONFIDENTIAL
from listening.publish.published import PublishedTable, read_csv_folder, read_workbook

DATE = dt.date(2025, 3, 1)
QUESTIONS = ["seen_knife", "good_places", "worries"]
BY = [["district"]]
FENLAND_2024 = 6
LEVEL = 0.95


@pytest.fixture(scope="module")
def waves():
    after = yl.SurveyDesign.from_survey(yl.load_sample())
    before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    fenland = before.data["district"] == "Fenland"
    few = before.subset(~fenland | (fenland.cumsum() <= FENLAND_2024))
    return after, few


@pytest.fixture(scope="module")
def publication(waves):
    after, before = waves
    tables = yl.crosstabs(after, QUESTIONS, BY)
    changes = yl.change_tables(
        after, before, QUESTIONS, BY, harmonise=yl.load_harmonisation(), published=tables
    )
    return tables, changes


@pytest.fixture(scope="module")
def book(publication):
    tables, changes = publication
    data = briefing_bytes(tables, changes=changes, date=DATE, title="Two waves")
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_table(sheet) -> tuple[list[str], list[list]]:
    """The sheet's only Excel table: headers and rows of cells."""
    assert len(sheet.tables) == 1
    (ref,) = [t.ref for t in sheet.tables.values()]
    rows = list(sheet[ref])
    return [c.value for c in rows[0]], rows[1:]


def frame_of(sheet) -> pd.DataFrame:
    headers, rows = sheet_table(sheet)
    return pd.DataFrame([[c.value for c in row] for row in rows], columns=headers)


def expected(waves, question: str) -> pd.DataFrame:
    """yl.change's raw figures: the whole population as "All", then each district."""
    after, before = waves
    mapping = yl.load_harmonisation()
    whole = yl.change(after, before, question, harmonise=mapping).assign(district="All")
    groups = yl.change(after, before, question, by="district", harmonise=mapping)
    return pd.concat([whole, groups], ignore_index=True).set_index(["district", "category"])


def change_sheets(book) -> list[str]:
    return [name for name in book.sheetnames if name.startswith("Change_since_2024_")]


def test_one_change_sheet_per_table_after_the_tables_and_in_contents(book, publication):
    _, changes = publication
    names = change_sheets(book)
    assert names == [f"Change_since_2024_{i}" for i in range(1, len(changes) + 1)]
    assert book.sheetnames.index(names[0]) > book.sheetnames.index(f"Table_{len(QUESTIONS)}")
    contents = frame_of(book["Contents"])
    listed = contents[contents["Sheet name"].isin(names)]
    assert listed["Sheet name"].tolist() == names
    assert listed["Question"].tolist() == QUESTIONS
    assert all(title.startswith("Change since 2024: ") for title in listed["Table title"])
    _, rows = sheet_table(book["Contents"])
    links = {row[0].value: row[0].hyperlink.location for row in rows if row[0].hyperlink}
    assert all(links[name] == f"'{name}'!A1" for name in names)


def test_sheet_title_in_a1_and_the_symbol_explained_in_notes(book, publication):
    _, changes = publication
    for name, change in zip(change_sheets(book), changes, strict=True):
        assert book[name]["A1"].value.startswith("Change since 2024, table ")
        assert change.title in book[name]["A1"].value
    notes = " ".join(frame_of(book["Notes"])["Note text"])
    assert f"{SIGNIFICANT} (Up {SIGNIFICANT} / Down {SIGNIFICANT})" in notes
    assert "Holm" in notes and "independent samples" in notes


def test_numbers_are_numbers_equal_to_yl_change(book, waves, publication):
    _, changes = publication
    for name, change in zip(change_sheets(book), changes, strict=True):
        frame = frame_of(book[name])
        answer = "Answer" if change.kind == "single" else "Option (% mentioning)"
        raw = expected(waves, change.question)
        shown = frame[frame["Suppression"] == "Shown"]
        assert len(shown) > 0
        truth = raw.loc[list(zip(shown["District"], shown[answer], strict=True))]
        pairs = {
            "Percentage 2024": truth["estimate_before"],
            "Percentage 2025": truth["estimate_after"],
            "Change (percentage points)": 100 * truth["difference"],
            "Lower limit of 95% confidence interval of the change (percentage points)": 100
            * truth["ci_low"],
            "Upper limit of 95% confidence interval of the change (percentage points)": 100
            * truth["ci_high"],
            "Standard error of the change (percentage points)": 100 * truth["se"],
            "Base 2024 (respondents who answered)": truth["base_before"],
            "Base 2025 (respondents who answered)": truth["base_after"],
        }
        for header, values in pairs.items():
            cells = shown[header].tolist()
            assert all(isinstance(v, int | float) for v in cells), header
            np.testing.assert_allclose(cells, values.to_numpy(dtype=float), rtol=1e-12)
        # percentages stored as fractions and shown as %, points as signed numbers
        headers, rows = sheet_table(book[name])
        first = rows[0]
        assert first[headers.index("Percentage 2024")].number_format == "0.0%"
        assert "+0.0" in first[headers.index("Change (percentage points)")].number_format


def test_significance_follows_holm_p_values(book, publication):
    _, changes = publication
    for name, change in zip(change_sheets(book), changes, strict=True):
        frame = frame_of(book[name])
        shown = frame["Suppression"] == "Shown"
        p = change.table["p_holm"].to_numpy(dtype=float)[shown.to_numpy()]
        marked = frame.loc[shown, "Significant change"].str.endswith(SIGNIFICANT).to_numpy()
        assert (marked == (p < 1 - LEVEL)).all()
        up = frame.loc[shown, "Significant change"] == f"Up {SIGNIFICANT}"
        assert (frame.loc[shown, "Change (percentage points)"][up] > 0).all()


def test_a_group_hidden_in_2024_reads_c_in_every_change_cell(book, publication):
    tables, changes = publication
    for name in change_sheets(book):
        frame = frame_of(book[name])
        fenland = frame[frame["District"] == "Fenland"]
        assert len(fenland) > 0
        figures = frame.columns[2:-1]  # after District and Answer, before Suppression
        assert (fenland[figures] == CONFIDENTIAL).all().all()
        assert fenland["Suppression"].str.startswith(f"{CONFIDENTIAL} 2024: fewer than").all()
        # the 2024 wave's own protection hides one more district, so All - the rest
        # does not give Fenland away
        secondary = frame[frame["Suppression"].str.contains("2024: hidden to protect")]
        assert secondary["District"].nunique() >= 1
    # the 2025 tables show Fenland: it is hidden because of 2024 only
    fenland_2025 = tables[0].table[tables[0].table["district"] == "Fenland"]
    assert not fenland_2025["suppressed"].any()


def test_the_2024_bases_read_back_do_not_pin_the_hidden_districts(book, waves, publication):
    """What a reader can work out of 2024 from the change sheets: an audit of their bases."""
    _, changes = publication
    policy = yl.DisclosurePolicy(min_base=10, complete=("district",))
    for name, change in zip(change_sheets(book), changes, strict=True):
        frame = frame_of(book[name])
        answer = "Answer" if "Answer" in frame.columns else "Option (% mentioning)"
        base = pd.to_numeric(
            frame["Base 2024 (respondents who answered)"].replace(CONFIDENTIAL, np.nan)
        )
        rows = pd.DataFrame(
            {"district": frame["District"], "category": frame[answer], "n": np.nan, "base": base}
        )
        result = yl.audit([PublishedTable("2024", ("district",), rows)], policy=policy)
        assert result.ok, str(result)
        assert result.checked >= 2
        # control: show the districts hidden to protect Fenland, and the reader has it
        raw = expected(waves, change.question)
        secondary = frame["Suppression"].str.contains("protect").to_numpy()
        keys = list(zip(frame["District"], frame[answer], strict=True))
        truth = raw["base_before"].reindex(keys).to_numpy(dtype=float)
        leaky = rows.assign(base=np.where(secondary, truth, rows["base"]))
        leaked = yl.audit([PublishedTable("2024", ("district",), leaky)], policy=policy)
        assert not leaked.ok
        assert any("Fenland" in str(v) for v in leaked.violations)


def test_the_briefing_refuses_a_change_table_that_gives_a_2024_group_away(publication, waves):
    tables, changes = publication
    change = changes[0]
    after, before = waves
    raw = yl.change(after, before, change.question, by="district")
    table = change.table.copy()
    secondary = table["reason"].str.contains("secondary").to_numpy()
    assert secondary.any()
    figures = raw.set_index(["district", "category"])
    keys = list(zip(table["district"], table["category"], strict=True))
    for column in ("base_before", "base_after", "estimate_before", "estimate_after"):
        values = figures.reindex(keys)[column].to_numpy(dtype=float)
        table.loc[secondary, column] = values[secondary]
    table.loc[secondary, "reason"] = ""
    leaky = yl.ChangeTable(**{**vars(change), "table": table})
    with pytest.raises(ListeningError, match="refusing to write.*Fenland"):
        briefing_bytes(tables, changes=[leaky, *changes[1:]], date=DATE)


def test_csv_reads_back_as_yl_change_with_c_for_hidden(tmp_path, waves, publication):
    _, changes = publication
    for change in changes:
        path = change.to_csv(tmp_path / f"{change.question}.csv")
        back = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert back.columns.tolist() == tidy_change_frame(change).columns.tolist()
        hidden = back["reason"] != ""
        assert (back.loc[hidden, ["estimate_before", "difference", "base_before"]] == "[c]").all(
            axis=None
        )
        raw = expected(waves, change.question)
        shown = back[~hidden]
        truth = raw.loc[list(zip(shown["district"], shown["category"], strict=True))]
        for column in ("estimate_before", "estimate_after", "difference", "ci_low", "ci_high"):
            np.testing.assert_allclose(
                shown[column].astype(float), truth[column].to_numpy(dtype=float), rtol=1e-10
            )
        assert path.read_bytes() == change.to_csv(tmp_path / "again.csv").read_bytes()


def test_html_shows_both_waves_the_change_and_c(publication):
    _, changes = publication
    html = changes[0].to_html()
    assert html.count("<table") == 1
    assert "Change since 2024" in html and "2025" in html
    assert "[c] (2024: fewer than 10 answered)" in html
    assert f"{SIGNIFICANT} (Up {SIGNIFICANT} / Down {SIGNIFICANT})" in html


def test_the_audit_covers_the_2025_bases_of_a_change_table_too(publication):
    """A change table's 2025 bases join the 2025 tables; they add nothing when they repeat."""
    tables, changes = publication
    later, earlier = published_tables(changes[0])
    assert later.question == changes[0].question
    assert earlier.question != later.question
    groups = later.groups()
    assert groups["base"].isna().sum() >= 2  # hidden by 2024 although 2025 shows them
    shown_2025 = tables[0].table.drop_duplicates("district").set_index("district")["base"]
    both = groups.dropna().set_index("district")["base"]
    assert (shown_2025.loc[both.index] == both).all()


def test_write_briefing_refuses_what_is_not_a_change_table(publication):
    tables, _ = publication
    with pytest.raises(ListeningError, match="yl.change_tables"):
        briefing_bytes(tables, changes=[tables[0]], date=DATE)


@pytest.fixture(scope="module")
def book_path(publication, tmp_path_factory):
    tables, changes = publication
    path = tmp_path_factory.mktemp("change") / "brief.xlsx"
    yl.write_briefing(path, tables, changes=changes, date=DATE)
    return path


def test_auditing_the_workbook_reads_the_change_sheets_of_both_waves(book_path, publication):
    _, changes = publication
    read = read_workbook(book_path)
    earlier = [t for t in read if t.question.startswith("2024 wave: ")]
    assert [t.question for t in earlier] == [f"2024 wave: {c.before_question}" for c in changes]
    for table, change in zip(earlier, changes, strict=True):
        np.testing.assert_array_equal(
            table.rows["base"].to_numpy(dtype=float), change.table["base_before"].to_numpy()
        )
    # the later wave's bases repeat its Table_ sheets: nothing to add
    assert not [t for t in read if "Change_since" in t.name and not t.question.startswith("2024")]
    result = yl.audit(book_path)
    assert result.ok, str(result)


def test_auditing_a_workbook_whose_change_sheet_gives_fenland_away_fails(
    book_path, waves, tmp_path
):
    """Control: write the true 2024 base of the district hidden to protect Fenland."""
    book = openpyxl.load_workbook(book_path)
    sheet = book[change_sheets(book)[0]]
    headers, rows = sheet_table(sheet)
    column = headers.index("Base 2024 (respondents who answered)")
    raw = expected(waves, QUESTIONS[0])
    for row in rows:
        if "protect" in str(row[headers.index("Suppression")].value):
            key = (row[0].value, row[1].value)
            row[column].value = int(raw.loc[key, "base_before"])
    tampered = tmp_path / "tampered.xlsx"
    book.save(tampered)
    result = yl.audit(tampered)
    assert not result.ok
    leaks = [v for v in result.violations if v.low == v.high == FENLAND_2024]
    assert leaks and all(v.table.endswith("(2024)") for v in leaks), str(result)
    # knowing every pupil has a district, the reader pins Fenland itself
    policy = yl.DisclosurePolicy(min_base=10, complete=("district",))
    pinned = yl.audit(tampered, policy=policy).violations
    assert any(v.group == ("Fenland",) and v.low == FENLAND_2024 for v in pinned)


def test_auditing_the_csv_folder_reads_the_change_files(publication, waves, tmp_path):
    """The CLI's file names: table_<k>_... and change_<k>_...; a tampered change file leaks."""
    tables, changes = publication
    for k, tab in enumerate(tables, start=1):
        tab.to_csv(tmp_path / f"table_{k}_{tab.question}_by_district.csv")
    for k, change in enumerate(changes, start=1):
        change.to_csv(tmp_path / f"change_{k}_{change.question}_by_district.csv")
    read = read_csv_folder(tmp_path)
    earlier = [t for t in read if t.question.startswith("earlier wave: ")]
    assert [t.question for t in earlier] == [f"earlier wave: {q}" for q in QUESTIONS]
    assert yl.audit(tmp_path).ok
    first = tmp_path / f"change_1_{QUESTIONS[0]}_by_district.csv"
    frame = pd.read_csv(first, dtype=str, keep_default_na=False)
    raw = expected(waves, QUESTIONS[0])
    secondary = frame["reason"].str.contains("secondary")
    keys = list(zip(frame["district"], frame["category"], strict=True))
    truth = raw["base_before"].reindex(keys).astype(int).astype(str).to_numpy()
    frame.loc[secondary, "base_before"] = truth[secondary.to_numpy()]
    frame.to_csv(first, index=False)
    result = yl.audit(tmp_path)
    assert any(v.low == v.high == FENLAND_2024 for v in result.violations), str(result)
