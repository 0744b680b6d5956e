"""The variance engine: the one interface between a design and every estimator.

R's ``survey`` ends every estimator in ``svyrecvar`` (linearization) or
``svrVar`` (replicate weights). Here every estimator ends in
:meth:`VarianceEngine.variance`, reached as ``design.engine`` (or its shortcut
:meth:`listening.SurveyDesign.variance`). An estimator

1. sums what it needs, weighted, with :meth:`VarianceEngine.group_sums` (one
   ``np.bincount`` pass over the rows, by first-stage cluster and raking cell);
2. turns the full-sample totals (:meth:`VarianceEngine.full_totals`) into its
   estimate;
3. hands the engine either the group totals of its weighted influence values
   (linearization) or its estimate recomputed on every replicate's totals
   (:meth:`VarianceEngine.replicate_totals`), with the domain's presence;
4. gets back a :class:`Variance`: the (co)variance and the domain's degrees
   of freedom.

Strata, clusters, the finite population correction, lonely PSUs, the raking
linearization (residuals of the calibration regression, as R's
``postStrata``), trimming and replicate weights (re-raked when the design is
raked) all stay behind that interface.

Examples
--------
A weighted total and its standard error, written from scratch (cluster totals
of w y are 2, 6 and 1, so the variance is 3/2 x 14 = 21, as R's ``svytotal``):

>>> import numpy as np, pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"school": [1, 1, 2, 2, 3, 3], "w": [2.0, 2, 3, 3, 1, 1],
...                      "y": [1.0, 0, 1, 1, 0, 1]})
>>> design = yl.SurveyDesign(data, weights="w", clusters="school")
>>> engine = design.engine
>>> inside = np.zeros(len(design), dtype=np.int64)          # everyone in domain 0
>>> sums = engine.group_sums(inside, 1, values=data["y"].to_numpy())  # w * y by group
>>> total = engine.full_totals(sums)                          # the estimate
>>> v = engine.variance(sums, present=engine.presence(inside, 1))  # influence of a total: w * y
>>> float(total[0]), round(float(np.sqrt(v.var[0])), 6), v.df.tolist()
(9.0, 4.582576, [2])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from listening.design.raking import Calibration
from listening.design.replicates import Replicates
from listening.design.variance import (
    Sampling,
    compact,
    domain_degf,
    replicate_variance,
    stratified_variance,
)
from listening.errors import ListeningError


@dataclass(frozen=True, eq=False)
class Groups:
    """Rows grouped by first-stage cluster and raking cell: the unit of every weighted sum.

    Attributes
    ----------
    code : ndarray of int, shape (n,)
        Group of every row.
    n_groups : int
    cluster : ndarray of int, shape (n_groups,)
        Cluster of every group.
    cell : ndarray of int or None, shape (n_groups,)
        Raking cell of every group (raked designs).

    Examples
    --------
    >>> import numpy as np
    >>> Groups(np.array([0, 1, 1]), 2, np.array([0, 1]), None).n_groups
    2
    """

    code: np.ndarray
    n_groups: int
    cluster: np.ndarray
    cell: np.ndarray | None
    _adders: dict = field(default_factory=dict, repr=False)  # (to, size) -> sparse matrix

    def sum(self, values: np.ndarray, to: str = "cluster", size: int | None = None) -> np.ndarray:
        """Add group-level rows (n_groups, k) up to clusters or raking cells.

        Examples
        --------
        >>> import numpy as np
        >>> g = Groups(np.arange(3), 3, np.array([0, 0, 1]), None)
        >>> g.sum(np.array([[1.0], [2.0], [3.0]]), size=2).tolist()
        [[3.0], [3.0]]
        """
        mat = self._adders.get((to, size))
        if mat is None:
            target = self.cluster if to == "cluster" else self.cell
            n = int(target.max()) + 1 if size is None else size
            mat = sp.csr_matrix(
                (np.ones(self.n_groups), (target, np.arange(self.n_groups))),
                shape=(n, self.n_groups),
            )
            self._adders[(to, size)] = mat
        return np.asarray(mat @ values)


@dataclass(frozen=True, eq=False)
class DesignState:
    """Weights and weighting history of a design (immutable).

    Attributes
    ----------
    weights : ndarray
        Current weights.
    base : ndarray
        Weights before raking (what replicate factors multiply).
    calibration : Calibration or None
        The raking, if any.
    raked : ndarray or None
        Weights right after raking (before any trimming).
    trimmed : bool
    replicates : Replicates or None
    cache : dict
        Degrees of freedom already computed for replicate domains.

    Examples
    --------
    >>> import numpy as np
    >>> DesignState(weights=np.ones(2), base=np.ones(2)).trimmed
    False
    """

    weights: np.ndarray
    base: np.ndarray
    calibration: Calibration | None = None
    raked: np.ndarray | None = None
    trimmed: bool = False
    replicates: Replicates | None = None
    cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Variance:
    """What the engine returns: the (co)variance of the estimates and the degrees of freedom.

    Attributes
    ----------
    var : ndarray
        Variances, shape (k,), or the covariance matrix, shape (k, k).
    df : ndarray of int, shape (n_domains,)
        R's ``degf`` of each domain.

    Examples
    --------
    >>> import numpy as np
    >>> Variance(np.array([4.0]), np.array([3])).se.tolist()
    [2.0]
    """

    var: np.ndarray
    df: np.ndarray

    @property
    def se(self) -> np.ndarray:
        """Standard errors (the square roots of the variances)."""
        v = self.var if self.var.ndim == 1 else np.diag(self.var)
        return np.sqrt(v)


class VarianceEngine:
    """Weighted sums and design-based variances of one design (``design.engine``).

    Parameters
    ----------
    sampling : Sampling
        The design's strata, clusters and fpc.
    state : DesignState
        Its weights, raking, trimming and replicates.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
    >>> d.engine.groups.n_groups, d.engine.is_replicate
    (2, False)
    """

    def __init__(self, sampling: Sampling, state: DesignState) -> None:
        self._sampling = sampling
        self._state = state

    # ------------------------------------------------------------------ what estimators read
    @property
    def is_replicate(self) -> bool:
        """Whether variances come from replicate weights."""
        return self._state.replicates is not None

    @cached_property
    def groups(self) -> Groups:
        """Rows grouped by cluster (and raking cell when raked)."""
        cluster = self._sampling.cluster
        cal = self._state.calibration
        n_clusters = self._sampling.n_clusters
        if cal is None:
            return Groups(cluster, n_clusters, np.arange(n_clusters), None)
        cells = cal.cells
        code, uniq = compact(cluster * cells.n_cells + cells.cell, n_clusters * cells.n_cells)
        return Groups(code, len(uniq), uniq // cells.n_cells, uniq % cells.n_cells)

    @property
    def row_weights(self) -> np.ndarray:
        """The weights that :meth:`group_sums` applies to every row.

        The current weights, except on a raked replicate design: there the
        weights before raking, because every replicate re-rakes them
        (:meth:`full_totals` applies the full-sample raking factor).
        """
        rep = self._state.replicates
        if rep is not None and rep.cell_factors is not None:
            return self._state.base
        return self._state.weights

    def group_sums(
        self,
        key: np.ndarray,
        size: int,
        values: np.ndarray | None = None,
    ) -> np.ndarray:
        """Weighted sums of every row's value by group and key, in one pass.

        Parameters
        ----------
        key : ndarray of int, shape (n,)
            What each row counts towards, ``0 .. size - 1`` (e.g. domain x
            category), or -1 for nothing.
        size : int
            Number of keys.
        values : ndarray of float, shape (n,), optional
            Values to weight and sum; default 1 (sums of weights).

        Returns
        -------
        ndarray, shape (n_groups, size)

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
        >>> d.engine.group_sums(np.array([0, 1, 1]), 2).tolist()
        [[1.0, 1.0], [0.0, 1.0]]
        """
        groups = self.groups
        keep = key >= 0
        w = self.row_weights[keep]
        if values is not None:
            w = w * values[keep]
        flat = groups.code[keep] * size + key[keep]
        sums = np.bincount(flat, w, minlength=groups.n_groups * size)
        return sums.reshape(groups.n_groups, size)

    def presence(self, domain: np.ndarray, n_domains: int) -> np.ndarray:
        """Groups x domains: whether a group holds a member of the domain.

        Parameters
        ----------
        domain : ndarray of int, shape (n,)
            Domain of every row (-1 for none).
        n_domains : int

        Returns
        -------
        ndarray of bool, shape (n_groups, n_domains)

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 1, 2]}), clusters="c")
        >>> d.engine.presence(np.array([0, -1, 1]), 2).tolist()
        [[True, False], [False, True]]
        """
        groups = self.groups
        keep = domain >= 0
        flat = groups.code[keep] * n_domains + domain[keep]
        counts = np.bincount(flat, minlength=groups.n_groups * n_domains)
        return counts.reshape(groups.n_groups, n_domains) > 0

    def full_totals(self, group_sums: np.ndarray) -> np.ndarray:
        """Full-sample weighted totals from :meth:`group_sums` (any trailing shape).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"w": [1.0, 3.0]}), weights="w")
        >>> d.engine.full_totals(d.engine.group_sums(np.zeros(2, dtype=np.int64), 1)).tolist()
        [4.0]
        """
        rep = self._state.replicates
        if rep is None or rep.cell_factors is None:
            return group_sums.sum(axis=0)
        factor = self._state.calibration.factor[self.groups.cell]
        return np.tensordot(factor, group_sums, axes=(0, 0))

    def replicate_totals(self, group_sums: np.ndarray) -> np.ndarray:
        """Totals under every replicate's weights, shape (n_replicates, k).

        Parameters
        ----------
        group_sums : ndarray, shape (n_groups, k)
            From :meth:`group_sums`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"c": [1, 2, 3]}), clusters="c").jackknife()
        >>> d.engine.replicate_totals(d.engine.group_sums(np.zeros(3, dtype=np.int64), 1)).ravel()
        array([3., 3., 3.])
        """
        return self._state.replicates.totals(self.groups, group_sums)

    # ------------------------------------------------------------------ the variance
    def variance(
        self,
        influence: np.ndarray | None = None,
        *,
        replicates: np.ndarray | None = None,
        present: np.ndarray,
        covariance: bool = False,
    ) -> Variance:
        """The design-based (co)variance of ``k`` estimates and their domains' degrees of freedom.

        Parameters
        ----------
        influence : ndarray, shape (n_groups, k)
            Linearization designs: group totals of the estimates' weighted
            influence values (``group_sums`` of the per-row influence values).
        replicates : ndarray, shape (n_replicates, k)
            Replicate designs: the estimates recomputed on every replicate
            (from :meth:`replicate_totals`).
        present : ndarray of bool, shape (n_groups, n_domains)
            Which groups hold members of each domain (:meth:`presence`): gives
            the degrees of freedom and R's lonely-PSU check.
        covariance : bool
            Return the (k, k) covariance matrix instead of the variances.

        Returns
        -------
        Variance

        Raises
        ------
        DesignError
            For a single-cluster stratum in use with ``lonely_psu="fail"``.
        ListeningError
            Without the influence values (linearization) or the replicate
            estimates (replicate design) the design needs.
        """
        rep = self._state.replicates
        if rep is None:
            if influence is None:
                raise ListeningError(
                    "variance() on a linearization design needs influence values: pass the "
                    "group totals of the weighted influence values (engine.group_sums)"
                )
            self._check_lonely(present)
            totals = self._linear_totals(influence)
            var = stratified_variance(totals, self._sampling, covariance=covariance)
        else:
            if replicates is None:
                raise ListeningError(
                    "variance() on a replicate design needs replicates=: the estimate "
                    "recomputed on every replicate's totals (engine.replicate_totals)"
                )
            var = replicate_variance(replicates, rep.scale, rep.rscales, covariance=covariance)
        return Variance(var, self._degf(present))

    # ------------------------------------------------------------------ behind the interface
    @cached_property
    def _cluster_cell(self) -> sp.csr_matrix:
        """Raked weights (before trimming) summed by cluster x raking cell."""
        g = self.groups
        cal = self._state.calibration
        sums = np.bincount(g.code, self._state.raked, minlength=g.n_groups)
        return sp.csr_matrix(
            (sums, (g.cluster, g.cell)), shape=(self._sampling.n_clusters, cal.cells.n_cells)
        )

    def _linear_totals(self, group_totals: np.ndarray) -> np.ndarray:
        """Cluster totals of influence values, with the raking residualization."""
        g = self.groups
        cal = self._state.calibration
        totals = g.sum(group_totals, "cluster", self._sampling.n_clusters)
        if cal is None:
            return totals
        cell_totals = g.sum(group_totals, "cell", cal.cells.n_cells)
        fitted = cal.fit @ (cell_totals / cal.factor[:, None])
        return totals - self._cluster_cell @ fitted

    def _check_lonely(self, present: np.ndarray) -> None:
        """Raise for a single-cluster stratum used by a domain."""
        s = self._sampling
        if s.lonely_psu != "fail" or not s.lonely.any():
            return
        if self._state.calibration is not None:
            s.check_lonely()
            return
        clusters = self.groups.sum(present.astype(float), "cluster", s.n_clusters)
        touched = np.asarray(s.to_stratum @ clusters).sum(axis=1) > 0
        s.check_lonely(touched)

    def _degf(self, present: np.ndarray) -> np.ndarray:
        """R's ``degf`` of each domain, from a groups x domains presence matrix."""
        rep = self._state.replicates
        s = self._sampling
        if rep is None:
            clusters = self.groups.sum(present.astype(float), "cluster", s.n_clusters) > 0
            return domain_degf(clusters, s)
        out = np.empty(present.shape[1], dtype=int)
        for d in range(present.shape[1]):
            mask = present[:, d]
            key = np.packbits(mask).tobytes()
            cached = self._state.cache.get(("rank", key))
            if cached is None:
                cached = rep.domain_rank(self.groups, np.flatnonzero(mask)) - 1
                self._state.cache[("rank", key)] = cached
            out[d] = cached
        return out
