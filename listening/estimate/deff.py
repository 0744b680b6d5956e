"""Design effects: the design-based variance over a simple random sample's (R's ``deff=TRUE``).

R's ``svymean(..., deff=TRUE)`` divides the variance by ``svyvar(x) * (N - n) / (N n)``:
simple random sampling without replacement of the domain's ``n`` respondents from a
population of ``N`` (the domain's sum of weights), with ``svyvar`` the weighted
variance ``n / (n - 1) * sum(w (x - xbar)^2) / sum(w)``. An unweighted design has
``N = n``, so its design effect is infinite, as in R.

Examples
--------
>>> import numpy as np
>>> srs_variance(np.array([0.25]), np.array([100]), np.array([1000.0])).round(8).tolist()
[0.00227273]
"""

from __future__ import annotations

import numpy as np


def srs_variance(spread: np.ndarray, n: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Variance of a mean under simple random sampling, as R's ``deff`` denominator.

    Parameters
    ----------
    spread : ndarray
        ``sum(w (x - xbar)^2) / sum(w)`` in each domain (``p (1 - p)`` for a proportion).
    n : ndarray
        Respondents in each domain.
    total : ndarray
        Sum of weights in each domain (R's ``N``).

    Returns
    -------
    ndarray
        Multiply by ``total ** 2`` for a total.

    Examples
    --------
    >>> import numpy as np
    >>> srs_variance(np.array([2.0]), np.array([5]), np.array([5.0])).tolist()  # unweighted
    [0.0]
    """
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return n / (n - 1) * np.asarray(spread, dtype=float) * (total - n) / (total * n)
