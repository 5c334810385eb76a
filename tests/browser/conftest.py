"""Fixtures for the browser tests: a headless Chromium driven by Playwright's sync API against live_server.

No browser is downloaded: the system Chromium at /usr/bin/chromium is used.
"""

import os
from pathlib import Path

# Playwright's sync API keeps an event loop running in the test thread; without this Django refuses
# ORM calls made from the test (factories, assertions on the database) as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from reserve.roles import Role  # noqa: E402

CHROMIUM = os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "browser"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """The role groups come from a data migration, and a transactional test flushes every table when it
    ends; make sure they exist before the user fixtures add users to them."""
    for name in Role.values:
        Group.objects.get_or_create(name=name)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Problems:
    """What went wrong in the page while a test ran: JS errors, console errors, failed responses."""

    def __init__(self):
        self.page_errors = []
        self.console_errors = []
        self.bad_responses = []

    def watch(self, page):
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, msg):
        # A failed response is reported (with its URL) by _response; the console repeats it without one.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console_errors.append(msg.text)

    def _response(self, response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.bad_responses.append(f"{response.status} {response.request.method} {response.url}")

    def assert_none(self):
        assert self.page_errors == [], f"JavaScript errors: {self.page_errors}"
        assert self.bad_responses == [], f"failed responses: {self.bad_responses}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture
def page(chromium, live_server, problems):
    """A desktop-sized page in a fresh context (its own cookies), watched for errors."""
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).trim().replace(/\\s+/g, ".") : ""));
}"""


@pytest.fixture
def screenshot():
    """screenshot(page, "name") writes name-desktop.png and name-phone.png (full page), checks that nothing
    overflows the page sideways at either width, and restores the size."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        paths = []
        before = page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.evaluate("window.scrollTo(0, 0)")  # so that the sticky panel is drawn where it belongs
            page.wait_for_timeout(150)  # let the layout settle
            path = SCREENSHOT_DIR / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
            overflowing = page.evaluate(OVERFLOW_JS)
            assert overflowing == [], f"{name} at {label} width: wider than the screen: {overflowing}"
        page.set_viewport_size(before)
        return paths

    return take
