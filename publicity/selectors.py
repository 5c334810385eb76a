"""Scoped reads for notices and objections."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reserve.roles import Role, roles_of

from .models import Notice, Objection


def notices_visible_to(user) -> QuerySet[Notice]:
    """The office and the committee see their town's notices; a village branch its own village's
    (it prints them for the village board)."""
    roles = roles_of(user)
    qs = Notice.objects.select_related("round", "village")
    if roles & {Role.OFFICE, Role.COMMITTEE} and user.town_id:
        return qs.filter(round__town_id=user.town_id)
    if Role.VILLAGE in roles and user.village_id:
        return qs.filter(village_id=user.village_id)
    return qs.none()


def get_notice_for_user_or_404(user, pk) -> Notice:
    return get_object_or_404(notices_visible_to(user), pk=pk)


def objections_visible_to(user) -> QuerySet[Objection]:
    """Objections name their objectors: the office only."""
    if Role.OFFICE in roles_of(user) and user.town_id:
        return Objection.objects.filter(notice__round__town_id=user.town_id).select_related("notice", "entry")
    return Objection.objects.none()


def get_objection_for_user_or_404(user, pk) -> Objection:
    return get_object_or_404(objections_visible_to(user), pk=pk)


def public_notice_or_404(token) -> Notice:
    return get_object_or_404(Notice.objects.select_related("round", "village"), token=token)
