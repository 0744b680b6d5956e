"""New weights for a design: raking, trimming and replicate weights.

Each function takes a design's data, sampling structure and
:class:`~listening.design.engine.DesignState`, checks that the step makes
sense where it is asked for, and returns the new state;
:class:`listening.SurveyDesign`'s :meth:`~listening.SurveyDesign.rake`,
:meth:`~listening.SurveyDesign.trim`, :meth:`~listening.SurveyDesign.jackknife`
and :meth:`~listening.SurveyDesign.bootstrap` wrap them in a new design.

Examples
--------
>>> import numpy as np
>>> state = DesignState(weights=np.array([1.0, 1.0, 4.0]), base=np.ones(3))
>>> trimmed(state, upper=3.0).weights.tolist()
[1.5, 1.5, 3.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from listening.design.engine import DesignState
from listening.design.raking import Calibration, prepare_margins, rake_cells
from listening.design.replicates import bootstrap_factors, jackknife_factors, rerake
from listening.design.variance import Sampling
from listening.errors import ListeningError

_STRICT_ROUNDS = 1000


def raked(
    data: pd.DataFrame,
    sampling: Sampling,
    state: DesignState,
    margins: Sequence[pd.DataFrame],
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    progress: bool = False,
    bounds: tuple[float, float] | None = None,
) -> DesignState:
    """The state raked to ``margins`` (R's ``calibrate(..., calfun="raking")``).

    A replicate design re-rakes every replicate; see
    :meth:`listening.SurveyDesign.rake` for the parameters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from listening.design.variance import Sampling
    >>> data = pd.DataFrame({"sex": ["F", "M"]})
    >>> s = Sampling.build(np.arange(2), np.zeros(2, dtype=int))
    >>> margin = pd.DataFrame({"sex": ["F", "M"], "population": [3, 1]})
    >>> raked(data, s, DesignState(np.ones(2), np.ones(2)), [margin]).weights.tolist()
    [3.0, 1.0]
    """
    if state.calibration is not None:
        raise ListeningError(
            "this design is already raked; rake once, passing every margin in one list "
            "(start again from the unraked design)"
        )
    if bounds is not None:
        bounds = _check_bounds(bounds)
    cells = prepare_margins(data, margins)
    base = state.weights
    base_cells = cells.cell_totals(base)
    factor, sweeps = rake_cells(base_cells, cells, max_iter=max_iter, tol=tol, bounds=bounds)
    weights = base * factor[cells.cell]
    weights.setflags(write=False)
    replicates = state.replicates
    if replicates is not None:
        replicates = rerake(
            replicates,
            sampling,
            base,
            cells,
            max_iter=max_iter,
            tol=tol,
            progress=progress,
            bounds=bounds,
        )
    return DesignState(
        weights=weights,
        base=base,
        calibration=Calibration.build(cells, base_cells, factor, sweeps),
        raked=weights,
        replicates=replicates,
    )


def _check_bounds(bounds: object) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in bounds)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ListeningError(
            f"bounds must be two numbers (lower, upper), e.g. bounds=(0.3, 3); got {bounds!r}"
        ) from None
    if not 0 <= lo < hi:
        raise ListeningError(
            f"bounds ({lo:g}, {hi:g}) must satisfy 0 <= lower < upper: they bound the "
            "ratio of the raked weight to the weight before raking, e.g. bounds=(0.3, 3)"
        )
    return lo, hi


def trim_weights(weights: np.ndarray, lo: float, hi: float, *, strict: bool) -> np.ndarray:
    """Weights trimmed to ``[lo, hi]``, the trimmed amount shared out (R's ``trimWeights``).

    Parameters
    ----------
    weights : ndarray
    lo, hi : float
        Bounds (``-inf`` / ``inf`` for none).
    strict : bool
        Repeat until every weight is within the bounds.

    Returns
    -------
    ndarray

    Raises
    ------
    ListeningError
        If the bounds leave nothing to share the trimmed amount over, do not
        settle, or leave a non-positive weight.

    Examples
    --------
    >>> import numpy as np
    >>> trim_weights(np.array([1.0, 1.0, 4.0]), -np.inf, 3.0, strict=False).tolist()
    [1.5, 1.5, 3.0]
    """
    w = np.array(weights, dtype=float)
    for _ in range(_STRICT_ROUNDS):
        outside = (w < lo) | (w > hi)
        if not outside.any():
            break
        if outside.all():
            raise ListeningError(
                f"every weight lies outside [{lo:g}, {hi:g}], so the trimmed amount cannot "
                "be shared out; widen the bounds"
            )
        new = np.clip(w, lo, hi)
        new[~outside] += (w - new).sum() / (~outside).sum()
        w = new
        if not strict:
            break
    else:
        raise ListeningError(
            f"strict trimming to [{lo:g}, {hi:g}] did not settle in {_STRICT_ROUNDS} rounds; "
            "widen the bounds"
        )
    if (w <= 0).any():
        raise ListeningError(
            f"trimming to [{lo:g}, {hi:g}] leaves non-positive weights; raise the lower "
            "bound above zero"
        )
    return w


def trimmed(
    state: DesignState,
    *,
    lower: float | None = None,
    upper: float | None = None,
    strict: bool = False,
) -> DesignState:
    """The state with its weights trimmed; a raked design keeps its raking linearization.

    Examples
    --------
    >>> import numpy as np
    >>> trimmed(DesignState(np.array([1.0, 5.0]), np.ones(2)), lower=2.0).trimmed
    True
    """
    if state.replicates is not None:
        raise ListeningError(
            "trim() works on a linearization design; trim (and rake) before calling "
            "jackknife() or bootstrap()"
        )
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if not lo < hi:
        raise ListeningError(f"trim bounds must satisfy lower < upper; got {lo:g}, {hi:g}")
    w = trim_weights(state.weights, lo, hi, strict=strict)
    w.setflags(write=False)
    return DesignState(
        weights=w,
        base=state.base if state.calibration is not None else w,
        calibration=state.calibration,
        raked=state.raked,
        trimmed=True,
    )


def _check_replicable(state: DesignState, what: str) -> None:
    if state.calibration is not None:
        raise ListeningError(
            f"{what}() on a raked design would drop the raking from the replicates; call "
            f"{what}() on the design before raking, then rake the replicate design: "
            f"design.{what}().rake(margins) re-rakes every replicate"
        )
    if state.replicates is not None:
        raise ListeningError(
            f"this design already has {state.replicates.kind} replicate weights; call "
            f"{what}() on the original design"
        )


def jackknifed(
    sampling: Sampling, state: DesignState, *, stratified: bool, progress: bool = False
) -> DesignState:
    """The state with jackknife replicate weights (JKn when ``stratified``, else JK1).

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(3), np.zeros(3, dtype=int))
    >>> jackknifed(s, DesignState(np.ones(3), np.ones(3)), stratified=False).replicates.kind
    'JK1'
    """
    _check_replicable(state, "jackknife")
    replicates = jackknife_factors(sampling, stratified=stratified, progress=progress)
    return DesignState(
        weights=state.weights, base=state.weights, trimmed=state.trimmed, replicates=replicates
    )


def bootstrapped(
    sampling: Sampling,
    state: DesignState,
    replicates: int,
    seed: int | None,
    *,
    progress: bool = False,
) -> DesignState:
    """The state with Rao-Wu rescaled bootstrap replicate weights.

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(3), np.zeros(3, dtype=int))
    >>> bootstrapped(s, DesignState(np.ones(3), np.ones(3)), 20, 1).replicates.n_replicates
    20
    """
    _check_replicable(state, "bootstrap")
    if int(replicates) < 2:
        raise ListeningError(f"bootstrap needs at least 2 replicates; got {replicates}")
    factors = bootstrap_factors(sampling, int(replicates), seed, progress=progress)
    return DesignState(
        weights=state.weights, base=state.weights, trimmed=state.trimmed, replicates=factors
    )


class Weighting:
    """The weighting steps of a design; each returns a new design.

    :class:`listening.SurveyDesign` inherits them. They use only the design's
    public ``data``, ``sampling``, ``state``, ``strata`` and ``with_state``.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> issubclass(yl.SurveyDesign, Weighting)
    True
    """

    def rake(
        self,
        margins: Sequence[pd.DataFrame],
        *,
        max_iter: int = 100,
        tol: float = 1e-10,
        progress: bool = False,
        bounds: tuple[float, float] | None = None,
    ) -> Self:
        """Rake the weights to population margins (iterative proportional fitting).

        Parameters
        ----------
        margins : sequence of DataFrame
            Each has one or more survey variable columns (a one-way or joint
            margin) and a ``population`` column of counts. Categories match the
            data on their labels (a margin read as text matches a categorical or
            numeric column).
        max_iter : int
            Maximum IPF sweeps over the margins.
        tol : float
            Stop when every ``|achieved - target| / target`` is below ``tol``.
        progress : bool
            Show a progress bar of the sweeps (re-raking replicates).
        bounds : (float, float), optional
            Keep every raked weight between ``lower`` and ``upper`` times its
            weight before raking, as R's ``calibrate(..., calfun="raking",
            bounds=c(lower, upper))``: the margins are still met exactly
            (trimming after raking would break them). As in R, when every
            population total is more than 20 times the weighted sample total,
            the bounds apply after the weights are first scaled up by the mean
            of those ratios.

        Returns
        -------
        SurveyDesign
            The weights equal R's ``calibrate(design, ~m1 + m2, totals,
            calfun="raking")``. A linearization design gets that calibration's
            linearized variance; a replicate design re-rakes every replicate.

        Raises
        ------
        MarginsError
            Margins that do not fit the data (the message names variable and categories).
        ConvergenceError
            If IPF does not reach ``tol`` within ``max_iter`` sweeps, or no
            weights within ``bounds`` meet the margins.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"sex": ["F", "F", "M", "M"], "age": [12, 15, 12, 15]})
        >>> margins = [pd.DataFrame({"sex": ["F", "M"], "population": [60, 40]}),
        ...            pd.DataFrame({"age": ["12", "15"], "population": [50, 50]})]
        >>> yl.SurveyDesign(data).rake(margins).weights.round(6).tolist()
        [30.0, 30.0, 20.0, 20.0]
        >>> w = yl.SurveyDesign(data, weights=None).rake(margins, bounds=(0.5, 40)).weights
        >>> float(w.sum()), float(w.max())
        (100.0, 30.0)
        """
        return self.with_state(
            raked(
                self.data,
                self.sampling,
                self.state,
                margins,
                max_iter=max_iter,
                tol=tol,
                progress=progress,
                bounds=bounds,
            )
        )

    def trim(
        self,
        *,
        lower: float | None = None,
        upper: float | None = None,
        strict: bool = False,
    ) -> Self:
        """Trim the weights to absolute bounds, as R's ``trimWeights``.

        Weights below ``lower`` are raised to it and weights above ``upper``
        cut to it; the net amount trimmed is shared out equally (additively)
        over the untrimmed respondents, so the total weight is unchanged. With
        ``strict=False`` a weight may then end slightly beyond a bound; with
        ``strict=True`` trimming repeats until none does. A raked design keeps
        its raking linearization.

        Parameters
        ----------
        lower, upper : float, optional
            Bounds on the weights.
        strict : bool
            Repeat until every weight is within the bounds.

        Returns
        -------
        SurveyDesign

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"w": [1.0, 1.0, 1.0, 9.0]}), weights="w")
        >>> d.trim(upper=5).weights.tolist()
        [2.333333333333333, 2.333333333333333, 2.333333333333333, 5.0]
        """
        return self.with_state(trimmed(self.state, lower=lower, upper=upper, strict=strict))

    def jackknife(self, *, progress: bool = False) -> Self:
        """A jackknife replicate-weight design (R's ``as.svrepdesign``, JKn or JK1).

        JKn when the design has strata (one replicate per cluster, deleting it
        and reweighting the rest of its stratum by ``n_h / (n_h - 1)``;
        replicate scales ``(n_h - 1) / n_h``, times ``1 - n_h / N_h`` with an
        fpc), JK1 otherwise. Variances centre on the mean of the replicates
        (``mse=FALSE``). To rake, jackknife first and rake the replicate design.

        Parameters
        ----------
        progress : bool
            Show a progress bar while building the replicates.

        Returns
        -------
        SurveyDesign

        Raises
        ------
        ListeningError
            On a raked or already replicate design.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"school": [1, 1, 2, 3, 3, 4], "area": list("aaabbb")})
        >>> jk = yl.SurveyDesign(data, strata="area", clusters="school").jackknife()
        >>> jk.replicate_type, jk.n_replicates
        ('JKn', 4)
        """
        stratified = self.strata is not None
        return self.with_state(
            jackknifed(self.sampling, self.state, stratified=stratified, progress=progress)
        )

    def bootstrap(
        self, replicates: int = 500, seed: int | None = None, *, progress: bool = False
    ) -> Self:
        """A Rao-Wu rescaled bootstrap replicate design.

        In every stratum, ``n_h - 1`` of its ``n_h`` clusters are drawn with
        replacement; a cluster drawn ``m`` times gets factor ``m n_h / (n_h -
        1)``. Variances are ``1 / (R - 1)`` times the sum of squared deviations
        from the replicates' mean, as R's ``as.svrepdesign(type="subbootstrap")``
        (which ignores any fpc). The same seed gives the same replicates.

        Parameters
        ----------
        replicates : int
            Number of replicates.
        seed : int, optional
            Seed for numpy's random generator.
        progress : bool
            Show a progress bar over strata.

        Returns
        -------
        SurveyDesign

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"school": [1, 1, 2, 3, 3, 4]})
        >>> bs = yl.SurveyDesign(data, clusters="school").bootstrap(100, seed=1)
        >>> bs.replicate_type, bs.n_replicates
        ('bootstrap', 100)
        """
        return self.with_state(
            bootstrapped(self.sampling, self.state, replicates, seed, progress=progress)
        )
