"""What a reader sees of a publication: its tables, from memory, a workbook or CSV files.

A :class:`PublishedTable` holds one table's published groups, answers, counts
and bases (NaN where hidden); :func:`read_csv_folder` and :func:`read_workbook`
read them back from the project's outputs, for the attacker of
:mod:`listening.publish.audit`.

Examples
--------
>>> import tempfile
>>> read_csv_folder(tempfile.mkdtemp())
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.ingest.codebook import slug
from listening.publish.exports import CONFIDENTIAL, heading
from listening.publish.table import CrosstabData


@dataclass(frozen=True)
class PublishedTable:
    """One table as a reader sees it.

    Attributes
    ----------
    question : str
        Tables of the same question are attacked together.
    by : tuple of str
        The grouping columns.
    rows : DataFrame
        The ``by`` columns (``"All"`` for the whole population), ``category``,
        ``n`` and ``base``; NaN where a figure is not published.
    kind : {"single", "multi", "unknown"}
        ``"single"``: the first categories partition the base (nets follow).
    name : str
        Where the table came from, for messages.

    Examples
    --------
    >>> import pandas as pd
    >>> t = PublishedTable("q", ("g",), pd.DataFrame({"g": ["All"], "category": ["x"],
    ...                                               "n": [3], "base": [12]}))
    >>> t.groups()[["g", "base"]].to_dict("records")
    [{'g': 'All', 'base': 12.0}]
    """

    question: str
    by: tuple[str, ...]
    rows: pd.DataFrame
    kind: str = "unknown"
    name: str = ""

    def groups(self) -> pd.DataFrame:
        """One row per group: the ``by`` values and the published ``base`` (NaN: hidden)."""
        return self._groups.copy()

    @cached_property
    def _groups(self) -> pd.DataFrame:
        out = self.rows.drop_duplicates(list(self.by))[[*self.by, "base"]].copy()
        out["base"] = pd.to_numeric(out["base"], errors="coerce").astype(float)
        return out.reset_index(drop=True)

    @classmethod
    def of(cls, tab: CrosstabData, name: str = "") -> PublishedTable:
        """What a reader sees of a crosstab (its published figures).

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> PublishedTable.of(yl.crosstab(yl.SurveyDesign(data), "q", by="g")).by
        ('g',)
        """
        rows = tab.table[[*tab.by, "category", "n", "base"]].astype({"n": float, "base": float})
        return cls(tab.question, tuple(tab.by), rows, tab.kind, name or _label(tab))


def _label(tab: CrosstabData) -> str:
    return f"{tab.question} by {' x '.join(tab.by)}"


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace({CONFIDENTIAL: np.nan}), errors="coerce")


CSV_NAME = re.compile(r"table_\d+_(?P<rest>.+)")
CHANGE_CSV = re.compile(r"change_\d+_(?P<rest>.+)")


def read_csv_folder(folder: str | Path) -> list[PublishedTable]:
    """The project's tidy CSV tables in a folder, as a reader sees them.

    Tables of one question are recognised by the file name the CLI writes
    (``table_<k>_<question>_by_<by>.csv``), else by their answer categories.
    A change table's CSV (``change_<k>_...``, with ``base_before`` and
    ``base_after``) gives each wave's bases, as a "Change since" sheet does
    (:func:`change_sheet`).

    Examples
    --------
    >>> import tempfile
    >>> read_csv_folder(tempfile.mkdtemp())
    []
    """
    out, changes = [], []
    for file in sorted(Path(folder).glob("*.csv")):
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        if "category" in frame.columns and {"base_before", "base_after"} <= set(frame.columns):
            changes += _change_csv(frame, file)
            continue
        if "category" not in frame.columns or "base" not in frame.columns:
            continue
        by = tuple(frame.columns[: list(frame.columns).index("category")])
        rows = frame[[*by, "category"]].map(_unneutralise)
        rows["n"] = _numbers(frame["n"])
        rows["base"] = _numbers(frame["base"])
        match = CSV_NAME.fullmatch(file.stem)
        suffix = f"_by_{slug('_'.join(by))}"
        if match and match["rest"].endswith(suffix):
            question = match["rest"][: -len(suffix)]
        else:
            question = "|".join(dict.fromkeys(rows["category"]))
        out.append(PublishedTable(question, by, rows, "unknown", file.name))
    return out + [t for t in changes if not repeats(t, out)]


def _change_csv(frame: pd.DataFrame, file: Path) -> list[PublishedTable]:
    """A change table's CSV (``change_<k>_<question>_by_<by>.csv``): each wave's bases."""
    by = tuple(frame.columns[: list(frame.columns).index("category")])
    rows = frame[[*by, "category"]].map(_unneutralise)
    rows["n"] = np.nan
    match = CHANGE_CSV.fullmatch(file.stem)
    suffix = f"_by_{slug('_'.join(by))}"
    if match and match["rest"].endswith(suffix):
        question = match["rest"][: -len(suffix)]
    else:
        question = "|".join(dict.fromkeys(rows["category"]))
    return [
        PublishedTable(
            name, by, rows.assign(base=_numbers(frame[f"base_{wave}"])), "unknown", file.name
        )
        for name, wave in ((question, "after"), (f"earlier wave: {question}", "before"))
    ]


def _unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def read_workbook(path: str | Path) -> list[PublishedTable]:
    """The tables of a briefing workbook (read with openpyxl), as a reader sees them.

    A "Change since" sheet gives two tables (:func:`change_sheet`): its later
    wave's bases, kept unless a ``Table_`` sheet already shows each of them
    (:func:`repeats`), and its earlier wave's.

    Examples
    --------
    >>> import datetime, tempfile, pathlib
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> out = yl.write_briefing(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx",
    ...     [yl.crosstab(yl.SurveyDesign(data), "q", by="g")], date=datetime.date(2025, 3, 1))
    >>> [t.by for t in read_workbook(out)]
    [('g',)]
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except (OSError, ValueError, KeyError) as err:
        raise ListeningError(f"audit: cannot read the workbook {path} ({err}).") from None
    out, changes = [], []
    for sheet in book.worksheets:
        if sheet.title.startswith(CHANGE_SHEET) and len(sheet.tables) == 1:
            changes += change_sheet(sheet, f"{Path(path).name} {sheet.title}")
            continue
        if not sheet.title.startswith("Table_") or len(sheet.tables) != 1:
            continue
        (ref,) = [t.ref for t in sheet.tables.values()]
        cells = [[c.value for c in row] for row in sheet[ref]]
        frame = pd.DataFrame(cells[1:], columns=cells[0])
        answer = "Answer" if "Answer" in frame.columns else "Option (% mentioning)"
        position = list(frame.columns).index(answer)
        headings = list(frame.columns[:position])
        question = _question_line(sheet)
        by = tuple(_by_names(sheet, headings))
        rows = frame[headings].astype(str).map(_unneutralise)
        rows.columns = list(by)
        rows["category"] = frame[answer].astype(str).map(_unneutralise)
        rows["n"] = _numbers(frame["Respondents giving this answer"])
        rows["base"] = _numbers(frame["Base (respondents who answered)"])
        kind = "single" if answer == "Answer" else "multi"
        out.append(PublishedTable(question, by, rows, kind, f"{Path(path).name} {sheet.title}"))
    return out + [t for t in changes if not repeats(t, out)]


CHANGE_SHEET = "Change_since_"
BASE_HEADING = re.compile(r"Base (?P<wave>.+) \(respondents who answered\)")
RENAMED = re.compile(r"(?P<question>.+?) \(asked as (?P<before>.+) in .+\)")


def change_sheet(sheet: Any, name: str) -> list[PublishedTable]:
    """The bases a "Change since" sheet shows: the later wave's, then the earlier wave's.

    The later wave's table is of the sheet's question (it joins that wave's
    tables); the earlier wave's of ``"<wave> wave: <its question>"``, as
    :func:`listening.publish.change_exports.published_tables` names them.
    """
    (ref,) = [t.ref for t in sheet.tables.values()]
    cells = [[c.value for c in row] for row in sheet[ref]]
    frame = pd.DataFrame(cells[1:], columns=cells[0])
    answer = "Answer" if "Answer" in frame.columns else "Option (% mentioning)"
    headings = list(frame.columns[: list(frame.columns).index(answer)])
    by = tuple(_by_names(sheet, headings))
    line = _question_line(sheet)
    renamed = RENAMED.fullmatch(line)
    question = renamed["question"] if renamed else line
    before = renamed["before"] if renamed else line
    rows = frame[headings].astype(str).map(_unneutralise)
    rows.columns = list(by)
    rows["category"] = frame[answer].astype(str).map(_unneutralise)
    rows["n"] = np.nan
    kind = "single" if answer == "Answer" else "multi"
    bases = [(c, BASE_HEADING.fullmatch(str(c))) for c in frame.columns]
    (earlier, first), (later, second) = [(c, m) for c, m in bases if m]
    return [
        PublishedTable(
            question,
            by,
            rows.assign(base=_numbers(frame[later])),
            kind,
            f"{name} ({second['wave']})",
        ),
        PublishedTable(
            f"{first['wave']} wave: {before}",
            by,
            rows.assign(base=_numbers(frame[earlier])),
            kind,
            f"{name} ({first['wave']})",
        ),
    ]


def repeats(table: PublishedTable, others: list[PublishedTable]) -> bool:
    """Whether ``others`` already publish every base ``table`` shows (it adds nothing).

    True when a table of the same question and groups shows each of
    ``table``'s shown groups with the same base.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "a"], "category": "x", "n": 1.0, "base": [20.0, 12.0]})
    >>> fewer = rows.assign(base=[20.0, float("nan")])
    >>> repeats(PublishedTable("q", ("g",), fewer), [PublishedTable("q", ("g",), rows)])
    True
    >>> repeats(PublishedTable("q", ("g",), rows), [PublishedTable("q", ("g",), fewer)])
    False
    """
    shown = table.groups().dropna(subset=["base"])
    keys = [tuple(k) for k in shown[list(table.by)].astype(str).to_numpy()]
    for other in others:
        if other.question != table.question or other.by != table.by:
            continue
        groups = other.groups()
        known = dict(
            zip(
                (tuple(k) for k in groups[list(other.by)].astype(str).to_numpy()),
                groups["base"],
                strict=True,
            )
        )
        if all(
            abs(known.get(k, np.nan) - b) < 1e-9 for k, b in zip(keys, shown["base"], strict=True)
        ):
            return True
    return False


def _question_line(sheet: Any) -> str:
    for row in sheet.iter_rows(min_row=1, max_row=8, max_col=1, values_only=True):
        text = str(row[0] or "")
        if text.startswith("Question: "):
            return text[len("Question: ") :].split(". Base:")[0]
    return sheet.title


def _by_names(sheet: Any, headings: list[str]) -> list[str]:
    """The by columns of a sheet: its headings back as column names."""
    return [
        h.lower().replace(" ", "_") if heading(h.lower().replace(" ", "_")) == h else h
        for h in headings
    ]
