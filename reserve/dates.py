"""Date rules shared by the eligibility and quota checks, and the one Chinese way of writing a date
(the templates' |cn_date and |cn_month filters, reserve.templatetags.reserve_tags, write the same)."""

import datetime


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Age in full years (周岁) on a day.

    The age rises on the birthday itself. Someone born on 29 February turns a year older on
    1 March in common years.
    """
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (earlier when negative); 28 February for a 29 February the target year lacks."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February)."""
    return add_years(day, -years)


def cn_date(day: datetime.date | None) -> str:
    """A date as written in Chinese documents: 2026年12月1日 (no leading zeros); "" for no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_month(day: datetime.date | None) -> str:
    """A month as written in Chinese documents: 2026年12月; "" for no date."""
    return f"{day.year}年{day.month}月" if day else ""


def cn_month_day(value: datetime.date | datetime.datetime | None) -> str:
    """A day without its year, as the ledger's cells write it: 12月1日 (no leading zeros; a moment on the town's
    clock); "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    return f"{value.month}月{value.day}日"


def iso(day: datetime.date | None) -> str:
    """A date as the events' data and the messages write it (2026-12-07), or "" for none."""
    return f"{day:%Y-%m-%d}" if day else ""


def checked_day(day, what, today: datetime.date, *, not_before: datetime.date | None = None,
                not_before_what: str = "", earliest: datetime.date | None = None) -> datetime.date:
    """A date a service takes: given, a day that has come, not before `earliest` nor before the step it depends on
    (`not_before`, named `not_before_what`). ActionRefused with a Chinese message naming the field (`what`)."""
    from django.utils.translation import gettext as _

    from .exceptions import ActionRefused

    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ActionRefused(_("请填写%(w)s。") % {"w": what})
    if day > today:
        raise ActionRefused(_("%(w)s不能晚于今天。") % {"w": what})
    if earliest and day < earliest:
        raise ActionRefused(_("%(w)s不能早于%(d)s。") % {"w": what, "d": iso(earliest)})
    if not_before and day < not_before:
        raise ActionRefused(_("%(w)s不能早于%(b)s（%(d)s）。") % {"w": what, "b": not_before_what,
                                                                 "d": iso(not_before)})
    return day
