"""Date rules shared by the eligibility and quota checks."""

import datetime


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Age in full years (周岁) on a day.

    The age rises on the birthday itself. Someone born on 29 February turns a year older on
    1 March in common years.
    """
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
