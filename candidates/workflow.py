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

    def allowed_sources(self, roles) -> set:
        found = set()
        for role in roles:
            found |= set(self.sources_by_role.get(role, ()))
        return found


_BEFORE_RESERVE = (
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.VETTING, S.VETTED,
    S.INSPECTION, S.PROPOSED, S.PUBLICISED,
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
        ),
        Transition(
            action="accept",
            label=_("受理"),
            target=S.ACCEPTED,
            sources_by_role={Role.OFFICE: (S.SUBMITTED,)},
            button="success",
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
    )
}

# Statuses in which the village branch may still change the form.
EDITABLE = (S.DRAFT, S.RETURNED)
# Statuses that no parameter change can affect any more.
CLOSED = (S.DISQUALIFIED, S.REJECTED, S.RESERVE, S.WITHDRAWN)

# Labels of actions that are not transitions, for the timeline.
EVENT_LABELS = {
    "create": _("填写自荐表"),
    "update": _("修改自荐表"),
    "eligibility_changed": _("批次条件调整，重新审核基本条件"),
    **{t.action: t.label for t in TRANSITIONS.values()},
}
