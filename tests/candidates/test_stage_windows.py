"""The plan's stage windows (村级方案第三条: 资格审查 x月x日-x月x日, 组织考察 x月x日-x月x日) and the basic
conditions that hold to the end (§二): acting out of time needs the office's recorded reason; an ineligible
person goes no further, whatever step comes next."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Nomination, Status
from candidates.workflow import ELIGIBILITY_CHECKED, NOMINATION_WORKFLOW
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.models import AuditEntry, Event
from tests.factories import NominationFactory, RoundFactory
from tests.helpers import message_texts, page

TODAY = datetime.date(2026, 6, 15)
D = datetime.timedelta


def round_with(town, **dates):
    """A round whose windows all contain TODAY unless a date is given."""
    base = dict(nomination_start=TODAY - D(30), nomination_end=TODAY - D(20), review_start=TODAY - D(19),
                review_end=TODAY + D(5), inspection_start=TODAY - D(10), inspection_end=TODAY + D(10),
                publicity_start=TODAY + D(11), age_reference_date=TODAY, year=TODAY.year)
    return RoundFactory(town=town, **{**base, **dates})


# (action, the status it starts from, the round dates that put TODAY before / after its window)
WINDOWED = [
    ("accept", "submitted", None, {"review_end": TODAY - D(1)}),
    ("return", "submitted", None, {"review_end": TODAY - D(1)}),
    ("start_inspection", "vetted", {"inspection_start": TODAY + D(1)}, {"inspection_end": TODAY - D(1)}),
    ("propose", "inspection", {"inspection_start": TODAY + D(1)}, {"inspection_end": TODAY - D(1)}),
    ("fail_inspection", "inspection", {"inspection_start": TODAY + D(1)}, {"inspection_end": TODAY - D(1)}),
]


def _cases():
    for action, status, before, after in WINDOWED:
        if before:
            yield pytest.param(action, status, before, "尚未开始", id=f"{action}-before")
        yield pytest.param(action, status, after, "截止", id=f"{action}-after")


@pytest.fixture
def inspection_ready(monkeypatch):
    """The inspection stage's own guard (talks, appraisal, 考察材料) is not what these tests are about."""
    for action in ("propose",):
        guards = [g for g in NOMINATION_WORKFLOW.guards(action) if g.__module__.startswith("inspection")]
        for g in guards:
            monkeypatch.setitem(NOMINATION_WORKFLOW._guards, action,
                                [x for x in NOMINATION_WORKFLOW._guards[action] if x is not g])


@pytest.mark.parametrize(("action", "status", "dates", "words"), list(_cases()))
def test_out_of_window_needs_an_override_reason_which_the_event_keeps(town, office, inspection_ready,
                                                                        action, status, dates, words):
    nomination = NominationFactory(round=round_with(town, **dates), **{status: True})
    reason = "理由" if NOMINATION_WORKFLOW[action].needs_reason else ""
    with pytest.raises(ActionRefused) as refused:
        NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action=action, reason=reason, today=TODAY)
    assert words in refused.value.message and "请填写理由" in refused.value.message
    assert Nomination.objects.get(pk=nomination.pk).status == status

    NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action=action, reason=reason, today=TODAY,
                                override="镇党委会议推迟，经分管领导同意延后办理")
    assert Nomination.objects.get(pk=nomination.pk).status == NOMINATION_WORKFLOW[action].target
    event = Event.objects.filter(object_id=nomination.pk, action=action).get()
    assert event.data["override"]["reason"] == "镇党委会议推迟，经分管领导同意延后办理"
    assert words in event.data["override"]["window"]
    audit = AuditEntry.objects.filter(object_id=str(nomination.pk), detail__event=action).get()
    # The audit log says it was done late with a reason; the reason's text stays in the event (issue 10 §7).
    assert audit.detail["late"] is True and "镇党委会议推迟" not in str(audit.detail)


@pytest.mark.parametrize(("action", "status"), [(a, s) for a, s, _b, _a in WINDOWED])
def test_inside_the_window_no_override_is_asked_and_none_is_recorded(town, office, inspection_ready, action, status):
    nomination = NominationFactory(round=round_with(town), **{status: True})
    reason = "理由" if NOMINATION_WORKFLOW[action].needs_reason else ""
    NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action=action, reason=reason, today=TODAY)
    event = Event.objects.filter(object_id=nomination.pk, action=action).get()
    assert "override" not in event.data


def test_a_blank_override_is_no_override(town, office):
    nomination = NominationFactory(round=round_with(town, review_end=TODAY - D(1)), submitted=True)
    with pytest.raises(ActionRefused):
        NOMINATION_WORKFLOW.perform(actor=office, pk=nomination.pk, action="accept", today=TODAY, override="   ")


def test_the_page_says_the_stage_is_over_and_asks_the_reason_with_the_button(client, town, office):
    today = timezone.localdate()
    round_ = RoundFactory(town=town, nomination_start=today - D(30), nomination_end=today - D(20),
                          review_start=today - D(19), review_end=today - D(1), inspection_start=today,
                          inspection_end=today + D(10), publicity_start=today + D(11))
    nomination = NominationFactory(round=round_, submitted=True)
    client.force_login(office)
    html = page(client.get(nomination.get_absolute_url()))
    note = html[html.index('data-late="accept"'):]
    assert f"资格审查已于{cn_date(today - D(1))}截止" in note[:note.index("</div>")]
    form = html[html.index('id="reason-accept"'):]
    assert 'name="override"' in form[:form.index("</form>")]

    url = reverse("candidates:nomination_action", args=[nomination.pk, "accept"])
    response = client.post(url, {"override": ""})
    assert Nomination.objects.get(pk=nomination.pk).status == Status.SUBMITTED
    assert any("请填写理由" in m for m in message_texts(response))
    client.post(url, {"override": "材料晚交一天，经分管领导同意"})
    assert Nomination.objects.get(pk=nomination.pk).status == Status.ACCEPTED


# --------------------------------------------------------------------------- eligibility holds to the end

STATUS_BEFORE = {"start_inspection": "vetted", "propose": "inspection", "approve": "proposed",
                 "publish": "approved", "confirm_reserve": "publicised"}


def test_every_later_step_is_listed():
    assert set(ELIGIBILITY_CHECKED) == set(STATUS_BEFORE)


@pytest.mark.parametrize("action", ELIGIBILITY_CHECKED)
def test_a_person_no_longer_eligible_under_the_rounds_current_parameters_goes_no_further(town, office, action):
    round_ = round_with(town)
    nomination = NominationFactory(round=round_, **{STATUS_BEFORE[action]: True})
    # The round's age limit is lowered after acceptance; the stored result still says eligible.
    age = TODAY.year - nomination.person.birth_date.year
    round_.age_limit = age - 2
    round_.save()
    nomination = Nomination.objects.select_related("round", "village", "person").get(pk=nomination.pk)
    assert nomination.is_eligible  # what the lists last stored
    refusal = NOMINATION_WORKFLOW.refusal(nomination, action, office, TODAY)
    assert refusal and "不再符合基本条件" in refusal and "年龄" in refusal
    with pytest.raises(ActionRefused):
        NOMINATION_WORKFLOW.check(nomination, action, actor=office, today=TODAY)


@pytest.mark.parametrize("action", ELIGIBILITY_CHECKED)
def test_an_eligible_person_is_not_held_by_the_eligibility_guard(town, office, action):
    from candidates.workflow import guard_still_eligible

    nomination = NominationFactory(round=round_with(town), **{STATUS_BEFORE[action]: True})
    assert guard_still_eligible(nomination, office, TODAY) is None
