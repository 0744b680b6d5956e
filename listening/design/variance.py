"""Variance estimation: linearization and replicate weights, as R's ``survey``.

Linearization follows ``svyrecvar``: influence values are summed within
first-stage clusters, centred within strata and scaled by
``f_h n_h / (n_h - 1)`` with ``f_h = (N_h - n_h) / N_h`` the finite population
correction. A domain keeps every cluster of the design (clusters with no one in
the domain count as zero totals), as R's ``subset()`` does. Replicate variances
follow ``svrVar`` with ``mse=FALSE``: squared deviations from the mean of the
replicates, times ``scale * rscales``.

Everything here works on integer codes and numpy arrays; the design object
(:mod:`listening.design.survey_design`) builds them once.

Examples
--------
>>> import numpy as np
>>> from listening.design.variance import Sampling, stratified_variance
>>> s = Sampling.build(np.arange(4), np.array([0, 0, 1, 1]))
>>> s.n_clusters, s.n_strata
(4, 2)
>>> stratified_variance(np.array([[1.0], [-1.0], [2.0], [0.0]]), s)
array([8.])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg.lapack
import scipy.sparse as sp

from listening.errors import DesignError

LONELY_PSU: tuple[str, ...] = ("fail", "adjust")

# R's onestrat(): a stratum whose sampling fraction is this close to one is
# taken as self-representing and contributes no variance.
_CERTAINTY = 1e-7


def plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read ``3`` and not ``np.int64(3)``.

    Examples
    --------
    >>> import numpy as np
    >>> repr(plain(np.int64(3))), repr(plain("a"))
    ('3', "'a'")
    """
    return value.item() if isinstance(value, np.generic) else value


def compact(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct integer keys ``0 .. k-1`` in increasing order (-1 stays -1).

    A counting pass instead of a hash table: keys are combinations of a few
    small codes (cluster x raking cell, group x category), so ``size`` is small.

    Parameters
    ----------
    key : ndarray of int
        Keys in ``[0, size)``, or -1 for none.
    size : int
        Upper bound of the keys.

    Returns
    -------
    codes : ndarray of int
    keys : ndarray of int
        The distinct keys, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> codes, keys = compact(np.array([7, 3, -1, 7]), 10)
    >>> codes.tolist(), keys.tolist()
    ([1, 0, -1, 1], [3, 7])
    """
    if size > max(8 * len(key), 1 << 16):
        codes, keys = pd.factorize(key, sort=True, use_na_sentinel=True)
        keys = np.asarray(keys)
        if (keys < 0).any():
            codes = np.where(codes == 0, -1, codes - 1) if keys[0] < 0 else codes
            keys = keys[keys >= 0]
        return np.asarray(codes, dtype=np.int64), keys
    valid = key >= 0
    everything = bool(valid.all())
    present = np.bincount(key if everything else key[valid], minlength=size) > 0
    mapping = np.cumsum(present, dtype=np.int64) - 1
    codes = mapping[key] if everything else np.where(valid, mapping[np.maximum(key, 0)], -1)
    return codes, np.flatnonzero(present)


@dataclass(frozen=True, eq=False)
class Sampling:
    """First-stage sampling structure of a design, as integer codes.

    Attributes
    ----------
    cluster : ndarray of int, shape (n,)
        First-stage cluster (PSU) code of every row, ``0 .. n_clusters - 1``.
    cluster_stratum : ndarray of int, shape (n_clusters,)
        Stratum code of every cluster.
    psu_count : ndarray of int, shape (n_strata,)
        Clusters sampled in each stratum (R's ``fpc$sampsize``).
    fpc : ndarray of float or None, shape (n_strata,)
        Population number of clusters in each stratum (R's ``fpc$popsize``).
    lonely_psu : {"fail", "adjust"}
        R's ``options(survey.lonely.psu=)``.
    stratum_labels : tuple
        Stratum values, for messages.
    cluster_labels : Index
        Cluster values (row labels without clusters), for messages.

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.array([0, 1, 2]), np.array([0, 0, 0]), fpc=np.array([30.0]))
    >>> s.psu_count.tolist(), float(s.stratum_scale[0])
    ([3], 1.35)
    """

    cluster: np.ndarray
    cluster_stratum: np.ndarray
    psu_count: np.ndarray
    fpc: np.ndarray | None
    lonely_psu: str
    stratum_labels: tuple
    cluster_labels: pd.Index
    stratum_scale: np.ndarray
    lonely: np.ndarray
    to_stratum: sp.csr_matrix

    @classmethod
    def build(
        cls,
        cluster: np.ndarray,
        cluster_stratum: np.ndarray,
        *,
        fpc: np.ndarray | None = None,
        lonely_psu: str = "fail",
        stratum_labels: tuple | None = None,
        cluster_labels: pd.Index | None = None,
    ) -> Sampling:
        """Build the structure from cluster codes and the stratum of each cluster.

        Parameters
        ----------
        cluster : ndarray of int
            Cluster code of every row.
        cluster_stratum : ndarray of int
            Stratum code of every cluster.
        fpc : ndarray of float, optional
            Population number of clusters per stratum.
        lonely_psu : {"fail", "adjust"}
            What to do with a stratum that has a single cluster.
        stratum_labels : tuple, optional
            Stratum values for messages; default the codes.
        cluster_labels : Index, optional
            Cluster values for messages; default the codes.

        Returns
        -------
        Sampling

        Examples
        --------
        >>> import numpy as np
        >>> Sampling.build(np.array([0, 0, 1]), np.array([0, 0])).psu_count.tolist()
        [2]
        """
        n_strata = int(cluster_stratum.max()) + 1 if len(cluster_stratum) else 0
        psu_count = np.bincount(cluster_stratum, minlength=n_strata)
        if fpc is None:
            f = np.ones(n_strata)
        else:
            f = (fpc - psu_count) / fpc
        certain = f < _CERTAINTY
        lonely = (psu_count == 1) & ~certain
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(psu_count > 1, f * psu_count / (psu_count - 1), f)
        scale = np.where(certain, 0.0, scale)
        n_clusters = len(cluster_stratum)
        to_stratum = sp.csr_matrix(
            (np.ones(n_clusters), (cluster_stratum, np.arange(n_clusters))),
            shape=(n_strata, n_clusters),
        )
        labels = tuple(range(n_strata)) if stratum_labels is None else tuple(stratum_labels)
        for arr in (cluster, cluster_stratum, psu_count, scale, lonely):
            arr.setflags(write=False)
        return cls(
            cluster=cluster,
            cluster_stratum=cluster_stratum,
            psu_count=psu_count,
            fpc=fpc,
            lonely_psu=lonely_psu,
            stratum_labels=labels,
            cluster_labels=pd.RangeIndex(n_clusters) if cluster_labels is None else cluster_labels,
            stratum_scale=scale,
            lonely=lonely,
            to_stratum=to_stratum,
        )

    @property
    def n_clusters(self) -> int:
        """Number of first-stage clusters in the design."""
        return len(self.cluster_stratum)

    @property
    def n_strata(self) -> int:
        """Number of strata in the design."""
        return len(self.psu_count)

    def check_lonely(self, touched: np.ndarray | None = None) -> None:
        """Raise as R does (``survey.lonely.psu="fail"``) for a single-PSU stratum in use.

        Parameters
        ----------
        touched : ndarray of bool, shape (n_strata,), optional
            Strata that hold rows of the analysed domain; default all.

        Raises
        ------
        DesignError
            If ``lonely_psu="fail"`` and a touched stratum has one cluster.

        Examples
        --------
        >>> import numpy as np
        >>> s = Sampling.build(np.array([0, 1, 2]), np.array([0, 0, 1]))
        >>> s.check_lonely(np.array([True, False]))  # the lonely stratum is not used
        """
        if self.lonely_psu != "fail" or not self.lonely.any():
            return
        bad = self.lonely if touched is None else self.lonely & touched
        if bad.any():
            names = [repr(plain(self.stratum_labels[h])) for h in np.flatnonzero(bad)[:10]]
            raise DesignError(
                f"stratum {', '.join(names)} has only one cluster (PSU), so its variance "
                "cannot be estimated; pass lonely_psu='adjust' to SurveyDesign (as R's "
                "options(survey.lonely.psu='adjust')) or merge the stratum with a similar one"
            )


def stratified_variance(
    totals: np.ndarray,
    sampling: Sampling,
    *,
    covariance: bool = False,
) -> np.ndarray:
    """Linearized variance from cluster totals of influence values (R's ``onestage``).

    Parameters
    ----------
    totals : ndarray, shape (n_clusters, k)
        Influence values summed within every cluster of the design.
    sampling : Sampling
        The design's first-stage structure.
    covariance : bool
        Return the ``k x k`` covariance matrix instead of the ``k`` variances.

    Returns
    -------
    ndarray
        Variances, shape (k,), or covariance, shape (k, k).

    Notes
    -----
    Strata with one cluster contribute ``f_h * t_c^2`` (R's ``"adjust"``: the
    cluster is centred on the grand mean, zero for influence values); call
    :meth:`Sampling.check_lonely` first for ``"fail"``.

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(4), np.zeros(4, dtype=int))
    >>> t = np.array([[1.0, 0.0], [-1.0, 1.0], [2.0, 0.0], [-2.0, -1.0]])
    >>> stratified_variance(t, s, covariance=True)
    array([[13.33333333,  1.33333333],
           [ 1.33333333,  2.66666667]])
    """
    totals = np.asarray(totals, dtype=float)
    n_h = np.maximum(sampling.psu_count, 1)
    means = (sampling.to_stratum @ totals) / n_h[:, None]
    means[sampling.lonely] = 0.0
    centred = totals - means[sampling.cluster_stratum]
    scale = sampling.stratum_scale[sampling.cluster_stratum]
    if covariance:
        return (centred * scale[:, None]).T @ centred
    return scale @ (centred * centred)


def domain_degf(presence: np.ndarray, sampling: Sampling) -> np.ndarray:
    """R's ``degf`` of domains: clusters with a domain member minus their strata.

    Parameters
    ----------
    presence : ndarray of bool, shape (n_clusters, d)
        Whether each cluster holds a (non-zero weight) member of each domain.
    sampling : Sampling

    Returns
    -------
    ndarray of int, shape (d,)

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(4), np.array([0, 0, 1, 1]))
    >>> domain_degf(np.array([[1, 1], [1, 0], [1, 0], [0, 0]], dtype=bool), s).tolist()
    [1, 0]
    """
    presence = np.asarray(presence, dtype=float)
    clusters = presence.sum(axis=0)
    strata = (np.asarray(sampling.to_stratum @ presence) > 0).sum(axis=0)
    return (clusters - strata).astype(int)


def replicate_variance(
    thetas: np.ndarray,
    scale: float,
    rscales: np.ndarray,
    *,
    covariance: bool = False,
) -> np.ndarray:
    """Replicate variance as R's ``svrVar`` with ``mse=FALSE``.

    Parameters
    ----------
    thetas : ndarray, shape (n_replicates, k)
        The estimates under every set of replicate weights.
    scale : float
        Overall scale (R's ``design$scale``).
    rscales : ndarray, shape (n_replicates,)
        Per-replicate scales (R's ``design$rscales``).
    covariance : bool
        Return the covariance matrix; replicates with any non-finite estimate
        are dropped, as R's ``na.omit``. Variances drop them column by column.

    Returns
    -------
    ndarray
        Shape (k,) or (k, k).

    Examples
    --------
    >>> import numpy as np
    >>> replicate_variance(np.array([[1.0], [2.0], [3.0]]), 0.5, np.ones(3))
    array([1.])
    """
    thetas = np.asarray(thetas, dtype=float)
    rscales = np.asarray(rscales, dtype=float)
    if covariance:
        keep = np.isfinite(thetas).all(axis=1)
        th, rs = thetas[keep], rscales[keep]
        centre = th[rs > 0].mean(axis=0)
        dev = th - centre
        return (dev * rs[:, None]).T @ dev * scale
    finite = np.isfinite(thetas)
    use = finite & (rscales[:, None] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(use, thetas, 0.0).sum(axis=0) / use.sum(axis=0)
    dev = np.where(finite, thetas - centre, 0.0)
    return (rscales @ (dev * dev)) * scale


def gram_rank(gram: np.ndarray, *, tol: float = 1e-5) -> int:
    """Numerical rank of a matrix from its Gram matrix ``A'A``.

    Columns are scaled to unit norm and the Gram matrix factorised by Cholesky
    with complete pivoting (LAPACK ``dpstrf``); a column counts when its
    residual norm, after projecting out the columns already taken, exceeds
    ``tol`` times its own norm, the criterion of R's ``qr(x, tol=)``.

    Parameters
    ----------
    gram : ndarray, shape (k, k)
        ``A'A`` for a matrix ``A`` with ``k`` columns.
    tol : float
        Relative tolerance on residual column norms.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 1.0], [0.0, 0.0, 1.0]])
    >>> gram_rank(a.T @ a)
    2
    """
    if gram.size == 0:
        return 0
    norms = np.sqrt(np.diag(gram))
    keep = norms > 0
    if not keep.any():
        return 0
    scaled = gram[np.ix_(keep, keep)] / np.outer(norms[keep], norms[keep])
    _, _, rank, info = scipy.linalg.lapack.dpstrf(scaled, tol=tol * tol, lower=1)
    if info < 0:
        raise ValueError(f"dpstrf failed with info={info}")
    return int(rank)
