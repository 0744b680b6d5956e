"""Disclosure control: primary and secondary suppression of small groups."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.errors import ListeningError
from listening.publish.audit import PublishedTable, attacker, bounded
from listening.publish.suppression import protect, suppress

MIN_BASE = 10


def _recoverable(
    groups: pd.DataFrame, by: list[str], hidden: np.ndarray, residual: int, total: bool
) -> list:
    """Hidden groups whose count follows from the published totals by linear algebra.

    The unknowns are the hidden groups (and the residual of respondents with no
    group, which is never published). Each line of the table publishes its
    total unless that total is itself suppressed: "All" when its base is below
    the minimum, and for a two-way table each row and column total as the
    one-way table by that variable (suppressed by the same rule) shows it. A
    hidden group is recoverable when its indicator lies in the row space of
    the published constraints restricted to the unknowns. Only groups below the
    minimum base (and the residual, when small) are sensitive.
    """
    unknowns = list(np.flatnonzero(hidden))
    base = groups["base"].to_numpy()
    lines = []
    if not total:
        lines.append((np.ones(len(groups), dtype=bool), residual > 0))
    if len(by) == 2:
        for column in by:
            margin = groups.groupby(column, sort=False)["base"].sum().reset_index()
            shown = ~suppress(margin, by=[column], min_base=MIN_BASE).groups.to_numpy()
            for value in margin[column][shown]:
                lines.append(((groups[column] == value).to_numpy(), False))
    rows = [
        [float(line[u]) for u in unknowns] + ([float(with_residual)] if residual > 0 else [])
        for line, with_residual in lines
    ]
    if not rows:
        return []
    constraints = np.array(rows)
    rank = np.linalg.matrix_rank(constraints)
    found = []
    sensitive = [base[u] < MIN_BASE for u in unknowns]
    if residual > 0:
        unknowns.append("residual")
        sensitive.append(residual < MIN_BASE)
    for position, unknown in enumerate(unknowns):
        if not sensitive[position]:
            continue
        target = np.zeros(constraints.shape[1])
        target[position] = 1.0
        if np.linalg.matrix_rank(np.vstack([constraints, target])) == rank:
            found.append(unknown)
    return found


@st.composite
def one_way(draw):
    bases = draw(st.lists(st.integers(0, 40), min_size=1, max_size=8))
    residual = draw(st.integers(0, 15))
    groups = pd.DataFrame({"g": [f"G{i}" for i in range(len(bases))], "base": bases})
    return groups, residual


@st.composite
def two_way(draw):
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    bases = draw(st.lists(st.integers(1, 40), min_size=rows * cols, max_size=rows * cols))
    cells = list(itertools.product([f"R{i}" for i in range(rows)], [f"C{j}" for j in range(cols)]))
    groups = pd.DataFrame({"r": [a for a, _ in cells], "c": [b for _, b in cells], "base": bases})
    return groups, draw(st.integers(0, 15))


@settings(max_examples=200, deadline=None)
@given(one_way())
def test_no_hidden_group_recoverable_one_way(case):
    groups, residual = case
    result = suppress(groups, by=["g"], min_base=MIN_BASE, residual_base=residual)
    flags = result.groups.to_numpy()
    base = groups["base"].to_numpy()
    assert flags[base < MIN_BASE].all()
    assert result.total == (base.sum() + residual < MIN_BASE)
    hidden = flags & (base > 0)
    assert _recoverable(groups, ["g"], hidden, residual, result.total) == []


@settings(max_examples=200, deadline=None)
@given(two_way())
def test_no_hidden_cell_recoverable_two_way(case):
    groups, residual = case
    result = suppress(groups, by=["r", "c"], min_base=MIN_BASE, residual_base=residual)
    flags = result.groups.to_numpy()
    base = groups["base"].to_numpy()
    assert flags[base < MIN_BASE].all()
    hidden = flags & (base > 0)
    assert _recoverable(groups, ["r", "c"], hidden, residual, result.total) == []


def test_nothing_suppressed_when_every_group_is_large():
    groups = pd.DataFrame({"g": list("ABC"), "base": [10, 11, 500]})
    assert not suppress(groups, by=["g"], min_base=10).groups.any()


def test_secondary_takes_the_next_smallest_group():
    groups = pd.DataFrame({"g": list("ABCD"), "base": [3, 50, 12, 12]})
    result = suppress(groups, by=["g"], min_base=10)
    assert result.groups.tolist() == [True, False, True, False]
    assert not result.total


def test_large_residual_does_not_hide_anything():
    groups = pd.DataFrame({"g": list("AB"), "base": [50, 60]})
    assert not suppress(groups, by=["g"], min_base=10, residual_base=40).groups.any()


def test_empty_group_hides_nothing():
    groups = pd.DataFrame({"g": list("ABC"), "base": [0, 50, 60]})
    assert suppress(groups, by=["g"], min_base=10).groups.tolist() == [True, False, False]


def test_index_is_kept():
    groups = pd.DataFrame({"g": list("AB"), "base": [5, 60]}, index=[7, 3])
    flags = suppress(groups, by=["g"], min_base=10).groups
    assert list(flags.index) == [7, 3]
    assert flags.all()


@pytest.mark.parametrize(
    ("frame", "min_base"),
    [(pd.DataFrame({"g": ["A"]}), 10), (pd.DataFrame({"g": ["A"], "base": [3]}), -1)],
)
def test_bad_arguments_raise(frame, min_base):
    with pytest.raises(ListeningError):
        suppress(frame, by=["g"], min_base=min_base)


def _published(groups: pd.DataFrame, by: list[str]) -> PublishedTable:
    """A table of one answer category whose counts are the bases, with its "All" row."""
    total = {**dict.fromkeys(by, "All"), "base": int(groups["base"].sum())}
    rows = pd.concat([pd.DataFrame([total]), groups], ignore_index=True)
    rows = rows.astype({b: str for b in by}).assign(category="x", n=rows["base"])
    return PublishedTable("q", tuple(by), rows)


@settings(max_examples=100, deadline=None)
@given(one_way())
def test_protect_leaves_no_small_group_determined_one_way(case):
    groups, _ = case
    reasons = protect([_published(groups, ["g"])], min_base=MIN_BASE, complete=["g"])[0]
    base = groups["base"].to_numpy()
    hidden = reasons[1:] != ""
    assert (reasons[1:][(base < MIN_BASE)] == "threshold").all()
    assert (reasons[1:][base >= MIN_BASE] != "threshold").all()
    # an independent check by linear algebra (no linear programming); a reader does not
    # know which hidden groups are empty
    found = _recoverable(groups, ["g"], hidden, 0, reasons[0] != "")
    assert [g for g in found if base[g] > 0] == []


def test_protect_hides_the_cheapest_group_not_the_next_to_the_small_one():
    groups = pd.DataFrame({"g": list("ABCD"), "base": [104, 3, 30, 126]})
    reasons = protect([_published(groups, ["g"])], min_base=MIN_BASE, complete=["g"])[0]
    assert reasons.tolist() == ["", "", "threshold", "secondary", ""]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(10, 80), min_size=2, max_size=4), st.integers(0, MIN_BASE + 3))
def test_protect_leaves_no_small_leftover_pinned(sizes, missing):
    """Respondents with no g are "All" minus the groups: protected when 1 to 9 of them."""
    labels = [f"g{i}" for i in range(len(sizes))]
    table = _published(pd.DataFrame({"g": labels, "base": sizes}), ["g"])
    table.rows.loc[0, ["n", "base"]] = sum(sizes) + missing  # "All" holds them too
    # each respondent's group (its position in the table, after "All"; -1: no g)
    groups_of = np.repeat([*range(1, len(sizes) + 1), -1], [*sizes, missing])
    small = 0 < missing < MIN_BASE
    for leftovers in (True, False):
        reasons = protect([table], min_base=MIN_BASE, respondents=[groups_of], leftovers=leftovers)
        attack = attacker([table], ())
        (left,) = [m for (_, g1), _, m in attack.leftovers() if g1 == 0]
        low, high = attack.bound([set(np.flatnonzero(reasons[0] != ""))], left)[:2]
        # without leftover protection the reader gets a small leftover exactly (the control)
        assert bounded(low, high, MIN_BASE) == (small and not leftovers), (low, high)
        assert (reasons[0] == "").all() == (not small or not leftovers)


def test_a_small_leftover_costs_a_district_s_girls_or_boys_not_the_district():
    """A district's few children neither girl nor boy (another gender, shown for the
    county only and too few there to show, or none given) are the district less the
    county table's shown genders, and the district less its girls and boys: protection
    hides one of the district's girls or boys (a cell of the table crossing the two),
    never the district itself (the old choice, among the two tables only, hid every
    district), and the tables then give no small group away."""
    import listening as yl
    from listening.publish.disclosure import DisclosurePolicy
    from listening.publish.tables import protection

    rows = []
    for district, size in zip("ABCD", (200, 180, 160, 140), strict=True):
        other, none = (3, 3) if district != "D" else (0, 6)
        girls = (size - 6) // 2
        genders = ["Girl"] * girls + ["Boy"] * (size - 6 - girls) + ["Other"] * other
        rows += [(district, g, "yes" if i % 3 else "no") for i, g in enumerate(genders)]
        rows += [(district, None, "yes")] * none
    data = pd.DataFrame(rows, columns=["district", "gender", "q"])
    design = yl.SurveyDesign(data)
    bys = [["district"], ["gender"], ["district", "gender"]]
    policy = DisclosurePolicy(
        min_base=MIN_BASE, complete=("district",), county_only={"gender": ("Other",)}
    )
    by_district, by_gender, crossed = protection(design, "q", bys, policy=policy)
    assert set(by_district.values()) == {""}, by_district
    assert by_gender[("Other",)] == "threshold"
    for district in "ABCD":
        assert [crossed[(district, g)] for g in ("Girl", "Boy")].count("secondary") == 1, crossed
    tabs = yl.crosstabs(design, ["q"], bys, policy=policy)
    assert yl.audit(tabs, policy=policy).ok


@settings(max_examples=80, deadline=None)
@given(two_way())
def test_protect_hides_no_secondary_group_that_no_attack_needs(case):
    """Every secondary suppression is needed: shown again alone, some small group (or
    overlap, or leftover) is pinned. Chosen one attack at a time, a later suppression can
    make an earlier one unnecessary; protection shows those again."""
    groups, _ = case
    tables = [_published(groups, ["r", "c"])]
    for column in ("r", "c"):
        margin = groups.groupby(column, as_index=False)["base"].sum()
        tables.append(_published(margin, [column]))
    reasons = protect(tables, min_base=MIN_BASE, complete=["r", "c"])
    attack = attacker(tables, ["r", "c"])
    hidden = [set(np.flatnonzero(r != "")) for r in reasons]
    small = [
        attack.members[(t, g)]
        for t, table in enumerate(tables)
        for g, base in enumerate(table.groups()["base"])
        if 0 < base < MIN_BASE
    ]
    assert not any(attack.pinned(hidden, m, MIN_BASE) for m in small)
    for t, reason in enumerate(reasons):
        for g in np.flatnonzero(reason == "secondary"):
            fewer = [set(h) for h in hidden]
            fewer[t].discard(g)
            assert any(attack.pinned(fewer, m, MIN_BASE) for m in small), (t, g)
