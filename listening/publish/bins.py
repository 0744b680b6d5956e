"""Histogram bins counted on the server, none counting fewer than a minimum.

A histogram sent as raw values makes the browser bin them (and the values
themselves travel with the chart); bins counted here send one bar per bin,
and a bin counting fewer than ``min_count`` is merged with a neighbour so no
bar shows a small group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def merged_bins(
    values: Sequence[float] | np.ndarray | pd.Series, *, bins: int = 40, min_count: int = 1
) -> pd.DataFrame:
    """Equal-width bins of the finite ``values``, small ones merged with a neighbour.

    Empty bins are left out (a gap on the axis). While some bin counts fewer
    than ``min_count``, the smallest is merged with the smaller of its
    neighbours (the merged bin spans both and any gap between them); a lone
    bin is kept whatever its count (it counts every value, the total).

    Parameters
    ----------
    values : sequence of float
        The values; missing and infinite ones are left out.
    bins : int
        Equal-width bins over the values' range before merging.
    min_count : int
        The fewest values a bin may count.

    Returns
    -------
    pandas.DataFrame
        One row per bar, in order: ``low`` and ``high`` (the bin's edges; a
        value on ``high`` belongs to the next bin except in the last) and
        ``count``.

    Examples
    --------
    >>> merged_bins([1.0, 1.0, 2.0, 3.0, 3.0, 3.0], bins=2, min_count=1)
       low  high  count
    0  1.0   2.0      2
    1  2.0   3.0      4
    >>> merged_bins([1.0] * 5 + [9.0], bins=4, min_count=3)["count"].tolist()
    [6]
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return pd.DataFrame({"low": [], "high": [], "count": []}).astype({"count": int})
    counts, edges = np.histogram(finite, bins=bins)
    kept = np.flatnonzero(counts)
    low, high, count = list(edges[kept]), list(edges[kept + 1]), list(counts[kept])
    while len(count) > 1 and min(count) < min_count:
        i = int(np.argmin(count))
        if i == 0:
            j = 1
        elif i == len(count) - 1:
            j = i - 1
        else:
            j = i - 1 if count[i - 1] <= count[i + 1] else i + 1
        a, b = min(i, j), max(i, j)
        high[a], count[a] = high[b], count[a] + count[b]
        del low[b], high[b], count[b]
    return pd.DataFrame({"low": low, "high": high, "count": np.asarray(count, dtype=int)})
