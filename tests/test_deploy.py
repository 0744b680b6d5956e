"""The shipped nginx configuration (deploy/nginx): valid, TLS, and no framing.

Runs Debian's nginx (skipped when it is not installed) on the shipped file with
only the machine-specific parts replaced: local ports, a throw-away
self-signed certificate, log paths and the upstream, a tiny local HTTP server.
"""

from __future__ import annotations

import gzip
import http.server
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "deploy" / "nginx" / "youth-listening.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

if not Path(NGINX).is_file() or not shutil.which("openssl"):
    pytest.skip("nginx or openssl is not installed (apt install nginx)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, kind = b"explorer", "text/plain"
        if self.path.endswith(".js"):  # as Streamlit's static bundles: uncompressed
            body, kind = b"var explorer = 1;\n" * 1000, "application/javascript"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=explorer.example.org"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    plain, tls = _free_port(), _free_port()
    text = CONF.read_text(encoding="utf-8")
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;")
    text = text.replace("/etc/ssl/youth-listening/fullchain.pem", str(folder / "cert.pem"))
    text = text.replace("/etc/ssl/youth-listening/privkey.pem", str(folder / "key.pem"))
    text = text.replace("/var/log/nginx/", f"{folder}/")
    text = text.replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{upstream.server_port};")
    (folder / "site.conf").write_text(text, encoding="utf-8")
    temp = "".join(
        f"{kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n{temp}include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    base = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    check = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([*base, "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", tls), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"nginx did not start: {process.stderr.read()!r}")
                time.sleep(0.2)
        yield {"plain": plain, "tls": tls, "folder": folder}
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()


def _get(url: str, headers: dict[str, str] | None = None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throw-away self-signed certificate

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    try:
        return opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10)
    except urllib.error.HTTPError as err:
        return err


def test_https_proxies_the_app_and_forbids_framing(proxy):
    response = _get(f"https://127.0.0.1:{proxy['tls']}/?code=secret-code&state=s")
    assert response.status == 200 and response.read() == b"explorer"
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "nginx/" not in headers.get("Server", "")  # no version shown


def test_the_websocket_location_forbids_framing_too(proxy):
    response = _get(f"https://127.0.0.1:{proxy['tls']}/_stcore/stream")  # plain GET
    assert response.headers["X-Frame-Options"] == "DENY"


def test_javascript_is_sent_compressed(proxy):
    url = f"https://127.0.0.1:{proxy['tls']}/static/js/index.abc123.js"
    response = _get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.read()) == b"var explorer = 1;\n" * 1000
    plain = _get(url)  # control: a client that does not accept gzip gets the bytes as sent
    assert plain.headers.get("Content-Encoding") is None
    assert plain.read() == b"var explorer = 1;\n" * 1000


def test_plain_http_is_sent_to_https(proxy):
    response = _get(f"http://127.0.0.1:{proxy['plain']}/explore")
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_the_access_log_leaves_out_query_strings(proxy):
    _get(f"https://127.0.0.1:{proxy['tls']}/oauth2callback?code=secret-code&state=s")
    time.sleep(0.3)
    log = (proxy["folder"] / "youth-listening.access.log").read_text(encoding="utf-8")
    assert "/oauth2callback" in log
    assert "secret-code" not in log
