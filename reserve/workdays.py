"""Working days (工作日) on the official calendar, with the town's own additions; periods of days.

One function decides whether a day is a working day; every period counted in working days (the
公示 period, deadlines) goes through `add_working_days`, and every period whose days may be counted
either way (a round's 公示: "5个工作日" or "7天") through `period_of`. The official holidays and adjusted working
days come from the maintained chinese-calendar package. For a year it has no data for yet, the
town's table and Monday–Friday are used, and the result says so — callers show that to the user.
"""

import datetime
from dataclasses import dataclass

import chinese_calendar
from django.utils.translation import gettext as _

from .choices import DayKind
from .models import CalendarDay


@dataclass
class Calendar:
    """The working-day calendar of one town, with its own entries loaded once."""

    overrides: dict[datetime.date, bool]

    @classmethod
    def for_town(cls, town, years=None) -> "Calendar":
        qs = CalendarDay.objects.filter(town=town)
        if years:
            qs = qs.filter(date__year__in=list(years))
        return cls(overrides={d.date: d.is_workday for d in qs})

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if not official_data_for(day.year):
            return day.weekday() < 5  # no official holidays known for this year: Monday–Friday
        return chinese_calendar.is_workday(day)

    def is_estimated(self, day: datetime.date) -> bool:
        """True when the answer for this day rests on Monday–Friday, not on any calendar."""
        return day not in self.overrides and not official_data_for(day.year)


def official_data_for(year: int) -> bool:
    """Whether the chinese-calendar package knows the official holidays of a year."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    days: int  # how many days of its kind it lasts
    unknown_years: tuple[int, ...]  # years counted without official holiday data
    kind: str = DayKind.WORKING

    @property
    def is_estimate(self) -> bool:
        return bool(self.unknown_years)

    @property
    def working_days(self) -> int:
        """The length of a period counted in working days (kept for the callers of add_working_days)."""
        return self.days

    @property
    def label(self) -> str:
        """Its length as a notice says it: "5个工作日", "7天"."""
        return days_label(self.days, self.kind)


def days_label(n: int, kind: str) -> str:
    """n days of a kind, as a notice or a page says it: "5个工作日" (working days), "7天" (calendar days)."""
    if kind == DayKind.CALENDAR:
        return _("%(n)d天") % {"n": n}
    return _("%(n)d个工作日") % {"n": n}


def add_working_days(start: datetime.date, n: int, *, town, calendar: Calendar | None = None) -> Period:
    """The period of n working days beginning on `start` (counted as the first day when it is a
    working day; otherwise the period begins on the next working day)."""
    if n < 1:
        raise ValueError("a period has at least one working day")
    if not 1900 <= start.year <= 9000:
        raise ValueError("a period must start between 1900 and 9000")
    calendar = calendar or Calendar.for_town(town, years={start.year, start.year + 1})
    unknown = set()
    day = start
    while not calendar.is_workday(day):
        if calendar.is_estimated(day):
            unknown.add(day.year)
        day += datetime.timedelta(days=1)
    first = day
    counted = 1
    while True:
        if calendar.is_estimated(day):
            unknown.add(day.year)
        if counted == n:
            break
        day += datetime.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return Period(start=first, end=day, days=n, unknown_years=tuple(sorted(unknown)))


def period_of(start: datetime.date, n: int, kind: str, *, town, calendar: Calendar | None = None) -> Period:
    """The period of n days of a kind (reserve.choices.DayKind) beginning on `start`.

    Working days: as add_working_days (a start on a day off begins on the next working day).
    Calendar days (自然日): every day counts, the start is the first day whatever the calendar says,
    and the period ends n − 1 days after it ("7天" from Monday 7 Dec: to Sunday 13 Dec).
    """
    if kind == DayKind.WORKING:
        return add_working_days(start, n, town=town, calendar=calendar)
    if kind != DayKind.CALENDAR:
        raise ValueError(f"unknown kind of day: {kind!r}")
    if n < 1:
        raise ValueError("a period has at least one day")
    if not 1900 <= start.year <= 9000:
        raise ValueError("a period must start between 1900 and 9000")
    return Period(start=start, end=start + datetime.timedelta(days=n - 1), days=n, unknown_years=(),
                  kind=DayKind.CALENDAR)


def is_workday(day: datetime.date, *, town) -> bool:
    return Calendar.for_town(town, years={day.year}).is_workday(day)
