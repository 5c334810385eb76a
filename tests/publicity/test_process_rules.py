"""Issue 9, items 1, 8 and 9 in the publicity stage:

1. A notice cannot skip the public's days: its date is not before the committee's decision, its period starts on or
   after its date and not in the past (a paper notice posted before it was entered is recorded as such and runs from
   its posting day), confirmation comes only after the period; objections before the start are recorded as early.
8. An upheld objection goes to the committee: the office's finding proposes, the committee cancels or maintains; the
   public page marks a cancelled person as no longer proposed and the objector's receipt says the matter is concluded.
9. Natural days: the round's 公示 period is counted in working days or calendar days, everywhere.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.models import Status
from candidates.services import perform
from inspection.models import CommitteeDecision, CommitteeMeeting
from publicity import services
from publicity.models import Notice, NoticeEntry, Objection
from reserve.choices import DayKind
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import AuditEntry, Event
from reserve.workdays import period_of
from training.models import Reserve

from ..factories import NominationFactory, PersonFactory, RoundFactory
from ..helpers import message_texts, page, status_of, today

pytestmark = pytest.mark.django_db

D = datetime.date
T = D(2026, 12, 1)  # "today" of the rule tables
PHONE, ADDRESS = "0579-8888 1234", "青山镇人民政府三楼组织办"


def days(n) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def approved(round_, village, name="李明"):
    return NominationFactory(round=round_, village=village, approved=True, person=PersonFactory(name=name))


def decided(office, nomination, on: datetime.date) -> CommitteeDecision:
    """The committee's approval of a nomination, at a meeting on `on` (the inspection tests cover getting there)."""
    meeting = CommitteeMeeting.objects.create(round=nomination.round, date=on, attendees="孙书记、李镇长",
                                              members_total=5, members_present=5, recorded_by=office)
    return CommitteeDecision.objects.create(meeting=meeting, nomination=nomination, outcome="approve")


def publish(office, round_, village, **dates) -> Notice:
    return services.notice_publish(actor=office, round_=round_, village=village, contact_phone=PHONE,
                                   contact_address=ADDRESS, public_url_for=lambda n: f"http://testserver/p/{n.token}/",
                                   **dates)


@pytest.fixture(autouse=True)
def _no_weasyprint(fake_pdf):
    """Publishing without rendering the PDF (tests/publicity/test_pdf_text.py is about the PDF)."""


# =============================================================================== 1. the dates of a notice

# (start, issue_date, posted_on, decisions, expected {field: message fragment}); today is T.
DATE_RULES = [
    # A notice entered now: from today, dated today — sound.
    (T, T, None, [("李明", T - days(3))], {}),
    (T + days(7), T, None, [("李明", T)], {}),
    # The issue's case: a start weeks in the past (the period would be over at once).
    (T - days(21), T, None, [], {"start_date": "不能从过去开始"}),
    (T - days(1), T - days(1), None, [], {"start_date": "不能从过去开始"}),
    # Dated before the committee's decision on someone on it (the committee met after the notice's date).
    (T, T - days(1), None, [("李明", T)], {"__all__": "早于镇党委研究确定李明的日期"}),
    (T + days(3), T, None, [("李明", T - days(5)), ("王芳", T + days(1))], {"__all__": "王芳"}),
    # Dated in the future; starting before its date.
    (T + days(5), T + days(2), None, [], {"__all__": "落款日期（2026年12月3日）不能晚于今天"}),
    (T, T + days(0), None, [], {}),
    # A paper notice posted before it was entered: runs from its posting day, however long ago.
    (T - days(42), T - days(42), T - days(42), [("李明", T - days(45))], {}),
    (T - days(3), T - days(5), T - days(3), [("李明", T - days(6))], {}),  # dated 落款 two days before posting
    # … not posted in the future, nor before the committee's decision, and its period starts on the posting day.
    (T + days(1), T + days(1), T + days(1), [], {"posted_on": "不能晚于今天"}),
    (T - days(10), T - days(10), T - days(10), [("李明", T - days(8))], {"posted_on": "早于镇党委研究确定李明"}),
    (T - days(2), T - days(10), T - days(10), [], {"start_date": "从张贴日期（2026年11月21日）起计算"}),
    (T - days(10), T - days(9), T - days(10), [], {"start_date": "不能早于公示落款日期"}),
]


@pytest.mark.parametrize("start, issue_date, posted_on, decisions, expected", DATE_RULES)
def test_the_rules_on_a_notices_dates(start, issue_date, posted_on, decisions, expected):
    errors = services.notice_date_errors(start=start, issue_date=issue_date, posted_on=posted_on,
                                         decisions=decisions, today=T)
    assert set(errors) == set(expected), errors
    for field, fragment in expected.items():
        assert any(fragment in m for m in errors[field]), (field, errors[field])


def test_a_start_in_the_past_is_refused_and_nothing_is_published(office, round_, village_a):
    nomination = approved(round_, village_a)
    with pytest.raises(ValidationError) as refused:
        publish(office, round_, village_a, start_date=today() - days(21))
    assert "不能从过去开始" in str(refused.value.message_dict["start_date"])
    assert not Notice.objects.exists() and status_of(nomination) == Status.APPROVED
    assert not Event.objects.filter(action__in=("publish", "notice_publish")).exists()


def test_a_notice_dated_before_the_committees_decision_is_refused(office, round_, village_a):
    nomination = approved(round_, village_a)
    decided(office, nomination, today() + days(1))  # the committee meets tomorrow (as the issue's trial run found)
    with pytest.raises(ValidationError) as refused:
        publish(office, round_, village_a, start_date=today() + days(2))
    assert "早于镇党委研究确定李明的日期" in " ".join(refused.value.messages)
    assert not Notice.objects.exists() and status_of(nomination) == Status.APPROVED
    # Dated the day of the decision (or after) it goes out.
    notice = publish(office, round_, village_a, start_date=today() + days(2), today=today() + days(1))
    assert notice.issue_date == today() + days(1)


def test_the_page_refuses_a_past_start_beside_the_field(client, office, round_, village_a):
    nomination = approved(round_, village_a)
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "start_date": (today() - days(21)).isoformat(), "contact_phone": PHONE,
        "contact_address": ADDRESS})
    assert response.status_code == 200
    assert "不能从过去开始" in " ".join(response.context["form"].errors["start_date"])
    assert 'id="date-problem"' in page(response)  # the live period says so too
    assert not Notice.objects.exists() and status_of(nomination) == Status.APPROVED


def test_the_period_fragment_refuses_a_past_start_and_a_future_posting(client, office, round_):
    client.force_login(office)
    url = reverse("publicity:notice_period")
    html = page(client.get(url, {"round": round_.pk, "start": (today() - days(3)).isoformat()}))
    assert 'id="date-problem"' in html and "不能从过去开始" in html
    html = page(client.get(url, {"round": round_.pk, "start": (today() - days(3)).isoformat(), "posted": "1"}))
    assert 'id="date-problem"' not in html and 'id="posted-note"' in html
    html = page(client.get(url, {"round": round_.pk, "start": (today() + days(3)).isoformat(), "posted": "1"}))
    assert 'id="date-problem"' in html and "不能晚于今天" in html
    html = page(client.get(url, {"round": round_.pk, "start": today().isoformat()}))
    assert 'id="date-problem"' not in html and 'id="confirmable-from"' in html


def test_a_batch_with_one_villages_dates_wrong_publishes_nothing(office, round_, village_a, village_b):
    first, second = approved(round_, village_a), approved(round_, village_b, "王芳")
    decided(office, second, today() + days(1))
    with pytest.raises(ValidationError):
        services.notice_publish_batch(actor=office, round_=round_, villages=[village_a, village_b],
                                      start_date=today() + days(3), contact_phone=PHONE, contact_address=ADDRESS,
                                      public_url_for=lambda n: "http://testserver/p/x/")
    assert not Notice.objects.exists()
    assert status_of(first) == status_of(second) == Status.APPROVED


def test_a_paper_notice_posted_before_entry_is_recorded_shown_and_audited(client, office, committee, round_,
                                                                         village_a):
    nomination = approved(round_, village_a)
    decided(office, nomination, today() - days(30))
    posted_on = today() - days(20)
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "start_date": "", "posted_first": "on", "posted_on": posted_on.isoformat(),
        "contact_phone": PHONE, "contact_address": ADDRESS})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    period = services.publicity_period(round_, posted_on)
    assert (notice.posted_on, notice.entered_on, notice.entered_by) == (posted_on, today(), office)
    assert (notice.start_date, notice.end_date, notice.issue_date) == (period.start, period.end, posted_on)
    assert notice.posted_before_entry
    assert any("先行张贴" in m and "录入系统" in m for m in message_texts(response))
    # On the notice's page, for every reader …
    for user in (office, committee):
        client.force_login(user)
        html = page(client.get(notice.get_absolute_url()))
        assert 'id="posted-before-entry"' in html and office.username in html
    # … and in the event and the audit log.
    event = Event.objects.get(action="notice_publish")
    assert event.data["posted_before_entry"] is True and event.data["posted_on"] == f"{posted_on}"
    assert event.data["entered_on"] == f"{today()}" and event.data["entered_by"] == str(office)
    audited = AuditEntry.objects.filter(object_id=str(notice.pk), detail__event="notice_publish").get()
    # The audit copy holds no content (issue 10 §7): the dates and names stay in the event.
    assert audited.user_id == office.pk and "data" not in audited.detail and audited.detail["posted_before_entry"]


@pytest.mark.parametrize("posted_on, decided_on, fragment", [
    (1, None, "不能晚于今天"),  # in days from today
    (-10, -8, "早于镇党委研究确定"),
])
def test_a_paper_notice_keeps_the_same_rules(client, office, round_, village_a, posted_on, decided_on, fragment):
    nomination = approved(round_, village_a)
    if decided_on is not None:
        decided(office, nomination, today() + days(decided_on))
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "posted_first": "on", "posted_on": (today() + days(posted_on)).isoformat(),
        "contact_phone": PHONE, "contact_address": ADDRESS})
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["posted_on"])
    assert not Notice.objects.exists() and status_of(nomination) == Status.APPROVED


def test_ticking_paper_needs_the_posting_date(client, office, round_, village_a):
    approved(round_, village_a)
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "posted_first": "on", "posted_on": "", "contact_phone": PHONE,
        "contact_address": ADDRESS})
    assert response.status_code == 200 and "请填写纸质公示的张贴日期" in page(response)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("typed_first", ["2031-03-03", "not a date", "2020-01-01"])
def test_a_start_date_typed_before_ticking_paper_is_not_held_against_the_form(client, office, round_, village_a,
                                                                               typed_first):
    """Found by the browser journey on a Sunday: the start date tried first (years ahead) refused the paper notice."""
    nomination = approved(round_, village_a)
    decided(office, nomination, today() - days(10))
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "start_date": typed_first, "posted_first": "on",
        "posted_on": (today() - days(2)).isoformat(), "contact_phone": PHONE, "contact_address": ADDRESS})
    assert response.status_code == 302, response.context["form"].errors
    assert Notice.objects.get().posted_on == today() - days(2)


def test_a_posting_date_typed_before_unticking_paper_is_not_held_against_the_form(client, office, round_,
                                                                                   village_a):
    approved(round_, village_a)
    client.force_login(office)
    response = client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
        "villages": [village_a.pk], "start_date": today().isoformat(), "posted_on": "2031-03-03",
        "contact_phone": PHONE, "contact_address": ADDRESS})
    assert response.status_code == 302, response.context["form"].errors
    assert Notice.objects.get().posted_on is None


@pytest.mark.parametrize("after_end, confirmed", [(-3, False), (0, False), (1, True), (30, True)])
def test_confirmation_only_after_the_last_day(office, round_, village_a, after_end, confirmed):
    """today = the period's last day + after_end: confirmed only from the day after the last day."""
    nomination = approved(round_, village_a)
    notice = publish(office, round_, village_a, start_date=today())
    day = notice.end_date + days(after_end)
    if confirmed:
        perform(actor=office, nomination_id=nomination.pk, action="confirm_reserve", today=day)
        assert status_of(nomination) == Status.RESERVE
    else:
        with pytest.raises(ActionRefused) as refused:
            perform(actor=office, nomination_id=nomination.pk, action="confirm_reserve", today=day)
        assert "才能确认入库" in refused.value.message
        assert status_of(nomination) == Status.PUBLICISED


def test_a_notice_cannot_be_published_and_confirmed_the_same_minute(client, office, round_, village_a):
    """The issue's case end to end: a start weeks in the past (once only a warning), then confirm at once — nothing
    is published, nobody enters the pool; published from today, confirm is refused until the period has ended."""
    nomination = approved(round_, village_a)
    client.force_login(office)
    for start in (today() - days(21), today()):
        client.post(reverse("publicity:notice_new") + f"?round={round_.pk}", {
            "villages": [village_a.pk], "start_date": start.isoformat(), "contact_phone": PHONE,
            "contact_address": ADDRESS})
        notice = Notice.objects.first()
        if notice is not None:
            response = client.post(reverse("publicity:notice_confirm", args=[notice.pk]))
            assert any("才能确认入库" in m for m in message_texts(response))
        assert not Reserve.objects.exists() and status_of(nomination) != Status.RESERVE
    assert Notice.objects.get().start_date >= today()
    assert status_of(nomination) == Status.PUBLICISED


# --------------------------------------------------------------------------- objections before the start

@pytest.fixture
def upcoming(office, round_, village_a):
    """Village A's notice, entered today, starting in a week."""
    approved(round_, village_a)
    return publish(office, round_, village_a, start_date=today() + days(7))


def test_an_objection_on_the_public_page_before_the_start_is_recorded_as_early(client, upcoming):
    html = page(client.get(upcoming.get_public_url()))
    assert 'id="early-note"' in html and 'name="content"' in html  # the form is there, and says so
    response = client.post(upcoming.get_public_url(), {"content": "提前反映。", "entry": upcoming.entries.get().pk,
                                                       "name": "", "phone": ""})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.is_early and not objection.is_late
    assert "提前收到" in page(client.get(response["Location"]))
    assert Event.objects.get(action="objection").data["early"] is True


def test_a_paper_objection_received_before_the_start_is_recorded_as_early(client, office, upcoming):
    client.force_login(office)
    response = client.post(reverse("publicity:objection_new", args=[upcoming.pk]), {
        # Now, to the minute: a fixed hour of today is still to come in the small hours (found at 00:14 in Shanghai).
        "channel": "letter", "received_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}", "content": "来信反映。",
        "entry": upcoming.entries.get().pk, "name": "", "phone": ""})
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.is_early
    assert any("提前收到" in m for m in message_texts(response))
    assert "data-early" in page(client.get(upcoming.get_absolute_url()))
    audited = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(objection.pk))
    assert audited.detail["early"] is True


def test_an_objection_in_the_period_is_neither_early_nor_late(office, round_, village_a):
    # Calendar days: a period of working days published on a day off starts on the next working day.
    round_.publicity_day_kind = DayKind.CALENDAR
    round_.save(update_fields=["publicity_day_kind"])
    approved(round_, village_a)
    notice = publish(office, round_, village_a, start_date=today())
    objection = services.objection_record(actor=office, notice=notice, channel="phone", content="来电。")
    assert (objection.is_early, objection.is_late) == (False, False)


@pytest.mark.parametrize("offset, early, late", [(-1, True, False), (0, False, False), (4, False, False),
                                                 (5, False, True)])
def test_when_an_objection_was_received(office, round_, village_a, offset, early, late):
    """Relative to a notice of five calendar days starting in two days: start − 1 … end + 1."""
    round_.publicity_day_kind, round_.publicity_days = DayKind.CALENDAR, 5
    round_.save()
    approved(round_, village_a)
    notice = publish(office, round_, village_a, start_date=today() + days(2))
    flags = services.received_flags(notice, notice.start_date + days(offset))
    assert (flags["is_early"], flags["is_late"]) == (early, late)


# =============================================================================== 8. an upheld objection

@pytest.fixture
def nom_a(round_, village_a):
    return approved(round_, village_a)


@pytest.fixture
def notice_a(office, round_, village_a, nom_a):
    return publish(office, round_, village_a, start_date=today())


@pytest.fixture
def referred(office, notice_a):
    """An objection against 李明 the office verified and found true: awaiting the committee."""
    o = services.objection_lodge_public(notice=notice_a, content="反映该同志有违建。", name="举报人甲",
                                        phone="13900000000", entry=notice_a.entries.get())
    o = services.objection_verify(actor=office, objection_id=o.pk, version=o.version, verified_by="刘强",
                                  verification="经走访，情况属实。")
    return services.objection_conclude(actor=office, objection_id=o.pk, version=o.version, upheld=True,
                                       reason="经核实，违建属实。")


def test_upholding_proposes_the_change_and_the_person_stays_publicised(referred, nom_a):
    assert referred.status == Objection.Status.REFERRED and referred.is_open and referred.is_referred
    assert status_of(nom_a) == Status.PUBLICISED
    event = Event.objects.get(action="refer_objection")
    assert (event.object_id, event.from_status, event.to_status) == (nom_a.pk, Status.PUBLICISED, Status.PUBLICISED)
    assert event.reason == "经核实，违建属实。"


def test_confirmation_is_refused_while_the_committee_has_not_decided(office, referred, nom_a, notice_a):
    after = notice_a.end_date + days(1)
    with pytest.raises(ActionRefused) as refused:
        perform(actor=office, nomination_id=nom_a.pk, action="confirm_reserve", today=after)
    assert "提请镇党委研究" in refused.value.message
    assert status_of(nom_a) == Status.PUBLICISED


@pytest.mark.parametrize("decider", ["committee", "office"])
def test_the_committee_cancels_the_candidacy(request, client, decider, referred, nom_a, notice_a):
    user = request.getfixturevalue(decider)  # the committee, or the office recording its decision
    services.objection_committee_decide(actor=user, objection_id=referred.pk, version=referred.version, cancel=True,
                                        reason="12月3日党委会研究，取消人选资格。")
    referred.refresh_from_db()
    assert referred.status == Objection.Status.UPHELD and not referred.is_open
    assert (referred.decided_by, referred.decision_reason) == (user, "12月3日党委会研究，取消人选资格。")
    assert status_of(nom_a) == Status.REJECTED
    event = Event.objects.get(action="uphold_objection")
    assert (event.actor, event.from_status, event.to_status) == (user, Status.PUBLICISED, Status.REJECTED)
    assert event.reason == "12月3日党委会研究，取消人选资格。"
    # The public page no longer names the person (issue 10 §15), says nothing of why, and stops inviting
    # objections against them.
    html = page(client.get(notice_a.get_public_url()))
    assert "李明" not in html
    assert "违建" not in html and "取消" not in html and "属实" not in html
    assert 'id="not-accepting"' in html and 'name="content"' not in html  # nobody else on this notice
    response = client.post(notice_a.get_public_url(), {"content": "再反映。", "entry": notice_a.entries.get().pk,
                                                       "name": "", "phone": ""})
    assert response.status_code == 200 and Objection.objects.count() == 1
    # The objector's receipt: concluded, nothing private.
    html = page(client.get(reverse("publicity:public_receipt", args=[notice_a.token, referred.receipt])))
    assert 'id="receipt-state"' in html and "已办结" in html
    for private in ("违建", "举报人甲", "13900000000", "刘强", "取消", "属实"):
        assert private not in html, private


def test_a_cancelled_person_leaves_the_page_but_the_others_still_invite_objections(client, office, round_, village_a):
    first, second = approved(round_, village_a, "甲某"), approved(round_, village_a, "乙某")
    notice = publish(office, round_, village_a, start_date=today())
    o = services.objection_record(actor=office, notice=notice, channel="letter", content="反映甲某。",
                                  entry=notice.entries.get(nomination=first))
    o = services.objection_verify(actor=office, objection_id=o.pk, version=o.version, verified_by="刘强",
                                  verification="属实。")
    o = services.objection_conclude(actor=office, objection_id=o.pk, version=o.version, upheld=True, reason="属实。")
    services.objection_committee_decide(actor=office, objection_id=o.pk, version=o.version, cancel=True,
                                        reason="党委会研究取消。")
    response = client.get(notice.get_public_url())
    html = page(response)
    assert "甲某" not in html and "乙某" in html  # the cancelled person is no longer named in public
    assert list(response.context["form"].fields["entry"].queryset) == [notice.entries.get(nomination=second)]
    response = client.post(notice.get_public_url(), {"content": "反映甲某。", "name": "", "phone": "",
                                                     "entry": notice.entries.get(nomination=first).pk})
    assert response.status_code == 200 and Objection.objects.count() == 1
    response = client.post(notice.get_public_url(), {"content": "反映乙某。", "name": "", "phone": "",
                                                     "entry": notice.entries.get(nomination=second).pk})
    assert response.status_code == 302 and Objection.objects.count() == 2


def test_the_committee_maintains_the_person(office, committee, referred, nom_a, notice_a):
    services.objection_committee_decide(actor=committee, objection_id=referred.pk, version=referred.version,
                                        cancel=False, reason="党委会研究，情节轻微已整改，维持。")
    referred.refresh_from_db()
    assert referred.status == Objection.Status.MAINTAINED and not referred.is_open
    assert status_of(nom_a) == Status.PUBLICISED
    assert Event.objects.filter(action="objection_concluded", object_id=nom_a.pk, data__cancelled=False).exists()
    assert notice_a.entries.get().withdrawn_on is None
    perform(actor=office, nomination_id=nom_a.pk, action="confirm_reserve", today=notice_a.end_date + days(1))
    assert status_of(nom_a) == Status.RESERVE


def test_cancelling_concludes_every_objection_about_the_person_awaiting_the_committee(office, referred, notice_a):
    o = services.objection_record(actor=office, notice=notice_a, channel="visit", content="来访反映同一问题。",
                                  entry=notice_a.entries.get())
    o = services.objection_verify(actor=office, objection_id=o.pk, version=o.version, verified_by="刘强",
                                  verification="属实。")
    o = services.objection_conclude(actor=office, objection_id=o.pk, version=o.version, upheld=True, reason="属实。")
    services.objection_committee_decide(actor=office, objection_id=referred.pk, version=referred.version,
                                        cancel=True, reason="取消。")
    assert set(Objection.objects.values_list("status", flat=True)) == {Objection.Status.UPHELD}
    assert Event.objects.filter(action="uphold_objection").count() == 1


def test_a_referred_objection_keeps_the_person_it_is_about(office, round_, village_a, referred, notice_a):
    other = approved(round_, village_a, "王芳")
    entry = NoticeEntry.objects.create(notice=notice_a, nomination=other, order=2, name="王芳", gender="女",
                                       birth_month="1995.06", education="高中", political_status="群众",
                                       work_unit_post="个体经营")
    with pytest.raises(ActionRefused):
        services.objection_assign(actor=office, objection_id=referred.pk, version=referred.version, entry=entry)
    referred.refresh_from_db()
    assert referred.entry.name == "李明"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_needs_the_committees_reason(office, referred, nom_a, reason):
    with pytest.raises(ValidationError):
        services.objection_committee_decide(actor=office, objection_id=referred.pk, version=referred.version,
                                            cancel=True, reason=reason)
    referred.refresh_from_db()
    assert referred.status == Objection.Status.REFERRED and status_of(nom_a) == Status.PUBLICISED


def test_the_committee_decides_only_on_referred_objections_and_does_nothing_else(committee, office, notice_a,
                                                                                referred):
    fresh = services.objection_record(actor=office, notice=notice_a, channel="phone", content="来电。",
                                      entry=notice_a.entries.get())
    with pytest.raises(ActionRefused):
        services.objection_committee_decide(actor=committee, objection_id=fresh.pk, version=fresh.version,
                                            cancel=True, reason="x")
    with pytest.raises(NotAllowed):
        services.objection_verify(actor=committee, objection_id=fresh.pk, version=fresh.version, verified_by="x",
                                  verification="y")
    with pytest.raises(NotAllowed):
        services.objection_assign(actor=committee, objection_id=fresh.pk, version=fresh.version,
                                  entry=notice_a.entries.get())
    fresh.refresh_from_db()
    assert fresh.status == Objection.Status.OPEN


@pytest.mark.parametrize("user_fixture, expected", [
    ("village_a_user", 403), ("dept_x_user", 403), ("mentor", 403), ("other_office", 404),
])
def test_others_cannot_record_the_committees_decision(request, client, referred, nom_a, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(reverse("publicity:objection_decide", args=[referred.pk]), {
        f"decide-{referred.pk}-version": str(referred.version), f"decide-{referred.pk}-cancel": "cancel",
        f"decide-{referred.pk}-reason": "取消。"})
    assert response.status_code == expected
    referred.refresh_from_db()
    assert referred.status == Objection.Status.REFERRED and status_of(nom_a) == Status.PUBLICISED


def test_another_towns_committee_gets_404(other_town, referred):
    from reserve.roles import Role
    from tests.factories import UserFactory

    stranger = UserFactory(username="committee2", town=other_town, role=Role.COMMITTEE)
    with pytest.raises(NotFound):
        services.objection_committee_decide(actor=stranger, objection_id=referred.pk, version=referred.version,
                                            cancel=True, reason="x")


def test_the_decide_endpoint_is_post_only_and_a_missing_choice_saves_nothing(client, committee, referred, nom_a):
    client.force_login(committee)
    url = reverse("publicity:objection_decide", args=[referred.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {f"decide-{referred.pk}-version": str(referred.version),
                                 f"decide-{referred.pk}-reason": "取消。"})
    assert response.status_code == 302 and any("请选择党委研究决定" in m for m in message_texts(response))
    referred.refresh_from_db()
    assert referred.status == Objection.Status.REFERRED and status_of(nom_a) == Status.PUBLICISED


def test_the_committee_maintains_through_the_page(client, committee, referred, nom_a, notice_a):
    client.force_login(committee)
    response = client.post(reverse("publicity:objection_decide", args=[referred.pk]), {
        f"decide-{referred.pk}-version": str(referred.version), f"decide-{referred.pk}-cancel": "maintain",
        f"decide-{referred.pk}-reason": "维持。", "back": "objection"})
    assert response["Location"] == notice_a.get_absolute_url()  # the committee has no objection page
    assert any("维持李明的人选资格" in m and "可确认入库" in m for m in message_texts(response))
    referred.refresh_from_db()
    assert referred.status == Objection.Status.MAINTAINED
    assert 'data-referred' not in page(client.get(notice_a.get_absolute_url()))


@pytest.mark.parametrize("user_fixture, shown", [("committee", True), ("office", True), ("village_a_user", False)])
def test_who_sees_the_matter_awaiting_the_committee(request, client, referred, notice_a, user_fixture, shown):
    client.force_login(request.getfixturevalue(user_fixture))
    html = page(client.get(notice_a.get_absolute_url()))
    assert (f'data-referred="{referred.pk}"' in html) == shown
    assert "举报人甲" not in html.split('id="referred"')[-1].split('id="people"')[0] or not shown


def test_irreversible_buttons_ask_with_the_consequence(client, office, referred, notice_a):
    client.force_login(office)
    html = page(client.get(notice_a.get_absolute_url()))
    confirm_form = html.split(reverse("publicity:notice_confirm", args=[notice_a.pk]))[1].split(">")[0]
    assert "data-confirm" in confirm_form and "不能撤销" in confirm_form
    decide_form = html.split(reverse("publicity:objection_decide", args=[referred.pk]))[1].split(">")[0]
    assert "data-confirm" in decide_form and "不再作为拟确定人选" in decide_form
    html = page(client.get(referred.get_absolute_url()))
    assert 'id="decide-form"' in html


def test_a_referred_objection_still_counts_as_open_on_the_list(client, office, referred, notice_a):
    client.force_login(office)
    html = page(client.get(reverse("publicity:notice_list")))
    row = html.split(f'data-notice="{notice_a.pk}"')[1].split("</tr>")[0]
    assert "badge text-bg-danger" in row  # one objection still to conclude


# =============================================================================== 9. natural days

@pytest.fixture
def calendar_round(town):
    return RoundFactory(town=town, publicity_days=7, publicity_day_kind=DayKind.CALENDAR)


def test_a_calendar_day_round_counts_the_notice_in_calendar_days(client, office, calendar_round, village_a):
    nomination = approved(calendar_round, village_a)
    saturday = today() + days((5 - today().weekday()) % 7 or 7)
    notice = publish(office, calendar_round, village_a, start_date=saturday)
    assert (notice.start_date, notice.end_date) == (saturday, saturday + days(6))  # not moved to Monday
    assert (notice.days, notice.day_kind, notice.days_label) == (7, DayKind.CALENDAR, "7天")
    assert "（7天）" in notice.body and "工作日" not in notice.body
    assert status_of(nomination) == Status.PUBLICISED
    html = page(client.get(notice.get_public_url()))
    assert "（7天）" in html and "工作日" not in html
    client.force_login(office)
    assert "（7天）" in page(client.get(reverse("publicity:notice_list") + f"?round={calendar_round.pk}"))
    perform(actor=office, nomination_id=nomination.pk, action="confirm_reserve", today=saturday + days(7))
    assert status_of(nomination) == Status.RESERVE


@pytest.mark.parametrize("kind, n, label", [(DayKind.CALENDAR, 7, "7天"), (DayKind.WORKING, 5, "5个工作日")])
def test_every_page_says_the_kind_of_day(client, office, town, village_a, kind, n, label):
    round_ = RoundFactory(town=town, publicity_days=n, publicity_day_kind=kind)
    approved(round_, village_a)
    client.force_login(office)
    form_page = page(client.get(reverse("publicity:notice_new") + f"?round={round_.pk}"))
    assert f"公示期（{label}）" in form_page
    start = today() + days(7)
    fragment = page(client.get(reverse("publicity:notice_period"), {"round": round_.pk, "start": start.isoformat()}))
    period = period_of(start, n, kind, town=town)
    assert f"（{label}）" in fragment and period.end.strftime("%Y年%-m月%-d日") in fragment
    round_page = page(client.get(reverse("round_detail", args=[round_.pk])))
    assert f"{n}{'天' if kind == DayKind.CALENDAR else '个工作日'}" in round_page
    if kind == DayKind.CALENDAR:
        assert f"{n}个工作日" not in round_page


def test_the_notice_model_keeps_the_kind(office, calendar_round, village_a):
    approved(calendar_round, village_a)
    notice = publish(office, calendar_round, village_a, start_date=today())
    assert NoticeEntry.objects.filter(notice=notice).count() == 1
    assert Notice.objects.get().day_kind == DayKind.CALENDAR
