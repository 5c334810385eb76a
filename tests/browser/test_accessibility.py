"""Accessibility: axe-core (WCAG 2.1 A and AA) in Chromium on every page of the site, at desktop and
phone width, for each role; no serious or critical violation is allowed.

Which pages: the URL table of tests/test_urls.py (every URL of the project has a row there, and a
new URL without one fails that module), so a page added later is scanned here without a change to
this file. Each row a role may GET is opened as the first such role in ROLE_ORDER (the public pages,
and the sign-in page, as an anonymous visitor), plus ALSO_AS (the same page drawn differently for
another role). A row that answers nothing to scan says why in NOT_PAGES; a page left out for now
says why, and until when, in TEMPORARILY_EXCLUDED. `test_every_url_is_scanned_or_excluded_with_a_reason`
keeps the lists honest.

axe-core comes from npm (package.json, pinned in package-lock.json; `bin/setup --test` runs
`npm ci`). It is evaluated in the page through the DevTools protocol (`page.evaluate`), which the
page's Content-Security-Policy does not govern — the policy stays as strict as in production (no
inline script), and a `<script>` tag added to the page would be refused by it.

AXE_REPORT_DIR=/some/dir writes every violation found (any impact) as axe-<role>.json and a full-page
screenshot of each page at each width there, for a person to look at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import (
    DepartmentFactory,
    NominationFactory,
    PersonFactory,
    RoundFactory,
    TownFactory,
    VillageFactory,
)
from tests.test_urls import (
    ALLOW,
    TABLE,
    _finding_obj,
    _meeting_obj,
    _notice_obj,
    _session_obj,
    _vetting_request_obj,
    make_objs,
    make_users,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "Tusk-Pine-2026"  # tests.factories.UserFactory

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
WIDTHS = {"1366": DESKTOP, "390": PHONE}

# The roles as the URL table names them; a page is scanned as the first of these allowed to GET it.
ROLE_ORDER = ("office", "village", "committee", "department", "mentor")

# The same page drawn differently for another role: scanned as that role too.
ALSO_AS = {
    "home": ("village", "committee", "department", "mentor"),  # each role's start page
    "candidates:nomination_list": ("village", "committee"),
    "candidates:nomination_detail": ("village", "committee"),
    "village_detail": ("village",),
    "vetting:request_detail": ("department",),
    "publicity:notice_list": ("village", "committee"),
    "publicity:notice_detail": ("village",),
    "inspection:meeting_list": ("committee",),
    "inspection:meeting_detail": ("committee",),
}

# Rows of the URL table that answer a GET with no page to scan (a URL that no role may GET — POST only —
# needs no entry: the table says so).
NOT_PAGES = {
    "candidates:nomination_id_card": "the ID-card copy: an image, sent as an attachment",
    "candidates:nomination_form_pdf": "a PDF (tagged PDF/A, tests/reserve/test_pdf_archival.py)",
    "publicity:notice_pdf": "the stored PDF of a notice (tagged PDF/A)",
    "job_download": "a generated file (PDF, ZIP or Excel), sent as an attachment",
    "vetting:ledger_pdf": "starts the ledger's PDF as a background job and redirects to the job's page",
    "inspection:ballot": "a PDF since issue 9 §19 (tagged PDF/A)",
    "inspection:tally_sheet": "a PDF since issue 9 §19 (tagged PDF/A)",
    "inspection:report_print": "a PDF since issue 9 §19 (tagged PDF/A)",
    "vetting:sheet_pdf": "a PDF (tagged PDF/A)",
    "cultivation:subsidy_pdf": "the rotation subsidy statement, a PDF rendered by reserve.pdf as the others (tagged PDF/A)",
    "dossier:dossier_pdf": "the one-person file, a PDF rendered by reserve.pdf (tagged PDF/A)",
    "assessment:priority_pdf": "POST only: starts the priority list's PDF as a background job (redirects to its page)",
    "vetting:finding_attachment": "a department's uploaded attachment, sent as a file",
    "vetting:paper_answer": "the department's paper answer the office entered, an uploaded file sent as such",
    "audit_export": "an Excel workbook",
    "publicity:notice_period": "an HTML fragment that notice_period.js puts into the publish form, "
                               "scanned there (publicity:notice_new)",
    "favicon": "the site's icon (test_the_favicon_is_served)",
    "admin:index": "Django's admin, its own templates and styles, for the system administrators only",
    "admin:login": "Django's admin sign-in, its own templates and styles",
}

# Pages with serious or critical violations from their own templates (not the shared CSS or the base
# templates), left to the engineers who own them — each named with its violations, to be removed
# from here when fixed. Nothing is skipped silently: the test reports these pages' results as well.
TEMPORARILY_EXCLUDED: dict[str, str] = {}


def _allowed_roles(name):
    expect_ = TABLE[name]["expect"]
    return [role for role in ROLE_ORDER if expect_[role] == ALLOW]


def scan_plan() -> dict[str, list[str]]:
    """role → the URL names to scan as that role."""
    plan: dict[str, list[str]] = {role: [] for role in ("anonymous", *ROLE_ORDER)}
    for name, row in TABLE.items():
        if name in NOT_PAGES:
            continue
        if row["expect"]["anonymous"] == ALLOW:
            plan["anonymous"].append(name)
            continue
        allowed = _allowed_roles(name)
        if allowed:
            plan[allowed[0]].append(name)
        for role in ALSO_AS.get(name, ()):
            assert role in allowed, f"ALSO_AS: {role} may not GET {name} (tests/test_urls.py)"
            if role != allowed[0]:
                plan[role].append(name)
    return plan


def test_every_url_is_scanned_or_excluded_with_a_reason():
    plan = scan_plan()
    scanned = {name for names in plan.values() for name in names}
    post_only = {name for name, row in TABLE.items() if ALLOW not in row["expect"].values()}
    unaccounted = set(TABLE) - scanned - set(NOT_PAGES) - post_only
    assert not unaccounted, f"URLs neither scanned nor excluded with a reason: {sorted(unaccounted)}"
    for listing in (NOT_PAGES, TEMPORARILY_EXCLUDED, ALSO_AS):
        stale = set(listing) - set(TABLE)
        assert not stale, f"names that are not in the URL table (tests/test_urls.py): {sorted(stale)}"
    assert all(reason.strip() for reason in (*NOT_PAGES.values(), *TEMPORARILY_EXCLUDED.values()))
    assert not set(NOT_PAGES) & scanned
    # The pages the accessibility issue names are among those scanned.
    for name in ("home", "login", "candidates:nomination_list", "candidates:nomination_detail",
                 "candidates:nomination_new", "candidates:nomination_edit", "round_list", "round_detail",
                 "vetting:queue", "vetting:ledger", "vetting:request_detail", "inspection:inspection",
                 "inspection:session_detail", "inspection:meeting_list", "publicity:notice_list",
                 "publicity:notice_detail", "publicity:public_notice", "publicity:objection_new", "audit_log"):
        assert name in scanned, name


# ------------------------------------------------------------------------------ the scan

_AXE_SOURCE = None


def axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        if not AXE_JS.exists():
            pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run bin/setup --test (npm ci)")
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    return _AXE_SOURCE


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 160)})),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe finds in the page as it is now drawn."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # CDP evaluation: not subject to the page's CSP
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
        for node in v["nodes"][:4]:
            summary = " ".join((node["summary"] or "").split())[:220]
            lines.append(f"      {node['target']}  —  {summary}")
    return "\n".join(lines)


def scan(page, shot_name=None) -> dict[str, list[dict]]:
    """width label → violations, at 1366 and 390 px (with AXE_REPORT_DIR set, a screenshot of each)."""
    found = {}
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(100)  # let the layout settle
        found[label] = axe_violations(page)
        if shot_name and os.environ.get("AXE_REPORT_DIR"):
            path = Path(os.environ["AXE_REPORT_DIR"]) / f"{shot_name}-{label}.png".replace(":", "_")
            page.screenshot(path=str(path), full_page=True)
    return found


OPEN_MENUS_JS = """() => {
  const toggler = document.querySelector(".navbar-toggler");
  if (toggler && getComputedStyle(toggler).display !== "none") toggler.click();
}"""


def scan_open_menus(page) -> dict[str, list[dict]]:
    """The navigation bar's menus opened (at 390 px the collapsed menu, at both widths each dropdown):
    width label → violations. A closed menu is hidden, and axe does not look at what is hidden."""
    found = {}
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.reload()
        page.evaluate(OPEN_MENUS_JS)
        page.wait_for_timeout(400)  # the collapse animation
        violations = []
        toggles = page.locator(".navbar .dropdown-toggle")
        for i in range(toggles.count()):
            toggles.nth(i).click()
            expect(page.locator(".navbar .dropdown-menu.show")).to_have_count(1)
            violations += axe_violations(page)
        found[label] = violations
    return found


def log_in(page, username):
    page.goto(reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


@pytest.fixture
def objs(db, tmp_path, settings):
    """The objects the URL table's rows name (tests/test_urls.py), and the people of each role, with
    a nomination in each status a page draws with its own badge."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    town = TownFactory(name="青山镇", office_phone="0579-8888 1234", office_address="青山镇人民政府三楼组织办")
    village = VillageFactory(town=town, name="东山村")
    department = DepartmentFactory(town=town, name="纪委")
    round_ = RoundFactory(town=town, name="2026年青山镇村级后备干部选拔")
    made = make_objs(round_=round_, village=village, users=make_users(town, village, department))
    for make in (_vetting_request_obj, _finding_obj, _session_obj, _meeting_obj, _notice_obj):
        make(made)
    for trait, name in (("submitted", "王建国"), ("returned", "李秀英"), ("accepted", "张志强"),
                        ("withdrawn", "陈海燕"), ("rejected", "杨国庆"), ("reserve", "赵晓东")):
        NominationFactory(round=round_, village=village, created_by=made["users"]["village"], **{trait: True},
                          person=PersonFactory(name=name))
    return made


@pytest.mark.parametrize("role", ["anonymous", *ROLE_ORDER])
def test_no_serious_or_critical_violations(chromium, live_server, objs, role, problems):
    names = scan_plan()[role]
    if not names:
        pytest.skip(f"no page to scan as {role}")
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems.watch(page)
    failures, excluded, counts, everything = [], [], {}, {}
    try:
        if role != "anonymous":
            log_in(page, objs["users"][role].username)
        for name in names:
            path = reverse(name, kwargs=TABLE[name]["kwargs"](objs, role))
            page.set_viewport_size(DESKTOP)
            try:
                response = page.goto(path)
            except PlaywrightError as exc:
                if "Download is starting" not in str(exc):
                    raise
                pytest.fail(f"{name} ({path}) answers a file to download: add it to NOT_PAGES with the reason")
            assert response is not None and response.ok, f"{role} GET {path}: {response and response.status}"
            content_type = response.headers.get("content-type", "")
            assert content_type.startswith("text/html"), (
                f"{name} ({path}) answers {content_type}: add it to NOT_PAGES with the reason")
            for label, violations in scan(page, f"{role}-{name}").items():
                everything[f"{name} @{label}"] = violations
                blocking = [v for v in violations if v["impact"] in BLOCKING]
                counts[f"{name} @{label}"] = len(blocking)
                if not blocking:
                    continue
                where = f"{name} as {role} at {label}px ({page.url})"
                if name in TEMPORARILY_EXCLUDED:
                    excluded.append(f"{where} [temporarily excluded: {TEMPORARILY_EXCLUDED[name]}]\n"
                                    f"{describe(blocking)}")
                else:
                    failures.append(f"{where}\n{describe(blocking)}")
        if role != "anonymous":
            page.goto(reverse("home"))
            for label, violations in scan_open_menus(page).items():
                blocking = [v for v in violations if v["impact"] in BLOCKING]
                counts[f"open menus @{label}"] = len(blocking)
                if blocking:
                    failures.append(f"the open menus as {role} at {label}px ({page.url})\n{describe(blocking)}")
    finally:
        context.close()
    if os.environ.get("AXE_REPORT_DIR"):  # every violation, whatever its impact, for a closer look
        report = Path(os.environ["AXE_REPORT_DIR"]) / f"axe-{role}.json"
        report.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    if excluded:
        print("\n".join(["Temporarily excluded pages, still failing:", *excluded]))
    print(json.dumps(counts, ensure_ascii=False))
    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)
    problems.assert_none()


def test_the_favicon_is_served(page):
    """The pages name the icon (<link rel="icon">, a static file) and /favicon.ico answers for the clients
    that ask for it there, signed in or not — no 404 in any browser's console."""
    response = page.goto(reverse("login"))
    assert response.ok
    href = page.locator("link[rel=icon]").get_attribute("href")
    for url in (href, "/favicon.ico"):
        icon = page.request.get(url)
        assert icon.status == 200, url
        assert icon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon"), icon.headers
        assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
