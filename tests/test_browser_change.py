"""The "Change since the last survey" page in a real headless Chromium.

Reuses the server, browser and page fixtures of ``tests/test_browser.py``
(Debian's Chromium; the Streamlit server is always stopped) and saves
screenshots under ``tests/artifacts/``.
"""

from __future__ import annotations

import pytest
from test_browser import ARTIFACTS, TIMEOUT, browser, page, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TABLES = '[data-testid="stDataFrame"]'


def _ready(page) -> None:  # noqa: F811 (the fixture)
    """Wait for both tables and the chart, and for Streamlit to stop running."""
    page.wait_for_function(
        f"() => document.querySelectorAll('{TABLES}').length >= 2"
        " && document.querySelector('.js-plotly-plot .scatterlayer')"
        " || document.querySelector('[data-testid=\"stException\"]')",
        timeout=TIMEOUT,
    )
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )
    page.wait_for_timeout(800)  # charts draw after the script ends


def _district_table(page) -> str:  # noqa: F811 (the fixture)
    return page.locator(f"{TABLES} table").nth(1).inner_text()


def test_the_change_page_draws_the_dumbbell_and_hides_small_groups(server, page):  # noqa: F811
    page.goto(f"{server}/change")
    _ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("heading", name="Change since the last survey").count() == 1
    assert page.get_by_text("no significant change across the county").count() >= 1
    chart = page.locator(".js-plotly-plot").first
    assert chart.locator(".scatterlayer .point").count() >= 2 * 7  # before and after, 7 rows
    assert "Peterborough" in chart.inner_text()
    before = _district_table(page)
    assert "[c]" not in before
    page.screenshot(path=str(ARTIFACTS / "change.png"), full_page=True)

    box = page.get_by_label("Minimum base (hide groups with fewer answers)", exact=True)
    box.fill("200")
    box.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('{TABLES} table')[1]?.innerText.includes('[c]')",
        timeout=TIMEOUT,
    )
    _ready(page)
    after = _district_table(page)
    assert "[c]" in after and after != before
    assert page.get_by_text("Not drawn, and left out of the download").count() == 1
    assert "[c] not shown" in page.locator(".js-plotly-plot").first.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "change_hidden.png"), full_page=True)
