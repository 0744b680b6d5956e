"""The one writer of every CSV and Excel file the project produces.

Crosstab exports, the briefing workbook and every explorer download are
written here, so that one rule keeps spreadsheets safe: text that a
spreadsheet program could run as a formula (or a DDE command) is made inert
by a leading apostrophe, as OWASP's "CSV injection" guidance advises.

Text is *formula-like* when, after NFKC normalisation (full-width ``＝＋－＠``
become ``=+-@``) and after dropping leading white space (the no-break and
other Unicode spaces), zero-width characters, bidirectional controls and
other invisible format or control characters, it begins with ``=``, ``+``,
``-``, ``@``, ``|``, a tab or a carriage return (:data:`FORMULA_TRIGGERS`).
A tab or carriage return at the very start counts too. Numbers stay numbers:
a negative number written as a number is never touched, while text such as
``"-"`` or ``"- 3"`` is neutralised (simple and safe).

CSV files are UTF-8 without a byte-order mark, lines end in ``\\n`` and
floats are written with 12 significant digits, so the same frame gives the
same bytes. Excel files are written by xlsxwriter with every text cell a
string, never a formula or a link (``strings_to_formulas`` and
``strings_to_urls`` off), and every number a number.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"label": ["=1+1", "\\u200b=2+2", "Safe"], "n": [-1, 2, 3]})
>>> csv_bytes(frame).decode("utf-8").splitlines()
['label,n', "'=1+1,-1", "'\\u200b=2+2,2", 'Safe,3']
>>> xlsx_bytes({"Table": frame})[:2]
b'PK'
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from listening.errors import ListeningError

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "|", "\t", "\r")
CSV_FLOAT_DIGITS = ".12g"
WORKBOOK_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
MAX_COLUMN_WIDTH = 60
#: Excel's worksheet limits: rows (with the header row) and columns.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
_KEPT_CONTROLS = frozenset("\t\r")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula or a DDE command.

    Parameters
    ----------
    text : str

    Returns
    -------
    bool

    Examples
    --------
    >>> formula_like(" =1+1"), formula_like("\\u200b=2+2"), formula_like("＝1+1")
    (True, True, True)
    >>> formula_like("\\u00a0@SUM(A1)"), formula_like("\\t=1"), formula_like("- 3")
    (True, True, True)
    >>> formula_like("11-13"), formula_like("Very safe"), formula_like("")
    (False, False, False)
    """
    if text.startswith(FORMULA_TRIGGERS):
        return True
    if text[:1].isascii() and text[:1].isalnum():  # the common case: a plain letter or digit
        return False
    shown = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(shown) and _invisible(shown[start]):
        start += 1
    return shown.startswith(FORMULA_TRIGGERS, start)


def _invisible(char: str) -> bool:
    if char in _KEPT_CONTROLS:
        return False
    return char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def neutralise(value: Any) -> Any:
    """Prefix formula-like text with an apostrophe; return anything else unchanged.

    The result is never formula-like, and neutralising twice changes
    nothing more than neutralising once.

    Parameters
    ----------
    value : object
        Any cell value. Only strings are ever changed (see :func:`formula_like`).

    Returns
    -------
    object

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("+44 1223"), neutralise("11-13"), neutralise(-0.25)
    ("'+44 1223", '11-13', -0.25)
    >>> neutralise(neutralise("@SUM(A1)"))
    "'@SUM(A1)"
    """
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def _blank(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float | np.floating) and np.isnan(value))
    )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float | np.floating) and not _blank(value):
        return format(float(value) + 0.0, CSV_FLOAT_DIGITS)  # no "-0"
    return value


def _headers(frame: pd.DataFrame) -> list[str]:
    return [neutralise(str(column)) for column in frame.columns]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes: neutralised text, numbers as numbers, no index.

    Column names are neutralised like cells. Missing values are empty
    fields; floats have 12 significant digits.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    bytes
        UTF-8 (no byte-order mark), lines ending in ``\\n``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"@group": ["-", "North"], "share": [0.1 + 0.2, None]})
    >>> csv_bytes(frame)
    b"'@group,share\\n'-,0.3\\nNorth,\\n"
    """
    cells = pd.DataFrame(
        {i: _csv_column(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=frame.index
    )
    cells.columns = _headers(frame)
    text = cells.to_csv(index=False, lineterminator="\n", float_format="%" + CSV_FLOAT_DIGITS)
    return text.encode("utf-8")


def _csv_column(column: pd.Series) -> pd.Series:
    """A column ready for ``to_csv``: numbers as they are, every distinct other value once."""
    if column.dtype.kind == "f":
        return column + 0.0  # -0.0 + 0.0 is 0.0: a zero is written "0", never "-0"
    if column.dtype.kind in "biu":
        return column
    try:
        codes, values = pd.factorize(column.astype(object))
    except TypeError:  # unhashable cells (lists...): one at a time
        return column.astype(object).map(_csv_cell)
    cells = np.array([*(_csv_cell(v) for v in values), None], dtype=object)
    return pd.Series(cells[codes], index=column.index, dtype=object)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write :func:`csv_bytes` of the frame to a file.

    Parameters
    ----------
    frame : DataFrame
    path : str or Path
        The file to write (replaced if it exists).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ListeningError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> out = write_csv(pd.DataFrame({"q": ["+1"]}), pathlib.Path(tempfile.mkdtemp()) / "q.csv")
    >>> out.read_text(encoding="utf-8")
    "q\\n'+1\\n"
    """
    file = Path(path)
    data = csv_bytes(frame)
    try:
        file.write_bytes(data)
    except OSError as err:
        raise ListeningError(
            f"cannot write {file} ({err.strerror or err}); check the folder exists and "
            "the file is not open in another program."
        ) from None
    return file


def workbook(
    target: str | Path | io.BytesIO,
    *,
    created: dt.date | None = None,
    properties: Mapping[str, str] | None = None,
) -> xlsxwriter.Workbook:
    """A new xlsxwriter ``Workbook`` that writes text as strings, never formulas or links.

    Write its text cells with :func:`write_text` (or :func:`write_cell`), so
    that they are neutralised too.

    Parameters
    ----------
    target : str, Path or BytesIO
        Where ``close()`` writes the file.
    created : datetime.date, optional
        The creation date stored in the file. Default: now. Passing a date
        makes the same content give the same bytes.
    properties : mapping of str to str, optional
        Further document properties (``title``, ``comments``...), neutralised.

    Returns
    -------
    xlsxwriter.Workbook

    Examples
    --------
    >>> import datetime, io
    >>> buffer = io.BytesIO()
    >>> book = workbook(buffer, created=datetime.date(2025, 3, 1), properties={"title": "=1"})
    >>> sheet = book.add_worksheet("Sheet1")
    >>> write_text(sheet, 0, 0, "=1+1")
    0
    >>> book.close()
    >>> import openpyxl
    >>> opened = openpyxl.load_workbook(buffer)
    >>> opened.properties.title, opened["Sheet1"]["A1"].value, opened["Sheet1"]["A1"].data_type
    ("'=1", "'=1+1", 's')
    """
    options: dict[str, Any] = dict(WORKBOOK_OPTIONS)
    if isinstance(target, io.BytesIO):
        options["in_memory"] = True
    else:
        target = str(target)
    book = xlsxwriter.Workbook(target, options)
    document = {key: neutralise(value) for key, value in (properties or {}).items()}
    if created is not None:
        document["created"] = dt.datetime.combine(created, dt.time())
    if document:
        book.set_properties(document)
    return book


def write_text(sheet: Any, row: int, col: int, text: str, style: Any = None) -> int:
    """Write ``text`` into a worksheet cell as a string, neutralised.

    Parameters
    ----------
    sheet : xlsxwriter Worksheet
    row, col : int
        Zero-based cell position.
    text : str
    style : xlsxwriter Format, optional

    Returns
    -------
    int
        xlsxwriter's return code (0 when written).

    Examples
    --------
    See :func:`workbook`.
    """
    return sheet.write_string(row, col, neutralise(str(text)), style)


def sheet_names(names: list[str]) -> list[str]:
    """Excel-safe, distinct worksheet names for the given names, in order.

    Characters Excel forbids (``[]:*?/\\``) become ``_``, names are cut
    to 31 characters, leading and trailing apostrophes are dropped, an
    empty name becomes ``Sheet``, and repeats get `` (2)``, `` (3)``...

    Examples
    --------
    >>> sheet_names(["Who: took part?", "Who: took part?", "", "x" * 40])
    ['Who_ took part_', 'Who_ took part_ (2)', 'Sheet', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        clean = "".join("_" if c in SHEET_NAME_FORBIDDEN else c for c in str(name))
        clean = clean[:SHEET_NAME_LIMIT].strip("'") or "Sheet"
        candidate, number = clean, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = clean[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, created: dt.date | None = None) -> bytes:
    """An Excel workbook of the frames, one sheet each, as bytes.

    Each sheet has a bold header row (column names, neutralised), frozen,
    then the rows: numbers as numbers, booleans as booleans, text as
    neutralised strings, missing values as empty cells. No index is written.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name to frame, in order. Names are made Excel-safe (see
        :func:`sheet_names`).
    created : datetime.date, optional
        The creation date stored in the file (default: now).

    Returns
    -------
    bytes

    Raises
    ------
    ListeningError
        If there is no sheet, or a frame is larger than an Excel worksheet.

    Examples
    --------
    >>> import io
    >>> import openpyxl
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"group": ["@North", "South"], "share": [-0.5, 0.25]})
    >>> book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"By group": frame})))
    >>> [[c.value for c in row] for row in book["By group"].iter_rows()]
    [['group', 'share'], ["'@North", -0.5], ['South', 0.25]]
    """
    if not sheets:
        raise ListeningError("xlsx_bytes: pass at least one sheet, as {'Sheet name': frame}.")
    buffer = io.BytesIO()
    book = workbook(buffer, created=created)
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for name, frame in zip(sheet_names(list(sheets)), sheets.values(), strict=True):
        if len(frame) + 1 > MAX_ROWS or frame.shape[1] > MAX_COLUMNS:
            raise ListeningError(
                f"xlsx_bytes: sheet {name!r} has {len(frame):,} rows and {frame.shape[1]:,} "
                f"columns; Excel holds at most {MAX_ROWS - 1:,} rows below the header and "
                f"{MAX_COLUMNS:,} columns. Download it as CSV instead, or filter it first."
            )
        sheet = book.add_worksheet(name)
        headers = _headers(frame)
        for col, text in enumerate(headers):
            sheet.write_string(0, col, text, header)
        values = frame.to_numpy(dtype=object)
        for row, cells in enumerate(values, start=1):
            for col, value in enumerate(cells):
                write_cell(sheet, row, col, value)
        for col, text in enumerate(headers):
            longest = max([len(str(v)) for v in values[:, col]] or [0])
            sheet.set_column(col, col, min(max(longest, len(text)) + 2, MAX_COLUMN_WIDTH))
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def write_cell(sheet: Any, row: int, col: int, value: Any, style: Any = None) -> None:
    """Write one value: a number as a number, a boolean as a boolean, else neutralised text.

    Missing values (``None``, ``NaN``, ``pd.NA``, ``NaT``) leave the cell
    empty; infinite numbers are written as (neutralised) text.

    Examples
    --------
    See :func:`xlsx_bytes`.
    """
    if _blank(value):
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value), style)
    elif isinstance(value, int | float | np.integer | np.floating) and np.isfinite(value):
        sheet.write_number(row, col, float(value), style)
    else:
        write_text(sheet, row, col, str(value), style)
