"""What a change table holds, and its exports: tidy CSV, the workbook sheet's frame, HTML.

A change table ("Change since 2024") compares two survey waves, group by
group and answer by answer: the percentage in each wave, the change in
percentage points with its confidence interval, and whether it is
significant (:data:`SIGNIFICANT`, explained in every export's notes). It is
made by :func:`listening.publish.change_table.change_tables`, which hides every
group that either wave's own publication hides; every export shows ``[c]``
for every figure of such a group, whichever wave hid it.

:func:`published_tables` says what a reader learns of each wave from a change
table (the bases of the groups it shows), for the audit of the briefing
(:func:`listening.publish.audit.audit`): the after wave's bases join that
wave's other tables of the question; the before wave's form a publication of
their own (other respondents); :func:`listening.publish.published.repeats`
says when the after wave's add nothing to that wave's tables.

Examples
--------
>>> import pandas as pd
>>> row = pd.DataFrame({"category": ["Yes"], "difference": [0.05], "p_holm": [0.01]})
>>> significance(row, 0.95).tolist()
['Up *']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.estimate.change import CHANGE_FIGURES
from listening.ingest.codebook import slug
from listening.publish.exports import (
    CONFIDENTIAL,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    REASONS,
    heading,
)
from listening.publish.published import PublishedTable
from listening.publish.table import ALL
from listening.publish.writers import neutralise, write_csv

if TYPE_CHECKING:
    from great_tables import GT

    from listening.publish.disclosure import DisclosurePolicy

#: The symbol of a significant change (explained in the notes of every export).
SIGNIFICANT = "*"
#: The figures of a change table, in its columns' order, after the ``by`` columns.
FIGURES: tuple[str, ...] = CHANGE_FIGURES


@dataclass(frozen=True, eq=False)
class ChangeData:
    """The contents of a change table (:class:`~listening.publish.change_table.ChangeTable`).

    Attributes
    ----------
    table : DataFrame
        The ``by`` column(s) (``"All"``, the whole population, first),
        ``category``, ``kind`` ("option" or "net"), the columns of
        :func:`listening.change` (``estimate_before``, ``estimate_after``,
        ``difference``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``p_value``,
        ``p_holm``, ``base_before``, ``base_after``) and ``reason``: ``""``
        for a shown group, else why it is hidden (``"2024: threshold"``,
        ``"2025: secondary"``, ``"not published"``), its figures NaN.
        ``p_holm`` is adjusted over the shown rows of the whole table.
    question, before_question : str
        The question's name in the after and in the before wave.
    by : tuple of str
        The grouping column(s).
    title : str
        The question wording (after wave).
    kind : str
        ``"single"`` or ``"multi"`` (each option the share mentioning it).
    before_label, after_label : str
        The waves' names ("2024", "2025").
    min_base, level : int, float
        The suppression threshold and the confidence level.
    source : str
        Where the data come from.
    notes : tuple of str
        Further notes for readers.
    policy : DisclosurePolicy or None
        The disclosure policy both waves were protected by.

    Examples
    --------
    >>> import pandas as pd
    >>> data = ChangeData(pd.DataFrame(), "q", "q", ("district",), "Q?")
    >>> data.before_label, data.min_base
    ('before', 10)
    """

    table: pd.DataFrame
    question: str
    before_question: str
    by: tuple[str, ...]
    title: str
    kind: str = "single"
    before_label: str = "before"
    after_label: str = "after"
    min_base: int = 10
    level: float = 0.95
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    policy: DisclosurePolicy | None = None


def significance(table: pd.DataFrame, level: float) -> np.ndarray:
    """Each row's significance in words: ``"Up *"``, ``"Down *"``, ``"No significant change"``.

    A change is significant when its Holm-adjusted p-value (``p_holm``) is
    below ``1 - level``. Rows without a test (no p-value: no variation in
    either wave) read ``[z]``; hidden rows (``reason`` not empty) ``[c]``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"difference": [-0.04, 0.01, 0.0], "p_holm": [0.001, 0.5, None]})
    >>> significance(rows, 0.95).tolist()
    ['Down *', 'No significant change', '[z]']
    """
    p = pd.to_numeric(table["p_holm"], errors="coerce").to_numpy(dtype=float)
    difference = pd.to_numeric(table["difference"], errors="coerce").to_numpy(dtype=float)
    significant = p < 1 - level
    out = np.select(
        [np.isnan(p), significant & (difference > 0), significant & (difference < 0)],
        [NOT_APPLICABLE, f"Up {SIGNIFICANT}", f"Down {SIGNIFICANT}"],
        "No significant change",
    ).astype(object)
    if "reason" in table.columns:
        out[table["reason"].astype(str).to_numpy() != ""] = CONFIDENTIAL
    return out


def reason_text(reason: str, min_base: int) -> str:
    """Why a group is hidden, in words (``"2024: threshold"`` -> ``"2024: fewer than 10 ..."``).

    Examples
    --------
    >>> reason_text("2024: secondary", 10)
    '2024: hidden to protect a smaller group'
    >>> reason_text("not published", 10)
    'not published in both waves'
    """
    wave, _, why = reason.rpartition(": ")
    if why in REASONS:
        text = REASONS[why].format(min_base=min_base)
        return f"{wave}: {text}" if wave else text
    if why == "not published":
        return "not published in both waves"
    return reason


def tidy_change_frame(change: ChangeData) -> pd.DataFrame:
    """The tidy change table as published: ``[c]`` for hidden figures, ``[x]`` for none.

    Columns as ``change.table``, with ``significant`` (:func:`significance`)
    before ``reason``; shown figures stay numbers (proportions, as
    :func:`listening.change` gives them), text labels are neutralised.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> tidy_change_frame(tab).columns.tolist()[:4]
    ['district', 'category', 'kind', 'estimate_before']
    """
    table = change.table
    out = table.copy()
    hidden = table["reason"].astype(str).to_numpy() != ""
    for column in FIGURES:
        values = out[column].astype(object)
        values[pd.isna(values).to_numpy()] = NOT_AVAILABLE
        values[hidden] = CONFIDENTIAL
        out[column] = values
    for column in [*change.by, "category"]:
        out[column] = out[column].map(neutralise)
    out.insert(len(out.columns) - 1, "significant", significance(table, change.level))
    return out


def to_csv(change: ChangeData, path: str | Path) -> Path:
    """Write the tidy change table to a UTF-8 CSV file, the same bytes for the same table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> out = to_csv(tab, pathlib.Path(tempfile.mkdtemp()) / "change.csv")
    >>> out.read_text().splitlines()[0].split(",")[:3]
    ['district', 'category', 'kind']
    """
    return write_csv(tidy_change_frame(change), path)


def presentation_frame(change: ChangeData) -> pd.DataFrame:
    """The change table laid out for readers (the workbook's "Change since" sheets).

    One header row; the two waves' percentages stored as fractions (formatted
    as %); the change, its interval and standard error stored as numbers in
    percentage points; significance in words with :data:`SIGNIFICANT`; the
    Holm-adjusted p-value; both bases; ``[c]`` for every figure of a group
    hidden in either wave, with the reason in the Suppression column.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> presentation_frame(tab).columns.tolist()[2:5]
    ['Percentage before', 'Percentage after', 'Change (percentage points)']
    """
    table = change.table
    tidy = tidy_change_frame(change)
    level = f"{100 * change.level:g}%"
    before, after = change.before_label, change.after_label

    def points(column: str) -> pd.Series:
        return tidy[column].map(lambda v: v if isinstance(v, str) else 100 * float(v))

    why = [
        f"{CONFIDENTIAL} {reason_text(r, change.min_base)}" if r else "Shown"
        for r in table["reason"].astype(str)
    ]
    columns: dict[str, Any] = {heading(b): tidy[b] for b in change.by}
    columns |= {
        "Answer" if change.kind == "single" else "Option (% mentioning)": tidy["category"],
        f"Percentage {before}": tidy["estimate_before"],
        f"Percentage {after}": tidy["estimate_after"],
        "Change (percentage points)": points("difference"),
        f"Lower limit of {level} confidence interval of the change (percentage points)": points(
            "ci_low"
        ),
        f"Upper limit of {level} confidence interval of the change (percentage points)": points(
            "ci_high"
        ),
        "Standard error of the change (percentage points)": points("se"),
        "Significant change": tidy["significant"],
        "p-value of the change (Holm-adjusted)": tidy["p_holm"],
        f"Base {before} (respondents who answered)": tidy["base_before"],
        f"Base {after} (respondents who answered)": tidy["base_after"],
        "Suppression": why,
    }
    return pd.DataFrame(columns)


def symbol_note(level: float) -> str:
    """The note explaining :data:`SIGNIFICANT`.

    Examples
    --------
    >>> symbol_note(0.95)[:40]
    '* (Up * / Down *) = statistically signif'
    """
    return (
        f"{SIGNIFICANT} (Up {SIGNIFICANT} / Down {SIGNIFICANT}) = statistically significant "
        f"change between the two waves at the {100 * (1 - level):g}% level, after Holm's "
        "adjustment over every group and answer of the table; 'No significant change' "
        "otherwise"
    )


def method_note(level: float) -> str:
    """How a change and its interval are estimated, in words (for notes).

    Examples
    --------
    >>> "independent" in method_note(0.95)
    True
    """
    return (
        "Change since the earlier wave: the two waves are independent samples, each "
        "weighted on its own (its own strata, schools and raking). The change is the later "
        "wave's percentage minus the earlier wave's, in percentage points; its standard error "
        "is the square root of the sum of the two waves' squared standard errors, and its "
        f"{100 * level:g}% confidence interval is a t interval on the sum of the two waves' "
        "degrees of freedom (as R's survey package on the two waves stacked, with "
        "svycontrast). The interval is not adjusted for multiple comparisons; the "
        "significance column is (" + symbol_note(level) + "). A group hidden in either "
        f"wave's own tables reads {CONFIDENTIAL} in both, so the two waves together do not "
        "give it away."
    )


def to_gt(change: ChangeData) -> GT:
    """The change table as a great_tables ``GT``: before, after, change, interval, ``[c]``.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> type(to_gt(tab)).__name__
    'GT'
    """
    from great_tables import GT

    tidy = tidy_change_frame(change)
    table = change.table
    group = tidy[list(change.by)].astype(str).agg(" x ".join, axis=1)
    group = group.where(~(table[list(change.by)] == ALL).all(axis=1), ALL)
    reason = table["reason"].astype(str).to_numpy()

    def percent(value: Any) -> str:
        return value if isinstance(value, str) else f"{100 * value:.1f}%"

    def pp(value: Any) -> str:
        return value if isinstance(value, str) else f"{100 * value:+.1f}"

    frame = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "answer": tidy["category"].to_numpy(),
            "before": [percent(v) for v in tidy["estimate_before"]],
            "after": [percent(v) for v in tidy["estimate_after"]],
            "change": [
                f"{CONFIDENTIAL} ({reason_text(r, change.min_base)})" if r else pp(v)
                for v, r in zip(tidy["difference"], reason, strict=True)
            ],
            "ci": [
                low if isinstance(low, str) else f"{pp(low)} to {pp(high)}"
                for low, high in zip(tidy["ci_low"], tidy["ci_high"], strict=True)
            ],
            "significant": tidy["significant"].to_numpy(),
            "bases": [
                b if isinstance(b, str) else f"{int(b):,} / {int(a):,}"
                for b, a in zip(tidy["base_before"], tidy["base_after"], strict=True)
            ],
        }
    )
    by_words = " and ".join(heading(b).lower() for b in change.by)
    level = f"{100 * change.level:g}%"
    gt = (
        GT(
            frame,
            rowname_col="answer",
            groupname_col="group",
            id=f"listening-change-{slug(change.question)}",
        )
        .tab_header(
            title=f"Change since {change.before_label}: {change.title}",
            subtitle=f"By {by_words}, {change.before_label} to {change.after_label}",
        )
        .cols_label(
            before=change.before_label,
            after=change.after_label,
            change="Change (points)",
            ci=f"{level} confidence interval (points)",
            significant="Significant change",
            bases=f"Bases {change.before_label} / {change.after_label}",
        )
    )
    for note in html_notes(change):
        gt = gt.tab_source_note(note)
    return gt


def html_notes(change: ChangeData) -> list[str]:
    """The notes under a change table's HTML.

    Examples
    --------
    >>> html_notes(ChangeData(pd.DataFrame(), "q", "q", ("g",), "Q?"))[0][:12]
    '* (Up * / Do'
    """
    notes = [symbol_note(change.level) + "."]
    notes.append(
        f"{CONFIDENTIAL}: hidden in one wave or both (fewer than {change.min_base} answered, "
        "or hidden to protect a smaller group), so hidden in both."
    )
    notes.append(f"{NOT_APPLICABLE}: no test (no variation in either wave).")
    notes.append(f"{NOT_AVAILABLE}: no number can be computed.")
    if change.source:
        notes.append(f"Source: {change.source}")
    return [*notes, *change.notes]


def to_html(change: ChangeData) -> str:
    """The change table as a self-contained HTML fragment (great_tables).

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> to_html(tab).count("<table")
    1
    """
    return to_gt(change).as_raw_html()


def published_tables(change: ChangeData) -> tuple[PublishedTable, PublishedTable]:
    """What a reader learns of each wave from a change table: the bases it shows.

    Returns
    -------
    after, before : PublishedTable
        The after wave's table is of ``change.question`` (it joins that wave's
        other tables of the question); the before wave's is of
        ``"<before label> wave: <before question>"`` (the before wave's
        respondents are other young people). Counts are not published (NaN).

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = yl.change_tables(after, before, ["seen_knife"], by=["district"])
    >>> [t.question for t in published_tables(tab)]
    ['seen_knife', 'before wave: seen_knife']
    """
    table = change.table
    out = []
    for wave, question in (
        ("after", change.question),
        ("before", f"{change.before_label} wave: {change.before_question}"),
    ):
        rows = table[[*change.by, "category"]].astype(str).copy()
        rows["n"] = np.nan
        rows["base"] = table[f"base_{wave}"].to_numpy(dtype=float)
        label = change.after_label if wave == "after" else change.before_label
        name = f"change {change.question} by {' x '.join(change.by)} ({label})"
        out.append(PublishedTable(question, tuple(change.by), rows, change.kind, name))
    return out[0], out[1]
