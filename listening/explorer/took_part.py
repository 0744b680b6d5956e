"""Who took part, as one protected publication: respondents by each variable and weighting cell.

The Who took part page shows how many respondents there are by district, age
band and sex, and (the raking fit) in each weighting cell, such as district x
sex. These are tables of one population, everyone who took part, so they
are protected together like the explorer's other publications
(:func:`listening.publish.tables.protection`, the counts-only protection of
``yl.crosstabs``, with everyone as the base: the codebook's disclosure
policy, the sidebar's minimum base, secondary suppression proven by the
linear-programming attacker, small overlaps and leftovers included). The
page, its downloads and the raking fit share the one pattern, so a hidden
count does not follow from a total less the shown ones, in one table or
across them (Fenland's 4 children of unknown sex are not Fenland's 130 less
its girls and boys).

Examples
--------
>>> data = pd.DataFrame({"g": list("aab") * 10 + ["c"] * 3})
>>> pub = publish_took_part(data, ["g"], min_base=10)
>>> pub.reasons[("g",)]
{('All',): '', ('a',): '', ('b',): 'secondary', ('c',): 'threshold'}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.explorer.publication import SECONDARY, Publication, check_floor
from listening.ingest.codebook import Codebook
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.table import ALL
from listening.publish.tables import protection

QUESTION = "took part"
"""The publication's name: everyone who took part is its base."""

SUPPRESSED_LABEL = "[c]"

NOT_AVAILABLE = "Not available"
"""What a population share reads where the data source has no population figure."""

CELL_SEPARATOR = " x "
"""Joins a weighting cell's values and a margin's variables, as the raking diagnostics do."""


def composition_variables(codebook: Codebook, data: pd.DataFrame) -> list[tuple[str, str]]:
    """The variables *Who took part* compares with the population, as (label, column):
    district, age band and sex, those in ``data``.

    Examples
    --------
    >>> import listening as yl
    >>> survey = yl.load_sample()
    >>> [label for label, _ in composition_variables(survey.codebook, survey.data)]
    ['District', 'Age band', 'Sex']
    """
    variables = {
        "District": codebook.district_column,
        "Age band": codebook.age_band_column,
        "Sex": codebook.weighting.get("sex_column", "sex"),
    }
    return [(label, column) for label, column in variables.items() if column in data]


def took_part_tables(variables: Sequence[str], cells: Sequence[Sequence[str]] = ()) -> list:
    """The tables of the publication: each variable alone, then each weighting margin.

    A margin's columns are kept in the order the variables first appear.

    Examples
    --------
    >>> took_part_tables(["district", "sex"], [["sex", "district"], ["sex"]])
    [('district',), ('sex',), ('district', 'sex')]
    """
    order = list(dict.fromkeys([*variables, *(c for margin in cells for c in margin)]))
    out = [(v,) for v in variables]
    for margin in cells:
        by = tuple(c for c in order if c in set(margin))
        if by not in out:
            out.append(by)
    return out


def publish_took_part(
    data: pd.DataFrame,
    variables: Sequence[str],
    cells: Sequence[Sequence[str]] = (),
    *,
    min_base: int,
    codebook: Codebook | None = None,
    floor: Publication | None = None,
) -> Publication:
    """Protect the respondent counts of everyone who took part, every table together.

    Parameters
    ----------
    data : DataFrame
        The respondents (``survey.data``: with the weighting's sex column).
    variables : sequence of str
        The columns whose counts the page shows one at a time.
    cells : sequence of sequences of str
        The weighting margins' columns (``["district", "sex"]``): the raking
        fit shows the respondents of each of their cells.
    min_base : int
        The explorer's minimum base.
    codebook : Codebook, optional
        Gives the disclosure policy (what a reader knows no one lacks, the
        cost of hiding a group), as for the explorer's other publications.
    floor : Publication, optional
        This publication at the lowest minimum base the same readers can
        choose: every group it hides is hidden here too, so the two together
        show no more than the floor alone (as
        :func:`listening.explorer.cross.publish_question`'s ``floor``).

    Returns
    -------
    Publication
        Its ``reasons`` per table of :func:`took_part_tables`.

    Raises
    ------
    ListeningError
        If ``floor`` is not this publication at a lower minimum base.

    Examples
    --------
    A district's small class of unknown sex is protected against the
    district's total less its other classes:

    >>> data = pd.DataFrame({"d": ["a"] * 30 + ["b"] * 30,
    ...                      "s": ["F"] * 14 + ["M"] * 14 + ["?"] * 2 + ["F", "M"] * 15})
    >>> pub = publish_took_part(data, ["d", "s"], [["d", "s"]], min_base=10)
    >>> pub.reason(["d"], ["a"]), pub.reason(["s"], ["?"]), pub.reason(["d", "s"], ["a", "?"])
    ('', 'threshold', 'threshold')
    >>> [pub.reason(["d", "s"], ["a", s]) for s in "FM"].count("secondary")
    1

    The total is public (the page counts the respondents): where protection
    would hide it, every group is hidden instead.

    >>> tiny = pd.DataFrame({"d": list("aaaaabbb") + ["a"] * 12,
    ...                      "s": list("MMMMMMFF") + ["F"] * 12})
    >>> publish_took_part(tiny, ["d", "s"], [["d", "s"]], min_base=10).reasons[("d",)]
    {('All',): '', ('a',): 'secondary', ('b',): 'threshold'}
    """
    policy = DisclosurePolicy.from_codebook(codebook, min_base=min_base)
    bys = took_part_tables(variables, cells)
    columns = list(dict.fromkeys(c for by in bys for c in by))
    everyone = "took_part"
    while everyone in data.columns:
        everyone += "_"
    design = SurveyDesign(data.assign(**{everyone: QUESTION}))
    hide = None
    if floor is not None:
        check_floor(floor, QUESTION, min_base, bys)
        hide = [floor.hidden()[by] for by in bys]
    reasons = protection(design, everyone, [list(b) for b in bys], policy=policy, hide=hide)
    out = dict(zip(bys, reasons, strict=True))
    if any(reason for table in out.values() for k, reason in table.items() if _everyone(k)):
        out = {by: _total_only(table) for by, table in out.items()}
    answered = [c for c in columns if data[c].notna().all()]
    levels = {c: tuple(map(str, data[c].dropna().astype(str).unique())) for c in columns}
    return Publication(QUESTION, min_base, out, frozenset(answered), levels)


def _everyone(key: Sequence[str]) -> bool:
    return all(x == ALL for x in key)


def _total_only(table: dict[tuple[str, ...], str]) -> dict[tuple[str, ...], str]:
    """A table's reasons when protection would hide the total: the total is public (the
    page and its file checks count the respondents), so every group is hidden instead."""
    return {k: "" if _everyone(k) else (r or SECONDARY) for k, r in table.items()}


def _hidden(pub: Publication, by: Sequence[str], key: Sequence[str], count: float) -> bool:
    """Whether a group of the page is hidden: the publication hides it, or none took part."""
    if count < pub.min_base:
        return True  # an empty category (population only) is not a group of the publication
    return pub.reason(by, key) != ""


def composition_display(
    frame: pd.DataFrame, column: str, label: str, pub: Publication
) -> pd.DataFrame:
    """:func:`listening.explorer.views.composition` as shown, with the publication's ``[c]``.

    Parameters
    ----------
    frame : DataFrame
        From :func:`~listening.explorer.views.composition` of ``column``.
    column : str
        The variable (``"sex"``).
    label : str
        Its heading on the page (``"Sex"``).
    pub : Publication
        From :func:`publish_took_part`, with ``column`` among its variables.

    Returns
    -------
    DataFrame
        ``label``, ``Respondents``, ``Sample %``, ``Weighted %``,
        ``Population %`` as text ("Not available" without a population
        figure), and a boolean ``suppressed``. A hidden group's respondents,
        sample and weighted shares are all ``[c]`` (its weighted share follows
        the same pattern as its count).

    Examples
    --------
    >>> data = pd.DataFrame({"g": ["A"] * 50 + ["B"] * 3 + ["C"] * 40})
    >>> pub = publish_took_part(data, ["g"], min_base=10)
    >>> f = pd.DataFrame({"category": ["A", "B", "C"], "respondents": [50, 3, 40],
    ...                   "sample": [0.54, 0.03, 0.43], "population": [0.5, 0.1, 0.4]})
    >>> composition_display(f, "g", "Group", pub)["Respondents"].tolist()
    ['50', '[c]', '[c]']
    >>> composition_display(f.assign(population=np.nan), "g", "Group", pub)["Population %"][0]
    'Not available'
    """
    hidden = np.array(
        [
            _hidden(pub, [column], [str(c)], n)
            for c, n in zip(frame["category"], frame["respondents"], strict=True)
        ],
        dtype=bool,
    )
    out = pd.DataFrame({label: frame["category"].astype(str)})
    out["Respondents"] = _counts_shown(frame["respondents"], hidden)
    for name, title in (("sample", "Sample %"), ("weighted", "Weighted %")):
        if name in frame:
            out[title] = [_pct(v, h) for v, h in zip(frame[name], hidden, strict=True)]
    if "population" in frame:  # public figures: never hidden, but may be missing
        out["Population %"] = [
            NOT_AVAILABLE if pd.isna(v) else _pct(v, False) for v in frame["population"]
        ]
    out["suppressed"] = hidden
    return out.reset_index(drop=True)


def margin_fit_display(
    margins: pd.DataFrame, cells: Sequence[Sequence[str]], pub: Publication
) -> pd.DataFrame:
    """Raking diagnostics as shown: respondents per cell, with the publication's ``[c]``.

    Weighted and target totals are left out: a sample-sized class (the "Not
    known" sex class) would give its small count away through them.

    Parameters
    ----------
    margins : DataFrame
        ``Diagnostics.margins``: margin, category, respondents, relative_gap.
    cells : sequence of sequences of str
        The columns of each margin, as given to :func:`publish_took_part`
        (a margin is named by its columns joined with ``" x "``).
    pub : Publication
        From :func:`publish_took_part` with these ``cells``.

    Returns
    -------
    DataFrame
        ``Margin``, ``Cell``, ``Respondents`` (text, ``[c]`` when hidden) and
        ``Relative gap``.

    Examples
    --------
    >>> data = pd.DataFrame({"sex": ["F"] * 60 + ["M"] * 50 + ["Not known"] * 4})
    >>> pub = publish_took_part(data, ["sex"], [["sex"]], min_base=10)
    >>> m = pd.DataFrame({"margin": ["sex"] * 3, "category": ["F", "M", "Not known"],
    ...                   "respondents": [60, 50, 4], "relative_gap": [0.0, 1e-16, 0.0]})
    >>> margin_fit_display(m, [["sex"]], pub)["Respondents"].tolist()
    ['60', '[c]', '[c]']
    """
    named = {CELL_SEPARATOR.join(c): tuple(c) for c in cells}
    hidden = []
    for margin, cell, n in zip(
        margins["margin"], margins["category"], margins["respondents"], strict=True
    ):
        by = named.get(str(margin))
        table = pub.table(by) if by is not None else None
        if table is None:
            hidden.append(True)  # a margin the publication does not hold is not shown
            continue
        keys = {CELL_SEPARATOR.join(_in_order(pub, by, k)): k for k in table}
        key = keys.get(str(cell))
        hidden.append(n < pub.min_base or key is None or table[key] != "")
    return pd.DataFrame(
        {
            "Margin": margins["margin"].to_numpy(),
            "Cell": margins["category"].to_numpy(),
            "Respondents": _counts_shown(margins["respondents"], np.array(hidden, dtype=bool)),
            "Relative gap": [f"{g:.1e}" for g in margins["relative_gap"]],
        }
    )


def pooled_weights(weights: Sequence[float] | pd.Series, min_base: int) -> np.ndarray:
    """The weights as a histogram may show them: each the median of its pool.

    Raked weights are the same within a raking cell (district x age band x
    sex), so the respondents' own weights, or a histogram's bar of a few of
    them, would count a cell of two. Sorted by weight, respondents are pooled
    in runs of ``min_base`` (the last run takes any remainder), and each
    respondent shows its pool's median: every bar then counts ``min_base``
    respondents or more, and no weight of a smaller group is shown.

    Examples
    --------
    >>> w = [5.0] * 12 + [9.0] + [1.0] * 10
    >>> shown = pooled_weights(w, 10)
    >>> sorted(set(shown.tolist())), int((shown == shown.max()).sum())
    ([1.0, 5.0], 13)
    """
    values = np.asarray(weights, dtype=float)
    if len(values) < max(min_base, 1):
        return np.full(len(values), np.nan)
    order = np.argsort(values, kind="stable")
    pools = np.minimum(
        np.arange(len(values)) // max(min_base, 1), len(values) // max(min_base, 1) - 1
    )
    out = np.empty(len(values))
    for pool in np.unique(pools):
        members = order[pools == pool]
        out[members] = np.median(values[members])
    return out


def weight_summary(weights: Sequence[float] | pd.Series, min_base: int) -> dict[str, float]:
    """The smallest, median and largest weight as the page may show them: of the pooled
    weights (:func:`pooled_weights`), NaN for fewer than ``min_base`` respondents.

    A raking cell's respondents share a weight, so the largest raw weight is a cell's
    population target over its respondents: 3,120 young people over a largest weight of
    780 gives away a cell of 4. A pool's median stands for ``min_base`` respondents or
    more.

    Examples
    --------
    >>> weight_summary([780.0] * 4 + [100.0] * 20, 10)
    {'min_weight': 100.0, 'median_weight': 100.0, 'max_weight': 100.0}
    """
    pooled = pooled_weights(weights, min_base)
    if np.isnan(pooled).all():
        return dict.fromkeys(("min_weight", "median_weight", "max_weight"), float("nan"))
    return {
        "min_weight": float(np.nanmin(pooled)),
        "median_weight": float(np.nanmedian(pooled)),
        "max_weight": float(np.nanmax(pooled)),
    }


def _in_order(pub: Publication, by: Sequence[str], key: Sequence[str]) -> list[str]:
    """A key of the table by ``by`` (kept in the publication's column order) in ``by``'s order."""
    stored = [c for c in pub.order if c in set(by)]
    return [key[stored.index(c)] for c in by]


def _counts_shown(counts: pd.Series, hidden: np.ndarray) -> list[str]:
    return [SUPPRESSED_LABEL if h else f"{int(n):,}" for n, h in zip(counts, hidden, strict=True)]


def _pct(share: float, hidden: bool) -> str:
    if hidden or pd.isna(share):
        return SUPPRESSED_LABEL
    return f"{share * 100:.1f}"
