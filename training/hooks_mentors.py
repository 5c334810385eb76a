"""Registrations of this part of the pool, connected from TrainingConfig.ready(): the mentor card and the
pairings in the history of a reserve's page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today

from .mentors import end_pairing_on_leaving, pairings_of, reserve_unpaired_overdue
from .models import Reserve
from .panels import TimelineItem, register_reserve_panel, register_timeline_source
from .workflow import PoolEvent


def mentor_panel(reserve, user):
    """The pairing history and, for the office, the pair/change button (whoever sees the reserve sees it)."""
    scope = Scope.for_user(user)
    if not scope.can_see(reserve):
        return None
    can_pair = scope.has(Role.OFFICE) and reserve.status == Reserve.Status.ACTIVE
    return {
        "reserve": reserve, "history": pairings_of(reserve), "can_pair": can_pair,
        "pair_url": reverse("training:mentor_pair", args=[reserve.pk]) if can_pair else "",
        "unpaired_overdue": reserve_unpaired_overdue(reserve, local_today()),
    }


def mentor_timeline(reserve, user):
    if not Scope.for_user(user).can_see(reserve):
        return []
    items = []
    for m in pairings_of(reserve):
        text = _("引路人：%(m)s") % {"m": m.mentor}
        if m.basis:
            text += f"（{m.basis}）"
        items.append(TimelineItem(when=m.start, label=_("结对帮扶"), text=text))
        if m.end:
            items.append(TimelineItem(when=m.end, label=_("结束结对"), text=_("引路人：%(m)s") % {"m": m.mentor}))
    return items


def connect():
    from .workflow import RESERVE_WORKFLOW

    for action in ("remove_reserve", "expire_reserve"):
        RESERVE_WORKFLOW.add_effect(action, end_pairing_on_leaving)
    register_reserve_panel("training/mentor_panel.html", mentor_panel)
    register_timeline_source(mentor_timeline, covers=(PoolEvent.MENTOR_PAIRED, PoolEvent.MENTOR_ENDED))
