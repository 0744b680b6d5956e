"""Ratios of two totals (R's ``svyratio``) and the two-group t-test (R's ``svyttest``).

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"incidents": [1, 0, 2, 1], "pupils": [10, 12, 8, 10]})
>>> yl.ratio(yl.SurveyDesign(data), "incidents", "pupils")[["estimate", "base"]]
   estimate  base
0       0.1     4
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.domains import (
    by_list,
    category_codes,
    check_columns,
    domains,
    numeric_values,
)
from listening.estimate.indicators import with_indicators
from listening.estimate.intervals import check_level, qt
from listening.estimate.sums import WeightedSums


def ratio(
    design: SurveyDesign,
    numerator: str,
    denominator: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The ratio of two weighted totals, overall or by group.

    Equals R's ``svyratio(~numerator, ~denominator, subset(design, by == g &
    !is.na(numerator) & !is.na(denominator)))``, with ``confint(..., df =
    degf(domain))``.

    Parameters
    ----------
    design : SurveyDesign
    numerator, denominator : str
        Numeric columns.
    by : str or list of str, optional
    level : float

    Returns
    -------
    DataFrame
        The ``by`` columns, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``base``, ``df``.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("aabb"), "y": [1, 3, 2, 2], "x": [2, 2, 4, 4]})
    >>> yl.ratio(yl.SurveyDesign(data), "y", "x", by="g")[["g", "estimate"]]
       g  estimate
    0  a       1.0
    1  b       0.5
    """
    check_level(level)
    by_cols = by_list(by)
    design = with_indicators(design, numerator, denominator, *by_cols)
    data = design.data
    check_columns(data, [numerator, denominator], "column")
    check_columns(data, by_cols, "by column")
    y = numeric_values(data[numerator], numerator)
    x = numeric_values(data[denominator], denominator)
    dom, groups = domains(data, by_cols, design.domain)
    dom = np.where(np.isnan(y) | np.isnan(x), -1, dom)
    n_dom = len(groups)
    sums = WeightedSums.take(design, dom, n_dom, values=y, denominator=x)
    est, den = sums.estimate(design)
    if (den == 0).any():
        raise ListeningError(
            f"the weighted total of {denominator!r} is zero in a group; a ratio needs a "
            "denominator that is not zero in every group"
        )
    v = sums.variance(design, est, den, present=design.engine.presence(dom, n_dom))
    se = v.se
    t = qt(level, v.df)
    out = groups.copy() if by_cols else pd.DataFrame(index=range(1))
    out["estimate"] = est[:, 0]
    out["se"] = se
    out["ci_low"] = est[:, 0] - t * se
    out["ci_high"] = est[:, 0] + t * se
    out["base"] = np.bincount(dom[dom >= 0], minlength=n_dom)
    out["df"] = v.df.astype(int)
    return out


@dataclass(frozen=True)
class TTestResult:
    """The result of :func:`ttest`: R's ``svyttest(column ~ group, design)``.

    Attributes
    ----------
    estimate : float
        Mean of the second group minus the first (in the group's category order).
    se, statistic, df, p_value, ci_low, ci_high : float
    groups : tuple of str
        The two groups, first and second.
    level : float

    Examples
    --------
    >>> TTestResult(1.0, 0.5, 2.0, 10, 0.07, -0.1, 2.1, ("a", "b"), 0.95).statistic
    2.0
    """

    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    groups: tuple[str, str]
    level: float

    def __repr__(self) -> str:
        pct = f"{self.level:.0%}"
        return (
            f"Design-based t-test: {self.groups[1]} minus {self.groups[0]}\n"
            f"  difference in mean {self.estimate:.6g} (se {self.se:.4g}), "
            f"t = {self.statistic:.4f}, df = {self.df}, p-value = {self.p_value:.4g}\n"
            f"  {pct} interval {self.ci_low:.6g} to {self.ci_high:.6g}"
        )


def ttest(design: SurveyDesign, column: str, group: str, *, level: float = 0.95) -> TTestResult:
    """Do two groups differ in their mean? R's ``svyttest(column ~ group, design)``.

    The difference of the two groups' means, with its design-based standard
    error (the coefficient of ``group`` in R's ``svyglm(column ~ group)``), a
    t-test on ``degf(design) - 1`` degrees of freedom (R's ``df.residual``,
    counting the clusters of respondents with both answers), and the interval
    ``confint(svyglm(...), parm=2, level=level)``. Respondents missing either
    column are outside the domain.

    Parameters
    ----------
    design : SurveyDesign
    column : str
        A numeric (or boolean) column.
    group : str
        A column with exactly two groups among those who answered.
    level : float

    Returns
    -------
    TTestResult

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"sex": list("ffffmmmm"), "score": [3, 4, 5, 4, 2, 3, 2, 1]})
    >>> res = yl.ttest(yl.SurveyDesign(data), "score", "sex")
    >>> res.groups, res.estimate, res.df
    (('f', 'm'), -2.0, 6)
    """
    check_level(level)
    design = with_indicators(design, column, group)
    data = design.data
    check_columns(data, [column, group], "column")
    y = numeric_values(data[column], column)
    code, cats = category_codes(data[group])
    inside = (code >= 0) & ~np.isnan(y)
    if design.domain is not None:
        inside &= design.domain
    used = np.unique(code[inside])
    if len(used) != 2:
        raise ListeningError(
            f"a t-test compares two groups; {group!r} has {len(used)} among respondents "
            f"who answered {column!r}: subset the design or combine groups first"
        )
    dom = np.where(inside, np.searchsorted(used, code), -1)
    sums = WeightedSums.take(design, dom, 2, values=y)
    means, totals = sums.estimate(design)
    every = np.where(inside, 0, -1)
    present = design.engine.presence(every, 1)
    if design.is_replicate:
        reps = sums.replicates(design)[:, :, 0]
        v = design.variance(replicates=(reps[:, 1] - reps[:, 0])[:, None], present=present)
    else:
        infl = sums.influence(means, totals)
        v = design.variance((infl[:, 1] - infl[:, 0])[:, None], present=present)
    diff = float(means[1, 0] - means[0, 0])
    se = float(v.se[0])
    df = int(v.df[0]) - 1
    stat = diff / se
    t = float(qt(level, np.array([df]))[0])
    return TTestResult(
        estimate=diff,
        se=se,
        statistic=stat,
        df=df,
        p_value=float(2 * special.stdtr(df, -abs(stat))) if df > 0 else float("nan"),
        ci_low=diff - t * se,
        ci_high=diff + t * se,
        groups=(str(cats[used[0]]), str(cats[used[1]])),
        level=level,
    )
