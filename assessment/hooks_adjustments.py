"""Registrations of assessment's adjustments part (调整出库), connected from AssessmentConfig.ready(): the effect
of a confirmed assessment round (talks, warnings, removal proposals), the card of a reserve's page and the
entries of its history."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reserve import events as event_kinds
from reserve.roles import Role
from reserve.scope import Scope
from training.models import Reserve
from training.panels import TimelineItem, register_event_subjects, register_reserve_panel, register_timeline_source
from training.selectors import reserve_events, subject_events
from training.workflow import RESERVE_WORKFLOW

from . import adjustments
from .adjustments import AdjustmentEvent
from .models import Adjustment
from .workflow import ROUND_WORKFLOW

PUBLIC_KINDS = (AdjustmentEvent.WARNED,)  # seen by whoever sees the reserve (its village, unit, mentor too)
TOWN_KINDS = (AdjustmentEvent.FLAGGED, AdjustmentEvent.RAISED)  # the office and the committee only


def _town_reader(reserve, user) -> bool:
    """The office or the committee of the reserve's town: they see its removal proposals and their moves."""
    scope = Scope.for_user(user)
    return scope.has(*adjustments.READERS) and scope.can_see(reserve, roles=adjustments.READERS)


def adjustment_panel(reserve, user):
    """The reserve's adjustments (open and decided), for the office and the committee; the office's button to
    propose one."""
    scope = Scope.for_user(user)
    if not _town_reader(reserve, user):
        return None
    rows = adjustments.adjustments_of(reserve)
    for a in rows:
        a.badge = adjustments.badge(a)
    open_ = next((a for a in rows if a.status in adjustments.OPEN), None)
    return {
        "reserve": reserve, "adjustments": rows, "open": open_,
        "may_raise": scope.has(Role.OFFICE) and reserve.status == Reserve.Status.ACTIVE and open_ is None,
    }


def adjustment_event_subjects(reserve, user):
    """The reserve's adjustments whose moves (their events) this user's history shows — the town's office and
    committee — read with the reserve's own events (training.selectors.subject_events)."""
    if not _town_reader(reserve, user):
        return None
    return Adjustment, [a.pk for a in adjustments.adjustments_of(reserve)]


def adjustment_timeline(reserve, user):
    """The reserve's warnings (everyone who sees the reserve) and, for the office and the committee, the removal
    proposals and each move of them."""
    scope = Scope.for_user(user)
    if not scope.can_see(reserve):
        return []
    town = _town_reader(reserve, user)
    kinds = {str(k) for k in (PUBLIC_KINDS + TOWN_KINDS if town else PUBLIC_KINDS)}
    items = []
    for e in reserve_events(reserve, user):  # the history's read of the reserve's events, oldest first
        if e.action not in kinds:
            continue
        data = e.data or {}
        text = str(data.get("text") or "")
        url = ""
        if e.action != AdjustmentEvent.WARNED:
            cause = dict(Adjustment.Cause.choices).get(data.get("cause"), "")
            text = _("原因：%(c)s") % {"c": cause} + (f"（{text}）" if text else "")
            if e.reason:
                text += _("；理由：%(r)s") % {"r": e.reason}
            if data.get("adjustment"):
                url = reverse("assessment:adjustment_detail", args=[data["adjustment"]])
        items.append(TimelineItem(when=e.at, label=str(event_kinds.label(e.action)), text=text, url=url))
    if town:
        causes = {a.pk: a.cause for a in adjustments.adjustments_of(reserve)}
        cause_labels = dict(Adjustment.Cause.choices)
        for e in subject_events(reserve, user, Adjustment):
            label = str(event_kinds.label(e.action))
            text = _("原因：%(c)s") % {"c": cause_labels.get(causes.get(e.object_id), "")}
            if e.reason:
                text += _("；理由或意见：%(r)s") % {"r": e.reason}
            items.append(TimelineItem(when=e.at, label=label, text=text,
                                      url=reverse("assessment:adjustment_detail", args=[e.object_id])))
    return items


def connect():
    # After the round's own effect (the ranks): the talks, warnings and removal proposals read them.
    ROUND_WORKFLOW.add_effect("confirm_round", adjustments.on_round_confirmed)
    # A reserve leaving the pool another way ends its open adjustment.
    for action in ("use_reserve", "expire_reserve", "remove_reserve"):
        RESERVE_WORKFLOW.add_effect(action, adjustments.closed_when_reserve_left)
    register_reserve_panel("assessment/adjustment_panel.html", adjustment_panel)
    register_timeline_source(adjustment_timeline, covers=tuple(AdjustmentEvent))
    register_event_subjects(adjustment_event_subjects)
