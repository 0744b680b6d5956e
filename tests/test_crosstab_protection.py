"""tables.protection: the hidden pattern from counts alone is exactly crosstabs' ``reason``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from briefing_data import codebook, data, design
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import listening as yl
from listening.cli import default_questions
from listening.explorer.publication import breakdown_sets, publish
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.table_rows import by_codes, count_rows, question_codes
from listening.publish.tables import crosstabs, protection


def _reasons(tables: list) -> list[dict]:
    """Each table's groups (as text, in table order) and their ``reason``."""
    out = []
    for tab in tables:
        groups = tab.table.drop_duplicates(list(tab.by))
        keys = groups[list(tab.by)].astype(str).itertuples(index=False, name=None)
        out.append(dict(zip(keys, groups["reason"], strict=True)))
    return out


def _counts_match(design, tab, policy, book) -> None:
    """The counts protection sees are the crosstab's ``n`` and ``base`` where shown."""
    spec = book.questions.get(tab.question) if book is not None else None
    by = by_codes(design, list(tab.by), policy.grouped(design.data, tab.by))
    rows = count_rows(question_codes(design, tab.question, spec), by)
    seen = rows.to_frame().iloc[np.argsort(rows.group, kind="stable")]
    shown = ~tab.table["suppressed"].to_numpy()
    assert (seen["category"].to_numpy() == tab.table["category"].to_numpy()).all()
    for column in ("n", "base"):
        published = tab.table[column].to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_array_equal(seen[column].to_numpy()[shown], published[shown])


def _same(design, questions, bys, policy, book=None) -> int:
    """Assert protection == crosstabs for every question; the number of hidden groups."""
    tables = crosstabs(design, questions, bys, policy=policy, codebook=book)
    hidden = 0
    for k, question in enumerate(questions):
        expected = _reasons(tables[k * len(bys) : (k + 1) * len(bys)])
        found = protection(design, question, bys, policy=policy, codebook=book)
        assert found == expected
        assert [list(f) for f in found] == [list(e) for e in expected]  # same order
        hidden += sum(r != "" for table in found for r in table.values())
    for tab in tables:
        _counts_match(design, tab, policy, book)
    # what protection proved is what is published: the audit trusts every question
    assert yl.audit(tables, policy=policy, trust_protection=True).proven == len(questions)
    return hidden


@st.composite
def surveys(draw):
    """A small weighted survey: three uneven breakdowns (one with gaps), a question with gaps."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(15, 90))
    columns = {}
    for name, size in (("a", draw(st.integers(2, 5))), ("b", 3), ("c", 2)):
        shares = rng.dirichlet(np.full(size, 0.7))  # uneven: some groups tiny
        columns[name] = rng.choice([f"{name}{i}" for i in range(size)], size=n, p=shares)
    answers = ["yes", "no", "maybe"][: draw(st.integers(1, 3))]
    columns["q"] = rng.choice(answers, size=n).astype(object)
    columns["w"] = rng.uniform(0.5, 3.0, size=n)
    frame = pd.DataFrame(columns)
    frame.loc[rng.choice(n, size=draw(st.integers(0, 5)), replace=False), "c"] = None
    frame.loc[rng.choice(n, size=draw(st.integers(0, 5)), replace=False), "q"] = None
    bys = draw(
        st.lists(
            st.sampled_from([["a"], ["b"], ["c"], ["a", "b"], ["a", "c"], ["b", "c"]]),
            min_size=1,
            max_size=4,
            unique_by=tuple,
        )
    )
    return frame, bys, draw(st.integers(0, 12)), draw(st.booleans())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys())
def test_protection_gives_the_reasons_of_crosstabs(case):
    frame, bys, min_base, weighted = case
    survey = yl.SurveyDesign(frame, weights="w" if weighted else None)
    _same(survey, ["q"], bys, DisclosurePolicy(min_base=min_base, complete=("a", "b")))


@pytest.mark.parametrize("min_base", [5, 10, 40])
def test_protection_with_a_codebook(min_base):
    """Nets, a missing code, a multi-select question, a tiny school year, margins assumed."""
    book = codebook()
    frame = data(3)
    frame.loc[frame.index[:9], "year"] = None  # some respondents give no year
    policy = DisclosurePolicy.from_codebook(book, min_base=min_base)
    bys = [["area"], ["year"], ["area", "year"]]
    hidden = _same(design(frame), ["feel", "worry", "agree"], bys, policy, book)
    assert hidden > 0  # Y13 (6 respondents) at least


def test_protection_of_the_sample_and_the_explorer():
    """The bundled sample: the briefing's breakdowns, and the explorer's publish()."""
    book = yl.load_codebook()
    sample = yl.SurveyDesign.from_survey(yl.load_sample())
    by = [["district"], ["age_band"], ["gender"], ["district", "age_band"]]
    questions = default_questions(book, by)
    multi = next(q for q in questions if book.questions[q].type == "multi")
    chosen = [questions[0], multi]
    assert _same(sample, chosen, by, DisclosurePolicy.from_codebook(book), book) > 0
    columns = ["district", "age_band", "gender"]
    pub = publish(sample, multi, columns=columns, min_base=30, codebook=book)
    bys = [list(b) for b in breakdown_sets(columns)]
    policy = DisclosurePolicy.from_codebook(book, min_base=30)
    tables = crosstabs(sample, [multi], bys, policy=policy, codebook=book)
    assert list(pub.reasons.values()) == _reasons(tables)


def test_protection_refuses_bad_input_in_words():
    frame = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    policy = DisclosurePolicy(min_base=5)
    cases = [
        (lambda: protection(frame, "q", ["g"], policy=policy), "must be a SurveyDesign"),
        (lambda: protection(yl.SurveyDesign(frame), "q", ["g"], policy=5), "DisclosurePolicy"),
        (lambda: protection(yl.SurveyDesign(frame), "q", ["nope"], policy=policy), "not in"),
        (lambda: protection(yl.SurveyDesign(frame), "q", [[]], policy=policy), "by is empty"),
        (lambda: crosstabs(frame, ["q"], ["g"], policy=policy), "must be a SurveyDesign"),
    ]
    for call, words in cases:
        with pytest.raises(yl.ListeningError, match=words):
            call()
