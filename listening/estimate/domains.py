"""Domains and categories: the integer codes every estimator sums over.

Examples
--------
>>> import pandas as pd
>>> codes, cats = category_codes(pd.Series(["b", "a", None, "b"]))
>>> codes.tolist(), list(cats)
([1, 0, -1, 1], ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.variance import compact
from listening.errors import ListeningError


def category_codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing) and the categories seen, in order.

    An ordered or unordered categorical keeps its category order (unused
    categories are dropped); other columns are sorted (in order of appearance
    when their values cannot be sorted).

    Parameters
    ----------
    series : Series

    Returns
    -------
    codes : ndarray of int
    categories : Index

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(pd.Categorical(["b", None, "c"], categories=["c", "b", "a"]))
    >>> codes, cats = category_codes(s)
    >>> codes.tolist(), list(cats)
    ([1, -1, 0], ['c', 'b'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = series.cat.categories
        used = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        remap = np.cumsum(used) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        return codes, pd.CategoricalIndex(
            cats[used], categories=cats[used], ordered=series.cat.ordered
        )
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def check_columns(data: pd.DataFrame, names: Sequence[str], what: str) -> None:
    """Raise a :class:`ListeningError` naming any of ``names`` not in ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a"], "column")
    """
    missing = [c for c in names if c not in data.columns]
    if missing:
        listed = ", ".join(repr(c) for c in list(data.columns)[:30])
        raise ListeningError(
            f"{what} {', '.join(repr(c) for c in missing)} not in the design's data; "
            f"use one of {listed}"
        )


def by_list(by: str | Sequence[str] | None) -> list[str]:
    """``by=`` as a list of column names.

    Examples
    --------
    >>> by_list("district"), by_list(None), by_list(("a", "b"))
    (['district'], [], ['a', 'b'])
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def domains(
    data: pd.DataFrame, by: list[str], keep: np.ndarray | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code of every row (-1 when a ``by`` value is missing) and the groups.

    Groups are the combinations of ``by`` values seen in the data, in the
    order of their categories.

    Parameters
    ----------
    data : DataFrame
    by : list of str
    keep : ndarray of bool, optional
        Rows that may belong to a domain (a design's :meth:`subset`); the
        others get -1 and do not make groups.

    Returns
    -------
    codes : ndarray of int
    groups : DataFrame
        One row per group, one column per ``by`` variable (empty frame with
        one row when ``by`` is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": ["x", "y", "x", None], "b": [1, 1, 2, 2]})
    >>> codes, groups = domains(df, ["a", "b"])
    >>> codes.tolist(), groups.to_dict("list")
    ([0, 2, 1, -1], {'a': ['x', 'x', 'y'], 'b': [1, 2, 1]})
    """
    n = len(data)
    outside = np.zeros(n, dtype=bool) if keep is None else ~np.asarray(keep, dtype=bool)
    if not by:
        return np.where(outside, -1, 0).astype(np.int64), pd.DataFrame(index=range(1))
    key = np.zeros(n, dtype=np.int64)
    missing = outside.copy()
    levels = []
    for col in by:
        codes, cats = category_codes(data[col])
        missing |= codes < 0
        key = key * max(len(cats), 1) + np.maximum(codes, 0)
        levels.append(cats)
    size = int(np.prod([max(len(c), 1) for c in levels]))
    code, seen = compact(np.where(missing, -1, key), size)
    columns = {}
    rest = seen.copy()
    for col, cats in reversed(list(zip(by, levels, strict=True))):
        size = max(len(cats), 1)
        columns[col] = cats.take(rest % size)
        rest //= size
    groups = pd.DataFrame({col: np.asarray(columns[col]) for col in by})
    for col, cats in zip(by, levels, strict=True):
        if isinstance(cats, pd.CategoricalIndex):
            groups[col] = pd.Categorical(
                columns[col], categories=cats.categories, ordered=cats.ordered
            )
    return code.astype(np.int64), groups


def numeric_values(series: pd.Series, column: str) -> np.ndarray:
    """A numeric (or boolean) column as floats, NaN where missing.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_values(pd.Series([1, None, 3], dtype="Int64"), "q").tolist()
    [1.0, nan, 3.0]
    """
    if isinstance(series.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
    ):
        raise ListeningError(
            f"column {column!r} is not numeric (dtype {series.dtype}); mean() needs numbers: "
            "use proportion() for a categorical question"
        )
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def is_numeric(series: pd.Series) -> bool:
    """Whether a column holds numbers to average (not booleans, not categories).

    Examples
    --------
    >>> import pandas as pd
    >>> is_numeric(pd.Series([1, 2])), is_numeric(pd.Series([True])), is_numeric(pd.Series(["a"]))
    (True, False, False)
    """
    return pd.api.types.is_numeric_dtype(series.dtype) and not (
        pd.api.types.is_bool_dtype(series.dtype) or isinstance(series.dtype, pd.CategoricalDtype)
    )
