"""Attacks on the adjustments' pages (调整出库), through the test client: roles that never act (403), other towns'
objects and garbage ids (404), stale and replayed forms, missing and overlong reasons, unknown actions, a reserve
no longer in the pool, HTML in a reason — never a 500, a Chinese message on a refusal, and nothing written."""

import re

import pytest
from django.urls import reverse

from assessment import adjustments
from assessment.models import Adjustment
from reserve.models import Event
from reserve.roles import Role
from training.models import Reserve

from ..factories import PoolTermFactory, ReserveFactory, UserFactory, VillageFactory
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

S = Adjustment.Status
CJK = re.compile(r"[\u4e00-\u9fff]")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def snapshot():
    return (sorted(Adjustment.objects.values_list("pk", "status", "version", "reason", "decision_note",
                                                  "decided_by_id")),
            sorted(Reserve.objects.values_list("pk", "status", "version", "ended_on")),
            Event.objects.count(), Adjustment.objects.count())


@pytest.fixture
def reserve(town, village_a):
    return ReserveFactory(town=town, term=PoolTermFactory(town=town), village=village_a)


@pytest.fixture
def proposed(reserve, office):
    return adjustments.adjustment_raise(actor=office, reserve_id=reserve.pk, reason="不再符合后备干部条件")


@pytest.fixture
def foreign(other_town, other_office):
    """Another town's proposed adjustment."""
    r = ReserveFactory(town=other_town, term=PoolTermFactory(town=other_town),
                       village=VillageFactory(town=other_town))
    return adjustments.adjustment_raise(actor=other_office, reserve_id=r.pk, reason="外镇")


def act(client, adjustment, action, **data):
    return client.post(reverse("assessment:adjustment_action", args=[adjustment.pk, action]), data)


# --------------------------------------------------------------------------- roles and scope


@pytest.mark.parametrize("role", [Role.VILLAGE, Role.UNIT, Role.MENTOR, Role.DEPARTMENT])
def test_roles_that_never_act_get_403_and_nothing_is_written(client, town, village_a, proposed, role):
    user = UserFactory(town=town, role=role, village=village_a if role == Role.VILLAGE else None)
    client.force_login(user)
    before = snapshot()
    for url in (reverse("assessment:adjustment_list"),
                reverse("assessment:adjustment_detail", args=[proposed.pk]),
                reverse("assessment:adjustment_new", args=[proposed.reserve_id])):
        assert client.get(url).status_code == 403
    assert act(client, proposed, "approve_adjustment", version=proposed.version).status_code == 403
    assert client.post(reverse("assessment:adjustment_new", args=[proposed.reserve_id]),
                       {"reason": "x"}).status_code == 403
    assert snapshot() == before


def test_another_towns_adjustment_and_reserve_are_404(client, office, committee, foreign):
    before = snapshot()
    for user in (office, committee):
        client.force_login(user)
        assert client.get(reverse("assessment:adjustment_detail", args=[foreign.pk])).status_code == 404
        assert act(client, foreign, "approve_adjustment", version=0).status_code == 404
        assert f'data-adjustment="{foreign.pk}"' not in page(client.get(reverse("assessment:adjustment_list")))
    client.force_login(office)
    new = reverse("assessment:adjustment_new", args=[foreign.reserve_id])
    assert client.get(new).status_code == 404
    assert client.post(new, {"reason": "越权"}).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/pool/adjustments/0/", "/pool/adjustments/99999999999999999999/",
                                  "/pool/adjustments/99999/approve_adjustment/",
                                  "/pool/99999999999999999999/adjustments/new/"])
def test_garbage_ids_are_404(client, office, path):
    client.force_login(office)
    # 405 for the method a page does not take (GET of an action, POST of a page), else 404.
    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {"version": "0", "reason": "x"}).status_code in (404, 405)


def test_the_office_cannot_approve_nor_the_committee_propose(client, town, reserve, office, committee, proposed):
    flagged = Adjustment.objects.create(reserve=ReserveFactory(town=town, term=reserve.term, village=reserve.village),
                                        cause=Adjustment.Cause.VETO, status=S.FLAGGED, flagged_on=today())
    before = snapshot()
    client.force_login(office)
    assert act(client, proposed, "approve_adjustment", version=proposed.version).status_code == 403
    assert act(client, proposed, "reject_adjustment", version=proposed.version, reason="x").status_code == 403
    assert 'data-action="approve_adjustment"' not in page(
        client.get(reverse("assessment:adjustment_detail", args=[proposed.pk])))
    client.force_login(committee)
    assert act(client, flagged, "propose_adjustment", version=0, reason="x").status_code == 403
    assert act(client, proposed, "withdraw_adjustment", version=proposed.version, reason="x").status_code == 403
    assert client.get(reverse("assessment:adjustment_new", args=[reserve.pk])).status_code == 403
    assert snapshot() == before


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize("data, message", [
    ({"version": "0"}, "请填写"),  # reject without a reason
    ({"version": "0", "reason": "   "}, "请填写"),
    ({"version": "0", "reason": "理" * 1001}, "不能超过1000字"),
    ({"reason": "理由"}, "请刷新页面"),  # no version
    ({"version": "abc", "reason": "理由"}, "请刷新页面"),
    ({"version": "-1", "reason": "理由"}, "请刷新页面"),
    ({"version": "99999999999999999999", "reason": "理由"}, "请刷新页面"),
    ({"version": "5", "reason": "理由"}, "请刷新页面"),  # stale
])
def test_bad_action_input_is_refused_in_chinese(client, committee, proposed, data, message):
    client.force_login(committee)
    before = snapshot()
    response = act(client, proposed, "reject_adjustment", **data)
    assert response.status_code == 302
    texts = message_texts(response)
    assert any(message in t for t in texts), texts
    assert snapshot() == before


def test_an_unknown_action_is_refused(client, committee, proposed):
    client.force_login(committee)
    before = snapshot()
    response = act(client, proposed, "remove_reserve", version=proposed.version)
    assert response.status_code == 302 and any("未知操作" in t for t in message_texts(response))
    assert snapshot() == before


def test_a_replayed_approval_removes_once(client, reserve, committee, proposed):
    client.force_login(committee)
    first = act(client, proposed, "approve_adjustment", version=proposed.version)
    assert any("已批准" in t for t in message_texts(first))
    after = snapshot()
    again = act(client, proposed, "approve_adjustment", version=proposed.version)  # the same form, replayed
    assert any("请刷新页面" in t for t in message_texts(again))
    fresh = act(client, proposed, "approve_adjustment", version=proposed.version + 1)  # a fresh page of it
    assert any("已批准出库" in t and "不能" in t for t in message_texts(fresh))
    assert snapshot() == after
    assert Event.objects.filter(action="remove_reserve", object_id=reserve.pk).count() == 1


def test_two_pages_one_proposes_the_other_withdraws(client, office, town, reserve):
    flagged = Adjustment.objects.create(reserve=reserve, cause=Adjustment.Cause.VETO, status=S.FLAGGED,
                                        flagged_on=today())
    client.force_login(office)
    act(client, flagged, "propose_adjustment", version=0, reason="建议出库")
    before = snapshot()
    response = act(client, flagged, "withdraw_adjustment", version=0, reason="撤回")  # drawn before the proposal
    assert any("请刷新页面" in t for t in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("status", [Reserve.Status.USED, Reserve.Status.EXPIRED, Reserve.Status.REMOVED])
def test_a_reserve_already_out_of_the_pool_cannot_be_approved(client, reserve, committee, proposed, status):
    Reserve.objects.filter(pk=reserve.pk).update(status=status)
    client.force_login(committee)
    detail = page(client.get(reverse("assessment:adjustment_detail", args=[proposed.pk])))
    assert 'id="not-in-pool"' in detail and 'data-refusal="approve_adjustment"' in detail
    before = snapshot()
    response = act(client, proposed, "approve_adjustment", version=proposed.version)
    assert any("已不在库中培养" in t for t in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("reason, message", [("", "请填写调整出库的理由"), ("  \n ", "请填写调整出库的理由"),
                                             ("理" * 1001, "不能超过1000字")])
def test_raising_without_a_proper_reason(client, office, reserve, reason, message):
    client.force_login(office)
    before = snapshot()
    response = client.post(reverse("assessment:adjustment_new", args=[reserve.pk]), {"reason": reason})
    assert response.status_code == 200 and message in page(response)
    assert snapshot() == before


@pytest.mark.parametrize("status", [Reserve.Status.USED, Reserve.Status.REMOVED, Reserve.Status.PROPOSED])
def test_raising_for_a_reserve_not_in_the_pool(client, office, reserve, status):
    Reserve.objects.filter(pk=reserve.pk).update(status=status)
    client.force_login(office)
    new = reverse("assessment:adjustment_new", args=[reserve.pk])
    assert 'id="refusal"' in page(client.get(new))
    before = snapshot()
    response = client.post(new, {"reason": "不再符合条件"})
    assert response.status_code == 200 and "不能提出调整出库" in page(response)
    assert snapshot() == before


def test_a_double_submit_raises_one(client, office, reserve):
    client.force_login(office)
    new = reverse("assessment:adjustment_new", args=[reserve.pk])
    client.post(new, {"reason": "不再符合条件"})
    before = snapshot()
    response = client.post(new, {"reason": "不再符合条件"})
    assert response.status_code == 200 and "已有待办的调整出库事项" in page(response)
    assert snapshot() == before


def test_html_in_a_reason_is_shown_as_text(client, office, committee, reserve):
    client.force_login(office)
    client.post(reverse("assessment:adjustment_new", args=[reserve.pk]), {"reason": XSS})
    adjustment = Adjustment.objects.get()
    for user in (office, committee):
        client.force_login(user)
        for url in (reverse("assessment:adjustment_detail", args=[adjustment.pk]), reserve.get_absolute_url()):
            body = page(client.get(url))
            assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_garbage_list_parameters(client, office, committee, proposed):
    for user in (office, committee):
        client.force_login(user)
        for query in ("?status=%00", "?page=-1", "?page=9999", "?status=" + "x" * 5000, "?status[]=1"):
            response = client.get(reverse("assessment:adjustment_list") + query)
            assert response.status_code == 200 and CJK.search(page(response))
