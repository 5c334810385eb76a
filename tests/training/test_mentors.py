"""Mentors (引路人 / 结对帮扶): who may be named for which tier, the date bounds, a change keeping the history and
moving the mentor's sight of the reserve, the pages (pairing form, the town's mentors, reserves without one)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from reserve.scope import Scope
from training import mentors
from training.models import Mentorship, PoolMeeting, Reserve, Tier
from training.panels import reserve_panels, timeline_items
from training.workflow import PoolEvent

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import login, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def days_ago(n):
    return today() - D(days=n)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


@pytest.fixture
def village_reserve(town, term, village_a):
    return ReserveFactory(town=town, term=term, village=village_a, name="张村")


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="农业服务中心")


@pytest.fixture
def tier1(town, term, unit):
    return ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FIRST, name="李一", post="副主任")


@pytest.fixture
def leader(town):
    """A member of the town's leadership team (班子成员): a committee account."""
    return UserFactory(username="leader", full_name="王书记", town=town, role=Role.COMMITTEE)


@pytest.fixture
def meeting(town, office):
    return PoolMeeting.objects.create(town=town, date=days_ago(30), attendees="全体委员", recorded_by=office)


@pytest.fixture
def mentor2(town):
    return UserFactory(username="mentor2", full_name="赵引路", town=town, role=Role.MENTOR)


def pair(office, reserve, mentor, start=None, **kw):
    kw.setdefault("basis", "测试")
    return mentors.pair_mentor(office, reserve.pk, mentor.pk if hasattr(mentor, "pk") else mentor,
                               start or days_ago(10), **kw)


# ----------------------------------------------------------------------------- the rules


def test_tier1_mentor_is_a_committee_member_named_by_a_meeting(office, tier1, leader, meeting):
    pairing = pair(office, tier1, leader, meeting_id=meeting.pk)
    tier1.refresh_from_db()
    assert tier1.mentor == leader and pairing.meeting == meeting and pairing.end is None
    assert Event.objects.filter(object_id=tier1.pk, action=PoolEvent.MENTOR_PAIRED).count() == 1


def test_village_reserve_mentor_is_a_mentor_account_on_the_units_proposal(office, village_reserve, mentor):
    pairing = pair(office, village_reserve, mentor, proposed_by="东山村党支部")
    village_reserve.refresh_from_db()
    assert village_reserve.mentor == mentor and pairing.proposed_by == "东山村党支部"


def _other_town_mentor(other_town):
    return UserFactory(username="far", town=other_town, role=Role.MENTOR)


def _inactive_mentor(town):
    return UserFactory(username="gone", town=town, role=Role.MENTOR, is_active=False)


# (case, reserve fixture, mentor maker, extra kwargs maker, field refused)
REFUSALS = [
    ("tier 1, a mentor who is not in the leadership", "tier1", lambda f: f["mentor"],
     lambda f: {"meeting_id": f["meeting"].pk}, "mentor"),
    ("tier 1 without the committee's meeting", "tier1", lambda f: f["leader"], lambda f: {}, "meeting"),
    ("tier 1, another town's meeting", "tier1", lambda f: f["leader"],
     lambda f: {"meeting_id": PoolMeeting.objects.create(town=f["other_town"], date=days_ago(30), attendees="x",
                                                         recorded_by=f["office"]).pk}, "meeting"),
    ("tier 1, a garbage meeting id", "tier1", lambda f: f["leader"], lambda f: {"meeting_id": "1;drop"}, "meeting"),
    ("tier 1, the meeting after the pairing", "tier1", lambda f: f["leader"],
     lambda f: {"meeting_id": PoolMeeting.objects.create(town=f["town"], date=days_ago(1), attendees="x",
                                                         recorded_by=f["office"]).pk}, "meeting"),
    ("village reserve, a committee member without the mentor role", "village_reserve", lambda f: f["leader"],
     lambda f: {"proposed_by": "东山村"}, "mentor"),
    ("village reserve without the unit's proposal", "village_reserve", lambda f: f["mentor"], lambda f: {},
     "proposed_by"),
    ("another town's mentor", "village_reserve", lambda f: _other_town_mentor(f["other_town"]),
     lambda f: {"proposed_by": "东山村"}, "mentor"),
    ("an inactive account", "village_reserve", lambda f: _inactive_mentor(f["town"]),
     lambda f: {"proposed_by": "东山村"}, "mentor"),
    ("a village account", "village_reserve", lambda f: f["village_a_user"], lambda f: {"proposed_by": "东山村"},
     "mentor"),
    ("no such account", "village_reserve", lambda f: 10**30, lambda f: {"proposed_by": "东山村"}, "mentor"),
    ("a garbage account id", "village_reserve", lambda f: "abc", lambda f: {"proposed_by": "东山村"}, "mentor"),
    ("an overlong basis", "village_reserve", lambda f: f["mentor"],
     lambda f: {"proposed_by": "东山村", "basis": "长" * 201}, "basis"),
]


@pytest.mark.parametrize("case,reserve_name,mentor_of,extra_of,field", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_pairing_refusals(case, reserve_name, mentor_of, extra_of, field, request, office, town, other_town, leader,
                          meeting, mentor, village_a_user, tier1, village_reserve):
    f = {"office": office, "town": town, "other_town": other_town, "leader": leader, "meeting": meeting,
         "mentor": mentor, "village_a_user": village_a_user}
    reserve = request.getfixturevalue(reserve_name)
    with pytest.raises(ValidationError) as refused:
        pair(office, reserve, mentor_of(f), **extra_of(f))
    assert field in refused.value.message_dict
    assert re.search("[\u4e00-\u9fff]{4}", refused.value.message_dict[field][0])  # a Chinese message
    reserve.refresh_from_db()
    assert reserve.mentor is None and not Mentorship.objects.filter(reserve=reserve).exists()


@pytest.mark.parametrize("start_of,fragment", [
    (lambda r: today() + D(days=1), "不能晚于今天"),
    (lambda r: r.start_date - D(days=1), "不能早于该同志的入库日期"),
], ids=["future", "before entering the pool"])
def test_pairing_date_bounds(office, village_reserve, mentor, start_of, fragment):
    with pytest.raises(ValidationError) as refused:
        pair(office, village_reserve, mentor, start_of(village_reserve), proposed_by="东山村")
    assert fragment in refused.value.message_dict["start"][0]


def test_pairing_on_the_day_of_entry_is_allowed(office, village_reserve, mentor):
    pairing = pair(office, village_reserve, mentor, village_reserve.start_date, proposed_by="东山村")
    assert pairing.start == village_reserve.start_date


def test_a_committee_member_who_is_also_a_mentor_may_mentor_any_tier(office, tier1, village_reserve, leader, meeting):
    leader.groups.add(Group.objects.get_or_create(name=Role.MENTOR)[0])
    leader = type(leader).objects.get(pk=leader.pk)
    pair(office, tier1, leader, meeting_id=meeting.pk)
    pair(office, village_reserve, leader, proposed_by="东山村")
    assert set(Reserve.objects.filter(mentor=leader)) == {tier1, village_reserve}


@pytest.mark.parametrize("actor_name,error", [
    ("committee", NotAllowed), ("mentor", NotAllowed), ("village_a_user", NotAllowed), ("other_office", NotFound),
])
def test_only_the_towns_office_pairs(request, actor_name, error, village_reserve, mentor2):
    actor = request.getfixturevalue(actor_name)
    with pytest.raises(error):
        pair(actor, village_reserve, mentor2, proposed_by="东山村")
    assert not Mentorship.objects.exists()


def test_a_reserve_no_longer_in_cultivation_is_not_paired(office, village_reserve, mentor):
    from reserve.exceptions import ActionRefused

    Reserve.objects.filter(pk=village_reserve.pk).update(status=Reserve.Status.REMOVED)
    with pytest.raises(ActionRefused):
        pair(office, village_reserve, mentor, proposed_by="东山村")


def test_change_keeps_history_and_moves_the_sight_of_the_reserve(office, village_reserve, mentor, mentor2):
    first = pair(office, village_reserve, mentor, days_ago(60), proposed_by="东山村")
    assert Scope.for_user(mentor).filter(Reserve).filter(pk=village_reserve.pk).exists()
    second = pair(office, village_reserve, mentor2, days_ago(5), proposed_by="东山村")
    first.refresh_from_db()
    village_reserve.refresh_from_db()
    assert first.end == days_ago(6) and second.end is None
    assert village_reserve.mentor == mentor2
    assert list(mentors.mentorships_of(village_reserve)) == [first, second]
    actions = list(Event.objects.filter(object_id=village_reserve.pk, action__startswith="mentor_")
                   .order_by("id").values_list("action", flat=True))
    assert actions == [PoolEvent.MENTOR_PAIRED, PoolEvent.MENTOR_ENDED, PoolEvent.MENTOR_PAIRED]
    # The old mentor loses sight of the reserve, the new one gains it.
    old = type(mentor).objects.get(pk=mentor.pk)
    new = type(mentor2).objects.get(pk=mentor2.pk)
    assert not Scope.for_user(old).filter(Reserve).filter(pk=village_reserve.pk).exists()
    assert Scope.for_user(new).filter(Reserve).filter(pk=village_reserve.pk).exists()


def test_change_on_the_same_day_ends_the_old_pairing_that_day(office, village_reserve, mentor, mentor2):
    first = pair(office, village_reserve, mentor, days_ago(3), proposed_by="东山村")
    pair(office, village_reserve, mentor2, days_ago(3), proposed_by="东山村")
    first.refresh_from_db()
    assert first.end == days_ago(3)


@pytest.mark.parametrize("case", ["before the current pairing", "the same mentor again"])
def test_change_refusals(case, office, village_reserve, mentor, mentor2):
    pair(office, village_reserve, mentor, days_ago(10), proposed_by="东山村")
    with pytest.raises(ValidationError) as refused:
        if case == "the same mentor again":
            pair(office, village_reserve, mentor, days_ago(2), proposed_by="东山村")
        else:
            pair(office, village_reserve, mentor2, days_ago(11), proposed_by="东山村")
    assert refused.value.message_dict
    assert Mentorship.objects.filter(reserve=village_reserve).count() == 1


# ----------------------------------------------------------------------------- the reserve's page


def test_panel_and_history(office, committee, village_reserve, mentor):
    pair(office, village_reserve, mentor, days_ago(10), proposed_by="东山村")
    village_reserve.refresh_from_db()
    office_panels = dict(reserve_panels(village_reserve, office))
    assert office_panels["training/mentor_panel.html"]["can_pair"] is True
    assert dict(reserve_panels(village_reserve, committee))["training/mentor_panel.html"]["can_pair"] is False
    labels = [item.label for item in timeline_items(village_reserve, office)]
    assert "结对帮扶" in labels


# ----------------------------------------------------------------------------- pages


@pytest.mark.parametrize("who,status", [
    ("office", 200), ("committee", 403), ("mentor", 403), ("village_a_user", 403), ("other_office", 404),
    ("dept_x_user", 403),
])
def test_pairing_page_access(client, request, who, status, village_reserve):
    user = request.getfixturevalue(who)
    login(client, user.username)
    assert client.get(reverse("training:mentor_pair", args=[village_reserve.pk])).status_code == status


def test_pairing_through_the_page(client, office, village_reserve, mentor):
    login(client, "office")
    url = reverse("training:mentor_pair", args=[village_reserve.pk])
    assert "东山村" in page(client.get(url))  # the unit's name proposed by default
    bad = client.post(url, {"mentor": mentor.pk, "start": (today() + D(days=3)).isoformat(), "proposed_by": "东山村"})
    assert bad.status_code == 200 and "不能晚于今天" in page(bad)
    garbage = client.post(url, {"mentor": "9" * 40, "start": "2026-13-45", "proposed_by": "x" * 500})
    assert garbage.status_code == 200
    for extreme in ("0001-01-01", "9999-12-31"):
        assert client.post(url, {"mentor": mentor.pk, "start": extreme, "proposed_by": "东山村"}).status_code == 200
    assert not Mentorship.objects.exists()
    ok = client.post(url, {"mentor": mentor.pk, "start": days_ago(1).isoformat(), "proposed_by": "东山村",
                           "basis": "单位推荐"})
    assert ok.status_code == 302
    village_reserve.refresh_from_db()
    assert village_reserve.mentor == mentor


def test_tier1_page_asks_for_the_meeting(client, office, tier1, leader, meeting, mentor):
    login(client, "office")
    url = reverse("training:mentor_pair", args=[tier1.pk])
    body = page(client.get(url))
    assert "王书记" in body and "党委会研究" in body
    refused = client.post(url, {"mentor": leader.pk, "start": days_ago(1).isoformat()})
    assert refused.status_code == 200 and "党委会研究" in page(refused)
    # A mentor account is not offered for tier 1.
    assert client.post(url, {"mentor": mentor.pk, "start": days_ago(1).isoformat(),
                             "meeting": meeting.pk}).status_code == 200
    assert client.post(url, {"mentor": leader.pk, "start": days_ago(1).isoformat(),
                             "meeting": meeting.pk}).status_code == 302


def test_unpaired_list(client, office, town, term, village_a, mentor):
    late = ReserveFactory(town=town, term=term, village=village_a, name="迟迟", start_date=days_ago(40))
    ReserveFactory(town=town, term=term, village=village_a, name="新近", start_date=days_ago(10))
    paired = ReserveFactory(town=town, term=term, village=village_a, name="已结对", start_date=days_ago(90))
    pair(office, paired, mentor, days_ago(80), proposed_by="东山村")
    ReserveFactory(town=town, term=term, village=village_a, name="离库者", start_date=days_ago(90),
                   status=Reserve.Status.REMOVED)
    assert list(mentors.reserves_without_mentor(office)) == [late]
    login(client, "office")
    body = page(client.get(reverse("training:mentor_unpaired")))
    assert "迟迟" in body and "新近" not in body and "已结对" not in body and "离库者" not in body


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        body = page(client.get(url))
    return len(ctx), body


def test_mentor_pages_constant_queries(client, office, town, term, village_a, django_assert_max_num_queries):
    """The same number of queries for 2 and for 12 mentors and unpaired reserves (and within a bound)."""
    login(client, "office")
    counts = {}
    made = 0
    for n in (2, 12):
        for i in range(made, n):
            m = UserFactory(username=f"m{i}", town=town, role=Role.MENTOR)
            r = ReserveFactory(town=town, term=term, village=village_a, start_date=days_ago(100))
            pair(office, r, m, days_ago(50), proposed_by="东山村")
            ReserveFactory(town=town, term=term, village=village_a, start_date=days_ago(100))
        made = n
        client.get(reverse("training:mentor_list"))  # the account's cached facts, renewed by the new rows
        with django_assert_max_num_queries(15):
            listed, body = _queries(client, reverse("training:mentor_list"))
        assert body.count('data-mentor="') == n
        with django_assert_max_num_queries(15):
            unpaired, body = _queries(client, reverse("training:mentor_unpaired"))
        assert body.count('data-reserve="') == n
        counts[n] = (listed, unpaired)
    assert counts[2] == counts[12]


def test_mentor_list_counts_active_reserves(client, office, committee, town, term, village_a, mentor):
    for _ in range(3):
        pair(office, ReserveFactory(town=town, term=term, village=village_a), mentor, days_ago(5),
             proposed_by="东山村")
    row = mentors.town_mentors(committee).get(pk=mentor.pk)
    assert row.reserve_count == 3
    login(client, "committee")
    assert client.get(reverse("training:mentor_list")).status_code == 200


# ----------------------------------------------------------------------------- a pairing from a stale page


@pytest.mark.parametrize(("seen", "stale"), [
    ("none", True),  # the page showed no mentor; another clerk named one since
    ("mentor", False),  # the page showed the current mentor: a change
    ("garbage", True),
    ("absent", False),  # a POST without what it saw (no page shown in this session): not checked
])
def test_a_pairing_from_a_stale_page_is_refused(office, village_reserve, mentor, mentor2, seen, stale):
    pair(office, village_reserve, mentor, proposed_by="东山村")
    value = {"none": mentors.NO_MENTOR_SEEN, "mentor": mentor.pk, "garbage": mentors.GARBAGE_SEEN,
             "absent": None}[seen]
    count = Event.objects.count()
    if stale:
        with pytest.raises(ActionRefused, match="已被他人更新"):
            pair(office, village_reserve, mentor2, start=today(), proposed_by="东山村", seen_mentor=value)
        assert Event.objects.count() == count
        assert Mentorship.objects.get(reserve=village_reserve, end__isnull=True).mentor == mentor
    else:
        pair(office, village_reserve, mentor2, start=today(), proposed_by="东山村", seen_mentor=value)
        assert Mentorship.objects.get(reserve=village_reserve, end__isnull=True).mentor == mentor2


def test_naming_the_current_mentor_again_says_so_not_stale(office, village_reserve, mentor):
    pair(office, village_reserve, mentor, proposed_by="东山村")
    with pytest.raises(ValidationError, match="已是该同志的引路人"):
        pair(office, village_reserve, mentor, start=today(), proposed_by="东山村",
             seen_mentor=mentors.NO_MENTOR_SEEN)


def test_two_clerks_on_the_pairing_page(client, office, village_reserve, mentor, mentor2):
    """Both open the page of a reserve without a mentor; the first names one; the second's page (no mentor shown,
    so no 'replace' confirmation) is refused, shown afresh with the new mentor, and may then change it knowingly."""
    login(client, "office")
    url = reverse("training:mentor_pair", args=[village_reserve.pk])
    text = page(client.get(url))
    assert f'name="seen_mentor" value="{mentors.NO_MENTOR_SEEN}"' in text and "更换引路人" not in text
    data = {"start": today().isoformat(), "proposed_by": "东山村", "basis": "单位推荐",
            "seen_mentor": mentors.NO_MENTOR_SEEN}
    assert client.post(url, {**data, "mentor": mentor.pk}).status_code == 302
    count = Mentorship.objects.count()
    response = client.post(url, {**data, "mentor": mentor2.pk})
    text = page(response)
    assert response.status_code == 200 and "该后备干部的信息已被他人更新" in text
    assert Mentorship.objects.count() == count and reload_mentor(village_reserve) == mentor
    assert f'name="seen_mentor" value="{mentor.pk}"' in text and "更换引路人" in text
    # Without the hidden field (a script, an old page): the session remembers what the page showed.
    response = client.post(url, {k: v for k, v in data.items() if k != "seen_mentor"} | {"mentor": mentor2.pk})
    assert response.status_code == 302 and reload_mentor(village_reserve) == mentor2


def reload_mentor(reserve):
    return Reserve.objects.get(pk=reserve.pk).mentor
