"""The explorer started by ``make app`` protects the sample's questions ahead of its visitors.

Without the warm-up, the first view of each question waits for its
publication (seconds of linear programming); with ``LISTENING_WARM_UP`` set,
a background thread fills the process-wide cache once, so a page opened after
it has finished computes no publication at all.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import likely_bases, shared, warm_up

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _warm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "warm-sample-publications"]


def test_without_the_variable_nothing_is_computed_ahead(monkeypatch):
    monkeypatch.delenv(warm_up.WARM_UP, raising=False)
    assert not warm_up.warm_up_wanted()
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    assert not _warm_threads()


def test_after_the_warm_up_a_page_computes_no_publication(monkeypatch):
    monkeypatch.setenv(warm_up.WARM_UP, "1")
    # no worker at other minimum bases here (tests/test_likely_bases.py tests it)
    monkeypatch.setattr(likely_bases, "warm_likely_bases", lambda: None)
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    threads = _warm_threads()
    assert len(threads) == 1
    threads[0].join(timeout=600)
    assert not threads[0].is_alive()

    calls: list[str] = []
    real = shared.publish_question

    def counted(design, question, **options):
        calls.append(question)
        return real(design, question, **options)

    monkeypatch.setattr(shared, "publish_question", counted)
    for page in ("app_pages/explore.py", "app_pages/map.py"):
        at.switch_page(page).run()
        assert not at.exception
    assert calls == []


def test_every_warm_up_step_works_on_the_sample():
    """The thread only logs a step that fails with a bug (and goes on): run each here."""
    steps = warm_up.warm_up_steps(10, "logit")
    assert len(steps) > len(shared.HEADLINES)
    for step in steps:
        step()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test may start the warm-up afresh (as a new server would)."""
    warm_up.warm_sample_publications.clear()
    yield
