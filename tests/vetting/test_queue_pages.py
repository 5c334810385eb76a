"""A department's queue at county scale (issue 13: 9,690 requests, unpaginated, took 5–8 s): one tab at a time,
25 requests a page, a fixed number of queries whatever the rows, and no ID number read to show it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Status
from reserve import crypto
from vetting.models import VettingRequest

from ..factories import NominationFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

QUEUE = reverse("vetting:queue")
D = datetime.timedelta


def requests(round_, village, dept, n, *, status=VettingRequest.Status.PENDING, nomination_status=Status.VETTING,
             days=5):
    made = []
    for _i in range(n):
        nomination = NominationFactory(round=round_, village=village, status=nomination_status)
        made.append(VettingRequest.objects.create(nomination=nomination, department=dept, status=status,
                                                  deadline=today() + D(days=days)))
    return made


def shown(html) -> int:
    return html.count("data-request=")


def test_each_tab_pages_by_25_with_its_count(client, round_, village_a, dept_x, dept_x_user):
    late = requests(round_, village_a, dept_x, 2, days=-3)
    requests(round_, village_a, dept_x, 28)
    requests(round_, village_a, dept_x, 3, status=VettingRequest.Status.ANSWERED)
    requests(round_, village_a, dept_x, 1, nomination_status=Status.REJECTED)
    client.force_login(dept_x_user)
    first = page(client.get(QUEUE))
    assert shown(first) == 25 and "第1/2页，共30人" in first
    assert all(f'data-request="{r.pk}"' in first for r in late)  # the overdue come first
    assert "有2名人选已超过答复期限" in first
    assert shown(page(client.get(QUEUE, {"page": 2}))) == 5
    assert shown(page(client.get(QUEUE, {"tab": "overdue"}))) == 2
    assert shown(page(client.get(QUEUE, {"tab": "done"}))) == 3
    ended = page(client.get(QUEUE, {"tab": "ended"}))
    assert shown(ended) == 1 and "无需再答复" in ended


@pytest.mark.parametrize("query", [{"tab": "nonsense"}, {"page": "abc"}, {"page": "99999999999999999999"},
                                   {"tab": "done", "page": "-1"}])
def test_garbage_in_the_query_is_a_page_not_an_error(client, round_, village_a, dept_x, dept_x_user, query):
    requests(round_, village_a, dept_x, 2)
    client.force_login(dept_x_user)
    assert client.get(QUEUE, query).status_code == 200


def test_the_queue_asks_the_same_queries_for_3_and_60_requests(client, round_, village_a, dept_x, dept_x_user):
    requests(round_, village_a, dept_x, 3)
    client.force_login(dept_x_user)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    requests(round_, village_a, dept_x, 57)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)
    assert len(many) == len(few) <= 15


def test_no_id_number_is_decrypted_to_show_the_queue(client, round_, village_a, dept_x, dept_x_user, monkeypatch):
    requests(round_, village_a, dept_x, 5)
    client.force_login(dept_x_user)
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: calls.append(1) or real(value))
    assert client.get(QUEUE).status_code == 200
    assert calls == []


# --- the office's flags awaiting a decision (336 in the largest town of a county, unpaginated, an ID decrypted a row)

FLAGS = reverse("vetting:flags")


def flags(round_, village, dept, n, signer):
    from django.utils import timezone

    made = requests(round_, village, dept, n, status=VettingRequest.Status.ANSWERED)
    VettingRequest.objects.filter(pk__in=[r.pk for r in made]).update(
        flagged=True, conclusion="发现问题", signed_by=signer, signed_at=timezone.now())
    return made


def test_the_flags_page_by_25_in_the_same_queries(client, round_, village_a, dept_x, dept_x_user, office):
    flags(round_, village_a, dept_x, 3, dept_x_user)
    client.force_login(office)
    client.get(FLAGS)
    with CaptureQueriesContext(connection) as few:
        assert shown_rows(page(client.get(FLAGS))) == 3
    flags(round_, village_a, dept_x, 27, dept_x_user)
    with CaptureQueriesContext(connection) as many:
        first = page(client.get(FLAGS))
    assert shown_rows(first) == 25 and "第1/2页，共30条" in first
    assert shown_rows(page(client.get(FLAGS, {"page": 2}))) == 5
    assert client.get(FLAGS, {"page": "x"}).status_code == 200
    assert len(many) == len(few) <= 15


def test_no_id_number_is_decrypted_to_list_the_flags(client, round_, village_a, dept_x, dept_x_user, office,
                                                     monkeypatch):
    flags(round_, village_a, dept_x, 4, dept_x_user)
    client.force_login(office)
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: calls.append(1) or real(value))
    assert shown_rows(page(client.get(FLAGS))) == 4
    assert calls == []


def shown_rows(html) -> int:
    return html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") if "没有待处理的问题" not in html else 0
