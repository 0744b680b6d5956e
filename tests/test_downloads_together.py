"""Every table and chart the explorer lets a reader download, attacked together.

A reader can visit every page and view, and keep every file. This test does
that for one question at a raised minimum base: Explore by each breakdown
and pair, the Map, and the Safer page's tick-all-that-apply question by each
of its groupings. It keeps every crosstab CSV a page offers, writes them into
one folder as the CLI names its tables, and runs the audit over the folder
(``yl.audit``: the linear-programming attacker over all of them at once).
It also opens every chart's HTML download: its traces must be exactly the
traces the page draws, so a download adds nothing to the screen, and no
chart on these pages may carry a hidden group's estimate. The control
un-hides one hidden base in one kept CSV: the audit then fails.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from explorer_reading import downloads, figure_numbers, no_exception, recording_downloads, run

import listening as yl
from listening.explorer.sources import designs
from listening.publish.published import read_csv_folder
from listening.publish.table import ALL

MIN_BASE = 30
QUESTION = "safe_dark"
SAFER = "safer_options"
EXPLORE_VIEWS = (["District"], ["Gender"], ["Age band"], ["District", "Gender"])


def _charts(at) -> list[go.Figure]:
    return [pio.from_json(chart.proto.spec) for chart in at.get("plotly_chart")]


def _traces(data: object) -> str:
    """A figure's traces as plotly writes them (the same encoding whichever way they came)."""
    return go.Figure(data=data).to_json()


def _html_traces(page: bytes) -> str:
    """The traces of a chart's HTML download (the data argument of ``Plotly.newPlot``)."""
    text = page.decode("utf-8")
    start = re.search(r"Plotly\.newPlot\(\s*\"[^\"]*\",\s*", text)
    assert start, "no plotly figure in the chart's HTML download"
    data, _ = json.JSONDecoder().raw_decode(text, start.end())
    return _traces(data)


def _keep(at, makers, kept: dict, question: str, charts: list) -> None:
    """Keep the page's crosstab CSVs (by question and breakdown) and check its chart
    downloads against the charts drawn."""
    no_exception(at)
    files = downloads(at, makers, endings=("-csv", "-html"))
    drawn = {_traces(fig.data) for fig in _charts(at)}
    charts.extend(_charts(at))
    for key, data in files.items():
        if key.endswith("-html"):
            assert _html_traces(data) in drawn, f"the chart download {key!r} is not the chart"
            continue
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        if "category" not in frame.columns or "base" not in frame.columns:
            continue  # a table as displayed, not a crosstab's own export
        by = tuple(frame.columns[: list(frame.columns).index("category")])
        kept[(question, by)] = data


def _write(folder, kept: dict, change=None) -> None:
    """The kept CSVs as the CLI names them; ``change(question, by, frame)`` may edit one."""
    for k, ((question, by), raw) in enumerate(sorted(kept.items())):
        path = folder / f"table_{k}_{question}_by_{'_'.join(by)}.csv"
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        if change is not None and change(question, by, frame):
            frame.to_csv(path, index=False)
        else:
            path.write_bytes(raw)


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """Every crosstab CSV of the views (written as the CLI names them) and every chart."""
    patch = pytest.MonkeyPatch()
    makers = recording_downloads(patch)
    kept: dict[tuple, bytes] = {}
    charts: list[go.Figure] = []
    try:
        at = run("app_pages/explore.py", min_base=MIN_BASE)
        at.selectbox(key="explore_question").set_value(QUESTION).run()
        for view in EXPLORE_VIEWS:
            at.multiselect(key="explore_by").set_value(view).run()
            _keep(at, makers, kept, QUESTION, charts)
        at.switch_page("app_pages/map.py").run()
        at.selectbox(key="map_question").set_value(QUESTION).run()
        _keep(at, makers, kept, QUESTION, charts)
        at.switch_page("app_pages/safer.py").run()
        for grouping in at.radio(key="safer_by").options:
            at.radio(key="safer_by").set_value(grouping).run()
            _keep(at, makers, kept, SAFER, charts)
    finally:
        patch.undo()
    folder = tmp_path_factory.mktemp("downloads")
    _write(folder, kept)
    return {"folder": folder, "kept": kept, "charts": charts}


def test_every_view_was_downloaded(everything):
    bys = {by for question, by in everything["kept"] if question == QUESTION}
    assert {("district",), ("gender",), ("age_band",), ("district", "gender")} <= bys
    assert any(question == SAFER for question, _ in everything["kept"])
    tables = read_csv_folder(everything["folder"])
    hidden = sum(int(t.groups()["base"].isna().sum()) for t in tables)
    assert hidden, f"at minimum base {MIN_BASE} the sample's downloads hide groups"


def test_all_downloads_together_give_no_small_group_away(everything):
    result = yl.audit(everything["folder"], policy=MIN_BASE)
    assert result.ok, str(result)


def test_control_one_unhidden_base_is_caught(everything, tmp_path):
    """The audit reads these files: put back the true bases of the groups the district x
    gender download hides in one district to protect a smaller one (Fenland's boys,
    say), and the district's children neither girl nor boy follow from them (the
    district less its girls and boys), so the audit fails."""
    survey = yl.load_sample()
    answered = survey.data[survey.data[QUESTION].notna()].astype({"district": str, "gender": str})
    put_back = []

    def unhide(question: str, by: tuple, frame: pd.DataFrame) -> bool:
        if put_back or (question, by) != (QUESTION, ("district", "gender")):
            return False
        hidden = frame[(frame["base"] == "[c]") & (frame["district"] != ALL)]
        hidden = hidden[hidden["gender"] != ALL]
        assert len(hidden), "the sample's district x gender download hides groups"
        district = hidden["district"].iloc[0]
        for gender in hidden.loc[hidden["district"] == district, "gender"].unique():
            true = (answered["district"] == district) & (answered["gender"] == gender)
            group = (frame["district"] == district) & (frame["gender"] == gender)
            frame.loc[group, "base"] = str(int(true.sum()))
            put_back.append((district, gender, int(true.sum())))
        return True

    _write(tmp_path, everything["kept"], unhide)
    assert put_back
    assert yl.audit(everything["folder"], policy=MIN_BASE).ok
    assert not yl.audit(tmp_path, policy=MIN_BASE).ok, put_back


def test_no_chart_carries_a_hidden_estimate(everything):
    """Every hidden group of the views by a breakdown: its weighted estimates (what the
    pages draw by default; real numbers no other figure shares by chance, unlike an
    unweighted 2 of 3) are in no chart, as a share or a percentage."""
    survey = yl.load_sample()
    built = designs(survey, yl.load_margins())
    numbers = np.concatenate([figure_numbers(fig) for fig in everything["charts"]])
    assert numbers.size
    checked = 0
    for (question, by), raw in everything["kept"].items():
        if question != QUESTION:
            continue
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        hidden = frame.loc[frame["base"] == "[c]", list(by)].drop_duplicates()
        if hidden.empty:
            continue
        tab = yl.crosstab(built.raked, QUESTION, by=list(by), min_base=0, codebook=survey.codebook)
        secret = tab.table.astype({c: str for c in by}).merge(hidden, on=list(by))
        for value in secret["estimate"].dropna():
            if value in (0.0, 1.0):
                continue
            assert not np.isclose(numbers, value * 100, rtol=0, atol=1e-9).any(), (by, value)
            assert not np.isclose(numbers, value, rtol=0, atol=1e-12).any(), (by, value)
            checked += 1
    assert checked, "some hidden estimates were looked for"
