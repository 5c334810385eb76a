"""Scoped reads of nominations. Views never filter by village or town themselves."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reserve.roles import BUSINESS_ROLES, Role, roles_of
from reserve.selectors import user_town_id

from .models import Nomination, Round


def nominations_visible_to(user) -> QuerySet[Nomination]:
    roles = roles_of(user)
    qs = Nomination.objects.all()
    if roles & {Role.OFFICE, Role.COMMITTEE} and user.town_id:
        return qs.filter(round__town_id=user.town_id)
    if Role.VILLAGE in roles and user.village_id:
        return qs.filter(village_id=user.village_id)
    return qs.none()


def get_nomination_for_user_or_404(user, pk) -> Nomination:
    """The same 404 for a nomination that does not exist and one the user may not see."""
    qs = nominations_visible_to(user).select_related("round", "round__town", "village", "person", "hukou_village")
    return get_object_or_404(qs, pk=pk)


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
        qs = qs.filter(person__name__icontains=q)
    return qs.order_by("village__order", "village_id", "-id")


def nomination_timeline(nomination):
    from django.contrib.contenttypes.models import ContentType

    from reserve.models import Event

    ct = ContentType.objects.get_for_model(Nomination)
    return Event.objects.filter(content_type=ct, object_id=nomination.pk).select_related("actor")


def rounds_visible_to(user) -> QuerySet[Round]:
    """Rounds of the user's town, for every role of the selection bound to the town or one of its units
    (not for the administrators, who see no selection data)."""
    town_id = user_town_id(user) if roles_of(user) & BUSINESS_ROLES else None
    if town_id is None:
        return Round.objects.none()
    return Round.objects.filter(town_id=town_id)


def get_round_for_user_or_404(user, pk) -> Round:
    return get_object_or_404(rounds_visible_to(user), pk=pk)


def current_round(user) -> Round | None:
    """The open round of the user's town whose year is the latest."""
    return rounds_visible_to(user).filter(status=Round.Status.OPEN).order_by("-year", "-id").first()
