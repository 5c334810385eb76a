"""Reads on the shared pieces, scoped to the acting user. The one place that decides scope."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Round, Village
from .roles import BUSINESS_ROLES, Role, roles_of


def villages_visible_to(user) -> QuerySet[Village]:
    roles = roles_of(user)
    if roles & {Role.OFFICE, Role.COMMITTEE} and user.town_id:
        return Village.objects.filter(town_id=user.town_id)
    if Role.VILLAGE in roles and user.village_id:
        return Village.objects.filter(pk=user.village_id)
    return Village.objects.none()


def get_village_for_user_or_404(user, pk) -> Village:
    return get_object_or_404(villages_visible_to(user).select_related("town"), pk=pk)


def rounds_visible_to(user) -> QuerySet[Round]:
    """Rounds of the user's town, for every role of the selection bound to the town or one of its units
    (not for the administrators, who see no selection data)."""
    town_id = user_town_id(user) if roles_of(user) & BUSINESS_ROLES else None
    if town_id is None:
        return Round.objects.none()
    return Round.objects.filter(town_id=town_id)


def parse_pk(raw) -> int | None:
    """An object id from a query string or form field: ASCII digits only (str.isdigit admits '²')."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def get_round_for_user_or_404(user, pk) -> Round:
    return get_object_or_404(rounds_visible_to(user), pk=pk)


def user_town_id(user):
    if not roles_of(user):
        return None
    if user.town_id:
        return user.town_id
    if user.village_id:
        return user.village.town_id
    if user.department_id:
        return user.department.town_id
    return None


def current_round(user) -> Round | None:
    """The open round of the user's town whose year is the latest."""
    return rounds_visible_to(user).filter(status=Round.Status.OPEN).order_by("-year", "-id").first()
