"""The weights histogram is binned on the server, and no bar counts a small group.

Who took part draws the raked weights pooled (:func:`pooled_weights`, each
respondent at the median weight of ``min_base`` or more): the chart sends one
bar per bin, not a weight per respondent, and every bar counts ``min_base`` or
more. :func:`merged_bins` also merges any bin of fewer than ``min_count``
with a neighbour. Controls: the raw weights binned without merging, and the
same weights merged, show that the property fails without the protection.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import listening as yl
from listening.explorer.sources import designs
from listening.explorer.took_part import pooled_weights
from listening.publish.bins import merged_bins

MIN_BASES = [10, 30]


@pytest.fixture(scope="module")
def weights() -> np.ndarray:
    survey = yl.load_sample()
    return np.asarray(designs(survey, yl.load_margins()).raked.weights, dtype=float)


def _counts(fig) -> np.ndarray:
    (bars,) = fig.data
    assert bars.type == "bar"
    return np.asarray(bars.y, dtype=float)


@pytest.mark.parametrize("min_base", MIN_BASES)
def test_the_pooled_weights_chart_has_no_bar_under_min_base(weights, min_base):
    fig = yl.charts.weight_histogram(pooled_weights(weights, min_base))  # as Who took part
    counts = _counts(fig)
    assert counts.sum() == len(weights)
    assert counts.min() >= min_base, np.sort(counts)[:5]
    assert len(counts) <= 40  # bars, not one value per respondent
    assert "Histogram of the weights" in yl.charts.description(fig)


@pytest.mark.parametrize("min_base", MIN_BASES)
def test_raw_weights_merged_have_no_bar_under_min_base(weights, min_base):
    raw = _counts(yl.charts.weight_histogram(weights))
    assert raw.min() < min_base, "control: binning alone shows a small group"
    merged = _counts(yl.charts.weight_histogram(weights, min_count=min_base))
    assert merged.sum() == len(weights) and merged.min() >= min_base


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=0.01, max_value=1e4, allow_nan=False), min_size=1, max_size=300
    ),
    min_count=st.integers(min_value=1, max_value=40),
    bins=st.integers(min_value=1, max_value=50),
)
def test_merged_bins_count_every_value_once_and_none_small(values, min_count, bins):
    bars = merged_bins(values, bins=bins, min_count=min_count)
    assert bars["count"].sum() == len(values)
    if len(values) >= min_count:
        assert bars["count"].min() >= min_count
    else:
        assert len(bars) == 1
    low, high = bars["low"].to_numpy(), bars["high"].to_numpy()
    assert (low <= high).all() and (high[:-1] <= low[1:]).all()  # in order, not overlapping
    x = np.asarray(values)
    inside = [((x >= lo) & (x <= hi)).sum() for lo, hi in zip(low, high, strict=True)]
    assert sum(inside) >= len(values)  # each value in a bar (one on a shared edge in two)


def test_missing_weights_are_left_out_of_the_bars():
    fig = yl.charts.weight_histogram(np.full(5, np.nan))  # pooled_weights of too few
    assert len(fig.data[0].y) == 0
    assert not fig.layout.shapes  # no median line
