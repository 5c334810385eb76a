"""公示: publishing a notice, objections recorded and handled by the office, the town's working-day table."""


import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from candidates.models import Nomination, Status
from publicity.models import Notice, Objection
from reserve.models import CalendarDay
from tests.helpers import management, today

from .checks import (
    clean_state,
    client_for,
    is_int,
    iso,
    last,
    management_names,
    notice_pages,
    post_and_check,
    row_names,
    tampered,
)
from .forms import OBJECTION_RECORD_FIELDS, check_objections
from .strategies import fuzz_settings, fuzzed

pytestmark = pytest.mark.django_db


NOTICE_FIELDS = ["villages", "start_date", "contact_phone", "contact_address"]


@fuzz_settings()
@given(data=st.data())
def test_notice_new_fuzz(fake_pdf, office, village_a_user, round_, village_a, village_b, approved, data):
    base = {"villages": [str(village_a.pk)], "start_date": iso(today()), "contact_phone": "0579-88881234",
            "contact_address": "青山镇人民政府组织办"}
    body = data.draw(fuzzed(base, NOTICE_FIELDS), label="body")

    def accepted(o):
        for notice in o.changed(Notice):
            assert notice.village_id == village_a.pk and notice.round_id == round_.pk
            assert abs((notice.start_date - today()).days) <= 366 + 14  # the form's year, moved to a working day
            assert notice.contact_phone.strip() and notice.contact_address.strip()
            assert [e.nomination_id for e in notice.entries.all()] == [approved.pk]
        assert Nomination.objects.get(pk=approved.pk).status == Status.PUBLICISED

    with clean_state():
        post_and_check(client_for(office), reverse("publicity:notice_new") + f"?round={round_.pk}", body,
                       accepted=accepted, pages=lambda o: [p for n in o.added(Notice)
                                                           for p in notice_pages(n, office, village_a_user)])


@fuzz_settings(16)
@given(data=st.data())
def test_objection_record_fuzz(office, notice, data):
    entry = notice.entries.get()
    base = {"channel": "phone", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "entry": str(entry.pk), "content": "反映该同志有违建。", "name": "", "phone": ""}
    body = data.draw(fuzzed(base, OBJECTION_RECORD_FIELDS), label="body")
    with clean_state():
        post_and_check(client_for(office), reverse("publicity:objection_new", args=[notice.pk]), body,
                       accepted=lambda o: check_objections(o, notice, online=False),
                       pages=lambda o: notice_pages(notice, office))


OBJECTION_OP_FIELDS = ["op", "assign-version", "assign-entry", "verify-version", "verify-verified_by",
                       "verify-verification", "conclude-version", "conclude-upheld", "conclude-reason"]


@fuzz_settings(16)
@given(data=st.data())
def test_objection_handling_fuzz(office, notice, open_objection, verified_objection, data):
    objection = data.draw(st.sampled_from([open_objection, verified_objection]), label="objection")
    entry = notice.entries.get()
    v = str(objection.version)
    bases = [
        {"op": "assign", "assign-version": v, "assign-entry": str(entry.pk)},
        {"op": "verify", "verify-version": v, "verify-verified_by": "李四", "verify-verification": "经核实。"},
        {"op": "conclude", "conclude-version": v, "conclude-upheld": "no", "conclude-reason": "反映不属实。"},
    ]
    body = data.draw(st.sampled_from(bases).flatmap(lambda base: fuzzed(base, OBJECTION_OP_FIELDS)), label="body")

    def accepted(o):
        obj = Objection.objects.get(pk=objection.pk)
        assert obj.version == objection.version + 1
        assert int(last(body, f"{last(body, 'op')}-version")) == objection.version
        if obj.entry_id:
            assert obj.entry.notice_id == notice.pk
        if obj.status != Objection.Status.OPEN:
            assert obj.verified_by.strip() and obj.verification.strip()
        if obj.status in (Objection.Status.UPHELD, Objection.Status.NOT_UPHELD):
            assert objection.status == Objection.Status.VERIFIED and obj.conclusion_reason.strip()
            if obj.status == Objection.Status.UPHELD:
                assert obj.entry.nomination.status == Status.REJECTED

    op = last(body, "op")
    shown = {"assign": objection.is_open and objection.entry_id is None,
             "verify": objection.status == Objection.Status.OPEN,
             "conclude": objection.status == Objection.Status.VERIFIED}
    silent_ok = op in shown and (not shown[op] or not is_int(last(body, f"{op}-version")))
    with clean_state():
        post_and_check(client_for(office), reverse("publicity:objection_detail", args=[objection.pk]), body,
                       silent_ok=silent_ok, accepted=accepted, pages=lambda o: notice_pages(notice, office))


CALENDAR_FIELDS = ["id", "date", "is_workday", "note", "DELETE"]


@fuzz_settings()
@given(data=st.data())
def test_calendar_fuzz(office, town, other_town, round_, calendar_day, data):
    day = calendar_day
    base = {**management("days", 4, 1), "days-0-id": str(day.pk), "days-0-date": "2026-10-10",
            "days-0-is_workday": "on", "days-0-note": "调休上班", "days-1-date": "2026-12-24", "days-1-note": "镇庆"}
    body = data.draw(fuzzed(base, management_names("days") + row_names("days", CALENDAR_FIELDS, 3)), label="body")
    silent_ok = tampered(body, base, "days")

    def accepted(o):
        for d in o.changed(CalendarDay):
            assert d.town_id == town.pk and len(d.note) <= 60
        assert CalendarDay.objects.filter(town=other_town).count() == 1

    with clean_state():
        post_and_check(client_for(office), reverse("publicity:calendar"), body, accepted=accepted, silent_ok=silent_ok,
                       pages=lambda o: [(office, reverse("publicity:calendar")),
                                        (office, reverse("publicity:notice_new") + f"?round={round_.pk}")]
                       + [(office, reverse("publicity:notice_period") + f"?round={round_.pk}&start={d.date}")
                          for d in o.changed(CalendarDay)])
