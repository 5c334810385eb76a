"""The moves of a reserve on the workflow engine, and the pool's events.

proposed ──approve──▶ active ──use────▶ used       (任用: appointed to a post, with the post and date)
   │                  │  ▲  ──remove─▶ removed    (调整出库: a reason and who approved it)
   └──decline─▶ declined │  ──expire─▶ expired    (the term ended and the office lets it expire)
                      └──┘ renew (a new two-year term), change_post (岗位调整), change_tier

A reserve past the end of its term stays active — shown as 待续期 (Reserve.renewal_due) — until the office
renews it or lets it expire: nothing expires silently. Moves that keep the status (renew, change_post,
change_tier) are transitions too, so that later apps hook into them (cultivation: a post change makes a talk due).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reserve import events
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import Transition, Workflow

from .models import Reserve

S = Reserve.Status


class PoolEvent(events.EventKind):
    """Events of the pool recorded in place (no status change of their own)."""

    RESERVE_ADDED = "reserve_added", _("入库")
    RESERVE_PROPOSED = "reserve_proposed", _("推荐入库")
    MENTOR_PAIRED = "mentor_paired", _("明确引路人")
    MENTOR_ENDED = "mentor_ended", _("结束结对")
    RELAXATION = "pool_relaxation", _("放宽梯队条件")
    ACTIVIST = "activist_recommended", _("推荐为入党积极分子")
    FOLLOW_UP = "follow_up", _("回访跟踪")
    PROFILE = "reserve_profile", _("修改基本情况")


events.register(PoolEvent)

STALE = _("该后备干部的信息已被他人更新，请刷新页面后再操作。")


def lock_reserve(actor, reserve_id) -> Reserve:
    """Lock a reserve in the actor's scope for a change (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_reserve needs a transaction"
    return Scope.for_user(actor).get(
        Reserve.objects.select_for_update(of=("self",)).select_related("term", "town"), reserve_id)


def guard_renewable(reserve, actor, today: datetime.date) -> str | None:
    """A term is renewed when it has ended or ends within the pool term's notice days (届满提醒天数)."""
    notice = reserve.term.renewal_notice_days
    if reserve.term_end - today > datetime.timedelta(days=notice):
        return gettext("本届培养期至%(d)s，届满前%(n)d天内方可续期。") % {"d": f"{reserve.term_end:%Y-%m-%d}", "n": notice}
    return None


def guard_term_ended(reserve, actor, today: datetime.date) -> str | None:
    if reserve.term_end >= today:
        return gettext("本届培养期至%(d)s，尚未届满，不能按期满出库。") % {"d": f"{reserve.term_end:%Y-%m-%d}"}
    return None


RESERVE_WORKFLOW = Workflow(
    Reserve,
    (
        Transition(
            action="approve_reserve",
            label=_("审核通过，入库"),
            target=S.ACTIVE,
            sources_by_role={Role.OFFICE: (S.PROPOSED,)},
            button="success",
            confirm=_("审核通过后该同志进入人才库，开始第一届培养期。确认入库？"),
            done=_("已审核入库，下一步：明确引路人。"),
        ),
        Transition(
            action="decline_reserve",
            label=_("审核不通过"),
            target=S.DECLINED,
            sources_by_role={Role.OFFICE: (S.PROPOSED,)},
            needs_reason=True,
            button="outline-danger",
            confirm=_("审核不通过后该推荐不再进入人才库。确认？"),
            done=_("已审核，未通过，推荐单位可看到理由。"),
        ),
        Transition(
            action="renew_reserve",
            label=_("续期（进入下一届）"),
            target=S.ACTIVE,
            sources_by_role={Role.OFFICE: (S.ACTIVE,)},
            guard=guard_renewable,
            offered_when_refused=False,  # offered in its time, not disabled for two years
            confirm=_("续期后开始新一届培养期（两年一届）。确认续期？"),
            done=_("已续期，新一届培养期已开始。"),
        ),
        Transition(
            action="expire_reserve",
            label=_("期满不再续期"),
            target=S.EXPIRED,
            sources_by_role={Role.OFFICE: (S.ACTIVE,)},
            guard=guard_term_ended,
            offered_when_refused=False,  # offered in its time, not disabled for two years
            needs_reason=True,
            button="outline-secondary",
            confirm=_("期满出库后该同志不再列入培养对象。确认？"),
            done=_("已按期满出库。"),
        ),
        Transition(
            action="use_reserve",
            label=_("任用"),
            target=S.USED,
            sources_by_role={Role.OFFICE: (S.ACTIVE,)},
            manual=False,
            confirm=_("任用后该同志不再占用后备干部名额，转入回访跟踪。确认任用？"),
            done=_("已记录任用，下一步：按“四必谈”谈话，并定期回访跟踪。"),
        ),
        Transition(
            action="remove_reserve",
            label=_("调整出库"),
            target=S.REMOVED,
            # Only the committee (镇党委) removes a reserve: on its own page, or by approving the office's proposal
            # (assessment's adjustments) — the office proposes, it never removes.
            sources_by_role={Role.COMMITTEE: (S.ACTIVE, S.PROPOSED)},
            needs_reason=True,
            manual=False,
            button="outline-danger",
            confirm=_("调整出库后该同志不再列入培养对象，不再占用名额。确认调整出库？"),
            done=_("已调整出库。请及时把新发现的优秀人才充实进来。"),
        ),
        Transition(
            action="change_post",
            label=_("岗位调整"),
            target=S.ACTIVE,
            sources_by_role={Role.OFFICE: (S.ACTIVE,), Role.UNIT: (S.ACTIVE,), Role.VILLAGE: (S.ACTIVE,)},
            manual=False,
            done=_("已记录岗位调整，下一步：按“四必谈”谈话。"),
        ),
        Transition(
            action="change_tier",
            label=_("调整梯队"),
            target=S.ACTIVE,
            sources_by_role={Role.OFFICE: (S.ACTIVE,)},
            needs_reason=True,
            manual=False,
        ),
    ),
    lock=lock_reserve,
    version_field="version",
    stale_message=STALE,
)
