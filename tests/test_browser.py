"""The explorer in a real headless Chromium: every page renders, a filter changes the table.

Starts ``streamlit run app.py`` on a free port, drives Debian's Chromium
(``/usr/bin/chromium``; Playwright never downloads a browser) and saves a
screenshot of every page, at a desktop and a phone width, under
``tests/artifacts/`` (git-ignored, rewritten on every run) for a person to look
at. The server is always stopped.

WCAG 2.2 AA: axe-core (installed from npm by ``make axe``, the version pinned in
the Makefile) runs on every page of the navigation at 1440 and 390 px and any
violation fails. Offline by design: every test's browser fails on a request to
any host but the app's own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app_pages.settings import DEFAULT_MIN_BASES, MIN_BASES_VARIABLE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
OFFERED = ",".join(map(str, (*DEFAULT_MIN_BASES, 200, 300)))
"""The server's minimum bases (``LISTENING_MIN_BASES``): the sidebar's, and bases above the
sample's smallest districts, so that pages hide whole districts."""
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
WIDTHS = {"desktop": 1440, "phone": 390}
AXE_DIR = ROOT / ".cache" / "axe" / "node_modules" / "axe-core"
# Streamlit's own, listed on the Accessibility page with its upstream record: the
# file uploader's drop area is role="presentation" with tabindex=-1 and a label
# (streamlit/streamlit#15928 took it out of the tab order; the Browse files
# button is the keyboard's way in). Allowed on that element only.
ALLOWED = {"presentation-role-conflict": 'data-testid="stFileUploaderDropzone"'}

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
            command,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, MIN_BASES_VARIABLE: OFFERED},
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _listen_offline(context, server: str) -> list[str]:
    """Record every request the browser sends to a host other than the app's own."""
    elsewhere: list[str] = []
    own = _origin(server)

    def check(request) -> None:
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if _origin(request.url) != own:
            elsewhere.append(request.url)

    context.on("request", check)
    return elsewhere


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    elsewhere = _listen_offline(context, server)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
    assert not elsewhere, f"requests to another host (offline by design): {elsewhere}"


def _settle(page, shows: str = '[data-testid="stDataFrame"]') -> None:
    """Wait until the page ``shows`` (a table) or an exception and Streamlit stopped running."""
    page.wait_for_selector(f'{shows}, [data-testid="stException"]', timeout=TIMEOUT)
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


def _axe_script() -> str:
    """axe-core as the Makefile pins it (``make axe`` installs it under ``.cache/``)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^AXE_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert pinned, "the Makefile pins AXE_VERSION"
    package = AXE_DIR / "package.json"
    if not package.is_file():
        pytest.fail(f"axe-core is not installed in {AXE_DIR}: run `make axe`")
    installed = json.loads(package.read_text(encoding="utf-8"))["version"]
    assert installed == pinned.group(1), (
        f"axe-core {installed} is installed, the Makefile pins {pinned.group(1)}: run `make axe`"
    )
    return (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                              summary: n.failureSummary}))}));
}"""


def _violations(page, axe: str) -> list[str]:
    """Every axe-core violation on the page (all its rules but experimental ones)."""
    page.add_script_tag(content=axe)
    found = []
    for rule in page.evaluate(AXE_RUN):
        allowed = ALLOWED.get(rule["id"])
        found += [
            f"{rule['id']} ({rule['impact']}): {rule['help']} at {node['target']}: "
            f"{node['summary']} {node['html'][:160]}"
            for node in rule["nodes"]
            if not (allowed and allowed in node["html"])
        ]
    return found


def _layout_problems(page) -> list[str]:
    """One h1, and nothing wider than the window (no sideways scrolling on a phone)."""
    found = []
    h1 = page.locator("h1").count()
    if h1 != 1:
        found.append(f"{h1} h1 headings, not one")
    wide, window, main, shown = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " const d = document.documentElement;"
        " return [d.scrollWidth, innerWidth, m.scrollWidth, m.clientWidth]; }"
    )
    if wide > window or main > shown:
        found.append(f"the page is {max(wide, main)} px wide in a {window} px window")
    return found


# The Change page's tables have ten columns (both waves' figures, intervals and bases):
# still wider than a desktop page, so they scroll sideways inside their frame.
WIDE_TABLES = {"change"}


def _cut_tables(page) -> list[str]:
    """Tables whose columns do not all fit their frame (Streamlit then hides the last ones
    behind a sideways scroll inside the table)."""
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')].map(t => {"
        " const s = t.querySelector('.dvn-scroller');"
        " return s ? [s.scrollWidth, s.clientWidth] : [0, 0]; })"
    )
    return [
        f"table {i + 1} is {wide} px wide in a {shown} px frame"
        for i, (wide, shown) in enumerate(sizes)
        if wide > shown + 1
    ]


def _whole_page(page, width: int) -> None:
    """Make the window as tall as the page: Streamlit scrolls its main area inside it."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(int(height), 900), 12_000)})
    page.wait_for_timeout(500)  # charts redraw at the new size


@pytest.fixture(scope="module")
def nav_pages(server, browser) -> dict[str, str]:
    """Every page in the app's navigation, by name (the overview is the root)."""
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    try:
        tab = context.new_page()
        tab.goto(server)
        _settle(tab)
        hrefs = tab.locator('[data-testid="stSidebarNavLink"]').evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    finally:
        context.close()
    paths = [urlsplit(href).path.strip("/") for href in hrefs]
    pages = {path or "overview": path for path in paths}
    assert set(PAGES.values()) | {"accessibility"} <= set(pages.values()), pages
    return pages


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_passes_axe_offline_and_fits(server, browser, nav_pages, width):
    """axe-core finds nothing on any page; one h1; no sideways scrolling; no other host;
    at the desktop width every table shows all its columns.

    On the phone the sidebar (closed at first) is opened on the first page and
    checked too. Screenshots: ``tests/artifacts/<page>_<width>.png``.
    """
    axe = _axe_script()
    pixels = WIDTHS[width]
    context = browser.new_context(viewport={"width": pixels, "height": 900})
    elsewhere = _listen_offline(context, server)
    problems: dict[str, list[str]] = {}
    try:
        tab = context.new_page()
        for name, path in nav_pages.items():
            tab.set_viewport_size({"width": pixels, "height": 900})
            tab.goto(f"{server}/{path}")
            _settle(tab, '[data-testid="stMain"] h1')
            _whole_page(tab, pixels)
            found = _violations(tab, axe) + _layout_problems(tab)
            if width == "desktop" and name not in WIDE_TABLES:
                found += _cut_tables(tab)
            tab.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"), full_page=True)
            if found:
                problems[name] = found
        if width == "phone":
            tab.set_viewport_size({"width": pixels, "height": 900})
            tab.goto(server)
            _settle(tab)
            tab.locator('[data-testid="stExpandSidebarButton"]').click()
            tab.locator('[data-testid="stSidebarNav"]').wait_for(state="visible")
            tab.wait_for_timeout(500)
            found = _violations(tab, axe) + _layout_problems(tab)
            tab.screenshot(path=str(ARTIFACTS / "sidebar_phone.png"))
            if found:
                problems["sidebar"] = found
    finally:
        context.close()
    assert not problems, json.dumps(problems, indent=1)
    assert not elsewhere, f"requests to another host (offline by design): {elsewhere}"


def test_the_checks_find_what_they_look_for(server, browser):
    """Control: faint text, a second h1, a too-wide block and a request to another host
    put into a page are each caught by the checks the page test relies on."""
    context = browser.new_context(viewport={"width": WIDTHS["phone"], "height": 900})
    elsewhere = _listen_offline(context, server)
    try:
        tab = context.new_page()
        tab.goto(f"{server}/accessibility")
        _settle(tab, '[data-testid="stMain"] h1')
        assert not _violations(tab, _axe_script()) and not _layout_problems(tab)
        tab.evaluate(
            """() => { const m = document.querySelector('[data-testid="stMainBlockContainer"]');
              m.insertAdjacentHTML('afterbegin', '<p style="color:#999">faint</p><h1>Two</h1>'
                + '<div style="width:1200px">wide</div>'); }"""
        )
        found = " ".join(_violations(tab, _axe_script()) + _layout_problems(tab))
        assert "color-contrast" in found
        assert "2 h1 headings" in found
        assert "px wide in a 390 px window" in found
        other = server.replace("127.0.0.1", "127.0.0.2")  # another host, still this machine
        tab.evaluate("(url) => fetch(url).catch(() => null)", f"{other}/_stcore/health")
        tab.wait_for_timeout(500)
    finally:
        context.close()
    assert elsewhere == [f"{other}/_stcore/health"]


def test_the_table_check_finds_a_table_wider_than_its_frame(server, browser):
    """Control for ``_cut_tables``: on a phone the Explore table (seven columns) scrolls
    sideways inside its frame, which the check reports; the page itself does not."""
    context = browser.new_context(viewport={"width": WIDTHS["phone"], "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{server}/explore")
        _settle(tab)
        assert _cut_tables(tab)
        assert not _layout_problems(tab)
        assert tab.get_by_text("swipe the table sideways").first.is_visible()
    finally:
        context.close()


FOCUS_STYLE = """() => { const a = document.activeElement, s = getComputedStyle(a);
  return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
          background: s.backgroundColor, current: a.getAttribute('aria-current'),
          testid: a.getAttribute('data-testid')}; }"""


def test_keyboard_focus_is_visible_and_unlike_the_current_page(server, page):
    """Tabbing onto the navigation shows a 3 px outline and a background the current page lacks."""
    page.goto(server)
    _settle(page)
    focused = []
    for _ in range(60):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["testid"] == "stSidebarNavLink":
            focused.append(style)
            if len(focused) == 2:
                break
    assert len(focused) == 2, "the keyboard never reached two navigation links"
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    at_rest = current.evaluate(
        "a => { const s = getComputedStyle(a); return {outline: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), background: s.backgroundColor}; }"
    )
    assert at_rest["outline"] == "none" or at_rest["width"] == 0, at_rest
    for style in focused:
        assert style["outline"] == "solid" and style["width"] >= 3, style
        assert style["background"] != at_rest["background"], (style, at_rest)
    assert [style["current"] for style in focused] == ["page", None]


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
    from app_pages.file_exports import chart_png, png_export_available

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
    # the first upload reruns the app (no figures until both files are in); a second file
    # sent meanwhile can be lost
    _settle(page, '[data-testid="stMain"] h1')
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
    # the upload widgets, the checks on the file and "Unweighted" pass axe-core too
    assert not _violations(page, _axe_script())
