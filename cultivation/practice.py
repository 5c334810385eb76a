"""Practice (实践锻炼): tasks given to a reserve (交任务、压担子) and the meetings they attended (列席).

A task moves on the workflow engine:

given ──report_task──▶ reported ──evaluate_task──▶ evaluated
  │                       │
  └──cancel_task──────────┴──▶ cancelled   (with a reason)

Who acts (each within their scope: reserve.scope, cultivation.selectors):
- give a task: the office (its town's reserves), a unit's head and a village branch (their own reserves), the
  reserve's mentor (the reserves paired with them);
- report the result: the giver's side — the office, the unit, the village branch;
- evaluate (grade and comment): the reserve's mentor or the office;
- cancel (with a reason): the office, the unit, the village branch, the mentor.

Only active reserves (培养中) get new tasks. Every write is one durable transaction; every status change goes
through TASK_WORKFLOW, whose events (and the give's own, PracticeEvent) make the reserve's history.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reserve import events
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import typed_text
from reserve.workflow import Transition, Workflow, local_today
from training.models import TEXT_MAX, Reserve

from .models import Grade, MeetingAttendance, Task

TS = Task.Status
# The badge of each status on the pages (templates/cultivation/_practice_task_badge.html).
BADGES = {TS.GIVEN: "text-bg-primary", TS.REPORTED: "text-bg-info", TS.EVALUATED: "text-bg-success",
          TS.CANCELLED: "text-bg-secondary"}

GIVERS = (Role.OFFICE, Role.UNIT, Role.VILLAGE, Role.MENTOR)
REPORTERS = (Role.OFFICE, Role.UNIT, Role.VILLAGE)
EVALUATORS = (Role.OFFICE, Role.MENTOR)
MEETING_RECORDERS = (Role.OFFICE, Role.UNIT, Role.VILLAGE)
# Who may open a task's page or the reserve's practice records (the committee reads only).
READERS = (Role.OFFICE, Role.COMMITTEE, Role.UNIT, Role.VILLAGE, Role.MENTOR)
OVERDUE_READERS = (Role.OFFICE, Role.UNIT, Role.VILLAGE, Role.MENTOR)


class PracticeEvent(events.EventKind):
    """Events of practice recorded in place (the task's moves are TASK_WORKFLOW's)."""

    TASK_GIVEN = "task_given", _lazy("交办实践锻炼任务")
    MEETING = "meeting_attended", _lazy("列席会议")


events.register(PracticeEvent)

STALE = _lazy("这项任务已被他人更新，请刷新页面后再操作。")
TASK_ALREADY = _lazy("该任务已交办（同一名称、交办日期和完成期限的任务已有记录），不再重复交办。")
MEETING_ALREADY = _lazy("该次列席会议已记录（同一日期、同一会议），不再重复记录。")


def lock_task(actor, task_id) -> Task:
    """Lock a task in the actor's scope (inside a transaction); NotFound outside it."""
    assert transaction.get_connection().in_atomic_block, "lock_task needs a transaction"
    return Scope.for_user(actor).get(Task.objects.select_for_update(of=("self",)).select_related("reserve"), task_id)


TASK_WORKFLOW = Workflow(
    Task,
    (
        Transition(
            action="report_task",
            label=_lazy("报告完成情况"),
            target=TS.REPORTED,
            sources_by_role={role: (TS.GIVEN,) for role in REPORTERS},
            manual=False,  # taken from the task's page with the result and its date
            done=_lazy("已记录完成情况，下一步：引路人或党建办评价。"),
        ),
        Transition(
            action="evaluate_task",
            label=_lazy("评价"),
            target=TS.EVALUATED,
            sources_by_role={role: (TS.REPORTED,) for role in EVALUATORS},
            manual=False,  # taken from the task's page with the grade and the comment
            button="success",
            confirm=_lazy("评价提交后不能修改。确认提交评价？"),
            done=_lazy("已评价。"),
        ),
        Transition(
            action="cancel_task",
            label=_lazy("取消任务"),
            target=TS.CANCELLED,
            sources_by_role={role: (TS.GIVEN, TS.REPORTED) for role in GIVERS},
            needs_reason=True,
            button="outline-danger",
            confirm=_lazy("取消后该任务不再计入实践锻炼，且不能恢复。确认取消？"),
            done=_lazy("已取消该任务。"),
        ),
    ),
    lock=lock_task,
    version_field="version",
    stale_message=STALE,
)


# ----------------------------------------------------------------------------- rules (each: a message or None)


def rule_given_on(given_on: datetime.date, reserve: Reserve, today: datetime.date) -> str | None:
    if given_on > today:
        return _("交办日期不能晚于今天。")
    if given_on < reserve.start_date:
        return _("交办日期不能早于该同志入库日期（%(d)s）。") % {"d": cn_date(reserve.start_date)}
    return None


def rule_due_on(given_on: datetime.date, due_on: datetime.date) -> str | None:
    if due_on < given_on:
        return _("完成期限（%(d)s）早于交办日期（%(g)s）：任务不能在交办之前到期，请检查日期。") % {
            "d": cn_date(due_on), "g": cn_date(given_on)}
    return None


def rule_reported_on(task: Task, reported_on: datetime.date, today: datetime.date) -> str | None:
    if reported_on > today:
        return _("完成日期不能晚于今天。")
    if reported_on < task.given_on:
        return _("完成日期不能早于交办日期（%(d)s）。") % {"d": cn_date(task.given_on)}
    return None


def rule_meeting_date(date: datetime.date, reserve: Reserve, today: datetime.date) -> str | None:
    if date > today:
        return _("会议日期不能晚于今天。")
    if date < reserve.start_date:
        return _("会议日期不能早于该同志入库日期（%(d)s）。") % {"d": cn_date(reserve.start_date)}
    return None




def _active_reserve(scope: Scope, reserve_id, *, lock: bool = True) -> Reserve:
    qs = Reserve.objects.select_related("town")
    if lock:
        qs = qs.select_for_update(of=("self",))
    reserve = scope.get(qs, reserve_id)
    if reserve.status != Reserve.Status.ACTIVE:
        raise ActionRefused(_("该同志当前状态为“%(s)s”，只有培养中的后备干部才能交办任务或记录。") % {
            "s": reserve.get_status_display()})
    return reserve


# ----------------------------------------------------------------------------- services


def task_give(*, actor, reserve_id, title, content, given_by, given_on, due_on, today=None) -> Task:
    """Give a task to an active reserve in the actor's scope (NotFound outside it; NotAllowed for a role that never
    gives tasks)."""
    scope = Scope.for_user(actor)
    scope.require_role(*GIVERS)
    today = today or local_today()
    title = typed_text(title, _("任务名称"), limit=100)
    content = typed_text(content, _("任务内容和要求"), limit=TEXT_MAX)
    given_by = typed_text(given_by, _("交办人"), limit=60)
    if given_on is None or due_on is None:
        raise ActionRefused(_("请填写交办日期和完成期限。"))
    with transaction.atomic(durable=True):
        reserve = _active_reserve(scope, reserve_id)
        for problem in (rule_given_on(given_on, reserve, today), rule_due_on(given_on, due_on)):
            if problem:
                raise ActionRefused(problem)
        # A double submit gives the same task twice: it is given once (a cancelled one may be given again).
        if (Task.objects.filter(reserve=reserve, title=title, given_on=given_on, due_on=due_on)
                .exclude(status=TS.CANCELLED).exists()):
            raise ActionRefused(TASK_ALREADY)
        task = Task.objects.create(reserve=reserve, title=title, content=content, given_by=given_by,
                                   given_on=given_on, due_on=due_on, recorded_by=actor)
        record_event(task, action=PracticeEvent.TASK_GIVEN, actor=actor, to_status=TS.GIVEN,
                     data={"reserve": reserve.pk})
    return task


def task_report(*, actor, task_id, version, result, reported_on, today=None) -> Task:
    """Record the result of a task (the giver's side: office, unit, village branch)."""
    today = today or local_today()
    result = typed_text(result, _("完成情况"), limit=TEXT_MAX)
    if reported_on is None:
        raise ActionRefused(_("请填写完成日期。"))
    with transaction.atomic(durable=True):
        task = lock_task(actor, task_id)
        TASK_WORKFLOW.check(task, "report_task", actor=actor, today=today, version=version)
        problem = rule_reported_on(task, reported_on, today)
        if problem:
            raise ActionRefused(problem)
        task.result, task.reported_on = result, reported_on
        task.save(update_fields=["result", "reported_on"])
        TASK_WORKFLOW.apply(task, "report_task", actor=actor, today=today, version=version)
    return task


def task_evaluate(*, actor, task_id, version, grade, comment, today=None) -> Task:
    """Evaluate a reported task (the reserve's mentor, or the office)."""
    today = today or local_today()
    if grade not in Grade.values:
        raise ActionRefused(_("请选择评价等次。"))
    comment = typed_text(comment, _("评价意见"), limit=TEXT_MAX)
    with transaction.atomic(durable=True):
        task = lock_task(actor, task_id)
        TASK_WORKFLOW.check(task, "evaluate_task", actor=actor, today=today, version=version)
        task.grade, task.comment, task.evaluated_by, task.evaluated_on = grade, comment, actor, today
        task.save(update_fields=["grade", "comment", "evaluated_by", "evaluated_on"])
        TASK_WORKFLOW.apply(task, "evaluate_task", actor=actor, today=today, version=version,
                            data={"grade": grade})
    return task


def task_cancel(*, actor, task_id, version, reason, today=None) -> Task:
    return TASK_WORKFLOW.perform(actor=actor, pk=task_id, action="cancel_task", reason=reason, today=today,
                                 version=version)


def meeting_record(*, actor, reserve_id, date, meeting, note="", today=None) -> MeetingAttendance:
    """Record an important meeting an active reserve attended (列席): the office, the unit or the village branch."""
    scope = Scope.for_user(actor)
    scope.require_role(*MEETING_RECORDERS)
    today = today or local_today()
    meeting = typed_text(meeting, _("会议名称"), limit=100)
    note = typed_text(note, _("参与情况"), limit=TEXT_MAX, required=False)
    if date is None:
        raise ActionRefused(_("请填写会议日期。"))
    with transaction.atomic(durable=True):
        reserve = _active_reserve(scope, reserve_id)
        problem = rule_meeting_date(date, reserve, today)
        if problem:
            raise ActionRefused(problem)
        if MeetingAttendance.objects.filter(reserve=reserve, date=date, meeting=meeting).exists():
            raise ActionRefused(MEETING_ALREADY)
        attendance = MeetingAttendance.objects.create(reserve=reserve, date=date, meeting=meeting, note=note,
                                                      recorded_by=actor)
        record_event(reserve, action=PracticeEvent.MEETING, actor=actor,
                     data={"meeting": attendance.pk, "date": date.isoformat()})
    return attendance


# ----------------------------------------------------------------------------- selectors


def tasks_visible_to(user):
    return Scope.for_user(user).filter(Task.objects.select_related("reserve", "reserve__village", "reserve__unit"))


def task_for_user_or_404(user, pk) -> Task:
    """A task in the user's scope (NotFound otherwise, also for a garbage id)."""
    return Scope.for_user(user).get(
        Task.objects.select_related("reserve", "reserve__village", "reserve__unit", "reserve__mentor",
                                    "evaluated_by", "recorded_by"), pk)


def overdue_tasks(user, today=None):
    """The tasks in the user's scope still in progress after their due date, the longest overdue first."""
    today = today or local_today()
    return tasks_visible_to(user).filter(status=TS.GIVEN, due_on__lt=today).order_by("due_on", "id")


def tasks_of(reserve, user):
    """A reserve's tasks the user may see, by deadline (each task's reserve is this reserve object: no query)."""
    return (Scope.for_user(user).filter(reserve.tasks.all()).select_related("evaluated_by")
            .order_by("due_on", "id"))


def meetings_of(reserve, user):
    """The meetings a reserve attended that the user may see, oldest first."""
    return Scope.for_user(user).filter(reserve.meetings.all()).order_by("date", "id")


def tasks_seen_by(reserve, user) -> list[Task]:
    """tasks_of, read once per reserve object and user: its page's card, its history and its one-person file share
    the read."""
    from training.panels import read_once

    return read_once(reserve, ("tasks", user.pk), lambda: list(tasks_of(reserve, user)))


def meetings_seen_by(reserve, user) -> list[MeetingAttendance]:
    """meetings_of, oldest first, read once per reserve object and user (the card, the history, the file)."""
    from training.panels import read_once

    return read_once(reserve, ("meetings", user.pk), lambda: list(meetings_of(reserve, user)))


def reserve_for_practice(user, reserve_id) -> Reserve:
    """The reserve a task or a meeting is recorded for, in the user's scope (NotFound otherwise)."""
    return Scope.for_user(user).get(Reserve.objects.select_related("village", "unit", "town"), reserve_id)


def task_buttons(task, user, today=None) -> dict:
    """What this user may do on this task now: report, evaluate, cancel."""
    today = today or local_today()
    return {action: TASK_WORKFLOW.can(task, action, user, today=today)
            for action in ("report_task", "evaluate_task", "cancel_task")}
