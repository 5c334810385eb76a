"""The moves of an objection (异议) on the workflow engine, and publicity's events.

open ──verify──▶ verified ──uphold──▶ upheld      (the person is not confirmed: the nomination is rejected)
  ▲               │   ▲    └─dismiss─▶ not_upheld
  └───────────────┘   └─ verify again (a corrected verification) ─┘
"""

from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination
from candidates.models import Status as NominationStatus
from reserve import events
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow

from .models import Objection

OS = Objection.Status


class PublicityEvent(events.EventKind):
    """Events of the notices and objections."""

    NOTICE_PUBLISH = "notice_publish", _("发布公示")
    OBJECTION = "objection", _("收到异议")
    OBJECTION_CONCLUDED = "objection_concluded", _("异议处理结论")


events.register(PublicityEvent)

STALE = _("这条异议已被他人更新，请刷新页面后再操作。")


def lock_objection(actor, objection_id) -> Objection:
    """Lock the nomination the objection is about (if any), then the objection; NotFound outside the
    actor's scope. Inside a transaction. The locked nomination is `objection.locked_nomination`."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    found = scope.get(Objection.objects.select_related("entry"), objection_id)
    nomination = None
    if found.entry_id:
        nomination = Nomination.objects.select_for_update(of=("self",)).get(pk=found.entry.nomination_id)
    objection = Objection.objects.select_for_update(of=("self",)).select_related("entry", "notice").get(
        pk=objection_id)
    if objection.entry_id != found.entry_id:
        # The person it is about changed between the read and the lock: act on nothing stale.
        raise ActionRefused(STALE)
    objection.locked_nomination = nomination
    return objection


def _refused_conclusion(objection):
    return _("请先核实，再作结论。") if objection.is_open else _("异议已有结论。")


def _may_uphold(objection, actor, today):
    nomination = getattr(objection, "locked_nomination", None)
    if nomination is None:
        return _("请先指定反映对象，才能认定反映属实。")
    if nomination.status != NominationStatus.PUBLICISED:
        return _("该人选当前状态为“%(s)s”，不能再因异议取消；如已入库，请在后备干部管理中调整。") % {
            "s": NominationStatus(nomination.status).label}
    return None


OBJECTION_WORKFLOW = Workflow(
    Objection,
    (
        Transition(
            action="objection_verify",
            label=_("核实异议"),
            target=OS.VERIFIED,
            sources_by_role={Role.OFFICE: (OS.OPEN, OS.VERIFIED)},
            manual=False,
            refused=_("异议已有结论。"),
        ),
        Transition(
            action="objection_uphold",
            label=_("认定反映属实"),
            target=OS.UPHELD,
            sources_by_role={Role.OFFICE: (OS.VERIFIED,)},
            needs_reason=True,
            guard=_may_uphold,
            manual=False,
            refused=_refused_conclusion,
        ),
        Transition(
            action="objection_dismiss",
            label=_("认定反映不属实"),
            target=OS.NOT_UPHELD,
            sources_by_role={Role.OFFICE: (OS.VERIFIED,)},
            needs_reason=True,
            manual=False,
            refused=_refused_conclusion,
        ),
    ),
    lock=lock_objection,
    version_field="version",
    stale_message=STALE,
)
