"""The district map draws simplified boundaries that stay within a fraction of a pixel."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.paths import SAMPLE_DIR
from listening.publish import maps


def _boundaries() -> dict:
    return json.loads((SAMPLE_DIR / "districts.geojson").read_text(encoding="utf-8"))


def _gap(point: np.ndarray, path: np.ndarray) -> float:
    """Distance from ``point`` to the nearest segment of ``path``."""
    start, end = path[:-1], path[1:]
    along = end - start
    lengths = np.maximum((along**2).sum(axis=1), 1e-18)
    t = np.clip(((point - start) * along).sum(axis=1) / lengths, 0, 1)
    nearest = start + t[:, None] * along
    return float(np.hypot(*(point - nearest).T).min())


def _rings(xs: np.ndarray, ys: np.ndarray) -> list[np.ndarray]:
    """The rings of a drawn outline: runs of points between gaps (NaN)."""
    path = np.column_stack([xs, ys]).astype(float)
    ends = np.flatnonzero(np.isnan(path[:, 0]))
    starts = np.concatenate([[0], ends[:-1] + 1])
    return [path[a:b] for a, b in zip(starts, ends, strict=True)]


def test_the_map_keeps_every_boundary_point_within_the_tolerance():
    geo = _boundaries()
    names = [f["properties"]["name"] for f in geo["features"]]
    table = pd.DataFrame(
        {
            "district": names,
            "category": "Yes",
            "estimate": 0.5,
            "ci_low": 0.4,
            "ci_high": 0.6,
            "base": 80,
            "suppressed": False,
        }
    )
    fig = maps.district_map(table, geo, category="Yes")
    polygons = [p for f in geo["features"] for p in f["geometry"]["coordinates"]]
    latitudes = [y for p in polygons for ring in p for _, y in ring]  # as the map scales
    squeeze = math.cos(math.radians(float(np.mean(latitudes))))
    drawn = {t.name: _rings(t.x, t.y) for t in fig.data if t.name in names}
    original = drawn_points = 0
    for feature in geo["features"]:
        outer = [
            np.asarray(p[0], dtype=float) * (squeeze, 1.0)
            for p in feature["geometry"]["coordinates"]
        ]
        rings = drawn[feature["properties"]["name"]]
        assert len(rings) == len(outer)
        for ring, path in zip(outer, rings, strict=True):
            worst = max(_gap(point, path) for point in ring)
            assert worst <= maps.OUTLINE_TOLERANCE + 1e-5  # sent as 32-bit floats
            original += len(ring)
            drawn_points += len(path)
    assert drawn_points < 0.7 * original  # the point of simplifying: fewer points to send


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
        min_size=1,
        max_size=60,
    ),
    st.floats(0.001, 1.0),
)
def test_simplify_ring_keeps_the_ends_and_strays_no_further_than_asked(points, tolerance):
    path = np.array(points, dtype=float)
    kept = maps.simplify_ring(path, tolerance)
    assert kept[0].tolist() == path[0].tolist() and kept[-1].tolist() == path[-1].tolist()
    assert len(kept) <= len(path)
    if len(path) >= 2:
        assert max(_gap(p, kept) for p in path) <= tolerance + 1e-9
    rows = {tuple(p) for p in path.tolist()}
    assert all(tuple(p) in rows for p in kept.tolist())  # only points of the path
