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

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.design.diagnostics import Diagnostics, diagnose
from listening.design.engine import DesignState, Variance, VarianceEngine
from listening.design.structure import build_structure, check_new_columns, describe, domain_mask
from listening.design.variance import LONELY_PSU, Sampling
from listening.design.weighting import Weighting
from listening.errors import DesignError, ListeningError

if TYPE_CHECKING:
    from listening.ingest.codebook import Codebook
    from listening.ingest.survey import Survey


class SurveyDesign(Weighting):
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
        w, sampling = build_structure(data, weights, strata, clusters, fpc, lonely_psu)
        w.setflags(write=False)
        self._init(
            data,
            {"weights": weights, "strata": strata, "clusters": clusters, "fpc": fpc},
            sampling,
            DesignState(weights=w, base=w),
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
        state: DesignState,
        domain: np.ndarray | None = None,
        codebook: Codebook | None = None,
    ) -> None:
        object.__setattr__(self, "_codebook", codebook)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_sampling", sampling)
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_domain", domain)

    def with_state(self, state: DesignState) -> SurveyDesign:
        """A design over the same data and sampling with new weights (``DesignState``).

        The weighting steps (:meth:`rake`, :meth:`trim`, :meth:`jackknife`,
        :meth:`bootstrap`) build their state with :mod:`listening.design.weighting`
        and return ``design.with_state(state)``.

        Raises
        ------
        ListeningError
            On a :meth:`subset` (weight the whole design, then take the subset).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> from listening.design.engine import DesignState
        >>> d = yl.SurveyDesign(pd.DataFrame({"a": [1, 2]}))
        >>> d.with_state(DesignState(np.array([2.0, 3.0]), np.ones(2))).weights.tolist()
        [2.0, 3.0]
        """
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

    @property
    def state(self) -> DesignState:
        """The weights and weighting history (immutable)."""
        return self._state

    @property
    def domain(self) -> np.ndarray | None:
        """Rows inside the estimates after :meth:`subset` (read-only bool array), or None."""
        return self._domain

    @property
    def sampling(self) -> Sampling:
        """The first-stage structure: cluster and stratum codes, fpc, lonely-PSU rule."""
        return self._sampling

    @property
    def engine(self) -> VarianceEngine:
        """The variance engine every estimator uses (see :mod:`listening.design.engine`).

        Designs that share weights (a :meth:`subset`, :meth:`with_columns`)
        share one engine, so its groupings are built once.
        """
        cache = self._state.cache
        if "engine" not in cache:
            cache["engine"] = VarianceEngine(self._sampling, self._state)
        return cache["engine"]

    def variance(
        self,
        influence: np.ndarray | None = None,
        *,
        replicates: np.ndarray | None = None,
        present: np.ndarray,
        covariance: bool = False,
    ) -> Variance:
        """The design-based (co)variance of estimates: :meth:`VarianceEngine.variance`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> import listening as yl
        >>> d = yl.SurveyDesign(pd.DataFrame({"y": [1.0, 2.0, 4.0]}))
        >>> inside = np.zeros(3, dtype=np.int64)
        >>> sums = d.engine.group_sums(inside, 1, values=d.data["y"].to_numpy())
        >>> d.variance(sums, present=d.engine.presence(inside, 1)).var.round(4).tolist()
        [7.0]
        """
        return self.engine.variance(
            influence, replicates=replicates, present=present, covariance=covariance
        )

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return describe(self._spec, self._sampling, self._state, self._domain, len(self._data))

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
        check_new_columns(self._spec, self._state, columns)
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
        keep = domain_mask(self._data.index, mask, self._domain)
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
        return diagnose(self._state)
