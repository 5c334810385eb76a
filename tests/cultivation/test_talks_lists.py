"""The lists of talks: overdue due talks and reserves short of the yearly minimum, for the office (the town) and
for each mentor (their own); the talk pages (who may open them, recording through the form); constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cultivation import talks
from cultivation.models import DueTalk, HeartTalk, TalkKind
from reserve.roles import Role
from training.models import Reserve

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import login, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def days_ago(n):
    return today() - D(days=n)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, talks_per_year=2)


@pytest.fixture
def reserve(town, term, village_a, mentor):
    return ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, name="张村")


@pytest.fixture
def other_mentor(town):
    return UserFactory(username="mentor_b", town=town, role=Role.MENTOR)


@pytest.fixture
def others_reserve(town, term, village_a, other_mentor):
    return ReserveFactory(town=town, term=term, village=village_a, mentor=other_mentor, name="李他")


def due(reserve, kind=TalkKind.SETBACK, arose=None, due_on=None):
    arose = arose or days_ago(40)
    return DueTalk.objects.create(reserve=reserve, kind=kind, reason="事由", arose_on=arose,
                                  due_on=due_on or arose + D(days=20))


def talk(reserve, actor, day):
    return HeartTalk.objects.create(reserve=reserve, held_at=at(day), place="村委会", talker="王", topic="近况",
                               content="内容", recorded_by=actor)


def this_year_day(n_back):
    """A day of this calendar year, at most n_back days ago (1 January at the earliest)."""
    return max(days_ago(n_back), datetime.date(today().year, 1, 1))


# ----------------------------------------------------------------------------- the lists


def test_overdue_list(office, committee, mentor, other_mentor, reserve, others_reserve, other_office, town, term,
                      village_a):
    late = due(reserve, due_on=days_ago(1))
    due(reserve, due_on=today())  # due today: not overdue yet
    answered = due(reserve, due_on=days_ago(3))
    answered.talk = talk(reserve, office, days_ago(2))
    answered.save()
    theirs = due(others_reserve, due_on=days_ago(5))
    removed = ReserveFactory(town=town, term=term, village=village_a, status=Reserve.Status.REMOVED)
    due(removed, due_on=days_ago(5))
    assert list(talks.overdue_due_talks(office)) == [theirs, late]
    assert list(talks.overdue_due_talks(committee)) == [theirs, late]
    assert list(talks.overdue_due_talks(mentor, own=True)) == [late]
    assert list(talks.overdue_due_talks(other_mentor, own=True)) == [theirs]
    assert list(talks.overdue_due_talks(other_office)) == []


def test_missing_list(office, mentor, other_mentor, reserve, others_reserve, town, term, village_a):
    talk(reserve, office, this_year_day(1))
    talk(reserve, office, this_year_day(2))  # two this year: enough
    talk(others_reserve, office, this_year_day(1))
    talk(others_reserve, office, datetime.date(today().year - 1, 12, 31))  # last year: does not count
    never = ReserveFactory(town=town, term=term, village=village_a, name="从未")
    ReserveFactory(town=town, term=term, village=village_a, status=Reserve.Status.USED)  # not active
    rows = list(talks.reserves_short_of_talks(office))
    assert rows == [never, others_reserve]
    assert [r.talks_this_year for r in rows] == [0, 1]
    assert list(talks.reserves_short_of_talks(mentor, own=True)) == []
    assert list(talks.reserves_short_of_talks(other_mentor, own=True)) == [others_reserve]


def test_the_yearly_minimum_is_the_terms_parameter(office, reserve, term):
    talk(reserve, office, this_year_day(1))
    term.talks_per_year = 1
    term.save()
    assert reserve not in talks.reserves_short_of_talks(office)
    term.talks_per_year = 3
    term.save()
    assert reserve in talks.reserves_short_of_talks(office)


# ----------------------------------------------------------------------------- pages


@pytest.mark.parametrize("who,status", [
    ("office", 200), ("committee", 200), ("mentor", 200), ("village_a_user", 403), ("dept_x_user", 403),
])
def test_list_pages_access(client, request, who, status, reserve):
    login(client, request.getfixturevalue(who).username)
    for name in ("cultivation:talk_overdue", "cultivation:talk_missing"):
        assert client.get(reverse(name)).status_code == status


@pytest.mark.parametrize("who,status", [
    ("office", 200), ("committee", 200), ("mentor", 200), ("village_a_user", 200), ("other_mentor", 404),
    ("dept_x_user", 403), ("other_office", 404), ("village_b_user", 404),
])
def test_talk_pages_access(client, request, who, status, reserve):
    login(client, request.getfixturevalue(who).username)
    assert client.get(reverse("cultivation:talk_new", args=[reserve.pk])).status_code == status
    assert client.get(reverse("cultivation:talk_list", args=[reserve.pk])).status_code == status


@pytest.mark.parametrize("who,status", [("office", 200), ("committee", 403), ("mentor", 403), ("other_office", 404)])
def test_due_talk_page_access(client, request, who, status, reserve):
    login(client, request.getfixturevalue(who).username)
    assert client.get(reverse("cultivation:due_talk_new", args=[reserve.pk])).status_code == status


def test_unit_account_records_for_its_own_reserve_only(client, town, term, reserve):
    unit = UnitFactory(town=town)
    own = ReserveFactory(town=town, term=term, unit=unit, tier=4)
    UserFactory(username="unit_head", unit=unit, role=Role.UNIT)
    login(client, "unit_head")
    assert client.get(reverse("cultivation:talk_new", args=[own.pk])).status_code == 200
    assert client.get(reverse("cultivation:talk_new", args=[reserve.pk])).status_code == 404
    assert client.post(reverse("cultivation:talk_new", args=[reserve.pk]), {}).status_code == 404


def form_data(**kw):
    data = {"held_at": f"{days_ago(1):%Y-%m-%d}T09:30", "kind": TalkKind.REGULAR, "place": "村委会",
            "talker": "赵引路", "topic": "思想动态", "content": "谈了近期工作。", "follow_up": ""}
    data.update(kw)
    return data


def test_mentor_records_a_talk_through_the_form(client, mentor, reserve, others_reserve):
    setback = due(reserve, TalkKind.SETBACK, arose=days_ago(3))
    login(client, "mentor")
    url = reverse("cultivation:talk_new", args=[reserve.pk])
    assert "遇到挫折时必谈" in page(client.get(url))
    future = client.post(url, form_data(held_at=f"{today() + D(days=2):%Y-%m-%d}T09:30"))
    assert future.status_code == 200 and "不能晚于现在" in page(future)
    garbage = client.post(url, form_data(held_at="99999-99-99T99:99", kind="x", content="长" * 5000))
    assert garbage.status_code == 200
    for extreme in ("0001-01-01T00:00", "9999-12-31T23:59"):
        assert client.post(url, form_data(held_at=extreme)).status_code == 200
    assert client.post(reverse("cultivation:talk_new", args=[10**25]), form_data()).status_code == 404
    assert not HeartTalk.objects.exists()
    ok = client.post(url, form_data(kind=TalkKind.SETBACK))
    assert ok.status_code == 302 and ok.url == reverse("cultivation:mentor_desk")
    setback.refresh_from_db()
    assert setback.talk is not None and setback.talk.recorded_by == mentor
    # Another mentor's reserve: 404, nothing saved.
    assert client.post(reverse("cultivation:talk_new", args=[others_reserve.pk]), form_data()).status_code == 404
    assert HeartTalk.objects.count() == 1


def test_department_may_not_post_a_talk(client, dept_x_user, reserve):
    login(client, "dept_x")
    assert client.post(reverse("cultivation:talk_new", args=[reserve.pk]), form_data()).status_code == 403
    assert not HeartTalk.objects.exists()


def test_office_adds_a_due_talk_through_the_form(client, office, reserve):
    login(client, "office")
    url = reverse("cultivation:due_talk_new", args=[reserve.pk])
    bad = client.post(url, {"kind": TalkKind.REGULAR, "reason": "x", "arose_on": days_ago(1).isoformat()})
    assert bad.status_code == 200 and not DueTalk.objects.exists()
    ok = client.post(url, {"kind": TalkKind.SETBACK, "reason": "项目受挫", "arose_on": days_ago(1).isoformat()})
    assert ok.status_code == 302 and DueTalk.objects.get().kind == TalkKind.SETBACK


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return len(ctx), page(response)


@pytest.mark.parametrize("who", ["office", "mentor"])
def test_lists_constant_queries(client, request, who, town, term, village_a, mentor, django_assert_max_num_queries):
    """The same number of queries for 2 and for 12 rows, on both lists, for the office and for a mentor."""
    login(client, request.getfixturevalue(who).username)
    counts, made = {}, 0
    for n in (2, 12):
        for _ in range(made, n):
            r = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor)
            due(r, due_on=days_ago(2))
        made = n
        client.get(reverse("cultivation:talk_overdue"))  # the account's cached facts, renewed by the new rows
        with django_assert_max_num_queries(14):
            overdue, body = _queries(client, reverse("cultivation:talk_overdue"))
        assert body.count('data-due-talk="') == n
        with django_assert_max_num_queries(14):
            missing, body = _queries(client, reverse("cultivation:talk_missing"))
        assert body.count('data-reserve="') == n
        counts[n] = (overdue, missing)
    assert counts[2] == counts[12]


def test_talk_list_constant_queries(client, office, reserve, django_assert_max_num_queries):
    login(client, "office")
    counts = {}
    for n, more in ((2, 2), (12, 10)):
        for i in range(more):
            talk(reserve, office, days_ago(i + 1))
        client.get(reverse("cultivation:talk_list", args=[reserve.pk]))  # the account's cached facts built
        with django_assert_max_num_queries(14):
            counts[n], body = _queries(client, reverse("cultivation:talk_list", args=[reserve.pk]))
        assert body.count('data-talk="') == n
    assert counts[2] == counts[12]


def test_the_reserve_page_shows_the_talk_and_mentor_cards(client, office, mentor, reserve):
    HeartTalk.objects.create(reserve=reserve, held_at=at(days_ago(1)), place="村委会", talker="王", topic="谈心主题甲",
                        content="内容", recorded_by=mentor)
    login(client, "mentor")
    body = page(client.get(reverse("training:reserve_detail", args=[reserve.pk])))
    assert 'id="talk-panel"' in body and "谈心主题甲" in body
    assert reverse("cultivation:talk_new", args=[reserve.pk]) in body
    assert reverse("cultivation:due_talk_new", args=[reserve.pk]) not in body
    client.logout()
    login(client, "office")
    body = page(client.get(reverse("training:reserve_detail", args=[reserve.pk])))
    assert 'id="mentor-panel"' in body and reverse("training:mentor_pair", args=[reserve.pk]) in body
    assert reverse("cultivation:due_talk_new", args=[reserve.pk]) in body
