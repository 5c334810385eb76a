"""The moves of an objection (异议) on the workflow engine, and publicity's events.

open ──verify──▶ verified ──uphold──▶ referred ──cancel───▶ upheld      (the committee cancels the candidacy:
  ▲               │   ▲    │         (the office      │                      the nomination is rejected)
  └───────────────┘   │    │         finds it true;   └─maintain─▶ maintained (the committee keeps the person)
                      │    │         the committee
                      │    │         decides)
                      │    └─dismiss─▶ not_upheld
                      └─ verify again (a corrected verification) ─┘

Upholding is the office's finding only: it proposes the change, and the person stays 公示中 (not confirmable)
until the town's party committee (Role.COMMITTEE, or the office recording its decision) decides.
"""

from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination
from candidates.models import Status as NominationStatus
from reserve import events
from reserve.exceptions import ActionRefused, NotFound
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow

from .models import Notice, Objection

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
    scope.require_role(Role.OFFICE, Role.COMMITTEE)  # each transition says which of them may take it
    if scope.has(Role.OFFICE):
        found = scope.get(Objection.objects.select_related("entry"), objection_id)
    else:
        # The committee sees no objection as such (they name their objectors): it reaches the ones it decides
        # on through their notice, which is in its scope.
        notices = scope.filter(Notice.objects.all(), roles={Role.COMMITTEE})
        try:
            found = Objection.objects.select_related("entry").get(pk=objection_id, notice__in=notices)
        except (Objection.DoesNotExist, ValueError, TypeError, OverflowError):
            raise NotFound from None
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
    if objection.status == OS.OPEN:
        return _("请先核实，再作结论。")
    if objection.is_referred:
        return _("已认定反映属实并提请党委研究，待党委作出决定。")
    return _("异议已有结论。")


def _refused_decision(objection):
    if objection.is_referred:
        return _("异议已有结论。")
    if objection.is_open:
        return _("组织办尚未认定反映属实，党委暂不需作出决定。")
    return _("异议已办结。")


def _may_uphold(objection, actor, today):
    nomination = getattr(objection, "locked_nomination", None)
    if nomination is None:
        return _("请先指定反映对象，才能认定反映属实。")
    if nomination.status != NominationStatus.PUBLICISED:
        from candidates.panels import pool_page_for

        page = pool_page_for(nomination)
        if page:
            return _("该人选当前状态为“%(s)s”，已进入后备干部人才库，不能再因异议取消；如反映属实，请在人才库中该同志的页面"
                     "（%(u)s）调整出库。") % {"s": NominationStatus(nomination.status).label, "u": page}
        return _("该人选当前状态为“%(s)s”，不能再因异议取消。") % {"s": NominationStatus(nomination.status).label}
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
            label=_("认定反映属实，提请党委研究"),
            target=OS.REFERRED,
            sources_by_role={Role.OFFICE: (OS.VERIFIED,)},
            needs_reason=True,
            guard=_may_uphold,
            manual=False,
            refused=_refused_conclusion,
        ),
        # The committee's decision on an objection the office found true (the office may record it for them).
        Transition(
            action="objection_cancel",
            label=_("党委研究：取消人选资格"),
            target=OS.UPHELD,
            sources_by_role={Role.COMMITTEE: (OS.REFERRED,), Role.OFFICE: (OS.REFERRED,)},
            needs_reason=True,
            guard=_may_uphold,
            manual=False,
            refused=_refused_decision,
            confirm=_("取消后该同志不再作为拟确定人选（状态改为“未确定”），不能撤销；公示页面将标注其已不再作为拟确定人选。"
                      "确认取消人选资格？"),
        ),
        Transition(
            action="objection_maintain",
            label=_("党委研究：维持人选"),
            target=OS.MAINTAINED,
            sources_by_role={Role.COMMITTEE: (OS.REFERRED,), Role.OFFICE: (OS.REFERRED,)},
            needs_reason=True,
            manual=False,
            refused=_refused_decision,
            confirm=_("维持后该异议办结，不影响该同志的人选资格；公示期满后可确认入库。确认维持？"),
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
