"""Who took part and the questions together: the groups a question must hide.

*Who took part* (:func:`listening.explorer.took_part.publish_took_part`)
publishes how many respondents there are in each district, age band, sex and
weighting cell; each question's publication
(:func:`listening.explorer.publication.publish`) publishes how many of them
answered, by the same districts and age bands and by gender, sex's finer
source. Each is protected on its own, so where the two hide different sides
of a small group, together they would give it away: Fenland's 130
respondents less its 60 boys (Who took part shows them as "Male") less its
66 girls who answered (the question shows them) leave its 4 children of
neither gender.

Two rules close the gap (:func:`publish_question`, which every page's
publication follows):

1. A question hides at least what Who took part hides. A group of a
   question's table whose respondents (everyone in it, answered or not) are
   exactly those of a group Who took part hides is hidden too
   ("secondary", :func:`forced_hides`), before the question's own
   protection runs around it (:func:`listening.publish.tables.protection`,
   ``hide``): Fenland x Boy when Who took part hides Fenland x Male, East
   Cambridgeshire x 16-18 when it hides that weighting cell.
2. The question is then protected once more together with Who took part
   (:func:`joint_hides`): one linear system holds Who took part's counts
   (everyone, frozen as it publishes them) and the question's bases (those
   who answered), and only the question's groups are hidden further, until
   no small group, overlap or leftover, among those who answered or among
   everyone, can be pinned. This catches what rule 1 cannot: a question
   hiding a group Who took part shows (the county's girls, when Who took
   part shows its females and no one skipped the question). The question's
   own protection then runs again around everything hidden, until neither
   adds a suppression.

Who took part is published first and never changes for a question, so its
page, its downloads and the weighting fit stay one pattern.
``tests/test_cross_publication.py`` checks the two publications together
with the linear-programming attacker.

Examples
--------
>>> import pandas as pd
>>> from listening.design.survey_design import SurveyDesign
>>> from listening.explorer.took_part import publish_took_part
>>> data = pd.DataFrame({"d": ["a"] * 30 + ["b"] * 30,
...                      "sex": ["Female"] * 14 + ["Male"] * 14 + ["Not known"] * 2
...                      + ["Female", "Male"] * 15,
...                      "gender": ["Girl"] * 14 + ["Boy"] * 14 + [None] * 2
...                      + ["Girl", "Boy"] * 15})
>>> took_part = publish_took_part(data, ["d", "sex"], [["d", "sex"]], min_base=10)
>>> hidden = {k for k, r in took_part.reasons[("d", "sex")].items() if r}
>>> forced = forced_hides(SurveyDesign(data), took_part, [("d", "gender")])
>>> forced[("d", "gender")] == {(d, {"Female": "Girl", "Male": "Boy"}[s])
...                             for d, s in hidden if s != "Not known"}
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.explorer.publication import Publication, breakdown_sets, check_floor, publish
from listening.ingest.codebook import Codebook
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.published import PublishedTable
from listening.publish.suppression import empty_pairs, protect
from listening.publish.table import ALL
from listening.publish.table_rows import ByCodes, by_codes, question_codes

QUESTION = "took part and a question"
"""The joint reader's name for its tables (one question: protected together)."""

NOT_STATED = "(not stated)"
"""The joint reader's value for a respondent lacking a variable (gender unstated)."""


def forced_hides(
    design: SurveyDesign,
    took_part: Publication,
    bys: Sequence[Sequence[str]],
    *,
    codebook: Codebook | None = None,
) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """The groups of a question's tables that Who took part hides: the same respondents.

    Parameters
    ----------
    design : SurveyDesign
        The question's design, over everyone who took part (the respondents
        Who took part counted, in any order of columns).
    took_part : Publication
        From :func:`~listening.explorer.took_part.publish_took_part` on the
        same respondents and minimum base.
    bys : sequence of sequences of str
        The question's tables (:func:`~listening.explorer.publication.breakdown_sets`).
    codebook : Codebook, optional
        The disclosure policy's groupings (default ``design.codebook``), as
        the question's protection publishes the groups.

    Returns
    -------
    dict
        Per table of ``bys`` (as a tuple), the keys of its groups (as
        :func:`listening.publish.tables.protection` returns them) whose
        respondents, answered or not, are exactly those of a group Who took
        part hides. Groups of nobody never match. A Who-took-part table with
        a column the design lacks is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"d": list("aab") * 10 + ["c"] * 3})
    >>> took_part = Publication("took part", 10, {("d",): {("All",): "", ("a",): "",
    ...                         ("b",): "secondary", ("c",): "threshold"}},
    ...                         frozenset({"d"}), {"d": ("a", "b", "c")})
    >>> sorted(forced_hides(SurveyDesign(data), took_part, [["d"]])[("d",)])
    [('b',), ('c',)]
    """
    book = codebook if codebook is not None else design.codebook
    return _forced_hides(design, took_part, bys, book, {})


def _forced_hides(
    design: SurveyDesign,
    took_part: Publication,
    bys: Sequence[Sequence[str]],
    book: Codebook | None,
    known: dict[tuple[str, ...], ByCodes],
) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """:func:`forced_hides`, the breakdowns' codes kept in ``known`` (see :func:`_codes`)."""
    policy = DisclosurePolicy.from_codebook(book, min_base=took_part.min_base)
    data = design.data
    hidden: set[bytes] = set()  # each hidden group of Who took part, as its respondents
    for by, reasons in took_part.reasons.items():
        if not set(by) <= set(data.columns):
            continue
        members = _members(design, list(by), policy, known)
        hidden |= {members[k] for k, r in reasons.items() if r and k in members}
    out = {}
    for by in bys:
        members = _members(design, list(by), policy, known)
        out[tuple(by)] = {k for k, m in members.items() if m in hidden}
    return out


def _codes(
    design: SurveyDesign,
    by: Sequence[str],
    policy: DisclosurePolicy,
    known: dict[tuple[str, ...], ByCodes],
) -> ByCodes:
    """The codes of the breakdown ``by`` as ``policy`` publishes it, kept in ``known``
    (for one design and the groupings of one codebook: the minimum base does not
    change them)."""
    key = tuple(by)
    if key not in known:
        known[key] = by_codes(design, list(by), policy.grouped(design.data, list(by)))
    return known[key]


def _members(
    design: SurveyDesign,
    by: list[str],
    policy: DisclosurePolicy,
    known: dict[tuple[str, ...], ByCodes],
) -> dict:
    """Each group of the table by ``by`` (its key) to its respondents' positions, as bytes;
    groups of nobody left out."""
    codes = _codes(design, by, policy, known)
    order = np.argsort(codes.codes, kind="stable")
    sizes = np.bincount(codes.codes[codes.codes >= 0], minlength=len(codes.keys) - 1)
    ends = np.cumsum(sizes)
    start = len(codes.codes) - int(ends[-1]) if len(ends) else len(codes.codes)
    out = {}
    for g, key in enumerate(codes.keys[1:]):
        if sizes[g]:
            end = start + int(ends[g])
            out[key] = order[end - int(sizes[g]) : end].astype(np.int64).tobytes()
    return out


def publish_question(
    design: SurveyDesign,
    question: str,
    *,
    columns: Sequence[str],
    min_base: int,
    took_part: Publication,
    codebook: Codebook | None = None,
    floor: Publication | None = None,
) -> Publication:
    """A question's publication protected together with Who took part (the rules above).

    :func:`~listening.explorer.publication.publish` with ``hide`` from
    :func:`forced_hides` of ``took_part`` (same respondents, same minimum
    base), then, while :func:`joint_hides` finds more to hide, again with
    those hidden too.

    ``floor`` is the same question's publication at the lowest minimum base
    the same readers can choose (the explorer's sidebar raises it, never lowers
    it): every group it hides is hidden here too, so whatever this one shows the
    floor shows as well, and the two together give away no more than the floor
    alone. Protected apart, a higher base can hide another side of a small group
    than the floor does, and the two together pin it (:func:`check_floor`).
    ``took_part`` must then be made with the floor's Who took part as its own
    floor (:func:`listening.explorer.took_part.publish_took_part`).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"d": list("aab") * 10 + ["c"] * 3, "q": list("xy") * 16 + ["x"]})
    >>> took_part = Publication("took part", 10, {("d",): {("All",): "", ("a",): "secondary",
    ...                         ("b",): "", ("c",): "threshold"}},
    ...                         frozenset({"d"}), {"d": ("a", "b", "c")})
    >>> publish_question(SurveyDesign(data), "q", columns=["d"], min_base=10,
    ...                  took_part=took_part).reasons[("d",)]
    {('All',): '', ('a',): 'secondary', ('b',): '', ('c',): 'threshold'}
    """
    bys = breakdown_sets(list(columns))
    book = codebook if codebook is not None else design.codebook
    known: dict[tuple[str, ...], ByCodes] = {}  # each breakdown's codes, for every step
    hide = _forced_hides(design, took_part, bys, book, known)
    if floor is not None:
        check_floor(floor, question, min_base, bys)
        hide = {by: set(hide.get(by, ())) | floor.hidden()[by] for by in bys}
    while True:
        pub = publish(
            design, question, columns=columns, min_base=min_base, codebook=codebook, hide=hide
        )
        more = _joint_hides(design, pub, took_part, book, known)
        if not any(more.values()):
            return pub
        hide = {by: set(hide.get(by, ())) | more.get(by, set()) for by in bys}


def joint_hides(
    design: SurveyDesign,
    pub: Publication,
    took_part: Publication,
    *,
    codebook: Codebook | None = None,
) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """More groups of a question to hide, so that it and Who took part together pin none.

    The reader of both has every count of Who took part (everyone) and every
    base of the question (those who answered). One linear system holds
    both: the question's tables are a part of everyone, marked by the
    pseudo-variable "answered" (yes: in its base); every table is there over
    everyone and over those who answered too, hidden (so that each
    group is attacked among those who answered and among everyone); gender's
    missing values are a value of their own, and sex and gender combinations
    nobody has are known to be empty. The question is protected on it
    (:func:`listening.publish.suppression.protect`, bases only) with Who took
    part's groups frozen as it publishes them: only the question's groups are
    hidden to protect a small group, leftover or overlap.

    Returns
    -------
    dict
        Per table of ``pub``, the keys of groups it does not hide yet and
        must.

    Examples
    --------
    Who took part hides ``a`` and so does the question: nothing more to hide.

    >>> import pandas as pd
    >>> data = pd.DataFrame({"d": list("aab") * 10 + ["c"] * 3, "q": list("xy") * 16 + ["x"]})
    >>> took_part = Publication("took part", 10, {("d",): {("All",): "", ("a",): "secondary",
    ...                         ("b",): "", ("c",): "threshold"}},
    ...                         frozenset({"d"}), {"d": ("a", "b", "c")})
    >>> pub = publish(SurveyDesign(data), "q", columns=["d"], min_base=10,
    ...               hide={("d",): {("a",)}})
    >>> joint_hides(SurveyDesign(data), pub, took_part)
    {('d',): set()}
    """
    book = codebook if codebook is not None else design.codebook
    return _joint_hides(design, pub, took_part, book, {})


def _joint_hides(
    design: SurveyDesign,
    pub: Publication,
    took_part: Publication,
    book: Codebook | None,
    known: dict[tuple[str, ...], ByCodes],
) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """:func:`joint_hides`, the breakdowns' codes kept in ``known`` (see :func:`_codes`)."""
    policy = DisclosurePolicy.from_codebook(book, min_base=pub.min_base)
    spec = book.questions.get(pub.question) if book is not None else None
    answered = np.asarray(question_codes(design, pub.question, spec).answered, dtype=bool)
    system = _System(design, policy, answered, known)
    for by, reasons in pub.reasons.items():  # the question: answered, shown as it decides
        system.add(by, reasons, answered=True)
    system.add_answered(hidden=bool(pub.everyone()))
    published = list(pub.reasons)
    for by, reasons in took_part.reasons.items():  # Who took part: everyone, frozen
        if set(by) <= set(design.data.columns):
            system.add(by, reasons, frozen=True)
            published.append(tuple(by))
    for column in system.variables():  # every value of every variable, missing too
        system.add((column,), None, frozen=True, missing=True)
    for by in published:  # every table in the other scope too, hidden
        system.add(by, None, answered=by not in pub.reasons, frozen=True)
    reasons = system.protect()
    out: dict[tuple[str, ...], set[tuple[str, ...]]] = {by: set() for by in pub.reasons}
    everyone = reasons[system.answered_table][0] != "" and not pub.everyone()
    for position, by, keys in system.question_tables:
        out[by] |= {k for k, why in zip(keys, reasons[position], strict=True) if why}
        out[by] -= {k for k, why in pub.reasons[by].items() if why}
        if everyone:
            out[by].add((ALL,) * len(by))
    return out


class _System:
    """The tables of the joint reader (:func:`joint_hides`), built one at a time: each
    with its true bases, every respondent's group, and its hidden and frozen groups."""

    def __init__(
        self,
        design: SurveyDesign,
        policy: DisclosurePolicy,
        answered: np.ndarray,
        known: dict[tuple[str, ...], ByCodes],
    ):
        self.design, self.policy, self.answered = design, policy, answered
        self.known = known  # the breakdowns' codes (see _codes)
        self.flag = "answered"  # the pseudo-variable, named apart from the data's columns
        while self.flag in design.data.columns:
            self.flag += "_"
        self.tables: list[PublishedTable] = []
        self.respondents: list[np.ndarray] = []
        self.hide: list[list[int]] = []
        self.frozen: list[list[int]] = []
        self.parts: list[bool] = []  # tables of those who answered
        self.question_tables: list[tuple[int, tuple[str, ...], list[tuple[str, ...]]]] = []
        self.answered_table = -1
        self.values: dict[str, np.ndarray] = {}  # each variable's value per respondent
        self._seen: set[tuple[bool, tuple[str, ...]]] = set()

    def variables(self) -> list[str]:
        return list(dict.fromkeys(v for t in self.tables for v in t.by if v != self.flag))

    def add(
        self,
        by: Sequence[str],
        reasons: dict[tuple[str, ...], str] | None,
        *,
        answered: bool = False,
        frozen: bool = False,
        missing: bool = False,
    ) -> None:
        """The table by ``by`` among those who answered (or everyone), hidden where
        ``reasons`` say (all of it without); ``missing``: respondents lacking its one
        variable form a group of their own."""
        by = tuple(by)
        if (answered, by) in self._seen:
            return
        self._seen.add((answered, by))
        codes = _codes(self.design, by, self.policy, self.known)
        group, keys = codes.codes.copy(), list(codes.keys[1:])
        domain = self.design.domain
        inside = np.ones(len(group), bool) if domain is None else np.asarray(domain, bool)
        if missing and (group[inside] < 0).any():
            group[(group < 0) & inside] = len(keys)
            keys.append((NOT_STATED,))
        if answered:
            group = np.where(self.answered, group, -1)
        if not answered and len(by) == 1:
            self.values[by[0]] = np.array([k[0] for k in keys] + [None], dtype=object)[group]
        bases = np.bincount(group[group >= 0], minlength=len(keys)).astype(float)
        if answered:
            columns, rows = [self.flag, *by], [("yes", *k) for k in keys]
            positions = group
        else:
            columns, rows = list(by), [(ALL,) * len(by), *keys]
            bases = np.concatenate([[float(inside.sum())], bases])
            positions = np.where(group >= 0, group + 1, -1)
            keys = [(ALL,) * len(by), *keys]
        frame = pd.DataFrame(rows, columns=columns).assign(category="x", n=bases, base=bases)
        if reasons is None:
            hidden = list(range(len(keys)))
        else:
            hidden = [i for i, k in enumerate(keys) if reasons.get(k, "")]
        if reasons is not None and not frozen:
            self.question_tables.append((len(self.tables), by, keys))
        table = PublishedTable(QUESTION, tuple(columns), frame)
        self._append(table, positions, hidden, frozen, answered)

    def add_answered(self, *, hidden: bool) -> None:
        """The question's "All": those who answered (yes; the others are in no group)."""
        frame = pd.DataFrame({self.flag: ["yes"], "category": "x", "n": [self.answered.sum()]})
        frame["base"] = frame["n"].astype(float)
        self.answered_table = len(self.tables)
        table = PublishedTable(QUESTION, (self.flag,), frame)
        self._append(table, np.where(self.answered, 0, -1), [0] if hidden else [], False, True)

    def _append(
        self,
        table: PublishedTable,
        positions: np.ndarray,
        hidden: list[int],
        frozen: bool,
        part: bool,
    ) -> None:
        self.tables.append(table)
        self.respondents.append(np.asarray(positions, dtype=int))
        self.hide.append(hidden)
        self.frozen.append(list(range(len(table.groups()))) if frozen else [])
        self.parts.append(part)

    def protect(self) -> list[np.ndarray]:
        """:func:`~listening.publish.suppression.protect` on the tables (bases only)."""
        variables = self.variables()
        known = pd.DataFrame({v: self.values[v] for v in variables if v in self.values})
        complete = [v for v in known if known[v].notna().all()]  # not the flag: "no" is no group
        return protect(
            self.tables,
            min_base=self.policy.min_base,
            complete=complete,
            empty=tuple(empty_pairs(known, [(v,) for v in known])),
            cost=self.policy.cost_of,
            respondents=self.respondents,
            leftovers=self.policy.leftovers,
            hide=self.hide,
            frozen=self.frozen,
            parts=self.parts,
        )
