"""Weighting diagnostics of a design: Kish design effect, effective sample size, weight range.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> yl.SurveyDesign(pd.DataFrame({"w": [1.0, 3.0]}), weights="w").diagnostics().deff
1.25
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.design.engine import DesignState


@dataclass(frozen=True, eq=False)
class Diagnostics:
    """Weighting diagnostics of a design.

    Attributes
    ----------
    n : int
        Respondents.
    sum_weights : float
    deff : float
        Kish's design effect due to weighting, ``n * sum(w^2) / sum(w)^2``
        (that is ``1 + cv^2`` with the population standard deviation of the weights).
    effective_n : float
        ``sum(w)^2 / sum(w^2) = n / deff``.
    cv : float
        Coefficient of variation of the weights (population sd / mean).
    min, median, max : float
        Weight range.
    margins : DataFrame or None
        For a raked design: achieved versus target total of every margin category.
    sweeps : int or None
        Raking sweeps used (the most any replicate needed, for replicate designs).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0]}), weights="w")
    >>> d.diagnostics().deff
    1.375
    """

    n: int
    sum_weights: float
    deff: float
    effective_n: float
    cv: float
    min: float
    median: float
    max: float
    margins: pd.DataFrame | None = None
    sweeps: int | None = None

    def to_frame(self) -> pd.DataFrame:
        """The figures as a two-column table (``statistic``, ``value``).

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"w": [1.0, 3.0]}), weights="w")
        >>> d.diagnostics().to_frame().iloc[:3]
             statistic  value
        0  respondents   2.00
        1  sum_weights   4.00
        2    kish_deff   1.25
        """
        rows = [
            ("respondents", float(self.n)),
            ("sum_weights", self.sum_weights),
            ("kish_deff", self.deff),
            ("effective_n", self.effective_n),
            ("cv_weights", self.cv),
            ("min_weight", self.min),
            ("median_weight", self.median),
            ("max_weight", self.max),
        ]
        if self.sweeps is not None:
            rows.append(("raking_sweeps", float(self.sweeps)))
        return pd.DataFrame(rows, columns=["statistic", "value"])

    def __repr__(self) -> str:
        lines = [
            f"Weighting diagnostics ({self.n:,} respondents, weights sum to "
            f"{self.sum_weights:,.6g})",
            f"  Kish design effect 1 + cv^2: {self.deff:.4f}  (cv {self.cv:.4f})",
            f"  effective sample size:       {self.effective_n:,.1f}",
            f"  weights min / median / max:  {self.min:.6g} / {self.median:.6g} / {self.max:.6g}",
        ]
        if self.margins is not None:
            gap = float(self.margins["relative_gap"].abs().max())
            lines.append(
                f"  raked in {self.sweeps} sweeps to {len(self.margins)} margin categories "
                f"(largest relative gap {gap:.2g}); see .margins"
            )
        return "\n".join(lines)


def diagnose(state: DesignState) -> Diagnostics:
    """The :class:`Diagnostics` of a design's weights and weighting history.

    Parameters
    ----------
    state : DesignState

    Returns
    -------
    Diagnostics

    Examples
    --------
    >>> import numpy as np
    >>> diagnose(DesignState(weights=np.array([1.0, 2.0, 3.0]), base=np.ones(3))).effective_n
    2.5714285714285716
    """
    w = state.weights
    n = len(w)
    total = float(w.sum())
    squares = float((w * w).sum())
    deff = n * squares / total**2
    cal = state.calibration
    margins = sweeps = None
    if cal is not None:
        margins = cal.achieved(w)
        sweeps = cal.sweeps
        rep = state.replicates
        if rep is not None and rep.sweeps is not None:
            sweeps = max(sweeps, rep.sweeps)
    return Diagnostics(
        n=n,
        sum_weights=total,
        deff=deff,
        effective_n=total**2 / squares,
        cv=float(np.sqrt(max(deff - 1.0, 0.0))),
        min=float(w.min()),
        median=float(np.median(w)),
        max=float(w.max()),
        margins=margins,
        sweeps=sweeps,
    )
