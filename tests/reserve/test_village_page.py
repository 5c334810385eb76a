"""A village's page at county scale (issue 13: 513 nominations listed unpaginated in 156 ms, an ID number decrypted a
row): the nominations 25 a page, filtered by round and status, the same queries for 3 and 60, no ID decrypted."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Status
from candidates.selectors import VILLAGE_PAGE_SIZE
from reserve import crypto

from ..factories import NominationFactory, RoundFactory
from ..helpers import page

pytestmark = pytest.mark.django_db


def nominations(round_, village, n, **fields):
    return [NominationFactory(round=round_, village=village, **fields) for _i in range(n)]


def rows_of(html) -> list[str]:
    return re.findall(r'<tr data-nomination="(\d+)">', html)


def village_url(village):
    return reverse("village_detail", args=[village.pk])


def test_the_nominations_are_paged_by_25_newest_first(client, office, round_, village_a):
    made = nominations(round_, village_a, VILLAGE_PAGE_SIZE + 2, submitted=True)
    client.force_login(office)
    first = page(client.get(village_url(village_a), {"round": round_.pk}))
    assert rows_of(first) == [str(n.pk) for n in reversed(made)][:VILLAGE_PAGE_SIZE]
    assert f"第1/2页，共{VILLAGE_PAGE_SIZE + 2}份" in first
    assert f"?round={round_.pk}&amp;status=&page=2" in first
    second = page(client.get(village_url(village_a), {"round": round_.pk, "page": 2}))
    assert rows_of(second) == [str(n.pk) for n in made[:2]][::-1]


def test_filter_by_status_and_round_kept_across_pages(client, office, town, round_, village_a):
    accepted = nominations(round_, village_a, VILLAGE_PAGE_SIZE + 1, accepted=True)
    submitted = nominations(round_, village_a, 2, submitted=True)
    other_round = RoundFactory(town=town, year=round_.year - 1)
    earlier = nominations(other_round, village_a, 1, accepted=True)
    client.force_login(office)
    html = page(client.get(village_url(village_a), {"round": round_.pk, "status": Status.SUBMITTED}))
    assert set(rows_of(html)) == {str(n.pk) for n in submitted}
    assert f'<option value="{Status.SUBMITTED}" selected>' in html
    html = page(client.get(village_url(village_a), {"round": round_.pk, "status": Status.ACCEPTED}))
    assert len(rows_of(html)) == VILLAGE_PAGE_SIZE
    assert f"?round={round_.pk}&amp;status={Status.ACCEPTED}&page=2" in html
    second = page(client.get(village_url(village_a), {"round": round_.pk, "status": Status.ACCEPTED, "page": 2}))
    assert len(rows_of(second)) == 1 and set(rows_of(second)) <= {str(n.pk) for n in accepted}
    html = page(client.get(village_url(village_a), {"round": other_round.pk}))
    assert rows_of(html) == [str(earlier[0].pk)]


@pytest.mark.parametrize("query", [{"status": "nonsense"}, {"page": "x"}, {"page": "99999999999999999999"}])
def test_garbage_in_the_query_is_a_page_not_an_error(client, office, round_, village_a, query):
    nominations(round_, village_a, 2, submitted=True)
    client.force_login(office)
    response = client.get(village_url(village_a), {"round": round_.pk, **query})
    assert response.status_code == 200 and len(rows_of(page(response))) == 2


def test_the_village_sees_its_own_drafts_and_the_office_does_not(client, office, village_a_user, round_, village_a):
    draft = nominations(round_, village_a, 1)[0]
    sent = nominations(round_, village_a, 1, submitted=True)[0]
    client.force_login(village_a_user)
    assert set(rows_of(page(client.get(village_url(village_a), {"round": round_.pk})))) == {str(draft.pk), str(sent.pk)}
    client.force_login(office)
    assert rows_of(page(client.get(village_url(village_a), {"round": round_.pk}))) == [str(sent.pk)]


def test_another_village_is_404_for_a_village_branch(client, village_a_user, village_b):
    client.force_login(village_a_user)
    assert client.get(village_url(village_b)).status_code == 404


@pytest.mark.parametrize("user_fixture", ["office", "village_a_user"])
def test_the_page_asks_the_same_queries_for_3_and_60_nominations(request, client, round_, village_a, user_fixture):
    nominations(round_, village_a, 3, submitted=True)
    client.force_login(request.getfixturevalue(user_fixture))
    client.get(village_url(village_a))
    with CaptureQueriesContext(connection) as few:
        assert len(rows_of(page(client.get(village_url(village_a))))) == 3
    nominations(round_, village_a, 57, submitted=True)
    client.get(village_url(village_a))  # warm again: the new nominations renewed the cached quota counts
    with CaptureQueriesContext(connection) as many:
        assert len(rows_of(page(client.get(village_url(village_a))))) == VILLAGE_PAGE_SIZE
    assert len(many) == len(few) <= 15, [q["sql"] for q in many.captured_queries]


def test_no_id_number_is_decrypted_to_show_the_page(client, office, round_, village_a, monkeypatch):
    nominations(round_, village_a, 5, submitted=True)
    client.force_login(office)
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: calls.append(1) or real(value))
    html = page(client.get(village_url(village_a)))
    assert len(rows_of(html)) == 5 and "男" in html  # the gender still shown
    assert calls == []
