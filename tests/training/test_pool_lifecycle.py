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
from training.models import Mentorship, PoolMeeting, Reserve, Tier
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


def test_remove_needs_reason_and_approver(committee, reserve):
    with pytest.raises(ActionRefused, match="理由"):
        services.reserve_remove(actor=committee, reserve_id=reserve.pk, reason=" ", approver="张书记")
    with pytest.raises(ActionRefused, match="批准人"):
        services.reserve_remove(actor=committee, reserve_id=reserve.pk, reason="违纪", approver="")
    assert reload(reserve).status == Reserve.Status.ACTIVE
    services.reserve_remove(actor=committee, reserve_id=reserve.pk, reason="违纪", approver="张书记")
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
        services.reserve_use(actor=other_office, reserve_id=reserve.pk, post="x", used_on=today())


def test_only_the_committee_removes(office, reserve):
    """The office proposes a removal (assessment's adjustments); it never removes."""
    with pytest.raises(NotAllowed):
        services.reserve_remove(actor=office, reserve_id=reserve.pk, reason="违纪", approver="张书记")
    assert reload(reserve).status == Reserve.Status.ACTIVE


@pytest.fixture
def meeting(town, office):
    return PoolMeeting.objects.create(town=town, date=today() - D(days=10), attendees="甲、乙、丙", recorded_by=office)


def tier3_ready(reserve):
    """The reserve meets tier 3's conditions (村干部任职经历)."""
    Reserve.objects.filter(pk=reserve.pk).update(village_cadre_since=today() - D(days=900))
    return reload(reserve)


def test_change_tier(office, reserve, town, term, meeting):
    reserve = tier3_ready(reserve)
    with pytest.raises(ActionRefused, match="理由"):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="",
                                     meeting_id=meeting.pk)
    with pytest.raises(ActionRefused, match="相同"):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.VILLAGE, reason="x")
    services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="党委会研究",
                                 meeting_id=meeting.pk)
    r = reload(reserve)
    assert (r.tier, r.meeting_id, r.meets_conditions) == (Tier.THIRD, meeting.pk, True)
    (event,) = events(r, "change_tier")
    assert (event.data["old_tier"], event.data["new_tier"]) == (Tier.VILLAGE, Tier.THIRD)
    assert event.data["meeting"] == f"{meeting.date:%Y-%m-%d}"
    unit_reserve = ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=Tier.FOURTH)
    with pytest.raises(ActionRefused, match="须属于村"):
        services.reserve_change_tier(actor=office, reserve_id=unit_reserve.pk, tier=Tier.VILLAGE, reason="x")


@pytest.mark.parametrize("tier, facts, says", [
    # A village reserve cadre (高中, no civil servant) into tier 1: education, middle post, civil servant unmet.
    (Tier.FIRST, {}, "不符合第一梯队的3项条件"),
    (Tier.SECOND, {"education": 4}, "机关工作"),
    (Tier.THIRD, {}, "村、社区干部任职经历"),
    (Tier.THIRD, {"birth_date": datetime.date(1970, 1, 1), "village_cadre_since": datetime.date(2010, 1, 1)},
     "年龄40周岁以下"),
    (Tier.FOURTH, {}, "技术、行业"),
])
def test_a_tier_change_into_unmet_conditions_is_refused(office, reserve, meeting, tier, facts, says):
    Reserve.objects.filter(pk=reserve.pk).update(**facts)
    with pytest.raises(ActionRefused, match=says):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=tier, reason="x",
                                     meeting_id=meeting.pk)
    r = reload(reserve)
    assert (r.tier, r.version, r.meeting_id) == (Tier.VILLAGE, 0, None)
    assert events(r, "change_tier") == []


def test_an_age_condition_counts_as_met_only_with_a_recorded_relaxation(office, reserve, meeting):
    Reserve.objects.filter(pk=reserve.pk).update(birth_date=datetime.date(1970, 1, 1),
                                                 village_cadre_since=datetime.date(2010, 1, 1),
                                                 relaxation_reason="特别优秀", relaxation_approved_by="")
    with pytest.raises(ActionRefused, match="放宽条件"):
        services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="x",
                                     meeting_id=meeting.pk)
    Reserve.objects.filter(pk=reserve.pk).update(relaxation_approved_by="镇党委书记",
                                                 relaxation_approved_on=today())
    services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="x",
                                 meeting_id=meeting.pk)
    assert reload(reserve).meets_conditions is True


def test_a_change_into_tiers_one_to_three_needs_the_committees_meeting(office, reserve, town, other_town,
                                                                      meeting):
    reserve = tier3_ready(reserve)
    elsewhere = PoolMeeting.objects.create(town=other_town, date=today(), attendees="甲", recorded_by=office)
    late = PoolMeeting.objects.create(town=town, date=reserve.start_date - D(days=1), attendees="甲",
                                      recorded_by=office)
    for meeting_id, says in ((None, "须经镇党委会研究确定"), (elsewhere.pk, "不存在"), (late.pk, "早于该同志的入库日期")):
        with pytest.raises(ActionRefused, match=says):
            services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="x",
                                         meeting_id=meeting_id)
    assert reload(reserve).tier == Tier.VILLAGE


def test_a_change_to_tier_four_needs_no_meeting_and_sets_meets_conditions(office, reserve):
    Reserve.objects.filter(pk=reserve.pk).update(field_experience="养殖大户", meets_conditions=False)
    services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.FOURTH, reason="x")
    r = reload(reserve)
    assert (r.tier, r.meets_conditions, r.meeting_id) == (Tier.FOURTH, True, None)
    # The new tier's conditions are read on the day of the change from now on (a later re-check, the page's card),
    # not on the entry day
    from training import tiers

    assert r.tier_since == today() and tiers.reference_day(r) == today() != r.start_date


def test_the_tier_page_refuses_with_the_conditions_and_offers_the_towns_meetings(client, office, reserve, meeting,
                                                                                  other_town):
    elsewhere = PoolMeeting.objects.create(town=other_town, date=today(), attendees="外镇", recorded_by=office)
    client.force_login(office)
    url = reverse("training:reserve_change_tier", args=[reserve.pk])
    select = page(client.get(url)).split('name="meeting"')[1].split("</select>")[0]
    assert f'value="{meeting.pk}"' in select and f'value="{elsewhere.pk}"' not in select
    response = client.post(url, {"tier": "1", "reason": "x", "meeting": str(meeting.pk), "version": 0})
    assert response.status_code == 200 and "不符合第一梯队的3项条件" in page(response)
    response = client.post(url, {"tier": "3", "reason": "x", "meeting": str(elsewhere.pk), "version": 0})
    assert response.status_code == 200 and "选择一个有效的选项" in page(response)
    assert reload(reserve).version == 0


def test_the_mentor_card_asks_the_committee_to_name_the_mentor_again(client, office, reserve, meeting, mentor):
    reserve = tier3_ready(reserve)
    Mentorship.objects.create(reserve=reserve, mentor=mentor, start=reserve.start_date, basis="党建办指定",
                              proposed_by="东山村", recorded_by=office)
    Reserve.objects.filter(pk=reserve.pk).update(mentor=mentor)
    client.force_login(office)
    assert "须由镇党委会重新明确引路人" not in page(client.get(reserve.get_absolute_url()))
    services.reserve_change_tier(actor=office, reserve_id=reserve.pk, tier=Tier.THIRD, reason="x",
                                 meeting_id=meeting.pk)
    assert "须由镇党委会重新明确引路人" in page(client.get(reserve.get_absolute_url()))


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


def mover(request, name):
    """Who makes the move of a page: the office, but the committee removes."""
    return request.getfixturevalue("committee" if name == "reserve_remove" else "office")


@pytest.mark.parametrize("name, data", [
    ("reserve_use", {"post": "书记", "used_on": "{today}"}),
    ("reserve_remove", {"reason": "违纪", "approver": "张书记", "ended_on": "{today}"}),
    ("reserve_change_post", {"post": "副书记", "changed_on": "{today}"}),
    ("reserve_change_tier", {"tier": "3", "reason": "党委会研究", "meeting": "{meeting}"}),
    ("reserve_activist", {"recommended_on": "{today}", "note": ""}),
])
def test_each_move_page_works(client, request, reserve, meeting, name, data):
    reserve = tier3_ready(reserve)
    client.force_login(mover(request, name))
    url = reverse(f"training:{name}", args=[reserve.pk])
    assert client.get(url).status_code == 200
    posted = {k: v.replace("{today}", f"{today():%Y-%m-%d}").replace("{meeting}", str(meeting.pk))
              for k, v in data.items()}
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
def test_move_pages_show_refusals(client, request, reserve, name, data, message):
    client.force_login(mover(request, name))
    posted = {k: v.replace("{today}", f"{today():%Y-%m-%d}") for k, v in data.items()}
    response = client.post(reverse(f"training:{name}", args=[reserve.pk]), {**posted, "version": 0})
    assert response.status_code == 200 and message in page(response)
    assert reload(reserve).version == 0


@pytest.mark.parametrize("who, name, status", [
    ("committee", "reserve_use", 403),
    ("mentor", "reserve_remove", 403),
    ("office", "reserve_remove", 403),
    ("committee", "reserve_remove", 200),
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


# --- a POST without the page's version (H9) ------------------------------------------------------------------------


MOVES_WITH_VERSION = [
    ("reserve_use", {"post": "书记", "used_on": "{today}"}),
    ("reserve_remove", {"reason": "违纪", "approver": "张书记", "ended_on": "{today}"}),
    ("reserve_expire", {"reason": "期满不再续期"}),
    ("reserve_change_post", {"post": "副书记", "changed_on": "{today}"}),
    ("reserve_activist", {"recommended_on": "{today}", "note": ""}),
]


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1e3", "99999999999999999999"])
@pytest.mark.parametrize("name, data", MOVES_WITH_VERSION, ids=[n for n, _d in MOVES_WITH_VERSION])
def test_a_move_page_without_a_valid_version_is_refused_as_stale(client, request, town, term, village_a, name, data,
                                                                 version):
    """A POST that carries no version (or garbage) skips no stale check: it is refused with the refresh message and
    nothing is written."""
    r = ReserveFactory(town=town, term=term, village=village_a, post="村委会委员", term_end=today() - D(days=1))
    client.force_login(mover(request, name))
    posted = {k: v.replace("{today}", f"{today():%Y-%m-%d}") for k, v in data.items()}
    if version is not None:
        posted["version"] = version
    count = Event.objects.count()
    response = client.post(reverse(f"training:{name}", args=[r.pk]), posted)
    assert response.status_code == 200 and "该后备干部的信息已被他人更新" in page(response)
    after = reload(r)
    assert (after.version, after.status, after.post, after.activist_recommended_on) == (
        0, Reserve.Status.ACTIVE, "村委会委员", None)
    assert Event.objects.count() == count


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
@pytest.mark.parametrize("action, data", [("renew_reserve", {}), ("expire_reserve", {"reason": "不再续期"})])
def test_the_action_button_without_a_valid_version_is_refused_as_stale(client, office, town, term, village_a, action,
                                                                      data, version):
    r = ReserveFactory(town=town, term=term, village=village_a, term_end=today() - D(days=1))
    client.force_login(office)
    posted = dict(data) if version is None else {**data, "version": version}
    count = Event.objects.count()
    response = client.post(reverse("training:reserve_action", args=[r.pk, action]), posted)
    assert response.status_code == 302
    assert any("该后备干部的信息已被他人更新" in m for m in message_texts(response))
    after = reload(r)
    assert (after.version, after.status, after.term_end) == (0, Reserve.Status.ACTIVE, r.term_end)
    assert Event.objects.count() == count


def test_the_move_pages_carry_the_version(client, request, reserve):
    reserve.version = 3
    reserve.save(update_fields=["version"])
    for name in ("reserve_use", "reserve_remove", "reserve_change_post", "reserve_activist"):
        client.force_login(mover(request, name))
        text = page(client.get(reverse(f"training:{name}", args=[reserve.pk])))
        assert 'name="version" value="3"' in text, name
