"""Who took part and a question together give no small group away.

*Who took part* publishes respondent counts of everyone (by district, age band,
sex and weighting cell); each question's publication publishes the bases of
those who answered it (by district, age band, gender, school year and pairs).
A reader holding both writes one linear system (:func:`_combined`): the
question's tables are a part of everyone, marked by a pseudo-variable
``answered`` (its tables hold only answered = "yes" rows; its "All" row is the
table by ``answered`` with yes = the base and no unknown), sex is a function
of gender (combinations nobody has are known to be empty), and gender's
"not stated" is a value of its own, never published. The attacker
(:class:`listening.publish.attack.Attack`) then bounds every natural group,
among those who answered and among everyone: each group of either
publication (Fenland's children of unknown sex: its 130 less the boys Who
took part shows less the girls the question shows), the overlap of two
groups, and each group less the shown groups of another table, as
``yl.audit`` attacks one publication. None of 1 to ``min_base - 1``
respondents may be bounded within 1 to ``min_base - 1``.

The control: a survey where Who took part hides Fenland's girls and the
question, many of whose boys skipped it, would hide its boys; protected
apart the two give Fenland's 4 children of neither gender away; protected
together (:func:`listening.explorer.cross.publish_question`) they do not.
The property: random small surveys with a tiny category each and skips that
may fall on one gender.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import listening as yl
from listening.explorer.cross import forced_hides, publish_question
from listening.explorer.publication import SECONDARY, Publication, breakdown_sets, publish
from listening.explorer.sources import designs
from listening.explorer.took_part import composition_variables, publish_took_part
from listening.explorer.views import BREAKDOWNS
from listening.publish.attack import attacker, bounded
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable
from listening.publish.suppression import empty_pairs
from listening.publish.table import ALL

ANSWERED = "answered"
NOT_STATED = "(not stated)"
SEX = {"Girl": "Female", "Boy": "Male"}


def _published(data: pd.DataFrame, by: tuple[str, ...], policy: DisclosurePolicy) -> pd.DataFrame:
    """The ``by`` columns of ``data`` as published (text; missing where not published)."""
    frame = data[list(by)].copy()
    for column, values in policy.grouped(data, list(by)).items():
        frame[column] = values
    return frame.astype(object).where(frame.notna()).map(lambda v: v if v is None else str(v))


def _table(
    name: str,
    by: tuple[str, ...],
    reasons: dict[tuple[str, ...], str],
    counts: dict[tuple[str, ...], int],
    prefix: tuple[str, ...] = (),
) -> PublishedTable:
    """A table as the reader has it: each group's count, NaN where hidden; with a
    ``prefix`` (answered = yes) and no "All" row (the question's is the table by
    answered)."""
    rows = [
        (*prefix, *key, np.nan if reason else float(counts.get(key, 0)))
        for key, reason in reasons.items()
        if not (prefix and all(x == ALL for x in key))
    ]
    columns = [*([ANSWERED] if prefix else []), *by]
    frame = pd.DataFrame(rows, columns=[*columns, "base"]).assign(category="x")
    frame["n"] = frame["base"]
    return PublishedTable("both", tuple(columns), frame, "single", name)


def _counts(frame: pd.DataFrame) -> dict[tuple[str, ...], int]:
    """Each combination's respondents (those lacking a value of ``frame`` in none)."""
    return {tuple(k): int(n) for k, n in frame.dropna().value_counts(sort=False).items()}


def _combined(
    data: pd.DataFrame, took_part: Publication, pub: Publication, policy: DisclosurePolicy
) -> tuple[list[PublishedTable], tuple, pd.DataFrame]:
    """The reader's tables for Who took part and one question, what it knows to be empty,
    and every respondent's values in its model (gender "not stated" a value; answered).

    The values of the tables are the data's (the policy's groupings only leave some
    out of a table, as the codebook's gender in district tables)."""
    model = data.copy()
    model["gender"] = model["gender"].astype(object).where(model["gender"].notna(), NOT_STATED)
    model[ANSWERED] = np.where(data[pub.question].notna(), "yes", "no")
    answered = data[pub.question].notna().to_numpy()
    tables = []
    for by, reasons in took_part.reasons.items():  # everyone: its total is public
        counts = {**_counts(_published(data, by, policy)), (ALL,) * len(by): len(data)}
        tables.append(_table(" x ".join(by), by, {**reasons, (ALL,) * len(by): ""}, counts))
    for by, reasons in pub.reasons.items():
        counts = _counts(_published(data, by, policy)[answered])
        tables.append(_table(f"{pub.question} by {' x '.join(by)}", by, reasons, counts, ("yes",)))
    everyone = pub.reason([], [])
    rows = pd.DataFrame(
        {
            ANSWERED: ["yes", "no"],
            "base": [np.nan if everyone else float(answered.sum()), np.nan],
        }
    ).assign(category="x")
    rows["n"] = rows["base"]
    tables.append(PublishedTable("both", (ANSWERED,), rows, "single", ANSWERED))
    variables = list(dict.fromkeys(v for t in tables for v in t.by))
    for v in variables:  # every variable over everyone, hidden: each cell's values readable
        if (v,) not in {t.by for t in tables}:
            values = sorted(model[v].astype(str).unique())
            shadow = pd.DataFrame({v: values, "base": np.nan, "category": "x", "n": np.nan})
            tables.append(PublishedTable("both", (v,), shadow, "single", f"{v} (hidden)"))
    known = [v for v in variables if v != ANSWERED]
    empty = tuple(empty_pairs(model[known].astype(str), [(v,) for v in known]))
    return tables, empty, model[variables].astype(str)


def attack_both(
    data: pd.DataFrame, took_part: Publication, pub: Publication, policy: DisclosurePolicy
) -> list[tuple[str, float, float, int]]:
    """Every natural group of 1 to ``min_base - 1`` respondents the reader bounds within
    1 to ``min_base - 1``, as (description, least, greatest, true size)."""
    tables, empty, model = _combined(data, took_part, pub, policy)
    attack = attacker(tables, [t.by[0] for t in tables if len(t.by) == 1], empty)
    assert attack.complete, "the reader's model fits the published figures"
    variables = list(model.columns)
    single = {t.by[0]: i for i, t in enumerate(tables) if len(t.by) == 1}
    values = np.array(
        [[attack.keys[single[v]][g][0] for g in attack.signature[:, single[v]]] for v in variables],
        dtype=object,
    ).T  # each cell's value of each variable
    position = {tuple(row): i for i, row in enumerate(values.tolist())}
    truth = np.bincount(
        [position[tuple(row)] for row in model.to_numpy().tolist()], minlength=len(values)
    )
    column = {v: i for i, v in enumerate(variables)}

    def where(by: Sequence, key: Sequence) -> np.ndarray:
        mask = np.ones(len(values), dtype=bool)
        for v, x in zip(by, key, strict=True):
            if x != ALL:
                mask &= values[:, column[v]] == x
        return mask

    groups, shown, names, parts = [], [], [], []  # per table: groups, shown cells, name, part?
    for t, keys, bases in zip(tables, attack.keys, attack.bases, strict=True):
        offset = int(t.by[0] == ANSWERED)
        if offset == len(t.by):
            continue
        mine = [
            (f"{t.name}: {' x '.join(k[offset:])}", where(t.by[offset:], k[offset:]), b)
            for k, b in zip(keys, bases, strict=True)
            if k[-1] != ALL
        ]
        groups.append([(n, m) for n, m, _ in mine])
        names.append(t.name)
        parts.append(bool(offset))
        shown.append(np.any([m for _, m, b in mine if not np.isnan(b)] or [0], axis=0))
    scopes = {
        "answered": values[:, column[ANSWERED]] == "yes",
        "everyone": np.ones(len(values), bool),
    }
    candidates: dict[bytes, str] = {}
    flat = [g for table in groups for g in table]
    # a group of everyone less the shown groups of a question's table holds that group's
    # skippers, whose number its two totals publish anyway (a skip is no answer): such a
    # leftover is attacked among those who answered only, as protection does (``parts``)
    rests = [("", np.zeros(len(values), bool), False)]
    rests += [
        (f" less the shown of {n}", cells, part)
        for n, cells, part in zip(names, shown, parts, strict=True)
    ]
    for (name, mask), (rest, out, part) in itertools.product(
        [("everyone", np.ones(len(values), bool)), *flat], rests
    ):
        for scope, inside in scopes.items():
            if part and scope == "everyone":
                continue
            members = np.flatnonzero(mask & ~out & inside)
            if 0 < truth[members].sum() < policy.min_base:
                candidates.setdefault(members.tobytes(), f"{name}{rest} ({scope})")
    for ga, gb in itertools.combinations(groups, 2):
        for (na, ma), (nb, mb) in itertools.product(ga, gb):
            for scope, inside in scopes.items():
                members = np.flatnonzero(ma & mb & inside)
                if 0 < truth[members].sum() < policy.min_base:
                    candidates.setdefault(members.tobytes(), f"{na} & {nb} ({scope})")
    hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
    found = []
    for key, name in candidates.items():
        members = np.frombuffer(key, dtype=np.int64)
        low, high = attack.bound(hidden, members, min_base=policy.min_base)[:2]
        if bounded(low, high, policy.min_base):
            found.append((name, low, high, int(truth[members].sum())))
    return found


@pytest.fixture(scope="module")
def sample():
    survey = yl.load_sample()
    built = designs(survey, yl.load_margins())
    cells = [[c for c in m.columns if c != "population"] for m in built.margins]
    variables = [c for _, c in composition_variables(survey.codebook, survey.data)]
    columns = [c for c in BREAKDOWNS.values() if c in survey.data]
    return survey, built.unweighted, variables, cells, columns


@pytest.mark.parametrize("min_base", [10, 30])
@pytest.mark.parametrize("question", ["trusted_adult", "trust_police"])  # fewest, most skips
def test_who_took_part_and_a_question_together_give_nothing_away(sample, question, min_base):
    survey, design, variables, cells, columns = sample
    book = survey.codebook
    took_part = publish_took_part(survey.data, variables, cells, min_base=min_base, codebook=book)
    pub = publish_question(
        design, question, columns=columns, min_base=min_base, took_part=took_part, codebook=book
    )
    policy = DisclosurePolicy.from_codebook(book, min_base=min_base)
    assert attack_both(survey.data, took_part, pub, policy) == []


def _control_survey() -> pd.DataFrame:
    """Fenland: 60 girls, 66 boys, 4 of neither gender; another district of 202. Everyone
    answers the question but most boys (45 in Fenland, 60 in the other district)."""
    rows = []
    for district, girls, boys, other, skipped in (
        ("Fenland", 60, 66, 4, 45),
        ("Other", 100, 90, 12, 60),
    ):
        rows += [(district, "Girl", "Yes")] * girls
        rows += [(district, "Boy", None if i < skipped else "No") for i in range(boys)]
        rows += [(district, "Another way", "Yes")] * other
    data = pd.DataFrame(rows, columns=["district", "gender", "q"])
    data["sex"] = data["gender"].map(SEX).fillna("Not known")
    return data


def test_control_protected_apart_they_give_fenland_away_and_forced_hides_close_it():
    data = _control_survey()
    took_part = publish_took_part(data, ["district", "sex"], [["district", "sex"]], min_base=10)
    assert took_part.reason(["district", "sex"], ["Fenland", "Female"]) == "secondary"
    assert took_part.reason(["district", "sex"], ["Fenland", "Male"]) == ""
    design, columns = yl.SurveyDesign(data), ["district", "gender"]
    apart = publish(design, "q", columns=columns, min_base=10)
    assert apart.reason(["district", "gender"], ["Fenland", "Boy"]) == "secondary"
    assert apart.reason(["district", "gender"], ["Fenland", "Girl"]) == ""
    policy = DisclosurePolicy(min_base=10)
    found = attack_both(data, took_part, apart, policy)
    assert found, "control: the two publications protected apart give a group away"
    fenland = [f for f in found if f[0].startswith("district x sex: Fenland x Not known")]
    assert fenland and fenland[0][1:] == (4.0, 4.0, 4), found  # 130 - 66 boys - 60 girls
    together = publish_question(design, "q", columns=columns, min_base=10, took_part=took_part)
    assert together.reason(["district", "gender"], ["Fenland", "Girl"]) == "secondary"
    assert attack_both(data, took_part, together, policy) == []


LEVELS = {
    "district": ["North", "South", "East", "Tiny"],
    "age_band": ["11-13", "14-15", "16-18"],
    "gender": ["Girl", "Boy", "Another way"],
}


@st.composite
def surveys(draw) -> pd.DataFrame:
    """60 to 160 respondents: uneven categories, a tiny last one each, gender sometimes
    unstated (sex then "Not known"), and skips that may fall mostly on one gender."""
    size = draw(st.integers(60, 160))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = {}
    for column, levels in LEVELS.items():
        shares = rng.dirichlet(np.ones(len(levels)))
        shares[-1] = draw(st.sampled_from([0.01, 0.03, 0.06]))
        shares[:-1] *= (1 - shares[-1]) / shares[:-1].sum()
        data[column] = rng.choice(levels, size=size, p=shares).astype(object)
    data["gender"][rng.random(size) < 0.04] = None
    frame = pd.DataFrame(data)
    skips = {g: draw(st.sampled_from([0.0, 0.05, 0.3, 0.6])) for g in LEVELS["gender"]}
    chance = frame["gender"].map(skips).fillna(0.1).to_numpy(dtype=float)
    frame["q"] = np.where(rng.random(size) < chance, None, rng.choice(["Yes", "No"], size))
    frame["sex"] = frame["gender"].map(SEX).fillna("Not known")
    for column in [*LEVELS, "sex"]:
        present = [v for v in [*LEVELS.get(column, []), "Female", "Male", "Not known"]]
        frame[column] = pd.Categorical(
            frame[column], categories=[v for v in present if (frame[column] == v).any()]
        )
    return frame


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=surveys(), min_base=st.sampled_from([10, 15]))
def test_property_who_took_part_and_a_question_together_give_nothing_away(data, min_base):
    cells = [["district", "age_band"], ["district", "sex"]]
    took_part = publish_took_part(data, ["district", "age_band", "sex"], cells, min_base=min_base)
    pub = publish_question(
        yl.SurveyDesign(data),
        "q",
        columns=list(LEVELS),
        min_base=min_base,
        took_part=took_part,
    )
    found = attack_both(data, took_part, pub, DisclosurePolicy(min_base=min_base))
    assert found == [], found


def test_on_the_sample_the_questions_already_hide_who_took_parts_side_of_sex(sample):
    """At the default minimum base every question alone already hides the district x
    gender groups Who took part hides (Fenland's and East Cambridgeshire's boys, as
    males), and the rule adds nothing else. (Before protection showed again the
    suppressions no attack needs, Who took part also hid East Cambridgeshire x 16-18,
    and every question with it.)"""
    survey, design, variables, cells, columns = sample
    book = survey.codebook
    took_part = publish_took_part(survey.data, variables, cells, min_base=10, codebook=book)
    forced = forced_hides(design, took_part, breakdown_sets(columns), codebook=book)
    assert forced[("district", "gender")], "Who took part hides a side of sex somewhere"
    alone = publish(design, "trusted_adult", columns=columns, min_base=10, codebook=book)
    added = {(by, k) for by, keys in forced.items() for k in keys if not alone.reasons[by][k]}
    assert added == set(), added
    for district in ("East Cambridgeshire", "Fenland"):
        assert took_part.reason(["district", "sex"], [district, "Male"]) == "secondary"


def _seen_by_either(low: Publication, high: Publication) -> Publication:
    """What a reader holds who shows a question at two minimum bases: a group is
    published when either publication shows it."""
    reasons = {
        by: {k: "" if not why or not high.reasons[by][k] else SECONDARY for k, why in t.items()}
        for by, t in low.reasons.items()
    }
    return dataclasses.replace(low, reasons=reasons)


def _both_bases(sample, question: str, high: int, floor: bool):
    survey, design, variables, cells, columns = sample
    book = survey.codebook
    made = {}
    for base in (10, high):
        below = made.get(10) if floor and base == high else (None, None)
        took_part = publish_took_part(
            survey.data, variables, cells, min_base=base, codebook=book, floor=below[0]
        )
        pub = publish_question(
            design,
            question,
            columns=columns,
            min_base=base,
            took_part=took_part,
            codebook=book,
            floor=below[1],
        )
        made[base] = (took_part, pub)
    return made[10], made[high]


def test_control_two_minimum_bases_protected_apart_give_a_group_away(sample):
    """The sidebar raises the minimum base. Protected on its own, "seen a knife" at 30 shows
    groups that it hides at 10 to protect South Cambridgeshire's 9 pupils aged 16-18 in
    Year 11, and hides others instead: a visitor who shows both pins them."""
    (took_10, pub_10), (took_30, pub_30) = _both_bases(sample, "seen_knife", 30, floor=False)
    assert (
        pub_10.hidden()[("district", "school_year")] - pub_30.hidden()[("district", "school_year")]
    )
    policy = DisclosurePolicy.from_codebook(sample[0].codebook, min_base=10)
    found = attack_both(
        sample[0].data, _seen_by_either(took_10, took_30), _seen_by_either(pub_10, pub_30), policy
    )
    assert [f[1:] for f in found if "South Cambridgeshire" in f[0]] == [(9.0, 9.0, 9)], found


def test_a_higher_minimum_base_hides_all_the_lowest_hides(sample):
    """With the lowest base's publication as its ``floor`` (as every page's is), the higher
    one shows only groups the lowest shows: both together are the lowest alone."""
    (took_10, pub_10), (took_30, pub_30) = _both_bases(sample, "seen_knife", 30, floor=True)
    for low, high in ((took_10, took_30), (pub_10, pub_30)):
        assert all(high.hidden()[by] >= keys for by, keys in low.hidden().items())
        assert _seen_by_either(low, high).reasons == {
            by: {k: SECONDARY if why else "" for k, why in t.items()}
            for by, t in low.reasons.items()
        }
    policy = DisclosurePolicy.from_codebook(sample[0].codebook, min_base=10)
    assert attack_both(sample[0].data, took_10, pub_10, policy) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=surveys(), high=st.sampled_from([15, 20, 30]))
def test_property_a_higher_minimum_base_shows_nothing_the_lowest_hides(data, high):
    cells = [["district", "age_band"], ["district", "sex"]]
    variables, design = ["district", "age_band", "sex"], yl.SurveyDesign(data)
    made = []
    for base in (10, high):
        below = made[0] if made else (None, None)
        took_part = publish_took_part(data, variables, cells, min_base=base, floor=below[0])
        pub = publish_question(
            design, "q", columns=list(LEVELS), min_base=base, took_part=took_part, floor=below[1]
        )
        made.append((took_part, pub))
    for low, high_pub in zip(made[0], made[1], strict=True):
        shown_high = {
            (by, k) for by, t in high_pub.reasons.items() for k, why in t.items() if not why
        }
        hidden_low = {(by, k) for by, keys in low.hidden().items() for k in keys}
        assert not shown_high & hidden_low


def test_a_floor_at_a_higher_base_is_refused():
    data = _control_survey()
    took_part = publish_took_part(data, ["district", "sex"], [["district", "sex"]], min_base=20)
    with pytest.raises(yl.ListeningError, match="cannot be the floor of one at minimum base 10"):
        publish_took_part(
            data, ["district", "sex"], [["district", "sex"]], min_base=10, floor=took_part
        )
