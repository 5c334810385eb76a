"""Age in full years (周岁) on a day: reserve.dates.age_on."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve.dates import age_on
from tests.helpers import examples

D = datetime.date


@pytest.mark.parametrize(
    "birth, on, age",
    [
        # an ordinary birthday
        (D(1990, 6, 15), D(2025, 6, 14), 34),  # the day before the 35th birthday
        (D(1990, 6, 15), D(2025, 6, 15), 35),  # the birthday itself: a year older
        (D(1990, 6, 15), D(2025, 6, 16), 35),
        (D(1990, 6, 15), D(2026, 6, 14), 35),  # last day at 35
        (D(1990, 6, 15), D(2026, 6, 15), 36),
        (D(1990, 6, 15), D(1990, 6, 15), 0),  # the day of birth
        (D(1990, 6, 15), D(1991, 6, 14), 0),
        (D(1990, 6, 15), D(1991, 6, 15), 1),
        # month boundary: earlier month / later day and later month / earlier day
        (D(1990, 6, 15), D(2025, 5, 31), 34),
        (D(1990, 6, 15), D(2025, 7, 1), 35),
        # year boundary
        (D(1990, 12, 31), D(2025, 12, 30), 34),
        (D(1990, 12, 31), D(2025, 12, 31), 35),
        (D(1990, 12, 31), D(2026, 1, 1), 35),
        (D(1991, 1, 1), D(2025, 12, 31), 34),
        (D(1991, 1, 1), D(2026, 1, 1), 35),
        # 29 February births
        (D(2000, 2, 29), D(2001, 2, 28), 0),  # common year: not yet on 28 February
        (D(2000, 2, 29), D(2001, 3, 1), 1),  # common year: a year older on 1 March
        (D(2000, 2, 29), D(2004, 2, 28), 3),  # leap year: the day before
        (D(2000, 2, 29), D(2004, 2, 29), 4),  # leap year: the birthday itself
        (D(2000, 2, 29), D(2004, 3, 1), 4),
        (D(1988, 2, 29), D(2023, 2, 28), 34),
        (D(1988, 2, 29), D(2023, 3, 1), 35),
        (D(1988, 2, 29), D(2024, 2, 28), 35),
        (D(1988, 2, 29), D(2024, 2, 29), 36),
        # a 28 February birth in a leap year is a year older on 28 February, not on the 29th
        (D(1988, 2, 28), D(2024, 2, 27), 35),
        (D(1988, 2, 28), D(2024, 2, 28), 36),
        # a 1 March birth
        (D(1988, 3, 1), D(2024, 2, 29), 35),
        (D(1988, 3, 1), D(2024, 3, 1), 36),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


@settings(max_examples=examples(300), deadline=None)
@given(
    st.dates(min_value=D(1900, 1, 1), max_value=D(2020, 12, 31)),
    st.integers(min_value=0, max_value=80),
)
def test_age_rises_on_the_birthday(birth, years):
    """Age is `years` from the birthday (1 March for 29 February in a common year) to the day before the next."""
    try:
        birthday = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        birthday = D(birth.year + years, 3, 1)
    assert age_on(birth, birthday) == years
    assert age_on(birth, birthday - datetime.timedelta(days=1)) == years - 1


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""),
    (datetime.date(2026, 1, 5), "1月5日"),
    (datetime.date(2026, 12, 31), "12月31日"),
    # A moment on the town's clock (Asia/Shanghai, UTC+8): 20:00 UTC on 31 December is 1 January there.
    (datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.UTC), "1月1日"),
    (datetime.datetime(2026, 12, 31, 15, 59, tzinfo=datetime.UTC), "12月31日"),
])
def test_a_day_without_its_year(value, shown):
    from reserve.dates import cn_month_day

    assert cn_month_day(value) == shown
