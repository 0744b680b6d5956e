"""The attacker of a publication: what everything published lets a reader work out.

Tables of the same question share their respondents, so a reader who has all
of them can write every published base and count down as a linear system
over the *joint cells*: the finest cross-classification of all the
``by`` variables of those tables (each with one more level, "not shown", for
respondents in no published group of that variable), times the answer
categories, with nonnegative (integer-relaxed) cell counts. For each hidden
group the smallest and largest base consistent with the system come from two
linear programs (HiGHS, :func:`scipy.optimize.linprog`), as tau-argus's audit
and sdcTable's "attacker problem" do. A publication is safe when no hidden
group's base is pinned within 1 to ``min_base - 1`` (which covers working it
out exactly), and no published group has a base in that range. The same holds
for the intersection of two tables' groups and for every *leftover*: a group's
respondents in no shown group of another table (Fenland children neither girl
nor boy are Fenland minus Fenland girls minus Fenland boys,
:meth:`Attack.leftovers`).

:func:`audit` runs this on tables in memory, a briefing workbook or a folder
of the project's CSVs and reports each violation with the equation that
recovers it.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"g": ["All", "A", "B", "C"], "category": "x",
...                      "n": [60, 30, None, 25], "base": [60, 30, None, 25]})
>>> policy = DisclosurePolicy(min_base=10, complete=("g",))
>>> result = audit([PublishedTable("q", ("g",), rows)], policy=policy)
>>> result.ok, result.violations[0].low, result.violations[0].high
(False, 5.0, 5.0)
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from listening.errors import ListeningError
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.lp import Infeasible, SumSystem, pinned
from listening.publish.published import PublishedTable, read_csv_folder, read_workbook
from listening.publish.table import ALL, CrosstabData

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    """A group a reader can see or work out although it is smaller than the minimum base.

    Attributes
    ----------
    table : str
        The table holding the group.
    group : tuple of str
        The group's ``by`` values.
    rule : {"threshold", "differencing"}
        Shown with a small base, or bounded by the published figures.
    low, high : float
        What the reader can prove about the base (for "threshold", the base shown).
    equation : str
        How it is recovered.

    Examples
    --------
    >>> print(Violation("q by g", ("B",), "threshold", 4.0, 4.0, "base 4 shown"))
    q by g: B: base 4 shown
    """

    table: str
    group: tuple[str, ...]
    rule: str
    low: float
    high: float
    equation: str

    def __str__(self) -> str:
        return f"{self.table}: {' x '.join(self.group)}: {self.equation}"


@dataclass(frozen=True)
class AuditResult:
    """The outcome of :func:`audit`.

    Examples
    --------
    >>> AuditResult([], 3).ok
    True
    """

    violations: list[Violation]
    tables: int
    checked: int = 0
    proven: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing published is too small or can be worked out."""
        return not self.violations

    def __str__(self) -> str:
        if self.ok:
            proven = (
                f" ({self.proven} question(s) proven when their tables were protected together)"
                if self.proven
                else ""
            )
            return (
                f"Audit passed: {self.tables} tables, {self.checked} hidden groups, "
                "overlaps of two tables' groups and leftovers (a group's respondents in no "
                f"group of another table) checked{proven}; no group below the minimum base is "
                "shown or can be worked out."
            )
        lines = [f"Audit failed: {len(self.violations)} violation(s) in {self.tables} tables."]
        return "\n".join([*lines, *(f"- {v}" for v in self.violations)])


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
        self._figures = [_Figures.of(t) for t in tables]
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
        options = _partition(tables, figures, categories)
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
        self._models: dict[int | None, SumSystem] = {}  # built when first needed
        self._sources: dict[int | None, tuple[np.ndarray, np.ndarray]] = {}
        self._active: dict[tuple, dict] = {}  # per hidden groups, each system's sums published

    def _live(self, hidden: Sequence[set[int]]) -> tuple[dict, dict]:
        """The live model of each system, and its published sums given ``hidden``."""
        if not self._models:
            start = np.cumsum([0, *(len(k) for k in self.keys)])
            for c, rows in self.systems.items():
                columns = [r["columns"] for r in rows]
                self._models[c] = SumSystem(self.n_cells, columns, [r["value"] for r in rows])
                pairs = [(i, start[t] + g) for i, r in enumerate(rows) for t, g in r["sources"]]
                self._sources[c] = tuple(np.array(pairs, dtype=int).reshape(-1, 2).T)
        key = tuple(tuple(sorted(int(g) for g in h)) for h in hidden)
        if key not in self._active:
            gone = np.zeros(sum(len(k) for k in self.keys), dtype=bool)
            start = np.cumsum([0, *(len(k) for k in self.keys)])
            for t, groups in enumerate(hidden):
                gone[[start[t] + g for g in groups]] = True
            if len(self._active) > 64:
                self._active.clear()
            self._active[key] = {
                c: np.bincount(row, ~gone[source], minlength=len(self.systems[c])) > 0
                for c, (row, source) in self._sources.items()
            }
        return self._models, self._active[key]

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
            When the greatest base reaches it, the least is not computed
            (returned as 0): the group cannot be pinned below ``min_base``.

        Returns
        -------
        tuple
            ``(low, high, low_proof, high_proof)``: each proof a list of
            ``(multiplier, row)`` of the published figures whose combination
            gives the bound.
        """
        return self.bound(hidden, self.members[(table, group)], min_base=min_base)

    def overlaps(self) -> list[tuple[tuple[int, int], tuple[int, int], np.ndarray]]:
        """Groups of two tables that overlap without one holding the other, and their cells.

        Such an intersection (Fenland pupils aged 14-15 in Year 11, from
        district x age band and district x school year) is a group a reader
        may work out too.
        """
        out = []
        sig = self.signature
        for t1, t2 in itertools.combinations(range(len(self.tables)), 2):
            pairs = sig[:, [t1, t2]]
            inside = (pairs >= 0).all(axis=1)
            for g1, g2 in np.unique(pairs[inside], axis=0):
                members = np.flatnonzero((sig[:, t1] == g1) & (sig[:, t2] == g2))
                whole = [self.members[(t1, g1)], self.members[(t2, g2)]]
                if all(len(members) < len(w) for w in whole):
                    out.append(((t1, int(g1)), (t2, int(g2)), members))
        return out

    def leftovers(
        self, hidden: Sequence[set[int]] | None = None
    ) -> list[tuple[tuple[int, int], int, np.ndarray]]:
        """A group's respondents in no shown group of another table, and their cells.

        Fenland children neither girl nor boy (another or no gender) are
        Fenland (district table) minus Fenland girls and boys (district x
        gender): ``((district table, Fenland), district x gender table,
        cells)``. The groups in ``hidden`` (per table, positions) count as
        not shown. Each set of cells is listed once, and not when it is a
        published group's or the whole group.
        """
        known = {self.members[k].tobytes() for k in self.members}
        out = []
        for t2 in range(len(self.tables)):
            gone = list(hidden[t2]) if hidden is not None else []
            outside = (self.signature[:, t2] == -1) | np.isin(self.signature[:, t2], gone)
            for (t1, g1), whole in self.members.items():
                members = whole[outside[whole]]
                key = members.tobytes()
                if 0 < len(members) < len(whole) and key not in known:
                    known.add(key)
                    out.append(((t1, g1), t2, members))
        return out

    def bound(
        self, hidden: Sequence[set[int]], members: np.ndarray, *, min_base: float | None = None
    ) -> tuple[float, float, list, list]:
        """As :meth:`interval`, for any set of cells (``members``)."""
        if min_base is not None and not self.pinned(hidden, members, min_base):
            return 0.0, np.inf, [], []
        objective = np.zeros(self.n_cells)
        objective[members] = 1.0
        counts = [rows for c, rows in self.systems.items() if c is not None]
        high, high_proof = self._solve(counts, hidden, -objective, 0)
        if not self.partition:
            base_high, base_proof = self._solve([self.systems[None]], hidden, -objective, 0)
            if base_high > high or not counts:
                high, high_proof = base_high, base_proof
        high, high_proof = -high, [(-m, r) for m, r in high_proof]
        if min_base is not None and high + TOLERANCE >= min_base:
            return 0.0, high, [], high_proof
        if self.partition:
            low, low_proof = self._solve(counts, hidden, objective, 0)
        else:
            low, low_proof = max(
                (self._solve([rows], hidden, objective, 0) for rows in self.systems.values()),
                key=lambda bound: bound[0],
            )
        return low, high, low_proof, high_proof

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
        for c, rows in self.systems.items():
            if c is not None:
                low = self._solve([rows], hidden, objective, 0)[0]
                out[self.categories[c]] = (low, -self._solve([rows], hidden, -objective, 0)[0])
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
        models, active = self._live(hidden)
        counts = [c for c in models if c is not None]
        try:
            return pinned(
                [models[c] for c in counts],
                members,
                [active[c] for c in counts],
                min_base,
                partition=self.partition,
                base=models.get(None),
                base_active=active.get(None),
            )
        except Infeasible:
            return True  # the linear programs of bound say what does not add up

    def _solve(
        self,
        systems: list[list[dict]],
        hidden: Sequence[set[int]],
        objective: np.ndarray,
        table: int,
        *,
        solution: bool = False,
    ) -> Any:
        """Minimise ``objective`` (on the cells of every system) given the rows not hidden.

        Returns ``(value, proof)``: -inf when unbounded; proof the nonzero
        multipliers of the published rows.
        """
        active = [
            r for rows in systems for r in rows if any(g not in hidden[t] for t, g in r["sources"])
        ]
        block = {id(r): b for b, rows in enumerate(systems) for r in rows}
        n = self.n_cells
        if not active:
            return None if solution else ((0.0 if (objective >= 0).all() else -np.inf), [])
        indptr = np.cumsum([0, *(len(r["columns"]) for r in active)])
        indices = np.concatenate([r["columns"] + n * block[id(r)] for r in active])
        a_eq = sparse.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(active), n * len(systems))
        )
        res = linprog(
            objective if len(objective) > n else np.tile(objective, len(systems)),
            A_eq=a_eq,
            b_eq=np.array([r["value"] for r in active]),
            bounds=(0, None),
            method="highs",
        )
        if solution:
            return res.x if res.status == 0 else None
        if res.status == 3:
            return -np.inf, []
        if res.status != 0:
            raise ListeningError(
                f"audit: the published figures of {self.tables[table].question!r} do not "
                "add up; check that every table comes from the same survey and question."
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


def _partition(
    tables: list[PublishedTable], figures: list[_Figures], categories: list[str]
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
class _Figures:
    """A published table's rows as arrays, read from its frame once."""

    row_keys: list[tuple[str, ...]]  # each row's by values, as text
    valid: np.ndarray  # rows with every by value
    group: np.ndarray  # each row's group (first appearance order), -1 without every by value
    category: np.ndarray  # as text
    n: np.ndarray
    base: np.ndarray
    keys: list[tuple[str, ...]]  # each group's by values (as table.groups())
    bases: np.ndarray  # each group's base

    @classmethod
    def of(cls, table: PublishedTable) -> _Figures:
        columns = [*table.by, "category", "n", "base"]
        values = table.rows[columns].to_numpy(dtype=object)
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
        base = _numbers(values[:, k + 2])
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
            _numbers(values[:, k + 1]),
            base,
            ordered,
            base[starts],
        )


def _numbers(column: np.ndarray) -> np.ndarray:
    """A column as floats, NaN where it holds no number (as ``pd.to_numeric(errors="coerce")``)."""
    try:
        return column.astype(float)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=float)


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


def audit(
    tables: Any,
    *,
    policy: DisclosurePolicy | int | None = None,
    trust_protection: bool = False,
) -> AuditResult:
    """Check published tables for small groups that are shown or can be worked out.

    Parameters
    ----------
    tables : list of Crosstab or PublishedTable, or a path
        Tables in memory, a briefing workbook (``.xlsx``) or a folder of the
        project's CSV tables.
    policy : DisclosurePolicy or int, optional
        The minimum base (default: the tables' own, else 10).
    trust_protection : bool, default False
        Skip the linear programs for the tables of a question exactly as
        :func:`listening.publish.suppression.protect` left them (the same
        published figures, all or some of the tables it protected together,
        an attacker knowing no more than the protector's): protection ended
        only when its attacker, run on every such group, overlap and
        leftover, could pin none. The threshold is still checked.
        :func:`~listening.publish.briefing.write_briefing` trusts it; tests
        and ``listening audit`` do not.

    Returns
    -------
    AuditResult
        ``ok``, and each violation with the equation that recovers it.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 4 + ["c"] * 20, "q": list("xy") * 27})
    >>> print(yl.audit([yl.crosstab(yl.SurveyDesign(data), "q", by="g")]))  # doctest: +ELLIPSIS
    Audit passed: 1 tables, 3 hidden groups, overlaps of two tables' groups and leftovers ...
    """
    published = _published(tables)
    if not isinstance(policy, DisclosurePolicy):
        own = (
            [t.min_base for t in tables if isinstance(t, CrosstabData)]
            if isinstance(tables, list | tuple)
            else []
        )
        policy = DisclosurePolicy(min_base=int(policy) if policy is not None else min(own or [10]))
    min_base = policy.min_base
    violations: list[Violation] = []
    checked = proven = 0
    for t in published:
        for key, base in zip(
            t.groups()[list(t.by)].astype(str).to_numpy(), t.groups()["base"], strict=True
        ):
            if 0 < base < min_base:
                violations.append(
                    Violation(
                        t.name,
                        tuple(key),
                        "threshold",
                        base,
                        base,
                        f"base {base:g} shown (minimum {min_base})",
                    )
                )
    for _, unit in _units(published).items():
        if trust_protection and is_protected(unit, policy):
            checked += sum(int(np.isnan(t.groups()["base"]).sum()) for t in unit)
            proven += 1
            continue
        attack = attacker(unit, policy.complete, policy.empty)
        hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
        suspects = [
            (unit[ti].name, attack.keys[ti][gi], attack.members[(ti, gi)])
            for ti, groups in enumerate(hidden)
            for gi in sorted(groups)
        ]
        suspects += [
            (
                f"{unit[t1].name} & {unit[t2].name}",
                (f"{' x '.join(attack.keys[t1][g1])} & {' x '.join(attack.keys[t2][g2])}",),
                members,
            )
            for (t1, g1), (t2, g2), members in attack.overlaps()
        ]
        suspects += [
            (
                f"{unit[t1].name} less {unit[t2].name}",
                (f"{' x '.join(attack.keys[t1][g1])} in no group of {unit[t2].name}",),
                members,
            )
            for (t1, g1), t2, members in attack.leftovers(hidden)
        ]
        for name, key, members in suspects:
            checked += 1
            low, high, low_proof, high_proof = attack.bound(hidden, members, min_base=min_base)
            if bounded(low, high, min_base):
                text = (
                    f"base worked out as {low:g}: {describe_proof(attack, high_proof, high)}"
                    if high - low < TOLERANCE
                    else f"base bounded in [{low:g}, {high:g}]: at least "
                    f"{describe_proof(attack, low_proof, low)}; at most "
                    f"{describe_proof(attack, high_proof, high)}"
                )
                pinned = {
                    c: lo
                    for c, (lo, hi) in attack.answers(hidden, members).items()
                    if hi - lo < TOLERANCE
                }
                if pinned:
                    text += "; its answers: " + ", ".join(f"{c} {n:g}" for c, n in pinned.items())
                violations.append(Violation(name, key, "differencing", low, high, text))
    return AuditResult(violations, len(published), checked, proven)


@dataclass(frozen=True)
class _Proof:
    """What :func:`protect` proved: tables (as digests) no attacker of this knowledge can undo."""

    tables: frozenset[bytes]
    min_base: int
    complete: frozenset[str]
    empty: frozenset[frozenset[tuple[str, str]]]


_PROVEN: list[_Proof] = []  # this session's protections, newest last
_KEEP = 256  # protections remembered


def record_protection(
    tables: Sequence[PublishedTable],
    hidden: Sequence[set[int]],
    *,
    min_base: int,
    complete: Sequence[str],
    empty: tuple,
) -> None:
    """Remember that the attack on ``tables`` (with ``hidden`` groups) pins no small group.

    Called by :func:`listening.publish.suppression.protect` when it stops:
    every small group, overlap and leftover of the tables of one question
    was bounded by an attacker knowing ``complete`` and ``empty``. An
    :func:`audit` with ``trust_protection`` then skips its own linear
    programs for those published figures.
    """
    masked = [_masked(t, h) for t, h in zip(tables, hidden, strict=True)]
    proof = _Proof(
        frozenset(_digest(t) for t in masked),
        int(min_base),
        frozenset(map(str, complete)),
        frozenset(frozenset(c) for c in empty),
    )
    _PROVEN.append(proof)
    del _PROVEN[:-_KEEP]


def is_protected(tables: Sequence[PublishedTable], policy: DisclosurePolicy) -> bool:
    """Whether :func:`protect` proved these published tables of one question safe.

    True when some protection saw every one of them with exactly these
    published figures, at this minimum base, its attacker knowing at least
    what ``policy`` lets the reader know (a stronger attacker pins at least
    as much; fewer tables can only pin less).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"g": ["All", "A"], "category": "x", "n": [9, 5], "base": [9, 5]})
    >>> is_protected([PublishedTable("never protected", ("g",), rows)], DisclosurePolicy())
    False
    """
    digests = {_digest(t) for t in tables}
    empty = {frozenset(c) for c in policy.empty}
    return any(
        digests <= p.tables
        and p.min_base == policy.min_base
        and set(policy.complete) <= p.complete
        and empty <= p.empty
        for p in reversed(_PROVEN)
    )


def _masked(table: PublishedTable, hidden: set[int]) -> PublishedTable:
    """The table as published: the counts and bases of its ``hidden`` groups NaN."""
    rows = table.rows.copy()
    if hidden:
        group = rows.groupby(list(table.by), sort=False, dropna=False).ngroup().to_numpy()
        gone = np.isin(group, list(hidden))
        rows["n"] = pd.to_numeric(rows["n"], errors="coerce").astype(float).where(~gone)
        rows["base"] = pd.to_numeric(rows["base"], errors="coerce").astype(float).where(~gone)
    return PublishedTable(table.question, table.by, rows, table.kind)


def _digest(table: PublishedTable) -> bytes:
    """The published figures of a table, in any row order, as a hash."""
    rows = table.rows
    figures = [
        np.nan_to_num(pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float), nan=-1.0)
        for c in ("n", "base")
    ]  # -1: not published
    labels = [rows[c].astype(str).to_numpy() for c in (*table.by, "category")]
    lines = sorted(zip(*labels, *(np.round(f, 6).tolist() for f in figures), strict=True))
    return hashlib.sha256(repr((table.question, table.by, lines)).encode()).digest()


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


def _units(tables: list[PublishedTable]) -> dict[str, list[PublishedTable]]:
    units: dict[str, list[PublishedTable]] = {}
    for t in tables:
        units.setdefault(t.question, []).append(t)
    return units


def _published(tables: Any) -> list[PublishedTable]:
    if isinstance(tables, str | Path):
        path = Path(tables)
        if path.is_dir():
            return read_csv_folder(path)
        if path.suffix.lower() == ".xlsx":
            return read_workbook(path)
        raise ListeningError(
            f"audit: {path} is neither a folder of CSV tables nor an .xlsx workbook; pass one."
        )
    out = []
    for t in tables:
        if isinstance(t, PublishedTable):
            out.append(t)
        elif isinstance(t, CrosstabData):
            out.append(PublishedTable.of(t))
        else:
            raise ListeningError(
                f"audit: cannot audit a {type(t).__name__}; pass tables made by yl.crosstab, "
                "a workbook path or a folder of CSV tables."
            )
    return out
