"""Reads on the shared pieces, scoped to the acting user. The one place that decides scope."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Village
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


def parse_pk(raw) -> int | None:
    """An object id from a query string or form field: ASCII digits only (str.isdigit admits '²')."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


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
