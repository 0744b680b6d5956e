"""The bundled sample's first views, computed ahead in a background thread (``make app``).

With :data:`WARM_UP` set (``make app`` and ``make serve`` set it), the first
page's run starts :func:`warm_sample_publications`: Who took part, the headline
questions' publications, the pages' first tables and the Overview's
comparisons at the sidebar's defaults, then every other question's
publication, all through the pages' own cached functions
(:mod:`app_pages.shared`), so a visitor's first view is served from the
process-wide caches. Other minimum bases are protected in a worker process
(:mod:`app_pages.likely_bases`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import listening as yl
from app_pages import shared, waves
from listening.explorer.change import comparable_headlines
from listening.explorer.took_part import composition_variables
from listening.explorer.views import HEADLINES, answer_choices, question_choices

WARM_UP = "LISTENING_WARM_UP"
"""Environment variable: when set (``make app``, ``make serve``), the first run starts
:func:`warm_sample_publications`."""


def warm_up_wanted() -> bool:
    """Whether this server was started to warm the sample's publications (``WARM_UP`` set)."""
    return bool(os.environ.get(WARM_UP))


@st.cache_resource(show_spinner=False)
def warm_sample_publications(min_base: int, ci: str = "logit") -> threading.Thread:
    """Compute the bundled sample's first views in a background thread, once per process.

    A publication takes a second or more the first time (the linear programs
    of :func:`listening.publish.suppression.protect`), and the Overview's
    comparison of a group needs one per headline question. Computed ahead, in
    the order a visitor meets them (:func:`warm_up_steps`), a visitor's first
    view is served from the process-wide caches instead. Only the sample:
    nothing of an upload is ever computed here.
    """
    steps = warm_up_steps(min_base, ci)

    def run() -> None:
        for step in steps:
            try:
                step()
            except yl.ListeningError:
                continue  # the page says why when a visitor asks for it
            except Exception:  # a bug: in the server's log, and the next views still warm
                logging.getLogger(__name__).exception("warm-up step %s failed", step)

    thread = threading.Thread(target=run, name="warm-sample-publications", daemon=True)
    thread.start()
    return thread


def warm_up_steps(min_base: int, ci: str) -> list[Callable[[], Any]]:
    """What :func:`warm_sample_publications` computes, in order: Who took part's
    publication (:func:`app_pages.shared.took_part`; every question's hides at least what
    it hides); the publications of the headline questions and of the pages' first
    questions; the pages' first tables (with the sidebar's defaults, and Explore's at its
    other confidence levels); the Overview's
    comparison of every district and age band; Who took part's and the Change page's
    figures; then the publications of every other question, and Explore's first table of
    each (by district, with the sidebar's defaults)."""
    source = shared.load_sample_source()
    book = source.codebook
    weighted = source.raked is not None
    safer = [q.name for q in book.of_type("multi") if q.name == "safer_options"]
    safer = safer or [q.name for q in book.of_type("multi")][:1]
    first = [h.question for h in HEADLINES] + safer
    rest = [q for q in question_choices(book) if q not in first]
    known = [q for q in first if q in book.questions]
    publish_step = functools.partial(shared.publication, shared.SAMPLE_KEY)
    table_step = functools.partial(shared.crosstab, shared.SAMPLE_KEY, weighted)

    def explore_step(question: str, by: tuple[str, ...], level: float = 0.95) -> None:
        tab = shared.crosstab(shared.SAMPLE_KEY, weighted, question, by, (), min_base, ci, level)
        answer = answer_choices(book.question(question), tab.table)[1]
        shared.totals(shared.SAMPLE_KEY, weighted, question, by, (), (min_base, ci, level), answer)

    def change_step() -> None:
        county = waves.county_changes(source.as_designs(), min_base, ci)
        for h in comparable_headlines(county)[:1]:
            waves.district_changes(
                source.as_designs(), h.question, h.category, district, min_base, ci
            )

    variables = shared.took_part_variables(source)
    steps: list[Callable[[], Any]] = [
        functools.partial(shared.took_part, shared.SAMPLE_KEY, variables, min_base)
    ]
    steps += [functools.partial(publish_step, q, min_base) for q in known]
    district = book.district_column
    if "safe_dark" in book.questions and district:  # Explore's and the Map's first
        steps.append(functools.partial(explore_step, "safe_dark", (district,)))
        steps += [  # and Explore's other confidence levels
            functools.partial(explore_step, "safe_dark", (district,), level)
            for level in (0.9, 0.99)
        ]
    for q in safer:  # What would make you safer's first, then by district
        steps += [
            functools.partial(table_step, q, by, (), min_base, ci, 0.95) for by in ((), (district,))
        ]
    for text in (q.name for q in book.of_type("text") if q.coding_frame):  # its shared.themes
        steps += [
            functools.partial(shared.themes, shared.SAMPLE_KEY, text, by, min_base)
            for by in (None, district)
        ]
    for by in (district, book.age_band_column):
        if by and by in source.survey.data:
            values = source.survey.data[by]  # the Overview's choices
            groups = (
                list(values.cat.categories)
                if isinstance(values.dtype, pd.CategoricalDtype)
                else sorted(values.dropna().astype(str).unique())
            )
            steps += [
                functools.partial(
                    shared.comparison, shared.SAMPLE_KEY, weighted, by, str(g), ci, min_base
                )
                for g in groups
            ]
    present = composition_variables(book, source.survey.data)  # Who took part's views
    steps += [
        functools.partial(
            shared.composition_view, shared.SAMPLE_KEY, column, label, variables, min_base
        )
        for label, column in present
    ]
    if district:
        steps.append(change_step)
    steps += [functools.partial(publish_step, q, min_base) for q in rest]
    return steps + [  # Explore's first table of every other question (by district)
        functools.partial(explore_step, q, (district,))
        for q in question_choices(book)
        if district and q != "safe_dark"
    ]
