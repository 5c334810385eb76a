"""The office's notice page at county scale (issue 13: 30 people, 69 ms and 43 queries — a query per person to
ask whether they may be confirmed into the pool): the same queries for 3 and 30 people, no ID number decrypted, and
the rule of confirming (publicity.services.guard_confirm) still answering each person as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publicity import services
from publicity.selectors import notice_people
from reserve import crypto

from ..helpers import page, today
from .test_views import approved, posted

pytestmark = pytest.mark.django_db


def notice_of(office, round_, village, n, *, days_ago=42, prefix="公示"):
    for i in range(n):
        approved(round_, village, f"{prefix}{i:02d}")
    return posted(office, round_, village, days_ago)


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("days_ago", [42, 0], ids=["ended", "in-force"])
def test_the_notice_page_asks_the_same_queries_for_3_and_30_people(client, office, round_, village_a, village_b,
                                                                    fake_pdf, days_ago):
    few_notice = notice_of(office, round_, village_a, 3, days_ago=days_ago, prefix="东山")
    many_notice = notice_of(office, round_, village_b, 30, days_ago=days_ago, prefix="西岭")
    client.force_login(office)
    few_url = reverse("publicity:notice_detail", args=[few_notice.pk])
    many_url = reverse("publicity:notice_detail", args=[many_notice.pk])
    client.get(few_url)
    few = queries_of(client, few_url)
    many = queries_of(client, many_url)
    assert many == few <= 15, (few, many)
    html = page(client.get(many_url))
    assert all(f"西岭{i:02d}" in html for i in range(30))


def test_no_id_number_is_decrypted_to_show_the_notice(client, office, round_, village_a, fake_pdf, monkeypatch):
    notice = notice_of(office, round_, village_a, 4)
    client.force_login(office)
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: calls.append(1) or real(value))
    assert client.get(reverse("publicity:notice_detail", args=[notice.pk])).status_code == 200
    assert calls == []


def test_each_person_is_answered_by_the_one_rule(office, round_, village_a, fake_pdf):
    """The page's answers (one read of the objections) are those guard_confirm gives each person on its own."""
    notice = notice_of(office, round_, village_a, 3)
    first, second, third = notice.entries.order_by("order", "id")
    services.objection_record(actor=office, notice=notice, channel="phone", content="反映该同志有违建。",
                              name="甲", phone="13900000000", entry=second)
    people = notice_people(notice, office, today())
    assert [p["entry"].pk for p in people] == [first.pk, second.pk, third.pk]
    assert [p["confirmable"] for p in people] == [True, False, True]
    assert people[1]["refusal"] == "有针对该人选的异议尚未办结。"
    for row in people:
        alone = services.guard_confirm(type(row["nomination"]).objects.get(pk=row["nomination"].pk), office, today())
        assert row["refusal"] == alone
    services.objection_record(actor=office, notice=notice, channel="phone", content="未指明对象的反映。",
                              name="乙", phone="13900000001", entry=None)
    people = notice_people(notice, office, today())
    assert [p["confirmable"] for p in people] == [False, False, False]
    assert people[0]["refusal"] == "本公示有未指定反映对象的异议尚未办结，请先指定对象或作出结论。"


def test_a_notice_in_force_is_not_confirmable_yet(office, round_, village_a, fake_pdf):
    notice = notice_of(office, round_, village_a, 2, days_ago=0)
    people = notice_people(notice, office, today())
    assert not any(p["confirmable"] for p in people)
    assert all("期满后" in p["refusal"] for p in people)
