"""Scoped reads of nominations. Views never filter by village or town themselves."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reserve.roles import Role, roles_of

from .models import Nomination


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
