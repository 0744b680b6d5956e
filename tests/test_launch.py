"""``make app`` and ``make serve`` start the explorer through ``app_pages/launch.py``.

The launcher fills the process-wide caches with the Overview's first figures
before the server listens (so the first visitor waits for none of it), and
hands every flag of the Makefile to ``streamlit run app.py`` unchanged (the
hosted server's security flags among them).
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.web import cli

import listening as yl
from app_pages import launch, shared, warm_up

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SERVE_FLAGS = {
    "--client.showErrorDetails": "none",
    "--client.toolbarMode": "viewer",
    "--server.enableXsrfProtection": "true",
    "--server.enableCORS": "true",
    "--server.fileWatcherType": "none",
    "--server.runOnSave": "false",
    "--global.developmentMode": "false",
    "--browser.gatherUsageStats": "false",
    "--server.headless": "true",
}


@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """Empty caches (as in a new server) and how often the Overview's work is done."""
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.delenv(warm_up.WARM_UP, raising=False)
    calls = {"load_sample": 0, "headline_estimates": 0}

    def count(name, real):
        def run(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(yl, "load_sample", count("load_sample", yl.load_sample))
    monkeypatch.setattr(
        shared, "headline_estimates", count("headline_estimates", shared.headline_estimates)
    )
    return calls


def _first_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    assert at.title[0].value == "How safe do young people feel?"
    return at


def test_after_the_launcher_warms_up_the_first_page_computes_nothing(counted):
    launch.warm()
    assert counted == {"load_sample": 1, "headline_estimates": 1}
    _first_page()
    assert counted == {"load_sample": 1, "headline_estimates": 1}


def test_control_without_the_launcher_the_first_page_loads_and_estimates(counted):
    _first_page()
    assert counted == {"load_sample": 1, "headline_estimates": 1}


def _recipe(target: str) -> list[str]:
    """The launcher's command line in a Makefile target (continuation lines joined)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = re.search(rf"^{target}: setup\n((?:\t.*\n)+)", text, re.MULTILINE).group(1)
    line = next(line for line in recipe.splitlines() if "app_pages.launch" in line)
    words = shlex.split(line)
    return words[words.index("app_pages.launch") + 1 :]


@pytest.mark.parametrize("target", ["app", "serve"])
def test_the_makefile_flags_reach_streamlit_run_unchanged(target, monkeypatch):
    flags = [
        f.replace("$(ADDRESS)", "127.0.0.1").replace("$(PORT)", "8501") for f in _recipe(target)
    ]
    pairs = dict(zip(flags[::2], flags[1::2], strict=True))
    if target == "serve":
        assert SERVE_FLAGS.items() <= pairs.items()
    seen: list[list[str]] = []
    monkeypatch.setattr(launch, "warm", lambda: None)
    monkeypatch.setattr(cli, "main", lambda **_: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["launch.py", *flags])
    launch.main()
    assert seen == [["streamlit", "run", APP, *flags]]
