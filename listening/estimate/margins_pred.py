"""Predictive margins of a survey-weighted GLM, as R's ``svypredmeans``.

The predictive margin of a group (say a district) is the mean prediction of
the model over every respondent in it, with each of them given that group:
"the % feeling unsafe after dark in each district at the county's age and sex
mix". Its variance is R's: the variance of the mean prediction (through the
design's engine) plus ``D' V D``, with ``V`` the model's design-based
covariance and ``D`` the mean derivative of the predictions with respect to
the coefficients.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"school": list("aabbccdd"), "unsafe": [1, 0, 0, 1, 1, 1, 0, 0],
...                      "area": ["x", "x", "y", "y", "x", "y", "x", "y"]})
>>> fit = yl.glm(yl.SurveyDesign(data, clusters="school"), "unsafe ~ area")
>>> yl.predictive_margins(fit, "area", min_base=1)[["area", "estimate"]]
  area  estimate
0    x       0.5
1    y       0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.estimate.intervals import check_level, qt
from listening.estimate.regression import GLMFit, glm, model_moments


def _cond_variance(fit: GLMFit, fits: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Covariance of the mean predictions (R's ``svymean(fits, design)``)."""
    design = fit.design
    engine = design.engine
    rows = fit.frame.rows
    key = np.full(len(design), -1, dtype=np.int64)
    key[rows] = 0
    present = engine.presence(key, 1)
    full = np.zeros(len(design))
    if design.is_replicate:
        ones = engine.group_sums(key, 1)
        cols = []
        for g in range(fits.shape[1]):
            full[rows] = fits[:, g]
            cols.append(engine.group_sums(key, 1, values=full)[:, 0])
        num = engine.replicate_totals(np.column_stack(cols))
        den = engine.replicate_totals(ones)
        return engine.variance(replicates=num / den, present=present, covariance=True).var
    total = fit.weights.sum()
    cols = []
    for g in range(fits.shape[1]):
        full[rows] = (fits[:, g] - means[g]) / total
        cols.append(engine.group_sums(key, 1, values=full)[:, 0])
    return engine.variance(np.column_stack(cols), present=present, covariance=True).var


def predictive_margins(
    fit: GLMFit,
    by: str,
    *,
    level: float = 0.95,
    min_base: int = 10,
) -> pd.DataFrame:
    """Predictive margins of every group of ``by`` (R's ``svypredmeans``).

    If the model does not include ``by``, it is refitted with ``by`` added:
    ``predictive_margins(glm(design, "y ~ age_band + sex"), "district")`` is
    R's ``svypredmeans(svyglm(y ~ age_band + sex, design), ~district)``; a
    model that already includes ``by`` is used as it is. Each group's margin
    is the weighted mean, over the respondents in the model, of their
    predictions with ``by`` set to that group (for a binomial model a
    proportion). Standard errors are R's: the design-based variance of that
    mean plus ``D' V D`` (``V`` the model's covariance, ``D`` the mean
    derivative of the predictions). On an unadjusted model (``y ~ by``) the
    margins are the crude proportions or means.

    Parameters
    ----------
    fit : GLMFit
        From :func:`listening.glm`.
    by : str
        A categorical column (the group factor).
    level : float
        Confidence level: ``estimate +/- t se``, t on R's ``degf`` of the
        model's design (``fit.df_residual + len(fit.coef) - 1``).
    min_base : int
        Groups with fewer respondents in the model are suppressed: their
        figures are NaN and ``suppressed`` is True (disclosure control).

    Returns
    -------
    DataFrame
        ``by``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``base``
        (respondents of the group in the model), ``weighted_base``, ``df``,
        ``suppressed``; groups in the column's category order.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"school": list("aabbccdd"), "y": [1, 0, 0, 1, 1, 1, 0, 0],
    ...                      "x": [1.0, 2, 3, 4, 1, 2, 3, 4], "g": list("pqpqpqpq")})
    >>> fit = yl.glm(yl.SurveyDesign(data, clusters="school"), "y ~ x")
    >>> yl.predictive_margins(fit, "g", min_base=1)[["g", "estimate", "base"]].round(3)
       g  estimate  base
    0  p       0.4     4
    1  q       0.6     4
    """
    check_level(level)
    if not isinstance(fit, GLMFit):
        raise ListeningError(
            f"predictive_margins() needs a fitted model from yl.glm(), not {type(fit).__name__}"
        )
    if not isinstance(by, str):
        raise ListeningError(f"by must be one column name, e.g. 'district'; got {by!r}")
    model = fit
    if by not in fit.frame.predictors:
        model = glm(
            fit.design,
            f"{fit.formula} + `{by}`",
            family=fit.family,
            level=fit.level,
            min_base=fit.min_base,
        )
    frame = model.frame
    if by not in frame.levels:
        raise ListeningError(
            f"by={by!r} is numeric; predictive margins need a categorical group column"
        )
    levels = frame.levels[by]
    w = model.weights
    coef = model.coef.to_numpy()
    fits = np.empty((len(frame.rows), len(levels)))
    deriv = np.empty((len(coef), len(levels)))
    for g, lev in enumerate(levels):
        X = frame.counterfactual(by, lev)
        mu, mu_eta, _ = model_moments(model.family, X @ coef)
        fits[:, g] = mu
        deriv[:, g] = (w * mu_eta) @ X / w.sum()
    means = w @ fits / w.sum()
    var = deriv.T @ model.cov.to_numpy() @ deriv + _cond_variance(model, fits, means)
    se = np.sqrt(np.diag(var))
    df = model.df_residual + len(coef) - 1
    t = qt(level, np.array(df))
    member = frame.X[:, (frame.terms["variable"] == by).to_numpy()]
    group = np.where(member.any(axis=1), member.argmax(axis=1) + 1, 0)
    base = np.bincount(group, minlength=len(levels))
    wbase = np.bincount(group, weights=w, minlength=len(levels))
    hide = base < min_base
    out = pd.DataFrame({by: levels})
    if isinstance(levels, pd.CategoricalIndex):
        out[by] = pd.Categorical(levels, categories=levels.categories, ordered=levels.ordered)
    out["estimate"] = np.where(hide, np.nan, means)
    out["se"] = np.where(hide, np.nan, se)
    out["ci_low"] = out["estimate"] - t * out["se"]
    out["ci_high"] = out["estimate"] + t * out["se"]
    out["base"] = pd.array(np.where(hide, None, base), dtype="Int64")
    out["weighted_base"] = np.where(hide, np.nan, wbase)
    out["df"] = df
    out["suppressed"] = hide
    return out
