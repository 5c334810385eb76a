"""The optional second factor (issue 5 §4): TOTP with django-otp, required of the office where the town says so."""

import base64
import functools
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from reserve.roles import ADMIN_ROLES, STAFF_ROLES, Role

from .. import helpers
from ..factories import UserFactory

PASSWORD = "Tusk-Pine-2026"


def code(device, offset_steps=0) -> str:
    """The device's current code (or the one offset_steps time steps away), as an authenticator app shows it."""
    value = totp(device.bin_key, step=device.step, t0=device.t0 - offset_steps * device.step,
                 digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


login = functools.partial(helpers.login, ip="10.7.7.7")  # through the login page, with PASSWORD unless told


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def clerk(town):
    return UserFactory(username="clerk", town=town, role=Role.OFFICE)


@pytest.fixture
def enrolled(clerk):
    return TOTPDevice.objects.create(user=clerk, name="authenticator", confirmed=True)


# --------------------------------------------------------------------------- enrolment


def test_the_setup_page_shows_a_qr_code_and_the_secret(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("otp_setup")).content.decode()
    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed
    assert 'src="data:image/svg+xml;base64,' in page
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == secret
    uri = re.search(r"(otpauth://totp/[^<\s]+)", page).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(uri).query)
    assert query["secret"] == [secret] and query["digits"] == ["6"] and query["period"] == ["30"]
    assert "clerk" in uri
    # The same device until it is confirmed: reloading does not change the secret.
    client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.filter(user=clerk).count() == 1


def test_enrolment_is_confirmed_by_a_code(client, clerk):
    client.force_login(clerk)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=clerk)
    response = client.post(reverse("otp_setup"), {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The session that enrolled is verified: the pages open.
    assert client.get(reverse("candidates:nomination_list")).status_code == 200
    status = client.get(reverse("otp_setup")).content.decode()
    assert "已启用" in status


def test_a_wrong_code_does_not_enrol(client, clerk, no_throttle):
    client.force_login(clerk)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=clerk)
    wrong = f"{(int(code(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("otp_setup"), {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.get(user=clerk).confirmed


# --------------------------------------------------------------------------- verification after the password


def test_a_user_with_a_device_gives_a_code_after_the_password(client, enrolled, round_):
    response = login(client, "clerk")
    assert response.status_code == 302
    target = reverse("candidates:nomination_list")
    response = client.get(target)
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == reverse("otp_verify") and parse_qs(parts.query)["next"] == [target]
    for name in ("home", "password_change", "round_list", "otp_setup", "admin:index"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_verify"), name
    assert client.get(reverse("otp_verify")).status_code == 200

    response = client.post(reverse("otp_verify"), {"token": code(enrolled), "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_wrong_or_reused_code_is_refused(client, enrolled, no_throttle):
    login(client, "clerk")
    wrong = f"{(int(code(enrolled)) + 1) % 1000000:06d}"
    response = client.post(reverse("otp_verify"), {"token": wrong})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302

    good = code(enrolled)
    assert client.post(reverse("otp_verify"), {"token": good}).status_code == 302
    # The same code again, in another session: refused (a code counts once).
    other = client.__class__()
    login(other, "clerk")
    response = other.post(reverse("otp_verify"), {"token": good})
    assert response.status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_repeated_failures_make_the_next_try_wait(client, enrolled, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the wait after one failure: a minute, longer than this test
    login(client, "clerk")
    wrong = f"{(int(code(enrolled)) + 1) % 1000000:06d}"
    client.post(reverse("otp_verify"), {"token": wrong})
    response = client.post(reverse("otp_verify"), {"token": code(enrolled)})  # right, but too soon
    assert "次数过多" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 1


def test_the_next_address_must_be_on_this_site(client, enrolled):
    login(client, "clerk")
    response = client.post(reverse("otp_verify"), {"token": code(enrolled), "next": "https://evil.example/x"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_user_without_a_device_is_not_asked_for_a_code(client, clerk):
    login(client, "clerk")
    assert client.get(reverse("candidates:nomination_list")).status_code == 200
    assert client.get(reverse("otp_verify")).status_code == 302


def test_verification_comes_before_a_forced_password_change(client, enrolled):
    enrolled.user.must_change_password = True
    enrolled.user.save()
    login(client, "clerk")
    r = client.get(reverse("home"))
    assert urlsplit(r["Location"]).path == reverse("otp_verify")
    r = client.get(reverse("otp_verify"))
    assert r.status_code == 200  # no redirect loop between the two
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    r = client.get(reverse("home"))
    assert urlsplit(r["Location"]).path == reverse("password_change")


def test_the_code_is_asked_again_in_a_new_session(client, enrolled):
    login(client, "clerk")
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    assert client.get(reverse("home")).status_code in (200, 302)
    client.post(reverse("logout"))
    login(client, "clerk")
    r = client.get(reverse("home"))
    assert urlsplit(r["Location"]).path == reverse("otp_verify")


def test_the_session_changes_key_when_verified(client, enrolled):
    login(client, "clerk")
    before = client.session.session_key
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    assert client.session.session_key != before


# --------------------------------------------------------------------------- the town requires it of the office


@pytest.fixture
def requiring_town(town):
    town.require_otp_for_office = True
    town.save()
    return town


def test_an_office_account_of_a_requiring_town_enrols_before_anything_else(client, clerk, requiring_town):
    login(client, "clerk")
    for name in ("home", "candidates:nomination_list", "round_list", "password_change"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_setup"), name
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200 and "本镇要求" in page.content.decode()
    device = TOTPDevice.objects.get(user=clerk)
    target = reverse("candidates:nomination_list")
    r = client.post(reverse("otp_setup"), {"token": code(device), "next": target})
    assert r.status_code == 302 and r["Location"] == target
    assert client.get(target).status_code == 200


def test_a_requiring_town_does_not_bind_other_roles(client, requiring_town, village_a_user):
    login(client, "cun_a")
    assert client.get(reverse("candidates:nomination_list")).status_code == 200


def test_another_towns_office_is_not_bound(client, requiring_town, other_office):
    login(client, "office2")
    assert client.get(reverse("candidates:nomination_list")).status_code == 200


def test_logout_stays_open_while_enrolment_is_required(client, clerk, requiring_town):
    login(client, "clerk")
    r = client.post(reverse("logout"))
    assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("login")
    assert "_auth_user_id" not in client.session


# --------------------------------------------------------------------------- removing it


def test_a_user_removes_the_device_with_a_code(client, enrolled):
    login(client, "clerk")
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    # The next code: one of a later time step than the one just used (a code counts once).
    r = client.post(reverse("otp_disable"), {"token": code(enrolled, offset_steps=1)})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled.user).exists()
    assert client.get(reverse("candidates:nomination_list")).status_code == 200


def test_removal_needs_a_right_code(client, enrolled, no_throttle):
    login(client, "clerk")
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    r = client.post(reverse("otp_disable"), {"token": "000000" if code(enrolled) != "000000" else "111111"})
    assert r.status_code == 200
    assert TOTPDevice.objects.filter(user=enrolled.user).exists()


def test_a_requiring_town_keeps_the_device(client, enrolled, requiring_town):
    login(client, "clerk")
    client.post(reverse("otp_verify"), {"token": code(enrolled)})
    r = client.post(reverse("otp_disable"), {"token": code(enrolled, offset_steps=1)})
    assert r.status_code == 302
    assert TOTPDevice.objects.filter(user=enrolled.user, confirmed=True).exists()


def test_the_admin_shows_no_key(admin_client, enrolled):
    page = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[enrolled.pk])).content.decode()
    assert enrolled.key not in page


# --------------------------------------------------------------------------- required of the administrators, of departments


@pytest.fixture
def administrators(town):
    return {role: UserFactory(username=f"adm_{role}", is_staff=role in STAFF_ROLES, role=role) for role in ADMIN_ROLES}


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_the_administrators_enrol_first_when_the_setting_says_so(client, settings, administrators, role):
    settings.REQUIRE_OTP_FOR_ADMINS = True
    login(client, f"adm_{role}")
    for name in ("home", "admin:index", "audit_log", "password_change"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_setup"), name
    page = client.get(reverse("otp_setup")).content.decode()
    assert "系统要求管理员账号使用两步验证" in page
    device = TOTPDevice.objects.get(user=administrators[role])
    assert client.post(reverse("otp_setup"), {"token": code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code in (200, 302)
    client.post(reverse("otp_disable"), {"token": code(device, offset_steps=1)})
    assert TOTPDevice.objects.filter(user=administrators[role], confirmed=True).exists()  # cannot remove it


def test_a_superuser_enrols_first_too(client, settings, admin_user):
    settings.REQUIRE_OTP_FOR_ADMINS = True
    client.force_login(admin_user)
    r = client.get(reverse("admin:index"))
    assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_setup")


def test_without_the_setting_the_administrators_choose(client, settings, administrators):
    settings.REQUIRE_OTP_FOR_ADMINS = False
    login(client, f"adm_{Role.SYSTEM_ADMIN}")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.fixture
def departments_required(town):
    town.require_otp_for_departments = True
    town.save()
    return town


def test_a_department_of_a_requiring_town_enrols_first(client, departments_required, dept_x_user):
    login(client, "dept_x")
    r = client.get(reverse("home"))
    assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_setup")
    assert "本镇要求联审部门账号使用两步验证" in client.get(reverse("otp_setup")).content.decode()


def test_the_departments_requirement_binds_neither_the_office_nor_another_towns_department(
        client, departments_required, office, other_town):
    from ..factories import DepartmentFactory

    other = DepartmentFactory(town=other_town, name="纪委")
    UserFactory(username="dept_far", town=other_town, department=other, role=Role.DEPARTMENT)
    for username in ("office", "dept_far"):
        client.post(reverse("logout"))
        login(client, username)
        assert client.get(reverse("otp_setup")).content.decode().count("本镇要求") == 0, username
        r = client.get(reverse("round_list"))
        assert not (r.status_code == 302 and urlsplit(r["Location"]).path == reverse("otp_setup")), username


@pytest.mark.parametrize("env, required", [
    ({}, False),  # a local run, the demo, the tests
    ({"HTTPS": "true"}, True),  # production
    ({"HTTPS": "true", "REQUIRE_OTP_FOR_ADMINS": "false"}, False),
    ({"REQUIRE_OTP_FOR_ADMINS": "true"}, True),
])
def test_the_administrators_second_factor_is_on_by_default_in_production(monkeypatch, env, required):
    import runpy

    from django.conf import settings as django_settings

    for name in ("HTTPS", "REQUIRE_OTP_FOR_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(django_settings.BASE_DIR / "reserve" / "settings.py"))
    assert module["REQUIRE_OTP_FOR_ADMINS"] is required
