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
    cells = prepare_margins(data, margins)
    base = state.weights
    base_cells = cells.cell_totals(base)
    factor, sweeps = rake_cells(base_cells, cells, max_iter=max_iter, tol=tol)
    weights = base * factor[cells.cell]
    weights.setflags(write=False)
    replicates = state.replicates
    if replicates is not None:
        replicates = rerake(
            replicates, sampling, base, cells, max_iter=max_iter, tol=tol, progress=progress
        )
    return DesignState(
        weights=weights,
        base=base,
        calibration=Calibration.build(cells, base_cells, factor, sweeps),
        raked=weights,
        replicates=replicates,
    )


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
