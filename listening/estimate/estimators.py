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
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from listening.design.survey_design import SurveyDesign
from listening.design.variance import compact, replicate_variance, stratified_variance
from listening.errors import ListeningError

CI_METHODS: tuple[str, ...] = ("logit", "beta")
STATISTICS: tuple[str, ...] = ("auto", "proportion", "mean")
_CELLS = 1 << 23


# ---------------------------------------------------------------------------- coding columns
def category_codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing) and the categories seen, in order.

    An ordered or unordered categorical keeps its category order (unused
    categories are dropped); other columns are sorted (in order of appearance
    when their values cannot be sorted).

    Parameters
    ----------
    series : Series

    Returns
    -------
    codes : ndarray of int
    categories : Index

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(pd.Categorical(["b", None, "c"], categories=["c", "b", "a"]))
    >>> codes, cats = category_codes(s)
    >>> codes.tolist(), list(cats)
    ([1, -1, 0], ['c', 'b'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = series.cat.categories
        used = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        remap = np.cumsum(used) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        return codes, pd.CategoricalIndex(
            cats[used], categories=cats[used], ordered=series.cat.ordered
        )
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def _check_columns(data: pd.DataFrame, names: Sequence[str], what: str) -> None:
    missing = [c for c in names if c not in data.columns]
    if missing:
        listed = ", ".join(repr(c) for c in list(data.columns)[:30])
        raise ListeningError(
            f"{what} {', '.join(repr(c) for c in missing)} not in the design's data; "
            f"use one of {listed}"
        )


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def domains(
    data: pd.DataFrame, by: list[str], keep: np.ndarray | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code of every row (-1 when a ``by`` value is missing) and the groups.

    Groups are the combinations of ``by`` values seen in the data, in the
    order of their categories.

    Parameters
    ----------
    data : DataFrame
    by : list of str
    keep : ndarray of bool, optional
        Rows that may belong to a domain (a design's :meth:`subset`); the
        others get -1 and do not make groups.

    Returns
    -------
    codes : ndarray of int
    groups : DataFrame
        One row per group, one column per ``by`` variable (empty frame with
        one row when ``by`` is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": ["x", "y", "x", None], "b": [1, 1, 2, 2]})
    >>> codes, groups = domains(df, ["a", "b"])
    >>> codes.tolist(), groups.to_dict("list")
    ([0, 2, 1, -1], {'a': ['x', 'x', 'y'], 'b': [1, 2, 1]})
    """
    n = len(data)
    outside = np.zeros(n, dtype=bool) if keep is None else ~np.asarray(keep, dtype=bool)
    if not by:
        return np.where(outside, -1, 0).astype(np.int64), pd.DataFrame(index=range(1))
    key = np.zeros(n, dtype=np.int64)
    missing = outside.copy()
    levels = []
    for col in by:
        codes, cats = category_codes(data[col])
        missing |= codes < 0
        key = key * max(len(cats), 1) + np.maximum(codes, 0)
        levels.append(cats)
    size = int(np.prod([max(len(c), 1) for c in levels]))
    code, seen = compact(np.where(missing, -1, key), size)
    columns = {}
    rest = seen.copy()
    for col, cats in reversed(list(zip(by, levels, strict=True))):
        size = max(len(cats), 1)
        columns[col] = cats.take(rest % size)
        rest //= size
    groups = pd.DataFrame({col: np.asarray(columns[col]) for col in by})
    for col, cats in zip(by, levels, strict=True):
        if isinstance(cats, pd.CategoricalIndex):
            groups[col] = pd.Categorical(
                columns[col], categories=cats.categories, ordered=cats.ordered
            )
    return code.astype(np.int64), groups


# ---------------------------------------------------------------------------- the engine
@dataclass(frozen=True, eq=False)
class _Sums:
    """Weighted sums by (cluster x raking cell) group, domain and category.

    Attributes
    ----------
    y : ndarray, shape (n_groups, n_domains, n_categories)
        Sums of weight x value (weight x indicator for categories).
    x : ndarray, shape (n_groups, n_domains)
        Sums of weight over the domain.
    """

    y: np.ndarray
    x: np.ndarray

    @classmethod
    def take(
        cls,
        design: SurveyDesign,
        domain: np.ndarray,
        n_domains: int,
        category: np.ndarray | None = None,
        n_categories: int = 1,
        values: np.ndarray | None = None,
    ) -> _Sums:
        """One pass over the rows: sums by group x domain (x category).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
        >>> s = _Sums.take(d, np.array([0, 0, 0]), 1, np.array([0, 1, 1]), 2)
        >>> s.y[:, 0, :].tolist(), s.x[:, 0].tolist()
        ([[1.0, 1.0], [0.0, 1.0]], [2.0, 1.0])
        """
        groups = design._groups
        weights = design._sum_weights()
        keep = domain >= 0
        q = groups.code[keep] * n_domains + domain[keep]
        w = weights[keep]
        size = groups.n_groups * n_domains
        if values is None:
            key = q * n_categories + category[keep]
            y = np.bincount(key, w, minlength=size * n_categories)
            y = y.reshape(groups.n_groups, n_domains, n_categories)
            return cls(y, y.sum(axis=2))
        y = np.bincount(q, w * values[keep], minlength=size)
        x = np.bincount(q, w, minlength=size)
        return cls(y.reshape(groups.n_groups, n_domains, 1), x.reshape(groups.n_groups, n_domains))

    def minus(self, other: _Sums) -> _Sums:
        """_Sums of the complement ``self - other`` (broadcasting over domains)."""
        return _Sums(self.y - other.y, self.x - other.x)

    @property
    def present(self) -> np.ndarray:
        """Groups x domains: whether the group holds a member of the domain."""
        return self.x > 0

    def full(self, design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
        """Full-sample numerator (domains x categories) and denominator totals."""
        factor = design._full_factor()
        if factor is None:
            return self.y.sum(axis=0), self.x.sum(axis=0)
        return (
            np.tensordot(factor, self.y, axes=(0, 0)),
            factor @ self.x,
        )

    def estimate(self, design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
        """Ratio estimates (domains x categories) and weighted domain totals."""
        num, den = self.full(design)
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / den[:, None], den

    def influence(self, estimate: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Group totals of the ratios' influence values, (n_groups, domains x categories)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (self.y - estimate[None] * self.x[:, :, None]) / total[None, :, None]
        return t.reshape(t.shape[0], -1)

    def replicates(self, design: SurveyDesign) -> np.ndarray:
        """Ratio estimates under every replicate, (replicates, domains, categories)."""
        n_groups, n_dom, n_cat = self.y.shape
        both = design._replicate_sums(np.hstack([self.y.reshape(n_groups, -1), self.x]))
        num, den = both[:, : n_dom * n_cat], both[:, n_dom * n_cat :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return num.reshape(-1, n_dom, n_cat) / den[:, :, None]


def _linear_variance(
    design: SurveyDesign, influence: np.ndarray, present: np.ndarray, *, covariance: bool = False
) -> np.ndarray:
    """Linearized variance (or covariance) from group totals of influence values.

    Parameters
    ----------
    design : SurveyDesign
    influence : ndarray, shape (n_groups, k)
    present : ndarray of bool, shape (n_groups, n_domains)
        Domain membership, for R's lonely-PSU failure.
    covariance : bool

    Returns
    -------
    ndarray, shape (k,) or (k, k)
    """
    design._check_lonely(present)
    totals = design._linear_totals(influence)
    return stratified_variance(totals, design._sampling, covariance=covariance)


def _replicate_var(design: SurveyDesign, thetas: np.ndarray, *, covariance=False) -> np.ndarray:
    """Replicate variance of estimates ``thetas`` (replicates x k) of a replicate design."""
    rep = design._state.replicates
    return replicate_variance(thetas, rep.scale, rep.rscales, covariance=covariance)


def _design_rows(design: SurveyDesign, base: np.ndarray) -> np.ndarray:
    """R's ``nrow()`` of a domain design: all rows of a raked design, else the domain's."""
    if design.is_raked and not design.is_replicate:
        return np.full(np.shape(base), len(design))
    return np.asarray(base)


def _qt(level: float, df: np.ndarray) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1), 0.5 + level / 2), np.nan)


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ListeningError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}")


def _check_ci(ci: str) -> None:
    if ci not in CI_METHODS:
        raise ListeningError(
            f"ci={ci!r} is not a valid interval method; use one of "
            f"{', '.join(repr(m) for m in CI_METHODS)}"
        )


def _logit_ci(p, se_logit, df, level):
    t = _qt(level, df)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        centre = special.logit(p)
        lo = special.expit(centre - t * se_logit)
        hi = special.expit(centre + t * se_logit)
    bad = ~((p > 0) & (p < 1))
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def _beta_ci(p, var, df, m, level):
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = special.stdtrit(np.maximum(m - 1, 1), alpha / 2) / np.where(
            df > 0, special.stdtrit(np.where(df > 0, df, 1), alpha / 2), np.nan
        )
        ratio = np.where(m > 1, ratio, np.nan)
        n_eff = p * (1 - p) / var * ratio**2
        lo = special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)
        hi = special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)
    # Exact Clopper-Pearson bounds bracket p; with a huge effective sample size
    # (a standard error of zero up to rounding) the beta quantiles lose that.
    return np.minimum(lo, p), np.maximum(hi, p)


def _domain_chunks(design: SurveyDesign, n_domains: int, n_categories: int) -> list[np.ndarray]:
    step = max(1, _CELLS // max(design._groups.n_groups * n_categories, 1))
    return [np.arange(s, min(s + step, n_domains)) for s in range(0, n_domains, step)]


def _restrict(domain: np.ndarray, chunk: np.ndarray) -> np.ndarray:
    if len(chunk) and chunk[0] == 0 and chunk[-1] == domain.max(initial=-1):
        return domain
    inside = (domain >= chunk[0]) & (domain <= chunk[-1])
    return np.where(inside, domain - chunk[0], -1)


def _by_frame(groups: pd.DataFrame, repeat: int) -> pd.DataFrame:
    return groups.loc[groups.index.repeat(repeat)].reset_index(drop=True)


# ---------------------------------------------------------------------------- estimators
def proportion(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    ci: str = "logit",
    level: float = 0.95,
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
    _check_ci(ci)
    _check_level(level)
    by_cols = _by_list(by)
    _check_columns(design._data, [column], "column")
    _check_columns(design._data, by_cols, "by column")
    cat, cats = category_codes(design._data[column])
    if len(cats) == 0:
        raise ListeningError(f"column {column!r} has no answers in the data; nothing to estimate")
    dom, groups = domains(design._data, by_cols, design._domain)
    dom = np.where(cat >= 0, dom, -1)
    n_dom, n_cat = len(groups), len(cats)
    counts = np.bincount(dom[dom >= 0] * n_cat + cat[dom >= 0], minlength=n_dom * n_cat)
    counts = counts.reshape(n_dom, n_cat)
    est = np.empty((n_dom, n_cat))
    var = np.empty((n_dom, n_cat))
    se_logit = np.empty((n_dom, n_cat))
    wbase = np.empty(n_dom)
    df = np.empty(n_dom)
    for chunk in _domain_chunks(design, n_dom, n_cat):
        sums = _Sums.take(design, _restrict(dom, chunk), len(chunk), cat, n_cat)
        e, total = sums.estimate(design)
        est[chunk], wbase[chunk] = e, total
        if design.is_replicate:
            thetas = sums.replicates(design)
            var[chunk] = _replicate_var(design, thetas.reshape(len(thetas), -1)).reshape(e.shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                logits = special.logit(thetas).reshape(len(thetas), -1)
            se_logit[chunk] = np.sqrt(_replicate_var(design, logits)).reshape(e.shape)
        else:
            v = _linear_variance(design, sums.influence(e, total), sums.present)
            var[chunk] = v.reshape(e.shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                se_logit[chunk] = np.sqrt(var[chunk]) / (e * (1 - e))
        df[chunk] = design._degf(sums.present)
    base = counts.sum(axis=1)
    df2 = np.repeat(df[:, None], n_cat, axis=1)
    if ci == "logit":
        lo, hi = _logit_ci(est, se_logit, df2, level)
    else:
        m = np.repeat(_design_rows(design, base)[:, None], n_cat, axis=1)
        lo, hi = _beta_ci(est, var, df2, m, level)
    out = _by_frame(groups, n_cat)
    out["category"] = np.tile(np.asarray(cats, dtype=object), n_dom)
    if isinstance(cats, pd.CategoricalIndex):
        out["category"] = pd.Categorical(
            out["category"], categories=cats.categories, ordered=cats.ordered
        )
    out["estimate"] = est.ravel()
    out["se"] = np.sqrt(var).ravel()
    out["ci_low"] = lo.ravel()
    out["ci_high"] = hi.ravel()
    out["n"] = counts.ravel()
    out["base"] = np.repeat(base, n_cat)
    out["weighted_base"] = np.repeat(wbase, n_cat)
    out["df"] = df2.ravel().astype(int)
    return out


def _numeric_values(series: pd.Series, column: str) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
    ):
        raise ListeningError(
            f"column {column!r} is not numeric (dtype {series.dtype}); mean() needs numbers: "
            "use proportion() for a categorical question"
        )
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def mean(
    design: SurveyDesign,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
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
    _check_level(level)
    by_cols = _by_list(by)
    _check_columns(design._data, [column], "column")
    _check_columns(design._data, by_cols, "by column")
    values = _numeric_values(design._data[column], column)
    dom, groups = domains(design._data, by_cols, design._domain)
    dom = np.where(np.isnan(values), -1, dom)
    n_dom = len(groups)
    est, var, wbase, df = (np.empty(n_dom) for _ in range(4))
    for chunk in _domain_chunks(design, n_dom, 1):
        sums = _Sums.take(design, _restrict(dom, chunk), len(chunk), values=values)
        e, total = sums.estimate(design)
        est[chunk], wbase[chunk] = e[:, 0], total
        if design.is_replicate:
            var[chunk] = _replicate_var(design, sums.replicates(design)[:, :, 0])
        else:
            var[chunk] = _linear_variance(design, sums.influence(e, total), sums.present)
        df[chunk] = design._degf(sums.present)
    se = np.sqrt(var)
    t = _qt(level, df)
    out = groups.copy() if by_cols else pd.DataFrame(index=range(1))
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = est - t * se
    out["ci_high"] = est + t * se
    out["base"] = np.bincount(dom[dom >= 0], minlength=n_dom)
    out["weighted_base"] = wbase
    out["df"] = df.astype(int)
    return out


def holm(p: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values, as R's ``p.adjust(p, "holm")`` (NaN kept, not counted).

    Examples
    --------
    >>> import numpy as np
    >>> holm(np.array([0.01, 0.04, np.nan, 0.03])).round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


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
    whole table by Holm's method, and ``vs_rest`` is +1 / -1 when the group
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
    by_cols = _by_list(by)
    if not by_cols:
        raise ListeningError("vs_rest() needs a by column to compare groups with the rest")
    data = design._data
    _check_columns(data, [column], "column")
    _check_columns(data, by_cols, "by column")
    series = data[column]
    if statistic == "auto":
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not (
            pd.api.types.is_bool_dtype(series.dtype)
            or isinstance(series.dtype, pd.CategoricalDtype)
        )
        statistic = "mean" if numeric else "proportion"
    dom, groups = domains(data, by_cols, design._domain)
    if statistic == "mean":
        values = _numeric_values(series, column)
        cat, cats, n_cat = None, None, 1
        dom = np.where(np.isnan(values), -1, dom)
    else:
        values = None
        cat, cats = category_codes(series)
        n_cat = len(cats)
        dom = np.where(cat >= 0, dom, -1)
    n_dom = len(groups)
    inside = np.where(dom >= 0, 0, -1)
    every = _Sums.take(design, inside, 1, cat, n_cat, values)
    df = float(design._degf(every.present)[0])
    est, rest, diff, var = (np.empty((n_dom, n_cat)) for _ in range(4))
    for chunk in _domain_chunks(design, n_dom, n_cat):
        own = _Sums.take(design, _restrict(dom, chunk), len(chunk), cat, n_cat, values)
        other = every.minus(own)
        e_own, t_own = own.estimate(design)
        e_rest, t_rest = other.estimate(design)
        est[chunk], rest[chunk] = e_own, e_rest
        diff[chunk] = e_own - e_rest
        if design.is_replicate:
            d = own.replicates(design) - other.replicates(design)
            var[chunk] = _replicate_var(design, d.reshape(len(d), -1)).reshape(e_own.shape)
        else:
            infl = own.influence(e_own, t_own) - other.influence(e_rest, t_rest)
            var[chunk] = _linear_variance(design, infl, every.present).reshape(e_own.shape)
    se = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = diff / se
        p = 2 * special.stdtr(df, -np.abs(tstat)) if df > 0 else np.full(tstat.shape, np.nan)
    p = np.where(np.isfinite(tstat) | (se == 0) & (diff != 0), p, np.nan)
    p_holm = holm(p.ravel())
    sign = np.where(p_holm < alpha, np.sign(diff.ravel()), 0).astype(int)
    out = _by_frame(groups, n_cat)
    if cats is not None:
        out["category"] = np.tile(np.asarray(cats, dtype=object), n_dom)
        if isinstance(cats, pd.CategoricalIndex):
            out["category"] = pd.Categorical(
                out["category"], categories=cats.categories, ordered=cats.ordered
            )
    out["estimate"] = est.ravel()
    out["rest"] = rest.ravel()
    out["difference"] = diff.ravel()
    out["se"] = se.ravel()
    out["df"] = int(df)
    out["p_value"] = p.ravel()
    out["p_holm"] = p_holm
    out["vs_rest"] = sign
    return out
