"""Exports of briefing tables: tidy CSV, presentation frames and HTML.

Every export shows ``[c]`` (confidential) in place of each figure of a
suppressed group, and uses the Government Statistical Service symbols
(:data:`SYMBOLS`) where a cell has no number, so no cell is left blank.

Text that came from respondents or a codebook (answer labels, group names,
question wording) and could pass for a formula is *neutralised* by
:func:`listening.publish.writers.neutralise`: it is written with a leading
apostrophe (``'=cmd``), so that no spreadsheet program reading the CSV or the
workbook ever takes it for a formula (OWASP "CSV injection"). Numbers are
written as numbers and never neutralised. Every CSV is written by
:mod:`listening.publish.writers`; the HTML escapes all text.

Examples
--------
>>> neutralise(" =HYPERLINK(\\"http://x\\")")
'\\' =HYPERLINK("http://x")'
>>> neutralise("Very safe"), neutralise(0.25)
('Very safe', 0.25)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.ingest.codebook import slug
from listening.publish.table import ALL, ESTIMATE_COLUMNS, CrosstabData
from listening.publish.writers import neutralise, write_csv

if TYPE_CHECKING:
    from great_tables import GT

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
LOW_RELIABILITY = "[u]"
SYMBOLS: dict[str, str] = {
    CONFIDENTIAL: "confidential: fewer respondents than the minimum base answered in this group, "
    "or the group is hidden to protect a smaller group that could otherwise be worked out "
    "from the published figures",
    NOT_AVAILABLE: "not available: no confidence interval can be computed (too few schools)",
    NOT_APPLICABLE: "not applicable: the whole population is not compared with itself; an "
    "estimate of 0% or 100% is not tested against the rest, and has no interval where its "
    "effective base is unknown",
    LOW_RELIABILITY: "low reliability: the estimate's effective base, p(1 - p) / se squared, "
    "is below the minimum (30 unless stated); treat it with caution",
}
#: Why a group is hidden, as the exports say it (``reason`` of ``tab.table``).
REASONS: dict[str, str] = {
    "threshold": "fewer than {min_base} answered",
    "secondary": "hidden to protect a smaller group",
}
HIGHER, LOWER = "▲", "▼"


def _text_columns(tab: CrosstabData) -> list[str]:
    return [*tab.by, "category"]


def tidy_frame(tab: CrosstabData) -> pd.DataFrame:
    """The tidy table as published: ``[c]`` for suppressed figures, ``[x]`` for no number.

    Columns as ``tab.table``; estimate columns become text where a symbol
    stands in, and text labels are neutralised.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": ["a"] * 12 + ["b"] * 12 + ["c"] * 3, "q": list("xyz") * 9})
    >>> tidy_frame(crosstab(yl.SurveyDesign(data), "q", by="g")).loc[9, "estimate"]
    '[c]'
    """
    out = tab.table.copy()
    hidden = out["suppressed"].to_numpy(dtype=bool)
    degenerate = out["estimate"].isin([0.0, 1.0]).to_numpy()
    for column in [*ESTIMATE_COLUMNS, "base", "weighted_base"]:
        values = out[column].astype(object)
        missing = pd.isna(values).to_numpy()
        values[missing] = NOT_AVAILABLE
        values[missing & degenerate] = NOT_APPLICABLE
        values[hidden] = CONFIDENTIAL
        out[column] = values
    for column in _text_columns(tab):
        out[column] = out[column].map(neutralise)
    return out


def to_csv(tab: CrosstabData, path: str | Path) -> Path:
    """Write the tidy table to a UTF-8 CSV file, the same bytes for the same table.

    Proportions stay proportions (0 to 1); floats are written with 12
    significant digits, lines end in ``\\n``
    (:func:`listening.publish.writers.write_csv`).

    Parameters
    ----------
    tab : Crosstab
    path : str or Path

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
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": ["=cmd", "No"] * 10})
    >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
    >>> out = to_csv(tab, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> print(out.read_text().splitlines()[3])
    a,'=cmd,1,0,0.691502892181,1,10,10,10,False,0,,False
    """
    return write_csv(tidy_frame(tab), path)


def heading(column: str) -> str:
    """A readable column heading from a column name.

    Examples
    --------
    >>> heading("age_band"), heading("district")
    ('Age band', 'District')
    """
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def presentation_frame(tab: CrosstabData) -> pd.DataFrame:
    """The table laid out for readers (the workbook sheets).

    One header row of readable headings; proportions stay fractions (the
    workbook formats them as percentages); symbols for missing figures;
    ``Compared with the rest`` in words; labels neutralised.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> frame = presentation_frame(crosstab(yl.SurveyDesign(data), "q", by="g"))
    >>> list(frame.columns)[:4]
    ['G', 'Answer', 'Percentage', 'Lower limit of 95% confidence interval']
    """
    level = f"{100 * tab.level:g}%"
    tidy = tidy_frame(tab)
    table = tab.table
    is_all = (table[list(tab.by)] == ALL).all(axis=1).to_numpy()
    hidden = table["suppressed"].to_numpy(dtype=bool)
    compared = np.select(
        [
            is_all,
            hidden,
            table["estimate"].isin([0.0, 1.0]).to_numpy(),
            table["vs_rest"] > 0,
            table["vs_rest"] < 0,
        ],
        [NOT_APPLICABLE, CONFIDENTIAL, NOT_APPLICABLE, "Higher", "Lower"],
        "Not significantly different",
    )
    why = [
        f"{CONFIDENTIAL} {REASONS[r].format(min_base=tab.min_base)}" if r else "Shown"
        for r in table["reason"]
    ]
    reliability = np.where(
        table["low_reliability"].to_numpy(dtype=bool), LOW_RELIABILITY, "No"
    ).astype(object)
    reliability[hidden] = CONFIDENTIAL
    columns = {heading(b): tidy[b] for b in tab.by}
    columns |= {
        "Answer" if tab.kind == "single" else "Option (% mentioning)": tidy["category"],
        "Percentage": tidy["estimate"],
        f"Lower limit of {level} confidence interval": tidy["ci_low"],
        f"Upper limit of {level} confidence interval": tidy["ci_high"],
        "Standard error": tidy["se"],
        "Compared with the rest": compared,
        "Respondents giving this answer": tidy["n"],
        "Base (respondents who answered)": tidy["base"].astype(object),
        "Weighted base": tidy["weighted_base"].astype(object),
        "Suppression": why,
        "Low reliability": reliability,
    }
    return pd.DataFrame(columns)


def _percent(value: Any, digits: int = 1) -> str:
    if isinstance(value, str):
        return value
    return f"{100 * value:.{digits}f}%"


def to_gt(tab: CrosstabData) -> GT:
    """The table as a great_tables ``GT``: a group per ``by`` group, percentages, ▲▼, ``[c]``.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> type(to_gt(crosstab(yl.SurveyDesign(data), "q", by="g"))).__name__
    'GT'
    """
    from great_tables import GT

    tidy = tidy_frame(tab)
    table = tab.table
    group = tidy[list(tab.by)].astype(str).agg(" x ".join, axis=1)
    group = group.where(~(table[list(tab.by)] == ALL).all(axis=1), ALL)
    marker = np.select([table["vs_rest"] > 0, table["vs_rest"] < 0], [HIGHER, LOWER], "")
    marker = np.where(table["low_reliability"].to_numpy(dtype=bool), " " + LOW_RELIABILITY, marker)
    reason = table["reason"].to_numpy()
    tidy["estimate"] = [
        f"{CONFIDENTIAL} ({REASONS[r].format(min_base=tab.min_base)})" if r else v
        for v, r in zip(tidy["estimate"], reason, strict=True)
    ]
    ci = [
        low if isinstance(low, str) else f"{_percent(low)} to {_percent(high)}"
        for low, high in zip(tidy["ci_low"], tidy["ci_high"], strict=True)
    ]
    level = f"{100 * tab.level:g}%"
    frame = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "answer": tidy["category"].to_numpy(),
            "percent": [_percent(v) + m for v, m in zip(tidy["estimate"], marker, strict=True)],
            "ci": ci,
            "base": [b if isinstance(b, str) else f"{b:,}" for b in tidy["base"]],
        }
    )
    by_words = " and ".join(heading(b).lower() for b in tab.by)
    gt = (
        GT(frame, rowname_col="answer", groupname_col="group", id=f"listening-{slug(tab.question)}")
        .tab_header(title=tab.title, subtitle=f"By {by_words}")
        .cols_label(
            percent="% mentioning" if tab.kind == "multi" else "%",
            ci=f"{level} confidence interval",
            base="Base",
        )
    )
    for note in _html_notes(tab):
        gt = gt.tab_source_note(note)
    return gt


def _html_notes(tab: CrosstabData) -> list[str]:
    notes = []
    if tab.source:
        notes.append(f"Source: {tab.source}")
    if tab.weighting:
        notes.append(f"Weighting: {tab.weighting}")
    notes.append(
        f"{HIGHER} / {LOWER}: significantly higher / lower than the rest of the population "
        f"(p < {1 - tab.level:.2g} after Holm's adjustment within the table)."
    )
    notes.append(
        f"{CONFIDENTIAL} (fewer than {tab.min_base} answered): suppressed, too few "
        f"respondents. {CONFIDENTIAL} (hidden to protect a smaller group): enough answered, "
        "but the figures would let a smaller hidden group be worked out."
    )
    notes.append(f"{LOW_RELIABILITY}: {SYMBOLS[LOW_RELIABILITY]}.")
    notes.append(f"{NOT_APPLICABLE}: {SYMBOLS[NOT_APPLICABLE]}.")
    notes.append(f"{NOT_AVAILABLE}: no confidence interval can be computed.")
    return [*notes, *tab.notes]


def to_html(tab: CrosstabData) -> str:
    """The table as a self-contained HTML fragment (great_tables), the same for the same table.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> from listening.publish.tables import crosstab
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> html = to_html(crosstab(yl.SurveyDesign(data), "q", by="g"))
    >>> html.count("<table"), "[c]" in html
    (1, True)
    """
    return to_gt(tab).as_raw_html()
