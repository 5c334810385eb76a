"""Every create, change and delete made in the admin is in the audit log (issue 10 §5).

Parametrised over admin.site._registry: a model registered in the admin later (by this project or a
package) fails here until it has a case below, and its admin writes to the audit log by itself
(reserve.admin.audit_every_admin). A model whose admin offers no add or no editable field is checked to
offer none.
"""

import dataclasses
import json
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reserve.admin import AuditedAdminMixin, audit_every_admin
from reserve.models import AuditEntry, Town, User, Village
from reserve.roles import Role

from ..factories import CadreFactory, DepartmentFactory, TownFactory, UnitFactory, UserFactory, VillageFactory

A = AuditEntry.Action
REMOVE = object()  # in a case's data: the field is left out of the POST (a checkbox unticked)


# --------------------------------------------------------------------------- the admin's forms, as a browser posts them


class _FormParser(HTMLParser):
    """The fields of one <form id=...> of a page with the values a browser would send unchanged."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None
        self._options = []

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "image", "reset"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if attrs.get("type") in ("checkbox", "radio") else ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(client, url, model, changes) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormParser(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    assert parser.data, f"no form on {url}"
    data = {k: (v if len(v) != 1 else v[0]) for k, v in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        if value is REMOVE:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# --------------------------------------------------------------------------- one case per registered model


@dataclasses.dataclass
class Case:
    make: Callable  # an existing row, to change and delete
    add: dict | None  # POST fields of a new row, None: the admin offers no add (checked)
    change: dict | None  # fields changed on the change page, None: the admin offers no editable field (checked)
    expect: dict = dataclasses.field(default_factory=dict)  # field → (old, new) the change's entry must show


def _attempt():
    return AccessAttempt.objects.create(username="zhangsan", ip_address="10.1.1.1", user_agent="ua", http_accept="*/*",
                                        path_info="/accounts/login/", get_data="", post_data="", failures_since_start=5)


def _log():
    return AccessLog.objects.create(username="zhangsan", ip_address="10.1.1.1", user_agent="ua", http_accept="*/*",
                                    path_info="/accounts/login/")


def _failure():
    return AccessFailureLog.objects.create(username="zhangsan", ip_address="10.1.1.1", user_agent="ua",
                                           http_accept="*/*", path_info="/accounts/login/", locked_out=True)


def _device():
    return TOTPDevice.objects.create(user=UserFactory(username="phone_owner"), name="authenticator", confirmed=True)


def _user():
    return UserFactory(username="clerk9", full_name="旧名", role=Role.OFFICE)


CASES = {
    "auth.Group": Case(make=lambda: Group.objects.create(name="临时组"), add={"name": "新组"},
                       change={"name": "改名组"}, expect={"name": ("临时组", "改名组")}),
    "axes.AccessAttempt": Case(make=_attempt, add=None, change=None),
    "axes.AccessLog": Case(make=_log, add=None, change=None),
    "axes.AccessFailureLog": Case(make=_failure, add=None, change=None),
    "otp_totp.TOTPDevice": Case(make=_device, add={"user": lambda: str(UserFactory(username="new_phone").pk),
                                                   "name": "新验证器"},
                                change={"name": "改名", "confirmed": REMOVE},
                                expect={"name": ("authenticator", "改名"), "confirmed": (True, False)}),
    "reserve.Town": Case(make=lambda: TownFactory(name="旧镇", require_otp_for_office=True), add={"name": "新镇"},
                         change={"require_otp_for_office": REMOVE},  # switching the office's 2FA off
                         expect={"require_otp_for_office": (True, False)}),
    "reserve.Village": Case(make=lambda: VillageFactory(name="旧村"),
                            add={"name": "新村", "town": lambda: str(TownFactory(name="甲镇").pk), "kind": "village",
                                 "order": "1"},
                            change={"name": "改名村"}, expect={"name": ("旧村", "改名村")}),
    "reserve.Department": Case(make=lambda: DepartmentFactory(name="旧部门"),
                               add={"name": "新部门", "town": lambda: str(TownFactory(name="乙镇").pk), "order": "1"},
                               change={"name": "改名部门"}, expect={"name": ("旧部门", "改名部门")}),
    "reserve.Unit": Case(make=lambda: UnitFactory(name="旧单位"),
                         add={"name": "新单位", "town": lambda: str(TownFactory(name="丁镇").pk), "kind": "station",
                              "order": "1"},
                         change={"name": "改名单位"}, expect={"name": ("旧单位", "改名单位")}),
    "reserve.VillageCadre": Case(make=lambda: CadreFactory(name="张委员", post="委员"),
                                 add={"village": lambda: str(VillageFactory(name="丙村").pk), "name": "李委员",
                                      "gender": "M", "birth_date": "1980-01-01", "post": "主任"},
                                 change={"post": "书记"}, expect={"post": ("委员", "书记")}),
    "reserve.User": Case(make=_user, add={"username": "newone", "usable_password": "true",
                                          "password1": "Strong-pass-2026", "password2": "Strong-pass-2026",
                                          "full_name": "新人"},
                         change={"full_name": "新名", "is_active": REMOVE}, expect={"is_active": (True, False)}),
}

REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def _model(label):
    return next(m for m in admin.site._registry if m._meta.label == label)


def _case(label) -> Case:
    assert label in CASES, f"{label} is registered in the admin: add its case to CASES in {__name__}"
    return CASES[label]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _entries(model, action, pk=None):
    qs = AuditEntry.objects.filter(action=action, content_type__app_label=model._meta.app_label,
                                   content_type__model=model._meta.model_name)
    return qs.filter(object_id=str(pk)) if pk is not None else qs


def _evaluated(data):
    return {k: (v() if callable(v) else v) for k, v in data.items()}


def _superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def test_every_registered_model_has_a_case_and_is_audited():
    assert set(REGISTERED) == set(CASES), "a case per model registered in the admin, and none for others"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdminMixin), model._meta.label


@pytest.mark.parametrize("label", REGISTERED)
def test_a_create_in_the_admin_is_audited(admin_client, admin_user, label):
    model, case = _model(label), _case(label)
    model_admin = admin.site._registry[model]
    if case.add is None:
        assert not model_admin.has_add_permission(_superuser_request(admin_user))
        assert admin_client.get(_url(model, "add")).status_code == 403
        return
    before = set(model._default_manager.values_list("pk", flat=True))
    data = form_data(admin_client, _url(model, "add"), model, _evaluated(case.add))
    response = admin_client.post(_url(model, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    (new,) = set(model._default_manager.values_list("pk", flat=True)) - before
    (entry,) = _entries(model, A.CREATE, new)
    assert entry.user_id == admin_user.pk and entry.detail["via"] == "admin"
    given = {"password" if k.startswith("password") or k == "usable_password" else k for k in case.add}
    assert given <= set(entry.detail["changed"])
    obj = model._default_manager.get(pk=new)
    assert_no_secret_in_the_log(obj)


@pytest.mark.parametrize("label", REGISTERED)
def test_a_change_in_the_admin_is_audited_with_old_and_new_values(admin_client, admin_user, label):
    model, case = _model(label), _case(label)
    obj = case.make()
    model_admin = admin.site._registry[model]
    if case.change is None:
        request = _superuser_request(admin_user)
        shown = flatten_fieldsets(model_admin.get_fieldsets(request, obj))
        editable = set(shown) - set(model_admin.get_readonly_fields(request, obj))
        assert not editable or not model_admin.has_change_permission(request, obj), editable
        return
    url = _url(model, "change", obj.pk)
    response = admin_client.post(url, form_data(admin_client, url, model, case.change))
    assert response.status_code == 302, response.content.decode()[:3000]
    (entry,) = _entries(model, A.UPDATE, obj.pk)
    assert entry.user_id == admin_user.pk and entry.detail["via"] == "admin"
    for name, (old, new) in case.expect.items():
        assert name in entry.detail["changed"]
        assert entry.detail["values"][name] == {"old": old, "new": new}
    assert_no_secret_in_the_log(obj)


@pytest.mark.parametrize("label", REGISTERED)
def test_a_delete_in_the_admin_is_audited(admin_client, admin_user, label):
    model, case = _model(label), _case(label)
    obj = case.make()
    pk, text = obj.pk, str(obj)
    response = admin_client.post(_url(model, "delete", pk), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not model._default_manager.filter(pk=pk).exists()
    (entry,) = _entries(model, A.DELETE, pk)
    assert entry.user_id == admin_user.pk and entry.detail["via"] == "admin" and entry.object_repr
    assert text[:20] in entry.object_repr or entry.object_repr


@pytest.mark.parametrize("label", REGISTERED)
def test_a_bulk_delete_in_the_admin_is_audited(admin_client, admin_user, label):
    model, case = _model(label), _case(label)
    obj = case.make()
    response = admin_client.post(_url(model, "changelist"), {
        "action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not model._default_manager.filter(pk=obj.pk).exists()
    assert _entries(model, A.DELETE, obj.pk).count() == 1


def assert_no_secret_in_the_log(obj):
    """No password hash and no authenticator key anywhere in the log."""
    everything = json.dumps(list(AuditEntry.objects.values("detail", "object_repr")), ensure_ascii=False)
    for user in User.objects.all():
        assert user.password not in everything
    for device in TOTPDevice.objects.all():
        assert device.key not in everything


# --------------------------------------------------------------------------- the cases of issue 10 §5 by name


def test_lifting_a_lockout_is_audited_with_the_account_and_address(admin_client):
    attempt = _attempt()
    admin_client.post(_url(AccessAttempt, "delete", attempt.pk), {"post": "yes"})
    (entry,) = _entries(AccessAttempt, A.DELETE, attempt.pk)
    assert entry.detail["values"]["username"] == "zhangsan" and entry.detail["values"]["ip_address"] == "10.1.1.1"


def test_an_admin_action_other_than_delete_is_audited(admin_user):
    """Any changelist action a ModelAdmin brings (none registered today but "delete selected") is recorded."""

    @admin.action(description="标记")
    def mark(modeladmin, request, queryset):
        queryset.update(order=9)

    site = admin.AdminSite(name="throwaway")
    site.register(Village, admin.ModelAdmin, actions=[mark])
    audit_every_admin(site)
    village = VillageFactory()
    request = _superuser_request(admin_user)
    func, name, _description = site._registry[Village].get_actions(request)["mark"]
    func(site._registry[Village], request, Village.objects.filter(pk=village.pk))
    entry = AuditEntry.objects.get(action=A.UPDATE, detail__admin_action="mark")
    assert entry.detail["selected"] == [str(village.pk)] and entry.detail["model"] == "reserve.Village"
    assert Village.objects.get(pk=village.pk).order == 9


def test_the_lockouts_changelist_offers_no_action_that_fails(admin_client):
    """django-axes' "clean up expired attempts" needs the sign-in's request: in the admin it answered 500."""
    attempt = _attempt()
    response = admin_client.post(_url(AccessAttempt, "changelist"), {
        "action": "cleanup_expired_attempts", "_selected_action": [attempt.pk]})
    assert response.status_code in (200, 302)
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_removing_an_authenticator_is_audited_without_its_key(admin_client):
    device = _device()
    key = device.key
    admin_client.post(_url(TOTPDevice, "delete", device.pk), {"post": "yes"})
    (entry,) = _entries(TOTPDevice, A.DELETE, device.pk)
    assert entry.detail["values"]["user"] == "phone_owner"
    assert key not in json.dumps(entry.detail) and "key" not in entry.detail["values"]


def test_a_role_given_in_the_user_form_is_audited(admin_client, town):
    user = _user()
    url = _url(User, "change", user.pk)
    committee = Group.objects.get_or_create(name=Role.COMMITTEE)[0]
    office = Group.objects.get(name=Role.OFFICE)
    data = form_data(admin_client, url, User, {"groups": [str(office.pk), str(committee.pk)]})
    assert admin_client.post(url, data).status_code == 302
    (entry,) = _entries(User, A.UPDATE, user.pk)
    assert entry.detail["values"]["groups"] == {"old": [Role.OFFICE], "new": sorted([Role.OFFICE, Role.COMMITTEE])}


def test_a_save_that_changes_nothing_writes_no_entry(admin_client):
    village = VillageFactory(name="不变村")
    url = _url(Village, "change", village.pk)
    assert admin_client.post(url, form_data(admin_client, url, Village, {})).status_code == 302
    assert not _entries(Village, A.UPDATE, village.pk).exists()


def test_a_refused_delete_leaves_no_entry(admin_client):
    """A town with villages cannot be deleted (PROTECT): nothing deleted, nothing recorded."""
    village = VillageFactory()
    response = admin_client.post(_url(Town, "delete", village.town.pk), {"post": "yes"})
    assert response.status_code == 200
    assert Town.objects.filter(pk=village.town.pk).exists()
    assert not _entries(Town, A.DELETE).exists()


@pytest.mark.parametrize("label, change, personal", [
    ("reserve.User", {"full_name": "新名"}, ("旧名", "新名")),
    ("reserve.VillageCadre", {"name": "王委员", "birth_date": "1979-02-03"}, ("张委员", "王委员", "1979-02-03")),
])
def test_a_persons_own_data_changed_in_the_admin_is_named_but_not_kept(admin_client, label, change, personal):
    """The audit administrator sees who changed which field of which row, not the people's data (issue 10 §7)."""
    model, case = _model(label), _case(label)
    obj = case.make()
    url = _url(model, "change", obj.pk)
    assert admin_client.post(url, form_data(admin_client, url, model, change)).status_code == 302
    (entry,) = _entries(model, A.UPDATE, obj.pk)
    assert set(change) <= set(entry.detail["changed"])
    assert not set(change) & set(entry.detail["values"])
    admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    logged = " ".join(f"{e.object_repr} {e.detail}" for e in AuditEntry.objects.all())
    for value in personal:
        assert value not in logged, value
