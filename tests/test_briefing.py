"""The briefing workbook, read back with openpyxl: structure, values, safety, determinism."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pytest
from briefing_data import MARGINS, codebook, design
from test_exports import FORMULA_TRIGGERS, HOSTILE, hidden_and_published, hostile_case

import listening as yl
from listening.errors import ListeningError
from listening.publish.briefing import briefing_bytes, write_briefing
from listening.publish.exports import CONFIDENTIAL
from listening.publish.tables import ALL, crosstab

DATE = dt.date(2025, 3, 1)
PERCENT_HEADINGS = ("Percentage", "Lower limit", "Upper limit", "Standard error")


@pytest.fixture(scope="module")
def tables():
    d = design()
    book = codebook()
    return d, [
        crosstab(d, "feel", by="year", codebook=book),
        crosstab(d, "worry", by="area", codebook=book),
        crosstab(d, "feel", by=["area", "year"], codebook=book, min_base=20),
    ]


@pytest.fixture(scope="module")
def workbook(tables, tmp_path_factory):
    _, tabs = tables
    path = tmp_path_factory.mktemp("brief") / "brief.xlsx"
    write_briefing(
        path,
        tabs,
        title="Test briefing",
        date=DATE,
        targets=MARGINS,
        targets_source="Made-up area totals",
    )
    return openpyxl.load_workbook(path)


def table_of(sheet):
    """The sheet's only Excel table: header list and data rows (cells)."""
    assert len(sheet.tables) == 1
    (ref,) = [t.ref for t in sheet.tables.values()]
    rows = list(sheet[ref])
    return [c.value for c in rows[0]], rows[1:], rows[0][0].row


def test_sheets_in_gss_order(workbook):
    assert workbook.sheetnames == [
        "Cover",
        "Contents",
        "Notes",
        "Weighting_targets",
        "Table_1",
        "Table_2",
        "Table_3",
    ]


def test_no_merged_cells_and_a1_titles(workbook):
    for sheet in workbook:
        assert not sheet.merged_cells.ranges, sheet.title
        assert isinstance(sheet["A1"].value, str) and sheet["A1"].value.strip()
        assert sheet["A1"].font.b


def test_every_sheet_but_the_cover_holds_one_excel_table_with_one_header_row(workbook):
    for sheet in workbook.worksheets[1:]:
        headers, rows, top = table_of(sheet)
        assert all(isinstance(h, str) and h for h in headers)
        assert len(set(headers)) == len(headers)
        assert rows and rows[-1][0].row == sheet.max_row
        for row in sheet.iter_rows(min_row=1, max_row=top - 1):
            assert all(cell.value is None for cell in row[1:]), sheet.title
            assert row[0].value
        for row in rows:
            assert all(cell.value is not None for cell in row), sheet.title


def test_contents_links_to_every_sheet(workbook):
    headers, rows, _ = table_of(workbook["Contents"])
    assert headers[:2] == ["Sheet name", "Table title"]
    linked = {row[0].value: row[0].hyperlink.location for row in rows}
    for name in workbook.sheetnames[2:]:
        assert linked[name] == f"'{name}'!A1"


def test_cover_and_notes_say_what_readers_need(workbook, tables):
    cover = " ".join(str(c.value) for c in workbook["Cover"]["A"] if c.value)
    assert "Test briefing" in cover and "1 March 2025" in cover
    assert "Hand-made test data" in cover and "Raked" in cover and CONFIDENTIAL in cover
    _, rows, _ = table_of(workbook["Notes"])
    notes = " ".join(str(row[1].value) for row in rows)
    for needle in ["[c]", "[x]", "[z]", "Holm", "secondary", "Made-up area totals", "logit"]:
        assert needle in notes
    _, targets, _ = table_of(workbook["Weighting_targets"])
    assert [row[-1].value for row in targets] == MARGINS[0]["population"].tolist()


def _sheet_frame(sheet):
    headers, rows, _ = table_of(sheet)
    return headers, [[c for c in row] for row in rows]


def test_percentages_equal_proportion_and_are_formatted(workbook, tables):
    d, _ = tables
    headers, rows = _sheet_frame(workbook["Table_1"])
    column = {h: i for i, h in enumerate(headers)}
    reference = yl.proportion(d, "feel", by="year")
    overall = yl.proportion(d, "feel")
    checked = 0
    for row in rows:
        group, answer = row[column["Year"]].value, row[column["Answer"]].value
        cell = row[column["Percentage"]]
        if cell.value == CONFIDENTIAL:
            continue
        if answer.startswith("Feel"):
            continue
        if group == ALL:
            ref = overall[overall["category"].astype(str) == answer].iloc[0]
        else:
            ref = reference[
                (reference["year"].astype(str) == group)
                & (reference["category"].astype(str) == answer)
            ].iloc[0]
        assert cell.value == pytest.approx(ref["estimate"], rel=1e-12)
        low = row[column["Lower limit of 95% confidence interval"]].value
        assert low == pytest.approx(ref["ci_low"], rel=1e-12)
        assert row[column["Base (respondents who answered)"]].value == ref["base"]
        checked += 1
    assert checked >= 8
    for header, index in column.items():
        if header.startswith(PERCENT_HEADINGS):
            numbers = [r[index] for r in rows if isinstance(r[index].value, float)]
            assert numbers and all(c.number_format == "0.0%" for c in numbers)


def test_suppressed_rows_read_c(workbook, tables):
    _, tabs = tables
    for number, tab in enumerate(tabs, start=1):
        headers, rows = _sheet_frame(workbook[f"Table_{number}"])
        hidden_rows = [r for r, s in zip(rows, tab.table["suppressed"], strict=True) if s]
        if number == 1:
            assert hidden_rows
        for row in hidden_rows:
            values = {h: c.value for h, c in zip(headers, row, strict=True)}
            for header in [*PERCENT_HEADINGS, "Respondents giving this answer"]:
                matches = [v for h, v in values.items() if h.startswith(header)]
                assert matches == [CONFIDENTIAL]


def test_no_hidden_number_anywhere_in_the_workbook(workbook, tables):
    d, tabs = tables
    numbers = {
        f"{cell.value:.10g}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
    }
    for tab in tabs:
        if tab.kind != "single":
            continue
        hidden, published = hidden_and_published(tab, d)
        assert numbers & hidden <= published


def test_no_formula_cells_from_hostile_text(tmp_path):
    book, d = hostile_case()
    tab = crosstab(d, "q", by="grp", codebook=book)
    path = write_briefing(tmp_path / "h.xlsx", [tab], title="=1+1", date=DATE)
    workbook = openpyxl.load_workbook(path)
    texts = []
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value.replace("_x000D_", "\r"))  # openpyxl keeps the escape
    assert not [t for t in texts if t.startswith(FORMULA_TRIGGERS)]
    for text in [*HOSTILE, "@grp", "-grp", "+net", "=1+1"]:
        assert "'" + text in texts
    assert any(t.startswith("'=HYPERLINK") for t in texts)
    assert any(t.startswith("'=WEBSERVICE") for t in texts)


def _cell_values(path):
    workbook = openpyxl.load_workbook(path)
    return {
        sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in workbook
    }


def test_same_tables_and_date_give_the_same_workbook(tmp_path, tables):
    _, tabs = tables
    first = write_briefing(tmp_path / "a.xlsx", tabs, date=DATE, targets=MARGINS)
    again = [crosstab(design(), "feel", by="year", codebook=codebook()), *tabs[1:]]
    second = write_briefing(tmp_path / "b.xlsx", again, date=DATE, targets=MARGINS)
    assert _cell_values(first) == _cell_values(second)
    assert first.read_bytes() == second.read_bytes()


def test_crosstab_to_excel_writes_a_one_table_briefing(tmp_path, tables):
    _, tabs = tables
    path = tabs[0].to_excel(tmp_path / "one.xlsx", date=DATE)
    assert openpyxl.load_workbook(path).sheetnames == ["Cover", "Contents", "Notes", "Table_1"]


def test_bad_calls_raise_listening_error(tmp_path, tables):
    _, tabs = tables
    with pytest.raises(ListeningError):
        write_briefing(tmp_path / "x.xlsx", [])
    with pytest.raises(ListeningError):
        write_briefing(tmp_path / "x.xlsx", [tabs[0].table])
    with pytest.raises(ListeningError, match="cannot write"):
        write_briefing(tmp_path / "no" / "such" / "x.xlsx", tabs)


def test_multi_select_sheet_says_mentioning(workbook):
    headers, rows = _sheet_frame(workbook["Table_2"])
    assert "Option (% mentioning)" in headers
    assert any("ticked at least one" in str(c.value) for c in workbook["Table_2"]["A"])
    values = [r[headers.index("Percentage")].value for r in rows]
    assert all(isinstance(v, int | float) and 0 <= v <= 1 for v in values)
    assert not np.isclose(sum(values[:2]), 1.0)


def test_briefing_bytes_are_the_workbook_file_made_in_memory(tmp_path, tables):
    _, tabs = tables
    path = write_briefing(tmp_path / "a.xlsx", tabs, date=DATE, targets=MARGINS)
    data = briefing_bytes(tabs, date=DATE, targets=MARGINS)
    assert data == briefing_bytes(tabs, date=DATE, targets=MARGINS)
    # The same parts, byte for byte (xlsxwriter dates zip entries differently in memory).
    with zipfile.ZipFile(io.BytesIO(data)) as memory, zipfile.ZipFile(path) as file:
        assert memory.namelist() == file.namelist()
        assert all(memory.read(n) == file.read(n) for n in file.namelist())
