"""Totals: how many young people, estimated (R's ``svytotal``).

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"w": [10.0, 10, 20, 20], "safe": ["yes", "no", "yes", "yes"]})
>>> yl.total(yl.SurveyDesign(data, weights="w"), "safe")[["category", "estimate", "n"]]
  category  estimate  n
0       no      10.0  1
1      yes      50.0  3
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.deff import srs_variance
from listening.estimate.domains import (
    by_list,
    category_codes,
    check_columns,
    domains,
    is_numeric,
    numeric_values,
)
from listening.estimate.indicators import with_indicators
from listening.estimate.intervals import check_level, qt
from listening.estimate.sums import WeightedSums, domain_chunks, restrict


def total(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    deff: bool = False,
) -> pd.DataFrame:
    """The estimated number of young people in each answer category (or a numeric total).

    For a categorical (or boolean) column, one row per category equal to R's
    ``svytotal(~factor(column), subset(design, by == g & !is.na(column)))``;
    for a numeric column, one row per group with its total. Intervals are
    ``confint(..., df=degf(domain))``: the estimate plus or minus t times the
    standard error.

    Parameters
    ----------
    design : SurveyDesign
    column : str
    by : str or list of str, optional
        Grouping column(s).
    level : float
        Confidence level.
    deff : bool
        Add R's design effect (``svytotal(..., deff=TRUE)``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``category`` (categorical columns only),
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` (categorical
        only), ``base``, ``weighted_base``, ``df``, ``cv`` (and ``deff``).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": list("aabb"), "w": [1.0, 3, 2, 2], "n": [1, 2, 3, 4]})
    >>> yl.total(yl.SurveyDesign(data, weights="w"), "n", by="area")[["area", "estimate"]]
      area  estimate
    0    a       7.0
    1    b      14.0
    """
    check_level(level)
    by_cols = by_list(by)
    design = with_indicators(design, column, *by_cols)
    data = design.data
    check_columns(data, [column], "column")
    check_columns(data, by_cols, "by column")
    series = data[column]
    dom, groups = domains(data, by_cols, design.domain)
    if is_numeric(series):
        values = numeric_values(series, column)
        cat, cats, n_cat = None, None, 1
        dom = np.where(np.isnan(values), -1, dom)
    else:
        values = None
        cat, cats = category_codes(series)
        if len(cats) == 0:
            raise ListeningError(f"column {column!r} has no answers in the data; nothing to sum")
        n_cat = len(cats)
        dom = np.where(cat >= 0, dom, -1)
    n_dom = len(groups)
    est, var, spread = (np.empty((n_dom, n_cat)) for _ in range(3))
    wbase, df = np.empty(n_dom), np.empty(n_dom)
    for chunk in domain_chunks(design, n_dom, n_cat):
        sums = WeightedSums.take(design, restrict(dom, chunk), len(chunk), cat, n_cat, values)
        y = sums.y.reshape(sums.y.shape[0], -1)
        totals, wbase[chunk] = sums.full(design)
        est[chunk] = totals
        if design.is_replicate:
            v = design.variance(replicates=design.engine.replicate_totals(y), present=sums.present)
        else:
            v = design.variance(y, present=sums.present)
        var[chunk], df[chunk] = v.var.reshape(totals.shape), v.df
        if deff:
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = totals / wbase[chunk][:, None]
            if values is None:
                spread[chunk] = mean * (1 - mean)
            else:
                sq = WeightedSums.take(design, restrict(dom, chunk), len(chunk), values=values**2)
                spread[chunk] = sq.estimate(design)[0] - mean**2
    base = np.bincount(dom[dom >= 0], minlength=n_dom)
    out = groups.loc[groups.index.repeat(n_cat)].reset_index(drop=True)
    if cats is not None:
        out["category"] = np.tile(np.asarray(cats, dtype=object), n_dom)
        if isinstance(cats, pd.CategoricalIndex):
            out["category"] = pd.Categorical(
                out["category"], categories=cats.categories, ordered=cats.ordered
            )
    se = np.sqrt(var)
    t = np.repeat(qt(level, df)[:, None], n_cat, axis=1)
    out["estimate"] = est.ravel()
    out["se"] = se.ravel()
    out["ci_low"] = (est - t * se).ravel()
    out["ci_high"] = (est + t * se).ravel()
    if cats is not None:
        keep = dom >= 0
        counts = np.bincount(dom[keep] * n_cat + cat[keep], minlength=n_dom * n_cat)
        out["n"] = counts
    out["base"] = np.repeat(base, n_cat)
    out["weighted_base"] = np.repeat(wbase, n_cat)
    out["df"] = np.repeat(df, n_cat).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cv"] = out["se"] / out["estimate"]
        if deff:
            srs = srs_variance(spread.ravel(), out["base"], out["weighted_base"])
            out["deff"] = out["se"] ** 2 / (srs * out["weighted_base"] ** 2)
    return out
