"""The quota (各村推选情况) counts pool membership: a village's active village reserves take its places; one used,
removed or expired frees it. The pool registers its counter with selection (candidates.quota)."""

import datetime

import pytest
from django.urls import reverse

from candidates import quota
from candidates.models import Status
from candidates.quota import quotas_for
from reserve.choices import Gender
from training import services
from training.models import Reserve, Tier
from training.selectors import village_pool_counts

from ..factories import NominationFactory, PersonFactory, PoolTermFactory, ReserveFactory, RoundFactory, UnitFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota_round(town):
    return RoundFactory(town=town, reserves_per_village=2, female_extra_reserves=0)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


def test_the_pool_registers_its_counter():
    assert quota.pool_counter() is village_pool_counts


@pytest.mark.parametrize("status, tier, counted", [
    (Reserve.Status.ACTIVE, Tier.VILLAGE, 1),
    (Reserve.Status.USED, Tier.VILLAGE, 0),
    (Reserve.Status.REMOVED, Tier.VILLAGE, 0),
    (Reserve.Status.EXPIRED, Tier.VILLAGE, 0),
    (Reserve.Status.PROPOSED, Tier.VILLAGE, 0),
    (Reserve.Status.ACTIVE, Tier.THIRD, 0),  # put in tier 3: no longer one of the village's places
])
def test_what_takes_a_place(quota_round, town, term, village_a, status, tier, counted):
    ReserveFactory(town=town, term=term, village=village_a, status=status, tier=tier)
    assert quotas_for(quota_round, [village_a])[village_a.pk].reserves == counted


def test_women_and_other_towns(quota_round, town, other_town, term, village_a, village_b):
    ReserveFactory(town=town, term=term, village=village_a, gender=Gender.FEMALE,
                   person=PersonFactory(gender=Gender.FEMALE))
    ReserveFactory(town=town, term=term, village=village_a)
    ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=Tier.FOURTH)  # a unit: no village
    counts = quotas_for(quota_round, [village_a, village_b])
    assert (counts[village_a.pk].reserves, counts[village_a.pk].female_reserves) == (2, 1)
    assert counts[village_b.pk].reserves == 0
    assert village_pool_counts(other_town.pk, [village_a.pk]) == {}


def test_approved_nominations_still_take_places(quota_round, town, term, village_a):
    ReserveFactory(town=town, term=term, village=village_a)
    NominationFactory(round=quota_round, village=village_a, status=Status.APPROVED)
    q = quotas_for(quota_round, [village_a])[village_a.pk]
    assert (q.reserves, q.approved, q.taken, q.remaining) == (1, 1, 2, 0)


def test_without_a_counter_the_nominations_count(quota_round, village_a, monkeypatch):
    monkeypatch.setattr(quota, "_pool_counters", [])
    NominationFactory(round=quota_round, village=village_a, status=Status.RESERVE)
    assert quotas_for(quota_round, [village_a])[village_a.pk].reserves == 1


def test_a_removal_frees_the_place_on_the_villages_page(client, office, committee, quota_round, town, term, village_a):
    reserves = [ReserveFactory(town=town, term=term, village=village_a) for _i in range(2)]
    client.force_login(office)
    url = reverse("village_list") + f"?round={quota_round.pk}"
    assert 'data-reserves="2"' in page(client.get(url))
    assert quotas_for(quota_round, [village_a])[village_a.pk].remaining == 0
    services.reserve_remove(actor=committee, reserve_id=reserves[0].pk, reason="本人申请退出", approver="张书记")
    assert 'data-reserves="1"' in page(client.get(url))
    assert quotas_for(quota_round, [village_a])[village_a.pk].remaining == 1


def test_a_use_frees_the_place(office, quota_round, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a)
    services.reserve_use(actor=office, reserve_id=r.pk, post="村委会主任", used_on=today())
    assert quotas_for(quota_round, [village_a])[village_a.pk].reserves == 0


def test_the_counter_is_one_query(town, term, village_a, village_b, django_assert_num_queries):
    for v in (village_a, village_b):
        for _i in range(3):
            ReserveFactory(town=town, term=term, village=v)
    with django_assert_num_queries(1):
        counts = village_pool_counts(town.pk, [village_a.pk, village_b.pk])
    assert counts == {village_a.pk: (3, 0), village_b.pk: (3, 0)}


def test_an_objection_on_a_reserve_points_to_the_pool_page(quota_round, town, term, village_a):
    """The refusal to uphold an objection about someone already in the pool names the reserve's page."""
    from publicity import workflow as publicity_workflow

    nomination = NominationFactory(round=quota_round, village=village_a, status=Status.RESERVE)
    reserve = ReserveFactory(town=town, term=term, village=village_a, person=nomination.person,
                             nomination=nomination, round=quota_round)

    class Objection:
        locked_nomination = nomination

    message = publicity_workflow._may_uphold(Objection(), None, datetime.date.today())
    assert reserve.get_absolute_url() in message and "调整出库" in message
    other = NominationFactory(round=quota_round, village=village_a, status=Status.REJECTED)

    class Other:
        locked_nomination = other

    assert "/pool/" not in publicity_workflow._may_uphold(Other(), None, datetime.date.today())
