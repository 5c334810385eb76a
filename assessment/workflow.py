"""The moves of an assessment and of an assessment round, on the workflow engine (reserve.workflow).

An assessment (one reserve in one round):

draft ──submit_assessment──▶ submitted ──confirm_assessment──▶ confirmed (locked: nothing edits it)
  ▲                             │
  └──────return_assessment──────┘  (with a reason)
draft / submitted ──veto_assessment──▶ submitted   (一票否决: the veto decides the result — grade 不称职 whatever the
                                                    scores — so the assessment waits for confirmation)

A round: open ──confirm_round──▶ confirmed. Refused while an assessment of the round is still a draft; it confirms
the submitted ones (each through confirm_assessment, each its event), then ranks each tier (the transition's own
effect, so that it runs before the effects other parts add with ROUND_WORKFLOW.add_effect("confirm_round", fn):
warnings and removal proposals read the ranks).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reserve import events
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow
from training.models import Reserve

from . import scoring
from .models import Assessment, AssessmentRound, Grade

AS = Assessment.Status
RS = AssessmentRound.Status


class AssessmentEvent(events.EventKind):
    """Events of assessment recorded in place (the moves are the workflows' own)."""

    SCHEME_UPDATE = "assessment_scheme_update", _("修改考核办法")
    ROUND_OPENED = "assessment_round_opened", _("发起考核")
    ROUND_ADDED = "assessment_round_added", _("补充考核对象")
    SCORED = "assessment_scored", _("填写考核评分")


events.register(AssessmentEvent)

STALE = _("该考核结果已被他人更新，请刷新页面后再操作。")
ROUND_STALE = _("该考核已被他人更新，请刷新页面后再操作。")


def lock_assessment(actor, pk) -> Assessment:
    """Lock an assessment in the actor's scope (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_assessment needs a transaction"
    return Scope.for_user(actor).get(
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "reserve"), pk)


def lock_round(actor, pk) -> AssessmentRound:
    """Lock a round in the actor's scope (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_round needs a transaction"
    return Scope.for_user(actor).get(AssessmentRound.objects.select_for_update(of=("self",)), pk)


# ----------------------------------------------------------------------------- the assessment's guards and effects


def guard_round_open(assessment, actor, today: datetime.date) -> str | None:
    if assessment.round.status != RS.OPEN:
        return gettext("该考核已确认，考核结果不能再修改。")
    return None


def guard_complete(assessment, actor, today: datetime.date) -> str | None:
    """Every item scored, and every sub-score counted in the total (share > 0) given — unless vetoed."""
    if assessment.vetoed:
        return None
    round_ = assessment.round
    missing = scoring.missing_items(assessment.scores or {}, round_.items)
    if missing:
        return gettext("尚未评分的考核项目：%(n)s。") % {"n": "、".join(missing)}
    subs = {key: getattr(assessment, field) for key, field in scoring.SUB_FIELDS.items()}
    labels = {"mentor": gettext("引路人评分"), "unit": gettext("所在单位评分"), "democratic": gettext("民主评议得分")}
    missing_subs = scoring.missing_subs(subs, round_.sub_shares)
    if missing_subs:
        return gettext("计入总分的评分尚未填写：%(n)s。") % {"n": "、".join(labels[k] for k in missing_subs)}
    return None


def guard_not_vetoed(assessment, actor, today: datetime.date) -> str | None:
    if assessment.vetoed:
        return gettext("已一票否决（%(r)s）。") % {"r": assessment.veto_reason}
    return None


def refresh_result(assessment) -> list[str]:
    """Set the total (when every needed score is there) and the grade (不称职 when vetoed); the fields changed."""
    round_ = assessment.round
    subs = {key: getattr(assessment, field) for key, field in scoring.SUB_FIELDS.items()}
    try:
        total = scoring.total_for(assessment.scores or {}, round_.items, subs, round_.sub_shares)
    except ValueError:
        total = None
    assessment.total = total
    if assessment.vetoed:
        assessment.grade = Grade.INCOMPETENT
    else:
        assessment.grade = scoring.grade_for(total, round_.bands) if total is not None else ""
    return ["total", "grade"]


def effect_submitted(assessment, actor, today: datetime.date) -> None:
    assessment.save(update_fields=refresh_result(assessment))


def effect_confirmed(assessment, actor, today: datetime.date) -> None:
    assessment.confirmed_by, assessment.confirmed_on = actor, today
    assessment.save(update_fields=["confirmed_by", "confirmed_on"])


ASSESSMENT_WORKFLOW = Workflow(
    Assessment,
    (
        Transition(
            action="submit_assessment",
            label=_("提交考核结果"),
            target=AS.SUBMITTED,
            sources_by_role={Role.OFFICE: (AS.DRAFT,)},
            guard=lambda a, actor, today: guard_round_open(a, actor, today) or guard_complete(a, actor, today),
            effect=effect_submitted,
            confirm=_("提交后计算总分和等次，退回前不能再修改评分。确认提交？"),
            done=_("已提交，总分和等次已计算，下一步：确认。"),
        ),
        Transition(
            action="return_assessment",
            label=_("退回修改"),
            target=AS.DRAFT,
            sources_by_role={Role.OFFICE: (AS.SUBMITTED,)},
            guard=guard_round_open,
            needs_reason=True,
            button="outline-secondary",
            done=_("已退回，可修改评分后重新提交。"),
        ),
        Transition(
            action="confirm_assessment",
            label=_("确认考核结果"),
            target=AS.CONFIRMED,
            sources_by_role={Role.OFFICE: (AS.SUBMITTED,)},
            # No round guard: the round's confirmation confirms its submitted assessments (a confirmed round has
            # none left).
            effect=effect_confirmed,
            button="success",
            confirm=_("确认后考核结果锁定，不能再修改。确认？"),
            done=_("已确认，考核结果已锁定。"),
        ),
        Transition(
            action="veto_assessment",
            label=_("一票否决"),
            target=AS.SUBMITTED,
            sources_by_role={Role.OFFICE: (AS.DRAFT, AS.SUBMITTED)},
            guard=lambda a, actor, today: guard_round_open(a, actor, today) or guard_not_vetoed(a, actor, today),
            manual=False,  # taken from its own page, with the reason, the note, the approver and the date
            button="outline-danger",
            confirm=_("一票否决后等次为不称职，不参加排名，并列入调整出库。确认？"),
            done=_("已一票否决，等次为不称职，不参加排名，下一步：确认考核结果。"),
        ),
    ),
    lock=lock_assessment,
    version_field="version",
    stale_message=STALE,
)


# ----------------------------------------------------------------------------- the round's guard and effect


def guard_no_drafts(round_, actor, today: datetime.date) -> str | None:
    drafts = Assessment.objects.filter(round=round_, status=AS.DRAFT).count()
    if drafts:
        return gettext("尚有%(n)d人未提交考核结果，全部提交后方可确认。") % {"n": drafts}
    if not Assessment.objects.filter(round=round_).exists():
        return gettext("该考核没有考核对象。")
    return None


def rank_round(round_) -> None:
    """Fix the ranks of a round, per tier: rank, ranked_of, priority (前xx%) and lagging (see scoring.flags).
    The vetoed are not ranked and are lagging."""
    rows = list(Assessment.objects.filter(round=round_).select_related("reserve").order_by("tier", "pk"))
    by_tier = defaultdict(list)
    for assessment in rows:
        by_tier[assessment.tier].append(assessment)
    for tier, members in by_tier.items():
        # Only reserves still in training are ranked: one appointed or removed while the round was open keeps the
        # assessment, but takes no place in the tier's shares.
        ranked = scoring.rank([a for a in members if a.reserve.status == Reserve.Status.ACTIVE], round_.items)
        n = len(ranked)
        top = scoring.share_count(n, (round_.top_percent or {}).get(str(tier), 0))
        bottom = scoring.share_count(n, round_.bottom_percent, minimum=0)
        positions = {a.pk: i for i, a in enumerate(ranked, start=1)}
        for assessment in members:
            position = positions.get(assessment.pk)
            if position is None:
                assessment.rank, assessment.ranked_of = None, None
                assessment.priority = False
                assessment.lagging = assessment.reserve.status == Reserve.Status.ACTIVE and (
                    assessment.vetoed or assessment.grade in scoring.LAGGING_GRADES)
            else:
                assessment.rank, assessment.ranked_of = position, n
                assessment.priority, assessment.lagging = scoring.flags(position, n, assessment.grade, top=top,
                                                                        bottom=bottom)
    Assessment.objects.bulk_update(rows, ["rank", "ranked_of", "priority", "lagging"])


def effect_confirm_round(round_, actor, today: datetime.date) -> None:
    """Confirm every submitted assessment (each its event), then rank each tier."""
    # Every assessment of the round locked (in one order), then checked again: one returned to draft while the
    # round was being confirmed refuses the confirmation (nothing is written).
    rows = list(Assessment.objects.select_for_update(of=("self",)).select_related("round", "reserve")
                .filter(round=round_).order_by("pk"))
    drafts = sum(1 for a in rows if a.status == AS.DRAFT)
    if drafts:
        raise ActionRefused(gettext("尚有%(n)d人未提交考核结果，全部提交后方可确认。") % {"n": drafts})
    for assessment in rows:
        if assessment.status == AS.SUBMITTED:
            ASSESSMENT_WORKFLOW.apply(assessment, "confirm_assessment", actor=actor, today=today)
    round_.confirmed_on = today
    round_.save(update_fields=["confirmed_on"])
    rank_round(round_)


ROUND_WORKFLOW = Workflow(
    AssessmentRound,
    (
        Transition(
            action="confirm_round",
            label=_("确认考核结果并排名"),
            target=RS.CONFIRMED,
            sources_by_role={Role.OFFICE: (RS.OPEN,)},
            guard=guard_no_drafts,
            effect=effect_confirm_round,
            button="success",
            confirm=_("确认后全部考核结果锁定，按梯队排名，前列的标记为优先使用，靠后的列入提醒。确认？"),
            done=_("已确认，各梯队排名已确定。"),
        ),
    ),
    lock=lock_round,
    version_field="version",
    stale_message=ROUND_STALE,
)
