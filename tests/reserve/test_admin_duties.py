"""三员分立 enforced (issue 10 §4): an administrator's role is held alone, the system administrator gives the roles
of the selection only and cannot enter another account — a password it sets is good for one sign-in, at which the
person must choose their own (audited) — nor touch another administrator's account or authenticator."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reserve.models import AuditEntry, User
from reserve.roles import ADMIN_ROLES, BUSINESS_ROLES, Role, check_roles, role_conflict

from .. import helpers
from ..factories import UserFactory
from .test_admin_roles import _set_group_permissions

NEW_PASSWORD = "Temp-Lark-7788"


@pytest.fixture
def groups(db):
    _set_group_permissions()
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def system(groups, town):
    return UserFactory(username="sysadmin", town=town, is_staff=True, role=Role.SYSTEM_ADMIN)


@pytest.fixture
def auditor(groups):
    return UserFactory(username="auditadmin", role=Role.AUDIT_ADMIN)


def _add(client, groups_given, username="combo", **extra):
    return client.post(reverse("admin:reserve_user_add"), {
        "username": username, "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "groups": [g.pk for g in groups_given], **extra})


def _change_form(user, **changes):
    data = {"username": user.username, "full_name": user.full_name, "is_active": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "groups": [g.pk for g in user.groups.all()]}
    if user.town_id:
        data["town"] = user.town_id
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------- exclusive roles


def test_the_rule_of_roles():
    for admin_role in ADMIN_ROLES:
        assert role_conflict([admin_role]) == ""
        for other in ADMIN_ROLES - {admin_role}:
            assert "只能担任其中一个" in role_conflict([admin_role, other])
        for business in BUSINESS_ROLES:
            assert "不能与业务角色" in role_conflict([admin_role, business])
    assert role_conflict([Role.OFFICE, Role.COMMITTEE]) == ""  # the selection's roles may be combined
    with pytest.raises(ValidationError):
        check_roles([Role.OFFICE, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])


def test_the_admin_form_refuses_an_account_of_every_role(admin_client, groups):
    """The attack: one account holding the office's, the audit's, the system's and the security's roles."""
    response = _add(admin_client, [groups[r] for r in (Role.OFFICE, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN,
                                                        Role.SECURITY_ADMIN)])
    assert response.status_code == 200
    assert "只能担任其中一个" in helpers.page(response)
    assert not User.objects.filter(username="combo").exists()
    response = _add(admin_client, [groups[Role.OFFICE], groups[Role.AUDIT_ADMIN]])
    assert response.status_code == 200 and "不能与业务角色" in helpers.page(response)
    assert not User.objects.filter(username="combo").exists()


def test_the_admin_form_refuses_a_business_role_for_an_administrator(admin_client, groups, auditor):
    url = reverse("admin:reserve_user_change", args=[auditor.pk])
    response = admin_client.post(url, _change_form(auditor, groups=[groups[Role.AUDIT_ADMIN].pk,
                                                                     groups[Role.OFFICE].pk]))
    assert response.status_code == 200 and "不能与业务角色" in helpers.page(response)
    assert set(auditor.groups.values_list("name", flat=True)) == {Role.AUDIT_ADMIN}


def test_the_groups_cannot_be_written_around_the_rule(groups, office, auditor):
    """The model-level check: whatever writes the groups — a form, an action, code — from either side."""
    with pytest.raises(ValidationError, match="不能与业务角色"), transaction.atomic():
        office.groups.add(groups[Role.SYSTEM_ADMIN])
    with pytest.raises(ValidationError, match="不能与业务角色"), transaction.atomic():
        groups[Role.OFFICE].user_set.add(auditor)
    with pytest.raises(ValidationError, match="只能担任其中一个"), transaction.atomic():
        auditor.groups.set([groups[Role.AUDIT_ADMIN], groups[Role.SECURITY_ADMIN]])
    assert set(office.groups.values_list("name", flat=True)) == {Role.OFFICE}
    assert set(auditor.groups.values_list("name", flat=True)) == {Role.AUDIT_ADMIN}
    auditor.groups.set([groups[Role.SECURITY_ADMIN]])  # a replacement, not a combination
    assert set(auditor.groups.values_list("name", flat=True)) == {Role.SECURITY_ADMIN}


def test_the_system_administrator_gives_no_administrators_role(client, system, groups):
    client.force_login(system)
    page = helpers.page(client.get(reverse("admin:reserve_user_add")))
    for role in ADMIN_ROLES:
        assert f'value="{groups[role].pk}"' not in page
    assert f'value="{groups[Role.OFFICE].pk}"' in page
    response = _add(client, [groups[Role.AUDIT_ADMIN]], username="puppet")
    assert response.status_code == 200
    assert not User.objects.filter(username="puppet").exists()
    response = _add(client, [groups[Role.OFFICE]], username="newoffice")
    assert response.status_code == 302
    assert not User.objects.get(username="newoffice").is_staff


def test_the_system_administrator_makes_no_staff_account(client, system, office):
    client.force_login(system)
    url = reverse("admin:reserve_user_change", args=[office.pk])
    assert client.post(url, _change_form(office, is_staff="on")).status_code == 302
    office.refresh_from_db()
    assert not office.is_staff


# --------------------------------------------------------------------------- another administrator's account


@pytest.mark.parametrize("view", ["change", "password_change", "delete"])
def test_the_system_administrator_cannot_touch_an_administrators_account(client, system, auditor, view):
    client.force_login(system)
    name = "admin:auth_user_password_change" if view == "password_change" else f"admin:reserve_user_{view}"
    url = reverse(name, args=[auditor.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true", "post": "yes",
            **_change_form(auditor, full_name="改了")}
    response = client.post(url, data)
    assert response.status_code == 403
    auditor.refresh_from_db()
    assert auditor.check_password(helpers.PASSWORD) and auditor.full_name == ""
    assert User.objects.filter(pk=auditor.pk).exists()


def test_the_system_administrator_cannot_bulk_delete_an_administrator(client, system, auditor, office):
    client.force_login(system)
    response = client.post(reverse("admin:reserve_user_changelist"), {
        "action": "delete_selected", "_selected_action": [auditor.pk, office.pk], "post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[auditor.pk, office.pk]).count() == 2


def test_the_system_administrator_removes_a_lost_phone_but_not_an_administrators(client, system, auditor, office):
    lost = TOTPDevice.objects.create(user=office, name="authenticator", confirmed=True)
    guarded = TOTPDevice.objects.create(user=auditor, name="authenticator", confirmed=True)
    client.force_login(system)
    url = "admin:otp_totp_totpdevice_delete"
    assert client.post(reverse(url, args=[guarded.pk]), {"post": "yes"}).status_code == 403
    response = client.post(reverse("admin:otp_totp_totpdevice_changelist"), {
        "action": "delete_selected", "_selected_action": [guarded.pk], "post": "yes"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=guarded.pk).exists()
    assert client.post(reverse(url, args=[lost.pk]), {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()


# --------------------------------------------------------------------------- a password set in the admin


def test_a_password_set_in_the_admin_must_be_changed_at_the_next_sign_in(client, system, office):
    """The attack: the system administrator set the office's password and signed in as the office."""
    client.force_login(system)
    response = client.post(reverse("admin:auth_user_password_change", args=[office.pk]), {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.must_change_password and office.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=str(office.pk)).latest("id")
    assert entry.user_id == system.pk and entry.detail["changed"] == ["password"]
    assert entry.detail["must_change_password"] is True

    other = client.__class__()
    assert helpers.login(other, "office", NEW_PASSWORD).status_code == 302
    for name in ("home", "candidates:nomination_list", "round_list", "audit_log"):
        response = other.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), name
    response = other.post(reverse("password_change"), {
        "old_password": NEW_PASSWORD, "new_password1": "Own-choice-9911", "new_password2": "Own-choice-9911"})
    assert response.status_code == 302
    office.refresh_from_db()
    assert not office.must_change_password
    assert other.get(reverse("candidates:nomination_list")).status_code == 200


def test_the_admin_cannot_lift_a_forced_change(admin_client, office):
    office.must_change_password = True
    office.save()
    url = reverse("admin:reserve_user_change", args=[office.pk])
    page = helpers.page(admin_client.get(url))
    assert 'name="must_change_password"' not in page
    response = admin_client.post(url, _change_form(office, full_name="新名"))  # the box left unticked
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.full_name == "新名" and office.must_change_password


# --------------------------------------------------------------------------- at the server: create_admin


def test_create_admin_resets_an_administrator_for_one_sign_in(groups, auditor, office, monkeypatch):
    TOTPDevice.objects.create(user=auditor, name="authenticator", confirmed=True)
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
    call_command("create_admin", "auditadmin", "--role", "audit_admin", "--reset", stdout=io.StringIO())
    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD) and auditor.must_change_password
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    entry = AuditEntry.objects.filter(object_id=str(auditor.pk), action=AuditEntry.Action.UPDATE).latest("id")
    assert entry.detail["authenticators_removed"] == 1 and entry.detail["must_change_password"] is True
    for name, role in (("office", "audit_admin"), ("auditadmin", "system_admin")):  # no administrator of that role
        monkeypatch.setattr("sys.stdin", io.StringIO(NEW_PASSWORD + "\n"))
        with pytest.raises(CommandError):
            call_command("create_admin", name, "--role", role, "--reset", stdout=io.StringIO())
    office.refresh_from_db()
    assert office.check_password(helpers.PASSWORD) and not office.must_change_password


@pytest.mark.parametrize("name", ["admin", "Root", " administrator "])
def test_the_admin_gives_no_account_a_name_attackers_try_first(client, system, groups, name):
    """Found by the attack: create_admin refused these names, the admin's form did not."""
    client.force_login(system)
    response = _add(client, [groups[Role.OFFICE]], username=name)
    assert response.status_code == 200 and "攻击者首先尝试的默认账号名" in response.content.decode()
    assert not User.objects.filter(username__iexact=name.strip()).exists()


@pytest.mark.parametrize("path", ["/admin/axes/accessattempt/", "/admin/axes/accesslog/",
                                  "/admin/axes/accessfailurelog/"])
@pytest.mark.parametrize("value", ["not-an-ip", "\x00", "zz"])
def test_a_list_filtered_by_an_address_that_is_none_is_answered(admin_client, path, value):
    """Found by the attack: PostgreSQL's inet column answered 500 to ?ip_address=not-an-ip in the lockout lists."""
    admin_client.raise_request_exception = False
    response = admin_client.get(path, {"ip_address": value, "o": "1"})
    assert response.status_code == 302 and "ip_address" not in response["Location"] and "o=1" in response["Location"]
    assert admin_client.get(path, {"ip_address": "10.1.1.1"}).status_code == 200
