"""Disclosure control for briefing tables: primary and complementary (secondary) suppression.

:func:`protect` is the rule of every publication. A group whose base
(respondents who answered) is below ``min_base`` is hidden (reason
``"threshold"``: fewer than ``min_base`` answered). Then the reader's attack
(:class:`listening.publish.attack.Attack`: every published base and count of
every table of the same question, as linear programs over the joint cells)
runs for each such group with at least one respondent, and for each small
leftover (a group's respondents in no shown group of another table, such as
Fenland children neither girl nor boy). While some group's
base can be pinned within 1 to ``min_base - 1``, the cheapest published group
among those whose figures the bound is built from (the rows with a nonzero
multiplier in the linear program's proof; for a leftover, among the groups
it is the difference of; the cheapest that alone ends the attack when one
does) is hidden too (reason
``"secondary"``: hidden to protect a smaller group), and the attack runs
again. The cost of hiding a group is its base (or ``log(1 + base)``, see
:class:`~listening.publish.disclosure.DisclosurePolicy`), so a tiny group is
protected by hiding other small groups, not the large ones around it.

:func:`suppress` is the older rule for one table on its own (each line of
groups adding up to a published total hides none or at least two); it is
kept for comparison (``benchmarks/disclosure.py``) and is not used to
publish.

Examples
--------
>>> import pandas as pd
>>> from listening.publish.audit import PublishedTable
>>> rows = pd.DataFrame({"g": ["All", "A", "B", "C", "D"], "category": "x",
...                      "n": [101, 40, 6, 25, 30], "base": [101, 40, 6, 25, 30]})
>>> reasons = protect([PublishedTable("q", ("g",), rows)], min_base=10, complete=["g"])
>>> reasons[0].tolist()
['', '', 'threshold', 'secondary', '']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.errors import ListeningError
from listening.publish.attack import Attack, attacker, bounded, cleared_by_known, proven
from listening.publish.audit import PublishedTable, record_protection
from listening.publish.table import ALL

THRESHOLD, SECONDARY = "threshold", "secondary"
TRIALS = 3  # the cheapest groups of a proof tried in turn for one that ends the attack


def protect(
    tables: Sequence[PublishedTable],
    *,
    min_base: int,
    complete: Sequence[str] = (),
    empty: tuple = (),
    cost: Callable[[float], float] = float,
    respondents: Sequence[np.ndarray] | None = None,
    leftovers: bool = True,
    hide: Sequence[Sequence[int]] | None = None,
    frozen: Sequence[Sequence[int]] | None = None,
    parts: Sequence[bool] | None = None,
) -> list[np.ndarray]:
    """Decide which groups of a publication to hide, and why.

    Parameters
    ----------
    tables : sequence of PublishedTable
        Every table of the publication with its true bases and counts;
        tables of the same question are protected together.
    min_base : int
        The minimum base.
    complete : sequence of str
        Grouping variables no respondent lacks (the reader is taken to know).
    empty : tuple
        Combinations of grouping values the reader knows to be empty
        (:attr:`~listening.publish.disclosure.DisclosurePolicy.empty`).
    cost : callable
        Information lost by hiding a group of a given base.
    respondents : sequence of ndarray, optional
        Per table, each respondent's group (its position in
        ``table.groups()``, -1 for none), the respondents in the same order
        in every table. With them, a small intersection of two tables' groups
        (Fenland pupils aged 14-15 in Year 11) is protected too, and so is a
        small leftover: a group's respondents in no group of another table
        (Fenland children neither girl nor boy, Fenland minus Fenland girls
        minus Fenland boys).
    leftovers : bool, default True
        Protect the leftovers (False only to show what an attacker gets
        without it).
    hide : sequence of sequences of int, optional
        Per table, the positions (in ``table.groups()``) of groups that must
        be hidden whatever their base, such as those another publication of
        the same respondents hides (:mod:`listening.explorer.cross`). They
        are marked ``"secondary"`` (unless below the threshold) before the
        attack, which then protects the rest around them.
    frozen : sequence of sequences of int, optional
        Per table, the positions of groups another publication decides
        (shown or, with ``hide``, hidden): never hidden to protect another
        group. A figure they publish stays published, so protection hides
        other figures instead; a group that only their figures give away is
        that publication's to protect, and is left alone here.
    parts : sequence of bool, optional
        Per table, whether it counts only a part of the respondents (those
        who answered a question, beside tables of everyone; ``respondents``
        then give -1 to the others). A group of everyone less the shown
        groups of such a table holds everyone outside the part, whose number
        the two totals publish anyway: such leftovers are not attacked (their
        part inside is, as a group less the shown groups of its own tables).

    Returns
    -------
    list of ndarray of str
        Per table, per group (in the order of ``table.groups()``): ``""``
        (shown), ``"threshold"`` or ``"secondary"``.

    Raises
    ------
    ListeningError
        If ``min_base`` is negative, or ``hide`` or ``frozen`` does not give
        one sequence of group positions per table.

    Examples
    --------
    A tiny group next to a small and a large one costs the small one:

    >>> import pandas as pd
    >>> from listening.publish.audit import PublishedTable
    >>> rows = pd.DataFrame({"g": ["All", "Girl", "Boy", "Other"], "category": "x",
    ...                      "n": [220, 104, 100, 16], "base": [220, 104, 100, 16]})
    >>> rows.loc[3, ["n", "base"]] = [2, 2]; rows.loc[0, ["n", "base"]] = [206, 206]
    >>> protect([PublishedTable("q", ("g",), rows)], min_base=10, complete=["g"])[0].tolist()
    ['', '', 'secondary', 'threshold']

    A group that must be hidden (Boy, hidden by another publication) protects
    the tiny one on its own:

    >>> protect([PublishedTable("q", ("g",), rows)], min_base=10, complete=["g"],
    ...         hide=[[1]])[0].tolist()
    ['', 'secondary', '', 'threshold']

    A group another publication shows (Boy, frozen) is not hidden: Girl is.

    >>> protect([PublishedTable("q", ("g",), rows)], min_base=10, complete=["g"],
    ...         frozen=[[2]])[0].tolist()
    ['', 'secondary', '', 'threshold']
    """
    if min_base < 0:
        raise ListeningError(f"min_base is {min_base}; pass a whole number of 0 or more.")
    tables = list(tables)
    forced = _forced(tables, hide, "hide")
    fixed = [set(f) for f in _forced(tables, frozen, "frozen")]
    reasons = []
    for t, extra in zip(tables, forced, strict=True):
        base = t.groups()["base"].to_numpy(dtype=float)
        reason = np.where(base < min_base, THRESHOLD, "").astype(object)
        reason[[g for g in extra if reason[g] == ""]] = SECONDARY
        reasons.append(reason)
    units: dict[str, list[int]] = {}
    for position, t in enumerate(tables):
        units.setdefault(t.question, []).append(position)
    for positions in units.values():
        _protect_unit(
            [tables[p] for p in positions],
            [reasons[p] for p in positions],
            [respondents[p] for p in positions] if respondents is not None else None,
            min_base,
            (complete, empty),
            cost,
            leftovers,
            [fixed[p] for p in positions],
            [bool(parts[p]) if parts is not None else False for p in positions],
            [set(forced[p]) for p in positions],
        )
    return reasons


def _forced(
    tables: list[PublishedTable], hide: Sequence[Sequence[int]] | None, name: str
) -> list[list[int]]:
    """``hide`` (or ``frozen``, its ``name``) checked: per table, group positions."""
    if hide is None:
        return [[] for _ in tables]
    hide = list(hide)
    if len(hide) != len(tables):
        raise ListeningError(
            f"protect: {name} gives {len(hide)} list(s) of groups for {len(tables)} table(s); "
            "pass one list of group positions per table (an empty one to force none)."
        )
    out = []
    for t, groups in zip(tables, hide, strict=True):
        size = len(t.groups())
        whole = all(isinstance(g, int | np.integer) and not isinstance(g, bool) for g in groups)
        if not whole or not all(0 <= g < size for g in groups):
            raise ListeningError(
                f"protect: {name} names group(s) {list(groups)} of the table by {list(t.by)}, "
                f"which has {size} groups; pass positions from 0 to {size - 1} in "
                "table.groups() order."
            )
        out.append([int(g) for g in groups])
    return out


def respondent_groups(data: pd.DataFrame, table: PublishedTable) -> np.ndarray:
    """Each respondent's group in ``table`` (its position among the groups, -1 for none).

    Examples
    --------
    >>> import pandas as pd
    >>> from listening.publish.audit import PublishedTable
    >>> rows = pd.DataFrame({"g": ["All", "a", "b"], "category": "x", "n": 1, "base": 1})
    >>> data = pd.DataFrame({"g": ["b", None, "a"]})
    >>> respondent_groups(data, PublishedTable("q", ("g",), rows)).tolist()
    [2, -1, 1]
    """
    by = list(table.by)
    groups = table.groups()
    key = np.zeros(len(data), dtype=np.int64)
    found = np.ones(len(data), dtype=bool)
    codes, sizes = [], []
    for column in by:
        labels = [str(x) for x in groups[column].to_numpy(dtype=object)]
        levels = {x: i for i, x in enumerate(dict.fromkeys(labels))}
        # each distinct value (missing: -1) matched on its text, then every respondent
        factor, distinct = pd.factorize(data[column])
        found_level = np.array([levels.get(str(x), -1) for x in distinct] + [-1], dtype=np.int64)
        code = found_level[factor]  # factor -1 (missing) takes the last, -1
        found &= code >= 0
        key = key * len(levels) + np.maximum(code, 0)
        codes.append(np.array([levels[x] for x in labels], dtype=np.int64))
        sizes.append(len(levels))
    lookup = np.full(int(np.prod(sizes)), -1)
    # the first group of each key, as a left merge on unique groups finds it
    lookup[np.ravel_multi_index(codes, sizes)[::-1]] = np.arange(len(groups))[::-1]
    return np.where(found, lookup[key], -1).astype(int)


def empty_pairs(data: pd.DataFrame, bys: list[tuple[str, ...]]) -> list[tuple]:
    """Combinations of two grouping variables that nobody in the data has (taken as known).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"age": ["11-13", "16-18"], "year": ["Year 7", "Year 13"]})
    >>> empty_pairs(data, [("age",), ("year",)])[0]
    (('age', '11-13'), ('year', 'Year 13'))
    """
    variables = list(dict.fromkeys(v for by in bys for v in by))
    names, codes = {}, {}  # per variable, its values as text (sorted) and each row's (-1: none)
    for v in variables:
        factor, distinct = pd.factorize(data[v])
        names[v], position = np.unique(
            np.array([str(x) for x in distinct], dtype=object).astype(str), return_inverse=True
        )
        codes[v] = np.where(factor >= 0, np.append(position.reshape(-1), -1)[factor], -1)
    out = []
    for i, u in enumerate(variables):
        for v in variables[i + 1 :]:
            both = (codes[u] >= 0) & (codes[v] >= 0)
            row_code, column_code = codes[u][both], codes[v][both]
            size = len(names[v])
            counts = np.bincount(row_code * size + column_code, minlength=len(names[u]) * size)
            counts = counts.reshape(len(names[u]), size)
            # only values seen with the other variable
            rows, columns = np.unique(row_code), np.unique(column_code)
            zero_rows, zero_columns = np.nonzero(counts[np.ix_(rows, columns)] == 0)
            out += [
                ((u, str(names[u][rows[r]])), (v, str(names[v][columns[c]])))
                for r, c in zip(zero_rows, zero_columns, strict=True)
            ]
    return out


def _protect_unit(
    tables: list[PublishedTable],
    reasons: list[np.ndarray],
    respondents: list[np.ndarray] | None,
    min_base: int,
    knowledge: tuple,
    cost: Callable[[float], float],
    leftovers: bool,
    frozen: list[set[int]],
    parts: list[bool],
    forced: list[set[int]],
) -> None:
    """Add secondary suppressions to the tables of one question until no attack works
    (never to ``frozen`` groups, per table), then show again those no attack needs
    (:func:`_prune`; never the ``forced`` ones)."""
    small = [
        (ti, gi)
        for ti, t in enumerate(tables)
        for gi, base in enumerate(t.groups()["base"])
        if 0 < base < min_base
    ]
    if not small and respondents is None:
        return
    attack = attacker(tables, *knowledge)
    sensitive = [(f"{ti}:{gi}", attack.members[(ti, gi)], None) for ti, gi in small]
    if respondents is not None:
        for (t1, g1), (t2, g2), members in attack.overlaps(respondents, min_base):
            sensitive.append((f"{t1}:{g1} & {t2}:{g2}", members, None))

    memo: dict = {}  # for _leftovers

    def targets(hidden: list[set[int]]) -> list[tuple[str, np.ndarray, set[int] | None]]:
        """What the attacker tries, given what is hidden: small groups, overlaps, leftovers."""
        if not leftovers:
            return sensitive
        left = _leftovers(attack, respondents, hidden, min_base, parts, memo)
        return sensitive + left

    cleared: set[bytes] = set()  # not pinned: stays so as more is hidden (bounds widen)
    why: dict[tuple[int, int], tuple] = {}  # each secondary's attack and its bounds (for _prune)
    given: set[bytes] = set()  # pinned by frozen figures alone: another publication's to protect
    while True:
        hidden = [set(np.flatnonzero(r != "")) for r in reasons]
        proof = None
        tried = [t for t in targets(hidden) if t[1].tobytes() not in cleared]
        free = cleared_by_known(attack, hidden, [m for _, m, _ in tried], min_base)
        for (label, members, tables_first), fast in zip(tried, free, strict=True):
            if members.tobytes() in cleared:  # the same cells listed twice
                continue
            if fast:  # not pinned, known without a linear program
                cleared.add(members.tobytes())
                continue
            low, high, low_proof, high_proof = attack.bound(hidden, members, min_base=min_base)
            if bounded(low, high, min_base):
                proof, culprit, target = low_proof + high_proof, label, members
                prefer, certificate = tables_first, (low, high, proof)
                break
            cleared.add(members.tobytes())
        if proof is None:
            _prune(attack, reasons, targets, min_base, cost, forced, why, given)
            hidden = [set(np.flatnonzero(r != "")) for r in reasons]
            if respondents is not None and leftovers:
                record_protection(
                    tables, hidden, min_base=min_base, complete=attack.complete, empty=knowledge[1]
                )
            return
        options = {}
        for _, row in proof:
            shown = tuple((t, g) for t, g in row["sources"] if g not in hidden[t])
            if shown and not any(g in frozen[t] for t, g in shown):
                options[shown] = sum(cost(attack.bases[t][g]) for t, g in shown)
        if not options and any(frozen):  # given away by the frozen figures alone
            cleared.add(target.tobytes())
            given.add(target.tobytes())
            continue
        if not options:  # a proof always uses some published figure
            raise ListeningError(f"protect: cannot protect {culprit} of {tables[0].question!r}.")
        ranked = sorted(options, key=options.get)
        # a leftover: hide among the groups it is the difference of (Fenland's girls or
        # boys), not figures a proof merely routes through (Fenland's age bands)
        ranked = [o for o in ranked if prefer is None or {t for t, _ in o} <= prefer] or ranked
        best = next(
            (o for o in ranked[:TRIALS] if not _still_pinned(attack, hidden, o, target, min_base)),
            ranked[0],
        )
        for t, g in best:
            reasons[t][g] = SECONDARY
            why[(t, g)] = (target, *certificate)


def _prune(
    attack: Attack,
    reasons: list[np.ndarray],
    targets: Callable[[list[set[int]]], list],
    min_base: int,
    cost: Callable[[float], float],
    forced: list[set[int]],
    why: dict[tuple[int, int], tuple],
    given: set[bytes],
) -> None:
    """Show again every secondary suppression no attack needs, the costliest first.

    Secondary suppressions are chosen one attack at a time, so a later one can
    make an earlier one unnecessary (Who took part hid East Cambridgeshire's
    16-18s for an attack that Fenland's hidden cells end anyway). Each is shown
    again, in turn, when no small group, overlap or leftover is then pinned;
    what the published figures alone give away (``given``: by those ``frozen``
    for another publication) does not count. Groups forced hidden stay hidden. The attack
    a suppression was chosen against (``why``: its cells, least and greatest base and
    their proof) is tried first: it usually comes back, and while every figure of its
    proof is still published that proof still pins it
    (:func:`~listening.publish.attack.proven`), without a linear program.
    """
    hidden = [set(np.flatnonzero(r != "")) for r in reasons]
    chosen = [
        (t, int(g))
        for t, reason in enumerate(reasons)
        for g in np.flatnonzero(reason == SECONDARY)
        if g not in forced[t]
    ]
    for t, g in sorted(chosen, key=lambda tg: -cost(attack.bases[tg[0]][tg[1]])):
        hidden[t].discard(g)
        first = [why[(t, g)][0]] if (t, g) in why else []
        if first and first[0].tobytes() not in given:
            if proven(hidden, *why[(t, g)][1:], min_base=min_base):
                hidden[t].add(g)
                continue
        tried = [*first, *(m for _, m, _ in targets(hidden))]
        free = cleared_by_known(attack, hidden, tried, min_base)  # most, at once
        if any(
            not fast and m.tobytes() not in given and attack.pinned(hidden, m, min_base)
            for m, fast in zip(tried, free, strict=True)
        ):
            hidden[t].add(g)
        else:
            reasons[t][g] = ""


def _still_pinned(
    attack: Attack, hidden: list[set[int]], option: tuple, members: np.ndarray, min_base: int
) -> bool:
    """Whether the cells ``members`` stay pinned once the groups of ``option`` are hidden too.

    A figure of a proof may be redundant (Fenland's base is also the sum of its
    age bands): hiding it alone would not end the attack.
    """
    more = [set(h) for h in hidden]
    for t, g in option:
        more[t].add(g)
    return attack.pinned(more, members, min_base)


def _leftovers(
    attack: Attack,
    respondents: list[np.ndarray] | None,
    hidden: list[set[int]],
    min_base: int,
    parts: list[bool],
    memo: dict,
) -> list[tuple[str, np.ndarray, set[int]]]:
    """The leftovers (given what is hidden) with 1 to ``min_base - 1`` respondents.

    ``memo`` keeps, between calls on the same respondents, each table's
    respondents outside its shown groups and the other tables' counts there.

    Each with its label, cells and the tables to hide among: the two it is
    the difference of, and any table crossing their variables (Cambridge's
    children neither girl nor boy are Cambridge less the county's girls and
    boys, and also less Cambridge's girls and boys: hiding Cambridge's boys
    costs less than hiding Cambridge). None of a table of everyone less a
    table of a part (``parts``).
    """
    out: list[tuple[str, np.ndarray, set[int]]] = []
    if respondents is None:
        return out
    gone = [frozenset(h) for h in hidden]
    for (t1, g1), t2, members in attack.leftovers(hidden):
        key = (t1, g1, t2, gone[t2])
        if key not in memo:
            memo[key] = _leftover(attack, respondents, (t1, g1), t2, gone[t2], memo)
        size, among = memo[key]
        if not (parts[t2] and not parts[t1]) and 0 < size < min_base:
            out.append((f"{t1}:{g1} less {t2}", members, among))
    return out


def _leftover(
    attack: Attack,
    respondents: list[np.ndarray],
    group: tuple[int, int | tuple[int, ...]],
    t2: int,
    gone: frozenset,
    memo: dict,
) -> tuple[int, set[int]]:
    """How many respondents a leftover holds (``group``, or a union of groups, less the
    groups of table ``t2`` not ``gone``), and the tables to hide among (as
    :func:`_leftovers`)."""
    t1, g1 = group
    if (t2, gone) not in memo:  # its respondents in no shown group
        memo[(t2, gone)] = (respondents[t2] == -1) | np.isin(respondents[t2], list(gone))
    outside = memo[(t2, gone)]
    if not isinstance(g1, tuple) and all(x == ALL for x in attack.keys[t1][g1]):
        size = int(outside.sum())
    else:
        if (t1, t2, gone) not in memo:  # the first table's groups' counts outside
            respondent = respondents[t1][outside]
            counts = np.bincount(respondent[respondent >= 0], minlength=len(attack.keys[t1]))
            memo[(t1, t2, gone)] = counts
        size = int(memo[(t1, t2, gone)][list(g1) if isinstance(g1, tuple) else g1].sum())
    if (t1, t2) not in memo:  # the two tables and any crossing their variables
        joint = set(attack.tables[t1].by) | set(attack.tables[t2].by)
        crossing = {t for t, table in enumerate(attack.tables) if set(table.by) == joint}
        memo[(t1, t2)] = {t1, t2} | crossing
    return size, memo[(t1, t2)]


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
