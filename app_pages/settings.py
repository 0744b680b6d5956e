"""The sidebar's settings and their defaults, shared by ``app.py`` and the launcher."""

from __future__ import annotations

MIN_BASE = 10
"""The explorer never publishes smaller groups than the library's default rule allows;
analysts may raise the minimum base, not lower it."""

MIN_BASES = (MIN_BASE, 20, 25, 30, 50, 100)
"""The minimum bases the sidebar offers: those published survey tables commonly use.
A fixed few, so that every one of them is protected ahead for the bundled sample
(:mod:`app_pages.likely_bases`) and a visitor cannot make the server protect a question
at every number up to 10,000 (a second or more each)."""

INTERVALS = {
    "logit": "Logit (default)",
    "beta": "Korn-Graubard (beta), cautious for small groups",
}
"""Interval methods for percentages, the default first."""
