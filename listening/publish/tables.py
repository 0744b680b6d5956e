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

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.association import table_association
from listening.estimate.estimators import holm, mirror_tests, proportion, vs_rest
from listening.estimate.intervals import CI_METHODS
from listening.ingest.codebook import Codebook, Question, slug
from listening.publish.audit import PublishedTable
from listening.publish.briefing import write_briefing
from listening.publish.disclosure import DisclosurePolicy, degenerate_intervals
from listening.publish.exports import to_csv, to_gt, to_html
from listening.publish.suppression import empty_pairs, protect, respondent_groups
from listening.publish.table import ALL, ESTIMATE_COLUMNS, TABLE_COLUMNS, CrosstabData

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
    tables = []
    for question in tqdm(questions, desc="tables", unit="question", disable=not progress):
        alls: dict = {}  # the "All" rows of every item, the same in every table
        raws = [_raw(design, question, b, policy, book, ci, level, alls) for b in bys]
        reasons = _protect(raws, policy)
        for raw, reason in zip(raws, reasons, strict=True):
            tables.append(
                _finish(
                    raw,
                    reason,
                    policy,
                    ci=ci,
                    level=level,
                    book=book,
                    title=title,
                    weighting=weighting,
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


@dataclass(frozen=True)
class _Item:
    """One analysed column of a table and which of its categories become rows."""

    column: str
    label: str | None = None  # None: every category of the column, with its own label
    order: tuple[str, ...] = ()  # the codebook's options, for a single question


def _check_arguments(
    design: SurveyDesign,
    question: str,
    by_cols: list[str],
    min_base: int,
    ci: str,
    level: float,
) -> None:
    if not isinstance(design, SurveyDesign):
        raise ListeningError(
            f"crosstab: design must be a SurveyDesign, not {type(design).__name__}; "
            "build one with yl.SurveyDesign.from_survey(survey) or yl.SurveyDesign(data, ...)."
        )
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
    clash = [c for c in by_cols if (design.data[c].astype(object) == ALL).any()]
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


def _with_columns(design: SurveyDesign, columns: dict[str, pd.Series]) -> SurveyDesign:
    """A design with analysis columns added (same weights, design and calibration)."""
    if not columns:
        return design
    return design.with_columns(**columns)


def _items(design: SurveyDesign, question: str, spec: Question | None) -> tuple[SurveyDesign, list]:
    """The columns to estimate (adding net indicators to the design) and their rows."""
    data = design.data
    if spec is None:
        return design, [_Item(question)]
    new: dict[str, pd.Series] = {}
    if spec.type == "multi":
        present = {o: c for o, c in spec.option_columns.items() if c in data.columns}
        if not present:
            raise ListeningError(
                f"crosstab: none of the option columns of {question!r} "
                f"({list(spec.option_columns.values())[:3]}...) is in the design's data; "
                "read the survey with this codebook."
            )
        items = [_Item(column, option) for option, column in present.items()]
        answered = pd.concat([data[c].notna() for c in present.values()], axis=1).any(axis=1)
        for net, members in spec.nets.items():
            ticked = pd.concat(
                [data[present[m]].fillna(False).astype(bool) for m in members if m in present],
                axis=1,
            ).any(axis=1)
            new[_net_column(question, net)] = ticked.astype("boolean").where(answered)
    else:
        items = [_Item(question, order=spec.options)]
        answers = data[question]
        for net, members in spec.nets.items():
            indicator = answers.isin(members).astype("boolean")
            new[_net_column(question, net)] = indicator.where(answers.notna())
    items += [_Item(_net_column(question, net), _net_label(net, spec)) for net in spec.nets]
    return _with_columns(design, new), items


def _net_label(net: str, spec: Question) -> str:
    """A net's row label: its name, with " (net)" when an option has the same name."""
    return f"{net} (net)" if net in spec.options else net


def _net_column(question: str, net: str) -> str:
    return f"{question}__net__{slug(net)}"


def _as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(object).map(str)
    return out


def _picked(frame: pd.DataFrame, item: _Item, *, mirror: list[str]) -> pd.DataFrame:
    """Rows of an estimator's output for the item's categories, labelled.

    For an indicator item the ``True`` rows are kept; where no respondent at
    all has True the ``False`` rows are mirrored (estimate 1 - p, the same
    standard error, columns in ``mirror`` negated or complemented).
    """
    if item.label is None:
        out = frame.copy()
        out["category"] = out["category"].astype(object).map(str)
        return out
    truth = frame["category"].map(lambda v: bool(v) is True)
    if truth.any():
        out = frame[truth].copy()
    else:
        false = frame[~truth]
        out = false.assign(**{column: _mirror(false, column) for column in mirror})
    out["category"] = item.label
    return out


def _mirror(frame: pd.DataFrame, column: str) -> pd.Series:
    flips = {
        "estimate": lambda f: 1.0 - f["estimate"],
        "ci_low": lambda f: 1.0 - f["ci_high"],
        "ci_high": lambda f: 1.0 - f["ci_low"],
        "n": lambda f: f["base"] - f["n"],
        "difference": lambda f: -f["difference"],
    }
    return flips[column](frame)


def _estimates(
    design: SurveyDesign, item: _Item, by_cols: list[str], ci: str, level: float, alls: dict
) -> pd.DataFrame:
    """Proportions for "All" (kept in ``alls`` by item) and every group, by group and category."""
    mirror = ["estimate", "ci_low", "ci_high", "n"]
    if item not in alls:
        alls[item] = _picked(
            proportion(design, item.column, ci=ci, level=level), item, mirror=mirror
        )
    grouped = _as_text(proportion(design, item.column, by=by_cols, ci=ci, level=level), by_cols)
    everyone = alls[item].assign(**dict.fromkeys(by_cols, ALL))
    rows = pd.concat([everyone, _picked(grouped, item, mirror=mirror)], ignore_index=True)
    rows = rows[[*by_cols, *TABLE_COLUMNS[:8]]]
    if item.order:
        rows = _complete(rows, by_cols, item.order)
    return rows


def _complete(rows: pd.DataFrame, by_cols: list[str], order: tuple[str, ...]) -> pd.DataFrame:
    """Add options nobody chose (estimate 0) and put the options in questionnaire order."""
    groups = rows.drop_duplicates(by_cols)[[*by_cols, "base", "weighted_base"]]
    full = groups.merge(pd.DataFrame({"category": list(order)}), how="cross")
    seen = [c for c in rows["category"].unique() if c not in order]
    if seen:
        raise ListeningError(
            f"crosstab: categories {seen} are in the data but not among the codebook's options "
            f"{list(order)}; read the survey with the same codebook."
        )
    out = full.merge(rows, on=[*by_cols, "category", "base", "weighted_base"], how="left")
    unseen = out["estimate"].isna() & (out["base"] > 0)
    out.loc[unseen, ["estimate", "se", "n"]] = 0.0
    return out[rows.columns]


def _tests(design: SurveyDesign, item: _Item, by_cols: list[str]) -> pd.DataFrame:
    """Group-versus-rest differences and raw p-values for an item."""
    out = _as_text(vs_rest(design, item.column, by=by_cols), by_cols)
    out = _picked(out, item, mirror=["difference"])
    return out[[*by_cols, "category", "difference", "p_value"]]


@dataclass(frozen=True)
class _Raw:
    """One table before suppression: every figure, and what the writers need."""

    question: str
    by: list[str]
    rows: pd.DataFrame
    vs: pd.DataFrame
    test: Any
    kind: str
    spec: Question | None
    design: SurveyDesign


def _raw(
    design: SurveyDesign,
    question: str,
    by_cols: list[str],
    policy: DisclosurePolicy,
    book: Codebook | None,
    ci: str,
    level: float,
    alls: dict,
) -> _Raw:
    """Estimates, tests and the association test of one table, nothing hidden yet."""
    _check_arguments(design, question, by_cols, policy.min_base, ci, level)
    spec = book.questions.get(question) if book is not None else None
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
    design = _with_columns(design, policy.grouped(design.data, by_cols))
    design, items = _items(design, question, spec)
    rows = pd.concat([_estimates(design, item, by_cols, ci, level, alls) for item in items])
    vs = pd.concat([_tests(design, item, by_cols) for item in items], ignore_index=True)
    rows = rows.reset_index(drop=True)
    rows["base"] = rows.groupby(by_cols, sort=False)["base"].transform("min")
    rows = rows.assign(kish=_kish(design, items[0].column, by_cols, rows))
    options = spec.option_columns if spec is not None and spec.type == "multi" else None
    test = table_association(design, question, by_cols, options)
    return _Raw(question, by_cols, rows, vs, test, kind, spec, design)


def _published(raw: _Raw, name: str = "") -> PublishedTable:
    rows = raw.rows[[*raw.by, "category", "n", "base"]].astype({"n": float, "base": float})
    return PublishedTable(raw.question, tuple(raw.by), rows, raw.kind, name)


def _protect(raws: list[_Raw], policy: DisclosurePolicy) -> list[np.ndarray]:
    """The suppression reason of every group of the tables of one question."""
    tables = [_published(raw) for raw in raws]
    sources = list(raws)
    if policy.assume_margins:
        shown = {tuple(raw.by) for raw in raws}
        for raw in raws:
            for column in raw.by if len(raw.by) > 1 else []:
                if (column,) in shown:
                    continue
                shown.add((column,))
                items = _items(raw.design, raw.question, raw.spec)[1]
                margin = pd.concat(
                    [_estimates(raw.design, item, [column], "logit", 0.95, {}) for item in items]
                )
                margin["base"] = margin.groupby(column, sort=False)["base"].transform("min")
                tables.append(
                    PublishedTable(
                        raw.question,
                        (column,),
                        margin[[column, "category", "n", "base"]].astype(
                            {"n": float, "base": float}
                        ),
                        raw.kind,
                    )
                )
                sources.append(raw)
    data = raws[0].design.data
    answered = [c for raw in raws for c in raw.by if data[c].notna().all()]
    complete = list(dict.fromkeys([*policy.complete, *answered]))
    inside = _answered(raws[0])
    respondents = [
        respondent_groups(raw.design.data[inside], t)
        for raw, t in zip(sources, tables, strict=True)
    ]
    reasons = protect(
        tables,
        min_base=policy.min_base,
        complete=complete,
        empty=(*policy.empty, *empty_pairs(data, [t.by for t in tables])),
        cost=policy.cost_of,
        respondents=respondents,
        leftovers=policy.leftovers,
    )
    return reasons[: len(raws)]


def _answered(raw: _Raw) -> np.ndarray:
    """Who is in the base of the question (answered it, inside the design's domain)."""
    data = raw.design.data
    if raw.spec is not None and raw.spec.type == "multi":
        columns = [c for c in raw.spec.option_columns.values() if c in data.columns]
        inside = data[columns].notna().any(axis=1).to_numpy()
    else:
        inside = data[raw.question].notna().to_numpy()
    if raw.design.domain is not None:
        inside = inside & np.asarray(raw.design.domain, dtype=bool)  # to_numpy() is read-only
    return inside


def _kish(design: SurveyDesign, column: str, by_cols: list[str], rows: pd.DataFrame) -> np.ndarray:
    """Kish's effective base of each row's group: (sum of weights)^2 / sum of squares."""
    data = design.data
    weights = np.asarray(design.weights, dtype=float)
    inside = data[column].notna().to_numpy()
    if design.domain is not None:
        inside = inside & np.asarray(design.domain, dtype=bool)  # to_numpy() may be read-only
    w = weights[inside]
    everyone = w.sum() ** 2 / (w**2).sum() if len(w) else np.nan
    # each respondent's group among the rows' groups (matched on the values as text)
    member = respondent_groups(data[inside], PublishedTable(column, tuple(by_cols), rows))
    group = rows.groupby(by_cols, sort=False).ngroup().to_numpy()
    n_groups = group.max(initial=-1) + 1
    sums = np.bincount(member[member >= 0], w[member >= 0], minlength=n_groups)
    squares = np.bincount(member[member >= 0], w[member >= 0] ** 2, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_group = sums**2 / squares
    is_all = (rows[by_cols].astype(str) == ALL).all(axis=1).to_numpy()
    return np.where(is_all, everyone, per_group[group])


def _finish(
    raw: _Raw,
    reason: np.ndarray,
    policy: DisclosurePolicy,
    *,
    ci: str,
    level: float,
    book: Codebook | None,
    title: str | None,
    weighting: str | None,
    source: str | None,
    notes: Sequence[str],
) -> Crosstab:
    """Hide what protection decided, flag reliability, add significance: the published table."""
    by_cols, spec = raw.by, raw.spec
    group = raw.rows.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy()
    table = raw.rows.assign(reason=reason.astype(str)[group])
    table["suppressed"] = table["reason"] != ""
    table = degenerate_intervals(table, level)
    for column in [*ESTIMATE_COLUMNS, "weighted_base", "base"]:
        table[column] = table[column].astype(float).where(~table["suppressed"])
    table["n"] = table["n"].round().astype("Int64")
    table["base"] = table["base"].round().astype("Int64")
    p, se = table["estimate"].to_numpy(dtype=float), table["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = p * (1 - p) / se**2
    table["low_reliability"] = (
        (p > 0) & (p < 1) & (se > 0) & (effective < policy.min_effective_base)
    )
    table = _significance(table.drop(columns=["kish"]), raw.vs, by_cols, alpha=1.0 - level)
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
        weighting=weighting if weighting is not None else describe_weighting(raw.design),
        method=describe_method(raw.design),
        source=source if source is not None else (book.source if book is not None else ""),
        notes=tuple(notes),
        policy=policy,
    )


def _significance(
    table: pd.DataFrame, vs: pd.DataFrame, by_cols: list[str], *, alpha: float
) -> pd.DataFrame:
    """``vs_rest``: Holm-adjusted over the table's published groups and categories.

    Mirror-image tests (a yes/no answer's two options, the two groups of a
    two-group breakdown, an option and its complementary net) count once.
    """
    keys = [*by_cols, "category"]
    table = table.merge(vs, on=keys, how="left", validate="one_to_one")
    is_all = (table[by_cols] == ALL).all(axis=1)
    p = table["p_value"].where(~is_all & ~table["suppressed"]).to_numpy(dtype=float)
    group = table.groupby(by_cols, sort=False, observed=True).ngroup().to_numpy()
    category = table.groupby("category", sort=False, observed=True).ngroup().to_numpy()
    difference = table["difference"].to_numpy(dtype=float)
    adjusted = holm(p, mirror_tests(difference, p, group, category))
    # an estimate of exactly 0 or 1 makes no significance claim (it stays in Holm's family)
    degenerate = table["estimate"].isin([0.0, 1.0]).to_numpy()
    adjusted[degenerate] = np.nan
    signs = np.where(adjusted < alpha, np.sign(table["difference"].to_numpy(dtype=float)), 0)
    table["vs_rest"] = np.nan_to_num(signs).astype(int)
    table = table.drop(columns=["difference", "p_value"])
    order = _group_order(table, by_cols)
    table = table.iloc[np.lexsort((table.index.to_numpy(), order))].reset_index(drop=True)
    return table[[*by_cols, *TABLE_COLUMNS]]


def _group_order(table: pd.DataFrame, by_cols: list[str]) -> np.ndarray:
    """Position of each row's group: "All" first, then the groups as first seen."""
    codes = table.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy()
    first = np.full(codes.max(initial=-1) + 1, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first[codes]
