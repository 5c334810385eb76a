"""The audit log (issue 5 §8): what it records, that nothing changes or deletes it, the purge past the
retention period, the office's audit page and its Excel export (§11: formula injection neutralised)."""

import datetime
import functools
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Nomination, Status
from publicity import services as publicity_services
from reserve import audit
from reserve.choices import Education, Gender
from reserve.excel import safe_cell
from reserve.middleware import AuditContextMiddleware
from reserve.models import AuditEntry, User, VillageCadre
from reserve.roles import Role
from reserve.services import record_event
from vetting import services as vetting_services
from vetting.models import Finding, VettingRequest
from vetting.selectors import items_for_department

from .. import helpers
from ..factories import CadreFactory, NominationFactory, PersonFactory, UserFactory, make_id, png_upload

PASSWORD = "Tusk-Pine-2026"
LOGIN = "/accounts/login/"
IP = "10.20.30.40"
A = AuditEntry.Action

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="the append-only guard is a PostgreSQL trigger; SQLite has none (the app never writes)"
)


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def last(**filters) -> AuditEntry:
    found = entries(**filters)
    assert found, f"no audit entry with {filters}; have {list(AuditEntry.objects.values_list('action', 'path'))}"
    return found[-1]


login = functools.partial(helpers.login, ip=IP)  # through the login page, from IP unless told


def backdate(entry_ids, days):
    """Test set-up only: move entries into the past (on PostgreSQL through the purge's own permission)."""
    at = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        if ON_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('reserve.audit_purge', 'on', true)")
        AuditEntry.objects.filter(pk__in=entry_ids).update(at=at)
        if ON_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('reserve.audit_purge', 'off', true)")


@pytest.fixture
def nom_a(round_, village_a, village_a_user):
    """Village A's draft made by the services, with an ID-card copy."""
    person = PersonFactory(name="甲村人")
    return candidate_services.nomination_create(
        actor=village_a_user, round_=round_,
        person_data={"id_number": person.id_number, "name": person.name, "gender": person.gender,
                     "birth_date": person.birth_date},
        fields={"political_status": "masses", "hukou_village": village_a, "fulltime_education": Education.HIGH_SCHOOL,
                "work_unit_post": "个体经营", "phone": "13800000000", "statement": "热爱农村工作。"},
        id_card_copy=png_upload(),
    )


# --------------------------------------------------------------------------- sign-in

def test_login_success_is_recorded_with_user_role_and_address(client, office):
    assert login(client, "office", PASSWORD).status_code == 302
    e = last(action=A.LOGIN)
    assert (e.user_id, e.username, e.roles, e.address, e.path) == (office.pk, "office", Role.OFFICE, IP, LOGIN)


def test_login_failure_of_an_unknown_user_records_the_name_typed_never_the_password(client, office):
    login(client, "no-such-user", "Secret-guess-9")
    e = last(action=A.LOGIN_FAILED)
    assert e.user_id is None and e.username == "no-such-user" and e.address == IP and e.path == LOGIN
    assert "Secret-guess-9" not in json.dumps(e.detail, ensure_ascii=False)
    assert e.detail == {}


def test_login_failure_with_a_wrong_password(client, office):
    login(client, "office", "Wrong-pass-1")
    e = last(action=A.LOGIN_FAILED)
    assert e.user_id is None and e.username == "office" and e.address == IP
    assert "Wrong-pass-1" not in json.dumps(e.detail)


def test_an_id_number_typed_as_username_is_masked(client, db):
    number = make_id(datetime.date(1990, 1, 1))
    login(client, number, "Wrong-pass-1")
    e = last(action=A.LOGIN_FAILED)
    assert number not in e.username and e.username.startswith(number[:6]) and "*" in e.username


def test_lockout_is_recorded_once_per_attempt(client, office):
    for i in range(4):
        login(client, "office", "Wrong-pass-1", ip=f"10.0.0.{i}")
    assert login(client, "office", "Wrong-pass-1", ip="10.0.0.4").status_code == 429  # the fifth locks
    assert login(client, "office", PASSWORD, ip="10.0.0.5").status_code == 429  # refused by the lockout
    failed = entries(action=A.LOGIN_FAILED, username="office")
    assert len(failed) == 6
    assert [e.detail.get("locked_out", False) for e in failed] == [False] * 4 + [True, True]
    assert failed[-1].address == "10.0.0.5"
    assert not entries(action=A.LOGIN)
    assert not entries(action=A.DENIED)  # the 429 of a refused sign-in is that same entry, not a second


def test_logout_is_recorded(client, office):
    login(client, "office", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=IP)
    e = last(action=A.LOGOUT)
    assert (e.user_id, e.roles, e.address) == (office.pk, Role.OFFICE, IP)


# --------------------------------------------------------------------------- denied access

def test_a_403_is_recorded(client, village_a_user):
    client.force_login(village_a_user)
    assert client.get(reverse("round_list"), REMOTE_ADDR=IP).status_code == 403
    e = last(action=A.DENIED)
    assert (e.user_id, e.roles, e.address, e.path) == (village_a_user.pk, Role.VILLAGE, IP, reverse("round_list"))
    assert e.detail == {"status": 403, "method": "GET"}


def test_a_scope_404_of_a_signed_in_user_is_recorded(client, other_office, round_):
    client.force_login(other_office)
    path = reverse("round_detail", args=[round_.pk])
    assert client.get(path, REMOTE_ADDR=IP).status_code == 404
    e = last(action=A.DENIED)
    assert (e.user_id, e.username, e.address, e.path, e.detail["status"]) == (other_office.pk, "office2", IP, path, 404)


def test_a_nul_character_in_the_path_is_dropped_not_a_500(client, office):
    client.force_login(office)
    assert client.get("/no%00such/page/").status_code == 404
    assert last(action=A.DENIED).path == "/nosuch/page/"


def test_a_404_for_static_files_or_anonymous_visitors_is_not_recorded(client, office, db):
    client.get("/p/no-such-token/")  # the public page: anonymous, 404
    client.force_login(office)
    client.get("/static/no-such-file.css")
    assert not entries(action=A.DENIED)


def test_a_429_is_recorded(rf, db):
    request = rf.post("/p/x/objection/", REMOTE_ADDR=IP)
    request.user = AnonymousUser()
    response = AuditContextMiddleware(lambda r: HttpResponse(status=429))(request)
    assert response.status_code == 429
    e = last(action=A.DENIED)
    assert e.user_id is None and e.address == IP and e.detail == {"status": 429, "method": "POST"}


def test_the_middleware_gives_services_the_request(rf, office):
    request = rf.get("/somewhere/", REMOTE_ADDR=IP)
    request.user = office

    def view(r):
        audit.record(A.VIEW, obj=office)  # no request passed, as a service would
        return HttpResponse("ok")

    AuditContextMiddleware(view)(request)
    e = last(action=A.VIEW)
    assert (e.user_id, e.address, e.path) == (office.pk, IP, "/somewhere/")
    assert audit.current_request() is None  # reset after the response


# --------------------------------------------------------------------------- workflow and personal data

def test_a_workflow_action_is_recorded_with_the_request_address(client, village_a_user, nom_a):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "submit"]), {"reason": ""},
                           REMOTE_ADDR=IP)
    assert response.status_code == 302
    e = last(action=A.WORKFLOW)
    assert (e.user_id, e.roles, e.address, e.object_id) == (village_a_user.pk, Role.VILLAGE, IP, str(nom_a.pk))
    assert e.content_type.model_class() is Nomination
    assert e.object_repr == f"自荐表 #{nom_a.pk}"  # its type and id, never the person's name (issue 10 §7)
    assert e.detail["event"] == "submit" and e.detail["from"] == Status.DRAFT and e.detail["to"] == Status.SUBMITTED


def test_a_nomination_create_is_recorded(village_a_user, nom_a):
    e = last(action=A.CREATE, object_id=str(nom_a.pk))
    assert e.user_id == village_a_user.pk and e.detail["event"] == "create"
    assert nom_a.person.id_number not in json.dumps(e.detail) + e.object_repr


def test_an_id_number_in_the_detail_is_masked(village_a_user, nom_a):
    number = nom_a.person.id_number
    e = audit.record(A.UPDATE, user=village_a_user, obj=nom_a,
                     detail={"id_number": number, "changed": {"note": f"身份证 {number} 已核对"}})
    text = json.dumps(e.detail, ensure_ascii=False)
    assert number not in text
    masked = number[:6] + "********" + number[-4:]
    assert e.detail["id_number"] == masked and masked in e.detail["changed"]["note"]


def test_an_events_data_stays_in_the_event_not_in_the_audit_log(village_a_user, nom_a):
    number = nom_a.person.id_number
    event = record_event(nom_a, action="update", actor=village_a_user,
                         data={"id_number": number, "note": "已核对", "changed": ["phone"], "eligible": True})
    assert event.data["note"] == "已核对"  # the domain's own history keeps it
    e = last(action=A.UPDATE, object_id=str(nom_a.pk))
    assert e.detail == {"event": "update", "changed": ["phone"], "eligible": True}


def test_an_id_card_download_is_recorded(client, office, nom_a):
    client.force_login(office)
    response = client.get(reverse("candidates:nomination_id_card", args=[nom_a.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    e = last(action=A.DOWNLOAD)
    assert (e.user_id, e.roles, e.address, e.object_id) == (office.pk, Role.OFFICE, IP, str(nom_a.pk))
    assert e.detail == {"file": "id_card"}


@pytest.fixture
def vetting_request(round_, village_a, village_a_user, office, dept_x_user):
    nomination = NominationFactory(round=round_, village=village_a, created_by=village_a_user,
                                   status=Status.ACCEPTED, person=PersonFactory(name="联审人"))
    helpers.every_negative_item_checked(round_, dept_x_user.department)  # dispatch needs every item checked
    candidate_services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")
    return VettingRequest.objects.get(nomination=nomination, department_id=dept_x_user.department_id)


def test_a_vetting_findings_view_is_recorded(client, office, dept_x_user, vetting_request):
    assert last(action=A.WORKFLOW, object_id=str(vetting_request.nomination_id)).detail["event"] == "dispatch"
    url = reverse("vetting:request_detail", args=[vetting_request.pk])
    client.force_login(dept_x_user)
    assert client.get(url, REMOTE_ADDR=IP).status_code == 200
    e = last(action=A.VIEW)
    assert (e.user_id, e.roles, e.address, e.object_id) == (dept_x_user.pk, Role.DEPARTMENT, IP,
                                                            str(vetting_request.pk))
    assert e.object_repr == f"联审请求 #{vetting_request.pk}" and "联审人" not in e.object_repr
    assert e.detail["id_number"] == "full" and e.detail["findings"] is True
    client.force_login(office)
    client.get(url)
    assert last(action=A.VIEW).detail["id_number"] == "masked"


def test_ledger_and_sheet_views_and_downloads_are_recorded(client, office, round_, vetting_request):
    client.force_login(office)
    nomination = vetting_request.nomination
    for name, args, action in (("vetting:ledger", [round_.pk], A.VIEW), ("vetting:sheet", [nomination.pk], A.VIEW),
                               ("vetting:ledger_pdf", [round_.pk], A.DOWNLOAD),
                               ("vetting:sheet_pdf", [nomination.pk], A.DOWNLOAD)):
        # the ledger's PDF is made in the background: the request starts the job (and is audited) and goes to it
        expected = 302 if name == "vetting:ledger_pdf" else 200
        assert client.get(reverse(name, args=args), REMOTE_ADDR=IP).status_code == expected
        e = last(action=action)
        assert (e.path, e.user_id, e.address, e.detail["findings"]) == (reverse(name, args=args), office.pk, IP, True)


def test_a_finding_attachment_download_is_recorded(client, dept_x_user, vetting_request):
    items = list(items_for_department(vetting_request.nomination.round, vetting_request.department))
    answers = {item.pk: (Finding.Outcome.CLEAR, "", None) for item in items}
    answers[items[0].pk] = (Finding.Outcome.CLEAR, "", ContentFile(png_upload().read(), name="finding.png"))
    vetting_services.answer_request(actor=dept_x_user, request_id=vetting_request.pk, version=vetting_request.version,
                                    answers=answers)
    finding = Finding.objects.get(request=vetting_request, item=items[0])
    client.force_login(dept_x_user)
    response = client.get(reverse("vetting:finding_attachment", args=[vetting_request.pk, finding.pk]),
                          REMOTE_ADDR=IP)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    e = last(action=A.DOWNLOAD)
    assert (e.user_id, e.address, e.object_id) == (dept_x_user.pk, IP, str(vetting_request.pk))
    assert e.detail["file"] == "finding_attachment" and e.detail["finding"] == finding.pk


@pytest.fixture
def objection(round_, village_a, village_a_user, office):
    nomination = NominationFactory(round=round_, village=village_a, created_by=village_a_user,
                                   status=Status.APPROVED, person=PersonFactory(name="公示人"))
    notice = publicity_services.notice_publish(
        actor=office, round_=round_, village=village_a, start_date=timezone.localdate(),
        contact_phone="0579-1234", contact_address="镇政府", public_url_for=lambda n: "http://testserver/p/x/")
    return publicity_services.objection_record(
        actor=office, notice=notice, channel="phone", content="反映问题", name="举报人", phone="13912345678",
        entry=notice.entries.get(nomination=nomination))


def test_an_objection_recorded_is_a_create_with_the_objector_only_flagged(office, objection):
    e = last(action=A.CREATE, object_id=str(objection.pk))
    assert e.user_id == office.pk and e.object_repr == f"异议 #{objection.pk}"
    assert e.detail["name"] == "有" and e.detail["phone"] == "有" and e.detail["entry"] == objection.entry_id
    text = json.dumps(e.detail, ensure_ascii=False)
    assert "举报人" not in text and "13912345678" not in text and "反映问题" not in text and "公示人" not in text


def test_an_objection_lodged_on_the_public_page_is_recorded_anonymously(client, objection):
    notice = objection.notice
    response = client.post(notice.get_public_url(), {"content": "网上反映", "entry": "", "name": "", "phone": ""},
                           REMOTE_ADDR=IP)
    assert response.status_code == 302
    e = last(action=A.CREATE, detail__channel="online")
    assert e.user_id is None and e.address == IP and e.detail["name"] == "无" and e.detail["phone"] == "无"


def test_an_objection_view_is_recorded(client, office, objection):
    client.force_login(office)
    assert client.get(reverse("publicity:objection_detail", args=[objection.pk]), REMOTE_ADDR=IP).status_code == 200
    e = last(action=A.VIEW)
    assert (e.user_id, e.address, e.object_repr) == (office.pk, IP, f"异议 #{objection.pk}")
    assert e.detail["objector"] is True and e.detail["entry"] == objection.entry_id


def _roster_post(rows, initial=0):
    data = {"cadres-TOTAL_FORMS": str(len(rows)), "cadres-INITIAL_FORMS": str(initial),
            "cadres-MIN_NUM_FORMS": "0", "cadres-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"cadres-{i}-{k}"] = v.isoformat() if isinstance(v, datetime.date) else str(v)
    return data


def test_roster_changes_are_recorded_per_person(client, village_a_user, village_a):
    keep = CadreFactory(village=village_a, name="留任")
    gone = CadreFactory(village=village_a, name="离任")
    client.force_login(village_a_user)
    rows = [
        {"id": keep.pk, "name": "留任改名", "gender": keep.gender, "birth_date": keep.birth_date, "post": "书记"},
        {"id": gone.pk, "name": gone.name, "gender": gone.gender, "birth_date": gone.birth_date, "post": gone.post,
         "DELETE": "on"},
        {"id": "", "name": "王芳", "gender": Gender.FEMALE, "birth_date": "1992-04-01", "post": "村委会委员"},
    ]
    response = client.post(reverse("roster_edit", args=[village_a.pk]), _roster_post(rows, initial=2),
                           REMOTE_ADDR=IP)
    assert response.status_code == 302
    new = VillageCadre.objects.get(name="王芳")
    created = last(action=A.CREATE, object_id=str(new.pk))
    updated = last(action=A.UPDATE, object_id=str(keep.pk))
    deleted = last(action=A.DELETE, object_id=str(gone.pk))
    for e in (created, updated, deleted):
        assert (e.user_id, e.roles, e.address) == (village_a_user.pk, Role.VILLAGE, IP)
        assert e.content_type.model_class() is VillageCadre and e.detail["village"] == "东山村"
        assert e.object_repr == f"两委成员 #{e.object_id}"
    assert set(updated.detail["changed"]) == {"name", "post"}
    everything = json.dumps([[e.detail, e.object_repr] for e in (created, updated, deleted)], ensure_ascii=False)
    assert not any(name in everything for name in ("王芳", "留任", "离任"))  # no names (issue 10 §7)


def test_user_admin_changes_are_recorded_without_password_hashes(admin_client, admin_user, town):
    response = admin_client.post(reverse("admin:reserve_user_add"), {
        "username": "newclerk", "password1": "First-pass-123", "password2": "First-pass-123",
        "usable_password": "true", "full_name": "新账号", "town": town.pk,
    }, REMOTE_ADDR=IP)
    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    created = last(action=A.CREATE, object_id=str(user.pk))
    assert (created.user_id, created.address) == (admin_user.pk, IP)
    assert "password" in created.detail["changed"] and "username" in created.detail["changed"]
    assert "password1" not in created.detail["changed"]

    change_url = reverse("admin:reserve_user_change", args=[user.pk])
    form = {"username": "newclerk", "full_name": "改名", "town": town.pk, "is_active": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00", "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "08:00:00"}
    response = admin_client.post(change_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    updated = last(action=A.UPDATE, object_id=str(user.pk))
    assert "full_name" in updated.detail["changed"]

    response = admin_client.post(reverse("admin:auth_user_password_change", args=[user.pk]),
                                 {"password1": "Second-pass-456", "password2": "Second-pass-456",
                                  "usable_password": "true"})
    assert response.status_code == 302
    assert last(action=A.UPDATE, object_id=str(user.pk)).detail["changed"] == ["password"]

    user.refresh_from_db()
    password_hash = user.password
    response = admin_client.post(reverse("admin:reserve_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    deleted = last(action=A.DELETE, object_id=str(user.pk))
    assert deleted.object_repr == "newclerk"  # an account by its username, not the person's name
    everything = json.dumps(list(AuditEntry.objects.values("detail", "object_repr")), ensure_ascii=False)
    assert password_hash not in everything and "Second-pass-456" not in everything


def test_a_password_change_by_the_user_is_recorded(client, office):
    client.force_login(office)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "New-Secret-77", "new_password2": "New-Secret-77"})
    assert response.status_code == 302
    e = last(action=A.UPDATE, object_id=str(office.pk))
    assert e.detail == {"changed": ["password"]}


# --------------------------------------------------------------------------- append-only, retention

@postgres_only
@pytest.mark.postgres
def test_the_database_refuses_update_and_delete_of_audit_rows(office):
    e = audit.record(A.VIEW, user=office, obj=office)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=e.pk).update(username="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=e.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        e.username = "x"
        e.save()
    assert AuditEntry.objects.get(pk=e.pk).username == "office"


def test_the_audit_log_is_not_in_the_admin():
    from django.contrib import admin

    assert AuditEntry not in admin.site._registry


def test_purge_deletes_only_rows_older_than_the_retention(settings, office):
    settings.AUDIT_RETENTION_DAYS = 200
    old = audit.record(A.VIEW, user=office, obj=office)
    edge = audit.record(A.VIEW, user=office, obj=office)
    recent = audit.record(A.VIEW, user=office, obj=office)
    backdate([old.pk], 201)
    backdate([edge.pk], 199)
    backdate([recent.pk], 1)
    out = io.StringIO()
    call_command("purge_audit", "--dry-run", stdout=out)
    assert out.getvalue().startswith("would delete 1 ") and AuditEntry.objects.filter(pk=old.pk).exists()
    call_command("purge_audit", stdout=io.StringIO())
    assert set(AuditEntry.objects.values_list("pk", flat=True)) >= {edge.pk, recent.pk}
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    if ON_POSTGRES:  # the purge's permission ended with it
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=edge.pk).delete()


@pytest.mark.parametrize("days", [179, 0, -1])
def test_purge_refuses_a_retention_below_180_days(settings, office, days):
    settings.AUDIT_RETENTION_DAYS = days
    e = audit.record(A.VIEW, user=office, obj=office)
    backdate([e.pk], 400)
    with pytest.raises(CommandError, match="180"):
        call_command("purge_audit", stdout=io.StringIO())
    assert AuditEntry.objects.filter(pk=e.pk).exists()


def test_purge_connects_through_its_own_alias_when_one_is_set(monkeypatch):
    import types

    from reserve.management.commands import purge_audit

    assert purge_audit.default_alias() == "default"
    # AUDIT_PURGE_DATABASE_URL set (reserve/settings.py): the owner role's connection.
    monkeypatch.setattr(purge_audit, "settings", types.SimpleNamespace(DATABASES={"default": {}, "audit_purge": {}}))
    assert purge_audit.default_alias() == "audit_purge"


def test_purge_refuses_an_unknown_alias_or_another_database(office):
    import copy

    from django.db import connections
    from django.db.utils import load_backend

    with pytest.raises(CommandError, match="No database alias"):
        call_command("purge_audit", database="no_such_alias", stdout=io.StringIO())
    elsewhere = copy.deepcopy(connection.settings_dict)
    elsewhere["NAME"] = f"{elsewhere['NAME']}_other"
    connections["elsewhere"] = load_backend(elsewhere["ENGINE"]).DatabaseWrapper(elsewhere, "elsewhere")
    try:
        with pytest.raises(CommandError, match="not the app's database"):
            call_command("purge_audit", database="elsewhere", stdout=io.StringIO())
    finally:
        del connections["elsewhere"]


# --------------------------------------------------------------------------- the audit page

def test_only_the_office_opens_the_audit_page(client, village_a_user, committee, dept_x_user, mentor, office):
    for user in (village_a_user, committee, dept_x_user, mentor):
        client.force_login(user)
        assert client.get(reverse("audit_log")).status_code == 403
        assert client.get(reverse("audit_export")).status_code == 403
    client.force_login(office)
    assert client.get(reverse("audit_log")).status_code == 200
    client.logout()
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _rows(response):
    return [(row["entry"].action, row["entry"].username, row["entry"].object_repr) for row in response.context["rows"]]


def test_the_office_sees_its_own_towns_entries_only(client, office, other_office, village_a_user, db):
    audit.record(A.VIEW, user=village_a_user, obj=village_a_user)
    audit.record(A.VIEW, user=other_office, obj=other_office)
    audit.record(A.LOGIN_FAILED, username="cun_a")  # a failed sign-in with one of the town's usernames
    audit.record(A.LOGIN_FAILED, username="office2")  # ... with another town's
    audit.record(A.LOGIN_FAILED, username="nobody")
    client.force_login(office)
    response = client.get(reverse("audit_log"))
    html = response.content.decode()
    assert "村党支部" in html and "cun_a" in html and "登录失败" in html and reverse("audit_export") in html
    rows = _rows(response)
    names = {u for _a, u, _o in rows}
    assert "cun_a" in names and "office" in names  # office: its own sign-in by force_login
    assert "office2" not in names and "nobody" not in names
    assert (A.LOGIN_FAILED, "cun_a", "") in rows


@pytest.mark.skipif(not hasattr(Role, "AUDIT_ADMIN"), reason="no audit administrator role in this version")
def test_the_audit_administrator_sees_every_towns_entries(client, office, other_office):
    auditor = UserFactory(username="sjgl", role=Role.AUDIT_ADMIN)
    audit.record(A.VIEW, user=office, obj=office)
    audit.record(A.VIEW, user=other_office, obj=other_office)
    audit.record(A.LOGIN_FAILED, username="nobody")
    client.force_login(auditor)
    names = {u for _a, u, _o in _rows(client.get(reverse("audit_log")))}
    assert {"office", "office2", "nobody", "sjgl"} <= names
    assert client.get(reverse("audit_export")).status_code == 200


def test_the_audit_page_filters_by_object_user_date_and_action(client, office, village_a_user, nom_a, committee):
    """The object filter finds an object by its label (type and id): the log holds no person's name."""
    audit.record(A.VIEW, user=committee, obj=nom_a)
    other = NominationFactory(round=nom_a.round, village=nom_a.village, person=PersonFactory(name="乙某"))
    audit.record(A.VIEW, user=committee, obj=other)
    audit.record(A.CREATE, user=office, detail={"entry": f"自荐表 #{nom_a.pk}"})  # the label in the detail only
    old = audit.record(A.VIEW, user=committee, obj=other)
    backdate([old.pk], 10)
    client.force_login(office)
    url = reverse("audit_log")

    label = f"自荐表 #{nom_a.pk}"
    rows = _rows(client.get(url, {"person": label}))
    assert rows and all(o == label or a == A.CREATE for a, _u, o in rows)
    assert (A.CREATE, "office", "") in rows and not any(o == f"自荐表 #{other.pk}" for _a, _u, o in rows)
    assert not _rows(client.get(url, {"person": "甲村人"}))  # names are not in the log

    rows = _rows(client.get(url, {"user": "committee"}))
    assert rows and {u for _a, u, _o in rows} == {"committee"}

    rows = _rows(client.get(url, {"action": A.CREATE}))
    assert rows and {a for a, _u, _o in rows} == {A.CREATE}

    today = timezone.localdate()
    other_label = f"自荐表 #{other.pk}"
    rows = _rows(client.get(url, {"person": other_label,
                                  "date_to": (today - datetime.timedelta(days=5)).isoformat()}))
    assert len(rows) == 1
    rows = _rows(client.get(url, {"person": other_label, "date_from": today.isoformat(),
                                  "date_to": today.isoformat()}))
    assert len(rows) == 1

    response = client.get(url, {"date_from": today.isoformat(), "date_to": "2000-01-01"})
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()


def test_the_audit_page_uses_a_constant_number_of_queries(client, office, committee, village_a_user, nom_a):
    client.force_login(office)
    url = reverse("audit_log")
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    few = count()
    for i in range(30):
        user = UserFactory(town=office.town, role=Role.VILLAGE, full_name=f"村干部{i}")
        audit.record(A.VIEW, user=user, obj=nom_a, detail={"i": i})
        audit.record(A.DOWNLOAD, user=committee, obj=user)
    assert count() == few


def test_the_export_neutralises_formulas_and_is_audited(client, office, round_, village_a, committee):
    evil = '=HYPERLINK("http://e.cn","点我")'  # an account's name as typed into the admin
    evil_user = UserFactory(username=evil, town=office.town, role=Role.COMMITTEE)
    nomination = NominationFactory(round=round_, village=village_a)
    audit.record(A.VIEW, user=evil_user, obj=nomination, detail={"note": "+1+2", "tab": "\tx"})
    client.force_login(office)
    response = client.get(reverse("audit_export"), {"user": "HYPERLINK"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1
    cells = [c for c in rows[0] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    e = last(action=A.EXPORT)
    assert (e.user_id, e.address, e.path) == (office.pk, IP, reverse("audit_export"))
    assert e.detail["rows"] == 1 and e.detail["filters"] == {"user": "HYPERLINK"}


@pytest.mark.parametrize("raw, expected", [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("张三", "张三"), ("a=b", "a=b"), (None, ""), (3, 3), ("a\x00b", "ab"),
])
def test_safe_cell(raw, expected):
    assert safe_cell(raw) == expected


def test_safe_cell_gives_local_naive_times():
    aware = timezone.make_aware(datetime.datetime(2026, 1, 1, 0, 0), datetime.UTC)
    assert safe_cell(aware) == datetime.datetime(2026, 1, 1, 8, 0)
