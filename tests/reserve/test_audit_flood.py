"""Anonymous requests cannot flood the audit log (issue 10 §10).

Anonymous denials (a 403 or 429 to a visitor not signed in, a sign-in refused by the lockout) are written at
most once per client address, kind and status in each window (a minute), the others counted and the count
written with that address's next row; all addresses together get at most ANONYMOUS_ROWS_PER_WINDOW rows a
window. With the cache down every denial is recorded. What is stored is capped: the path to 200 characters,
no query string.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from reserve import audit
from reserve.models import AuditEntry

from .. import helpers

A = AuditEntry.Action
IP = "10.66.0.1"
LONG = "x" * 290


def denied(**filters):
    return list(AuditEntry.objects.filter(action=A.DENIED, **filters).order_by("id"))


def post_without_csrf(client, n, ip=IP, start=0):
    for i in range(start, start + n):
        response = client.post(f"/p/{LONG}{i}/?q={'y' * 100}", {"content": "z"}, REMOTE_ADDR=ip)
        assert response.status_code == 403


@pytest.fixture
def anonymous():
    return Client(enforce_csrf_checks=True)


def test_200_anonymous_posts_without_csrf_give_a_bounded_number_of_rows(db, anonymous):
    post_without_csrf(anonymous, 200)
    rows = denied()
    assert len(rows) == 1  # one row per address and status a minute (before: 200 rows)
    (row,) = rows
    assert (row.user_id, row.address, row.detail) == (None, IP, {"status": 403, "method": "POST"})
    assert len(row.path) <= 200 and row.path.startswith("/p/xxx") and "?" not in row.path and "yyy" not in row.path


def next_window(*addresses):
    """As if the minute were over: the windows of these addresses (403s) and the overall one closed."""
    for address in addresses:
        cache.delete(f"{audit._flood_key(A.DENIED, {'status': 403}, address)}:open")
    cache.delete(f"{audit._OTHERS_KEY}:open")


def test_the_denials_not_written_are_counted_in_the_next_row(db, anonymous):
    post_without_csrf(anonymous, 50)
    next_window(IP)
    post_without_csrf(anonymous, 1, start=50)
    first, second = denied()
    assert "repeated" not in first.detail and second.detail["repeated"] == 49
    assert second.detail["status"] == 403


def test_each_address_and_status_gets_its_own_row(db, anonymous):
    for ip in ("10.66.0.1", "10.66.0.2", "10.66.0.3"):
        post_without_csrf(anonymous, 5, ip=ip)
    assert sorted(e.address for e in denied()) == ["10.66.0.1", "10.66.0.2", "10.66.0.3"]


def test_all_addresses_together_are_capped(db, anonymous, monkeypatch):
    monkeypatch.setattr(audit, "ANONYMOUS_ROWS_PER_WINDOW", 5)
    for i in range(20):
        post_without_csrf(anonymous, 2, ip=f"10.67.0.{i}")
    assert len(denied()) == 5
    next_window()
    post_without_csrf(anonymous, 1, ip="10.67.1.1")
    last = denied()[-1]
    assert last.address == "10.67.1.1" and last.detail["others"] == 30  # 15 addresses × 2 not written


def test_with_the_cache_down_every_denial_is_recorded(db, anonymous, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache unreachable")
            return fail

    monkeypatch.setattr(audit, "cache", Down())
    post_without_csrf(anonymous, 10)
    assert len(denied()) == 10


def test_a_signed_in_users_denials_are_each_recorded(client, village_a_user):
    client.force_login(village_a_user)
    for _ in range(5):
        assert client.get(reverse("round_list"), REMOTE_ADDR=IP).status_code == 403
    assert len(denied(user=village_a_user)) == 5


def test_sign_ins_refused_by_the_lockout_are_aggregated(client, office):
    for _ in range(5):
        helpers.login(client, "office", "Wrong-pass-1", ip=IP)
    for _ in range(30):
        assert helpers.login(client, "office", "Wrong-pass-1", ip=IP).status_code == 429
    failed = list(AuditEntry.objects.filter(action=A.LOGIN_FAILED, username="office").order_by("id"))
    assert [e.detail.get("locked_out", False) for e in failed] == [False] * 4 + [True]
    assert not denied()


def test_a_long_path_is_cut_for_signed_in_users_too(client, office):
    client.force_login(office)
    client.get("/" + "a" * 400 + "/?secret=1", REMOTE_ADDR=IP)
    (row,) = denied()
    assert len(row.path) == 200 and "secret" not in row.path


def test_addresses_of_one_ipv6_network_count_as_one_client(db, anonymous):
    for i in range(1, 21):
        post_without_csrf(anonymous, 1, ip=f"2001:db8:1:2::{i:x}")
    (row,) = denied()
    assert row.address == "2001:db8:1:2::1"
