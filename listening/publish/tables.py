"""Briefing tables: a question by groups, with an "All" row, nets, tests and suppression.

:func:`crosstab` turns one question into a tidy table ready to publish: for
every group of ``by`` (and "All", the whole population) the proportion
choosing each answer, then each of the codebook's nets ("Feel safe"), with
standard errors, confidence intervals, bases, a flag saying whether the group
is significantly above or below the rest of the population, and disclosure
control (:mod:`listening.publish.suppression`). Every number comes from
:func:`listening.estimate.estimators.proportion` and :func:`listening.estimate.estimators.vs_rest`
on the same design, so the table agrees with R's ``survey`` package.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> data = pd.DataFrame({"area": ["North"] * 12 + ["South"] * 12,
...                      "safe": ["Yes"] * 9 + ["No"] * 3 + ["Yes"] * 4 + ["No"] * 8})
>>> tab = crosstab(yl.SurveyDesign(data), "safe", by="area")
>>> tab.table[["area", "category", "estimate", "base"]]
    area category  estimate  base
0    All       No  0.458333    24
1    All      Yes  0.541667    24
2  North       No  0.250000    12
3  North      Yes  0.750000    12
4  South       No  0.666667    12
5  South      Yes  0.333333    12
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.estimators import holm, mirror_tests
from listening.estimate.intervals import CI_METHODS
from listening.ingest.codebook import Codebook, Question
from listening.publish.audit import PublishedTable
from listening.publish.briefing import write_briefing
from listening.publish.disclosure import DisclosurePolicy, degenerate_intervals
from listening.publish.exports import to_csv, to_gt, to_html
from listening.publish.suppression import empty_pairs, protect
from listening.publish.table import ALL, ESTIMATE_COLUMNS, TABLE_COLUMNS, CrosstabData
from listening.publish.table_rows import (
    ByCodes,
    QuestionCodes,
    Rows,
    association,
    by_codes,
    count_rows,
    estimate_rows,
    question_codes,
)

if TYPE_CHECKING:
    from great_tables import GT


@dataclass(frozen=True, eq=False, repr=False)
class Crosstab(CrosstabData):
    """A briefing table: one question by groups, safe to publish.

    The contents are those of :class:`~listening.publish.table.CrosstabData`;
    this class adds the writers.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xxyyy") * 4})
    >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g", min_base=5)
    >>> tab.by, tab.kind, round(tab.test.p_value, 3)
    (('g',), 'single', 1.0)
    """

    def to_csv(self, path: str | Path) -> Path:
        """Write the tidy table as UTF-8 CSV (``[c]`` for suppressed figures).

        See :func:`listening.publish.exports.to_csv`.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
        >>> out = tab.to_csv(pathlib.Path(tempfile.mkdtemp()) / "q.csv")
        >>> out.read_text().splitlines()[0].split(",")[:4]
        ['g', 'category', 'estimate', 'se']
        """
        return to_csv(self, path)

    def to_excel(self, path: str | Path, **kwargs: Any) -> Path:
        """A one-table briefing workbook (:func:`~listening.publish.briefing.write_briefing`).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
        >>> tab.to_excel(pathlib.Path(tempfile.mkdtemp()) / "q.xlsx").suffix
        '.xlsx'
        """
        return write_briefing(path, [self], **kwargs)

    def to_gt(self) -> GT:
        """The table as a great_tables ``GT`` object (see :func:`listening.publish.exports.to_gt`).

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> type(crosstab(yl.SurveyDesign(data), "q", by="g").to_gt()).__name__
        'GT'
        """
        return to_gt(self)

    def _repr_html_(self) -> str:
        """In a notebook: the HTML table (:meth:`to_html`)."""
        return self.to_html()

    def to_html(self) -> str:
        """The table as an HTML fragment (see :func:`listening.publish.exports.to_html`).

        Examples
        --------
        >>> import pandas as pd
        >>> import listening as yl
        >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
        >>> "<table" in crosstab(yl.SurveyDesign(data), "q", by="g").to_html()
        True
        """
        return to_html(self)


def crosstab(
    design: SurveyDesign,
    question: str,
    by: str | Sequence[str] = "district",
    *,
    min_base: int = 10,
    policy: DisclosurePolicy | None = None,
    ci: str = "logit",
    level: float = 0.95,
    codebook: Codebook | None = None,
    title: str | None = None,
    weighting: str | None = None,
    source: str | None = None,
    notes: Sequence[str] = (),
) -> Crosstab:
    """Tabulate a question by groups, with "All", nets, significance and suppression.

    One table is a publication of its own (see :func:`crosstabs` for several
    tables protected together).

    Parameters
    ----------
    design : SurveyDesign
        The (usually raked) design.
    question : str
        A question of the codebook, or any categorical column of the data.
    by : str or list of str, default "district"
        Grouping column(s); several columns make combined groups (district x
        age band), protected as if the table by each of them alone were
        published too (``policy.assume_margins``).
    min_base : int, default 10
        Groups where fewer respondents answered are suppressed (when no
        ``policy`` is given).
    policy : DisclosurePolicy, optional
        The disclosure policy. Default: the codebook's publication groupings
        with ``min_base``.
    ci : {"logit", "beta"}
        Interval method, as :func:`listening.estimate.estimators.proportion`.
    level : float, default 0.95
        Confidence level; ``1 - level`` is also the significance level of
        ``vs_rest``.
    codebook : Codebook, optional
        Default: ``design.codebook`` if the design has one. With a codebook
        the categories follow the questionnaire (options never chosen get a
        row with estimate 0), nets follow the options, and a multi-select
        question gives one row per option. Without one, categories are those
        seen in the data, in their order, and there are no nets.
    title : str, optional
        Default: the question's wording.
    weighting : str, optional
        Weighting in words for the exports. Default: described from the design.
    source : str, optional
        Data source for the exports. Default: the codebook's source.
    notes : sequence of str
        Further notes for the exports.

    Returns
    -------
    Crosstab

    Notes
    -----
    Rows: "All" first, then the groups in the order of their categories; in
    each group the options (or the categories seen), then the nets (labelled
    "<name> (net)" when an option has the same name). A
    single-select option or net is the share of the group's respondents who
    answered the question; a multi-select option is the share mentioning it
    among those who ticked anything ("% mentioning"), so options can add to
    more than 1. A net of a multi-select question is the share ticking any
    of its options.

    Suppression (:func:`listening.publish.suppression.protect`): ``reason``
    is ``"threshold"`` (fewer than ``min_base`` answered) or ``"secondary"``
    (hidden to protect a smaller group); a hidden group's estimates, ``n``,
    ``base`` and ``weighted_base`` are NaN.

    ``vs_rest`` is +1 (-1) when the group is significantly higher (lower)
    than the rest of the population (everyone else who answered) at level
    ``1 - level``, the p-values of every published group and category of the
    table adjusted together by Holm's method; it is 0 for "All", for
    suppressed groups, for estimates of exactly 0 or 1, and where the
    difference is not significant. An estimate of 0 or 1 has the exact
    (Clopper-Pearson) interval on the group's effective base, and
    ``low_reliability`` flags an estimate whose effective base
    ``p (1 - p) / se**2`` is below ``policy.min_effective_base`` ([u]).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": ["a"] * 22 + ["b"] * 20 + ["c"] * 4,
    ...                      "q": ["y"] * 20 + ["n"] * 2 + ["y", "n"] * 10 + ["n"] * 4})
    >>> tab = crosstab(yl.SurveyDesign(data), "q", by="g")
    >>> tab.table.groupby("g", sort=False)["reason"].first().to_dict()
    {'All': '', 'a': '', 'b': 'secondary', 'c': 'threshold'}
    """
    return crosstabs(
        design,
        [question],
        [by],
        min_base=min_base,
        policy=policy,
        ci=ci,
        level=level,
        codebook=codebook,
        title=title,
        weighting=weighting,
        source=source,
        notes=notes,
    )[0]


def crosstabs(
    design: SurveyDesign,
    questions: Sequence[str],
    by: Sequence[str | Sequence[str]] = ("district",),
    *,
    min_base: int = 10,
    policy: DisclosurePolicy | None = None,
    ci: str = "logit",
    level: float = 0.95,
    codebook: Codebook | None = None,
    title: str | None = None,
    weighting: str | None = None,
    source: str | None = None,
    notes: Sequence[str] = (),
    progress: bool = False,
) -> list[Crosstab]:
    """The tables of one publication: every question by every ``by``, protected together.

    Secondary suppression takes every table of the same question into
    account (overlapping breakdowns such as district x age band and
    district x school year), so no figure hidden in one table can be worked
    out from the others (:func:`listening.publish.suppression.protect`).

    Parameters
    ----------
    design, ci, level, codebook, title, weighting, source, notes
        As :func:`crosstab`.
    questions : sequence of str
        The questions, in order.
    by : sequence of str or of list of str
        The breakdowns, each a column or a list of columns.
    min_base : int, default 10
        The minimum base when no ``policy`` is given.
    policy : DisclosurePolicy, optional
        The publication's disclosure policy (default from the codebook).
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    list of Crosstab
        For each question, a table per ``by`` (question-major).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"a": list("xy") * 15, "b": list("uuuvv") * 6, "q": list("pq") * 15})
    >>> tabs = crosstabs(yl.SurveyDesign(data), ["q"], ["a", ["a", "b"]], min_base=5)
    >>> [t.by for t in tabs]
    [('a',), ('a', 'b')]
    """
    from tqdm import tqdm

    book = codebook if codebook is not None else getattr(design, "codebook", None)
    if policy is None:
        policy = DisclosurePolicy.from_codebook(book, min_base=min_base)
    if not isinstance(policy, DisclosurePolicy):
        raise ListeningError(
            f"crosstab: policy must be a DisclosurePolicy, not {type(policy).__name__}."
        )
    bys = [[b] if isinstance(b, str) else list(b) for b in by]
    _check_design(design)
    if weighting is None:
        weighting = describe_weighting(design)
    method = describe_method(design)
    breakdowns: dict = {}  # each by's groups, factorized once for every question
    tables = []
    for question in tqdm(questions, desc="tables", unit="question", disable=not progress):
        counted = _counted(design, question, bys, policy, book, breakdowns, ci=ci, level=level)
        reasons = _protect(counted, policy)
        everyone: dict = {}  # the "All" rows of every item, the same in every table
        for one, reason in zip(counted, reasons, strict=True):
            tables.append(
                _finish(
                    _raw(one, ci, level, everyone),
                    reason,
                    policy,
                    ci=ci,
                    level=level,
                    book=book,
                    title=title,
                    weighting=weighting,
                    method=method,
                    source=source,
                    notes=notes,
                )
            )
    return tables


def describe_weighting(design: SurveyDesign) -> str:
    """The weighting of a design in words, for the notes of an export.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"sex": ["F", "M", "M"]})
    >>> margins = [pd.DataFrame({"sex": ["F", "M"], "population": [60, 40]})]
    >>> print(describe_weighting(yl.SurveyDesign(data).rake(margins)))
    Raked to population totals of sex; Kish design effect 1.32, effective sample size 2.3.
    """
    diagnostics = design.diagnostics()
    effect = (
        f"Kish design effect {diagnostics.deff:.2f}, "
        f"effective sample size {diagnostics.effective_n:,.1f}."
    )
    if diagnostics.margins is not None:
        names = list(dict.fromkeys(diagnostics.margins["margin"].astype(str)))
        return f"Raked to population totals of {', '.join(names)}; {effect}"
    if diagnostics.deff == 1.0:
        return "Unweighted: every respondent counts once."
    return f"Design weights; {effect}"


def describe_method(design: SurveyDesign) -> str:
    """The sample design and the standard-error method in words, for the notes.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"area": ["a", "a", "b", "b"], "school": [1, 2, 3, 4]})
    >>> print(describe_method(yl.SurveyDesign(data, strata="area", clusters="school")))
    Stratified by area, clustered by school; standard errors by Taylor linearisation.
    """
    parts = []
    if design.strata is not None:
        parts.append(f"stratified by {design.strata}")
    if design.clusters is not None:
        parts.append(f"clustered by {design.clusters}")
    layout = ", ".join(parts) if parts else "respondents sampled independently"
    if design.is_replicate:
        errors = f"{design.replicate_type} replicate weights ({design.n_replicates:,} replicates)"
    elif design.is_raked:
        errors = "Taylor linearisation, allowing for the raking (calibration)"
    else:
        errors = "Taylor linearisation"
    return f"{layout[:1].upper()}{layout[1:]}; standard errors by {errors}."


def _check_design(design: SurveyDesign) -> None:
    if not isinstance(design, SurveyDesign):
        raise ListeningError(
            f"crosstab: design must be a SurveyDesign, not {type(design).__name__}; "
            "build one with yl.SurveyDesign.from_survey(survey) or yl.SurveyDesign(data, ...)."
        )


def _check_arguments(
    design: SurveyDesign,
    question: str,
    by_cols: list[str],
    min_base: int,
    ci: str,
    level: float,
    *,
    groups: bool = True,
) -> None:
    _check_design(design)
    if not by_cols:
        raise ListeningError("crosstab: by is empty; pass a column name such as 'district'.")
    if question in by_cols:
        raise ListeningError(
            f"crosstab: question {question!r} is also a by column; choose another by."
        )
    missing = [c for c in by_cols if c not in design.data.columns]
    if missing:
        raise ListeningError(
            f"crosstab: by column(s) {missing} not in the design's data; use one of "
            f"{list(design.data.columns)[:30]}."
        )
    clash = [c for c in by_cols if groups and (design.data[c].astype(object) == ALL).any()]
    if clash:
        raise ListeningError(
            f"crosstab: by column(s) {clash} hold a group called {ALL!r}, the name of the "
            "whole-population row; rename that group."
        )
    if isinstance(min_base, bool) or not isinstance(min_base, int | np.integer) or min_base < 0:
        raise ListeningError(f"crosstab: min_base={min_base!r}; pass a whole number >= 0.")
    if ci not in CI_METHODS:
        raise ListeningError(f"crosstab: ci={ci!r} is not valid; use one of {list(CI_METHODS)}.")
    if not 0.0 < level < 1.0:
        raise ListeningError(f"crosstab: level={level!r}; pass a confidence level such as 0.95.")


def _kind(design: SurveyDesign, question: str, spec: Question | None) -> str:
    if spec is not None and spec.type == "multi":
        kind = "multi"
    elif spec is None or spec.type == "single":
        kind = "single"
    else:
        raise ListeningError(
            f"crosstab: question {question!r} is of type {spec.type!r}; only single and multi "
            "questions make briefing tables (use yl.mean for an integer question)."
        )
    if kind == "single" and question not in design.data.columns:
        raise ListeningError(
            f"crosstab: column {question!r} is not in the design's data; pass a question "
            "that the survey holds."
        )
    return kind


@dataclass(frozen=True, eq=False)
class _Counted:
    """One table of a question as protection sees it: its groups' counts."""

    question: str
    kind: str
    codes: QuestionCodes
    by: ByCodes
    rows: Rows

    def published(self) -> PublishedTable:
        return PublishedTable(self.question, self.by.by, self.rows.to_frame(), self.kind)


def _counted(
    design: SurveyDesign,
    question: str,
    bys: list[list[str]],
    policy: DisclosurePolicy,
    book: Codebook | None,
    breakdowns: dict,
    *,
    ci: str = "logit",
    level: float = 0.95,
) -> list[_Counted]:
    """Every table of a question, from counts (``breakdowns`` keeps each ``by``'s codes)."""
    for by_cols in bys:  # the groups' names once for every question
        new = tuple(by_cols) not in breakdowns
        _check_arguments(design, question, by_cols, policy.min_base, ci, level, groups=new)
    spec = book.questions.get(question) if book is not None else None
    kind = _kind(design, question, spec)
    codes = question_codes(design, question, spec)
    out = []
    for by_cols in bys:
        key = tuple(by_cols)
        if key not in breakdowns:
            breakdowns[key] = by_codes(design, by_cols, policy.grouped(design.data, by_cols))
        by = breakdowns[key]
        out.append(_Counted(question, kind, codes, by, count_rows(codes, by)))
    return out


def protection(
    design: SurveyDesign,
    question: str,
    by: Sequence[str | Sequence[str]],
    *,
    policy: DisclosurePolicy,
    codebook: Codebook | None = None,
    hide: Sequence[Collection[tuple[str, ...]]] | None = None,
) -> list[dict[tuple[str, ...], str]]:
    """Which groups :func:`crosstabs` hides in the tables of a question, and why: counts only.

    The hidden pattern depends only on respondents' numbers, so this builds
    the tables protection sees (``n`` and ``base``) without estimates,
    tests or weights, and protects them as :func:`crosstabs` does.

    Parameters
    ----------
    design : SurveyDesign
    question : str
    by : sequence of str or of list of str
        The breakdowns, protected together.
    policy : DisclosurePolicy
    codebook : Codebook, optional
        Default: ``design.codebook``.
    hide : sequence of collections of tuple, optional
        Per breakdown (in the order of ``by``), the keys (as returned) of
        groups that must be hidden whatever their base: those another
        publication of the same respondents hides (the explorer's *Who took
        part*, :mod:`listening.explorer.cross`). They are ``"secondary"``
        unless below the threshold, and the rest is protected around them
        (:func:`listening.publish.suppression.protect`).

    Returns
    -------
    list of dict
        Per breakdown, each group's key (its ``by`` values as text, ``"All"``
        for everyone, in table order) to ``""`` (shown), ``"threshold"`` or
        ``"secondary"``: the ``reason`` column of :func:`crosstabs`.

    Raises
    ------
    ListeningError
        If ``policy`` is not a DisclosurePolicy, or ``hide`` does not give
        one collection per breakdown of keys its table has.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": ["a"] * 22 + ["b"] * 20 + ["c"] * 4,
    ...                      "q": ["y"] * 20 + ["n"] * 2 + ["y", "n"] * 10 + ["n"] * 4})
    >>> protection(yl.SurveyDesign(data), "q", ["g"], policy=DisclosurePolicy(min_base=10))
    [{('All',): '', ('a',): '', ('b',): 'secondary', ('c',): 'threshold'}]

    With ``a`` hidden by force, ``b`` can be shown:

    >>> protection(yl.SurveyDesign(data), "q", ["g"], policy=DisclosurePolicy(min_base=10),
    ...            hide=[{("a",)}])
    [{('All',): '', ('a',): 'secondary', ('b',): '', ('c',): 'threshold'}]
    """
    if not isinstance(policy, DisclosurePolicy):
        raise ListeningError(
            f"protection: policy must be a DisclosurePolicy, not {type(policy).__name__}; "
            "build one with yl.DisclosurePolicy.from_codebook(codebook)."
        )
    book = codebook if codebook is not None else getattr(design, "codebook", None)
    bys = [[b] if isinstance(b, str) else list(b) for b in by]
    counted = _counted(design, question, bys, policy, book, {})
    reasons = _protect(counted, policy, _forced_positions(counted, hide))
    return [
        dict(zip(c.by.keys, map(str, reason), strict=True))
        for c, reason in zip(counted, reasons, strict=True)
    ]


def _forced_positions(
    counted: list[_Counted], hide: Sequence[Collection[tuple[str, ...]]] | None
) -> list[list[int]] | None:
    """``hide`` of :func:`protection` checked, as each table's group positions."""
    if hide is None:
        return None
    hide = list(hide)
    if len(hide) != len(counted):
        raise ListeningError(
            f"protection: hide gives {len(hide)} collection(s) of groups for {len(counted)} "
            "breakdown(s); pass one per breakdown, in the order of by (empty to force none)."
        )
    out = []
    for c, keys in zip(counted, hide, strict=True):
        position = {k: i for i, k in enumerate(c.by.keys)}
        wanted = [tuple(map(str, k)) for k in keys]
        unknown = [k for k in wanted if k not in position]
        if unknown:
            raise ListeningError(
                f"protection: hide names group(s) {unknown[:3]} that the table by "
                f"{list(c.by.by)} does not have; pass keys as protection returns them "
                f"(such as {c.by.keys[:2]})."
            )
        out.append(sorted(position[k] for k in wanted))
    return out


def _protect(
    counted: list[_Counted], policy: DisclosurePolicy, hide: list[list[int]] | None = None
) -> list[np.ndarray]:
    """The suppression reason of every group of the tables of one question (``hide``: per
    table of ``counted``, group positions that must be hidden)."""
    tables = [c.published() for c in counted]
    groups = [c.by.codes for c in counted]  # every respondent's group
    if policy.assume_margins:
        shown = {c.by.by for c in counted}
        for c in counted:
            for column in c.by.by if len(c.by.by) > 1 else []:
                if (column,) in shown:
                    continue
                shown.add((column,))
                margin = by_codes(c.by.design, [column], {})
                rows = count_rows(c.codes, margin)
                tables.append(PublishedTable(c.question, (column,), rows.to_frame(), c.kind))
                groups.append(margin.codes)
    data = counted[0].by.design.data
    answered = [c for one in counted for c in one.by.by if data[c].notna().all()]
    complete = list(dict.fromkeys([*policy.complete, *answered]))
    inside = counted[0].codes.answered
    reasons = protect(
        tables,
        min_base=policy.min_base,
        complete=complete,
        empty=(*policy.empty, *empty_pairs(data, [t.by for t in tables])),
        cost=policy.cost_of,
        respondents=[np.where(g >= 0, g + 1, -1)[inside] for g in groups],  # "All" is 0
        leftovers=policy.leftovers,
        hide=None if hide is None else [*hide, *([] for _ in tables[len(counted) :])],
    )
    return reasons[: len(counted)]


@dataclass(frozen=True)
class _Raw:
    """One table before suppression: every figure, and what the writers need."""

    question: str
    by: list[str]
    rows: Rows
    test: Any
    kind: str
    spec: Question | None


def _raw(counted: _Counted, ci: str, level: float, everyone: dict) -> _Raw:
    """Estimates, tests and the association test of one table, nothing hidden yet."""
    codes, by = counted.codes, counted.by
    rows = estimate_rows(codes, by, ci=ci, level=level, everyone=everyone)
    test = association(codes, by)
    return _Raw(counted.question, list(by.by), rows, test, counted.kind, codes.spec)


def _finish(
    raw: _Raw,
    reason: np.ndarray,
    policy: DisclosurePolicy,
    *,
    ci: str,
    level: float,
    book: Codebook | None,
    title: str | None,
    weighting: str,
    method: str,
    source: str | None,
    notes: Sequence[str],
) -> Crosstab:
    """Hide what protection decided, flag reliability, add significance: the published table."""
    by_cols, spec, rows = raw.by, raw.spec, raw.rows
    figures = rows.columns
    why = reason.astype(str)[rows.group]
    suppressed = why != ""
    bounds = degenerate_intervals(
        pd.DataFrame({c: figures[c] for c in ("estimate", "ci_low", "ci_high", "kish")}), level
    )
    shown = {
        c: np.where(suppressed, np.nan, bounds[c] if c in bounds else figures[c].astype(float))
        for c in [*ESTIMATE_COLUMNS, "weighted_base", "base"]
    }
    p, se = shown["estimate"], shown["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = p * (1 - p) / se**2
    low = (p > 0) & (p < 1) & (se > 0) & (effective < policy.min_effective_base)
    signs = _significance(rows, shown["estimate"], suppressed, alpha=1.0 - level)
    order = np.argsort(rows.group, kind="stable")  # "All" first, then the groups
    columns = {
        **rows.labels(),
        **{c: np.asarray(shown[c]) for c in ESTIMATE_COLUMNS[:4]},
        "n": _whole(shown["n"]),
        "base": _whole(shown["base"]),
        "weighted_base": shown["weighted_base"],
        "suppressed": suppressed,
        "vs_rest": signs,
        "reason": why,
        "low_reliability": low,
    }
    table = pd.DataFrame({c: columns[c][order] for c in [*by_cols, *TABLE_COLUMNS]})
    return Crosstab(
        table=table,
        test=raw.test,
        question=raw.question,
        by=tuple(by_cols),
        title=title if title is not None else (spec.wording if spec is not None else raw.question),
        kind=raw.kind,
        min_base=policy.min_base,
        level=level,
        ci=ci,
        weighting=weighting,
        method=method,
        source=source if source is not None else (book.source if book is not None else ""),
        notes=tuple(notes),
        policy=policy,
    )


def _whole(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Counts as whole numbers (``Int64``, NA where NaN)."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(
        np.round(np.where(missing, 0.0, values)).astype(np.int64), missing
    )


def _significance(
    rows: Rows, estimate: np.ndarray, suppressed: np.ndarray, *, alpha: float
) -> np.ndarray:
    """``vs_rest``: Holm-adjusted over the table's published groups and categories.

    Mirror-image tests (a yes/no answer's two options, the two groups of a
    two-group breakdown, an option and its complementary net) count once.
    """
    is_all = rows.group == 0
    p = np.where(~is_all & ~suppressed, rows.columns["p_value"], np.nan)
    category = pd.factorize(rows.category)[0]
    difference = rows.columns["difference"]
    adjusted = holm(p, mirror_tests(difference, p, rows.group, category))
    # an estimate of exactly 0 or 1 makes no significance claim (it stays in Holm's family)
    adjusted[(estimate == 0.0) | (estimate == 1.0)] = np.nan
    signs = np.where(adjusted < alpha, np.sign(difference), 0)
    return np.nan_to_num(signs).astype(int)
