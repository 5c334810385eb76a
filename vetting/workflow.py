"""The moves of a vetting request (one department asked about one nomination), on the workflow
engine, and the events of joint vetting on the nomination's timeline.

pending ──answer──▶ answered ──decide (the office, on a flag)──▶ locked
   ▲                  │  ▲ answer again (a correction, while the vetting is open)
   │                  └──┴──close (the vetting ended: all clear, or disqualified)──▶ locked
   └──────────── reopen (the office, with a reason) ◀── answered / locked

A late department (the office, on a pending request): remind (催办) and extend (a new deadline, with a
reason) keep it pending and write their event; proxy_answer records the department's paper answer on
its behalf (pending → answered, the scan attached).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from candidates.models import Status as NominationStatus
from reserve import events
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow

from .models import VettingRequest

R = VettingRequest.Status


class VettingEvent(events.EventKind):
    """Events of joint vetting on a nomination's timeline."""

    ANSWER = "vetting_answer", _("联审部门答复")
    OVERRULE = "vetting_overrule", _("组织办不予采纳部门意见")
    REOPEN = "vetting_reopen", _("重新开启部门审查")
    NEGATIVE_ITEM_UPDATE = "negative_item_update", _("修改负面清单条目")


events.register(VettingEvent)


def lock_request(actor, request_id) -> VettingRequest:
    """Lock the nomination, then the request (always in that order, so two actions never deadlock);
    NotFound for a request outside the actor's scope. Inside a transaction."""
    scope = Scope.for_user(actor)
    found = scope.get(VettingRequest.objects.only("pk", "nomination_id"), request_id)
    from candidates.models import Nomination

    nomination = Nomination.objects.select_for_update(of=("self",)).select_related(
        "round", "person", "village").get(pk=found.nomination_id)
    request = VettingRequest.objects.select_for_update(of=("self",)).select_related("department").get(pk=request_id)
    request.nomination = nomination
    return request


def _in_vetting(request, actor, today):
    if request.nomination.status != NominationStatus.VETTING:
        return _("该人选已不在资格审查阶段；如需更正，请联系镇组织办重新开启。")
    return None


def _still_in_vetting(request, actor, today):
    if request.nomination.status != NominationStatus.VETTING:
        return _("该人选已不在资格审查阶段，不能再催办、延期或代为录入。")
    return None


def _flag_to_decide(request, actor, today):
    if not request.flagged:
        return _("该部门没有报告问题，无需处理。")
    if request.decision:
        return _("已处理过该部门的答复。")
    if request.nomination.status != NominationStatus.VETTING:
        return _("该人选已不在资格审查阶段。")
    return None


def _may_reopen(request, actor, today):
    nomination = request.nomination
    if nomination.status not in (NominationStatus.VETTING, NominationStatus.VETTED, NominationStatus.DISQUALIFIED):
        return _("该人选已进入后续环节，不能重新开启资格审查。")
    if nomination.status == NominationStatus.DISQUALIFIED and request.decision != VettingRequest.Decision.CONFIRMED:
        return _("该人选已因其他部门的意见被确认不符合条件；如需复查，请先重新开启该部门的审查。")
    return None


def _refused_decide(request):
    if request.status == R.LOCKED and request.decision:
        return _("已处理过该部门的答复。")
    if request.status == R.LOCKED and request.flagged:
        return _("该人选已不在资格审查阶段。")
    return _("该部门没有报告问题，无需处理。")


REQUEST_WORKFLOW = Workflow(
    VettingRequest,
    (
        Transition(
            action="answer",
            label=_("签署审查意见"),
            target=R.ANSWERED,
            sources_by_role={Role.DEPARTMENT: (R.PENDING, R.ANSWERED)},
            guard=_in_vetting,
            manual=False,
            refused=_("镇组织办已处理本部门的答复；如需更正，请联系镇组织办重新开启。"),
        ),
        Transition(
            action="decide",
            label=_("处理部门报告的问题"),
            target=R.LOCKED,
            sources_by_role={Role.OFFICE: (R.ANSWERED,)},
            needs_reason=True,
            guard=_flag_to_decide,
            manual=False,
            refused=_refused_decide,
        ),
        Transition(
            action="close",
            label=_("资格审查结束，锁定答复"),
            target=R.LOCKED,
            sources_by_role={Role.OFFICE: (R.ANSWERED,)},
            manual=False,
            system=True,
        ),
        Transition(
            action="vetting_remind",
            label=_("催办"),
            target=R.PENDING,
            sources_by_role={Role.OFFICE: (R.PENDING,)},
            guard=_still_in_vetting,
            manual=False,
            refused=_("该部门已答复，无需催办。"),
        ),
        Transition(
            action="vetting_extend",
            label=_("延长答复期限"),
            target=R.PENDING,
            sources_by_role={Role.OFFICE: (R.PENDING,)},
            needs_reason=True,
            guard=_still_in_vetting,
            manual=False,
            refused=_("该部门已答复，不能再调整答复期限。"),
        ),
        Transition(
            action="vetting_proxy_answer",
            label=_("代为录入部门答复"),
            target=R.ANSWERED,
            sources_by_role={Role.OFFICE: (R.PENDING,)},
            guard=_still_in_vetting,
            manual=False,
            refused=_("该部门已答复，不能再代为录入。"),
        ),
        Transition(
            action="reopen",
            label=_("重新开启"),
            target=R.PENDING,
            sources_by_role={Role.OFFICE: (R.ANSWERED, R.LOCKED)},
            needs_reason=True,
            guard=_may_reopen,
            manual=False,
            refused=_("该部门尚未答复，无需重新开启。"),
        ),
    ),
    lock=lock_request,
    version_field="version",
    stale_message=_("这条审查请求已被他人更新，请刷新页面查看最新内容后再操作。"),
)


def close_answered(nomination, actor, today) -> None:
    """The vetting of a nomination ended: every answer still open to correction is locked."""
    assert transaction.get_connection().in_atomic_block
    for request in nomination.vetting_requests.select_for_update(of=("self",)).filter(status=R.ANSWERED):
        request.nomination = nomination
        REQUEST_WORKFLOW.apply(request, "close", actor=actor, today=today)
