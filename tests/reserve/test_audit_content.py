"""The audit log holds who did what to which record, not the content (issue 10 §7).

A department records a flagged finding with a note and a conclusion, the office confirms or overrules it with a
reason, reopens it, and everyone concerned opens the pages and downloads of the findings: no field of any audit
entry then holds the person's name, ID number, the note, the conclusion, the reason, the department or the items
flagged — and the audit administrator's page and Excel export show none of it. The event rows (the nomination's
history, shown to the office) keep their content.
"""

import io
import json

import openpyxl
import pytest
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import Status
from reserve import audit
from reserve.models import AuditEntry, Event
from reserve.roles import Role
from vetting import services as vetting_services
from vetting.models import Finding, VettingRequest
from vetting.selectors import items_for_department

from .. import helpers
from ..factories import NominationFactory, PersonFactory, UserFactory

NAME = "欧阳秘密"
NOTE = "审查备注ZX9173涉嫌赌博"
CONCLUSION = "结论QW5521存在负面情形"
REASON = "理由PL8842经核实属实"
REOPEN = "重开RT3390补充材料"

A = AuditEntry.Action


@pytest.fixture
def flagged_request(round_, village_a, village_a_user, office, dept_x_user):
    """A nomination of a named person, dispatched; the department answers one item flagged, with a note."""
    person = PersonFactory(name=NAME)
    nomination = NominationFactory(round=round_, village=village_a, created_by=village_a_user,
                                   status=Status.ACCEPTED, person=person)
    helpers.every_negative_item_checked(round_, dept_x_user.department)
    candidate_services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")
    request = VettingRequest.objects.get(nomination=nomination, department_id=dept_x_user.department_id)
    items = list(items_for_department(round_, request.department))
    answers = {item.pk: (Finding.Outcome.CLEAR, "", None) for item in items}
    answers[items[0].pk] = (Finding.Outcome.FLAGGED, NOTE, None)
    vetting_services.answer_request(actor=dept_x_user, request_id=request.pk, version=request.version,
                                    answers=answers, conclusion=CONCLUSION)
    request.refresh_from_db()
    return request


def secrets_of(request) -> list[str]:
    nomination = request.nomination
    return [NAME, nomination.person.id_number, NOTE, CONCLUSION, REASON, REOPEN, request.department.name]


def audit_text() -> str:
    """Every field of every audit entry, as text (JSON with and without escaped non-ASCII)."""
    rows = list(AuditEntry.objects.values())
    return "\n".join([json.dumps(rows, ensure_ascii=False, default=str), json.dumps(rows, default=str)])


@pytest.mark.parametrize("decision", [VettingRequest.Decision.CONFIRMED, VettingRequest.Decision.OVERRULED])
def test_recording_and_deciding_a_flagged_finding_leaves_no_content_in_the_audit_log(
        client, office, dept_x_user, flagged_request, decision):
    request = flagged_request
    vetting_services.decide_flag(actor=office, request_id=request.pk, version=request.version, decision=decision,
                                 reason=REASON)
    vetting_services.reopen_request(actor=office, request_id=request.pk, reason=REOPEN)
    nomination = request.nomination
    # The pages and downloads of the findings, each audited as a view or download.
    client.force_login(dept_x_user)
    assert client.get(reverse("vetting:request_detail", args=[request.pk])).status_code == 200
    client.force_login(office)
    for name, args in (("vetting:request_detail", [request.pk]), ("vetting:sheet", [nomination.pk]),
                       ("vetting:ledger", [nomination.round_id]), ("vetting:sheet_pdf", [nomination.pk]),
                       ("vetting:ledger_pdf", [nomination.round_id])):
        # (the ledger's PDF is made in the background: its request answers with the job's page)
        assert client.get(reverse(name, args=args)).status_code == (302 if name == "vetting:ledger_pdf" else 200)

    # The steps were audited: by whom, on which object id …
    steps = list(AuditEntry.objects.filter(object_id=str(nomination.pk), content_type__model="nomination"))
    assert {"dispatch", "vetting_answer"} <= {e.detail.get("event") for e in steps}
    answered = next(e for e in steps if e.detail.get("event") == "vetting_answer")
    assert (answered.user_id, answered.object_repr) == (dept_x_user.pk, f"自荐表 #{nomination.pk}")
    assert any(e.detail.get("with_reason") for e in steps if e.user_id == office.pk)  # that a reason was given
    assert AuditEntry.objects.filter(action=A.VIEW, object_id=str(request.pk), user=dept_x_user).exists()
    # … and nothing of what was found, decided or why, nor whom it concerns.
    text = audit_text()
    for secret in secrets_of(request):
        assert secret not in text, secret
    assert not AuditEntry.objects.filter(detail__has_key="flagged").exists()
    assert not AuditEntry.objects.filter(detail__has_key="data").exists()
    assert not AuditEntry.objects.filter(detail__has_key="reason").exists()

    # The nomination's own history keeps them, for the office.
    events = Event.objects.filter(object_id=nomination.pk)
    assert events.filter(reason=REASON).exists() or events.filter(reason__contains="理由PL8842").exists()
    assert any(e.data.get("department") == request.department.name for e in events)


def test_the_audit_administrator_sees_no_content_on_the_page_or_in_the_export(client, office, flagged_request):
    request = flagged_request
    vetting_services.decide_flag(actor=office, request_id=request.pk, version=request.version,
                                 decision=VettingRequest.Decision.CONFIRMED, reason=REASON)
    client.force_login(office)
    assert client.get(reverse("vetting:sheet", args=[request.nomination_id])).status_code == 200
    auditor = UserFactory(username="sjgl", role=Role.AUDIT_ADMIN)
    client.force_login(auditor)
    html = helpers.page(client.get(reverse("audit_log")))
    assert f"自荐表 #{request.nomination_id}" in html and "dept_x" in html  # the object and who acted
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = "\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    assert f"自荐表 #{request.nomination_id}" in cells
    for secret in secrets_of(request):
        assert secret not in html, secret
        assert secret not in cells, secret


def test_an_objection_and_a_roster_change_leave_no_name_in_the_audit_log(client, office, round_, village_a,
                                                                        village_a_user, fake_pdf):
    from publicity import services as publicity_services

    nomination = NominationFactory(round=round_, village=village_a, created_by=village_a_user,
                                   status=Status.APPROVED, person=PersonFactory(name=NAME))
    notice = publicity_services.notice_publish(
        actor=office, round_=round_, village=village_a, start_date=helpers.today(), contact_phone="0579-1234",
        contact_address="镇政府", public_url_for=lambda n: "http://testserver/p/x/")
    objection = publicity_services.objection_record(
        actor=office, notice=notice, channel="phone", content=NOTE, name="反映人甲", phone="13912345678",
        entry=notice.entries.get(nomination=nomination))
    client.force_login(office)
    assert client.get(reverse("publicity:objection_detail", args=[objection.pk])).status_code == 200
    audit.record(A.VIEW, user=office, obj=nomination.person)  # any object: named by its type and id
    text = audit_text()
    for secret in (NAME, NOTE, "反映人甲", "13912345678", nomination.person.id_number):
        assert secret not in text, secret
    assert AuditEntry.objects.filter(object_id=str(objection.pk), object_repr=f"异议 #{objection.pk}").exists()


def test_event_detail_keeps_what_was_done_not_its_content():
    detail = audit.event_detail(action="decide", from_status="answered", to_status="answered", reason=REASON,
                                data={"department": "纪委", "flagged": [3], "decision": "confirmed", "proxy": True,
                                      "override": {"reason": REASON, "window": "资格审查已截止"},
                                      "changed": ["review_end"], "note": NOTE})
    assert detail == {"event": "decide", "from": "answered", "to": "answered", "with_reason": True, "proxy": True,
                      "late": True, "changed": ["review_end"]}
