"""The error pages a user sees with DEBUG off (issue 9 §14): Chinese, friendly, and nothing of the inside — no URL
patterns, no traceback, no setting. The demo started by bin/start shows the same (tests/reserve/test_start.py)."""

import pytest
from django.template import loader
from django.test import Client, override_settings
from django.urls import path, reverse

from tests.helpers import page

pytestmark = pytest.mark.django_db

INSIDE = ("Traceback", "URLconf", "urlpatterns", "Using the URLconf", "DEBUG = True", "Django tried these",
          "settings.py", "Request Method", "Exception Value")


def shows_nothing_inside(html):
    return [marker for marker in INSIDE if marker in html]


@override_settings(DEBUG=False)
def test_a_signed_in_404_is_the_chinese_page_without_the_url_patterns(client, village_a_user):
    client.force_login(village_a_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and "返回首页" in html
    assert reverse("home") in html  # within the app's layout: a way back
    assert shows_nothing_inside(html) == []
    assert "int:pk" not in html and "admin/" not in html  # no list of the app's URL patterns


@override_settings(DEBUG=False)
def test_a_403_is_the_chinese_page(client, village_a_user):
    client.force_login(village_a_user)
    response = client.get(reverse("audit_log"))  # the office's and the audit administrator's page
    assert response.status_code == 403
    html = page(response)
    assert "无权访问" in html and "请联系镇组织办" in html
    assert shows_nothing_inside(html) == []


@override_settings(DEBUG=False)
def test_a_400_is_the_chinese_page(client):
    response = client.get(reverse("login"), HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    html = page(response)
    assert "请求有误" in html and "Bad Request" not in html
    assert "evil.example.com" not in html and shows_nothing_inside(html) == []


@override_settings(DEBUG=False)
def test_a_refused_cross_site_post_is_the_chinese_page(village_a_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "cun_a", "password": "x"})
    assert response.status_code == 403
    html = page(response)
    assert "页面已过期" in html and "CSRF" not in html and shows_nothing_inside(html) == []


def _boom(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_500_is_the_chinese_page_without_a_trace(client, village_a_user):
    client.force_login(village_a_user)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = page(response)
    assert "系统暂时出现问题" in html and "可能没有保存" in html and "联系镇组织办" in html
    assert "secret-internal-detail" not in html and "RuntimeError" not in html
    assert shows_nothing_inside(html) == []


@pytest.mark.parametrize("name", ["500.html", "400.html", "403_csrf.html"])
def test_the_pages_django_renders_without_a_request_need_none(name, settings):
    """Django renders these with no request and no context processor (server_error, bad_request, csrf_failure):
    they must render from nothing — no user, no URL lookup, no static file, no database."""
    settings.ROOT_URLCONF = "tests.reserve.no_such_urlconf_module"  # a URL lookup would fail
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {  # a static file lookup would fail
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    html = loader.get_template(name).render()
    assert 'lang="zh-Hans"' in html and "<h1>" in html
    assert "{%" not in html and "{{" not in html
