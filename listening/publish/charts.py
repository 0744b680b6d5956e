"""Plotly figures for survey estimates, in a colour-blind-safe palette.

Every function takes the tidy frames that :func:`listening.crosstab` and the
estimators return (columns ``category``, ``estimate``, ``ci_low``, ``ci_high``,
``base`` and, from a crosstab, ``suppressed`` and ``vs_rest``) and returns a
``plotly.graph_objects.Figure``. Suppressed groups are never drawn as numbers:
they appear as ``[c]`` labels, so a chart shows no more than its table.

Colours: one fixed colour per district and black for "All" in every chart
(:mod:`listening.publish.chart_style`), Okabe-Ito for other groups,
ColorBrewer's RdBu (blue for the favourable end of a scale) for ordered scales
and viridis for maps; all stay distinguishable with the common forms of colour
blindness, and every chart also carries text (labels, symbols, hover) so
colour is never the only cue. Every text is near-black or dark grey (at least
7:1 on white) in the app's font, and every chart of estimates draws its 95%
intervals, with open markers that leave the interval visible.

Every figure has a title (a default one when none is given) and a plain-text
description for screen readers in ``layout.meta["description"]``
(:func:`description`); exports add a footnote of title, source, date and
minimum base with :func:`with_footnote` (both from
:mod:`listening.publish.chart_style`, public here as ``yl.charts.description``
and ``yl.charts.with_footnote``).

Labels from the data (answers, groups, themes, districts) are drawn as plain
text: each goes through :func:`listening.publish.plotly_text.plain` before the
figure's own ``<b>`` and ``<br>`` are added, so an uploaded
``<a href=...>`` is shown, never followed. A ``title`` is drawn as given:
escape one made from a file's wording with ``plain`` first.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({
...     "district": ["All", "Fenland"], "category": ["Yes", "Yes"],
...     "estimate": [0.6, 0.5], "ci_low": [0.55, 0.4], "ci_high": [0.65, 0.6],
...     "base": [300, 40], "suppressed": [False, False], "vs_rest": [0, -1]})
>>> fig = interval_plot(table, by="district", category="Yes")
>>> [round(x) for x in fig.data[0].x]
[60, 50]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from listening.publish.bins import merged_bins
from listening.publish.chart_style import (
    DISTRICT_COLOURS as DISTRICT_COLOURS,
)
from listening.publish.chart_style import (
    FONT_FAMILY,
    MUTED_TEXT,
    TEXT,
    Draft,
    finish,
    group_colours,
    hidden_words,
    text_on,
)
from listening.publish.chart_style import description as description
from listening.publish.chart_style import with_footnote as with_footnote
from listening.publish.plotly_text import plain, plain_in_template

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
"""Okabe-Ito colours (blue first) for categories and groups."""

FAVOURABLE: tuple[str, ...] = ("#2166AC", "#92C5DE")
"""RdBu blues, strongest first, for the favourable half of a scale."""

UNFAVOURABLE: tuple[str, ...] = ("#B2182B", "#F4A582")
"""RdBu reds, strongest first, for the unfavourable half of a scale."""

NEUTRAL = "#BDBDBD"
"""Grey for the middle of an odd scale and for suppressed districts."""

MAP_SCALE = "Viridis"
"""Sequential colour scale of maps: readable with colour-vision deficiency, and
no colour of it is grey, so none looks like a suppressed district."""

SUPPRESSED_LABEL = "[c]"
"""What a suppressed figure shows instead of a number (ONS convention)."""

SIGNIFICANCE = {
    1: ("triangle-up-open", "significantly higher than the rest"),
    -1: ("triangle-down-open", "significantly lower than the rest"),
    0: ("circle-open", "not significantly different from the rest"),
}
"""Marker shape and words for a group against the rest (``vs_rest``)."""

INTERVAL_COLOUR = MUTED_TEXT
"""Colour of interval whiskers (7.1:1 on white)."""

BOTTOM_LEGEND: dict[str, Any] = {
    "orientation": "h",
    "x": 0,
    "y": 0,
    "yref": "container",
    "yanchor": "bottom",
}

LAYOUT: dict[str, Any] = {
    "template": "none",
    "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT},
    "margin": {"l": 10, "r": 30, "t": 60, "b": 110},
    "hoverlabel": {"font_size": 13},
}


def group_labels(table: pd.DataFrame, by: str | Sequence[str] | None) -> pd.Series:
    """One readable label per row for its group (``"Girl · 14-15"``).

    Parameters
    ----------
    table : DataFrame
        A tidy estimates table.
    by : str, list of str or None
        Its grouping columns; ``None`` labels every row ``"All"``.

    Returns
    -------
    Series of str, aligned with ``table``.

    Examples
    --------
    >>> t = pd.DataFrame({"sex": ["Female", "All"], "age_band": ["11-13", "All"]})
    >>> group_labels(t, ["sex", "age_band"]).tolist()
    ['Female · 11-13', 'All']
    """
    columns = _as_list(by)
    if not columns:
        return pd.Series("All", index=table.index, dtype=object)
    parts = table[columns].astype(str)
    labels = parts.apply(lambda row: " · ".join(dict.fromkeys(row)), axis=1)
    return labels.astype(object)


def scale_bars(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None,
    options: Sequence[str],
    title: str | None = None,
) -> go.Figure:
    """Diverging stacked bars for an ordered scale, one bar per group.

    The first half of ``options`` (the favourable end, e.g. "Very safe",
    "Fairly safe") stacks to the right of zero in blues, the second half to the
    left in reds; the middle option of an odd scale is split across zero in
    grey. Suppressed groups show ``[c]`` and no bar.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates with ``category``, ``estimate``, ``ci_low``,
        ``ci_high``, ``base`` and optionally ``suppressed``.
    by : str, list of str or None
        Grouping columns of ``table``.
    options : sequence of str
        The scale's options in questionnaire order (nets and missing codes
        left out).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["Safe", "Unsafe"], "estimate": [0.7, 0.3],
    ...                   "ci_low": [0.6, 0.2], "ci_high": [0.8, 0.4], "base": [50, 50]})
    >>> fig = scale_bars(t, by=None, options=["Safe", "Unsafe"])
    >>> [(trace.name, round(trace.x[0])) for trace in fig.data]
    [('Unsafe', -30), ('Safe', 70)]
    """
    options = list(options)
    rows = table[table["category"].isin(options)].copy()
    rows["group"] = group_labels(rows, by).to_numpy()
    groups = list(dict.fromkeys(rows["group"]))
    hidden = _suppressed_groups(rows)
    half = len(options) // 2
    favourable, unfavourable = options[:half], options[len(options) - half :]
    middle = options[half] if len(options) % 2 else None
    fig = Draft()
    # Relative bars stack outwards in trace order: the options nearest zero first.
    plan: list[tuple[str, float, str, bool]] = []
    if middle is not None:
        plan += [(middle, -0.5, NEUTRAL, False), (middle, 0.5, NEUTRAL, True)]
    plan += [(o, -1.0, _shade(UNFAVOURABLE, unfavourable, o, True), True) for o in unfavourable]
    plan += [(o, 1.0, _shade(FAVOURABLE, favourable, o, False), True) for o in favourable[::-1]]
    for option, sign, colour, legend in plan:
        part = rows[(rows["category"] == option) & ~rows["group"].isin(hidden)]
        part = part.set_index("group").reindex([g for g in groups if g not in hidden])
        shown = part["estimate"] * 100
        low, high = part["ci_low"] * 100, part["ci_high"] * 100
        # Each segment's whisker is its own option's interval, at the segment's outer
        # end; the middle option's halves each carry half of its interval.
        share = abs(sign)
        outward, inward = share * (high - shown), share * (shown - low)
        fig.add_bar(
            name=plain(option),
            y=[plain(g) for g in part.index],
            x=(sign * shown).tolist(),
            orientation="h",
            marker_color=colour,
            marker_line={"color": "#FFFFFF", "width": 1},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (outward if sign > 0 else inward).fillna(0).tolist(),
                "arrayminus": (inward if sign > 0 else outward).fillna(0).tolist(),
                "color": TEXT,
                "thickness": 1.5,
                "width": 4,
            },
            insidetextfont={"color": text_on(colour), "family": FONT_FAMILY},
            legendrank=options.index(option),
            showlegend=legend,
            legendgroup=plain(option),
            text=[
                percent_label(v) if (sign > 0 or sign == -1) and v >= 4 else ""
                for v in shown.fillna(0)
            ],
            textposition="inside",
            insidetextanchor="start",
            customdata=np.column_stack(
                [shown, part["ci_low"] * 100, part["ci_high"] * 100, part["base"]]
            ),
            hovertemplate=(
                f"<b>%{{y}}</b><br>{plain_in_template(option)}: %{{customdata[0]:.1f}}%"
                "<br>95% interval %{customdata[1]:.1f}% to %{customdata[2]:.1f}%"
                "<br>answered: %{customdata[3]:,.0f}<extra></extra>"
            ),
        )
    for group in hidden:
        fig.add_annotation(
            x=0, y=plain(group), text=f"{SUPPRESSED_LABEL} {_why(rows, group)}", showarrow=False
        )
    fig.update_layout(
        **LAYOUT,
        barmode="relative",
        legend=BOTTOM_LEGEND,
        xaxis={"title": "% of those who answered", "zeroline": True},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [plain(g) for g in groups],
            "autorange": "reversed",
        },
        height=chart_height(len(groups)),
    )
    ticks = [-100, -75, -50, -25, 0, 25, 50, 75, 100]
    fig.update_xaxes(range=[-100, 100], tickvals=ticks, ticktext=[f"{abs(t)}%" for t in ticks])
    return finish(
        fig,
        title=title or "All answers by group",
        description=(
            f"Stacked bars of the answers {', '.join(options)} for {len(groups)} "
            f"group{'s' if len(groups) != 1 else ''}, favourable answers to the right of zero, "
            "each with its 95% interval"
            + (f"; {len(hidden)} hidden as [c]" if hidden else "")
            + ". A table with the chart gives every figure."
        ),
    )


def interval_plot(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None,
    category: str,
    title: str | None = None,
    level: float = 0.95,
) -> go.Figure:
    """Dot-and-whisker chart of one option or net across groups.

    Each group's estimate is a dot with its confidence interval as whiskers.
    Where ``table`` has ``vs_rest``, colour and marker shape both say whether
    the group is significantly higher (blue triangle up), lower (vermillion
    triangle down) or not different (grey circle) from the rest; a dashed line
    marks the "All" estimate. Suppressed groups show ``[c]``.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates (see :func:`scale_bars`), optionally with ``vs_rest``.
    by : str, list of str or None
        Grouping columns.
    category : str
        The option or net to plot.
    title : str, optional
        Chart title.
    level : float, default 0.95
        Confidence level of the intervals, for the hover text.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"sex": ["All", "Male", "Female"], "category": ["Yes"] * 3,
    ...                   "estimate": [0.5, 0.4, 0.6], "ci_low": [0.45, 0.3, 0.5],
    ...                   "ci_high": [0.55, 0.5, 0.7], "base": [100, 50, 50],
    ...                   "suppressed": [False, False, False]})
    >>> fig = interval_plot(t, by="sex", category="Yes")
    >>> list(fig.data[0].y)
    ['All', 'Male', 'Female']
    """
    rows = table[table["category"] == category].copy()
    rows["group"] = group_labels(rows, by).to_numpy()
    groups = list(dict.fromkeys(rows["group"]))
    hidden = _suppressed_groups(rows)
    shown = rows[~rows["group"].isin(hidden)]
    is_all = shown["group"] == "All"
    # Groups sit on their own rows, so colour only marks districts (and "All").
    colour_of = {
        group: colour if group == "All" or group in DISTRICT_COLOURS else INTERVAL_COLOUR
        for group, colour in group_colours(groups).items()
    }
    tested = "vs_rest" in shown
    signs = shown["vs_rest"].fillna(0).astype(int) if tested else pd.Series(0, index=shown.index)
    looks = [SIGNIFICANCE[int(s)] for s in signs]
    symbols = ["diamond-open" if a else look[0] for a, look in zip(is_all, looks, strict=True)]
    words = [
        "the whole population" if a else (look[1] if tested else "")
        for a, look in zip(is_all, looks, strict=True)
    ]
    estimate = shown["estimate"] * 100
    fig = Draft()
    fig.add_scatter(
        x=estimate.tolist(),
        y=[plain(g) for g in shown["group"]],
        mode="markers",
        name=plain(category),
        showlegend=False,
        marker={
            "color": [colour_of[str(g)] for g in shown["group"]],
            "symbol": symbols,
            "size": 11,
            "line": {"width": 2.5},
        },
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (shown["ci_high"] * 100 - estimate).tolist(),
            "arrayminus": (estimate - shown["ci_low"] * 100).tolist(),
            "color": INTERVAL_COLOUR,
            "thickness": 2,
            "width": 6,
        },
        customdata=np.column_stack([shown["ci_low"] * 100, shown["ci_high"] * 100, shown["base"]]),
        text=words,
        hovertemplate=(
            f"<b>%{{y}}</b><br>{plain_in_template(category)}: %{{x:.1f}}%"
            f"<br>{level:.0%} interval %{{customdata[0]:.1f}}% to %{{customdata[1]:.1f}}%"
            "<br>answered: %{customdata[2]:,.0f}<br>%{text}<extra></extra>"
        ),
    )
    if tested:
        for sign in sorted(set(signs[~is_all.to_numpy()]), reverse=True):
            symbol, meaning = SIGNIFICANCE[int(sign)]
            fig.add_scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=meaning,
                marker={"symbol": symbol, "color": TEXT, "size": 11, "line": {"width": 2}},
            )
    overall = shown.loc[is_all, "estimate"]
    if len(overall) == 1:
        fig.add_vline(float(overall.iloc[0]) * 100)
    for group in hidden:
        fig.add_annotation(
            x=0,
            xanchor="left",
            y=plain(group),
            text=f"{SUPPRESSED_LABEL} {_why(rows, group)}",
            showarrow=False,
        )
    fig.update_layout(
        **LAYOUT,
        legend=BOTTOM_LEGEND,
        xaxis={"title": f"% {plain(category)}", **percent_axis(shown["ci_high"])},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [plain(g) for g in groups],
            "autorange": "reversed",
        },
        height=chart_height(len(groups)),
    )
    return finish(
        fig,
        title=title or f"{plain(category)} by group",
        description=(
            f"Dots with {level:.0%} intervals: % {category} for {len(groups)} "
            f"group{'s' if len(groups) != 1 else ''}"
            + (
                "; triangles mark groups significantly higher or lower than the rest"
                if tested
                else ""
            )
            + (f"; {len(hidden)} hidden as [c]" if hidden else "")
            + ". A table with the chart gives every figure."
        ),
    )


def ranked_options(
    table: pd.DataFrame,
    *,
    by: str | Sequence[str] | None,
    title: str | None = None,
) -> go.Figure:
    """Options of a tick-all-that-apply question ranked, with intervals by group.

    Options are sorted by the "All" group's estimate (or the first group's),
    most chosen at the top; each group is a colour of its own, dodged
    vertically. Suppressed groups are left out and named in the legend.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates with one row per group and option (``category``).
    by : str, list of str or None
        Grouping columns.
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["CCTV", "Lighting"], "estimate": [0.2, 0.5],
    ...                   "ci_low": [0.1, 0.4], "ci_high": [0.3, 0.6], "base": [80, 80]})
    >>> list(ranked_options(t, by=None).data[0].y)
    ['Lighting', 'CCTV']
    """
    rows = table.copy()
    rows["group"] = group_labels(rows, by).to_numpy()
    groups = list(dict.fromkeys(rows["group"]))
    hidden = _suppressed_groups(rows)
    reference = "All" if "All" in groups and "All" not in hidden else None
    visible = [g for g in groups if g not in hidden]
    if reference is None and visible:
        reference = visible[0]
    ranking = rows[rows["group"] == reference].sort_values("estimate", ascending=False)
    order = list(dict.fromkeys(ranking["category"])) or list(dict.fromkeys(rows["category"]))
    colour_of = group_colours(groups)
    fig = Draft()
    for group in visible:
        part = rows[rows["group"] == group].set_index("category").reindex(order)
        estimate = part["estimate"] * 100
        fig.add_scatter(
            name=plain(group),
            x=estimate.tolist(),
            y=[plain(o) for o in order],
            mode="markers",
            orientation="h",
            marker={
                "color": colour_of[group],
                "size": 10,
                "symbol": "diamond-open" if group == "All" else "circle-open",
                "line": {"width": 2.5},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (part["ci_high"] * 100 - estimate).tolist(),
                "arrayminus": (estimate - part["ci_low"] * 100).tolist(),
                "color": colour_of[group] if len(visible) > 1 else INTERVAL_COLOUR,
                "thickness": 2,
                "width": 4,
            },
            customdata=np.column_stack([part["ci_low"] * 100, part["ci_high"] * 100, part["base"]]),
            hovertemplate=(
                f"<b>{plain_in_template(group)}</b><br>%{{y}}: %{{x:.1f}}%"
                "<br>interval %{customdata[0]:.1f}% to %{customdata[1]:.1f}%"
                "<br>answered: %{customdata[2]:,.0f}<extra></extra>"
            ),
        )
    for group in hidden:
        fig.add_scatter(
            name=f"{plain(group)}: {SUPPRESSED_LABEL} {_why(rows, group)}",
            x=[None],
            y=[None],
            mode="markers",
            marker={"color": NEUTRAL},
        )
    fig.update_layout(
        **LAYOUT,
        scattermode="group",
        xaxis={"title": "% who chose the option", **percent_axis(rows["ci_high"])},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [plain(o) for o in order],
            "autorange": "reversed",
        },
        legend=BOTTOM_LEGEND,
        height=chart_height(len(order) * max(1, min(len(visible), 4)) // 2 + len(order)),
    )
    return finish(
        fig,
        title=title or "Options chosen, ranked",
        description=(
            f"Dots with 95% intervals: the % choosing each of {len(order)} options, most chosen "
            f"first, for {len(visible)} group{'s' if len(visible) != 1 else ''}"
            + (f"; {len(hidden)} hidden as [c]" if hidden else "")
            + ". A table with the chart gives every figure."
        ),
    )


def sample_vs_population(
    frame: pd.DataFrame,
    *,
    category: str = "category",
    series: Sequence[str] = ("sample", "weighted", "population"),
    title: str | None = None,
) -> go.Figure:
    """Grouped horizontal bars comparing the sample's make-up with the population's.

    Parameters
    ----------
    frame : DataFrame
        One row per category with shares in [0, 1]; typically columns
        ``sample`` (unweighted), ``weighted`` (after raking) and
        ``population``.
    category : str, default "category"
        The column of category labels.
    series : sequence of str
        The share columns to draw, in order (missing ones are skipped).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> f = pd.DataFrame({"category": ["Female", "Male"], "sample": [0.6, 0.4],
    ...                   "population": [0.49, 0.51]})
    >>> [trace.name for trace in sample_vs_population(f).data]
    ['Sample', 'Population']
    """
    fig = Draft()
    names = {"sample": "Sample", "weighted": "Weighted sample", "population": "Population"}
    colours = {"sample": OKABE_ITO[1], "weighted": OKABE_ITO[0], "population": "#000000"}
    patterns = {"sample": "/", "weighted": "", "population": "."}
    for position, column in enumerate(c for c in series if c in frame):
        share = frame[column] * 100
        fig.add_bar(
            name=names.get(column, plain(column)),
            y=[plain(c) for c in frame[category]],
            x=share.tolist(),
            orientation="h",
            marker_color=colours.get(column, OKABE_ITO[position % len(OKABE_ITO)]),
            marker_pattern_shape=patterns.get(column, ""),
            hovertemplate=(
                f"%{{y}}<br>{names.get(column, plain_in_template(column))}: %{{x:.1f}}%"
                "<extra></extra>"
            ),
        )
    fig.update_layout(
        **LAYOUT,
        barmode="group",
        xaxis={"title": "% of young people", "ticksuffix": "%", "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
        legend=BOTTOM_LEGEND,
        height=chart_height(2 * len(frame) + 2),
    )
    drawn = [names.get(c, str(c)).lower() for c in series if c in frame]
    return finish(
        fig,
        title=title or "The sample and the population",
        description=(
            f"Bars of the % in each of {len(frame)} categories: {', '.join(drawn)}. "
            "A table with the chart gives every figure."
        ),
    )


def theme_bars(
    counts: pd.DataFrame,
    *,
    by: str | Sequence[str] | None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars: the share of written answers mentioning each theme, by group.

    Parameters
    ----------
    counts : DataFrame
        From :func:`listening.publish.freetext.theme_counts`: the ``by`` columns,
        ``theme``, ``n``, ``base``, ``percent`` and ``suppressed``.
    by : str, list of str or None
        Grouping columns; each group is a colour, "All" in black beside groups
        (blue when it stands alone).
    title : str, optional
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        Suppressed groups have no bars and are named in the legend as ``[c]``.

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["Lights", "Police"], "n": [30, 10], "base": [100, 100],
    ...                   "percent": [30.0, 10.0], "suppressed": [False, False]})
    >>> list(theme_bars(t, by=None).data[0].x)
    [30.0, 10.0]
    """
    rows = counts.copy()
    rows["group"] = group_labels(rows, by).to_numpy()
    rows["estimate"] = rows["percent"] / 100
    groups = list(dict.fromkeys(rows["group"]))
    hidden = _suppressed_groups(rows)
    order = list(dict.fromkeys(rows["theme"]))
    colour_of = group_colours(groups)
    if len(groups) == 1:
        colour_of = {g: OKABE_ITO[0] for g in groups}
    fig = Draft()
    for group in (g for g in groups if g not in hidden):
        part = rows[rows["group"] == group].set_index("theme").reindex(order)
        fig.add_bar(
            name=plain(group),
            x=part["percent"].tolist(),
            y=[plain(o) for o in order],
            orientation="h",
            marker_color=colour_of[group],
            customdata=np.column_stack([part["n"].astype(float), part["base"]]),
            hovertemplate=(
                f"<b>{plain_in_template(group)}</b><br>%{{y}}: %{{x:.0f}}% of written answers"
                "<br>%{customdata[0]:,.0f} of %{customdata[1]:,.0f}<extra></extra>"
            ),
        )
    for group in hidden:
        fig.add_bar(
            name=f"{plain(group)}: {SUPPRESSED_LABEL} {_why(rows, group)}",
            x=[None],
            y=[None],
            marker_color=NEUTRAL,
        )
    fig.update_layout(
        **LAYOUT,
        barmode="group",
        showlegend=len(groups) > 1,
        xaxis={"title": "% of written answers mentioning the theme", "ticksuffix": "%"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [plain(o) for o in order],
            "autorange": "reversed",
        },
        legend=BOTTOM_LEGEND,
        height=chart_height(len(order) * max(1, min(len(groups), 4)) // 2 + len(order)),
    )
    return finish(
        fig,
        title=title or "Themes in the written answers",
        description=(
            f"Bars of the % of written answers mentioning each of {len(order)} themes, for "
            f"{len(groups)} group{'s' if len(groups) != 1 else ''} (counts of answers, so no "
            "intervals)"
            + (f"; {len(hidden)} hidden as [c]" if hidden else "")
            + ". A table with the chart gives every figure."
        ),
    )


def weight_histogram(
    weights: pd.Series | np.ndarray, *, title: str | None = None, min_count: int = 1
) -> go.Figure:
    """Histogram of survey weights with the median marked, binned here.

    The bins are counted on the server (:func:`listening.publish.bins.merged_bins`):
    one bar per bin is sent, not every weight, and a bin of fewer than
    ``min_count`` weights is merged with a neighbour.

    Parameters
    ----------
    weights : Series or array
        One weight per respondent (missing ones are left out of the bars).
    title : str, optional
        Chart title.
    min_count : int
        The fewest respondents a bar may count.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = weight_histogram(pd.Series([1.0, 2.0, 2.0, 3.0]))
    >>> fig.data[0].type, int(sum(fig.data[0].y))
    ('bar', 4)
    """
    values = np.asarray(weights, dtype=float)
    bars = merged_bins(values, bins=40, min_count=min_count)
    fig = Draft()
    fig.add_bar(
        x=((bars["low"] + bars["high"]) / 2).to_numpy(),
        y=bars["count"].to_numpy(),
        width=((bars["high"] - bars["low"]) * 0.95).to_numpy(),
        customdata=bars[["low", "high"]].to_numpy(),
        marker_color=OKABE_ITO[0],
        name="respondents",
        hovertemplate=(
            "weight %{customdata[0]:.3g} to %{customdata[1]:.3g}<br>"
            "respondents: %{y}<extra></extra>"
        ),
    )
    if np.isfinite(values).any():
        median = float(np.median(values[np.isfinite(values)]))
        fig.add_vline(median, label=f"median {median:.3g}")
    fig.update_layout(
        **LAYOUT,
        xaxis={"title": "weight (young people each respondent stands for)"},
        yaxis={"title": "respondents"},
        height=380,
    )
    return finish(
        fig,
        title=title or "Survey weights",
        description=(
            f"Histogram of the weights of {len(values):,} respondents, the median dashed. "
            "A table with the chart gives the summary figures."
        ),
    )


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _why(rows: pd.DataFrame, group: str) -> str:
    reasons = rows.loc[rows["group"].astype(str) == group, "reason"] if "reason" in rows else []
    return hidden_words(reasons)


def _suppressed_groups(rows: pd.DataFrame) -> list[str]:
    if "suppressed" in rows:
        flagged = rows["suppressed"].fillna(False).astype(bool) | rows["estimate"].isna()
    else:
        flagged = rows["estimate"].isna()
    by_group = flagged.groupby(rows["group"], sort=False).all()
    return [str(g) for g, hidden in by_group.items() if hidden]


def _shade(palette: Sequence[str], half: Sequence[str], option: str, outer_last: bool) -> str:
    """Strongest colour for the outermost option of each half."""
    position = list(half).index(option)
    outermost = len(half) - 1 if outer_last else 0
    return palette[0] if position == outermost else palette[min(1, len(palette) - 1)]


def percent_label(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED_LABEL
    return f"{value:.0f}%"


def percent_axis(highs: pd.Series) -> dict[str, Any]:
    """A percentage axis from 0 that ends on a labelled tick beyond every interval.

    Examples
    --------
    >>> percent_axis(pd.Series([0.2, 0.57]))["range"], percent_axis(pd.Series([0.9]))["dtick"]
    ([0, 60], 20)
    """
    top = float(np.nanmax(highs.to_numpy(dtype=float))) * 100 if highs.notna().any() else 100.0
    step = 5 if top <= 20 else 10 if top <= 60 else 20
    end = min(100, step * math.ceil(max(top, 1e-9) / step))
    return {"range": [0, end], "dtick": step, "tick0": 0, "ticksuffix": "%"}


def chart_height(rows: int) -> int:
    return int(max(260, min(900, 110 + 42 * rows)))
