"""Benchmark: how quick the explorer feels in Chromium (cold first page, page switch, widget).

Starts ``streamlit run app.py`` headless on a free port, drives Debian's Chromium
with Playwright and prints, next to the targets of issue #15:

- **cold first page**: from navigation start until the Overview has run and its
  chart is drawn; once right after the server starts (the sample is read,
  validated and raked) and once in a fresh browser with the server warm
  (target 2.5 s);
- **page switch**: from a click in the navigation until the new page has run
  and its charts are drawn (target 700 ms), the first time and again;
- **widget change**: from a click on a radio button until the rerun is done
  and the charts are redrawn (target 400 ms), the first time and again.

"Done" is read from the page itself: Streamlit's ``data-test-script-state``
on ``stApp`` going from ``running`` to ``notRunning``, then every plotly chart
in view having drawn its SVG (Streamlit draws a chart below the fold only when it
is scrolled to). Times are measured in the page
(``performance.now()``), so Playwright's own overhead is left out.

Usage::

    .venv/bin/python benchmarks/browser.py [--repeat 2] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
TARGETS_MS = {"cold first page": 2500, "page switch": 700, "widget change": 400}
TIMEOUT_MS = 60_000

# Counts finished runs and notes when the page last became ready (all charts drawn).
WATCH = """
() => {
  if (window.__bench) return;
  window.__bench = {runs: 0, running: false};
  const app = document.querySelector('[data-testid="stApp"]');
  const note = () => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') window.__bench.running = true;
    if (state === 'notRunning' && window.__bench.running) {
      window.__bench.running = false;
      window.__bench.runs += 1;
    }
  };
  new MutationObserver(note).observe(app, {attributes: true});
  note();
}
"""
READY = """
([runs, heading]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (window.__bench && window.__bench.runs <= runs) return false;
  const h1 = document.querySelector('h1');
  if (heading && !(h1 && h1.textContent.includes(heading))) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  // Charts in view: Streamlit draws a chart below the fold only when it is scrolled to.
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(c => c.getBoundingClientRect().top < innerHeight);
  if (charts.some(c => !c.querySelector('.main-svg'))) return false;
  window.__readyAt = performance.now();
  return true;
}
"""
PAGES = {
    "Explore a question": "Explore",
    "Map": "Map",
    "Who took part": "Who took part",
    "What would make you safer": "safer",
    "Change since the last survey": "Change since",
    "Accessibility": "Accessibility",
    "Overview": "How safe",
}
# (page, radio label, option): each widget change, undone by the next one on that page.
WIDGETS = [
    ("Overview", "Compare by", "Age band"),
    ("Overview", "Compare by", "District"),
    ("Explore a question", "Estimates", "Unweighted"),
    ("Explore a question", "Estimates", "Weighted"),
    ("Explore a question", "Chart", "One answer or net"),
    ("Explore a question", "Chart", "All answers"),
    ("Map", "Estimates", "Unweighted"),
    ("Map", "Estimates", "Weighted"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server() -> Iterator[str]:
    port = _free_port()
    command = [
        *(sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
        *("--server.fileWatcherType", "none"),
    ]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"streamlit did not start:\n{log.read()}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _cold(browser, url: str) -> float:
    """Navigation start to the Overview run and drawn, in a fresh browser context."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
        page.evaluate(WATCH)
        page.wait_for_function(READY, arg=[-1, "How safe"], timeout=TIMEOUT_MS, polling="raf")
        return float(page.evaluate("window.__readyAt"))
    finally:
        context.close()


def _timed(page: Page, action, heading: str | None) -> float:
    runs = int(page.evaluate("window.__bench.runs"))
    started = float(page.evaluate("performance.now()"))
    action()
    try:
        page.wait_for_function(READY, arg=[runs, heading], timeout=TIMEOUT_MS, polling="raf")
    except Exception:
        shot = Path(tempfile.gettempdir()) / "benchmark-browser-timeout.png"
        page.screenshot(path=str(shot), full_page=True)
        state = page.evaluate(
            "[window.__bench, document.querySelector('[data-testid=stApp]')"
            ".getAttribute('data-test-script-state')]"
        )
        raise SystemExit(f"the page never became ready ({state}); see {shot}") from None
    return float(page.evaluate("window.__readyAt")) - started


def _switch(page: Page, title: str) -> float:
    link = page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first
    return _timed(page, link.click, PAGES[title])


def _radio(page: Page, label: str, option: str) -> float:
    group = page.locator('[data-testid="stRadio"]', has_text=label).first
    choice = group.locator("label").filter(has=page.get_by_text(option, exact=True)).first
    return _timed(page, choice.click, None)


def _row(label: str, times: list[float], target: int) -> str:
    first = times[0]
    again = f"{min(times[1:]):9.0f}" if len(times) > 1 else f"{'-':>9}"
    verdict = "ok" if max(times) <= target else "SLOW"
    return f"{label:<48} {first:8.0f} {again} {target:8d}  {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="rounds of switches and widgets")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    with _server() as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        try:
            server_cold = _cold(browser, url)
            browser_cold = min(_cold(browser, url) for _ in range(2))
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
            page.evaluate(WATCH)
            page.wait_for_function(READY, arg=[-1, "How safe"], timeout=TIMEOUT_MS)
            switches: dict[str, list[float]] = {}
            widgets: dict[str, list[float]] = {}
            current = "Overview"
            for _ in range(args.repeat):
                for title in PAGES:
                    switches.setdefault(title, []).append(_switch(page, title))
                    current = title
                for where, label, option in WIDGETS:
                    if where != current:
                        _switch(page, where)
                        current = where
                    key = f"{where}: {label} -> {option}"
                    print(f"... {key}", file=sys.stderr, flush=True)
                    widgets.setdefault(key, []).append(_radio(page, label, option))
            context.close()
        finally:
            browser.close()

    target = TARGETS_MS["cold first page"]
    print(f"{'step':<48} {'first ms':>8} {'again ms':>9} {'target':>8}")
    print(_row("cold first page, server just started", [server_cold], target))
    print(_row("cold first page, fresh browser, warm server", [browser_cold], target))
    for title, times in switches.items():
        print(_row(f"switch to {title}", times, TARGETS_MS["page switch"]))
    for key, times in widgets.items():
        print(_row(key, times, TARGETS_MS["widget change"]))
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        " (the targets are for a quiet machine)"
    )


if __name__ == "__main__":
    main()
