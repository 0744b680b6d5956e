"""Who took part is one protected publication: what the page shows and downloads leaks nothing.

The page shows respondents by district, age band and sex, and the raking fit
shows them in each weighting cell (district x age band, district x sex). The
test reads all of it through AppTest, on screen and in the CSV and Excel
downloads, at a raised minimum base (the sidebar's), and hands it to the
linear-programming attacker (``yl.audit``). The control: the old per-table
thresholding (:func:`listening.publish.suppression.suppress`, each table on
its own) gives a small class away (a district's total less its shown cells).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from explorer_reading import (
    csv_table,
    downloads,
    excel_table,
    figure,
    recording_downloads,
    run,
)

import listening as yl
from listening.explorer.sources import designs
from listening.explorer.views import composition
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable
from listening.publish.suppression import suppress
from listening.publish.table import ALL

PAGE = "app_pages/who_took_part.py"
MIN_BASE = 20
VARIABLES = {"District": "district", "Age band": "age_band", "Sex": "sex"}
MARGINS = {"district x age_band": ("district", "age_band"), "district x sex": ("district", "sex")}


@pytest.fixture(scope="module")
def sample():
    survey = yl.load_sample()
    built = designs(survey, yl.load_margins())
    return {"data": survey.data, "raked": built.raked, "margins": built.margins}


def _number(text: str) -> float:
    return np.nan if text == "[c]" else float(str(text).replace(",", ""))


def _small_cells(data: pd.DataFrame, min_base: int) -> dict[tuple, int]:
    """Weighting cells with 1 to ``min_base - 1`` respondents, by (margin, values)."""
    out = {}
    for name, by in MARGINS.items():
        sizes = data.groupby(list(by), observed=True).size()
        out.update({(name, k): int(n) for k, n in sizes.items() if 0 < n < min_base})
    return out


def _reader(
    compositions: dict[str, pd.DataFrame], fit: pd.DataFrame, total: int, min_base: int
) -> tuple[list[PublishedTable], DisclosurePolicy]:
    """The reader's tables: each composition and each margin's cells, with the total."""

    def table(by: tuple[str, ...], groups: list[tuple[tuple, float]]) -> PublishedTable:
        rows = [(*(ALL for _ in by), float(total)), *((*k, b) for k, b in groups)]
        frame = pd.DataFrame(rows, columns=[*by, "base"])
        frame["category"] = "took part"
        frame["n"] = frame["base"]
        return PublishedTable("took part", by, frame, "single", " x ".join(by))

    tables = []
    for label, shown in compositions.items():
        column = VARIABLES[label]
        groups = [
            ((g,), _number(n)) for g, n in zip(shown[label], shown["Respondents"], strict=True)
        ]
        tables.append(table((column,), groups))
    for name, by in MARGINS.items():
        rows = fit[fit["Margin"] == name]
        groups = [
            (tuple(cell.split(" x ")), _number(n))
            for cell, n in zip(rows["Cell"], rows["Respondents"], strict=True)
        ]
        tables.append(table(by, groups))
    return tables, DisclosurePolicy(min_base=min_base, complete=tuple(VARIABLES.values()))


SHARES = ["Respondents", "Sample %", "Weighted %", "Population %"]


def _figures(shown: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    """The cells of ``columns`` as a reader takes them (numbers as numbers, [c] as text)."""
    return [[figure(v) for v in row] for row in shown[columns].astype(str).to_numpy()]


def _screen(at, label: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if list(frame.value.columns)[:1] == [label]:
            return frame.value.reset_index(drop=True).astype(str)
    raise AssertionError(f"no table starting with {label!r}")


def _read(at, files: dict[str, bytes], source: str) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The compositions and the raking fit as the page shows them, or as a download holds them."""

    def one(label: str, key: str) -> pd.DataFrame:
        if source == "screen":
            return _screen(at, label)
        if source == "csv":
            return csv_table(files[f"{key}-csv"])
        return excel_table(files[f"{key}-xlsx"], label)

    compositions = {label: one(label, f"comp-table-{c}") for label, c in VARIABLES.items()}
    return compositions, one("Margin", "margins-table")


def test_who_took_part_page_and_downloads_give_no_small_group_away(sample, monkeypatch):
    data = sample["data"]
    small = _small_cells(data, MIN_BASE)
    assert ("district x sex", ("Fenland", "Not known")) in small, "the sample has small cells"
    makers = recording_downloads(monkeypatch)
    at = run(PAGE, min_base=MIN_BASE)
    files = downloads(at, makers)
    read = {source: _read(at, files, source) for source in ("screen", "csv", "xlsx")}
    # the page and both downloads show the same figures and the same [c]
    for source in ("csv", "xlsx"):
        for label in VARIABLES:
            mine, theirs = read[source][0][label], read["screen"][0][label]
            assert _figures(mine, SHARES) == _figures(theirs, SHARES), (source, label)
        assert _figures(read[source][1], ["Margin", "Cell", "Respondents"]) == _figures(
            read["screen"][1], ["Margin", "Cell", "Respondents"]
        ), source
    compositions, fit = read["screen"]
    hidden = fit[fit["Respondents"] == "[c]"]
    assert len(hidden) > len(small), "small cells and their partners are hidden"
    for label, shown in compositions.items():  # a hidden count's shares are hidden too
        counts = shown["Respondents"] == "[c]"
        for column in ("Sample %", "Weighted %"):
            assert (shown.loc[counts, column] == "[c]").all(), (label, column)
    total = len(data)
    assert f"{total:,}" in [m.value for m in at.metric]
    every = []
    for source in ("screen", "csv", "xlsx"):
        tables, policy = _reader(*read[source], total, MIN_BASE)
        every += tables
        result = yl.audit(tables, policy=policy)
        assert result.ok, (source, str(result))
    assert yl.audit(every, policy=policy).ok


def _old_display(data, weights, margins, min_base):
    """The old per-table path: each composition and each margin thresholded on its own."""
    compositions = {}
    for label, column in VARIABLES.items():
        frame = composition(data, weights, margins, column)
        groups = pd.DataFrame({column: frame["category"], "base": frame["respondents"]})
        hidden = suppress(groups, by=[column], min_base=min_base).groups.to_numpy(dtype=bool)
        compositions[label] = pd.DataFrame(
            {
                label: frame["category"].astype(str),
                "Respondents": [
                    "[c]" if h else f"{n:,}"
                    for n, h in zip(frame["respondents"], hidden, strict=True)
                ],
            }
        )
    rows = []
    for name, by in MARGINS.items():
        sizes = data.groupby(list(by), observed=True).size()
        cells = pd.DataFrame({"cell": [" x ".join(k) for k in sizes.index], "base": sizes.values})
        hidden = suppress(cells, by=["cell"], min_base=min_base).groups.to_numpy(dtype=bool)
        rows += [
            (name, c, "[c]" if h else f"{n:,}")
            for c, n, h in zip(cells["cell"], cells["base"], hidden, strict=True)
        ]
    return compositions, pd.DataFrame(rows, columns=["Margin", "Cell", "Respondents"])


@pytest.mark.parametrize("min_base", [10, MIN_BASE])
def test_who_took_part_control_tables_thresholded_one_by_one_give_a_cell_away(sample, min_base):
    data = sample["data"]
    compositions, fit = _old_display(data, sample["raked"].weights, sample["margins"], min_base)
    tables, policy = _reader(compositions, fit, len(data), min_base)
    result = yl.audit(tables, policy=policy)
    assert not result.ok
    fenland = int(((data["district"] == "Fenland") & (data["sex"] == "Not known")).sum())
    assert 0 < fenland < min_base
    assert any(v.low == v.high == fenland for v in result.violations), str(result)


def test_the_weight_histogram_shows_no_weight_of_fewer_than_min_base(sample):
    """Respondents of one raking cell share a weight: the chart's own data (sent to the
    browser and in its HTML download) must not count a small cell. The bars are counted
    on the server, so each bar's count is what the browser gets."""
    import base64

    import plotly.io as pio

    raw = pd.Series(np.asarray(sample["raked"].weights)).round(9).value_counts()
    assert (raw < MIN_BASE).any(), "control: the raw weights count cells of one"
    at = run(PAGE, min_base=MIN_BASE)
    (bars,) = [
        trace
        for chart in at.get("plotly_chart")
        for trace in pio.from_json(chart.proto.spec).data
        if trace.name == "respondents"
    ]
    assert bars.type == "bar"
    y = bars.y
    if isinstance(y, dict):  # plotly's typed array: base64 bytes of the dtype
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    counts = np.asarray(y, dtype=float)
    assert counts.sum() == len(sample["data"])
    assert counts.min() >= MIN_BASE, np.sort(counts)[:5]


def test_the_weights_page_shows_no_raw_weight_of_a_small_cell(sample):
    """The smallest and largest weight shown are pooled ones, as the histogram's: a cell's
    own weight, over its population target, would count its respondents."""
    weights = np.asarray(sample["raked"].weights, dtype=float)
    raw = pd.Series(weights).round(9).value_counts()
    small = raw[raw < MIN_BASE].index
    extremes = {round(weights.min(), 9), round(weights.max(), 9)}
    assert extremes & set(small), "control: the sample's raw extremes are weights of few"
    at = run(PAGE, min_base=MIN_BASE)
    diagnostics = _screen(at, "Measure").set_index("Measure")["Value"]
    card = next(m for m in at.get("metric") if m.label.startswith("Weights"))
    for shown in [*diagnostics[["Smallest weight", "Largest weight"]], *card.value.split(" / ")]:
        value = _number(shown)
        assert not np.isclose(list(extremes), value, atol=0.51).any(), shown
