"""Tests of association for two-way tables: the Rao-Scott correction, as R's ``svychisq``.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"area": list("aaaabbbbcccc"), "safe": list("yyyyyynnynnn")})
>>> res = yl.rao_scott(yl.SurveyDesign(data), "safe", "area")
>>> res.method
"Pearson's X^2: Rao & Scott adjustment (F)"
>>> round(res.statistic, 4), round(res.p_value, 4)  # R: F = 2.3176, p-value = 0.1223
(2.3176, 0.1223)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.domains import category_codes, check_columns
from listening.estimate.indicators import with_indicators
from listening.estimate.sums import WeightedSums, design_rows

RAO_SCOTT_STATISTICS: tuple[str, ...] = ("F", "Chisq")


@dataclass(frozen=True)
class RaoScottResult:
    """The result of :func:`rao_scott`.

    Attributes
    ----------
    statistic : float
        ``"F"``: the Pearson X² divided by the sum of the design effects
        (eigenvalues δ); ``"Chisq"``: the Pearson X² of the weighted table
        scaled to the number of rows of the domain design.
    df_num : float
        ``"F"``: ``d0 = (sum δ)² / sum δ²``; ``"Chisq"``: ``(r - 1)(c - 1)``.
    df_den : float or None
        ``"F"``: ``d0`` times the design's degrees of freedom; ``None`` for ``"Chisq"``.
    p_value : float
    method : str
    adjusted_statistic : float
        The first-order corrected statistic ``X² / mean(δ)``.
    pearson : float
        The Pearson X² of the weighted table scaled to the rows of the domain design.

    Examples
    --------
    >>> RaoScottResult(1.0, 1.0, 10.0, 0.34, "F", 1.0, 1.0).df_den
    10.0
    """

    statistic: float
    df_num: float
    df_den: float | None
    p_value: float
    method: str
    adjusted_statistic: float
    pearson: float

    def __repr__(self) -> str:
        """As R prints ``svychisq``: the method, then the statistic, df and p-value.

        Examples
        --------
        >>> print(RaoScottResult(2.3176, 1.9, 15.2, 0.1223, "Rao-Scott (F)", 4.6, 5.0))
        Rao-Scott (F)
          F = 2.3176, ndf = 1.9, ddf = 15.2, p-value = 0.1223
        """
        if self.df_den is None:
            numbers = f"X-squared = {self.statistic:.5g}, df = {self.df_num:.5g}"
        else:
            numbers = f"F = {self.statistic:.5g}, ndf = {self.df_num:.5g}, ddf = {self.df_den:.5g}"
        return f"{self.method}\n  {numbers}, p-value = {self.p_value:.4g}"

    def _repr_html_(self) -> str:
        """The same, for notebooks."""
        text = repr(self).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{text}</pre>"


def _x1_x12(nr: int, nc: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    r = (rows[:, None] == np.arange(1, nr)[None, :]).astype(float)
    c = (cols[:, None] == np.arange(1, nc)[None, :]).astype(float)
    x1 = np.hstack([np.ones((nr * nc, 1)), r, c])
    inter = (r[:, :, None] * c[:, None, :]).reshape(nr * nc, -1)
    return x1, inter


def rao_scott(design: SurveyDesign, row: str, col: str, *, statistic: str = "F") -> RaoScottResult:
    """Rao-Scott test of association between two categorical columns.

    ``statistic="F"`` is R's default ``svychisq(~row + col, design,
    statistic="F")``: the second-order corrected F on ``d0`` and ``d0 * nu``
    degrees of freedom, ``nu`` the design's degrees of freedom (clusters
    minus strata of the rows the domain design keeps: all rows of a raked
    design, the respondents with both answers otherwise; for a replicate
    design its ``degf``). ``statistic="Chisq"`` gives the Pearson X² and the
    p-value of the first-order adjusted ``X² / mean(δ)`` on ``(r - 1)(c - 1)``
    degrees of freedom. Respondents missing either column are outside the domain.

    Parameters
    ----------
    design : SurveyDesign
    row, col : str
        Categorical columns.
    statistic : {"F", "Chisq"}

    Returns
    -------
    RaoScottResult

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"a": list("xxyyxxyy"), "b": list("pqpqppqq")})
    >>> res = yl.rao_scott(yl.SurveyDesign(data), "a", "b", statistic="Chisq")
    >>> res.statistic, res.df_num, res.df_den  # R: X-squared = 2, df = 1
    (2.0, 1, None)
    """
    _check_statistic(statistic)
    design = with_indicators(design, row, col)
    data = design.data
    check_columns(data, [row, col], "column")
    r_code, _ = category_codes(data[row])
    c_code, _ = category_codes(data[col])
    return rao_scott_codes(design, r_code, c_code, statistic=statistic, names=(row, col))


def rao_scott_codes(
    design: SurveyDesign,
    r_code: np.ndarray,
    c_code: np.ndarray,
    *,
    statistic: str = "F",
    names: tuple[str, str] = ("row", "column"),
) -> RaoScottResult:
    """:func:`rao_scott` on the two columns' integer codes (-1: missing).

    Only the order of the codes counts (categories are taken in it), so
    codes from :func:`~listening.estimate.domains.category_codes` give
    :func:`rao_scott`'s result exactly.

    Parameters
    ----------
    design : SurveyDesign
    r_code, c_code : ndarray of int
        Every respondent's row and column category.
    statistic : {"F", "Chisq"}
    names : tuple of str
        The columns' names, for messages.

    Returns
    -------
    RaoScottResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import listening as yl
    >>> design = yl.SurveyDesign(pd.DataFrame({"i": range(8)}))
    >>> res = rao_scott_codes(design, np.array([0, 0, 1, 1, 0, 0, 1, 1]),
    ...                       np.array([0, 1, 0, 1, 0, 0, 1, 1]), statistic="Chisq")
    >>> res.statistic, res.df_num
    (2.0, 1)
    """
    _check_statistic(statistic)
    row, col = names
    inside = (r_code >= 0) & (c_code >= 0)
    if design.domain is not None:
        inside &= design.domain
    r_used = np.unique(r_code[inside])
    c_used = np.unique(c_code[inside])
    nr, nc = len(r_used), len(c_used)
    if nr < 2 or nc < 2:
        raise ListeningError(
            f"a test of association needs at least two categories in each column among "
            f"respondents who answered both; {row!r} has {nr} and {col!r} has {nc}"
        )
    r_code = np.searchsorted(r_used, r_code)
    c_code = np.searchsorted(c_used, c_code)
    cell = np.where(inside, r_code + nr * c_code, 0)
    domain = np.where(inside, 0, -1)
    sums = WeightedSums.take(design, domain, 1, cell, nr * nc)
    p, total = sums.estimate(design)
    variance = sums.variance(design, p, total, covariance=True)
    v = variance.var
    nu = float(variance.df[0] if design.is_replicate else _kept_degf(design, inside))
    p = p[0]
    n_rows = float(design_rows(design, np.array([inside.sum()]))[0])
    x1, inter = _x1_x12(nr, nc)
    cmat = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    with np.errstate(divide="ignore"):
        inv = np.where(p == 0, 0.0, 1.0 / p)
    denom = cmat.T @ (inv[:, None] / n_rows * cmat)
    numr = cmat.T @ (inv[:, None] * v * inv[None, :]) @ cmat
    try:
        delta = np.linalg.solve(denom, numr)
    except np.linalg.LinAlgError:  # R's svychisq stops too: "system is ... singular"
        raise ListeningError(
            f"the test of association of {row!r} by {col!r} cannot be computed: the table's "
            "empty cells make its design matrix singular (R's svychisq stops with the same "
            "error); merge small categories, or test fewer groups."
        ) from None
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    table = (p * n_rows).reshape(nc, nr).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    pearson = float(((table - expected) ** 2 / expected).sum())
    df1 = (nr - 1) * (nc - 1)
    adjusted = pearson / (trace / df1)
    if statistic == "F":
        f = pearson / trace
        return RaoScottResult(
            statistic=f,
            df_num=d0,
            df_den=d0 * nu,
            p_value=float(special.fdtrc(d0, d0 * nu, f)),
            method="Pearson's X^2: Rao & Scott adjustment (F)",
            adjusted_statistic=adjusted,
            pearson=pearson,
        )
    return RaoScottResult(
        statistic=pearson,
        df_num=df1,
        df_den=None,
        p_value=float(special.chdtrc(df1, adjusted)),
        method="Pearson's X^2: Rao & Scott adjustment (Chisq, first order)",
        adjusted_statistic=adjusted,
        pearson=pearson,
    )


def _check_statistic(statistic: str) -> None:
    if statistic not in RAO_SCOTT_STATISTICS:
        raise ListeningError(
            f"statistic={statistic!r} is not valid; use one of "
            f"{', '.join(repr(s) for s in RAO_SCOTT_STATISTICS)}"
        )


def _kept_degf(design: SurveyDesign, inside: np.ndarray) -> int:
    """Clusters minus strata of the rows a domain design keeps (R's ``nu`` in svychisq)."""
    s = design.sampling
    rows = np.ones(len(inside), dtype=bool) if design.is_raked else inside
    clusters = np.unique(s.cluster[rows])
    return len(clusters) - len(np.unique(s.cluster_stratum[clusters]))


def table_association(
    design: SurveyDesign, question: str, by: Sequence[str], options: Mapping[str, str] | None = None
) -> RaoScottResult | dict[str, RaoScottResult | None] | None:
    """The Rao-Scott test of a briefing table: the question against its groups.

    Several ``by`` columns make one combined variable ("Fenland x 11-13"). A
    multi-select question (``options``: option -> tick column) gets a test per
    option. ``None`` where there is no test (fewer than two categories, a
    singular design matrix).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": list("aaaabbbbcccc"), "safe": list("yyyyyynnynnn")})
    >>> round(table_association(yl.SurveyDesign(data), "safe", ["area"]).p_value, 4)
    0.1223
    """
    by = list(by)
    if len(by) > 1:
        data = design.data
        labels = [data[c].astype(object).map(str) for c in by]
        combined = labels[0].str.cat(labels[1:], sep=" x ")
        design = design.with_columns(
            **{" x ".join(by): combined.where(data[by].notna().all(axis=1))}
        )
    name = " x ".join(by)
    if options is not None:
        present = {o: c for o, c in options.items() if c in design.data.columns}
        return {option: _tested(design, column, name) for option, column in present.items()}
    return _tested(design, question, name)


def _tested(design: SurveyDesign, row: str, col: str) -> RaoScottResult | None:
    try:
        return rao_scott(design, row, col)
    except ListeningError:  # too few categories, or a singular design matrix: no test
        return None
