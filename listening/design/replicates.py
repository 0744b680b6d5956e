"""Replicate weights: jackknife (JK1, JKn), Rao-Wu rescaled bootstrap, re-raking.

Replicate weights are never stored per respondent. Every replicate multiplies
the base weight of a respondent by a factor of the respondent's first-stage
cluster (``factors``, clusters x replicates) and, once raked, by a factor of
the respondent's raking cell (``cell_factors``, cells x replicates). Replicate
totals are then group sums times those factors, and re-raking runs IPF on a
cells x replicates array: every replicate at once.

The factors follow R's ``jknweights``, ``jk1weights`` and ``subbootweights``
(``as.svrepdesign(type="JKn" | "JK1" | "subbootstrap")``), with R's defaults
(``compress=TRUE``, ``survey.drop.replicates=TRUE``: self-representing strata
get no replicates).

Examples
--------
>>> import numpy as np
>>> from listening.design.variance import Sampling, gram_rank, plain
>>> from listening.design.replicates import jackknife_factors
>>> s = Sampling.build(np.arange(4), np.array([0, 0, 1, 1]))
>>> rep = jackknife_factors(s, stratified=True)
>>> rep.factors
array([[0., 2., 1., 1.],
       [2., 0., 1., 1.],
       [1., 1., 0., 2.],
       [1., 1., 2., 0.]])
>>> rep.rscales.tolist()
[0.5, 0.5, 0.5, 0.5]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from listening.design.raking import RakingCells, progress_bar, rake_cells
from listening.design.variance import Sampling, gram_rank, plain
from listening.errors import DesignError, ListeningError, MarginsError

_MAX_FACTORS = 50_000_000
_CHUNK = 1 << 22
# R's degf() for replicate designs: qr(weights(design, "analysis"), tol = 1e-5)$rank
_RANK_TOL = 1e-5


@dataclass(frozen=True, eq=False)
class Replicates:
    """Replicate weights of a design, as factors per cluster (and raking cell).

    Attributes
    ----------
    kind : {"JK1", "JKn", "bootstrap"}
    factors : ndarray, shape (n_clusters, n_replicates)
        Factor of every cluster in every replicate.
    scale : float
        R's ``design$scale``.
    rscales : ndarray, shape (n_replicates,)
        R's ``design$rscales``.
    dropped : ndarray of int, shape (n_replicates,)
        The cluster a jackknife replicate deletes (-1 for the bootstrap).
    cell_factors : ndarray or None, shape (n_cells, n_replicates)
        Raking factor of every raking cell in every replicate (raked designs).
    sweeps : int or None
        IPF sweeps used to re-rake the replicates.

    Examples
    --------
    >>> import numpy as np
    >>> rep = Replicates("JK1", np.array([[0.0, 2.0], [2.0, 0.0]]), 0.5, np.ones(2),
    ...                  np.arange(2))
    >>> rep.n_replicates
    2
    """

    kind: str
    factors: np.ndarray
    scale: float
    rscales: np.ndarray
    dropped: np.ndarray
    cell_factors: np.ndarray | None = None
    sweeps: int | None = None

    @property
    def n_replicates(self) -> int:
        """Number of replicates."""
        return self.factors.shape[1]

    def group_factors(self, groups: Any, index: np.ndarray) -> np.ndarray:
        """Replicate factors of the given row groups (cluster x raking cell).

        Parameters
        ----------
        groups : listening.design.survey_design.Groups
        index : ndarray of int
            Groups to return.

        Returns
        -------
        ndarray, shape (len(index), n_replicates)
        """
        out = self.factors[groups.cluster[index]]
        if self.cell_factors is not None:
            out = out * self.cell_factors[groups.cell[index]]
        return out

    def totals(self, groups: Any, sums: np.ndarray) -> np.ndarray:
        """Replicate totals from group sums of base weights.

        Parameters
        ----------
        groups : listening.design.survey_design.Groups
        sums : ndarray, shape (n_groups, k)

        Returns
        -------
        ndarray, shape (n_replicates, k)
        """
        if self.cell_factors is None and groups.cell is None:
            return (sums.T @ self.factors).T
        out = np.zeros((sums.shape[1], self.n_replicates))
        step = max(1, _CHUNK // self.n_replicates)
        for start in range(0, groups.n_groups, step):
            idx = np.arange(start, min(start + step, groups.n_groups))
            out += sums[idx].T @ self.group_factors(groups, idx)
        return out.T

    def domain_rank(self, groups: Any, index: np.ndarray) -> int:
        """Rank of a domain's replicate weights (R's ``degf`` of a replicate design, plus one).

        The rows are the domain's (cluster x raking cell) groups, whose replicate
        weights are proportional to :meth:`group_factors`. A replicate that
        changes no cluster of the domain gives it raking factors only, a vector
        in the span of the domain's cell indicators: such replicates are
        replaced by a basis of their span before the rank is taken, from the
        pivoted Cholesky factorisation of the Gram matrix of unit-norm columns
        (R: ``qr(weights(design, "analysis"), tol=1e-5)$rank``).

        Parameters
        ----------
        groups : listening.design.survey_design.Groups
        index : ndarray of int
            The groups holding members of the domain.

        Returns
        -------
        int
        """
        clusters = np.unique(groups.cluster[index])
        touch = (self.factors[clusters] != 1.0).any(axis=0)
        if self.cell_factors is None:
            extra = np.ones((len(index), 1)) if not touch.all() else np.zeros((len(index), 0))
        else:
            cells, where = np.unique(groups.cell[index], return_inverse=True)
            span = self.cell_factors[cells][:, ~touch]
            if span.shape[1]:
                u, sv, _ = np.linalg.svd(span, full_matrices=False)
                extra = u[where][:, : int((sv > _RANK_TOL * sv[0]).sum())]
            else:
                extra = np.zeros((len(index), 0))
        used = np.flatnonzero(touch)
        k = len(used) + extra.shape[1]
        gram = np.zeros((k, k))
        step = max(1, _CHUNK // max(k, 1))
        for start in range(0, len(index), step):
            rows = index[start : start + step]
            block = self.factors[groups.cluster[rows]][:, used]
            if self.cell_factors is not None:
                block *= self.cell_factors[groups.cell[rows]][:, used]
            block = np.hstack([block, extra[start : start + step]])
            gram += block.T @ block
        return gram_rank(gram, tol=_RANK_TOL)


def _check_size(n_clusters: int, n_replicates: int) -> None:
    if n_clusters * n_replicates > _MAX_FACTORS:
        raise ListeningError(
            f"{n_replicates:,} replicates over {n_clusters:,} clusters is too many for a "
            "jackknife; give the design its clusters (clusters=...), or use bootstrap()"
        )


def _strata_members(sampling: Sampling) -> list[np.ndarray]:
    order = np.argsort(sampling.cluster_stratum, kind="stable")
    bounds = np.cumsum(sampling.psu_count)[:-1]
    return np.split(order, bounds)


def jackknife_factors(sampling: Sampling, *, stratified: bool, progress: bool = False):
    """Jackknife replicate factors: JKn with strata, JK1 without (R's ``as.svrepdesign``).

    Parameters
    ----------
    sampling : Sampling
    stratified : bool
        Whether the design was given strata (JKn) or not (JK1).
    progress : bool
        Show a progress bar over strata.

    Returns
    -------
    Replicates

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(3), np.zeros(3, dtype=int))
    >>> rep = jackknife_factors(s, stratified=False)
    >>> rep.kind, rep.scale, rep.factors[0].tolist()
    ('JK1', 0.6666666666666666, [0.0, 1.5, 1.5])
    """
    n_clusters = sampling.n_clusters
    if not stratified:
        if n_clusters < 2:
            raise DesignError("a jackknife needs at least two clusters; the design has one")
        _check_size(n_clusters, n_clusters)
        f = 1.0 if sampling.fpc is None else (sampling.fpc[0] - n_clusters) / sampling.fpc[0]
        if f == 0:
            raise DesignError(
                "the fpc says every cluster of the population was sampled, so there is no "
                "sampling variance to estimate"
            )
        factors = np.full((n_clusters, n_clusters), n_clusters / (n_clusters - 1))
        np.fill_diagonal(factors, 0.0)
        return Replicates(
            kind="JK1",
            factors=factors,
            scale=f * (n_clusters - 1) / n_clusters,
            rscales=np.ones(n_clusters),
            dropped=np.arange(n_clusters),
        )
    _check_size(n_clusters, n_clusters)
    members = _strata_members(sampling)
    n_strata = sampling.n_strata
    columns: list[np.ndarray] = []
    rscales: list[float] = []
    dropped: list[int] = []
    stratum = sampling.cluster_stratum
    for h in progress_bar(range(n_strata), progress, "jackknife strata"):
        idx = members[h]
        n_h = len(idx)
        f = 1.0 if sampling.fpc is None else (sampling.fpc[h] - n_h) / sampling.fpc[h]
        if f == 0:
            continue
        if n_h == 1:
            if sampling.lonely_psu == "fail":
                sampling.check_lonely(np.arange(n_strata) == h)
            col = np.where(stratum == h, 0.0, n_strata / (n_strata - 1))
            columns.append(col)
            rscales.append((n_strata - 1) / n_strata)
            dropped.append(int(idx[0]))
            continue
        for c in idx:
            col = np.ones(n_clusters)
            col[idx] = n_h / (n_h - 1)
            col[c] = 0.0
            columns.append(col)
            rscales.append(f * (n_h - 1) / n_h)
            dropped.append(int(c))
    if not columns:
        raise DesignError(
            "every stratum was sampled exhaustively (fpc equals the clusters sampled), so "
            "there is no sampling variance to estimate"
        )
    return Replicates(
        kind="JKn",
        factors=np.column_stack(columns),
        scale=1.0,
        rscales=np.array(rscales),
        dropped=np.array(dropped),
    )


def bootstrap_factors(
    sampling: Sampling, replicates: int, seed: int | None, *, progress: bool = False
) -> Replicates:
    """Rao-Wu rescaled bootstrap factors (R's ``subbootweights``).

    Parameters
    ----------
    sampling : Sampling
    replicates : int
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    progress : bool
        Show a progress bar over strata.

    Returns
    -------
    Replicates

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(4), np.zeros(4, dtype=int))
    >>> rep = bootstrap_factors(s, 3, seed=1)
    >>> rep.factors.sum(axis=0).tolist()  # n_h - 1 draws, each worth n_h / (n_h - 1)
    [4.0, 4.0, 4.0]
    """
    rng = np.random.default_rng(seed)
    n_clusters = sampling.n_clusters
    _check_size(n_clusters, replicates)
    factors = np.zeros((n_clusters, replicates))
    members = _strata_members(sampling)
    for h in progress_bar(range(sampling.n_strata), progress, "bootstrap strata"):
        idx = members[h]
        n_h = len(idx)
        if n_h < 2:
            raise DesignError(
                f"stratum {plain(sampling.stratum_labels[h])!r} has a single cluster; the "
                "bootstrap needs at least two clusters in every stratum: merge it with a "
                "similar stratum"
            )
        draws = rng.integers(0, n_h, size=(replicates, n_h - 1))
        flat = draws + (np.arange(replicates) * n_h)[:, None]
        counts = np.bincount(flat.ravel(), minlength=replicates * n_h).reshape(replicates, n_h)
        factors[idx] = counts.T * (n_h / (n_h - 1))
    return Replicates(
        kind="bootstrap",
        factors=factors,
        scale=1.0 / (replicates - 1),
        rscales=np.ones(replicates),
        dropped=np.full(replicates, -1),
    )


def rerake(
    replicates: Replicates,
    sampling: Sampling,
    base: np.ndarray,
    cells: RakingCells,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    progress: bool = False,
    bounds: tuple[float, float] | None = None,
) -> Replicates:
    """Rake every replicate from its own weights to the margins (R: ``calibrate`` on replicates).

    Parameters
    ----------
    replicates : Replicates
    sampling : Sampling
    base : ndarray, shape (n,)
        Full-sample weights before raking.
    cells : RakingCells
    max_iter, tol, bounds : as :meth:`listening.SurveyDesign.rake`
    progress : bool
        Show a progress bar of the sweeps.

    Returns
    -------
    Replicates
        With ``cell_factors`` set.

    Raises
    ------
    MarginsError
        If a replicate has no respondents in a margin category.
    """
    cell_cluster = sp.csr_matrix(
        (base, (cells.cell, sampling.cluster)), shape=(cells.n_cells, sampling.n_clusters)
    )
    start = np.asarray(cell_cluster @ replicates.factors)
    for m in cells.margins:
        empty = m.totals(start) <= 0
        if empty.any():
            k, r = (int(x[0]) for x in np.nonzero(empty))
            who = (
                f"deleting cluster {plain(sampling.cluster_labels[replicates.dropped[r]])!r}"
                if replicates.dropped[r] >= 0
                else "a bootstrap resample"
            )
            raise MarginsError(
                f"replicate {r + 1} ({who}) has no respondents in margin {m.name!r} category "
                f"{' x '.join(m.categories[k])!r}, so it cannot be raked; merge that category "
                "with a neighbour so every category has respondents in several clusters"
            )
    factor, sweeps = rake_cells(
        start,
        cells,
        max_iter=max_iter,
        tol=tol,
        what="re-raking the replicates",
        progress=progress,
        bounds=bounds,
    )
    return replace(replicates, cell_factors=factor, sweeps=sweeps)
