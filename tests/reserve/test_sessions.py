"""Sessions and what a browser keeps (issue 10 §14, §20): an absolute lifetime besides the idle limit, the
`__Host-` cookie names under HTTPS, and `Cache-Control: no-store` on every answer to a signed-in user."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from reserve import signals
from reserve.models import AuditEntry
from reserve.roles import Role

from ..factories import UserFactory
from ..helpers import PASSWORD, login

BASE = Path(__file__).resolve().parents[2]
TWELVE_HOURS = 12 * 3600


@pytest.fixture
def clerk(town):
    return UserFactory(username="clerk", town=town, role=Role.OFFICE)


def _signed_in_at(client, seconds_ago):
    session = client.session
    session[signals.SESSION_SIGNED_IN_AT] = int(time.time()) - seconds_ago
    session.save()


# --------------------------------------------------------------------------- §20: the absolute lifetime


def test_the_absolute_lifetime_is_twelve_hours_by_default(settings):
    assert settings.SESSION_ABSOLUTE_AGE == TWELVE_HOURS
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # the idle limit stays


def test_the_sign_in_time_is_kept_in_the_session(client, clerk):
    before = int(time.time())
    assert login(client, "clerk", PASSWORD).status_code == 302
    assert before <= client.session[signals.SESSION_SIGNED_IN_AT] <= int(time.time())


def test_an_active_session_ends_twelve_hours_after_the_sign_in(client, clerk):
    assert login(client, "clerk", PASSWORD).status_code == 302
    _signed_in_at(client, TWELVE_HOURS - 60)
    assert client.get(reverse("candidates:nomination_list")).status_code == 200  # active, not yet 12 hours
    _signed_in_at(client, TWELVE_HOURS + 1)
    response = client.get(reverse("candidates:nomination_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, username="clerk").exists()
    # a new sign-in starts a new lifetime
    assert login(client, "clerk", PASSWORD).status_code == 302
    assert client.get(reverse("candidates:nomination_list")).status_code == 200


def test_the_absolute_lifetime_is_a_setting(client, clerk, settings):
    settings.SESSION_ABSOLUTE_AGE = 600
    assert login(client, "clerk", PASSWORD).status_code == 302
    _signed_in_at(client, 601)
    assert client.get(reverse("candidates:nomination_list")).status_code == 302


def test_a_session_without_a_sign_in_time_is_given_one(client, clerk):
    """A session signed in before the rule: its lifetime starts when it is first seen, it does not end at once."""
    assert login(client, "clerk", PASSWORD).status_code == 302
    session = client.session
    del session[signals.SESSION_SIGNED_IN_AT]
    session.save()
    assert client.get(reverse("candidates:nomination_list")).status_code == 200
    assert abs(client.session[signals.SESSION_SIGNED_IN_AT] - int(time.time())) <= 5


# --------------------------------------------------------------------------- the idle limit, renewed once a minute


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def _renewed_at(client, seconds_ago):
    session = client.session
    session[signals.SESSION_RENEWED_AT] = int(time.time()) - seconds_ago
    session.save()


def test_the_idle_limit_is_renewed_at_most_once_a_minute(client, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert login(client, "clerk", PASSWORD).status_code == 302
    url = reverse("candidates:nomination_list")
    client.get(url)
    _renewed_at(client, 30)  # renewed half a minute ago: this request writes nothing of the session
    before = _expiry(client)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert _expiry(client) == before
    _renewed_at(client, 61)  # a minute ago: renewed, 30 minutes from now
    before = _expiry(client)
    assert client.get(url).status_code == 200
    from django.utils import timezone

    assert _expiry(client) > before
    assert abs((_expiry(client) - timezone.now()).total_seconds() - 30 * 60) < 10
    assert abs(client.session[signals.SESSION_RENEWED_AT] - int(time.time())) <= 5


@pytest.mark.parametrize("seconds_ago", [-3600, "never"])
def test_a_renewal_time_in_the_future_or_missing_renews_at_once(client, clerk, seconds_ago):
    """A clock set back, or a session from before the rule: renewed on the next request, not left to expire."""
    assert login(client, "clerk", PASSWORD).status_code == 302
    session = client.session
    if seconds_ago == "never":
        del session[signals.SESSION_RENEWED_AT]
    else:
        session[signals.SESSION_RENEWED_AT] = int(time.time()) - seconds_ago
    session.save()
    assert client.get(reverse("candidates:nomination_list")).status_code == 200
    assert abs(client.session[signals.SESSION_RENEWED_AT] - int(time.time())) <= 5


def test_a_session_idle_past_its_expiry_is_signed_out(client, clerk):
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert login(client, "clerk", PASSWORD).status_code == 302
    assert client.get(reverse("candidates:nomination_list")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))  # 30 minutes without a renewal
    response = client.get(reverse("candidates:nomination_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --------------------------------------------------------------------------- §20: __Host- cookies under HTTPS

COOKIE_PROBE = """
import django
django.setup()
from django.conf import settings
print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
      settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_PATH, settings.SESSION_COOKIE_DOMAIN,
      settings.CSRF_COOKIE_PATH, settings.CSRF_COOKIE_DOMAIN)
"""


@pytest.mark.subprocess
@pytest.mark.parametrize("https, expected", [
    ("true", "__Host-sessionid __Host-csrftoken True True / None / None"),
    ("false", "sessionid csrftoken False False / None / None"),
])
def test_cookies_carry_the_host_prefix_under_https(tmp_path, https, expected):
    env = {**os.environ, "HTTPS": https, "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "reserve.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path}/probe.sqlite3"}
    result = subprocess.run([sys.executable, "-c", COOKIE_PROBE], cwd=BASE, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == expected


@override_settings(SESSION_COOKIE_NAME="__Host-sessionid", CSRF_COOKIE_NAME="__Host-csrftoken",
                   SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_sign_in_with_host_prefixed_cookies_and_the_csrf_check(clerk):
    """The CSRF check works with the renamed cookie, and both cookies meet the __Host- rules (Secure, Path=/,
    no Domain), or a browser would drop them."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]
    token = page.context["csrf_token"]
    refused = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD}, secure=True)
    assert refused.status_code == 403  # no token: the check is on
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD,
                                              "csrfmiddlewaretoken": str(token)}, secure=True,
                           HTTP_REFERER="https://testserver/accounts/login/")  # a browser sends it over HTTPS
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["path"] == "/" and not session["domain"] and session["httponly"]
    assert client.get(reverse("candidates:nomination_list"), secure=True).status_code == 200


# --------------------------------------------------------------------------- §14: Cache-Control


def _no_store(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_a_signed_in_page_is_not_stored(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("candidates:nomination_list"))
    assert response.status_code == 200 and _no_store(response)


def test_a_signed_in_download_is_not_stored(client, db):
    auditor = UserFactory(username="sjgl", role=Role.AUDIT_ADMIN)
    client.force_login(auditor)
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200
    assert "spreadsheet" in response["Content-Type"]
    assert _no_store(response)


def test_a_refusal_to_a_signed_in_user_is_not_stored(client, clerk):
    client.force_login(clerk)
    response = client.get("/nominations/999999999/")
    assert response.status_code == 404 and _no_store(response)


def test_static_files_keep_their_cache(client, clerk, settings):
    client.force_login(clerk)
    response = client.get(settings.STATIC_URL + "css/reserve.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    if hasattr(response, "close"):
        response.close()

