"""The quota rule of the village plan §一: x reserves per village, plus x women when the village's
两委 has no woman at or under the age limit.

A village's places are taken by the people in its pool — its nominations that became reserves in ANY
round of the town, not only this round's — and by those the committee has approved and who are on
their way into the pool (approved or in 公示)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from reserve.choices import Gender
from reserve.dates import age_on
from reserve.models import VillageCadre

from .models import Nomination, Status

# Approved by the committee, not yet in the pool: their places are taken.
APPROVED = (Status.APPROVED, Status.PUBLICISED)

# Not among a round's nominations: a village's unsubmitted draft (the office does not see it) and those withdrawn
# (撤回) or revoked (撤销).
NOT_COUNTED = (Status.DRAFT, Status.WITHDRAWN, Status.REVOKED)

IN_PROGRESS = (
    Status.SUBMITTED, Status.ACCEPTED, Status.VETTING, Status.VETTED,
    Status.INSPECTION, Status.PROPOSED, Status.APPROVED, Status.PUBLICISED,
)


@dataclass(frozen=True)
class Quota:
    village_id: int
    base_target: int
    female_rule_applies: bool
    female_target: int
    reserves: int
    female_reserves: int
    in_progress: int
    nominations: int
    approved: int = 0

    @property
    def target(self) -> int:
        return self.base_target + self.female_target

    @property
    def female_missing(self) -> int:
        """Women still needed for the female places (0 when the rule does not apply or the pool has them)."""
        return max(self.female_target - self.female_reserves, 0)

    @property
    def taken(self) -> int:
        """Places taken: people in the pool and those approved on their way into it."""
        return self.reserves + self.approved

    @property
    def remaining(self) -> int:
        return max(self.target - self.taken, 0)

    @property
    def met(self) -> bool:
        return self.reserves >= self.target and self.female_reserves >= self.female_target


def female_rule_applies(cadres, round_) -> bool:
    """True when no woman on the 两委 is at or under the round's female age limit on its reference date."""
    return not any(
        c.gender == Gender.FEMALE and age_on(c.birth_date, round_.age_reference_date) <= round_.female_age_limit
        for c in cadres
    )


def quotas_for(round_, villages) -> dict[int, Quota]:
    """Quota of each village in a round, in two queries whatever the number of villages.

    reserves / female_reserves: distinct people in the village's pool from any round of the town;
    approved: approved or in 公示 (any round of the town); in_progress / nominations: this round's."""
    village_ids = [v.pk for v in villages]
    cadres_by_village: dict[int, list] = {vid: [] for vid in village_ids}
    for cadre in VillageCadre.objects.filter(village_id__in=village_ids).only("village_id", "gender", "birth_date"):
        cadres_by_village[cadre.village_id].append(cadre)
    counts = {
        row["village_id"]: row
        for row in Nomination.objects.filter(round__town_id=round_.town_id, village_id__in=village_ids)
        .values("village_id")
        .annotate(
            reserves=Count("person", distinct=True, filter=Q(status=Status.RESERVE)),
            female_reserves=Count("person", distinct=True,
                                  filter=Q(status=Status.RESERVE, person__gender=Gender.FEMALE)),
            approved=Count("id", filter=Q(status__in=APPROVED)),
            in_progress=Count("id", filter=Q(round=round_, status__in=IN_PROGRESS)),
            nominations=Count("id", filter=Q(round=round_) & ~Q(status__in=NOT_COUNTED)),
        )
    }
    result = {}
    for vid in village_ids:
        applies = female_rule_applies(cadres_by_village[vid], round_)
        row = counts.get(vid, {})
        result[vid] = Quota(
            village_id=vid,
            base_target=round_.reserves_per_village,
            female_rule_applies=applies,
            female_target=round_.female_extra_reserves if applies else 0,
            reserves=row.get("reserves", 0),
            female_reserves=row.get("female_reserves", 0),
            in_progress=row.get("in_progress", 0),
            nominations=row.get("nominations", 0),
            approved=row.get("approved", 0),
        )
    return result
