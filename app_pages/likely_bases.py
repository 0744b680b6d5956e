"""The headline questions protected ahead at the minimum bases analysts often choose.

Raising the minimum base makes a new publication of each question a page shows
(a second or two of linear programming for Explore's first question). After
the warm-up at the default base (:func:`app_pages.shared.warm_sample_publications`)
has finished, one more background thread protects the headline questions (the
Overview's comparison, Explore's and the Map's first question) at
:data:`LIKELY`, so a visitor raising the minimum base to one of them waits for
none. Only the bundled sample: nothing of an upload is computed here. Another
minimum base still takes its protection time the first time.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

import listening as yl
from app_pages import shared
from listening.explorer.views import HEADLINES

LIKELY = (20, 30, 50, 100)
"""Minimum bases often used in published survey tables."""
THREAD = "warm-likely-min-bases"


@st.cache_resource(show_spinner=False)
def warm_likely_bases(min_base: int, ci: str) -> threading.Thread:
    """Once per process: after the default warm-up at ``min_base``, the headline questions'
    publications at each of :data:`LIKELY` (in a background thread)."""
    first = shared.warm_sample_publications(min_base, ci)
    book = shared.load_sample_source().codebook
    questions = [h.question for h in HEADLINES if h.question in book.questions]

    def run() -> None:
        first.join()
        for base in LIKELY:
            for question in questions:
                try:
                    shared.publication(shared.SAMPLE_KEY, question, base)
                except yl.ListeningError:
                    continue  # the page says why when a visitor asks for it
                except Exception:  # a bug: in the server's log, and the next ones still warm
                    logging.getLogger(__name__).exception("warming %s at %s failed", question, base)

    thread = threading.Thread(target=run, name=THREAD, daemon=True)
    thread.start()
    return thread
