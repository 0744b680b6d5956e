"""The sampling structure of a new design, checked.

:func:`build_structure` turns the weight, strata, cluster and fpc columns of
a design's data into weights and a :class:`~listening.design.variance.Sampling`,
with a :class:`~listening.errors.DesignError` naming the column, rows and fix
for anything R's ``svydesign`` would refuse.

Examples
--------
>>> import pandas as pd
>>> w, s = build_structure(pd.DataFrame({"c": [1, 1, 2]}), None, None, "c", None, "fail")
>>> w.tolist(), s.n_clusters
([1.0, 1.0, 1.0], 2)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from listening.design.engine import DesignState
from listening.design.variance import Sampling, plain
from listening.errors import DesignError, ListeningError

_SHOW = 10


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


def build_structure(
    data: pd.DataFrame,
    weights: str | None,
    strata: str | None,
    clusters: str | None,
    fpc: str | None,
    lonely_psu: str,
) -> tuple[np.ndarray, Sampling]:
    """Weights and first-stage structure of a design, checked as R's ``svydesign``.

    Parameters
    ----------
    data : DataFrame
    weights, strata, clusters, fpc : str or None
        Columns of ``data`` (see :class:`listening.SurveyDesign`).
    lonely_psu : {"fail", "adjust"}

    Returns
    -------
    weights : ndarray
    sampling : Sampling

    Raises
    ------
    DesignError
        A missing column, missing or non-numeric values, non-positive
        weights, clusters not nested in strata, or an fpc that is not one
        population count per stratum.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"h": ["a", "a", "b", "b"], "c": [1, 2, 3, 4]})
    >>> _, s = build_structure(data, None, "h", "c", None, "fail")
    >>> s.n_strata, s.psu_count.tolist()
    (2, [2, 2])
    """
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
    return w, sampling


def check_new_columns(spec: dict, state: DesignState, columns: dict) -> None:
    """Refuse to replace a column the design is built on (``with_columns``).

    Examples
    --------
    >>> import numpy as np
    >>> check_new_columns({"weights": "w"}, DesignState(np.ones(1), np.ones(1)), {"x": 1})
    """
    fixed = {v for v in spec.values() if v is not None}
    cal = state.calibration
    if cal is not None:
        fixed |= {v for m in cal.cells.margins for v in m.variables}
    clash = sorted(str(c) for c in columns if c in fixed)
    if clash:
        raise ListeningError(
            f"with_columns() cannot replace {', '.join(repr(c) for c in clash)}: the design "
            "is built on them; give the new column another name or build a new design"
        )


def domain_mask(index: pd.Index, mask: object, domain: np.ndarray | None) -> np.ndarray:
    """A read-only bool array of the rows in ``mask`` (missing counts as outside, as in R).

    Examples
    --------
    >>> import pandas as pd
    >>> domain_mask(pd.RangeIndex(3), pd.Series([True, None, False]), None).tolist()
    [True, False, False]
    """
    if isinstance(mask, pd.Series):
        if not mask.index.equals(index):
            mask = mask.reindex(index)
        values = mask.to_numpy(dtype=object)
    else:
        values = np.asarray(mask, dtype=object)
    if values.shape != (len(index),):
        raise ListeningError(
            f"subset() needs one value per row ({len(index)}); got shape {values.shape}"
        )
    missing = pd.isna(values)
    keep = np.zeros(len(values), dtype=bool)
    keep[~missing] = values[~missing].astype(bool)
    if domain is not None:
        keep &= domain
    keep.setflags(write=False)
    return keep


def describe(
    spec: dict, sampling: Sampling, state: DesignState, domain: np.ndarray | None, n: int
) -> str:
    """The one-line ``repr`` of a design.

    Examples
    --------
    >>> import numpy as np
    >>> s = Sampling.build(np.arange(2), np.zeros(2, dtype=int))
    >>> spec = {"weights": None, "strata": None, "clusters": None, "fpc": None}
    >>> describe(spec, s, DesignState(np.ones(2), np.ones(2)), None, 2)
    'SurveyDesign(2 rows, unweighted)'
    """
    parts = [f"{n:,} rows"]
    if spec["strata"] is not None:
        parts.append(f"{sampling.n_strata:,} strata")
    if spec["clusters"] is not None:
        parts.append(f"{sampling.n_clusters:,} clusters")
    parts.append("unweighted" if spec["weights"] is None else f"weights {spec['weights']!r}")
    if spec["fpc"] is not None:
        parts.append(f"fpc {spec['fpc']!r}")
    if domain is not None:
        parts.append(f"subset of {int(domain.sum()):,} rows")
    cal = state.calibration
    if cal is not None:
        parts.append(f"raked on {' + '.join(m.name for m in cal.cells.margins)}")
    if state.trimmed:
        parts.append("trimmed")
    rep = state.replicates
    if rep is not None:
        parts.append(f"{rep.kind} with {rep.n_replicates:,} replicates")
    return f"SurveyDesign({', '.join(parts)})"
