"""Scoped reads of rounds and nominations, and the scope declarations of selection's models.
Views never filter by village or town themselves."""

import re

from django.core.paginator import Page
from django.db.models import Case, Q, QuerySet, When

from reserve import idnumber
from reserve.exceptions import NotFound
from reserve.paging import page_by_ids
from reserve.request_facts import forget_on_change, remembered
from reserve.roles import Role
from reserve.scope import Scope, declare
from reserve.selectors import parse_pk

from .models import Nomination, Person, Round, Status
from .workflow import EDITABLE, RELAXABLE

# Every role of the selection and the pool sees its town's rounds (the administrators see none).
declare(Round, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: ("town", "town_id"),
                Role.DEPARTMENT: ("town", "town_id"), Role.MENTOR: ("town", "town_id")})
declare(Nomination, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town", Role.VILLAGE: "village"})


# A draft is the village branch's own until it is submitted: the town's roles (the office, the committee) and the
# later stages never list, count or act on one. The scope declaration above says whose rows these are; this is
# the one place that keeps a village's drafts to the village.
def _drafts_of_others(scope) -> Q:
    own = scope.condition(Nomination, roles={Role.VILLAGE})
    return Q(status=Status.DRAFT) & ~own if own is not None else Q(status=Status.DRAFT)


def nominations_visible_to(user) -> QuerySet[Nomination]:
    """The nominations this user may list and act on: in scope, and no other unit's unsubmitted draft."""
    scope = Scope.for_user(user)
    return scope.filter(Nomination).exclude(_drafts_of_others(scope))


def get_nomination_for_user_or_404(user, pk) -> Nomination:
    """The same 404 for a nomination that does not exist and one the user may not see."""
    qs = Nomination.objects.select_related("round", "round__town", "village", "person", "hukou_village")
    return Scope.for_user(user).get(qs, pk)


# The order of the nomination lists: village by village — by the village's id, a column of the nomination that the
# indexes of Nomination.Meta serve with each filter of the list (the village's display order is another table's
# column: sorting on it meant joining and sorting every row of the round for each page) — the latest filed first
# within a village; the id last makes the order total, so that pages neither repeat nor skip a row.
LIST_ORDER = ("village_id", "-id")
# The columns the list page shows (candidates/nomination_list.html): no wide text, and not the person's ID number,
# so that nothing is decrypted for a list.
LIST_COLUMNS = ("id", "name", "status", "is_eligible", "eligibility", "submitted_at", "round_id", "village_id",
                "person_id", "village__name", "person__gender", "person__birth_date")


def nomination_list(user, *, round_id=None, village_id=None, status=None, eligible=None, q=None):
    """The rows of a list page: a constant number of queries whatever the number of rows."""
    qs = nominations_visible_to(user).select_related("round", "village", "person")
    if round_id:
        qs = qs.filter(round_id=round_id)
    if village_id:
        qs = qs.filter(village_id=village_id)
    if status:
        qs = qs.filter(status=status)
    if eligible is not None:
        qs = qs.filter(is_eligible=eligible)
    if q:
        qs = qs.filter(_search(q))
    return qs.order_by(*LIST_ORDER)


def nomination_list_page(rows: QuerySet[Nomination], number, per_page: int) -> Page:
    """A page of nomination_list (`number` as the query string gives it: out of range or not a number, the nearest
    page), in two steps: the page's ids and the count, found in the indexes of Nomination.Meta alone (a deep page
    skips index entries, not rows); then the rows of those ids, with only the columns the page shows."""
    return page_by_ids(rows.values_list("pk", flat=True), number, per_page, lambda ids: (
        Nomination.objects.filter(pk__in=ids).select_related("village", "person").only(*LIST_COLUMNS)))


VILLAGE_PAGE_SIZE = 25


def village_nominations(user, village, *, round_id=None, status=None) -> QuerySet[Nomination]:
    """A village's nominations as its page lists them (candidates.views_rounds.village_detail), newest first, of
    one round and one status or all: only the columns shown (name, gender, basic conditions, status) — the ID
    number is not read, nor decrypted."""
    qs = nominations_visible_to(user).filter(village=village)
    if round_id:
        qs = qs.filter(round_id=round_id)
    if status:
        qs = qs.filter(status=status)
    return (qs.select_related("person").only("id", "name", "status", "is_eligible", "person", "person__gender")
            .order_by("-id"))


_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def _search(q: str) -> Q:
    """A name (part of it), or a whole ID number — found through its keyed hash (Person.objects.by_id_number),
    never by decrypting rows."""
    number = idnumber.normalise(q)
    if _ID_SHAPE.fullmatch(number):
        return Q(person__in=Person.objects.by_id_number(number))
    return Q(name__icontains=q.strip())


def person_record_town_id(person) -> int | None:
    """The town that holds a person's current records: the town of the person's latest submitted nomination
    (the latest round, then the latest filed), else of the latest draft. Only its office corrects the person's
    identity (candidates.services.person_correct_identity)."""
    latest = (Nomination.objects.filter(person=person)
              .order_by(Case(When(status=Status.DRAFT, then=1), default=0), "-round__year", "-id")
              .values_list("round__town_id", flat=True).first())
    return latest


def nomination_timeline(nomination):
    """The nomination's events, in time order."""
    from django.contrib.contenttypes.models import ContentType

    from reserve.models import Event

    ct = ContentType.objects.get_for_model(Nomination)
    return Event.objects.filter(content_type=ct, object_id=nomination.pk).select_related("actor")


def nomination_timeline_rows(nomination, user=None) -> list[tuple]:
    """The timeline as a page shows it to this user: (event, its label, the label of the status it moved to —
    empty when that is not a status of a nomination). Anyone but the office reads joint vetting's events without
    their reasons and actors, or not at all (candidates.panels.office_only_event); no user: the whole record."""
    return timeline_rows(nomination_timeline(nomination), user)


def timeline_rows(nomination_events, user=None) -> list[tuple]:
    """nomination_timeline_rows of a nomination's events already read (its events, in time order: a reserve's
    one-person file reads them with the reserve's own, training.selectors.related_events)."""
    from reserve import events

    from .panels import office_only_event

    full = user is None or Scope.for_user(user).has(Role.OFFICE)
    rows = []
    for e in nomination_events:
        private = None if full else office_only_event(e.action)
        if private:
            continue
        if private is False:
            e.reason, e.actor = "", None
            e.actor_withheld = True
        rows.append((e, events.label(e.action), Status(e.to_status).label if e.to_status in Status.values else ""))
    return rows


def rounds_visible_to(user) -> QuerySet[Round]:
    return Scope.for_user(user).filter(Round)


def get_round_for_user_or_404(user, pk) -> Round:
    return Scope.for_user(user).get(Round, pk)


def current_round(user) -> Round | None:
    """The open round of the user's town whose year is the latest."""
    return rounds_visible_to(user).filter(status=Round.Status.OPEN).order_by("-year", "-id").first()


def current_round_for_menu(user) -> Round | None:
    """The current round as the navigation shows it: cached with the account's facts (reserve.request_facts), which
    are forgotten when a round is saved or deleted."""
    return remembered(user, "current_round", lambda: current_round(user))


forget_on_change(Round)


# --- the round a page is about, and what a page may offer on a nomination --------------------------

def round_for_user(user, raw_pk, *, default="current", strict=True) -> Round | None:
    """The round a page names (`raw_pk`: the text of ?round= or of a form field), in the user's scope.

    - An id of a round the user may not see, or of none: NotFound (404).
    - No id: `default` — "current": the current round (None if there is none); "latest": the
      current round, else the latest of the user's town.
    - Not an id (letters, "0"…): strict, NotFound; otherwise (`strict=False`) taken as no id.
    """
    pk = parse_pk(raw_pk)
    named = raw_pk if strict else pk  # strict: any text names a round; otherwise only an id does
    if named:
        if pk is None:
            raise NotFound
        return get_round_for_user_or_404(user, pk)
    found = current_round(user)
    if found is None and default == "latest":
        found = rounds_visible_to(user).first()
    return found


def may_edit_nomination(nomination, user) -> bool:
    """Whether this user may still change the 自荐表: its village branch, while it is a draft or has
    been returned (the service checks again)."""
    return Scope.for_user(user).has(Role.VILLAGE) and nomination.status in EDITABLE


def may_correct_identity(nomination, user) -> bool:
    """Whether the page offers this user the correction of the person's identity: the office of the town holding
    the person's current records (the service checks again)."""
    return (Scope.for_user(user).has(Role.OFFICE) and nomination.status != Status.DRAFT
            and person_record_town_id(nomination.person) == nomination.round.town_id)


def may_record_relaxation(nomination, user) -> bool:
    """Whether the page offers this user the office's relaxation decision (the service checks again)."""
    return Scope.for_user(user).has(Role.OFFICE) and nomination.status in RELAXABLE


def may_download_id_card(nomination, user) -> bool:
    """Whether this user may open the nomination's ID-card copy (it shows the full ID number): the office of the
    town, and the village branch that uploaded it while its form is still its own to change (a draft, or returned)
    — not the committee. The caller has looked the nomination up in the user's scope."""
    scope = Scope.for_user(user)
    return scope.has(Role.OFFICE) or (scope.has(Role.VILLAGE) and nomination.status in EDITABLE)


def nomination_form_rows(nomination) -> dict[str, list]:
    """The rows of a nomination's form as its formsets' initial data: resume, family, relatives."""
    return {
        "resume": list(nomination.resume.values("start", "end", "unit_post")),
        "family": list(
            nomination.family.values("relation", "name", "birth_date", "political_status", "work_unit_post")
        ),
        "relatives": [
            {"cadre": r.cadre_id, "relation": r.relation} for r in nomination.committee_relatives.all() if r.cadre_id
        ],
    }
