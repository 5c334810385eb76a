"""Writes on the reserve pool."""

import datetime

from .models import Reserve


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def create_reserve(nomination, actor, today):
    """Effect of confirm_reserve: the person enters the pool for the round's term, starting today."""
    Reserve.objects.create(
        person=nomination.person, nomination=nomination, round=nomination.round, village=nomination.village,
        start_date=today, term_end=_years_later(today, nomination.round.reserve_term_years) - datetime.timedelta(1),
    )
