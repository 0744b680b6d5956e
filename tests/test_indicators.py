"""An answer or a codebook net as a 0/1 variable: ``"question[answer]"`` in every estimator."""

from __future__ import annotations

import numpy as np
import pytest

import listening as yl

SURVEY = yl.load_sample()
DESIGN = yl.SurveyDesign.from_survey(SURVEY)
NETS = DESIGN.codebook.question("safe_dark").nets


def test_a_net_is_the_share_giving_one_of_its_answers_with_missing_codes_outside():
    data = SURVEY.data
    answered = data["safe_dark"].notna()
    unsafe = data["safe_dark"].isin(NETS["Feel unsafe"])
    out = yl.mean(DESIGN, "safe_dark[Feel unsafe]")
    assert out["base"].iloc[0] == answered.sum()
    assert out["estimate"].iloc[0] == pytest.approx(unsafe[answered].mean(), rel=1e-12)
    table = yl.proportion(DESIGN, "safe_dark", by="district")
    net = table[table["category"].isin(NETS["Feel unsafe"])].groupby("district")["estimate"].sum()
    by = yl.mean(DESIGN, "safe_dark[Feel unsafe]", by="district").set_index("district")
    np.testing.assert_allclose(by["estimate"], net[by.index], rtol=1e-12)


def test_every_estimator_takes_the_spelling():
    raked = DESIGN.rake(yl.load_margins(SURVEY))
    assert yl.total(raked, "safe_dark[Feel unsafe]")["estimate"].notna().all()
    assert len(yl.proportion(raked, "safe_dark[Very unsafe]", by="age_band")) > 0
    assert yl.vs_rest(raked, "safe_dark[Feel unsafe]", by="district")["p_value"].notna().all()
    assert yl.rao_scott(raked, "safe_dark[Feel unsafe]", "district").p_value >= 0
    assert yl.ttest(raked, "safe_dark[Feel unsafe]", "seen_knife[Yes]").df > 0


def test_a_multi_select_option_is_its_tick_column():
    question = DESIGN.codebook.question("worries")
    option, column = next(iter(question.option_columns.items()))
    spelled = yl.mean(DESIGN, f"worries[{option}]")
    direct = yl.mean(DESIGN, column)
    np.testing.assert_allclose(spelled["estimate"], direct["estimate"], rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("safe_dark[Very scary]", "neither an answer nor a net"),
        ("safe_dark[Don't know]", "missing code"),
        ("nothing[Yes]", "no column 'nothing'"),
        ("worries[Aliens]", "not an option of the multi-select"),
    ],
)
def test_unknown_answers_are_refused_with_what_to_use(name, message):
    if "Don't know" in name and "Don't know" not in DESIGN.codebook.question("safe_dark").missing:
        pytest.skip("the codebook has no Don't know code for safe_dark")
    with pytest.raises(yl.ListeningError, match=message):
        yl.mean(DESIGN, name)


def test_a_model_takes_the_spelling_too():
    answer = SURVEY.data["safe_dark"]
    unsafe = answer.isin(NETS["Feel unsafe"]).astype("boolean").mask(answer.isna())
    spelled = yl.glm(DESIGN, "safe_dark[Feel unsafe] ~ age_band", family="binomial")
    built = yl.glm(DESIGN.with_columns(unsafe=unsafe), "unsafe ~ age_band", family="binomial")
    np.testing.assert_allclose(spelled.coef, built.coef, rtol=1e-10)
