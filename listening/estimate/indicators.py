"""An answer or a net of a question as a 0/1 variable: ``"question[answer]"``.

Every estimator (and model) accepts a column spelled ``"safe_dark[Feel unsafe]"``:
true where the respondent gave one of the answers of the codebook's net "Feel
unsafe" (or the answer of that name), false where they gave another answer,
and missing where they gave none: "Don't know" and "Prefer not to say" are
missing codes, so they stay outside the base, as in the briefing tables. A
multi-select option (``"worries[Knife crime]"``) is its tick column. Without a
codebook, the answer must be one of the column's values.

Examples
--------
>>> import listening as yl
>>> design = yl.SurveyDesign.from_survey(yl.load_sample())
>>> unsafe = yl.mean(design, "safe_dark[Feel unsafe]")["estimate"].iloc[0]
>>> safe = yl.mean(design, "safe_dark[Feel safe]")["estimate"].iloc[0]
>>> round(float(unsafe + safe), 12)
1.0
"""

from __future__ import annotations

import re

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError

SPELLING = re.compile(r"^(?P<question>[^\[\]]+)\[(?P<answer>[^\[\]]+)\]$")


def _answers(design: SurveyDesign, question: str, answer: str) -> tuple[str, set[str] | str]:
    """The data column and either the answers that count or the tick column to copy."""
    spec = None if design.codebook is None else design.codebook.questions.get(question)
    data = design.data
    if spec is not None and spec.type == "multi":
        columns = spec.option_columns
        if answer not in columns:
            raise ListeningError(
                f"{question}[{answer}]: {answer!r} is not an option of the multi-select "
                f"question {question!r}; use one of {', '.join(repr(o) for o in columns)}"
            )
        return question, columns[answer]
    if question not in data.columns:
        raise ListeningError(
            f"{question}[{answer}]: there is no column {question!r} in the design's data"
        )
    if spec is not None:
        if answer in spec.nets:
            return question, set(spec.nets[answer])
        if answer in spec.options:
            return question, {answer}
        if answer in spec.missing:
            raise ListeningError(
                f"{question}[{answer}]: {answer!r} is a missing code of {question!r}, so it "
                "is not an answer that counts; its respondents are outside the base"
            )
        choices = [*spec.options, *spec.nets]
    else:
        choices = sorted(str(v) for v in data[question].dropna().unique())
        if answer in choices:
            return question, {answer}
    raise ListeningError(
        f"{question}[{answer}]: {answer!r} is neither an answer nor a net of {question!r}; "
        f"use one of {', '.join(repr(c) for c in choices[:30])}"
    )


def with_indicators(design: SurveyDesign, *names: str) -> SurveyDesign:
    """The design with a boolean column for every name spelled ``"question[answer]"``.

    Names that are already columns, or not spelled that way, are left alone
    (the estimator then reports a missing column as usual).

    Parameters
    ----------
    design : SurveyDesign
    *names : str
        Column names an estimator is about to use.

    Returns
    -------
    SurveyDesign

    Raises
    ------
    ListeningError
        If the question or the answer is unknown, or the answer is a missing code.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"q": ["a", "b", None]}))
    >>> with_indicators(d, "q[a]").data["q[a]"].tolist()
    [True, False, <NA>]
    """
    data = design.data
    new = {}
    for name in names:
        if name is None or name in data.columns or name in new:
            continue
        match = SPELLING.match(str(name))
        if match is None:
            continue
        question, answers = _answers(design, match["question"].strip(), match["answer"].strip())
        if isinstance(answers, str):
            new[name] = data[answers].astype("boolean")
            continue
        series = data[question]
        picked = series.astype("string").isin(answers).astype("boolean")
        new[name] = picked.mask(series.isna())
    return design.with_columns(**new) if new else design
