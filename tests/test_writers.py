"""The one CSV/XLSX writer: hostile text never becomes a formula, numbers stay numbers.

Files are read back as a spreadsheet user would get them (the csv module,
openpyxl), and judged by an independent rule: after NFKC and after dropping
leading spaces, zero-width characters and bidi controls, no text may begin
with a formula character.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import listening as yl
from listening.ingest.codebook import codebook_from_dict
from listening.publish.briefing import write_briefing
from listening.publish.exports import presentation_frame, tidy_frame, to_csv, to_html
from listening.publish.tables import crosstab
from listening.publish.writers import (
    MAX_COLUMNS,
    csv_bytes,
    formula_like,
    neutralise,
    sheet_names,
    write_csv,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    " =1+1",
    "\u200b=2+2",
    "＝1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
]
GROUPS = ["@grp", "- 3", "\u00a0+grp"]
INVISIBLE = [" ", "\u00a0", "\u2003", "\u3000", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
INVISIBLE += ["\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\n"]
TRIGGERS = ["=", "+", "-", "@", "|", "\t", "\r", "＝", "＋", "－", "＠", "﹦"]
DATE = dt.date(2025, 3, 1)
_LEADING = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]*")


def runs_as_formula(text: str) -> bool:
    """The test's own rule for text a spreadsheet could take for a formula."""
    if text.startswith(("\t", "\r")):
        return True
    shown = unicodedata.normalize("NFKC", text)
    return shown[_LEADING.match(shown).end() :].startswith(("=", "+", "-", "@", "|"))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# neutralise -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*HOSTILE, *GROUPS, "-", "|cmd", "\r=1", "\ufeff+1"])
def test_hostile_text_is_prefixed(text):
    assert runs_as_formula(text)
    assert neutralise(text) == "'" + text


@given(st.text())
def test_neutralised_text_never_runs_and_is_only_ever_prefixed(text):
    out = neutralise(text)
    assert out in (text, "'" + text)
    assert not runs_as_formula(out)
    assert neutralise(out) == out
    if runs_as_formula(text):
        assert out == "'" + text


@given(
    st.lists(st.sampled_from(INVISIBLE), max_size=4).map("".join),
    st.sampled_from(TRIGGERS),
    st.text(max_size=10),
)
def test_any_invisible_prefix_before_a_trigger_is_caught(prefix, trigger, rest):
    text = prefix + trigger + rest
    assert formula_like(text)
    assert neutralise(text) == "'" + text


@given(st.from_regex(r"\A[A-Za-z0-9£(\"'][^\r]*\Z"))
def test_text_starting_with_a_letter_digit_or_quote_is_untouched(text):
    assert neutralise(text) == text


@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none()))
def test_numbers_and_other_values_are_untouched(value):
    assert neutralise(value) is value


# csv_bytes and xlsx_bytes ------------------------------------------------------------------


def hostile_frame() -> pd.DataFrame:
    labels = [*HOSTILE, *GROUPS]
    return pd.DataFrame(
        {
            "label": labels,
            "=col": pd.Categorical(labels[::-1]),
            "change": np.linspace(-1, 1, len(labels)),
            "n": np.arange(len(labels)) - 3,
            "flag": [True, False] * (len(labels) // 2) + [True] * (len(labels) % 2),
        }
    )


def test_csv_bytes_read_back_has_no_live_text_and_keeps_numbers():
    frame = hostile_frame()
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert header == ["label", "'=col", "change", "n", "flag"]
    texts = [row[i] for row in body for i in (0, 1)] + [r[4] for r in body]
    assert not [t for t in texts if runs_as_formula(t)]
    assert sorted(texts[: 2 * len(body)]) == sorted(["'" + t for t in frame["label"]] * 2)
    assert [float(r[2]) for r in body] == pytest.approx(frame["change"].tolist(), rel=1e-11)
    assert [int(r[3]) for r in body] == frame["n"].tolist()
    assert any(r[3].startswith("-") for r in body), "negative numbers stay numbers"


def test_csv_bytes_is_utf8_without_bom_and_blank_for_missing(tmp_path):
    frame = pd.DataFrame({"a": ["é", None], "b": [np.nan, 0.1 + 0.2], "c": pd.array([1, None])})
    data = csv_bytes(frame)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == "a,b,c\né,,1\n,0.3,\n"
    assert write_csv(frame, tmp_path / "f.csv").read_bytes() == data


def test_write_csv_to_a_missing_folder_is_a_listening_error(tmp_path):
    with pytest.raises(yl.ListeningError, match="cannot write"):
        write_csv(hostile_frame(), tmp_path / "missing" / "f.csv")


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def cells(book: openpyxl.Workbook) -> list:
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_no_live_cells(book: openpyxl.Workbook) -> list[str]:
    """No formula cell, no formula-like text; return the texts."""
    texts = []
    for cell in cells(book):
        assert cell.data_type != "f", (cell.parent.title, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts.append(cell.value.replace("_x000D_", "\r"))  # openpyxl keeps the escape
    assert not [t for t in texts if runs_as_formula(t)]
    return texts


def test_xlsx_bytes_read_back_has_no_formulas_and_keeps_numbers():
    frame = hostile_frame()
    book = read_xlsx(xlsx_bytes({"=Sheet": frame, "Other": frame.head(2)}))
    assert book.sheetnames == ["=Sheet", "Other"]
    texts = assert_no_live_cells(book)
    for text in frame["label"]:
        assert "'" + text in texts
    sheet = book["=Sheet"]
    assert [c.value for c in sheet[1]] == ["label", "'=col", "change", "n", "flag"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [v[2] for v in values] == pytest.approx(frame["change"].tolist())
    assert [v[3] for v in values] == frame["n"].tolist()
    assert [v[4] for v in values] == frame["flag"].tolist()
    assert all(c.data_type == "n" for c in sheet["C"][1:] + sheet["D"][1:])


def test_xlsx_bytes_is_the_same_for_the_same_frames_and_date():
    one = xlsx_bytes({"t": hostile_frame()}, created=DATE)
    assert one == xlsx_bytes({"t": hostile_frame()}, created=DATE)


def test_xlsx_bytes_leaves_missing_cells_empty():
    frame = pd.DataFrame({"a": [None, "x"], "b": [np.nan, np.inf]})
    rows = list(read_xlsx(xlsx_bytes({"s": frame})).active.iter_rows(values_only=True))
    assert rows == [("a", "b"), (None, None), ("x", "inf")]


def test_xlsx_bytes_needs_a_sheet():
    with pytest.raises(yl.ListeningError, match="at least one sheet"):
        xlsx_bytes({})


def test_xlsx_bytes_refuses_a_frame_wider_than_excel_rather_than_drop_cells():
    wide = pd.DataFrame(np.zeros((1, MAX_COLUMNS + 1)))
    with pytest.raises(yl.ListeningError, match="CSV instead"):
        xlsx_bytes({"wide": wide})


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_sheet_names_are_valid_distinct_and_in_order(names):
    out = sheet_names(names)
    assert len(out) == len(names)
    assert len({n.lower() for n in out}) == len(out)
    for name in out:
        assert 1 <= len(name) <= 31
        assert not set(name) & set("[]:*?/\\") and not name.startswith("'")
        assert not name.endswith("'")


# every export of a crosstab built from a hostile codebook ----------------------------------


@pytest.fixture(scope="module")
def hostile_tab():
    """Hostile question wording, option and net labels, group labels, notes, column name."""
    book = codebook_from_dict(
        {
            "id_column": "id",
            "title": "@title",
            "source": "+source",
            "questions": [
                {"name": "id", "type": "id"},
                {"name": " =by", "type": "single", "options": GROUPS},
                {
                    "name": "q",
                    "wording": HOSTILE[0],
                    "type": "single",
                    "options": HOSTILE,
                    "nets": {"＝net": HOSTILE[:2]},
                },
            ],
        }
    )
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "id": [f"R{i}" for i in range(300)],
            " =by": pd.Categorical(rng.choice(GROUPS, 300), categories=GROUPS),
            "q": pd.Categorical(rng.choice(HOSTILE, 300), categories=HOSTILE),
        }
    )
    return crosstab(yl.SurveyDesign(frame), "q", by=" =by", codebook=book, notes=["-note", "|pipe"])


EXPECTED = [*HOSTILE, *GROUPS, "＝net"]


def test_crosstab_csv_has_every_label_neutralised(tmp_path, hostile_tab):
    with open(to_csv(hostile_tab, tmp_path / "t.csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "' =by"
    text = [f for row in rows for f in row[:2]]
    assert not [f for f in text if runs_as_formula(f)]
    assert not [f for row in rows for f in row if runs_as_formula(f) and not is_number(f)]
    assert {"'" + t for t in EXPECTED} <= set(text)


def test_briefing_has_no_formula_cells_from_any_hostile_text(tmp_path, hostile_tab):
    path = write_briefing(tmp_path / "b.xlsx", [hostile_tab], title="=HYPERLINK(1)", date=DATE)
    book = openpyxl.load_workbook(path)
    texts = assert_no_live_cells(book)
    for text in EXPECTED:
        assert "'" + text in texts
    joined = "\n".join(texts)
    assert "'=HYPERLINK(1)" in texts
    for text in ["Table 1: -note", "Table 1: |pipe", "Table 1: " + HOSTILE[0]]:
        assert text in joined
    assert book.properties.title == "'=HYPERLINK(1)"


def test_explorer_style_downloads_of_a_crosstab_are_safe(hostile_tab):
    book = read_xlsx(
        xlsx_bytes({"tidy": tidy_frame(hostile_tab), "shown": presentation_frame(hostile_tab)})
    )
    texts = assert_no_live_cells(book)
    assert {"'" + t for t in EXPECTED} <= set(texts)
    rows = list(csv.reader(io.StringIO(csv_bytes(presentation_frame(hostile_tab)).decode())))
    assert not [f for row in rows for f in row if runs_as_formula(f) and not is_number(f)]


def test_html_escapes_markup_in_labels():
    book = codebook_from_dict(
        {
            "id_column": "id",
            "questions": [
                {"name": "id", "type": "id"},
                {"name": "g", "type": "single", "options": ["<b>a</b>", "b"]},
                {
                    "name": "q",
                    "wording": "<script>x</script>",
                    "type": "single",
                    "options": ["<img src=x>", "no"],
                },
            ],
        }
    )
    frame = pd.DataFrame(
        {
            "id": [str(i) for i in range(40)],
            "g": pd.Categorical(["<b>a</b>", "b"] * 20),
            "q": pd.Categorical(["<img src=x>", "no"] * 20),
        }
    )
    html = to_html(crosstab(yl.SurveyDesign(frame), "q", by="g", codebook=book))
    assert "<img" not in html and "<script" not in html and "<b>a" not in html
    assert "&lt;img src=x&gt;" in html


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
@example([0.0, -0.0])  # hypothesis found it: "-0" from a float column, "0" among text
def test_float_columns_and_mixed_columns_write_numbers_alike(values):
    """A float column and the same floats among text give the same fields (12 digits,
    zero never "-0")."""
    floats = pd.DataFrame({"x": pd.Series(values, dtype=float)})
    mixed = pd.DataFrame({"x": pd.Series([*values, "[c]"], dtype=object)})
    assert csv_bytes(mixed).startswith(csv_bytes(floats))
    fields = [row[0] for row in csv.reader(io.StringIO(csv_bytes(floats).decode()))][1:]
    assert fields == ["" if np.isnan(v) else format(v + 0.0, ".12g") for v in values]
    assert "-0" not in fields  # a zero is a zero (-0.0 + 0.0 is 0.0)
