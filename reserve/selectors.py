"""Reads on the core, scoped to the acting user, and the scope declarations of the core's models."""

from django.db.models import QuerySet

from .models import CalendarDay, Department, Town, User, Village, VillageCadre
from .roles import Role
from .scope import Scope, declare

declare(Town, {Role.OFFICE: ("", "town_id"), Role.COMMITTEE: ("", "town_id")})
declare(Village, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: ""})
declare(VillageCadre, {Role.OFFICE: "village__town", Role.COMMITTEE: "village__town", Role.VILLAGE: "village"})
declare(Department, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.DEPARTMENT: ""})
declare(CalendarDay, {Role.OFFICE: "town"})
# The accounts of a town (for the office's audit log): bound to it directly or through a village or department.
declare(User, {Role.OFFICE: ["town", "village__town", "department__town"]})


def villages_visible_to(user) -> QuerySet[Village]:
    return Scope.for_user(user).filter(Village)


def get_village_for_user_or_404(user, pk) -> Village:
    return Scope.for_user(user).get(Village.objects.select_related("town"), pk)


def parse_pk(raw) -> int | None:
    """An object id from a query string or form field: ASCII digits only (str.isdigit admits '²')."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def user_town_id(user):
    """The town of an account with a role: its own, or its village's or department's."""
    return Scope.for_user(user).town_id
