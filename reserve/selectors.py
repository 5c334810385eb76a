"""Reads on the core, scoped to the acting user, and the scope declarations of the core's models."""

import datetime
import json
from dataclasses import dataclass

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


def _town_accounts(town_id) -> list[tuple[int, str]]:
    """(id, username) of the accounts of a town: bound to it directly or through a village or department."""
    return list(User.objects.filter(
        Q(town_id=town_id) | Q(village__town_id=town_id) | Q(department__town_id=town_id)
    ).values_list("pk", "username"))


def _audit_scope(user) -> list[Q] | None:
    """What an account may read of the audit log, as conditions each answered by an index: None — every entry (the
    audit administrator); else the entries of its town's accounts (user_id), and the failed sign-ins typed with one
    of their usernames (the partial index of failed sign-ins by username) — no condition for no entry. The accounts
    are read first, so that the log itself is never scanned through a subquery."""
    roles = roles_of(user)
    if AUDIT_ADMIN and AUDIT_ADMIN in roles:
        return None
    town_id = user_town_id(user) if Role.OFFICE in roles else None
    if town_id is None:
        return []
    accounts = getattr(user, "_town_accounts", None)  # read once per request object
    if accounts is None:
        accounts = user._town_accounts = _town_accounts(town_id)
    if not accounts:
        return []
    ids, usernames = zip(*accounts, strict=True)
    return [Q(user_id__in=ids),
            Q(user__isnull=True, action=AuditEntry.Action.LOGIN_FAILED, username__in=usernames)]


def _scoped(branches: list[Q] | None) -> QuerySet[AuditEntry]:
    if branches is None:
        return AuditEntry.objects.all()
    if not branches:
        return AuditEntry.objects.none()
    either = Q()
    for branch in branches:
        either |= branch
    return AuditEntry.objects.filter(either)


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """The audit entries an account may read: all for the audit administrator; for an office, those of its
    town's accounts."""
    return _scoped(_audit_scope(user))


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
    return _log_entries(_audit_scope(user), filters)


def _log_entries(scope: list[Q] | None, filters: dict) -> QuerySet[AuditEntry]:
    entries = filter_audit_entries(_scoped(scope), filters)
    return entries.select_related("user", "content_type").order_by("-at", "-id")


# --- the audit page: pages by position in the log, a bounded count --------------------------------------------------
#
# The log grows by millions of rows: a page is found from its neighbour's last (or first) entry — "older" and
# "newer" links carrying (time, id) of that entry — so that any page reads about as many index entries as the first
# (an offset would skip every newer entry of the scope, read one by one); and the count stops at AUDIT_COUNT_CAP
# ("more than …", the filters narrow it down), counted branch by branch of the scope on their own indexes.

AUDIT_COUNT_CAP = 10_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class AuditLogPage:
    entries: list  # the page's entries, newest first
    older: str  # the cursor of the next page towards older entries ("" at the end)
    newer: str  # the cursor of the page towards newer entries ("" on the first page)
    count: int  # the entries of the scope and the filters, up to `cap`
    more: bool  # more entries than `cap`
    cap: int  # AUDIT_COUNT_CAP


def audit_cursor(entry) -> str:
    """An entry's place in the log, for a link: <microseconds since 1970>-<id>."""
    return f"{(entry.at - _EPOCH) // datetime.timedelta(microseconds=1)}-{entry.pk}"


def _parse_cursor(raw) -> tuple[datetime.datetime, int] | None:
    """The (time, id) of a cursor from a query string; None for anything else (taken as no cursor)."""
    at, _, pk = (raw or "").strip().partition("-")
    if not (at.isascii() and at.isdigit() and len(at) <= 18 and parse_pk(pk)):
        return None
    return _EPOCH + datetime.timedelta(microseconds=int(at)), parse_pk(pk)


def _before(at, pk) -> Q:
    # at <= … first: the condition the index on the time answers; the rest puts entries of the same time in order.
    return Q(at__lte=at) & (Q(at__lt=at) | Q(at=at, pk__lt=pk))


def _after(at, pk) -> Q:
    return Q(at__gte=at) & (Q(at__gt=at) | Q(at=at, pk__gt=pk))


def _bounded_count(scope: list[Q] | None, filters: dict) -> int:
    """The entries of the scope and the filters, counted up to AUDIT_COUNT_CAP + 1: each branch of the scope on its
    own (they are disjoint), so that each is answered by its index."""
    total = 0
    for branch in [None] if scope is None else scope:
        entries = AuditEntry.objects.all() if branch is None else AuditEntry.objects.filter(branch)
        total += filter_audit_entries(entries, filters).order_by()[:AUDIT_COUNT_CAP + 1 - total].count()
        if total > AUDIT_COUNT_CAP:
            break
    return total


def audit_log_page(user, filters: dict, *, size: int, before="", after="") -> AuditLogPage:
    """A page of the audit log: the `size` entries older than the `before` cursor, or newer than the `after` one,
    or the newest; a cursor that does not parse is taken as none."""
    scope = _audit_scope(user)
    entries = _log_entries(scope, filters)
    older_than, newer_than = _parse_cursor(before), _parse_cursor(after)
    if newer_than and not older_than:
        found = list(entries.filter(_after(*newer_than)).order_by("at", "id")[:size + 1])
        has_newer, rows = len(found) > size, found[:size][::-1]
        has_older = True
    else:
        if older_than:
            entries = entries.filter(_before(*older_than))
        found = list(entries[:size + 1])
        rows, has_older, has_newer = found[:size], len(found) > size, bool(older_than)
    count = _bounded_count(scope, filters)
    return AuditLogPage(
        entries=rows, older=audit_cursor(rows[-1]) if rows and has_older else "",
        newer=audit_cursor(rows[0]) if rows and has_newer else "",
        count=min(count, AUDIT_COUNT_CAP), more=count > AUDIT_COUNT_CAP, cap=AUDIT_COUNT_CAP,
    )
