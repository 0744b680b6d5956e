"""The attacker of a publication: the CLI's overlapping breakdowns, a control, the audit.

The reader of issue 10 knows which school years a pupil of each age band can be
in (Year 7 pupils are not 16) and that every pupil gives a district, an age and a
school year. With the CSV files of ``listening brief --by district+age_band --by
district+school_year`` alone, such a reader worked out Year 9 pupils aged 11-13 in
Fenland as [11-13] - Year 7 - Year 8, then Year 11 pupils aged 14-15 as [14-15] -
(Year 9 - that) - Year 10. These tests run that reader (the linear programs of
``listening.publish.audit``) on what the CLI writes, and on tables protected one at a
time (the old way), where the reader must succeed.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import listening as yl
from listening.cli import main
from listening.design.margins import with_unknown_sex
from listening.errors import ListeningError
from listening.ingest.codebook import slug
from listening.paths import SAMPLE_DIR
from listening.publish.attack import attacker, bounded, group_label
from listening.publish.audit import Attack, PublishedTable, audit, read_csv_folder
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.suppression import empty_pairs

QUESTIONS = ["safe_dark", "hurt_threatened"]
BY = [["district", "age_band"], ["district", "school_year"]]
YEARS = [f"Year {i}" for i in range(7, 14)]
AGES = {
    "11-13": ["Year 7", "Year 8", "Year 9"],
    "14-15": ["Year 9", "Year 10", "Year 11"],
    "16-18": ["Year 11", "Year 12", "Year 13"],
}
READER = DisclosurePolicy(
    min_base=10,
    complete=("district", "age_band", "school_year"),
    empty=[
        {"age_band": a, "school_year": y} for a, ys in AGES.items() for y in YEARS if y not in ys
    ],
)


def _csv_name(number: int, question: str, by: list[str]) -> str:
    return f"table_{number}_{slug(question)}_by_{slug('_'.join(by))}.csv"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The CLI run of the issue: its CSV folder and workbook."""
    out = tmp_path_factory.mktemp("brief")
    args = ["brief", str(SAMPLE_DIR / "responses.csv"), "--quiet", "--date", "2025-03-01"]
    args += ["--questions", *QUESTIONS, "--csv", str(out / "csv"), "--out", str(out / "b.xlsx")]
    for by in BY:
        args += ["--by", "+".join(by)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def design():
    codebook = yl.load_codebook()
    survey = yl.load_sample()
    margins = yl.load_margins(codebook=codebook)
    return yl.SurveyDesign.from_survey(survey).rake(
        with_unknown_sex(margins, survey, codebook=codebook)
    )


@pytest.fixture(scope="module")
def one_at_a_time(design, tmp_path_factory):
    """The same tables, each protected on its own (no publication-wide protection)."""
    out = tmp_path_factory.mktemp("old")
    tables = []
    for number, (question, by) in enumerate(itertools.product(QUESTIONS, BY), start=1):
        tab = yl.crosstab(design, question, by)
        tab.to_csv(out / _csv_name(number, question, by))
        tables.append(tab)
    return out, tables


def _truth(design, question: str, district: str, age: str, year: str) -> int:
    data = design.data
    inside = data[question].notna() & (data["district"] == district)
    return int((inside & (data["age_band"] == age) & (data["school_year"] == year)).sum())


def _fenland(tables: list[PublishedTable], age: str, year: str) -> tuple[float, float]:
    """What the reader can prove about Fenland pupils aged ``age`` in ``year``."""
    unit = [t for t in tables if t.question == "safe_dark"]
    attack = Attack(unit, frozenset(READER.complete), READER.empty)
    hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
    first = attack.keys[0].index(("Fenland", age))
    second = attack.keys[1].index(("Fenland", year))
    members = np.flatnonzero((attack.signature[:, 0] == first) & (attack.signature[:, 1] == second))
    low, high, _, _ = attack.bound(hidden, members)
    return low, high


@pytest.mark.parametrize(("age", "year"), [("11-13", "Year 9"), ("14-15", "Year 11")])
def test_the_reader_cannot_pin_fenland_year_groups_from_the_cli_csvs(published, age, year):
    low, high = _fenland(read_csv_folder(published / "csv"), age, year)
    assert not (low >= 1 and high <= READER.min_base - 1), (low, high)


@pytest.mark.parametrize(("age", "year"), [("11-13", "Year 9"), ("14-15", "Year 11")])
def test_control_tables_protected_one_at_a_time_give_fenland_away(one_at_a_time, design, age, year):
    folder, _ = one_at_a_time
    low, high = _fenland(read_csv_folder(folder), age, year)
    truth = _truth(design, "safe_dark", "Fenland", age, year)
    assert low == pytest.approx(high) == pytest.approx(truth)
    if year == "Year 11":
        assert 0 < truth < READER.min_base


def test_audit_of_the_cli_csvs_and_workbook_passes(published):
    for path in (published / "csv", published / "b.xlsx"):
        result = audit(path, policy=READER)
        assert result.ok, str(result)
        assert result.checked > 0


def test_audit_names_the_recovered_group_and_its_equation(one_at_a_time):
    folder, _ = one_at_a_time
    result = audit(folder, policy=READER)
    assert not result.ok
    fenland = [v for v in result.violations if "Fenland x 14-15 & Fenland x Year 11" in str(v)]
    assert fenland and fenland[0].rule == "differencing"
    text = fenland[0].equation
    for term in ["Fenland x 14-15", "Fenland x Year 10", "Fenland x Year 9", "Fenland x 11-13"]:
        assert term in text


def test_write_briefing_refuses_tables_that_give_a_group_away(one_at_a_time, tmp_path):
    _, tables = one_at_a_time
    target = tmp_path / "b.xlsx"
    with pytest.raises(ListeningError, match="Fenland x 14-15 & Fenland x Year 11"):
        yl.write_briefing(target, tables, policy=READER, date=dt.date(2025, 3, 1))
    assert not target.exists()


def test_cli_audit_command(published, one_at_a_time, capsys):
    folder, _ = one_at_a_time
    complete = ["--complete", "school_year"]
    for combination in READER.empty:
        complete += ["--empty", ",".join(f"{k}={v}" for k, v in combination)]
    assert main(["audit", str(published / "b.xlsx"), *complete]) == 0
    assert "Audit passed" in capsys.readouterr().out
    assert main(["audit", str(published / "csv"), *complete]) == 0
    assert main(["audit", str(folder), *complete]) == 2
    assert "Fenland" in capsys.readouterr().out


def test_threshold_violation_is_found_when_a_small_base_is_shown(tmp_path):
    rows = pd.DataFrame(
        {"g": ["All", "a", "b"], "category": "x", "n": [44, 40, 4], "base": [44, 40, 4]}
    )
    result = audit([PublishedTable("q", ("g",), rows, name="t")], policy=10)
    assert [v.rule for v in result.violations] == ["threshold"]
    assert "base 4 shown" in str(result)


def test_the_workbook_holds_no_base_of_a_hidden_group(published):
    book = openpyxl.load_workbook(published / "b.xlsx")
    for sheet in book.worksheets:
        if not sheet.title.startswith("Table_"):
            continue
        (ref,) = [t.ref for t in sheet.tables.values()]
        rows = [[c.value for c in r] for r in sheet[ref]]
        frame = pd.DataFrame(rows[1:], columns=rows[0])
        hidden = frame["Suppression"] != "Shown"
        for column in ["Base (respondents who answered)", "Weighted base"]:
            assert (frame.loc[hidden, column] == "[c]").all()
            shown = pd.to_numeric(frame.loc[~hidden, "Base (respondents who answered)"])
            assert (shown >= 10).all()


# The leftover attack: Fenland children neither girl nor boy (another gender, not
# published by district, or none given) are Fenland - Fenland girls - Fenland boys.
LEFTOVER_BY = [["district"], ["district", "gender"]]
GENDER_READER = DisclosurePolicy(min_base=10, complete=("district",))


@pytest.fixture(scope="module")
def by_gender(tmp_path_factory):
    """The CSV folder of ``listening brief --by district --by district+gender``."""
    out = tmp_path_factory.mktemp("gender")
    args = ["brief", str(SAMPLE_DIR / "responses.csv"), "--quiet", "--date", "2025-03-01"]
    args += ["--questions", *QUESTIONS, "--csv", str(out), "--out", str(out / "b.xlsx")]
    for by in LEFTOVER_BY:
        args += ["--by", "+".join(by)]
    assert main(args) == 0
    return out


def _leftovers(tables: list[PublishedTable]) -> list[tuple[str, tuple, int, float, float]]:
    """Every leftover the reader of ``tables`` can bound: (question, group, table, low, high)."""
    out = []
    for question in dict.fromkeys(t.question for t in tables):
        unit = [t for t in tables if t.question == question]
        attack = Attack(unit, frozenset(GENDER_READER.complete), ())
        hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
        for (t1, g1), t2, members in attack.leftovers(hidden):
            low, high, _, _ = attack.bound(hidden, members)
            key = (group_label(attack, t1, g1),) if isinstance(g1, tuple) else attack.keys[t1][g1]
            out.append((question, key, t2, low, high))
    return out


def _fenland_leftover(design, question: str) -> pd.DataFrame:
    data = design.data
    inside = data[question].notna() & (data["district"] == "Fenland")
    return data[inside & ~data["gender"].isin(["Girl", "Boy"])]


def test_the_reader_pins_no_small_leftover_from_the_cli_csvs(by_gender):
    found = _leftovers(read_csv_folder(by_gender))
    assert {key for _, key, *_ in found} >= {("Fenland",), ("All",)}  # the attack ran
    pinned = [f for f in found if f[3] >= 1 and f[4] <= GENDER_READER.min_base - 1]
    assert pinned == []
    assert audit(by_gender, policy=GENDER_READER).ok


def test_the_reader_pins_no_small_leftover_from_crosstabs(design):
    tables = yl.crosstabs(design, QUESTIONS, LEFTOVER_BY, codebook=yl.load_codebook())
    found = _leftovers([PublishedTable.of(t) for t in tables])
    assert found
    assert not [f for f in found if f[3] >= 1 and f[4] <= GENDER_READER.min_base - 1]
    assert audit(tables, policy=GENDER_READER).ok


def test_control_without_leftover_protection_fenland_and_its_answers_come_out(design):
    book = yl.load_codebook()
    policy = DisclosurePolicy.from_codebook(book, leftovers=False)
    tables = yl.crosstabs(design, QUESTIONS, LEFTOVER_BY, policy=policy, codebook=book)
    for question in QUESTIONS:
        unit = [PublishedTable.of(t) for t in tables if t.question == question]
        attack = Attack(unit, frozenset(GENDER_READER.complete), ())
        hidden = [set(np.flatnonzero(np.isnan(b))) for b in attack.bases]
        fenland = attack.keys[0].index(("Fenland",))
        (members,) = [
            m for (t1, g1), t2, m in attack.leftovers(hidden) if (t1, g1, t2) == (0, fenland, 1)
        ]
        truth = _fenland_leftover(design, question)
        assert 0 < len(truth) < GENDER_READER.min_base
        low, high, _, _ = attack.bound(hidden, members)
        assert low == pytest.approx(high) == pytest.approx(len(truth))
        answers = attack.answers(hidden, members)
        counts = truth[question].astype(str).value_counts()
        for category, (least, most) in answers.items():
            assert least == pytest.approx(most) == pytest.approx(counts.get(category, 0))
    result = audit(tables, policy=GENDER_READER)
    fenland = [
        v
        for v in result.violations
        if v.group == ("Fenland in no group of " + v.table.split(" less ")[1],)
    ]
    assert fenland and "its answers" in fenland[0].equation


@st.composite
def surveys(draw):
    """A small survey with tiny categories, and a random set of tables of one question."""
    n = draw(st.integers(30, 90))
    sizes = {
        "a": draw(st.integers(2, 4)),
        "b": draw(st.integers(2, 3)),
        "c": draw(st.integers(2, 3)),
    }
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    columns = {}
    for name, size in sizes.items():
        weights = rng.dirichlet(np.full(size, 0.6))  # uneven: some categories tiny
        columns[name] = rng.choice([f"{name}{i}" for i in range(size)], size=n, p=weights)
    columns["q"] = rng.choice(["yes", "no", "maybe"], size=n, p=[0.5, 0.3, 0.2])
    data = pd.DataFrame(columns)
    # a few respondents give no c: leftovers between "All" (or an a group) and c
    data.loc[rng.choice(n, size=draw(st.integers(0, 6)), replace=False), "c"] = None
    breakdowns = [["a"], ["b"], ["c"], ["a", "b"], ["a", "c"], ["b", "c"]]
    chosen = draw(st.lists(st.sampled_from(breakdowns), min_size=1, max_size=3, unique_by=tuple))
    return data, chosen


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys())
def test_after_protection_no_small_group_can_be_worked_out(case):
    data, chosen = case
    policy = DisclosurePolicy(min_base=10, complete=("a", "b"))
    tables = yl.crosstabs(yl.SurveyDesign(data), ["q"], chosen, policy=policy)
    knowledge = DisclosurePolicy(
        min_base=10,
        complete=("a", "b"),
        empty=[dict(pair) for pair in empty_pairs(data, [tuple(b) for b in chosen])],
    )
    result = audit(tables, policy=knowledge)
    assert result.ok, str(result)
    for tab in tables:
        groups = tab.table.drop_duplicates(list(tab.by))
        assert (groups.loc[~groups["suppressed"], "base"] >= 10).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    surveys(),
    st.integers(0, 2**16),
    st.sampled_from(["single", "multi"]),
    st.sampled_from([3, 10, 25]),
)
def test_the_fast_decision_agrees_with_the_linear_programs_and_their_proofs(
    case, seed, kind, min_base
):
    """Attack.pinned (live models, known solutions) says what bound's fresh programs say.

    For any hidden groups, in any order (more hidden, then less: solutions found
    with more hidden must not be trusted with less), and for both ways of reading
    counts: a single answer's options split the base, a multi-select's do not.
    """
    data, chosen = case
    nothing = DisclosurePolicy(min_base=0)
    tables = [
        PublishedTable(t.question, t.by, PublishedTable.of(t).rows, kind)
        for t in yl.crosstabs(yl.SurveyDesign(data), ["q"], chosen, policy=nothing)
    ]
    attack = attacker(tables, ("a", "b"))
    rng = np.random.default_rng(seed)
    sets = [*attack.members.values(), *(m for *_, m in attack.overlaps())]
    for _ in range(3):
        hidden = [
            set(rng.choice(len(k), size=rng.integers(0, len(k) + 1), replace=False).tolist())
            for k in attack.keys
        ]
        for i in rng.choice(len(sets), size=min(8, len(sets)), replace=False):
            low, high, low_proof, high_proof = attack.bound(hidden, sets[i])
            assert attack.pinned(hidden, sets[i], min_base) == bounded(low, high, min_base)
            if bounded(low, high, min_base):
                assert high_proof and low_proof
