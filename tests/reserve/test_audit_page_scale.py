"""The audit page at scale (issue 13 §2): the office's scope read without scanning the log through subqueries, pages
found by their position in the log (older / newer) that neither repeat nor skip an entry, a count that stops at a cap,
and the same scope as before: the entries of the town's accounts and the failed sign-ins typed with their usernames."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reserve import audit, selectors
from reserve.models import AuditEntry
from reserve.roles import Role
from tests.factories import UserFactory
from tests.helpers import page

A = AuditEntry.Action
URL = reverse("audit_log")
SIZE = 50  # reserve.views_audit.PAGE_SIZE


@pytest.fixture
def log(office, committee, village_a_user, dept_x_user, other_town, monkeypatch):
    """125 entries of the town's accounts (ten of them at one same moment), 3 failed sign-ins typed with its
    usernames, and entries the office may not read: another town's, a failed sign-in typed with another name."""
    stranger = UserFactory(username="stranger", town=other_town, role=Role.OFFICE)

    def views(n):
        for i in range(n):
            yield audit.record(A.VIEW, user=(committee, village_a_user, dept_x_user)[i % 3], detail={"i": i})
            audit.record(A.VIEW, user=stranger, detail={"i": i})

    mine = list(views(70))
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # these ten across the end of the first page
    mine += [audit.record(A.UPDATE, user=committee, detail={"same": i}) for i in range(10)]
    monkeypatch.undo()
    mine += list(views(45))
    mine += [audit.record(A.LOGIN_FAILED, username=name) for name in ("cun_a", "dept_x", "office")]
    audit.record(A.LOGIN_FAILED, username="stranger")
    audit.record(A.LOGIN_FAILED, username="nobody")
    return sorted(mine, key=lambda e: (e.at, e.pk), reverse=True)


def walk(office):
    """Every page from the newest by the older links, then back by the newer links: (pages down, pages up)."""
    down = [selectors.audit_log_page(office, {}, size=SIZE)]
    while down[-1].older:
        down.append(selectors.audit_log_page(office, {}, size=SIZE, before=down[-1].older))
    up = [down[-1]]
    while up[-1].newer:
        up.append(selectors.audit_log_page(office, {}, size=SIZE, after=up[-1].newer))
    return down, up


def test_older_and_newer_pages_walk_the_whole_scope_once_in_order(office, log):
    down, up = walk(office)
    assert [e.pk for p in down for e in p.entries] == [e.pk for e in log]
    assert [len(p.entries) for p in down] == [50, 50, 28]
    assert [[e.pk for e in p.entries] for p in up] == [[e.pk for e in p.entries] for p in reversed(down)]
    assert not down[0].newer and not down[-1].older
    assert all(p.count == len(log) and not p.more for p in down)


def test_the_scope_is_the_towns_accounts_and_the_failed_sign_ins_typed_with_their_names(office, log):
    seen = [e for p in walk(office)[0] for e in p.entries]
    assert {e.username for e in seen} == {"committee", "cun_a", "dept_x", "office"}
    assert {e.username for e in seen if e.action == A.LOGIN_FAILED} == {"cun_a", "dept_x", "office"}


def test_the_log_is_read_without_subqueries_and_counted_to_a_cap(client, office, log):
    client.force_login(office)
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    on_the_log = [q["sql"] for q in ctx.captured_queries if "reserve_auditentry" in q["sql"]]
    assert on_the_log and not [sql for sql in on_the_log if re.search(r"IN \(\s*SELECT", sql, re.IGNORECASE)]
    counts = [sql for sql in on_the_log if "COUNT(" in sql.upper()]
    assert len(counts) == 2 and all(re.search(r"LIMIT \d+", sql) for sql in counts)  # one per branch, bounded


def test_the_page_shows_more_than_the_cap_when_there_are(client, office, log, monkeypatch):
    client.force_login(office)  # the sign-in is an entry of the office's too
    assert int(re.search(r"共(\d+)条", page(client.get(URL))).group(1)) == len(log) + 1
    monkeypatch.setattr(selectors, "AUDIT_COUNT_CAP", 100)
    html = page(client.get(URL))
    assert "超过100条" in html and not re.search(r"共\d+条", html)


def test_the_links_lead_to_older_and_newer_pages(client, office, log):
    client.force_login(office)
    first = page(client.get(URL, {"action": "view"}))
    older = re.search(r'href="\?([^"]*before=[^"]+)"', first).group(1).replace("&amp;", "&")
    assert "action=view" in older and "after=" not in first
    second = page(client.get(f"{URL}?{older}"))
    newer = re.search(r'href="\?([^"]*after=[^"]+)"', second).group(1).replace("&amp;", "&")
    assert page(client.get(f"{URL}?{newer}")).count("<tr") == first.count("<tr")


@pytest.mark.parametrize("cursor", ["before=abc", "before=1-x", "after=-1", "before=99999999999999999999-1",
                                    "before=1%EF%BC%91-2", "after=", "before=0-0"])
def test_a_cursor_that_does_not_parse_gives_the_newest_page(client, office, log, cursor):
    client.force_login(office)
    newest = selectors.audit_log_page(office, {}, size=SIZE)
    response = client.get(f"{URL}?{cursor}")
    assert response.status_code == 200
    assert f"before={newest.older}" in page(response)


def test_the_same_queries_on_any_page_and_for_more_accounts(client, office, log, town):
    client.force_login(office)
    client.get(URL)

    def count(query=""):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL + query).status_code == 200
        return len(ctx)

    newest = selectors.audit_log_page(office, {}, size=SIZE)
    few = count()
    assert count(f"?before={newest.older}") == few
    for i in range(20):
        audit.record(A.VIEW, user=UserFactory(town=town, role=Role.VILLAGE, full_name=f"村干部{i}"))
    assert count() == few


def test_an_office_of_no_town_and_other_roles_read_nothing(committee, village_a_user, log):
    for user in (committee, village_a_user):
        found = selectors.audit_log_page(user, {}, size=SIZE)
        assert found.entries == [] and found.count == 0
