"""One publication per data source, question and minimum base: the explorer's hidden pattern.

Every table the explorer can show of a question (by each breakdown alone, by
each pair of breakdowns) is protected together, once, by
:func:`listening.publish.tables.crosstabs` (threshold, then secondary
suppression proven by the linear-programming attacker of
:mod:`listening.publish.audit`). :func:`publish` keeps which groups that
publication hides and why; every page takes its ``[c]`` from it, so the same
question, breakdown and minimum base give the same pattern on the Overview,
Explore, the Map and their downloads.

A filter is one more published breakdown: all the views filtered on a
variable ``F`` are spanned by the joint table of ``F`` and the breakdown. A
filtered view's group (``F`` in ``S``, breakdown group ``d``) is shown only
when it adds nothing to what the publication already shows
(:func:`view_reasons`):

(a) every joint group (``f``, ``d``), ``f`` in ``S``, is shown (the view's
    figures are their sums), or
(b) ``F`` is one no respondent lacks, the line total ``d`` is shown, and every
    joint group (``f``, ``d``) with ``f`` outside ``S`` is shown (the view's
    figures are the total less those).

Otherwise it shows ``[c]``: hidden to protect a smaller group. A filtered
view by one breakdown then hides its smallest shown groups while its "All"
less its shown groups is 1 to ``min_base - 1`` (the filter's respondents in
no shown group: girls in North or South when only boys are shown). A view whose
breakdowns and filter variables together make a table the publication does
not hold (three variables, or a pair in :data:`UNPUBLISHED_PAIRS`) is refused
with a message saying what to choose instead (:func:`refusal`).

Examples
--------
>>> import pandas as pd
>>> pub = Publication("q", 10, {("g",): {("All",): "", ("a",): "", ("b",): "secondary"}},
...                   frozenset({"g"}), {"g": ("a", "b")})
>>> groups = pd.DataFrame({"g": ["All"]})
>>> view_reasons(pub, (), {"g": ("a",)}, groups, [40])
['']
>>> view_reasons(pub, (), {"g": ("b",)}, groups, [20])  # All less a: already published
['']
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.association import RaoScottResult
from listening.ingest.codebook import Codebook
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.table import ALL, ESTIMATE_COLUMNS
from listening.publish.tables import Crosstab, protection

THRESHOLD, SECONDARY = "threshold", "secondary"

UNPUBLISHED_PAIRS: frozenset[frozenset[str]] = frozenset({frozenset({"gender", "school_year"})})
"""Pairs of breakdowns the explorer does not publish together.

Gender by school year splits the few who describe their gender another way
into seven small groups; protecting them with every other table costs two
districts' figures on the sample (East Cambridgeshire and Fenland in every
question by district). Age band with gender shows nearly the same.
"""


@dataclass(frozen=True)
class Publication:
    """Which groups the explorer's publication of one question hides, and why.

    Attributes
    ----------
    question : str
    min_base : int
    reasons : dict
        Per table (its ``by`` columns, in :attr:`order`), each group's key
        (its ``by`` values as text, ``"All"`` for everyone) to ``""`` (shown),
        ``"threshold"`` or ``"secondary"``.
    complete : frozenset of str
        Breakdown columns no respondent lacks.
    levels : dict
        Each breakdown column's values in the data.
    """

    question: str
    min_base: int
    reasons: dict[tuple[str, ...], dict[tuple[str, ...], str]]
    complete: frozenset[str]
    levels: dict[str, tuple[str, ...]]

    @property
    def order(self) -> list[str]:
        """The breakdown columns, in the order the publication's tables use."""
        return list(self.levels)

    def table(self, columns: Sequence[str]) -> dict[tuple[str, ...], str] | None:
        """The reasons of the table by ``columns`` (any order), keyed in :attr:`order`."""
        return self.reasons.get(tuple(c for c in self.order if c in set(columns)))

    def everyone(self) -> str:
        """The reason of the whole population's row ("All")."""
        first = next(iter(self.reasons.values()))
        return first[next(k for k in first if all(x == ALL for x in k))]

    def hidden(self) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
        """Per table, the keys of the groups it hides (for whatever reason).

        What a publication at a higher minimum base must hide too (``floor`` of
        :func:`listening.explorer.cross.publish_question`).

        Examples
        --------
        >>> pub = Publication("q", 10, {("g",): {("All",): "", ("a",): "threshold"}},
        ...                   frozenset(), {"g": ("a",)})
        >>> pub.hidden()
        {('g',): {('a',)}}
        """
        return {by: {k for k, why in table.items() if why} for by, table in self.reasons.items()}

    def reason(self, by: Sequence[str], key: Sequence[str]) -> str:
        """Why the group ``key`` of the table by ``by`` is hidden (``""``: shown).

        Examples
        --------
        >>> pub = Publication("q", 10, {("g",): {("All",): "", ("a",): "threshold"}},
        ...                   frozenset(), {"g": ("a",)})
        >>> pub.reason(["g"], ["a"]), pub.reason(["g"], ["All"])
        ('threshold', '')
        """
        fixed = {c: str(v) for c, v in zip(by, key, strict=True) if str(v) != ALL}
        if not fixed:
            return self.everyone()
        table = self.table(list(fixed))
        if table is None:
            return SECONDARY
        wanted = tuple(fixed[c] for c in self.order if c in fixed)
        return table.get(wanted, SECONDARY)


def check_floor(
    floor: Publication, question: str, min_base: int, tables: Sequence[tuple[str, ...]]
) -> None:
    """Refuse a ``floor`` that is not a lower-base publication of the same tables.

    Raises
    ------
    ListeningError
        If ``floor`` publishes another question or other tables, or at a
        higher minimum base than ``min_base``.

    Examples
    --------
    >>> floor = Publication("q", 10, {("d",): {("All",): "", ("a",): ""}}, frozenset(), {})
    >>> check_floor(floor, "q", 20, [("d",)])
    >>> check_floor(floor, "q", 5, [("d",)])
    Traceback (most recent call last):
    ...
    listening.errors.ListeningError: floor: the publication at minimum base 10 of 'q' cannot be \
the floor of one at minimum base 5; pass the publication at the lowest minimum base readers can \
choose, made from the same data and breakdowns.
    """
    if (
        floor.question != question
        or floor.min_base > min_base
        or set(floor.reasons) != set(map(tuple, tables))
    ):
        raise ListeningError(
            f"floor: the publication at minimum base {floor.min_base} of {floor.question!r} "
            f"cannot be the floor of one at minimum base {min_base}"
            + (f" of {question!r}" if floor.question != question else "")
            + "; pass the publication at the lowest minimum base readers can choose, made "
            "from the same data and breakdowns."
        )


def breakdown_sets(columns: Sequence[str]) -> list[tuple[str, ...]]:
    """The tables of a publication: each column alone, then each pair.

    Examples
    --------
    >>> breakdown_sets(["a", "b", "c"])
    [('a',), ('b',), ('c',), ('a', 'b'), ('a', 'c'), ('b', 'c')]
    >>> ("gender", "school_year") in breakdown_sets(["gender", "school_year"])
    False
    """
    pairs = [p for p in itertools.combinations(columns, 2) if frozenset(p) not in UNPUBLISHED_PAIRS]
    return [(c,) for c in columns] + pairs


def publish(
    design: SurveyDesign,
    question: str,
    *,
    columns: Sequence[str],
    min_base: int,
    codebook: Codebook | None = None,
    hide: Mapping[tuple[str, ...], Collection[tuple[str, ...]]] | None = None,
) -> Publication:
    """Protect every table of ``question`` by ``columns`` (alone and in pairs) together.

    The hidden pattern depends only on the respondents' numbers, so weighted
    and unweighted views share it. With ``hide`` (the groups *Who took part*
    hides, :func:`listening.explorer.cross.forced_hides`) those groups are
    hidden first and the rest is protected around them, so the question and
    Who took part hide the same side of every small group.

    Parameters
    ----------
    design : SurveyDesign
        The data source's design (weights do not change the pattern).
    question : str
    columns : sequence of str
        The breakdowns the explorer offers (those in the data).
    min_base : int
    codebook : Codebook, optional
    hide : mapping, optional
        Per table (its columns, as in :func:`breakdown_sets`), the keys of
        groups that must be hidden whatever their base.

    Returns
    -------
    Publication

    Raises
    ------
    ListeningError
        If ``hide`` names a table the publication does not have (or a group
        its table lacks).

    Examples
    --------
    >>> data = pd.DataFrame({"g": list("aab") * 10 + ["c"] * 3, "q": list("xy") * 16 + ["x"]})
    >>> pub = publish(SurveyDesign(data), "q", columns=["g"], min_base=10)
    >>> pub.reasons[("g",)]
    {('All',): '', ('a',): '', ('b',): 'secondary', ('c',): 'threshold'}
    >>> publish(SurveyDesign(data), "q", columns=["g"], min_base=10,
    ...         hide={("g",): {("a",)}}).reasons[("g",)]
    {('All',): '', ('a',): 'secondary', ('b',): '', ('c',): 'threshold'}
    """
    bys = breakdown_sets(list(columns))
    book = codebook if codebook is not None else design.codebook
    policy = DisclosurePolicy.from_codebook(book, min_base=min_base)
    unknown = [by for by in hide or {} if tuple(by) not in bys]
    if unknown:
        raise ListeningError(
            f"publish: hide names table(s) {unknown} that the publication of {question!r} "
            f"does not have; use tables of {bys}."
        )
    forced = None if hide is None else [hide.get(b, ()) for b in bys]
    found = protection(
        design, question, [list(b) for b in bys], policy=policy, codebook=book, hide=forced
    )
    reasons = dict(zip(bys, found, strict=True))  # counts alone: what crosstabs would hide
    data = design.data
    complete = {c for c in columns if data[c].notna().all()}
    complete |= {c for c in columns if c in policy.complete}
    levels = {c: tuple(map(str, data[c].dropna().astype(str).unique())) for c in columns}
    return Publication(question, min_base, reasons, frozenset(complete), levels)


def refusal(by: Sequence[str], filters: Mapping[str, Sequence[str]]) -> str | None:
    """Why a view cannot be shown (None when it can): it needs a table of three variables.

    Examples
    --------
    >>> refusal(["district"], {"gender": ["Girl"]}) is None
    True
    >>> refusal(["district"], {"gender": ["Girl"], "age_band": ["14-15"]})[:40]
    'Filters on gender and age band with a br'
    >>> refusal(["school_year"], {"gender": ["Girl"]})[:55]
    'The explorer does not publish school year with gender t'
    """
    chosen = [c for c, v in filters.items() if v]
    variables = list(dict.fromkeys([*by, *chosen]))
    if frozenset(variables) in UNPUBLISHED_PAIRS:
        first, second = (v.replace("_", " ") for v in variables)
        return (
            f"The explorer does not publish {first} with {second} together (its groups are "
            f"too small to protect without hiding much more elsewhere). Use age band instead "
            f"of school year, or look at {first} and {second} one at a time."
        )
    if len(variables) <= 2:
        return None
    words = " and ".join(c.replace("_", " ") for c in chosen)
    return (
        f"Filters on {words} with a breakdown by {' and '.join(b.replace('_', ' ') for b in by)} "
        "would need a table of three variables, which the explorer does not publish (its "
        "small groups could be worked out). Choose at most two variables in all: for "
        "instance one filter and one breakdown, a breakdown by two variables without a "
        "filter, or filters on two variables with no breakdown."
    )


def view_reasons(
    pub: Publication,
    by: Sequence[str],
    filters: Mapping[str, Sequence[str]],
    groups: pd.DataFrame,
    bases: Sequence[float],
) -> list[str]:
    """Why each group of a (filtered) view is hidden, consistently with the publication.

    Parameters
    ----------
    pub : Publication
    by : sequence of str
        The view's breakdowns.
    filters : mapping
        Column to the values kept (empty: no filter on it).
    groups : DataFrame
        The view's groups: its ``by`` columns (``"All"`` for everyone).
    bases : sequence of float
        Each group's base in the view (respondents in the filter who answered).

    Returns
    -------
    list of str
        ``""`` (shown), ``"threshold"`` or ``"secondary"`` per group.

    Raises
    ------
    ListeningError
        If the view needs a table the publication lacks (see :func:`refusal`).
    """
    chosen = {c: tuple(map(str, v)) for c, v in filters.items() if v}
    message = refusal(by, chosen)
    if message:
        raise ListeningError(message)
    out = []
    keys = groups[list(by)].astype(str).itertuples(index=False, name=None)
    for key, base in zip(keys, bases, strict=True):
        if pd.isna(base) or base < pub.min_base:
            out.append(THRESHOLD)
            continue
        fixed = {c: v for c, v in zip(by, key, strict=True) if v != ALL}
        if not chosen:
            out.append(pub.reason(list(fixed), list(fixed.values())))
            continue
        restricted = {c: (v,) for c, v in fixed.items()}
        for column, values in chosen.items():
            restricted[column] = tuple(v for v in restricted.get(column, values) if v in values)
        free = [c for c in chosen if c not in fixed]
        out.append("" if _derivable(pub, restricted, free) else SECONDARY)
    if chosen and len(by) == 1:
        _protect_rest(out, groups[by[0]].astype(str).tolist(), bases, pub.min_base)
    return out


def _protect_rest(
    reasons: list[str], keys: list[str], bases: Sequence[float], min_base: int
) -> None:
    """Hide more of a filtered view until its "All" less its shown groups is not small.

    The filter's respondents outside every shown group (a hidden group, or
    those without the breakdown: girls or the unstated in North or South when
    only boys are shown) are the view's "All" less its shown groups; while
    they number 1 to ``min_base - 1``, the smallest shown group is hidden too.
    """
    everyone = [i for i, k in enumerate(keys) if k == ALL]
    if not everyone or reasons[everyone[0]] != "":
        return
    total = float(bases[everyone[0]])
    while True:
        shown = [i for i, k in enumerate(keys) if k != ALL and reasons[i] == ""]
        rest = total - sum(float(bases[i]) for i in shown)
        if not shown or not 0 < rest < min_base:
            return
        reasons[min(shown, key=lambda i: float(bases[i]))] = SECONDARY


def _derivable(pub: Publication, restricted: dict[str, tuple[str, ...]], free: list[str]) -> bool:
    """Whether the sum of the joint groups ``restricted`` follows from the shown groups.

    ``free`` are the filtered columns (a set of values each, not one group).
    """
    table = pub.table(list(restricted))
    if table is None:
        return False
    if _all_shown(pub, table, restricted):
        return True
    if len(free) != 1 or free[0] not in pub.complete:
        return False
    (column,) = free
    line = {c: v for c, v in restricted.items() if c != column}
    if pub.reason(list(line), [v[0] for v in line.values()]) != "":
        return False
    rest = tuple(v for v in pub.levels[column] if v not in set(restricted[column]))
    return _all_shown(pub, table, {**restricted, column: rest})


def _all_shown(
    pub: Publication, table: dict[tuple[str, ...], str], restricted: dict[str, tuple[str, ...]]
) -> bool:
    """Whether every joint group of ``restricted`` is shown or known to be empty.

    A combination the table does not list although it lists each of its values
    is known to be empty; a value the table never lists (a category published
    for the county only) is not published there.
    """
    columns = [c for c in pub.order if c in restricted]
    listed = [{k[i] for k in table} for i in range(len(columns))]
    for combination in itertools.product(*(restricted[c] for c in columns)):
        reason = table.get(combination)
        if reason is None:
            if not all(v in seen for v, seen in zip(combination, listed, strict=True)):
                return False
        elif reason != "":
            return False
    return True


def apply_reasons(tab: Crosstab, reasons: Sequence[str], *, min_base: int) -> Crosstab:
    """A crosstab made without suppression, with the publication's groups hidden.

    Parameters
    ----------
    tab : Crosstab
        Made with ``min_base=0`` (every figure present).
    reasons : sequence of str
        Per group of ``tab`` (in order of first appearance): ``""``,
        ``"threshold"`` or ``"secondary"``.
    min_base : int
        The publication's minimum base (for the exports' notes).

    Returns
    -------
    Crosstab
        Hidden groups have NaN figures, ``suppressed`` True, their ``reason``,
        no significance claim and no ``[u]``.

    Examples
    --------
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("ab") * 10, "q": list("xy") * 10})
    >>> tab = yl.crosstab(yl.SurveyDesign(data), "q", by="g", min_base=0)
    >>> out = apply_reasons(tab, ["", "secondary", ""], min_base=10)
    >>> out.table.drop_duplicates("g")["base"].tolist(), out.min_base
    ([20, <NA>, 10], 10)
    """
    by = list(tab.by)
    table = tab.table.copy()
    groups = table.drop_duplicates(by)[by].astype(str)
    keys = dict(zip(groups.itertuples(index=False, name=None), reasons, strict=True))
    reason = pd.Series(
        [keys[k] for k in table[by].astype(str).itertuples(index=False, name=None)],
        index=table.index,
    )
    hidden = (reason != "").to_numpy()
    for column in [c for c in [*ESTIMATE_COLUMNS, "weighted_base"] if c in table]:
        table[column] = table[column].astype(float).where(~hidden)
    table["n"] = table["n"].round().astype("Int64")
    table["base"] = table["base"].astype(float).where(~hidden).round().astype("Int64")
    table["suppressed"] = hidden
    table["reason"] = reason.to_numpy()
    table["vs_rest"] = np.where(hidden, 0, table["vs_rest"]).astype(int)
    table["low_reliability"] = table["low_reliability"].astype(bool) & ~hidden
    policy = tab.policy.with_min_base(min_base) if tab.policy is not None else None
    return dataclasses.replace(tab, table=table, min_base=min_base, policy=policy)


def protected_view(
    tab: Crosstab,
    pub: Publication,
    filters: Mapping[str, Sequence[str]],
) -> Crosstab:
    """A view (made with ``min_base=0``) with the publication's pattern (:func:`view_reasons`).

    Examples
    --------
    >>> import listening as yl
    >>> data = pd.DataFrame({"g": list("aab") * 10 + ["c"] * 3, "q": list("xy") * 16 + ["x"]})
    >>> design = yl.SurveyDesign(data)
    >>> pub = publish(design, "q", columns=["g"], min_base=10)
    >>> view = protected_view(yl.crosstab(design, "q", by="g", min_base=0), pub, {})
    >>> view.table.drop_duplicates("g")["reason"].tolist()
    ['', '', 'secondary', 'threshold']
    """
    by = list(tab.by)
    groups = tab.table.drop_duplicates(by)
    reasons = view_reasons(pub, by, filters, groups[by], groups["base"].astype(float).tolist())
    return apply_reasons(tab, reasons, min_base=pub.min_base)


def hidden_note(table: pd.DataFrame, by: Sequence[str], min_base: int) -> str:
    """Which groups show ``[c]`` and why, in words.

    Examples
    --------
    >>> t = pd.DataFrame({"g": ["All", "a", "b"], "reason": ["", "threshold", "secondary"]})
    >>> hidden_note(t, ["g"], 10)
    '[c] fewer than 10 answered: a. [c] hidden to protect a smaller group: b.'
    """
    groups = table.drop_duplicates(list(by)) if by else table.iloc[:1]
    names = groups[list(by)].astype(str).agg(" x ".join, axis=1) if by else pd.Series(["All"])
    parts = []
    for reason, words in (
        (THRESHOLD, f"fewer than {min_base} answered"),
        (SECONDARY, "hidden to protect a smaller group"),
    ):
        found = names[groups["reason"].astype(str).to_numpy() == reason].tolist()
        if found:
            parts.append(f"[c] {words}: {', '.join(found)}.")
    return " ".join(parts)


def published_headlines(
    frame: pd.DataFrame,
    publications: Sequence[Publication],
    *,
    by: str | None = None,
    group: str | None = None,
) -> pd.DataFrame:
    """Headline figures (county, or one group against the rest) with the publication's ``[c]``.

    Parameters
    ----------
    frame : DataFrame
        From :func:`listening.explorer.views.headline_estimates` (``by`` None)
        or :func:`~listening.explorer.views.headline_comparison`, one row per
        publication.
    publications : sequence of Publication
        The publication of each row's question.
    by, group : str, optional
        The compared group: hidden when its publication hides it (or hides
        "All": the rest would follow).

    Returns
    -------
    DataFrame
        ``frame`` with ``reason`` and ``suppressed`` following the
        publications, and hidden rows' figures NaN.

    Examples
    --------
    >>> pub = Publication("q", 10, {("g",): {("All",): "", ("a",): "secondary"}},
    ...                   frozenset(), {"g": ("a",)})
    >>> f = pd.DataFrame({"estimate": [0.5], "base": [40], "suppressed": [False]})
    >>> published_headlines(f, [pub], by="g", group="a")[["estimate", "reason"]].values.tolist()
    [[nan, 'secondary']]
    """
    out = frame.copy()
    reasons = []
    for hidden, pub in zip(out["suppressed"].astype(bool), publications, strict=True):
        everyone = pub.everyone()
        mine = pub.reason([by], [group]) if by is not None else everyone
        if hidden and mine == "":
            mine = SECONDARY  # the rest of the county is too small: the group would give it
        reasons.append(mine or (SECONDARY if everyone else ""))
    out["reason"] = reasons
    out["suppressed"] = out["reason"] != ""
    figures = [
        c
        for c in ("estimate", "se", "ci_low", "ci_high", "rest", "difference", "p_holm", "vs_rest")
        if c in out
    ]
    out[figures] = out[figures].astype(float)
    out.loc[out["suppressed"], figures] = np.nan
    return out


def shown_test(tab: Crosstab) -> RaoScottResult | None:
    """A table's test of association as the explorer may state it: none when the table
    hides a group.

    The Rao-Scott test is over every group, the hidden ones too: its p-value, with the
    shown groups' counts, narrows down a hidden group's answers (for a survey without
    clusters it is a function of the counts alone; one red-team trial pinned a hidden
    district's base among five possible splits). Where a group is hidden the page says
    no test is stated instead.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"g": list("ab") * 20 + ["c"] * 3, "q": list("xyyx") * 10 + ["x"] * 3})
    >>> from listening.publish.tables import crosstab
    >>> shown_test(crosstab(SurveyDesign(data), "q", by="g", min_base=1)) is not None
    True
    >>> shown_test(crosstab(SurveyDesign(data), "q", by="g", min_base=10)) is None
    True
    """
    table = tab.table
    groups = table[list(tab.by)].ne(ALL).any(axis=1) if tab.by else pd.Series(False, table.index)
    return None if table.loc[groups, "suppressed"].any() else tab.test
