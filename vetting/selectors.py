"""Scoped reads for joint vetting."""

from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from candidates.models import Nomination, Status
from candidates.selectors import nominations_visible_to
from reserve.exceptions import NotFound
from reserve.models import Department
from reserve.paging import page_by_ids
from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import Finding, NegativeItem, VettingRequest, VettingSummary

# A department sees only what was sent to it; the office sees its town's. Nobody else sees any:
# findings are sensitive and visible only to the office and the department that wrote them.
declare(VettingRequest, {Role.OFFICE: "nomination__round__town", Role.DEPARTMENT: "department"})
declare(Finding, {Role.OFFICE: "request__nomination__round__town", Role.DEPARTMENT: "request__department"})
declare(NegativeItem, {Role.OFFICE: "round__town"})
declare(VettingSummary, {Role.OFFICE: "round__town"})


def vetting_requests_visible_to(user) -> QuerySet[VettingRequest]:
    return Scope.for_user(user).filter(VettingRequest.objects.select_related(
        "nomination", "nomination__person", "nomination__village", "nomination__round", "department"))


def get_request_for_user_or_404(user, pk) -> VettingRequest:
    return Scope.for_user(user).get(vetting_requests_visible_to(user), pk)


QUEUE_TABS = ("pending", "overdue", "done", "ended")
# The columns a queue's or the flags' row shows (name, gender, village, deadline, status …): no ID number (not
# read, nor decrypted), no long text the list does not show.
LIST_ROW_FIELDS = ("id", "nomination_id", "department_id", "deadline", "status", "flagged", "reminder_count",
                   "nomination__id", "nomination__name", "nomination__status", "nomination__person__id",
                   "nomination__person__gender", "nomination__village__id", "nomination__village__name",
                   "department__id", "department__name")


def department_queue(user, *, today) -> dict[str, QuerySet[VettingRequest]]:
    """The department's requests, one query each (paginated by the page): pending — every one still to do, by
    deadline, so the overdue among them come first (an overdue request is still to do) —, overdue (those of pending
    past their deadline), done, and ended: not answered, but the nomination's vetting has ended without it (found by
    the new-user tryout: such a request stayed 待审查 for ever, its page offering no form). The rows carry what the
    queue shows (LIST_ROW_FIELDS), each tab read by the index vetting_request_queue in its order."""
    rows = (Scope.for_user(user).filter(VettingRequest.objects.filter(department_id=user.department_id))
            .select_related("nomination__person", "nomination__village", "department")
            .only(*LIST_ROW_FIELDS).order_by("deadline", "id"))
    pending = rows.filter(status=VettingRequest.Status.PENDING, nomination__status=Status.VETTING)
    return {
        "pending": pending,
        "overdue": pending.filter(deadline__lt=today),
        "done": rows.filter(status=VettingRequest.Status.ANSWERED),
        "ended": rows.filter(status=VettingRequest.Status.PENDING).exclude(nomination__status=Status.VETTING),
    }


def department_queue_counts(user, *, today) -> dict[str, int]:
    """How many requests each tab of the department's queue holds, in two queries read from the index
    vetting_request_queue: the answered ones counted without their nominations, only the pending ones joined to
    their nomination's status."""
    own = Scope.for_user(user).filter(VettingRequest.objects.filter(department_id=user.department_id))
    in_vetting = Q(nomination__status=Status.VETTING)
    counts = own.filter(status=VettingRequest.Status.PENDING).aggregate(
        pending=Count("id", filter=in_vetting), overdue=Count("id", filter=in_vetting & Q(deadline__lt=today)),
        ended=Count("id", filter=~in_vetting))
    counts["done"] = own.filter(status=VettingRequest.Status.ANSWERED).count()
    return counts


def items_for_department(round_, department) -> QuerySet[NegativeItem]:
    return NegativeItem.objects.filter(round=round_, departments=department).select_related("round").order_by("number")


def flags_awaiting_decision(user) -> QuerySet[VettingRequest]:
    """The answers flagging a problem that the office has not yet confirmed or overruled, oldest answer first (their
    ids: from the partial index vetting_request_flags; flags_page reads a page's rows)."""
    return (Scope.for_user(user).filter(VettingRequest.objects.filter(
        status=VettingRequest.Status.ANSWERED, flagged=True, decision="", nomination__status=Status.VETTING))
        .order_by("signed_at", "id"))


def flags_page(user, number, per_page: int) -> Page:
    """A page of flags_awaiting_decision, its rows with what the list shows (the ID number is not read, nor
    decrypted)."""
    return page_by_ids(flags_awaiting_decision(user).values_list("pk", flat=True), number, per_page, lambda ids: (
        VettingRequest.objects.filter(pk__in=ids).select_related("nomination__village", "department", "signed_by")
        .only(*LIST_ROW_FIELDS, "conclusion", "signed_at", "signed_by__id", "signed_by__username",
              "signed_by__full_name")))


def dispatch_deadline_passed(round_, today) -> bool:
    """The rule of dispatching late: after the round's vetting deadline (资格审查截止, the deadline a dispatch
    gives its requests) a dispatch needs a new deadline."""
    return round_.review_end < today


def nomination_panel(nomination, user) -> dict:
    """The vetting card on a nomination's page: the requests this user may see (none: no card), and for the
    office an accepted nomination's late dispatch (the round's vetting deadline has passed)."""
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "requests": vetting_requests_visible_to(user).filter(nomination=nomination)
        .select_related("signed_by", "proxy_entered_by").order_by("department__order"),
        "today": today,
        "late_dispatch": (nomination.status == Status.ACCEPTED and Scope.for_user(user).has(Role.OFFICE)
                          and dispatch_deadline_passed(nomination.round, today)),
    }


# --- the pages of joint vetting -------------------------------------------------------------------

def is_asked_department(req, user) -> bool:
    """Whether this user is the clerk of the department the request asks (it answers; the office reads)."""
    return Scope.for_user(user).has(Role.DEPARTMENT) and req.department_id == user.department_id


def findings_of(req) -> QuerySet[Finding]:
    return req.findings.select_related("item", "item__round")


def get_finding_or_404(req, finding_pk) -> Finding:
    """A finding of this request (NotFound for one of another request, or none)."""
    try:
        return Finding.objects.get(pk=finding_pk, request=req)
    except (Finding.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound from None


def negative_items_of(round_) -> list[NegativeItem]:
    """A round's negative list with the departments that check each item (and those suggested, unconfirmed)."""
    return list(NegativeItem.objects.filter(round=round_).prefetch_related("departments", "suggested_departments")
                .select_related("round"))


def town_departments(town_id) -> list[Department]:
    """A town's departments in their order (the boxes of each item of the negative list)."""
    return list(Department.objects.filter(town_id=town_id).order_by("order", "id"))


def request_history(req) -> list:
    """The events of one request (dispatch aside): its answers, reminders, deadline changes, the office's
    entries and decisions, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from reserve import events
    from reserve.models import Event

    found = list(Event.objects.filter(content_type=ContentType.objects.get_for_model(VettingRequest),
                                      object_id=req.pk).select_related("actor").order_by("id"))
    for event in found:
        event.kind_label = events.label(event.action)
    return found


# --- the ledger (资格联审台账) -----------------------------------------------------------------------
# A round's nominations sent to vetting, one row each, a column per department of the negative list. At county
# scale a round holds 7,440 of them × 12 departments (issue 13): the page shows one filtered page of rows, and
# reads only the requests of those rows (no ID number: the ledger does not show it).

LEDGER_PAGE_SIZE = 30
# Village by village in the villages' display order, then as filed.
LEDGER_ORDER = ("village__order", "village_id", "id")

# The states a ledger row is filtered by, as the page distinguishes its cells: a department still to answer
# (待审), one of those past its deadline (逾期), an answer reporting a problem (有问题), or every department
# answered. Each is a condition on the nomination's VettingSummary (kept from its requests by
# vetting.services.refresh_summary): no request of the round's is read to filter or count.
LEDGER_STATES = {
    "all": _("全部"),
    "pending": _("有待答复"),
    "overdue": _("有逾期未答复"),
    "flagged": _("有问题反馈"),
    "answered": _("已全部答复"),
}


def _ledger_summary_conditions(today) -> dict[str, Q]:
    """The condition on a nomination's summary that puts it in each state but "all" (every summary)."""
    return {"pending": Q(vetting_summary__open_count__gt=0),
            "overdue": Q(vetting_summary__next_deadline__lt=today),
            "flagged": Q(vetting_summary__problem_count__gt=0),
            "answered": Q(vetting_summary__open_count=0)}


def _ledger_base(user, round_, village_id) -> QuerySet[Nomination]:
    """The round's nominations sent to vetting (those with a summary), of one village or all."""
    qs = nominations_visible_to(user).filter(round=round_, vetting_summary__round=round_)
    return qs.filter(village_id=village_id) if village_id else qs


def ledger_nominations(user, round_, *, today, village_id=None, state="all") -> QuerySet[Nomination]:
    """The rows of a round's ledger in one state (LEDGER_STATES), of one village or all: the nominations sent
    to vetting, by village, with only the columns the ledger shows (name, village, status)."""
    qs = _ledger_base(user, round_, village_id)
    conditions = _ledger_summary_conditions(today)
    if state in conditions:
        qs = qs.filter(conditions[state])
    return (qs.select_related("village").only("id", "name", "status", "village__name", "village__order")
            .order_by(*LEDGER_ORDER))


def ledger_counts(user, round_, *, today, village_id=None) -> dict[str, int]:
    """How many rows each state of the ledger holds (of one village or all): one aggregate over the round's
    summaries, read from the index vetting_summary_state (no nomination is joined but to filter by village)."""
    summaries = Scope.for_user(user).filter(VettingSummary.objects.filter(round=round_))
    if village_id:
        summaries = summaries.filter(nomination__village_id=village_id)
    conditions = {state: Q(**{lookup.removeprefix("vetting_summary__"): value for lookup, value in q.children})
                  for state, q in _ledger_summary_conditions(today).items()}
    counts = summaries.aggregate(
        all=Count("pk"), **{state: Count("pk", filter=condition) for state, condition in conditions.items()})
    return {state: counts[state] for state in LEDGER_STATES}


class LedgerCell:
    """A vetting request as a ledger cell shows it: the columns it reads, as plain values (a page has 300 cells, the
    printed ledger 90,000: model instances were most of their time), with the model's own rules of what they mean
    (VettingRequest.answered, .entered_by_office, .signer_name)."""

    __slots__ = ("nomination_id", "department_id", "status", "flagged", "decision", "deadline", "reminder_count",
                 "signed_at", "signed_by", "proxy_entered_by_id", "paper_signer", "paper_date")
    # What is read: the slots in order, the signer's name in place of signed_by.
    COLUMNS = (*__slots__[:8], "signed_by__full_name", *__slots__[9:])

    Status = VettingRequest.Status
    answered = VettingRequest.answered
    entered_by_office = VettingRequest.entered_by_office
    signer_name = VettingRequest.signer_name

    def __init__(self, values: tuple):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
        if self.signed_by is not None:
            self.signed_by = _Signer(self.signed_by)

    DECISIONS = dict(VettingRequest.Decision.choices)

    def get_decision_display(self) -> str:
        return str(self.DECISIONS.get(self.decision, self.decision))


class _Signer:
    __slots__ = ("full_name",)

    def __init__(self, full_name: str):
        self.full_name = full_name


def ledger_rows(user, nominations, departments) -> list[tuple]:
    """The ledger's rows for these nominations (a page of them, or a village's part of the PDF): (nomination,
    its request for each department in the departments' order, None where it has none), their requests read
    in one query."""
    nominations = list(nominations)
    # The nominations are this user's (read through nominations_visible_to). The office's scope of requests is
    # that of nominations (its town's): every request of these is in it, read by their ids with no join to every
    # nomination of the town; any other reader's requests go through its own scope.
    scope = Scope.for_user(user)
    requests = VettingRequest.objects.filter(nomination__in=[n.pk for n in nominations])
    if not scope.has(Role.OFFICE):
        requests = scope.filter(requests)
    cells = {(r.nomination_id, r.department_id): r
             for r in map(LedgerCell, requests.values_list(*LedgerCell.COLUMNS))}
    return [(n, [cells.get((n.pk, d.pk)) for d in departments]) for n in nominations]


def issuing_body(town) -> str:
    """Who issues the vetting documents: the organisation office of the town's party committee."""
    return f"{town.party_committee_name or f'中共{town.name}委员会'}组织办公室"


def sheet_requests(nomination) -> list[VettingRequest]:
    """A nomination's requests with their findings, for its vetting sheet."""
    return list(nomination.vetting_requests.select_related("department", "signed_by", "decided_by",
                                                            "proxy_entered_by")
                .prefetch_related("findings__item__round").order_by("department__order"))
