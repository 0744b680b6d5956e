"""The fast paths of listening.publish.lp agree with the one-at-a-time answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from listening.publish.lp import SumSystem, cleared, pinned


@st.composite
def systems(draw):
    """Random published sums of a random nonnegative integer table, some hidden,
    some linear programs solved already (their solutions known), and sets of cells."""
    n_cells = draw(st.integers(2, 7))
    truth = np.array(draw(st.lists(st.integers(0, 12), min_size=n_cells, max_size=n_cells)))
    cells = st.lists(st.integers(0, n_cells - 1), min_size=1, max_size=n_cells, unique=True)
    rows = [np.arange(n_cells)] + [np.array(sorted(r)) for r in draw(st.lists(cells, max_size=6))]
    n_systems = draw(st.integers(1, 3))
    # the answers' counts: a share of the truth each (values of their own, same sums)
    parts = [truth // n_systems + (i < truth % n_systems) for i in range(n_systems)]
    built: list[SumSystem] = []
    for part in parts:
        values = np.array([part[r].sum() for r in rows], dtype=float)
        built.append(SumSystem(n_cells, rows, values, like=built))
    active = [np.array(draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))))] * (
        n_systems
    )
    targets = [np.array(sorted(t)) for t in draw(st.lists(cells, min_size=1, max_size=8))]
    solved = draw(st.lists(st.integers(0, len(targets) - 1), max_size=4))
    min_base = draw(st.integers(2, 15))
    base = None
    if draw(st.booleans()):  # a multi-select question: every count at most the base
        values = np.array([truth[r].sum() for r in rows], dtype=float)
        base = (SumSystem(n_cells, rows, values), active[0])
    return built, active, targets, solved, min_base, base


def _ask(built, members, active, min_base, base):
    """pinned, for a single-answer question (the counts split the base) or not (base)."""
    if base is None:
        return pinned(built, members, active, min_base, partition=True)
    return pinned(
        built, members, active, min_base, partition=False, base=base[0], base_active=base[1]
    )


@settings(max_examples=150, deadline=None)
@given(systems())
def test_cleared_only_where_pinned_says_no_without_solving(case):
    built, active, targets, solved, min_base, base = case
    everything = [*built, *([base[0]] if base else [])]
    for i in solved:  # known solutions from earlier questions
        _ask(built, targets[i], active, min_base, base)
    known = [s.n_known for s in everything]
    if base is None:
        fast = cleared(built, targets, active, min_base, partition=True)
    else:
        fast = cleared(
            built, targets, active, min_base, partition=False, base=base[0], base_active=base[1]
        )
    assert [s.n_known for s in everything] == known  # no linear program
    for members, free in zip(targets, fast, strict=True):
        if free:
            before = [s.n_known for s in everything]
            assert not _ask(built, members, active, min_base, base)
            assert [s.n_known for s in everything] == before  # pinned needed none either


@settings(max_examples=150, deadline=None)
@given(systems())
def test_known_many_is_known_of_each(case):
    built, active, targets, solved, min_base, base = case
    for i in solved:
        _ask(built, targets[i], active, min_base, base)
    for s, on in zip(built, active, strict=True):
        matrix = np.zeros((len(targets), s.n_cells))
        for row, members in enumerate(targets):
            matrix[row, members] = 1.0
        low, high = s.known_many(sparse.csr_matrix(matrix), on)
        for row in range(len(targets)):
            one = s.known(matrix[row], on)
            assert np.isclose(low[row], one[0]) or low[row] == one[0]
            assert np.isclose(high[row], one[1]) or high[row] == one[1]


def test_cleared_leaves_what_no_solution_clears_to_pinned():
    # c = 12 - 9 = 3 is pinned: no known solution says otherwise
    system = SumSystem(3, [np.array([0, 1, 2]), np.array([0, 1])], np.array([12.0, 9.0]))
    both = np.array([True, True])
    assert pinned([system], np.array([2]), [both], 10, partition=True)
    assert cleared(
        [system], [np.array([2]), np.array([0, 1, 2])], [both], 10, partition=True
    ).tolist() == [False, True]
