"""The quota rule of the village plan §一: x reserves per village, plus x women when the village's
两委 has no woman at or under the age limit (以下 includes the number, age on the reference date)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Status
from candidates.quota import NOT_COUNTED, female_rule_applies, quotas_for
from reserve.choices import Gender
from reserve.models import VillageCadre

from ..factories import CadreFactory, NominationFactory, PersonFactory, RoundFactory, VillageFactory

D = datetime.date
REF = D(2026, 6, 30)
F, M = Gender.FEMALE, Gender.MALE

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota_round(town):
    return RoundFactory(town=town, age_reference_date=REF, reserves_per_village=2, female_extra_reserves=1,
                        female_age_limit=35)


# ---------------------------------------------------------------------------------------------
# The female rule, on the roster alone
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "roster, limit, applies",
    [
        ([], 35, True),  # an empty roster has no young woman
        ([(M, D(1995, 1, 1))], 35, True),  # only a young man
        ([(F, D(1970, 1, 1))], 35, True),  # only an older woman
        ([(F, D(1991, 6, 30))], 35, False),  # 35th birthday on the reference date
        ([(F, D(1990, 7, 1))], 35, False),  # 35 on the reference date, 36th birthday the day after
        ([(F, D(1990, 6, 30))], 35, True),  # 36th birthday ON the reference date: one day too old
        ([(F, D(1990, 6, 30)), (M, D(2000, 1, 1))], 35, True),
        ([(F, D(1990, 6, 30)), (F, D(1999, 1, 1))], 35, False),  # one young woman is enough
        ([(F, D(1985, 7, 1))], 40, False),  # a round with female age limit 40: 40 is in
        ([(F, D(1985, 6, 30))], 40, True),  # 41 is out
        ([(F, D(1990, 6, 30))], 40, False),
    ],
)
def test_female_rule_applies(roster, limit, applies):
    r = RoundFactory.build(age_reference_date=REF, female_age_limit=limit)
    cadres = [VillageCadre(name=f"c{i}", gender=g, birth_date=b, post="委员") for i, (g, b) in enumerate(roster)]
    assert female_rule_applies(cadres, r) is applies


def test_female_rule_uses_the_female_age_limit_not_the_candidate_age_limit():
    r = RoundFactory.build(age_reference_date=REF, age_limit=45, female_age_limit=30)
    cadres = [VillageCadre(name="王芳", gender=F, birth_date=D(1990, 7, 1), post="委员")]  # 35
    assert female_rule_applies(cadres, r) is True


# ---------------------------------------------------------------------------------------------
# quotas_for
# ---------------------------------------------------------------------------------------------


def test_no_young_woman_adds_the_female_target(quota_round, village_a):
    CadreFactory(village=village_a, gender=M, birth_date=D(1995, 1, 1))
    CadreFactory(village=village_a, gender=F, birth_date=D(1975, 1, 1))
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.village_id == village_a.pk
    assert quota.female_rule_applies is True
    assert quota.base_target == 2
    assert quota.female_target == 1
    assert quota.target == 3


def test_woman_exactly_at_the_limit_means_no_extra(quota_round, village_a):
    CadreFactory(village=village_a, gender=F, birth_date=D(1990, 7, 1))  # 35 on REF
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.female_rule_applies is False
    assert quota.female_target == 0
    assert quota.target == 2


def test_woman_one_day_too_old_means_extra(quota_round, village_a):
    CadreFactory(village=village_a, gender=F, birth_date=D(1990, 6, 30))  # 36 on REF
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.female_rule_applies is True
    assert quota.target == 3


def test_targets_follow_the_round_parameters(town, village_a):
    r = RoundFactory(town=town, age_reference_date=REF, reserves_per_village=3, female_extra_reserves=2,
                     female_age_limit=40)
    CadreFactory(village=village_a, gender=F, birth_date=D(1985, 6, 30))  # 41 on REF
    quota = quotas_for(r, [village_a])[village_a.pk]
    assert (quota.base_target, quota.female_target, quota.target) == (3, 2, 5)


def test_no_female_extra_when_the_round_sets_none(town, village_a):
    r = RoundFactory(town=town, age_reference_date=REF, female_extra_reserves=0)
    quota = quotas_for(r, [village_a])[village_a.pk]
    assert quota.female_rule_applies is True
    assert quota.female_target == 0
    assert quota.target == quota.base_target == 2


def test_each_village_has_its_own_roster(quota_round, village_a, village_b):
    CadreFactory(village=village_a, gender=F, birth_date=D(1998, 3, 3))
    CadreFactory(village=village_b, gender=F, birth_date=D(1970, 3, 3))
    quotas = quotas_for(quota_round, [village_a, village_b])
    assert set(quotas) == {village_a.pk, village_b.pk}
    assert quotas[village_a.pk].female_rule_applies is False
    assert quotas[village_b.pk].female_rule_applies is True


def _pooled(nomination):
    """A nomination that reached 入库 and the reserve it became (the quota counts the pool's active village
    reserves: training registers the counter)."""
    from training.models import Tier

    from ..factories import ReserveFactory

    ReserveFactory(town=nomination.round.town, village=nomination.village, person=nomination.person,
                   nomination=nomination, round=nomination.round, tier=Tier.VILLAGE)
    return nomination


def _nominate(round_, village, status, gender=M):
    birth = D(1995, 6, 15)
    nomination = NominationFactory(round=round_, village=village, status=status,
                                   person=PersonFactory(gender=gender, birth_date=birth))
    return _pooled(nomination) if status == Status.RESERVE else nomination


def test_counts(quota_round, village_a, village_b, town):
    for status, gender in [
        (Status.RESERVE, M),
        (Status.RESERVE, F),
        (Status.RESERVE, F),
        (Status.SUBMITTED, M),
        (Status.ACCEPTED, F),
        (Status.VETTING, M),
        (Status.VETTED, M),
        (Status.INSPECTION, M),
        (Status.PROPOSED, M),
        (Status.PUBLICISED, F),
        (Status.DRAFT, M),
        (Status.RETURNED, M),
        (Status.DISQUALIFIED, M),
        (Status.REJECTED, M),
        (Status.WITHDRAWN, M),
        (Status.WITHDRAWN, F),
    ]:
        _nominate(quota_round, village_a, status, gender)
    # Another village of the same round does not count; the same village's pool in another round of the town does
    # (the pool is the village's, whatever round its people came from), its nominations in progress there do not.
    _nominate(quota_round, village_b, Status.RESERVE, F)
    other_round = RoundFactory(town=town, age_reference_date=REF)
    _nominate(other_round, village_a, Status.RESERVE, F)
    _nominate(other_round, village_a, Status.SUBMITTED, M)

    quotas = quotas_for(quota_round, [village_a, village_b])
    qa = quotas[village_a.pk]
    assert qa.reserves == 4  # three of this round, one of the other round
    assert qa.female_reserves == 3
    assert qa.in_progress == 7  # submitted … publicised, of this round
    assert qa.nominations == 13  # everything of this round but the draft and the two withdrawn
    assert qa.approved == 1  # the one in 公示
    qb = quotas[village_b.pk]
    assert (qb.reserves, qb.female_reserves, qb.in_progress, qb.nominations) == (1, 1, 0, 1)


# Still in the village branch's hands, or finished one way or another: not "in progress".
NOT_IN_PROGRESS = {Status.DRAFT, Status.RETURNED, Status.DISQUALIFIED, Status.REJECTED, Status.RESERVE,
                   *NOT_COUNTED}


@pytest.mark.parametrize("status", list(Status))
def test_every_status_is_counted_where_it_belongs(quota_round, village_a, status):
    _nominate(quota_round, village_a, status, F)
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.in_progress == (0 if status in NOT_IN_PROGRESS else 1)
    assert quota.reserves == quota.female_reserves == (1 if status == Status.RESERVE else 0)
    assert quota.nominations == (0 if status in NOT_COUNTED else 1)


def test_village_without_nominations_counts_zero(quota_round, village_a):
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert (quota.reserves, quota.female_reserves, quota.in_progress, quota.nominations) == (0, 0, 0, 0)
    assert quota.met is False


@pytest.mark.parametrize(
    "reserves, young_woman_on_committee, met",
    [
        ([M, M], True, True),  # target 2, no female extra
        ([M], True, False),
        ([M, M], False, False),  # target 3 with one woman
        ([M, M, M], False, False),  # three reserves but no woman among them
        ([M, M, F], False, True),
        ([F, F, F], False, True),
    ],
)
def test_met(quota_round, village_a, reserves, young_woman_on_committee, met):
    if young_woman_on_committee:
        CadreFactory(village=village_a, gender=F, birth_date=D(1995, 1, 1))
    for gender in reserves:
        _nominate(quota_round, village_a, Status.RESERVE, gender)
    assert quotas_for(quota_round, [village_a])[village_a.pk].met is met


def _populate(town, round_, n):
    villages = VillageFactory.create_batch(n, town=town)
    for i, village in enumerate(villages):
        CadreFactory(village=village, gender=F if i % 2 else M, birth_date=D(1980 + i, 1, 1))
        CadreFactory(village=village, gender=M, birth_date=D(1970, 1, 1))
        _nominate(round_, village, Status.RESERVE, F)
        _nominate(round_, village, Status.SUBMITTED, M)
    return villages


def test_quotas_for_uses_a_constant_number_of_queries(town, quota_round, django_assert_num_queries):
    two = _populate(town, quota_round, 2)
    ten = _populate(town, quota_round, 10)
    with CaptureQueriesContext(connection) as captured:
        small = quotas_for(quota_round, two)
    n = len(captured)
    assert 1 <= n <= 3
    with django_assert_num_queries(n):
        big = quotas_for(quota_round, ten)
    assert len(small) == 2 and len(big) == 10
    assert all(q.reserves == 1 and q.in_progress == 1 for q in big.values())


# ---------------------------------------------------------------------------------------------
# The pool of every round (issue 9, item 6)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pool, female_missing, remaining, met",
    [
        # (round of the reserve: "this" or "earlier" or "other town", gender)
        ([], 1, 3, False),
        ([("earlier", F)], 0, 2, False),  # a woman entered the pool in an earlier round: no more "另需1名"
        ([("earlier", M)], 1, 2, False),
        ([("earlier", F), ("this", M), ("this", M)], 0, 0, True),
        ([("earlier", M), ("earlier", M), ("this", F)], 0, 0, True),
        ([("other town", F)], 1, 3, False),  # another town's pool is not this village's
    ],
)
def test_the_pool_of_every_round_of_the_town_counts(quota_round, village_a, town, other_town, pool, female_missing,
                                                   remaining, met):
    earlier = RoundFactory(town=town, age_reference_date=REF, year=REF.year - 2, closed=True)
    foreign = RoundFactory(town=other_town, age_reference_date=REF)
    rounds = {"this": quota_round, "earlier": earlier, "other town": foreign}
    for which, gender in pool:
        _nominate(rounds[which], village_a, Status.RESERVE, gender)
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.female_target == 1
    assert (quota.female_missing, quota.remaining, quota.met) == (female_missing, remaining, met)


def test_a_person_in_the_pool_twice_counts_once(quota_round, village_a, town):
    earlier = RoundFactory(town=town, age_reference_date=REF, year=REF.year - 2, closed=True)
    person = PersonFactory(gender=F)
    _pooled(NominationFactory(round=earlier, village=village_a, status=Status.RESERVE, person=person))
    _pooled(NominationFactory(round=quota_round, village=village_a, status=Status.RESERVE, person=person))
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert (quota.reserves, quota.female_reserves) == (1, 1)


@pytest.mark.parametrize("status, approved", [(Status.APPROVED, 1), (Status.PUBLICISED, 1), (Status.PROPOSED, 0),
                                              (Status.REJECTED, 0)])
def test_approved_on_their_way_into_the_pool_take_places(quota_round, village_a, status, approved):
    _nominate(quota_round, village_a, status)
    quota = quotas_for(quota_round, [village_a])[village_a.pk]
    assert quota.approved == approved
    assert quota.remaining == quota.target - approved


def test_quota_page_drops_the_female_place_once_a_woman_is_in_the_pool_from_another_round(
        client, quota_round, village_a, town):
    from django.urls import reverse

    from reserve.roles import Role

    from ..factories import UserFactory

    office = UserFactory(town=town, role=Role.OFFICE)
    client.force_login(office)
    url = reverse("village_list") + f"?round={quota_round.pk}"
    assert "另需1名" in client.get(url).content.decode()
    earlier = RoundFactory(town=town, age_reference_date=REF, year=REF.year - 2, closed=True)
    _nominate(earlier, village_a, Status.RESERVE, F)
    text = client.get(url).content.decode()
    assert "另需1名" not in text
    assert "已有1名" in text


# ---------------------------------------------------------------------------------------------
# The counts behind the quotas are kept in the cache, and never used after a nomination changes
# ---------------------------------------------------------------------------------------------


def _nominations_count(round_, village):
    return quotas_for(round_, [village])[village.pk].nominations


def test_cached_counts_are_read_without_the_nomination_query(quota_round, village_a):
    NominationFactory(round=quota_round, village=village_a, status=Status.SUBMITTED)
    assert _nominations_count(quota_round, village_a) == 1
    with CaptureQueriesContext(connection) as queries:
        assert _nominations_count(quota_round, village_a) == 1
    assert not any("candidates_nomination" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("change", ["create", "status", "delete"])
def test_a_changed_nomination_is_counted_at_once(quota_round, village_a, change):
    n = NominationFactory(round=quota_round, village=village_a, status=Status.SUBMITTED)
    before = quotas_for(quota_round, [village_a])[village_a.pk]
    assert (before.nominations, before.in_progress, before.approved) == (1, 1, 0)
    if change == "create":
        NominationFactory(round=quota_round, village=village_a, status=Status.SUBMITTED)
        expected = (2, 2, 0)
    elif change == "status":
        n.status = Status.APPROVED
        n.save(update_fields=["status"])
        expected = (1, 1, 1)
    else:
        n.delete()
        expected = (0, 0, 0)
    after = quotas_for(quota_round, [village_a])[village_a.pk]
    assert (after.nominations, after.in_progress, after.approved) == expected


def test_counts_read_before_a_change_commits_are_not_used_after_it(quota_round, village_a,
                                                                   django_capture_on_commit_callbacks):
    n = NominationFactory(round=quota_round, village=village_a, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        n.status = Status.WITHDRAWN
        n.save(update_fields=["status"])
        # another request, reading before the commit, would see (and cache) the old row: simulate it
        from candidates import quota

        quota.cache.set(f"quota-counts:{quota_round.pk}:0:{quota._generation(quota_round.town_id)}:x", {}, 60)
        assert _nominations_count(quota_round, village_a) == 0
        stale_generation = quota._generation(quota_round.town_id)
    assert quota._generation(quota_round.town_id) != stale_generation  # renewed again at the commit


def test_other_towns_counts_stay_cached(quota_round, village_a, other_town):
    from candidates import quota

    generation = quota._generation(quota_round.town_id)
    NominationFactory(round=RoundFactory(town=other_town), village=VillageFactory(town=other_town))
    assert quota._generation(quota_round.town_id) == generation


@pytest.mark.parametrize("savepoint", [False, True])
def test_counts_read_in_a_transaction_that_rolls_back_are_not_kept(quota_round, village_a, savepoint):
    """Found by the session's attack review: counts read after a change inside a transaction that is then rolled
    back (whole, or to a savepoint) must not outlive it."""
    from django.db import transaction

    n = NominationFactory(round=quota_round, village=village_a, status=Status.SUBMITTED)
    assert quotas_for(quota_round, [village_a])[village_a.pk].approved == 0
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            with transaction.atomic(savepoint=savepoint) if savepoint else transaction.atomic():
                n.status = Status.APPROVED
                n.save(update_fields=["status"])
                assert quotas_for(quota_round, [village_a])[village_a.pk].approved == 1
                raise RuntimeError("refused later in the same transaction")
    assert quotas_for(quota_round, [village_a])[village_a.pk].approved == 0


def test_a_decision_inside_a_transaction_reads_the_database_not_the_cache(quota_round, village_a):
    """The committee's approval checks the places under the village's lock, in a transaction: the counts are
    read afresh there even when a stale entry sits in the cache under the current generation."""
    from django.db import transaction

    from candidates import quota

    NominationFactory(round=quota_round, village=village_a, status=Status.APPROVED)
    generation = quota._generation(quota_round.town_id)
    digest = quota.hashlib.blake2b(str(village_a.pk).encode(), digest_size=12).hexdigest()
    quota.cache.set(f"quota-counts:{quota_round.pk}:0:{generation}:{digest}", {}, 60)  # a stale entry
    assert quotas_for(quota_round, [village_a])[village_a.pk].approved == 0  # outside: the (stale) cache
    with transaction.atomic():
        assert quotas_for(quota_round, [village_a])[village_a.pk].approved == 1
