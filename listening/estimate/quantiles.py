"""Quantiles with Woodruff intervals, as R survey 4.1's ``svyquantile``.

The estimate is R's ``qrule="math"``: the smallest value whose cumulative
weight share reaches ``p`` (R's ``qs()``: the last sorted value with
cumulative weight ``<= p * total``, or the next one unless that share is
exactly ``p``). The interval is R's ``interval.type="mean"`` (Woodruff): the
design-based interval of the share of the domain at or below the estimate,
``svymean(x <= q)`` plus or minus t standard errors, mapped back through the
same rule; the standard error is the interval's width over ``2 t``.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"age": [11, 12, 13, 14, 15, 16, 17, 18]})
>>> yl.quantile(yl.SurveyDesign(data), "age")[["quantile", "estimate"]]
   quantile  estimate
0       0.5      14.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.domains import by_list, check_columns, domains, numeric_values
from listening.estimate.indicators import with_indicators
from listening.estimate.intervals import check_level, qt
from listening.estimate.sums import WeightedSums


class SortedValues:
    """One domain's values sorted once, with R's cumulative weights, for many quantiles.

    Parameters
    ----------
    x, w : ndarray
        Values and positive weights of one domain.

    Examples
    --------
    >>> import numpy as np
    >>> SortedValues(np.array([3.0, 1.0, 2.0]), np.ones(3)).quantile(0.5)
    2.0
    """

    def __init__(self, x: np.ndarray, w: np.ndarray) -> None:
        order = np.argsort(x, kind="stable")
        self.values = x[order]
        # R's cumsum() and sum() add in long double and store doubles; the exact test
        # in quantile() depends on that rounding.
        running = np.cumsum(w[order].astype(np.longdouble))
        self.cumw = running.astype(np.float64)
        self.total = float(running[-1]) if len(running) else np.nan

    def quantile(self, p: float) -> float:
        """R's ``qrule_math``: the last value with cumulative share ``<= p``, or the next.

        The next one unless that share is exactly ``p`` (R's ``qs()``).
        """
        if not len(self.values):
            return np.nan
        pos = max(int(np.searchsorted(self.cumw, p * self.total, side="right")) - 1, 0)
        nxt = min(pos + 1, len(self.values) - 1)
        exact = p - self.cumw[pos] / self.total == 0
        return float(self.values[pos] if exact else self.values[nxt])


def quantile(
    design: SurveyDesign,
    column: str,
    quantiles: Sequence[float] = (0.5,),
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Quantiles of a numeric column, overall or by group (R's ``svyquantile``).

    Equals R's ``svyquantile(~column, subset(design, by == g & !is.na(column)),
    quantiles, ci=TRUE, interval.type="mean", qrule="math", alpha=1-level)``,
    survey 4.1's defaults, on linearization and replicate designs alike.

    Parameters
    ----------
    design : SurveyDesign
    column : str
        A numeric column.
    quantiles : sequence of float
        Probabilities in [0, 1].
    by : str or list of str, optional
    level : float

    Returns
    -------
    DataFrame
        The ``by`` columns, ``quantile``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``base``, ``df``. A bound is NaN where the interval for
        the share leaves [0, 1], as in R.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("aaaabbbb"), "x": [1, 2, 3, 4, 10, 20, 30, 40]})
    >>> yl.quantile(yl.SurveyDesign(data), "x", (0.25, 0.5), by="g")[["g", "quantile", "estimate"]]
       g  quantile  estimate
    0  a      0.25       1.0
    1  a      0.50       2.0
    2  b      0.25      10.0
    3  b      0.50      20.0
    """
    check_level(level)
    probs = [float(p) for p in quantiles]
    if not probs or any(not 0 <= p <= 1 for p in probs):
        raise ListeningError(f"quantiles must be probabilities in [0, 1]; got {list(quantiles)}")
    by_cols = by_list(by)
    design = with_indicators(design, column, *by_cols)
    data = design.data
    check_columns(data, [column], "column")
    check_columns(data, by_cols, "by column")
    values = numeric_values(data[column], column)
    dom, groups = domains(data, by_cols, design.domain)
    dom = np.where(np.isnan(values), -1, dom)
    n_dom = len(groups)
    weights = design.weights.to_numpy()
    order = np.argsort(dom, kind="stable")
    starts = np.searchsorted(dom[order], np.arange(n_dom + 1))
    members = [order[starts[d] : starts[d + 1]] for d in range(n_dom)]
    sorted_values = [SortedValues(values[m], weights[m]) for m in members]
    rows = []
    for p in probs:
        q = np.array([s.quantile(p) for s in sorted_values])
        below = np.where(dom >= 0, values <= q[np.maximum(dom, 0)], False).astype(float)
        sums = WeightedSums.take(design, dom, n_dom, values=below)
        share, total = sums.estimate(design)
        v = sums.variance(design, share, total)
        t = qt(level, v.df)
        half = t * v.se
        for d in range(n_dom):
            lo, hi = share[d, 0] - half[d], share[d, 0] + half[d]
            s = sorted_values[d]
            low = np.nan if np.isnan(lo) or lo < 0 else s.quantile(lo)
            high = np.nan if np.isnan(hi) or hi > 1 else s.quantile(hi)
            rows.append(
                (d, p, q[d], (high - low) / (2 * t[d]), low, high, len(members[d]), v.df[d])
            )
    frame = pd.DataFrame(
        rows, columns=["_d", "quantile", "estimate", "se", "ci_low", "ci_high", "base", "df"]
    ).sort_values(["_d", "quantile"], kind="stable")
    out = groups.iloc[frame["_d"].to_numpy()].reset_index(drop=True) if by_cols else None
    frame = frame.drop(columns="_d").reset_index(drop=True)
    return frame if out is None else pd.concat([out, frame], axis=1)
