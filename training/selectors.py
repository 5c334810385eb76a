"""Scoped reads of the reserve pool, and its scope declaration."""

from django.db.models import QuerySet

from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import Reserve

declare(Reserve, {Role.OFFICE: "village__town", Role.COMMITTEE: "village__town", Role.VILLAGE: "village"})


def reserves_visible_to(user) -> QuerySet[Reserve]:
    return Scope.for_user(user).filter(Reserve)
