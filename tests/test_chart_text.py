"""Labels from files are drawn literally in every chart: never as HTML, LaTeX or a template.

Plotly reads ``<a href>``, ``<b>``, ``<br>``, ``<span style>``... in every text
it draws, typesets ``$...$`` and substitutes ``%{...}`` in hover templates.
These tests build each chart with hostile labels and read ``fig.to_dict()`` as
plotly would draw it: only the charts' own ``<b>``, ``<br>`` and
``<extra></extra>`` are markup, and every label is shown exactly as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.explorer.escape import escape_chart_text
from listening.publish import charts, maps
from listening.publish.plotly_text import plain, plain_in_template

# Each hostile label with a word found nowhere else: wherever that word is drawn,
# the whole label must be drawn around it.
HOSTILE = {
    '<a href="http://127.0.0.1:9/x">clickme</a>': "clickme",
    "<b>bold</b>": "bold",
    "<img src=x>": "img",
    "Tom &amp; Jerry": "Jerry",
    "before<br>after": "after",
    '<span style="color:crimson">warning</span>': "warning",
    "$x^2$ squared": "squared",
    "50%{meta} percent": "percent",
}
LABELS = list(HOSTILE)
OWN_MARKUP = re.compile(r"<br>|</?b>|<extra></extra>")
TEMPLATE_FIELD = re.compile(r"%{([^\s%{}:]*)([:|\|][^}]*)?}")  # plotly's own pattern
OWN_FIELDS = re.compile(r"(x|y|text|customdata\[\d+\])")
# plotly.js convertEntities: these names, and numeric references.
ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")
NAMED = {"mu": "\u03bc", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0"}
NAMED |= {"times": "\u00d7", "plusmn": "\u00b1", "deg": "\u00b0"}


def _decode(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("#x"):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    return NAMED.get(ref, match.group(0))


def _drawn(text: str) -> str:
    """What plotly shows for ``text``: the charts' own markup applied, references decoded."""
    shown = OWN_MARKUP.sub(lambda tag: "\n" if tag.group(0) == "<br>" else "", text)
    return ENTITY.sub(_decode, shown)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple | np.ndarray):
        return [s for item in value for s in _strings(item)]
    return []


def _texts(fig) -> list[str]:
    """Every string of a figure's traces and layout that plotly draws.

    Left out: the theme template and ``meta``, the plain-text description for
    screen readers, which plotly draws only where a text asks for ``%{meta}``
    (and :func:`plain` keeps any label from asking).
    """
    spec = fig.to_dict()
    layout = {k: v for k, v in spec["layout"].items() if k not in ("template", "meta")}
    return _strings(spec["data"]) + _strings(layout)


def _check_plain(fig, labels: list[str]) -> None:
    texts = _texts(fig)
    for text in texts:
        assert "<" not in OWN_MARKUP.sub("", text), text  # no tag but the charts' own
        assert "$" not in text, text  # nothing for MathJax to typeset
    for trace in fig.to_dict()["data"]:
        for field, _ in TEMPLATE_FIELD.findall(trace.get("hovertemplate", "")):
            assert OWN_FIELDS.fullmatch(field), (field, trace["hovertemplate"])
    drawn = [_drawn(text) for text in texts]
    for label in labels:
        core = HOSTILE[label]
        assert sum(d.count(label) for d in drawn) > 0, label  # shown...
        for d in drawn:  # ...and only ever whole, as written
            assert d.count(core) == d.count(label), (label, d)


def _table(groups: list[str], options: list[str], hidden=()) -> pd.DataFrame:
    rows = []
    for g, group in enumerate(groups):
        for o, option in enumerate(options):
            share = 0.1 + 0.8 * ((g + o) % 5) / 5
            rows.append(
                {
                    "district": group,
                    "category": option,
                    "estimate": np.nan if group in hidden else share,
                    "ci_low": share - 0.05,
                    "ci_high": share + 0.05,
                    "base": 4 if group in hidden else 120,
                    "suppressed": group in hidden,
                    "vs_rest": (g % 3) - 1,
                }
            )
    return pd.DataFrame(rows)


GROUPS = ["All", *LABELS]
HIDDEN = {LABELS[1]}  # a suppressed group is named in an annotation or the legend


def test_scale_bars_draw_answers_and_groups_as_written():
    fig = charts.scale_bars(_table(GROUPS, LABELS, HIDDEN), by="district", options=LABELS)
    _check_plain(fig, LABELS)
    assert {_drawn(t.name) for t in fig.data} == set(LABELS)
    assert any(_drawn(a.y) == LABELS[1] for a in fig.layout.annotations)


def test_scale_bars_of_an_odd_scale_draw_the_middle_as_written():
    options = LABELS[:5]
    fig = charts.scale_bars(_table(GROUPS, options), by="district", options=options)
    _check_plain(fig, LABELS)


@pytest.mark.parametrize("category", LABELS)
def test_interval_plot_draws_groups_and_the_answer_as_written(category):
    fig = charts.interval_plot(_table(GROUPS, [category], HIDDEN), by="district", category=category)
    _check_plain(fig, LABELS)
    assert _drawn(fig.data[0].name) == category
    assert [_drawn(y) for y in fig.data[0].y] == [g for g in GROUPS if g not in HIDDEN]


def test_interval_plot_of_two_breakdowns_draws_both_labels_as_written():
    table = _table(LABELS, ["Yes"]).rename(columns={"district": "sex"})
    table["age"] = LABELS[::-1]
    fig = charts.interval_plot(table, by=["sex", "age"], category="Yes")
    _check_plain(fig, LABELS)
    assert _drawn(fig.data[0].y[0]) == f"{LABELS[0]} · {LABELS[-1]}"


def test_ranked_options_draw_options_and_groups_as_written():
    fig = charts.ranked_options(_table(GROUPS, LABELS, HIDDEN), by="district")
    _check_plain(fig, LABELS)
    assert {_drawn(y) for y in fig.data[0].y} == set(LABELS)
    assert f"{LABELS[1]}: [c] too few answers" in {_drawn(t.name) for t in fig.data}


def test_theme_bars_draw_themes_and_groups_as_written():
    counts = _table(GROUPS, LABELS, HIDDEN).rename(columns={"category": "theme"})
    counts = counts.assign(
        percent=counts["estimate"] * 100, n=(counts["estimate"] * 120).fillna(0).round()
    )
    fig = charts.theme_bars(counts, by="district")
    _check_plain(fig, LABELS)
    assert {_drawn(y) for y in fig.data[0].y} == set(LABELS)


def test_sample_vs_population_draws_categories_and_series_as_written():
    frame = pd.DataFrame({"category": LABELS, "sample": 0.1, "population": 0.2, LABELS[0]: 0.3})
    fig = charts.sample_vs_population(frame, series=("sample", "population", LABELS[0]))
    _check_plain(fig, LABELS)
    assert [_drawn(y) for y in fig.data[0].y] == LABELS
    assert _drawn(fig.data[-1].name) == LABELS[0]


def _square(name: str, left: float) -> dict:
    ring = [[left, 52], [left + 1, 52], [left + 1, 53], [left, 53], [left, 52]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.mark.parametrize("category", LABELS[:3])
def test_district_map_draws_districts_and_the_answer_as_written(category):
    geo = {
        "type": "FeatureCollection",
        "features": [_square(name, 2 * i) for i, name in enumerate(LABELS)],
    }
    fig = maps.district_map(_table(GROUPS, [category], HIDDEN), geo, category=category)
    _check_plain(fig, LABELS)
    districts = {_drawn(t.name) for t in fig.data if t.fill == "toself"}
    assert districts == set(LABELS)
    labels = [_drawn(a.text).split("\n") for a in fig.layout.annotations if a.name != "key"]
    assert {name for name, _ in labels} == set(LABELS)
    assert dict(labels)[LABELS[1]] == "[c]"  # hidden, and still named


def test_the_charts_own_markup_still_works():
    fig = charts.interval_plot(_table(["All", "Fenland"], ["Yes"]), by="district", category="Yes")
    assert fig.data[0].hovertemplate.startswith("<b>%{y}</b><br>Yes: %{x:.1f}%")
    square = _square("Fenland", 0)
    fig = maps.district_map(_table(["Fenland"], ["Yes"]), {"features": [square]}, category="Yes")
    assert re.fullmatch(
        r"<b>Fenland</b><br>\d+%( [▲▼] (higher|lower))?", fig.layout.annotations[0].text
    )


# Any text at all: built from plotly's markup, entities and templates, and arbitrary characters.
PIECES = st.sampled_from(["<", ">", "&", ";", "$", "%{y}", "<br>", "&lt;", "&#60;", "&amp;"])
LABEL = st.lists(st.one_of(PIECES, st.text(max_size=6)), min_size=1, max_size=4).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(LABEL.filter(lambda s: s != "All"), min_size=2, max_size=4, unique=True))
def test_any_label_is_drawn_exactly_as_written(labels):
    fig = charts.interval_plot(_table(["All", *labels], ["Yes"]), by="district", category="Yes")
    assert [_drawn(y) for y in fig.data[0].y] == ["All", *labels]
    fig = charts.ranked_options(_table(["All"], labels), by="district")
    assert {_drawn(y) for y in fig.data[0].y} == set(labels)
    for text in _texts(fig):
        assert "<" not in OWN_MARKUP.sub("", text) and "$" not in text, text


@given(LABEL)
def test_escaping_is_undone_by_plotly_and_only_by_plotly(text):
    assert _drawn(plain(text)) == text
    assert _drawn(plain_in_template(text)) == text
    assert not TEMPLATE_FIELD.search(plain_in_template(text))
    assert escape_chart_text(text) == plain(text)  # the explorer's titles: the same rule


@pytest.mark.browser
def test_chromium_draws_the_labels_as_text_and_follows_no_link(tmp_path):
    """plotly.js itself, in Debian's Chromium: no link element, no bold, the labels as written."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.skip("Chromium is not installed (make browser installs it)")
    fig = charts.scale_bars(_table(GROUPS, LABELS, HIDDEN), by="district", options=LABELS)
    page_file = tmp_path / "chart.html"
    page_file.write_text(fig.to_html(include_plotlyjs=True, full_html=True), encoding="utf-8")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            page.wait_for_selector(".ytick text")
            assert page.locator("svg a").count() == 0
            assert page.locator("svg tspan[style*='bold']").count() == 0
            assert set(page.locator(".ytick text").all_text_contents()) == set(GROUPS)
            assert set(page.locator(".legendtext").all_text_contents()) == set(LABELS)
            assert [url for url in requests if not url.startswith("file:")] == []
        finally:
            browser.close()
