"""The sidebar's settings and their defaults, shared by ``app.py`` and the launcher."""

from __future__ import annotations

import os

import listening as yl

MIN_BASE = 10
"""The explorer never publishes smaller groups than the library's default rule allows;
analysts may raise the minimum base, not lower it."""

DEFAULT_MIN_BASES = (MIN_BASE, 20, 25, 30, 50, 100)
"""The minimum bases the sidebar offers unless the host chooses others: those published
survey tables commonly use."""

MIN_BASES_VARIABLE = "LISTENING_MIN_BASES"
"""Environment variable: the host's own minimum bases, comma-separated (each at least
:data:`MIN_BASE`; the browser tests offer 200 and 300 to hide whole districts)."""

MOST_BASES = 12
"""At most this many minimum bases (each costs a publication of every question)."""


def offered_bases(text: str | None) -> tuple[int, ...]:
    """The minimum bases the sidebar offers: :data:`DEFAULT_MIN_BASES`, or ``text``'s.

    A fixed few, so that every one is protected ahead for the bundled sample
    (:mod:`app_pages.likely_bases`) and a visitor cannot make the server protect
    a question at every number up to 10,000 (a second or more each).
    :data:`MIN_BASE` is always offered: it is every other base's floor.

    Raises
    ------
    ListeningError
        If ``text`` holds anything but whole numbers from :data:`MIN_BASE` to
        10,000, or more than :data:`MOST_BASES` of them.

    Examples
    --------
    >>> offered_bases(None)
    (10, 20, 25, 30, 50, 100)
    >>> offered_bases("300, 200,30")
    (10, 30, 200, 300)
    >>> offered_bases("5")
    Traceback (most recent call last):
    ...
    listening.errors.ListeningError: LISTENING_MIN_BASES='5': give up to 12 whole numbers \
from 10 to 10,000, comma-separated (for instance 10,30,50), or unset it for the defaults.
    """
    if not text or not text.strip():
        return DEFAULT_MIN_BASES
    parts = [p.strip() for p in text.split(",") if p.strip()]
    values = {int(p) for p in parts if p.isdigit()}
    if (
        len(values) != len(set(parts))
        or len(values) > MOST_BASES
        or not values
        or (min(values) < MIN_BASE or max(values) > 10_000)
    ):
        raise yl.ListeningError(
            f"{MIN_BASES_VARIABLE}={text!r}: give up to {MOST_BASES} whole numbers from "
            f"{MIN_BASE} to 10,000, comma-separated (for instance 10,30,50), or unset it "
            "for the defaults."
        )
    return tuple(sorted(values | {MIN_BASE}))


MIN_BASES = offered_bases(os.environ.get(MIN_BASES_VARIABLE))
"""The minimum bases the sidebar offers (:func:`offered_bases`)."""

INTERVALS = {
    "logit": "Logit (default)",
    "beta": "Korn-Graubard (beta), cautious for small groups",
}
"""Interval methods for percentages, the default first."""
