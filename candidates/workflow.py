"""The allowed moves of a nomination: one table (the workflow engine's), read by the actions and
by the UI. Later stages add their guards and effects to it from their own AppConfig.ready():
vetting to dispatch, inspection to propose, publicity and the pool to confirm_reserve."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve import events
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Window, Workflow

from .eligibility import Applicant, evaluate
from .models import Nomination, Status

S = Status


class NominationEvent(events.EventKind):
    """Events on a nomination that are not transitions of its table."""

    CREATE = "create", _("填写自荐表")
    UPDATE = "update", _("修改自荐表")
    ELIGIBILITY_CHANGED = "eligibility_changed", _("批次条件调整，重新审核基本条件")
    ROUND_CREATE = "round_create", _("创建选拔批次")
    ROUND_UPDATE = "round_update", _("修改批次参数")
    RELAXATION = "relaxation", _("组织办决定放宽条件")
    IDENTITY_CORRECT = "identity_correct", _("组织办更正身份信息")


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


def _failed_conditions(nomination) -> str:
    """The basic conditions the nomination fails, evaluated afresh (the person's identity and the round's parameters
    as they are now, never the stored result alone); "" when it fails none."""
    result = evaluate(Applicant.from_nomination(nomination), nomination.round)
    return "；".join(f"{r.title}：{r.message}" for r in result.rules if not r.passed)


def guard_accept(nomination, actor, today) -> str | None:
    failed = _failed_conditions(nomination)
    if failed:
        return _("不符合基本条件（%(f)s），不能受理；请退回并说明理由。") % {"f": failed}
    return None


def guard_still_eligible(nomination, actor, today) -> str | None:
    """The basic conditions hold at every step after acceptance, evaluated afresh against the round's
    parameters as they are now (village plan §二): an ineligible person goes no further."""
    failed = _failed_conditions(nomination)
    if not failed:
        return None
    return _("按批次现行条件不再符合基本条件（%(f)s），不能继续。") % {"f": failed}


# The plan's stage windows (村级方案第三条): acting outside them needs the office's recorded reason.
REVIEW_WINDOW = Window(_("资格审查"), lambda n: (n.round.nomination_start, n.round.review_end))
INSPECTION_WINDOW = Window(_("组织考察"), lambda n: (n.round.inspection_start, n.round.inspection_end))

# The steps after acceptance at which the basic conditions are checked again.
ELIGIBILITY_CHECKED = ("start_inspection", "propose", "approve", "publish", "confirm_reserve")


def lock_nomination(actor, nomination_id) -> Nomination:
    """Lock a nomination in the actor's scope for a change (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_nomination needs a transaction"
    return Scope.for_user(actor).get(
        Nomination.objects.select_for_update(of=("self",)).select_related("round", "village", "person"),
        nomination_id,
    )


# What the office may revoke (撤销): submitted … publicised, never a village's draft.
_REVOCABLE = (
    S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.VETTING, S.VETTED,
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
            done=_("已提交镇组织办，等待组织办受理。"),
            guard=guard_submit,
            effect=stamp_submitted,
        ),
        Transition(
            action="accept",
            label=_("受理"),
            target=S.ACCEPTED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            button="success",
            confirm=_("受理后进入资格审查，不能再退回村党组织修改。确认受理？"),
            done=_("已受理，下一步：发起资格联审。"),
            window=REVIEW_WINDOW,
            guard=guard_accept,
        ),
        Transition(
            action="return",
            label=_("退回"),
            target=S.RETURNED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            needs_reason=True,
            button="warning",
            window=REVIEW_WINDOW,
            confirm=_("退回后由村党组织修改，再重新提交。确认退回？"),
            done=_("已退回村党组织，等待修改后重新提交。"),
        ),
        Transition(
            action="withdraw",
            label=_("撤回"),
            target=S.WITHDRAWN,
            # The applicant's own withdrawal, through its village branch; the office's is revoke (撤销).
            sources_by_role={Role.VILLAGE: (S.DRAFT, S.SUBMITTED, S.RETURNED)},
            needs_reason=True,
            button="outline-danger",
            confirm=_("撤回后本自荐表不再参加本批次选拔，不能恢复。确认撤回？"),
            done=_("已撤回，本自荐表不再参加本批次选拔。"),
        ),
        Transition(
            action="revoke",
            label=_("撤销"),
            target=S.REVOKED,
            # The office's own decision to take a candidate out of the round, once the village has submitted
            # (a draft is still the village's: the office neither sees nor acts on it).
            sources_by_role={Role.OFFICE: _REVOCABLE},
            needs_reason=True,
            button="outline-danger",
            confirm=_("撤销后该人选退出本批次选拔，不能恢复。确认撤销？"),
            done=_("已撤销该人选，不再参加本批次选拔。"),
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
            confirm=_("开始组织考察后，将安排个别谈话和民主测评。确认开始？"),
            done=_("已开始组织考察，下一步：个别谈话和民主测评。"),
            window=INSPECTION_WINDOW,
        ),
        Transition(
            action="propose",
            label=_("考察合格，提交党委研究"),
            target=S.PROPOSED,
            sources_by_role={Role.OFFICE: (S.INSPECTION,)},
            button="success",
            confirm=_("提交党委研究后，考察环节结束，由镇党委研究确定。确认提交？"),
            done=_("已提交党委研究，下一步：镇党委研究确定。"),
            window=INSPECTION_WINDOW,
        ),
        Transition(
            action="fail_inspection",
            label=_("考察不合格"),
            target=S.REJECTED,
            sources_by_role={Role.OFFICE: (S.INSPECTION,)},
            needs_reason=True,
            button="outline-danger",
            confirm=_("确认考察不合格后，该人选不再提交党委研究，不能恢复。确认？"),
            done=_("已记录考察不合格，该人选不再进入下一环节。"),
            window=INSPECTION_WINDOW,
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
        # An objection the office finds true proposes the change (the person stays 公示中, not confirmable);
        # the committee decides (the office may record its decision): cancel, or keep the person.
        Transition(
            action="refer_objection",
            label=_("异议经核实属实，提请党委研究"),
            target=S.PUBLICISED,
            sources_by_role={Role.OFFICE: (S.PUBLICISED,)},
            needs_reason=True,
            manual=False,
        ),
        Transition(
            action="uphold_objection",
            label=_("党委研究：异议属实，取消人选资格"),
            target=S.REJECTED,
            sources_by_role={Role.COMMITTEE: (S.PUBLICISED,), Role.OFFICE: (S.PUBLICISED,)},
            needs_reason=True,
            manual=False,
            confirm=_("取消后该同志不再作为拟确定人选（状态改为“未确定”），不能撤销。确认取消人选资格？"),
        ),
        Transition(
            action="confirm_reserve",
            label=_("公示期满，确认入库"),
            target=S.RESERVE,
            sources_by_role={Role.OFFICE: (S.PUBLICISED,)},
            button="success",
            confirm=_("确认入库后，该人选进入后备干部库，开始培养期。确认入库？"),
            done=_("已确认入库，该人选已进入后备干部库，下一步：安排培养。"),
        ),
    ),
    lock=lock_nomination,
)
TRANSITIONS = NOMINATION_WORKFLOW.transitions
for _action in ELIGIBILITY_CHECKED:
    NOMINATION_WORKFLOW.add_guard(_action, guard_still_eligible)

# Statuses in which the village branch may still change the form.
EDITABLE = (S.DRAFT, S.RETURNED)
# Statuses that have been through (or are in) the organisational inspection.
INSPECTED = (S.INSPECTION, S.PROPOSED, S.APPROVED, S.REJECTED, S.PUBLICISED, S.RESERVE)
# Statuses that no parameter change can affect any more.
CLOSED = (S.DISQUALIFIED, S.REJECTED, S.RESERVE, S.WITHDRAWN, S.REVOKED)
# Statuses in which the office may record its decision to relax a basic condition (放宽条件).
RELAXABLE = _REVOCABLE
