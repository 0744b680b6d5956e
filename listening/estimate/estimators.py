"""Design-based estimates: proportions, means and group-versus-rest differences.

Every estimator returns a tidy DataFrame. A respondent missing the analysed
column or a ``by`` column is outside the domain but keeps its place in the
design, exactly as R's ``subset()`` on a design: its cluster still counts in
the variance (with a zero total), and in a raked design it still takes part in
the calibration regression.

All domains (``by`` groups) and categories are estimated at once: weighted sums
are taken once per (cluster x raking cell) group with ``np.bincount``, and the
variance works on cluster totals (linearization) or replicate totals.

Degrees of freedom are R's ``degf`` of the domain design: distinct clusters
with a respondent in the domain minus distinct strata among them; for a
replicate design, the rank of the domain's replicate weights minus one.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"school": [1, 1, 2, 2, 3, 3, 4, 4],
...                      "safe": ["yes", "no", "yes", "yes", "no", "yes", "yes", "yes"]})
>>> design = yl.SurveyDesign(data, clusters="school")
>>> yl.proportion(design, "safe")[["category", "estimate", "n", "base"]]
  category  estimate  n  base
0       no      0.25  2     8
1      yes      0.75  6     8
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse, special
from scipy.sparse.csgraph import connected_components

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
from listening.estimate.intervals import beta_ci, check_ci, check_level, logit_ci, qt
from listening.estimate.sums import WeightedSums, design_rows, domain_chunks, restrict

STATISTICS: tuple[str, ...] = ("auto", "proportion", "mean")
_BLOCK = 512  # rows compared at once by mirror_tests


def _by_frame(groups: pd.DataFrame, repeat: int, columns: dict) -> pd.DataFrame:
    """The groups, each repeated ``repeat`` times, and ``columns``: one frame, built once."""
    by = groups.loc[groups.index.repeat(repeat)].reset_index(drop=True)
    return pd.DataFrame({**{c: by[c] for c in by.columns}, **columns}, index=by.index)


def _categories(cats: pd.Index | None, n_dom: int) -> dict:
    """The ``category`` column of a table with every category in every one of ``n_dom`` groups."""
    if cats is None:
        return {}
    out = np.tile(np.asarray(cats, dtype=object), n_dom)
    if isinstance(cats, pd.CategoricalIndex):
        out = pd.Categorical(out, categories=cats.categories, ordered=cats.ordered)
    return {"category": out}


# ---------------------------------------------------------------------------- estimators
def proportion(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    ci: str = "logit",
    level: float = 0.95,
    deff: bool = False,
) -> pd.DataFrame:
    """Proportion of respondents in every answer category, overall or by group.

    Estimates and standard errors equal R's ``svymean(~factor(column),
    subset(design, by == g & !is.na(column)))``; the interval is R's
    ``svyciprop(~I(column == k), <that domain>, method=ci, level=level)``.

    Parameters
    ----------
    design : SurveyDesign
    column : str
        The question (categorical, string, boolean or integer column).
    by : str or list of str, optional
        Grouping column(s).
    ci : {"logit", "beta"}
        ``"logit"``: ``expit(logit(p) +/- t se / (p (1 - p)))``, t on the
        domain's degrees of freedom; ``"beta"``: Korn-Graubard
        (Clopper-Pearson on the design-effective sample size).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``category``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``n`` (respondents in the cell), ``base`` (respondents
        in the group who answered), ``weighted_base``, and ``df`` (the
        degrees of freedom used). Every category seen in the data has a row
        in every group.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": ["a", "a", "a", "b", "b", "b"],
    ...                      "safe": [True, False, True, True, True, None]})
    >>> out = yl.proportion(yl.SurveyDesign(data), "safe", by="area")
    >>> out[["area", "category", "estimate", "n", "base"]].round(3)
      area category  estimate  n  base
    0    a    False     0.333  1     3
    1    a     True     0.667  2     3
    2    b    False     0.000  0     2
    3    b     True     1.000  2     2
    """
    check_ci(ci)
    check_level(level)
    by_cols = by_list(by)
    design = with_indicators(design, column, *by_cols)
    data = design.data
    check_columns(data, [column], "column")
    check_columns(data, by_cols, "by column")
    cat, cats = category_codes(data[column])
    if len(cats) == 0:
        raise ListeningError(f"column {column!r} has no answers in the data; nothing to estimate")
    dom, groups = domains(data, by_cols, design.domain)
    n_dom, n_cat = len(groups), len(cats)
    out = proportion_arrays(design, dom, n_dom, cat, n_cat, ci=ci, level=level)
    est, se = out["estimate"], out["se"].ravel()
    columns = {
        **_categories(cats, n_dom),
        "estimate": est.ravel(),
        "se": se,
        "ci_low": out["ci_low"].ravel(),
        "ci_high": out["ci_high"].ravel(),
        "n": out["n"].ravel(),
        "base": np.repeat(out["base"], n_cat),
        "weighted_base": np.repeat(out["weighted_base"], n_cat),
        "df": np.repeat(out["df"][:, None], n_cat, axis=1).ravel().astype(int),
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["cv"] = se / columns["estimate"]
        if deff:
            s2 = (est * (1 - est)).ravel()
            spread = srs_variance(s2, columns["base"], columns["weighted_base"])
            columns["deff"] = se**2 / spread
    return _by_frame(groups, n_cat, columns)


def proportion_arrays(
    design: SurveyDesign,
    dom: np.ndarray,
    n_dom: int,
    cat: np.ndarray,
    n_cat: int,
    *,
    ci: str = "logit",
    level: float = 0.95,
) -> dict[str, np.ndarray]:
    """The figures of :func:`proportion` from integer codes, as arrays (no frame).

    For callers that tabulate many columns by the same groups (the briefing
    tables): they factorize once (:func:`~listening.estimate.domains.domains`,
    :func:`~listening.estimate.domains.category_codes`) and get exactly the
    numbers :func:`proportion` gives.

    Parameters
    ----------
    design : SurveyDesign
    dom : ndarray of int
        Every row's domain (-1: outside every domain, as after ``subset``).
    n_dom : int
    cat : ndarray of int
        Every row's category (-1: missing).
    n_cat : int
    ci, level
        As :func:`proportion` (not checked here).

    Returns
    -------
    dict of ndarray
        ``estimate``, ``se``, ``ci_low``, ``ci_high`` and ``n`` (domains x
        categories); ``base``, ``weighted_base`` and ``df`` (by domain).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"g": [0, 0, 1, 1]}))
    >>> out = proportion_arrays(d, np.array([0, 0, 1, 1]), 2, np.array([0, 1, 1, 1]), 2)
    >>> out["estimate"].tolist(), out["base"].tolist()
    ([[0.5, 0.5], [0.0, 1.0]], [2, 2])
    """
    dom = np.where(cat >= 0, dom, -1)
    counts = np.bincount(dom[dom >= 0] * n_cat + cat[dom >= 0], minlength=n_dom * n_cat)
    counts = counts.reshape(n_dom, n_cat)
    est = np.empty((n_dom, n_cat))
    var = np.empty((n_dom, n_cat))
    se_logit = np.empty((n_dom, n_cat))
    wbase = np.empty(n_dom)
    df = np.empty(n_dom)
    for chunk in domain_chunks(design, n_dom, n_cat):
        sums = WeightedSums.take(design, restrict(dom, chunk), len(chunk), cat, n_cat)
        e, total = sums.estimate(design)
        est[chunk], wbase[chunk] = e, total
        v = sums.variance(design, e, total)
        var[chunk], df[chunk] = v.var.reshape(e.shape), v.df
        with np.errstate(invalid="ignore", divide="ignore"):
            if design.is_replicate:
                thetas = sums.replicates(design)
                logits = special.logit(thetas).reshape(len(thetas), -1)
                se_logit[chunk] = design.variance(
                    replicates=logits, present=sums.present
                ).se.reshape(e.shape)
            else:
                se_logit[chunk] = np.sqrt(var[chunk]) / (e * (1 - e))
    base = counts.sum(axis=1)
    df2 = np.repeat(df[:, None], n_cat, axis=1)
    if ci == "logit":
        lo, hi = logit_ci(est, se_logit, df2, level)
    else:
        m = np.repeat(design_rows(design, base)[:, None], n_cat, axis=1)
        lo, hi = beta_ci(est, var, df2, m, level)
    return {
        "estimate": est,
        "se": np.sqrt(var),
        "ci_low": lo,
        "ci_high": hi,
        "n": counts,
        "base": base,
        "weighted_base": wbase,
        "df": df,
    }


def mean(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    deff: bool = False,
) -> pd.DataFrame:
    """Mean of a numeric column, overall or by group.

    Equals R's ``svymean(~column, subset(design, by == g & !is.na(column)))``
    with ``confint(..., df=degf(<that domain>))``.

    Parameters
    ----------
    design : SurveyDesign
    column : str
        A numeric (or boolean) column.
    by : str or list of str, optional
        Grouping column(s).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``base``, ``weighted_base`` and ``df``.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"age": [11, 13, 15, 17]})
    >>> yl.mean(yl.SurveyDesign(data), "age")[["estimate", "se", "base"]]
       estimate        se  base
    0      14.0  1.290994     4
    """
    check_level(level)
    by_cols = by_list(by)
    design = with_indicators(design, column, *by_cols)
    data = design.data
    check_columns(data, [column], "column")
    check_columns(data, by_cols, "by column")
    values = numeric_values(data[column], column)
    dom, groups = domains(data, by_cols, design.domain)
    dom = np.where(np.isnan(values), -1, dom)
    n_dom = len(groups)
    est, var, wbase, df = (np.empty(n_dom) for _ in range(4))
    for chunk in domain_chunks(design, n_dom, 1):
        sums = WeightedSums.take(design, restrict(dom, chunk), len(chunk), values=values)
        e, total = sums.estimate(design)
        est[chunk], wbase[chunk] = e[:, 0], total
        v = sums.variance(design, e, total)
        var[chunk], df[chunk] = v.var, v.df
    se = np.sqrt(var)
    t = qt(level, df)
    out = groups.copy() if by_cols else pd.DataFrame(index=range(1))
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = est - t * se
    out["ci_high"] = est + t * se
    out["base"] = np.bincount(dom[dom >= 0], minlength=n_dom)
    out["weighted_base"] = wbase
    out["df"] = df.astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cv"] = out["se"] / out["estimate"]
        if deff:
            squares = WeightedSums.take(design, dom, n_dom, values=values * values)
            s2 = squares.estimate(design)[0][:, 0] - est**2
            out["deff"] = out["se"] ** 2 / srs_variance(s2, out["base"], out["weighted_base"])
    return out


def holm(p: np.ndarray, tests: np.ndarray | None = None) -> np.ndarray:
    """Holm-adjusted p-values, as R's ``p.adjust(p, "holm")`` (NaN kept, not counted).

    Parameters
    ----------
    p : ndarray
    tests : ndarray of int, optional
        Which distinct test each p-value belongs to (see :func:`mirror_tests`):
        p-values of one test count once in Holm's family and share its
        adjusted value. Default: every p-value is its own test.

    Examples
    --------
    >>> import numpy as np
    >>> holm(np.array([0.01, 0.04, np.nan, 0.03])).round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    >>> holm(np.array([0.01, 0.01, 0.04]), tests=np.array([0, 0, 1])).round(3).tolist()
    [0.02, 0.02, 0.04]
    """
    p = np.asarray(p, dtype=float)
    if tests is None:
        tests = np.arange(p.size)
    tests = np.asarray(tests)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    ids, first = np.unique(tests[ok], return_index=True)
    rows = np.flatnonzero(ok)[first]
    m = len(rows)
    if m == 0:
        return out
    order = rows[np.argsort(p[rows], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    by_test = dict(zip(tests[order].tolist(), adjusted, strict=True))
    out[ok] = [by_test[k] for k in tests[ok].tolist()]
    return out


def mirror_tests(
    difference: np.ndarray, p: np.ndarray, group: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """Number the distinct tests of a table, giving mirror-image tests one number.

    Two rows are the same test when they share a group or a category and
    their differences are equal and opposite with the same p-value (a yes/no
    question's two answers in a group, or the two groups' "against the rest"
    when there are only two groups), and so are the mirrors of a mirror.

    Parameters
    ----------
    difference, p : ndarray
    group, category : ndarray of int
        The row's group and category codes.

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> mirror_tests(np.array([0.2, -0.2, 0.1]), np.array([0.01, 0.01, 0.3]),
    ...              np.array([0, 0, 1]), np.array([0, 1, 0])).tolist()
    [0, 0, 2]
    """
    difference = np.asarray(difference, dtype=float)
    p = np.asarray(p, dtype=float)
    group, category = np.asarray(group), np.asarray(category)
    n = len(p)
    rows, columns = [], []
    for start in range(0, n, _BLOCK):  # row i against every row j, a block of i at a time
        i = np.arange(start, min(start + _BLOCK, n))
        twins = (
            ((group[None, :] == group[i, None]) | (category[None, :] == category[i, None]))
            & np.isclose(difference[None, :], -difference[i, None], rtol=1e-9, atol=1e-12)
            & np.isclose(p[None, :], p[i, None], rtol=1e-9, atol=0)
        )
        a, b = np.nonzero(twins & ~np.isnan(p[i, None]))
        rows.append(i[a])
        columns.append(b)
    edges = sparse.coo_matrix(
        (
            np.ones(sum(map(len, rows))),
            (np.concatenate([[], *rows]), np.concatenate([[], *columns])),
        ),
        shape=(n, n),
    )
    _, label = connected_components(edges, directed=False)
    first = np.full(label.max(initial=-1) + 1, n)
    np.minimum.at(first, label, np.arange(n))
    return first[label]


def vs_rest(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str],
    statistic: str = "auto",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each group against the rest of the population, for every category (or the mean).

    For group ``g`` of ``by`` and category ``k``, the difference between the
    proportion in ``k`` within ``g`` and within the rest (respondents with
    another ``by`` value who answered), with a standard error that accounts
    for their covariance. In R, on ``d <- subset(design, !is.na(column) &
    !is.na(by))``: ``svycontrast(svyby(~I(column == k), ~I(by == g), d,
    svymean, covmat=TRUE), c(-1, 1))``. The two-sided p-value uses the t
    distribution on ``degf(d)``; ``p_holm`` adjusts the p-values of the
    whole table by Holm's method, counting mirror-image tests once (see
    :func:`mirror_tests`), and ``vs_rest`` is +1 / -1 when the group
    is significantly higher / lower at ``alpha`` after adjustment, else 0.

    Parameters
    ----------
    design : SurveyDesign
    column : str
        The question.
    by : str or list of str
        Grouping column(s).
    statistic : {"auto", "proportion", "mean"}
        ``"auto"`` compares means for a numeric (not boolean) column and
        category proportions otherwise.
    alpha : float
        Significance level for ``vs_rest``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``category`` (proportions only), ``estimate``,
        ``rest``, ``difference``, ``se``, ``df``, ``p_value``, ``p_holm``,
        ``vs_rest``.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": list("aaaabbbbcccc"),
    ...                      "safe": list("yyyyyynnynnn")})
    >>> out = yl.vs_rest(yl.SurveyDesign(data), "safe", by="area")
    >>> out.loc[out.category == "y", ["area", "difference", "vs_rest"]].round(3)
      area  difference  vs_rest
    1    a       0.625        1
    3    b      -0.125        0
    5    c      -0.500        0
    """
    if statistic not in STATISTICS:
        raise ListeningError(
            f"statistic={statistic!r} is not valid; use one of "
            f"{', '.join(repr(s) for s in STATISTICS)}"
        )
    by_cols = by_list(by)
    if not by_cols:
        raise ListeningError("vs_rest() needs a by column to compare groups with the rest")
    design = with_indicators(design, column, *by_cols)
    data = design.data
    check_columns(data, [column], "column")
    check_columns(data, by_cols, "by column")
    series = data[column]
    if statistic == "auto":
        statistic = "mean" if is_numeric(series) else "proportion"
    dom, groups = domains(data, by_cols, design.domain)
    if statistic == "mean":
        values = numeric_values(series, column)
        cat, cats, n_cat = None, None, 1
    else:
        values = None
        cat, cats = category_codes(series)
        n_cat = len(cats)
    n_dom = len(groups)
    out = vs_rest_arrays(design, dom, n_dom, cat, n_cat, values)
    diff, p = out["difference"], out["p_value"]
    tests = mirror_tests(
        diff.ravel(),
        p.ravel(),
        np.repeat(np.arange(n_dom), n_cat),
        np.tile(np.arange(n_cat), n_dom),
    )
    p_holm = holm(p.ravel(), tests)
    sign = np.where(p_holm < alpha, np.sign(diff.ravel()), 0).astype(int)
    columns = {
        **_categories(cats, n_dom),
        "estimate": out["estimate"].ravel(),
        "rest": out["rest"].ravel(),
        "difference": diff.ravel(),
        "se": out["se"].ravel(),
        "df": np.full(n_dom * n_cat, int(out["df"])),
        "p_value": p.ravel(),
        "p_holm": p_holm,
        "vs_rest": sign,
    }
    return _by_frame(groups, n_cat, columns)


def vs_rest_arrays(
    design: SurveyDesign,
    dom: np.ndarray,
    n_dom: int,
    cat: np.ndarray | None,
    n_cat: int,
    values: np.ndarray | None = None,
) -> dict:
    """The figures of :func:`vs_rest` from integer codes, before Holm (no frame).

    Parameters
    ----------
    design : SurveyDesign
    dom : ndarray of int
        Every row's group (-1: outside every group).
    n_dom : int
    cat : ndarray of int or None
        Every row's category (-1: missing); None with ``values``.
    n_cat : int
        1 with ``values``.
    values : ndarray of float, optional
        A numeric column (NaN: missing): means are compared.

    Returns
    -------
    dict
        ``estimate``, ``rest``, ``difference``, ``se`` and ``p_value``
        (groups x categories), and ``df`` (a float).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"g": [0, 0, 1, 1]}))
    >>> out = vs_rest_arrays(d, np.array([0, 0, 1, 1]), 2, np.array([0, 1, 1, 1]), 2)
    >>> out["difference"].tolist()
    [[0.5, -0.5], [-0.5, 0.5]]
    """
    if values is not None:
        dom = np.where(np.isnan(values), -1, dom)
    else:
        dom = np.where(cat >= 0, dom, -1)
    inside = np.where(dom >= 0, 0, -1)
    every = WeightedSums.take(design, inside, 1, cat, n_cat, values)
    df = np.nan
    est, rest, diff, var = (np.empty((n_dom, n_cat)) for _ in range(4))
    for chunk in domain_chunks(design, n_dom, n_cat):
        own = WeightedSums.take(design, restrict(dom, chunk), len(chunk), cat, n_cat, values)
        other = every.minus(own)
        e_own, t_own = own.estimate(design)
        e_rest, t_rest = other.estimate(design)
        est[chunk], rest[chunk] = e_own, e_rest
        diff[chunk] = e_own - e_rest
        if design.is_replicate:
            d = own.replicates(design) - other.replicates(design)
            v = design.variance(replicates=d.reshape(len(d), -1), present=every.present)
        else:
            infl = own.influence(e_own, t_own) - other.influence(e_rest, t_rest)
            v = design.variance(infl, present=every.present)
        var[chunk], df = v.var.reshape(e_own.shape), float(v.df[0])
    se = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = diff / se
        p = 2 * special.stdtr(df, -np.abs(tstat)) if df > 0 else np.full(tstat.shape, np.nan)
    p = np.where(np.isfinite(tstat) | (se == 0) & (diff != 0), p, np.nan)
    return {"estimate": est, "rest": rest, "difference": diff, "se": se, "df": df, "p_value": p}
