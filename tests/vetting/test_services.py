"""资格联审 through its services: the negative list as data, dispatch, department answers, the office's
decision on a flag, correction and reopening, stale forms, and who may do what (scope by object)."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import Status
from reserve.choices import Education
from reserve.exceptions import ActionRefused, NotFound
from reserve.models import Event
from vetting import services
from vetting.models import Finding, NegativeItem, VettingRequest
from vetting.negative_list import DEFAULT_ITEMS
from vetting.selectors import department_queue, flags_awaiting_decision, vetting_requests_visible_to

from ..factories import DepartmentFactory, NominationFactory, RoundFactory, VillageFactory, make_id, png_upload
from ..helpers import page
from . import joint_vetting_support as jv
from .joint_vetting_support import (
    CLEAR,
    CONFIRMED,
    FLAGGED,
    OVERRULED,
    accepted,
    actions_of,
    answer,
    answers_for,
    decide,
    dispatch,
    events_of,
    items_of,
    reload,
    request_of,
    status_of,
    today,
)

# Fixtures shared by the vetting test modules.
nom, vetting_nom, req_x, req_y = jv.nom, jv.vetting_nom, jv.req_x, jv.req_y
dept_other, dept_other_user = jv.dept_other, jv.dept_other_user
other_town_dept, other_town_dept_user = jv.other_town_dept, jv.other_town_dept_user

pytestmark = pytest.mark.django_db

POLICY = Path("/work/shared/policy/village-reserve-plan.zh.txt")

# Default mapping restricted to the two departments of the test town.
X_ITEMS = (1, 2, 4, 13)  # 纪委, by the default list
# In the tests' town (纪委 and 派出所 only) every item neither is named for is given to 纪委 (jv.nom).
X_CHECKED = (1, 2, 4, 5, 7, 8, 10, 11, 12, 13)
Y_ITEMS = (3, 6, 9)  # 派出所


def item(round_, number) -> NegativeItem:
    return NegativeItem.objects.get(round=round_, number=number)


def dept_names(round_, number) -> list[str]:
    return sorted(d.name for d in item(round_, number).departments.all())


def snapshot(req):
    r = reload(req)
    return (r.status, r.flagged, r.conclusion, r.version, r.decision, r.signed_by_id,
            sorted((f.item.number, f.outcome, f.note) for f in r.findings.select_related("item")))


# =============================================================================================
# the negative list
# =============================================================================================


def _plan_items() -> list[tuple[int, str]]:
    text = POLICY.read_text(encoding="utf-8")
    para = text[text.index("对有下列情形之一的"):]
    para = para[: para.index("\n")]
    return [(int(n), t) for n, t in re.findall(r"\((\d+)\)(.*?)。", para)]


def _normalise(s: str) -> str:
    return s.replace(",", "，").replace(";", "；")


def test_default_list_is_the_13_items_of_the_plan_with_placeholders_for_its_years():
    plan = _plan_items()
    assert [n for n, _t in plan] == list(range(1, 14))
    assert [n for n, _t, _d in DEFAULT_ITEMS] == list(range(1, 14))
    for (n, plan_text), (_m, text, departments) in zip(plan, DEFAULT_ITEMS, strict=True):
        as_in_plan = (text.replace("{since_year}", "20xx").replace("{probation_years}", "x")
                      .replace("{expulsion_years}", "x").replace("{family_planning_years}", "x"))
        assert _normalise(as_in_plan) == _normalise(plan_text), n
        assert departments, f"item {n} has no default department"


def test_ensure_negative_list_maps_by_department_name_within_the_town(round_, dept_x, dept_y, other_town_dept):
    services.ensure_negative_list(round_)
    assert NegativeItem.objects.filter(round=round_).count() == 13
    for number in range(1, 14):
        got = set(item(round_, number).departments.all())
        expected = {dept_x} if number in X_ITEMS else set()
        expected |= {dept_y} if number in Y_ITEMS else set()
        assert got == expected, number
    # The other town's 纪委 has the same name but is never mapped into this town's round.
    assert not other_town_dept.negative_items.exists()


def test_ensure_negative_list_runs_once_and_keeps_the_offices_edits(round_, office, dept_x, dept_y):
    services.ensure_negative_list(round_)
    services.negative_item_save(actor=office, item=item(round_, 7), text="自定义第七项", departments=[dept_y])
    services.ensure_negative_list(round_)
    assert NegativeItem.objects.filter(round=round_).count() == 13
    assert item(round_, 7).text == "自定义第七项"
    assert dept_names(round_, 7) == ["派出所"]


def test_display_text_fills_in_the_rounds_years(town, dept_x):
    round_ = RoundFactory(town=town, negative_since_year=2021, probation_recovery_years=4, expulsion_years=6,
                          family_planning_years=7)
    services.ensure_negative_list(round_)
    assert item(round_, 6).display_text.startswith("2021年以来曾被公安机关")
    assert "{" not in item(round_, 6).display_text
    four = item(round_, 4).display_text
    assert "恢复党员权利未满4年的" in four and "受开除党籍处分不满6年的" in four
    assert "处理完结未满7年的" in item(round_, 5).display_text
    assert item(round_, 8).display_text.startswith("2021年以来")
    assert item(round_, 11).display_text.startswith("2021年以来")


def test_office_edits_an_item_and_its_departments_for_one_round_only(town, office, dept_x, dept_y):
    first, second = RoundFactory(town=town), RoundFactory(town=town)
    services.ensure_negative_list(first)
    services.ensure_negative_list(second)
    saved = services.negative_item_save(actor=office, item=item(first, 6),
                                        text="{since_year}年以来曾被拘留的（修订）", departments=[dept_x])
    assert saved.text == "{since_year}年以来曾被拘留的（修订）"
    assert item(first, 6).display_text == f"{first.negative_since_year}年以来曾被拘留的（修订）"
    assert dept_names(first, 6) == ["纪委"]
    # The other round keeps the default.
    assert item(second, 6).text == DEFAULT_ITEMS[5][1]
    assert dept_names(second, 6) == ["派出所"]
    (event,) = Event.objects.filter(action="negative_item_update")
    assert event.object_id == first.pk and event.actor == office
    assert event.data["number"] == 6
    assert event.data["departments_before"] == ["派出所"] and event.data["departments_after"] == ["纪委"]
    assert event.data["before"] == DEFAULT_ITEMS[5][1]


@pytest.mark.parametrize("bad", [
    "{since_yeer}年以来曾被拘留的",  # unknown name
    "{since_year年以来曾被拘留的",  # unclosed
    "{}年以来曾被拘留的",  # positional
    "{0}年以来曾被拘留的",
    "{since_year}年以来，{probation}年内",  # one good, one unknown
])
def test_a_bad_placeholder_is_refused_and_nothing_changes(round_, office, dept_x, dept_y, bad):
    services.ensure_negative_list(round_)
    target = item(round_, 6)
    with pytest.raises(ValidationError) as exc:
        services.negative_item_save(actor=office, item=target, text=bad, departments=[dept_x])
    assert "占位符" in " ".join(exc.value.messages)
    assert item(round_, 6).text == DEFAULT_ITEMS[5][1]
    assert dept_names(round_, 6) == ["派出所"]
    assert not Event.objects.filter(action="negative_item_update").exists()


def test_text_without_placeholders_is_accepted_and_stray_braces_refused(round_, office, dept_x):
    services.ensure_negative_list(round_)
    services.negative_item_save(actor=office, item=item(round_, 12), text="身体状况差的", departments=[dept_x])
    assert item(round_, 12).text == "身体状况差的"
    assert dept_names(round_, 12) == ["纪委"]
    # Only the four named placeholders may stand in braces; no str.format escapes or attribute access.
    for text in ("其他{{情形}}", "{since_year.x}年以来", "{0}", "未满{probation_years年"):
        with pytest.raises(ValidationError):
            services.negative_item_save(actor=office, item=item(round_, 13), text=text, departments=[dept_x])
    services.negative_item_save(actor=office, item=item(round_, 13), text="{since_year}年以来的其他情形",
                                departments=[dept_x])
    assert item(round_, 13).display_text == f"{round_.negative_since_year}年以来的其他情形"


@pytest.mark.parametrize("user_fixture", ["committee", "dept_x_user", "village_a_user", "mentor", "other_office"])
def test_only_the_towns_office_edits_the_negative_list(request, round_, dept_x, user_fixture):
    user = request.getfixturevalue(user_fixture)
    services.ensure_negative_list(round_)
    # Another town's office: the item is not in its scope; every other role may never edit one.
    with pytest.raises(NotFound if user_fixture == "other_office" else PermissionDenied):
        services.negative_item_save(actor=user, item=item(round_, 1), text="改动", departments=[dept_x])
    assert item(round_, 1).text == DEFAULT_ITEMS[0][1]


def test_a_department_of_another_town_cannot_be_mapped(round_, office, dept_x, other_town_dept):
    services.ensure_negative_list(round_)
    with pytest.raises(NotFound):
        services.negative_item_save(actor=office, item=item(round_, 1), text=DEFAULT_ITEMS[0][1],
                                    departments=[dept_x, other_town_dept])
    assert dept_names(round_, 1) == ["纪委"]


# =============================================================================================
# dispatch
# =============================================================================================


def test_dispatch_sends_one_request_per_responsible_department_due_at_review_end(
        office, nom, dept_x, dept_y, dept_other, round_):
    dispatch(office, nom)
    assert status_of(nom) == Status.VETTING
    requests = list(VettingRequest.objects.filter(nomination=nom).order_by("department__name"))
    assert {r.department for r in requests} == {dept_x, dept_y}  # 档案室 is responsible for nothing
    for r in requests:
        assert r.deadline == round_.review_end
        assert (r.status, r.flagged, r.decision, r.version, r.signed_by) == ("pending", False, "", 1, None)
    (event,) = events_of(nom, "dispatch")
    assert (event.actor, event.from_status, event.to_status) == (office, Status.ACCEPTED, Status.VETTING)


def test_dispatch_follows_the_mapping_as_edited_by_the_office(office, nom, round_, dept_x, dept_y, dept_other):
    services.ensure_negative_list(round_)
    services.negative_item_save(actor=office, item=item(round_, 12), text=DEFAULT_ITEMS[11][1],
                                departments=[dept_other])
    for number in Y_ITEMS:  # 派出所 no longer checks anything
        i = item(round_, number)
        services.negative_item_save(actor=office, item=i, text=i.text, departments=[dept_x])
    dispatch(office, nom)
    assert set(VettingRequest.objects.filter(nomination=nom).values_list("department__name", flat=True)) == {
        "纪委", "档案室"}


def test_full_path_from_the_village_form_to_dispatch(village_a_user, office, round_, dept_x, dept_y):
    jv.every_negative_item_checked(round_, dept_x)
    nomination = candidate_services.nomination_create(
        actor=village_a_user, round_=round_,
        person_data={"id_number": make_id(datetime.date(1996, 2, 2), seq=77), "name": "钱联审", "gender": "M",
                     "birth_date": datetime.date(1996, 2, 2)},
        fields={"political_status": "masses", "hukou_village": village_a_user.village, "fulltime_education": Education.HIGH_SCHOOL,
                "work_unit_post": "务农", "phone": "13700000000", "statement": "愿为村民服务。"},
        id_card_copy=png_upload(),
    )
    candidate_services.perform(actor=village_a_user, nomination_id=nomination.pk, action="submit")
    candidate_services.perform(actor=office, nomination_id=nomination.pk, action="accept")
    dispatch(office, nomination)
    assert status_of(nomination) == Status.VETTING
    assert VettingRequest.objects.filter(nomination=nomination).count() == 2
    assert actions_of(nomination) == ["create", "submit", "accept", "dispatch"]


def test_dispatch_is_refused_when_no_department_is_responsible(other_town, other_office):
    # A town whose only department is one the default list does not name.
    DepartmentFactory(town=other_town, name="档案室")
    round_ = RoundFactory(town=other_town)
    nomination = accepted(round_, VillageFactory(town=other_town))
    with pytest.raises(ActionRefused) as exc:
        dispatch(other_office, nomination)
    assert "未指定任何审查部门" in exc.value.message
    assert status_of(nomination) == Status.ACCEPTED
    assert not VettingRequest.objects.exists()
    assert events_of(nomination) == []


def test_dispatch_is_refused_after_every_item_lost_its_departments(office, nom, round_, dept_x, dept_y):
    for i in NegativeItem.objects.filter(round=round_):
        i.departments.clear()  # not through the page, which refuses an item with no department
    with pytest.raises(ActionRefused) as exc:
        dispatch(office, nom)
    assert "未指定任何审查部门" in exc.value.message
    assert status_of(nom) == Status.ACCEPTED
    assert not VettingRequest.objects.exists()


def test_dispatch_twice_is_refused_and_creates_nothing_more(office, vetting_nom):
    with pytest.raises(ActionRefused):
        dispatch(office, vetting_nom)
    assert VettingRequest.objects.filter(nomination=vetting_nom).count() == 2
    assert len(events_of(vetting_nom, "dispatch")) == 1


def test_dispatch_batch_sends_every_accepted_nomination_of_the_round_in_scope(
        office, round_, village_a, village_b, dept_x, dept_y, other_town, other_office):
    jv.every_negative_item_checked(round_, dept_x)
    one, two = accepted(round_, village_a), accepted(round_, village_b)
    submitted = NominationFactory(round=round_, village=village_a, submitted=True)
    other_round = RoundFactory(town=other_town)
    DepartmentFactory(town=other_town, name="纪委")
    foreign = accepted(other_round, VillageFactory(town=other_town))
    done, refused = services.dispatch_batch(actor=office, round_=round_)
    assert (done, refused) == (2, [])
    assert status_of(one) == status_of(two) == Status.VETTING
    assert status_of(submitted) == Status.SUBMITTED
    assert status_of(foreign) == Status.ACCEPTED
    assert VettingRequest.objects.count() == 4
    # Another town's office passing this round dispatches nothing of it.
    assert services.dispatch_batch(actor=other_office, round_=round_) == (0, [])


def test_dispatch_batch_reports_the_refusals(other_town, other_office):
    DepartmentFactory(town=other_town, name="档案室")
    round_ = RoundFactory(town=other_town)
    village = VillageFactory(town=other_town)
    accepted(round_, village), accepted(round_, village)
    done, refused = services.dispatch_batch(actor=other_office, round_=round_)
    assert done == 0
    assert len(refused) == 2 and all("未指定任何审查部门" in m for m in refused)
    assert not VettingRequest.objects.exists()


@pytest.mark.parametrize("user_fixture", ["committee", "dept_x_user", "village_a_user", "mentor", "other_office"])
def test_only_the_towns_office_dispatches(request, nom, user_fixture):
    user = request.getfixturevalue(user_fixture)
    with pytest.raises((PermissionDenied, NotFound)):
        dispatch(user, nom)
    assert status_of(nom) == Status.ACCEPTED
    assert not VettingRequest.objects.exists()


# =============================================================================================
# who sees which requests; the department's queue
# =============================================================================================


def test_each_department_sees_only_its_own_requests(
        vetting_nom, req_x, req_y, dept_x_user, dept_y_user, office, other_office, committee, village_a_user,
        mentor, other_town_dept_user):
    assert list(vetting_requests_visible_to(dept_x_user)) == [req_x]
    assert list(vetting_requests_visible_to(dept_y_user)) == [req_y]
    assert set(vetting_requests_visible_to(office)) == {req_x, req_y}
    for user in (other_office, committee, village_a_user, mentor, other_town_dept_user):
        assert list(vetting_requests_visible_to(user)) == []


def test_department_queue_splits_pending_overdue_and_done(office, round_, village_a, village_b, dept_x, dept_y,
                                                          dept_x_user):
    jv.every_negative_item_checked(round_, dept_x)
    a, b, c, d = (accepted(round_, v) for v in (village_a, village_b, village_a, village_b))
    for n in (a, b, c, d):
        dispatch(office, n)
    day = today()
    future = request_of(a, dept_x)  # due at review_end, in the future
    late = request_of(b, dept_x)
    due_today = request_of(c, dept_x)
    answered_late = request_of(d, dept_x)
    VettingRequest.objects.filter(pk=late.pk).update(deadline=day - datetime.timedelta(days=1))
    VettingRequest.objects.filter(pk=due_today.pk).update(deadline=day)
    VettingRequest.objects.filter(pk=answered_late.pk).update(deadline=day - datetime.timedelta(days=3))
    answer(dept_x_user, answered_late)
    queue = department_queue(dept_x_user, today=day)
    assert [r.pk for r in queue["overdue"]] == [late.pk]
    # Pending is every request still to do, the overdue among them first.
    assert [r.pk for r in queue["pending"]] == [late.pk, due_today.pk, future.pk]
    assert [r.pk for r in queue["done"]] == [answered_late.pk]
    everything = [*queue["pending"], *queue["done"]]
    assert all(r.department_id == dept_x.pk for r in everything)
    # The day after the deadline the one due today is overdue too.
    later = department_queue(dept_x_user, today=day + datetime.timedelta(days=1))
    assert {r.pk for r in later["overdue"]} == {late.pk, due_today.pk}


# =============================================================================================
# answers
# =============================================================================================


def test_every_department_clear_makes_the_nomination_vetted(vetting_nom, req_x, req_y, dept_x_user, dept_y_user):
    answer(dept_x_user, req_x)
    assert status_of(vetting_nom) == Status.VETTING
    assert events_of(vetting_nom, "vet_clear") == []
    answer(dept_y_user, req_y)
    assert status_of(vetting_nom) == Status.VETTED
    (event,) = events_of(vetting_nom, "vet_clear")
    assert (event.from_status, event.to_status, event.actor) == (Status.VETTING, Status.VETTED, dept_y_user)
    assert len(events_of(vetting_nom, "vetting_answer")) == 2
    x = reload(req_x)
    # The vetting ended: every answer is locked (a step of the request's own workflow: a new version).
    assert (x.status, x.flagged, x.signed_by, x.version) == ("locked", False, dept_x_user, 3)
    assert x.signed_at is not None
    assert "未发现" in x.conclusion
    assert sorted((f.item.number, f.outcome) for f in x.findings.all()) == [(n, CLEAR) for n in X_CHECKED]


def test_a_flag_keeps_the_nomination_in_vetting_and_awaits_the_office(
        vetting_nom, req_x, req_y, dept_x_user, dept_y_user, office, other_office):
    answer(dept_x_user, req_x, flag=(4,), note="受留党察看处分")
    answer(dept_y_user, req_y)
    assert status_of(vetting_nom) == Status.VETTING
    assert events_of(vetting_nom, "vet_clear") == []
    x = reload(req_x)
    assert x.flagged and "第4项" in x.conclusion
    assert x.findings.get(item__number=4).outcome == FLAGGED
    assert x.findings.get(item__number=4).note == "受留党察看处分（第4项）"
    assert list(flags_awaiting_decision(office)) == [x]
    assert list(flags_awaiting_decision(other_office)) == []
    (event,) = [e for e in events_of(vetting_nom, "vetting_answer") if e.actor == dept_x_user]
    assert event.data == {"department": "纪委", "flagged": [4]}


def test_the_departments_own_conclusion_is_kept(vetting_nom, req_x, dept_x_user):
    answer(dept_x_user, req_x, conclusion="  经查询纪检档案，无相关记录。 ")
    assert reload(req_x).conclusion == "经查询纪检档案，无相关记录。"


@pytest.mark.parametrize("note", ["", "   "])
def test_flagged_without_a_note_is_refused_and_nothing_is_saved(vetting_nom, req_x, dept_x_user, note):
    before = snapshot(req_x)
    answers = answers_for(req_x)
    first = items_of(req_x)[0]
    answers[first.pk] = (FLAGGED, note, None)
    with pytest.raises(ValidationError):
        services.answer_request(actor=dept_x_user, request_id=req_x.pk, version=1, answers=answers)
    assert snapshot(req_x) == before
    assert not Finding.objects.exists()
    assert events_of(vetting_nom, "vetting_answer") == []


def test_an_answer_must_cover_exactly_the_departments_items(vetting_nom, req_x, req_y, dept_x_user):
    before = snapshot(req_x)
    missing = answers_for(req_x)
    missing.pop(items_of(req_x)[-1].pk)
    with pytest.raises(ValidationError):
        services.answer_request(actor=dept_x_user, request_id=req_x.pk, version=1, answers=missing)
    extra = answers_for(req_x)
    extra[items_of(req_y)[0].pk] = (CLEAR, "", None)  # an item 派出所 checks
    with pytest.raises(ValidationError):
        services.answer_request(actor=dept_x_user, request_id=req_x.pk, version=1, answers=extra)
    bad = answers_for(req_x)
    bad[items_of(req_x)[0].pk] = ("maybe", "", None)
    with pytest.raises(ValidationError):
        services.answer_request(actor=dept_x_user, request_id=req_x.pk, version=1, answers=bad)
    assert snapshot(req_x) == before
    assert not Finding.objects.exists()


def test_a_department_corrects_its_flag_before_the_office_acts(vetting_nom, req_x, req_y, dept_x_user,
                                                              dept_y_user, office):
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1, 13))
    assert status_of(vetting_nom) == Status.VETTING
    answer(dept_x_user, req_x)  # the correction: all clear
    x = reload(req_x)
    # Two answers, then the vetting ended and locked it: three steps, three versions on from 1.
    assert (x.flagged, x.version, x.status) == (False, 4, "locked")
    assert sorted((f.item.number, f.outcome, f.note) for f in x.findings.all()) == [
        (n, CLEAR, "") for n in X_CHECKED]  # updated in place, not duplicated
    assert status_of(vetting_nom) == Status.VETTED
    assert len(events_of(vetting_nom, "vet_clear")) == 1
    assert list(flags_awaiting_decision(office)) == []


def test_a_clear_answer_can_be_corrected_into_a_flag_while_others_are_pending(vetting_nom, req_x, dept_x_user,
                                                                             office):
    answer(dept_x_user, req_x)
    answer(dept_x_user, req_x, flag=(2,))
    assert reload(req_x).flagged
    assert list(flags_awaiting_decision(office)) == [reload(req_x)]


def test_a_stale_version_is_refused(vetting_nom, req_x, dept_x_user):
    answer(dept_x_user, req_x, flag=(1,), version=1)
    before = snapshot(req_x)
    with pytest.raises(ActionRefused) as exc:
        answer(dept_x_user, req_x, version=1)  # drawn before the first answer
    assert "已被他人更新" in exc.value.message
    assert snapshot(req_x) == before
    assert len(events_of(vetting_nom, "vetting_answer")) == 1


# =============================================================================================
# the office's decision on a flag
# =============================================================================================


def test_confirming_a_flag_disqualifies_with_the_reason(vetting_nom, req_x, req_y, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(4,))
    decide(office, req_x, CONFIRMED, reason="经核实，受留党察看处分未满期限")
    assert status_of(vetting_nom) == Status.DISQUALIFIED
    (event,) = events_of(vetting_nom, "disqualify")
    assert (event.actor, event.from_status, event.to_status) == (office, Status.VETTING, Status.DISQUALIFIED)
    assert event.reason == "经核实，受留党察看处分未满期限"
    assert event.data == {"department": "纪委"}
    x = reload(req_x)
    assert (x.decision, x.decided_by, x.decision_reason) == (CONFIRMED, office, "经核实，受留党察看处分未满期限")
    assert x.decided_at is not None
    assert list(flags_awaiting_decision(office)) == []
    # The other department still pending does not change the outcome.
    assert reload(req_y).status == "pending"


@pytest.mark.parametrize("reason", ["", "   ", None])
@pytest.mark.parametrize("decision", [OVERRULED, CONFIRMED])
def test_a_decision_needs_a_reason(vetting_nom, req_x, dept_x_user, office, decision, reason):
    answer(dept_x_user, req_x, flag=(1,))
    before = snapshot(req_x)
    with pytest.raises(ActionRefused):
        decide(office, req_x, decision, reason=reason)
    assert snapshot(req_x) == before
    assert status_of(vetting_nom) == Status.VETTING


def test_an_unknown_decision_is_refused(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    with pytest.raises(ActionRefused):
        decide(office, req_x, "maybe")
    assert reload(req_x).decision == ""


def test_overruling_the_last_flag_makes_the_nomination_vetted(vetting_nom, req_x, req_y, dept_x_user,
                                                              dept_y_user, office):
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(13,))
    decide(office, req_x, OVERRULED, reason="系同名同姓，非本人")
    assert status_of(vetting_nom) == Status.VETTED
    (overrule,) = events_of(vetting_nom, "vetting_overrule")
    assert overrule.reason == "系同名同姓，非本人" and overrule.actor == office
    (clear,) = events_of(vetting_nom, "vet_clear")
    assert clear.id > overrule.id
    assert reload(req_x).cleared


def test_overruling_while_another_department_is_pending_waits_for_it(vetting_nom, req_x, req_y, dept_x_user,
                                                                     dept_y_user, office):
    answer(dept_x_user, req_x, flag=(13,))
    decide(office, req_x, OVERRULED, reason="情况已消除")
    assert status_of(vetting_nom) == Status.VETTING
    assert events_of(vetting_nom, "vet_clear") == []
    answer(dept_y_user, req_y)
    assert status_of(vetting_nom) == Status.VETTED
    assert len(events_of(vetting_nom, "vet_clear")) == 1


def test_overruling_one_flag_while_another_department_flags_keeps_vetting(vetting_nom, req_x, req_y, dept_x_user,
                                                                          dept_y_user, office):
    answer(dept_x_user, req_x, flag=(13,))
    answer(dept_y_user, req_y, flag=(3,))
    decide(office, req_x, OVERRULED, reason="情况已消除")
    assert status_of(vetting_nom) == Status.VETTING
    assert list(flags_awaiting_decision(office)) == [reload(req_y)]


def test_nothing_to_decide_on_a_clear_or_pending_answer(vetting_nom, req_x, req_y, dept_x_user, office):
    answer(dept_x_user, req_x)
    with pytest.raises(ActionRefused):
        decide(office, req_x, CONFIRMED)
    with pytest.raises(ActionRefused):
        decide(office, req_y, CONFIRMED)
    assert status_of(vetting_nom) == Status.VETTING
    assert reload(req_x).decision == reload(req_y).decision == ""


def test_a_flag_is_decided_once(vetting_nom, req_x, req_y, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, OVERRULED, reason="不予采纳")
    with pytest.raises(ActionRefused):
        decide(office, req_x, CONFIRMED)  # current version: refused because already decided
    assert reload(req_x).decision == OVERRULED
    assert status_of(vetting_nom) == Status.VETTING


def test_a_decision_from_a_stale_page_is_refused(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    seen = reload(req_x).version
    answer(dept_x_user, req_x, flag=(1, 2))  # the department changes its answer meanwhile
    with pytest.raises(ActionRefused):
        decide(office, req_x, CONFIRMED, version=seen)
    assert status_of(vetting_nom) == Status.VETTING
    assert reload(req_x).decision == ""


# =============================================================================================
# correction after the office acted: only through reopen_request
# =============================================================================================


def test_after_a_decision_the_department_cannot_answer_again(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, OVERRULED, reason="不予采纳")
    before = snapshot(req_x)
    with pytest.raises(ActionRefused):
        answer(dept_x_user, req_x)
    assert snapshot(req_x) == before


def test_after_the_nomination_left_vetting_the_department_cannot_answer_again(vetting_nom, req_x, req_y,
                                                                             dept_x_user, dept_y_user):
    answer(dept_x_user, req_x)
    answer(dept_y_user, req_y)
    assert status_of(vetting_nom) == Status.VETTED
    before = snapshot(req_x)
    with pytest.raises(ActionRefused):
        answer(dept_x_user, req_x, flag=(1,))
    assert snapshot(req_x) == before
    assert status_of(vetting_nom) == Status.VETTED


def test_after_disqualification_the_other_department_cannot_answer(vetting_nom, req_x, req_y, dept_x_user,
                                                                   dept_y_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED)
    with pytest.raises(ActionRefused):
        answer(dept_y_user, req_y)
    assert reload(req_y).status == "pending"


def test_reopen_needs_a_reason(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED)
    for reason in ("", "  ", None):
        with pytest.raises(ActionRefused):
            services.reopen_request(actor=office, request_id=req_x.pk, reason=reason)
    assert status_of(vetting_nom) == Status.DISQUALIFIED
    assert reload(req_x).decision == CONFIRMED


def test_reopen_after_disqualification_lets_the_department_answer_again(vetting_nom, req_x, req_y, dept_x_user,
                                                                       dept_y_user, office):
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED)
    services.reopen_request(actor=office, request_id=req_x.pk, reason="纪委来函更正")
    assert status_of(vetting_nom) == Status.VETTING
    (event,) = events_of(vetting_nom, "reopen_vetting")
    assert (event.from_status, event.to_status, event.reason) == (Status.DISQUALIFIED, Status.VETTING,
                                                                  "纪委来函更正")
    x = reload(req_x)
    assert (x.status, x.decision, x.decided_by, x.decision_reason) == ("pending", "", None, "")
    answer(dept_x_user, req_x)
    assert status_of(vetting_nom) == Status.VETTED
    assert actions_of(vetting_nom)[-2:] == ["vetting_answer", "vet_clear"]


def test_reopen_after_vetted_moves_the_nomination_back_to_vetting(vetting_nom, req_x, req_y, dept_x_user,
                                                                  dept_y_user, office):
    answer(dept_x_user, req_x)
    answer(dept_y_user, req_y)
    services.reopen_request(actor=office, request_id=req_y.pk, reason="派出所补充核查")
    assert status_of(vetting_nom) == Status.VETTING
    (event,) = events_of(vetting_nom, "reopen_vetting")
    assert (event.from_status, event.to_status, event.reason) == (Status.VETTED, Status.VETTING, "派出所补充核查")
    assert event.data == {"department": "派出所"}
    assert reload(req_y).status == "pending"
    answer(dept_y_user, req_y, flag=(9,))
    assert status_of(vetting_nom) == Status.VETTING
    assert list(flags_awaiting_decision(office)) == [reload(req_y)]


def test_reopening_one_department_does_not_unlock_the_others_answer(vetting_nom, req_x, req_y, dept_x_user,
                                                                    dept_y_user, office):
    """纪委's answer became final when the nomination left vetting; the office reopened only 派出所, so only
    派出所 may answer again — 纪委 needs its own reopen_request."""
    answer(dept_x_user, req_x)
    answer(dept_y_user, req_y)
    assert status_of(vetting_nom) == Status.VETTED
    services.reopen_request(actor=office, request_id=req_y.pk, reason="派出所补充核查")
    before = snapshot(req_x)
    with pytest.raises(ActionRefused):
        answer(dept_x_user, req_x, flag=(1,))
    assert snapshot(req_x) == before


def test_reopening_the_confirmed_flag_does_not_unlock_the_other_departments_answer(
        vetting_nom, req_x, req_y, dept_x_user, dept_y_user, office):
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED)
    assert status_of(vetting_nom) == Status.DISQUALIFIED
    services.reopen_request(actor=office, request_id=req_x.pk, reason="纪委来函更正")
    before = snapshot(req_y)
    with pytest.raises(ActionRefused):
        answer(dept_y_user, req_y, flag=(3,))
    assert snapshot(req_y) == before


def test_reopening_another_department_after_disqualification_leaves_no_orphaned_confirmation(
        vetting_nom, req_x, req_y, dept_x_user, dept_y_user, office):
    """纪委's flag is confirmed (disqualified). If the office may reopen 派出所's clear answer at all, the
    confirmed flag still stands, so once 派出所 answered the nomination must be disqualified again — not
    left in vetting with no flag awaiting a decision and nothing pending (stuck)."""
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED, reason="属实")
    try:
        services.reopen_request(actor=office, request_id=req_y.pk, reason="派出所补充核查")
    except ActionRefused:
        assert status_of(vetting_nom) == Status.DISQUALIFIED
        return
    answer(dept_y_user, req_y)
    assert reload(req_x).decision == CONFIRMED
    assert status_of(vetting_nom) == Status.DISQUALIFIED


def test_reopen_while_vetting_records_it_without_moving(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, OVERRULED, reason="不予采纳")
    services.reopen_request(actor=office, request_id=req_x.pk, reason="请重新核查")
    assert status_of(vetting_nom) == Status.VETTING
    (event,) = events_of(vetting_nom, "vetting_reopen")
    assert event.reason == "请重新核查"
    assert events_of(vetting_nom, "reopen_vetting") == []
    answer(dept_x_user, req_x, flag=(2,))
    assert reload(req_x).flagged and reload(req_x).decision == ""


def test_reopen_is_refused_for_a_pending_request_or_after_inspection(vetting_nom, req_x, req_y, dept_x_user,
                                                                    dept_y_user, office):
    with pytest.raises(ActionRefused):
        services.reopen_request(actor=office, request_id=req_x.pk, reason="无")
    answer(dept_x_user, req_x)
    answer(dept_y_user, req_y)
    candidate_services.perform(actor=office, nomination_id=vetting_nom.pk, action="start_inspection")
    with pytest.raises(ActionRefused):
        services.reopen_request(actor=office, request_id=req_x.pk, reason="补充核查")
    assert status_of(vetting_nom) == Status.INSPECTION
    assert reload(req_x).status == "locked"


def test_a_stale_version_after_reopen_is_refused(vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    seen = reload(req_x).version
    decide(office, req_x, CONFIRMED)
    services.reopen_request(actor=office, request_id=req_x.pk, reason="重新核查")
    with pytest.raises(ActionRefused):
        answer(dept_x_user, req_x, version=seen)
    answer(dept_x_user, req_x)  # with the current version it goes through
    assert reload(req_x).flagged is False


# =============================================================================================
# the permission matrix
# =============================================================================================


def test_a_department_answering_another_departments_request_is_404(vetting_nom, req_y, dept_x_user):
    before = snapshot(req_y)
    with pytest.raises(NotFound):
        services.answer_request(actor=dept_x_user, request_id=req_y.pk, version=1, answers=answers_for(req_y))
    assert snapshot(req_y) == before


def test_a_department_of_another_town_with_the_same_name_is_404(vetting_nom, req_x, other_town_dept_user):
    before = snapshot(req_x)
    with pytest.raises(NotFound):
        services.answer_request(actor=other_town_dept_user, request_id=req_x.pk, version=1,
                                answers=answers_for(req_x))
    assert snapshot(req_x) == before


def test_the_office_cannot_answer_for_a_department(vetting_nom, req_x, office):
    before = snapshot(req_x)
    with pytest.raises(PermissionDenied):
        services.answer_request(actor=office, request_id=req_x.pk, version=1, answers=answers_for(req_x))
    assert snapshot(req_x) == before


@pytest.mark.parametrize("user_fixture", ["village_a_user", "village_b_user", "committee", "mentor",
                                          "other_office"])
def test_other_roles_cannot_answer(request, vetting_nom, req_x, user_fixture):
    user = request.getfixturevalue(user_fixture)
    before = snapshot(req_x)
    with pytest.raises((PermissionDenied, NotFound)):
        services.answer_request(actor=user, request_id=req_x.pk, version=1, answers=answers_for(req_x))
    assert snapshot(req_x) == before


@pytest.mark.parametrize("user_fixture", ["village_a_user", "committee", "mentor", "dept_x_user", "dept_y_user"])
def test_only_the_office_decides_a_flag(request, vetting_nom, req_x, dept_x_user, user_fixture):
    answer(dept_x_user, req_x, flag=(1,))
    user = request.getfixturevalue(user_fixture)
    before = snapshot(req_x)
    with pytest.raises((PermissionDenied, NotFound)):
        decide(user, req_x, CONFIRMED)
    with pytest.raises((PermissionDenied, NotFound)):
        services.reopen_request(actor=user, request_id=req_x.pk, reason="理由")
    assert snapshot(req_x) == before
    assert status_of(vetting_nom) == Status.VETTING


def test_another_towns_office_gets_404(vetting_nom, req_x, dept_x_user, other_office):
    answer(dept_x_user, req_x, flag=(1,))
    before = snapshot(req_x)
    with pytest.raises(NotFound):
        decide(other_office, req_x, CONFIRMED)
    with pytest.raises(NotFound):
        services.reopen_request(actor=other_office, request_id=req_x.pk, reason="理由")
    assert snapshot(req_x) == before
    assert status_of(vetting_nom) == Status.VETTING


def test_a_request_that_does_not_exist_is_404(vetting_nom, dept_x_user, office):
    missing = VettingRequest.objects.order_by("-pk").first().pk + 100
    with pytest.raises(NotFound):
        services.answer_request(actor=dept_x_user, request_id=missing, version=1, answers={})
    with pytest.raises(NotFound):
        services.decide_flag(actor=office, request_id=missing, version=1, decision=CONFIRMED, reason="x")


def test_nomination_statuses_reached_only_through_the_workflow(vetting_nom, req_x, req_y, dept_x_user,
                                                               dept_y_user, office):
    """vet_clear, disqualify and reopen_vetting are not buttons: perform refuses them."""
    for action in ("vet_clear", "disqualify", "reopen_vetting"):
        with pytest.raises(ActionRefused):
            candidate_services.perform(actor=office, nomination_id=vetting_nom.pk, action=action, reason="x")
    assert status_of(vetting_nom) == Status.VETTING


def test_a_request_no_longer_needed_leaves_the_departments_to_do_and_comes_back_on_reopen(
        client, vetting_nom, req_x, req_y, dept_x_user, dept_y_user, office):
    """Found by the new-user tryout: once the office confirmed another department's finding, this department's
    unanswered request stayed 待审查 for ever, its page offering no form and no word why."""
    answer(dept_x_user, req_x, flag=(1,))
    decide(office, req_x, CONFIRMED)
    queue = department_queue(dept_y_user, today=jv.today())
    assert (list(queue["pending"]), [r.pk for r in queue["ended"]]) == ([], [req_y.pk])
    client.force_login(dept_y_user)
    assert "无需答复" in page(client.get(reverse("vetting:queue")))
    assert "无需再答复" in page(client.get(reverse("vetting:request_detail", args=[req_y.pk])))
    services.reopen_request(actor=office, request_id=req_x.pk, reason="纪委来函更正")
    queue = department_queue(dept_y_user, today=jv.today())
    assert ([r.pk for r in queue["pending"]], list(queue["ended"])) == ([req_y.pk], [])
