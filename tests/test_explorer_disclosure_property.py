"""Property: whatever sequence of Explore views a reader asks for, no small group follows.

Hypothesis makes small surveys with tiny categories (a district of a few
respondents, a handful describing their gender another way, some who did not
say) and a sequence of explorer views: a breakdown by one or two variables,
perhaps a filter, weighted or not. Each view is computed with the explorer's
own functions, as ``app_pages/shared.py`` ``crosstab`` does: the question's
publication (:func:`~listening.explorer.publication.publish`), the filtered
design (:func:`~listening.explorer.views.filter_mask`), ``yl.crosstab`` with
``min_base=0`` and :func:`~listening.explorer.publication.protected_view`.
Everything shown is collected as published tables and handed to the
linear-programming attacker (``yl.audit``): no group with 1 to
``min_base - 1`` respondents may be shown, worked out or bounded.

A filter "F in S" is one more variable of the reader's model, ``F in S`` (in
or out), which the reader knows to be "in" exactly for respondents whose F is
in S (combinations known to be empty), and to be known for everyone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import listening as yl
from listening.explorer.publication import protected_view, publish, refusal
from listening.explorer.took_part import publish_took_part
from listening.explorer.views import filter_mask
from listening.publish import attack
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable
from listening.publish.table import ALL

MIN_BASE = 10
QUESTION = "q"
LEVELS = {
    "district": ["North", "South", "East", "Tiny"],
    "age_band": ["11-13", "14-15", "16-18"],
    "gender": ["Girl", "Boy", "Another way"],
}
COLUMNS = list(LEVELS)


@st.composite
def surveys(draw) -> pd.DataFrame:
    """A survey of 60 to 160 respondents: uneven categories, some tiny, some missing."""
    size = draw(st.integers(60, 160))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    data = {}
    for column, levels in LEVELS.items():
        shares = rng.dirichlet(np.ones(len(levels)))
        shares[-1] = draw(st.sampled_from([0.01, 0.03, 0.06]))  # a tiny last category
        shares[:-1] *= (1 - shares[-1]) / shares[:-1].sum()
        data[column] = rng.choice(levels, size=size, p=shares).astype(object)
    data["gender"][rng.random(size) < 0.04] = None  # some did not say
    answers = rng.choice(["Yes", "No", "Not sure"], size=size, p=[0.5, 0.4, 0.1]).astype(object)
    answers[rng.random(size) < 0.05] = None  # some skipped the question
    frame = pd.DataFrame({**data, QUESTION: answers})
    for column, levels in LEVELS.items():
        present = [v for v in levels if (frame[column] == v).any()]
        frame[column] = pd.Categorical(frame[column], categories=present)
    frame["weight"] = rng.uniform(0.5, 2.0, size=size)
    return frame


@st.composite
def views(draw) -> list[tuple[tuple[str, ...], dict[str, tuple[str, ...]], bool]]:
    """Two to four views: (breakdown, filters, weighted), each one the explorer shows."""
    out = []
    for _ in range(draw(st.integers(2, 4))):
        by = tuple(draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=2, unique=True)))
        filters = {}
        if len(by) == 1 and draw(st.booleans()):
            column = draw(st.sampled_from(COLUMNS))
            values = draw(
                st.lists(st.sampled_from(LEVELS[column]), min_size=1, max_size=3, unique=True)
            )
            filters[column] = tuple(values)
        weighted = draw(st.booleans())
        if refusal(by, filters) is None:
            out.append((by, filters, weighted))
    return out


def _shown(data, pub, by, filters, weighted) -> yl.Crosstab:
    """One view as the explorer's pages compute it (``shared.crosstab``)."""
    design = yl.SurveyDesign(data, weights="weight" if weighted else None)
    chosen = {c: v for c, v in filters.items() if v}
    if chosen:
        design = design.subset(filter_mask(design.data, chosen))
    tab = yl.crosstab(design, QUESTION, by=list(by), min_base=0)
    return protected_view(tab, pub, chosen)


def _filter_name(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in {'|'.join(sorted(values))}"


def _as_published(tab, filters) -> tuple[list[PublishedTable], list[tuple], list[str]]:
    """What a reader sees of a view: its groups, answers, counts and bases (NaN where
    hidden), what the reader knows to be empty, and the variables everyone has.

    A filtered view's groups are those of a table by its breakdown and ``F in S``
    ("in"); its "All" is the "in" group of a table by ``F in S`` alone, whose "out"
    group is not shown."""
    rows = tab.table[[*tab.by, "category", "n", "base"]].astype({"n": float, "base": float})
    rows = rows.assign(**{c: rows[c].astype(str) for c in tab.by})
    if not filters:
        return [PublishedTable(QUESTION, tuple(tab.by), rows, "single", " x ".join(tab.by))], [], []
    ((column, values),) = filters.items()
    name = _filter_name(column, values)
    everyone = (rows[list(tab.by)] == ALL).all(axis=1)
    inside = rows[~everyone].assign(**{name: "in"})
    total = rows[everyone].assign(**{name: "in"})
    outside = total.assign(**{name: "out", "n": np.nan, "base": np.nan})
    by = (*tab.by, name)
    tables = [
        PublishedTable(QUESTION, by, inside[[*by, "category", "n", "base"]], "single", str(by)),
        PublishedTable(
            QUESTION,
            (name,),
            pd.concat([total, outside])[[name, "category", "n", "base"]],
            "single",
            name,
        ),
    ]
    empty = [
        ((column, level), (name, "out" if level in values else "in")) for level in LEVELS[column]
    ]
    return tables, empty, [name]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=surveys(), asked=views())
def test_no_sequence_of_explorer_views_reveals_a_small_group(data, asked):
    if data[QUESTION].notna().sum() < MIN_BASE:
        return  # nothing is shown at all (every group hidden)
    result = _attack(
        data, publish(yl.SurveyDesign(data), QUESTION, columns=COLUMNS, min_base=MIN_BASE), asked
    )
    assert result.ok, str(result)


def _attack(data, pub, asked) -> yl.AuditResult:
    """The audit of everything the views ``asked`` show of ``pub``."""
    tables, empty, complete = [], [], [c for c in COLUMNS if data[c].notna().all()]
    for by, filters, weighted in asked:
        shown, known_empty, known = _as_published(_shown(data, pub, by, filters, weighted), filters)
        tables += shown
        empty += known_empty
        complete += known
    policy = DisclosurePolicy(
        min_base=MIN_BASE, complete=tuple(dict.fromkeys(complete)), empty=tuple(empty)
    )
    return yl.audit(tables, policy=policy)


UNION_CASE = Path(__file__).parent / "disclosure_cases" / "union_leftover.csv"
"""A survey hypothesis found (the property above failed on it): the county less South
and East (North and Tiny) less North's shown 11-13s left 3 children."""


def test_a_union_of_districts_less_their_shown_age_bands_is_protected(monkeypatch):
    data = pd.read_csv(UNION_CASE, dtype=str)
    for column, levels in LEVELS.items():
        data[column] = pd.Categorical(data[column], [v for v in levels if v in set(data[column])])
    data["weight"] = 1.0
    asked = [(("district", "age_band"), {}, False), (("district",), {}, False)]  # no filter
    pub = publish(yl.SurveyDesign(data), QUESTION, columns=COLUMNS, min_base=MIN_BASE)
    assert _attack(data, pub, asked).ok
    # control: protection that starts no leftover from a union of districts leaks the 3
    monkeypatch.setattr(attack, "MAX_UNION_GROUPS", 0)
    leaky = publish(yl.SurveyDesign(data), QUESTION, columns=COLUMNS, min_base=MIN_BASE)
    monkeypatch.undo()
    result = _attack(data, leaky, asked)
    assert not result.ok
    # a union of districts (North and Tiny, less their shown age bands): 3 children
    assert "North or Tiny in no group of district x age_band: base worked out as 3" in str(result)


def test_control_views_protected_one_by_one_are_caught():
    """The same collection and attack find the small group when each view is protected on
    its own (``yl.crosstab`` with ``min_base``), so the property can fail."""
    rng = np.random.default_rng(3)
    size = 120
    district = np.array(["North"] * 60 + ["South"] * 56 + ["Tiny"] * 4, dtype=object)
    gender = rng.choice(["Girl", "Boy"], size=size).astype(object)
    gender[rng.choice(np.flatnonzero(district == "North"), 3, replace=False)] = "Another way"
    data = pd.DataFrame(
        {
            "district": pd.Categorical(district),
            "age_band": pd.Categorical(rng.choice(LEVELS["age_band"], size=size)),
            "gender": pd.Categorical(gender),
            QUESTION: rng.choice(["Yes", "No"], size=size).astype(object),
            "weight": 1.0,
        }
    )
    asked = [(("district",), {}, False), (("district",), {"gender": ("Girl", "Boy")}, False)]
    tables, empty = [], []
    for by, filters, _ in asked:
        design = yl.SurveyDesign(data)
        if filters:
            design = design.subset(filter_mask(design.data, filters))
        shown, known_empty, _known = _as_published(
            yl.crosstab(design, QUESTION, by=list(by), min_base=MIN_BASE), filters
        )
        tables += shown
        empty += known_empty
    name = _filter_name("gender", ("Girl", "Boy"))
    policy = DisclosurePolicy(
        min_base=MIN_BASE, complete=("district", "age_band", "gender", name), empty=tuple(empty)
    )
    assert not yl.audit(tables, policy=policy).ok
    pub = publish(yl.SurveyDesign(data), QUESTION, columns=COLUMNS, min_base=MIN_BASE)
    protected = [
        t
        for by, filters, w in asked
        for t in _as_published(_shown(data, pub, by, filters, w), filters)[0]
    ]
    assert yl.audit(protected, policy=policy).ok


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=surveys(), min_base=st.sampled_from([10, 15]))
def test_who_took_part_publication_reveals_no_small_group(data, min_base):
    """Who took part's counts (each variable, each weighting cell), as
    :func:`~listening.explorer.took_part.publish_took_part` leaves them, give no
    group of 1 to ``min_base - 1`` away."""
    frame = data.assign(sex=data["gender"].astype(object).fillna("Not known"))
    cells = [["district", "age_band"], ["district", "sex"]]
    pub = publish_took_part(frame, ["district", "age_band", "sex"], cells, min_base=min_base)
    tables = []
    for by, reasons in pub.reasons.items():
        sizes = frame[list(by)].astype(str).value_counts(sort=False)
        rows = [(*(ALL for _ in by), float(len(frame)))]
        rows += [(*key, np.nan if reasons[key] else float(n)) for key, n in sizes.items()]
        table = pd.DataFrame(rows, columns=[*by, "base"]).assign(category="took part")
        table["n"] = table["base"]
        tables.append(PublishedTable("took part", by, table, "single", " x ".join(by)))
    policy = DisclosurePolicy(min_base=min_base, complete=("district", "age_band", "sex"))
    result = yl.audit(tables, policy=policy)
    assert result.ok, str(result)
