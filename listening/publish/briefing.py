"""A briefing workbook: cover, contents, notes and one table per sheet.

:func:`write_briefing` writes briefing tables into one Excel workbook laid out
as the Government Statistical Service guidance on releasing statistics in
spreadsheets asks:

- a cover sheet (title, what the tables show, source, date, weighting,
  suppression), a contents sheet linking to every table, a notes sheet
  (method, weighting targets and their sources, suppression and ``[c]``,
  significance, symbols), and optionally the weighting targets as a table;
- "Change since <wave>" sheets (``Change_since_2024_1``, ...) when change tables are
  passed (:func:`listening.change_tables`): the earlier and the later
  wave's percentages, the change and its interval in their own columns
  (percentage points, stored as numbers), significance marked ``*`` (the
  Notes sheet says what it means), both bases, ``[c]`` for every group
  hidden in either wave;
- one table per sheet, its title in cell A1 and the lines that explain it
  directly below (no blank rows above the table), a single header row,
  no merged cells, each table defined as an Excel table, percentages stored
  as fractions and formatted as %, interval bounds in their own columns,
  bases shown, symbols instead of blank cells.

The workbook is written through :mod:`listening.publish.writers`, every text
cell as a string (never a formula or a link), neutralised. The cover date is passed
by the caller (default today): the same tables and date give the same cell
values, and the same bytes.

Examples
--------
>>> import datetime, tempfile, pathlib
>>> import pandas as pd
>>> import listening as yl
>>> from listening.publish.tables import crosstab
>>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
>>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
>>> out = write_briefing(pathlib.Path(tempfile.mkdtemp()) / "brief.xlsx", [tab],
...                      date=datetime.date(2025, 3, 1))
>>> import openpyxl
>>> openpyxl.load_workbook(out).sheetnames
['Cover', 'Contents', 'Notes', 'Table_1']
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from listening.errors import ListeningError
from listening.publish import change_exports
from listening.publish.audit import audit
from listening.publish.change_exports import ChangeData
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.exports import (
    CONFIDENTIAL,
    HIGHER,
    LOW_RELIABILITY,
    LOWER,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SYMBOLS,
    heading,
    presentation_frame,
)
from listening.publish.published import PublishedTable, repeats
from listening.publish.table import CrosstabData
from listening.publish.writers import neutralise, workbook, write_text

PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
WEIGHTED_FORMAT = "#,##0.0"
POINTS_FORMAT = "+0.0;-0.0;0.0"
P_VALUE_FORMAT = "0.000"
ONE_TABLE = "This worksheet contains one table."
MAX_WIDTH = 60


def write_briefing(
    path: str | Path | io.BytesIO,
    tables: Sequence[CrosstabData],
    *,
    title: str | None = None,
    source: str | None = None,
    weighting: str | None = None,
    date: dt.date | None = None,
    targets: Sequence[pd.DataFrame] | None = None,
    targets_source: str | None = None,
    notes: Sequence[str] = (),
    contact: str | None = None,
    policy: DisclosurePolicy | None = None,
    quotes: pd.DataFrame | None = None,
    changes: Sequence[ChangeData] = (),
) -> Path | io.BytesIO:
    """Write briefing tables into one accessible Excel workbook.

    The tables are one publication: before anything is written they are
    audited together (:func:`listening.publish.audit.audit`), and if a group
    below the minimum base is shown or can be worked out from them, nothing
    is written. The audit covers the change tables too: the bases they show
    of the later wave with that wave's tables, those of the earlier wave on
    their own (other respondents).

    Parameters
    ----------
    path : str, Path or BytesIO
        The ``.xlsx`` file to write (replaced if it exists), or a buffer to
        fill in memory (see :func:`briefing_bytes`).
    tables : sequence of Crosstab
        The tables, one sheet each (``Table_1``, ``Table_2``, ...), in order.
    title : str, optional
        Workbook title for the cover. Default: "Briefing tables".
    source : str, optional
        Data source. Default: the first table's source.
    weighting : str, optional
        Weighting summary. Default: the first table's weighting.
    date : datetime.date, optional
        Publication date for the cover. Default: today.
    targets : sequence of DataFrame, optional
        The population margins used for raking (as ``design.rake`` takes
        them): written as a "Weighting_targets" sheet and summarised in the notes.
    targets_source : str, optional
        Where the weighting targets come from (for the notes).
    notes : sequence of str
        Further notes, after the standard ones.
    contact : str, optional
        Contact details for the cover.
    policy : DisclosurePolicy, optional
        The publication's disclosure policy for the audit. Default: the
        tables' own (the smallest minimum base when they differ).
    quotes : DataFrame, optional
        Approved quotes, from :func:`listening.publish.approvals.publishable`
        (``group``, ``theme``, ``quote``): written as a "Quotes" sheet. Only
        quotes a reviewer approved belong here; nothing else is quoted.
    changes : sequence of ChangeTable, optional
        Change tables (:func:`listening.change_tables`, with ``published``
        set to ``tables``): one "Change since <wave>" sheet each
        (``Change_since_2024_1``, ...), after the tables.

    Returns
    -------
    Path or BytesIO
        The file written (the buffer, when given one).

    Raises
    ------
    ListeningError
        If ``tables`` is empty or holds something other than Crosstab objects,
        if ``changes`` holds something other than change tables, if the audit
        fails (the message names the groups), or the file cannot be written.

    Examples
    --------
    >>> import datetime, tempfile, pathlib
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
    >>> margins = [pd.DataFrame({"g": ["a", "b"], "population": [500, 400]})]
    >>> out = write_briefing(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", [tab],
    ...                      title="Safety survey", date=datetime.date(2025, 3, 1),
    ...                      targets=margins, targets_source="Census 2021")
    >>> import openpyxl
    >>> openpyxl.load_workbook(out).sheetnames
    ['Cover', 'Contents', 'Notes', 'Weighting_targets', 'Table_1']
    """
    tables = list(tables)
    if not tables or not all(isinstance(t, CrosstabData) for t in tables):
        raise ListeningError(
            "write_briefing: pass a non-empty list of tables made by yl.crosstab(...)."
        )
    changes = list(changes)
    if not all(isinstance(c, ChangeData) for c in changes):
        raise ListeningError(
            "write_briefing: changes must be change tables made by yl.change_tables(...)."
        )
    _check_disclosure(tables, policy, changes)
    file = path if isinstance(path, io.BytesIO) else Path(path)
    date = date or dt.date.today()
    first = tables[0]
    meta = {
        "title": title or "Briefing tables",
        "source": source if source is not None else first.source,
        "weighting": weighting if weighting is not None else first.weighting,
        "date": f"{date.day} {date:%B %Y}",
    }
    book = workbook(
        file,
        created=date,
        properties={"title": meta["title"], "comments": "Written by listening"},
    )
    styles = _Styles(book)
    sheets = [f"Table_{i}" for i in range(1, len(tables) + 1)]
    _cover(book.add_worksheet("Cover"), styles, meta, tables, contact, changes)
    extra = [("Weighting_targets", "Weighting targets used for raking")] if targets else []
    quote_frame = _quotes_frame(quotes)
    if quote_frame is not None:
        extra.append(("Quotes", "Written answers approved for publication by a reviewer"))
    change_sheets = [_change_sheet(c, i) for i, c in enumerate(changes, start=1)]
    _contents(
        book.add_worksheet("Contents"),
        styles,
        tables,
        sheets,
        extra,
        list(zip(change_sheets, [(_change_title(c), c) for c in changes], strict=True)),
    )
    note_rows = _notes(tables, meta, targets, targets_source, notes, changes)
    _table_sheet(
        book.add_worksheet("Notes"),
        styles,
        ["Notes", ONE_TABLE],
        pd.DataFrame(note_rows, columns=["Note number", "Note text"]),
        "notes_table",
        wrap={"Note text"},
    )
    if targets:
        frame = _targets_frame(targets)
        lines = ["Weighting targets: population totals used for raking", ONE_TABLE]
        if targets_source:
            lines.append(f"Source: {targets_source}")
        _table_sheet(
            book.add_worksheet("Weighting_targets"), styles, lines, frame, "weighting_targets"
        )
    if quote_frame is not None:
        lines = [
            "Quotes: written answers approved for publication by a reviewer",
            ONE_TABLE,
            "Personal details are replaced by [name], [school], [phone] and so on. Each quote "
            "comes from a theme and group with at least the minimum number of answers.",
        ]
        _table_sheet(
            book.add_worksheet("Quotes"), styles, lines, quote_frame, "quotes", wrap={"Quote"}
        )
    for number, (tab, sheet) in enumerate(zip(tables, sheets, strict=True), start=1):
        _table_sheet(
            book.add_worksheet(sheet),
            styles,
            _table_lines(tab, number),
            presentation_frame(tab),
            f"table_{number}",
        )
    for number, (change, sheet) in enumerate(zip(changes, change_sheets, strict=True), start=1):
        _table_sheet(
            book.add_worksheet(sheet),
            styles,
            _change_lines(change, number),
            change_exports.presentation_frame(change),
            f"change_{number}",
        )
    try:
        book.close()
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as err:
        raise ListeningError(
            f"write_briefing: cannot write {file} ({err}); check the folder exists and the "
            "file is not open in another program."
        ) from None
    return file


def _quotes_frame(quotes: pd.DataFrame | None) -> pd.DataFrame | None:
    """Approved quotes as the Quotes sheet shows them, or None when there are none."""
    if quotes is None or quotes.empty:
        return None
    missing = [c for c in ("group", "theme", "quote") if c not in quotes.columns]
    if missing:
        raise ListeningError(
            f"write_briefing: quotes lack the columns {missing}; pass the approved quotes of "
            "listening.publish.approvals.publishable(...)."
        )
    return pd.DataFrame(
        {
            "Group": quotes["group"].astype(str).to_numpy(),
            "Theme": quotes["theme"].astype(str).to_numpy(),
            "Quote": quotes["quote"].astype(str).to_numpy(),
        }
    )


def _check_disclosure(
    tables: list[CrosstabData], policy: DisclosurePolicy | None, changes: list[ChangeData]
) -> None:
    """Refuse a publication whose tables show or let a reader work out a small group.

    A change table's later-wave bases are audited with that wave's tables
    (left out when those tables already show every one of them); its
    earlier-wave bases with the other change tables of that wave.
    """
    if policy is None:
        first = tables[0].policy
        if first is not None and all(t.policy == first for t in tables):
            policy = first
        else:
            policy = DisclosurePolicy(min_base=min(t.min_base for t in tables))
    main = [PublishedTable.of(t) for t in tables]
    published = list(main)
    for change in changes:
        later, earlier = change_exports.published_tables(change)
        if not repeats(later, main):
            published.append(later)
        published.append(earlier)
    result = audit(published, policy=policy, trust_protection=True)
    if not result.ok:
        named = "; ".join(str(v) for v in result.violations[:5])
        more = len(result.violations) - 5
        raise ListeningError(
            f"write_briefing: refusing to write: {len(result.violations)} group(s) below the "
            f"minimum base of {policy.min_base} are shown or can be worked out: {named}"
            + (f"; and {more} more" if more > 0 else "")
            + ". Make the tables together with yl.crosstabs(...) so they are protected as "
            "one publication."
        )


def briefing_bytes(tables: Sequence[CrosstabData], **options: Any) -> bytes:
    """The briefing workbook of :func:`write_briefing`, made in memory, as bytes.

    Nothing is written to disk (for downloads from the explorer).

    Parameters
    ----------
    tables : sequence of Crosstab
    **options
        The keywords of :func:`write_briefing` (``title``, ``date``, ``targets``...).

    Returns
    -------
    bytes

    Examples
    --------
    >>> import datetime, io
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> tab = crosstab(yl.SurveyDesign(pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})),
    ...                "q", by="g")
    >>> data = briefing_bytes([tab], date=datetime.date(2025, 3, 1))
    >>> import openpyxl
    >>> openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    ['Cover', 'Contents', 'Notes', 'Table_1']
    """
    buffer = io.BytesIO()
    write_briefing(buffer, tables, **options)
    return buffer.getvalue()


class _Styles:
    """The few cell formats of the workbook."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.heading = book.add_format({"bold": True, "font_size": 13})
        self.text = book.add_format({"text_wrap": False})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.link = book.add_format({"font_color": "#0000FF", "underline": 1})
        self.percent = book.add_format({"num_format": PERCENT_FORMAT})
        self.count = book.add_format({"num_format": COUNT_FORMAT})
        self.weighted = book.add_format({"num_format": WEIGHTED_FORMAT})
        self.symbol = book.add_format({"align": "right"})
        self.points = book.add_format({"num_format": POINTS_FORMAT})
        self.p_value = book.add_format({"num_format": P_VALUE_FORMAT})


def _lines(sheet: Any, styles: _Styles, lines: Sequence[str]) -> int:
    """Write text lines down column A from A1 (the first as the title); return the next row."""
    for row, line in enumerate(lines):
        style = styles.title if row == 0 else styles.text
        write_text(sheet, row, 0, line, style)
    return len(lines)


def _cover(
    sheet: Any,
    styles: _Styles,
    meta: dict[str, str],
    tables: list[CrosstabData],
    contact: str | None,
    changes: list[ChangeData],
) -> None:
    min_bases = sorted({t.min_base for t in tables})
    levels = " or ".join(f"{100 * v:g}%" for v in sorted({t.level for t in tables}))
    about = (
        f"{len(tables)} table(s) of weighted percentages of young people giving each "
        f"answer, for the whole population surveyed and for groups, with {levels} "
        "confidence intervals, significance against the rest of the population, and bases."
    )
    if changes:
        waves = " or ".join(sorted({c.before_label for c in changes}))
        about += (
            f" {len(changes)} table(s) of change since {waves}: both waves' percentages, the "
            "change in percentage points with its confidence interval, and its significance."
        )
    sections = [
        ("About these tables", about),
        ("Source", meta["source"] or "Not stated."),
        ("Date published", meta["date"]),
        ("Weighting", meta["weighting"] or "Not stated."),
        (
            "Suppression",
            f"Figures for a group in which fewer than {_listing(min_bases)} young people "
            f"answered are not shown: the cells read {CONFIDENTIAL}, and so do those of groups "
            "hidden to protect a smaller group. See the Notes sheet.",
        ),
        ("Contents", "The Contents sheet lists and links to every table."),
    ]
    if contact:
        sections.append(("Contact", contact))
    write_text(sheet, 0, 0, meta["title"], styles.title)
    row = 1
    for head, text in sections:
        write_text(sheet, row, 0, head, styles.heading)
        write_text(sheet, row + 1, 0, text, styles.wrap)
        row += 2
    sheet.set_column(0, 0, 100)
    sheet.hide_gridlines(2)


def _listing(values: list[float]) -> str:
    return " or ".join(f"{v:g}" for v in values)


def _contents(
    sheet: Any,
    styles: _Styles,
    tables: list[CrosstabData],
    sheets: list[str],
    extra: list[tuple[str, str]],
    changes: list[tuple[str, ChangeData]],
) -> None:
    top = _lines(sheet, styles, ["Contents", ONE_TABLE])
    headers = ["Sheet name", "Table title", "Question", "Groups"]
    rows = [("Notes", "Notes on method, weighting, suppression and symbols", "", "")]
    rows += [(name, description, "", "") for name, description in extra]
    rows += [
        (sheet_name, tab.title, tab.question, " by ".join(heading(b) for b in tab.by))
        for tab, sheet_name in zip(tables, sheets, strict=True)
    ]
    rows += [
        (sheet_name, title, change.question, " by ".join(heading(b) for b in change.by))
        for sheet_name, (title, change) in changes
    ]
    rows = [tuple(cell or NOT_APPLICABLE for cell in r) for r in rows]
    for col, text in enumerate(headers):
        write_text(sheet, top, col, text, styles.header)
    for offset, row in enumerate(rows, start=1):
        sheet.write_url(top + offset, 0, f"internal:'{row[0]}'!A1", styles.link, row[0])
        for col, text in enumerate(row[1:], start=1):
            write_text(sheet, top + offset, col, text, styles.text)
    sheet.add_table(
        top,
        0,
        top + len(rows),
        len(headers) - 1,
        {
            "name": "contents_table",
            "columns": [{"header": h} for h in headers],
            "autofilter": False,
            "style": "Table Style Light 1",
        },
    )
    widths = [max(len(str(r[c])) for r in [headers, *rows]) for c in range(len(headers))]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))


def _notes(
    tables: list[CrosstabData],
    meta: dict[str, str],
    targets: Sequence[pd.DataFrame] | None,
    targets_source: str | None,
    extra: Sequence[str],
    changes: Sequence[ChangeData] = (),
) -> list[tuple[str, str]]:
    first = tables[0]
    levels = sorted({t.level for t in tables})
    methods = sorted({t.ci for t in tables})
    ci_words = {
        "logit": "the logit method (as R's svyciprop)",
        "beta": "the Korn-Graubard (beta) method (as R's svyciprop)",
    }
    texts = [
        "Percentages are design-based estimates of the share of young people giving each "
        "answer, among those who answered the question. "
        + (first.method or "")
        + " Figures agree with R's survey package.",
        "Confidence intervals ("
        + " and ".join(f"{100 * v:g}%" for v in levels)
        + ") use "
        + " and ".join(ci_words.get(m, m) for m in methods)
        + ", on the design's degrees of freedom (clusters, such as schools, minus strata). "
        "Each bound has its own column. An estimate of exactly 0% (100%) has the exact "
        "(Clopper-Pearson) interval from 0% (to 100%) on the group's effective base (Kish), is "
        f"not tested against the rest ({NOT_APPLICABLE}) and reads {NOT_APPLICABLE} where that "
        f"base is unknown. Where no interval can be computed (too few schools) the cells read "
        f"{NOT_AVAILABLE}.",
        f"Reliability: an estimate is flagged {LOW_RELIABILITY} (low reliability) when its "
        "effective base, p(1 - p) divided by its squared standard error, is below "
        + _listing(sorted({_effective(t) for t in tables}))
        + "; such estimates have wide intervals and should be used with caution.",
        "Weighting: " + (meta["weighting"] or "not stated.") + _targets_text(targets),
        "Weighting targets source: " + (targets_source or "not stated."),
        f"Suppression: where fewer than {_listing(sorted({t.min_base for t in tables}))} "
        "young people in a group answered a question, that group's percentages, intervals, "
        f"standard errors, counts and bases are not shown and read {CONFIDENTIAL} "
        "('fewer than N answered' in the Suppression column). Other groups are hidden too "
        "where the published figures of all the tables of the workbook together (totals, "
        "other groups, overlapping breakdowns such as age band and school year) would "
        "otherwise let a reader work out a hidden group's size exactly or bound it below the "
        "minimum ('hidden to protect a smaller group': secondary suppression). They are "
        "chosen by linear programming to hide as little as possible: small groups before "
        "large ones. The workbook was checked for such attacks before it was written.",
        f"Significance: 'Compared with the rest' (and {HIGHER} / {LOWER} in the HTML tables) "
        "says whether a group's percentage is significantly higher or lower than that of "
        "everyone else who answered, by a design-based t test; p-values of all groups and "
        "answers of a table are adjusted together by Holm's method, and significance is "
        "judged at the " + " and ".join(f"{100 * (1 - v):g}%" for v in levels) + " level. "
        "'All' is not compared with itself.",
        "Multi-select questions ('tick all that apply'): each option is the percentage of "
        "those who answered the question who mentioned it, so the options can add up to more "
        "than 100%.",
        "Symbols: "
        + "; ".join(f"{symbol} = {meaning}" for symbol, meaning in SYMBOLS.items())
        + ".",
        "Percentages are stored unrounded and displayed to one decimal place; "
        "weighted bases are the sum of weights of those who answered.",
    ]
    if changes:
        texts.append(change_exports.method_note(changes[0].level))
        texts.append(
            "Symbols of the change tables: " + change_exports.symbol_note(changes[0].level) + "."
        )
    texts += list(extra)
    texts += [f"Table {i}: {t}" for i, tab in enumerate(tables, start=1) for t in tab.notes]
    texts += [f"Change {i}: {t}" for i, ch in enumerate(changes, start=1) for t in ch.notes]
    return [(f"Note {i}", text) for i, text in enumerate(texts, start=1)]


def _effective(tab: CrosstabData) -> float:
    return tab.policy.min_effective_base if tab.policy is not None else 30.0


def _targets_text(targets: Sequence[pd.DataFrame] | None) -> str:
    if not targets:
        return ""
    parts = []
    for margin in targets:
        variables = [c for c in margin.columns if c != "population"]
        total = float(margin["population"].sum())
        parts.append(f"{' x '.join(variables)} ({len(margin)} cells, total {total:,.0f})")
    return " Raking targets: " + "; ".join(parts) + " (see the Weighting_targets sheet)."


def _targets_frame(targets: Sequence[pd.DataFrame]) -> pd.DataFrame:
    variables = list(dict.fromkeys(c for m in targets for c in m.columns if c != "population"))
    frames = []
    for margin in targets:
        used = [c for c in margin.columns if c != "population"]
        frame = pd.DataFrame({"Margin": " x ".join(used)}, index=range(len(margin)))
        for variable in variables:
            values = margin[variable].astype(str) if variable in used else NOT_APPLICABLE
            frame[heading(variable)] = np.asarray(values, dtype=object)
        frame["Population"] = margin["population"].to_numpy(dtype=float)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _table_lines(tab: CrosstabData, number: int) -> list[str]:
    groups = " and ".join(heading(b).lower() for b in tab.by)
    lines = [
        f"Table {number}: {tab.title} (by {groups})",
        ONE_TABLE + " Notes about method, weighting, suppression and symbols are on the "
        "Notes sheet.",
        f"Question: {tab.question}. Base: young people who answered the question"
        + (" (ticked at least one option)." if tab.kind == "multi" else "."),
        f"Groups with fewer than {tab.min_base} respondents who answered, and groups hidden "
        f"to protect a smaller group, are shown as {CONFIDENTIAL} (see the Suppression column).",
    ]
    if tab.source:
        lines.append(f"Source: {tab.source}")
    return lines


def _change_title(change: ChangeData) -> str:
    return f"Change since {change.before_label}: {change.title}"


def _change_sheet(change: ChangeData, number: int) -> str:
    """``Change_since_2024_1``: the wave's label in letters, digits and ``_``, short."""
    label = "".join(c if c.isascii() and c.isalnum() else "_" for c in change.before_label)
    return f"Change_since_{label.strip('_')[:12] or 'before'}_{number}"


def _change_lines(change: ChangeData, number: int) -> list[str]:
    groups = " and ".join(heading(b).lower() for b in change.by)
    before, after = change.before_label, change.after_label
    renamed = (
        f" (asked as {change.before_question} in {before})"
        if change.before_question != change.question
        else ""
    )
    lines = [
        f"Change since {before}, table {number}: {change.title} (by {groups})",
        ONE_TABLE + " Notes about method, significance, suppression and symbols are on the "
        "Notes sheet.",
        f"Question: {change.question}{renamed}. Base: young people who answered the question "
        f"in each wave" + (" (ticked at least one option)." if change.kind == "multi" else "."),
        f"Percentages in {before} and in {after}; the change is {after} minus {before} in "
        f"percentage points, with its {100 * change.level:g}% confidence interval. "
        f"{change_exports.SIGNIFICANT} marks a significant change (see the Notes sheet).",
        f"Groups hidden in either wave (fewer than {change.min_base} respondents who answered, "
        f"or hidden to protect a smaller group) are shown as {CONFIDENTIAL} in both "
        "(see the Suppression column).",
    ]
    if change.source:
        lines.append(f"Source: {change.source}")
    return lines


def _table_sheet(
    sheet: Any,
    styles: _Styles,
    lines: Sequence[str],
    frame: pd.DataFrame,
    name: str,
    *,
    wrap: set[str] | None = None,
) -> None:
    """Title and explanation lines from A1, then the frame as an Excel table."""
    top = _lines(sheet, styles, lines)
    headers = [neutralise(str(h)) for h in frame.columns]
    formats = [_column_format(styles, h) for h in headers]
    for col, text in enumerate(headers):
        write_text(sheet, top, col, text, styles.header)
    values = frame.to_numpy(dtype=object)
    for r, row in enumerate(values, start=top + 1):
        for c, value in enumerate(row):
            _cell(sheet, r, c, value, formats[c], styles)
    sheet.add_table(
        top,
        0,
        top + len(values),
        len(headers) - 1,
        {
            "name": name,
            "columns": [{"header": h} for h in headers],
            "autofilter": False,
            "style": "Table Style Light 1",
        },
    )
    for col, header in enumerate(headers):
        longest = max([len(_shown(v)) for v in values[:, col]] or [0])
        if wrap and header in wrap:
            sheet.set_column(col, col, 100, styles.wrap)
        else:
            sheet.set_column(col, col, min(max(longest, min(len(header), 24)) + 2, MAX_WIDTH))
    sheet.freeze_panes(top + 1, 0)


def _column_format(styles: _Styles, header: str) -> Any:
    if header.endswith("(percentage points)"):
        return styles.points
    if header.startswith("p-value"):
        return styles.p_value
    if header.startswith(("Percentage", "Lower limit", "Upper limit", "Standard error")):
        return styles.percent
    if header == "Weighted base":
        return styles.weighted
    if header in ("Population", "Respondents giving this answer") or header.startswith("Base"):
        return styles.count
    return styles.text


def _cell(sheet: Any, row: int, col: int, value: Any, style: Any, styles: _Styles) -> None:
    if isinstance(value, str):
        numeric = style is not styles.text
        write_text(sheet, row, col, value, styles.symbol if numeric else style)
    elif isinstance(value, bool | np.bool_):
        write_text(sheet, row, col, "Yes" if value else "No", styles.text)
    elif value is None or pd.isna(value):
        write_text(sheet, row, col, NOT_AVAILABLE, styles.symbol)
    else:
        sheet.write_number(row, col, float(value), style)


def _shown(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:,.1f}"
    return str(value)
