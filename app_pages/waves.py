"""The Change page's figures for the two bundled waves, computed once per process.

The bundled 2024 wave against the bundled sample: both synthetic, so their
results sit in process-wide caches shared by every session (and filled ahead
by the warm-up, :func:`app_pages.warm_up.warm_sample_publications`). Nothing
of an upload is cached here: an uploaded wave, either one, stays in its session
(``app_pages/change.py``). Both pages' later wave hides what the explorer's
publication of the question hides (:func:`published_hides`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import listening as yl
from app_pages import shared
from app_pages.settings import MIN_BASE
from listening.explorer.change import WavePair, group_changes, headline_changes, wave_pair
from listening.explorer.sources import Designs, designs
from listening.explorer.views import HEADLINES

LABEL = "Bundled synthetic 2024 wave"


@st.cache_resource(show_spinner="Reading the bundled 2024 wave...")
def earlier_wave() -> tuple[str, Designs, Any]:
    """The bundled 2024 wave: its label, designs (raked to the bundled margins, as the
    sample is) and the harmonisation map between the two bundled waves."""
    survey = yl.load_sample_2024()
    return LABEL, designs(survey, yl.load_margins()), yl.load_harmonisation()


@st.cache_resource(show_spinner=False)
def bundled_pair(_sample: Designs) -> WavePair:
    """The two bundled waves' designs to compare. ``_sample`` must be the bundled
    sample's designs (not hashed: there is one bundled sample per process)."""
    return wave_pair(_sample, earlier_wave()[1])


@st.cache_resource(max_entries=16, show_spinner=False)
def county_changes(_sample: Designs, min_base: int, ci: str) -> pd.DataFrame:
    """:func:`~listening.explorer.change.headline_changes` of the bundled waves (do not
    change the result: it is shared)."""
    pair = bundled_pair(_sample)
    return headline_changes(pair, earlier_wave()[2], min_base=min_base, ci=ci)


@st.cache_resource(max_entries=64, show_spinner=False)
def district_changes(
    _sample: Designs, question: str, category: str, by: str, min_base: int, ci: str
) -> pd.DataFrame:
    """:func:`~listening.explorer.change.group_changes` of the bundled waves for the
    headline of ``question`` and ``category`` (do not change the result: it is shared)."""
    headline = next(h for h in HEADLINES if (h.question, h.category) == (question, category))
    pair = bundled_pair(_sample)
    return group_changes(
        pair,
        earlier_wave()[2],
        headline,
        by,
        min_base=min_base,
        ci=ci,
        floor=MIN_BASE,
        hide=published_hides(shared.SAMPLE_KEY, question, by, min_base),
    )


def published_hides(
    source_key: str, question: str, by: str, min_base: int
) -> dict[int, set[tuple[str, ...]]]:
    """The groups the explorer's publication of ``question`` (:func:`app_pages.shared.publication`)
    hides by ``by`` alone, at ``min_base`` and at the sidebar's lowest base: the ``hide`` of
    :func:`~listening.explorer.change.group_changes`, so the Change page shows no group of the
    later wave that Explore or the Map hides; none where the explorer has no table by
    ``by`` (a district column it does not offer as a breakdown). Not cached here: the
    publications are (per data source, in :mod:`app_pages.shared`)."""
    return {
        base: shared.publication(source_key, question, base).hidden().get((by,), set())
        for base in {min_base, MIN_BASE}
    }
