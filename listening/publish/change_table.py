"""A change table safe to publish: :func:`listening.change` under the disclosure policy.

:func:`listening.change` returns raw figures for every group, as
:func:`listening.proportion` does. A published change table must never show a
group that either wave's own publication hides, or the two waves together
could give a hidden group away. :func:`change_table` therefore protects each
wave as its own briefing table would (:func:`listening.crosstab` with the
policy: threshold and secondary suppression, publication groupings), and
hides in the change table every group hidden in either wave, or not
published as such in either (a category the policy merges). Everything
shown of a wave is then a part of what that wave's own protected table
shows; the difference and its interval are functions of those figures.
Holm's adjustment runs again over the groups shown. The before wave is
protected around the groups the after wave hides (they are hidden anyway),
and the after wave around ``hide``: the groups another publication of its
respondents hides (the explorer's), so the two show no group either hides.

:func:`change_tables` makes the change tables of a publication (a briefing):
each wave is protected as one publication over all the breakdowns of a
question (:func:`listening.crosstabs`), the after wave exactly as the
briefing's own tables of that wave (pass them as ``published``), and each
table starts with the whole population ("All").

Examples
--------
>>> import listening as yl
>>> after = yl.SurveyDesign.from_survey(yl.load_sample())
>>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
>>> table = change_table(after, before, "seen_knife", by="district")
>>> table["reason"].unique().tolist()
['']
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.errors import ListeningError
from listening.estimate.change import CHANGE_FIGURES, change
from listening.estimate.domains import by_list
from listening.estimate.estimators import holm, mirror_tests
from listening.ingest.codebook import Codebook
from listening.ingest.harmonise import Harmonisation, NotHarmonisedError, read_harmonisation
from listening.publish import change_exports
from listening.publish.change_exports import ChangeData
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.table import ALL, CrosstabData
from listening.publish.tables import crosstabs, protection

if TYPE_CHECKING:
    from great_tables import GT

#: The figures a hidden group does not show.
HIDDEN_COLUMNS = CHANGE_FIGURES


def change_table(
    after: SurveyDesign,
    before: SurveyDesign,
    question: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    harmonise: Harmonisation | str | os.PathLike[str] | None = None,
    policy: DisclosurePolicy | None = None,
    hide: Collection[tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """The change table of :func:`listening.change`, with the disclosure policy applied.

    The before wave is protected around every group the after wave hides
    (they are hidden here anyway), so it hides another group only where its
    own small groups need one.

    Parameters
    ----------
    after, before, question, by, level, harmonise
        As :func:`listening.change`.
    policy : DisclosurePolicy, optional
        The publication's policy (default: the after wave's codebook's, with
        ``min_base`` 10); each wave is protected with it (the before wave
        with its own codebook's groupings and the same ``min_base``).
    hide : collection of tuple of str, optional
        Groups of the after wave that must be hidden whatever their base
        (their ``by`` values as text, as :func:`listening.publish.tables.protection`
        keys them): those another publication of the after wave's respondents
        hides in its table by ``by``, such as the explorer's
        (:meth:`listening.explorer.publication.Publication.hidden`). The after
        wave is protected around them, so this table shows no group of the
        after wave that publication hides. Needs ``by``.

    Returns
    -------
    DataFrame
        The columns of :func:`listening.change` and ``reason``: ``""`` for a
        shown group, else why it is hidden (``"2024: threshold"``,
        ``"2025: secondary"``, ``"not published"``), with every figure of a
        hidden group NaN. ``p_holm`` is adjusted over the shown rows.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> fenland = before.data["district"] == "Fenland"
    >>> few = before.subset(~fenland | (fenland.cumsum() <= 6))  # 6 Fenland respondents
    >>> table = change_table(after, few, "seen_knife", by="district")
    >>> row = table[table["district"] == "Fenland"].iloc[0]
    >>> row["reason"], bool(row[["difference", "base_before", "base_after"]].isna().all())
    ('before: threshold', True)
    >>> yl.change(after, few, "seen_knife", by="district")["base_before"].min()  # raw
    np.int64(6)

    A group another publication of the after wave hides is hidden here too:

    >>> forced = change_table(after, before, "seen_knife", by="district", hide={("Ely",)})
    Traceback (most recent call last):
    ...
    listening.errors.ListeningError: protection: hide names group(s) [('Ely',)] that the table \
by ['district'] does not have; pass keys as protection returns them (such as [('All',), \
('Cambridge',)]).
    >>> forced = change_table(after, before, "seen_knife", by="district", hide={("Cambridge",)})
    >>> forced.loc[forced["reason"] != "", ["district", "reason"]].drop_duplicates().values.tolist()
    [['Cambridge', 'after: secondary']]
    """
    mapping = _mapping(harmonise)
    raw = change(after, before, question, by=by, level=level, harmonise=mapping)
    policy = policy or DisclosurePolicy.from_codebook(after.codebook)
    by_cols = by_list(by)
    reasons = np.full(len(raw), "", dtype=object)
    if hide is not None and not by_cols:
        raise ListeningError(
            "change_table: hide names groups, but there is no by; pass by (the groups' "
            "columns) with hide, or leave hide out."
        )
    if by_cols:
        mine = protection(
            after, question, [by_cols], policy=policy, hide=None if hide is None else [hide]
        )[0]
        before_policy = DisclosurePolicy.from_codebook(before.codebook, min_base=policy.min_base)
        theirs = _protected_around(
            before, mapping.before_name(question), by_cols, before_policy, mine
        )
        _add_reasons(reasons, raw, by_cols, mapping.after_label, mine)
        _add_reasons(reasons, raw, by_cols, mapping.before_label, theirs)
    else:
        small = (raw["base_before"] < policy.min_base) | (raw["base_after"] < policy.min_base)
        reasons[small.to_numpy()] = "threshold"
    return _hidden(raw, by_cols, reasons)


class ChangeTable(ChangeData):
    """A change table of a publication, with its writers (made by :func:`change_tables`).

    See :class:`~listening.publish.change_exports.ChangeData` for the attributes.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> (tab,) = change_tables(after, before, ["seen_knife"], by=["district"])
    >>> tab.table["district"].iloc[0], tab.by
    ('All', ('district',))
    """

    def to_csv(self, path: str | Path) -> Path:
        """Write the tidy change table (:func:`~listening.publish.change_exports.to_csv`)."""
        return change_exports.to_csv(self, path)

    def to_gt(self) -> GT:
        """The table as a great_tables ``GT`` (:func:`~listening.publish.change_exports.to_gt`)."""
        return change_exports.to_gt(self)

    def to_html(self) -> str:
        """The table as HTML (:func:`~listening.publish.change_exports.to_html`)."""
        return change_exports.to_html(self)


def change_tables(
    after: SurveyDesign,
    before: SurveyDesign,
    questions: Sequence[str],
    by: Sequence[str | Sequence[str]] = ("district",),
    *,
    level: float = 0.95,
    harmonise: Harmonisation | str | os.PathLike[str] | None = None,
    policy: DisclosurePolicy | None = None,
    published: Sequence[CrosstabData] | None = None,
) -> list[ChangeTable]:
    """The change tables of a publication: every question by every ``by``, both waves protected.

    Each wave is protected as one publication of its own: the before wave by
    :func:`listening.crosstabs` over all of ``by`` (with its own codebook's
    publication groupings), the after wave likewise, or exactly as the
    publication's own tables of that wave when they are passed as
    ``published``. A change table hides every group either wave hides. Each
    table has the whole population first (``"All"``), then the groups, and
    Holm's adjustment runs over all its shown rows.

    Parameters
    ----------
    after, before : SurveyDesign
        The later and the earlier wave, each its own design.
    questions : sequence of str
        The questions, by their after-wave names.
    by : sequence of str or of list of str
        The breakdowns, each a column or a list of columns both waves have.
    level : float
        Confidence level of the intervals.
    harmonise : Harmonisation or path, optional
        As :func:`listening.change`; its wave labels name the waves.
    policy : DisclosurePolicy, optional
        The publication's policy (default: the after wave's codebook's).
    published : sequence of Crosstab, optional
        The publication's tables of the after wave (from
        :func:`listening.crosstabs` on ``after`` with the same ``policy``):
        every question by every ``by`` must be among them.

    Returns
    -------
    list of ChangeTable
        For each question, a table per ``by`` (question-major).

    Raises
    ------
    NotHarmonisedError
        If a question cannot be matched across the waves (the message says
        what to add to the mapping).
    ListeningError
        If ``published`` lacks a table this needs, or a ``by`` column is
        missing in a wave.

    Examples
    --------
    >>> import listening as yl
    >>> after = yl.SurveyDesign.from_survey(yl.load_sample())
    >>> before = yl.SurveyDesign.from_survey(yl.load_sample_2024())
    >>> tabs = yl.change_tables(after, before, ["safe_dark", "good_places"],
    ...                         by=["district"], harmonise=yl.load_harmonisation())
    >>> [(t.question, t.before_question, t.before_label) for t in tabs]
    [('safe_dark', 'safe_dark', '2024'), ('good_places', 'places_to_go', '2024')]
    """
    mapping = _mapping(harmonise)
    policy = policy or DisclosurePolicy.from_codebook(after.codebook)
    own = DisclosurePolicy.from_codebook(before.codebook)
    before_policy = dataclasses.replace(
        policy, groups=own.groups, county_only=own.county_only, district=own.district
    )
    bys = [[b] if isinstance(b, str) else list(b) for b in by]
    out = []
    for question in questions:
        mapping.resolve(question, after.codebook, before.codebook)
        old = mapping.before_name(question)
        mine = _published_of(published, question, bys) if published is not None else None
        if mine is None:
            mine = crosstabs(after, [question], bys, policy=policy, level=level)
        theirs = crosstabs(before, [old], bys, policy=before_policy, level=level)
        overall = change(after, before, question, level=level, harmonise=mapping)
        for by_cols, tab, old_tab in zip(bys, mine, theirs, strict=True):
            raw = change(after, before, question, by=by_cols, level=level, harmonise=mapping)
            whole = overall.assign(**dict.fromkeys(by_cols, ALL))[raw.columns]
            raw = pd.concat([whole, raw], ignore_index=True)
            reasons = np.full(len(raw), "", dtype=object)
            _add_reasons(reasons, raw, by_cols, mapping.after_label, _reasons_of(tab, by_cols))
            _add_reasons(reasons, raw, by_cols, mapping.before_label, _reasons_of(old_tab, by_cols))
            out.append(
                ChangeTable(
                    _hidden(raw, by_cols, reasons),
                    question,
                    old,
                    tuple(by_cols),
                    tab.title,
                    kind=tab.kind,
                    before_label=mapping.before_label,
                    after_label=mapping.after_label,
                    min_base=policy.min_base,
                    level=level,
                    source=tab.source,
                    policy=policy,
                )
            )
    return out


def comparable(
    questions: Sequence[str],
    after: Codebook,
    before: Codebook,
    harmonise: Harmonisation | str | os.PathLike[str] | None = None,
) -> tuple[list[str], dict[str, NotHarmonisedError]]:
    """Which questions can be compared across two waves, and why the others cannot.

    Parameters
    ----------
    questions : sequence of str
        Questions by their after-wave names.
    after, before : Codebook
        The two waves' codebooks.
    harmonise : Harmonisation or path, optional
        What is the same in the two waves.

    Returns
    -------
    compared : list of str
        The questions :func:`listening.change` can compare, in order.
    skipped : dict
        Each other question and its :class:`NotHarmonisedError` (which says
        what to add to the mapping).

    Examples
    --------
    >>> import listening as yl
    >>> from listening.ingest.harmonise import load_before_codebook
    >>> compared, skipped = comparable(["safe_dark", "safe_online", "good_places"],
    ...     yl.load_codebook(), load_before_codebook(), yl.load_harmonisation())
    >>> compared, list(skipped)
    (['safe_dark', 'good_places'], ['safe_online'])
    """
    mapping = _mapping(harmonise)
    compared, skipped = [], {}
    for question in questions:
        try:
            mapping.resolve(question, after, before)
        except NotHarmonisedError as err:
            skipped[question] = err
        else:
            compared.append(question)
    return compared, skipped


def with_wave_labels(
    harmonise: Harmonisation | str | os.PathLike[str] | None, after: Codebook, before: Codebook
) -> Harmonisation:
    """The mapping, with wave labels for tables: its own, else a year in each codebook's title.

    Without a label in the mapping or a year in the title, the waves are the
    "earlier wave" and the "later wave".

    Examples
    --------
    >>> import listening as yl
    >>> from listening.ingest.harmonise import load_before_codebook
    >>> mapping = with_wave_labels(None, yl.load_codebook(), load_before_codebook())
    >>> mapping.before_label, mapping.after_label
    ('2024', 'later wave')
    """
    mapping = _mapping(harmonise)
    default = Harmonisation()
    labels = {}
    for attribute, codebook, fallback in (
        ("before_label", before, "earlier wave"),
        ("after_label", after, "later wave"),
    ):
        if getattr(mapping, attribute) == getattr(default, attribute):
            years = re.findall(r"\b(?:19|20)\d\d\b", codebook.title)
            labels[attribute] = years[-1] if years else fallback
    return dataclasses.replace(mapping, **labels)


def _published_of(
    published: Sequence[CrosstabData], question: str, bys: list[list[str]]
) -> list[CrosstabData]:
    """The publication's table of ``question`` by each of ``bys``, in order."""
    found = {tuple(t.by): t for t in published if t.question == question}
    missing = [b for b in bys if tuple(b) not in found]
    if missing:
        raise ListeningError(
            f"change_tables: the published tables have no table of {question!r} by "
            f"{' x '.join(missing[0])}; pass the tables of yl.crosstabs(after, questions, by) "
            "with the same questions and by, or leave out published."
        )
    return [found[tuple(b)] for b in bys]


def _add_reasons(
    reasons: np.ndarray,
    raw: pd.DataFrame,
    by_cols: list[str],
    label: str,
    shown: dict[tuple[str, ...], str],
) -> None:
    """Fill in why each row not yet hidden is hidden by one wave (``shown``: its groups)."""
    keys = list(raw[by_cols].astype(str).itertuples(index=False, name=None))
    for i, group in enumerate(keys):
        if reasons[i]:
            continue
        reason = shown.get(group)
        if reason is None:
            reasons[i] = "not published"
        elif reason:
            reasons[i] = f"{label}: {reason}"


def _protected_around(
    design: SurveyDesign,
    question: str,
    by_cols: list[str],
    policy: DisclosurePolicy,
    other: dict[tuple[str, ...], str],
) -> dict[tuple[str, ...], str]:
    """A wave's groups and reasons (:func:`~listening.publish.tables.protection`), the
    groups ``other`` (the other wave's reasons) hides hidden first when this wave has them."""
    own = protection(design, question, [by_cols], policy=policy)[0]
    forced = [key for key, why in other.items() if why and key in own]
    if all(own[key] for key in forced):
        return own
    return protection(design, question, [by_cols], policy=policy, hide=[forced])[0]


def _hidden(raw: pd.DataFrame, by_cols: list[str], reasons: np.ndarray) -> pd.DataFrame:
    """The rows with every figure of a hidden row NaN, ``reason``, and Holm over the shown."""
    out = raw.copy()
    hidden = reasons != ""
    out[list(HIDDEN_COLUMNS)] = out[list(HIDDEN_COLUMNS)].astype(float)
    out.loc[hidden, list(HIDDEN_COLUMNS)] = np.nan
    p = out["p_value"].to_numpy(dtype=float)
    group = (
        pd.factorize(out[by_cols].astype(str).agg("\x1f".join, axis=1))[0]
        if by_cols
        else np.zeros(len(out), dtype=int)
    )
    tests = mirror_tests(
        out["difference"].to_numpy(dtype=float), p, group, pd.factorize(out["category"])[0]
    )
    out["p_holm"] = holm(p, tests)
    out["reason"] = reasons
    return out


def _mapping(harmonise: Harmonisation | str | os.PathLike[str] | None) -> Harmonisation:
    if harmonise is None:
        return Harmonisation()
    if isinstance(harmonise, Harmonisation):
        return harmonise
    return read_harmonisation(harmonise)


def _reasons_of(tab: CrosstabData, by_cols: list[str]) -> dict[tuple[str, ...], str]:
    """Each published group of a wave's protected table and its reason ("" = shown)."""
    first = tab.table.drop_duplicates(by_cols)
    keys = first[by_cols].astype(str).itertuples(index=False, name=None)
    return dict(zip(keys, first["reason"].fillna("").astype(str), strict=True))
