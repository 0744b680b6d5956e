"""The attacker's shortcuts agree with the long way round: small overlaps, kept proofs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.publish.attack import Attack, bounded, cleared_by_known, proven
from listening.publish.published import PublishedTable
from listening.publish.table import ALL


def _table(data: pd.DataFrame, by: list[str]) -> tuple[PublishedTable, np.ndarray]:
    """The counts by ``by`` (everyone's base), and each respondent's group (1 on; 0 is All)."""
    groups = data.groupby(by, sort=True).size()
    keys = [k if isinstance(k, tuple) else (k,) for k in groups.index]
    rows = pd.DataFrame([(ALL,) * len(by), *keys], columns=by)
    rows["category"] = "x"
    rows["n"] = rows["base"] = [len(data), *groups.to_numpy()]
    position = {k: i + 1 for i, k in enumerate(keys)}
    respondents = np.array([position[tuple(r)] for r in data[by].itertuples(index=False)])
    return PublishedTable("q", tuple(by), rows), respondents


@st.composite
def surveys(draw):
    n = draw(st.integers(8, 60))
    values = st.lists(st.sampled_from("abc"), min_size=n, max_size=n)
    data = pd.DataFrame({"g": draw(values), "h": [x.upper() for x in draw(values)]})
    bys = draw(st.sampled_from([[["g"], ["h"]], [["g"], ["h"], ["g", "h"]]]))
    built = [_table(data, by) for by in bys]
    tables, respondents = [t for t, _ in built], [r for _, r in built]
    hidden = [set(draw(st.lists(st.integers(0, len(t.groups()) - 1)))) for t in tables]
    more = [set(draw(st.lists(st.integers(0, len(t.groups()) - 1)))) for t in tables]
    return tables, respondents, hidden, more, draw(st.integers(2, 12))


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_small_overlaps_are_the_overlaps_of_1_to_min_base_less_one(case):
    tables, respondents, _, _, min_base = case
    attack = Attack(tables, complete=frozenset({"g", "h"}))
    expected = [
        (one, two, members)
        for one, two, members in attack.overlaps()
        if 0 < np.sum((respondents[one[0]] == one[1]) & (respondents[two[0]] == two[1])) < min_base
    ]
    found = attack.overlaps(respondents, min_base)
    assert [(o, t) for o, t, _ in found] == [(o, t) for o, t, _ in expected]
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(found, expected, strict=True))


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_a_kept_proof_pins_only_what_is_pinned(case):
    tables, _, hidden, more, min_base = case
    attack = Attack(tables, complete=frozenset({"g", "h"}))
    for t, g in itertools.islice(attack.members, 12):
        members = attack.members[(t, g)]
        low, high, low_proof, high_proof = attack.bound(hidden, members)
        if not bounded(low, high, min_base):
            continue
        for other in (hidden, more, [h | m for h, m in zip(hidden, more, strict=True)]):
            if proven(other, low, high, low_proof + high_proof, min_base=min_base):
                assert attack.pinned(other, members, min_base)


@settings(max_examples=60, deadline=None)
@given(surveys())
def test_cleared_by_known_never_clears_a_pinned_group(case):
    tables, _, hidden, more, min_base = case
    attack = Attack(tables, complete=frozenset({"g", "h"}))
    targets = list(attack.members.values())
    for members in targets[:4]:  # some solutions known
        attack.pinned(more, members, min_base)
    fast = cleared_by_known(attack, hidden, targets, min_base)
    for members, free in zip(targets, fast, strict=True):
        if free:
            assert not attack.pinned(hidden, members, min_base)
