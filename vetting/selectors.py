"""Scoped reads for joint vetting."""

from django.db.models import Count, Q, QuerySet

from candidates.models import Status
from reserve.exceptions import NotFound
from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import Finding, NegativeItem, VettingRequest

# A department sees only what was sent to it; the office sees its town's. Nobody else sees any:
# findings are sensitive and visible only to the office and the department that wrote them.
declare(VettingRequest, {Role.OFFICE: "nomination__round__town", Role.DEPARTMENT: "department"})
declare(Finding, {Role.OFFICE: "request__nomination__round__town", Role.DEPARTMENT: "request__department"})
declare(NegativeItem, {Role.OFFICE: "round__town"})


def vetting_requests_visible_to(user) -> QuerySet[VettingRequest]:
    return Scope.for_user(user).filter(VettingRequest.objects.select_related(
        "nomination", "nomination__person", "nomination__village", "nomination__round", "department"))


def get_request_for_user_or_404(user, pk) -> VettingRequest:
    return Scope.for_user(user).get(vetting_requests_visible_to(user), pk)


QUEUE_TABS = ("pending", "overdue", "done", "ended")


def department_queue(user, *, today) -> dict[str, QuerySet[VettingRequest]]:
    """The department's requests, one query each (paginated by the page): pending — every one still to do, by
    deadline, so the overdue among them come first (an overdue request is still to do) —, overdue (those of pending
    past their deadline), done, and ended: not answered, but the nomination's vetting has ended without it (found by
    the new-user tryout: such a request stayed 待审查 for ever, its page offering no form). The rows carry what the
    queue shows: the ID number is not read (nor decrypted)."""
    rows = (vetting_requests_visible_to(user).filter(department_id=user.department_id)
            .defer("nomination__person__id_number").order_by("deadline", "id"))
    pending = rows.filter(status=VettingRequest.Status.PENDING, nomination__status=Status.VETTING)
    return {
        "pending": pending,
        "overdue": pending.filter(deadline__lt=today),
        "done": rows.filter(status=VettingRequest.Status.ANSWERED),
        "ended": rows.filter(status=VettingRequest.Status.PENDING).exclude(nomination__status=Status.VETTING),
    }


def department_queue_counts(user, *, today) -> dict[str, int]:
    """How many requests each tab of the department's queue holds, in one query."""
    pending = Q(status=VettingRequest.Status.PENDING, nomination__status=Status.VETTING)
    return (Scope.for_user(user).filter(VettingRequest.objects.filter(department_id=user.department_id))
            .aggregate(pending=Count("id", filter=pending), overdue=Count("id", filter=pending & Q(deadline__lt=today)),
                       done=Count("id", filter=Q(status=VettingRequest.Status.ANSWERED)),
                       ended=Count("id", filter=Q(status=VettingRequest.Status.PENDING)
                                   & ~Q(nomination__status=Status.VETTING))))


def items_for_department(round_, department) -> QuerySet[NegativeItem]:
    return NegativeItem.objects.filter(round=round_, departments=department).select_related("round").order_by("number")


def flags_awaiting_decision(user) -> QuerySet[VettingRequest]:
    """The answers flagging a problem that the office has not yet confirmed or overruled, oldest answer first; the
    rows carry what the list shows (the ID number is not read, nor decrypted)."""
    return vetting_requests_visible_to(user).filter(
        status=VettingRequest.Status.ANSWERED, flagged=True, decision="", nomination__status=Status.VETTING,
    ).select_related("signed_by").defer("nomination__person__id_number").order_by("signed_at", "id")


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


def ledger_rows(user, round_) -> list[tuple]:
    """The vetting ledger of a round: (nomination, its requests in the departments' order), by village."""
    requests = list(
        vetting_requests_visible_to(user).filter(nomination__round=round_)
        .select_related("signed_by", "proxy_entered_by")
        .order_by("nomination__village__order", "nomination_id", "department__order")
    )
    rows = {}
    for r in requests:
        rows.setdefault(r.nomination, []).append(r)
    return list(rows.items())


def issuing_body(town) -> str:
    """Who issues the vetting documents: the organisation office of the town's party committee."""
    return f"{town.party_committee_name or f'中共{town.name}委员会'}组织办公室"


def sheet_requests(nomination) -> list[VettingRequest]:
    """A nomination's requests with their findings, for its vetting sheet."""
    return list(nomination.vetting_requests.select_related("department", "signed_by", "decided_by",
                                                            "proxy_entered_by")
                .prefetch_related("findings__item__round").order_by("department__order"))
