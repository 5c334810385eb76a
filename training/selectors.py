"""Scoped reads of the reserve pool, and the scope declarations of its models."""

from django.db.models import QuerySet

from reserve.roles import Role
from reserve.scope import Scope, declare

from .models import FollowUpVisit, Mentorship, PoolMeeting, PoolTerm, Reserve

# The office and the committee see their town's pool; a village branch its village's reserves, a unit's head the
# unit's, a mentor the reserves paired with them now.
declare(Reserve, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: "village", Role.UNIT: "unit",
                  Role.MENTOR: "mentor"})
declare(Mentorship, {Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town", Role.VILLAGE: "reserve__village",
                     Role.UNIT: "reserve__unit", Role.MENTOR: "mentor"})
declare(FollowUpVisit, {Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town",
                        Role.VILLAGE: "reserve__village", Role.UNIT: "reserve__unit"})
declare(PoolTerm, {Role.OFFICE: "town", Role.COMMITTEE: "town", Role.VILLAGE: ("town", "town_id"),
                   Role.UNIT: ("town", "town_id"), Role.MENTOR: ("town", "town_id")})
declare(PoolMeeting, {Role.OFFICE: "town", Role.COMMITTEE: "town"})


def reserves_visible_to(user) -> QuerySet[Reserve]:
    return Scope.for_user(user).filter(Reserve)
