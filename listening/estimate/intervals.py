"""Confidence intervals of proportions and t quantiles, as R's ``svyciprop`` and ``confint``.

Examples
--------
>>> CI_METHODS
('logit', 'beta')
"""

from __future__ import annotations

import numpy as np
from scipy import special

from listening.errors import ListeningError

CI_METHODS: tuple[str, ...] = ("logit", "beta")


def qt(level: float, df: np.ndarray) -> np.ndarray:
    """The t quantile for a two-sided interval at ``level`` (NaN where ``df <= 0``).

    Examples
    --------
    >>> import numpy as np
    >>> qt(0.95, np.array([10, 0])).round(4).tolist()
    [2.2281, nan]
    """
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1), 0.5 + level / 2), np.nan)


def check_level(level: float) -> None:
    """Raise unless ``0 < level < 1``.

    Examples
    --------
    >>> check_level(0.95)
    """
    if not 0 < level < 1:
        raise ListeningError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}")


def check_ci(ci: str) -> None:
    """Raise unless ``ci`` is one of :data:`CI_METHODS`.

    Examples
    --------
    >>> check_ci("logit")
    """
    if ci not in CI_METHODS:
        raise ListeningError(
            f"ci={ci!r} is not a valid interval method; use one of "
            f"{', '.join(repr(m) for m in CI_METHODS)}"
        )


def logit_ci(p, se_logit, df, level):
    """R's ``svyciprop(method="logit")``: a t interval on the logit scale, NaN at 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = logit_ci(np.array([0.5]), np.array([0.2]), np.array([30]), 0.95)
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.3993], [0.6007])
    """
    t = qt(level, df)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        centre = special.logit(p)
        lo = special.expit(centre - t * se_logit)
        hi = special.expit(centre + t * se_logit)
    bad = ~((p > 0) & (p < 1))
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def beta_ci(p, var, df, m, level):
    """R's ``svyciprop(method="beta")``: Korn-Graubard, Clopper-Pearson on the effective n.

    ``m`` is R's ``nrow()`` of the domain design (see
    :func:`listening.estimate.sums.design_rows`).

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = beta_ci(np.array([0.5]), np.array([0.01]), np.array([30]), np.array([40]), 0.95)
    >>> bool(lo[0] < 0.5 < hi[0])
    True
    """
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
