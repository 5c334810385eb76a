"""The allowed moves of a nomination: one table, read by the actions and by the UI."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reserve.roles import Role

from .models import Status

S = Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    target: str
    # Which roles may take it, and from which statuses each of them may.
    sources_by_role: dict
    needs_reason: bool = False
    button: str = "primary"
    confirm: str = ""
    # Dotted paths: guard(nomination, actor, today) -> refusal message or None, checked before the
    # move; effect(nomination, actor, today) runs after it, in the same transaction.
    guard: str = ""
    effect: str = ""
    # manual: offered as a button on the nomination page; otherwise taken from its own page
    # (a vetting answer, a committee decision). system: taken by the system as the consequence of
    # another user's action, so no role is checked.
    manual: bool = True
    system: bool = False

    def allowed_sources(self, roles) -> set:
        found = set()
        for role in roles:
            found |= set(self.sources_by_role.get(role, ()))
        return found


_BEFORE_RESERVE = (
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.VETTING, S.VETTED,
    S.INSPECTION, S.PROPOSED, S.APPROVED, S.PUBLICISED,
)

TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            action="submit",
            label=_("提交镇组织办"),
            target=S.SUBMITTED,
            sources_by_role={Role.VILLAGE: (S.DRAFT, S.RETURNED)},
            confirm=_("提交后不能再修改，确认提交？"),
            guard="candidates.services.guard_submit",
        ),
        Transition(
            action="accept",
            label=_("受理"),
            target=S.ACCEPTED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            button="success",
            guard="candidates.services.guard_accept",
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
            guard="vetting.services.guard_dispatch",
            effect="vetting.services.create_requests",
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
            guard="inspection.services.guard_propose",
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
            guard="publicity.services.guard_confirm",
            effect="training.services.create_reserve",
        ),
    )
}

# Statuses in which the village branch may still change the form.
EDITABLE = (S.DRAFT, S.RETURNED)
# Statuses that have been through (or are in) the organisational inspection.
INSPECTED = (S.INSPECTION, S.PROPOSED, S.APPROVED, S.REJECTED, S.PUBLICISED, S.RESERVE)
# Statuses that no parameter change can affect any more.
CLOSED = (S.DISQUALIFIED, S.REJECTED, S.RESERVE, S.WITHDRAWN)

# Labels of actions that are not transitions, for the timeline.
EVENT_LABELS = {
    "create": _("填写自荐表"),
    "update": _("修改自荐表"),
    "eligibility_changed": _("批次条件调整，重新审核基本条件"),
    "vetting_answer": _("联审部门答复"),
    "vetting_overrule": _("组织办不予采纳部门意见"),
    "vetting_reopen": _("重新开启部门审查"),
    "talk": _("个别谈话"),
    "appraisal_tally": _("民主测评计票"),
    "report": _("考察材料"),
    "objection": _("收到异议"),
    "objection_concluded": _("异议处理结论"),
    **{t.action: t.label for t in TRANSITIONS.values()},
}
