"""The mentor's desk (引路人工作台): their start page, only their own reserves, the talks due and overdue, those
short of the yearly minimum, the tasks awaiting their evaluation; constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cultivation.models import DueTalk, HeartTalk, TalkKind, Task
from reserve.roles import Role
from training.models import Reserve

from ..factories import PoolTermFactory, ReserveFactory, UserFactory
from ..helpers import login, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def days_ago(n):
    return today() - D(days=n)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, talks_per_year=2)


@pytest.fixture
def other_mentor(town):
    return UserFactory(username="mentor_b", town=town, role=Role.MENTOR)


def task(reserve, actor, status, title):
    return Task.objects.create(reserve=reserve, title=title, content="内容", given_by="组织办",
                               given_on=days_ago(30), due_on=days_ago(5), status=status, result="完成",
                               reported_on=days_ago(6), recorded_by=actor)


def test_a_mentor_starts_on_the_desk(client, mentor, office):
    login(client, "mentor")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("cultivation:mentor_desk")
    client.logout()
    login(client, "office")
    assert client.get(reverse("home")).get("Location") != reverse("cultivation:mentor_desk")


@pytest.mark.parametrize("who,status", [
    ("mentor", 200), ("committee", 200), ("office", 403), ("village_a_user", 403), ("dept_x_user", 403),
])
def test_desk_access(client, request, who, status):
    login(client, request.getfixturevalue(who).username)
    assert client.get(reverse("cultivation:mentor_desk")).status_code == status


def test_desk_shows_only_the_mentors_own(client, office, mentor, other_mentor, town, term, village_a):
    mine = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, name="张自己",
                          last_talk_on=days_ago(12))
    HeartTalk.objects.create(reserve=mine, held_at=timezone.make_aware(datetime.datetime.combine(
        max(days_ago(12), datetime.date(today().year, 1, 1)), datetime.time(9))), place="村委会", talker="我",
        topic="t", content="c", recorded_by=mentor)
    theirs = ReserveFactory(town=town, term=term, village=village_a, mentor=other_mentor, name="李别人")
    ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, name="王出库",
                   status=Reserve.Status.REMOVED)
    DueTalk.objects.create(reserve=mine, kind=TalkKind.POST_CHANGE, reason="岗位调整：村委委员", arose_on=days_ago(30),
                           due_on=days_ago(2))
    DueTalk.objects.create(reserve=theirs, kind=TalkKind.SETBACK, reason="别人的事由", arose_on=days_ago(30),
                           due_on=days_ago(2))
    reported = task(mine, office, Task.Status.REPORTED, "整理村集体经济台账")
    task(mine, office, Task.Status.GIVEN, "尚未完成的任务")
    task(theirs, office, Task.Status.REPORTED, "别人的任务")
    login(client, "mentor")
    body = page(client.get(reverse("cultivation:mentor_desk")))
    assert "张自己" in body and "距上次谈话12天" in body
    assert "李别人" not in body and "王出库" not in body and "别人的事由" not in body and "别人的任务" not in body
    assert "岗位调整：村委委员" in body and "已逾期" in body
    assert "整理村集体经济台账" in body and "尚未完成的任务" not in body
    try:
        assert reverse("cultivation:task_detail", args=[reported.pk]) in body
    except NoReverseMatch:
        pass  # the task pages (another part of cultivation) are not there yet
    assert body.count('data-action="record-talk"') == 1
    assert reverse("cultivation:talk_new", args=[mine.pk]) in body


def test_a_committee_member_mentoring_a_tier1_reserve_sees_them_on_the_desk(client, committee, town, term):
    from ..factories import UnitFactory

    ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=1, mentor=committee, name="赵一梯")
    ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=1, name="钱不是")
    login(client, "committee")
    body = page(client.get(reverse("cultivation:mentor_desk")))
    assert "赵一梯" in body and "钱不是" not in body


def test_desk_constant_queries(client, office, mentor, town, term, village_a, django_assert_max_num_queries):
    login(client, "mentor")
    counts, made = {}, 0
    for n in (2, 12):
        for _ in range(made, n):
            r = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor)
            DueTalk.objects.create(reserve=r, kind=TalkKind.SETBACK, reason="事由", arose_on=days_ago(30),
                                   due_on=days_ago(2))
            task(r, office, Task.Status.REPORTED, "任务")
        made = n
        client.get(reverse("cultivation:mentor_desk"))  # the account's cached facts, renewed by the new rows
        with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(15):
            body = page(client.get(reverse("cultivation:mentor_desk")))
        assert body.count('data-action="record-talk"') == n
        counts[n] = len(ctx)
    assert counts[2] == counts[12]


@pytest.mark.parametrize(("status", "task_shown", "due_shown"), [
    (Reserve.Status.ACTIVE, True, True),
    (Reserve.Status.USED, False, True),  # appointed: the talk after promotion is still due, no more tasks
    (Reserve.Status.REMOVED, False, False),
    (Reserve.Status.EXPIRED, False, False),
])
def test_the_desk_lists_tasks_of_active_reserves_and_talks_of_active_or_appointed(
        client, office, mentor, town, term, village_a, status, task_shown, due_shown):
    """Reserves still paired with the mentor in the data (an old record): the desk asks for an evaluation only of
    a reserve in cultivation, and for a due talk only of one in cultivation or appointed."""
    reserve = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, name="孙状态", status=status)
    task(reserve, office, Task.Status.REPORTED, "待评价的调研任务")
    DueTalk.objects.create(reserve=reserve, kind=TalkKind.PROMOTION, reason="提拔任用谈话", arose_on=days_ago(3),
                           due_on=today() + D(days=3))
    login(client, "mentor")
    body = page(client.get(reverse("cultivation:mentor_desk")))
    assert ("待评价的调研任务" in body) is task_shown
    assert ("提拔任用谈话" in body) is due_shown
