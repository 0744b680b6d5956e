"""The reader's attack on the tables of one question: linear programs over the joint cells.

Tables of the same question share their respondents, so a reader who has all
of them can write every published base and count down as a linear system
over the *joint cells*: the finest cross-classification of all the
``by`` variables of those tables (each with one more level, "not shown", for
respondents in no published group of that variable), times the answer
categories, with nonnegative (integer-relaxed) cell counts. For each hidden
group the smallest and largest base consistent with the system come from
linear programs (HiGHS), as tau-argus's audit and sdcTable's "attacker
problem" do: :meth:`Attack.pinned` decides on live models
(:mod:`listening.publish.lp`), :meth:`Attack.bound` gives the bounds with
their proofs (:func:`scipy.optimize.linprog`, a fresh model each time, so a
proof depends on nothing solved before). Besides the groups, the
intersection of two tables' groups (:meth:`Attack.overlaps`) and every
*leftover* (:meth:`Attack.leftovers`: a group's respondents in no shown group
of another table) can be attacked.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"g": ["All", "A", "B", "C"], "category": "x",
...                      "n": [60, 30, 5, 25], "base": [60, 30, 5, 25]})
>>> attack = attacker([PublishedTable("q", ("g",), rows)], ["g"])
>>> attack.bound([{2}], attack.members[(0, 2)])[:2]  # B = All - A - C
(5.0, 5.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from listening.errors import ListeningError
from listening.publish.figures import Figures, partition
from listening.publish.lp import TOLERANCE, Infeasible, SumSystem, cleared, pinned
from listening.publish.published import PublishedTable
from listening.publish.table import ALL

__all__ = [
    "TOLERANCE",
    "Attack",
    "attacker",
    "bounded",
    "cleared_by_known",
    "describe_proof",
    "proven",
]
_MARGIN = 1e-3  # live models' optima this far apart order as linprog's do
MAX_UNION_GROUPS = 8
"""A table by one variable of at most this many groups also starts leftovers from each
union of its groups ("district in South or East", as an explorer filter names it)."""


@dataclass
class Attack:
    """The reader's linear system for the tables of one question.

    Built once from the tables' published figures (``values``, the true ones
    for a protector); :meth:`interval` then answers for any set of hidden
    groups.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A", "B", "C"], "category": "x",
    ...                      "n": [60, 30, 5, 25], "base": [60, 30, 5, 25]})
    >>> attack = Attack([PublishedTable("q", ("g",), rows)], complete=frozenset({"g"}))
    >>> attack.interval([{2}], 0, 2)[:2]  # B (group 2, after "All") alone hidden
    (5.0, 5.0)
    >>> attack.interval([{2, 3}], 0, 2)[:2]
    (0.0, 30.0)

    Without ``complete``, respondents may lack ``g`` and hide among B:

    >>> Attack([PublishedTable("q", ("g",), rows)]).interval([{2}], 0, 2)[:2]
    (0.0, 5.0)
    """

    tables: list[PublishedTable]
    complete: frozenset[str] = frozenset()
    empty: tuple[tuple[tuple[str, str], ...], ...] = ()
    keys: list[list[tuple]] = field(init=False)
    bases: list[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        tables = self.tables
        variables = list(dict.fromkeys(v for t in tables for v in t.by))
        self._figures = [Figures.of(t) for t in tables]
        self.keys = [f.keys for f in self._figures]
        self.bases = [f.bases for f in self._figures]
        domains = {
            v: sorted(
                {
                    k[t.by.index(v)]
                    for t, keys in zip(tables, self.keys, strict=True)
                    if v in t.by
                    for k in keys
                }
                - {ALL}
            )
            for v in variables
        }
        levels = [len(domains[v]) + (v not in self.complete) for v in variables]
        cells = np.array(list(itertools.product(*map(range, levels))), dtype=int).reshape(
            -1, len(variables)
        )
        signature = np.empty((len(cells), len(tables)), dtype=int)
        keep = np.ones(len(cells), dtype=bool)
        for ti, (t, keys) in enumerate(zip(tables, self.keys, strict=True)):
            sizes = [levels[variables.index(v)] for v in t.by]
            codes = cells[:, [variables.index(v) for v in t.by]]
            # only cells whose every value the table shows; the table lists every
            # non-empty combination of the values it shows (-2: a cell it says is empty)
            inside = np.ones(len(cells), dtype=bool)
            for j, v in enumerate(t.by):
                shown = {k[j] for k in keys} - {ALL}
                mask = [x in shown for x in domains[v]] + [False] * (sizes[j] - len(domains[v]))
                inside &= np.array(mask, dtype=bool)[codes[:, j]]
            position = [{x: i for i, x in enumerate(domains[v])} for v in t.by]
            lookup = np.full(int(np.prod(sizes)), -2)
            for gi, key in enumerate(keys):
                if all(x in p for x, p in zip(key, position, strict=True)):
                    where = [p[x] for x, p in zip(key, position, strict=True)]
                    lookup[np.ravel_multi_index(where, sizes)] = gi
            ids = np.where(inside, lookup[np.ravel_multi_index(codes.T, sizes)], -1)
            keep &= ids != -2
            signature[:, ti] = ids
        for combination in self.empty:
            known = [(variables.index(v), x) for v, x in combination if v in variables]
            if len(known) < len(combination) or any(
                x not in domains[variables[i]] for i, x in known
            ):
                continue
            keep &= ~np.all(
                [cells[:, i] == domains[variables[i]].index(x) for i, x in known], axis=0
            )
        self.signature = np.unique(signature[keep], axis=0)
        self._build()

    def _build(self) -> None:
        tables, sig = self.tables, self.signature
        n_cells = len(sig)
        figures = self._figures
        categories = list(dict.fromkeys(c for f in figures for c in f.category))
        options = partition(tables, figures, categories)
        self.partition = options is not None
        self.categories = options if options is not None else categories
        self.n_cells = n_cells
        self.members = {}
        for ti in range(len(tables)):
            for gi, key in enumerate(self.keys[ti]):
                everyone = all(x == ALL for x in key)
                self.members[(ti, gi)] = (
                    np.arange(n_cells) if everyone else np.flatnonzero(sig[:, ti] == gi)
                )
        # one system of published sums per figure: None for bases, else a category
        systems: dict[int | None, dict[bytes, dict]] = {None: {}} if not self.partition else {}
        systems |= {c: {} for c in range(len(self.categories))}
        self.consistent = True
        position = {c: i for i, c in enumerate(self.categories)}
        for ti, f in enumerate(figures):
            category, count = f.category, f.n
            rows_of: dict[tuple, list[int]] = {}
            for r, key in enumerate(f.row_keys):
                if f.valid[r]:
                    rows_of.setdefault(key, []).append(r)
            for gi, key in enumerate(self.keys[ti]):
                members = self.members[(ti, gi)]
                if None in systems and not np.isnan(self.bases[ti][gi]):
                    self.consistent &= _add_row(
                        systems[None], members, self.bases[ti][gi], (ti, gi, None)
                    )
                for r in rows_of.get(key, []):
                    c = position.get(category[r])
                    if c is not None and not np.isnan(count[r]):
                        self.consistent &= _add_row(systems[c], members, count[r], (ti, gi, c))
        self.systems = {c: list(rows.values()) for c, rows in systems.items()}
        self._membership: sparse.csr_matrix | None = None  # _starts x cells, when first needed
        self._starts: list = []  # see _starts
        self._published: set[bytes] = set()  # the groups' cells (with _membership)
        self._left: dict[tuple[int, frozenset], list] = {}  # see _left_of
        self._overlaps: dict | None = None  # see _crossings
        self._models: dict[int | None, SumSystem] = {}  # built when first needed
        self._sources: dict[int | None, tuple[np.ndarray, np.ndarray]] = {}
        self._active: dict[tuple, dict] = {}  # per hidden groups, each system's sums published

    def _live(self, hidden: Sequence[set[int]]) -> tuple[dict, dict]:
        """The live model of each system, and its published sums given ``hidden``."""
        if not self._models:
            for c, rows in self.systems.items():
                columns = [r["columns"] for r in rows]
                values = [r["value"] for r in rows]
                like = list(self._models.values())
                self._models[c] = SumSystem(self.n_cells, columns, values, like=like)
        return self._models, self._shown(hidden)

    def _shown(self, hidden: Sequence[set[int]]) -> dict:
        """Per system, which of its sums are published (some source not ``hidden``)."""
        key = tuple(map(frozenset, hidden))  # built in C: asked thousands of times a table
        if key not in self._active:
            start = [0, *itertools.accumulate(len(k) for k in self.keys)]
            if not self._sources:
                for c, rows in self.systems.items():
                    pairs = [(i, start[t] + g) for i, r in enumerate(rows) for t, g in r["sources"]]
                    self._sources[c] = tuple(np.array(pairs, dtype=int).reshape(-1, 2).T)
            gone = np.zeros(start[-1], dtype=bool)
            for t, groups in enumerate(hidden):
                gone[[start[t] + g for g in groups]] = True
            if len(self._active) > 64:
                self._active.clear()
            self._active[key] = {
                c: np.bincount(row, ~gone[source], minlength=len(self.systems[c])) > 0
                for c, (row, source) in self._sources.items()
            }
        return self._active[key]

    def feasible(self) -> bool:
        """Whether the published figures fit this model of the cells."""
        if not self.consistent:
            return False
        models, active = self._live([set() for _ in self.tables])
        return all(model.feasible(active[c]) for c, model in models.items())

    def interval(
        self, hidden: Sequence[set[int]], table: int, group: int, *, min_base: float | None = None
    ) -> tuple[float, float, list, list]:
        """The least and greatest base of a group given the figures not hidden.

        For a single-answer question the base is the sum of the option counts,
        and each option's counts form a system of their own: the bounds are
        the sums of the options' bounds (exact). Otherwise each count is at
        most the base and every respondent ticked something: the bounds are
        the tighter of the bases' and the counts' (a sound lower bound; the
        joint coupling of the options through the base is relaxed).

        Parameters
        ----------
        hidden : sequence of set of int
            For each table, the positions of its hidden groups.
        table, group : int
            The group to bound.
        min_base : float, optional
            When the group cannot be pinned within 1 to ``min_base - 1``
            (:meth:`pinned` says so), the bounds are not computed:
            ``(0.0, inf, [], [])``.

        Returns
        -------
        tuple
            ``(low, high, low_proof, high_proof)``: each proof a list of
            ``(multiplier, row)`` of the published figures whose combination
            gives the bound.
        """
        return self.bound(hidden, self.members[(table, group)], min_base=min_base)

    def overlaps(
        self, respondents: Sequence[np.ndarray] | None = None, min_base: float = np.inf
    ) -> list[tuple[tuple[int, int], tuple[int, int], np.ndarray]]:
        """Groups of two tables that overlap without one holding the other, and their cells.

        Such an intersection (Fenland pupils aged 14-15 in Year 11, from
        district x age band and district x school year) is a group a reader
        may work out too. With ``respondents`` (per table, each respondent's
        group, -1 for none), only those of 1 to ``min_base - 1`` respondents.

        Examples
        --------
        >>> import pandas as pd
        >>> rows = [pd.DataFrame({"g": ["All", "a", "b"], "category": "x",
        ...                       "n": [9, 4, 5], "base": [9, 4, 5]}),
        ...         pd.DataFrame({"h": ["All", "c", "d"], "category": "x",
        ...                       "n": [9, 3, 6], "base": [9, 3, 6]})]
        >>> attack = Attack([PublishedTable("q", (c,), r) for c, r in zip("gh", rows)])
        >>> [(one, two) for one, two, _ in attack.overlaps()][:2]
        [((0, 1), (1, 1)), ((0, 1), (1, 2))]
        >>> groups = [np.array([1] * 4 + [2] * 5), np.array([1, 1, 2, 2, 1, 2, 2, 2, 2])]
        >>> [(one, two) for one, two, _ in attack.overlaps(groups, 2)]  # a and c: 1 and 2
        [((0, 2), (1, 1))]
        """
        out = []
        for (t1, t2), (first, second, ends, sizes, ordered) in _crossings(self).items():
            keep = np.ones(len(first), dtype=bool)
            if respondents is not None:
                counts = _crossed(respondents[t1], respondents[t2])
                inside = (first < counts.shape[0]) & (second < counts.shape[1])
                n = np.zeros(len(first), dtype=np.int64)
                n[inside] = counts[first[inside], second[inside]]
                keep = (n > 0) & (n < min_base)
            for p in np.flatnonzero(keep).tolist():
                members = ordered[ends[p] - sizes[p] : ends[p]]
                out.append(((t1, int(first[p])), (t2, int(second[p])), members))
        return out

    def leftovers(
        self, hidden: Sequence[set[int]] | None = None
    ) -> list[tuple[tuple[int, int | tuple[int, ...]], int, np.ndarray]]:
        """A group's respondents in no shown group of another table, and their cells.

        Fenland children neither girl nor boy are Fenland (district table)
        less Fenland girls and boys (district x gender): ``((district table,
        Fenland), district x gender table, cells)``. A union of a one-way
        table's groups starts one too (:data:`MAX_UNION_GROUPS`; its group is
        ``(table, positions)``): the county less South, less the other
        districts' shown age bands. ``hidden`` groups (per table, positions)
        count as not shown. Each set listed once; none a group's or whole.
        """
        out = []
        known: set[bytes] = set()  # each set of cells once (no group's: see _left_of)
        for t2 in range(len(self.tables)):
            gone = frozenset(hidden[t2]) if hidden is not None else frozenset()
            for group, key, members in _left_of(self, t2, gone):
                if key not in known:
                    known.add(key)
                    out.append((group, t2, members))
        return out

    def bound(
        self, hidden: Sequence[set[int]], members: np.ndarray, *, min_base: float | None = None
    ) -> tuple[float, float, list, list]:
        """As :meth:`interval`, for any set of cells (``members``)."""
        if min_base is not None and not self.pinned(hidden, members, min_base):
            return 0.0, np.inf, [], []
        objective = np.zeros(self.n_cells)
        objective[members] = 1.0
        counts = [c for c in self.systems if c is not None]
        if self.partition:
            high, high_proof = self._solve(counts, hidden, -objective)
        else:
            high, high_proof = self._multi_high(hidden, members, counts)
        high, high_proof = -high, [(-m, r) for m, r in high_proof]
        if min_base is not None and high + TOLERANCE >= min_base:
            return 0.0, high, [], high_proof
        if self.partition:
            low, low_proof = self._solve(counts, hidden, objective)
        else:
            # the greatest of the systems' least; only those the live models say can be it
            fast = self._extremes(hidden, members, largest=False)
            top = max(fast.values()) if fast else -np.inf
            low, low_proof = max(
                (
                    self._solve([c], hidden, objective)
                    for c in self.systems
                    if fast is None or fast[c] >= top - _MARGIN
                ),
                key=lambda bound: bound[0],
            )
        return low, high, low_proof, high_proof

    def _multi_high(self, hidden: Sequence[set[int]], members: np.ndarray, counts: list) -> tuple:
        """Minus the greatest base of a multi-select question's cells, and its proof.

        The least of the bases' greatest and the counts' greatest summed;
        only the linear programs (with proofs) that can give it are solved,
        as the live models tell.
        """
        objective = np.zeros(self.n_cells)
        objective[members] = -1.0
        fast = self._extremes(hidden, members, largest=True)
        base_only, counts_only = not counts, False
        if fast is not None and counts:
            summed = sum(v for c, v in fast.items() if c is not None)
            base_only = fast[None] < summed - _MARGIN
            counts_only = fast[None] > summed + _MARGIN
        if base_only:
            return self._solve([None], hidden, objective)
        high = self._solve(counts, hidden, objective)
        if counts_only:
            return high
        base = self._solve([None], hidden, objective)
        return base if base[0] > high[0] else high

    def _extremes(
        self, hidden: Sequence[set[int]], members: np.ndarray, *, largest: bool
    ) -> dict | None:
        """Each system's least (greatest) sum of ``members`` on the live models; None: no fit."""
        models, active = self._live(hidden)
        try:
            return {c: m.extreme(members, active[c], largest=largest) for c, m in models.items()}
        except Infeasible:
            return None

    def answers(
        self, hidden: Sequence[set[int]], members: np.ndarray
    ) -> dict[str, tuple[float, float]]:
        """The least and greatest count of each answer among the cells ``members``.

        Examples
        --------
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"g": ["All", "All", "A", "A"], "category": ["x", "y"] * 2,
        ...                      "n": [20, 22, 18, 20], "base": [42, 42, 38, 38]})
        >>> attack = Attack([PublishedTable("q", ("g",), rows)])
        >>> attack.answers([set()], attack.leftovers()[0][2])  # All less A
        {'x': (2.0, 2.0), 'y': (2.0, 2.0)}
        """
        objective = np.zeros(self.n_cells)
        objective[members] = 1.0
        out = {}
        for c in self.systems:
            if c is not None:
                low = self._solve([c], hidden, objective)[0]
                out[self.categories[c]] = (low, -self._solve([c], hidden, -objective)[0])
        return out

    def pinned(self, hidden: Sequence[set[int]], members: np.ndarray, min_base: float) -> bool:
        """Whether the base of the cells ``members`` is pinned within 1 to ``min_base - 1``.

        :func:`bounded` of :meth:`bound`'s least and greatest, decided
        faster: on live models of the systems (:mod:`listening.publish.lp`),
        one system at a time, from known solutions first, and without proofs.

        Examples
        --------
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"g": ["All", "A", "B"], "category": "x",
        ...                      "n": [60, 55, 5], "base": [60, 55, 5]})
        >>> attack = Attack([PublishedTable("q", ("g",), rows)], complete=frozenset({"g"}))
        >>> attack.pinned([{2}], attack.members[(0, 2)], 10)  # B is All less A
        True
        >>> attack.pinned([{1, 2}], attack.members[(0, 2)], 10)
        False
        """
        systems, actives, options = _live_systems(self, hidden)
        try:
            return pinned(systems, members, actives, min_base, **options)
        except Infeasible:
            return True  # the linear programs of bound say what does not add up

    def _solve(
        self, keys: list, hidden: Sequence[set[int]], objective: np.ndarray
    ) -> tuple[float, list]:
        """Minimise ``objective`` (on the cells of each system of ``keys``) given the rows shown.

        A fresh model each time (:func:`scipy.optimize.linprog`, HiGHS), so
        that the proof depends on this linear program alone. Returns
        ``(value, proof)``: -inf when unbounded; proof the nonzero
        multipliers of the published rows.
        """
        shown = self._shown(hidden)
        active, block = [], []
        for b, c in enumerate(keys):
            for r in np.flatnonzero(shown[c]):
                active.append(self.systems[c][r])
                block.append(b)
        return _linear_program(active, block, len(keys), objective, self.tables[0].question)


def _crossings(attack: Attack) -> dict[tuple[int, int], tuple[np.ndarray, ...]]:
    """Per two tables of ``attack``, the pairs of groups that overlap without one holding
    the other: each pair's groups, the end and number of its cells in the cells ordered
    pair by pair, and those cells (worked out once)."""
    if attack._overlaps is None:
        attack._overlaps = {}
        sig = np.ascontiguousarray(attack.signature.T)  # a row per table
        shown = sig >= 0
        size = [  # each group's number of cells, per table
            np.array([len(attack.members[(t, g)]) for g in range(len(keys))], dtype=int)
            for t, keys in enumerate(attack.keys)
        ]
        for t1, t2 in itertools.combinations(range(len(attack.tables)), 2):
            cells = np.flatnonzero(shown[t1] & shown[t2])
            if not len(cells):
                continue
            # each pair of groups as one number, in the order of (group 1, group 2)
            width = int(sig[t2, cells].max()) + 1
            code = sig[t1, cells].astype(np.int64) * width + sig[t2, cells]
            counts = np.bincount(code)
            pairs = np.flatnonzero(counts)
            sizes = counts[pairs]
            ends = np.cumsum(sizes)
            ordered = cells[np.argsort(code, kind="stable")]  # pair by pair
            first, second = np.divmod(pairs, width)
            proper = sizes < np.minimum(size[t1][first], size[t2][second])
            attack._overlaps[(t1, t2)] = (
                first[proper],
                second[proper],
                ends[proper],
                sizes[proper],
                ordered,
            )
    return attack._overlaps


def group_label(attack: Attack, table: int, group: int | tuple[int, ...]) -> str:
    """A group's name ("Fenland x Boy"), or a union's ("North or South", see
    :meth:`Attack.leftovers`)."""
    if isinstance(group, tuple):
        return " or ".join(" x ".join(attack.keys[table][g]) for g in group)
    return " x ".join(attack.keys[table][group])


def _starts(attack: Attack) -> list[tuple[tuple[int, int | tuple[int, ...]], np.ndarray]]:
    """Where leftovers start: every group, and every union of two or more (not all)
    groups of a table by one variable of at most :data:`MAX_UNION_GROUPS` groups."""
    out = list(attack.members.items())
    for t, table in enumerate(attack.tables):
        parts = [g for g, key in enumerate(attack.keys[t]) if ALL not in key]
        if len(table.by) != 1 or not 3 <= len(parts) <= MAX_UNION_GROUPS:
            continue
        for size in range(2, len(parts)):
            for union in itertools.combinations(parts, size):
                cells = np.sort(np.concatenate([attack.members[(t, g)] for g in union]))
                out.append(((t, union), cells))
    return out


def _left_of(
    attack: Attack, t2: int, gone: frozenset
) -> list[tuple[tuple[int, int | tuple[int, ...]], bytes, np.ndarray]]:
    """Each group's or union's (:func:`_starts`) cells in no shown group of table ``t2``
    (``gone`` hidden), but a published group's cells and the whole; kept per table and
    hidden groups."""
    if attack._membership is None:
        attack._starts = _starts(attack)
        wholes = [cells for _, cells in attack._starts]
        attack._membership = sparse.csr_matrix(
            (
                np.ones(sum(len(w) for w in wholes)),
                np.concatenate(wholes),
                np.cumsum([0, *(len(w) for w in wholes)]),
            ),
            shape=(len(wholes), attack.n_cells),
        )
        attack._published = {cells.tobytes() for cells in attack.members.values()}
    found = attack._left.get((t2, gone))
    if found is None:
        sizes = np.diff(attack._membership.indptr)
        outside = (attack.signature[:, t2] == -1) | np.isin(attack.signature[:, t2], list(gone))
        inside = attack._membership @ outside.astype(float)  # each group's cells outside
        found = []
        for i in np.flatnonzero((inside > 0) & (inside < sizes)):
            source, whole = attack._starts[i]
            members = whole[outside[whole]]
            key = members.tobytes()
            if key not in attack._published:
                found.append((source, key, members))
        if len(attack._left) > 4096:
            attack._left.clear()
        attack._left[(t2, gone)] = found
    return found


def proven(
    hidden: Sequence[set[int]], low: float, high: float, proof: list, *, min_base: float
) -> bool:
    """Whether a proof of :meth:`Attack.bound` still pins a base with ``hidden`` groups.

    The bounds ``low`` and ``high`` hold while every figure of ``proof``
    is published: a combination of published sums bounds every solution
    of them (weak duality), whatever else is hidden or shown. True only
    then, and when the bounds lie within 1 to ``min_base - 1`` clear of
    :meth:`Attack.pinned`'s thresholds; False leaves the question to :meth:`Attack.pinned`.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A", "B"], "category": "x",
    ...                      "n": [60, 55, 5], "base": [60, 55, 5]})
    >>> attack = Attack([PublishedTable("q", ("g",), rows)], complete=frozenset({"g"}))
    >>> low, high, low_proof, high_proof = attack.bound([{2}], attack.members[(0, 2)])
    >>> proven([{2}], low, high, low_proof + high_proof, min_base=10)  # B = All - A
    True
    >>> proven([{1, 2}], low, high, low_proof + high_proof, min_base=10)  # A hidden
    False
    """
    if not TOLERANCE + _MARGIN < low <= high < min_base - TOLERANCE - _MARGIN:
        return False
    return all(any(g not in hidden[t] for t, g in row["sources"]) for _, row in proof)


def cleared_by_known(
    attack: Attack, hidden: Sequence[set[int]], targets: Sequence[np.ndarray], min_base: float
) -> np.ndarray:
    """Which sets of cells (``targets``) the known solutions show are not pinned.

    A fast first pass over many targets at once
    (:func:`listening.publish.lp.cleared`): True where :meth:`Attack.pinned` is
    False without a linear program; the others are :meth:`Attack.pinned`'s to
    decide.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A", "B"], "category": "x",
    ...                      "n": [60, 55, 5], "base": [60, 55, 5]})
    >>> attack = Attack([PublishedTable("q", ("g",), rows)], complete=frozenset({"g"}))
    >>> attack.pinned([{1, 2}], attack.members[(0, 2)], 10)  # solves, keeps solutions
    False
    >>> cleared_by_known(attack, [{1, 2}], [attack.members[(0, 1)], attack.members[(0, 2)]], 10)
    array([ True,  True])
    """
    systems, actives, options = _live_systems(attack, hidden)
    return cleared(systems, targets, actives, min_base, **options)


def _live_systems(attack: Attack, hidden: Sequence[set[int]]) -> tuple[list, list, dict]:
    """The answers' live models and active rows given ``hidden``, and the options of
    :func:`listening.publish.lp.pinned` and :func:`~listening.publish.lp.cleared`."""
    models, active = attack._live(hidden)
    counts = [c for c in models if c is not None]
    options = {"partition": attack.partition, "base": models.get(None)}
    options["base_active"] = active.get(None)
    return [models[c] for c in counts], [active[c] for c in counts], options


def _crossed(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """How many respondents are in each group of one table and each of another.

    Examples
    --------
    >>> _crossed(np.array([0, 1, 1, -1]), np.array([1, 1, 0, 0])).tolist()
    [[0, 1], [1, 1]]
    """
    both = (first >= 0) & (second >= 0)
    rows = int(first.max(initial=-1)) + 1
    columns = int(second.max(initial=-1)) + 1
    pairs = first[both].astype(np.int64) * columns + second[both]
    return np.bincount(pairs, minlength=rows * columns).reshape(rows, columns)


def _linear_program(
    active: list[dict], block: list[int], blocks: int, objective: np.ndarray, question: str
) -> tuple[float, list]:
    """Minimise ``objective`` on each block of cells given the published rows ``active``.

    Row ``active[i]`` sums cells of block ``block[i]``. Returns ``(value,
    proof)`` as :meth:`Attack._solve`.
    """
    n = len(objective)
    if not active:
        return (0.0 if (objective >= 0).all() else -np.inf), []
    indptr = np.cumsum([0, *(len(r["columns"]) for r in active)])
    indices = np.concatenate([r["columns"] + n * b for r, b in zip(active, block, strict=True)])
    a_eq = sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(len(active), n * blocks)
    )
    res = linprog(
        np.tile(objective, blocks),
        A_eq=a_eq,
        b_eq=np.array([r["value"] for r in active]),
        bounds=(0, None),
        method="highs",
    )
    if res.status == 3:
        return -np.inf, []
    if res.status != 0:
        raise ListeningError(
            f"audit: the published figures of {question!r} do not add up; check that every "
            "table comes from the same survey and question."
        )
    proof = [(float(m), active[i]) for i, m in enumerate(res.eqlin.marginals) if abs(m) > 1e-9]
    return float(res.fun), proof


def _add_row(rows: dict, columns: np.ndarray, value: float, source: tuple) -> bool:
    """Add a published sum; False if the same sum was published with another value."""
    key = columns.tobytes()
    row = rows.get(key)
    t, g, count = source
    if row is None:
        rows[key] = {"columns": columns, "value": float(value), "sources": [(t, g)], "count": count}
        return True
    row["sources"].append((t, g))
    return abs(row["value"] - value) <= 1e-6


def bounded(low: float, high: float, min_base: int) -> bool:
    """Whether a base proven to lie in [low, high] is pinned within 1 to ``min_base - 1``.

    Examples
    --------
    >>> bounded(3, 3, 10), bounded(0, 4, 10), bounded(1, 12, 10), bounded(0.5, 9.5, 10)
    (True, False, False, True)
    """
    return bool(np.ceil(low - TOLERANCE) >= 1 and np.floor(high + TOLERANCE) <= min_base - 1)


def describe_proof(attack: Attack, proof: list, bound: float) -> str:
    """A proof as readable arithmetic over published groups: ``+ [table: group, 68] - ...``.

    The published figures of a group (its base, or its counts, summed) that
    enter with the same multiplier are shown together.
    """
    terms: dict[tuple, float] = {}
    for multiplier, row in proof:
        t, g = row["sources"][0]
        key = (t, g, round(multiplier, 9))
        terms[key] = terms.get(key, 0.0) + row["value"]
    parts = []
    for (t, g, multiplier), value in terms.items():
        sign = "-" if multiplier < 0 else "+"
        times = "" if abs(multiplier) == 1 else f"{abs(multiplier):g} x "
        group = " x ".join(attack.keys[t][g])
        parts.append(f"{sign} {times}[{attack.tables[t].name}: {group}, {value:g}]")
    return f"{' '.join(parts) or '0'} = {bound:g}"


def attacker(tables: list[PublishedTable], complete: Sequence[str], empty: tuple = ()) -> Attack:
    """The attack on tables of one question, trusting ``complete`` where the figures allow.

    If the tables do not add up without respondents lacking a variable of
    ``complete`` (some do lack it), the reader allows for them everywhere.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A"], "category": "x", "n": [9, 5], "base": [9, 5]})
    >>> attacker([PublishedTable("q", ("g",), rows)], ["g"]).complete
    frozenset()
    """
    attack = Attack(tables, frozenset(complete), tuple(empty))
    if attack.complete and not attack.feasible():
        attack = Attack(tables, frozenset(), tuple(empty))
    return attack
