"""The one function for "the period of n days of a kind from a start" (reserve.workdays.period_of): working
days on the official calendar and the town's table, or calendar days (自然日), every day counted."""

import datetime

import pytest

from reserve.choices import DayKind
from reserve.models import CalendarDay
from reserve.workdays import add_working_days, days_label, period_of

D = datetime.date
W, C = DayKind.WORKING, DayKind.CALENDAR


@pytest.mark.parametrize("start, n, kind, first, end, unknown", [
    # Working days: the official calendar (Tue 29 Sep 2026 + 5 → Sat 10 Oct, an adjusted working day).
    (D(2026, 9, 29), 5, W, D(2026, 9, 29), D(2026, 10, 10), ()),
    # Calendar days: the same start, 5 days → 3 Oct, the National Day holiday counted like any day.
    (D(2026, 9, 29), 5, C, D(2026, 9, 29), D(2026, 10, 3), ()),
    # A start on a holiday: working days begin after it, calendar days begin on it.
    (D(2026, 10, 1), 5, W, D(2026, 10, 8), D(2026, 10, 13), ()),
    (D(2026, 10, 1), 7, C, D(2026, 10, 1), D(2026, 10, 7), ()),
    # "7天" from Monday 7 Dec 2026: to Sunday 13 Dec; from a Saturday: to the next Friday.
    (D(2026, 12, 7), 7, C, D(2026, 12, 7), D(2026, 12, 13), ()),
    (D(2026, 12, 5), 7, C, D(2026, 12, 5), D(2026, 12, 11), ()),
    # One day is the start itself.
    (D(2026, 12, 5), 1, C, D(2026, 12, 5), D(2026, 12, 5), ()),
    (D(2026, 12, 5), 1, W, D(2026, 12, 7), D(2026, 12, 7), ()),
    # Across the end of a year and into one the calendar package does not know: no estimate for calendar days.
    (D(2026, 12, 28), 6, C, D(2026, 12, 28), D(2027, 1, 2), ()),
    (D(2026, 12, 28), 6, W, D(2026, 12, 28), D(2027, 1, 4), (2027,)),
    (D(2028, 2, 25), 7, C, D(2028, 2, 25), D(2028, 3, 2), ()),  # 29 Feb 2028 counted
])
def test_the_period_of_n_days_of_a_kind(town, start, n, kind, first, end, unknown):
    p = period_of(start, n, kind, town=town)
    assert (p.start, p.end, p.unknown_years, p.days, p.kind) == (first, end, unknown, n, kind)


def test_working_days_are_the_same_as_add_working_days(town):
    CalendarDay.objects.create(town=town, date=D(2026, 10, 10), is_workday=False, note="本镇不调休")
    for start in (D(2026, 9, 29), D(2026, 10, 1), D(2026, 12, 28)):
        assert period_of(start, 5, W, town=town) == add_working_days(start, 5, town=town)


def test_calendar_days_ignore_the_towns_table(town):
    CalendarDay.objects.create(town=town, date=D(2026, 12, 8), is_workday=False, note="镇庙会放假")
    assert period_of(D(2026, 12, 7), 7, C, town=town).end == D(2026, 12, 13)
    assert period_of(D(2026, 12, 7), 5, W, town=town).end == D(2026, 12, 14)


@pytest.mark.parametrize("n, kind, text", [(5, W, "5个工作日"), (7, C, "7天"), (1, C, "1天"), (10, W, "10个工作日")])
def test_the_label_of_a_period(town, n, kind, text):
    assert days_label(n, kind) == text
    assert period_of(D(2026, 12, 7), n, kind, town=town).label == text


@pytest.mark.parametrize("start, n, kind", [
    (D(2026, 12, 7), 0, C), (D(2026, 12, 7), 0, W), (D(2026, 12, 7), 5, "fortnight"), (D(9999, 12, 30), 7, C),
])
def test_nonsense_is_refused(town, start, n, kind):
    with pytest.raises(ValueError):
        period_of(start, n, kind, town=town)
