"""Warnings and removal (动态调整, issue 12 point 4): the effect of a confirmed assessment round (talks, warnings,
removal proposals), the adjustment's workflow (office proposes, committee approves or rejects, office withdraws),
the office's own proposal, the pages and their permissions, and the two-year path to removal."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import adjustments
from assessment.adjustments import ADJUSTMENT_WORKFLOW, AdjustmentEvent, on_round_confirmed
from assessment.models import Adjustment, AssessmentRound, Grade
from candidates.quota import quotas_for
from cultivation.models import DueTalk, TalkKind
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from training.models import Reserve

from ..factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    PoolTermFactory,
    ReserveFactory,
    RoundFactory,
    UserFactory,
)
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

S = Adjustment.Status
C = Adjustment.Cause
D = datetime.timedelta


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=today().replace(day=1) - D(days=1200))


@pytest.fixture
def reserve(town, term, village_a):
    return ReserveFactory(town=town, term=term, village=village_a, start_date=today() - D(days=900),
                          term_start=today() - D(days=900), term_end=today() + D(days=300))


def confirmed_round(town, term, year, kind=AssessmentRound.Kind.ANNUAL):
    return AssessmentRoundFactory(town=town, term=term, year=year, kind=kind,
                                  status=AssessmentRound.Status.CONFIRMED, confirmed_on=today())


def assess(round_, reserve, *, grade=Grade.COMPETENT, lagging=False, veto="", rank=1, of=5):
    return AssessmentFactory(round=round_, reserve=reserve, status="confirmed", grade=grade, lagging=lagging,
                             veto_reason=veto, rank=None if veto else rank, ranked_of=None if veto else of,
                             total="70.00")


def reserve_events(reserve, action):
    ct = ContentType.objects.get_for_model(Reserve)
    return list(Event.objects.filter(content_type=ct, object_id=reserve.pk, action=action))


# --------------------------------------------------------------------------- the effect of a confirmed round


@pytest.mark.parametrize("kind, grade, lagging, veto, lagged_last_year, cause", [
    # annual: lagging twice → removal proposed; once → only warned
    ("annual", Grade.BASIC, True, "", True, C.LAGGING_TWICE),
    ("annual", Grade.BASIC, True, "", False, None),
    ("annual", Grade.COMPETENT, True, "", True, C.LAGGING_TWICE),  # bottom share twice
    ("annual", Grade.COMPETENT, False, "", True, None),  # recovered
    ("annual", Grade.INCOMPETENT, True, "违纪违法", False, C.VETO),
    # end of term: 不称职 fails it; a veto is a veto
    ("final", Grade.INCOMPETENT, True, "", False, C.FAILED_FINAL),
    ("final", Grade.BASIC, True, "", True, None),
    ("final", Grade.INCOMPETENT, True, "重大责任事故", False, C.VETO),
])
def test_what_a_confirmed_round_flags(town, term, reserve, office, kind, grade, lagging, veto, lagged_last_year,
                                      cause):
    year = today().year - 1
    if lagged_last_year:
        assess(confirmed_round(town, term, year - 1), reserve, grade=Grade.BASIC, lagging=True)
    round_ = confirmed_round(town, term, year, kind)
    assess(round_, reserve, grade=grade, lagging=lagging, veto=veto)
    on_round_confirmed(round_, office, today())
    found = list(Adjustment.objects.filter(reserve=reserve))
    if cause is None:
        assert found == []
        assert reserve_events(reserve, AdjustmentEvent.FLAGGED) == []
    else:
        assert [(a.cause, a.status, a.flagged_on) for a in found] == [(cause, S.FLAGGED, today())]
        assert len(reserve_events(reserve, AdjustmentEvent.FLAGGED)) == 1


def test_every_assessed_reserve_gets_a_due_talk_and_the_lagging_a_warning(town, term, office, village_a):
    round_ = confirmed_round(town, term, today().year - 1)
    good = assess(round_, ReserveFactory(town=town, term=term, village=village_a), grade=Grade.EXCELLENT, rank=1)
    basic = assess(round_, ReserveFactory(town=town, term=term, village=village_a), grade=Grade.BASIC, lagging=True,
                   rank=4)
    bottom = assess(round_, ReserveFactory(town=town, term=term, village=village_a), grade=Grade.COMPETENT,
                    lagging=True, rank=5)
    on_round_confirmed(round_, office, today())
    y = round_.year
    reasons = {d.reserve_id: d.reason for d in DueTalk.objects.filter(kind=TalkKind.ASSESSMENT)}
    assert reasons[good.reserve_id] == f"{y}年度考核优秀，第1名/共5名"
    assert reasons[basic.reserve_id] == f"{y}年度考核基本称职，提醒谈话"
    assert reasons[bottom.reserve_id] == f"{y}年度考核排名靠后（第5名/共5名），提醒谈话"
    assert reserve_events(good.reserve, AdjustmentEvent.WARNED) == []
    warned = reserve_events(basic.reserve, AdjustmentEvent.WARNED)
    assert [e.data["text"] for e in warned] == [f"{y}年度考核基本称职，提醒谈话"]
    assert len(reserve_events(bottom.reserve, AdjustmentEvent.WARNED)) == 1
    assert not Adjustment.objects.exists()  # lagging once: warned, not proposed


def test_drafts_and_reserves_out_of_the_pool_are_left_alone(town, term, office, village_a):
    round_ = confirmed_round(town, term, today().year - 1)
    draft = AssessmentFactory(round=round_, reserve=ReserveFactory(town=town, term=term, village=village_a),
                              status="submitted", veto_reason="违纪违法")
    used = assess(round_, ReserveFactory(town=town, term=term, village=village_a, status=Reserve.Status.USED),
                  grade=Grade.INCOMPETENT, lagging=True, veto="违纪违法")
    on_round_confirmed(round_, office, today())
    assert not Adjustment.objects.exists()
    assert not DueTalk.objects.filter(reserve=draft.reserve).exists()
    assert DueTalk.objects.filter(reserve=used.reserve).count() == 1  # a used reserve is still talked to


def test_no_second_open_adjustment_and_no_integrity_error(town, term, office, reserve):
    raised = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合条件")
    round_ = confirmed_round(town, term, today().year - 1)
    assess(round_, reserve, grade=Grade.INCOMPETENT, lagging=True, veto="违纪违法")
    on_round_confirmed(round_, office, today())
    on_round_confirmed(round_, office, today())  # run again: nothing more
    assert list(Adjustment.objects.filter(reserve=reserve)) == [raised]
    with pytest.raises(ActionRefused, match="已有待办的调整出库事项"):
        adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="再提一次")


def test_a_decided_adjustment_does_not_block_a_new_one(town, term, office, committee, reserve):
    first = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合条件")
    adjustments.adjustment_perform(actor=committee, adjustment_id=first.pk, action="reject_adjustment",
                                   reason="继续培养观察", version=first.version)
    round_ = confirmed_round(town, term, today().year - 1)
    assess(round_, reserve, grade=Grade.INCOMPETENT, lagging=True, veto="违纪违法")
    on_round_confirmed(round_, office, today())
    assert sorted(Adjustment.objects.filter(reserve=reserve).values_list("status", flat=True)) == [
        S.FLAGGED, S.REJECTED]


def test_the_effect_runs_after_the_ranking():
    from assessment.workflow import ROUND_WORKFLOW

    effects = ROUND_WORKFLOW.effects("confirm_round")
    assert on_round_confirmed in effects and effects.index(on_round_confirmed) > 0


# --------------------------------------------------------------------------- the workflow


def flagged(town, term, reserve, office, cause_veto=True):
    round_ = confirmed_round(town, term, today().year - 1)
    assess(round_, reserve, grade=Grade.INCOMPETENT, lagging=True, veto="违纪违法")
    on_round_confirmed(round_, office, today())
    return Adjustment.objects.get(reserve=reserve)


@pytest.mark.parametrize("who, action, status, allowed", [
    ("office", "propose_adjustment", S.FLAGGED, True),
    ("committee", "propose_adjustment", S.FLAGGED, False),
    ("committee", "approve_adjustment", S.PROPOSED, True),
    ("office", "approve_adjustment", S.PROPOSED, False),
    ("committee", "reject_adjustment", S.PROPOSED, True),
    ("office", "reject_adjustment", S.PROPOSED, False),
    ("office", "withdraw_adjustment", S.FLAGGED, True),
    ("office", "withdraw_adjustment", S.PROPOSED, True),
    ("committee", "withdraw_adjustment", S.PROPOSED, False),
])
def test_who_takes_which_step(town, term, reserve, office, committee, who, action, status, allowed):
    actor = {"office": office, "committee": committee}[who]
    adjustment = Adjustment.objects.create(reserve=reserve, cause=C.OTHER, status=status, flagged_on=today(),
                                           reason="原因")
    if allowed:
        done = adjustments.adjustment_perform(actor=actor, adjustment_id=adjustment.pk, action=action,
                                              reason="意见", version=0)
        assert done.status == ADJUSTMENT_WORKFLOW[action].target
    else:
        with pytest.raises(NotAllowed):
            adjustments.adjustment_perform(actor=actor, adjustment_id=adjustment.pk, action=action, reason="意见",
                                           version=0)
        adjustment.refresh_from_db()
        assert (adjustment.status, adjustment.version) == (status, 0)


@pytest.mark.parametrize("role", [Role.VILLAGE, Role.UNIT, Role.MENTOR, Role.DEPARTMENT])
def test_other_roles_never_reach_an_adjustment(town, reserve, role):
    user = UserFactory(town=town, role=role)
    adjustment = Adjustment.objects.create(reserve=reserve, cause=C.OTHER, status=S.PROPOSED, flagged_on=today(),
                                           reason="原因")
    with pytest.raises((NotFound, NotAllowed)):
        adjustments.adjustment_perform(actor=user, adjustment_id=adjustment.pk, action="approve_adjustment",
                                       version=0)
    with pytest.raises((NotFound, NotAllowed)):
        adjustments.adjustment_raise(actor=user, reserve_id=reserve.pk, reason="x")


def test_reasons_are_required_where_the_step_needs_one(town, term, reserve, office, committee):
    adjustment = flagged(town, term, reserve, office)
    with pytest.raises(ActionRefused, match="请填写"):
        adjustments.adjustment_perform(actor=office, adjustment_id=adjustment.pk, action="propose_adjustment",
                                       reason="  ", version=0)
    adjustments.adjustment_perform(actor=office, adjustment_id=adjustment.pk, action="propose_adjustment",
                                   reason="受到党纪处分，建议调整出库", version=0)
    with pytest.raises(ActionRefused, match="请填写"):
        adjustments.adjustment_perform(actor=committee, adjustment_id=adjustment.pk, action="reject_adjustment",
                                       reason="", version=1)
    # The approval's note is optional.
    adjustments.adjustment_perform(actor=committee, adjustment_id=adjustment.pk, action="approve_adjustment",
                                   version=1)
    adjustment.refresh_from_db()
    reserve.refresh_from_db()
    assert (adjustment.status, adjustment.reason, adjustment.decided_by, adjustment.decided_on) == (
        S.APPROVED, "受到党纪处分，建议调整出库", committee, today())
    assert (reserve.status, reserve.ended_on) == (Reserve.Status.REMOVED, today())
    removal = reserve_events(reserve, "remove_reserve")
    assert len(removal) == 1 and removal[0].reason == "受到党纪处分，建议调整出库"
    assert removal[0].data["adjustment"] == adjustment.pk
    assert removal[0].actor == committee


def test_rejection_keeps_the_reserve(town, term, reserve, office, committee):
    adjustment = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合条件")
    assert (adjustment.status, adjustment.cause, adjustment.proposed_by) == (S.PROPOSED, C.OTHER, office)
    adjustments.adjustment_perform(actor=committee, adjustment_id=adjustment.pk, action="reject_adjustment",
                                   reason="表现有改进，继续培养", version=adjustment.version)
    reserve.refresh_from_db()
    assert reserve.status == Reserve.Status.ACTIVE
    assert Adjustment.objects.get().decision_note == "表现有改进，继续培养"


def test_a_reserve_no_longer_active_cannot_be_removed_by_approval(town, term, reserve, office, committee):
    adjustment = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合条件")
    Reserve.objects.filter(pk=reserve.pk).update(status=Reserve.Status.USED)
    with pytest.raises(ActionRefused, match="已不在库中培养"):
        adjustments.adjustment_perform(actor=committee, adjustment_id=adjustment.pk, action="approve_adjustment",
                                       version=adjustment.version)
    adjustment.refresh_from_db()
    assert adjustment.status == S.PROPOSED
    # The office closes it instead.
    adjustments.adjustment_perform(actor=office, adjustment_id=adjustment.pk, action="withdraw_adjustment",
                                   reason="已任用", version=adjustment.version)


# --------------------------------------------------------------------------- the two-year path, through the pages


def test_two_years_lagging_warned_then_removed_and_the_place_freed(client, town, term, village_a, office,
                                                                   committee):
    selection = RoundFactory(town=town, reserves_per_village=1, female_extra_reserves=0)
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=today() - D(days=900))
    assert quotas_for(selection, [village_a])[village_a.pk].remaining == 0
    # Year 1: 基本称职 → warned, a due talk (提醒谈话), no proposal.
    year1 = confirmed_round(town, term, today().year - 2)
    assess(year1, reserve, grade=Grade.BASIC, lagging=True, rank=5, of=5)
    on_round_confirmed(year1, office, today() - D(days=300))
    due = DueTalk.objects.get(reserve=reserve)
    assert (due.kind, due.arose_on) == (TalkKind.ASSESSMENT, today() - D(days=300))
    assert "提醒谈话" in due.reason and "基本称职" in due.reason
    assert not Adjustment.objects.exists()
    # Year 2: lagging again (bottom share) → flagged.
    year2 = confirmed_round(town, term, today().year - 1)
    assess(year2, reserve, grade=Grade.COMPETENT, lagging=True, rank=5, of=5)
    on_round_confirmed(year2, office, today())
    adjustment = Adjustment.objects.get(reserve=reserve)
    assert (adjustment.cause, adjustment.status) == (C.LAGGING_TWICE, S.FLAGGED)

    # The office proposes with its opinion.
    client.force_login(office)
    detail = reverse("assessment:adjustment_detail", args=[adjustment.pk])
    body = page(client.get(detail))
    assert 'data-action="propose_adjustment"' in body and 'data-action="approve_adjustment"' not in body
    assert "data-confirm=" in body
    response = client.post(reverse("assessment:adjustment_action", args=[adjustment.pk, "propose_adjustment"]),
                           {"version": adjustment.version, "reason": "连续两年考核靠后，建议调整出库"})
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.proposed_on) == (S.PROPOSED, today())
    # The committee lands on what waits for it, and approves.
    client.force_login(committee)
    listing = page(client.get(reverse("assessment:adjustment_list")))
    assert f'data-adjustment="{adjustment.pk}"' in listing
    body = page(client.get(detail))
    assert 'data-action="approve_adjustment"' in body and 'data-action="propose_adjustment"' not in body
    response = client.post(reverse("assessment:adjustment_action", args=[adjustment.pk, "approve_adjustment"]),
                           {"version": adjustment.version, "reason": "党委会研究同意"})
    assert any("已批准" in m for m in message_texts(response))
    reserve.refresh_from_db()
    assert reserve.status == Reserve.Status.REMOVED
    # On the reserve's timeline: the warning, the proposal, the approval, the removal.
    client.force_login(office)
    body = page(client.get(reserve.get_absolute_url()))
    for text in ("考核提醒", "提出调整出库建议", "批准调整出库", "调整出库", "连续两年考核靠后，建议调整出库"):
        assert text in body
    assert 'id="adjustments"' in body
    # The place is freed.
    assert quotas_for(selection, [village_a])[village_a.pk].remaining == 1


def test_the_village_sees_the_warning_not_the_proposal(client, town, term, reserve, office, village_a_user):
    round_ = confirmed_round(town, term, today().year - 1)
    assess(round_, reserve, grade=Grade.INCOMPETENT, lagging=True, veto="违纪违法")
    on_round_confirmed(round_, office, today())
    client.force_login(village_a_user)
    body = page(client.get(reserve.get_absolute_url()))
    assert "考核提醒" in body
    assert "提出调整出库建议" not in body and 'id="adjustments"' not in body


# --------------------------------------------------------------------------- pages


def test_the_office_raises_one_from_the_reserve_page(client, reserve, office):
    client.force_login(office)
    body = page(client.get(reserve.get_absolute_url()))
    new = reverse("assessment:adjustment_new", args=[reserve.pk])
    assert new in body
    assert client.get(new).status_code == 200
    response = client.post(new, {"reason": "长期外出务工，不再符合条件"})
    adjustment = Adjustment.objects.get()
    assert response["Location"] == reverse("assessment:adjustment_detail", args=[adjustment.pk])
    assert (adjustment.status, adjustment.cause) == (S.PROPOSED, C.OTHER)
    assert len(reserve_events(reserve, AdjustmentEvent.RAISED)) == 1
    # The card now links to it, and offers no second.
    body = page(client.get(reserve.get_absolute_url()))
    assert new not in body
    assert 'id="existing"' in page(client.get(new))


@pytest.mark.parametrize("who, status", [("office", ""), ("committee", S.PROPOSED)])
def test_the_list_filters_and_the_committee_lands_on_its_queue(client, town, term, village_a, office, committee,
                                                               who, status):
    for s in (S.FLAGGED, S.PROPOSED, S.APPROVED):
        Adjustment.objects.create(reserve=ReserveFactory(town=town, term=term, village=village_a), cause=C.OTHER,
                                  status=s, flagged_on=today())
    client.force_login({"office": office, "committee": committee}[who])
    body = page(client.get(reverse("assessment:adjustment_list")))
    expected = 1 if status else 3
    assert body.count("data-adjustment=") == expected
    body = page(client.get(reverse("assessment:adjustment_list") + "?status=approved"))
    assert body.count("data-adjustment=") == 1
    body = page(client.get(reverse("assessment:adjustment_list") + "?status=nonsense&page=abc"))
    assert body.count("data-adjustment=") == 3


def test_the_list_pages_by_25_in_constant_queries(client, town, term, village_a, office):
    def make(n):
        for _i in range(n):
            round_ = AssessmentRoundFactory(town=town, term=term, year=2000 + Adjustment.objects.count())
            a = AssessmentFactory(round=round_, reserve=ReserveFactory(town=town, term=term, village=village_a),
                                  grade=Grade.BASIC)
            Adjustment.objects.create(reserve=a.reserve, assessment=a, cause=C.LAGGING_TWICE, status=S.FLAGGED,
                                      flagged_on=today())

    client.force_login(office)
    url = reverse("assessment:adjustment_list")
    make(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(27)
    with CaptureQueriesContext(connection) as many:
        body = page(client.get(url))
    assert len(many) == len(few)
    assert body.count("data-adjustment=") == 25
    assert "第1/2页" in body


def test_confirming_a_round_through_its_workflow_warns_and_flags(town, term, village_a, office):
    """The real move (assessment.workflow's confirm_round): its ranking first, then this effect."""
    from assessment.workflow import ROUND_WORKFLOW

    last = confirmed_round(town, term, today().year - 2)
    round_ = AssessmentRoundFactory(town=town, term=term, year=today().year - 1, bottom_percent=10)
    rows = []
    for i, (total, grade) in enumerate([(95, Grade.EXCELLENT), (85, Grade.COMPETENT), (80, Grade.COMPETENT),
                                        (78, Grade.COMPETENT), (62, Grade.BASIC)]):
        r = ReserveFactory(town=town, term=term, village=village_a, start_date=today() - D(days=800 + i))
        rows.append(AssessmentFactory(round=round_, reserve=r, status="submitted", total=total, grade=grade))
    vetoed = AssessmentFactory(round=round_, reserve=ReserveFactory(town=town, term=term, village=village_a),
                               status="submitted", total=99, grade=Grade.INCOMPETENT, veto_reason="违纪违法")
    assess(last, rows[4].reserve, grade=Grade.BASIC, lagging=True)  # lagging the year before too
    ROUND_WORKFLOW.perform(actor=office, pk=round_.pk, action="confirm_round", version=round_.version)
    causes = dict(Adjustment.objects.values_list("reserve_id", "cause"))
    assert causes == {rows[4].reserve_id: C.LAGGING_TWICE, vetoed.reserve_id: C.VETO}
    assert DueTalk.objects.filter(kind=TalkKind.ASSESSMENT).count() == 6
    assert {e.object_id for e in Event.objects.filter(action=AdjustmentEvent.WARNED)} == {
        rows[4].reserve_id, vetoed.reserve_id}


@pytest.mark.parametrize("move", ["use", "remove"])
def test_leaving_the_pool_another_way_ends_the_open_adjustment(town, term, reserve, office, committee, move):
    from training import services as pool

    adjustment = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合条件")
    if move == "use":
        pool.reserve_use(actor=office, reserve_id=reserve.pk, post="村委会主任", used_on=today())
    else:
        pool.reserve_remove(actor=committee, reserve_id=reserve.pk, reason="本人申请退出", approver="张书记")
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decided_on) == (S.WITHDRAWN, today())
    assert "事项结束" in adjustment.decision_note
    assert Event.objects.filter(action="close_adjustment", object_id=adjustment.pk).count() == 1
