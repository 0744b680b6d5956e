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
Holm's adjustment runs again over the groups shown.

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

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from listening.design.survey_design import SurveyDesign
from listening.estimate.change import change
from listening.estimate.domains import by_list
from listening.estimate.estimators import holm, mirror_tests
from listening.ingest.harmonise import Harmonisation, read_harmonisation
from listening.publish.disclosure import DisclosurePolicy
from listening.publish.tables import crosstab

#: The figures a hidden group does not show.
HIDDEN_COLUMNS = (
    "estimate_before",
    "estimate_after",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "p_value",
    "p_holm",
    "base_before",
    "base_after",
)


def change_table(
    after: SurveyDesign,
    before: SurveyDesign,
    question: str,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    harmonise: Harmonisation | str | os.PathLike[str] | None = None,
    policy: DisclosurePolicy | None = None,
) -> pd.DataFrame:
    """The change table of :func:`listening.change`, with the disclosure policy applied.

    Parameters
    ----------
    after, before, question, by, level, harmonise
        As :func:`listening.change`.
    policy : DisclosurePolicy, optional
        The publication's policy (default: the after wave's codebook's, with
        ``min_base`` 10); each wave is protected with it (the before wave
        with its own codebook's groupings and the same ``min_base``).

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
    """
    mapping = _mapping(harmonise)
    raw = change(after, before, question, by=by, level=level, harmonise=mapping)
    policy = policy or DisclosurePolicy.from_codebook(after.codebook)
    by_cols = by_list(by)
    reasons = np.full(len(raw), "", dtype=object)
    if by_cols:
        waves = (
            (mapping.after_label, after, question, policy),
            (
                mapping.before_label,
                before,
                mapping.before_name(question),
                DisclosurePolicy.from_codebook(before.codebook, min_base=policy.min_base),
            ),
        )
        for label, design, name, wave_policy in waves:
            shown = _group_reasons(design, name, by_cols, wave_policy)
            keys = list(raw[by_cols].astype(str).itertuples(index=False, name=None))
            for i, group in enumerate(keys):
                if reasons[i]:
                    continue
                reason = shown.get(group)
                if reason is None:
                    reasons[i] = "not published"
                elif reason:
                    reasons[i] = f"{label}: {reason}"
    else:
        small = (raw["base_before"] < policy.min_base) | (raw["base_after"] < policy.min_base)
        reasons[small.to_numpy()] = "threshold"
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


def _group_reasons(
    design: SurveyDesign, question: str, by_cols: list[str], policy: DisclosurePolicy
) -> dict[tuple[str, ...], str]:
    """Each published group of the wave's own protected table and its reason ("" = shown)."""
    table = crosstab(design, question, by=by_cols, policy=policy).table
    first = table.drop_duplicates(by_cols)
    keys = first[by_cols].astype(str).itertuples(index=False, name=None)
    return dict(zip(keys, first["reason"].fillna("").astype(str), strict=True))
