"""The district map: a choropleth of one estimate by district, with [c] where hidden.

The colour scale is fixed at 0-100% (:data:`MAP_RANGE`; pass ``scale`` for
another documented range), so a small difference between districts never
looks dramatic; its colours (viridis) are never grey, and suppressed districts
are a hatched light grey. A district significantly higher or lower than the
rest of the county (``vs_rest``) carries a triangle and the word in its label.
The colour bar is horizontal, below the map, so the map keeps the width on a
phone; ``narrow=True`` makes a taller map with smaller labels for narrow
screens.

Examples
--------
>>> feature_centres({"features": [{"properties": {"name": "A"},
...     "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2]]]}}]})
{'A': (1.0, 1.0)}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from listening.publish.chart_style import MUTED_TEXT, TEXT, Draft, finish, font, hidden_words
from listening.publish.charts import (
    LAYOUT,
    MAP_SCALE,
    NEUTRAL,
    SUPPRESSED_LABEL,
    percent_label,
)
from listening.publish.plotly_text import plain

MAP_RANGE: tuple[float, float] = (0.0, 100.0)
"""The map's colour scale in %: fixed, the same for every question and filter."""

OUTLINE_TOLERANCE = 0.0005
"""How far (degrees of latitude, about 55 m) a drawn boundary may stray from the
GeoJSON's: a third of a pixel on the map as shown (640 px tall for the county's
0.73 degrees; two thirds in a PNG saved at twice the size), under the 1.5 px white
border. Boundaries are simplified to it (Douglas-Peucker) and sent as 32-bit floats
(plotly's base64 typed arrays, NaN between rings; about 0.4 m at this latitude): the
figure the browser receives is 30 KB, not 108 KB, and plotly copies it quicker on
every rerun."""

_MARKS = {1: ("▲", "higher"), -1: ("▼", "lower")}


def district_map(
    table: pd.DataFrame,
    geojson: Mapping[str, Any],
    *,
    category: str,
    district: str = "district",
    title: str | None = None,
    level: float = 0.95,
    scale: tuple[float, float] = MAP_RANGE,
    narrow: bool = False,
) -> go.Figure:
    """Choropleth of districts for one option or net, suppressed districts greyed.

    Districts are matched to the GeoJSON features by ``properties.name`` and
    drawn as filled shapes on plain axes (longitude scaled by the cosine of
    the latitude), so the map needs no base-map download and renders offline,
    in exported HTML and in PNG alike. Hovering a district shows its
    estimate, interval and the number who answered; every district carries a
    label with its figure, or ``[c]`` when suppressed: suppressed districts
    are grey and hatched, never coloured by value.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates by ``district`` (an "All" row is ignored).
    geojson : mapping
        A FeatureCollection of Polygon or MultiPolygon features with
        ``properties.name``.
    category : str
        The option or net to map.
    district : str, default "district"
        The district column of ``table``.
    title : str, optional
        Chart title.
    level : float, default 0.95
        Confidence level of the intervals, for the hover text.
    scale : (float, float), default (0, 100)
        The colour scale's range in %; values outside it take its end colours.
    narrow : bool, default False
        For a phone: a taller map, smaller labels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> square = [[[0, 52], [1, 52], [1, 53], [0, 53], [0, 52]]]
    >>> geo = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"name": "A"},
    ...      "geometry": {"type": "Polygon", "coordinates": square}}]}
    >>> t = pd.DataFrame({"district": ["A"], "category": ["Yes"], "estimate": [0.4],
    ...                   "ci_low": [0.3], "ci_high": [0.5], "base": [60],
    ...                   "suppressed": [False]})
    >>> fig = district_map(t, geo, category="Yes")
    >>> [a.text for a in fig.layout.annotations]
    ['<b>A</b><br>40%']
    """
    rows = table[(table["category"] == category) & (table[district].astype(str) != "All")].copy()
    rows[district] = rows[district].astype(str)
    flagged = rows["estimate"].isna()
    if "suppressed" in rows:
        flagged |= rows["suppressed"].fillna(False).astype(bool)
    rows = rows.assign(hidden=flagged).set_index(district)
    shown = rows.loc[~rows["hidden"], "estimate"] * 100
    low, high = float(scale[0]), float(scale[1])
    span = high - low if high > low else 1.0
    features = [f for f in geojson.get("features", []) if f.get("geometry")]
    latitudes = [lat for f in features for _, lat in _points(f["geometry"])]
    squeeze = math.cos(math.radians(float(np.mean(latitudes)))) if latitudes else 1.0
    centres = feature_centres(geojson)
    # Every colour in one call: plotly builds its table of named scales on each call.
    fractions = [min(max((float(v) - low) / span, 0), 1) for v in shown]
    sampled = sample_colorscale(MAP_SCALE, fractions) if fractions else []
    colours = dict(zip(shown.index, sampled, strict=True))
    labels: list[tuple[float, float, float, str]] = []
    fig = Draft()
    # Largest first, so a district inside another (Cambridge) is drawn on top of it.
    for feature in sorted(features, key=lambda f: -_polygon_area(f["geometry"])):
        name = str(feature["properties"]["name"])
        shown_name = plain(name)
        xs, ys = _outline(feature["geometry"], squeeze)
        row = rows.loc[name] if name in rows.index else None
        if row is None or row["hidden"]:
            shown_as = "no answers" if row is None else SUPPRESSED_LABEL
            why = (
                "no answers"
                if row is None
                else f"{SUPPRESSED_LABEL} {hidden_words([row.get('reason', '')])}"
            )
            colour, hatch = NEUTRAL, "/"
            hover = f"<b>{shown_name}</b><br>{why}"
            label = f"<b>{shown_name}</b><br>{shown_as}"
        else:
            value = float(row["estimate"]) * 100
            colour = colours[name]
            hatch = ""
            sign = int(row["vs_rest"]) if "vs_rest" in row and pd.notna(row["vs_rest"]) else 0
            mark, word = _MARKS.get(sign, ("", ""))
            hover = (
                f"<b>{shown_name}</b><br>{plain(category)}: {value:.1f}%"
                f"<br>{level:.0%} interval {row['ci_low'] * 100:.1f}% to "
                f"{row['ci_high'] * 100:.1f}%<br>answered: {row['base']:,.0f}"
                + (f"<br>significantly {word} than the rest of the county" if mark else "")
            )
            label = f"<b>{shown_name}</b><br>{percent_label(value)}" + (
                f" {mark} {word}" if mark else ""
            )
        fig.add_scatter(
            x=xs,
            y=ys,
            name=shown_name,
            mode="lines",
            fill="toself",
            fillcolor=colour,
            fillpattern={"shape": hatch, "fgcolor": "#777777"} if hatch else None,
            line={"color": "#FFFFFF", "width": 1.5},
            hoveron="fills",
            text=hover,
            hoverinfo="text",
            showlegend=False,
        )
        if name in centres:
            lon, lat = centres[name]
            area = _polygon_area(feature["geometry"])
            labels.append((area, lon * squeeze, lat, label))
    _place_labels(fig, labels, size=11 if narrow else 12)
    marked = "vs_rest" in rows and bool((rows.loc[~rows["hidden"], "vs_rest"] != 0).any())
    # An invisible trace carries the colour bar.
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        marker={
            "color": [low, high],
            "colorscale": MAP_SCALE,
            "cmin": low,
            "cmax": high,
            "showscale": bool(len(shown)),
            "colorbar": {
                "title": {"text": f"% {plain(category)}", "side": "top"},
                "ticksuffix": "%",
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 0,
                "yanchor": "top",
                "len": 1,
                "thickness": 14,
                "dtick": 20 if span >= 40 else None,
                "outlinecolor": MUTED_TEXT,
            },
        },
    )
    fig.update_layout(
        **{**LAYOUT, "margin": {"l": 10, "r": 10, "t": 50, "b": 90}},
        height=720 if narrow else 640,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
    )
    if marked:
        fig.add_annotation(
            text="▲ ▼ significantly higher or lower than the rest of the county",
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font=font(12, TEXT),
            name="key",
        )
    hidden = int(rows["hidden"].sum())
    return finish(
        fig,
        title=title or f"{plain(category)} by district",
        description=(
            f"Map of {len(features)} districts shaded by % {category} on a fixed "
            f"{low:.0f}-{high:.0f}% scale, each labelled with its figure"
            + ("; triangles mark districts significantly higher or lower than the rest" * marked)
            + (f"; {hidden} hidden as [c], grey and hatched" if hidden else "")
            + ". A table with the map gives every figure and interval."
        ),
    )


def feature_centres(geojson: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Label points of GeoJSON features: the centroid of each one's largest ring.

    Parameters
    ----------
    geojson : mapping
        A FeatureCollection of Polygon or MultiPolygon features with
        ``properties.name``.

    Returns
    -------
    dict of str to (lon, lat)

    Examples
    --------
    >>> square = [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]
    >>> feature_centres({"features": [{"properties": {"name": "A"},
    ...     "geometry": {"type": "Polygon", "coordinates": square}}]})
    {'A': (1.0, 1.0)}
    """
    centres: dict[str, tuple[float, float]] = {}
    for feature in geojson.get("features", []):
        polygons = _polygons(feature.get("geometry") or {})
        rings = [np.asarray(polygon[0], dtype=float)[:, :2] for polygon in polygons if polygon]
        if not rings:
            continue
        areas = [abs(_ring_area(ring)) for ring in rings]
        ring = rings[int(np.argmax(areas))]
        centres[str(feature["properties"]["name"])] = _ring_centroid(ring)
    return centres


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _ring_centroid(ring: np.ndarray) -> tuple[float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return float(cx), float(cy)


def _polygons(geometry: Mapping[str, Any]) -> list[Any]:
    coordinates = geometry.get("coordinates", [])
    return [coordinates] if geometry.get("type") == "Polygon" else list(coordinates)


def _points(geometry: Mapping[str, Any]) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for p in _polygons(geometry) for ring in p for x, y, *_ in ring]


def _outline(geometry: Mapping[str, Any], squeeze: float) -> tuple[np.ndarray, np.ndarray]:
    """Outer rings of a (multi)polygon as one path with gaps (NaN) between rings, each
    simplified to :data:`OUTLINE_TOLERANCE`, as 32-bit floats."""
    gap = np.full((1, 2), np.nan)
    pieces: list[np.ndarray] = []
    for polygon in _polygons(geometry):
        if polygon:
            ring = np.asarray(polygon[0], dtype=float)[:, :2] * (squeeze, 1.0)
            pieces += [simplify_ring(ring, OUTLINE_TOLERANCE), gap]
    path = np.vstack(pieces) if pieces else np.empty((0, 2))
    path = path.astype(np.float32)
    return path[:, 0], path[:, 1]


def simplify_ring(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """The points of a path (Douglas-Peucker) that keep it within ``tolerance`` of every
    point left out (measured to the nearest point of its segment, not of the segment's
    line, so a spike along the line stays); the first and last points always stay.

    Parameters
    ----------
    ring : ndarray of shape (n, 2)
        The path's points (a closed ring repeats its first point last).
    tolerance : float
        The largest distance from the simplified path of any point dropped, in the
        points' units.

    Returns
    -------
    ndarray
        The points kept, in order.

    Examples
    --------
    >>> simplify_ring(np.array([[0, 0], [1, 0.01], [2, 0], [2, 2], [0, 0]]), 0.1).tolist()
    [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 0.0]]
    """
    points = np.asarray(ring, dtype=float)
    if len(points) < 3:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, -1]] = True
    every = np.arange(len(points))
    while True:  # each span between kept points splits at its furthest point, all at once
        kept = np.flatnonzero(keep)
        span = np.minimum(np.searchsorted(kept, every, side="right") - 1, len(kept) - 2)
        start, end = points[kept[span]], points[kept[span + 1]]
        along, offset = end - start, points - start
        squared = np.maximum((along**2).sum(axis=1), np.finfo(float).tiny)
        share = np.clip((offset * along).sum(axis=1) / squared, 0.0, 1.0)  # of the segment
        distances = np.hypot(*(offset - share[:, None] * along).T)
        distances[kept] = 0.0
        furthest = np.maximum.reduceat(distances, kept[:-1])
        split = (distances > tolerance) & (distances == furthest[span])
        if not split.any():
            return points[keep]
        _, first = np.unique(span[split], return_index=True)
        keep[np.flatnonzero(split)[first]] = True


def _polygon_area(geometry: Mapping[str, Any]) -> float:
    return sum(
        abs(_ring_area(np.asarray(p[0], dtype=float)[:, :2])) for p in _polygons(geometry) if p
    )


def _place_labels(fig: Draft, labels: list[tuple[float, float, float, str]], *, size: int) -> None:
    """Label districts at their centres, largest first.

    A label that would sit on another one (a small district inside a large
    one, such as Cambridge in South Cambridgeshire) moves, with a pointer, to
    whichever of eight nearby spots lies furthest from every other label
    (labels are wide, so vertical gaps count more than horizontal ones).
    """
    if not labels:
        return
    xs = [x for _, x, _, _ in labels]
    ys = [y for _, _, y, _ in labels]
    near = 0.12 * max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    placed: list[tuple[float, float]] = []
    for _, x, y, text in sorted(labels, key=lambda item: -item[0]):
        spot = (x, y)
        crowded = any(_label_gap(x - px, y - py) < near for px, py in placed)
        if crowded:
            others = placed + [(ox, oy) for _, ox, oy, _ in labels if (ox, oy) != (x, y)]
            spots = [
                (x + 1.6 * near * math.cos(a), y + 1.6 * near * math.sin(a))
                for a in np.linspace(0, 2 * math.pi, 8, endpoint=False)
            ]
            spot = max(spots, key=lambda s: min(_label_gap(s[0] - a, s[1] - b) for a, b in others))
        fig.add_annotation(
            x=x,
            y=y,
            ax=spot[0],
            ay=spot[1],
            axref="x",
            ayref="y",
            text=text,
            showarrow=crowded,
            arrowcolor="#000000",
            bgcolor="rgba(255,255,255,0.85)",
            font=font(size, TEXT),
        )
        placed.append(spot)


def _label_gap(dx: float, dy: float) -> float:
    return math.hypot(dx / 2.5, dy)
