"""Sign-in with a real OpenID Connect provider, in headless Chromium.

Starts ``oidc-provider-mock`` on localhost and the explorer, hosted as ``make
serve`` hosts it, from a temporary copy of the app with its own
``.streamlit/secrets.toml`` (so no secret is ever written into the repository),
then drives Debian's Chromium through the real login redirects:

- an allowed user signs in and sees the explorer;
- a signed-in user not on the allow-list (``evil-cambs.gov.uk``) is refused;
- before signing in, and when refused, no survey figure reaches the page or
  the websocket.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import listening as yl
from listening.explorer.escape import WORD_JOINER

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
TIMEOUT = 90_000  # ms
ALLOWED = "jo.smith@cambs.gov.uk"
REFUSED = "intruder@evil-cambs.gov.uk"

playwright = pytest.importorskip("playwright.sync_api")
pytest.importorskip("oidc_provider_mock")
pytest.importorskip("authlib")
if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium is not installed (make browser installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not come up; see {log}")
        time.sleep(0.3)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on a free localhost port: any client, any user name."""
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "oidc_provider.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(f"{url}/.well-known/openid-configuration", process, log)
            yield url
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def server(provider, tmp_path_factory) -> Iterator[str]:
    """The explorer with sign-in, from a temporary copy holding the only secrets file."""
    app = tmp_path_factory.mktemp("hosted")
    shutil.copy(ROOT / "app.py", app / "app.py")
    shutil.copytree(ROOT / "app_pages", app / "app_pages", ignore=shutil.ignore_patterns("__*"))
    (app / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", app / ".streamlit" / "config.toml")
    port = _free_port()
    (app / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "youth-listening-explorer"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "[access]\n"
        'allowed_emails = ["analyst@example.org"]\n'
        'allowed_domains = ["cambs.gov.uk"]\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's listening
    check = subprocess.run(
        [sys.executable, "-m", "listening.explorer.access", ".streamlit/secrets.toml"],
        cwd=app,
        capture_output=True,
        text=True,
        env=env,
    )
    assert check.returncode == 0, check.stderr  # what make serve checks first
    log = ARTIFACTS / "streamlit_signin.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        # As make serve runs it:
        "--browser.gatherUsageStats",
        "false",
        "--client.showErrorDetails",
        "none",
        "--server.enableXsrfProtection",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=app, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for(f"{url}/_stcore/health", process, log)
            yield url
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Wire:
    """Everything the explorer's server sent one browser tab: websocket frames and pages."""

    def __init__(self, page, server: str) -> None:
        self.frames: list[bytes] = []
        self.bodies: list[bytes] = []
        self.server = server
        page.on("websocket", self._socket)
        page.on("response", self._response)

    def _socket(self, socket) -> None:
        def received(payload: str | bytes) -> None:
            self.frames.append(payload.encode() if isinstance(payload, str) else payload)

        socket.on("framereceived", received)

    def _response(self, response) -> None:
        if response.url.startswith(self.server) and "/static/" not in response.url:
            try:
                self.bodies.append(response.body())
            except playwright.Error:
                pass  # a redirect has no body

    def blob(self) -> bytes:
        return b"\n".join(self.frames + self.bodies)


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    wire = Wire(page, server)
    try:
        yield page, wire
    finally:
        context.close()


@pytest.fixture(scope="module")
def figures() -> list[bytes]:
    """Text that appears wherever the explorer shows the bundled sample."""
    survey = yl.load_sample()
    report = survey.report()
    texts = [
        f"{report.n_kept:,} young people kept",
        f"of {report.n_read:,} rows",
        "How safe do young people feel?",
        "Bundled synthetic sample",
        *survey.codebook.districts,
    ]
    return [t.encode() for t in texts]


def _sign_in(page, server: str, who: str) -> None:
    page.goto(server)
    page.get_by_role("button", name="Sign in").click(timeout=TIMEOUT)
    page.locator('input[name="sub"]').fill(who, timeout=TIMEOUT)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server}/**", timeout=TIMEOUT)


def _settled(page, selector: str) -> None:
    page.wait_for_selector(selector, timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )
    page.wait_for_timeout(1500)  # let any late message arrive


def _leaks(wire: Wire, figures: list[bytes]) -> list[bytes]:
    blob = wire.blob()
    return [f for f in figures if f in blob]


def test_a_visitor_who_has_not_signed_in_gets_no_figure(tab, server, figures):
    page, wire = tab
    page.goto(server)
    _settled(page, 'button:has-text("Sign in")')
    assert wire.frames, "the websocket was not observed"
    assert page.locator('[data-testid="stDataFrame"], .js-plotly-plot').count() == 0
    assert not _leaks(wire, figures)
    for path in ("explore", "map", "who_took_part", "safer"):
        page.goto(f"{server}/{path}")
        _settled(page, 'button:has-text("Sign in")')
    assert not _leaks(wire, figures)
    assert not any(b"%" in frame for frame in wire.frames)  # no percentage at all
    page.screenshot(path=str(ARTIFACTS / "signin_page.png"), full_page=True)


def test_an_allowed_user_signs_in_and_sees_the_explorer(tab, server, figures):
    page, wire = tab
    _sign_in(page, server, ALLOWED)
    _settled(page, '[data-testid="stDataFrame"]')
    assert page.locator('[data-testid="stMetric"]').count() >= 4
    signed_in = page.get_by_text("Signed in as").inner_text().replace(WORD_JOINER, "")
    assert signed_in == f"Signed in as {ALLOWED}"
    assert page.locator('a[href^="mailto:"]').count() == 0  # the address is text, not a link
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _leaks(wire, figures), "the test's figures should be seen once signed in"
    page.screenshot(path=str(ARTIFACTS / "signin_allowed.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the provider's session too (RP-initiated logout), then comes back.
    page.get_by_role("button", name="End session").click(timeout=TIMEOUT)
    _settled(page, 'button:has-text("Sign in")')
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_a_user_not_on_the_list_is_refused_and_sees_no_figure(tab, server, figures):
    page, wire = tab
    _sign_in(page, server, REFUSED)
    _settled(page, 'button:has-text("Sign out")')
    refusal = page.get_by_text("not on this explorer's list of users").inner_text()
    assert REFUSED in refusal.replace(WORD_JOINER, "")
    assert page.locator('a[href^="mailto:"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"], .js-plotly-plot').count() == 0
    page.goto(f"{server}/explore")
    _settled(page, 'button:has-text("Sign out")')
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert not _leaks(wire, figures)
    page.screenshot(path=str(ARTIFACTS / "signin_refused.png"), full_page=True)


def test_the_server_logged_no_traceback(server, tab):
    log = (ARTIFACTS / "streamlit_signin.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[log.index("Traceback") - 300 :][:3000]
