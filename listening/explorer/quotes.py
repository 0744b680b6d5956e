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
