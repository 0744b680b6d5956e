"""How many young people, and district figures adjusted for age and sex, for Explore.

Two figures go beside a crosstab's percentage of one answer (or net):

- :func:`answer_totals`: "about N young people", the weighted total of the
  answer (R's ``svytotal``) in each group of the table, with its interval;
- :func:`adjusted_margins`: each district's figure at the county's mix of ages
  and sexes, the predictive margins of a logistic model (R's
  ``svypredmeans(svyglm(answer ~ age_band + sex, design), ~district)``).

Both follow the table's disclosure: a group the table hides (``[c]``) gets no
figure, and a figure is flagged ``[u]`` where the table's estimate is.

Examples
--------
>>> about(35452.75)
'35,500'
>>> about(487.0)
'490'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.estimate.margins_pred import predictive_margins
from listening.estimate.regression import glm
from listening.estimate.totals import total
from listening.ingest.codebook import Codebook, Question
from listening.publish.table import ALL

HIDDEN = "[c]"
UNRELIABLE = "[u]"

ADJUSTED_CAPTION = (
    "Adjusted: what each district's figure would be if it had the county's mix of ages and "
    "sexes (the average prediction of a logistic model of the answer on age band, sex and "
    "district, with everyone given that district). Crude: the district's own figure. A gap "
    "between them shows how much of the district's figure goes with its mix of ages and sexes."
)
"""What the adjusted district figures mean, in plain words."""


def about(count: float) -> str:
    """A number of people rounded for reading: to 10 under 1,000, to 100 under
    100,000, else to 1,000, with thousands separators.

    Parameters
    ----------
    count : float

    Returns
    -------
    str
        ``"[c]"`` for a missing value.

    Examples
    --------
    >>> [about(x) for x in (4.2, 487, 9_951, 123_456)]
    ['0', '490', '10,000', '123,000']
    """
    if count is None or pd.isna(count):
        return HIDDEN
    unit = 10 if abs(count) < 1_000 else 100 if abs(count) < 100_000 else 1_000
    return f"{unit * math.floor(count / unit + 0.5):,}"


def answer_column(question: Question, category: str) -> str | None:
    """The ``"question[answer]"`` spelling of a crosstab row's category.

    Parameters
    ----------
    question : Question
    category : str
        A category of the crosstab: an option, a net or a net labelled
        ``"<name> (net)"``.

    Returns
    -------
    str or None
        None where the category cannot be spelled as one indicator: a net of
        a multi-select question, or an option sharing its name with a net.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> book = load_codebook()
    >>> answer_column(book.question("safe_dark"), "Feel unsafe")
    'safe_dark[Feel unsafe]'
    >>> answer_column(book.question("worries"), "Knife crime")
    'worries[Knife crime]'
    """
    if question.type == "multi":
        return f"{question.name}[{category}]" if category in question.option_columns else None
    net = category[: -len(" (net)")] if category.endswith(" (net)") else category
    if net in question.nets and (net != category or category not in question.options):
        return f"{question.name}[{net}]"
    if category in question.options and category not in question.nets:
        return f"{question.name}[{category}]"
    return None


def can_adjust(question: Question, category: str, by: Sequence[str], codebook: Codebook) -> bool:
    """Whether district figures can be adjusted: the breakdown is the district
    alone and the answer is an option or net of a single-choice question.

    Examples
    --------
    >>> from listening.ingest.codebook import load_codebook
    >>> book = load_codebook()
    >>> can_adjust(book.question("safe_dark"), "Feel unsafe", ["district"], book)
    True
    >>> can_adjust(book.question("worries"), "Knife crime", ["district"], book)
    False
    """
    return (
        list(by) == [codebook.district_column]
        and question.type == "single"
        and answer_column(question, category) is not None
    )


def adjustment_columns(codebook: Codebook, data: pd.DataFrame) -> list[str]:
    """The age and sex columns of the codebook that the data hold.

    Examples
    --------
    >>> import listening as yl
    >>> survey = yl.load_sample()
    >>> from listening.explorer.views import analysis_frame
    >>> adjustment_columns(survey.codebook, analysis_frame(survey.data, survey.codebook))
    ['age_band', 'sex']
    """
    names = [codebook.age_band_column, codebook.weighting.get("sex_column", "sex")]
    return [name for name in names if name in data.columns]


def _rows(tab: object, category: str) -> pd.DataFrame:
    table = tab.table
    rows = table[table["category"].astype(str) == category].reset_index(drop=True)
    for column in tab.by:
        rows[column] = rows[column].astype(str)
    return rows


def answer_totals(
    design: SurveyDesign, tab: object, question: Question, category: str, *, level: float
) -> pd.DataFrame:
    """The estimated number of young people giving ``category`` in each group of ``tab``.

    Parameters
    ----------
    design : SurveyDesign
        The design (and domain) the crosstab was made on; weighted to the
        population, or the totals count respondents.
    tab : Crosstab
        The crosstab shown (its groups, ``suppressed`` and ``low_reliability``).
    question : Question
    category : str
        A category of the crosstab (see :func:`answer_column`).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        The crosstab's group columns (as text), ``share`` (the table's
        estimate), ``total``, ``ci_low``, ``ci_high`` (R's ``svytotal`` and
        ``confint(..., df=degf)``), ``hidden`` (the table hides the group:
        every figure NaN) and ``unreliable`` (the table's ``[u]``). Empty
        when the category cannot be spelled as an indicator.

    Examples
    --------
    >>> import listening as yl
    >>> design = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> tab = yl.crosstab(design, "safe_dark", by="district")
    >>> out = answer_totals(design, tab, design.codebook.question("safe_dark"),
    ...                     "Feel unsafe", level=0.95)
    >>> int(out.loc[0, "total"]) == int(tab.table.loc[5, "n"])  # equal weights: a count
    True
    """
    by = list(tab.by)
    rows = _rows(tab, category)
    column = answer_column(question, category)
    columns = [*by, "share", "total", "ci_low", "ci_high", "hidden", "unreliable"]
    if column is None or rows.empty:
        return pd.DataFrame(columns=columns)
    figures = ["total", "ci_low", "ci_high"]
    overall = _true_rows(total(design, column, level=level)).assign(**{c: ALL for c in by})
    parts = [overall]
    if not (rows[by] == ALL).all(axis=None):
        parts.append(_true_rows(total(design, column, by=by, level=level)))
    found = pd.concat(parts, ignore_index=True).rename(columns={"estimate": "total"})
    for name in by:
        found[name] = found[name].astype(str)
    out = rows[[*by, "estimate", "suppressed", "low_reliability"]].merge(
        found[[*by, *figures]], on=by, how="left", validate="one_to_one"
    )
    hidden = out["suppressed"].fillna(True).astype(bool).to_numpy()
    none = ~hidden & out["total"].isna().to_numpy() & (out["estimate"] == 0).to_numpy()
    out.loc[none, figures] = 0.0  # nobody in the group gave the answer
    out.loc[hidden, figures] = np.nan
    return pd.DataFrame(
        {
            **{name: out[name] for name in by},
            "share": out["estimate"].where(~hidden),
            **{name: out[name].astype(float) for name in figures},
            "hidden": hidden,
            "unreliable": out["low_reliability"].fillna(False).astype(bool) & ~hidden,
        }
    )


def _true_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a 0/1 indicator's total that count its 1s."""
    return frame[frame["category"].astype(str) == "True"].drop(columns="category")


def totals_display(frame: pd.DataFrame, by: Sequence[str], *, level: float) -> pd.DataFrame:
    """:func:`answer_totals` as the explorer shows it: text, ``[c]`` and ``[u]``.

    Examples
    --------
    >>> t = pd.DataFrame({"district": ["All", "Ely"], "share": [0.46, np.nan],
    ...     "total": [35452.7, np.nan], "ci_low": [32959.8, np.nan],
    ...     "ci_high": [37945.8, np.nan], "hidden": [False, True], "unreliable": [True, False]})
    >>> totals_display(t, ["district"], level=0.95).values.tolist()
    [['All', '46.0', '35,500 [u]', '33,000 to 37,900'], ['Ely', '[c]', '[c]', '[c]']]
    """
    out = pd.DataFrame(index=frame.index)
    for column in by:
        out[column.replace("_", " ").capitalize()] = frame[column].astype(str)
    hidden = frame["hidden"].to_numpy(dtype=bool)
    mark = np.where(frame["unreliable"].to_numpy(dtype=bool), f" {UNRELIABLE}", "")
    out["%"] = [
        HIDDEN if h else f"{s * 100:.1f}" for s, h in zip(frame["share"], hidden, strict=True)
    ]
    out["About (young people)"] = [
        HIDDEN if h else about(t) + m for t, h, m in zip(frame["total"], hidden, mark, strict=True)
    ]
    out[f"{level:.0%} interval"] = [
        HIDDEN if h or pd.isna(lo) else f"{about(lo)} to {about(hi)}"
        for lo, hi, h in zip(frame["ci_low"], frame["ci_high"], hidden, strict=True)
    ]
    return out.reset_index(drop=True)


def adjusted_margins(
    design: SurveyDesign,
    tab: object,
    question: Question,
    category: str,
    *,
    adjust_for: Sequence[str],
    level: float,
    min_base: int,
) -> pd.DataFrame:
    """Crude and age-sex-adjusted figures of each district of a crosstab by district.

    The adjusted figure is the predictive margin of the district in the
    logistic model ``"question[answer]" ~ adjust_for + district`` on the
    design (R's ``svypredmeans``): the district's figure at the mix of
    ``adjust_for`` of everyone in the model.

    Parameters
    ----------
    design : SurveyDesign
        The design (and domain) of the crosstab.
    tab : Crosstab
        A crosstab by the district column alone.
    question : Question
        A single-choice question.
    category : str
        An option or net of it.
    adjust_for : sequence of str
        The columns adjusted for (see :func:`adjustment_columns`).
    level : float
        Confidence level.
    min_base : int
        Districts with fewer respondents in the model are hidden too.

    Returns
    -------
    DataFrame
        ``district`` (the column, as text), ``crude``, ``crude_low``,
        ``crude_high`` (the table's figures), ``adjusted``, ``ci_low``,
        ``ci_high``, ``hidden`` (the table hides the district, or the model
        has too few of its respondents: every figure NaN),
        ``crude_unreliable`` (the table's ``[u]``) and ``unreliable`` (that,
        or an adjusted figure whose effective base ``p (1 - p) / se**2`` is
        below the policy's minimum).

    Examples
    --------
    >>> import listening as yl
    >>> design = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> tab = yl.crosstab(design, "safe_dark", by="district")
    >>> out = adjusted_margins(design, tab, design.codebook.question("safe_dark"),
    ...     "Feel unsafe", adjust_for=[], level=0.95, min_base=10)
    >>> bool(np.allclose(out["adjusted"], out["crude"]))  # unadjusted: the crude figures
    True
    """
    (district,) = tab.by
    rows = _rows(tab, category)
    rows = rows[rows[district] != ALL]
    terms = " + ".join(f"`{c}`" for c in [*adjust_for, district])
    fit = glm(design, f"`{answer_column(question, category)}` ~ {terms}", family="binomial")
    margins = predictive_margins(fit, district, level=level, min_base=min_base)
    margins[district] = margins[district].astype(str)
    out = rows.merge(margins, on=district, how="left", suffixes=("", "_adj"), validate="1:1")
    hidden = (out["suppressed"].fillna(True) | out["suppressed_adj"].fillna(True)).to_numpy(bool)
    p, se = out["estimate_adj"].to_numpy(float), out["se_adj"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = p * (1 - p) / se**2
    weak = (p > 0) & (p < 1) & (se > 0) & (effective < tab.policy.min_effective_base)
    crude = out["low_reliability"].fillna(False).to_numpy(bool)

    def shown(column: str) -> pd.Series:
        return out[column].astype(float).where(~hidden)

    return pd.DataFrame(
        {
            district: out[district],
            "crude": shown("estimate"),
            "crude_low": shown("ci_low"),
            "crude_high": shown("ci_high"),
            "adjusted": shown("estimate_adj"),
            "ci_low": shown("ci_low_adj"),
            "ci_high": shown("ci_high_adj"),
            "hidden": hidden,
            "crude_unreliable": crude & ~hidden,
            "unreliable": (crude | weak) & ~hidden,
        }
    ).reset_index(drop=True)


def adjusted_display(frame: pd.DataFrame, district: str, *, level: float) -> pd.DataFrame:
    """:func:`adjusted_margins` as the explorer shows it: percentages, ``[c]`` and ``[u]``.

    Examples
    --------
    >>> t = pd.DataFrame({"district": ["Ely", "Looe"], "crude": [0.5, np.nan],
    ...     "crude_low": [0.4, np.nan], "crude_high": [0.6, np.nan], "adjusted": [0.45, np.nan],
    ...     "ci_low": [0.35, np.nan], "ci_high": [0.55, np.nan], "hidden": [False, True],
    ...     "crude_unreliable": [False, False], "unreliable": [True, False]})
    >>> adjusted_display(t, "district", level=0.95).values.tolist()[0]
    ['Ely', '50.0', '40.0 to 60.0', '45.0 [u]', '35.0 to 55.0']
    """
    hidden = frame["hidden"].to_numpy(dtype=bool)

    def pct(column: str, flag: str) -> list[str]:
        marks = np.where(frame[flag].to_numpy(dtype=bool), f" {UNRELIABLE}", "")
        return [
            HIDDEN if h else f"{v * 100:.1f}{m}"
            for v, h, m in zip(frame[column], hidden, marks, strict=True)
        ]

    def interval(low: str, high: str) -> list[str]:
        return [
            HIDDEN if h or pd.isna(lo) else f"{lo * 100:.1f} to {hi * 100:.1f}"
            for lo, hi, h in zip(frame[low], frame[high], hidden, strict=True)
        ]

    name = f"{level:.0%} interval"
    out = pd.DataFrame({district.replace("_", " ").capitalize(): frame[district].astype(str)})
    out["Crude %"] = pct("crude", "crude_unreliable")
    out[f"Crude {name}"] = interval("crude_low", "crude_high")
    out["Adjusted %"] = pct("adjusted", "unreliable")
    out[f"Adjusted {name}"] = interval("ci_low", "ci_high")
    return out.reset_index(drop=True)
