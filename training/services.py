"""Writes on the reserve pool."""

import datetime

from django.utils.translation import gettext as _

from .models import PoolTerm, Reserve, Tier


def years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_end_for(start: datetime.date, years: int) -> datetime.date:
    """The last day of a term of `years` starting on `start` (两年一届: 2026-12-06 → 2028-12-05)."""
    return years_later(start, years) - datetime.timedelta(days=1)


def pool_term_for(town, day: datetime.date) -> PoolTerm:
    """The town's pool term in force on `day` (the latest started on or before it); a town without one gets its
    first, with the plan's defaults, starting that month (the office then sets its targets)."""
    term = PoolTerm.objects.filter(town=town, start__lte=day).order_by("-start", "-id").first()
    if term is None:
        term = PoolTerm.objects.filter(town=town).order_by("start", "id").first()
    if term is None:
        term = PoolTerm.objects.create(town=town, name=_("%(y)d年起后备干部人才库") % {"y": day.year},
                                       start=day.replace(day=1))
    return term


def create_reserve(nomination, actor, today):
    """Effect of confirm_reserve: the person enters the pool as a village reserve cadre, for the pool term's term
    length, starting today, with the facts of the 自荐表."""
    town = nomination.round.town
    term = pool_term_for(town, today)
    person = nomination.person
    Reserve.objects.create(
        town=town, term=term, person=person, name=nomination.name, tier=Tier.VILLAGE,
        village=nomination.village, source=Reserve.Source.SELECTION, nomination=nomination, round=nomination.round,
        gender=person.gender, birth_date=person.birth_date, political_status=nomination.political_status,
        party_join_date=nomination.party_join_date, fulltime_education=nomination.fulltime_education,
        education=max(nomination.fulltime_education or 0, nomination.inservice_education or 0) or None,
        post=nomination.work_unit_post, phone=nomination.phone, speciality=nomination.speciality,
        meets_conditions=nomination.is_eligible,
        start_date=today, term_start=today, term_end=term_end_for(today, term.term_years),
    )
