"""The numbers behind the explorer app, as plain functions.

The Streamlit pages (``app.py``, ``app_pages/``) hold widgets and layout only;
every figure they show is computed here from :mod:`listening`'s estimators
and tables, so it can be tested without a browser.

Examples
--------
>>> significance_phrase(-1)
'significantly lower than the rest of the county'
>>> [h.label for h in HEADLINES][:2]
['Feel safe in their local area during the day', 'Feel safe in their local area after dark']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import IngestError
from listening.estimate.estimators import proportion, vs_rest
from listening.ingest.codebook import Codebook, Question, slug

MAX_UPLOAD_MB = 50
"""Largest survey, codebook or margins upload the explorer accepts, in MB."""

UPLOAD_TYPES: dict[str, tuple[str, ...]] = {
    "survey": ("csv", "xlsx", "sav", "parquet"),
    "codebook": ("yaml", "yml"),
    "margins": ("csv",),
}
"""File types accepted for each upload."""

SUPPRESSED_LABEL = "[c]"

BREAKDOWNS: dict[str, str] = {
    "District": "district",
    "Age band": "age_band",
    "Gender": "gender",
    "School year": "school_year",
}
"""Breakdowns offered in the explorer: label to column."""


@dataclass(frozen=True)
class Headline:
    """A headline indicator: the share giving one answer (or net) to a question.

    ``short`` labels its card on the overview (``label`` when empty).

    Examples
    --------
    >>> Headline("Saw a knife", "seen_knife", "Yes").category
    'Yes'
    """

    label: str
    question: str
    category: str
    short: str = ""


HEADLINES: tuple[Headline, ...] = (
    Headline(
        "Feel safe in their local area during the day", "safe_day", "Feel safe", "Safe by day"
    ),
    Headline(
        "Feel safe in their local area after dark", "safe_dark", "Feel safe", "Safe after dark"
    ),
    Headline("Feel safe at school", "safe_school", "Feel safe", "Safe at school"),
    Headline(
        "Feel safe travelling to and from school", "safe_travel", "Feel safe", "Safe travelling"
    ),
    Headline(
        "Feel safe in their nearest town or city centre",
        "safe_town",
        "Feel safe",
        "Safe in town centre",
    ),
    Headline("Feel safe online", "safe_online", "Feel safe", "Safe online"),
    Headline(
        "Saw someone carrying a knife in the last 12 months", "seen_knife", "Yes", "Saw a knife"
    ),
    Headline(
        "Have an adult they would talk to if they felt unsafe",
        "trusted_adult",
        "Yes",
        "Have a trusted adult",
    ),
)
"""The overview's indicators, in the order shown."""


def headline_column(headline: Headline) -> str:
    """Name of the Yes/No column that :func:`analysis_frame` derives for a headline.

    Examples
    --------
    >>> headline_column(HEADLINES[0])
    'headline__safe_day__feel_safe'
    """
    return f"headline__{headline.question}__{slug(headline.category)}"


def analysis_frame(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Respondents with a Yes/No column per headline indicator added.

    A headline column is "Yes" where the answer is the headline's option or
    one of its net's options, "No" for any other option, and missing where
    the question is unanswered (or the answer is a missing code), so its
    "Yes" proportion equals the crosstab's figure for that option or net.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> d = pd.DataFrame({"safe_day": pd.Categorical(["Very safe", "Very unsafe", None])})
    >>> h = Headline("Safe", "safe_day", "Feel safe")
    >>> analysis_frame(d, load_codebook())["headline__safe_day__feel_safe"].tolist()
    ['Yes', 'No', nan]
    """
    out = data.copy()
    for headline in HEADLINES:
        if headline.question not in data or headline.question not in codebook.questions:
            continue
        question = codebook.question(headline.question)
        if headline.category not in question.nets and headline.category not in question.options:
            continue  # this codebook does not define the indicator (a net renamed or absent)
        members = question.nets.get(headline.category, (headline.category,))
        answers = data[headline.question].astype("string")
        flag = pd.Series(
            np.where(answers.isin(members).fillna(False), "Yes", "No"), index=data.index
        ).where(answers.notna(), None)
        out[headline_column(headline)] = pd.Categorical(flag, categories=["Yes", "No"])
    return out


def headline_estimates(
    design: SurveyDesign,
    *,
    ci: str = "logit",
    level: float = 0.95,
    min_base: int = 10,
) -> pd.DataFrame:
    """County-wide headline indicators with intervals.

    Parameters
    ----------
    design : SurveyDesign
        Over :func:`analysis_frame` data.
    ci, level
        Interval method and level, as :func:`listening.proportion`.
    min_base : int
        An indicator answered by fewer respondents is suppressed.

    Returns
    -------
    DataFrame
        ``indicator``, ``short``, ``question``, ``category``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``base``, ``weighted_base``, ``suppressed``.

    Examples
    --------
    >>> import listening as yl
    >>> survey = yl.load_sample()
    >>> design = yl.SurveyDesign(analysis_frame(survey.data, survey.codebook))
    >>> out = headline_estimates(design)
    >>> bool(out["estimate"].between(0, 1).all()), len(out) == len(HEADLINES)
    (True, True)
    """
    rows = []
    for headline in HEADLINES:
        column = headline_column(headline)
        if column not in design.data:
            continue
        estimate = proportion(design, column, ci=ci, level=level)
        yes = estimate[estimate["category"] == "Yes"]
        if yes.empty:  # nobody answered "Yes" (or nobody answered): no figure to show
            continue
        row = yes.iloc[0]
        rows.append(
            {
                "indicator": headline.label,
                "short": headline.short or headline.label,
                "question": headline.question,
                "category": headline.category,
                **{k: row[k] for k in ("estimate", "se", "ci_low", "ci_high", "base")},
                "weighted_base": row["weighted_base"],
            }
        )
    columns = ["indicator", "short", "question", "category", "estimate", "se", "ci_low"]
    columns += ["ci_high", "base", "weighted_base"]
    out = pd.DataFrame(rows, columns=columns)
    out["suppressed"] = out["base"] < min_base
    out.loc[out["suppressed"], ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return out


def headline_comparison(
    design: SurveyDesign,
    by: str,
    group: str,
    *,
    ci: str = "logit",
    level: float = 0.95,
    min_base: int = 10,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Headline indicators for one group against the rest of the population.

    The group's estimate and interval come from :func:`listening.proportion`
    by ``by``; the rest's estimate and the test from :func:`listening.vs_rest`
    (Holm-adjusted over the question's table, as in the briefing tables).
    When the group or the rest has fewer than ``min_base`` answers, every
    figure of that indicator is suppressed: either one, with the county
    total, would reveal the other.

    Parameters
    ----------
    design : SurveyDesign
        Over :func:`analysis_frame` data.
    by : str
        The grouping column, e.g. ``"district"`` or ``"age_band"``.
    group : str
        The group to compare.
    ci, level, min_base, alpha
        Interval method, level, minimum base, significance level.

    Returns
    -------
    DataFrame
        ``indicator``, ``estimate``, ``ci_low``, ``ci_high``, ``base``,
        ``rest``, ``rest_base``, ``difference``, ``p_holm``, ``vs_rest``,
        ``suppressed``.

    Examples
    --------
    >>> import listening as yl
    >>> survey = yl.load_sample()
    >>> design = yl.SurveyDesign(analysis_frame(survey.data, survey.codebook))
    >>> out = headline_comparison(design, "age_band", "11-13")
    >>> set(out["vs_rest"].dropna()) <= {-1, 0, 1}
    True
    """
    rows = []
    for headline in HEADLINES:
        column = headline_column(headline)
        if column not in design.data:
            continue
        by_group = proportion(design, column, by=by, ci=ci, level=level)
        mine = by_group[(by_group[by].astype(str) == group) & (by_group["category"] == "Yes")]
        tests = vs_rest(design, column, by=by, alpha=alpha)
        test = tests[(tests[by].astype(str) == group) & (tests["category"] == "Yes")]
        if mine.empty or test.empty:
            continue
        estimate, test = mine.iloc[0], test.iloc[0]
        rest_base = int(by_group.drop_duplicates(by)["base"].sum()) - int(estimate["base"])
        rows.append(
            {
                "indicator": headline.label,
                "estimate": estimate["estimate"],
                "ci_low": estimate["ci_low"],
                "ci_high": estimate["ci_high"],
                "base": int(estimate["base"]),
                "rest": test["rest"],
                "rest_base": rest_base,
                "difference": test["difference"],
                "p_holm": test["p_holm"],
                "vs_rest": test["vs_rest"],
            }
        )
    columns = ["indicator", "estimate", "ci_low", "ci_high", "base", "rest", "rest_base"]
    out = pd.DataFrame(rows, columns=[*columns, "difference", "p_holm", "vs_rest"])
    hidden = (out["base"] < min_base) | (out["rest_base"] < min_base)
    out["suppressed"] = hidden
    figures = ["estimate", "ci_low", "ci_high", "rest", "difference", "p_holm", "vs_rest"]
    out[figures] = out[figures].astype(float)
    out.loc[hidden, figures] = np.nan
    return out


def headline_display(county: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """:func:`headline_estimates` as the overview shows it: text, with ``[c]``.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["Safe"], "estimate": [0.5], "ci_low": [0.45],
    ...                   "ci_high": [0.55], "base": [300], "suppressed": [False]})
    >>> headline_display(t).iloc[0].tolist()
    ['Safe', '50.0', '45.0 to 55.0', '300']
    """
    hidden = county["suppressed"].astype(bool)
    return pd.DataFrame(
        {
            "Indicator": county["indicator"],
            "%": [_pct(e, h) for e, h in zip(county["estimate"], hidden, strict=True)],
            f"{level:.0%} interval": _intervals(county, hidden),
            "Answered (base)": _bases(county["base"], hidden),
        }
    ).reset_index(drop=True)


def comparison_display(
    compared: pd.DataFrame, group: str, *, rest: str = "the rest of the county"
) -> pd.DataFrame:
    """:func:`headline_comparison` as the overview shows it: text, with ``[c]``.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["Safe"], "estimate": [0.4], "ci_low": [0.3],
    ...     "ci_high": [0.5], "base": [80], "rest": [0.6], "vs_rest": [-1.0],
    ...     "suppressed": [False]})
    >>> comparison_display(t, "Fenland").iloc[0].tolist()[-2:]
    ['60.0', 'significantly lower than the rest of the county']
    """
    hidden = compared["suppressed"].astype(bool)
    return pd.DataFrame(
        {
            "Indicator": compared["indicator"],
            f"{group} %": [_pct(e, h) for e, h in zip(compared["estimate"], hidden, strict=True)],
            "95% interval": _intervals(compared, hidden),
            "Answered (base)": _bases(compared["base"], hidden),
            "Rest of the county %": [
                _pct(e, h) for e, h in zip(compared["rest"], hidden, strict=True)
            ],
            "Compared with the rest of the county": [
                SUPPRESSED_LABEL if h else significance_phrase(s, rest)
                for s, h in zip(compared["vs_rest"], hidden, strict=True)
            ],
        }
    ).reset_index(drop=True)


def comparison_sentences(
    compared: pd.DataFrame, group: str, *, rest: str = "the rest of the county"
) -> list[str]:
    """One plain-English sentence per headline for a group against the rest.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["Feel safe"], "estimate": [0.4], "rest": [0.6],
    ...                   "vs_rest": [-1.0], "suppressed": [False]})
    >>> comparison_sentences(t, "Fenland")
    ['Feel safe: 40% in Fenland, significantly lower than the rest of the county (60%).']
    """
    lines = []
    for row in compared.itertuples(index=False):
        if row.suppressed:
            protect = getattr(row, "reason", "") == "secondary"
            why = "hidden to protect a smaller group" if protect else "too few answers"
            lines.append(f"{row.indicator}: {SUPPRESSED_LABEL} {why} in {group}.")
        else:
            lines.append(
                f"{row.indicator}: {row.estimate * 100:.0f}% in {group}, "
                f"{significance_phrase(row.vs_rest, rest)} ({row.rest * 100:.0f}%)."
            )
    return lines


def check_upload(name: str, size: int, kind: str) -> None:
    """Refuse an upload that is too large or of the wrong type, saying why.

    Parameters
    ----------
    name : str
        The file name as uploaded.
    size : int
        Its size in bytes.
    kind : {"survey", "codebook", "margins"}
        What the file is meant to be.

    Raises
    ------
    IngestError
        If the file is over :data:`MAX_UPLOAD_MB` MB or its extension is not
        one of :data:`UPLOAD_TYPES` for ``kind``.

    Examples
    --------
    >>> check_upload("survey.csv", 1_000, "survey")
    >>> check_upload("big.csv", 60 * 2**20, "survey")
    Traceback (most recent call last):
    ...
    listening.errors.IngestError: big.csv is 60.0 MB, over the 50 MB limit ...
    """
    allowed = UPLOAD_TYPES[kind]
    if size > MAX_UPLOAD_MB * 2**20:
        raise IngestError(
            f"{name} is {size / 2**20:.1f} MB, over the {MAX_UPLOAD_MB} MB limit for uploads; "
            "upload a smaller file (for instance only the columns the codebook names, or "
            "parquet instead of csv), or analyse it in Python with listening.read_survey."
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise IngestError(
            f"{name} is not a {kind} file the explorer reads; upload a "
            f"{', '.join('.' + a for a in allowed)} file."
        )


def question_choices(codebook: Codebook) -> dict[str, str]:
    """Questions the explorer can analyse: name to its wording.

    Single-choice and tick-all-that-apply questions, in questionnaire order,
    without the consent question and the district (a breakdown).

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> choices = question_choices(load_codebook())
    >>> choices["safe_dark"]
    'How safe do you feel in your local area after dark?'
    >>> "consent" in choices or "district" in choices
    False
    """
    skip = {codebook.consent_column, codebook.district_column}
    return {
        q.name: q.wording
        for q in codebook.of_type("single", "multi")
        if q.name not in skip and q.name not in BREAKDOWNS.values()
    }


def is_scale(question: Question) -> bool:
    """Whether a question is a two-sided ordered scale (drawn as diverging bars).

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> cb = load_codebook()
    >>> is_scale(cb.question("safe_dark")), is_scale(cb.question("school_year"))
    (True, False)
    """
    return question.type == "single" and question.ordered and len(question.nets) >= 2


def categories(question: Question) -> list[str]:
    """Options then nets of a question: what a table reports, in order.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> categories(load_codebook().question("seen_knife"))
    ['Yes', 'No']
    """
    return [*question.options, *question.nets]


def answer_choices(question: Question, table: pd.DataFrame) -> tuple[list[str], str]:
    """The answers of a crosstab's ``table`` to offer (in :func:`categories` order) and the
    one chosen first: the first net, else the first answer.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> table = pd.DataFrame({"category": ["Very safe", "Feel safe", "Feel unsafe"]})
    >>> answer_choices(load_codebook().question("safe_dark"), table)
    (['Very safe', 'Feel safe', 'Feel unsafe'], 'Feel safe')
    """
    found = set(table["category"].unique().tolist())  # not iterating arrow strings: 3 ms
    answers = [c for c in categories(question) if c in found] or list(
        dict.fromkeys(table["category"])
    )
    return answers, next((c for c in answers if c in question.nets), answers[0])


def significance_phrase(sign: float | int | None, rest: str = "the rest of the county") -> str:
    """Plain-English wording of a group-versus-rest comparison.

    Parameters
    ----------
    sign : {1, 0, -1} or None
        Significantly higher, not different, lower; None or NaN when no test
        could be made (a suppressed group).
    rest : str
        What the group is compared with.

    Examples
    --------
    >>> significance_phrase(1)
    'significantly higher than the rest of the county'
    >>> significance_phrase(0, "other age groups")
    'not significantly different from other age groups'
    """
    if sign is None or (isinstance(sign, float) and math.isnan(sign)):
        return "not compared (too few answers)"
    if sign > 0:
        return f"significantly higher than {rest}"
    if sign < 0:
        return f"significantly lower than {rest}"
    return f"not significantly different from {rest}"


def filter_mask(data: pd.DataFrame, filters: Mapping[str, Sequence[str]]) -> pd.Series:
    """Rows that meet every filter (a column's value among the chosen ones).

    An empty list of values means "no filter on that column". Rows with a
    missing value in a filtered column are outside.

    Examples
    --------
    >>> d = pd.DataFrame({"sex": ["Female", "Male", None], "age": [12, 15, 14]})
    >>> filter_mask(d, {"sex": ["Female"]}).tolist()
    [True, False, False]
    >>> filter_mask(d, {"sex": []}).tolist()
    [True, True, True]
    """
    keep = pd.Series(True, index=data.index)
    for column, values in filters.items():
        if values:
            chosen = {str(v) for v in values}
            keep &= data[column].astype("string").isin(chosen).fillna(False).astype(bool)
    return keep


def display_table(
    table: pd.DataFrame,
    by: str | Sequence[str] | None,
    *,
    level: float = 0.95,
    rest: str = "the rest",
) -> pd.DataFrame:
    """A crosstab's tidy table as the explorer shows it: text, with ``[c]``.

    Parameters
    ----------
    table : DataFrame
        ``Crosstab.table`` (or any tidy estimates table with ``suppressed``).
    by : str, list of str or None
        Its grouping columns.
    level : float
        Confidence level, for the interval column's title.
    rest : str
        What ``vs_rest`` compares with, for the wording.

    Returns
    -------
    DataFrame
        Columns: the groups, ``Answer``, ``%``, ``{level} interval``,
        ``Answered (base)``, ``Weighted base`` and, where ``vs_rest`` is
        present, ``Compared with the rest``. Suppressed rows show ``[c]`` in
        every figure but the group label: their base is not shown either.

    Examples
    --------
    >>> t = pd.DataFrame({"district": ["All", "Ely"], "category": ["Yes", "Yes"],
    ...     "estimate": [0.5, np.nan], "ci_low": [0.4, np.nan], "ci_high": [0.6, np.nan],
    ...     "base": [100, 4], "weighted_base": [1000.0, 40.0], "suppressed": [False, True]})
    >>> display_table(t, "district").columns[0]
    'District'
    >>> display_table(t, "district").iloc[1].tolist()
    ['Ely', 'Yes', '[c]', '[c]', '[c]', '[c]']
    """
    columns = [by] if isinstance(by, str) else list(by or [])
    hidden = (
        table["suppressed"].fillna(False).astype(bool)
        if "suppressed" in table
        else table["estimate"].isna()
    ).tolist()
    # Built as lists and made a frame once: a column added at a time costs a copy each.
    out = {column.replace("_", " ").capitalize(): table[column].astype(str) for column in columns}
    out["Answer"] = table["category"].astype(str)
    out["%"] = [_pct(e, h) for e, h in zip(table["estimate"], hidden, strict=True)]
    out[f"{level:.0%} interval"] = _intervals(table, hidden)
    out["Answered (base)"] = _bases(table["base"], hidden)
    if "weighted_base" in table:
        out["Weighted base"] = [
            SUPPRESSED_LABEL if h or pd.isna(w) else f"{w:,.0f}"
            for w, h in zip(table["weighted_base"], hidden, strict=True)
        ]
    if "vs_rest" in table:
        out["Compared with the rest"] = [
            SUPPRESSED_LABEL if h else ("" if g == "All" else significance_phrase(s, rest))
            for s, h, g in zip(table["vs_rest"], hidden, _first(table, columns), strict=True)
        ]
    return pd.DataFrame({k: list(v) for k, v in out.items()})


def ranked_display(table: pd.DataFrame, by: str | Sequence[str] | None) -> pd.DataFrame:
    """A multi-select crosstab as shown: options most chosen first (in "All").

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["CCTV", "Lights"], "estimate": [0.2, 0.5],
    ...     "ci_low": [0.1, 0.4], "ci_high": [0.3, 0.6], "base": [90, 90]})
    >>> ranked_display(t, None)["Option"].tolist()
    ['Lights', 'CCTV']
    """
    columns = [by] if isinstance(by, str) else list(by or [])
    overall = table
    if columns:
        overall = table[(table[columns].astype(str) == "All").all(axis=1)]
    order = overall.sort_values("estimate", ascending=False, kind="stable")["category"]
    position = {option: i for i, option in enumerate(dict.fromkeys(order))}
    ranked = table.assign(_rank=table["category"].map(position)).sort_values("_rank", kind="stable")
    shown = display_table(ranked.drop(columns="_rank"), columns or None)
    return shown.rename(columns={"Answer": "Option"})


def composition(
    data: pd.DataFrame,
    weights: pd.Series | None,
    margins: Sequence[pd.DataFrame] | None,
    variable: str,
) -> pd.DataFrame:
    """Sample, weighted sample and population shares of one variable.

    Parameters
    ----------
    data : DataFrame
        Respondents (e.g. ``survey.data``).
    weights : Series or None
        Weights aligned with ``data`` (raked); None leaves ``weighted`` out.
    margins : list of DataFrame or None
        Population margins; the first holding ``variable`` gives the
        population shares (summed over its other variables).
    variable : str
        The column, e.g. ``"district"``, ``"age_band"`` or ``"sex"``.

    Returns
    -------
    DataFrame
        ``category``, ``respondents`` (count), ``sample``, ``weighted``,
        ``population`` (shares in [0, 1]; NaN where not available).

    Examples
    --------
    >>> d = pd.DataFrame({"sex": ["Female", "Female", "Male"]})
    >>> m = [pd.DataFrame({"sex": ["Female", "Male"], "population": [50, 50]})]
    >>> composition(d, None, m, "sex")[["category", "sample", "population"]].values.tolist()
    [['Female', 0.6666666666666666, 0.5], ['Male', 0.3333333333333333, 0.5]]
    """
    values = data[variable]
    order = (
        list(values.cat.categories)
        if isinstance(values.dtype, pd.CategoricalDtype)
        else sorted(values.dropna().astype(str).unique())
    )
    counts = values.astype("string").value_counts().reindex(order, fill_value=0)
    out = pd.DataFrame({"category": order, "respondents": counts.to_numpy()})
    out["sample"] = out["respondents"] / max(int(counts.sum()), 1)
    if weights is not None:
        totals = pd.Series(np.asarray(weights, dtype=float), index=data.index)
        summed = totals.groupby(values.astype("string")).sum().reindex(order, fill_value=0.0)
        out["weighted"] = (summed / summed.sum()).to_numpy()
    out["population"] = np.nan
    for margin in margins or []:
        if variable in margin:
            population = margin.groupby(margin[variable].astype(str))["population"].sum()
            out["population"] = (population / population.sum()).reindex(order).to_numpy()
            break
    out = out[(out["respondents"] > 0) | out["population"].notna()]
    return out.reset_index(drop=True)


def themes_display(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`listening.publish.freetext.theme_counts` as shown: text, with ``[c]``.

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["Lights"], "n": [pd.NA], "base": [4],
    ...                   "percent": [np.nan], "suppressed": [True]})
    >>> themes_display(t).iloc[0].tolist()
    ['Lights', '[c]', '[c]', '[c]']
    """
    hidden = counts["suppressed"].astype(bool)
    out = counts.drop(columns=["n", "base", "percent", "suppressed"]).copy()
    out = out.rename(columns={"theme": "Theme"})
    out = out.rename(columns={c: c.replace("_", " ").capitalize() for c in out.columns[:-1]})
    out["Mentions"] = _bases(counts["n"], hidden)
    out["Answered"] = _bases(counts["base"], hidden)
    out["% of answers"] = [
        SUPPRESSED_LABEL if h else f"{p:.0f}"
        for p, h in zip(counts["percent"], hidden, strict=True)
    ]
    return out.reset_index(drop=True)


def _pct(estimate: float, hidden: bool) -> str:
    if hidden or pd.isna(estimate):
        return SUPPRESSED_LABEL
    return f"{estimate * 100:.1f}"


def _intervals(table: pd.DataFrame, hidden: Sequence[bool]) -> list[str]:
    return [
        SUPPRESSED_LABEL if h or pd.isna(lo) else f"{lo * 100:.1f} to {hi * 100:.1f}"
        for lo, hi, h in zip(table["ci_low"], table["ci_high"], hidden, strict=True)
    ]


def _bases(bases: pd.Series, hidden: Sequence[bool]) -> list[str]:
    return [SUPPRESSED_LABEL if h else f"{int(b):,}" for b, h in zip(bases, hidden, strict=True)]


def _first(table: pd.DataFrame, columns: list[str]) -> list[str]:
    if not columns:
        return ["All"] * len(table)
    everyone = (table[columns].astype(str) == "All").all(axis=1)
    return ["All" if e else "group" for e in everyone]
