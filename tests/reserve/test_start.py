"""What a newcomer runs is not a debugging server (issue 9 §14): bin/start serves the demo as production would —
gunicorn, DEBUG off, the static files collected with the manifest storage and served by WhiteNoise, the Chinese
error pages — with secrets of its own kept in a file only its owner reads; bin/start --dev is Django's runserver
with DEBUG on.

bin/start runs here as a newcomer runs it, on a SQLite file, media, static and secrets folders of the test's own
and a free port; the pages are fetched over HTTP.
"""

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .databases import BASE_DIR

pytestmark = pytest.mark.subprocess

DEMO_PASSWORD = "Demo@2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_env(tmp_path, port) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "PUBLIC_BASE_URL", "ALLOWED_HOSTS", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS",
                        "ID_HASH_KEY", "STATICFILES_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"),
               STATIC_ROOT=str(tmp_path / "static"), SECRETS_FILE=str(tmp_path / "secrets" / "secrets.env"),
               HOST="127.0.0.1", PORT=str(port), REDIS_URL="")
    return env


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Fetches pages of the started app with cookies, without following redirects."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def get(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def sign_in(self, username):
        status, _h, body = self.get("/accounts/login/")
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        status, headers, _b = self.get("/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD})
        assert status == 302 and "/accounts/login/" not in headers["Location"], status


@contextlib.contextmanager
def started(tmp_path, port, *args, timeout=240):
    """bin/start ARGS running until the block ends; its output in tmp_path/start-N.log."""
    log_path = tmp_path / f"start-{len(list(tmp_path.glob('start-*.log')))}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(["bin/start", *args], cwd=BASE_DIR, env=start_env(tmp_path, port),
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"bin/start stopped ({process.returncode}):\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"bin/start did not answer in {timeout} s:\n{log_path.read_text()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.5)
        yield process, log_path
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_bin_start_serves_the_demo_as_production_does(tmp_path):
    port = free_port()
    secrets_file = tmp_path / "secrets" / "secrets.env"
    with started(tmp_path, port) as (_process, log_path):
        browser = Browser(port)

        # A real WSGI server, not Django's development server.
        status, headers, _body = browser.get("/")
        assert status == 302 and headers["Location"].startswith("/accounts/login/")
        assert "gunicorn" in headers.get("Server", "").lower() and "WSGIServer" not in headers.get("Server", "")

        # Static files: the manifest's hashed names, served by WhiteNoise, compressed and cached for good.
        status, _h, login_page = browser.get("/accounts/login/")
        assert status == 200 and "登录".encode() in login_page
        stylesheets = re.findall(rb'href="(/static/[^"]+\.css)"', login_page)
        assert stylesheets
        for href in stylesheets:
            assert re.search(rb"\.[0-9a-f]{12}\.css$", href), href  # ManifestStaticFilesStorage's name
            status, headers, css = browser.get(href.decode())
            assert status == 200 and headers["Content-Type"].startswith("text/css") and css
            assert "immutable" in headers["Cache-Control"]  # WhiteNoise's answer for a hashed file
        request = urllib.request.Request(browser.base + stylesheets[0].decode(), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Encoding"] == "gzip"  # the compressed copy collectstatic made

        # DEBUG off: a signed-in 404 is the Chinese page, with no URL patterns.
        browser.sign_in("cun01")
        status, _h, body = browser.get("/no-such-page/")
        html = body.decode()
        assert status == 404 and "页面不存在" in html
        assert "URLconf" not in html and "int:pk" not in html and "Traceback" not in html

    output = log_path.read_text()
    # PUBLIC_BASE_URL unset: said in both languages, with where the printed codes would point.
    assert "未设置 PUBLIC_BASE_URL" in output and "PUBLIC_BASE_URL is not set" in output
    assert f"http://127.0.0.1:{port}/" in output
    # The demo's secrets: made once, readable by their owner only.
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    secrets = dict(line.split("=", 1) for line in secrets_file.read_text().splitlines() if not line.startswith("#"))
    assert set(secrets) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY"}
    assert not secrets["SECRET_KEY"].startswith("django-insecure")

    # bin/start --dev: Django's runserver with DEBUG on, on the same demo and the same secrets.
    with started(tmp_path, port, "--dev"):
        browser = Browser(port)
        status, headers, _body = browser.get("/accounts/login/")
        assert status == 200 and "WSGIServer" in headers.get("Server", "")
        browser.sign_in("cun01")
        status, _h, body = browser.get("/no-such-page/")
        assert status == 404 and "URLconf" in body.decode()  # the debugging page: for development only
    assert dict(line.split("=", 1) for line in secrets_file.read_text().splitlines()
                if not line.startswith("#")) == secrets
