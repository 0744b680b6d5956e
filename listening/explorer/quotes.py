"""What the Safer page shows of approved quotes, as plain functions.

The quotes themselves come from :func:`listening.publish.approvals.publishable`
(approved, unchanged since review, from pools of at least ``min_base``).

Examples
--------
>>> no_quotes_message(0, 10) == NO_QUOTES_MESSAGE
True
"""

from __future__ import annotations

import pandas as pd

NO_QUOTES_MESSAGE = (
    "No quotes are shown until a person has approved them. To add quotes: run "
    "`listening quotes DATA --codebook CODEBOOK --out review.csv`, write approve, edit or "
    "reject in each row's decision column, run `listening quotes DATA --codebook CODEBOOK "
    "--approve review.csv --approvals approvals.csv`, and upload approvals.csv here."
)
"""What the Safer page says when it has no approved quotes to show."""


def no_quotes_message(approved: int, min_base: int) -> str:
    """What the Safer page says when it shows no quote, given how many were approved.

    Examples
    --------
    >>> no_quotes_message(0, 10) == NO_QUOTES_MESSAGE
    True
    >>> no_quotes_message(3, 10)[:45]
    'None of the 3 approved quotes can be shown he'
    """
    if not approved:
        return NO_QUOTES_MESSAGE
    return (
        f"None of the {approved} approved quotes can be shown here: their answers have "
        "changed since they were reviewed, or their theme has fewer than "
        f"{min_base} answers in their group. Try another grouping, or review again."
    )


def quote_options(published: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Groups and themes that have approved quotes, for the page's choices.

    Parameters
    ----------
    published : DataFrame
        From :func:`listening.publish.approvals.publishable`: ``group``,
        ``theme``, ``quote``.

    Examples
    --------
    >>> p = pd.DataFrame({"group": ["Ely", "All", "Ely"], "theme": ["B", "A", "A"],
    ...                   "quote": ["x", "y", "z"]})
    >>> quote_options(p)
    (['All', 'Ely'], ['Any theme', 'A', 'B'])
    """
    groups = sorted(published["group"].astype(str).unique())
    themes = ["Any theme", *sorted(published["theme"].astype(str).unique())]
    return groups, themes


def quote_lines(published: pd.DataFrame, group: str, theme: str) -> list[str]:
    """The approved quotes of one group (and theme, unless "Any theme"), in file order.

    Examples
    --------
    >>> p = pd.DataFrame({"group": ["Ely", "Ely"], "theme": ["A", "B"], "quote": ["x", "y"]})
    >>> quote_lines(p, "Ely", "Any theme"), quote_lines(p, "Ely", "B")
    (['x', 'y'], ['y'])
    """
    keep = published["group"].astype(str) == group
    if theme != "Any theme":
        keep &= published["theme"].astype(str) == theme
    return published.loc[keep, "quote"].astype(str).tolist()


def consistent_quotes(
    published: pd.DataFrame, counts: pd.DataFrame, by: str | None, min_base: int
) -> pd.DataFrame:
    """The quotes whose group and theme the page's theme counts show with at least ``min_base``.

    The theme filter then offers, in each group, only themes whose published
    count is there to read and big enough: a count the table hides (``[c]``,
    a small count or one hidden to protect another) is never confirmed or
    narrowed by the quotes (a count of 1 cannot be followed into the filter
    to its one answer).

    Parameters
    ----------
    published : DataFrame
        From :func:`listening.publish.approvals.publishable`.
    counts : DataFrame
        From :func:`listening.publish.freetext.theme_counts` with the same ``by``.
    by : str or None
        The grouping (None: the whole county, group ``"All"``).
    min_base : int

    Examples
    --------
    >>> p = pd.DataFrame({"group": ["Ely", "Ely"], "theme": ["A", "B"], "quote": ["x", "y"]})
    >>> c = pd.DataFrame({"area": ["Ely", "Ely"], "theme": ["A", "B"], "n": [12, pd.NA],
    ...                   "suppressed": [False, True]})
    >>> consistent_quotes(p, c, "area", 10)["quote"].tolist()
    ['x']
    """
    n = pd.to_numeric(counts["n"], errors="coerce")
    shown = counts[~counts["suppressed"].astype(bool) & (n >= min_base)]
    groups = shown[by].astype(str) if by else pd.Series("All", index=shown.index)
    allowed = set(zip(groups, shown["theme"].astype(str), strict=True))
    pairs = zip(published["group"].astype(str), published["theme"].astype(str), strict=True)
    keep = [pair in allowed for pair in pairs]
    return published[keep].reset_index(drop=True)
