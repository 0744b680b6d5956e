"""The survey design: one immutable object that every estimator takes.

:class:`SurveyDesign` holds the data, the weights and the sampling structure
(strata, first-stage clusters, finite population correction), as R's
``svydesign(ids=~cluster, strata=~stratum, weights=~w, fpc=~N, data=...)``.
Every method returns a new design: :meth:`SurveyDesign.rake` (R's
``calibrate(..., calfun="raking")``), :meth:`SurveyDesign.trim` (R's
``trimWeights``), :meth:`SurveyDesign.jackknife` and
:meth:`SurveyDesign.bootstrap` (R's ``as.svrepdesign``).

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"school": [1, 1, 2, 2, 3, 3], "w": [2.0, 2, 3, 3, 1, 1],
...                      "safe": ["yes", "no", "yes", "yes", "no", "yes"]})
>>> design = yl.SurveyDesign(data, weights="w", clusters="school")
>>> design
SurveyDesign(6 rows, 3 clusters, weights 'w')
>>> design.weights.tolist()
[2.0, 2.0, 3.0, 3.0, 1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from listening.design.raking import Calibration, prepare_margins, rake_cells
from listening.errors import DesignError, ListeningError

if TYPE_CHECKING:
    from listening.ingest.codebook import Codebook
    from listening.ingest.survey import Survey
from listening.design.replicates import Replicates, bootstrap_factors, jackknife_factors, rerake
from listening.design.variance import LONELY_PSU, Sampling, compact, domain_degf, plain

_SHOW = 10
_STRICT_ROUNDS = 1000


def _rows(index: pd.Index, mask: np.ndarray) -> str:
    rows = list(index[mask][:_SHOW])
    more = int(mask.sum()) - len(rows)
    return ", ".join(repr(plain(r)) for r in rows) + (f" and {more} more" if more > 0 else "")


def _column(data: pd.DataFrame, name: object, role: str) -> pd.Series:
    if name not in data.columns:
        raise DesignError(
            f"{role} column {name!r} is not in the data; pass one of "
            f"{', '.join(repr(c) for c in list(data.columns)[:20])}"
        )
    col = data[name]
    missing = col.isna().to_numpy()
    if missing.any():
        raise DesignError(
            f"{role} column {name!r} is missing for rows {_rows(data.index, missing)}; "
            f"fill in every {role} value or drop those rows before building the design"
        )
    return col


def _numeric(data: pd.DataFrame, name: str, role: str) -> np.ndarray:
    col = _column(data, name, role)
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise DesignError(
            f"{role} column {name!r} has non-numeric values at rows {_rows(data.index, bad)} "
            f"(e.g. {col[bad].iloc[0]!r}); give every row a number"
        )
    return values


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

    def sum(self, values: np.ndarray, to: str = "cluster", size: int | None = None) -> np.ndarray:
        """Add group-level rows (n_groups, k) up to clusters or raking cells.

        Examples
        --------
        >>> import numpy as np
        >>> g = Groups(np.arange(3), 3, np.array([0, 0, 1]), None)
        >>> g.sum(np.array([[1.0], [2.0], [3.0]]), size=2).tolist()
        [[3.0], [3.0]]
        """
        target = self.cluster if to == "cluster" else self.cell
        n = int(target.max()) + 1 if size is None else size
        mat = sp.csr_matrix(
            (np.ones(self.n_groups), (target, np.arange(self.n_groups))),
            shape=(n, self.n_groups),
        )
        return np.asarray(mat @ values)


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


@dataclass(frozen=True, eq=False)
class _State:
    """Weights and weighting history of a design (immutable)."""

    weights: np.ndarray
    base: np.ndarray
    calibration: Calibration | None = None
    raked: np.ndarray | None = None
    trimmed: bool = False
    replicates: Replicates | None = None
    cache: dict = field(default_factory=dict)


class SurveyDesign:
    """A complex survey design over a DataFrame (R's ``svydesign``).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    weights : str, optional
        Column of design weights; ``None`` means every respondent weighs 1.
    strata : str, optional
        Column of strata.
    clusters : str, optional
        Column of first-stage clusters (PSUs), e.g. school. Cluster ids must
        be nested in strata (one stratum per cluster).
    fpc : str, optional
        Column of the population number of clusters in each stratum (R's
        ``fpc=`` as a count; without clusters, the population size).
    lonely_psu : {"fail", "adjust"}
        What to do with a stratum holding a single cluster, as R's
        ``options(survey.lonely.psu=)``: fail, or centre it on the grand mean.
    codebook : Codebook, optional
        The questionnaire the data follow; tables built on the design take
        their nets and option order from it. :meth:`Survey.design` sets it.

    Attributes
    ----------
    data : DataFrame
    weights : Series

    Notes
    -----
    A design is immutable: :meth:`rake`, :meth:`trim`, :meth:`jackknife`
    and :meth:`bootstrap` return new designs.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": ["a", "a", "b", "b"], "school": [1, 2, 3, 4],
    ...                      "w": [10.0, 12, 8, 9]})
    >>> d = yl.SurveyDesign(data, weights="w", strata="area", clusters="school")
    >>> d
    SurveyDesign(4 rows, 2 strata, 4 clusters, weights 'w')
    >>> d.weights.sum()
    np.float64(39.0)
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        clusters: str | None = None,
        fpc: str | None = None,
        lonely_psu: str = "fail",
        codebook: Codebook | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise DesignError(
                f"data must be a pandas DataFrame, not {type(data).__name__}; "
                "e.g. SurveyDesign(survey.data, ...)"
            )
        if len(data) == 0:
            raise DesignError("data has no rows; a design needs at least one respondent")
        if lonely_psu not in LONELY_PSU:
            raise DesignError(
                f"lonely_psu={lonely_psu!r} is not valid; use one of "
                f"{', '.join(repr(v) for v in LONELY_PSU)}"
            )
        data = data.copy(deep=False)
        n = len(data)
        if weights is None:
            w = np.ones(n)
        else:
            w = _numeric(data, weights, "weights")
            bad = w <= 0
            if bad.any():
                raise DesignError(
                    f"weights column {weights!r} has non-positive values at rows "
                    f"{_rows(data.index, bad)}; weights must be positive: drop respondents "
                    "with zero weight before building the design"
                )
        if strata is None:
            stratum, stratum_labels = np.zeros(n, dtype=np.int64), (None,)
        else:
            codes, uniques = pd.factorize(_column(data, strata, "strata"), sort=True)
            stratum, stratum_labels = codes.astype(np.int64), tuple(uniques)
        if clusters is None:
            cluster = np.arange(n, dtype=np.int64)
            cluster_stratum = stratum
        else:
            codes, uniques = pd.factorize(_column(data, clusters, "clusters"))
            cluster = codes.astype(np.int64)
            cluster_stratum = np.zeros(len(uniques), dtype=np.int64)
            cluster_stratum[cluster] = stratum
            crossed = cluster_stratum[cluster] != stratum
            if crossed.any():
                i = int(np.flatnonzero(crossed)[0])
                raise DesignError(
                    f"cluster {plain(uniques[cluster[i]])!r} (column {clusters!r}) appears in more "
                    f"than one stratum (column {strata!r}), e.g. at row {plain(data.index[i])!r}; "
                    "clusters must be nested in strata: give each stratum's clusters their "
                    "own ids (e.g. combine the stratum and cluster columns)"
                )
        fpc_h = None
        if fpc is not None:
            values = _numeric(data, fpc, "fpc")
            n_strata = int(stratum.max()) + 1
            lo = np.full(n_strata, np.inf)
            hi = np.full(n_strata, -np.inf)
            np.minimum.at(lo, stratum, values)
            np.maximum.at(hi, stratum, values)
            if (lo != hi).any():
                h = int(np.flatnonzero(lo != hi)[0])
                raise DesignError(
                    f"fpc column {fpc!r} takes several values ({lo[h]:g} and {hi[h]:g}) within "
                    f"stratum {plain(stratum_labels[h])!r}; give one population count per stratum"
                )
            fpc_h = lo
            sampled = np.bincount(cluster_stratum, minlength=n_strata)
            small = fpc_h < sampled
            if small.any():
                h = int(np.flatnonzero(small)[0])
                raise DesignError(
                    f"fpc column {fpc!r} gives {fpc_h[h]:g} clusters in the population of "
                    f"stratum {plain(stratum_labels[h])!r}, fewer than the {sampled[h]} "
                    "sampled; fpc is the population number of clusters (or respondents without "
                    "clusters), not a fraction"
                )
        sampling = Sampling.build(
            cluster,
            cluster_stratum,
            fpc=fpc_h,
            lonely_psu=lonely_psu,
            stratum_labels=stratum_labels,
            cluster_labels=data.index if clusters is None else pd.Index(uniques),
        )
        w.setflags(write=False)
        self._init(
            data,
            {"weights": weights, "strata": strata, "clusters": clusters, "fpc": fpc},
            sampling,
            _State(weights=w, base=w),
            codebook=codebook,
        )

    @classmethod
    def from_survey(cls, survey: Survey, **kwargs: Any) -> SurveyDesign:
        """A design over a survey's kept respondents, with its codebook's strata and clusters.

        Strata, clusters and the codebook (which gives tables their nets) come
        from the survey's codebook; keywords (``weights``, ``fpc``,
        ``lonely_psu``, or overriding ``strata``/``clusters``) pass on.

        Parameters
        ----------
        survey : Survey
            What :func:`listening.read_survey` returned.
        **kwargs
            Any argument of :class:`SurveyDesign`.

        Returns
        -------
        SurveyDesign

        Examples
        --------
        >>> import listening as yl
        >>> survey = yl.load_sample()
        >>> design = yl.SurveyDesign.from_survey(survey)
        >>> len(design) == len(survey.data), design.clusters
        (True, 'school')
        """
        options: dict[str, Any] = {}
        if survey.codebook is not None:
            options = {
                "strata": survey.codebook.strata,
                "clusters": survey.codebook.clusters,
                "codebook": survey.codebook,
            }
        return cls(survey.data, **{**options, **kwargs})

    def _init(
        self,
        data: pd.DataFrame,
        spec: dict,
        sampling: Sampling,
        state: _State,
        domain: np.ndarray | None = None,
        codebook: Codebook | None = None,
    ) -> None:
        object.__setattr__(self, "_codebook", codebook)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_sampling", sampling)
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_domain", domain)

    def _evolve(self, state: _State) -> SurveyDesign:
        if self._domain is not None:
            raise ListeningError(
                "this design is a subset(); rake, trim, jackknife and bootstrap the whole "
                "design first, then take the subset (as in R, weighting a subset would "
                "weight only its rows)"
            )
        new = object.__new__(SurveyDesign)
        new._init(self._data, self._spec, self._sampling, state, codebook=self._codebook)
        return new

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            "SurveyDesign is immutable; its methods (rake, trim, jackknife, bootstrap) "
            "return new designs"
        )

    # ------------------------------------------------------------------ public views
    @property
    def data(self) -> pd.DataFrame:
        """The survey data (a copy-on-write view; changing it leaves the design alone)."""
        return self._data.copy(deep=False)

    @property
    def weights(self) -> pd.Series:
        """Current weights, on the data's index."""
        return pd.Series(self._state.weights, index=self._data.index, name="weight", copy=True)

    @property
    def codebook(self) -> Codebook | None:
        """The codebook the data were read with, if any (gives tables their nets)."""
        return self._codebook

    @property
    def strata(self) -> str | None:
        """The strata column, if any."""
        return self._spec["strata"]

    @property
    def clusters(self) -> str | None:
        """The first-stage cluster column, if any."""
        return self._spec["clusters"]

    @property
    def lonely_psu(self) -> str:
        """How a single-cluster stratum is handled."""
        return self._sampling.lonely_psu

    @property
    def is_raked(self) -> bool:
        """Whether the design has been raked."""
        return self._state.calibration is not None

    @property
    def is_replicate(self) -> bool:
        """Whether standard errors come from replicate weights."""
        return self._state.replicates is not None

    @property
    def replicate_type(self) -> str | None:
        """``"JK1"``, ``"JKn"``, ``"bootstrap"`` or ``None``."""
        rep = self._state.replicates
        return None if rep is None else rep.kind

    @property
    def n_replicates(self) -> int:
        """Number of replicate weights (0 for a linearization design)."""
        rep = self._state.replicates
        return 0 if rep is None else rep.n_replicates

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        s = self._sampling
        parts = [f"{len(self._data):,} rows"]
        if self._spec["strata"] is not None:
            parts.append(f"{s.n_strata:,} strata")
        if self._spec["clusters"] is not None:
            parts.append(f"{s.n_clusters:,} clusters")
        parts.append(
            "unweighted" if self._spec["weights"] is None else f"weights {self._spec['weights']!r}"
        )
        if self._spec["fpc"] is not None:
            parts.append(f"fpc {self._spec['fpc']!r}")
        if self._domain is not None:
            parts.append(f"subset of {int(self._domain.sum()):,} rows")
        cal = self._state.calibration
        if cal is not None:
            names = " + ".join(m.name for m in cal.cells.margins)
            parts.append(f"raked on {names}")
        if self._state.trimmed:
            parts.append("trimmed")
        rep = self._state.replicates
        if rep is not None:
            parts.append(f"{rep.kind} with {rep.n_replicates:,} replicates")
        return f"SurveyDesign({', '.join(parts)})"

    # ------------------------------------------------------------------ weighting
    def rake(
        self,
        margins: Sequence[pd.DataFrame],
        *,
        max_iter: int = 100,
        tol: float = 1e-10,
        progress: bool = False,
    ) -> SurveyDesign:
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
            If IPF does not reach ``tol`` within ``max_iter`` sweeps.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"sex": ["F", "F", "M", "M"], "age": [12, 15, 12, 15]})
        >>> margins = [pd.DataFrame({"sex": ["F", "M"], "population": [60, 40]}),
        ...            pd.DataFrame({"age": ["12", "15"], "population": [50, 50]})]
        >>> yl.SurveyDesign(data).rake(margins).weights.round(6).tolist()
        [30.0, 30.0, 20.0, 20.0]
        """
        if self.is_raked:
            raise ListeningError(
                "this design is already raked; rake once, passing every margin in one list "
                "(start again from the unraked design)"
            )
        cells = prepare_margins(self._data, margins)
        state = self._state
        base = state.weights
        base_cells = cells.cell_totals(base)
        factor, sweeps = rake_cells(base_cells, cells, max_iter=max_iter, tol=tol)
        raked = base * factor[cells.cell]
        raked.setflags(write=False)
        calibration = Calibration.build(cells, base_cells, factor, sweeps)
        replicates = state.replicates
        if replicates is not None:
            replicates = rerake(
                replicates,
                self._sampling,
                base,
                cells,
                max_iter=max_iter,
                tol=tol,
                progress=progress,
            )
        return self._evolve(
            _State(
                weights=raked,
                base=base,
                calibration=calibration,
                raked=raked,
                trimmed=False,
                replicates=replicates,
            )
        )

    def trim(
        self,
        *,
        lower: float | None = None,
        upper: float | None = None,
        strict: bool = False,
    ) -> SurveyDesign:
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
        if self.is_replicate:
            raise ListeningError(
                "trim() works on a linearization design; trim (and rake) before calling "
                "jackknife() or bootstrap()"
            )
        lo = -np.inf if lower is None else float(lower)
        hi = np.inf if upper is None else float(upper)
        if not lo < hi:
            raise ListeningError(f"trim bounds must satisfy lower < upper; got {lo:g}, {hi:g}")
        w = np.array(self._state.weights)
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
        w.setflags(write=False)
        state = self._state
        base = state.base if state.calibration is not None else w
        return self._evolve(
            _State(
                weights=w,
                base=base,
                calibration=state.calibration,
                raked=state.raked,
                trimmed=True,
            )
        )

    def jackknife(self, *, progress: bool = False) -> SurveyDesign:
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
        self._check_replicable("jackknife")
        rep = jackknife_factors(
            self._sampling, stratified=self._spec["strata"] is not None, progress=progress
        )
        return self._evolve(
            _State(
                weights=self._state.weights,
                base=self._state.weights,
                trimmed=self._state.trimmed,
                replicates=rep,
            )
        )

    def bootstrap(
        self, replicates: int = 500, seed: int | None = None, *, progress: bool = False
    ) -> SurveyDesign:
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
        self._check_replicable("bootstrap")
        if int(replicates) < 2:
            raise ListeningError(f"bootstrap needs at least 2 replicates; got {replicates}")
        rep = bootstrap_factors(self._sampling, int(replicates), seed, progress=progress)
        return self._evolve(
            _State(
                weights=self._state.weights,
                base=self._state.weights,
                trimmed=self._state.trimmed,
                replicates=rep,
            )
        )

    def _check_replicable(self, what: str) -> None:
        if self.is_raked:
            raise ListeningError(
                f"{what}() on a raked design would drop the raking from the replicates; call "
                f"{what}() on the design before raking, then rake the replicate design: "
                f"design.{what}().rake(margins) re-rakes every replicate"
            )
        if self.is_replicate:
            raise ListeningError(
                f"this design already has {self.replicate_type} replicate weights; call "
                f"{what}() on the original design"
            )

    def with_columns(self, **columns: Any) -> SurveyDesign:
        """A design whose data has columns added or replaced; everything else is kept.

        Same rows in the same order, same weights, strata, clusters, raking,
        trimming and replicates: use it for derived analysis columns (a net
        such as "Feel safe", a combined group, a flag). Columns the design
        itself uses (weights, strata, clusters, fpc, raking variables) cannot
        be replaced.

        Parameters
        ----------
        **columns : Series, array or scalar
            New columns, as ``DataFrame.assign`` takes them (a Series aligns
            on the data's index).

        Returns
        -------
        SurveyDesign

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"q": ["a", "b", "c"], "w": [1.0, 2.0, 1.0]}),
        ...                     weights="w")
        >>> d2 = d.with_columns(ab=d.data["q"].isin(["a", "b"]))
        >>> yl.proportion(d2, "ab")["estimate"].tolist()
        [0.25, 0.75]
        """
        fixed = {v for v in self._spec.values() if v is not None}
        cal = self._state.calibration
        if cal is not None:
            fixed |= {v for m in cal.cells.margins for v in m.variables}
        clash = sorted(str(c) for c in columns if c in fixed)
        if clash:
            raise ListeningError(
                f"with_columns() cannot replace {', '.join(repr(c) for c in clash)}: the design "
                "is built on them; give the new column another name or build a new design"
            )
        data = self._data.assign(**columns)
        new = object.__new__(SurveyDesign)
        new._init(data, self._spec, self._sampling, self._state, self._domain, self._codebook)
        return new

    def subset(self, mask: Any) -> SurveyDesign:
        """Restrict every estimate to a domain, as R's ``subset(design, ...)``.

        Rows outside ``mask`` keep their place in the design (their clusters
        still count, and a raked design still uses them in its calibration),
        so standard errors stay design-based; they are simply outside every
        estimate. A missing value in ``mask`` counts as outside, as in R.

        Parameters
        ----------
        mask : Series of bool (aligned on the data's index) or array of bool
            The respondents to keep in the estimates.

        Returns
        -------
        SurveyDesign
            Estimates only: rake, trim and replicate the whole design first.

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"sex": ["F", "F", "M", "M"], "q": ["y", "n", "y", "y"]})
        >>> d = yl.SurveyDesign(data)
        >>> yl.proportion(d.subset(data["sex"] == "F"), "q")["estimate"].tolist()
        [0.5, 0.5]
        """
        if isinstance(mask, pd.Series):
            if not mask.index.equals(self._data.index):
                mask = mask.reindex(self._data.index)
            values = mask.to_numpy(dtype=object)
        else:
            values = np.asarray(mask, dtype=object)
        if values.shape != (len(self._data),):
            raise ListeningError(
                f"subset() needs one value per row ({len(self._data)}); got shape {values.shape}"
            )
        missing = pd.isna(values)
        keep = np.zeros(len(values), dtype=bool)
        keep[~missing] = values[~missing].astype(bool)
        if self._domain is not None:
            keep &= self._domain
        keep.setflags(write=False)
        new = object.__new__(SurveyDesign)
        new._init(self._data, self._spec, self._sampling, self._state, keep, self._codebook)
        return new

    def diagnostics(self) -> Diagnostics:
        """Weighting diagnostics: Kish design effect, effective n, weight range, margins.

        Returns
        -------
        Diagnostics

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"w": [1.0, 2.0, 3.0]}), weights="w")
        >>> d.diagnostics().effective_n
        2.5714285714285716
        """
        w = self._state.weights
        n = len(w)
        total = float(w.sum())
        squares = float((w * w).sum())
        deff = n * squares / total**2
        cal = self._state.calibration
        margins = sweeps = None
        if cal is not None:
            margins = cal.achieved(w)
            sweeps = cal.sweeps
            rep = self._state.replicates
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

    # ------------------------------------------------------------------ internals for estimators
    @cached_property
    def _groups(self) -> Groups:
        """Rows grouped by cluster (and raking cell when raked)."""
        cluster = self._sampling.cluster
        cal = self._state.calibration
        if cal is None:
            return Groups(
                cluster, self._sampling.n_clusters, np.arange(self._sampling.n_clusters), None
            )
        cells = cal.cells
        key = cluster * cells.n_cells + cells.cell
        code, uniq = compact(key, self._sampling.n_clusters * cells.n_cells)
        return Groups(
            code,
            len(uniq),
            uniq // cells.n_cells,
            uniq % cells.n_cells,
        )

    @cached_property
    def _cluster_cell(self) -> sp.csr_matrix:
        """Raked weights (before trimming) summed by cluster x raking cell."""
        g = self._groups
        cal = self._state.calibration
        sums = np.bincount(g.code, self._state.raked, minlength=g.n_groups)
        return sp.csr_matrix(
            (sums, (g.cluster, g.cell)), shape=(self._sampling.n_clusters, cal.cells.n_cells)
        )

    def _sum_weights(self) -> np.ndarray:
        """Row weights that estimators sum: current weights, or replicate base weights."""
        rep = self._state.replicates
        if rep is not None and rep.cell_factors is not None:
            return self._state.base
        return self._state.weights

    def _full_factor(self) -> np.ndarray | None:
        """Per group: full-sample weight over the summed weight (raked replicate designs)."""
        rep = self._state.replicates
        if rep is None or rep.cell_factors is None:
            return None
        return self._state.calibration.factor[self._groups.cell]

    def _linear_totals(self, group_totals: np.ndarray) -> np.ndarray:
        """Cluster totals of influence values, with the raking residualization.

        ``group_totals`` (n_groups, k) are sums of ``w * a`` (``a`` the
        unweighted influence) by group; returns (n_clusters, k).
        """
        g = self._groups
        cal = self._state.calibration
        totals = g.sum(group_totals, "cluster", self._sampling.n_clusters)
        if cal is None:
            return totals
        cell_totals = g.sum(group_totals, "cell", cal.cells.n_cells)
        fitted = cal.fit @ (cell_totals / cal.factor[:, None])
        return totals - self._cluster_cell @ fitted

    def _check_lonely(self, present: np.ndarray) -> None:
        """Raise for a single-cluster stratum used by a domain (groups x domains presence)."""
        s = self._sampling
        if s.lonely_psu != "fail" or not s.lonely.any():
            return
        if self.is_raked:
            s.check_lonely()
            return
        clusters = self._groups.sum(present.astype(float), "cluster", s.n_clusters)
        touched = np.asarray(s.to_stratum @ clusters).sum(axis=1) > 0
        s.check_lonely(touched)

    def _degf(self, present: np.ndarray) -> np.ndarray:
        """R's ``degf`` of each domain, from a groups x domains presence matrix."""
        rep = self._state.replicates
        s = self._sampling
        if rep is None:
            clusters = self._groups.sum(present.astype(float), "cluster", s.n_clusters) > 0
            return domain_degf(clusters, s)
        out = np.empty(present.shape[1], dtype=int)
        for d in range(present.shape[1]):
            mask = present[:, d]
            key = np.packbits(mask).tobytes()
            cached = self._state.cache.get(("rank", key))
            if cached is None:
                cached = rep.domain_rank(self._groups, np.flatnonzero(mask)) - 1
                self._state.cache[("rank", key)] = cached
            out[d] = cached
        return out

    def _replicate_sums(self, group_sums: np.ndarray) -> np.ndarray:
        """Replicate totals (n_replicates, k) from group sums of base weights (n_groups, k)."""
        return self._state.replicates.totals(self._groups, group_sums)
