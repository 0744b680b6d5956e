"""Benchmark: how quick the explorer feels in Chromium (cold first page, page switch, widget).

Starts ``streamlit run app.py`` headless on a free port, drives Debian's Chromium
with Playwright and prints, next to the targets of issue #15:

- **cold first page**: from navigation start until the Overview has run and its
  chart is drawn; once right after the server starts (the sample is read,
  validated and raked) and once in a fresh browser with the server warm
  (target 2.5 s);
- **page switch**: from a click in the navigation until the new page has run
  and its charts are drawn (target 700 ms), the first time and again;
- **widget change**: from a click on a radio button (or a tab of Who took part,
  which reruns) until the rerun is done and the charts are redrawn (target 400 ms),
  the first time and again.

"Done" is read from the page itself: Streamlit's ``data-test-script-state``
on ``stApp`` going from ``running`` to ``notRunning``, then every plotly chart
in view having drawn its SVG (Streamlit draws a chart below the fold only when it
is scrolled to). Times are measured in the page (``performance.now()``) from
the click event's own time stamp, as a visitor's click: Playwright's checks
before it clicks (the element visible, stable and not covered: tens of
milliseconds) are left out. Each step is also split at the server's websocket
messages: "reply" (click to the first message: the server starting the rerun)
and "drawn" (the last message to ready); the rest, while messages arrive, is
the server running the script and the browser drawing each element as it comes.

Usage::

    .venv/bin/python benchmarks/browser.py [--repeat 2] [--chromium /usr/bin/chromium] [--warm-up]

With ``--warm-up`` the server runs as ``make app`` starts it (``app_pages/launch.py``,
which takes traffic once the first page is ready, and ``LISTENING_WARM_UP``
set): "server just started" is then timed from when it answers its health
check; after the first cold page the benchmark waits until the server process is
idle (its warm-up thread has protected the sample's questions and made the pages'
first tables, and its worker process has protected them at the likely minimum
bases), then measures what a visitor arriving after that sees.
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
from typing import NamedTuple

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
TARGETS_MS = {"cold first page": 2500, "page switch": 700, "widget change": 400}
TIMEOUT_MS = 60_000

# Counts finished runs and notes when the page last became ready (all charts drawn).
# Each attribute change is its own mutation record: a run fast enough to start and end
# between two callbacks is still counted (its record's old value is "running").
WATCH = """
() => {
  if (window.__bench) return;
  window.__bench = {runs: 0};
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(records => {
    for (const r of records) if (r.oldValue === 'running') window.__bench.runs += 1;
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
}
"""
# Counts the server's messages: a rerun so quick that React never draws the "running"
# state (cached pages) is seen as messages, then none for 150 ms. Notes the first message
# after a click (the server's reply) to split a step into server and browser time.
SOCKET = """
(() => {
  // when the last click happened (the event's time stamp, on the page's clock)
  document.addEventListener('click', event => {
    window.__clickAt = event.timeStamp;
    window.__socket.first = null;
  }, true);
  const Original = window.WebSocket;
  window.__socket = {messages: 0, last: 0, first: null};
  function Counted(...args) {
    const socket = new Original(...args);
    socket.addEventListener('message', () => {
      window.__socket.messages += 1;
      window.__socket.last = performance.now();
      if (window.__socket.first === null) window.__socket.first = window.__socket.last;
    });
    return socket;
  }
  Counted.prototype = Original.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Counted[k] = Original[k];
  window.WebSocket = Counted;
})();
"""
READY = """
([runs, heading, messages]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const socket = window.__socket;
  const quick = socket.messages > messages && performance.now() - socket.last > 150;
  if (window.__bench && window.__bench.runs <= runs && !quick) return false;
  const h1 = document.querySelector('h1');
  if (heading && !(h1 && h1.textContent.includes(heading))) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  // Charts in view: Streamlit draws a chart below the fold only when it is scrolled to.
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(c => c.getBoundingClientRect().top < innerHeight);
  if (charts.some(c => !c.querySelector('.main-svg'))) return false;
  // a quick rerun was done when its last message came (not after the quiet wait)
  window.__readyAt = window.__bench.runs > runs ? performance.now() : socket.last;
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
# (page, radio label, option): each widget change, undone by the next one on that page;
# TAB as the label: a click on that tab of the page's tabs (which reruns).
TAB = "Tab"
WIDGETS = [
    ("Overview", "Compare by", "Age band"),
    ("Overview", "Compare by", "District"),
    ("Explore a question", "Estimates", "Unweighted"),
    ("Explore a question", "Estimates", "Weighted"),
    ("Explore a question", "Chart", "One answer or net"),
    ("Explore a question", "Chart", "All answers"),
    ("Map", "Estimates", "Unweighted"),
    ("Map", "Estimates", "Weighted"),
    ("Who took part", TAB, "Age band"),
    ("Who took part", TAB, "District"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds so far of a process and its running children (the
    warm-up's worker process, ``app_pages/likely_bases.py``), from Linux ``/proc``."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_idle(pid: int, *, quiet: float = 3.0, limit: float = 900.0) -> float:
    """Wait until the process and its children use almost no CPU for ``quiet`` seconds;
    the seconds waited."""
    started = last_busy = time.monotonic()
    used = _cpu_seconds(pid)
    while time.monotonic() - last_busy < quiet and time.monotonic() - started < limit:
        time.sleep(0.5)
        now = _cpu_seconds(pid)
        if now - used > 0.05:
            last_busy = time.monotonic()
        used = now
    return last_busy - started


@contextmanager
def _server(warm_up: bool = False) -> Iterator[tuple[str, int]]:
    port = _free_port()
    # as make app: the launcher warms the first page, then runs `streamlit run app.py`
    start = ("app_pages.launch",) if warm_up else ("streamlit", "run", str(ROOT / "app.py"))
    command = [
        *(sys.executable, "-m", *start),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
        *("--server.fileWatcherType", "none"),
    ]
    with tempfile.TemporaryFile("w+") as log:
        env = {**os.environ, "LISTENING_WARM_UP": "1"} if warm_up else None
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
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
            yield url, process.pid
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
    context.add_init_script(SOCKET)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
        page.evaluate(WATCH)
        page.wait_for_function(READY, arg=[-1, "How safe", -1], timeout=TIMEOUT_MS, polling="raf")
        return float(page.evaluate("window.__readyAt"))
    finally:
        context.close()


class Step(NamedTuple):
    """One timed step, in ms: click to ready, and its split at the server's messages."""

    total: float
    reply: float  # click to the server's first message
    drawn: float  # the server's last message to ready (the browser drawing)


def _timed(page: Page, action, heading: str | None) -> Step:
    runs = int(page.evaluate("window.__bench.runs"))
    messages = int(page.evaluate("window.__socket.messages"))
    started = float(page.evaluate("window.__clickAt = null, performance.now()"))
    action()
    try:
        page.wait_for_function(
            READY, arg=[runs, heading, messages], timeout=TIMEOUT_MS, polling="raf"
        )
    except Exception:
        shot = Path(tempfile.gettempdir()) / "benchmark-browser-timeout.png"
        page.screenshot(path=str(shot), full_page=True)
        state = page.evaluate(
            "[window.__bench, document.querySelector('[data-testid=stApp]')"
            ".getAttribute('data-test-script-state')]"
        )
        raise SystemExit(f"the page never became ready ({state}); see {shot}") from None
    clicked = page.evaluate("window.__clickAt")  # None if the action was no click
    start = started if clicked is None else float(clicked)
    ready = float(page.evaluate("window.__readyAt"))
    first, last = page.evaluate("[window.__socket.first, window.__socket.last]")
    nan = float("nan")
    return Step(
        ready - start,
        nan if first is None else float(first) - start,
        nan if first is None else ready - float(last),
    )


def _switch(page: Page, title: str) -> Step:
    link = page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first
    return _timed(page, link.click, PAGES[title])


def _radio(page: Page, label: str, option: str) -> Step:
    group = page.locator('[data-testid="stRadio"]', has_text=label).first
    choice = group.locator("label").filter(has=page.get_by_text(option, exact=True)).first
    return _timed(page, choice.click, None)


def _tab(page: Page, name: str) -> Step:
    return _timed(page, page.get_by_role("tab", name=name, exact=True).click, None)


def _row(label: str, steps: list[Step], target: int) -> str:
    """A step's line: first and best-again times, the target, and the best-again
    step's split (server reply, browser drawing after the last message)."""
    times = [s.total for s in steps]
    best = min(steps[1:] or steps, key=lambda s: s.total)
    again = f"{min(times[1:]):9.0f}" if len(times) > 1 else f"{'-':>9}"
    verdict = "ok" if max(times) <= target else "SLOW"
    split = f"{best.reply:8.0f} {best.drawn:8.0f}" if best.reply == best.reply else ""
    return f"{label:<48} {times[0]:8.0f} {again} {target:8d}  {verdict:<4} {split}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="rounds of switches and widgets")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--warm-up", action="store_true", help="as make app: LISTENING_WARM_UP, then wait"
    )
    args = parser.parse_args()

    with _server(args.warm_up) as (url, pid), sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        try:
            server_cold = _cold(browser, url)
            if args.warm_up:
                waited = _wait_idle(pid)
                print(f"warm-up: the server was busy {waited:,.0f} s after the first page")
            browser_cold = min(_cold(browser, url) for _ in range(2))
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_init_script(SOCKET)
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
            page.evaluate(WATCH)
            page.wait_for_function(READY, arg=[-1, "How safe", -1], timeout=TIMEOUT_MS)
            switches: dict[str, list[Step]] = {}
            widgets: dict[str, list[Step]] = {}
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
                    change = _tab(page, option) if label == TAB else _radio(page, label, option)
                    widgets.setdefault(key, []).append(change)
            context.close()
        finally:
            browser.close()

    target = TARGETS_MS["cold first page"]
    print(f"{'step':<48} {'first ms':>8} {'again ms':>9} {'target':>8}  {'':<4} reply ms drawn ms")
    nan = float("nan")
    print(_row("cold first page, server just started", [Step(server_cold, nan, nan)], target))
    print(
        _row("cold first page, fresh browser, warm server", [Step(browser_cold, nan, nan)], target)
    )
    for title, times in switches.items():
        print(_row(f"switch to {title}", times, TARGETS_MS["page switch"]))
    for key, times in widgets.items():
        print(_row(key, times, TARGETS_MS["widget change"]))
    print(
        "reply: click to the server's first message; drawn: its last message to ready "
        "(of the best 'again' run)"
    )
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        " (the targets are for a quiet machine)"
    )


if __name__ == "__main__":
    main()
