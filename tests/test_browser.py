"""The explorer in a real headless Chromium: every page renders, a filter changes the table.

Starts ``streamlit run app.py`` on a free port, drives Debian's Chromium
(``/usr/bin/chromium``; Playwright never downloads a browser) and saves a
screenshot of every page under ``tests/artifacts/`` (git-ignored) for a person
to look at. The server is always stopped.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "overview": "",
    "explore": "explore",
    "map": "map",
    "who_took_part": "who_took_part",
    "safer": "safer",
}
TIMEOUT = 90_000  # ms: the first page loads, checks and rakes the sample

playwright = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium is not installed (make browser installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ}
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {log}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def _settle(page) -> None:
    """Wait until the page has a table or an exception and Streamlit stopped running."""
    page.wait_for_selector(
        '[data-testid="stDataFrame"], [data-testid="stException"]', timeout=TIMEOUT
    )
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )
    page.wait_for_timeout(800)  # charts draw after the script ends


def _table_text(page, index: int = 0) -> str:
    return page.locator('[data-testid="stDataFrame"] table').nth(index).inner_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_without_exception(server, page, name):
    page.goto(f"{server}/{PAGES[name]}")
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    assert page.locator(".js-plotly-plot").count() >= 1
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _choose(page, label: str, option: str, shows: str) -> None:
    """Pick ``option`` in the multiselect ``label`` until the page says ``shows``.

    Streamlit may redraw the widget while it is being used; try again then.
    """
    for _ in range(4):
        try:
            box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
            box.wait_for(state="visible", timeout=TIMEOUT)
            box.locator("input").click()
            page.keyboard.type(option)
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.get_by_text(shows).wait_for(timeout=15_000)
            return
        except playwright.TimeoutError:
            page.keyboard.press("Escape")
    pytest.fail(f"could not choose {option!r} in {label!r}")


def test_a_filter_changes_the_table(server, page):
    page.goto(f"{server}/explore")
    _settle(page)
    before = _table_text(page)
    page.get_by_text("Filter: look at part of the population").click()
    _choose(page, "Only these (gender)", "Girl", "Filtered to gender: Girl")
    page.wait_for_function(
        "(before) => { const t = document.querySelector('[data-testid=\"stDataFrame\"] table');"
        " return t && t.innerText !== before; }",
        arg=before,
        timeout=TIMEOUT,
    )
    _settle(page)
    after = _table_text(page)
    assert after != before
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "explore_filtered.png"), full_page=True)


def test_high_min_base_shows_c_on_the_map(server, page):
    page.goto(f"{server}/map")
    _settle(page)
    box = page.get_by_label("Minimum base (hide groups with fewer answers)", exact=True)
    box.fill("300")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stDataFrame\"] table')"
        "?.innerText.includes('[c]')",
        timeout=TIMEOUT,
    )
    _settle(page)
    assert page.locator(".js-plotly-plot").get_by_text("[c]").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "map_suppressed.png"), full_page=True)


def test_charts_export_to_png_with_the_system_chromium():
    pytest.importorskip("kaleido")
    import plotly.graph_objects as go

    sys.path.insert(0, str(ROOT))
    from app_pages.shared import chart_png, png_export_available

    assert png_export_available()
    png = chart_png(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_downloads_from_the_explore_page(server, page, tmp_path):
    page.goto(f"{server}/explore")
    _settle(page)
    files = {}
    labels = ["Download table (CSV)", "Download briefing (Excel)"]
    if importlib.util.find_spec("kaleido") is not None:
        labels.append("Download chart (PNG)")
    for label in labels:
        with page.expect_download(timeout=TIMEOUT) as download:
            page.get_by_role("button", name=label).first.click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        files[label] = target.read_bytes()
    assert files["Download table (CSV)"].startswith(b"district,category,estimate")
    assert files["Download briefing (Excel)"][:2] == b"PK"  # an xlsx is a zip
    if "Download chart (PNG)" in files:
        assert files["Download chart (PNG)"][:8] == b"\x89PNG\r\n\x1a\n"


def test_the_server_logged_no_traceback(server, page):
    """After every page has been shown (tests above), the server log is clean."""
    for path in PAGES.values():
        page.goto(f"{server}/{path}")
        _settle(page)
    log = (ARTIFACTS / "streamlit.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[log.index("Traceback") - 300 :][:3000]


def test_markdown_and_html_in_an_upload_stay_text(server, page, tmp_path):
    """The issue's case: an uploaded column named ``![x](http://127.0.0.1:9/col.png)``
    made the browser fetch that URL. Labels from files must render as plain text."""
    import pandas as pd
    import yaml

    from listening.paths import SAMPLE_DIR

    bait = "http://127.0.0.1:9"
    frame = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)
    frame = frame.iloc[:900].copy()
    frame[f"![x]({bait}/col.png)"] = "1"
    book = yaml.safe_load((SAMPLE_DIR / "codebook.yaml").read_text(encoding="utf-8"))
    for question in book["questions"]:
        if question["name"] == "safer_text":
            question["wording"] += f" ![w]({bait}/wording.png) <img src={bait}/tag.png>"
    survey = tmp_path / f"![f]({bait.replace('/', '')}f.png).csv"
    survey.write_bytes(frame.to_csv(index=False).encode())
    codebook = tmp_path / "book.yaml"
    codebook.write_text(yaml.safe_dump(book), encoding="utf-8")

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{server}/who_took_part")
    _settle(page)
    page.get_by_text("Upload a survey", exact=True).click()
    uploads = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploads.nth(0).set_input_files(str(survey))
    _settle(page)  # the first upload reruns the app; a second file sent meanwhile can be lost
    uploads.nth(1).set_input_files(str(codebook))
    page.get_by_text("Columns in the file that the codebook does not describe").wait_for(
        timeout=TIMEOUT
    )
    _settle(page)
    shown = page.locator('[data-testid="stMain"]').inner_text()
    assert f"![x]({bait}/col.png)" in shown.replace("\u2060", "")  # shown, as text
    page.get_by_role("link", name="What would make you safer").click()  # same session
    page.get_by_text("wording.png").first.wait_for(timeout=TIMEOUT)  # the wording, as text
    _settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")
    assert f"Uploaded: {survey.name}" in sidebar
    main = page.locator('[data-testid="stMain"], [data-testid="stSidebar"]')
    assert main.locator("img").count() == 0
    assert main.locator(f'a[href^="{bait}"]').count() == 0
    assert not [url for url in fetched if url.startswith(bait)]
    page.screenshot(path=str(ARTIFACTS / "upload_markdown.png"), full_page=True)
