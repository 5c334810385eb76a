"""The one-person file in headless Chromium (tests/browser's fixtures): the office opens it from the reserve's
page, nothing overflows at phone width (390 px), no script error; the PDF link answers a PDF."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from benchmarks import dossier as bench
from tests.browser.conftest import PHONE
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_opens_the_dossier_from_the_reserve_page(page, problems, screenshot, town, office):
    built = bench.build(bench.SCALES["tiny"], town=town, office=office)
    page.goto(reverse("login"))
    page.fill("#id_username", office.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)
    page.goto(built.reserve.get_absolute_url())
    page.locator("#dossier-link").click()
    expect(page.locator("h1")).to_contain_text("一人一档")
    expect(page.locator("#history-rows")).to_be_visible()
    screenshot(page, "dossier")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    response = page.request.get(reverse("dossier:dossier_pdf", args=[built.reserve.pk]))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    problems.assert_none()
