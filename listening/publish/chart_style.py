"""One visual language for every chart and map: colours, fonts, text contrast and footnotes.

Every figure of :mod:`listening.publish.charts` and :mod:`listening.publish.maps`
goes through :func:`finish`, which sets each text colour and font explicitly (so
a host's theme, such as Streamlit's grey #808495 tick labels at 3.72:1, cannot
lower the contrast), and records a title and a description for screen readers
in ``layout.meta``. :func:`with_footnote` adds the title, source, date and
minimum base that an exported PNG or HTML chart carries.

Colours
-------
Each district has one colour, the same in every chart (:data:`DISTRICT_COLOURS`,
Okabe-Ito without its yellow, which is too light on white); "All" is black.
Other groups (sex, age band) take the remaining Okabe-Ito colours in the order
they appear, so a grouping keeps its colours from chart to chart. Markers are
open shapes with thick outlines, so an interval shows through its marker.

Text is near-black :data:`TEXT` (19.6:1 on white) or, for tick labels,
:data:`MUTED_TEXT` (7.1:1); text inside a bar is black or white, whichever has
the higher contrast with the bar (:func:`text_on`). The font is the app's own
Source Sans, with Liberation Sans, DejaVu Sans and Arial as fallbacks installed
on the machine: no web font is ever fetched.

Examples
--------
>>> round(contrast_ratio(MUTED_TEXT, "#FFFFFF"), 1)
7.1
>>> group_colours(["All", "Fenland", "Girl"])
{'All': '#000000', 'Fenland': '#009E73', 'Girl': '#E69F00'}
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from typing import Any

import plotly.graph_objects as go

FONT_FAMILY = (
    '"Source Sans", "Source Sans Pro", "Liberation Sans", "DejaVu Sans", Arial, sans-serif'
)
"""The app's font (served by Streamlit itself), then fonts installed on the machine."""

TEXT = "#0b0c0c"
"""Near-black text (the app's text colour): 19.6:1 on white."""

MUTED_TEXT = "#505a5f"
"""Secondary text (tick labels, footnotes): 7.1:1 on white."""

BACKGROUND = "#FFFFFF"
"""Every chart's background."""

GRID = "#DDDDDD"
"""Grid lines (not text)."""

ALL_COLOUR = "#000000"
"""The whole population ("All") in every chart."""

DISTRICT_COLOURS: dict[str, str] = {
    "Cambridge": "#0072B2",
    "East Cambridgeshire": "#E69F00",
    "Fenland": "#009E73",
    "Huntingdonshire": "#CC79A7",
    "Peterborough": "#D55E00",
    "South Cambridgeshire": "#56B4E9",
}
"""One colour per district of Cambridgeshire and Peterborough, in every chart."""

GROUP_COLOURS: tuple[str, ...] = (
    "#E69F00",
    "#0072B2",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
)
"""Okabe-Ito colours (no yellow) for other groups, in the order they appear."""

FOOTNOTE_SPACE = 44
"""Pixels an export's two-line footnote adds below the chart."""


def group_colours(groups: Iterable[object]) -> dict[str, str]:
    """The colour of each group: fixed for districts, black for "All", in turn for others.

    Parameters
    ----------
    groups : iterable
        Group labels in the order the chart lists them (hidden ones included,
        so a hidden group does not shift the colours of the others).

    Returns
    -------
    dict of str to str
        ``#RRGGBB`` per group. A colour fixed for a district is never given to
        another group of the same chart while one is left.

    Examples
    --------
    >>> group_colours(["Cambridge", "Peterborough"])
    {'Cambridge': '#0072B2', 'Peterborough': '#D55E00'}
    >>> group_colours(["Girl", "Boy"])
    {'Girl': '#E69F00', 'Boy': '#0072B2'}
    """
    names = [str(g) for g in dict.fromkeys(groups)]
    fixed = {n: DISTRICT_COLOURS[n] for n in names if n in DISTRICT_COLOURS}
    free = [c for c in GROUP_COLOURS if c not in fixed.values()] or list(GROUP_COLOURS)
    colours: dict[str, str] = {}
    position = 0
    for name in names:
        if name == "All":
            colours[name] = ALL_COLOUR
        elif name in fixed:
            colours[name] = fixed[name]
        else:
            colours[name] = free[position % len(free)]
            position += 1
    return colours


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#RRGGBB`` or ``rgb(r, g, b)`` colour.

    Examples
    --------
    >>> luminance("#FFFFFF"), luminance("rgb(0, 0, 0)")
    (1.0, 0.0)
    """
    text = colour.strip()
    if text.startswith("#"):
        rgb = [int(text[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        rgb = [float(v) / 255 for v in text[text.index("(") + 1 : -1].split(",")[:3]]
    red, green, blue = (_linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.2 contrast ratio of two colours (1 to 21; text needs 4.5).

    Examples
    --------
    >>> round(contrast_ratio("#808495", "#FFFFFF"), 2)
    3.72
    """
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(fill: str) -> str:
    """Black or white: whichever reads better on ``fill``.

    Examples
    --------
    >>> text_on("#2166AC"), text_on("#92C5DE")
    ('#FFFFFF', '#0b0c0c')
    """
    white = contrast_ratio("#FFFFFF", fill)
    return "#FFFFFF" if white >= contrast_ratio(TEXT, fill) else TEXT


def font(size: int = 13, colour: str = TEXT) -> dict[str, Any]:
    """A plotly font in the charts' family."""
    return {"family": FONT_FAMILY, "size": size, "color": colour}


class Draft:
    """A figure being drawn, kept as plain dicts until :func:`finish` makes it.

    plotly validates every property each time a figure changes
    (``add_bar``, ``update_layout``...), which made a chart take 100-200 ms of
    CPU; a draft collects the traces and layout, with the same method names
    and the same property names (``marker_color`` included), and plotly
    validates them once. Only the methods the charts use are here.

    Examples
    --------
    >>> draft = Draft()
    >>> draft.add_bar(x=[1], marker_color="#0072B2")
    >>> draft.update_layout(height=300)
    >>> finish(draft, title="One bar", description="A bar.").data[0].marker.color
    '#0072B2'
    """

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def add_bar(self, **props: Any) -> None:
        """A bar trace."""
        self.data.append({"type": "bar", **props})

    def add_scatter(self, **props: Any) -> None:
        """A scatter trace."""
        self.data.append({"type": "scatter", **props})

    def add_histogram(self, **props: Any) -> None:
        """A histogram trace."""
        self.data.append({"type": "histogram", **props})

    def add_annotation(self, **props: Any) -> None:
        """An annotation."""
        self.layout.setdefault("annotations", []).append(props)

    def add_vline(self, x: float, *, colour: str = TEXT, label: str | None = None) -> None:
        """A dashed vertical line across the plot at ``x``, optionally labelled at its top."""
        line = {"color": colour, "dash": "dash", "width": 1.5}
        shape = {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper"}
        self.layout.setdefault("shapes", []).append({**shape, "line": line})
        if label is not None:
            self.add_annotation(
                x=x, y=1, yref="paper", text=label, showarrow=False, xanchor="left", yanchor="top"
            )

    def update_layout(self, **props: Any) -> None:
        """Set layout properties (later calls win)."""
        self.layout.update(props)

    def update_xaxes(self, **props: Any) -> None:
        """Set properties of the x axis."""
        self.layout["xaxis"] = {**self.layout.get("xaxis", {}), **props}


def finish(draft: Draft, *, title: str, description: str) -> go.Figure:
    """The figure of a draft, every text's font and colour set explicitly.

    A host's theme (Streamlit's) sets tick and title colours in its template;
    values set on the figure itself win over a template, so each axis, the
    legend, the colour bars, the annotations and the hover labels get theirs.
    The description (what the chart shows, for screen readers) goes in
    ``layout.meta["description"]``; read it with :func:`description`.

    Parameters
    ----------
    draft : Draft
        The traces and layout.
    title : str
        The chart's title, already plotly text (see
        :func:`listening.publish.plotly_text.plain`).
    description : str
        Plain text: what the chart shows and where its figures are.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> draft = Draft()
    >>> draft.add_bar(x=[1])
    >>> fig = finish(draft, title="A &amp; B", description="One bar.")
    >>> fig.layout.xaxis.tickfont.color, description(fig)
    ('#505a5f', 'A & B. One bar.')
    """
    layout = dict(draft.layout)
    style = {
        "tickfont": font(13, MUTED_TEXT),
        "gridcolor": GRID,
        "linecolor": MUTED_TEXT,
        "zerolinecolor": MUTED_TEXT,
    }
    for name in ("xaxis", "yaxis"):
        axis = {**style, **layout.get(name, {})}
        heading = axis.get("title")
        heading = heading if isinstance(heading, dict) else {"text": heading}
        axis["title"] = {**heading, "font": font(14)}
        if name == "yaxis":
            axis["tickfont"] = font(13, TEXT)
        layout[name] = axis
    layout["annotations"] = [
        a
        if a.get("font", {}).get("color")
        else {**a, "font": font(a.get("font", {}).get("size", 12))}
        for a in layout.get("annotations", [])
    ]
    heading = wrap(title)
    lines = heading.count("<br>") + 1
    margin = layout.get("margin", {})
    layout["margin"] = {**margin, "t": max(margin.get("t", 60), 40 + 22 * lines)}
    layout.update(
        title={"text": heading, "font": font(17), "x": 0, "xanchor": "left", "pad": {"l": 10}},
        font=font(),
        legend={**layout.get("legend", {}), "font": font(13)},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
        hoverlabel={"bgcolor": BACKGROUND, "bordercolor": TEXT, "font": font(13)},
        meta={"description": f"{html.unescape(title)}. {description}"},
    )
    for trace in draft.data:
        marker = trace.get("marker")
        if isinstance(marker, dict) and marker.get("showscale"):
            bar = marker.setdefault("colorbar", {})
            bar["tickfont"] = font(13, MUTED_TEXT)
            bar["title"] = {**bar.get("title", {}), "font": font(13)}
    return go.Figure(data=draft.data, layout=layout)


TITLE_WIDTH = 48
"""Characters per line of a chart title: long titles wrap, so a phone shows them whole."""


def wrap(title: str, width: int = TITLE_WIDTH) -> str:
    """``title`` broken into lines of at most ``width`` characters (plotly's ``<br>``).

    Examples
    --------
    >>> wrap("How safe do you feel in your local area after dark? by district", 30)
    'How safe do you feel in your<br>local area after dark? by<br>district'
    """
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(html.unescape(lines[-1])) + 1 + len(html.unescape(word)) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def description(fig: go.Figure) -> str:
    """What a chart shows, in plain text: its accessible name and description.

    Examples
    --------
    >>> description(go.Figure(layout={"title": "Yes by district"}))
    'Yes by district'
    """
    meta = fig.layout.meta
    if isinstance(meta, Mapping) and meta.get("description"):
        return str(meta["description"])
    return html.unescape((fig.layout.title.text or "Chart").replace("<br>", " "))


def with_footnote(
    fig: go.Figure,
    *,
    source: str,
    min_base: int,
    date: dt.date | None = None,
    title: str | None = None,
) -> go.Figure:
    """A copy of ``fig`` for export, with its title and a footnote of source, date and base.

    The footnote says where the figures come from, when the chart was made and
    that groups with fewer than ``min_base`` answers are shown as ``[c]``; it
    sits below the chart, in the charts' font, so it is in the PNG and the HTML
    alike.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Left unchanged.
    source : str
        The data source, as the user should read it (plain text).
    min_base : int
        The minimum number of answers for a figure to be shown.
    date : datetime.date, optional
        The date printed; today by default.
    title : str, optional
        A title for a chart that has none (plain text).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = with_footnote(go.Figure(layout={"title": "Yes"}), source="Survey 2026",
    ...                     min_base=10, date=dt.date(2026, 3, 1))
    >>> print(fig.layout.annotations[-1].text.split("<br>")[0])
    Source: Survey 2026. Made 1 March 2026.
    """
    made = date or dt.date.today()
    copy = go.Figure(fig)
    if not copy.layout.title.text:
        copy.update_layout(title={"text": html.escape(title or "Chart", quote=False)})
    note = (
        f"Source: {html.escape(source, quote=False)}. Made {made.day} {made:%B %Y}.<br>"
        f"[c]: fewer than {int(min_base):,} answered, or hidden to protect a small group."
    )
    margin = copy.layout.margin
    bottom = (margin.b if margin.b is not None else 80) + FOOTNOTE_SPACE
    height = copy.layout.height or 450
    copy.update_layout(
        margin={"b": bottom, "t": max(margin.t or 0, 60)}, height=height + FOOTNOTE_SPACE
    )
    legend = copy.layout.legend
    if legend.yref == "container" and (legend.y or 0) < FOOTNOTE_SPACE / height:
        legend.y = FOOTNOTE_SPACE / (height + FOOTNOTE_SPACE)
    copy.add_annotation(
        text=note,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="bottom",
        yshift=4 - bottom,
        showarrow=False,
        align="left",
        font=font(12, MUTED_TEXT),
        name="footnote",
    )
    return copy


def hidden_words(reasons: Iterable[object]) -> str:
    """Why a chart leaves a group out, in words, from its rows' ``reason``: hidden to
    protect a smaller group when every one is a secondary suppression, otherwise too few
    answers.

    Examples
    --------
    >>> hidden_words(["secondary", "secondary"]), hidden_words(["threshold"]), hidden_words([])
    ('hidden to protect a smaller group', 'too few answers', 'too few answers')
    """
    reasons = [str(r) for r in reasons]
    if reasons and all(r.endswith("secondary") for r in reasons):
        return "hidden to protect a smaller group"
    return "too few answers"
