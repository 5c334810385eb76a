"""Attacks on the priority lists and the 两委 vacancies, through the test client, as an insider and as an outsider:
garbage and foreign ids (path, query string, form fields), huge and hostile text, dates in the future or before
the step they depend on, replayed and stale forms. Never a 500; a refusal in Chinese; nothing half-saved."""

import datetime
import re

import pytest
from django.urls import reverse

from assessment.models import Grade, Vacancy
from reserve.models import Event
from training.models import Reserve

from ..factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    PoolTermFactory,
    ReserveFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta
CJK = re.compile(r"[\u4e00-\u9fff]")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HUGE = "99999999999999999999999"


def snapshot():
    return (Vacancy.objects.count(), Event.objects.count(),
            sorted(Vacancy.objects.values_list("pk", "filled_on", "filled_by_id", "filled_note")),
            sorted(Reserve.objects.values_list("pk", "status", "version", "used_post")))


@pytest.fixture
def w(town, office, village_a, village_b):
    from reserve.roles import Role

    term = PoolTermFactory(town=town)
    rnd = AssessmentRoundFactory(town=town, term=term, status="confirmed", confirmed_on=today() - D(days=3))
    mine = ReserveFactory(town=town, term=term, village=village_a, name="东山甲")
    AssessmentFactory(round=rnd, reserve=mine, status="confirmed", grade=Grade.EXCELLENT, rank=1, ranked_of=1,
                      priority=True)
    other_village = ReserveFactory(town=town, term=term, village=village_b, name="西岭乙")
    far = TownFactory(name="远方镇")
    far_village = VillageFactory(town=far)
    far_office = UserFactory(town=far, role=Role.OFFICE)
    far_reserve = ReserveFactory(town=far, village=far_village, name="远方丙")
    v = Vacancy.objects.create(village=village_a, post="村委会委员", arose_on=today() - D(days=10),
                               recorded_by=office)
    far_v = Vacancy.objects.create(village=far_village, post="外镇委员", arose_on=today() - D(days=10),
                                   recorded_by=far_office)
    return {"round": rnd, "mine": mine, "other_village": other_village, "far_reserve": far_reserve, "v": v,
            "far_v": far_v, "far_round": AssessmentRoundFactory(town=far, status="confirmed",
                                                                 confirmed_on=today() - D(days=1))}


def fill(v):
    return reverse("assessment:vacancy_fill", args=[v.pk])


def post_fill(client, v, **data):
    data.setdefault("mode", "reserve")
    data.setdefault("filled_on", today().isoformat())
    return client.post(fill(v), data)


@pytest.mark.parametrize("value", ["abc", "-1", "0", HUGE, "1.5", "NaN", "inf", "", " ", "１２", "1e3", XSS])
def test_garbage_reserve_ids_in_the_fill_form(client, office, w, value):
    before = snapshot()
    client.force_login(office)
    response = post_fill(client, w["v"], reserve=value)
    assert response.status_code in (302, 404)
    assert snapshot() == before
    if response.status_code == 302:
        assert any(CJK.search(m) for m in message_texts(response))


def test_another_towns_reserve_in_the_form_is_404(client, office, w):
    before = snapshot()
    client.force_login(office)
    assert post_fill(client, w["v"], reserve=w["far_reserve"].pk).status_code == 404
    assert snapshot() == before


def test_another_villages_reserve_is_refused(client, office, w):
    before = snapshot()
    client.force_login(office)
    response = post_fill(client, w["v"], reserve=w["other_village"].pk)
    assert any("只能从本村的后备干部中推选" in m for m in message_texts(response))
    assert snapshot() == before


def test_another_towns_vacancy_is_404(client, office, w):
    before = snapshot()
    client.force_login(office)
    assert post_fill(client, w["far_v"], reserve=w["mine"].pk).status_code == 404
    assert client.get(reverse("assessment:vacancy_detail", args=[w["far_v"].pk])).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("day", ["2999-01-01", (today() + D(days=1)).isoformat(), "1899-12-31", "2026-02-30",
                                 "abc", "", "0000-00-00", "NaN", (today() - D(days=11)).isoformat()])
def test_bad_fill_dates(client, office, w, day):
    before = snapshot()
    client.force_login(office)
    response = post_fill(client, w["v"], reserve=w["mine"].pk, filled_on=day)
    assert response.status_code == 302 and any(CJK.search(m) for m in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"mode": "other", "note": ""}, {"mode": "other", "note": "　\u200b"}, {"mode": "other", "note": "长" * 201},
    {"mode": "nonsense", "note": "x"}, {"mode": "", "reserve": "1"},
])
def test_bad_other_means(client, office, w, data):
    before = snapshot()
    client.force_login(office)
    response = post_fill(client, w["v"], **data)
    assert response.status_code == 302 and any(CJK.search(m) for m in message_texts(response))
    assert snapshot() == before


def test_a_replayed_fill_is_refused(client, office, w):
    client.force_login(office)
    post_fill(client, w["v"], reserve=w["mine"].pk)
    after = snapshot()
    response = post_fill(client, w["v"], reserve=w["mine"].pk)
    assert any("不能重复补齐" in m for m in message_texts(response))
    response = post_fill(client, w["v"], mode="other", note="换届选举产生")
    assert any("不能重复补齐" in m for m in message_texts(response))
    assert snapshot() == after


def test_a_stale_page_a_reserve_removed_meanwhile(client, office, committee, w):
    from training.services import reserve_remove

    reserve_remove(actor=committee, reserve_id=w["mine"].pk, reason="本人申请", approver="书记")
    before = snapshot()
    client.force_login(office)
    response = post_fill(client, w["v"], reserve=w["mine"].pk)
    assert any("不是培养中的后备干部" in m for m in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("who", ["committee", "village_a_user", "unit_user", "mentor", "dept_x_user"])
def test_only_the_office_fills(client, request, w, who):
    before = snapshot()
    client.force_login(request.getfixturevalue(who))
    assert post_fill(client, w["v"], reserve=w["mine"].pk).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("data, message", [
    ({"post": "长" * 51}, "空缺职务"),
    ({"post": ""}, "空缺职务"),
    ({"post": "　"}, "空缺职务"),
    ({"reason": "长" * 201}, "空缺原因"),
    ({"arose_on": "2999-01-01"}, "不能晚于今天"),
    ({"arose_on": (today() + D(days=1)).isoformat()}, "不能晚于今天"),
    ({"arose_on": "1899-01-01"}, "不能早于"),
    ({"arose_on": "abc"}, "出现空缺日期"),
    ({"village": HUGE}, "村（社区）"),
    ({"village": "-3"}, "村（社区）"),
    ({"village": "abc"}, "村（社区）"),
])
def test_bad_vacancy_input(client, office, village_a, data, message):
    client.force_login(office)
    form = {"village": village_a.pk, "post": "委员", "arose_on": today().isoformat(), "reason": "", **data}
    response = client.post(reverse("assessment:vacancy_new"), form)
    assert response.status_code == 200 and not Vacancy.objects.exists()
    text = page(response)
    assert message in text and CJK.search(text)


def test_another_towns_village_in_the_form(client, office, w):
    client.force_login(office)
    far_village = w["far_v"].village
    response = client.post(reverse("assessment:vacancy_new"),
                           {"village": far_village.pk, "post": "委员", "arose_on": today().isoformat()})
    assert response.status_code == 200 and Vacancy.objects.count() == 2


def test_hostile_text_is_escaped(client, office, village_a):
    client.force_login(office)
    client.post(reverse("assessment:vacancy_new"),
                {"village": village_a.pk, "post": XSS[:50], "arose_on": today().isoformat(), "reason": XSS})
    v = Vacancy.objects.get()
    for url in (reverse("assessment:vacancy_list"), reverse("assessment:vacancy_detail", args=[v.pk])):
        text = page(client.get(url))
        assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize("query", [
    "?round=abc", f"?round={HUGE}", "?round=-1", "?round=1.5", "?tier=99", "?tier=abc", "?page=abc",
    "?page=99999", "?round=%00", "?tier=" + "长" * 500,
])
def test_garbage_query_strings_on_the_lists(client, office, w, query):
    client.force_login(office)
    for name in ("assessment:priority_list", "assessment:priority_use", "assessment:priority_training",
                 "assessment:activist_list", "assessment:vacancy_list"):
        assert client.get(reverse(name) + query).status_code in (200, 404)
    assert client.get(reverse("assessment:vacancy_list") + "?state=" + XSS).status_code == 200
    assert client.get(reverse("assessment:vacancy_detail", args=[w["v"].pk]) + query).status_code == 200


def test_another_towns_round_in_the_query_string(client, office, w):
    client.force_login(office)
    assert client.get(reverse("assessment:priority_list") + f"?round={w['far_round'].pk}").status_code == 404
    assert client.post(reverse("assessment:priority_pdf"), {"round": w["far_round"].pk}).status_code == 404


def test_get_on_a_vacancy_that_does_not_exist(client, office):
    client.force_login(office)
    assert client.get(reverse("assessment:vacancy_detail", args=[2**31])).status_code == 404
    assert client.post(reverse("assessment:vacancy_fill", args=[2**31]), {}).status_code == 404
