"""The sign-in lockout (issue 10 §1, §2, §9, §18): per real client address behind the documented proxy and per
account; an own success clears only the own account's failures; the password change's current-password check is
a sign-in attempt; an overlong name and an ID number typed as a name."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from reserve.models import AuditEntry
from reserve.roles import Role

from ..factories import UserFactory
from ..helpers import PASSWORD, login

WRONG = "Wrong-pass-0"
PROXY = "127.0.0.1"  # nginx on the same machine: every request comes from it, the client in X-Real-IP
ATTACKER, CLIENT_B, CLIENT_C = "203.0.113.66", "198.51.100.7", "192.0.2.9"
LIMIT = 5  # AXES_FAILURE_LIMIT: on one account
ADDRESS_LIMIT = 20  # ADDRESS_FAILURE_LIMIT: from one address (reserve/lockout.py)
BASE = Path(__file__).resolve().parents[2]


@pytest.fixture
def clerk(town):
    return UserFactory(username="clerk", town=town, role=Role.OFFICE)


@pytest.fixture
def victim(town):
    return UserFactory(username="victim", town=town, role=Role.OFFICE)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY = True


def via_proxy(client, username, password, client_ip):
    """A sign-in as it reaches the app behind nginx (`proxy_set_header X-Real-IP $remote_addr`)."""
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=client_ip)


# --------------------------------------------------------------------------- §1: per real client address


def test_behind_the_proxy_one_clients_failures_lock_only_that_client(client, behind_proxy, clerk, victim):
    """Three clients behind the proxy: the attacker's twenty failures (made-up names and guesses at one account)
    lock the attacker's address, not the other two clients, not the accounts guessed at fewer than five times."""
    for i in range(ADDRESS_LIMIT - 4):
        assert via_proxy(client, f"made-up-{i}", WRONG, ATTACKER).status_code == 200
    for _i in range(3):
        assert via_proxy(client, "victim", WRONG, ATTACKER).status_code == 200
    assert via_proxy(client, "made-up-last", WRONG, ATTACKER).status_code == 429  # the twentieth from that address

    # the attacker's address is locked, even with a right password
    assert via_proxy(client, "clerk", PASSWORD, ATTACKER).status_code == 429
    # the other clients are not, on any account — the one guessed at included
    assert via_proxy(client, "clerk", PASSWORD, CLIENT_B).status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=CLIENT_B)
    assert via_proxy(client, "victim", PASSWORD, CLIENT_C).status_code == 302

    # counted under the real addresses, not the proxy's
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert not AccessAttempt.objects.filter(ip_address=PROXY).exists()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).first()
    assert entry.address == ATTACKER


def test_behind_the_proxy_five_failures_on_one_account_lock_it_from_every_client(client, behind_proxy, victim):
    for i in range(LIMIT):
        via_proxy(client, "victim", WRONG, f"203.0.113.{i + 1}")
    assert AccessAttempt.objects.filter(username="victim").count() == LIMIT  # one row per client address
    assert via_proxy(client, "victim", PASSWORD, CLIENT_B).status_code == 429


def test_without_the_proxy_x_real_ip_is_not_believed(client, victim):
    """TRUSTED_PROXY off: a client's own X-Real-IP does not escape the lockout of its address."""
    for i in range(ADDRESS_LIMIT):
        via_proxy(client, f"made-up-{i}", WRONG, f"203.0.113.{i + 1}")
    assert via_proxy(client, "victim", PASSWORD, CLIENT_B).status_code == 429  # REMOTE_ADDR is locked


def test_behind_the_proxy_a_request_without_x_real_ip_is_no_error(client, behind_proxy, victim):
    """The address falls back to REMOTE_ADDR (django-ratelimit's own reading raised ImproperlyConfigured: 500)."""
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"username": "victim", "password": WRONG}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="victim").ip_address == "10.3.3.3"
    # a throttled public page (django-ratelimit's "ip" key) answers, here 404 for an unknown notice
    assert client.get("/p/no-such-notice/receipt/no-such-receipt/", REMOTE_ADDR="10.3.3.3").status_code == 404


PROXY_PROBE = """
import django
django.setup()
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from django_ratelimit.core import is_ratelimited
from reserve.audit import client_address

with_header = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.66")
without = RequestFactory().post("/", REMOTE_ADDR="127.0.0.2")
print(get_client_ip_address(with_header), client_address(with_header))
print(is_ratelimited(without, group="probe", key="ip", rate="5/h", increment=True), client_address(without))
"""


@pytest.mark.subprocess
def test_with_trusted_proxy_set_the_lockout_and_the_throttle_read_the_real_address(tmp_path):
    """As production sets it (TRUSTED_PROXY=true in the environment): axes reads X-Real-IP through the app's
    function (it read the proxy's own address: django-ipware is not installed), and django-ratelimit's "ip" key
    answers a request without X-Real-IP (it raised ImproperlyConfigured: a 500)."""
    env = {**os.environ, "TRUSTED_PROXY": "true", "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "reserve.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path}/probe.sqlite3"}
    result = subprocess.run([sys.executable, "-c", PROXY_PROBE], cwd=BASE, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split("\n")[:2] == ["203.0.113.66 203.0.113.66", "False 127.0.0.2"]


def test_behind_the_proxy_a_garbled_x_real_ip_falls_back_to_the_connection(client, behind_proxy, victim):
    client.raise_request_exception = False
    response = client.post(reverse("login"), {"username": "victim", "password": WRONG},
                           REMOTE_ADDR="10.4.4.4", HTTP_X_REAL_IP="not-an-address'; --")
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="victim").ip_address == "10.4.4.4"


# --------------------------------------------------------------------------- §2: an own success


def test_own_successful_logins_do_not_clear_failures_on_another_account(client, clerk, victim):
    """The holder of one account guesses another's password between sign-ins to their own: the guesses add up."""
    ip = "10.20.0.1"
    for _i in range(LIMIT - 1):
        assert login(client, "victim", WRONG, ip=ip).status_code == 200
        assert login(client, "clerk", PASSWORD, ip=ip).status_code == 302
        client.post(reverse("logout"), REMOTE_ADDR=ip)
    assert login(client, "victim", WRONG, ip=ip).status_code == 429  # the fifth guess locks
    assert login(client, "victim", PASSWORD, ip="10.20.0.2").status_code == 429  # the account, from anywhere
    assert login(client, "clerk", PASSWORD, ip=ip).status_code == 302  # five failures do not lock an address


def test_an_own_success_clears_the_own_accounts_failures(client, clerk):
    ip = "10.21.0.1"
    for _i in range(LIMIT - 1):
        login(client, "clerk", WRONG, ip=ip)
    assert login(client, "clerk", PASSWORD, ip=ip).status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=ip)
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    for _i in range(LIMIT - 1):
        login(client, "clerk", WRONG, ip=ip)
    assert login(client, "clerk", PASSWORD, ip=ip).status_code == 302  # 4 + 4 failures, never 5 in a row


def test_an_own_success_keeps_the_addresss_failures_on_other_names(client, clerk):
    ip = "10.22.0.1"
    for i in range(ADDRESS_LIMIT - 1):
        login(client, f"made-up-{i}", WRONG, ip=ip)
    assert login(client, "clerk", PASSWORD, ip=ip).status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=ip)
    assert AccessAttempt.objects.filter(ip_address=ip).count() == ADDRESS_LIMIT - 1
    assert login(client, "made-up-x", WRONG, ip=ip).status_code == 429


# --------------------------------------------------------------------------- §2: the current password on the change page


def _change(client, old, ip="10.30.0.1"):
    return client.post(reverse("password_change"), {
        "old_password": old, "new_password1": "Fresh-Lake-4821", "new_password2": "Fresh-Lake-4821",
    }, REMOTE_ADDR=ip)


def test_a_wrong_current_password_is_a_failed_login_of_the_account(client, clerk):
    assert login(client, "clerk", PASSWORD, ip="10.30.0.1").status_code == 302
    response = _change(client, WRONG)
    assert response.status_code == 200
    assert "password_incorrect" in [e.code for e in response.context["form"].errors.as_data()["old_password"]]
    attempt = AccessAttempt.objects.get(username="clerk")
    assert attempt.failures_since_start == 1 and attempt.ip_address == "10.30.0.1"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.username == "clerk" and entry.address == "10.30.0.1"
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_the_passwords_typed_on_the_change_page_are_not_kept_with_the_attempt(client, clerk):
    """axes keeps the request's data with an attempt, for the security administrator: no password in it."""
    assert login(client, "clerk", PASSWORD, ip="10.30.0.1").status_code == 302
    _change(client, "Almost-Right-2026")
    kept = " ".join(str(v) for v in AccessAttempt.objects.values().get().values())
    assert "Almost-Right-2026" not in kept and "Fresh-Lake-4821" not in kept


def test_wrong_current_passwords_lock_the_account_as_at_login(client, clerk):
    assert login(client, "clerk", PASSWORD, ip="10.30.0.1").status_code == 302
    for _i in range(LIMIT - 1):
        assert _change(client, WRONG).status_code == 200
    response = _change(client, WRONG)
    assert response.status_code == 429
    assert "请30分钟后再试" in response.content.decode()
    # the session is over, and the account is locked from any address, even with the right password
    response = client.get(reverse("candidates:nomination_list"), REMOTE_ADDR="10.30.0.1")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login(client, "clerk", PASSWORD, ip="10.30.0.9").status_code == 429
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_locked_account_cannot_check_its_password_from_an_older_session(client, clerk):
    """A session signed in before the lockout gets no further guesses: even the right password is refused."""
    assert login(client, "clerk", PASSWORD, ip="10.31.0.1").status_code == 302
    for i in range(LIMIT):
        login(client.__class__(), "clerk", WRONG, ip=f"10.31.1.{i}")  # someone else, elsewhere
    assert _change(client, PASSWORD, ip="10.31.0.1").status_code == 429
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_the_right_current_password_still_changes_it(client, clerk):
    assert login(client, "clerk", PASSWORD, ip="10.32.0.1").status_code == 302
    assert _change(client, PASSWORD, ip="10.32.0.1").status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Fresh-Lake-4821")
    assert not AccessAttempt.objects.exists()


# --------------------------------------------------------------------------- §9: an overlong name


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"], ids=["sign-in", "admin"])
def test_an_overlong_name_is_refused_counted_and_audited(client, db, url):
    client.raise_request_exception = False
    response = client.post(url, {"username": "x" * 300, "password": WRONG}, REMOTE_ADDR="10.40.0.1")
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["invalid_login"]
    attempt = AccessAttempt.objects.get(ip_address="10.40.0.1")
    assert attempt.username == "x" * 255  # cut to axes' column
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.username == "x" * 150  # cut to the audit log's


# --------------------------------------------------------------------------- §18: an ID number typed as a name

ID_NUMBER = "110105199001011234"


def test_an_id_number_typed_as_a_name_is_kept_masked_in_the_lockout_tables(client, db, settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    for _i in range(2):
        login(client, ID_NUMBER, WRONG, ip="10.50.0.1")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "110105********1234"
    assert attempt.failures_since_start == 2  # still counted as one name
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.values():
            assert ID_NUMBER not in " ".join(str(v) for v in row.values()), model
    assert AccessFailureLog.objects.filter(username="110105********1234").count() == 2


def test_real_names_still_lock_and_show_in_the_lockout_table(client, clerk):
    for i in range(LIMIT):
        login(client, "clerk", WRONG, ip=f"10.51.0.{i}")
    assert login(client, "clerk", PASSWORD, ip="10.51.1.1").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"clerk"}


def test_the_new_password_must_differ_from_the_current_one(client, clerk):
    """A one-time password set by an administrator must really be replaced (三员分立): the same one again is refused."""
    clerk.must_change_password = True
    clerk.save(update_fields=["must_change_password"])
    assert login(client, "clerk", PASSWORD, ip="10.33.0.1").status_code == 302
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}, REMOTE_ADDR="10.33.0.1")
    assert response.status_code == 200 and "新密码不能与当前密码相同" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.must_change_password


def test_the_lockout_page_says_how_long_and_whom_to_ask(client, victim, settings):
    """The cool-off comes from the setting, and the one who can lift a lockout is the security administrator."""
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=45)
    for _i in range(LIMIT):
        response = login(client, "victim", WRONG, ip="10.34.0.1")
    assert response.status_code == 429
    text = response.content.decode()
    assert "请45分钟后再试" in text and "安全管理员" in text and "系统管理员" not in text


def test_a_town_office_behind_one_address_is_not_locked_out_by_a_few_typing_mistakes(client, town, settings):
    """Found by the new-user tryout: five clerks of one office (one address) each mistyping once locked them all.
    An address is locked at ADDRESS_FAILURE_LIMIT failures (20, a setting), an account at five."""
    office_ip = "10.35.0.1"
    clerks = [UserFactory(username=f"clerk{i}", town=town, role=Role.OFFICE) for i in range(6)]
    for user in clerks[:5]:
        assert login(client, user.username, WRONG, ip=office_ip).status_code == 200
    assert login(client, clerks[5].username, PASSWORD, ip=office_ip).status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=office_ip)
    settings.ADDRESS_FAILURE_LIMIT = 7
    for i in range(2):
        response = login(client, f"made-up-{i}", WRONG, ip=office_ip)
    assert response.status_code == 429  # the seventh from the address, with the limit set to 7
    assert login(client, clerks[5].username, PASSWORD, ip=office_ip).status_code == 429
    assert login(client, clerks[0].username, PASSWORD, ip="10.35.0.2").status_code == 302  # one failure: not locked


def test_the_admins_password_page_is_the_one_that_counts_failures(client, town):
    """Found by the attack: /admin/password_change/ checked the current password without limit or audit."""
    staff = UserFactory(username="xtgl9", role=Role.SYSTEM_ADMIN, is_staff=True)
    assert login(client, "xtgl9", PASSWORD, ip="10.36.0.1").status_code == 302
    for path in ("/admin/password_change/",):
        assert client.get(path, REMOTE_ADDR="10.36.0.1")["Location"] == reverse("password_change")
        response = client.post(path, {"old_password": WRONG, "new_password1": "Fresh-Lake-4821",
                                      "new_password2": "Fresh-Lake-4821"}, REMOTE_ADDR="10.36.0.1")
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    # the admin's pages link to the one password page
    assert reverse("admin:password_change") == "/admin/password_change/"


@pytest.mark.parametrize("typed, kept", [
    ("330781 1993 1218 4034", "330781********4034"),
    ("330781-19931218-4034", "330781********4034"),
    ("abc330781199707081231def", "abc330781********1231def"),
    ("330781931218403", "330781*****8403"),
    ("13912345678", "13912345678"),  # a phone number is no ID number
])
def test_an_id_number_typed_with_separators_or_inside_a_name_is_masked_too(client, db, typed, kept):
    """Found by the attack: only 18 digits written together were masked in the lockout and audit tables."""
    login(client, typed, WRONG, ip="10.37.0.1")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {kept}
    assert set(AuditEntry.objects.values_list("username", flat=True)) == {kept}


def test_an_ipv6_client_is_counted_by_its_64(client, town, settings):
    """Found by the attack: twenty failures from twenty addresses of one /64 never locked it."""
    settings.ADDRESS_FAILURE_LIMIT = 6
    UserFactory(username="cun03", town=town, role=Role.OFFICE)
    for i in range(6):
        login(client, f"made-up-{i}", WRONG, ip=f"2001:db8:1:2::{i + 1}")
    assert login(client, "cun03", PASSWORD, ip="2001:db8:1:2::ff").status_code == 429
    assert login(client, "cun03", PASSWORD, ip="2001:db8:1:3::1").status_code == 302  # another /64


def test_an_ipv6_clients_own_success_clears_its_own_failures(client, clerk):
    """The failures are kept under the /64: the clearing on a correct login looks there too."""
    for _i in range(LIMIT - 1):
        login(client, "clerk", WRONG, ip="2001:db8:5:6::1")
    assert login(client, "clerk", PASSWORD, ip="2001:db8:5:6::1").status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()
