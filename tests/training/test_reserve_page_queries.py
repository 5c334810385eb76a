"""The reserve's page and its one-person file read each record once (training.panels.read_once): the pairings, the
follow-up visits and the reserve's events are shared by the cards, the history and the file, so the number of
queries does not grow with the records (issue 13 §2)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reserve.services import record_event
from training.models import FollowUpVisit, Mentorship, Reserve, Tier

from ..factories import PoolTermFactory, ReserveFactory
from ..helpers import page, today


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


def _add(reserve, office, mentor, n, first):
    for i in range(first, first + n):
        day = today() - datetime.timedelta(days=400 - i)
        Mentorship.objects.create(reserve=reserve, mentor=mentor, start=day, end=day, basis=f"依据{i}",
                                  recorded_by=office)
        FollowUpVisit.objects.create(reserve=reserve, date=day, visited_by=f"回访人{i:02d}", content=f"情况{i}",
                                     recorded_by=office)
        record_event(reserve, action="change_post", actor=office, data={"new_post": f"岗位{i}", "date": str(day)})


def _count(client, url):
    client.get(url)  # the session and the account's facts are warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    read = {table: sum(f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries)
            for table in ("training_followupvisit", "training_mentorship")}
    assert read == {"training_followupvisit": 1, "training_mentorship": 1}  # one read each, shared
    return len(ctx), page(response)


@pytest.mark.parametrize("role", ["office", "committee", "village"])
def test_the_reserve_page_reads_each_record_once(client, office, committee, village_a_user, mentor, town, term,
                                                 village_a, role):
    reserve = ReserveFactory(town=town, term=term, village=village_a, tier=Tier.VILLAGE, status=Reserve.Status.USED,
                             used_post="村委委员", used_on=today() - datetime.timedelta(days=500))
    client.force_login({"office": office, "committee": committee, "village": village_a_user}[role])
    url = reverse("training:reserve_detail", args=[reserve.pk])
    _add(reserve, office, mentor, 2, 0)
    few, _body = _count(client, url)
    _add(reserve, office, mentor, 30, 2)
    many, body = _count(client, url)
    assert many == few
    # The follow-up card: the latest 20, newest first; the history: every visit and every pairing.
    card = body[body.index('id="follow-ups"'):body.index('id="history"')]
    assert "回访人31" in card and "回访人12" in card and "回访人11" not in card
    assert card.index("回访人31") < card.index("回访人12")
    history = body[body.index('id="history"'):]
    assert all(f"回访人{i:02d}" in history for i in range(32))
    assert history.count("依据") >= 32


def test_the_dossier_reads_each_record_once(client, office, mentor, town, term, village_a):
    reserve = ReserveFactory(town=town, term=term, village=village_a, tier=Tier.VILLAGE, status=Reserve.Status.USED,
                             used_post="村委委员", used_on=today() - datetime.timedelta(days=500))
    client.force_login(office)
    url = reverse("dossier:dossier", args=[reserve.pk])
    _add(reserve, office, mentor, 2, 0)
    few, _body = _count(client, url)
    _add(reserve, office, mentor, 30, 2)
    many, body = _count(client, url)
    assert many == few
    assert "回访人31" in body and "依据31" in body
