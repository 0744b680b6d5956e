"""Charts show what the tables show, hide what the tables hide, and stay readable."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from listening.paths import SAMPLE_DIR
from listening.publish import charts, maps

SAFETY = ["Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe"]
AGREE = ["Strongly agree", "Agree", "Neither", "Disagree", "Strongly disagree"]
SECRET = 0.123456  # a value planted in suppressed rows: it must never reach a figure


def _table(groups: dict[str, list[float]], options: list[str], hidden=()) -> pd.DataFrame:
    rows = []
    for group, shares in groups.items():
        for option, share in zip(options, shares, strict=True):
            rows.append(
                {
                    "district": group,
                    "category": option,
                    "estimate": SECRET if group in hidden else share,
                    "se": 0.02,
                    "ci_low": max(0.0, share - 0.05),
                    "ci_high": min(1.0, share + 0.05),
                    "base": 4 if group in hidden else 120,
                    "suppressed": group in hidden,
                    "vs_rest": 0,
                }
            )
    return pd.DataFrame(rows)


def _numbers(fig) -> list[float]:
    """Every number a figure carries in its traces (x, y, z, customdata, text)."""
    found: list[float] = []
    for trace in fig.data:
        for name in ("x", "y", "z", "customdata", "text", "hovertext"):
            value = getattr(trace, name, None)
            if value is None or isinstance(value, str):
                continue
            for item in np.ravel(np.asarray(value, dtype=object)):
                try:
                    found.append(float(item))
                except (TypeError, ValueError):
                    continue
    return found


def _leaks(fig) -> bool:
    text = fig.to_json()
    return any(np.isclose(v, [SECRET, SECRET * 100]).any() for v in _numbers(fig)) or (
        "12.3" in text or "0.123456" in text
    )


def test_scale_bars_put_each_half_on_its_side_and_keep_the_shares():
    table = _table({"All": [0.2, 0.4, 0.3, 0.1], "Fenland": [0.1, 0.3, 0.4, 0.2]}, SAFETY)
    fig = charts.scale_bars(table, by="district", options=SAFETY)
    by_option = {trace.name: trace for trace in fig.data}
    assert set(by_option) == set(SAFETY)
    for option in SAFETY[:2]:
        assert all(x >= 0 for x in by_option[option].x)
    for option in SAFETY[2:]:
        assert all(x <= 0 for x in by_option[option].x)
    for group in ("All", "Fenland"):
        expected = table.loc[table["district"] == group, "estimate"].sum() * 100
        got = sum(abs(t.x[list(t.y).index(group)]) for t in fig.data)
        assert got == pytest.approx(expected)
    assert fig.layout.barmode == "relative"


def test_scale_bars_split_the_middle_of_an_odd_scale_across_zero():
    table = _table({"All": [0.1, 0.2, 0.4, 0.2, 0.1]}, AGREE)
    fig = charts.scale_bars(table, by="district", options=AGREE)
    middle = [t for t in fig.data if t.name == "Neither"]
    assert sorted(t.x[0] for t in middle) == pytest.approx([-20.0, 20.0])
    assert sum(t.showlegend is not False for t in middle) == 1
    # Trace order stacks the middle first, so it sits next to zero.
    assert [t.name for t in fig.data][:2] == ["Neither", "Neither"]


def test_scale_bars_hide_suppressed_groups_and_label_them():
    table = _table(
        {"All": [0.2, 0.4, 0.3, 0.1], "Fenland": [0.1, 0.3, 0.4, 0.2]}, SAFETY, hidden={"Fenland"}
    )
    fig = charts.scale_bars(table, by="district", options=SAFETY)
    assert all("Fenland" not in list(t.y) for t in fig.data)
    assert any(a.y == "Fenland" and "[c]" in a.text for a in fig.layout.annotations)
    assert not _leaks(fig)


def test_interval_plot_matches_estimates_and_intervals():
    table = _table({"All": [0.5], "Cambridge": [0.4], "Fenland": [0.7]}, ["Feel safe"])
    table.loc[table["district"] == "Fenland", "vs_rest"] = 1
    table.loc[table["district"] == "Cambridge", "vs_rest"] = -1
    fig = charts.interval_plot(table, by="district", category="Feel safe")
    trace = fig.data[0]
    assert list(trace.y) == ["All", "Cambridge", "Fenland"]
    assert list(trace.x) == pytest.approx(list(table["estimate"] * 100))
    low = np.asarray(trace.x) - np.asarray(trace.error_x.arrayminus)
    high = np.asarray(trace.x) + np.asarray(trace.error_x.array)
    assert low == pytest.approx(table["ci_low"].to_numpy() * 100)
    assert high == pytest.approx(table["ci_high"].to_numpy() * 100)
    # Significance is told by shape as well as colour.
    assert list(trace.marker.symbol) == ["diamond-open", "triangle-down-open", "triangle-up-open"]
    assert "significantly higher" in trace.text[2]


def test_interval_plot_labels_suppressed_groups_without_numbers():
    table = _table({"All": [0.5], "Cambridge": [0.4], "Fenland": [0.7]}, ["Yes"], {"Fenland"})
    fig = charts.interval_plot(table, by="district", category="Yes")
    assert list(fig.data[0].y) == ["All", "Cambridge"]
    assert "Fenland" in list(fig.layout.yaxis.categoryarray)
    assert any("[c]" in a.text for a in fig.layout.annotations)
    assert not _leaks(fig)


def test_interval_plot_combines_two_breakdowns_in_labels():
    table = pd.DataFrame(
        {
            "sex": ["All", "Female", "Female"],
            "age_band": ["All", "11-13", "14-15"],
            "category": "Yes",
            "estimate": [0.5, 0.4, 0.6],
            "ci_low": [0.4, 0.3, 0.5],
            "ci_high": [0.6, 0.5, 0.7],
            "base": [200, 60, 70],
        }
    )
    fig = charts.interval_plot(table, by=["sex", "age_band"], category="Yes")
    assert list(fig.data[0].y) == ["All", "Female · 11-13", "Female · 14-15"]


def test_ranked_options_sort_by_the_whole_population():
    options = ["CCTV", "Lighting", "Police"]
    table = pd.concat(
        [
            _table({"All": [0.2, 0.6, 0.4]}, options),
            _table({"Fenland": [0.7, 0.1, 0.3]}, options),
        ]
    )
    fig = charts.ranked_options(table, by="district")
    assert list(fig.data[0].y) == ["Lighting", "Police", "CCTV"]
    assert [t.name for t in fig.data] == ["All", "Fenland"]
    fenland = fig.data[1]
    assert list(fenland.x) == pytest.approx([10.0, 30.0, 70.0])


def test_ranked_options_leave_out_suppressed_groups():
    options = ["CCTV", "Lighting"]
    table = pd.concat(
        [
            _table({"All": [0.2, 0.6]}, options),
            _table({"Fenland": [0.5, 0.5]}, options, hidden={"Fenland"}),
        ]
    )
    fig = charts.ranked_options(table, by="district")
    assert [t.name for t in fig.data] == ["All", "Fenland: [c] too few answers"]
    assert not _leaks(fig)


@pytest.fixture(scope="module")
def districts() -> dict:
    return json.loads((SAMPLE_DIR / "districts.geojson").read_text(encoding="utf-8"))


def _district_table(districts: dict, hidden=()) -> pd.DataFrame:
    names = [f["properties"]["name"] for f in districts["features"]]
    shares = np.linspace(0.3, 0.8, len(names))
    return _table(
        {"All": [0.5], **{n: [s] for n, s in zip(names, shares, strict=True)}},
        ["Feel safe"],
        hidden,
    )


def test_district_map_draws_every_district_with_its_figure(districts):
    table = _district_table(districts)
    fig = maps.district_map(table, districts, category="Feel safe")
    shapes = {t.name: t for t in fig.data if t.fill == "toself"}
    assert set(shapes) == set(table["district"]) - {"All"}
    labels = {a.text.split("<br>")[0].strip("<b>/"): a.text for a in fig.layout.annotations}
    for _, row in table[table["district"] != "All"].iterrows():
        assert f"{row['estimate'] * 100:.0f}%" in labels[row["district"]]
        hover = shapes[row["district"]].text
        assert f"{row['ci_low'] * 100:.1f}%" in hover
        assert f"{row['ci_high'] * 100:.1f}%" in hover
        assert f"answered: {row['base']:,}" in hover
    # Colours rise with the estimate on the fixed 0-100% scale.
    for _, row in table[table["district"] != "All"].iterrows():
        expected = maps.sample_colorscale(charts.MAP_SCALE, [row["estimate"]])[0]
        assert shapes[row["district"]].fillcolor == expected


def test_district_map_greys_and_labels_suppressed_districts(districts):
    hidden = districts["features"][0]["properties"]["name"]
    table = _district_table(districts, hidden={hidden})
    fig = maps.district_map(table, districts, category="Feel safe")
    shape = next(t for t in fig.data if t.name == hidden)
    assert shape.fillcolor == charts.NEUTRAL
    assert "[c]" in shape.text
    assert any(a.text == f"<b>{hidden}</b><br>[c]" for a in fig.layout.annotations)
    assert not _leaks(fig)


def test_feature_centres_fall_inside_each_district_bounds(districts):
    centres = maps.feature_centres(districts)
    for feature in districts["features"]:
        points = np.asarray(
            [xy[:2] for polygon in feature["geometry"]["coordinates"] for xy in polygon[0]]
            if feature["geometry"]["type"] == "MultiPolygon"
            else [xy[:2] for xy in feature["geometry"]["coordinates"][0]]
        )
        lon, lat = centres[feature["properties"]["name"]]
        assert points[:, 0].min() < lon < points[:, 0].max()
        assert points[:, 1].min() < lat < points[:, 1].max()


def test_sample_vs_population_bars_are_the_shares():
    frame = pd.DataFrame(
        {
            "category": ["Female", "Male", "Not known"],
            "sample": [0.55, 0.42, 0.03],
            "weighted": [0.49, 0.48, 0.03],
            "population": [0.49, 0.51, 0.0],
        }
    )
    fig = charts.sample_vs_population(frame)
    assert [t.name for t in fig.data] == ["Sample", "Weighted sample", "Population"]
    for trace, column in zip(fig.data, ["sample", "weighted", "population"], strict=True):
        assert list(trace.x) == pytest.approx(list(frame[column] * 100))
        assert list(trace.y) == list(frame["category"])


def test_weight_histogram_carries_every_weight():
    weights = pd.Series([0.5, 1.0, 1.0, 2.5, 4.0])
    fig = charts.weight_histogram(weights)
    assert list(fig.data[0].x) == list(weights)
    assert any("median 1" in a.text for a in fig.layout.annotations)


def _srgb_to_linear(colour: str) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


# Viénot, Brettel & Mollon (1999) simulation of dichromats in linear RGB.
_PROTAN = np.array([[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]])
_DEUTAN = np.array([[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]])


@pytest.mark.parametrize("simulation", [_PROTAN, _DEUTAN], ids=["protanopia", "deuteranopia"])
def test_scale_colours_stay_apart_for_colour_blind_readers(simulation):
    colours = [*charts.FAVOURABLE, charts.NEUTRAL, *charts.UNFAVOURABLE]
    seen = [simulation @ _srgb_to_linear(c) for c in colours]
    for i in range(len(seen)):
        for j in range(i + 1, len(seen)):
            assert np.abs(seen[i] - seen[j]).max() > 0.05, (colours[i], colours[j])


def test_figures_export_to_standalone_html():
    table = _table({"All": [0.2, 0.4, 0.3, 0.1]}, SAFETY)
    html = charts.scale_bars(table, by="district", options=SAFETY).to_html(
        include_plotlyjs=True, full_html=True
    )
    assert "<html>" in html and "Very safe" in html
    assert '<script src="http' not in html  # plotly.js is inlined: works offline


def test_district_labels_do_not_sit_on_each_other(districts):
    fig = maps.district_map(_district_table(districts), districts, category="Feel safe")
    spots = [(a.ax, a.ay) if a.showarrow else (a.x, a.y) for a in fig.layout.annotations]
    xs, ys = zip(*spots, strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    for i in range(len(spots)):
        for j in range(i + 1, len(spots)):
            gap = np.hypot((spots[i][0] - spots[j][0]) / 2.5, spots[i][1] - spots[j][1])
            assert gap > 0.1 * span, (
                fig.layout.annotations[i].text,
                fig.layout.annotations[j].text,
            )
    # Cambridge lies inside South Cambridgeshire: its label points in from outside.
    cambridge = next(
        a
        for a in fig.layout.annotations
        if "Cambridge</b>" in a.text and "South" not in a.text and "East" not in a.text
    )
    assert cambridge.showarrow


def test_districts_inside_others_are_drawn_on_top(districts):
    fig = maps.district_map(_district_table(districts), districts, category="Feel safe")
    order = [t.name for t in fig.data if t.fill == "toself"]
    assert order.index("Cambridge") > order.index("South Cambridgeshire")


def test_theme_bars_show_percentages_and_hide_suppressed_groups():
    from listening.publish.freetext import theme_counts

    data = pd.DataFrame(
        {
            "text": ["more lights", "police please", "lights and police", "no idea"] * 6
            + ["lights"] * 3,
            "district": ["Cambridge"] * 12 + ["Fenland"] * 12 + ["Tiny"] * 3,
        }
    )
    frame = {"Lights": ("light",), "Police": ("police",)}
    counts = theme_counts(data, "text", frame, by="district", min_base=5)
    fig = charts.theme_bars(counts, by="district")
    names = [t.name for t in fig.data]
    assert "Tiny: [c] too few answers" in names
    shown = counts[~counts["suppressed"]]
    for trace in fig.data[: len(shown["district"].unique())]:
        part = counts[counts["district"] == trace.name].set_index("theme")
        expected = part["percent"].where(~part["suppressed"]).reindex(list(trace.y))
        assert list(trace.x) == pytest.approx(list(expected), nan_ok=True)
    whole = counts.groupby("district")["suppressed"].all()  # groups hidden whole
    assert set(whole[whole].index) >= {"Tiny"}
    for trace in fig.data:
        assert trace.name not in set(whole[whole].index)
