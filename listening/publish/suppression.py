"""Disclosure control for briefing tables: minimum bases and secondary suppression.

A group whose base (respondents who answered) is below ``min_base`` is
suppressed: its figures are hidden and every export shows ``[c]``. Hiding one
group is not enough when the table also shows the total ("All"): the hidden
figures would be "All" minus the rest. So whenever a line of groups that adds
up to a published total holds exactly one hidden group, the smallest
remaining group of that line is suppressed too (secondary suppression), and
the rule runs again until every such line hides none or at least two.

The lines of a table are:

- all groups together (they add up to "All"); respondents who answered the
  question but have no value for the ``by`` variable form an unpublished
  residual that counts as a hidden group when its base is between 1 and
  ``min_base - 1``;
- for a combined ``by`` (say district x age band), every set of groups that
  share all but one component (the age bands of one district, the districts
  of one age band), because the one-way tables of a briefing publish those
  totals.

A secondary pick is, where possible, a group that mends several such lines at
once, then one that is not the only group of some line (such a group equals
that line's total), then the smallest. After the line rule
an exact check runs: taking every line total whose own base reaches
``min_base`` as published, no small hidden group (nor a small residual) may be
a linear combination of the published totals. While one is, the smallest open
group of one of its lines is suppressed too; when none is left, "All" itself
is suppressed. "All" is also suppressed when its own base is below
``min_base``.

Examples
--------
>>> import pandas as pd
>>> groups = pd.DataFrame({"district": ["A", "B", "C", "D"], "base": [40, 6, 25, 30]})
>>> suppress(groups, by=["district"], min_base=10).groups.tolist()
[False, True, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.errors import ListeningError


@dataclass(frozen=True)
class Suppression:
    """Which parts of a table to hide.

    Attributes
    ----------
    groups : Series of bool
        Indexed like the groups passed to :func:`suppress`: True to hide.
    total : bool
        Whether the "All" row must be hidden as well.

    Examples
    --------
    >>> import pandas as pd
    >>> result = suppress(pd.DataFrame({"g": ["A"], "base": [4]}), by=["g"], min_base=10)
    >>> result.groups.tolist(), result.total
    ([True], True)
    """

    groups: pd.Series
    total: bool


def suppress(
    groups: pd.DataFrame,
    *,
    by: Sequence[str],
    min_base: int,
    residual_base: int = 0,
) -> Suppression:
    """Decide which groups of a table, and whether "All", to suppress.

    Parameters
    ----------
    groups : DataFrame
        One row per published group (not "All"), with the ``by`` column(s) and
        ``base``, the unweighted number of respondents in the group who
        answered.
    by : sequence of str
        The columns that define a group; several columns make a combined
        variable whose one-dimensional lines are protected too.
    min_base : int
        Groups with ``base < min_base`` are suppressed. Groups with base 0
        hold no respondents: they are suppressed but hide nothing.
    residual_base : int, default 0
        Respondents counted in "All" but in no group (their ``by`` value is
        missing). Between 1 and ``min_base - 1`` they count as a hidden group.

    Returns
    -------
    Suppression
        ``groups`` (a bool Series indexed like ``groups``) and ``total``.

    Raises
    ------
    ListeningError
        If ``min_base`` is negative or a ``by`` column or ``base`` is missing.

    Examples
    --------
    Two small groups hide each other, so nothing more is needed:

    >>> import pandas as pd
    >>> groups = pd.DataFrame({"g": ["A", "B", "C"], "base": [4, 7, 50]})
    >>> suppress(groups, by=["g"], min_base=10).groups.tolist()
    [True, True, False]

    A small residual of respondents with no ``g`` would be "All" minus the
    groups, so the smallest group goes too:

    >>> groups = pd.DataFrame({"g": ["A", "B", "C"], "base": [30, 20, 50]})
    >>> suppress(groups, by=["g"], min_base=10, residual_base=3).groups.tolist()
    [False, True, False]
    """
    by = list(by)
    missing = [c for c in [*by, "base"] if c not in groups.columns]
    if missing:
        raise ListeningError(
            f"suppress: the groups table lacks the column(s) {missing}; pass a DataFrame with "
            f"the by column(s) {by} and 'base'."
        )
    if min_base < 0:
        raise ListeningError(f"min_base is {min_base}; pass a whole number of 0 or more.")
    base = groups["base"].to_numpy(dtype=float)
    suppressed = base < min_base
    lines = _lines(groups, by)
    total = base.sum() + residual_base < min_base
    residual_hidden = 0 < residual_base < min_base
    alone = np.zeros(len(groups), dtype=bool)
    for members, _ in lines:
        positive = members[base[members] > 0]
        if len(positive) == 1:
            alone[positive] = True
    while True:
        hidden = suppressed & (base > 0)
        single = [
            members
            for members, with_residual in lines
            if hidden[members].sum() + (with_residual and residual_hidden) == 1
        ]
        pick = _next_pick(single, base, suppressed, alone)
        if pick is None:
            exposed = _exposed(base, hidden, lines, min_base, residual_base, total)
            if len(exposed) == 0:
                return Suppression(pd.Series(suppressed, index=groups.index), bool(total))
            around = [
                members
                for members, with_residual in lines
                if np.isin(exposed, members).any() or (with_residual and -1 in exposed)
            ]
            pick = _next_pick(around, base, suppressed, alone)
        if pick is not None:
            suppressed[pick] = True
        elif total:
            return Suppression(pd.Series(suppressed, index=groups.index), True)
        else:
            total = True


def _next_pick(
    lines: list[np.ndarray], base: np.ndarray, suppressed: np.ndarray, alone: np.ndarray
) -> int | None:
    """The group to suppress next, from the first of ``lines`` with an open group.

    Preferred, in turn: groups lying in the most of ``lines`` (one pick then
    mends several lines), groups not alone in some line, the smallest base.
    """
    reach = np.zeros(len(base), dtype=int)
    for members in lines:
        reach[members] += 1
    for members in lines:
        candidates = members[~suppressed[members]]
        if len(candidates) == 0:
            continue
        order = np.lexsort((base[candidates], alone[candidates], -reach[candidates]))
        return int(candidates[order[0]])
    return None


def _exposed(
    base: np.ndarray,
    hidden: np.ndarray,
    lines: list[tuple[np.ndarray, bool]],
    min_base: int,
    residual_base: int,
    total_hidden: bool,
) -> np.ndarray:
    """Small hidden groups (-1: the residual) whose counts follow from published totals.

    The unknowns are the hidden groups and the never-published residual. A
    line total counts as published unless its own base is below ``min_base``
    ("All", the line with the residual, unless ``total_hidden``).
    An unknown is determined when its indicator lies in the row space of the
    published lines restricted to the unknowns, that is when its row of a null
    space basis is zero. Only groups below ``min_base`` matter: a secondary
    pick may be recovered, as it is not sensitive itself.
    """
    unknowns = np.flatnonzero(hidden)
    sensitive = base[unknowns] < min_base
    if residual_base > 0:
        unknowns = np.append(unknowns, -1)
        sensitive = np.append(sensitive, residual_base < min_base)
    rows = [
        np.isin(unknowns, members) | ((unknowns == -1) & with_residual)
        for members, with_residual in lines
        if base[members].sum() + (residual_base if with_residual else 0) >= min_base
        and not (with_residual and total_hidden)
    ]
    if not rows or not sensitive.any():
        return unknowns[:0]
    _, singular, vt = np.linalg.svd(np.array(rows, dtype=float))
    rank = int((singular > 1e-9).sum())
    determined = np.abs(vt[rank:].T).max(axis=1, initial=0.0) < 1e-9
    return unknowns[determined & sensitive]


def _lines(groups: pd.DataFrame, by: list[str]) -> list[tuple[np.ndarray, bool]]:
    """The sets of group positions that add up to a published total.

    Each line is (positions, whether the unpublished residual belongs to it).
    """
    positions = np.arange(len(groups))
    lines = [(positions, True)]
    if len(by) < 2:
        return lines
    keys = groups[by].astype("string").fillna("<NA>")
    for varied in by:
        fixed = [c for c in by if c != varied]
        for members in keys.groupby(fixed, sort=False).indices.values():
            lines.append((positions[np.sort(members)], False))
    return lines
