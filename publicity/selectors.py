"""Scoped reads for notices and objections."""

import datetime
import re

from django.db.models import Count, Q, QuerySet

from candidates.models import Nomination
from candidates.selectors import nominations_visible_to
from candidates.workflow import NOMINATION_WORKFLOW
from reserve.exceptions import NotFound
from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import Notice, NoticeEntry, Objection
from .services import objections_read_once, still_proposed
from .workflow import OBJECTION_WORKFLOW

# The office and the committee see their town's notices; a village branch its own village's (it
# prints them for the village board). Objections name their objectors: the office only. (The committee decides
# on the objections the office found true through the notice, which it sees, on a card that never shows the
# objector: referred_objections below, publicity.workflow.lock_objection.)
declare(Notice, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town", Role.VILLAGE: "village"})
declare(Objection, {Role.OFFICE: "notice__round__town"})


def notices_visible_to(user) -> QuerySet[Notice]:
    return Scope.for_user(user).filter(Notice.objects.select_related("round", "village"))


def get_notice_for_user_or_404(user, pk) -> Notice:
    return Scope.for_user(user).get(notices_visible_to(user), pk)


def objections_visible_to(user) -> QuerySet[Objection]:
    return Scope.for_user(user).filter(Objection.objects.select_related("notice", "entry"))


def get_objection_for_user_or_404(user, pk) -> Objection:
    return Scope.for_user(user).get(objections_visible_to(user), pk)


def get_objection_to_decide_or_404(user, pk) -> Objection:
    """An objection the user may record the committee's decision on: the office's through its scope, the
    committee's through its notice (the committee sees no objection as such). NotFound otherwise."""
    scope = Scope.for_user(user)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    if scope.has(Role.OFFICE):
        return get_objection_for_user_or_404(user, pk)
    notices = scope.filter(Notice.objects.all(), roles={Role.COMMITTEE})
    try:
        return Objection.objects.select_related("notice", "entry").get(pk=pk, notice__in=notices)
    except (Objection.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound from None


# A public token or receipt number as the app makes them (secrets.token_urlsafe, publicity.models): anything else —
# a NUL byte, which PostgreSQL cannot compare, or a megabyte of text — names no notice and is never queried.
_PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _public_key(value) -> str:
    if not isinstance(value, str) or not _PUBLIC_KEY.fullmatch(value):
        raise NotFound
    return value


def public_notice_or_404(token) -> Notice:
    """A published notice by its public token (the public page: no scope, the token is the key) — its own columns and
    of its round only the days the list stays shown (a round's row has some sixty parameters; read on every request
    of the most-read page, issue 13 §4)."""
    notice = (Notice.objects.select_related("round")
              .only(*(f.name for f in Notice._meta.concrete_fields), "round__public_list_days")
              .filter(token=_public_key(token)).first())
    if notice is None:
        raise NotFound
    return notice


def public_list_until(notice) -> datetime.date:
    """The last day the public page lists the notice's people: its end, plus the round's days after it
    (Round.public_list_days). From the day after, the page says only that the period has ended."""
    return notice.end_date + datetime.timedelta(days=notice.round.public_list_days)


def public_list_shown(notice, today) -> bool:
    return today <= public_list_until(notice)


def public_entries(notice) -> list:
    """The people the public page lists: those still proposed. A person withdrawn, or whose candidacy the committee
    cancelled, is no longer named in public (the office's pages keep the whole notice)."""
    return list(proposed_entries(notice))


# --- the office's pages ---------------------------------------------------------------------------

# An objection still to be dealt with (Objection.is_open).
OPEN_OBJECTIONS = Objection.OPEN_STATUSES


def notices_with_counts(user, round_=None, *, with_open_objections=False) -> QuerySet[Notice]:
    """The notices of a round (every round: None), each with its number of people (`people`) and, if
    asked, of objections still open (`open_objections`)."""
    # An explicit order: Meta.ordering is not applied to a query with GROUP BY (the counts).
    notices = (notices_visible_to(user).annotate(people=Count("entries", distinct=True))
               .order_by("-start_date", "village__order", "village_id", "-id"))
    if round_ is not None:
        notices = notices.filter(round=round_)
    if with_open_objections:
        notices = notices.annotate(open_objections=Count(
            "objections", filter=Q(objections__status__in=OPEN_OBJECTIONS), distinct=True))
    return notices


def awaiting_publicity(user, round_) -> QuerySet[Nomination]:
    """The nominations of a round that a notice may publish: those the nomination's workflow lets
    `publish` move (the committee approved them, no notice has published them yet)."""
    return nominations_visible_to(user).filter(round=round_, status__in=NOMINATION_WORKFLOW["publish"].all_sources)


def awaiting_publicity_count(user, round_) -> int:
    return awaiting_publicity(user, round_).count()


def awaiting_publicity_names(user, round_) -> dict[int, list[str]]:
    """Village id -> the names of the people of that village awaiting publicity (their names alone are read: no
    person, no ID number decrypted)."""
    names = {}
    for village_id, name in awaiting_publicity(user, round_).order_by("id").values_list("village_id", "name"):
        names.setdefault(village_id, []).append(name)
    return names


def notice_entries(notice) -> list:
    """The people on a notice, in the notice's order, each with `still_proposed` (False once the committee
    cancelled the candidacy or the nomination was withdrawn: the notice marks them, without saying why)."""
    entries = list(notice.entries.order_by("order", "id"))
    for entry in entries:
        entry.still_proposed = still_proposed(entry)
    return entries


def proposed_entries(notice) -> QuerySet[NoticeEntry]:
    """The people of a notice objections may still be lodged against on the public page."""
    return notice.entries.filter(withdrawn_on__isnull=True).order_by("order", "id")


def referred_objections(notice, user) -> list[dict]:
    """The objections of a notice the office found true, awaiting the committee's decision, as the committee's
    card shows them: who it is about, what was reported and found, the office's reason — never the objector —
    and whether this user may record the decision."""
    scope = Scope.for_user(user)
    scope.require(notice)
    cancel = OBJECTION_WORKFLOW["objection_cancel"]
    if Objection.Status.REFERRED not in cancel.allowed_sources(scope.roles):
        return []
    objections = (notice.objections.filter(status=Objection.Status.REFERRED).select_related("entry")
                  .order_by("received_at", "id"))
    return list(objections)


def notice_people(notice, user, today) -> list[dict]:
    """Each person of a notice with their nomination, whether it is still publicised and, while it is, why
    it may not be confirmed into the pool yet (None: it may) — the answer of the workflow's
    confirm_reserve and its guards."""
    confirm = NOMINATION_WORKFLOW["confirm_reserve"]
    rows = []
    # What the guards read, for every person at once: the nomination with what the basic conditions are evaluated
    # on (not the ID number: nothing is decrypted), and the notice's objections (read once: guard_confirm).
    entries = (notice.entries.order_by("order", "id")
               .select_related("nomination__round", "nomination__village", "nomination__hukou_village",
                               "nomination__person")
               .defer("nomination__person__id_number").prefetch_related("nomination__committee_relatives"))
    with objections_read_once(notice):
        for entry in entries:
            nomination = entry.nomination
            publicised = nomination.status in confirm.all_sources
            refusal = NOMINATION_WORKFLOW.refusal(nomination, confirm.action, user, today) if publicised else None
            rows.append({"entry": entry, "nomination": nomination, "publicised": publicised, "refusal": refusal,
                         "confirmable": publicised and refusal is None})
    return rows


def notice_objections(notice) -> QuerySet[Objection]:
    return notice.objections.select_related("entry").order_by("received_at", "id")


def stored_notice_pdf(notice) -> bytes:
    """The PDF stored at publication (NotFound if there is none, or its file is gone)."""
    if not notice.pdf:
        raise NotFound
    try:
        with notice.pdf.open("rb") as f:
            return f.read()
    except FileNotFoundError:
        raise NotFound from None


def objection_steps(objection, user) -> dict[str, bool]:
    """The steps the objection's page offers now (each service checks again when one is taken): name the
    person it is about (while it is open and names nobody), verify it (once, while it awaits its first
    verification) and conclude it (uphold or dismiss: from the statuses the workflow allows the user)."""
    conclude = OBJECTION_WORKFLOW["objection_dismiss"]  # objection_uphold has the same sources
    decide = OBJECTION_WORKFLOW["objection_cancel"]  # objection_maintain has the same sources
    roles = Scope.for_user(user).roles
    return {
        "assign": objection.status in (Objection.Status.OPEN, Objection.Status.VERIFIED) and objection.entry_id is None,
        "verify": objection.status == Objection.Status.OPEN,
        "conclude": objection.status in conclude.allowed_sources(roles),
        "decide": objection.status in decide.allowed_sources(roles),
    }


def public_receipt_or_404(notice, receipt) -> Objection:
    """An objection to a notice by its receipt number, with only what its receipt page shows."""
    objection = (Objection.objects.only("receipt", "received_at", "is_late", "is_early", "status", "notice_id")
                 .filter(notice=notice, receipt=_public_key(receipt)).first())
    if objection is None:
        raise NotFound
    return objection
