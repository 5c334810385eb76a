"""Training (学习培训) in the talent plan's four forms (§四: 学习一批、选送一批、上派轮训一批、实习锻炼一批), the
reserves enrolled, their hours per year, and the rotation subsidy (§五(三)3: 派出单位按20元/工作日进行补贴；镇政府
保障其工作用餐).

The office records courses and postings for its own town and enrols its town's active reserves; it records each
enrolment's attendance, hours, result and grade. Every write is one durable transaction with an event.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reserve import events
from reserve.exceptions import ActionRefused, NotFound
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import typed_text
from reserve.workdays import Calendar
from reserve.workflow import local_today
from training.models import TEXT_MAX, Reserve
from training.services import pool_term_for

from .models import Course, Enrolment, Grade

Kind = Course.Kind
MAX_HOURS = Decimal("99999.9")
# How far from today a course may start or end (a typo such as 2062 is refused).
DATE_RANGE = datetime.timedelta(days=5 * 366)


class CourseEvent(events.EventKind):
    COURSE_CREATED = "course_created", _lazy("登记培训（轮训、实习）")
    ENROLLED = "course_enrolled", _lazy("参加培训（轮训、实习）")
    ATTENDANCE = "course_attendance", _lazy("记录参训情况")


events.register(CourseEvent)




def _hours(value, what) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        raise ActionRefused(_("%(w)s应为数字。") % {"w": what}) from None
    if not hours.is_finite() or hours < 0:
        raise ActionRefused(_("%(w)s不能为负数。") % {"w": what})
    if hours > MAX_HOURS:
        raise ActionRefused(_("%(w)s过大，请核对。") % {"w": what})
    return hours.quantize(Decimal("0.1"))


def rule_course_dates(start, end, today) -> str | None:
    if start is None or end is None:
        return _("请填写开始日期和结束日期。")
    if end < start:
        return _("结束日期早于开始日期：培训不能在开始之前结束，请检查日期。")
    if abs(start - today) > DATE_RANGE or abs(end - today) > DATE_RANGE:
        return _("开始、结束日期应在今天前后五年之内，请核对。")
    return None


def rule_hours_within_course(hours, course) -> str | None:
    """The hours attended cannot exceed the course's (when it has hours): a typo would inflate the hours a year."""
    if hours is not None and course.hours and hours > course.hours:
        return _("实际学时（%(h)s）不能超过本次培训的学时（%(c)s），请核对。") % {"h": hours, "c": course.hours}
    return None


# ----------------------------------------------------------------------------- services


def course_create(*, actor, kind, title, organiser, start, end, topic="", place="", hours=0, subsidy_per_day=None,
                  meals_provided=True, note="", today=None) -> Course:
    """The office records a course or posting of its town. A town class (学习一批) has a topic (理论/业务/实践); a
    rotation (上派轮训) has a subsidy per working day, by default the pool term's (rotation_subsidy_per_day) of the
    day it starts, and says whether the town provides the working meals."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    today = today or local_today()
    if kind not in Kind.values:
        raise ActionRefused(_("请选择培养方式。"))
    if kind == Kind.CLASS:
        if topic not in Course.Topic.values:
            raise ActionRefused(_("镇办培训班请选择培训类别（理论、业务或实践）。"))
    else:
        topic = ""
    title = typed_text(title, _("名称"), limit=100)
    organiser = typed_text(organiser, _("举办（接收）单位"), limit=100)
    place = typed_text(place, _("地点"), limit=100, required=False)
    note = typed_text(note, _("说明"), limit=TEXT_MAX, required=False)
    problem = rule_course_dates(start, end, today)
    if problem:
        raise ActionRefused(problem)
    hours = _hours(hours, _("学时")) or Decimal(0)
    if kind == Kind.ROTATION:
        subsidy = _hours(subsidy_per_day, _("补贴标准"))
    else:
        subsidy, meals_provided = None, False
    with transaction.atomic(durable=True):
        town = scope_town(scope)
        if kind == Kind.ROTATION and subsidy is None:
            subsidy = pool_term_for(town, start).rotation_subsidy_per_day
        course = Course.objects.create(
            town=town, kind=kind, topic=topic, title=title, organiser=organiser, start=start, end=end, place=place,
            hours=hours, subsidy_per_day=subsidy, meals_provided=bool(meals_provided), note=note, recorded_by=actor)
        record_event(course, action=CourseEvent.COURSE_CREATED, actor=actor, data={"kind": kind})
    return course


def scope_town(scope):
    from reserve.models import Town

    try:
        return Town.objects.get(pk=scope.town_id)
    except Town.DoesNotExist:
        raise NotFound from None


def course_enrol(*, actor, course_id, reserve_id, sending_unit="") -> Enrolment:
    """Enrol an active reserve of the course's own town (another town's reserve: NotFound); once per course."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    sending_unit = typed_text(sending_unit, _("派出单位"), limit=100, required=False)
    with transaction.atomic(durable=True):
        course = scope.get(Course.objects.select_for_update(of=("self",)), course_id)
        reserve = scope.get(Reserve.objects.select_related("village", "unit"), reserve_id, roles={Role.OFFICE})
        if reserve.town_id != course.town_id:
            raise NotFound
        if reserve.status != Reserve.Status.ACTIVE:
            raise ActionRefused(_("%(n)s当前状态为“%(s)s”，只有培养中的后备干部才能参加培训。") % {
                "n": reserve.name, "s": reserve.get_status_display()})
        if Enrolment.objects.filter(course=course, reserve=reserve).exists():
            raise ActionRefused(_("%(n)s已在本次培训的参训人员名单中，不能重复添加。") % {"n": reserve.name})
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(course=course, reserve=reserve,
                                                     sending_unit=sending_unit or reserve.unit_name,
                                                     recorded_by=actor)
        except IntegrityError:
            raise ActionRefused(_("%(n)s已在本次培训的参训人员名单中，不能重复添加。") % {"n": reserve.name}) from None
        record_event(enrolment, action=CourseEvent.ENROLLED, actor=actor,
                     data={"course": course.pk, "reserve": reserve.pk})
    return enrolment


def enrolment_record(*, actor, enrolment_id, attended, hours=None, result="", grade="", sending_unit=None) -> Enrolment:
    """The office records an enrolment's attendance, hours (blank: the course's), result and grade."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    hours = _hours(hours, _("实际学时"))
    result = typed_text(result, _("学习（轮训）成果"), limit=TEXT_MAX, required=False)
    if grade and grade not in Grade.values:
        raise ActionRefused(_("等次无效。"))
    with transaction.atomic(durable=True):
        enrolment = scope.get(Enrolment.objects.select_for_update(of=("self",)).select_related("course"),
                              enrolment_id, roles={Role.OFFICE})
        problem = rule_hours_within_course(hours, enrolment.course)
        if problem:
            raise ActionRefused(problem)
        enrolment.attended, enrolment.hours, enrolment.result, enrolment.grade = bool(attended), hours, result, grade
        fields = ["attended", "hours", "result", "grade"]
        if sending_unit is not None:
            enrolment.sending_unit = typed_text(sending_unit, _("派出单位"), limit=100, required=False)
            fields.append("sending_unit")
        enrolment.save(update_fields=fields)
        record_event(enrolment, action=CourseEvent.ATTENDANCE, actor=actor,
                     data={"attended": enrolment.attended, "hours": str(hours) if hours is not None else ""})
    return enrolment


# ----------------------------------------------------------------------------- selectors


def courses_visible_to(user, *, kind="", year=None):
    qs = Scope.for_user(user).filter(Course.objects.all())
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(start__year=year)
    return qs.order_by("-start", "-id")


def course_for_user_or_404(user, pk) -> Course:
    return Scope.for_user(user).get(Course.objects.select_related("town"), pk)


def enrolments_of_course(course):
    return course.enrolments.select_related("reserve", "reserve__village", "reserve__unit").order_by("id")


def enrolment_for_user_or_404(user, pk, *, roles=None) -> Enrolment:
    return Scope.for_user(user).get(
        Enrolment.objects.select_related("course", "course__town", "reserve", "reserve__village", "reserve__unit"), pk,
        roles=roles)


def enrolments_of(reserve, user):
    """A reserve's enrolments the user may see, with their courses, the latest course first."""
    return Scope.for_user(user).filter(reserve.enrolments.all()).select_related("course").order_by(
        "-course__start", "-id")


def enrolments_seen_by(reserve, user) -> list[Enrolment]:
    """enrolments_of (the latest course first), read once per reserve object and user: the practice card, the
    history and the one-person file share the read."""
    from training.panels import read_once

    return read_once(reserve, ("enrolments", user.pk), lambda: list(enrolments_of(reserve, user)))


def enrollable_reserves(course):
    """The active reserves of the course's town not yet enrolled in it (the office's choice)."""
    return (Reserve.objects.filter(town_id=course.town_id, status=Reserve.Status.ACTIVE)
            .exclude(enrolments__course=course).select_related("village", "unit").order_by("name", "id"))


def enrolment_hours(enrolment) -> Decimal:
    """The hours an enrolment counts: its own when recorded, else the course's; none when not attended."""
    if not enrolment.attended:
        return Decimal(0)
    return enrolment.hours if enrolment.hours is not None else enrolment.course.hours


def training_hours_by_year(reserve, enrolments=None) -> list[tuple[int, Decimal]]:
    """A reserve's training hours per year, the latest year first.

    The rule: each enrolment the reserve attended (attended=True) counts its own hours (Enrolment.hours) or, when
    those are blank, the course's hours (Course.hours); it counts in the calendar year of the course's start date
    (a course from 28 December to 3 January counts wholly in the first year). Enrolments not attended count
    nothing. `enrolments` (with their courses loaded) may be given to avoid a query.
    """
    if enrolments is None:
        enrolments = Enrolment.objects.filter(reserve=reserve).select_related("course")
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for enrolment in enrolments:
        if enrolment.attended:
            totals[enrolment.course.start.year] += enrolment_hours(enrolment)
    return sorted(totals.items(), reverse=True)


# ----------------------------------------------------------------------------- the rotation subsidy


@dataclass(frozen=True)
class MonthSubsidy:
    """The subsidy of one calendar month of a posting: its working days, rate and amount."""

    month: datetime.date  # the first day of the month
    first: datetime.date  # the posting's first day within the month
    last: datetime.date  # its last day within the month
    days: tuple[datetime.date, ...]  # the working days
    rate: Decimal
    unknown_years: tuple[int, ...]  # years counted Monday–Friday (no official calendar)

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def amount(self) -> Decimal:
        return (self.rate * self.count).quantize(Decimal("0.01"))

    @property
    def is_estimate(self) -> bool:
        return bool(self.unknown_years)


def calendar_warning(unknown_years) -> str:
    """The warning shown when working days rest on Monday–Friday (the same as the 公示's, publicity.services
    .calendar_note, in the words of a subsidy)."""
    if not unknown_years:
        return ""
    years = "、".join(str(y) for y in unknown_years)
    return _("系统尚无%(y)s年的国家法定节假日安排，工作日按周一至周五及本镇维护的节假日调整计算，请核对。") % {"y": years}


def subsidy_refusal(enrolment) -> str:
    """Why no subsidy is paid for this posting ("" when it is): only a posting attended (attended=True) is paid;
    an attendance not yet recorded must be recorded first."""
    if enrolment.attended is None:
        return _("参加情况未记录：请先记录该同志的参训情况（已参加），再出具补贴发放表。")
    if not enrolment.attended:
        return _("该同志未参加本次上派轮训，不发放补贴。")
    return ""


def rotation_months(enrolment, calendar: Calendar | None = None) -> list[MonthSubsidy]:
    """The working days of a rotation posting (上派轮训) in each calendar month it covers, on the official calendar
    with the town's own CalendarDay entries (reserve.workdays.Calendar), × the course's subsidy per working day.

    A year the official calendar does not know is counted Monday–Friday (with the town's entries) and reported in
    `unknown_years` (calendar_warning says so). Not a rotation, or a posting not attended (or its attendance not
    recorded, subsidy_refusal): no months."""
    course = enrolment.course
    if course.kind != Kind.ROTATION or subsidy_refusal(enrolment):
        return []
    rate = course.subsidy_per_day or Decimal(0)
    calendar = calendar or Calendar.for_town(course.town_id, years=range(course.start.year, course.end.year + 1))
    months = []
    first = course.start
    while first <= course.end:
        month_end = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        last = min(month_end, course.end)
        days, unknown = [], set()
        day = first
        while day <= last:
            if calendar.is_workday(day):
                days.append(day)
            if calendar.is_estimated(day):
                unknown.add(day.year)
            day += datetime.timedelta(days=1)
        months.append(MonthSubsidy(month=first.replace(day=1), first=first, last=last, days=tuple(days), rate=rate,
                                   unknown_years=tuple(sorted(unknown))))
        first = month_end + datetime.timedelta(days=1)
    return months


def rotation_month(enrolment, year: int, month: int) -> MonthSubsidy:
    """One month of a posting (NotFound for a month it does not cover, or a course that is not a rotation)."""
    for item in rotation_months(enrolment):
        if (item.month.year, item.month.month) == (year, month):
            return item
    raise NotFound

