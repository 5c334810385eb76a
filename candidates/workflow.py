"""The allowed moves of a nomination: one table (the workflow engine's), read by the actions and
by the UI. Later stages add their guards and effects to it from their own AppConfig.ready():
vetting to dispatch, inspection to propose, publicity and the pool to confirm_reserve."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve import events
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow

from .models import Nomination, Status

S = Status


class NominationEvent(events.EventKind):
    """Events on a nomination that are not transitions of its table."""

    CREATE = "create", _("填写自荐表")
    UPDATE = "update", _("修改自荐表")
    ELIGIBILITY_CHANGED = "eligibility_changed", _("批次条件调整，重新审核基本条件")
    ROUND_CREATE = "round_create", _("创建选拔批次")
    ROUND_UPDATE = "round_update", _("修改批次参数")


events.register(NominationEvent)


def guard_submit(nomination, actor, today) -> str | None:
    round_ = nomination.round
    if not round_.nomination_window_open(today):
        return _("不在自荐报名时间内（%(a)s至%(b)s），不能提交。") % {
            "a": f"{round_.nomination_start:%Y-%m-%d}", "b": f"{round_.nomination_end:%Y-%m-%d}",
        }
    if not nomination.id_card_copy:
        return _("请先上传身份证复印件。")
    return None


def stamp_submitted(nomination, actor, today) -> None:
    nomination.submitted_at = timezone.now()
    nomination.save(update_fields=["submitted_at"])


def guard_accept(nomination, actor, today) -> str | None:
    if not nomination.is_eligible:
        return _("不符合基本条件，不能受理；请退回并说明理由。")
    return None


def lock_nomination(actor, nomination_id) -> Nomination:
    """Lock a nomination in the actor's scope for a change (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_nomination needs a transaction"
    return Scope.for_user(actor).get(
        Nomination.objects.select_for_update(of=("self",)).select_related("round", "village", "person"),
        nomination_id,
    )


_BEFORE_RESERVE = (
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.VETTING, S.VETTED,
    S.INSPECTION, S.PROPOSED, S.APPROVED, S.PUBLICISED,
)

NOMINATION_WORKFLOW = Workflow(
    Nomination,
    (
        Transition(
            action="submit",
            label=_("提交镇组织办"),
            target=S.SUBMITTED,
            sources_by_role={Role.VILLAGE: (S.DRAFT, S.RETURNED)},
            confirm=_("提交后不能再修改，确认提交？"),
            guard=guard_submit,
            effect=stamp_submitted,
        ),
        Transition(
            action="accept",
            label=_("受理"),
            target=S.ACCEPTED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            button="success",
            guard=guard_accept,
        ),
        Transition(
            action="return",
            label=_("退回"),
            target=S.RETURNED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            needs_reason=True,
            button="warning",
        ),
        Transition(
            action="withdraw",
            label=_("撤回"),
            target=S.WITHDRAWN,
            sources_by_role={
                Role.VILLAGE: (S.DRAFT, S.SUBMITTED, S.RETURNED),
                Role.OFFICE: _BEFORE_RESERVE,
            },
            needs_reason=True,
            button="outline-danger",
        ),
        # 资格联审
        Transition(
            action="dispatch",
            label=_("发起资格联审"),
            target=S.VETTING,
            sources_by_role={Role.OFFICE: (S.ACCEPTED,)},
        ),
        Transition(
            action="vet_clear",
            label=_("资格联审通过"),
            target=S.VETTED,
            sources_by_role={Role.OFFICE: (S.VETTING,), Role.DEPARTMENT: (S.VETTING,)},
            manual=False,
            system=True,
        ),
        Transition(
            action="disqualify",
            label=_("确认资格审查不通过"),
            target=S.DISQUALIFIED,
            sources_by_role={Role.OFFICE: (S.VETTING,)},
            needs_reason=True,
            manual=False,
        ),
        Transition(
            action="reopen_vetting",
            label=_("重新开启资格审查"),
            target=S.VETTING,
            sources_by_role={Role.OFFICE: (S.VETTED, S.DISQUALIFIED)},
            needs_reason=True,
            manual=False,
        ),
        # 组织考察
        Transition(
            action="start_inspection",
            label=_("开始组织考察"),
            target=S.INSPECTION,
            sources_by_role={Role.OFFICE: (S.VETTED,)},
        ),
        Transition(
            action="propose",
            label=_("考察合格，提交党委研究"),
            target=S.PROPOSED,
            sources_by_role={Role.OFFICE: (S.INSPECTION,)},
            button="success",
        ),
        Transition(
            action="fail_inspection",
            label=_("考察不合格"),
            target=S.REJECTED,
            sources_by_role={Role.OFFICE: (S.INSPECTION,)},
            needs_reason=True,
            button="outline-danger",
        ),
        # 镇党委研究确定
        Transition(
            action="approve",
            label=_("党委研究同意"),
            target=S.APPROVED,
            sources_by_role={Role.OFFICE: (S.PROPOSED,), Role.COMMITTEE: (S.PROPOSED,)},
            manual=False,
        ),
        Transition(
            action="reject",
            label=_("党委研究不同意"),
            target=S.REJECTED,
            sources_by_role={Role.OFFICE: (S.PROPOSED,), Role.COMMITTEE: (S.PROPOSED,)},
            needs_reason=True,
            manual=False,
        ),
        # 公示
        Transition(
            action="publish",
            label=_("发布公示"),
            target=S.PUBLICISED,
            sources_by_role={Role.OFFICE: (S.APPROVED,)},
            manual=False,
        ),
        Transition(
            action="uphold_objection",
            label=_("异议属实，取消人选资格"),
            target=S.REJECTED,
            sources_by_role={Role.OFFICE: (S.PUBLICISED,)},
            needs_reason=True,
            manual=False,
        ),
        Transition(
            action="confirm_reserve",
            label=_("公示期满，确认入库"),
            target=S.RESERVE,
            sources_by_role={Role.OFFICE: (S.PUBLICISED,)},
            button="success",
        ),
    ),
    lock=lock_nomination,
)
TRANSITIONS = NOMINATION_WORKFLOW.transitions

# Statuses in which the village branch may still change the form.
EDITABLE = (S.DRAFT, S.RETURNED)
# Statuses that have been through (or are in) the organisational inspection.
INSPECTED = (S.INSPECTION, S.PROPOSED, S.APPROVED, S.REJECTED, S.PUBLICISED, S.RESERVE)
# Statuses that no parameter change can affect any more.
CLOSED = (S.DISQUALIFIED, S.REJECTED, S.RESERVE, S.WITHDRAWN)
