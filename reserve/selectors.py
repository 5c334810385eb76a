"""Reads on the core, scoped to the acting user, and the scope declarations of the core's models."""

import datetime
import json

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry, CalendarDay, Department, Town, Unit, User, Village, VillageCadre
from .roles import Role, roles_of
from .scope import Scope, declare

declare(Town, {Role.OFFICE: ("", "town_id"), Role.COMMITTEE: ("", "town_id")})
declare(Village, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: ""})
declare(VillageCadre, {Role.OFFICE: "village__town", Role.COMMITTEE: "village__town", Role.VILLAGE: "village"})
declare(Department, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.DEPARTMENT: ""})
declare(Unit, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.UNIT: ""})
declare(CalendarDay, {Role.OFFICE: "town"})
# The accounts of a town (for the office's audit log): bound to it directly or through a village, department or unit.
declare(User, {Role.OFFICE: ["town", "village__town", "department__town", "unit__town"]})


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


def villages_with_ids(user, ids) -> QuerySet[Village]:
    """The villages among these ids that the user may see."""
    return villages_visible_to(user).filter(pk__in=list(ids))


def visible_village_or_none(user, raw_pk) -> Village | None:
    """The village a query string names (`raw_pk`), if the user may see it; else None (no error)."""
    pk = parse_pk(raw_pk)
    return villages_visible_to(user).filter(pk=pk).first() if pk else None


def calendar_days_of(user) -> QuerySet[CalendarDay]:
    """The working-day adjustments of the user's town (the office maintains them)."""
    return Scope.for_user(user).filter(CalendarDay)


# --- the audit log --------------------------------------------------------------------------------

AUDIT_ADMIN = getattr(Role, "AUDIT_ADMIN", None)  # the audit administrator, where that role is defined


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """The audit entries an account may read: all for the audit administrator; for an office, those of its
    town's accounts."""
    roles = roles_of(user)
    if AUDIT_ADMIN and AUDIT_ADMIN in roles:
        return AuditEntry.objects.all()
    if Role.OFFICE not in roles:
        return AuditEntry.objects.none()
    town_id = user_town_id(user)
    if town_id is None:
        return AuditEntry.objects.none()
    town_users = User.objects.filter(
        Q(town_id=town_id) | Q(village__town_id=town_id) | Q(department__town_id=town_id)
    )
    return AuditEntry.objects.filter(
        Q(user_id__in=town_users.values("pk"))
        | Q(user__isnull=True, action=AuditEntry.Action.LOGIN_FAILED, username__in=town_users.values("username"))
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_audit_entries(entries, data: dict) -> QuerySet[AuditEntry]:
    if person := (data.get("person") or "").strip():
        match = Q(object_repr__icontains=person) | Q(detail__icontains=person)
        escaped = json.dumps(person)[1:-1]  # SQLite keeps JSON text with non-ASCII escaped (\u5f20)
        if escaped != person:
            match |= Q(detail__icontains=escaped)
        entries = entries.filter(match)
    if name := (data.get("user") or "").strip():
        entries = entries.filter(Q(username__icontains=name) | Q(user__full_name__icontains=name))
    if data.get("date_from"):
        entries = entries.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    return entries


def audit_log_entries(user, filters: dict) -> QuerySet[AuditEntry]:
    """The entries of the audit page: those the user may read, filtered, newest first."""
    entries = filter_audit_entries(audit_entries_visible_to(user), filters)
    return entries.select_related("user", "content_type").order_by("-at", "-id")
