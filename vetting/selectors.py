"""Scoped reads for joint vetting."""

from django.db.models import QuerySet

from candidates.models import Status
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


def department_queue(user, *, today):
    """The department's requests split into pending (overdue first), overdue and done."""
    requests = list(vetting_requests_visible_to(user).filter(department_id=user.department_id)
                    .order_by("deadline", "id"))
    pending = [r for r in requests if r.status == VettingRequest.Status.PENDING]
    return {
        "overdue": [r for r in pending if r.is_overdue(today)],
        "pending": [r for r in pending if not r.is_overdue(today)],
        "done": [r for r in requests if r.status == VettingRequest.Status.ANSWERED],
    }


def items_for_department(round_, department) -> QuerySet[NegativeItem]:
    return NegativeItem.objects.filter(round=round_, departments=department).select_related("round").order_by("number")


def flags_awaiting_decision(user) -> QuerySet[VettingRequest]:
    return vetting_requests_visible_to(user).filter(
        status=VettingRequest.Status.ANSWERED, flagged=True, decision="", nomination__status=Status.VETTING,
    ).select_related("signed_by")


def nomination_panel(nomination, user) -> dict:
    """The vetting card on a nomination's page: the requests this user may see (none: no card)."""
    from django.utils import timezone

    return {
        "requests": vetting_requests_visible_to(user).filter(nomination=nomination)
        .select_related("signed_by").order_by("department__order"),
        "today": timezone.localdate(),
    }
