"""The numbers behind the explorer's "Change since the last survey" page.

Each headline indicator (:data:`listening.explorer.views.HEADLINES`) is
compared between two waves with :func:`listening.change_table`, which applies
the disclosure policy to both waves (a group either wave hides is hidden).
Each wave's own estimate gets its interval from :func:`listening.proportion`
on that wave's design, the indicator derived exactly as
:func:`listening.change` derives it (the before wave's answers relabelled by
the harmonisation, the after wave's nets). A change is called significant
when its Holm-adjusted p-value (``p_holm`` of the change table) is below
``1 - level``; anything else is never worded as a change.

Examples
--------
>>> row = {"indicator": "Feel safe after dark", "group": "Peterborough",
...        "estimate_before": 0.42, "estimate_after": 0.48, "difference": 0.06,
...        "p_holm": 0.01, "reason": "", "comparable": True, "note": ""}
>>> change_sentences(pd.DataFrame([row]), "2024", "2025")
['Feel safe after dark: up 6 points in Peterborough (42% in 2024, 48% in 2025), \
significant at 95%.']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.estimators import proportion
from listening.explorer.publication import SECONDARY
from listening.explorer.sources import Designs
from listening.explorer.views import HEADLINES, SUPPRESSED_LABEL, Headline
from listening.ingest.harmonise import Harmonisation
from listening.publish.change_table import change_table
from listening.publish.chart_style import MUTED_TEXT, TEXT, font
from listening.publish.charts import BOTTOM_LEGEND, LAYOUT, NEUTRAL, OKABE_ITO, chart_height
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.plotly_text import plain, plain_in_template

ALL = "All"
"""The group label of the county-wide row."""

COLUMNS = (
    "indicator",
    "short",
    "question",
    "category",
    "group",
    "estimate_before",
    "ci_low_before",
    "ci_high_before",
    "estimate_after",
    "ci_low_after",
    "ci_high_after",
    "difference",
    "ci_low",
    "ci_high",
    "p_holm",
    "significant",
    "base_before",
    "base_after",
    "reason",
    "comparable",
    "note",
)
"""The columns of :func:`headline_changes` and :func:`group_changes`."""

FIGURES = (
    "estimate_before",
    "ci_low_before",
    "ci_high_before",
    "estimate_after",
    "ci_low_after",
    "ci_high_after",
    "difference",
    "ci_low",
    "ci_high",
    "p_holm",
    "base_before",
    "base_after",
)
"""The figures a hidden or uncompared row does not show (NaN)."""

NOT_AVAILABLE_LABEL = "[x]"
"""What a figure of a question not asked in both waves shows (GSS: not available)."""

UP, DOWN, SAME = "#0072B2", "#D55E00", "#555555"
"""Connector colours: significantly up (blue), down (vermillion), no significant change."""


@dataclass(frozen=True, eq=False)
class WavePair:
    """Two waves' designs to compare, weighted alike.

    Attributes
    ----------
    after, before : SurveyDesign
        Both raked when both waves could be raked, else both unweighted.
    weighted : bool
    note : str
        How the waves are weighted, in words.
    """

    after: SurveyDesign
    before: SurveyDesign
    weighted: bool
    note: str


def wave_pair(after: Designs, before: Designs) -> WavePair:
    """The designs to compare: raked when both waves are, else both unweighted.

    Comparing a raked wave with an unweighted one would mix a change in the
    young people with a change in who answered, so one wave that cannot be
    raked makes both unweighted (said in the note).

    Examples
    --------
    >>> import listening as yl
    >>> from listening.explorer.sources import designs
    >>> now = designs(yl.load_sample(), yl.load_margins())
    >>> pair = wave_pair(now, designs(yl.load_sample_2024(), yl.load_margins()))
    >>> pair.weighted, pair.note[:24]
    (True, 'Both waves are weighted ')
    >>> wave_pair(now, designs(yl.load_sample_2024(), None)).weighted
    False
    """
    if after.raked is not None and before.raked is not None:
        note = (
            "Both waves are weighted (raked) to the population margins, each wave on "
            "its own respondents."
        )
        return WavePair(after.raked, before.raked, True, note)
    which = "the later wave" if after.raked is None else "the earlier wave"
    notes = after.notes if after.raked is None else before.notes
    note = (
        f"Both waves are unweighted, because {which} could not be weighted "
        f"({notes[0] if notes else 'no margins'})."
    )
    return WavePair(after.unweighted, before.unweighted, False, note)


def headline_changes(
    pair: WavePair,
    harmonise: Harmonisation,
    *,
    min_base: int = 10,
    ci: str = "logit",
    level: float = 0.95,
    headlines: Sequence[Headline] = HEADLINES,
) -> pd.DataFrame:
    """Each headline indicator, county-wide, in both waves and the change.

    Parameters
    ----------
    pair : WavePair
        The two waves (:func:`wave_pair`).
    harmonise : Harmonisation
        Which questions and options of the two codebooks are the same.
    min_base : int
        A wave with fewer answers hides the indicator (``reason`` says so).
    ci, level
        Interval method of each wave's estimate, and the confidence level.
    headlines : sequence of Headline
        The indicators, in order.

    Returns
    -------
    DataFrame
        One row per headline the after wave's codebook defines, with
        :data:`COLUMNS`: ``group`` is ``"All"``; a question that cannot be
        compared has ``comparable`` False, ``note`` saying why, and no figures.

    Examples
    --------
    >>> import listening as yl
    >>> from listening.explorer.sources import designs
    >>> pair = wave_pair(designs(yl.load_sample(), yl.load_margins()),
    ...                  designs(yl.load_sample_2024(), yl.load_margins()))
    >>> out = headline_changes(pair, yl.load_harmonisation())
    >>> out.loc[~out["comparable"], "question"].tolist()
    ['safe_online']
    >>> bool((out["estimate_before"] <= out["ci_high_before"]).sum() == 7)
    True
    """
    rows = [
        _indicator(pair, harmonise, h, None, min_base=min_base, ci=ci, level=level)
        for h in headlines
        if _defines(pair.after, h)
    ]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(COLUMNS))


def group_changes(
    pair: WavePair,
    harmonise: Harmonisation,
    headline: Headline,
    by: str,
    *,
    min_base: int = 10,
    ci: str = "logit",
    level: float = 0.95,
    floor: int | None = None,
    hide: Mapping[int, Collection[tuple[str, ...]]] | None = None,
) -> pd.DataFrame:
    """One headline indicator by group (e.g. district), the county first, in both waves.

    Groups come from :func:`listening.change_table` by ``by``: every group
    hidden in either wave (or hidden to protect one) has ``reason`` set and no
    figures. ``p_holm`` of the groups is adjusted over that table (every
    answer of the question in every group shown), as in the briefing; the
    county row's over the county's answers.

    ``hide``: per minimum base (``min_base``, and ``floor`` if lower), the
    later wave's groups the explorer's publication of the question hides by
    ``by`` (``Publication.hidden()[(by,)]``), hidden here too, with both waves
    protected around them (:func:`listening.change_table`; protected apart, the
    two could hide different sides of a small group). ``("All",)`` hides the county.

    ``floor`` is the lowest minimum base the same readers can choose (the
    explorer's sidebar raises the base, never lowers it): a group hidden at
    that base is hidden here too ("secondary"), so the two together show no
    more than the floor alone; protected apart, two bases can hide different
    sides of a small group. (The explorer's publications, ``hide``, are floored
    already; the earlier wave is not.)

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, the ``"All"`` row first.

    Raises
    ------
    ListeningError
        If the question cannot be compared (not harmonised, a column missing),
        or ``hide`` lacks a minimum base this uses.

    Examples
    --------
    >>> import listening as yl
    >>> from listening.explorer.sources import designs
    >>> pair = wave_pair(designs(yl.load_sample(), yl.load_margins()),
    ...                  designs(yl.load_sample_2024(), yl.load_margins()))
    >>> out = group_changes(pair, yl.load_harmonisation(), HEADLINES[1], "district")
    >>> out["group"].tolist()[:2], len(out)
    (['All', 'Cambridge'], 7)
    """
    bases = [min_base, *([floor] if floor is not None and floor < min_base else [])]
    if hide is not None and not set(bases) <= set(hide):
        raise ListeningError(
            f"group_changes: hide has groups at minimum bases {sorted(hide)}; pass the later "
            f"wave's hidden groups at each of {bases} (empty where it hides none)."
        )
    forced = dict.fromkeys(bases) if hide is None else {base: hide[base] for base in bases}
    county = _indicator(pair, harmonise, headline, None, min_base=min_base, ci=ci, level=level)
    if not county["comparable"].iloc[0]:
        raise ListeningError(county["note"].iloc[0])
    if any(all(v == ALL for v in key) for key in forced[min_base] or ()):
        county = hidden_as(county, county.assign(reason=SECONDARY))
    groups = [  # at min_base, then at the floor: what the floor hides is hidden too
        _indicator(pair, harmonise, headline, by, min_base=b, ci=ci, level=level, hide=forced[b])
        for b in bases
    ]
    shown = hidden_as(*groups) if len(groups) > 1 else groups[0]
    return pd.concat([county, shown], ignore_index=True)


def hidden_as(groups: pd.DataFrame, floor: pd.DataFrame) -> pd.DataFrame:
    """``groups`` (rows of :data:`COLUMNS`) with every group ``floor`` hides hidden too.

    A group ``floor`` lacks is hidden as well. Such a group is ``"secondary"``:
    hidden to protect a smaller group (at the floor's minimum base).

    Examples
    --------
    >>> groups = pd.DataFrame({"group": ["a", "b"], "reason": ["", ""],
    ...                        "difference": [0.1, 0.2], "significant": [True, True]})
    >>> floor = pd.DataFrame({"group": ["a", "b"], "reason": ["", "2025: threshold"]})
    >>> hidden_as(groups, floor).values.tolist()
    [['a', '', 0.1, True], ['b', 'secondary', nan, False]]
    """
    out = groups.copy()
    below = floor.set_index("group")["reason"].reindex(out["group"]).fillna(SECONDARY)
    more = below.astype(bool).to_numpy() & ~out["reason"].astype(bool).to_numpy()
    out.loc[more, "reason"] = SECONDARY
    out.loc[more, [c for c in FIGURES if c in out]] = np.nan
    out.loc[more, "significant"] = False
    return out


def comparable_headlines(frame: pd.DataFrame) -> list[Headline]:
    """The headlines of :func:`headline_changes` that both waves asked.

    Examples
    --------
    >>> frame = pd.DataFrame({"question": ["safe_dark", "safe_online"],
    ...                       "comparable": [True, False]})
    >>> [h.short for h in comparable_headlines(frame)]
    ['Safe after dark']
    """
    asked = set(frame.loc[frame["comparable"].astype(bool), "question"])
    return [h for h in HEADLINES if h.question in asked]


def change_sentences(
    frame: pd.DataFrame, before: str, after: str, *, level: float = 0.95
) -> list[str]:
    """One plain-English sentence per row: a significant change in words, else none claimed.

    A row is called a change ("up 6 points in Peterborough ..., significant at
    95%") only when ``p_holm`` is below ``1 - level``; otherwise the sentence
    says there is no significant change and gives both waves' figures. A
    hidden row says ``[c]`` and why, without a figure.

    Examples
    --------
    >>> rows = pd.DataFrame({"indicator": ["Safe"] * 3, "group": ["All", "Ely", "Fenland"],
    ...     "estimate_before": [0.5, 0.6, np.nan], "estimate_after": [0.47, 0.5, np.nan],
    ...     "difference": [-0.03, -0.1, np.nan], "p_holm": [0.2, 0.001, np.nan],
    ...     "reason": ["", "", "2024: threshold"], "comparable": [True] * 3, "note": [""] * 3})
    >>> for line in change_sentences(rows, "2024", "2025"):
    ...     print(line)
    Safe: no significant change across the county (50% in 2024, 47% in 2025).
    Safe: down 10 points in Ely (60% in 2024, 50% in 2025), significant at 95%.
    Safe: [c] not shown in Fenland: too few answers in 2024.
    """
    before, after = wave_words(before), wave_words(after)
    lines = []
    for row in frame.itertuples(index=False):
        place = "across the county" if row.group == ALL else f"in {row.group}"
        if not row.comparable:
            lines.append(f"{row.indicator}: not compared, {row.note}")
        elif row.reason:
            lines.append(
                f"{row.indicator}: {SUPPRESSED_LABEL} not shown {place}: "
                f"{reason_words(row.reason)}."
            )
        else:
            then, now = _whole(row.estimate_before), _whole(row.estimate_after)
            figures = f"{then} in {before}, {now} in {after}"
            if is_significant(row.p_holm, level):
                direction = "up" if row.difference > 0 else "down"
                lines.append(
                    f"{row.indicator}: {direction} {_points(row.difference)} {place} "
                    f"({figures}), significant at {level:.0%}."
                )
            else:
                lines.append(f"{row.indicator}: no significant change {place} ({figures}).")
    return lines


def is_significant(p_holm: float, level: float = 0.95) -> bool:
    """Whether a Holm-adjusted p-value says the change is significant at ``level``.

    Examples
    --------
    >>> is_significant(0.01), is_significant(0.2), is_significant(float("nan"))
    (True, False, False)
    """
    return not pd.isna(p_holm) and float(p_holm) < 1 - level


def change_display(
    frame: pd.DataFrame,
    before: str,
    after: str,
    *,
    first: str = "Indicator",
    level: float = 0.95,
) -> pd.DataFrame:
    """:func:`headline_changes` or :func:`group_changes` as shown: text, with ``[c]``.

    A hidden group shows ``[c]``; a question not asked in both waves ``[x]``.

    Parameters
    ----------
    frame : DataFrame
        The rows to show.
    before, after : str
        The waves' labels, for the column titles.
    first : {"Indicator", or a group title such as "District"}
        The first column: the indicator, or the group.
    level : float
        Confidence level, for the titles.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["Safe"], "group": ["Ely"], "estimate_before": [0.5],
    ...     "ci_low_before": [0.4], "ci_high_before": [0.6], "estimate_after": [0.6],
    ...     "ci_low_after": [0.5], "ci_high_after": [0.7], "difference": [0.1],
    ...     "ci_low": [0.02], "ci_high": [0.18], "p_holm": [0.03], "base_before": [90],
    ...     "base_after": [80], "reason": [""], "comparable": [True], "note": [""]})
    >>> change_display(t, "2024", "2025", first="District").iloc[0].tolist()
    ['Ely', '50.0', '40.0 to 60.0', '60.0', '50.0 to 70.0', '+10.0', '+2.0 to +18.0', \
'Significantly up', '90', '80']
    """
    shown = frame.reset_index(drop=True)
    hidden = shown["reason"].astype(bool) | ~shown["comparable"].astype(bool)
    label = shown["indicator"] if first == "Indicator" else shown["group"]
    span = f"{level:.0%} interval"
    out = pd.DataFrame({first: label.astype(str)})
    before, after = before[:1].upper() + before[1:], after[:1].upper() + after[1:]
    for wave, suffix in ((before, "before"), (after, "after")):
        out[f"{wave} %"] = _texts(shown[f"estimate_{suffix}"], hidden, _one)
        out[f"{wave} {span}"] = _spans(
            shown[f"ci_low_{suffix}"], shown[f"ci_high_{suffix}"], hidden, _one
        )
    out["Change (points)"] = _texts(shown["difference"], hidden, _signed)
    out[f"Change {span}"] = _spans(shown["ci_low"], shown["ci_high"], hidden, _signed)
    out["Significance"] = [
        _verdict(row, h, level)
        for row, h in zip(shown.itertuples(index=False), hidden, strict=True)
    ]
    for wave, suffix in ((before, "before"), (after, "after")):
        out[f"{wave} answered"] = _texts(shown[f"base_{suffix}"], hidden, lambda b: f"{b:,.0f}")
    figures = [c for c in out.columns if c not in (first, "Significance")]
    out.loc[~shown["comparable"].astype(bool), figures] = NOT_AVAILABLE_LABEL
    return out


def change_download(frame: pd.DataFrame, before: str, after: str, by: str) -> pd.DataFrame:
    """The published figures of :func:`group_changes`, for a CSV download.

    Only groups shown in both waves are in it: a hidden group (and a question
    not asked in both waves) is left out altogether, so the file holds no
    figure of it. Percentages and points are rounded to one decimal as shown,
    p-values to four.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["Safe"] * 2, "group": ["All", "Ely"],
    ...     "category": ["Feel safe"] * 2, "estimate_before": [0.5, np.nan],
    ...     "ci_low_before": [0.4, np.nan], "ci_high_before": [0.6, np.nan],
    ...     "estimate_after": [0.6, np.nan], "ci_low_after": [0.5, np.nan],
    ...     "ci_high_after": [0.7, np.nan], "difference": [0.1, np.nan],
    ...     "ci_low": [0.02, np.nan], "ci_high": [0.18, np.nan], "p_holm": [0.03, np.nan],
    ...     "base_before": [90, np.nan], "base_after": [80, np.nan],
    ...     "reason": ["", "2024: threshold"], "comparable": [True, True], "note": ["", ""]})
    >>> change_download(t, "2024", "2025", "district")["district"].tolist()
    ['All']
    """
    shown = frame[~frame["reason"].astype(bool) & frame["comparable"].astype(bool)]
    out = pd.DataFrame(
        {
            by: shown["group"].astype(str),
            "indicator": shown["indicator"].astype(str),
            "answer": shown["category"].astype(str),
        }
    )
    for wave, suffix in ((before, "before"), (after, "after")):
        for column, name in (("estimate", "percent"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            out[f"{wave}_{name}"] = (shown[f"{column}_{suffix}"] * 100).round(1)
        out[f"{wave}_base"] = shown[f"base_{suffix}"].astype(int)
    out["change_points"] = (shown["difference"] * 100).round(1)
    out["change_ci_low"] = (shown["ci_low"] * 100).round(1)
    out["change_ci_high"] = (shown["ci_high"] * 100).round(1)
    out["p_holm"] = shown["p_holm"].round(4)
    out["significant_95"] = [is_significant(p) for p in shown["p_holm"]]
    return out.reset_index(drop=True)


def dumbbell_chart(
    frame: pd.DataFrame,
    before: str,
    after: str,
    *,
    title: str | None = None,
    level: float = 0.95,
) -> go.Figure:
    """Before and after by group: two dots with their intervals, joined by a line.

    The before dot is a grey circle, the after dot a blue diamond, each with
    its interval as whiskers (the before one just above, the after one just
    below the group's line); the line between them is blue when the change
    is significantly up, vermillion when down, grey otherwise, and its hover
    says so in words. A hidden group has no dot: its row says ``[c]`` and why.

    Parameters
    ----------
    frame : DataFrame
        :func:`group_changes`.
    before, after : str
        The waves' labels.
    title : str, optional
        Drawn as given (escape text from a file with
        :func:`listening.publish.plotly_text.plain` first).
    level : float
        Confidence level, for the hover text.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["All", "Ely"], "estimate_before": [0.5, np.nan],
    ...     "ci_low_before": [0.4, np.nan], "ci_high_before": [0.6, np.nan],
    ...     "estimate_after": [0.6, np.nan], "ci_low_after": [0.5, np.nan],
    ...     "ci_high_after": [0.7, np.nan], "difference": [0.1, np.nan],
    ...     "p_holm": [0.03, np.nan], "base_before": [90, np.nan], "base_after": [80, np.nan],
    ...     "reason": ["", "2024: threshold"], "comparable": [True, True]})
    >>> fig = dumbbell_chart(t, "2024", "2025")
    >>> [round(x) for x in fig.data[-1].x], fig.layout.annotations[0].text[:3]
    ([60], '[c]')
    """
    rows = frame.reset_index(drop=True)
    hidden = rows["reason"].astype(bool) | ~rows["comparable"].astype(bool)
    labels = [plain(g) for g in rows["group"].astype(str)]
    position = np.arange(len(rows), dtype=float)
    shown = rows[~hidden]
    where = position[~hidden.to_numpy()]
    fig = go.Figure()
    for i, row in zip(where, shown.itertuples(index=False), strict=True):
        colour, words = _look(row, level)
        fig.add_trace(
            go.Scatter(
                x=[row.estimate_before * 100, row.estimate_after * 100],
                y=[i, i],
                mode="lines",
                line={"color": colour, "width": 3},
                showlegend=False,
                hoverinfo="skip",
                name=words,
            )
        )
    for wave, suffix, colour, symbol, offset in (
        (before, "before", "#767676", "circle", -0.18),
        (after, "after", OKABE_ITO[0], "diamond", 0.18),
    ):
        estimate = shown[f"estimate_{suffix}"] * 100
        fig.add_trace(
            go.Scatter(
                x=estimate.tolist(),
                y=(where + offset).tolist(),
                mode="markers",
                name=plain(wave),
                marker={"color": colour, "symbol": symbol, "size": 12},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (shown[f"ci_high_{suffix}"] * 100 - estimate).tolist(),
                    "arrayminus": (estimate - shown[f"ci_low_{suffix}"] * 100).tolist(),
                    "color": colour,
                    "thickness": 2,
                },
                customdata=np.column_stack(
                    [
                        shown[f"ci_low_{suffix}"] * 100,
                        shown[f"ci_high_{suffix}"] * 100,
                        shown[f"base_{suffix}"],
                        shown["difference"] * 100,
                    ]
                ),
                text=[
                    f"{plain_in_template(g)}: {_look(r, level)[1]}"
                    for g, r in zip(shown["group"].astype(str), shown.itertuples(), strict=True)
                ],
                hovertemplate=(
                    f"<b>{plain_in_template(wave)}</b>: %{{x:.1f}}%"
                    f"<br>{level:.0%} interval %{{customdata[0]:.1f}}% to %{{customdata[1]:.1f}}%"
                    "<br>answered: %{customdata[2]:,.0f}"
                    "<br>change: %{customdata[3]:+.1f} points<br>%{text}<extra></extra>"
                ),
            )
        )
    for i, row in zip(position[hidden.to_numpy()], rows[hidden].itertuples(), strict=True):
        why = reason_words(row.reason) if row.comparable else "not asked in both waves"
        fig.add_annotation(
            x=0,
            xanchor="left",
            y=i,
            text=f"{SUPPRESSED_LABEL} not shown: {plain(why)}",
            showarrow=False,
            font={"color": "#555555"},
        )
    fig.update_layout(
        **LAYOUT,
        title=title,
        # Every text's colour set on the figure: a host's theme (Streamlit's grey #808495,
        # 3.7:1) would otherwise colour the ticks and the legend.
        title_font=font(17),
        legend={**BOTTOM_LEGEND, "title": {"text": "Wave ", "font": font(13)}, "font": font(13)},
        xaxis={
            "title": {"text": "% of young people who answered", "font": font(14)},
            "tickfont": font(13, MUTED_TEXT),
            "ticksuffix": "%",
            "range": [0, 100],
        },
        yaxis={
            "tickfont": font(13, TEXT),
            "tickmode": "array",
            "tickvals": position.tolist(),
            "ticktext": labels,
            "autorange": "reversed",
            "zeroline": False,
            "gridcolor": NEUTRAL,
        },
        height=chart_height(len(rows)),
    )
    return fig


def _defines(design: SurveyDesign, headline: Headline) -> bool:
    book = design.codebook
    if book is None or headline.question not in book.questions:
        return False
    question = book.question(headline.question)
    return headline.category in question.nets or headline.category in question.options


def _indicator(
    pair: WavePair,
    harmonise: Harmonisation,
    headline: Headline,
    by: str | None,
    *,
    min_base: int,
    ci: str,
    level: float,
    hide: Collection[tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """One headline's change rows (county-wide when ``by`` is None)."""
    after, before = pair.after, pair.before
    policy = DisclosurePolicy.from_codebook(after.codebook, min_base=min_base)
    protect = {"harmonise": harmonise, "policy": policy, "hide": hide}  # of change_table
    try:
        table = change_table(after, before, headline.question, by=by, level=level, **protect)
        name, relabel = harmonise.resolve(headline.question, after.codebook, before.codebook)
    except ListeningError as err:
        if harmonise.before_name(headline.question) not in before.codebook.questions:
            return _not_compared(  # in words: the page shows it, not the column's name
                headline,
                f"it was not asked in the {harmonise.before_label} wave (if it was asked "
                "under another name, a harmonisation map can link the two).",
            )
        return _not_compared(headline, str(err))
    spec = after.codebook.question(headline.question)
    label = headline.category
    if label in spec.nets and label in spec.options:
        label = f"{label} (net)"
    rows = table[table["category"] == label].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "indicator": headline.label,
            "short": headline.short or headline.label,
            "question": headline.question,
            "category": headline.category,
            "group": rows[by].astype(str) if by else ALL,
        },
        index=rows.index,
    )
    for suffix, design, column, names in (
        ("after", after, headline.question, {}),
        ("before", before, name, relabel),
    ):
        shares = _wave_shares(
            design, column, names, spec.options, _members(spec, headline), by, ci, level
        )
        shares = shares.set_index("group").reindex(out["group"])
        out[f"estimate_{suffix}"] = rows[f"estimate_{suffix}"].to_numpy(dtype=float)
        out[f"ci_low_{suffix}"] = shares["ci_low"].to_numpy(dtype=float)
        out[f"ci_high_{suffix}"] = shares["ci_high"].to_numpy(dtype=float)
    for column in ("difference", "ci_low", "ci_high", "p_holm", "base_before", "base_after"):
        out[column] = rows[column].to_numpy(dtype=float)
    out["reason"] = rows["reason"].astype(str).to_numpy()
    hidden = out["reason"].astype(bool)
    out.loc[hidden, list(FIGURES)] = np.nan
    out["significant"] = [is_significant(p, level) for p in out["p_holm"]]
    out["comparable"] = True
    out["note"] = ""
    return out[list(COLUMNS)]


def _members(spec, headline: Headline) -> tuple[str, ...]:
    return tuple(spec.nets.get(headline.category, (headline.category,)))


def _wave_shares(
    design: SurveyDesign,
    column: str,
    relabel: dict[str, str],
    options: Sequence[str],
    members: Sequence[str],
    by: str | None,
    ci: str,
    level: float,
) -> pd.DataFrame:
    """One wave's share in ``members`` (after-wave labels) by group, with intervals.

    Derived as :func:`listening.change` derives it: answers relabelled into
    the after wave's options (anything else missing), then the indicator.
    """
    answers = design.data[column].astype("string").replace(relabel)
    answers = answers.where(answers.isin(list(options)))
    flag = answers.isin(list(members)).astype("boolean").where(answers.notna())
    flagged = design.with_columns(__change_indicator=flag)
    shares = proportion(flagged, "__change_indicator", by=by, ci=ci, level=level)
    groups = shares[by].astype(str) if by else pd.Series(ALL, index=shares.index)
    shares = shares.assign(group=groups.to_numpy())
    yes = shares[shares["category"].astype(str) == "True"]
    return yes[["group", "ci_low", "ci_high"]].drop_duplicates("group")


def _not_compared(headline: Headline, message: str) -> pd.DataFrame:
    first = message.strip().split(". ")[0].rstrip(".") + "."
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(
        indicator=headline.label,
        short=headline.short or headline.label,
        question=headline.question,
        category=headline.category,
        group=ALL,
        significant=False,
        reason="",
        comparable=False,
        note=first,
    )
    return pd.DataFrame([row], columns=list(COLUMNS))


def reason_words(reason: str) -> str:
    """Why a group is hidden, in words, from a change table's ``reason``.

    Examples
    --------
    >>> reason_words("2024: threshold"), reason_words("threshold")
    ('too few answers in 2024', 'too few answers')
    >>> reason_words("2025: secondary")
    'hidden in 2025 so that a smaller group cannot be worked out'
    """
    wave, _, why = reason.rpartition(": ")
    where = f" in {wave_words(wave)}" if wave else ""
    if why == "threshold":
        return f"too few answers{where}"
    if why == "secondary":
        return f"hidden{where} so that a smaller group cannot be worked out"
    if why == "not published":
        return "not published as a group of its own"
    return reason


def wave_words(label: str) -> str:
    """A wave's label for a sentence: a year as it is, a word as "the ... wave".

    Examples
    --------
    >>> wave_words("2024"), wave_words("earlier")
    ('2024', 'the earlier wave')
    """
    return label if any(ch.isdigit() for ch in label) else f"the {label} wave"


def _look(row, level: float) -> tuple[str, str]:
    if not is_significant(row.p_holm, level):
        return SAME, "no significant change"
    if row.difference > 0:
        return UP, f"significantly up (at {level:.0%})"
    return DOWN, f"significantly down (at {level:.0%})"


def _verdict(row, hidden: bool, level: float) -> str:
    if not row.comparable:
        return "not compared: not asked in both waves"
    if hidden:
        return f"{SUPPRESSED_LABEL} {reason_words(row.reason)}"
    if is_significant(row.p_holm, level):
        return "Significantly up" if row.difference > 0 else "Significantly down"
    return "No significant change"


def _texts(values: pd.Series, hidden: pd.Series, fmt) -> list[str]:
    return [
        SUPPRESSED_LABEL if h or pd.isna(v) else fmt(v) for v, h in zip(values, hidden, strict=True)
    ]


def _spans(low: pd.Series, high: pd.Series, hidden: pd.Series, fmt) -> list[str]:
    return [
        SUPPRESSED_LABEL if h or pd.isna(lo) or pd.isna(hi) else f"{fmt(lo)} to {fmt(hi)}"
        for lo, hi, h in zip(low, high, hidden, strict=True)
    ]


def _one(share: float) -> str:
    return f"{share * 100:.1f}"


def _signed(share: float) -> str:
    return f"{share * 100:+.1f}"


def _whole(share: float) -> str:
    return f"{share * 100:.0f}%"


def _points(difference: float) -> str:
    points = abs(difference) * 100
    text = f"{points:.0f}" if points >= 0.95 else f"{points:.1f}"
    return f"{text} point" if text == "1" else f"{text} points"
