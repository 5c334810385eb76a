"""Working days (reserve.workdays) against the official 2026 calendar, the town's own entries, and a
year the chinese-calendar package has no data for yet (Monday–Friday, said so in unknown_years)."""

import datetime

import chinese_calendar
import pytest

from reserve.models import CalendarDay
from reserve.workdays import Calendar, add_working_days, is_workday

D = datetime.date
YEAR_2026 = [D(2026, 1, 1) + datetime.timedelta(days=i) for i in range(365)]


def period(town, start, n):
    p = add_working_days(start, n, town=town)
    return p.start, p.end, p.unknown_years


# --------------------------------------------------------------------------- the official calendar

@pytest.mark.parametrize("start, n, first, end", [
    # The example: Tue 29 Sep + 5 → 29, 30 Sep, 8, 9 Oct and Sat 10 Oct (adjusted working day).
    (D(2026, 9, 29), 5, D(2026, 9, 29), D(2026, 10, 10)),
    # A start on a holiday begins on the next working day.
    (D(2026, 10, 1), 5, D(2026, 10, 8), D(2026, 10, 13)),
    (D(2026, 10, 4), 1, D(2026, 10, 8), D(2026, 10, 8)),
    # Mid-Autumn (25–27 Sep) then National Day; Sun 20 Sep is an adjusted working day.
    (D(2026, 9, 19), 3, D(2026, 9, 20), D(2026, 9, 22)),
    (D(2026, 9, 24), 3, D(2026, 9, 24), D(2026, 9, 29)),
    # Spring Festival 2026: Sat 14 Feb works, 15–23 Feb off, Sat 28 Feb works.
    (D(2026, 2, 13), 3, D(2026, 2, 13), D(2026, 2, 24)),
    (D(2026, 2, 15), 1, D(2026, 2, 24), D(2026, 2, 24)),
    (D(2026, 2, 26), 3, D(2026, 2, 26), D(2026, 2, 28)),
    # New Year 2026: 1–3 Jan off, Sun 4 Jan works.
    (D(2025, 12, 31), 2, D(2025, 12, 31), D(2026, 1, 4)),
    # Ordinary weeks.
    (D(2026, 11, 2), 5, D(2026, 11, 2), D(2026, 11, 6)),
    (D(2026, 11, 6), 5, D(2026, 11, 6), D(2026, 11, 12)),
    (D(2026, 11, 7), 5, D(2026, 11, 9), D(2026, 11, 13)),
])
def test_periods_on_the_official_calendar(town, start, n, first, end):
    assert period(town, start, n) == (first, end, ())


def test_the_period_says_how_many_working_days(town):
    p = add_working_days(D(2026, 9, 29), 5, town=town)
    assert p.working_days == p.days == 5 and not p.is_estimate


def test_zero_working_days_is_refused(town):
    with pytest.raises(ValueError):
        add_working_days(D(2026, 9, 29), 0, town=town)


def test_spring_festival_2026_as_the_package_has_it(town):
    """The Spring Festival days off and adjusted working days, looked up in the package."""
    festival = [(d, *chinese_calendar.get_holiday_detail(d)) for d in YEAR_2026]
    days_off = [d for d, on_holiday, name in festival if on_holiday and name == chinese_calendar.Holiday.spring_festival.value]
    worked = [d for d, on_holiday, name in festival
              if not on_holiday and name == chinese_calendar.Holiday.spring_festival.value]
    assert days_off == [D(2026, 2, d) for d in range(15, 24)]
    assert worked == [D(2026, 2, 14), D(2026, 2, 28)]
    for day in days_off:
        assert not is_workday(day, town=town)
    for day in worked:
        assert day.weekday() == 5 and is_workday(day, town=town)


def test_every_day_of_2026_agrees_with_the_package(town):
    calendar = Calendar.for_town(town, years={2026})
    disagree = [d for d in YEAR_2026 if calendar.is_workday(d) != chinese_calendar.is_workday(d)]
    assert disagree == []
    # Counting through most of the year rests on official data only.
    assert add_working_days(D(2026, 1, 1), 240, town=town).unknown_years == ()
    # The one-day function too (it reads the town's table each time).
    assert [d for d in YEAR_2026 if is_workday(d, town=town) != chinese_calendar.is_workday(d)] == []


def test_every_adjusted_working_day_of_2026_is_a_weekend_day_the_calculator_counts(town):
    adjusted = [d for d in YEAR_2026 if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    assert adjusted == [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                        D(2026, 10, 10)]
    for day in adjusted:
        assert add_working_days(day, 1, town=town).end == day


# --------------------------------------------------------------------------- the town's own entries

def test_a_towns_extra_holiday_wins_over_the_package(town):
    CalendarDay.objects.create(town=town, date=D(2026, 10, 10), is_workday=False, note="本镇不调休")
    assert period(town, D(2026, 9, 29), 5) == (D(2026, 9, 29), D(2026, 10, 12), ())
    assert not is_workday(D(2026, 10, 10), town=town)


def test_a_towns_extra_working_day_wins_over_the_package(town):
    CalendarDay.objects.create(town=town, date=D(2026, 10, 7), is_workday=True, note="值班")
    assert period(town, D(2026, 9, 29), 5) == (D(2026, 9, 29), D(2026, 10, 9), ())
    assert period(town, D(2026, 10, 1), 1) == (D(2026, 10, 7), D(2026, 10, 7), ())


def test_a_towns_entries_do_not_touch_another_town(town, other_town):
    CalendarDay.objects.create(town=other_town, date=D(2026, 10, 10), is_workday=False)
    assert period(town, D(2026, 9, 29), 5)[1] == D(2026, 10, 10)
    assert period(other_town, D(2026, 9, 29), 5)[1] == D(2026, 10, 12)


# --------------------------------------------------------------------------- a year without official data

def test_the_package_has_no_data_for_2031():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2031, 3, 3))


def test_2031_falls_back_to_monday_to_friday_and_says_so(town):
    # Mon 6 Jan 2031 + 5 → Fri 10 Jan; Thu 9 Jan + 3 → Mon 13 Jan (the weekend skipped).
    assert period(town, D(2031, 1, 6), 5) == (D(2031, 1, 6), D(2031, 1, 10), (2031,))
    assert period(town, D(2031, 1, 9), 3) == (D(2031, 1, 9), D(2031, 1, 13), (2031,))
    assert period(town, D(2031, 1, 11), 1) == (D(2031, 1, 13), D(2031, 1, 13), (2031,))
    assert add_working_days(D(2031, 1, 6), 5, town=town).is_estimate


def test_2031_respects_the_towns_entries(town):
    CalendarDay.objects.create(town=town, date=D(2031, 1, 1), is_workday=False, note="元旦")
    CalendarDay.objects.create(town=town, date=D(2031, 1, 2), is_workday=False, note="元旦调休")
    CalendarDay.objects.create(town=town, date=D(2031, 1, 4), is_workday=True, note="调休上班")
    # Wed 1 and Thu 2 off, Fri 3 works, Sat 4 works (the town says so), Sun 5 off, Mon 6 works.
    assert period(town, D(2031, 1, 1), 3) == (D(2031, 1, 3), D(2031, 1, 6), (2031,))


def test_a_period_from_a_known_into_an_unknown_year_reports_the_unknown_year(town):
    # 28–31 Dec 2026 (Mon–Thu) are official working days; 2027 is not in the package yet, so Fri
    # 1 Jan 2027 counts as Monday–Friday would (the town did not enter its New Year holiday).
    p = add_working_days(D(2026, 12, 28), 6, town=town)
    assert (p.start, p.end, p.unknown_years) == (D(2026, 12, 28), D(2027, 1, 4), (2027,))
    assert p.is_estimate
    # With the town's New Year holiday entered, it is respected — still reported as an estimate.
    CalendarDay.objects.create(town=town, date=D(2027, 1, 1), is_workday=False, note="元旦")
    p = add_working_days(D(2026, 12, 28), 6, town=town)
    assert (p.end, p.unknown_years) == (D(2027, 1, 5), (2027,))


def test_a_period_inside_a_known_year_is_not_an_estimate_even_after_an_unknown_one_was_seen(town):
    """Each period starts a fresh calendar: a warning for one period never sticks to the next."""
    assert add_working_days(D(2031, 1, 6), 5, town=town).unknown_years == (2031,)
    assert add_working_days(D(2026, 9, 29), 5, town=town).unknown_years == ()
