"""The quota rule of the village plan §一: x reserves per village, plus x women when the village's
两委 has no woman at or under the age limit.

A village's places are taken by the people in its pool — its ACTIVE village reserve cadres, whichever round
they came from (one appointed, removed or whose term expired no longer counts) — and by those the committee
has approved and who are on their way into the pool (approved or in 公示).

The pool is a later app: it registers its counter (`register_pool_counter`) from its AppConfig.ready(), so
that selection never names it. Without a counter (selection alone), the people whose nomination reached
"入库" count."""

import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection, transaction
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


# counter(town_id, village_ids) -> {village_id: (reserves, female_reserves)}, in one query
_pool_counters: list[Callable] = []


def register_pool_counter(counter: Callable) -> None:
    """The pool's count of the people taking each village's places (the latest registration is used)."""
    if counter in _pool_counters:
        _pool_counters.remove(counter)
    _pool_counters.append(counter)


def pool_counter() -> Callable | None:
    return _pool_counters[-1] if _pool_counters else None


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


class _Cadre(NamedTuple):
    """What the female rule reads of a member of a village's 两委."""

    gender: str
    birth_date: datetime.date


def female_rule_applies(cadres, round_) -> bool:
    """True when no woman on the 两委 is at or under the round's female age limit on its reference date."""
    return not any(
        c.gender == Gender.FEMALE and age_on(c.birth_date, round_.age_reference_date) <= round_.female_age_limit
        for c in cadres
    )


def quotas_for(round_, villages) -> dict[int, Quota]:
    """Quota of each village in a round, in three queries at most whatever the number of villages.

    reserves / female_reserves: the village's active reserves in the pool (the registered pool counter; else
    distinct people whose nomination reached 入库 in any round of the town);
    approved: approved or in 公示 (any round of the town); in_progress / nominations: this round's."""
    village_ids = [v.pk for v in villages]
    cadres_by_village: dict[int, list] = {vid: [] for vid in village_ids}
    for village_id, gender, birth_date in (VillageCadre.objects.filter(village_id__in=village_ids).order_by()
                                           .values_list("village_id", "gender", "birth_date")):
        cadres_by_village[village_id].append(_Cadre(gender, birth_date))  # plain values: a town has ~200
    counter = pool_counter()
    counts = _nomination_counts(round_, village_ids, with_reserves=counter is None)
    pool = counter(round_.town_id, village_ids) if counter is not None and village_ids else None
    result = {}
    for vid in village_ids:
        applies = female_rule_applies(cadres_by_village[vid], round_)
        row = counts.get(vid, {})
        if pool is not None:
            in_pool = pool.get(vid, (0, 0))
            row = {**row, "reserves": in_pool[0], "female_reserves": in_pool[1]}
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


def town_places(round_, town_id) -> int:
    """The sum of the places of the town's villages in a round (each village's Quota.target: 每村x名, plus the
    female places where the rule applies), in one query: without the counts quotas_for reads."""
    from reserve.models import Village

    cadres: dict[int, list] = {}
    for village_id, cadre_id, gender, birth_date in (Village.objects.filter(town_id=town_id).order_by()
                                                     .values_list("pk", "cadres__id", "cadres__gender",
                                                                  "cadres__birth_date")):
        found = cadres.setdefault(village_id, [])
        if cadre_id is not None:
            found.append(_Cadre(gender, birth_date))
    return sum(round_.reserves_per_village + (round_.female_extra_reserves if female_rule_applies(c, round_) else 0)
               for c in cadres.values())


# --- the counts of nominations behind the quotas, kept in the cache ------------------------------------------------
#
# The counts read every nomination of the round (12,000 in the largest town of a county) on every page that shows
# quotas (issue 13: ≤ 50 ms a page). They are kept in the cache under the town's generation, renewed whenever a
# nomination of the town is saved or deleted (signals below; every status change saves the nomination) — at the
# change and again when its transaction commits, so that counts read in between are never used after it — and
# at most COUNTS_TTL seconds. A change is therefore seen from the next request on, on every server sharing the
# cache (REDIS_URL); with the per-process memory cache of a one-process setup, a change made by another process
# (a manage.py command) within COUNTS_TTL seconds.
#
# Inside a transaction the cache is neither read nor written: a service that decides on the counts (the committee's
# approval, checked against the places under the village's lock) reads the database, and counts read in a
# transaction that is then rolled back are never kept.

COUNTS_TTL = 600  # seconds


def _generation_key(town_id) -> str:
    return f"quota-counts:generation:{town_id}"


def _generation(town_id) -> str:
    key = _generation_key(town_id)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, uuid.uuid4().hex, None)
        generation = cache.get(key)
    return generation


def forget_counts(town_id) -> None:
    """The town's cached counts are not used again (a nomination of the town changed)."""
    key = _generation_key(town_id)
    cache.set(key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def _nomination_counts(round_, village_ids, *, with_reserves: bool) -> dict:
    """{village_id: {approved, in_progress, nominations[, reserves, female_reserves]}} — from the cache, else in
    one query that reads only the rows a count needs: those approved or in 公示 (any round of the town), this
    round's, and with_reserves (no pool counter registered) those that reached 入库."""
    key = None
    if not _in_transaction():
        ids = ",".join(map(str, sorted(village_ids)))
        digest = hashlib.blake2b(ids.encode(), digest_size=12).hexdigest()
        key = f"quota-counts:{round_.pk}:{int(with_reserves)}:{_generation(round_.town_id)}:{digest}"
        counts = cache.get(key)
        if counts is not None:
            return counts
    wanted = Q(status__in=APPROVED) | Q(round=round_)
    counted = {
        # counted on round_id, a column of the (round, village, status) index: an index-only scan
        "approved": Count("round", filter=Q(status__in=APPROVED)),
        "in_progress": Count("round", filter=Q(round=round_, status__in=IN_PROGRESS)),
        "nominations": Count("round", filter=Q(round=round_) & ~Q(status__in=NOT_COUNTED)),
    }
    if with_reserves:
        wanted |= Q(status=Status.RESERVE)
        counted["reserves"] = Count("person", distinct=True, filter=Q(status=Status.RESERVE))
        counted["female_reserves"] = Count("person", distinct=True,
                                           filter=Q(status=Status.RESERVE, person__gender=Gender.FEMALE))
    counts = {
        row["village_id"]: row
        for row in Nomination.objects.filter(wanted, round__town_id=round_.town_id, village_id__in=village_ids)
        .values("village_id").annotate(**counted)
    }
    if key is not None:
        cache.set(key, counts, COUNTS_TTL)
    return counts


def _in_transaction() -> bool:
    """Whether a transaction of the app's own is open (the tests' enclosing transactions, Django's TestCase
    atomics, do not count: a test sees the cache as a request does)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _town_of(nomination):
    round_ = nomination._state.fields_cache.get("round")
    if round_ is not None:
        return round_.town_id
    from .models import Round

    return Round.objects.filter(pk=nomination.round_id).values_list("town_id", flat=True).first()


def forget_counts_of(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a Nomination: its town's cached counts are not used again."""
    town_id = _town_of(instance)
    if town_id is not None:
        forget_counts(town_id)


# --- the shortfall after people leave the pool, and the round that fills it (补充推选) -----------------------

REFILL = "补充推选"  # in the name of a round opened to fill a shortfall (the round has no kind of its own)
# The stage windows of a refill round from the day it is opened: (first day, last day) after it, in days.
REFILL_WINDOWS = {"nomination": (0, 14), "review": (15, 29), "inspection": (30, 44), "publicity": 45}
# The parameters a refill round copies from the round whose shortfall it fills.
REFILL_COPIED = (
    "reserves_per_village", "female_extra_reserves", "female_age_limit", "age_limit", "min_education",
    "relaxation_categories", "relaxed_min_education", "relaxed_age_extra", "probation_recovery_years",
    "expulsion_years", "family_planning_years", "publicity_days", "publicity_day_kind", "public_list_days",
    "required_talk_categories", "required_appraisal_categories", "appraisal_pass_numerator",
    "appraisal_pass_denominator", "appraisal_turnout_numerator", "appraisal_turnout_denominator",
    "committee_quorum_numerator", "committee_quorum_denominator",
)


def shortfalls(round_, villages) -> list[tuple]:
    """(village, quota) of each village whose places are not all taken (缺额 = quota.remaining > 0), in the order
    of `villages`; the quotas in three queries whatever the number of villages."""
    quotas = quotas_for(round_, villages)
    return [(v, quotas[v.pk]) for v in villages if quotas[v.pk].remaining > 0]


def is_refill(round_) -> bool:
    return REFILL in (round_.name or "")


def refill_initial(source, today, *, taken_names=()) -> dict:
    """The form's initial values of a round opened to fill the shortfall left in `source`'s villages (补充推选):
    its parameters copied, this year, a name saying 补充推选 (not one already used this year), and the stage windows
    from today (the office adjusts them)."""
    import datetime

    def day(offset):
        return today + datetime.timedelta(days=offset)

    base = f"{today.year}年村级后备干部{REFILL}"
    name, n = base, 1
    while name in set(taken_names):
        n += 1
        name = f"{base}（{n}）"
    initial = {field: getattr(source, field) for field in REFILL_COPIED}
    w = REFILL_WINDOWS
    initial.update({
        "name": name, "year": today.year, "status": source.Status.OPEN, "age_reference_date": today,
        "negative_since_year": None,
        "nomination_start": day(w["nomination"][0]), "nomination_end": day(w["nomination"][1]),
        "review_start": day(w["review"][0]), "review_end": day(w["review"][1]),
        "inspection_start": day(w["inspection"][0]), "inspection_end": day(w["inspection"][1]),
        "publicity_start": day(w["publicity"]),
    })
    return initial
