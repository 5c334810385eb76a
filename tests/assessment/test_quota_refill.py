"""The quota shortfall after a removal and the round that fills it (补充推选, issue 12 point 4): a removal frees the
village's place; the village's page and the quota table show 缺额; the round list names the villages short of
reserves; the office opens a new round prefilled from the old one's parameters, marked 补充推选, in which the
village branch nominates."""

import datetime

import pytest
from django.urls import reverse

from assessment import adjustments
from candidates.forms import RoundForm
from candidates.models import Round
from candidates.quota import REFILL, is_refill, quotas_for, refill_initial, shortfalls
from candidates.selectors import current_round

from ..factories import PoolTermFactory, ReserveFactory, RoundFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


@pytest.fixture
def first_round(town):
    return RoundFactory(town=town, name="首批推选", reserves_per_village=2, female_extra_reserves=0, age_limit=40,
                        year=today().year)


def post_data(initial) -> dict:
    """The round form's fields as the browser sends them, from initial values."""
    data = {}
    for name in RoundForm().fields:
        value = initial.get(name)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def remove(office, committee, reserve):
    adjustment = adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合后备干部条件")
    adjustments.adjustment_perform(actor=committee, adjustment_id=adjustment.pk, action="approve_adjustment",
                                   version=adjustment.version)


def test_removal_shows_the_shortfall_and_a_refill_round_is_opened(client, town, term, village_a, village_b,
                                                                  first_round, office, committee, village_a_user):
    a1, _a2 = (ReserveFactory(town=town, term=term, village=village_a) for _i in range(2))
    for _i in range(2):
        ReserveFactory(town=town, term=term, village=village_b)
    assert shortfalls(first_round, [village_a, village_b]) == []
    client.force_login(office)
    assert 'id="shortfalls"' not in page(client.get(reverse("round_list")))

    remove(office, committee, a1)

    # The village's page: 缺额 1.
    body = page(client.get(reverse("village_detail", args=[village_a.pk]) + f"?round={first_round.pk}"))
    assert 'data-shortfall="1"' in body and "缺额1名" in body
    # The quota table of the round and of the villages.
    body = page(client.get(first_round.get_absolute_url()))
    assert body.count('data-shortfall="1"') == 1 and body.count('data-shortfall="0"') == 1
    # The round list names the village and offers the refill.
    body = page(client.get(reverse("round_list")))
    assert f'data-village="{village_a.pk}"' in body and f'data-village="{village_b.pk}"' not in body
    refill_url = reverse("round_new") + f"?refill={first_round.pk}"
    assert refill_url in body

    # The form is prefilled from the first round, named 补充推选, its windows from today.
    body = page(client.get(refill_url))
    name = f"{today().year}年村级后备干部{REFILL}"
    assert f'value="{name}"' in body and 'id="refill-note"' in body and "东山村缺1名" in body
    initial = refill_initial(first_round, today())
    assert (initial["age_limit"], initial["reserves_per_village"], initial["nomination_start"]) == (40, 2, today())
    response = client.post(refill_url, post_data(initial))
    assert response.status_code == 302, page(response)
    refill = Round.objects.get(name=name)
    assert is_refill(refill) and refill.town == town and refill.status == Round.Status.OPEN
    assert refill.age_limit == 40
    assert 'id="refill-badge"' in page(client.get(refill.get_absolute_url()))
    # The new round is the village's current one, with the village's shortfall as its remaining places.
    assert current_round(village_a_user) == refill
    assert quotas_for(refill, [village_a])[village_a.pk].remaining == 1
    assert refill.nomination_window_open(today())
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:nomination_new")).status_code == 200


def test_a_second_refill_in_a_year_gets_its_own_name(town, first_round):
    taken = [f"{today().year}年村级后备干部{REFILL}"]
    assert refill_initial(first_round, today(), taken_names=taken)["name"] == f"{taken[0]}（2）"


@pytest.mark.parametrize("who, query, status", [
    ("committee", "?refill=1", 403),  # the office opens rounds
    ("other_office", "?refill={pk}", 404),  # another town's round
    ("office", "?refill=abc", 404),
    ("office", "?refill=99999999", 404),
    ("office", "?refill=", 200),  # empty: the latest round
])
def test_refill_addresses_are_scoped(client, first_round, office, committee, other_office, who, query, status):
    client.force_login({"office": office, "committee": committee, "other_office": other_office}[who])
    url = reverse("round_new") + query.format(pk=first_round.pk)
    assert client.get(url).status_code == status


def test_the_committee_sees_the_shortfall_without_the_button(client, town, term, village_a, first_round, committee):
    ReserveFactory(town=town, term=term, village=village_a)
    client.force_login(committee)
    body = page(client.get(reverse("round_list")))
    assert 'id="shortfalls"' in body and 'id="refill"' not in body
