"""The sidebar's settings and their defaults, shared by ``app.py`` and the launcher."""

from __future__ import annotations

MIN_BASE = 10
"""The explorer never publishes smaller groups than the library's default rule allows;
analysts may raise the minimum base, not lower it."""

INTERVALS = {
    "logit": "Logit (default)",
    "beta": "Korn-Graubard (beta), cautious for small groups",
}
"""Interval methods for percentages, the default first."""
