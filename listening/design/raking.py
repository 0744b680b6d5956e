"""Raking (iterative proportional fitting) to population margins.

Respondents are first compressed to the unique combinations of the raking
variables ("cells"): raking then runs on a few hundred cells, however many
respondents there are, and on many replicates at once (a cells x replicates
array). The result equals R's ``calibrate(design, ~m1 + m2, totals,
calfun="raking")``: the raked weights are the base weights times a factor per
cell. The variance of a raked design uses that calibration's linearization:
influence values are divided by the raked weight, regressed by weighted least
squares (weights: the base weights) on an intercept and the indicators of every
margin, and the residuals multiplied back by the raked weight. Regressors are
constant within cells, so the regression runs on cell totals.

Examples
--------
>>> import pandas as pd
>>> from listening.design.raking import prepare_margins, rake_cells
>>> data = pd.DataFrame({"sex": ["F", "F", "M"], "area": ["A", "B", "B"]})
>>> margins = [pd.DataFrame({"sex": ["F", "M"], "population": [50, 50]}),
...            pd.DataFrame({"area": ["A", "B"], "population": [40, 60]})]
>>> cells = prepare_margins(data, margins)
>>> factor, sweeps = rake_cells(cells.cell_totals(data.index.to_series() * 0 + 1.0), cells)
>>> [round(float(x), 6) for x in factor]
[40.0, 10.0, 50.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from listening.design.variance import compact, plain
from listening.errors import ConvergenceError, MarginsError

POPULATION = "population"
_TOTALS_RTOL = 1e-6
_SHOW = 10
# Once the tolerance is met, a few more sweeps (while they still help) take the
# weights to machine precision, as R's Newton-Raphson calibration does: a
# raked variable then has a standard error of zero up to rounding.
_POLISH = 50
_EXACT = 1e-14


def label(value: object) -> str:
    """The text label used to match a data value to a margin row.

    Integers (also integer-valued floats) and booleans are written plainly, so
    a margin read from CSV as text matches a numeric or categorical column.

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> label(12.0), label("12"), label(True)
    ('12', '12', 'True')
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def progress_bar(iterable: Any, enabled: bool, desc: str) -> Any:
    """Wrap ``iterable`` in a tqdm progress bar when ``enabled`` (tqdm imported only then).

    Examples
    --------
    >>> list(progress_bar(range(3), False, "sweeps"))
    [0, 1, 2]
    """
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc)


def _show(items: Sequence[object], *, quote: bool = True) -> str:
    shown = ", ".join(repr(x) if quote else str(x) for x in list(items)[:_SHOW])
    more = len(items) - _SHOW
    return shown + (f" and {more} more" if more > 0 else "")


def _fmt(key: tuple[str, ...]) -> str:
    return key[0] if len(key) == 1 else " x ".join(key)


@dataclass(frozen=True, eq=False)
class Margin:
    """One population margin, matched to the raking cells.

    Attributes
    ----------
    variables : tuple of str
        The survey variables of the margin (several for a joint margin).
    categories : tuple of tuple of str
        Category labels, one tuple per margin row.
    target : ndarray
        Population count of every category.
    index : ndarray of int
        The margin category of every raking cell.

    Examples
    --------
    >>> import numpy as np
    >>> m = Margin(("area", "sex"), (("A", "F"), ("A", "M")), np.ones(2), np.array([0, 1]))
    >>> m.name
    'area x sex'
    """

    variables: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    target: np.ndarray
    index: np.ndarray

    @property
    def name(self) -> str:
        """The margin's variables joined by `` x ``."""
        return _fmt(self.variables)

    def totals(self, cell_weights: np.ndarray) -> np.ndarray:
        """Weighted totals per category from cell totals (cells, or cells x replicates).

        Examples
        --------
        >>> import numpy as np
        >>> m = Margin(("sex",), (("F",), ("M",)), np.array([1.0, 1.0]), np.array([0, 1, 1]))
        >>> m.totals(np.array([1.0, 2.0, 3.0])).tolist()
        [1.0, 5.0]
        """
        k = len(self.categories)
        if cell_weights.ndim == 1:
            return np.bincount(self.index, cell_weights, minlength=k)
        ind = sp.csr_matrix(
            (np.ones(len(self.index)), (self.index, np.arange(len(self.index)))),
            shape=(k, len(self.index)),
        )
        return np.asarray(ind @ cell_weights)


@dataclass(frozen=True, eq=False)
class RakingCells:
    """Respondents compressed to raking cells, with the margins matched to the cells.

    Attributes
    ----------
    cell : ndarray of int, shape (n,)
        Raking cell of every respondent.
    n_cells : int
    margins : tuple of Margin

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"sex": ["F", "M", "F"]})
    >>> cells = prepare_margins(data, [pd.DataFrame({"sex": ["F", "M"], "population": [6, 4]})])
    >>> cells.cell.tolist(), cells.n_cells
    ([0, 1, 0], 2)
    """

    cell: np.ndarray
    n_cells: int
    margins: tuple[Margin, ...]

    def cell_totals(self, weights: np.ndarray | pd.Series) -> np.ndarray:
        """Sum row weights within raking cells.

        Examples
        --------
        >>> import numpy as np
        >>> c = RakingCells(np.array([0, 1, 0]), 2, ())
        >>> c.cell_totals(np.array([1.0, 2.0, 3.0])).tolist()
        [4.0, 2.0]
        """
        return np.bincount(self.cell, np.asarray(weights, dtype=float), minlength=self.n_cells)

    def indicators(self) -> np.ndarray:
        """The regressors of the calibration: intercept and every margin's indicators.

        Examples
        --------
        >>> import numpy as np
        >>> m = Margin(("sex",), (("F",), ("M",)), np.ones(2), np.array([0, 1]))
        >>> RakingCells(np.array([0, 1]), 2, (m,)).indicators().tolist()
        [[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
        """
        cols = [np.ones((self.n_cells, 1))]
        for m in self.margins:
            block = np.zeros((self.n_cells, len(m.categories)))
            block[np.arange(self.n_cells), m.index] = 1.0
            cols.append(block)
        return np.hstack(cols)

    def misfit(self, cell_weights: np.ndarray) -> tuple[float, int, int]:
        """Largest relative gap ``|achieved - target| / target`` over all margins.

        Returns the gap, the margin and the category where it occurs (for
        replicates, the largest over every replicate).

        Examples
        --------
        >>> import numpy as np
        >>> m = Margin(("sex",), (("F",), ("M",)), np.array([2.0, 2.0]), np.array([0, 1]))
        >>> RakingCells(np.array([0, 1]), 2, (m,)).misfit(np.array([1.0, 2.0]))
        (0.5, 0, 0)
        """
        worst = (0.0, 0, 0)
        for j, m in enumerate(self.margins):
            tgt = m.target if cell_weights.ndim == 1 else m.target[:, None]
            gap = np.abs(m.totals(cell_weights) - tgt) / tgt
            gap = gap if gap.ndim == 1 else gap.max(axis=1)
            k = int(np.argmax(gap))
            if not gap[k] <= worst[0]:
                worst = (float(gap[k]), j, k)
        return worst


def _codes_and_labels(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a data column (-1 for missing) and the label of every code."""
    codes, uniques = pd.factorize(column, sort=False)
    raw = [label(u) for u in uniques]
    merged, labels = pd.factorize(pd.Index(raw, dtype=object))
    if len(labels) < len(raw):
        codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
    return codes.astype(np.int64), [str(x) for x in labels]


def _check_frame(margin: object, position: int, data: pd.DataFrame) -> tuple[str, ...]:
    if not isinstance(margin, pd.DataFrame):
        raise MarginsError(
            f"margin {position} is a {type(margin).__name__}, not a DataFrame; pass a list of "
            f"DataFrames, each with survey variable column(s) and a {POPULATION!r} column"
        )
    if POPULATION not in margin.columns:
        raise MarginsError(
            f"margin {position} (columns {list(margin.columns)}) has no {POPULATION!r} column; "
            "add the population count of every category in a column named 'population'"
        )
    variables = tuple(str(c) for c in margin.columns if c != POPULATION)
    if not variables:
        raise MarginsError(
            f"margin {position} has only a {POPULATION!r} column; add the survey variable "
            "column(s) it is a margin of"
        )
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise MarginsError(
            f"margin {position} names variable(s) {_show(missing)} that the survey data lack; "
            f"rename the margin column to one of the data columns {_show(list(data.columns))}"
        )
    return variables


def _margin_rows(margin: pd.DataFrame, variables: tuple[str, ...]) -> tuple[list, np.ndarray]:
    name = _fmt(variables)
    blank = margin[list(variables)].isna().any(axis=1).to_numpy()
    if blank.any():
        rows = [int(i) for i in np.flatnonzero(blank)]
        raise MarginsError(
            f"margin {name!r} has rows {_show(rows)} with no category in a variable column; "
            "fill in the category or delete the row"
        )
    keys = [
        tuple(label(v) for v in row)
        for row in margin[list(variables)].itertuples(index=False, name=None)
    ]
    pop = pd.to_numeric(margin[POPULATION], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(pop) & (pop > 0))
    if bad.any():
        shown = [
            f"{_fmt(keys[i])!r}={plain(margin[POPULATION].iloc[i])!r}" for i in np.flatnonzero(bad)
        ]
        raise MarginsError(
            f"margin {name!r} has non-positive or missing population for categories "
            f"{_show(shown, quote=False)}; give every category a positive count (merge or "
            "drop a category with no population, and drop its respondents before raking)"
        )
    seen: dict[tuple[str, ...], int] = {}
    dups = []
    for k in keys:
        if k in seen:
            dups.append(_fmt(k))
        seen[k] = 1
    if dups:
        raise MarginsError(
            f"margin {name!r} lists categories {_show(dups)} more than once; keep one row per "
            "category"
        )
    return keys, pop


def prepare_margins(data: pd.DataFrame, margins: Sequence[pd.DataFrame]) -> RakingCells:
    """Validate population margins against the data and compress rows to raking cells.

    Parameters
    ----------
    data : DataFrame
        The survey data.
    margins : sequence of DataFrame
        Each with one or more survey variable columns and a ``population`` column.

    Returns
    -------
    RakingCells

    Raises
    ------
    MarginsError
        For a data category without a population row, a margin category
        without respondents, missing values in a raking variable, margin
        totals that disagree, or non-positive populations.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"sex": ["F", "M", "M"]})
    >>> prepare_margins(data, [pd.DataFrame({"sex": ["F"], "population": [5]})])
    Traceback (most recent call last):
    ...
    listening.errors.MarginsError: margin 'sex' has no population row for data category 'M' \
(2 respondents); add a row for it to the margin, or recode or drop those respondents
    """
    if isinstance(margins, pd.DataFrame) or not isinstance(margins, Sequence) or not margins:
        raise MarginsError(
            "margins must be a non-empty list of DataFrames, each with survey variable "
            "column(s) and a 'population' column"
        )
    specs = [(_check_frame(m, i, data), m) for i, m in enumerate(margins)]
    variables = list(dict.fromkeys(v for vs, _ in specs for v in vs))
    codes: dict[str, np.ndarray] = {}
    labels: dict[str, list[str]] = {}
    for v in variables:
        c, lab = _codes_and_labels(data[v])
        if (c < 0).any():
            rows = list(data.index[c < 0])
            raise MarginsError(
                f"raking variable {v!r} is missing for {len(rows)} respondents (rows "
                f"{_show(rows)}); impute or recode them, or drop them before raking"
            )
        codes[v], labels[v] = c, lab
    key = np.zeros(len(data), dtype=np.int64)
    for v in variables:
        key = key * len(labels[v]) + codes[v]
    cell, cell_keys = compact(key, int(np.prod([len(labels[v]) for v in variables])))
    cell_codes: dict[str, np.ndarray] = {}
    rest = cell_keys.copy()
    for v in reversed(variables):
        cell_codes[v] = rest % len(labels[v])
        rest //= len(labels[v])
    counts = np.bincount(cell, minlength=len(cell_keys))
    built = []
    for vs, frame in specs:
        keys, pop = _margin_rows(frame, vs)
        lookup = {k: i for i, k in enumerate(keys)}
        cell_labels = [
            tuple(labels[v][cell_codes[v][c]] for v in vs) for c in range(len(cell_keys))
        ]
        index = np.array([lookup.get(k, -1) for k in cell_labels], dtype=np.int64)
        if (index < 0).any():
            absent: dict[tuple[str, ...], int] = {}
            for c in np.flatnonzero(index < 0):
                absent[cell_labels[c]] = absent.get(cell_labels[c], 0) + int(counts[c])
            shown = [f"{_fmt(k)!r} ({n} respondents)" for k, n in absent.items()]
            raise MarginsError(
                f"margin {_fmt(vs)!r} has no population row for data "
                f"{'category' if len(absent) == 1 else 'categories'} "
                f"{_show(shown, quote=False)}; add a row for it to the margin, or "
                "recode or drop those respondents"
            )
        empty = np.bincount(index, minlength=len(keys)) == 0
        if empty.any():
            raise MarginsError(
                f"margin {_fmt(vs)!r} has categories with no respondents in the data: "
                f"{_show([_fmt(keys[i]) for i in np.flatnonzero(empty)])}; raking cannot reach "
                "their population: merge them with a neighbouring category (in the margin and "
                "the data) or drop the row from the margin"
            )
        built.append(Margin(vs, tuple(keys), pop, index))
    _check_totals(built)
    for m in built:
        m.target.setflags(write=False)
        m.index.setflags(write=False)
    cell = np.asarray(cell, dtype=np.int64)
    cell.setflags(write=False)
    return RakingCells(cell=cell, n_cells=len(cell_keys), margins=tuple(built))


def _check_totals(margins: list[Margin]) -> None:
    totals = [float(m.target.sum()) for m in margins]
    if max(totals) - min(totals) > _TOTALS_RTOL * max(totals):
        listed = "; ".join(f"{m.name!r}: {t:,.6g}" for m, t in zip(margins, totals, strict=True))
        raise MarginsError(
            f"margin totals disagree ({listed}); every margin must add up to the same "
            "population: correct the counts or rescale the margins to one total"
        )
    for i, a in enumerate(margins):
        for b in margins[i + 1 :]:
            shared = [v for v in a.variables if v in b.variables]
            if not shared:
                continue
            ta, tb = _collapse(a, shared), _collapse(b, shared)
            bad = [
                k
                for k in ta.keys() | tb.keys()
                if abs(ta.get(k, 0.0) - tb.get(k, 0.0))
                > _TOTALS_RTOL * max(ta.get(k, 0.0), tb.get(k, 0.0))
            ]
            if bad:
                raise MarginsError(
                    f"margins {a.name!r} and {b.name!r} give different population totals for "
                    f"{_fmt(tuple(shared))!r} categories {_show([_fmt(k) for k in bad])}; "
                    "make the margins consistent"
                )


def _collapse(margin: Margin, shared: list[str]) -> dict[tuple[str, ...], float]:
    pos = [margin.variables.index(v) for v in shared]
    out: dict[tuple[str, ...], float] = {}
    for key, t in zip(margin.categories, margin.target, strict=True):
        k = tuple(key[p] for p in pos)
        out[k] = out.get(k, 0.0) + float(t)
    return out


def _sweep(w: np.ndarray, cells: RakingCells) -> None:
    """One IPF sweep over the margins, in place."""
    for m in cells.margins:
        tot = m.totals(w)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (m.target if w.ndim == 1 else m.target[:, None]) / tot
        w *= ratio[m.index]


def rake_cells(
    base: np.ndarray,
    cells: RakingCells,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    what: str = "raking",
    progress: bool = False,
    bounds: tuple[float, float] | None = None,
) -> tuple[np.ndarray, int]:
    """Iterative proportional fitting of cell totals to the margins.

    With ``bounds``, raking with the ratio of final to initial weight kept in
    ``[lo, hi]`` instead (:func:`bounded_factors`, R's ``calibrate(...,
    calfun="raking", bounds=)``).

    Parameters
    ----------
    base : ndarray, shape (n_cells,) or (n_cells, n_replicates)
        Weight totals of every cell before raking (one column per replicate).
    cells : RakingCells
    max_iter : int
        Maximum number of sweeps over the margins.
    tol : float
        Stop when the largest ``|achieved - target| / target`` is below ``tol``.
    what : str
        Name of what is raked, for the error message.
    progress : bool
        Show a progress bar of the sweeps.
    bounds : (float, float), optional
        Bounds on every cell's factor.

    Returns
    -------
    factor : ndarray, same shape as ``base``
        Raked total divided by base total, per cell (1 where the base is 0).
    sweeps : int
        Sweeps used.

    Raises
    ------
    ConvergenceError
        If the margins are not met within ``max_iter`` sweeps.

    Examples
    --------
    >>> import numpy as np
    >>> m = Margin(("sex",), (("F",), ("M",)), np.array([6.0, 4.0]), np.array([0, 1, 1]))
    >>> f, sweeps = rake_cells(np.array([1.0, 1.0, 1.0]), RakingCells(np.arange(3), 3, (m,)))
    >>> f.tolist(), sweeps
    ([6.0, 2.0, 2.0], 1)
    """
    if bounds is not None:
        columns = np.asarray(base, dtype=float).reshape(len(base), -1)
        found = [
            bounded_factors(columns[:, r], cells, bounds, max_iter=max_iter, tol=tol, what=what)
            for r in progress_bar(range(columns.shape[1]), progress, what)
        ]
        factor = np.column_stack([f for f, _ in found]).reshape(np.shape(base))
        return factor, max(s for _, s in found)
    w = np.array(base, dtype=float)
    gap = np.inf
    where = (0, 0)
    for sweep in progress_bar(range(1, max_iter + 1), progress, what):
        _sweep(w, cells)
        gap, *where = cells.misfit(w)
        if gap < tol:
            for _ in range(_POLISH):
                if gap <= _EXACT:
                    break
                _sweep(w, cells)
                previous, gap = gap, cells.misfit(w)[0]
                if not gap < 0.9 * previous:
                    break
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(base > 0, w / base, 1.0)
            return factor, sweep
    m = cells.margins[where[0]]
    raise ConvergenceError(
        f"{what} did not converge in {max_iter} sweeps: the largest relative gap between "
        f"weighted and population totals is {gap:.3g} (tolerance {tol:g}), in margin "
        f"{m.name!r} category {_fmt(m.categories[where[1]])!r}; raise max_iter, check that "
        "the margins are consistent, or merge sparse categories"
    )


_RESCALE = 20.0  # R's grake(): SOMETHRESHOLD
_MAX_STEP = 0.5  # largest change of a log factor in one Newton step
_AT_BOUND = 1e-4


def _ramp(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The integral of ``clip(exp(u), lo, hi)`` (continuous, convex)."""
    a, b = np.log(lo) if lo > 0 else -np.inf, np.log(hi)
    mid = np.exp(np.clip(u, a, b))
    below = lo * (u - a) if lo > 0 else 0.0
    return mid + np.where(u < a, below, 0.0) + np.where(u > b, hi * (u - b), 0.0)


def bounded_factors(
    base: np.ndarray,
    cells: RakingCells,
    bounds: tuple[float, float],
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    what: str = "raking",
) -> tuple[np.ndarray, int]:
    """Raking factors ``clip(exp(x'eta), lo, hi)`` that meet the margins (bounded raking).

    The calibration equations of R's ``calibrate(..., calfun="raking",
    bounds=c(lo, hi))``, solved by damped Newton steps on their convex dual
    (the factors of a solution are unique), starting from the unbounded
    raking and moving no log factor by more than 0.5 in a step. As R's
    ``grake()``, when every
    population total is more than 20 times the weighted sample total, the
    bounds apply after the weights are scaled up by the mean of those ratios.

    Parameters
    ----------
    base : ndarray, shape (n_cells,)
        Weight totals of the cells before raking.
    cells : RakingCells
    bounds : (float, float)
        Bounds ``lo < hi`` on the ratio of final to initial weight.
    max_iter : int
        Newton steps.
    tol : float
        As :func:`rake_cells`.
    what : str
        Name of what is raked, for the error message.

    Returns
    -------
    factor : ndarray, shape (n_cells,)
    steps : int

    Raises
    ------
    ConvergenceError
        If no factors within the bounds meet the margins.

    Examples
    --------
    >>> import numpy as np
    >>> m = Margin(("sex",), (("F",), ("M",)), np.array([6.0, 4.0]), np.array([0, 1, 1]))
    >>> f, _ = bounded_factors(np.ones(3), RakingCells(np.arange(3), 3, (m,)), (0.5, 6.0))
    >>> f.round(8).tolist()
    [6.0, 2.0, 2.0]
    """
    lo, hi = (float(b) for b in bounds)
    x = cells.indicators()
    target = np.concatenate([[cells.margins[0].target.sum()], *(m.target for m in cells.margins)])
    reference = np.concatenate([[True], *(np.arange(len(m.categories)) > 0 for m in cells.margins)])
    scales = target[reference] / (base @ x)[reference]
    scale = float(scales.mean()) if scales.min() > _RESCALE else 1.0
    lo, hi = lo * scale, hi * scale
    free, _ = rake_cells(base, cells, max_iter=max_iter, tol=tol, what=what)
    if ((free >= lo) & (free <= hi)).all():
        return free, 0
    eta = np.linalg.lstsq(x, np.log(np.clip(free, lo, hi)), rcond=None)[0]

    def dual(e: np.ndarray) -> float:
        return float(base @ _ramp(x @ e, lo, hi) - e @ target)

    def misfit_of(e: np.ndarray) -> np.ndarray:
        return x.T @ (base * np.clip(np.exp(x @ e), lo, hi)) - target

    steps = 0
    for steps in range(1, max_iter + 1):
        u = x @ eta
        factor = np.clip(np.exp(u), lo, hi)
        if cells.misfit(base * factor)[0] < tol:
            return factor, steps
        # The true curvature, and a tiny one (1e-4 of the unbounded raking's) for cells
        # at a bound, where it is zero: every step descends and the active set settles.
        inside = (np.exp(u) > lo) & (np.exp(u) < hi)
        gradient = x.T @ (base * factor) - target
        hessian = (x * (base * factor * np.where(inside, 1.0, _AT_BOUND))[:, None]).T @ x
        step = np.linalg.lstsq(hessian, -gradient, rcond=None)[0]
        step *= min(1.0, _MAX_STEP / max(float(np.abs(x @ step).max()), 1e-300))
        now, gap = dual(eta), np.abs(gradient).max()
        size = 1.0
        while size > 1e-12:
            trial = eta + size * step
            value = dual(trial)
            if value <= now + 1e-4 * size * (gradient @ step):
                break
            # near the solution the dual's changes are rounding noise: judge by the misfit
            flat = abs(value - now) <= 1e-12 * max(abs(now), 1.0)
            if flat and np.abs(misfit_of(trial)).max() < gap:
                break
            size /= 2
        eta = eta + size * step
    factor = np.clip(np.exp(x @ eta), lo, hi)
    gap, j, k = cells.misfit(base * factor)
    if gap < tol:
        return factor, steps
    m = cells.margins[j]
    raise ConvergenceError(
        f"{what} within bounds [{bounds[0]:g}, {bounds[1]:g}] did not converge in {max_iter} "
        f"steps: the largest relative gap between weighted and population totals is {gap:.3g} "
        f"(tolerance {tol:g}), in margin {m.name!r} category {_fmt(m.categories[k])!r}; widen "
        "the bounds (they may be too tight for the margins) or raise max_iter"
    )


@dataclass(frozen=True, eq=False)
class Calibration:
    """What the variance of a raked design needs (R's ``greg_calibration``).

    Attributes
    ----------
    cells : RakingCells
    factor : ndarray, shape (n_cells,)
        Raking factor of every cell: raked weight = base weight x factor.
    sweeps : int
        IPF sweeps used.
    fit : ndarray, shape (n_cells, n_cells)
        Maps cell totals of ``w0 * u`` to the fitted values of the weighted
        regression of ``u`` on the margin indicators (weights ``w0``).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"sex": ["F", "M", "F"]})
    >>> margin = pd.DataFrame({"sex": ["F", "M"], "population": [6, 4]})
    >>> cal = yl.SurveyDesign(data).rake([margin]).state.calibration
    >>> cal.factor.tolist(), cal.sweeps
    ([3.0, 4.0], 1)
    """

    cells: RakingCells
    factor: np.ndarray
    sweeps: int
    fit: np.ndarray

    @classmethod
    def build(cls, cells: RakingCells, base_cells: np.ndarray, factor: np.ndarray, sweeps: int):
        """Precompute the cell-level regression of the calibration linearization.

        Parameters
        ----------
        cells : RakingCells
        base_cells : ndarray, shape (n_cells,)
            Totals of the weights before raking per cell (all positive).
        factor : ndarray, shape (n_cells,)
        sweeps : int

        Returns
        -------
        Calibration

        Examples
        --------
        >>> import numpy as np
        >>> m = Margin(("sex",), (("F",), ("M",)), np.ones(2), np.array([0, 1]))
        >>> c = Calibration.build(RakingCells(np.array([0, 1]), 2, (m,)), np.ones(2),
        ...                       np.ones(2), 1)
        >>> (c.fit.round(12) + 0.0).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        x = cells.indicators()
        root = np.sqrt(base_cells)
        coef = np.linalg.pinv(x * root[:, None]) / root[None, :]
        fit = x @ coef
        for arr in (factor, fit):
            arr.setflags(write=False)
        return cls(cells=cells, factor=factor, sweeps=sweeps, fit=fit)

    def achieved(self, weights: np.ndarray) -> pd.DataFrame:
        """Achieved versus target totals of every margin category, with its respondents.

        Examples
        --------
        >>> import numpy as np
        >>> m = Margin(("sex",), (("F",), ("M",)), np.array([2.0, 2.0]), np.array([0, 1]))
        >>> c = Calibration(RakingCells(np.array([0, 1]), 2, (m,)), np.ones(2), 1, np.eye(2))
        >>> c.achieved(np.array([2.0, 2.0]))[["margin", "category", "respondents", "achieved"]]
          margin category  respondents  achieved
        0    sex        F            1       2.0
        1    sex        M            1       2.0
        """
        cell_w = self.cells.cell_totals(weights)
        cell_n = self.cells.cell_totals(np.ones_like(weights))
        rows = []
        for m in self.cells.margins:
            got, count = m.totals(cell_w), m.totals(cell_n)
            for key, n, a, t in zip(m.categories, count, got, m.target, strict=True):
                rows.append((m.name, _fmt(key), round(n), float(a), float(t), float(a / t - 1.0)))
        return pd.DataFrame(
            rows,
            columns=["margin", "category", "respondents", "achieved", "target", "relative_gap"],
        )
