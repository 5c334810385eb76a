"""Scoped reads for notices and objections."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import Notice, Objection

# The office and the committee see their town's notices; a village branch its own village's (it
# prints them for the village board). Objections name their objectors: the office only.
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


def public_notice_or_404(token) -> Notice:
    return get_object_or_404(Notice.objects.select_related("round", "village"), token=token)
