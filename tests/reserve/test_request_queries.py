"""The fixed queries every signed-in request pays (issue 13 §2): the session and the account — nothing else once the
account's facts are cached (reserve.request_facts) — and every change those facts are built from holds on the next
request."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reserve.roles import Role
from tests.factories import RoundFactory, UserFactory

from .databases import BASE_DIR

# What a warm signed-in GET of a page that reads nothing else sends: the session and the account (the session is
# saved again only once a minute: tests/reserve/test_sessions.py).
FIXED = ["SELECT django_session", "SELECT reserve_user"]
TINY_PAGE = "password_change"


def _statement(sql: str) -> str:
    """'SELECT django_session' for a query: its verb and first table."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return f"{verb} {table.group(1) if table else ''}"


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [_statement(q["sql"]) for q in ctx.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.fixture
def accounts(office, committee, village_a_user, dept_x_user, mentor, round_):
    return {"office": office, "committee": committee, "village": village_a_user, "department": dept_x_user,
            "mentor": mentor}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["office", "committee", "village", "department", "mentor"])
def test_a_signed_in_request_pays_only_the_session_and_the_account(client, accounts, who):
    client.force_login(accounts[who])
    client.get(reverse(TINY_PAGE))  # the account's facts are read and cached
    assert queries_of(client, reverse(TINY_PAGE)) == FIXED
    assert queries_of(client, reverse(TINY_PAGE)) == FIXED  # the same on every later request


@pytest.mark.django_db
def test_the_first_request_reads_the_facts_once(client, office, round_):
    client.force_login(office)
    first = queries_of(client, reverse(TINY_PAGE))
    assert len(first) <= len(FIXED) + 5  # roles, authenticator app, town (second factor), current round
    assert "SELECT auth_group" in first


@pytest.mark.django_db
def test_a_role_removed_holds_on_the_next_request(client, office):
    client.force_login(office)
    assert client.get(reverse("audit_log")).status_code == 200
    office.groups.remove(Group.objects.get(name=Role.OFFICE))
    assert client.get(reverse("audit_log")).status_code == 403


@pytest.mark.django_db
def test_a_role_removed_from_the_group_side_holds_too(client, office):
    client.force_login(office)
    assert client.get(reverse("audit_log")).status_code == 200
    Group.objects.get(name=Role.OFFICE).user_set.clear()
    assert client.get(reverse("audit_log")).status_code == 403


@pytest.mark.django_db
def test_an_account_moved_by_an_update_without_signals_is_seen(client, office, other_town):
    client.force_login(office)
    client.get(reverse(TINY_PAGE))
    type(office).objects.filter(pk=office.pk).update(is_active=False)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_an_authenticator_app_confirmed_elsewhere_asks_for_its_code_on_the_next_request(client, office):
    client.force_login(office)
    assert client.get(reverse(TINY_PAGE)).status_code == 200
    TOTPDevice.objects.create(user=office, name="authenticator", confirmed=True)
    response = client.get(reverse(TINY_PAGE))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))


@pytest.mark.django_db
def test_a_town_requiring_the_second_factor_holds_on_the_next_request(client, office, town):
    client.force_login(office)
    assert client.get(reverse(TINY_PAGE)).status_code == 200
    town.require_otp_for_office = True
    town.save()
    response = client.get(reverse(TINY_PAGE))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))


@pytest.mark.django_db
def test_the_menu_follows_a_new_round(client, office, town):
    client.force_login(office)
    assert "资格联审台账" not in client.get(reverse(TINY_PAGE)).content.decode()
    opened = RoundFactory(town=town)
    page = client.get(reverse(TINY_PAGE)).content.decode()
    assert reverse("vetting:ledger", args=[opened.pk]) in page


@pytest.mark.django_db
def test_another_account_gets_its_own_facts(client, office, village_a_user):
    client.force_login(office)
    client.get(reverse(TINY_PAGE))
    client.force_login(village_a_user)
    assert client.get(reverse("audit_log")).status_code == 403
    other = UserFactory(username="office2", town=office.town, role=Role.OFFICE)
    client.force_login(other)
    assert client.get(reverse("audit_log")).status_code == 200


# --------------------------------------------------------------------------- persistent connections

READ_CONNECTION = """
import json
import reserve.settings as s
d = s.DATABASES["default"]
print(json.dumps({"age": d["CONN_MAX_AGE"], "checks": d["CONN_HEALTH_CHECKS"]}))
"""


@pytest.mark.parametrize(("url", "environ", "age"), [
    ("postgres://reserve@db.example:5432/reserve", {}, 60),
    ("postgres://reserve@db.example:5432/reserve", {"CONN_MAX_AGE": "0"}, 0),
    ("postgres://reserve@db.example:5432/reserve", {"CONN_MAX_AGE": "300"}, 300),
    ("sqlite:///var/db.sqlite3", {}, 0),  # opening the file costs next to nothing
    ("sqlite:///var/db.sqlite3", {"CONN_MAX_AGE": "60"}, 60),
])
def test_postgresql_connections_are_kept_a_minute_and_checked_before_reuse(url, environ, age):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONN_MAX_AGE")}
    env.update(environ, DATABASE_URL=url)
    result = subprocess.run([sys.executable, "-c", READ_CONNECTION], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"age": age, "checks": True}

