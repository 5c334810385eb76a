"""Registrations of talks (谈心谈话, 四必谈), connected from CultivationConfig.ready(): the due talks the
reserve's moves make, the mentor's start page, and the card and history entries of a reserve's page."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.home import register_start_page
from reserve.models import Event
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today
from training.models import Reserve
from training.panels import TimelineItem, register_reserve_panel, register_timeline_source
from training.selectors import reserve_events
from training.workflow import RESERVE_WORKFLOW

from . import talks
from .models import TalkKind


def _move_date(reserve, action, today):
    """The day a move took effect, as its event records it (data["date"], the pool's services write it), else
    today: a post change entered some days after it happened is due from the day it happened."""
    event = (Event.objects.filter(content_type=ContentType.objects.get_for_model(Reserve), object_id=reserve.pk,
                                  action=action).order_by("-id").first())
    try:
        day = datetime.date.fromisoformat(str((event.data or {}).get("date", ""))) if event else None
    except ValueError:
        day = None
    return day if day and reserve.start_date <= day <= today else today


def post_changed(reserve, actor, today):
    """岗位调整 (change_post): a talk is due (调整岗位时必谈), from the day of the change."""
    reason = _("岗位调整：%(p)s") % {"p": reserve.post} if reserve.post else _("岗位调整")
    talks.make_talk_due(reserve, TalkKind.POST_CHANGE, reason, _move_date(reserve, "change_post", today),
                        actor=actor)


def used(reserve, actor, today):
    """任用 (use_reserve): a talk is due (提拔重用时必谈), from the day of the appointment."""
    arose_on = reserve.used_on if reserve.used_on and reserve.used_on <= today else today
    reason = _("任用：%(p)s") % {"p": reserve.used_post} if reserve.used_post else _("任用")
    talks.make_talk_due(reserve, TalkKind.PROMOTION, reason, arose_on, actor=actor)


def start_page(user):
    """A mentor's account starts on their desk (an account of the office, committee, village or unit keeps
    theirs)."""
    scope = Scope.for_user(user)
    if scope.has(Role.MENTOR) and not scope.has(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT):
        return reverse("cultivation:mentor_desk")
    return None


PANEL_TALKS = 5


def talk_panel(reserve, user):
    """The reserve's talks (the latest few), its open due talks, talks this year against the term's minimum, and
    the buttons of those who may record."""
    scope = Scope.for_user(user)
    if not scope.has(*talks.TALK_READERS) or not scope.can_see(reserve):
        return None
    today = local_today()
    # The reads of the history and the one-person file (talks.talks_seen_by, due_talks_seen_by); the user sees the
    # reserve, so they are all its talks and due talks.
    held = talks.talks_seen_by(user, reserve)
    recent = held[:PANEL_TALKS]
    due = sorted((d for d in talks.due_talks_seen_by(user, reserve) if d.talk_id is None),
                 key=lambda d: (d.due_on, d.pk))
    for d in due:
        d.overdue = d.due_on < today
        d.note = talks.due_talk_note(d)
    count = talks.held_this_year(held, today)
    return {
        "reserve": reserve, "talks": recent, "due_talks": due, "talks_this_year": count,
        "talks_required": reserve.term.talks_per_year, "short": count < reserve.term.talks_per_year,
        "may_record": talks.may_record_talk(user, reserve),
        "may_add_due": scope.has(Role.OFFICE) and reserve.status in talks.TALKABLE,
        "year": today.year,
    }


def talk_timeline(reserve, user):
    scope = Scope.for_user(user)
    if not scope.has(*talks.TALK_READERS) or not scope.can_see(reserve):
        return []
    return [
        TimelineItem(when=t.held_at, label=_("谈心谈话"),
                     text=_("%(k)s：%(t)s（谈话人：%(p)s）") % {"k": t.get_kind_display(), "t": t.topic, "p": t.talker},
                     url=reverse("cultivation:talk_list", args=[reserve.pk]))
        for t in talks.talks_seen_by(user, reserve)
    ]


def due_talk_timeline(reserve, user):
    """The 四必谈 made due, each with its kind, reason, deadline and whether it was held (the event alone says only
    that one was made due), dated and signed by the event that made it due."""
    scope = Scope.for_user(user)
    if not scope.has(*talks.TALK_READERS) or not scope.can_see(reserve):
        return []
    made = {}
    for event in reserve_events(reserve, user):  # the history's read of the reserve's events, oldest first
        if event.action == talks.TalkEvent.TALK_DUE:
            made.setdefault((event.data or {}).get("due_talk"), event)
    items = []
    for due in sorted(talks.due_talks_seen_by(user, reserve), key=lambda d: (d.created_at, d.pk)):
        text = _("%(k)s：%(r)s，应于%(d)s前谈话") % {"k": due.get_kind_display(), "r": due.reason,
                                                  "d": f"{due.due_on:%Y-%m-%d}"}
        if due.talk is not None:
            text += _("，已于%(d)s谈话") % {"d": f"{timezone.localtime(due.talk.held_at):%Y-%m-%d}"}
        else:
            text += _("（未谈）")
        event = made.get(due.pk)
        on_time = event is not None and timezone.localdate(event.at) >= due.arose_on
        items.append(TimelineItem(when=event.at if on_time else due.arose_on, label=_("应谈事项（四必谈）"), text=text,
                                  url=reverse("cultivation:talk_list", args=[reserve.pk]),
                                  actor=str(event.actor) if event is not None and event.actor_id else ""))
    return items


def connect():
    RESERVE_WORKFLOW.add_effect("change_post", post_changed)
    RESERVE_WORKFLOW.add_effect("use_reserve", used)
    register_start_page(start_page)
    register_reserve_panel("cultivation/talk_panel.html", talk_panel)
    register_timeline_source(talk_timeline, covers=(talks.TalkEvent.TALK_RECORDED,))
    register_timeline_source(due_talk_timeline, covers=(talks.TalkEvent.TALK_DUE,))
