"""Charts show what the tables show, hide what the tables hide, and stay readable."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.paths import SAMPLE_DIR
from listening.publish import chart_style as charts_style
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


def test_a_group_hidden_to_protect_another_says_so_in_every_chart():
    """[c] says why: a secondary suppression is not "too few answers" (a group of 120)."""
    options = ["CCTV", "Lighting"]
    table = pd.concat(
        [
            _table({"All": [0.2, 0.6], "Cambridge": [0.3, 0.5]}, options),
            _table({"Fenland": [0.5, 0.5]}, options, hidden={"Fenland"}).assign(
                reason="secondary", base=120
            ),
            _table({"Tiny": [0.5, 0.5]}, options, hidden={"Tiny"}).assign(reason="threshold"),
        ]
    )
    for fig in (
        charts.ranked_options(table, by="district"),
        charts.interval_plot(table, by="district", category="CCTV"),
    ):
        said = {
            n.split(": ", 1)[0]: n.split(": ", 1)[1]
            for n in map(str, (t.name for t in fig.data))
            if ": [c]" in n
        }
        said |= {str(a.y): str(a.text) for a in fig.layout.annotations if "[c]" in str(a.text)}
        assert said == {
            "Fenland": "[c] hidden to protect a smaller group",
            "Tiny": "[c] too few answers",
        }, said


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


def test_weight_histogram_counts_every_weight():
    weights = pd.Series([0.5, 1.0, 1.0, 2.5, 4.0])
    fig = charts.weight_histogram(weights)
    assert fig.data[0].type == "bar" and sum(fig.data[0].y) == len(weights)
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


# One visual language: district colours, text contrast, intervals, scales, footnotes.

DISTRICTS = list(charts.DISTRICT_COLOURS)


def _theme_counts(table: pd.DataFrame) -> pd.DataFrame:
    counts = table.rename(columns={"category": "theme"})
    return counts.assign(percent=counts["estimate"] * 100, n=(counts["estimate"] * 120).round())


def _estimate_charts(table: pd.DataFrame, options: list[str]) -> list:
    return [
        charts.scale_bars(table, by="district", options=options),
        charts.interval_plot(table, by="district", category=options[0]),
        charts.ranked_options(table, by="district"),
    ]


def _all_charts(table: pd.DataFrame, options: list[str], districts: dict) -> list:
    return [
        *_estimate_charts(table, options),
        charts.theme_bars(_theme_counts(table), by="district"),
        charts.sample_vs_population(
            pd.DataFrame({"category": ["A", "B"], "sample": [0.4, 0.6], "population": [0.5, 0.5]})
        ),
        charts.weight_histogram(pd.Series([0.5, 1.0, 2.0])),
        maps.district_map(table, districts, category=options[0]),
    ]


def _point_colours(fig) -> dict[str, str]:
    """The colour each district is drawn in, from every trace that draws one."""
    seen: dict[str, set[str]] = {}
    for trace in fig.data:
        name = str(trace.name)
        colour = trace.marker.color
        if trace.type == "scatter" and trace.fill != "toself" and not isinstance(colour, str):
            for group, one in zip(trace.y, colour, strict=True):  # one point per group
                seen.setdefault(str(group), set()).add(one)
        elif name in charts.DISTRICT_COLOURS or name == "All":
            seen.setdefault(name, set()).add(colour)
    assert all(len(c) == 1 for c in seen.values()), seen
    return {group: next(iter(c)) for group, c in seen.items()}


@settings(max_examples=25, deadline=None)
@given(
    st.permutations(DISTRICTS).flatmap(
        lambda order: st.tuples(
            st.integers(2, len(order)).map(lambda k: order[:k]),
            st.sets(st.sampled_from(order), max_size=2),
        )
    )
)
def test_a_district_has_the_same_colour_in_every_chart(chosen):
    shown, hidden = chosen
    options = ["Yes", "No"]
    table = _table({"All": [0.5, 0.5], **{d: [0.4, 0.6] for d in shown}}, options, hidden)
    colours = {}
    for fig in (
        charts.interval_plot(table, by="district", category="Yes"),
        charts.ranked_options(table, by="district"),
        charts.theme_bars(_theme_counts(table), by="district"),
    ):
        for group, colour in _point_colours(fig).items():
            expected = "#000000" if group == "All" else charts.DISTRICT_COLOURS[group]
            assert colour == expected, (fig.layout.title.text, group)
            colours.setdefault(group, set()).add(colour)
    assert set(colours) >= set(shown) - set(hidden)


def test_other_groups_keep_their_colours_and_never_take_a_district_colour_in_use():
    colours = charts_style.group_colours(["All", "Fenland", "Girl", "Boy"])
    assert colours["Fenland"] == charts.DISTRICT_COLOURS["Fenland"]
    assert len(set(colours.values())) == 4
    assert charts_style.group_colours(["Girl", "Boy"]) == charts_style.group_colours(
        ["Girl", "Boy"]
    )


def _fonts(spec: object, path: str = "") -> list[tuple[str, dict]]:
    """Every font dict of a figure's layout and traces, with where it is."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            where = f"{path}.{key}"
            if key.endswith("font") and isinstance(value, dict):
                found.append((where, value))
            found += _fonts(value, where)
    elif isinstance(spec, list | tuple):
        for index, value in enumerate(spec):
            found += _fonts(value, f"{path}[{index}]")
    return found


def test_every_text_colour_is_set_and_reads_at_4_5_to_1(districts):
    table = _district_table(districts, hidden={"Fenland"})
    for fig in _all_charts(table, ["Feel safe"], districts):
        spec = fig.to_dict()
        layout = {k: v for k, v in spec["layout"].items() if k != "template"}
        # A host's theme sets tick and title colours in its template: the figure sets its own.
        for axis in (k for k in layout if k.startswith(("xaxis", "yaxis"))):
            if layout[axis].get("visible") is False:
                continue
            assert layout[axis]["tickfont"]["color"] is not None, axis
            assert layout[axis]["title"]["font"]["color"] is not None, axis
        assert layout["title"]["font"]["color"] and layout["legend"]["font"]["color"]
        assert layout["font"]["family"] == charts_style.FONT_FAMILY
        fonts = _fonts(layout) + _fonts(spec["data"], "data")
        assert fonts
        for where, font in fonts:
            colour = font.get("color")
            if colour is None or not isinstance(colour, str):
                continue
            if where.endswith("insidetextfont"):
                index = int(where.split("[")[1].split("]")[0])
                background = spec["data"][index]["marker"]["color"]
            else:
                background = layout.get("paper_bgcolor", "#FFFFFF")
            ratio = charts_style.contrast_ratio(colour, background)
            assert ratio >= 4.5, (fig.layout.title.text, where, colour, round(ratio, 2))
        for annotation in layout.get("annotations", []):
            colour = annotation["font"]["color"]
            background = annotation.get("bgcolor", "#FFFFFF")
            if background.startswith("rgba"):  # a label box over the map: white at 85%
                background = "#FFFFFF"
            assert charts_style.contrast_ratio(colour, background) >= 4.5, annotation["text"]


def test_the_old_grey_ticks_fail_the_contrast_check():
    assert charts_style.contrast_ratio("#808495", "#FFFFFF") < 4.5  # Streamlit's tick grey


def test_every_chart_of_estimates_draws_each_interval_beside_an_open_marker():
    table = _table({"All": [0.2, 0.4, 0.3, 0.1], "Fenland": [0.1, 0.3, 0.4, 0.2]}, SAFETY)
    table["ci_low"] = table["estimate"] - 0.03
    table["ci_high"] = table["estimate"] + 0.07
    for fig in _estimate_charts(table, SAFETY):
        drawn = [t for t in fig.data if t.x is not None and any(v is not None for v in t.x)]
        assert drawn
        for trace in drawn:
            error = trace.error_x
            assert error.visible is not False and error.type == "data"
            share = 0.5 if trace.name == "Neither" else 1.0
            width = np.add(error.array, error.arrayminus)
            assert width == pytest.approx(np.full(len(width), 10 * share)), trace.name
            if trace.type == "scatter":  # the interval shows through the marker
                symbols = np.ravel([trace.marker.symbol])
                assert all(str(s).endswith("-open") for s in symbols), symbols


@given(st.lists(st.floats(0, 1), min_size=1, max_size=8))
def test_percent_axes_end_on_a_labelled_tick_beyond_every_interval(highs):
    axis = charts.percent_axis(pd.Series(highs))
    low, end = axis["range"]
    assert low == 0 and end <= 100
    assert end >= max(highs) * 100 - 1e-9
    assert end % axis["dtick"] == 0  # the axis stops on a tick, never short of the data


def test_every_chart_has_a_title_and_a_description(districts):
    table = _district_table(districts, hidden={"Fenland"})
    for fig in _all_charts(table, ["Feel safe"], districts):
        assert fig.layout.title.text
        words = charts.description(fig)
        assert len(words) > 40 and "table" in words
        assert charts_style.html.unescape(fig.layout.title.text.replace("<br>", " ")) in words


def test_the_map_scale_is_fixed_and_marks_significant_districts(districts):
    narrow = _district_table(districts)
    narrow["estimate"] = 0.5 + (narrow["estimate"] - 0.5) / 10  # 48-53%: small differences
    wide = _district_table(districts)
    a = maps.district_map(narrow, districts, category="Feel safe")
    b = maps.district_map(wide, districts, category="Feel safe")
    for fig in (a, b):
        bar = next(t for t in fig.data if t.marker.showscale)
        assert (bar.marker.cmin, bar.marker.cmax) == maps.MAP_RANGE == (0.0, 100.0)
        assert bar.marker.colorbar.orientation == "h"
    for fig, table in ((a, narrow), (b, wide)):  # a value's colour never depends on the others
        value = table.set_index("district")["estimate"]
        for trace in (t for t in fig.data if t.fill == "toself"):
            expected = maps.sample_colorscale(charts.MAP_SCALE, [value[trace.name]])[0]
            assert trace.fillcolor == expected, trace.name
    marked = _district_table(districts)
    marked.loc[marked["district"] == "Fenland", "vs_rest"] = -1
    fig = maps.district_map(marked, districts, category="Feel safe")
    label = next(a.text for a in fig.layout.annotations if a.text.startswith("<b>Fenland"))
    assert "▼ lower" in label
    assert any(a.name == "key" for a in fig.layout.annotations)
    assert not any(a.name == "key" for a in b.layout.annotations)  # nothing to mark


def test_no_map_colour_looks_like_the_suppressed_grey():
    def chroma(colour: str) -> float:
        rgb = [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")]
        return max(rgb) - min(rgb)

    samples = maps.sample_colorscale(charts.MAP_SCALE, list(np.linspace(0, 1, 41)))
    assert min(chroma(c) for c in samples) > 60  # every colour clearly a hue, none grey
    grey = int(charts.NEUTRAL[1:3], 16)
    assert chroma(f"rgb({grey}, {grey}, {grey})") == 0


def test_exported_html_carries_title_source_date_and_minimum_base():
    table = _table({"All": [0.2, 0.4, 0.3, 0.1]}, SAFETY)
    fig = charts.scale_bars(table, by="district", options=SAFETY, title="Safe after dark")
    day = dt.date(2026, 3, 1)
    out = charts.with_footnote(fig, source="Youth survey 2026", min_base=25, date=day)
    html = out.to_html(include_plotlyjs=False, full_html=True)
    for text in ("Safe after dark", "Source: Youth survey 2026", "1 March 2026", "fewer than 25"):
        assert text in html, text
    assert len(fig.layout.annotations) == len(out.layout.annotations) - 1  # fig unchanged
    assert out.layout.height > fig.layout.height
    assert out.layout.font.family == charts_style.FONT_FAMILY


@pytest.mark.browser
def test_exported_png_draws_the_footnote():
    pytest.importorskip("kaleido")
    import io
    import os
    from pathlib import Path

    from PIL import Image

    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("Chromium is not installed")
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    table = _table({"All": [0.2, 0.4, 0.3, 0.1]}, SAFETY)
    fig = charts.scale_bars(table, by="district", options=SAFETY, title="Safe after dark")
    out = charts.with_footnote(fig, source="Youth survey 2026", min_base=25)
    height = int(out.layout.height)
    image = Image.open(io.BytesIO(out.to_image(format="png", width=900, height=height)))
    band = np.asarray(image.convert("L"))[-charts_style.FOOTNOTE_SPACE :, :450]
    assert (band < 128).sum() > 200  # dark text in the footnote's band
    out.layout.annotations = ()  # the same export without its footnote: the band is blank
    bare = Image.open(io.BytesIO(out.to_image(format="png", width=900, height=height)))
    assert (np.asarray(bare.convert("L"))[-charts_style.FOOTNOTE_SPACE :, :450] < 128).sum() == 0


@given(st.lists(st.text("abcdefghij&<", min_size=1, max_size=12), min_size=1, max_size=12))
def test_long_titles_wrap_into_lines_a_phone_shows_whole(words):
    title = " ".join(words)
    lines = charts_style.wrap(title).split("<br>")
    assert " ".join(lines) == title  # every word kept, in order
    for line in lines:
        assert len(charts_style.html.unescape(line)) <= charts_style.TITLE_WIDTH or " " not in line
