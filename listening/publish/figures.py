"""A published table's figures as arrays, and whether a question's answers split its bases.

The attacker (:mod:`listening.publish.attack`) reads each published table once
into arrays (:class:`Figures`: each row's group, answer, count and base) and
asks whether the answers' counts add up to each group's base
(:func:`partition`: a single-answer question's options do; then one system of
sums holds every answer at once).

Examples
--------
>>> import pandas as pd
>>> from listening.publish.published import PublishedTable
>>> rows = pd.DataFrame({"g": ["All", "All", "A", "A"], "category": ["Yes", "No"] * 2,
...                      "n": [7, 5, 4, 2], "base": [12, 12, 6, 6]})
>>> table = PublishedTable("q", ("g",), rows, "single", "by g")
>>> figures = Figures.of(table)
>>> figures.keys, figures.bases.tolist()
([('All',), ('A',)], [12.0, 6.0])
>>> partition([table], [figures], ["Yes", "No"])
['Yes', 'No']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.publish.published import PublishedTable


def partition(
    tables: list[PublishedTable], figures: list[Figures], categories: list[str]
) -> list[str] | None:
    """The options that split the base (single answer), or None.

    The first ``k`` categories whose counts add up to the base in every
    published group of every table: a single-answer question's options
    (nets come after them). Tables of multi-select questions never partition.
    """
    if any(t.kind == "multi" for t in tables):
        return None
    position = {c: i for i, c in enumerate(categories)}
    candidates = None
    for f in figures:
        keep = ~np.isnan(f.base)
        if not keep.any():
            continue
        key = f.group[keep] + 1
        category = np.array([position[c] for c in f.category[keep]])
        n = f.n[keep]
        # the first row of each group and answer; a group's base is that of its first row
        first = np.unique(key * len(categories) + category, return_index=True)[1]
        groups, at = np.unique(key, return_index=True)
        counts = np.full((len(groups), len(categories)), np.nan)
        counts[np.searchsorted(groups, key[first]), category[first]] = n[first]
        if np.isnan(counts).any():
            return None
        sums = np.cumsum(counts, axis=1)
        fit = (np.abs(sums - f.base[keep][at][:, None]) < 1e-6).all(axis=0)
        fits = set(np.flatnonzero(fit) + 1)
        candidates = fits if candidates is None else candidates & fits
        if not candidates:
            return None
    if not candidates:
        return None
    return categories[: min(candidates)]


@dataclass(frozen=True)
class Figures:
    """A published table's rows as arrays, read from its frame once (:meth:`of`)."""

    row_keys: list[tuple[str, ...]]  # each row's by values, as text
    valid: np.ndarray  # rows with every by value
    group: np.ndarray  # each row's group (first appearance order), -1 without every by value
    category: np.ndarray  # as text
    n: np.ndarray
    base: np.ndarray
    keys: list[tuple[str, ...]]  # each group's by values (as table.groups())
    bases: np.ndarray  # each group's base

    @classmethod
    def of(cls, table: PublishedTable) -> Figures:
        """Read ``table``'s rows."""
        columns = [*table.by, "category", "n", "base"]
        rows = table.rows
        values = np.column_stack([rows[c].to_numpy(dtype=object) for c in columns])
        k = len(table.by)
        by = values[:, :k]
        valid = ~pd.isna(by).any(axis=1)
        row_keys = [tuple(str(x) for x in row) for row in by]
        # groups as drop_duplicates finds them (a missing value is a value)
        first: dict[tuple, int] = {}
        for key in row_keys:
            first.setdefault(key, len(first))
        ordered = list(first)
        code = np.array([first[key] for key in row_keys], dtype=int).reshape(-1)
        starts = np.unique(code, return_index=True)[1]
        base = numbers(values[:, k + 2])
        # rows without every by value form no group (groupby drops them)
        seen: dict[tuple, int] = {}
        group = np.array(
            [
                seen.setdefault(key, len(seen)) if ok else -1
                for key, ok in zip(row_keys, valid, strict=True)
            ],
            dtype=int,
        ).reshape(-1)
        return cls(
            row_keys,
            valid,
            group,
            np.array([str(x) for x in values[:, k]], dtype=object),
            numbers(values[:, k + 1]),
            base,
            ordered,
            base[starts],
        )


def numbers(column: np.ndarray) -> np.ndarray:
    """A column as floats, NaN where it holds no number (as ``pd.to_numeric(errors="coerce")``)."""
    try:
        return column.astype(float)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=float)
