"""Registrations of this part of the pool (entry, tier conditions, follow-up), connected from
TrainingConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reserve.roles import Role
from reserve.scope import Scope

from . import tiers
from .models import Reserve, Tier
from .panels import TimelineItem, register_reserve_panel, register_timeline_source
from .selectors import FOLLOW_UP_READERS, follow_ups_seen_by


def conditions_panel(reserve, user):
    """The tier's conditions, evaluated afresh on the reserve's reference day, with the relaxation."""
    conditions = tiers.evaluate(reserve, reserve.tier, reserve.term, tiers.reference_day(reserve))
    scope = Scope.for_user(user)
    can_relax = (scope.has(Role.OFFICE) and reserve.status in (Reserve.Status.ACTIVE, Reserve.Status.PROPOSED)
                 and reserve.tier != Tier.VILLAGE)
    return {
        "reserve": reserve, "conditions": conditions, "conditions_met": all(c.met for c in conditions),
        "reference_day": tiers.reference_day(reserve),
        "relax_url": reverse("training:relaxation_new", args=[reserve.pk]) if can_relax else "",
    }


def follow_up_panel(reserve, user):
    """The follow-up visits of a reserve appointed (回访跟踪), for those who may see them (the latest 20)."""
    if not Scope.for_user(user).has(*FOLLOW_UP_READERS):
        return None
    visits = follow_ups_seen_by(reserve, user)[::-1][:20]
    if reserve.status != Reserve.Status.USED and not visits:
        return None
    can_record = reserve.status == Reserve.Status.USED and Scope.for_user(user).has(Role.OFFICE, Role.UNIT,
                                                                                     Role.VILLAGE)
    return {
        "reserve": reserve, "visits": visits,
        "record_url": reverse("training:followup_new", args=[reserve.pk]) if can_record else "",
    }


def follow_up_timeline(reserve, user):
    return [TimelineItem(when=v.date, label=_("回访跟踪"), text=f"{v.visited_by}：{v.content[:80]}")
            for v in follow_ups_seen_by(reserve, user)]


def connect():
    from .entry import guard_conditions_met, start_first_term
    from .workflow import RESERVE_WORKFLOW, PoolEvent

    register_reserve_panel("training/entry_panel.html", conditions_panel)
    register_reserve_panel("training/followup_panel.html", follow_up_panel)
    register_timeline_source(follow_up_timeline, covers=(PoolEvent.FOLLOW_UP,))
    # A recommendation is approved only while the tier's conditions are met; its first term starts that day.
    RESERVE_WORKFLOW.add_guard("approve_reserve", guard_conditions_met)
    RESERVE_WORKFLOW.add_effect("approve_reserve", start_first_term)
