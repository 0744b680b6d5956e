"""Free-text answers: theme coding and counts by group.

Themes come from a question's ``coding_frame`` in the codebook: a theme is
mentioned when the answer contains one of its keywords as a whole word or
phrase (a trailing plural "s" allowed). Counts by group follow the same
disclosure rule as the briefing tables (:mod:`listening.publish.suppression`): a group
with fewer than ``min_base`` answers is shown as ``[c]``, and further groups
are hidden where needed so no hidden count can be worked out from the total.

Verbatim answers pass through :func:`listening.publish.redact.redact`
(names, teachers, schools, addresses, postcodes, dates of birth, handles,
links, phone numbers, e-mails, vehicle registrations and identifiers). Redaction
is a safety net, not a licence to publish: :func:`quotes` draws candidates for a
person to review (:mod:`listening.publish.approvals`), and only approved quotes
are published.

Examples
--------
>>> import pandas as pd
>>> frame = {"Street lighting": ("light", "lamp"), "Police presence": ("police",)}
>>> code_themes(pd.Series(["More lights please", "police", None]), frame)
   Street lighting  Police presence  Not coded
0             True            False      False
1            False             True      False
2             <NA>             <NA>       <NA>
>>> from listening.publish.redact import redact
>>> redact("Ask Jake at Parkside Academy, jake@mail.com or 07700 900123")
'Ask [name] at [school], [email] or [phone]'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from listening.publish.suppression import suppress

NOT_CODED = "Not coded"
"""Theme of an answer that matches no keyword of the coding frame."""

SUPPRESSED_LABEL = "[c]"


def code_themes(texts: pd.Series, coding_frame: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Flag which themes each free-text answer mentions.

    Parameters
    ----------
    texts : Series of str
        Free-text answers; missing or blank answers get missing flags.
    coding_frame : mapping of theme to keywords
        From ``codebook.question(name).coding_frame``.

    Returns
    -------
    DataFrame
        One nullable boolean column per theme plus ``"Not coded"`` (an answer
        that mentions no theme), aligned with ``texts``.

    Examples
    --------
    >>> code_themes(pd.Series(["CCTV cameras"]), {"CCTV": ("cctv", "camera")}).loc[0, "CCTV"]
    np.True_
    """
    clean = texts.astype("string").str.strip()
    answered = clean.notna() & (clean != "")
    flags = {}
    for theme, keywords in coding_frame.items():
        found = clean.str.contains(_keyword_pattern(tuple(keywords)), regex=True).fillna(False)
        flags[theme] = found.astype(bool)
    result = pd.DataFrame(flags, index=texts.index)
    result[NOT_CODED] = ~result.any(axis=1) if len(coding_frame) else True
    result = result.astype("boolean")
    result.loc[~answered.to_numpy(dtype=bool)] = pd.NA
    return result


def theme_counts(
    data: pd.DataFrame,
    column: str,
    coding_frame: Mapping[str, Sequence[str]],
    *,
    by: str | Sequence[str] | None = None,
    min_base: int = 10,
    floor: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count respondents mentioning each theme, by group, with suppression.

    Parameters
    ----------
    data : DataFrame
        Respondents, with the free-text ``column`` and the ``by`` columns.
    column : str
        The free-text column.
    coding_frame : mapping of theme to keywords
        The question's coding frame.
    by : str, list of str or None
        Grouping columns; an ``"All"`` group is always included. Respondents
        missing a ``by`` value count in "All" only.
    min_base : int, default 10
        Groups with fewer answers are suppressed (counts and percentages NaN,
        ``suppressed`` True), with secondary suppression as in the briefing
        tables (:func:`listening.publish.suppression.suppress`), so no hidden group
        can be worked out from "All" and the others. So are theme counts from 1
        to ``min_base - 1``, with the same secondary suppression across the
        groups of each theme.
    floor : DataFrame, optional
        These counts at the lowest minimum base the same readers can choose:
        every row it hides is hidden here too, so the two together show no
        more than the floor alone (the explorer lets a visitor raise the
        minimum base; protected apart, two bases can hide different sides of
        a small group).

    Returns
    -------
    DataFrame
        Columns: the ``by`` columns, ``theme``, ``n`` (answers mentioning the
        theme), ``base`` (answers in the group), ``percent`` (unweighted
        ``100 * n / base``) and ``suppressed``; themes ranked by their
        overall count, "Not coded" last.

    Examples
    --------
    >>> d = pd.DataFrame({"text": ["lights", "police", "more lights", None],
    ...                   "sex": ["F", "M", "F", "M"]})
    >>> t = theme_counts(d, "text", {"Lights": ("light",), "Police": ("police",)}, min_base=1)
    >>> t[["theme", "n", "base"]].values.tolist()
    [['Lights', 2, 3], ['Police', 1, 3], ['Not coded', 0, 3]]
    >>> frame = {"Lights": ("light",), "Police": ("police",)}
    >>> theme_counts(d, "text", frame, min_base=2)["n"].tolist()
    [2, <NA>, 0]
    """
    columns = [by] if isinstance(by, str) else list(by or [])
    themes = code_themes(data[column], coding_frame)
    answered = themes[NOT_CODED].notna()
    coded = themes[answered].astype(bool)
    order = coded.drop(columns=NOT_CODED).sum().sort_values(ascending=False, kind="stable")
    ranked = [*order.index, NOT_CODED]
    parts = [_counts(coded[ranked], columns, {c: "All" for c in columns})]
    if columns:
        keys = data.loc[answered, columns]
        complete = keys.notna().all(axis=1)
        grouped = coded[ranked][complete].groupby(
            [keys.loc[complete, c] for c in columns], observed=True, sort=True
        )
        for key, block in grouped:
            values = key if isinstance(key, tuple) else (key,)
            parts.append(_counts(block, columns, dict(zip(columns, values, strict=True))))
    table = pd.concat(parts, ignore_index=True)
    residual = int((answered & data[columns].isna().any(axis=1)).sum()) if columns else 0
    hidden = _suppression(table, columns, min_base, residual)
    hidden |= _small_counts(table, columns, min_base, answered, coded[ranked], data)
    if floor is not None:
        keys = [*columns, "theme"]
        below = table[keys].merge(floor[[*keys, "suppressed"]], on=keys, how="left")
        hidden |= below["suppressed"].fillna(True).to_numpy(dtype=bool)  # not in the floor
    table["suppressed"] = hidden
    table["n"] = table["n"].astype("Int64").mask(hidden)
    table["percent"] = table["percent"].mask(hidden)
    return table


@lru_cache(maxsize=64)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted((re.escape(k.strip().lower()) for k in keywords if k.strip()), key=len)
    alternatives = "|".join(w.replace(r"\ ", r"\s+") for w in reversed(words)) or r"(?!)"
    return re.compile(rf"(?i)\b(?:{alternatives})s?\b")


def _counts(block: pd.DataFrame, columns: list[str], key: dict[str, str]) -> pd.DataFrame:
    base = len(block)
    counts = block.sum().astype(int)
    frame = pd.DataFrame({"theme": counts.index, "n": counts.to_numpy(), "base": base})
    frame["percent"] = 100 * frame["n"] / base if base else np.nan
    for column in reversed(columns):
        frame.insert(0, column, key[column])
    return frame


def _small_counts(
    table: pd.DataFrame,
    columns: list[str],
    min_base: int,
    answered: pd.Series,
    coded: pd.DataFrame,
    data: pd.DataFrame,
) -> np.ndarray:
    """Rows whose theme count is below ``min_base``, with secondary suppression per theme."""
    hidden = np.zeros(len(table), dtype=bool)
    is_all = (table[columns] == "All").all(axis=1) if columns else pd.Series(True, table.index)
    missing = data.loc[answered, columns].isna().any(axis=1) if columns else None
    for theme, rows in table.groupby("theme", sort=False):
        totals = rows[is_all[rows.index]]
        if not columns:
            hidden[rows.index] = rows["n"].to_numpy() < min_base
            continue
        groups = rows[~is_all[rows.index]][[*columns, "n"]].rename(columns={"n": "base"})
        residual = int(coded.loc[missing.to_numpy(), theme].sum())
        decision = suppress(
            groups.reset_index(drop=True), by=columns, min_base=min_base, residual_base=residual
        )
        hidden[groups.index[decision.groups.to_numpy(bool)]] = True
        if decision.total or int(totals["n"].iloc[0]) < min_base:
            hidden[totals.index] = True
    return hidden & (table["n"].to_numpy() > 0)  # a count of 0 names no one


def _suppression(
    table: pd.DataFrame, columns: list[str], min_base: int, residual: int
) -> pd.Series:
    """Rows to hide, by :func:`~listening.publish.suppression.suppress` (the tables' rule)."""
    hidden = table["base"] < min_base
    if not columns:
        return hidden
    is_all = (table[columns] == "All").all(axis=1)
    groups = table.loc[~is_all].drop_duplicates(columns)[[*columns, "base"]]
    if groups.empty:
        return hidden
    decision = suppress(
        groups.reset_index(drop=True), by=columns, min_base=min_base, residual_base=residual
    )
    hidden_keys = groups.reset_index(drop=True).loc[decision.groups.to_numpy(bool), columns]
    marks = table[columns].merge(hidden_keys.assign(_hide=True), on=columns, how="left")
    hidden |= marks["_hide"].fillna(False).astype(bool).to_numpy()
    if decision.total:
        hidden |= is_all
    return hidden
