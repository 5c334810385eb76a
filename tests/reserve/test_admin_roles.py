"""Separate administrator duties (issue 5 §7): 系统管理员, 安全管理员, 审计管理员.

They manage accounts, organisations and security settings and read no candidate data; set-up creates
no account (`migrate` makes none; the demo's accounts are none of admin or root).
"""

import importlib
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from candidates.selectors import nominations_visible_to, rounds_visible_to
from inspection.selectors import meetings_visible_to, sessions_visible_to
from publicity.selectors import notices_visible_to, objections_visible_to
from reserve.models import User
from reserve.roles import ADMIN_ROLES, Role
from reserve.selectors import villages_visible_to
from tests.test_urls import TABLE, make_objs
from vetting.selectors import vetting_requests_visible_to

from ..factories import UserFactory
from .databases import environment, manage, new_database, query

MIGRATION = importlib.import_module("reserve.migrations.0002_role_groups")
UNITS = importlib.import_module("reserve.migrations.0006_units")
# The groups' permissions as the migrations leave them: 0002 made them, 0006 gave the units to the system admin.
GROUP_PERMISSIONS = {name: [*codes, *UNITS.GROUP_PERMISSIONS_ADDED.get(name, [])]
                     for name, codes in MIGRATION.GROUP_PERMISSIONS.items()}
RESERVED = {"admin", "root", "administrator", "superuser"}


@pytest.fixture
def objs(round_, village_a, village_a_user, office, committee, dept_x_user, mentor):
    """An object of every kind the URL table (tests/test_urls.py) names, made per test."""
    return make_objs(round_=round_, village=village_a, users={
        "village": village_a_user, "office": office, "committee": committee, "department": dept_x_user,
        "mentor": mentor})


def _set_group_permissions():
    """The groups as the migration leaves them (a test run that flushed the database has none)."""
    for name, codes in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([
            Permission.objects.get(content_type__app_label=app, codename=code) for app, code in codes
        ])


@pytest.fixture
def admins(town):
    _set_group_permissions()
    return {
        Role.SYSTEM_ADMIN: UserFactory(username="sysadmin", town=town, is_staff=True, role=Role.SYSTEM_ADMIN),
        Role.SECURITY_ADMIN: UserFactory(username="secadmin", town=town, is_staff=True, role=Role.SECURITY_ADMIN),
        Role.AUDIT_ADMIN: UserFactory(username="auditadmin", town=town, role=Role.AUDIT_ADMIN),
    }


# --------------------------------------------------------------------------- set-up creates no account


def test_migrate_on_an_empty_database_creates_no_user_and_the_three_groups(tmp_path, db):
    with new_database(tmp_path, "migrate") as (kind, locator, url):
        manage("migrate", "--noinput", "-v0", env=environment(url, tmp_path / "media"))
        assert query(kind, locator, "SELECT COUNT(*) FROM reserve_user") == [(0,)]
        rows = query(kind, locator, """
            SELECT g.name, ct.app_label, p.codename FROM auth_group g
            LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id
            LEFT JOIN auth_permission p ON p.id = gp.permission_id
            LEFT JOIN django_content_type ct ON ct.id = p.content_type_id""")
    granted = {}
    for group, app, code in rows:
        granted.setdefault(group, set())
        if code:
            granted[group].add((app, code))
    assert set(granted) >= {r.value for r in Role}
    for name, codes in GROUP_PERMISSIONS.items():
        assert granted[name] == set(codes), name
    for role in (Role.VILLAGE, Role.OFFICE, Role.DEPARTMENT, Role.COMMITTEE, Role.MENTOR):
        assert granted[role.value] == set()
    every = set().union(*granted.values())
    assert not {app for app, _code in every} & {"candidates", "vetting", "publicity", "training"}, (
        "an administrator's group holds a permission on candidate data")


def test_seed_demo_creates_no_admin_or_root_account(db):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    call_command("seed_demo", stdout=io.StringIO())
    names = {u.lower() for u in User.objects.values_list("username", flat=True)}
    assert names and not names & RESERVED
    assert not User.objects.filter(is_superuser=True).exists()
    # Its three administrators see no candidate data, though the demo is full of it.
    office = User.objects.get(username="zzb")
    assert nominations_visible_to(office).exists()
    for role in ADMIN_ROLES:
        user = User.objects.get(groups__name=role)
        assert not nominations_visible_to(user).exists()
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {"xtgl", "aqgl"}


def test_create_admin_makes_an_administrator_and_refuses_default_names(db, monkeypatch):
    Group.objects.get_or_create(name=Role.SYSTEM_ADMIN.value)
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong-pass-2026\n"))
    call_command("create_admin", "wanggong", "--role", "system_admin", stdout=io.StringIO())
    user = User.objects.get(username="wanggong")
    assert user.is_staff and not user.is_superuser and user.check_password("Strong-pass-2026")
    assert set(user.groups.values_list("name", flat=True)) == {"system_admin"}
    for name in ("admin", "Root"):
        monkeypatch.setattr("sys.stdin", io.StringIO("Strong-pass-2026\n"))
        with pytest.raises(CommandError, match="default name"):
            call_command("create_admin", name, "--role", "audit_admin", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError):
        call_command("create_admin", "lisi", "--role", "audit_admin", stdout=io.StringIO())
    assert not User.objects.filter(username__in=["admin", "Root", "lisi"]).exists()


# --------------------------------------------------------------------------- no candidate data


def test_the_selectors_give_the_administrators_nothing(objs, admins):
    assert nominations_visible_to(objs["users"]["village"]).exists()
    for user in admins.values():
        for selector in (nominations_visible_to, villages_visible_to, rounds_visible_to, vetting_requests_visible_to,
                         sessions_visible_to, meetings_visible_to, notices_visible_to, objections_visible_to):
            assert not selector(user).exists(), (user.username, selector.__name__)


# Pages an administrator opens like anyone signed in; none shows candidate data. (我的文件, job_list: the user's own
# generated files only — the audit administrator's large audit-log exports.)
OPEN_TO_ALL = {"home", "favicon", "login", "password_change", "password_change_done", "otp_setup", "otp_verify",
               "admin:login", "publicity:public_notice", "publicity:public_receipt", "job_list"}
PUBLIC_PAGES = {"publicity:public_notice", "publicity:public_receipt"}  # the published notice, by design
# The audit page: the audit administrator's place (the page's own author lets the role in).
AUDIT_PAGES = {"audit_log", "audit_export"}


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_every_list_and_detail_page_refuses_the_administrators(client, objs, admins, role):
    user = admins[role]
    client.force_login(user)
    secret = objs["nomination"].person.name
    wrong = []
    for name in sorted(TABLE):
        path = reverse(name, kwargs=TABLE[name]["kwargs"](objs, "office"))
        response = client.get(path)
        status = response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if name in OPEN_TO_ALL:
            ok = status in (200, 302)
        elif name == "admin:index":
            ok = status == 200 if user.is_staff else (status == 302 and reverse("admin:login") in response["Location"])
        elif name in AUDIT_PAGES and role == Role.AUDIT_ADMIN:
            ok = status in (200, 403)
        else:
            ok = status in (403, 404, 405)
        if ok and status == 200 and name not in PUBLIC_PAGES and secret.encode() in body:
            ok = False
        if not ok:
            wrong.append(f"{name} {path}: {status}")
    assert not wrong, f"{role} was given:\n" + "\n".join(wrong)


# --------------------------------------------------------------------------- the admin, by duty


def _admin_status(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args)).status_code


@pytest.mark.parametrize("role, name, status", [
    (Role.SYSTEM_ADMIN, "admin:reserve_user_changelist", 200),
    (Role.SYSTEM_ADMIN, "admin:reserve_town_changelist", 200),
    (Role.SYSTEM_ADMIN, "admin:reserve_village_changelist", 200),
    (Role.SYSTEM_ADMIN, "admin:reserve_department_changelist", 200),
    (Role.SYSTEM_ADMIN, "admin:reserve_unit_changelist", 200),
    (Role.SECURITY_ADMIN, "admin:reserve_unit_changelist", 403),
    (Role.SYSTEM_ADMIN, "admin:otp_totp_totpdevice_changelist", 200),
    (Role.SYSTEM_ADMIN, "admin:axes_accessattempt_changelist", 403),
    (Role.SYSTEM_ADMIN, "admin:axes_accesslog_changelist", 403),
    (Role.SECURITY_ADMIN, "admin:axes_accessattempt_changelist", 200),
    (Role.SECURITY_ADMIN, "admin:axes_accesslog_changelist", 200),
    (Role.SECURITY_ADMIN, "admin:axes_accessfailurelog_changelist", 200),
    (Role.SECURITY_ADMIN, "admin:reserve_user_changelist", 403),
    (Role.SECURITY_ADMIN, "admin:reserve_town_changelist", 403),
    (Role.SECURITY_ADMIN, "admin:otp_totp_totpdevice_changelist", 403),
])
def test_the_admin_by_duty(client, admins, role, name, status):
    assert _admin_status(client, admins[role], name) == status


def test_the_audit_administrator_does_not_enter_the_admin(client, admins):
    client.force_login(admins[Role.AUDIT_ADMIN])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_the_admin_registers_no_candidate_data():
    from django.contrib import admin

    labels = {model._meta.app_label for model in admin.site._registry}
    assert not labels & {"candidates", "vetting", "publicity", "training", "cultivation"}


def test_the_system_administrator_neither_sees_a_superuser_nor_grants_superuser(client, admins, town):
    root = User.objects.create_superuser("rootlike", password="Root-pass-2026")
    system = admins[Role.SYSTEM_ADMIN]
    client.force_login(system)
    assert client.get(reverse("admin:reserve_user_change", args=[root.pk])).status_code == 302  # not found
    page = client.get(reverse("admin:reserve_user_change", args=[admins[Role.AUDIT_ADMIN].pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    own = client.get(reverse("admin:reserve_user_change", args=[system.pk])).content.decode()
    assert 'name="groups"' not in own  # its own roles are read-only


def test_an_account_given_an_admin_role_in_the_admin_is_staff(admin_client, admins, town):
    """Only a superuser gives an administrator's role in the admin (the system administrator gives the roles of
    the selection only: tests/reserve/test_admin_duties.py); the account becomes staff."""
    security = Group.objects.get(name=Role.SECURITY_ADMIN)
    response = admin_client.post(reverse("admin:reserve_user_add"), {
        "username": "anquan2", "usable_password": "true", "password1": "Secure-pass-2026",
        "password2": "Secure-pass-2026", "full_name": "安全员", "groups": [security.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="anquan2")
    assert user.is_staff and not user.is_superuser and user.must_change_password
    assert set(user.groups.values_list("name", flat=True)) == {Role.SECURITY_ADMIN}


def test_the_admin_names_the_system_not_django(client, db):
    """Found by the new-user tryout: the system administrator's pages said "Django 管理"."""
    html = client.get("/admin/login/").content.decode()
    assert "村级后备干部管理" in html and "Django" not in html
