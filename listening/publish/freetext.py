"""Free-text answers: theme coding, counts by group, and redacted quotes.

Themes come from a question's ``coding_frame`` in the codebook: a theme is
mentioned when the answer contains one of its keywords as a whole word or
phrase (a trailing plural "s" allowed). Counts by group follow the same
disclosure rule as the briefing tables (:mod:`listening.publish.suppression`): a group
with fewer than ``min_base`` answers is shown as ``[c]``, and further groups
are hidden where needed so no hidden count can be worked out from the total.

Verbatim quotes pass through :func:`redact`, which replaces email addresses,
phone numbers, social media handles, school names and personal names with
bracketed placeholders; names are found from a list of common first names,
from titles ("Mr Smith") and phrases ("my friend Sam"), and from capitalised
words in mid-sentence that are not known places or common proper nouns, so
it errs towards redacting too much.

Examples
--------
>>> import pandas as pd
>>> frame = {"Street lighting": ("light", "lamp"), "Police presence": ("police",)}
>>> code_themes(pd.Series(["More lights please", "police", None]), frame)
   Street lighting  Police presence  Not coded
0             True            False      False
1            False             True      False
2             <NA>             <NA>       <NA>
>>> redact("Ask Jake at Parkside Academy, jake@mail.com or 07700 900123")
'Ask [name] at [school], [email] or [phone]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from listening.paths import DATA_DIR
from listening.publish.suppression import suppress

NOT_CODED = "Not coded"
"""Theme of an answer that matches no keyword of the coding frame."""

SUPPRESSED_LABEL = "[c]"

_DATA = DATA_DIR

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{7,}\d(?!\w)")
_SCHOOL_WORDS = (
    r"(?:Community\s+College|Village\s+College|High\s+School|Primary\s+School|"
    r"Grammar\s+School|School|Academy|College|Free\s+School|Sixth\s+Form)"
)
_CAPITALISED = r"(?:St\.?\s+|Saint\s+)?[A-Z][\w'’-]*"
_SCHOOL = re.compile(rf"\b(?:{_CAPITALISED}\s+)+{_SCHOOL_WORDS}\b")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|PC|Sgt)\.?\s+[A-Z][\w'’-]*")
_INTRO = re.compile(
    r"\b(?:called|named|my\s+(?:friend|mate|brother|sister|cousin|boyfriend|girlfriend))"
    r"\s+([A-Z][\w'’-]*)"
)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?]\s*$|^\s*$|[\n:;\"(]\s*$")


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
        can be worked out from "All" and the others.

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
    table["suppressed"] = hidden
    table["n"] = table["n"].astype("Int64").mask(hidden)
    table["percent"] = table["percent"].mask(hidden)
    return table


def redact(
    text: str,
    *,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    places: Iterable[str] = (),
) -> str:
    """Replace personal details in a free-text answer with placeholders.

    Parameters
    ----------
    text : str
        One answer.
    names : iterable of str
        Extra names to redact (e.g. staff names known to the survey team).
    schools : iterable of str
        School names to redact wherever they appear.
    places : iterable of str
        Extra capitalised words that are safe to keep (district and town names
        are already known).

    Returns
    -------
    str
        The answer with ``[email]``, ``[phone]``, ``[link]``, ``[handle]``,
        ``[school]`` and ``[name]`` in place of what they replace.

    Examples
    --------
    >>> redact("My friend Tia said text 01223 456789 or @tia_x on Snapchat")
    'My friend [name] said text [phone] or [handle] on Snapchat'
    >>> redact("Sam from St Ivo School got stabbed near Huntingdon")
    '[name] from [school] got stabbed near Huntingdon'
    """
    out = _EMAIL.sub("[email]", text)
    out = _URL.sub("[link]", out)
    out = _HANDLE.sub("[handle]", out)
    out = _PHONE.sub(_phone, out)
    for school in sorted(schools, key=len, reverse=True):
        if school.strip():
            out = re.sub(rf"\b{re.escape(school.strip())}\b", "[school]", out, flags=re.I)
    out = _SCHOOL.sub("[school]", out)
    for name in sorted(names, key=len, reverse=True):
        if name.strip():
            out = re.sub(rf"\b{re.escape(name.strip())}\b", "[name]", out, flags=re.I)
    out = _TITLE.sub("[name]", out)
    out = _INTRO.sub(lambda m: m.group(0).replace(m.group(1), "[name]"), out)
    safe = _safe_words() | {p.casefold() for p in places}
    first = _first_names()
    return _WORD.sub(lambda m: _name_or_word(m, out, safe, first), out)


def quotes(
    data: pd.DataFrame,
    column: str,
    *,
    by: str | Sequence[str] | None = None,
    group: Mapping[str, str] | None = None,
    coding_frame: Mapping[str, Sequence[str]] | None = None,
    theme: str | None = None,
    min_base: int = 10,
    limit: int = 10,
    seed: int = 0,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
) -> pd.DataFrame:
    """Redacted verbatim answers from one group, only when the group is big enough.

    Parameters
    ----------
    data : DataFrame
        Respondents with the free-text ``column`` and the ``by`` columns.
    column : str
        The free-text column.
    by : str, list of str or None
        Grouping columns (used to label the quotes and check bases).
    group : mapping of column to value, optional
        Take quotes only from this group, e.g. ``{"district": "Fenland"}``;
        ``None`` takes them from everyone.
    coding_frame : mapping, optional
        With ``theme``, keep only answers coded to that theme.
    theme : str, optional
        A theme of ``coding_frame``.
    min_base : int, default 10
        No quote is returned from a group with fewer answers than this.
    limit : int, default 10
        At most this many quotes, drawn in a random order fixed by ``seed``.
    seed : int, default 0
        Seed of the draw, so the same quotes come back each time.
    names, schools : iterable of str
        Passed to :func:`redact`.

    Returns
    -------
    DataFrame
        Columns: the ``by`` columns and ``quote``. Never an id or other
        respondent-level column.

    Examples
    --------
    >>> d = pd.DataFrame({"text": ["Ask Mr Jones", "more lights"] * 5, "sex": ["F"] * 10})
    >>> sorted(quotes(d, "text", by="sex", group={"sex": "F"}, min_base=10)["quote"])[::5]
    ['Ask [name]', 'more lights']
    >>> len(quotes(d, "text", by="sex", group={"sex": "F"}, min_base=11))
    0
    """
    columns = [by] if isinstance(by, str) else list(by or [])
    text = data[column].astype("string").str.strip()
    keep = text.notna() & (text != "")
    for key, value in (group or {}).items():
        keep &= data[key].astype("string") == str(value)
    if int(keep.sum()) < min_base:
        return pd.DataFrame(columns=[*columns, "quote"])
    if theme is not None and coding_frame is not None:
        keep &= code_themes(text, coding_frame)[theme].fillna(False).astype(bool)
    chosen = data.loc[keep, columns].assign(quote=text[keep])
    chosen = chosen.sample(frac=1.0, random_state=seed).head(limit)
    chosen["quote"] = [redact(q, names=names, schools=schools) for q in chosen["quote"]]
    return chosen.reset_index(drop=True)


def _phone(match: re.Match[str]) -> str:
    """A run of 9 to 13 digits (with spaces, dashes, dots, brackets) is a phone number."""
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if 9 <= digits <= 13 else match.group(0)


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


def _name_or_word(match: re.Match[str], text: str, safe: set[str], first: set[str]) -> str:
    word = match.group(0)
    key = word.casefold().rstrip("'’s") if word.endswith(("'s", "’s")) else word.casefold()
    acronym = word.isupper() or (word.endswith("s") and word[:-1].isupper())
    if acronym or not word[0].isupper() or key in safe:
        return word
    if key in first:
        return "[name]"
    starts_sentence = _SENTENCE_END.search(text[: match.start()]) is not None
    return word if starts_sentence else "[name]"


@lru_cache(maxsize=1)
def _first_names() -> set[str]:
    return _word_list("first_names.txt")


@lru_cache(maxsize=1)
def _safe_words() -> set[str]:
    return _word_list("safe_words.txt")


def _word_list(name: str) -> set[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return {line.strip().casefold() for line in lines if line.strip() and line[0] != "#"}
