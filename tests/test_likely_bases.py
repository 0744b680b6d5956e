"""After the warm-up, raising the minimum base to a common value computes no publication.

``app_pages/likely_bases.py`` protects the headline questions at the minimum
bases analysts often choose, in a background thread after the default
warm-up; here with one headline (Explore's first question) and one base, so
the test takes seconds.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages import likely_bases, shared
from listening.explorer.views import HEADLINES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
BASE = 50


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, int]]:
    """Warm-ups as a new server starts them (the default one already done); the
    publications made after that, as (question, minimum base)."""
    monkeypatch.setenv(shared.WARM_UP, "1")
    done = threading.Thread(target=lambda: None)
    done.start()
    monkeypatch.setattr(shared, "warm_sample_publications", lambda *_: done)
    monkeypatch.setattr(likely_bases, "LIKELY", (BASE,))
    safe_dark = [h for h in HEADLINES if h.question == "safe_dark"]
    monkeypatch.setattr(likely_bases, "HEADLINES", safe_dark)
    st.cache_resource.clear()  # a new server: no publication yet
    calls: list[tuple[str, int]] = []
    real = shared.publish_question

    def counted(design, question, **options):
        calls.append((question, options["min_base"]))
        return real(design, question, **options)

    monkeypatch.setattr(shared, "publish_question", counted)
    yield calls
    likely_bases.warm_likely_bases.clear()


def _explore_at(base: int, calls: list[tuple[str, int]]) -> list[tuple[str, int]]:
    at = AppTest.from_file(APP, default_timeout=300).run()
    thread = likely_bases.warm_likely_bases(10, "logit")  # the run's, cached
    thread.join(timeout=300)
    assert ("safe_dark", BASE) in calls  # the thread made it
    before = len(calls)
    at.number_input(key="min_base").set_value(base)
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    return calls[before:]


def test_a_likely_minimum_base_is_protected_ahead(published):
    assert _explore_at(BASE, published) == []


def test_control_another_minimum_base_waits_for_its_publication(published):
    assert _explore_at(BASE - 1, published) == [("safe_dark", BASE - 1)]
