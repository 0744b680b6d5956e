"""Weighted sums by domain and category, and the ratio estimates built on them.

Proportions, means, group-versus-rest differences and the Rao-Scott test are
all ratios of weighted totals, ``sum(w y) / sum(w x)`` by domain.
:class:`WeightedSums` takes those totals in one pass of the design's engine
(:meth:`listening.design.engine.VarianceEngine.group_sums`), and gives the
estimates, their influence values for linearization, and their values on
every replicate: what :meth:`listening.SurveyDesign.variance` needs.

Examples
--------
>>> import numpy as np, pandas as pd
>>> import listening as yl
>>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
>>> s = WeightedSums.take(d, np.array([0, 0, 0]), 1, np.array([0, 1, 1]), 2)
>>> estimate, total = s.estimate(d)
>>> estimate.round(3).tolist(), total.tolist()
([[0.333, 0.667]], [3.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from listening.design.survey_design import SurveyDesign

_CELLS = 1 << 23


@dataclass(frozen=True, eq=False)
class WeightedSums:
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
        denominator: np.ndarray | None = None,
    ) -> WeightedSums:
        """One pass over the rows: sums by group x domain (x category).

        Parameters
        ----------
        design : SurveyDesign
        domain : ndarray of int, shape (n,)
            Domain of every row (-1: outside every domain).
        n_domains : int
        category : ndarray of int, optional
            Category of every row (proportions); with ``values`` None.
        n_categories : int
        values : ndarray of float, optional
            Values whose domain means are estimated (means).
        denominator : ndarray of float, optional
            With ``values``: the denominator of a ratio (default 1, a mean).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
        >>> s = WeightedSums.take(d, np.array([0, 0, 0]), 1, np.array([0, 1, 1]), 2)
        >>> s.y[:, 0, :].tolist(), s.x[:, 0].tolist()
        ([[1.0, 1.0], [0.0, 1.0]], [2.0, 1.0])
        """
        engine = design.engine
        n_groups = engine.groups.n_groups
        if values is None:
            key = np.where(domain >= 0, domain * n_categories + np.maximum(category, 0), -1)
            y = engine.group_sums(key, n_domains * n_categories)
            y = y.reshape(n_groups, n_domains, n_categories)
            return cls(y, y.sum(axis=2))
        y = engine.group_sums(domain, n_domains, values=values)
        x = engine.group_sums(domain, n_domains, values=denominator)
        return cls(y.reshape(n_groups, n_domains, 1), x)

    def minus(self, other: WeightedSums) -> WeightedSums:
        """The sums of the complement ``self - other`` (broadcasting over domains)."""
        return WeightedSums(self.y - other.y, self.x - other.x)

    @property
    def present(self) -> np.ndarray:
        """Groups x domains: whether the group holds a member of the domain (weights are > 0)."""
        return self.x > 0

    def full(self, design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
        """Full-sample numerator (domains x categories) and denominator totals."""
        engine = design.engine
        return engine.full_totals(self.y), engine.full_totals(self.x)

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
        both = design.engine.replicate_totals(np.hstack([self.y.reshape(n_groups, -1), self.x]))
        num, den = both[:, : n_dom * n_cat], both[:, n_dom * n_cat :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return num.reshape(-1, n_dom, n_cat) / den[:, :, None]

    def variance(
        self,
        design: SurveyDesign,
        estimate: np.ndarray,
        total: np.ndarray,
        *,
        present: np.ndarray | None = None,
        covariance: bool = False,
    ):
        """The variance of the ratio estimates, through :meth:`SurveyDesign.variance`.

        Parameters
        ----------
        design : SurveyDesign
        estimate, total : ndarray
            From :meth:`estimate`.
        present : ndarray of bool, optional
            Domain presence for the degrees of freedom; default :attr:`present`.
        covariance : bool

        Returns
        -------
        listening.design.engine.Variance
            Over the estimates flattened (domains x categories).
        """
        present = self.present if present is None else present
        if design.is_replicate:
            thetas = self.replicates(design)
            return design.variance(
                replicates=thetas.reshape(len(thetas), -1), present=present, covariance=covariance
            )
        return design.variance(
            self.influence(estimate, total), present=present, covariance=covariance
        )


def design_rows(design: SurveyDesign, base: np.ndarray) -> np.ndarray:
    """R's ``nrow()`` of a domain design: all rows of a raked design, else the domain's.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import listening as yl
    >>> design_rows(yl.SurveyDesign(pd.DataFrame({"a": [1, 2]})), np.array([1])).tolist()
    [1]
    """
    if design.is_raked and not design.is_replicate:
        return np.full(np.shape(base), len(design))
    return np.asarray(base)


def domain_chunks(design: SurveyDesign, n_domains: int, n_categories: int) -> list[np.ndarray]:
    """Domains in chunks small enough that group x domain x category sums fit in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> [c.tolist() for c in domain_chunks(yl.SurveyDesign(pd.DataFrame({"a": [1]})), 3, 2)]
    [[0, 1, 2]]
    """
    step = max(1, _CELLS // max(design.engine.groups.n_groups * n_categories, 1))
    return [np.arange(s, min(s + step, n_domains)) for s in range(0, n_domains, step)]


def restrict(domain: np.ndarray, chunk: np.ndarray) -> np.ndarray:
    """Domain codes renumbered within ``chunk`` (-1 for rows of other domains).

    Examples
    --------
    >>> import numpy as np
    >>> restrict(np.array([0, 1, 2, -1]), np.array([1, 2])).tolist()
    [-1, 0, 1, -1]
    """
    if len(chunk) and chunk[0] == 0 and chunk[-1] == domain.max(initial=-1):
        return domain
    inside = (domain >= chunk[0]) & (domain <= chunk[-1])
    return np.where(inside, domain - chunk[0], -1)
