"""Scoped reads of the reserve pool, and the scope declarations of its models."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DateField, F, Func, Q, QuerySet, Value

from reserve import events as event_kinds
from reserve.choices import PoliticalStatus
from reserve.dates import years_before
from reserve.exceptions import NotFound
from reserve.models import Event, Unit, Village
from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import FollowUpVisit, Mentorship, PoolMeeting, PoolTerm, Reserve, Tier

# The office and the committee see their town's pool; a village branch its village's reserves, a unit's head the
# unit's, a mentor the reserves paired with them now.
declare(Reserve, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: "village", Role.UNIT: "unit",
                  Role.MENTOR: "mentor"})
declare(Mentorship, {Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town", Role.VILLAGE: "reserve__village",
                     Role.UNIT: "reserve__unit", Role.MENTOR: "mentor"})
declare(FollowUpVisit, {Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town",
                        Role.VILLAGE: "reserve__village", Role.UNIT: "reserve__unit"})
declare(PoolTerm, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: ("town", "town_id"),
                   Role.UNIT: ("town", "town_id"), Role.MENTOR: ("town", "town_id")})
declare(PoolMeeting, {Role.OFFICE: "town", Role.COMMITTEE: "town"})


def reserves_visible_to(user) -> QuerySet[Reserve]:
    return Scope.for_user(user).filter(Reserve)


# --- the pool list and a reserve's page (H1) -----------------------------------------------------------------





# Political statuses of a party member (正式、预备): such a reserve is not recommended as 入党积极分子.
PARTY_STATUSES = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)
# The pool list's status filter: a status, or 待续期 (active and past the end of the term).
RENEWAL_DUE = "renewal_due"


# The badge of each status on the pool's pages (training/_pool_status.html); 待续期 is the RENEWAL_DUE state.
_BADGE_CSS = {RENEWAL_DUE: "text-bg-warning", Reserve.Status.ACTIVE: "text-bg-success",
              Reserve.Status.PROPOSED: "status-proposed", Reserve.Status.USED: "text-bg-primary"}


@dataclass(frozen=True)
class StatusBadge:
    state: str
    css: str
    label: str


def status_badge(reserve, today: datetime.date) -> StatusBadge:
    """The status a reserve is shown with: 待续期 when active past the end of its term, else its status."""
    from django.utils.translation import gettext as _

    if reserve.renewal_due(today):
        return StatusBadge(RENEWAL_DUE, _BADGE_CSS[RENEWAL_DUE], _("待续期"))
    return StatusBadge(reserve.status, _BADGE_CSS.get(reserve.status, "text-bg-secondary"),
                       str(reserve.get_status_display()))


def age_band_condition(lowest: int | None, highest: int | None, today: datetime.date) -> Q:
    """Reserves aged (周岁, on today) from `lowest` to `highest` inclusive (None: open on that side)."""
    q = Q(birth_date__isnull=False)
    if lowest is not None:  # aged lowest or more: born on or before today minus `lowest` years
        q &= Q(birth_date__lte=years_before(today, lowest))
    if highest is not None:  # aged highest or less: born after today minus highest+1 years
        q &= Q(birth_date__gt=years_before(today, highest + 1))
    return q


class PlusDays(Func):
    """A date plus a number of days taken from a column (PostgreSQL and SQLite)."""

    output_field = DateField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s || ' days')",
                           arg_joiner=", '+' || ", **extra)


def ending_condition(today: datetime.date) -> Q:
    """Active reserves whose term ends within their pool term's notice days (届满提醒天数), or has ended (待续期):
    the office's renewals to decide. In SQL (a join to the pool term), no query of its own."""
    return Q(status=Reserve.Status.ACTIVE,
             term_end__lte=PlusDays(Value(today, output_field=DateField()), F("term__renewal_notice_days")))


# The columns of a reserve the pool list shows (and orders by): the rows read nothing else.
POOL_LIST_FIELDS = ("name", "tier", "status", "village__name", "unit__name", "term_start", "term_end",
                    "term_number", "mentor__full_name", "mentor__username", "last_talk_on",
                    "activist_recommended_on", "start_date")


def pool_rows(user, *, today: datetime.date, tier=None, village_id=None, unit_id=None, status=None, gender=None,
              age_band=None, education=None, political_status=None, term_id=None, activist=False, ending=False,
              q=None) -> QuerySet[Reserve]:
    """The reserves this user sees, filtered, with what the list shows (one query for a page, one for its count)."""
    rows = reserves_visible_to(user).select_related("village", "unit", "mentor").only(*POOL_LIST_FIELDS)
    if tier:
        rows = rows.filter(tier=tier)
    if village_id:
        rows = rows.filter(village_id=village_id)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if status == RENEWAL_DUE:
        rows = rows.filter(status=Reserve.Status.ACTIVE, term_end__lt=today)
    elif status:
        rows = rows.filter(status=status)
    if gender:
        rows = rows.filter(gender=gender)
    if age_band is not None:
        rows = rows.filter(age_band_condition(age_band[0], age_band[1], today))
    if education:
        rows = rows.filter(education=education)
    if political_status:
        rows = rows.filter(political_status=political_status)
    if term_id:
        rows = rows.filter(term_id=term_id)
    if activist:
        rows = rows.filter(activist_recommended_on__isnull=False)
    if ending:
        rows = rows.filter(ending_condition(today))
    if q:
        rows = rows.filter(name__icontains=q)
    return rows.order_by("tier", "village__order", "unit__order", "start_date", "pk")


def pool_units(user) -> tuple[list[Village], list[Unit]]:
    """The villages and units of the reserves this user sees (for the list's filter), in one query."""
    villages, units = {}, {}
    for village_id, village_name, village_order, unit_id, unit_name, unit_order in (
            reserves_visible_to(user).order_by().distinct()
            .values_list("village_id", "village__name", "village__order", "unit_id", "unit__name", "unit__order")):
        if village_id is not None:
            villages[village_id] = Village(pk=village_id, name=village_name, order=village_order)
        if unit_id is not None:
            units[unit_id] = Unit(pk=unit_id, name=unit_name, order=unit_order)
    return (sorted(villages.values(), key=lambda v: (v.order, v.pk)),
            sorted(units.values(), key=lambda u: (u.order, u.pk)))


def pool_terms_of(user) -> list[PoolTerm]:
    return list(Scope.for_user(user).filter(PoolTerm))


@dataclass(frozen=True)
class TierCount:
    tier: int
    label: str
    target: int | None
    actual: int

    @property
    def short(self) -> int:
        return max((self.target or 0) - self.actual, 0)


def tier_counts(pool_term, village_places: int | None, actual: dict[int, int]) -> list[TierCount]:
    """Per tier: the pool term's target and the active reserves (`actual`: {tier: count}); the village reserves'
    target is the sum of the villages' places (None when no round says them)."""
    from .models import TIER_SHORT

    return [TierCount(t.value, str(TIER_SHORT[t]),
                      village_places if t == Tier.VILLAGE else pool_term.target_of(t), actual.get(t.value, 0))
            for t in Tier]


def ending_count(user, today: datetime.date) -> int:
    return reserves_visible_to(user).filter(ending_condition(today)).count()


def get_reserve_for_user_or_404(user, pk) -> Reserve:
    return Scope.for_user(user).get(
        Reserve.objects.select_related("village", "unit", "term", "mentor", "meeting", "round", "nomination",
                                       "town", "person"), pk)


def _events_seen_by(reserve, user, also=()) -> list[Event]:
    """The reserve's own events and those of its records registered with training.panels.register_event_subjects
    whose events this user's history shows, oldest first: one query, read once per reserve object and user (the
    history, the terms and the later apps' sources share it). `also`: (model, ids) of other records whose events
    the first read takes in the same query (related_events)."""
    from .panels import event_subjects, read_once

    def read():
        where = Q(content_type=ContentType.objects.get_for_model(Reserve), object_id=reserve.pk)
        for model, ids in [*event_subjects(reserve, user), *also]:
            where |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        return list(Event.objects.filter(where).select_related("actor").order_by("at", "pk"))

    return read_once(reserve, ("events", user.pk), read)


def related_events(reserve, user, model, ids) -> list[Event]:
    """The events of records that belong with the reserve but are not its history's (`model`, `ids`: the nomination
    it came through, for its one-person file), oldest first. Asked before the reserve's own events are read, they
    are read in that same query (whose other readers see only the reserve's and the registered records' events);
    asked after, in a query of their own."""
    from .panels import was_read

    ct_id = ContentType.objects.get_for_model(model).pk
    ids = sorted(set(ids))
    if not ids:
        return []
    if was_read(reserve, ("events", user.pk)):
        return list(Event.objects.filter(content_type_id=ct_id, object_id__in=ids).select_related("actor")
                    .order_by("at", "pk"))
    wanted = set(ids)
    return [event for event in _events_seen_by(reserve, user, also=((model, ids),))
            if event.content_type_id == ct_id and event.object_id in wanted]


def reserve_events(reserve, user) -> list[Event]:
    """The reserve's own events, oldest first (read once per reserve object and user, see _events_seen_by)."""
    ct_id = ContentType.objects.get_for_model(Reserve).pk
    return [event for event in _events_seen_by(reserve, user) if event.content_type_id == ct_id]


def subject_events(reserve, user, model) -> list[Event]:
    """The events of the reserve's records of `model` this user's history shows (registered with
    training.panels.register_event_subjects), oldest first, from the same read as the reserve's own."""
    ct_id = ContentType.objects.get_for_model(model).pk
    return [event for event in _events_seen_by(reserve, user) if event.content_type_id == ct_id]


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.date | datetime.datetime
    label: str
    text: str
    url: str = ""
    actor: str = ""
    reason: str = ""


def _event_text(event) -> str:
    """What a pool event's data says, in one line."""
    from django.utils.translation import gettext as _

    data = event.data or {}
    parts = []
    old, new = data.get("old_term"), data.get("new_term")
    if isinstance(old, dict) and isinstance(new, dict):
        parts.append(_("原届期%(a)s至%(b)s，新届期%(c)s至%(d)s（第%(n)s届）") % {
            "a": old.get("start", ""), "b": old.get("end", ""), "c": new.get("start", ""), "d": new.get("end", ""),
            "n": new.get("number", "")})
    if "post" in data:
        parts.append(_("任用职务：%(p)s，任用日期：%(d)s") % {"p": data["post"], "d": data.get("date", "")})
    if "new_post" in data:
        parts.append(_("岗位由“%(a)s”调整为“%(b)s”（%(d)s）") % {
            "a": data.get("old_post") or "—", "b": data["new_post"], "d": data.get("date", "")})
    if "new_tier_label" in data:
        parts.append(_("由%(a)s调整为%(b)s") % {"a": data.get("old_tier_label", ""), "b": data["new_tier_label"]})
    if "approver" in data:
        parts.append(_("批准人：%(a)s，出库日期：%(d)s") % {"a": data["approver"], "d": data.get("date", "")})
    if "activist_on" in data:
        parts.append(_("推荐日期：%(d)s") % {"d": data["activist_on"]} + (
            _("，%(n)s") % {"n": data["note"]} if data.get("note") else ""))
    return "；".join(parts)


def reserve_history(reserve, user) -> list[HistoryRow]:
    """The reserve's own events and what the later apps record about them (training.panels), in time order."""
    from .panels import covered_event_kinds, timeline_items, when_key

    covered = covered_event_kinds()
    rows = [HistoryRow(event.at, str(event_kinds.label(event.action)), _event_text(event),
                       actor=str(event.actor) if event.actor_id else "", reason=event.reason)
            for event in reserve_events(reserve, user) if event.action not in covered]
    rows += [HistoryRow(item.when, str(item.label), item.text, item.url, actor=item.actor)
             for item in timeline_items(reserve, user)]
    return sorted(rows, key=lambda row: when_key(row.when))


# The roles that see a reserve's follow-up visits (回访跟踪).
FOLLOW_UP_READERS = (Role.OFFICE, Role.COMMITTEE, Role.UNIT, Role.VILLAGE)


def follow_ups_seen_by(reserve, user) -> list[FollowUpVisit]:
    """The reserve's follow-up visits this user may see, oldest first (none for a role that sees none); read once
    per reserve object for its card, its history and its one-person file."""
    from .panels import read_once

    scope = Scope.for_user(user)
    if not scope.has(*FOLLOW_UP_READERS):
        return []
    return read_once(reserve, ("follow_ups", user.pk), lambda: list(
        scope.filter(FollowUpVisit.objects.filter(reserve=reserve)).order_by("date", "id")))


def term_history(reserve, user) -> list[dict]:
    """The reserve's terms: the renewals' old terms (from their events, the same read as the history's) and the
    current one."""
    terms = [(e.data or {}).get("old_term") for e in reserve_events(reserve, user) if e.action == "renew_reserve"]
    rows = [t for t in terms if t]
    rows.append({"start": f"{reserve.term_start:%Y-%m-%d}", "end": f"{reserve.term_end:%Y-%m-%d}",
                 "number": reserve.term_number, "current": True})
    return rows


def reserve_for_nomination(nomination) -> Reserve | None:
    try:
        return Reserve.objects.only("pk").get(nomination_id=nomination.pk)
    except (Reserve.DoesNotExist, NotFound):
        return None


def village_pool_counts(town_id, village_ids) -> dict[int, tuple[int, int]]:
    """The people taking each village's places: its active village reserve cadres (one grouped query)."""
    from reserve.choices import Gender

    rows = (Reserve.objects.filter(town_id=town_id, village_id__in=village_ids, tier=Tier.VILLAGE,
                                   status=Reserve.Status.ACTIVE)
            .values("village_id")
            .annotate(n=Count("person", distinct=True),
                      f=Count("person", distinct=True, filter=Q(gender=Gender.FEMALE))))
    return {row["village_id"]: (row["n"], row["f"]) for row in rows}


def term_in_force(terms, day: datetime.date) -> PoolTerm | None:
    """Of a town's pool terms, the one in force on `day`: the latest begun by then, else the first to begin."""
    begun = [t for t in terms if t.start <= day]
    if begun:
        return max(begun, key=lambda t: (t.start, t.pk))
    return min(terms, key=lambda t: (t.start, t.pk), default=None)


def current_pool_term(town_id, day: datetime.date) -> PoolTerm | None:
    """The town's pool term in force on `day` (as services.pool_term_for, without creating one)."""
    return term_in_force(list(PoolTerm.objects.filter(town_id=town_id)), day)


def village_places(town_id) -> int | None:
    """The sum of the villages' places (每村x名, plus the female places where the rule applies) in the town's latest
    round; None without a round."""
    from candidates.models import Round
    from candidates.quota import town_places

    round_ = Round.objects.filter(town_id=town_id).order_by("-year", "-id").first()
    if round_ is None:
        return None
    return town_places(round_, town_id)


@dataclass(frozen=True)
class PoolSummary:
    term: PoolTerm | None
    tiers: list
    ending: int = 0  # active reserves whose term ends within the notice days or has ended


def pool_summary(user, today: datetime.date, terms=None) -> PoolSummary:
    """Target against actual per tier for the town of the office or committee, and the count of the reserves whose
    term ends soon or has ended (a constant number of queries; `terms`: the town's pool terms, if already read)."""
    town_id = Scope.for_user(user).town_id
    terms = list(PoolTerm.objects.filter(town_id=town_id)) if terms is None else [
        t for t in terms if t.town_id == town_id]
    term = term_in_force(terms, today)
    if term is None:
        return PoolSummary(None, [], ending_count(user, today))
    active = Q(town_id=town_id, status=Reserve.Status.ACTIVE)
    counts = reserves_visible_to(user).aggregate(
        ending=Count("pk", filter=ending_condition(today)),
        **{f"tier{t.value}": Count("pk", filter=active & Q(tier=t.value)) for t in Tier})
    actual = {t.value: counts[f"tier{t.value}"] for t in Tier}
    return PoolSummary(term, tier_counts(term, village_places(town_id), actual), counts["ending"])
