"""After the warm-up, raising the minimum base to a common value computes no publication.

``app_pages/likely_bases.py`` protects the sample's questions at the minimum
bases analysts often choose, in a worker process started once the first page
is drawn; here with one question (Explore's first) and one base, so the test
takes seconds. The worker's publications are the pages' own: they match one
computed in this process.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages import likely_bases, shared, warm_up

APP = str(Path(__file__).resolve().parents[1] / "app.py")
BASE = 50
OTHER = 30
"""Offered by the sidebar, but not protected by this test's worker (``LIKELY`` is BASE)."""
QUESTION = "safe_dark"


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, int]]:
    """A new server started with the warm-up (the default one already done), its worker
    finished; the publications this process makes after that, as (question, base)."""
    monkeypatch.setenv(warm_up.WARM_UP, "1")
    done = threading.Thread(target=lambda: None)
    done.start()
    monkeypatch.setattr(warm_up, "warm_sample_publications", lambda *_: done)
    monkeypatch.setattr(likely_bases, "LIKELY", (BASE,))
    monkeypatch.setattr(likely_bases, "questions", lambda: [QUESTION])
    st.cache_resource.clear()  # a new server: no publication yet
    shared.MADE_AHEAD.clear()
    calls: list[tuple[str, int]] = []
    real = shared.publish_question

    def counted(design, question, **options):
        calls.append((question, options["min_base"]))
        return real(design, question, **options)

    monkeypatch.setattr(shared, "publish_question", counted)
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    thread = likely_bases.warm_likely_bases()  # the run's, cached
    thread.join(timeout=300)
    assert not thread.is_alive()
    yield calls
    likely_bases.warm_likely_bases.clear()
    shared.MADE_AHEAD.clear()


def _explore_at(base: int, calls: list[tuple[str, int]]) -> list[tuple[str, int]]:
    before = len(calls)
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.selectbox(key="min_base").set_value(base)
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    return calls[before:]


def test_a_likely_minimum_base_is_protected_ahead(published):
    assert set(shared.MADE_AHEAD) == {(QUESTION, BASE)}  # from the worker, not this process
    assert (QUESTION, BASE) not in published
    assert _explore_at(BASE, published) == []


def test_control_a_base_the_worker_skipped_waits_for_its_publication(published):
    assert (QUESTION, OTHER) in _explore_at(OTHER, published)


def test_the_workers_publication_is_the_pages_own(published):
    ahead = shared.MADE_AHEAD.pop((QUESTION, BASE))
    st.cache_resource.clear()
    here = shared.publication(shared.SAMPLE_KEY, QUESTION, BASE)
    assert published[-1] == (QUESTION, BASE)  # computed here this time
    assert here.reasons == ahead.reasons
    assert any(r for table in here.reasons.values() for r in table.values())  # it hides some
