"""The lifecycle of a reserve on the workflow engine: use, remove, renew, expire, change post and tier, and the
入党积极分子 mark — each move, its refusals and its page."""

import datetime

import pytest
from django.urls import reverse

from reserve.choices import PoliticalStatus
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from training import services
from training.models import Reserve, Tier
from training.services import term_end_for
from training.workflow import PoolEvent

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, term_years=2, renewal_notice_days=60)


@pytest.fixture
def reserve(town, term, village_a):
    return ReserveFactory(town=town, term=term, village=village_a, post="村委会委员")


def events(reserve, action):
    return list(Event.objects.filter(object_id=reserve.pk, action=action, content_type__model="reserve"))


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- use (任用) ---------------------------------------------------------------------------------------------


def test_use_sets_post_dates_and_event(office, reserve):
    day = today()
    services.reserve_use(actor=office, reserve_id=reserve.pk, post="村党支部书记", used_on=day, version=0)
    r = reload(reserve)
    assert (r.status, r.used_post, r.used_on, r.ended_on, r.version) == (Reserve.Status.USED, "村党支部书记", day,
                                                                            day, 1)
    (event,) = events(r, "use_reserve")
    assert event.data == {"post": "村党支部书记", "date": f"{day:%Y-%m-%d}"}


@pytest.mark.parametrize("post, offset, message", [
    ("书记", 1, "不能晚于今天"),  # in the future
    ("书记", -10_000, "不能早于入库日期"),  # before entering the pool
    ("  ", 0, "请填写任用职务"),
    ("长" * 101, 0, "不能超过"),
])
def test_use_refusals(office, reserve, post, offset, message):
    with pytest.raises(ActionRefused, match=message):
        services.reserve_use(actor=office, reserve_id=reserve.pk, post=post, used_on=today() + D(days=offset))
    assert reload(reserve).status == Reserve.Status.ACTIVE and not events(reserve, "use_reserve")


def test_a_stale_form_is_refused(office, reserve):
    services.reserve_change_post(actor=office, reserve_id=reserve.pk, post="新岗位", changed_on=today(), version=0)
    with pytest.raises(ActionRefused, match="已被他人更新"):
        services.reserve_use(actor=office, reserve_id=reserve.pk, post="书记", used_on=today(), version=0)
    assert reload(reserve).status == Reserve.Status.ACTIVE


def test_used_cannot_be_used_again(office, reserve):
    services.reserve_use(actor=office, reserve_id=reserve.pk, post="书记", used_on=today())
    with pytest.raises(ActionRefused, match="当前状态为"):
        services.reserve_use(actor=office, reserve_id=reserve.pk, post="书记", used_on=today())


# --- remove (调整出库) --------------------------------------------------------------------------------------


def test_remove_needs_reason_and_approver(office, reserve):
    with pytest.raises(ActionRefused, match="理由"):
        services.reserve_remove(actor=office, reserve_id=reserve.pk, reason=" ", approver="张书记")
    with pytest.raises(ActionRefused, match="批准人"):
        services.reserve_remove(actor=office, reserve_id=reserve.pk, reason="违纪", approver="")
    assert reload(reserve).status == Reserve.Status.ACTIVE
    services.reserve_remove(actor=office, reserve_id=reserve.pk, reason="违纪", approver="张书记")
    r = reload(reserve)
    assert (r.status, r.ended_on) == (Reserve.Status.REMOVED, today())
    (event,) = events(r, "remove_reserve")
    assert event.reason == "违纪" and event.data["approver"] == "张书记"


# --- renew and expire -----------------------------------------------------------------------------------------


def test_renew_too_early_is_refused(office, reserve):
    with pytest.raises(ActionRefused, match="届满前60天内方可续期"):
        services.reserve_renew(actor=office, reserve_id=reserve.pk)


@pytest.mark.parametrize("ends_in", [60, 0, -40])
def test_renew_starts_the_next_term(office, town, term, village_a, ends_in):
    end = today() + D(days=ends_in)
    r = ReserveFactory(town=town, term=term, village=village_a, term_start=end - D(days=700), term_end=end)
    services.reserve_renew(actor=office, reserve_id=r.pk, version=0)
    r2 = reload(r)
    assert r2.term_start == end + D(days=1)
    assert r2.term_end == term_end_for(end + D(days=1), 2)
    assert (r2.term_number, r2.status) == (2, Reserve.Status.ACTIVE)
    (event,) = events(r2, "renew_reserve")
    assert event.data["old_term"] == {"start": f"{end - D(days=700):%Y-%m-%d}", "end": f"{end:%Y-%m-%d}",
                                      "number": 1}
    assert event.data["new_term"]["number"] == 2


def test_expire_before_the_end_is_refused_and_after_it_works(office, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a, term_end=today())
    with pytest.raises(ActionRefused, match="尚未届满"):
        services.reserve_expire(actor=office, reserve_id=r.pk, reason="期满")
    r.term_end = today() - D(days=1)
    r.save()
    with pytest.raises(ActionRefused, match="理由"):
        services.reserve_expire(actor=office, reserve_id=r.pk, reason="")
    services.reserve_expire(actor=office, reserve_id=r.pk, reason="本人不再适合")
    r2 = reload(r)
    assert (r2.status, r2.ended_on) == (Reserve.Status.EXPIRED, today())


def test_renewal_due_is_shown_until_the_office_decides(client, office, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a, term_end=today() - D(days=1))
    assert r.renewal_due(today())
    client.force_login(office)
    text = page(client.get(reverse("training:reserve_detail", args=[r.pk])))
    assert 'id="renewal-due"' in text
    # Both of the term's moves are offered now, enabled
    assert 'data-action="renew_reserve">' in text and 'data-action="expire_reserve">' in text
    response = client.post(reverse("training:reserve_action", args=[r.pk, "renew_reserve"]), {"version": 0})
    assert response.status_code == 302
    assert not reload(r).renewal_due(today())
    assert any("已续期" in m for m in message_texts(response))


def test_the_action_button_expires_with_a_reason(client, office, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a, term_end=today() - D(days=1))
    client.force_login(office)
    url = reverse("training:reserve_action", args=[r.pk, "expire_reserve"])
    response = client.post(url, {"version": 0, "reason": ""})
    assert reload(r).status == Reserve.Status.ACTIVE and any("理由" in m for m in message_texts(response))
    client.post(url, {"version": 0, "reason": "不再续期"})
    assert reload(r).status == Reserve.Status.EXPIRED


def test_the_action_button_refuses_a_stale_version_and_garbage(client, office, reserve):
    client.force_login(office)
    url = reverse("training:reserve_action", args=[reserve.pk, "renew_reserve"])
    assert client.post(url, {"version": "abc"}).status_code == 302
    response = client.post(url, {"version": 7})
    assert any("已被他人更新" in m for m in message_texts(response))
    response = client.post(reverse("training:reserve_action", args=[reserve.pk, "nonsense"]), {"version": 0})
    assert response.status_code == 302 and reload(reserve).version == 0


# --- change post and tier ------------------------------------------------------------------------------------


def test_change_post_keeps_old_and_new(office, reserve):
    services.reserve_change_post(actor=office, reserve_id=reserve.pk, post="村党支部副书记", changed_on=today())
    r = reload(reserve)
    assert r.post == "村党支部副书记" and r.status == Reserve.Status.ACTIVE
    (event,) = events(r, "change_post")
    assert (event.data["old_post"], event.data["new_post"]) == ("村委会委员", "村党支部副书记")


def test_change_post_by_village_and_unit_within_their_scope(reserve, village_a_user, village_b_user, town, term):
    services.reserve_change_post(actor=village_a_user, reserve_id=reserve.pk, post="支委", changed_on=today())
    with pytest.raises(NotFound):
        services.reserve_change_post(actor=village_b_user, reserve_id=reserve.pk, post="x", changed_on=today())
    unit, other = UnitFactory(town=town), UnitFactory(town=town)
    r = ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH)
    head = UserFactory(town=town, unit=unit, role=Role.UNIT)
    services.reserve_change_post(actor=head, reserve_id=r.pk, post="站长", changed_on=today())
    with pytest.raises(NotFound):
        services.reserve_change_post(actor=UserFactory(town=town, unit=other, role=Role.UNIT), reserve_id=r.pk,
                                     post="x", changed_on=today())


def test_the_committee_and_a_mentor_may_not_move(committee, reserve, mentor):
    with pytest.raises(NotAllowed):
        services.reserve_use(actor=committee, reserve_id=reserve.pk, post="书记", used_on=today())
    reserve.mentor = mentor
    reserve.save()
    with pytest.raises(NotAllowed):
        services.reserve_change_post(actor=mentor, reserve_id=reserve.pk, post="x", changed_on=today())


def test_another_towns_office_gets_not_found(other_office, reserve):
    with pytest.raises(NotFound):
        services.reserve_remove(actor=other_office, reserve_id=reserve.pk, reason="x", approver="y")


def test_change_tier(office, reserve, town, term):
    with pytest.raises(ActionRefused, match="理由"):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="")
    with pytest.raises(ActionRefused, match="相同"):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.VILLAGE, reason="x")
    services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="党委会研究")
    r = reload(reserve)
    assert r.tier == Tier.THIRD
    (event,) = events(r, "change_tier")
    assert (event.data["old_tier"], event.data["new_tier"]) == (Tier.VILLAGE, Tier.THIRD)
    unit_reserve = ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=Tier.FOURTH)
    with pytest.raises(ActionRefused, match="须属于村"):
        services.reserve_change_tier(actor=office, reserve_id=unit_reserve.pk, tier=Tier.VILLAGE, reason="x")


# --- 入党积极分子 ------------------------------------------------------------------------------------------


def test_mark_a_non_party_reserve(office, reserve):
    services.reserve_mark_activist(actor=office, reserve_id=reserve.pk, recommended_on=today(), note="积极")
    r = reload(reserve)
    assert r.activist_recommended_on == today() and r.activist_note == "积极"
    assert len(events(r, PoolEvent.ACTIVIST)) == 1


@pytest.mark.parametrize("status", [PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY])
def test_a_party_member_cannot_be_marked(office, town, term, village_a, status):
    r = ReserveFactory(town=town, term=term, village=village_a, political_status=status)
    with pytest.raises(ActionRefused, match="不能推荐为入党积极分子"):
        services.reserve_mark_activist(actor=office, reserve_id=r.pk, recommended_on=today())
    assert reload(r).activist_recommended_on is None


def test_activist_date_rules_and_roles(office, reserve, village_a_user, village_b_user, committee):
    with pytest.raises(ActionRefused, match="不能晚于今天"):
        services.reserve_mark_activist(actor=office, reserve_id=reserve.pk, recommended_on=today() + D(days=1))
    with pytest.raises(NotFound):
        services.reserve_mark_activist(actor=village_b_user, reserve_id=reserve.pk, recommended_on=today())
    with pytest.raises(NotAllowed):
        services.reserve_mark_activist(actor=committee, reserve_id=reserve.pk, recommended_on=today())
    services.reserve_mark_activist(actor=village_a_user, reserve_id=reserve.pk, recommended_on=today())


def test_the_activist_page_warns_for_a_party_member(client, office, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a, political_status=PoliticalStatus.PARTY_MEMBER)
    client.force_login(office)
    url = reverse("training:reserve_activist", args=[r.pk])
    assert "已是中共党员" in page(client.get(url))
    response = client.post(url, {"version": 0, "recommended_on": f"{today():%Y-%m-%d}"})
    assert response.status_code == 200 and "已是中共党员" in page(response)


# --- the pages of the moves -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, data", [
    ("reserve_use", {"post": "书记", "used_on": "{today}"}),
    ("reserve_remove", {"reason": "违纪", "approver": "张书记", "ended_on": "{today}"}),
    ("reserve_change_post", {"post": "副书记", "changed_on": "{today}"}),
    ("reserve_change_tier", {"tier": "3", "reason": "党委会研究"}),
    ("reserve_activist", {"recommended_on": "{today}", "note": ""}),
])
def test_each_move_page_works(client, office, reserve, name, data):
    client.force_login(office)
    url = reverse(f"training:{name}", args=[reserve.pk])
    assert client.get(url).status_code == 200
    posted = {k: v.replace("{today}", f"{today():%Y-%m-%d}") for k, v in data.items()}
    response = client.post(url, {**posted, "version": 0})
    assert response.status_code == 302 and response["Location"] == reserve.get_absolute_url()
    assert reload(reserve).version == 1


@pytest.mark.parametrize("name, data, message", [
    ("reserve_use", {"post": "书记", "used_on": "2999-01-01"}, "不能晚于今天"),
    ("reserve_use", {"post": "书记", "used_on": "abc"}, "有效的日期"),
    ("reserve_use", {"post": "书记", "used_on": "1990-01-01"}, "不能早于入库日期"),
    ("reserve_remove", {"reason": "", "approver": "张书记", "ended_on": "{today}"}, "这个字段是必填项"),
    ("reserve_change_tier", {"tier": "99", "reason": "x"}, "选择一个有效的选项"),
])
def test_move_pages_show_refusals(client, office, reserve, name, data, message):
    client.force_login(office)
    posted = {k: v.replace("{today}", f"{today():%Y-%m-%d}") for k, v in data.items()}
    response = client.post(reverse(f"training:{name}", args=[reserve.pk]), {**posted, "version": 0})
    assert response.status_code == 200 and message in page(response)
    assert reload(reserve).version == 0


@pytest.mark.parametrize("who, name, status", [
    ("committee", "reserve_use", 403),
    ("mentor", "reserve_remove", 403),
    ("dept_x_user", "reserve_change_post", 403),
    ("village_b_user", "reserve_change_post", 404),
    ("other_office", "reserve_use", 404),
    ("village_a_user", "reserve_change_post", 200),
    ("village_a_user", "reserve_use", 403),
])
def test_move_pages_refuse_roles_and_scope(client, request, reserve, who, name, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(f"training:{name}", args=[reserve.pk])).status_code == status


def test_garbage_ids_are_404(client, office):
    client.force_login(office)
    assert client.get("/pool/999999999/").status_code == 404
    assert client.get("/pool/99999999999999999999/").status_code == 404
    assert client.get("/pool/999999/use/").status_code == 404
