"""Scoped reads for the inspection and the committee's decisions."""

from django.db.models import QuerySet

from candidates.models import Nomination
from reserve.roles import Role, roles_of
from reserve.scope import Scope, declare

from .models import AppraisalSession, CommitteeMeeting

declare(AppraisalSession, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})
declare(CommitteeMeeting, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})


def sessions_visible_to(user) -> QuerySet[AppraisalSession]:
    return Scope.for_user(user).filter(AppraisalSession.objects.select_related("village", "round"))


def meetings_visible_to(user) -> QuerySet[CommitteeMeeting]:
    return Scope.for_user(user).filter(CommitteeMeeting.objects.select_related("round"))


def nominations_in(user, round_, status) -> QuerySet[Nomination]:
    from candidates.selectors import nominations_visible_to

    return (nominations_visible_to(user).filter(round=round_, status=status)
            .select_related("person", "village").order_by("village__order", "id"))


def nomination_panel(nomination, user) -> dict | None:
    """The link to the inspection record, once the nomination has reached the inspection."""
    from candidates.workflow import INSPECTED

    if nomination.status in INSPECTED and roles_of(user) & {Role.OFFICE, Role.COMMITTEE}:
        return {}
    return None
