"""Scoped reads of assessment and adjustment, and the scope declarations of its models."""

from reserve.roles import Role
from reserve.scope import declare

from .models import Adjustment, Assessment, AssessmentRound, Scheme, Vacancy

# A record about a reserve is seen by whoever sees the reserve (training.selectors); the rounds and the scheme by
# the town's office and committee.
_BY_RESERVE = {
    Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town", Role.VILLAGE: "reserve__village",
    Role.UNIT: "reserve__unit", Role.MENTOR: "reserve__mentor",
}
declare(Assessment, _BY_RESERVE)
declare(Adjustment, {Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town"})
declare(AssessmentRound, {Role.OFFICE: "town", Role.COMMITTEE: "town"})
declare(Scheme, {Role.OFFICE: "town", Role.COMMITTEE: "town"})
declare(Vacancy, {Role.OFFICE: "village__town", Role.COMMITTEE: "village__town", Role.VILLAGE: "village"})
