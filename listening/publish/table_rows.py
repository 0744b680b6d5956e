"""The rows of briefing tables from integer codes: each column factorized once.

:mod:`listening.publish.tables` builds every table of a publication from the
same few columns: a question's items (its answers, a multi-select question's
tick columns, the nets) by a handful of breakdowns. Here each item's
categories (:func:`question_codes`) and each breakdown's groups
(:func:`by_codes`) become integer codes once, and a table's rows are taken
from them with numpy: counts alone for protection (:func:`count_rows`), and
estimates, group-versus-rest tests and Kish bases for the published table
(:func:`estimate_rows`), through
:func:`listening.estimate.estimators.proportion_arrays` and
:func:`~listening.estimate.estimators.vs_rest_arrays`, the numeric cores of
``proportion`` and ``vs_rest``, so the figures are theirs.

Rows come item by item: for each item the "All" rows, then every group's
(groups in the order of their categories), one row per category.

Examples
--------
>>> import pandas as pd
>>> import listening as yl
>>> design = yl.SurveyDesign(pd.DataFrame({"g": list("aab"), "q": list("xyx")}))
>>> rows = count_rows(question_codes(design, "q", None), by_codes(design, ["g"], {}))
>>> rows.to_frame()[["g", "category", "n", "base"]].values.tolist()
[['All', 'x', 2.0, 3.0], ['All', 'y', 1.0, 3.0], ['a', 'x', 1.0, 2.0], ['a', 'y', 1.0, 2.0], \
['b', 'x', 1.0, 1.0], ['b', 'y', 0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.association import RaoScottResult, rao_scott_codes
from listening.estimate.domains import category_codes, domains
from listening.estimate.estimators import proportion_arrays, vs_rest_arrays
from listening.ingest.codebook import Question, slug
from listening.publish.table import ALL


@dataclass(frozen=True)
class Item:
    """One analysed column of a table and which of its categories become rows.

    Attributes
    ----------
    column : str
    label : str or None
        The row label of an indicator (a net, a multi-select option): its
        true category becomes the one row. None: every category, each with
        its own label.
    order : tuple of str
        The codebook's options, for a single question (rows in that order,
        options nobody chose included).
    """

    column: str
    label: str | None = None
    order: tuple[str, ...] = ()


def net_column(question: str, net: str) -> str:
    """The name of a net's indicator column.

    Examples
    --------
    >>> net_column("safe_dark", "Feel safe")
    'safe_dark__net__feel_safe'
    """
    return f"{question}__net__{slug(net)}"


def net_label(net: str, spec: Question) -> str:
    """A net's row label: its name, with " (net)" when an option has the same name."""
    return f"{net} (net)" if net in spec.options else net


def question_items(
    design: SurveyDesign, question: str, spec: Question | None
) -> tuple[SurveyDesign, list[Item]]:
    """The columns to estimate (adding net indicators to the design) and their rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> design = yl.SurveyDesign(pd.DataFrame({"q": list("xy")}))
    >>> question_items(design, "q", None)[1]
    [Item(column='q', label=None, order=())]
    """
    data = design.data
    if spec is None:
        return design, [Item(question)]
    new: dict[str, pd.Series] = {}
    if spec.type == "multi":
        present = {o: c for o, c in spec.option_columns.items() if c in data.columns}
        if not present:
            raise ListeningError(
                f"crosstab: none of the option columns of {question!r} "
                f"({list(spec.option_columns.values())[:3]}...) is in the design's data; "
                "read the survey with this codebook."
            )
        items = [Item(column, option) for option, column in present.items()]
        answered = pd.concat([data[c].notna() for c in present.values()], axis=1).any(axis=1)
        for net, members in spec.nets.items():
            ticked = pd.concat(
                [data[present[m]].fillna(False).astype(bool) for m in members if m in present],
                axis=1,
            ).any(axis=1)
            new[net_column(question, net)] = ticked.astype("boolean").where(answered)
    else:
        items = [Item(question, order=spec.options)]
        answers = data[question]
        for net, members in spec.nets.items():
            indicator = answers.isin(members).astype("boolean")
            new[net_column(question, net)] = indicator.where(answers.notna())
    items += [Item(net_column(question, net), net_label(net, spec)) for net in spec.nets]
    return (design.with_columns(**new) if new else design), items


@dataclass(frozen=True, eq=False)
class ItemCodes:
    """An item's categories as codes, and where each of its rows comes from.

    Attributes
    ----------
    item : Item
    codes : ndarray of int
        Every respondent's category (-1: no answer).
    n_categories : int
    source : ndarray of int
        For every row, its category (-1: an option nobody chose).
    labels : ndarray of str
        The rows' ``category`` labels.
    mirrored : bool
        The rows are the complement of ``source`` (an indicator nobody has true).
    """

    item: Item
    codes: np.ndarray
    n_categories: int
    source: np.ndarray
    labels: np.ndarray
    mirrored: bool = False


def _item_codes(data: pd.DataFrame, item: Item) -> ItemCodes:
    codes, cats = category_codes(data[item.column])
    if len(cats) == 0:
        raise ListeningError(
            f"column {item.column!r} has no answers in the data; nothing to estimate"
        )
    text = [str(v) for v in cats.astype(object)]
    if item.label is not None:
        truth = np.array([bool(v) is True for v in cats.astype(object)])
        source = np.flatnonzero(truth if truth.any() else ~truth)
        labels = np.full(len(source), item.label, dtype=object)
        return ItemCodes(item, codes, len(cats), source, labels, mirrored=not truth.any())
    if not item.order:
        return ItemCodes(item, codes, len(cats), np.arange(len(cats)), np.array(text, dtype=object))
    seen = [c for c in text if c not in item.order]
    if seen:
        raise ListeningError(
            f"crosstab: categories {seen} are in the data but not among the codebook's options "
            f"{list(item.order)}; read the survey with the same codebook."
        )
    position = {c: k for k, c in enumerate(text)}
    source = np.array([position.get(o, -1) for o in item.order], dtype=np.int64)
    return ItemCodes(item, codes, len(cats), source, np.array(item.order, dtype=object))


@dataclass(frozen=True, eq=False)
class QuestionCodes:
    """A question's items as codes, shared by every table of the question.

    Attributes
    ----------
    question : str
    spec : Question or None
    design : SurveyDesign
        The design with the nets' indicator columns.
    items : tuple of ItemCodes
    answered : ndarray of bool
        Who is in the base of the question (answered it, inside the design's domain).
    """

    question: str
    spec: Question | None
    design: SurveyDesign
    items: tuple[ItemCodes, ...]
    answered: np.ndarray

    @cached_property
    def everyone(self) -> np.ndarray:
        """The "All" group's codes: 0 inside the design's domain, -1 outside."""
        inside = True if self.design.domain is None else self.design.domain
        return np.broadcast_to(np.where(inside, 0, -1), (len(self.design),)).astype(np.int64)

    @cached_property
    def weights(self) -> np.ndarray:
        """The design's weights."""
        return np.asarray(self.design.weights, dtype=float)

    @cached_property
    def first_answered(self) -> np.ndarray:
        """Who answered the first item, inside the design's domain (Kish bases use them)."""
        inside = self.design.data[self.items[0].item.column].notna().to_numpy()
        if self.design.domain is not None:
            inside = inside & np.asarray(self.design.domain, dtype=bool)  # to_numpy() is read-only
        return inside


def question_codes(design: SurveyDesign, question: str, spec: Question | None) -> QuestionCodes:
    """Factorize a question's items once (see :class:`QuestionCodes`).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> codes = question_codes(yl.SurveyDesign(pd.DataFrame({"q": list("yxy")})), "q", None)
    >>> codes.items[0].codes.tolist(), codes.items[0].labels.tolist()
    ([1, 0, 1], ['x', 'y'])
    """
    design, items = question_items(design, question, spec)
    data = design.data
    if spec is not None and spec.type == "multi":
        columns = [c for c in spec.option_columns.values() if c in data.columns]
        answered = data[columns].notna().any(axis=1).to_numpy()
    else:
        answered = data[question].notna().to_numpy()
    if design.domain is not None:
        answered = answered & np.asarray(design.domain, dtype=bool)  # to_numpy() is read-only
    coded = tuple(_item_codes(data, item) for item in items)
    return QuestionCodes(question, spec, design, coded, answered)


@dataclass(frozen=True, eq=False)
class ByCodes:
    """A breakdown's groups as codes, shared by every question.

    Attributes
    ----------
    by : tuple of str
    design : SurveyDesign
        The design with the ``by`` columns as published (``DisclosurePolicy.grouped``).
    codes : ndarray of int
        Every respondent's group (-1: none, or outside the design's domain).
    keys : list of tuple of str
        The groups' ``by`` values as text, "All" (everyone) first.
    """

    by: tuple[str, ...]
    design: SurveyDesign
    codes: np.ndarray
    keys: list[tuple[str, ...]]

    @property
    def n_groups(self) -> int:
        """Groups without "All"."""
        return len(self.keys) - 1


def by_codes(design: SurveyDesign, by: list[str], grouped: Mapping[str, pd.Series]) -> ByCodes:
    """Factorize a breakdown once: ``grouped`` replaces ``by`` columns as published.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> codes = by_codes(yl.SurveyDesign(pd.DataFrame({"g": ["b", None, "a"]})), ["g"], {})
    >>> codes.codes.tolist(), codes.keys
    ([1, -1, 0], [('All',), ('a',), ('b',)])
    """
    if grouped:
        design = design.with_columns(**grouped)
    codes, groups = domains(design.data, list(by), design.domain)
    text = [[str(v) for v in groups[c].astype(object)] for c in by]
    keys = [(ALL,) * len(by), *zip(*text, strict=True)] if len(groups) else [(ALL,) * len(by)]
    return ByCodes(tuple(by), design, codes, keys)


@dataclass(frozen=True, eq=False)
class Rows:
    """One table's rows, item by item (see the module notes), as arrays.

    Attributes
    ----------
    by : tuple of str
    keys : list of tuple of str
        The groups ("All" first).
    group : ndarray of int
        Every row's group (its position in ``keys``).
    category : ndarray of str
    columns : dict of ndarray
        ``n`` and ``base`` (the least base of the group's items), and with
        :func:`estimate_rows` the estimates, tests and Kish bases too.
    """

    by: tuple[str, ...]
    keys: list[tuple[str, ...]]
    group: np.ndarray
    category: np.ndarray
    columns: dict[str, np.ndarray]

    def labels(self) -> dict[str, np.ndarray]:
        """The ``by`` columns (as text) and ``category`` of every row."""
        keys = np.array(self.keys, dtype=object).reshape(len(self.keys), len(self.by))
        frame = {c: keys[self.group, k] for k, c in enumerate(self.by)}
        frame["category"] = self.category
        return frame

    def to_frame(self) -> pd.DataFrame:
        """The ``by`` columns (as text), ``category``, ``n`` and ``base``: what protection sees."""
        return pd.DataFrame({**self.labels(), "n": self.columns["n"], "base": self.columns["base"]})


def _counts(item: ItemCodes, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Respondents by group x category (``proportion``'s ``n``)."""
    inside = (group >= 0) & (item.codes >= 0)
    key = group[inside] * item.n_categories + item.codes[inside]
    counts = np.bincount(key, minlength=n_groups * item.n_categories)
    return counts.reshape(n_groups, item.n_categories)


def _picked_counts(
    item: ItemCodes, counts: np.ndarray, weighted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` of the item's rows (groups x rows, NaN where unknown) and each group's base.

    As :func:`estimate_rows`: an option nobody chose has ``n`` 0 where the
    group answered, and a group whose weights add to nothing has 0 throughout.
    """
    base = counts.sum(axis=1)
    n = counts[:, np.maximum(item.source, 0)].astype(float)
    if item.mirrored:
        n = base[:, None] - n
    n[:, item.source < 0] = np.nan
    if item.item.order:
        with np.errstate(invalid="ignore", divide="ignore"):
            blank = np.isnan(weighted / weighted) & (base > 0)
        n[blank] = 0.0
        n[:, item.source < 0] = np.where(base[:, None] > 0, 0.0, np.nan)
    return n, base


def _weighted(weights: np.ndarray, item: ItemCodes, group: np.ndarray, n_groups: int) -> np.ndarray:
    """The weighted base of every group."""
    inside = (group >= 0) & (item.codes >= 0)
    return np.bincount(group[inside], weights[inside], minlength=n_groups)


def _layout(codes: QuestionCodes, by: ByCodes) -> tuple[np.ndarray, np.ndarray]:
    """Every row's group and category label, item by item."""
    n_groups = len(by.keys)
    group = [np.repeat(np.arange(n_groups), len(it.source)) for it in codes.items]
    category = [np.tile(it.labels, n_groups) for it in codes.items]
    return np.concatenate(group), np.concatenate(category)


def _least_base(base: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Each row's base replaced by the least base of its group (NaN ignored)."""
    least = np.full(n_groups, np.inf)
    ok = ~np.isnan(base)
    np.minimum.at(least, group[ok], base[ok])
    least[np.isinf(least)] = np.nan
    return least[group]


def count_rows(codes: QuestionCodes, by: ByCodes) -> Rows:
    """A table's ``n`` and ``base`` from counts alone (what protection needs).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"g": list("aab"), "q": ["x", None, "y"]}))
    >>> count_rows(question_codes(d, "q", None), by_codes(d, ["g"], {})).columns["base"].tolist()
    [2.0, 2.0, 1.0, 1.0, 1.0, 1.0]
    """
    everyone, weights = codes.everyone, codes.weights
    n_parts, base_parts = [], []
    for it in codes.items:
        counts = _counts(it, everyone, 1)
        n_all, base_all = _picked_counts(it, counts, _weighted(weights, it, everyone, 1))
        counts = _counts(it, by.codes, by.n_groups)
        weighted = _weighted(weights, it, by.codes, by.n_groups)
        n_grp, base_grp = _picked_counts(it, counts, weighted)
        n_parts.append(np.concatenate([n_all, n_grp]).ravel())
        r = len(it.source)
        base_parts.append(np.repeat(np.concatenate([base_all, base_grp]), r).astype(float))
    group, category = _layout(codes, by)
    base = _least_base(np.concatenate(base_parts), group, len(by.keys))
    return Rows(by.by, by.keys, group, category, {"n": np.concatenate(n_parts), "base": base})


_PICKED = ("estimate", "se", "ci_low", "ci_high", "n")


def _picked_estimates(item: ItemCodes, figures: dict, tests: dict | None) -> dict[str, np.ndarray]:
    """The item's rows (groups x rows) of ``proportion_arrays`` (and ``vs_rest_arrays``)."""
    src = np.maximum(item.source, 0)
    unseen = item.source < 0
    base = figures["base"]
    out = {c: figures[c][:, src].astype(float) for c in _PICKED}
    if item.mirrored:
        out["estimate"] = 1.0 - out["estimate"]
        out["ci_low"], out["ci_high"] = 1.0 - out["ci_high"], 1.0 - out["ci_low"]
        out["n"] = base[:, None] - out["n"]
    for c in _PICKED:
        out[c][:, unseen] = np.nan
    if item.item.order:  # an option nobody in the group chose: 0 (as everything NaN there)
        blank = np.isnan(out["estimate"]) & (base[:, None] > 0)
        for c in ("estimate", "se", "n"):
            out[c][blank] = 0.0
    shape = out["estimate"].shape
    out["base"] = np.broadcast_to(base[:, None], shape).astype(float)
    out["weighted_base"] = np.broadcast_to(figures["weighted_base"][:, None], shape)
    if tests is None:
        out["difference"] = np.full(shape, np.nan)
        out["p_value"] = np.full(shape, np.nan)
    else:
        difference = tests["difference"][:, src]
        out["difference"] = -difference if item.mirrored else difference
        out["p_value"] = tests["p_value"][:, src].copy()
        out["difference"][:, unseen] = np.nan
        out["p_value"][:, unseen] = np.nan
    return out


def estimate_rows(
    codes: QuestionCodes, by: ByCodes, *, ci: str, level: float, everyone: dict
) -> Rows:
    """A table's estimates, tests (``difference``, ``p_value``) and Kish bases.

    ``everyone`` keeps the "All" rows of each item (the same in every table
    of the question).

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"g": list("aabb"), "q": list("xyyy")}))
    >>> rows = estimate_rows(question_codes(d, "q", None), by_codes(d, ["g"], {}),
    ...                      ci="logit", level=0.95, everyone={})
    >>> rows.columns["estimate"].tolist()
    [0.25, 0.75, 0.5, 0.5, 0.0, 1.0]
    """
    design, inside, n_groups = codes.design, codes.everyone, by.n_groups
    parts = []
    for it in codes.items:
        if it.item not in everyone:
            figures = proportion_arrays(
                design, inside, 1, it.codes, it.n_categories, ci=ci, level=level
            )
            everyone[it.item] = _picked_estimates(it, figures, None)
        figures = proportion_arrays(
            design, by.codes, n_groups, it.codes, it.n_categories, ci=ci, level=level
        )
        tests = vs_rest_arrays(design, by.codes, n_groups, it.codes, it.n_categories)
        mine = _picked_estimates(it, figures, tests)
        parts.append({c: np.concatenate([everyone[it.item][c], mine[c]]).ravel() for c in mine})
    columns = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    group, category = _layout(codes, by)
    columns["base"] = _least_base(columns["base"], group, len(by.keys))
    columns["kish"] = _kish(codes, by)[group]
    return Rows(by.by, by.keys, group, category, columns)


def _kish(codes: QuestionCodes, by: ByCodes) -> np.ndarray:
    """Kish's effective base of every group ("All" first): (sum of weights)^2 / sum of squares."""
    inside = codes.first_answered
    w = codes.weights[inside]
    everyone = w.sum() ** 2 / (w**2).sum() if len(w) else np.nan
    member = by.codes[inside]
    sums = np.bincount(member[member >= 0], w[member >= 0], minlength=by.n_groups)
    squares = np.bincount(member[member >= 0], w[member >= 0] ** 2, minlength=by.n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_group = sums**2 / squares
    return np.concatenate([[everyone], per_group])


def association(
    codes: QuestionCodes, by: ByCodes
) -> RaoScottResult | dict[str, RaoScottResult | None] | None:
    """The table's Rao-Scott test, as :func:`listening.estimate.association.table_association`.

    Several ``by`` columns are one variable of their combinations (labelled
    "a x b", in the order of those labels); a multi-select question gets a
    test per option. None where there is no test.

    Examples
    --------
    >>> import pandas as pd
    >>> import listening as yl
    >>> d = yl.SurveyDesign(pd.DataFrame({"area": list("aaaabbbbcccc"),
    ...                                   "safe": list("yyyyyynnynnn")}))
    >>> round(association(question_codes(d, "safe", None), by_codes(d, ["area"], {})).p_value, 4)
    0.1223
    """
    column = by.codes
    if len(by.by) > 1:
        labels = np.array([" x ".join(key) for key in by.keys[1:]], dtype=object)
        rank = np.unique(labels, return_inverse=True)[1].reshape(-1)
        column = np.where(column >= 0, rank[np.maximum(column, 0)] if len(rank) else -1, -1)
    name = " x ".join(by.by)

    def tested(item: ItemCodes) -> RaoScottResult | None:
        try:
            return rao_scott_codes(codes.design, item.codes, column, names=(item.item.column, name))
        except ListeningError:  # too few categories, or a singular design matrix: no test
            return None

    if codes.spec is not None and codes.spec.type == "multi":
        options = set(codes.spec.option_columns.values())
        return {it.item.label: tested(it) for it in codes.items if it.item.column in options}
    return tested(codes.items[0])
