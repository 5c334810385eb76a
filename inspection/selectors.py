"""Scoped reads for the inspection and the committee's decisions."""

from django.db.models import QuerySet

from candidates.models import Nomination
from reserve.roles import Role, roles_of

from .models import AppraisalSession, CommitteeMeeting


def sessions_visible_to(user) -> QuerySet[AppraisalSession]:
    roles = roles_of(user)
    if roles & {Role.OFFICE, Role.COMMITTEE} and user.town_id:
        return AppraisalSession.objects.filter(round__town_id=user.town_id).select_related("village", "round")
    return AppraisalSession.objects.none()


def meetings_visible_to(user) -> QuerySet[CommitteeMeeting]:
    roles = roles_of(user)
    if roles & {Role.OFFICE, Role.COMMITTEE} and user.town_id:
        return CommitteeMeeting.objects.filter(round__town_id=user.town_id).select_related("round")
    return CommitteeMeeting.objects.none()


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
