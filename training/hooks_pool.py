"""Registrations of this part of the pool, connected from TrainingConfig.ready(): the quota's count of a
village's places (candidates), the page of a confirmed nomination's reserve (an objection's refusal points to it)
and the unit account's start page."""


def unit_start_page(user):
    """A unit's head (Role.UNIT) starts at the pool list of the unit's reserves."""
    from django.urls import reverse

    from reserve.roles import Role, has_role

    return reverse("training:pool_list") if has_role(user, Role.UNIT) else None


def nomination_pool_page(nomination) -> str:
    from .selectors import reserve_for_nomination

    reserve = reserve_for_nomination(nomination)
    return reserve.get_absolute_url() if reserve is not None else ""


def connect():
    from candidates.panels import register_pool_page
    from candidates.quota import register_pool_counter
    from reserve.home import register_start_page

    from .selectors import village_pool_counts

    register_pool_counter(village_pool_counts)
    register_pool_page(nomination_pool_page)
    register_start_page(unit_start_page)
