"""Survey-weighted generalised linear models, as R's ``svyglm``.

:func:`glm` fits the model of statsmodels' family (its link, variance and
starting values) with the design's weights, which gives the point estimates
of R's ``svyglm`` and of ``statsmodels.api.GLM(y, X, family,
var_weights=w)`` (``tests/test_glm.py`` checks both). The iterations are
Fisher scoring on the p x p normal equations, summed over the cells of the
categorical predictors, rather than statsmodels' QR of the n x p matrix at
every step (about twenty seconds at a million respondents). The design-based
covariance comes from the design's variance engine
(:mod:`listening.design.engine`), never from statsmodels:

* on a linearization design (plain, raked, trimmed) every respondent in the
  model gets the influence values ``(X'WX)^-1 x_i (y_i - mu_i) mu'(eta_i) /
  V(mu_i)``; the engine weights them, adds them up by cluster, applies the
  raking linearization, strata and fpc (R's ``svy.varcoef`` and
  ``svyrecvar``);
* on a replicate design the model is refitted under every replicate's
  weights, starting at the full-sample coefficients, and the engine takes
  the variance of the replicate coefficients (R's ``svyglm.svyrep.design``).

Respondents missing any model variable, and those outside a
:meth:`~listening.SurveyDesign.subset`, are outside the model but keep their
place in the design, as R's ``na.action`` on a design does.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"school": [1, 1, 2, 2, 3, 3, 4, 4],
...                      "y": [1.0, 3, 2, 5, 4, 4, 6, 9], "x": [1.0, 2, 2, 3, 3, 4, 5, 6]})
>>> fit = yl.glm(yl.SurveyDesign(data, clusters="school"), "y ~ x", family="gaussian")
>>> fit.coef.round(4).tolist()
[-0.3333, 1.4103]
>>> fit.df_residual
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from html import escape

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import special

from listening.design.survey_design import SurveyDesign
from listening.errors import ConvergenceError, ListeningError
from listening.estimate.domains import category_codes, check_columns
from listening.estimate.indicators import with_indicators
from listening.estimate.intervals import check_level, qt

FAMILIES: tuple[str, ...] = ("binomial", "gaussian", "poisson")
# R's svyglm with glm.control(epsilon = 1e-14, maxit = 100): converged fits.
_TOL = 1e-13
_MAX_ITER = 100
_NAME = re.compile(r"^\s*(`[^`]+`|[^\s`:*+~()-][^:*+~()`]*?)\s*$")


def _family(name: str):
    """statsmodels' family object (link, variance, starting values) of a family name."""
    from statsmodels.genmod import families

    return {
        "binomial": families.Binomial,
        "gaussian": families.Gaussian,
        "poisson": families.Poisson,
    }[name]()


def _name(text: str, formula: str) -> str:
    m = _NAME.match(text)
    if m is None or not text.strip():
        raise ListeningError(
            f"cannot read {text.strip()!r} in the formula {formula!r}: write "
            "'outcome ~ column + column', each term a column of the design's data "
            "(backquote names with spaces or symbols, e.g. `age band`); interactions "
            "and transformations are not supported: add the column with design.with_columns"
        )
    return m.group(1).strip("`")


def parse_formula(formula: str) -> tuple[str, list[str]]:
    """The response and the predictor columns of ``'y ~ a + b'``.

    Examples
    --------
    >>> parse_formula("unsafe ~ age_band + `trusted adult`")
    ('unsafe', ['age_band', 'trusted adult'])
    >>> parse_formula("y ~ 1"), parse_formula("y ~ 1 + x")
    (('y', []), ('y', ['x']))
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise ListeningError(
            f"formula must be text with one '~', e.g. 'unsafe_dark ~ age_band + sex'; "
            f"got {formula!r}"
        )
    left, right = formula.split("~")
    response = _name(left, formula)
    terms = [_name(t, formula) for t in right.split("+") if t.strip() != "1"]
    if len(set(terms)) != len(terms):
        raise ListeningError(f"the formula {formula!r} names a column twice")
    if response in terms:
        raise ListeningError(f"the formula {formula!r} has its response among the predictors")
    return response, terms


def _is_numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not isinstance(dtype, pd.CategoricalDtype)
    )


def _response(series: pd.Series, column: str, family: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype) or _is_numeric(series):
        y = series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        hint = (
            f"for a binomial model make a 0/1 column, e.g. design.with_columns("
            f"{column}_yes=design.data[{column!r}] == 'Yes') (keep it missing where the "
            "answer is missing)"
            if family == "binomial"
            else "give a numeric column"
        )
        raise ListeningError(
            f"the response {column!r} is not numeric or boolean (dtype {series.dtype}); {hint}"
        )
    ok = y[~np.isnan(y)]
    if family == "binomial" and ((ok < 0) | (ok > 1)).any():
        bad = ok[(ok < 0) | (ok > 1)][0]
        raise ListeningError(
            f"the response {column!r} of a binomial model must be 0/1 (or a proportion in "
            f"[0, 1]); it holds {bad!r}"
        )
    if family == "poisson" and (ok < 0).any():
        raise ListeningError(
            f"the response {column!r} of a poisson model must be a count (>= 0); it holds "
            f"{ok[ok < 0][0]!r}"
        )
    return y


@dataclass(frozen=True, eq=False)
class CellMatrix:
    """A model matrix stored as its categorical cells plus its numeric columns.

    Row ``i`` of the n x p matrix is ``cells[cell[i]]`` with the numeric
    columns ``numeric[i]`` put in at positions ``at``. Most respondents share
    their combination of categories with many others, so the products an
    iteration needs (``X b``, ``X' W X``, ``X' v``) take a few ``np.bincount``
    passes over the rows and work on the cells, not an n x p matrix.

    Examples
    --------
    >>> import numpy as np
    >>> m = CellMatrix(np.array([0, 1, 1]), np.array([[1.0, 0, 0], [1, 1, 0]]),
    ...                np.array([[5.0], [6], [7]]), np.array([2]))
    >>> m.dense().tolist()
    [[1.0, 0.0, 5.0], [1.0, 1.0, 6.0], [1.0, 1.0, 7.0]]
    >>> m.gram(np.ones(3)).tolist() == (m.dense().T @ m.dense()).tolist()
    True
    """

    cell: np.ndarray
    cells: np.ndarray
    numeric: np.ndarray
    at: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(n, p)."""
        return len(self.cell), self.cells.shape[1]

    def dense(self) -> np.ndarray:
        """The n x p matrix."""
        X = self.cells[self.cell]
        X[:, self.at] = self.numeric
        return X

    def dot(self, beta: np.ndarray) -> np.ndarray:
        """``X @ beta``."""
        return (self.cells @ beta)[self.cell] + self.numeric @ beta[self.at]

    def tdot(self, v: np.ndarray) -> np.ndarray:
        """``X.T @ v``."""
        out = self.cells.T @ np.bincount(self.cell, v, minlength=len(self.cells))
        out[self.at] += self.numeric.T @ v
        return out

    def gram(self, weight: np.ndarray) -> np.ndarray:
        """``X.T @ diag(weight) @ X``."""
        k = len(self.cells)
        by_cell = np.bincount(self.cell, weight, minlength=k)
        out = self.cells.T @ (self.cells * by_cell[:, None])
        wn = self.numeric * weight[:, None]
        for j, q in enumerate(self.at):
            cross = self.cells.T @ np.bincount(self.cell, wn[:, j], minlength=k)
            out[:, q] += cross
            out[q, :] += cross
        out[np.ix_(self.at, self.at)] += self.numeric.T @ wn
        return out


@dataclass(frozen=True, eq=False)
class ModelFrame:
    """The rows, response and model matrix of a model (treatment contrasts, as R).

    Attributes
    ----------
    response : str
    predictors : tuple of str
    rows : ndarray of int
        Positions (in the design) of the respondents in the model.
    y : ndarray, shape (len(rows),)
    matrix : CellMatrix
        The model matrix, ``len(rows)`` x p (``X`` is it as an array).
    terms : DataFrame
        One row per column of ``X``: ``term``, ``variable`` (None for the
        intercept), ``level`` (None for a numeric variable) and ``n``
        (respondents in the model at that level; all of them otherwise).
    levels : dict
        Levels of every categorical predictor in the model, first = reference.
    """

    response: str
    predictors: tuple[str, ...]
    rows: np.ndarray
    y: np.ndarray
    matrix: CellMatrix
    terms: pd.DataFrame
    levels: dict

    @cached_property
    def X(self) -> np.ndarray:
        """The model matrix as an array, shape (len(rows), p)."""
        return self.matrix.dense()

    @classmethod
    def build(cls, design: SurveyDesign, formula: str, family: str) -> ModelFrame:
        """Read ``formula`` on the design's data, within its domain and complete cases."""
        response, predictors = parse_formula(formula)
        data = design.data
        check_columns(data, [response, *predictors], "model column")
        y = _response(data[response], response, family)
        keep = ~np.isnan(y)
        if design.domain is not None:
            keep &= design.domain
        numeric: dict[str, np.ndarray] = {}
        codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        for col in predictors:
            series = data[col]
            if _is_numeric(series):
                numeric[col] = series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                keep &= ~np.isnan(numeric[col])
            else:
                codes[col], cats_all = category_codes(series)
                keep &= codes[col] >= 0
                codes[col] = (codes[col], cats_all)
        rows = np.flatnonzero(keep)
        if len(rows) == 0:
            raise ListeningError(
                f"no respondent has every variable of {formula!r} (and is in the domain); "
                "nothing to fit"
            )
        terms = [("(Intercept)", None, None, len(rows))]
        levels: dict[str, pd.Index] = {}
        num_cols, num_at, cat_codes = [], [], []
        for col in predictors:
            if col in numeric:
                num_cols.append(numeric[col][rows])
                num_at.append(len(terms))
                terms.append((col, col, None, len(rows)))
                continue
            code, cats = codes[col]
            code = code[rows]
            counts = np.bincount(code, minlength=len(cats))
            used = counts > 0  # categories no one in the model has are dropped
            code = (np.cumsum(used) - 1)[code]
            cats, counts = cats[used], counts[used]
            if isinstance(cats, pd.CategoricalIndex):
                cats = pd.CategoricalIndex(cats, categories=cats, ordered=cats.ordered)
            levels[col] = cats
            cat_codes.append((code, len(cats), len(terms)))
            for k in range(1, len(cats)):
                terms.append((f"{col}[{cats[k]}]", col, cats[k], int(counts[k])))
        table = pd.DataFrame(terms, columns=["term", "variable", "level", "n"])
        matrix = _cell_matrix(len(rows), len(terms), cat_codes, num_cols, num_at)
        return cls(response, tuple(predictors), rows, y[rows], matrix, table, levels)

    def counterfactual(self, column: str, level: object) -> np.ndarray:
        """The model matrix with every respondent given ``level`` of ``column``.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"y": [0.0, 1, 1], "g": ["a", "b", "b"]}))
        >>> ModelFrame.build(d, "y ~ g", "binomial").counterfactual("g", "b").tolist()
        [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
        """
        X = self.X.copy()
        mine = (self.terms["variable"] == column).to_numpy()
        X[:, mine] = 0.0
        X[:, np.flatnonzero(mine & (self.terms["level"] == level).to_numpy())] = 1.0
        return X


def _cell_matrix(n, p, cat_codes, num_cols, num_at) -> CellMatrix:
    """The cells (combinations of the categorical predictors) and the numeric columns."""
    cell = np.zeros(n, dtype=np.int64)
    n_cells = 1
    for code, size, _ in cat_codes:  # renumbered as it goes, so the key stays small
        cell, uniq = pd.factorize(cell * size + code)
        n_cells = len(uniq)
    first = np.zeros(n_cells, dtype=np.int64)  # a row of every cell
    first[cell[::-1]] = np.arange(n)[::-1]
    cells = np.zeros((len(first), p))
    cells[:, 0] = 1.0
    for code, _, start in cat_codes:
        level = code[first]
        has = level > 0
        cells[np.flatnonzero(has), start + level[has] - 1] = 1.0
    numeric = np.column_stack(num_cols) if num_cols else np.zeros((n, 0))
    return CellMatrix(np.asarray(cell, dtype=np.int64), cells, numeric, np.array(num_at, dtype=int))


def _solve(info: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``info @ x = rhs`` for a positive definite ``info`` (Cholesky, equilibrated)."""
    scale = 1 / np.sqrt(np.diag(info))
    factor = scipy.linalg.cho_factor(info * np.outer(scale, scale))
    return scale * scipy.linalg.cho_solve(factor, rhs * scale)


def _irls(X: CellMatrix, y, w, family: str, start: np.ndarray | None = None) -> np.ndarray:
    """Coefficients of the weighted GLM, iterated to convergence (R's ``glm.fit``).

    The model (link, variance, starting values) is statsmodels' family; the
    iterations are Fisher scoring on the normal equations ``X' W X`` (a p x p
    Cholesky per step instead of a QR of the n x p matrix, and ``X' W X`` by
    cells, see :class:`CellMatrix`). Each step adds the solution of
    ``X' W X d = X' w (y - mu) mu' / V``: at convergence the score is zero to
    rounding, however the steps were solved. Converged when no coefficient
    moves by more than 1e-13 (relative; absolute below 1), as R's ``svyglm``
    with ``glm.control(epsilon = 1e-14)``.
    """
    fam = _family(family)
    w = w / w.mean()
    if start is None:
        mu = fam.starting_mu(y)
        eta = fam.predict(mu)
        mu_eta = 1 / fam.link.deriv(mu)
        weight = w * mu_eta**2 / fam.variance(mu)
        z = eta + (y - mu) / mu_eta
        beta = _safe_solve(X.gram(weight), X.tdot(weight * z), family)
    else:
        beta = np.asarray(start, dtype=float).copy()
    for _ in range(_MAX_ITER):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            mu, mu_eta, var = model_moments(family, X.dot(beta))
            info = X.gram(w * mu_eta**2 / var)
            score = X.tdot(w * (y - mu) * mu_eta / var)
        step = _safe_solve(info, score, family)
        beta = beta + step
        if not np.isfinite(beta).all():
            break
        if np.all(np.abs(step) <= _TOL * (np.abs(beta) + 1)):
            return beta
    raise ConvergenceError(
        f"the {family} model did not converge in {_MAX_ITER} iterations; usually a "
        "category where every respondent has the same outcome (or none has it): merge "
        "it with a neighbouring category or leave that variable out"
    )


def _safe_solve(info: np.ndarray, rhs: np.ndarray, family: str) -> np.ndarray:
    try:
        return _solve(info, rhs)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        raise ConvergenceError(
            f"the {family} model broke down (fitted values of exactly 0 or 1, or of no "
            "weight): usually a category where every respondent has the same outcome; "
            "merge it with a neighbouring category or leave that variable out"
        ) from None


def model_moments(family: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu, dmu/deta and V(mu) of a family on its canonical link.

    Examples
    --------
    >>> [v.tolist() for v in model_moments("poisson", np.array([0.0]))]
    [[1.0], [1.0], [1.0]]
    """
    if family == "binomial":
        mu = special.expit(eta)
        v = mu * (1 - mu)
        return mu, v, v
    if family == "poisson":
        mu = np.exp(eta)
        return mu, mu, mu
    one = np.ones_like(eta)
    return eta, one, one


def _check_rank(X: CellMatrix, terms: pd.DataFrame, formula: str) -> None:
    gram = X.gram(np.ones(X.shape[0]))
    norm = np.sqrt(np.diag(gram))
    norm[norm == 0] = 1.0
    eig = np.linalg.eigvalsh(gram / np.outer(norm, norm))
    rank = int((eig > 1e-10 * eig.max()).sum())
    if rank < X.shape[1]:
        raise ListeningError(
            f"the model {formula!r} cannot separate all of its terms ({X.shape[1]} "
            f"columns, rank {rank}): two predictors carry the same information (e.g. a "
            "variable that is constant in the domain, or one determined by another); "
            f"terms: {', '.join(terms['term'])}"
        )


class GLMFit:
    """A fitted survey-weighted GLM (what :func:`glm` returns).

    Attributes
    ----------
    formula, family : str
    level : float
        Confidence level of the intervals.
    coef : Series
        Coefficients (R's ``coef()``), by term.
    cov : DataFrame
        Design-based covariance (R's ``vcov()``).
    df_residual : int
        R's ``df.residual``: ``degf(design) + 1 - len(coef)``.
    n : int
        Respondents in the model.
    table : DataFrame
        ``term``, ``estimate``, ``se``, ``statistic``, ``p_value``, ``ci_low``,
        ``ci_high`` (+ ``odds_ratio``, ``or_low``, ``or_high`` for a binomial
        model), then ``variable``, ``level``, ``n`` (respondents at that
        level) and ``suppressed`` of every term: a level with fewer than
        ``min_base`` respondents in the model has NaN figures here and in the
        printed forms (disclosure control).
    min_base : int
    design : SurveyDesign
    frame : ModelFrame

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"school": list("aabbccdd"), "visits": [0, 2, 1, 4, 3, 5, 2, 6],
    ...                      "age": [11, 12, 13, 14, 15, 16, 17, 18]})
    >>> fit = yl.glm(yl.SurveyDesign(data, clusters="school"), "visits ~ age", family="poisson",
    ...              min_base=5)
    >>> fit.n, fit.df_residual, list(fit.cov.columns)
    (8, 2, ['(Intercept)', 'age'])
    """

    def __init__(
        self,
        design: SurveyDesign,
        formula: str,
        family: str,
        level: float,
        frame: ModelFrame,
        coef: np.ndarray,
        cov: np.ndarray,
        df_residual: int,
        min_base: int = 10,
    ) -> None:
        names = frame.terms["term"].tolist()
        self.design = design
        self.formula = formula
        self.family = family
        self.level = level
        self.frame = frame
        self.coef = pd.Series(coef, index=names, name="estimate")
        self.cov = pd.DataFrame(cov, index=names, columns=names)
        self.df_residual = int(df_residual)
        self.n = len(frame.rows)
        self.min_base = min_base
        self.table = self._table()

    @property
    def weights(self) -> np.ndarray:
        """The design weights of the respondents in the model."""
        return self.design.weights.to_numpy()[self.frame.rows]

    def _table(self) -> pd.DataFrame:
        est = self.coef.to_numpy()
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        df = self.df_residual
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = est / se
        p = 2 * special.stdtr(df, -np.abs(stat)) if df > 0 else np.full(len(est), np.nan)
        t = qt(self.level, np.array(df))
        out = pd.DataFrame(
            {
                "term": self.coef.index,
                "estimate": est,
                "se": se,
                "statistic": stat,
                "p_value": p,
                "ci_low": est - t * se,
                "ci_high": est + t * se,
            }
        )
        if self.family == "binomial":
            with np.errstate(over="ignore"):
                out["odds_ratio"] = np.exp(est)
                out["or_low"] = np.exp(out["ci_low"])
                out["or_high"] = np.exp(out["ci_high"])
        for col in ("variable", "level", "n"):
            out[col] = self.frame.terms[col].to_numpy()
        hide = (out["n"] < self.min_base).to_numpy()
        figures = [c for c in out.columns if c not in ("term", "variable", "level", "n")]
        out.loc[hide, figures] = np.nan
        out["suppressed"] = hide
        return out

    def __repr__(self) -> str:
        cols = ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
        if self.family == "binomial":
            cols += ["odds_ratio"]
        shown = self.table[cols].astype(object)
        shown.loc[self.table["suppressed"].to_numpy(), cols[1:]] = "[c]"
        body = shown.to_string(index=False, formatters=dict.fromkeys(cols[1:], _fmt))
        return f"{self._title()}\n{body}{self._footnote()}"

    def _footnote(self) -> str:
        if not self.table["suppressed"].any():
            return ""
        return f"\n[c]: fewer than {self.min_base} respondents in that category"

    def _title(self) -> str:
        return (
            f"Survey-weighted {self.family} GLM: {self.formula}\n"
            f"{self.n:,} respondents, residual df {self.df_residual}, "
            f"{self.level:.0%} intervals ({self._variance_kind()})"
        )

    def _variance_kind(self) -> str:
        if self.design.is_replicate:
            return f"{self.design.replicate_type} replicates"
        return "raking linearization" if self.design.is_raked else "linearization"

    def _repr_html_(self) -> str:
        cols = ["term", "estimate", "se", "p_value", "ci_low", "ci_high"]
        if self.family == "binomial":
            cols += ["odds_ratio", "or_low", "or_high"]
        head = "".join(f"<th>{escape(c)}</th>" for c in cols)
        rows = []
        for _, r in self.table.iterrows():
            cells = [f"<td>{escape(str(r['term']))}</td>"]
            cells += [f"<td>{'[c]' if r['suppressed'] else _fmt(r[c])}</td>" for c in cols[1:]]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        title = escape(self._title() + self._footnote()).replace("\n", "<br>")
        return (
            f"<div><p>{title}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def _fmt(value: object) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"


def _linearization_cov(design: SurveyDesign, frame: ModelFrame, coef, family, w):
    """Design-based covariance from the influence values, through the engine."""
    engine = design.engine
    X = frame.matrix
    mu, mu_eta, var = model_moments(family, X.dot(coef))
    ainv = np.linalg.inv(X.gram(w * mu_eta**2 / var))
    resid = (frame.y - mu) * mu_eta / var
    key = np.full(len(design), -1, dtype=np.int64)
    key[frame.rows] = 0
    full = np.zeros(len(design))
    sums = []
    for j in range(len(coef)):  # row i's influence on coefficient j: (x_i' A^-1)_j resid_i
        full[frame.rows] = X.dot(ainv[:, j]) * resid
        sums.append(engine.group_sums(key, 1, values=full)[:, 0])
    v = engine.variance(np.column_stack(sums), present=engine.presence(key, 1), covariance=True)
    return v.var, int(v.df[0])


def replicate_weights(design: SurveyDesign, rows: np.ndarray):
    """Replicate weights of the given rows, one replicate at a time (a generator).

    Built from public members: the engine's groups, the replicates' group
    factors and the weights before raking (every replicate re-rakes them).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 2, 3]}), clusters="c").jackknife()
    >>> [w.tolist() for w in replicate_weights(d, np.arange(3))][0]
    [0.0, 1.5, 1.5]
    """
    groups = design.engine.groups
    rep = design.state.replicates
    factors = rep.group_factors(groups, np.arange(groups.n_groups))
    base = design.state.base[rows]
    code = groups.code[rows]
    for r in range(rep.n_replicates):
        yield base * factors[code, r]


def stored_degf(design: SurveyDesign) -> int:
    """R's ``degf`` of a replicate design as ``as.svrepdesign`` stored it (before re-raking).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> stored_degf(yl.SurveyDesign(pd.DataFrame({"c": [1, 2, 3]}), clusters="c").jackknife())
    2
    """
    groups = design.engine.groups
    plain = replace(design.state.replicates, cell_factors=None)
    return plain.domain_rank(groups, np.arange(groups.n_groups)) - 1


def _replicate_cov(design: SurveyDesign, frame: ModelFrame, coef, family):
    """Refit under every replicate (R's ``svyglm.svyrep.design``) and ask the engine."""
    engine = design.engine
    thetas = []
    for wr in replicate_weights(design, frame.rows):
        thetas.append(_irls(frame.matrix, frame.y, wr, family, start=coef))
    inside = np.full(len(design), -1, dtype=np.int64)
    inside[np.flatnonzero(design.domain) if design.domain is not None else slice(None)] = 0
    v = engine.variance(
        replicates=np.array(thetas), present=engine.presence(inside, 1), covariance=True
    )
    df = stored_degf(design) if design.domain is None else int(v.df[0])
    return v.var, df


def glm(
    design: SurveyDesign,
    formula: str,
    family: str = "binomial",
    level: float = 0.95,
    *,
    min_base: int = 10,
) -> GLMFit:
    """Fit a survey-weighted generalised linear model (R's ``svyglm``).

    ``family="binomial"`` is R's ``svyglm(formula, design,
    family=quasibinomial())``, ``"gaussian"`` is ``gaussian()`` and
    ``"poisson"`` is ``quasipoisson()``, all on their canonical links
    (logit, identity, log). A categorical predictor (categorical, text or
    boolean column) is coded with its first category, in the column's
    category order, as the reference (R's treatment contrasts); categories
    no one in the model has are dropped. Respondents missing any model
    variable, or outside a :meth:`~listening.SurveyDesign.subset`, are
    outside the model but keep their place in the design.

    Parameters
    ----------
    design : SurveyDesign
        Plain, raked, trimmed or replicate design (or a subset of one).
    formula : str
        ``"response ~ column + column + ..."``; ``"response ~ 1"`` for the
        intercept alone. Backquote column names with spaces or symbols.
    family : {"binomial", "gaussian", "poisson"}
        For ``"binomial"`` the response is a 0/1 or boolean column.
    level : float
        Confidence level of the intervals (Wald, t on ``df_residual``, as
        R's ``confint``).
    min_base : int
        Terms of a category with fewer respondents in the model are shown as
        NaN in ``fit.table`` and its printed forms (``suppressed`` is True);
        ``fit.coef`` and ``fit.cov`` keep every figure, for further
        computation, not for publication.

    Returns
    -------
    GLMFit
        ``fit.table``, ``fit.coef``, ``fit.cov``, ``fit.df_residual``.

    Raises
    ------
    ListeningError
        For a formula, response or family it cannot use.
    ConvergenceError
        When the fit does not converge (e.g. complete separation).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"school": list("aabbccdd"), "w": [1.0, 2, 1, 2, 1, 2, 1, 2],
    ...                      "unsafe": [1, 0, 0, 1, 1, 1, 0, 0],
    ...                      "sex": ["F", "M", "F", "M", "F", "F", "M", "M"]})
    >>> design = yl.SurveyDesign(data, weights="w", clusters="school")
    >>> fit = yl.glm(design, "unsafe ~ sex", family="binomial", min_base=4)
    >>> fit.table[["term", "estimate", "odds_ratio"]].round(3)
              term  estimate  odds_ratio
    0  (Intercept)     1.386         4.0
    1       sex[M]    -2.303         0.1
    """
    if family not in FAMILIES:
        raise ListeningError(
            f"family={family!r} is not available; use one of {', '.join(repr(f) for f in FAMILIES)}"
        )
    check_level(level)
    if not isinstance(design, SurveyDesign):
        raise ListeningError(
            f"glm() needs a SurveyDesign, not {type(design).__name__}; e.g. "
            "yl.glm(yl.SurveyDesign.from_survey(survey), 'y ~ x')"
        )
    response, predictors = parse_formula(formula)
    design = with_indicators(design, response, *predictors)
    frame = ModelFrame.build(design, formula, family)
    _check_rank(frame.matrix, frame.terms, formula)
    w = design.weights.to_numpy()[frame.rows]
    coef = _irls(frame.matrix, frame.y, w, family)
    if design.is_replicate:
        cov, degf = _replicate_cov(design, frame, coef, family)
    else:
        cov, degf = _linearization_cov(design, frame, coef, family, w)
    return GLMFit(design, formula, family, level, frame, coef, cov, degf + 1 - len(coef), min_base)
