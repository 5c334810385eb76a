"""Registrations of practice and training, connected from CultivationConfig.ready(): the card on a reserve's page
(tasks with their buttons, meetings attended, courses and training hours per year) and the entries of the
reserve's history (tasks given, reported, evaluated; meetings; enrolments)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reserve.scope import Scope
from reserve.workflow import local_today
from training.models import Reserve
from training.panels import TimelineItem, register_reserve_panel, register_timeline_source

from . import courses, practice

PANEL = "cultivation/_practice_panel.html"


def panel_context(reserve, user):
    """The practice card of a reserve's page for this user (None: a role that sees no practice records)."""
    scope = Scope.for_user(user)
    if not scope.has(*practice.READERS):
        return None
    today = local_today()
    active = reserve.status == Reserve.Status.ACTIVE
    # The reads the history and the one-person file share (practice.tasks_seen_by …).
    rows = [(task, practice.task_buttons(task, user, today)) for task in practice.tasks_seen_by(reserve, user)]
    enrolments = courses.enrolments_seen_by(reserve, user)
    return {
        "reserve": reserve, "task_rows": rows, "today": today,
        "meetings": practice.meetings_seen_by(reserve, user)[::-1],  # the latest first
        "enrolments": enrolments, "hours_by_year": courses.training_hours_by_year(reserve, enrolments),
        "can_give": active and scope.has(*practice.GIVERS) and scope.can_see(reserve, roles=set(practice.GIVERS)),
        "can_meet": active and scope.has(*practice.MEETING_RECORDERS)
        and scope.can_see(reserve, roles=set(practice.MEETING_RECORDERS)),
    }


def timeline(reserve, user) -> list[TimelineItem]:
    """Tasks (given, reported, evaluated), meetings attended and enrolments, as far as the user may see them."""
    if not Scope.for_user(user).has(*practice.READERS):
        return []
    items = []
    for task in practice.tasks_seen_by(reserve, user):
        url = reverse("cultivation:task_detail", args=[task.pk])
        items.append(TimelineItem(task.given_on, _("交办任务"), f"{task.title}（{task.given_by}）", url))
        if task.reported_on:
            items.append(TimelineItem(task.reported_on, _("报告完成情况"), task.title, url))
        if task.evaluated_on:
            items.append(TimelineItem(task.evaluated_on, _("任务评价"),
                                      f"{task.title}：{task.get_grade_display()}", url))
    for meeting in practice.meetings_seen_by(reserve, user):
        items.append(TimelineItem(meeting.date, _("列席会议"), meeting.meeting))
    for enrolment in courses.enrolments_seen_by(reserve, user):
        course = enrolment.course
        items.append(TimelineItem(course.start, _("学习培训"), f"{course.get_kind_display()}：{course.title}"))
    return items


def connect():
    register_reserve_panel(PANEL, panel_context)
    register_timeline_source(timeline, covers=(practice.PracticeEvent.MEETING,))
