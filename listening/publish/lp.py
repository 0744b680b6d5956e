"""Published sums of nonnegative cells as live HiGHS models, for fast yes-or-no attacks.

The attacker of a publication (:class:`listening.publish.attack.Attack`) asks,
thousands of times per question, whether a set of joint cells can be pinned
within 1 to ``min_base - 1`` by the published figures left after hiding some
groups. The systems of published sums (the bases, or one answer's counts)
live in HiGHS models (:mod:`highspy`) for the whole attack, one per set of
sums (a question's answers share one): a hidden sum becomes a free row
(bounds -inf..inf) rather than a rebuilt matrix, the objective and the
values are changed in place and the simplex starts from the last basis.
Every solution found is kept: it stays a solution when more is hidden, so
most questions are answered from known solutions, without a linear program;
and one answer's dual bounds the others' optima (weak duality).

Examples
--------
Three cells; the published sums are a + b + c = 12 and a + b = 9:

>>> system = SumSystem(3, [np.array([0, 1, 2]), np.array([0, 1])], np.array([12.0, 9.0]))
>>> both = np.array([True, True])
>>> system.extreme(np.array([2]), both, largest=False)  # c = 12 - 9
3.0
>>> system.extreme(np.array([2]), np.array([True, False]), largest=True)  # a + b hidden
12.0
>>> pinned([system], np.array([2]), [both], 10, partition=True)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import highspy
import numpy as np
from scipy import sparse

from listening.errors import ListeningError

TOLERANCE = 1e-6  # below this, a difference of bases is rounding
_FITS = 1e-7  # a known solution meets a published sum when within this
_MARGIN = 1e-3  # a bound from another system's dual this far past a threshold decides
_SURE = 1e-9  # cleared decides this far inside pinned's thresholds (rounding of sums)


class _Model(highspy.Highs):
    """A HiGHS model of nonnegative cells and sums of them; only what changes is passed on.

    Without highspy's callback machinery, which prints a banner.
    """

    def __init__(self, matrix: sparse.csr_matrix) -> None:
        super(highspy.Highs, self).__init__()
        self.setOptionValue("output_flag", False)
        n_rows, n_cells = matrix.shape
        self.addVars(n_cells, np.zeros(n_cells), np.full(n_cells, highspy.kHighsInf))
        self.lower = np.zeros(n_rows)
        self.upper = np.zeros(n_rows)
        self.addRows(
            n_rows,
            self.lower,
            self.upper,
            matrix.nnz,
            matrix.indptr.astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data,
        )
        self.cost = np.zeros(n_cells)

    def minimise(self, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> Any:
        """Solve from the last basis with these costs and row bounds; the model status."""
        changed = np.flatnonzero(cost != self.cost).astype(np.int32)
        if len(changed):
            self.changeColsCost(len(changed), changed, cost[changed])
            self.cost = cost
        changed = np.flatnonzero((lower != self.lower) | (upper != self.upper)).astype(np.int32)
        if len(changed):
            self.changeRowsBounds(len(changed), changed, lower[changed], upper[changed])
            self.lower, self.upper = lower, upper
        if self.run() == highspy.HighsStatus.kError:
            raise ListeningError(
                f"HiGHS failed on a linear program ({self.getModelStatus()}); please report it."
            )
        return self.getModelStatus()


class Infeasible(ListeningError):
    """The published sums of a system have no nonnegative solution."""


class SumSystem:
    """Nonnegative cells and published sums of them (one row per sum), as a live HiGHS model.

    Parameters
    ----------
    n_cells : int
        The number of cells.
    rows : sequence of ndarray of int
        Each published sum's cells.
    values : sequence of float
        Each published sum's value.
    like : sequence of SumSystem, optional
        Systems whose model this one may share, when it has the same sums
        (the same cells, row by row) with other values.

    Examples
    --------
    >>> system = SumSystem(2, [np.array([0, 1])], np.array([5.0]))
    >>> system.extreme(np.array([0]), np.array([True]), largest=True)
    5.0
    >>> system.extreme(np.array([0]), np.array([False]), largest=True)  # nothing published
    inf
    """

    def __init__(
        self,
        n_cells: int,
        rows: Sequence[np.ndarray],
        values: Sequence[float],
        *,
        like: Sequence[SumSystem] = (),
    ) -> None:
        self.n_cells = n_cells
        self.values = np.asarray(values, dtype=float)
        lengths = [len(r) for r in rows]
        self.matrix = sparse.csr_matrix(
            (
                np.ones(sum(lengths)),
                np.concatenate([np.asarray(r, dtype=np.int32) for r in rows] or [[]]),
                np.cumsum([0, *lengths]),
            ),
            shape=(len(rows), n_cells),
        )
        # systems of the same sums (a question's answers) share a model: the last
        # basis of one is a good start for the next with the same objective
        same = next((s.model for s in like if _same_sums(s.matrix, self.matrix)), None)
        self.model = same if same is not None else _Model(self.matrix)
        self.points = np.empty((8, n_cells))  # known solutions, one a row (the first `known`)
        self.misses = np.empty((8, len(rows)))  # 1 for each sum a solution does not meet
        self.n_known = 0
        self._seen: set[bytes] = set()
        self.dual: tuple[np.ndarray, bytes] | None = None  # of the last solve, and its rows
        self._usable: tuple = (b"", 0, np.empty(0, dtype=bool))  # see known

    def extreme(self, members: np.ndarray, active: np.ndarray, *, largest: bool) -> float:
        """The least (or greatest) sum of the cells ``members`` given the ``active`` sums.

        ``inf`` when the greatest is unbounded.

        Raises
        ------
        Infeasible
            If the active sums have no nonnegative solution.
        """
        cost = np.zeros(self.n_cells)
        cost[members] = -1.0 if largest else 1.0
        value = self._minimise(cost, active)
        return -value if largest else value

    def feasible(self, active: np.ndarray) -> bool:
        """Whether the ``active`` sums have a nonnegative solution."""
        try:
            self._minimise(np.zeros(self.n_cells), active)
        except Infeasible:
            return False
        return True

    def bound_for(self, other: SumSystem, active: np.ndarray) -> float:
        """A lower bound of ``other``'s least, with the costs of this system's last solve.

        From that solve's dual, valid for a system of the same sums and
        published ones (weak duality); -inf when there is none.
        """
        if self.dual is None or other.model is not self.model:
            return -np.inf
        active = np.asarray(active, dtype=bool)
        dual, shown = self.dual
        if shown != active.tobytes():
            return -np.inf
        return float(other.values[active] @ dual[active])

    def known(self, cells: np.ndarray, active: np.ndarray) -> tuple[float, float]:
        """The least and greatest sum of some cells over the known solutions of ``active``.

        ``cells`` is 1 for each cell summed, else 0. An upper bound of the
        least and a lower bound of the greatest; ``(inf, -inf)`` when no
        known solution meets the active sums.
        """
        usable = self._usable_now(active)
        if not usable.any():
            return np.inf, -np.inf
        sums = (self.points[: self.n_known] @ cells)[usable]
        return float(sums.min()), float(sums.max())

    def known_many(
        self, targets: sparse.csr_matrix, active: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`known` for many sets of cells at once (a row of ``targets`` each).

        Examples
        --------
        >>> system = SumSystem(2, [np.array([0, 1])], np.array([5.0]))
        >>> system.extreme(np.array([0]), np.array([True]), largest=True)
        5.0
        >>> targets = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 1.0]]))
        >>> [x.tolist() for x in system.known_many(targets, np.array([True]))]
        [[5.0, 5.0], [5.0, 5.0]]
        """
        usable = self._usable_now(active)
        n = targets.shape[0]
        if not usable.any():
            return np.full(n, np.inf), np.full(n, -np.inf)
        sums = targets @ self.points[: self.n_known][usable].T
        return sums.min(axis=1), sums.max(axis=1)

    def _usable_now(self, active: np.ndarray) -> np.ndarray:
        """Which known solutions meet the ``active`` sums.

        Kept while the same sums are asked about, and extended to the
        solutions found since.
        """
        k = self.n_known
        active = np.asarray(active, dtype=bool)
        shown, seen, usable = self._usable
        if shown != active.tobytes():
            shown, seen, usable = active.tobytes(), 0, np.empty(0, dtype=bool)
        if seen < k:
            usable = np.append(usable, self.misses[seen:k] @ active == 0)
        self._usable = (shown, k, usable)
        return usable

    def _minimise(self, cost: np.ndarray, active: np.ndarray) -> float:
        active = np.asarray(active, dtype=bool)
        lower = np.where(active, self.values, -highspy.kHighsInf)
        upper = np.where(active, self.values, highspy.kHighsInf)
        self.dual = None
        status = self.model.minimise(cost, lower, upper)
        if status == highspy.HighsModelStatus.kOptimal:
            solution = self.model.getSolution()
            self._keep(np.array(solution.col_value))
            value = float(self.model.getInfo().objective_function_value)
            dual = np.array(solution.row_dual)
            if abs(self.values[active] @ dual[active] - value) <= 1e-6 * (1 + abs(value)):
                self.dual = (dual, active.tobytes())  # the optimum is its bound: sound
            return value
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible and cost.any():
            if not self.feasible(active):  # decides which
                raise Infeasible("the published sums have no nonnegative solution")
            return -np.inf
        if status == highspy.HighsModelStatus.kUnbounded:
            return -np.inf
        raise Infeasible(f"the published sums have no nonnegative solution ({status})")

    def _keep(self, x: np.ndarray) -> None:
        key = x.tobytes()
        if key in self._seen:
            return
        self._seen.add(key)
        k = self.n_known
        if k == len(self.points):
            self.points = np.vstack([self.points, np.empty_like(self.points)])
            self.misses = np.vstack([self.misses, np.empty_like(self.misses)])
        self.points[k] = x
        self.misses[k] = np.abs(self.matrix @ x - self.values) > _FITS
        self.n_known = k + 1


def _same_sums(a: sparse.csr_matrix, b: sparse.csr_matrix) -> bool:
    """Whether two systems sum the same cells, row by row."""
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
    )


def pinned(
    systems: Sequence[SumSystem],
    members: np.ndarray,
    active: Sequence[np.ndarray],
    min_base: float,
    *,
    partition: bool,
    base: SumSystem | None = None,
    base_active: np.ndarray | None = None,
) -> bool:
    """Whether the published sums pin the count of ``members`` within 1 to ``min_base - 1``.

    Parameters
    ----------
    systems : sequence of SumSystem
        The answers' counts, one system each.
    members : ndarray of int
        The cells.
    active : sequence of ndarray of bool
        Per system, the sums still published.
    min_base : float
        The minimum base.
    partition : bool
        Whether the answers split the base (single answer): the base is then
        the sum of the counts, its least and greatest the sums of theirs.
        Otherwise the base is at most the least of ``base``'s greatest and
        the counts' greatest summed, and at least the greatest of every
        system's least.
    base, base_active : SumSystem and ndarray of bool, optional
        The system of bases and its published sums (not with ``partition``).

    Returns
    -------
    bool
        As :func:`listening.publish.attack.bounded` of the least and the greatest.
    """
    ceiling = min_base - TOLERANCE  # pinned below min_base: the greatest is under this
    everything = [*zip(systems, active, strict=True)]
    if base is not None:
        everything.append((base, base_active))
    if not everything:
        return False  # nothing published
    cells = np.zeros(everything[0][0].n_cells)
    cells[members] = 1.0
    known = [s.known(cells, a) for s, a in everything]
    counts = everything[: len(systems)]
    low_known, high_known = [k[0] for k in known], [k[1] for k in known]
    if partition and sum(low_known) <= TOLERANCE:
        return False  # a known solution gives the cells (almost) no one
    if not partition and max(low_known) <= TOLERANCE:
        return False
    if sum(max(h, 0.0) for h in high_known[: len(systems)]) >= ceiling and (
        base is None or high_known[-1] >= ceiling
    ):
        return False  # known solutions give them min_base or more
    # the greatest: not pinned when it reaches min_base
    if base is None:
        if _sum_reaches(counts, members, [k[1] for k in known], ceiling):
            return False
    elif known[-1][1] >= ceiling or base.extreme(members, base_active, largest=True) >= ceiling:
        if not counts or _sum_reaches(counts, members, [k[1] for k in known[:-1]], ceiling):
            return False
    # the least: pinned when it is above zero
    if partition:
        return not _sum_stays(everything, members, [k[0] for k in known], TOLERANCE)
    return any(
        known[i][0] > TOLERANCE
        and everything[i][0].extreme(members, everything[i][1], largest=False) > TOLERANCE
        for i in np.argsort([-k[0] for k in known])
    )


def cleared(
    systems: Sequence[SumSystem],
    targets: Sequence[np.ndarray],
    active: Sequence[np.ndarray],
    min_base: float,
    *,
    partition: bool,
    base: SumSystem | None = None,
    base_active: np.ndarray | None = None,
) -> np.ndarray:
    """Which sets of cells the known solutions alone show :func:`pinned` does not pin.

    Each of ``targets`` is a set of cells (as ``members`` of :func:`pinned`);
    the other arguments are those of :func:`pinned`. True where :func:`pinned`
    would answer False from the known solutions, before any linear program
    (decided here a little short of its thresholds, so never where it would
    not); False leaves the set to :func:`pinned`. Known solutions only grow
    and stay solutions as more is hidden, so a set cleared here is cleared
    by :func:`pinned` later too, without a linear program.

    Examples
    --------
    >>> system = SumSystem(3, [np.array([0, 1, 2]), np.array([0, 1])], np.array([12.0, 9.0]))
    >>> both = np.array([True, True])
    >>> system.extreme(np.array([2]), both, largest=False)  # a known solution: c = 3
    3.0
    >>> targets = [np.array([2]), np.array([0, 1, 2])]
    >>> cleared([system], targets, [both], 10, partition=True).tolist()  # c = 3; all 12
    [False, True]
    """
    everything = [*zip(systems, active, strict=True)]
    if base is not None:
        everything.append((base, base_active))
    if not everything:
        return np.ones(len(targets), dtype=bool)  # nothing published
    ceiling = min_base - TOLERANCE
    lengths = [len(m) for m in targets]
    matrix = sparse.csr_matrix(  # a row per target, 1 for each of its cells
        (
            np.ones(sum(lengths)),
            np.concatenate([np.asarray(m, dtype=np.int64) for m in targets] or [[]]),
            np.cumsum([0, *lengths]),
        ),
        shape=(len(targets), everything[0][0].n_cells),
    )
    known = [s.known_many(matrix, a) for s, a in everything]
    low = np.array([k[0] for k in known])
    high = np.array([k[1] for k in known])
    with np.errstate(invalid="ignore"):  # inf - inf: no known solution, not cleared
        if partition:
            out = low.sum(axis=0) <= TOLERANCE - _SURE
        else:
            out = low.max(axis=0) <= TOLERANCE - _SURE
        reach = np.maximum(high[: len(systems)], 0.0).sum(axis=0) >= ceiling + _SURE
    if base is not None:
        reach &= high[-1] >= ceiling + _SURE
    return out | reach


def _sum_reaches(
    systems: list[tuple[SumSystem, np.ndarray]], members: np.ndarray, known: list, ceiling: float
) -> bool:
    """Whether the greatest sums of ``members``, added over the systems, reach ``ceiling``.

    After each linear program, its dual bounds the greatest of the systems
    still to solve (weak duality): when even those bounds stay clearly
    below ``ceiling``, the sum does not reach it.
    """
    known = [max(k, 0.0) for k in known]
    total = 0.0
    for i, (system, active) in enumerate(systems):
        if total + sum(known[i:]) >= ceiling:
            return True
        total += system.extreme(members, active, largest=True)
        rest = [-system.bound_for(other, on) for other, on in systems[i + 1 :]]
        if total + sum(rest) < ceiling - _MARGIN:
            return False
    return total >= ceiling


def _sum_stays(
    systems: list[tuple[SumSystem, np.ndarray]], members: np.ndarray, known: list, floor: float
) -> bool:
    """Whether the least sums of ``members``, added over the systems, stay within ``floor``.

    As :func:`_sum_reaches`, the duals bound the least of those still to solve.
    """
    order = np.argsort(known)
    total = 0.0
    for rank, i in enumerate(order):
        if total + sum(known[j] for j in order[rank:]) <= floor:
            return True
        system, active = systems[i]
        total += system.extreme(members, active, largest=False)
        rest = [max(system.bound_for(*systems[j]), 0.0) for j in order[rank + 1 :]]
        if total + sum(rest) > floor + _MARGIN:
            return False
    return total <= floor
