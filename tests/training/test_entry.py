"""How people enter the pool (training.entry): the committee's decision for tiers 1–3, the recommendation of tier 4
and its review, the outstanding person added at any time and recruited talent; relaxation afterwards; follow-up.
Each way with its refusals: scope of units and villages, the ID number, the duplicate, the conditions, dates."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from candidates.models import Person
from reserve import idnumber
from reserve.choices import Education as E
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from training import entry
from training.models import FollowUpVisit, PoolMeeting, Reserve, Tier
from training.panels import reserve_panels, timeline_items
from training.services import term_end_for
from training.workflow import PoolEvent

from ..factories import (
    PersonFactory,
    PoolTermFactory,
    ReserveFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    make_id,
)
from ..helpers import page, today, years_ago

pytestmark = pytest.mark.django_db

D = datetime.timedelta
S = Reserve.Status


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="农业服务中心")


@pytest.fixture
def other_unit(town):
    return UnitFactory(town=town, name="财政所")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="unit_head", town=unit.town, unit=unit, role=Role.UNIT)


@pytest.fixture
def meeting(town, office, term):
    return PoolMeeting.objects.create(town=town, date=today() - D(days=3), attendees="王一、李二、赵三",
                                      recorded_by=office)


def id_for(age, seq=1, gender="M"):
    """An ID number of someone `age` years old today (born a week before the day `age` years ago)."""
    return make_id(years_ago(age) - D(days=7), gender, seq=seq)


TIER1 = {"fulltime_education": E.BACHELOR, "education": E.BACHELOR, "civil_servant": True,
         "middle_post_since": years_ago(3), "post": "党政办副主任"}
TIER4 = {"education": E.HIGH_SCHOOL, "field_experience": "从事茶叶种植十年，带动农户增收"}


def make(source, *, tier=Tier.FIRST, unit=None, village=None, meeting=None, age=30, seq=1, facts=None, **kw):
    return entry.Entry(id_number=kw.pop("id_number", id_for(age, seq)), name=kw.pop("name", "刘明"), tier=tier,
                       source=source, unit_id=unit.pk if unit else None, village_id=village.pk if village else None,
                       meeting_id=meeting.pk if meeting else None,
                       facts=dict(TIER1 if tier != Tier.FOURTH else TIER4, **(facts or {})), **kw)


def events_of(reserve, action):
    return Event.objects.filter(object_id=reserve.pk, action=action)


# --- 镇党委会研究确定 ------------------------------------------------------------------------------


def test_the_committee_decides_a_tier_1_reserve_in_a_meeting(office, unit, meeting, term):
    reserve = entry.enter(actor=office, entry=make(Reserve.Source.COMMITTEE, unit=unit, meeting=meeting))
    assert (reserve.status, reserve.source, reserve.meeting, reserve.tier) == (
        S.ACTIVE, Reserve.Source.COMMITTEE, meeting, Tier.FIRST)
    assert reserve.term == term and reserve.term_start == today() == reserve.start_date
    assert reserve.term_end == term_end_for(today(), term.term_years)
    assert reserve.meets_conditions and reserve.unit == unit and reserve.village is None
    assert reserve.birth_date == reserve.person.birth_date
    assert events_of(reserve, PoolEvent.RESERVE_ADDED.value).count() == 1


def test_a_committee_member_records_the_meeting_and_the_decision(committee, unit, term):
    meeting = entry.meeting_create(actor=committee, date=today(), attendees="王一, 李二 赵三")
    assert meeting.attendees == "王一、李二、赵三"
    reserve = entry.enter(actor=committee, entry=make(Reserve.Source.COMMITTEE, unit=unit, meeting=meeting))
    assert reserve.status == S.ACTIVE


@pytest.mark.parametrize("source", [Reserve.Source.COMMITTEE, Reserve.Source.ADDED, Reserve.Source.RECRUITED])
def test_tiers_1_to_3_need_a_meeting_whatever_the_way(office, unit, term, source):
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(source, unit=unit))
    assert "meeting" in e.value.message_dict
    assert not Reserve.objects.exists()


def test_a_meeting_of_another_town_is_not_found(office, unit, term, other_town, other_office):
    theirs = PoolMeeting.objects.create(town=other_town, date=today(), attendees="甲", recorded_by=other_office)
    with pytest.raises(NotFound):
        entry.enter(actor=office, entry=make(Reserve.Source.COMMITTEE, unit=unit, meeting=theirs))


@pytest.mark.parametrize(("date", "attendees", "field"), [
    (today() + D(days=1), "王一", "date"),
    (today(), "", "attendees"),
    (today(), "王一、王一", "attendees"),
])
def test_meeting_refusals(office, date, attendees, field):
    with pytest.raises(ValidationError) as e:
        entry.meeting_create(actor=office, date=date, attendees=attendees)
    assert field in e.value.message_dict
    assert not PoolMeeting.objects.exists()


@pytest.mark.parametrize("who", ["village_a_user", "mentor", "dept_x_user"])
def test_only_the_office_and_committee_record_meetings(request, who):
    with pytest.raises(NotAllowed):
        entry.meeting_create(actor=request.getfixturevalue(who), date=today(), attendees="王一")


def test_the_committee_decides_tiers_1_to_3_only(office, unit, meeting, term):
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.COMMITTEE, tier=Tier.FOURTH, unit=unit, meeting=meeting))
    assert "tier" in e.value.message_dict


# --- 推荐 (tier 4) and the office's review ------------------------------------------------------------


def test_a_unit_recommends_its_own_staff(unit_user, unit, term):
    reserve = entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit,
                                                      age=40))
    assert reserve.status == S.PROPOSED and reserve.recommended_by == "农业服务中心"
    assert events_of(reserve, PoolEvent.RESERVE_PROPOSED.value).count() == 1


def test_a_village_recommends_its_own_people(village_a_user, village_a, term):
    reserve = entry.enter(actor=village_a_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH,
                                                           village=village_a))
    assert reserve.status == S.PROPOSED and reserve.recommended_by == "东山村党组织"


def test_a_unit_posting_another_units_id_is_not_found(unit_user, other_unit, term):
    with pytest.raises(NotFound):
        entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=other_unit))
    assert not Reserve.objects.exists()


def test_a_village_posting_a_unit_is_refused(village_a_user, unit, term):
    with pytest.raises(ActionRefused):
        entry.enter(actor=village_a_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit))


def test_a_unit_posting_a_village_is_refused(unit_user, village_a, term):
    with pytest.raises(ActionRefused):
        entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, village=village_a))


def test_a_village_posting_another_village_is_not_found(village_a_user, village_b, other_town, term):
    with pytest.raises(NotFound):
        entry.enter(actor=village_a_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH,
                                                     village=village_b))
    far = VillageFactory(town=other_town)
    with pytest.raises(NotFound):
        entry.enter(actor=village_a_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, village=far))


def test_the_office_cannot_post_another_towns_village(office, other_town, term):
    far = VillageFactory(town=other_town)
    with pytest.raises(NotFound):
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, tier=Tier.FOURTH, village=far))


def test_unit_or_village_not_both(office, unit, village_a, term):
    with pytest.raises(ValidationError):
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, tier=Tier.FOURTH, unit=unit, village=village_a))
    with pytest.raises(ValidationError):
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, tier=Tier.FOURTH))


@pytest.mark.parametrize(("who", "source"), [
    ("unit_user", Reserve.Source.ADDED), ("village_a_user", Reserve.Source.COMMITTEE),
    ("committee", Reserve.Source.RECOMMENDED), ("mentor", Reserve.Source.RECOMMENDED),
])
def test_ways_by_role(request, unit, term, who, source):
    with pytest.raises(NotAllowed):
        entry.enter(actor=request.getfixturevalue(who), entry=make(source, tier=Tier.FOURTH, unit=unit))


def test_recommendation_is_for_tier_4_only(office, unit, meeting, term):
    with pytest.raises(ValidationError):
        entry.enter(actor=office, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.SECOND, unit=unit,
                                             meeting=meeting, recommended_by="党政办"))


def test_approve_starts_the_first_term_and_the_unit_sees_it(client, office, unit_user, unit, term):
    reserve = entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit),
                          today=today() - D(days=10))
    client.force_login(office)
    response = client.post(reverse("training:review_decide", args=[reserve.pk]),
                           {"action": "approve_reserve", "version": reserve.version})
    assert response.status_code == 302
    reserve.refresh_from_db()
    assert reserve.status == S.ACTIVE and reserve.term_start == today() == reserve.start_date
    assert reserve.term_end == term_end_for(today(), term.term_years)
    assert events_of(reserve, "approve_reserve").count() == 1
    client.force_login(unit_user)
    assert "培养中" in page(client.get(reverse("training:review_list")))


def test_decline_needs_a_reason_and_the_recommender_reads_it(client, office, village_a_user, village_a, term):
    reserve = entry.enter(actor=village_a_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH,
                                                           village=village_a))
    with pytest.raises(ActionRefused):
        entry.review(actor=office, reserve_id=reserve.pk, action="decline_reserve", reason="  ")
    entry.review(actor=office, reserve_id=reserve.pk, action="decline_reserve", reason="经验材料不充分")
    reserve.refresh_from_db()
    assert reserve.status == S.DECLINED
    client.force_login(village_a_user)
    body = page(client.get(reverse("training:review_list")))
    assert "未通过审核" in body and "经验材料不充分" in body


def test_review_scope(client, office, unit_user, other_office, unit, term):
    reserve = entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit))
    with pytest.raises(NotAllowed):
        entry.review(actor=unit_user, reserve_id=reserve.pk, action="approve_reserve")
    with pytest.raises(NotFound):
        entry.review(actor=other_office, reserve_id=reserve.pk, action="approve_reserve")
    client.force_login(unit_user)
    assert client.post(reverse("training:review_decide", args=[reserve.pk]),
                       {"action": "approve_reserve", "version": 0}).status_code == 403
    client.force_login(other_office)
    assert client.post(reverse("training:review_decide", args=[reserve.pk]),
                       {"action": "approve_reserve", "version": 0}).status_code == 404
    reserve.refresh_from_db()
    assert reserve.status == S.PROPOSED


def test_a_stale_review_is_refused(client, office, unit_user, unit, term):
    reserve = entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit))
    client.force_login(office)
    response = client.post(reverse("training:review_decide", args=[reserve.pk]),
                           {"action": "approve_reserve", "version": reserve.version + 1}, follow=True)
    assert "已被他人更新" in page(response)
    reserve.refresh_from_db()
    assert reserve.status == S.PROPOSED


def test_the_other_unit_does_not_see_the_recommendation(client, unit_user, other_unit, term, town):
    ReserveFactory(town=town, term=term, unit=other_unit, tier=Tier.FOURTH, status=S.PROPOSED,
                   source=Reserve.Source.RECOMMENDED, name="外单位人")
    client.force_login(unit_user)
    assert "外单位人" not in page(client.get(reverse("training:review_list")))


# --- 立即补进 / 引进人才 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [Reserve.Source.ADDED, Reserve.Source.RECRUITED])
def test_the_office_adds_directly(office, unit, meeting, term, source):
    tier4 = entry.enter(actor=office, entry=make(source, tier=Tier.FOURTH, unit=unit, seq=1))
    assert tier4.status == S.ACTIVE and tier4.source == source and tier4.meeting is None
    tier1 = entry.enter(actor=office, entry=make(source, unit=unit, meeting=meeting, seq=2))
    assert tier1.status == S.ACTIVE and tier1.meeting == meeting


# --- the person by ID number --------------------------------------------------------------------------


def test_bad_id_checksum_is_refused(office, unit, term):
    number = id_for(30)
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, tier=Tier.FOURTH, unit=unit, id_number=bad))
    assert "校验位" in str(e.value.message_dict["id_number"])
    assert not Person.objects.exists()


def test_the_id_number_is_normalised(office, unit, term):
    number = id_for(30, seq=3)
    spaced = " ".join([number[:6], number[6:14], number[14:]]).lower()
    reserve = entry.enter(actor=office, entry=make(Reserve.Source.ADDED, tier=Tier.FOURTH, unit=unit,
                                                   id_number=spaced))
    assert reserve.person.id_number == idnumber.normalise(number)


def test_the_same_person_is_found_again_and_not_overwritten(office, unit, meeting, term):
    person = PersonFactory(name="陈旧名", birth_date=years_ago(30) - D(days=7))
    old = ReserveFactory(town=office.town, term=term, person=person, unit=unit, tier=Tier.FOURTH, status=S.USED)
    reserve = entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting,
                                                   id_number=person.id_number, name="陈新名"))
    person.refresh_from_db()
    assert reserve.person == person == old.person and person.name == "陈旧名"
    assert reserve.name == "陈新名" and Person.objects.count() == 1


@pytest.mark.parametrize("status", [S.ACTIVE, S.PROPOSED])
def test_a_second_open_record_in_the_town_is_refused(office, unit, village_a, meeting, term, status):
    first = ReserveFactory(town=office.town, term=term, village=village_a, status=status, name="周全")
    with pytest.raises(ActionRefused) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting,
                                             id_number=first.person.id_number))
    assert "周全" in str(e.value) and "东山村" in str(e.value)
    assert Reserve.objects.count() == 1


def test_a_record_in_another_town_does_not_block(office, unit, meeting, term, other_town):
    theirs = ReserveFactory(town=other_town, person=PersonFactory(birth_date=years_ago(30)))
    reserve = entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting,
                                                   id_number=theirs.person.id_number))
    assert reserve.person == theirs.person


# --- conditions on entry and relaxation -------------------------------------------------------------------


def test_an_unmet_condition_refuses_with_the_reason(office, unit, meeting, term):
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting,
                                             facts={"civil_servant": False}))
    assert "公务员身份" in str(e.value)
    assert not Reserve.objects.exists()


def test_age_over_the_limit_needs_a_relaxation(office, unit, meeting, term):
    over = make(Reserve.Source.ADDED, unit=unit, meeting=meeting, age=36)
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=over)
    assert "放宽理由" in str(e.value)
    relaxed = make(Reserve.Source.ADDED, unit=unit, meeting=meeting, age=36, relaxation_reason="获省级表彰",
                   relaxation_approved_by="镇党委书记")
    reserve = entry.enter(actor=office, entry=relaxed)
    assert reserve.meets_conditions and reserve.relaxation_approved_on == today()
    assert events_of(reserve, PoolEvent.RESERVE_ADDED.value).get().data["relaxation"]["approved_by"] == "镇党委书记"


@pytest.mark.parametrize(("changes", "field"), [
    ({"relaxation_approved_by": "镇党委书记"}, "relaxation_reason"),
    ({"relaxation_reason": "获省级表彰"}, "relaxation_approved_by"),
    ({"relaxation_reason": "获省级表彰", "relaxation_approved_by": "书记",
      "relaxation_approved_on": today() + D(days=1)}, "relaxation_approved_on"),
])
def test_relaxation_on_entry_refusals(office, unit, meeting, term, changes, field):
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting, age=36, **changes))
    assert field in e.value.message_dict


def test_relaxation_does_not_cover_other_conditions(office, unit, meeting, term):
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.ADDED, unit=unit, meeting=meeting,
                                             facts={"middle_post_since": years_ago(1)},
                                             relaxation_reason="优秀", relaxation_approved_by="书记"))
    assert "中层任职" in str(e.value)


def test_a_unit_cannot_relax(unit_user, unit, term):
    with pytest.raises(ValidationError):
        entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit, age=50,
                                                relaxation_reason="优秀", relaxation_approved_by="书记"))


@pytest.fixture
def over_age(town, term, unit):
    return ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FIRST, birth_date=years_ago(40),
                          fulltime_education=E.BACHELOR, civil_servant=True, middle_post_since=years_ago(5),
                          meets_conditions=False, start_date=today())


@pytest.mark.parametrize(("reason", "by", "day", "field"), [
    ("", "书记", today(), "relaxation_reason"),
    ("\u200b ", "书记", today(), "relaxation_reason"),
    ("优秀", "", today(), "relaxation_approved_by"),
    ("优秀", "书记", today() + D(days=1), "relaxation_approved_on"),
])
def test_relaxation_afterwards_refusals(office, over_age, reason, by, day, field):
    with pytest.raises(ValidationError) as e:
        entry.relaxation_record(actor=office, reserve_id=over_age.pk, reason=reason, approved_by=by, approved_on=day)
    assert field in e.value.message_dict
    over_age.refresh_from_db()
    assert not over_age.relaxation_reason and not over_age.meets_conditions


def test_relaxation_afterwards(client, office, over_age):
    client.force_login(office)
    url = reverse("training:relaxation_new", args=[over_age.pk])
    assert "✗ 年龄35周岁以下" in page(client.get(url))
    response = client.post(url, {"relaxation_reason": "业绩突出", "relaxation_approved_by": "镇党委书记",
                                 "relaxation_approved_on": today().isoformat(), "version": over_age.version})
    assert response.status_code == 302
    over_age.refresh_from_db()
    assert over_age.meets_conditions and over_age.relaxation_reason == "业绩突出"
    assert events_of(over_age, PoolEvent.RELAXATION.value).count() == 1
    [panel] = [c for t, c in reserve_panels(over_age, office) if t == "training/entry_panel.html"]
    age = [c for c in panel["conditions"] if c.code == "age"][0]
    assert age.relaxed and "放宽（业绩突出" in age.message


def test_relaxation_without_reason_on_the_page(client, office, over_age):
    client.force_login(office)
    response = client.post(reverse("training:relaxation_new", args=[over_age.pk]), {
        "relaxation_reason": "", "relaxation_approved_by": "书记", "relaxation_approved_on": today().isoformat(),
        "version": over_age.version})
    assert response.status_code == 200 and "放宽条件须填写理由" in page(response)


@pytest.mark.parametrize(("who", "status"), [("committee", 403), ("unit_user", 403), ("other_office", 404)])
def test_relaxation_page_scope(client, request, over_age, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("training:relaxation_new", args=[over_age.pk])).status_code == status


# --- the entry page ------------------------------------------------------------------------------------------


def entry_post(**changes):
    data = {"name": "孙立", "id_number": id_for(30, seq=9), "tier": "4", "education": str(E.HIGH_SCHOOL),
            "field_experience": "养殖大户"}
    data.update(changes)
    return data


def test_the_unit_page_recommends(client, unit_user, unit, term):
    client.force_login(unit_user)
    url = reverse("training:entry_new") + "?way=recommended"
    assert client.get(url).status_code == 200
    response = client.post(url, entry_post(unit=unit.pk))
    assert response.status_code == 302, page(response)
    assert Reserve.objects.get().status == S.PROPOSED


def test_the_unit_page_with_another_units_id_is_404(client, unit_user, other_unit, term):
    client.force_login(unit_user)
    response = client.post(reverse("training:entry_new") + "?way=recommended", entry_post(unit=other_unit.pk))
    assert response.status_code == 404
    assert not Reserve.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999999", "-1", "1e3"])
def test_garbage_ids_are_no_500(client, unit_user, term, bad):
    client.force_login(unit_user)
    response = client.post(reverse("training:entry_new") + "?way=recommended", entry_post(unit=bad))
    assert response.status_code == 200
    assert not Reserve.objects.exists()


def test_the_office_page_shows_the_conditions_when_refused(client, office, unit, meeting, term):
    client.force_login(office)
    response = client.post(reverse("training:entry_new") + "?way=committee", {
        "name": "钱多", "id_number": id_for(37, seq=4), "tier": "1", "unit": unit.pk, "meeting": meeting.pk,
        "fulltime_education": str(E.BACHELOR), "civil_servant": "on", "middle_post_since": years_ago(3).isoformat()})
    body = page(response)
    assert response.status_code == 200 and "✗ 年龄35周岁以下" in body and "✓ 公务员身份" in body
    assert not Reserve.objects.exists()


def test_the_office_page_enters_with_the_meeting(client, office, unit, meeting, term):
    client.force_login(office)
    response = client.post(reverse("training:entry_new") + "?way=committee", {
        "name": "钱多", "id_number": id_for(30, seq=4), "tier": "1", "unit": unit.pk, "meeting": meeting.pk,
        "fulltime_education": str(E.BACHELOR), "civil_servant": "on", "middle_post_since": years_ago(3).isoformat()})
    assert response.status_code == 302
    reserve = Reserve.objects.get()
    assert reserve.meeting == meeting and reserve.source == Reserve.Source.COMMITTEE
    assert "钱多" in page(client.get(reverse("training:meeting_detail", args=[meeting.pk])))


def test_a_future_date_on_the_form_is_refused(client, office, unit, meeting, term):
    client.force_login(office)
    response = client.post(reverse("training:entry_new") + "?way=committee", {
        "name": "钱多", "id_number": id_for(30, seq=4), "tier": "1", "unit": unit.pk, "meeting": meeting.pk,
        "fulltime_education": str(E.BACHELOR), "civil_servant": "on",
        "middle_post_since": (today() + D(days=1)).isoformat()})
    assert response.status_code == 200 and "日期不能晚于今天" in page(response)


@pytest.mark.parametrize(("who", "way", "status"), [
    ("office", "committee", 200), ("office", "recommended", 200), ("office", "added", 200),
    ("office", "recruited", 200), ("committee", "committee", 200), ("committee", "added", 404),
    ("unit_user", "recommended", 200), ("unit_user", "committee", 404), ("village_a_user", "recommended", 200),
    ("mentor", "recommended", 403), ("dept_x_user", "recommended", 403),
])
def test_entry_page_by_role(client, request, term, who, way, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("training:entry_new") + f"?way={way}").status_code == status


def test_anonymous_is_sent_to_login(client):
    for name in ("entry_new", "review_list", "meeting_list", "term_list"):
        response = client.get(reverse(f"training:{name}"))
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_meeting_pages(client, office, committee, term):
    client.force_login(committee)
    response = client.post(reverse("training:meeting_new"), {"date": today().isoformat(), "attendees": "王一、李二"})
    assert response.status_code == 302
    meeting = PoolMeeting.objects.get()
    assert "王一、李二" in page(client.get(reverse("training:meeting_detail", args=[meeting.pk])))
    response = client.post(reverse("training:meeting_new"), {"date": (today() + D(days=2)).isoformat(),
                                                              "attendees": "王一"})
    assert response.status_code == 200 and "会议日期不能晚于今天" in page(response)
    assert PoolMeeting.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("village_a_user", 403), ("unit_user", 403), ("other_office", 404)])
def test_meeting_page_scope(client, request, meeting, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("training:meeting_detail", args=[meeting.pk])).status_code == status


# --- constant queries on the lists ----------------------------------------------------------------------------


def _meetings(n, town, office, unit, term):
    for i in range(n):
        m = PoolMeeting.objects.create(town=town, date=today() - D(days=i), attendees="王一", recorded_by=office)
        ReserveFactory(town=town, term=term, unit=unit, tier=Tier.SECOND, meeting=m, source=Reserve.Source.COMMITTEE)


def _recommendations(n, town, unit, village, term, office):
    for i in range(n):
        r = ReserveFactory(town=town, term=term, unit=unit if i % 2 else None, village=None if i % 2 else village,
                           tier=Tier.FOURTH, status=S.PROPOSED if i % 3 else S.DECLINED,
                           source=Reserve.Source.RECOMMENDED, recommended_by="推荐单位")
        if r.status == S.DECLINED:
            Event.objects.create(content_type_id=_ct(), object_id=r.pk, action="decline_reserve", actor=office,
                                 reason="不符合")


def _ct():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Reserve).pk


def _count(client, url) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), page(response)


def test_meeting_list_constant_queries(client, office, town, unit, term):
    client.force_login(office)
    url = reverse("training:meeting_list")
    _meetings(2, town, office, unit, term)
    small, body = _count(client, url)
    assert len(re.findall(r'href="/pool/meetings/\d+/"', body)) == 2
    _meetings(12, town, office, unit, term)
    large, body = _count(client, url)
    assert large == small
    assert len(re.findall(r'href="/pool/meetings/\d+/"', body)) == 14


@pytest.mark.parametrize(("who", "query"), [("office", ""), ("office", "?all=1"), ("unit_user", "")])
def test_review_list_constant_queries(client, request, town, unit, village_a, term, office, who, query):
    client.force_login(request.getfixturevalue(who))
    url = reverse("training:review_list") + query
    _recommendations(3, town, unit, village_a, term, office)
    small, _body = _count(client, url)
    _recommendations(15, town, unit, village_a, term, office)
    large, body = _count(client, url)
    assert large == small
    assert body.count("data-reserve=") == (
        Reserve.objects.filter(source=Reserve.Source.RECOMMENDED).filter(
            **({} if query or who != "office" else {"status": S.PROPOSED})).filter(
            **({"unit": unit} if who == "unit_user" else {})).count())


# --- follow-up ------------------------------------------------------------------------------------------------


@pytest.fixture
def used(town, term, unit):
    return ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH, status=S.USED, used_post="站长",
                          used_on=today() - D(days=30))


def test_the_office_records_a_follow_up(office, used):
    visit = entry.follow_up_record(actor=office, reserve_id=used.pk, date=today(), visited_by="党建办 张三",
                                   content="工作适应良好")
    assert visit.reserve == used and events_of(used, PoolEvent.FOLLOW_UP.value).count() == 1
    [item] = [i for i in timeline_items(used, office) if i.label == "回访跟踪"]
    assert "工作适应良好" in item.text


def test_the_unit_records_a_follow_up_on_its_page(client, unit_user, used):
    client.force_login(unit_user)
    url = reverse("training:followup_new", args=[used.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": today().isoformat(), "visited_by": "站长", "content": "满意"})
    assert response.status_code == 302
    assert FollowUpVisit.objects.get().recorded_by == unit_user


@pytest.mark.parametrize(("day", "by", "content", "field"), [
    (today() + D(days=1), "张三", "好", "date"),
    (today() - D(days=31), "张三", "好", "date"),
    (today(), "", "好", "visited_by"),
    (today(), "张三", " ", "content"),
])
def test_follow_up_refusals(office, used, day, by, content, field):
    with pytest.raises(ValidationError) as e:
        entry.follow_up_record(actor=office, reserve_id=used.pk, date=day, visited_by=by, content=content)
    assert field in e.value.message_dict
    assert not FollowUpVisit.objects.exists()


def test_follow_up_only_for_used(office, town, term, unit):
    active = ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH)
    with pytest.raises(ActionRefused):
        entry.follow_up_record(actor=office, reserve_id=active.pk, date=today(), visited_by="张三", content="好")


@pytest.mark.parametrize(("who", "error"), [("committee", NotAllowed), ("mentor", NotAllowed),
                                            ("other_office", NotFound), ("village_a_user", NotFound)])
def test_follow_up_scope(request, used, who, error):
    with pytest.raises(error):
        entry.follow_up_record(actor=request.getfixturevalue(who), reserve_id=used.pk, date=today(),
                               visited_by="张三", content="好")


def test_another_units_follow_up_page_is_404(client, used, other_unit):
    client.force_login(UserFactory(username="other_head", town=other_unit.town, unit=other_unit, role=Role.UNIT))
    assert client.get(reverse("training:followup_new", args=[used.pk])).status_code == 404


def test_panels_show_conditions_and_follow_ups(office, committee, mentor, used):
    FollowUpVisit.objects.create(reserve=used, date=today(), visited_by="张三", content="适应良好", recorded_by=office)
    templates = [t for t, _ in reserve_panels(used, office)]
    assert "training/entry_panel.html" in templates and "training/followup_panel.html" in templates
    [context] = [c for t, c in reserve_panels(used, office) if t == "training/followup_panel.html"]
    assert context["record_url"] and len(context["visits"]) == 1
    [context] = [c for t, c in reserve_panels(used, committee) if t == "training/followup_panel.html"]
    assert not context["record_url"]
    assert "training/followup_panel.html" not in [t for t, _ in reserve_panels(used, mentor)]


def test_the_reserve_page_shows_the_panels(client, office, used):
    FollowUpVisit.objects.create(reserve=used, date=today(), visited_by="张三", content="适应良好", recorded_by=office)
    client.force_login(office)
    body = page(client.get(reverse("training:reserve_detail", args=[used.pk])))
    assert 'id="tier-conditions"' in body and 'id="follow-ups"' in body and "适应良好" in body
    assert reverse("training:followup_new", args=[used.pk]) in body


# --- double submits ---------------------------------------------------------------------------------------


def test_the_same_follow_up_is_recorded_once(client, office, used):
    entry.follow_up_record(actor=office, reserve_id=used.pk, date=today(), visited_by="张三", content="工作适应良好")
    with pytest.raises(ActionRefused, match="已经记录"):
        entry.follow_up_record(actor=office, reserve_id=used.pk, date=today(), visited_by=" 张三 ",
                               content="工作适应良好")
    assert FollowUpVisit.objects.count() == 1
    assert events_of(used, PoolEvent.FOLLOW_UP.value).count() == 1
    # Another day, visitor or content is another visit.
    for day, by, content in ((today() - D(days=1), "张三", "工作适应良好"), (today(), "李四", "工作适应良好"),
                             (today(), "张三", "群众反映好")):
        entry.follow_up_record(actor=office, reserve_id=used.pk, date=day, visited_by=by, content=content)
    assert FollowUpVisit.objects.count() == 4


def test_a_double_submitted_follow_up_page_says_so(client, office, used):
    client.force_login(office)
    url = reverse("training:followup_new", args=[used.pk])
    data = {"date": today().isoformat(), "visited_by": "张三", "content": "满意"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200 and "已经记录，请勿重复提交" in page(response)
    assert FollowUpVisit.objects.count() == 1


def test_the_same_committee_meeting_is_recorded_once(office, committee):
    entry.meeting_create(actor=office, date=today(), attendees="王一、李二", minutes_ref="2026-5")
    with pytest.raises(ValidationError, match="已经登记"):
        entry.meeting_create(actor=committee, date=today(), attendees="王一，李二", minutes_ref="2026-5")
    assert PoolMeeting.objects.count() == 1
    assert Event.objects.filter(action="pool_meeting_create").count() == 1
    # Another date, minutes number or attendance is another meeting.
    entry.meeting_create(actor=office, date=today() - D(days=1), attendees="王一、李二", minutes_ref="2026-5")
    entry.meeting_create(actor=office, date=today(), attendees="王一、李二", minutes_ref="2026-6")
    entry.meeting_create(actor=office, date=today(), attendees="王一、李二、赵三", minutes_ref="2026-5")
    assert PoolMeeting.objects.count() == 4


def test_a_double_submitted_meeting_page_says_so(client, office):
    client.force_login(office)
    data = {"date": today().isoformat(), "attendees": "王一、李二", "minutes_ref": "", "note": ""}
    assert client.post(reverse("training:meeting_new"), data).status_code == 302
    response = client.post(reverse("training:meeting_new"), data)
    assert response.status_code == 200 and "已经登记，请勿重复提交" in page(response)
    assert PoolMeeting.objects.count() == 1


def test_another_towns_identical_meeting_is_not_a_duplicate(office, other_office):
    entry.meeting_create(actor=office, date=today(), attendees="王一")
    entry.meeting_create(actor=other_office, date=today(), attendees="王一")
    assert PoolMeeting.objects.count() == 2


# --- implausible dates, dates before the person's birth -------------------------------------------------------

ENDS = [datetime.date(1, 1, 1), datetime.date(1899, 12, 31), datetime.date(1999, 12, 31)]


@pytest.mark.parametrize("day", ENDS)
def test_a_meeting_at_the_ends_of_the_calendar_is_refused(office, day):
    with pytest.raises(ValidationError) as e:
        entry.meeting_create(actor=office, date=day, attendees="王一")
    assert "date" in e.value.message_dict
    assert not PoolMeeting.objects.exists()


@pytest.mark.parametrize("day", ENDS)
def test_a_relaxation_approved_at_the_ends_of_the_calendar_is_refused(office, over_age, day):
    with pytest.raises(ValidationError) as e:
        entry.relaxation_record(actor=office, reserve_id=over_age.pk, reason="优秀", approved_by="书记",
                                approved_on=day)
    assert "不能早于" in " ".join(e.value.message_dict["relaxation_approved_on"])
    over_age.refresh_from_db()
    assert not over_age.relaxation_reason


@pytest.mark.parametrize("day", ENDS)
def test_a_follow_up_at_the_ends_of_the_calendar_is_refused(office, used, day):
    with pytest.raises(ValidationError) as e:
        entry.follow_up_record(actor=office, reserve_id=used.pk, date=day, visited_by="张三", content="好")
    assert "date" in e.value.message_dict
    assert not FollowUpVisit.objects.exists()


@pytest.mark.parametrize("field", ["party_join_date", "middle_post_since", "organ_work_since",
                                   "village_cadre_since"])
@pytest.mark.parametrize(("offset", "says"), [(-1, "不能早于出生日期"), (None, "不能晚于今天")])
def test_an_entry_date_before_birth_or_in_the_future_is_refused(office, unit, meeting, term, field, offset, says):
    born = years_ago(30) - D(days=7)
    day = born + D(days=offset) if offset is not None else today() + D(days=1)
    with pytest.raises(ValidationError) as e:
        entry.enter(actor=office, entry=make(Reserve.Source.COMMITTEE, unit=unit, meeting=meeting,
                                             facts={field: day}))
    assert says in " ".join(e.value.message_dict[field])
    assert not Reserve.objects.exists() and not Person.objects.exists()


def test_an_entry_date_on_the_birthday_is_taken(office, unit, meeting, term):
    born = years_ago(30) - D(days=7)
    reserve = entry.enter(actor=office, entry=make(Reserve.Source.COMMITTEE, unit=unit, meeting=meeting,
                                                   facts={"party_join_date": born}))
    assert reserve.party_join_date == born


def test_the_entry_page_shows_the_birth_date_refusal(client, office, unit, meeting, term):
    client.force_login(office)
    data = entry_post(tier="1", unit=str(unit.pk), meeting=str(meeting.pk), fulltime_education=str(E.BACHELOR),
                      education=str(E.BACHELOR), civil_servant="on", middle_post_since=iso_of(years_ago(40)))
    response = client.post(reverse("training:entry_new") + "?way=committee", data)
    assert response.status_code == 200 and "不能早于出生日期" in page(response)
    assert not Reserve.objects.exists()


def iso_of(day):
    return f"{day:%Y-%m-%d}"


# --- the decline reason on the review list -----------------------------------------------------------------


def test_an_overlong_decline_reason_keeps_the_text_with_a_message(client, office, unit, term):
    proposed = ReserveFactory(town=office.town, term=term, unit=unit, tier=Tier.FOURTH, status=S.PROPOSED,
                              source=Reserve.Source.RECOMMENDED, name="孙推荐")
    client.force_login(office)
    typed = "甲" * 1000 + "乙"
    response = client.post(reverse("training:review_decide", args=[proposed.pk]),
                           {"action": "decline_reserve", "version": "0", "reason": typed})
    assert response.status_code == 200
    text = page(response)
    assert "理由不能超过1000字" in text and typed in text and "孙推荐" in text
    proposed.refresh_from_db()
    assert proposed.status == S.PROPOSED and proposed.version == 0


# --- what a duplicate refusal tells ----------------------------------------------------------------------------


def test_a_duplicate_outside_the_scope_tells_nothing_of_the_record(unit_user, unit, other_unit, term):
    theirs = ReserveFactory(town=unit.town, term=term, unit=other_unit, tier=Tier.FOURTH, name="钱他单")
    with pytest.raises(ActionRefused) as e:
        entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit,
                                                id_number=theirs.person.id_number, name="化名"))
    assert str(e.value) == "该同志已在本镇人才库中，请与镇党建办联系。"
    assert Reserve.objects.count() == 1


def test_a_duplicate_inside_the_scope_is_described(unit_user, unit, term):
    ours = ReserveFactory(town=unit.town, term=term, unit=unit, tier=Tier.FOURTH, name="钱本单")
    with pytest.raises(ActionRefused, match="钱本单已在本镇人才库中（农业服务中心"):
        entry.enter(actor=unit_user, entry=make(Reserve.Source.RECOMMENDED, tier=Tier.FOURTH, unit=unit,
                                                id_number=ours.person.id_number))
