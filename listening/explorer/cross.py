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

The rule: a question hides at least what Who took part hides. A group of a
question's table whose respondents (everyone in it, answered or not) are
exactly those of a group Who took part hides is hidden too ("secondary"),
before the question's own protection runs around it
(:func:`listening.publish.tables.protection`, ``hide``): Fenland x Boy when
Who took part hides Fenland x Male, East Cambridgeshire x 16-18 when it hides
that weighting cell. A reader then meets the same hidden side of every small
group in both publications. ``tests/test_cross_publication.py`` checks the two
together with the linear-programming attacker (each question's respondents
who answered as a part of everyone).

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

from listening.design.survey_design import SurveyDesign
from listening.explorer.publication import Publication, breakdown_sets, publish
from listening.ingest.codebook import Codebook
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.table_rows import by_codes


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
    policy = DisclosurePolicy.from_codebook(book, min_base=took_part.min_base)
    data = design.data
    hidden: set[bytes] = set()  # each hidden group of Who took part, as its respondents
    for by, reasons in took_part.reasons.items():
        if not set(by) <= set(data.columns):
            continue
        members = _members(design, list(by), policy)
        hidden |= {members[k] for k, r in reasons.items() if r and k in members}
    out = {}
    for by in bys:
        members = _members(design, list(by), policy)
        out[tuple(by)] = {k for k, m in members.items() if m in hidden}
    return out


def _members(design: SurveyDesign, by: list[str], policy: DisclosurePolicy) -> dict:
    """Each group of the table by ``by`` (its key) to its respondents' positions, as bytes;
    groups of nobody left out."""
    codes = by_codes(design, by, policy.grouped(design.data, by))
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
) -> Publication:
    """A question's publication hiding at least what Who took part hides (the rule above).

    :func:`~listening.explorer.publication.publish` with ``hide`` from
    :func:`forced_hides` of ``took_part`` (same respondents, same minimum base).

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
    hide = forced_hides(design, took_part, bys, codebook=codebook)
    return publish(
        design, question, columns=columns, min_base=min_base, codebook=codebook, hide=hide
    )
