"""Warnings and removal (动态调整; four-tier plan §五(二), village plan §四.4): services and selectors.

- `on_round_confirmed(round, actor, today)` — the effect of confirming an assessment round (registered on
  ROUND_WORKFLOW's "confirm_round" by hooks_adjustments): every assessed reserve gets a due talk (考察考核后必谈);
  a lagging one is warned (提醒谈话, an event on the reserve); a vetoed one, one lagging in this annual round and
  in the previous year's, and one failing the end-of-term assessment are flagged for removal (an Adjustment,
  status flagged) — at most one open adjustment per reserve, checked under the reserve's row lock.
- ADJUSTMENT_WORKFLOW: flagged ─propose (office, its opinion)→ proposed ─approve (committee)→ approved (the
  reserve is removed in the same transaction) / ─reject (committee, reason)→ rejected; flagged or proposed
  ─withdraw (office, reason)→ withdrawn. Only the committee's approval removes a reserve.
- `adjustment_raise`: the office proposes the removal of any active reserve of its town (cause OTHER), with a
  reason, straight to the committee.

Locks: the reserve first (training.workflow.lock_reserve), then its adjustment — the order every writer here
takes, so that two of them never wait on each other.
"""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cultivation.models import TalkKind
from cultivation.talks import TALKABLE, make_talk_due
from reserve import events
from reserve.exceptions import ActionRefused, NotAllowed
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.workflow import Transition, Workflow, local_today
from training.models import TEXT_MAX, Reserve
from training.services import remove_locked
from training.workflow import lock_reserve

from .models import Adjustment, Assessment, AssessmentRound, Grade

A = Adjustment.Status
OPEN = (A.FLAGGED, A.PROPOSED)
DECIDED = (A.APPROVED, A.REJECTED, A.WITHDRAWN)
READERS = (Role.OFFICE, Role.COMMITTEE)
LAGGING_GRADES = (Grade.BASIC, Grade.INCOMPETENT)


class AdjustmentEvent(events.EventKind):
    """Events on a reserve written by this part (the workflow's own actions are events on the adjustment)."""

    WARNED = "assessment_warning", gettext_lazy("考核提醒")
    FLAGGED = "adjustment_flagged", gettext_lazy("提出调整出库建议")
    RAISED = "adjustment_raised", gettext_lazy("组织办提出调整出库")


events.register(AdjustmentEvent)

BADGES = {
    A.FLAGGED: "text-bg-warning", A.PROPOSED: "text-bg-danger", A.APPROVED: "text-bg-dark",
    A.REJECTED: "text-bg-success", A.WITHDRAWN: "text-bg-secondary",
}


def badge(adjustment) -> str:
    """The colour of an adjustment's status badge."""
    return BADGES.get(adjustment.status, "text-bg-secondary")


STALE = gettext_lazy("该调整出库事项已被他人办理，请刷新页面后再操作。")
ALREADY_OPEN = gettext_lazy("%(n)s已有待办的调整出库事项，不能重复提出。")


# ----------------------------------------------------------------------------- the workflow


def lock_adjustment(actor, pk) -> Adjustment:
    """Lock an adjustment in the actor's scope, its reserve first (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_adjustment needs a transaction"
    scope = Scope.for_user(actor)
    found = scope.get(Adjustment.objects.only("pk", "reserve_id"), pk)
    reserve = lock_reserve(actor, found.reserve_id)
    adjustment = Adjustment.objects.select_for_update(of=("self",)).select_related(
        "assessment", "assessment__round").get(pk=found.pk)
    adjustment.reserve = reserve
    return adjustment


def reserve_refusal(reserve) -> str | None:
    """Why a reserve cannot be removed by an adjustment now (no longer in the pool), or None."""
    if reserve.status != Reserve.Status.ACTIVE:
        return _("%(n)s当前状态为“%(s)s”，已不在库中培养，不能批准调整出库；请撤回该事项。") % {
            "n": reserve.name, "s": reserve.get_status_display()}
    return None


def guard_reserve_active(adjustment, actor, today) -> str | None:
    return reserve_refusal(adjustment.reserve)


def approver_name(user) -> str:
    return (user.full_name or user.username)[:60]


def removed_on_approval(adjustment, actor, today) -> None:
    """Effect of approve_adjustment: the committee's approval removes the reserve in the same transaction (the
    reserve is locked: lock_adjustment took its lock first)."""
    remove_locked(adjustment.reserve, actor=actor, reason=adjustment.reason or adjustment.get_cause_display(),
                  approver=approver_name(actor), today=today,
                  data={"adjustment": adjustment.pk, "cause": adjustment.cause})


ADJUSTMENT_WORKFLOW = Workflow(
    Adjustment,
    (
        Transition(
            action="propose_adjustment",
            label=gettext_lazy("提出意见，报党委审批"),
            target=A.PROPOSED,
            sources_by_role={Role.OFFICE: (A.FLAGGED,)},
            needs_reason=True,
            button="primary",
            confirm=gettext_lazy("报党委审批后，由镇党委决定是否调整出库。确认报送？"),
            done=gettext_lazy("已报党委审批，下一步：镇党委审批。"),
        ),
        Transition(
            action="approve_adjustment",
            label=gettext_lazy("批准调整出库"),
            target=A.APPROVED,
            sources_by_role={Role.COMMITTEE: (A.PROPOSED,)},
            guard=guard_reserve_active,
            effect=removed_on_approval,
            button="danger",
            confirm=gettext_lazy("批准后该同志即调整出库，不再列入培养对象，不再占用名额。确认批准？"),
            done=gettext_lazy("已批准，该同志已调整出库；所在村（单位）出现缺额，可开展补充推选。"),
        ),
        Transition(
            action="reject_adjustment",
            label=gettext_lazy("不予出库"),
            target=A.REJECTED,
            sources_by_role={Role.COMMITTEE: (A.PROPOSED,)},
            needs_reason=True,
            button="outline-secondary",
            confirm=gettext_lazy("不予出库后该同志继续在库培养。确认？"),
            done=gettext_lazy("已决定不予出库，该同志继续在库培养。"),
        ),
        Transition(
            action="withdraw_adjustment",
            label=gettext_lazy("撤回"),
            target=A.WITHDRAWN,
            sources_by_role={Role.OFFICE: (A.FLAGGED, A.PROPOSED)},
            needs_reason=True,
            button="outline-secondary",
            confirm=gettext_lazy("撤回后该事项结束，该同志继续在库培养（已不在库的，仅结束该事项）。确认撤回？"),
            done=gettext_lazy("已撤回。"),
        ),
        Transition(
            action="close_adjustment",
            label=gettext_lazy("因已不在库结束"),
            target=A.WITHDRAWN,
            # Taken by the system when the reserve leaves the pool another way (任用, 期满出库, 调整出库 recorded
            # by the office): the open adjustment has nothing left to decide.
            sources_by_role={Role.OFFICE: OPEN, Role.COMMITTEE: OPEN},
            manual=False,
            system=True,
        ),
    ),
    lock=lock_adjustment,
    version_field="version",
    stale_message=STALE,
)


def closed_when_reserve_left(reserve, actor, today) -> None:
    """Effect of the reserve's moves out of the pool (use, expire, remove): its open adjustment ends (the reserve is
    locked by the move; its adjustment is locked after it, the order of every writer here). The adjustment whose
    approval removes the reserve is already approved when this runs."""
    for adjustment in Adjustment.objects.select_for_update(of=("self",)).filter(reserve=reserve, status__in=OPEN):
        adjustment.reserve = reserve
        note = _("该同志已%(s)s，事项结束。") % {"s": reserve.get_status_display()}
        adjustment.decided_on, adjustment.decision_note = today, note
        adjustment.save(update_fields=["decided_on", "decision_note"])
        ADJUSTMENT_WORKFLOW.apply(adjustment, "close_adjustment", actor=actor, reason=note, today=today,
                                  data={"reserve": reserve.pk, "reserve_status": reserve.status})


def adjustment_perform(*, actor, adjustment_id, action: str, reason: str = "", version=None,
                       today=None) -> Adjustment:
    """A button of an adjustment's page, in one durable transaction: the office proposes (its opinion becomes the
    adjustment's reason) or withdraws; the committee approves (its note, optional; the reserve is removed) or
    rejects (its reason). NotAllowed for a role that never takes the action, NotFound outside the actor's scope,
    ActionRefused (a Chinese message) for anything not allowed now — nothing is written then."""
    today = today or local_today()
    transition = ADJUSTMENT_WORKFLOW.transitions.get(action)
    if transition is None or not transition.manual:
        raise ActionRefused(_("未知操作。"))
    reason = clean_text(reason or "")
    with transaction.atomic(durable=True):
        adjustment = lock_adjustment(actor, adjustment_id)
        ADJUSTMENT_WORKFLOW.check(adjustment, action, actor=actor, reason=reason, today=today, version=version)
        if len(reason) > TEXT_MAX:
            raise ActionRefused(_("理由不能超过%(n)d字。") % {"n": TEXT_MAX})
        fields = []
        if action == "propose_adjustment":
            adjustment.reason, adjustment.proposed_by, adjustment.proposed_on = reason, actor, today
            fields = ["reason", "proposed_by", "proposed_on"]
        elif action in ("approve_adjustment", "reject_adjustment"):
            adjustment.decided_by, adjustment.decided_on, adjustment.decision_note = actor, today, reason
            fields = ["decided_by", "decided_on", "decision_note"]
        elif action == "withdraw_adjustment":
            adjustment.decided_by, adjustment.decided_on, adjustment.decision_note = actor, today, reason
            fields = ["decided_by", "decided_on", "decision_note"]
        adjustment.save(update_fields=fields)
        return ADJUSTMENT_WORKFLOW.apply(adjustment, action, actor=actor, reason=reason, today=today,
                                         version=version, data={"reserve": adjustment.reserve_id})


def open_adjustment_of(reserve) -> Adjustment | None:
    return Adjustment.objects.filter(reserve=reserve, status__in=OPEN).first()


def adjustment_raise(*, actor, reserve_id, reason: str, today=None) -> Adjustment:
    """The office proposes the removal of an active reserve of its town (cause: 不再符合后备干部条件), with its
    reason, straight to the committee (status proposed)."""
    today = today or local_today()
    scope = Scope.for_user(actor)
    if not scope.has(Role.OFFICE):
        raise NotAllowed
    reason = clean_text(reason or "")
    if not reason:
        raise ActionRefused(_("请填写调整出库的理由。"))
    if len(reason) > TEXT_MAX:
        raise ActionRefused(_("理由不能超过%(n)d字。") % {"n": TEXT_MAX})
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        if reserve.status != Reserve.Status.ACTIVE:
            raise ActionRefused(_("%(n)s当前状态为“%(s)s”，不在库中培养，不能提出调整出库。") % {
                "n": reserve.name, "s": reserve.get_status_display()})
        if open_adjustment_of(reserve) is not None:
            raise ActionRefused(ALREADY_OPEN % {"n": reserve.name})
        adjustment = Adjustment.objects.create(
            reserve=reserve, cause=Adjustment.Cause.OTHER, status=A.PROPOSED, flagged_on=today, reason=reason,
            proposed_by=actor, proposed_on=today)
        record_event(reserve, action=AdjustmentEvent.RAISED, actor=actor, from_status=reserve.status,
                     to_status=reserve.status, reason=reason,
                     data={"adjustment": adjustment.pk, "cause": adjustment.cause})
    return adjustment


# ----------------------------------------------------------------------------- the effect of a confirmed round


def _round_name(round_) -> str:
    if round_.kind == AssessmentRound.Kind.FINAL:
        return _("%(y)d年期满总结性考核") % {"y": round_.year}
    return _("%(y)d年度考核") % {"y": round_.year}


def result_text(assessment, round_) -> str:
    """One line: the round and the result (2026年度考核基本称职，第9名/共10名)."""
    text = _round_name(round_)
    if assessment.vetoed:
        return text + _("一票否决（%(r)s）") % {"r": assessment.veto_reason}
    text += assessment.get_grade_display() if assessment.grade else ""
    if assessment.rank and assessment.ranked_of:
        text += _("，第%(r)d名/共%(n)d名") % {"r": assessment.rank, "n": assessment.ranked_of}
    return text


def warning_text(assessment, round_) -> str:
    """The reason of a lagging reserve's due talk: a 提醒谈话 with the grade or the rank."""
    if assessment.vetoed or assessment.grade in LAGGING_GRADES:
        base = result_text(assessment, round_).split("，")[0]
    elif assessment.rank and assessment.ranked_of:
        base = _round_name(round_) + _("排名靠后（第%(r)d名/共%(n)d名）") % {
            "r": assessment.rank, "n": assessment.ranked_of}
    else:
        base = result_text(assessment, round_)
    return base + _("，提醒谈话")


def cause_for(assessment, round_, lagged_last_year: bool) -> str | None:
    """The cause of a removal proposal an assessment flags, or None."""
    if assessment.vetoed:
        return Adjustment.Cause.VETO
    if round_.kind == AssessmentRound.Kind.FINAL and assessment.grade == Grade.INCOMPETENT:
        return Adjustment.Cause.FAILED_FINAL
    if round_.kind == AssessmentRound.Kind.ANNUAL and assessment.lagging and lagged_last_year:
        return Adjustment.Cause.LAGGING_TWICE
    return None


def on_round_confirmed(round_, actor, today: datetime.date) -> None:
    """Effect of confirm_round (after the ranking): the talks, warnings and removal proposals of each confirmed
    assessment of the round, in the round's transaction. The assessed reserves are locked (in id order), then
    their open adjustments read: a reserve with one already open gets no second."""
    assessments = list(Assessment.objects.filter(round=round_, status=Assessment.Status.CONFIRMED)
                       .order_by("reserve_id"))
    if not assessments:
        return
    ids = [a.reserve_id for a in assessments]
    reserves = {r.pk: r for r in Reserve.objects.select_for_update(of=("self",))
                .select_related("term", "town").filter(pk__in=ids).order_by("pk")}
    lagged_before = set()
    if round_.kind == AssessmentRound.Kind.ANNUAL:
        # The year before — or the year after, when an earlier year's round is confirmed late: two lagging years
        # in a row flag a removal whichever of the two is confirmed last.
        lagged_before = set(Assessment.objects.filter(
            reserve_id__in=ids, kind=AssessmentRound.Kind.ANNUAL, year__in=(round_.year - 1, round_.year + 1),
            status=Assessment.Status.CONFIRMED, lagging=True).values_list("reserve_id", flat=True))
    already_open = set(Adjustment.objects.filter(reserve_id__in=ids, status__in=OPEN)
                       .values_list("reserve_id", flat=True))
    for assessment in assessments:
        reserve = reserves.get(assessment.reserve_id)
        if reserve is None:
            continue
        lagging = assessment.lagging or assessment.vetoed
        if reserve.status in TALKABLE:
            reason = warning_text(assessment, round_) if lagging else result_text(assessment, round_)
            make_talk_due(reserve, TalkKind.ASSESSMENT, reason, today, actor=actor)
        if lagging and reserve.status == Reserve.Status.ACTIVE:
            record_event(reserve, action=AdjustmentEvent.WARNED, actor=actor, from_status=reserve.status,
                         to_status=reserve.status,
                         data={"assessment": assessment.pk, "round": round_.pk, "year": round_.year,
                               "kind": round_.kind, "text": warning_text(assessment, round_)})
        cause = cause_for(assessment, round_, reserve.pk in lagged_before)
        if cause is None or reserve.status != Reserve.Status.ACTIVE or reserve.pk in already_open:
            continue
        adjustment = Adjustment.objects.create(reserve=reserve, cause=cause, assessment=assessment,
                                               status=A.FLAGGED, flagged_on=today)
        already_open.add(reserve.pk)
        record_event(reserve, action=AdjustmentEvent.FLAGGED, actor=actor, from_status=reserve.status,
                     to_status=reserve.status,
                     data={"adjustment": adjustment.pk, "cause": cause, "assessment": assessment.pk,
                           "text": result_text(assessment, round_)})


# ----------------------------------------------------------------------------- reads


def adjustments_visible_to(user) -> QuerySet[Adjustment]:
    scope = Scope.for_user(user)
    scope.require_role(*READERS)
    return scope.filter(Adjustment.objects.all())


def adjustment_rows(user, *, status=None) -> QuerySet[Adjustment]:
    """The adjustments of the user's town, open ones first then the newest; one query whatever the rows."""
    rows = adjustments_visible_to(user).select_related(
        "reserve", "reserve__village", "reserve__unit", "assessment", "assessment__round")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-flagged_on", "-id")


def mark_adjustment_rows(rows) -> list[Adjustment]:
    """Give each adjustment of a list's page what its row shows, computed once here: its badge, its cause's and
    status's labels, the grade's label of the assessment it rests on and the link to its page."""
    rows = list(rows)
    causes = {value: str(label) for value, label in Adjustment.Cause.choices}
    statuses = {value: str(label) for value, label in Adjustment.Status.choices}
    grades = {value: str(label) for value, label in Grade.choices}
    for a in rows:
        a.badge = badge(a)
        a.cause_label = causes.get(a.cause, a.cause)
        a.status_label = statuses.get(a.status, a.status)
        a.grade_label = grades.get(a.assessment.grade, a.assessment.grade) if a.assessment_id else ""
        a.url = reverse("assessment:adjustment_detail", args=[a.pk])
    return rows


def get_adjustment_for_user_or_404(user, pk) -> Adjustment:
    return Scope.for_user(user).get(
        adjustments_visible_to(user).select_related(
            "reserve", "reserve__village", "reserve__unit", "reserve__town", "assessment", "assessment__round",
            "proposed_by", "decided_by"), pk)


def adjustments_of(reserve) -> list[Adjustment]:
    """A reserve's adjustments, the latest first, read once per reserve object: the card, the history (and the
    read of its events) and the one-person file share the read."""
    from training.panels import read_once

    return read_once(reserve, "adjustments", lambda: list(
        reserve.adjustments.select_related("assessment", "assessment__round", "decided_by")
        .order_by("-flagged_on", "-id")))


def adjustments_seen_by(reserve, user) -> list[Adjustment]:
    """The reserve's adjustments (adjustments_of) for the office and the committee of its town; none for others."""
    scope = Scope.for_user(user)
    if not scope.has(*READERS) or not scope.can_see(reserve, roles=READERS):
        return []
    return adjustments_of(reserve)


def adjustment_history(adjustment) -> list:
    """The events of an adjustment (its workflow's moves), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from reserve.models import Event

    ct = ContentType.objects.get_for_model(Adjustment)
    rows = list(Event.objects.filter(content_type=ct, object_id=adjustment.pk).select_related("actor")
                .order_by("at", "pk"))
    for event in rows:
        event.label = str(events.label(event.action))
    return rows


def counts_by_status(user) -> dict[str, int]:
    from django.db.models import Count

    return {row["status"]: row["n"] for row in adjustments_visible_to(user).values("status").annotate(n=Count("id"))}
