"""Practice (实践锻炼): tasks on their workflow (give, report, evaluate, cancel) with their date and role rules,
meetings attended, the overdue list, the reserve page's panel and history."""

import datetime

import pytest
from django.urls import reverse

from cultivation import practice
from cultivation.hooks_practice import panel_context, timeline
from cultivation.models import Grade, MeetingAttendance, Task
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from training.models import Reserve

from ..factories import ReserveFactory, UnitFactory, UserFactory, VillageFactory
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="农业农村办")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="unit_head", town=unit.town, unit=unit, role=Role.UNIT)


@pytest.fixture
def other_mentor(town):
    return UserFactory(username="mentor2", town=town, role=Role.MENTOR)


@pytest.fixture
def reserve(town, village_a, mentor):
    """An active village reserve of village A, paired with `mentor`."""
    return ReserveFactory(town=town, village=village_a, mentor=mentor)


@pytest.fixture
def unit_reserve(town, unit):
    return ReserveFactory(town=town, unit=unit, tier=4)


def give(actor, reserve, **overrides):
    fields = {"title": "牵头整治村道环境", "content": "一个月内完成村道两侧环境整治", "given_by": "张书记",
              "given_on": today() - 10 * DAY, "due_on": today() + 20 * DAY}
    fields.update(overrides)
    return practice.task_give(actor=actor, reserve_id=reserve.pk, **fields)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# ----------------------------------------------------------------------------- giving


@pytest.mark.parametrize("who", ["office", "village_a_user", "mentor"])
def test_the_office_the_village_and_the_mentor_give_tasks(request, reserve, who):
    actor = request.getfixturevalue(who)
    task = give(actor, reserve)
    assert task.status == Task.Status.GIVEN and task.recorded_by == actor
    assert Event.objects.filter(action=practice.PracticeEvent.TASK_GIVEN, object_id=task.pk).count() == 1


def test_the_unit_gives_its_own_reserve_a_task(unit_user, unit_reserve):
    assert give(unit_user, unit_reserve).reserve == unit_reserve


@pytest.mark.parametrize(("given", "due", "message"), [
    (1, 5, "交办日期不能晚于今天"),            # given tomorrow
    (-10, -11, "任务不能在交办之前到期"),      # due before given
    (-500, -400, "不能早于该同志入库日期"),    # before the reserve entered the pool
])
def test_task_dates_are_refused_with_a_message(office, reserve, given, due, message):
    with pytest.raises(ActionRefused, match=message):
        give(office, reserve, given_on=today() + given * DAY, due_on=today() + due * DAY)
    assert not Task.objects.exists()


def test_a_task_due_on_the_day_given_is_accepted(office, reserve):
    assert give(office, reserve, given_on=today(), due_on=today()).due_on == today()


def test_only_active_reserves_get_tasks(office, reserve):
    Reserve.objects.filter(pk=reserve.pk).update(status=Reserve.Status.USED)
    with pytest.raises(ActionRefused, match="只有培养中的后备干部"):
        give(office, reserve)


def test_scope_of_giving(other_office, other_mentor, village_b_user, unit_user, reserve, committee, dept_x_user):
    for stranger in (other_office, other_mentor, village_b_user, unit_user):
        with pytest.raises(NotFound):
            give(stranger, reserve)
    for never in (committee, dept_x_user):
        with pytest.raises(NotAllowed):
            give(never, reserve)
    assert not Task.objects.exists()


def test_blank_and_overlong_text_refused(office, reserve):
    with pytest.raises(ActionRefused, match="请填写任务名称"):
        give(office, reserve, title="\u200b ")
    with pytest.raises(ActionRefused, match="不能超过"):
        give(office, reserve, content="字" * 1001)


# ----------------------------------------------------------------------------- the workflow


def test_given_reported_evaluated_by_the_mentor(office, village_a_user, mentor, reserve):
    task = give(office, reserve)
    task = practice.task_report(actor=village_a_user, task_id=task.pk, version=task.version, result="已完成",
                                reported_on=today())
    assert task.status == Task.Status.REPORTED and task.version == 1
    task = practice.task_evaluate(actor=mentor, task_id=task.pk, version=task.version, grade=Grade.GOOD,
                                  comment="完成较好")
    task = reload(task)
    assert (task.status, task.grade, task.evaluated_by, task.evaluated_on) == (
        Task.Status.EVALUATED, Grade.GOOD, mentor, today())
    actions = list(Event.objects.filter(object_id=task.pk, action__in=["report_task", "evaluate_task"])
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["report_task", "evaluate_task"]


def test_the_mentor_does_not_report(mentor, office, reserve):
    task = give(office, reserve)
    with pytest.raises(NotAllowed):
        practice.task_report(actor=mentor, task_id=task.pk, version=0, result="x", reported_on=today())


def test_the_village_does_not_evaluate(office, village_a_user, reserve):
    task = give(office, reserve)
    practice.task_report(actor=office, task_id=task.pk, version=0, result="已完成", reported_on=today())
    with pytest.raises(NotAllowed):
        practice.task_evaluate(actor=village_a_user, task_id=task.pk, version=1, grade=Grade.GOOD, comment="好")


def test_mentor_of_another_reserve_gets_404(office, other_mentor, reserve):
    task = give(office, reserve)
    practice.task_report(actor=office, task_id=task.pk, version=0, result="已完成", reported_on=today())
    with pytest.raises(NotFound):
        practice.task_evaluate(actor=other_mentor, task_id=task.pk, version=1, grade=Grade.GOOD, comment="好")


def test_evaluation_before_report_refused(office, reserve):
    task = give(office, reserve)
    with pytest.raises(ActionRefused, match="不能评价"):
        practice.task_evaluate(actor=office, task_id=task.pk, version=0, grade=Grade.GOOD, comment="好")


@pytest.mark.parametrize(("offset", "message"), [(1, "不能晚于今天"), (-11, "不能早于交办日期")])
def test_report_dates(office, reserve, offset, message):
    task = give(office, reserve)
    with pytest.raises(ActionRefused, match=message):
        practice.task_report(actor=office, task_id=task.pk, version=0, result="x", reported_on=today() + offset * DAY)
    assert reload(task).status == Task.Status.GIVEN and reload(task).result == ""


def test_stale_version_refused(office, village_a_user, reserve):
    task = give(office, reserve)
    practice.task_report(actor=office, task_id=task.pk, version=0, result="已完成", reported_on=today())
    with pytest.raises(ActionRefused, match="已被他人更新"):
        practice.task_cancel(actor=village_a_user, task_id=task.pk, version=0, reason="重复交办")


def test_cancel_needs_a_reason_and_ends_the_task(office, reserve):
    task = give(office, reserve)
    with pytest.raises(ActionRefused, match="请填写取消任务理由"):
        practice.task_cancel(actor=office, task_id=task.pk, version=0, reason=" ")
    practice.task_cancel(actor=office, task_id=task.pk, version=0, reason="重复交办")
    assert reload(task).status == Task.Status.CANCELLED
    with pytest.raises(ActionRefused):
        practice.task_cancel(actor=office, task_id=task.pk, version=1, reason="再次")


# ----------------------------------------------------------------------------- meetings


def test_meeting_recorded_and_dates_checked(village_a_user, reserve, mentor):
    attendance = practice.meeting_record(actor=village_a_user, reserve_id=reserve.pk, date=today(),
                                         meeting="村民代表会议", note="列席并发言")
    assert attendance.reserve == reserve
    with pytest.raises(ActionRefused, match="会议日期不能晚于今天"):
        practice.meeting_record(actor=village_a_user, reserve_id=reserve.pk, date=today() + DAY, meeting="x")
    with pytest.raises(NotAllowed):
        practice.meeting_record(actor=mentor, reserve_id=reserve.pk, date=today(), meeting="x")
    assert MeetingAttendance.objects.count() == 1


# ----------------------------------------------------------------------------- pages


def test_task_form_page_gives_and_shows_the_date_message(client, office, reserve):
    client.force_login(office)
    url = reverse("cultivation:task_new", args=[reserve.pk])
    assert client.get(url).status_code == 200
    data = {"title": "调解纠纷", "content": "调解两户宅基地纠纷", "given_by": "王主任",
            "given_on": today().isoformat(), "due_on": (today() - 3 * DAY).isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200 and "任务不能在交办之前到期" in page(response)
    assert not Task.objects.exists()
    data["due_on"] = (today() + 3 * DAY).isoformat()
    response = client.post(url, data)
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == reverse("cultivation:task_detail", args=[task.pk])


def test_pages_by_role(client, office, committee, dept_x_user, other_office, unit_user, reserve, unit_reserve,
                       mentor, other_mentor):
    task = give(office, reserve)
    detail = reverse("cultivation:task_detail", args=[task.pk])
    expected = [(office, 200), (committee, 200), (mentor, 200), (other_office, 404), (other_mentor, 404),
                (unit_user, 404), (dept_x_user, 403)]
    for user, status in expected:
        client.force_login(user)
        assert client.get(detail).status_code == status, user
    # A unit posting another unit's (here: a village's) reserve id.
    client.force_login(unit_user)
    assert client.post(reverse("cultivation:task_new", args=[reserve.pk]), {}).status_code == 404
    assert client.get(reverse("cultivation:task_new", args=[unit_reserve.pk])).status_code == 200
    client.force_login(dept_x_user)
    assert client.get(reverse("cultivation:task_new", args=[reserve.pk])).status_code == 403
    client.logout()
    assert client.get(detail).status_code == 302


def test_task_page_report_evaluate_through_forms(client, office, mentor, reserve):
    task = give(office, reserve)
    url = reverse("cultivation:task_detail", args=[task.pk])
    client.force_login(office)
    response = client.post(url, {"op": "report", "report-version": 0, "report-result": "已完成",
                                 "report-reported_on": today().isoformat()})
    assert response.status_code == 302 and reload(task).status == Task.Status.REPORTED
    # The same form again (stale version): a message, not a 500.
    response = client.post(url, {"op": "report", "report-version": 0, "report-result": "已完成",
                                 "report-reported_on": today().isoformat()}, follow=True)
    assert response.status_code == 200
    client.force_login(mentor)
    response = client.post(url, {"op": "evaluate", "evaluate-version": 1, "evaluate-grade": "excellent",
                                 "evaluate-comment": "很好"})
    assert response.status_code == 302 and "已评价。" in message_texts(response)
    assert reload(task).grade == Grade.EXCELLENT
    response = client.post(url, {"op": "bogus"})
    assert response.status_code == 302
    response = client.post(url, {"op": "cancel", "cancel-version": "x" * 40, "cancel-reason": "x"})
    assert response.status_code == 200 and reload(task).status == Task.Status.EVALUATED


def test_garbage_ids_are_404(client, office):
    client.force_login(office)
    assert client.get("/pool/tasks/99999999999999999999/").status_code == 404
    assert client.get(reverse("cultivation:task_detail", args=[987654])).status_code == 404


# ----------------------------------------------------------------------------- overdue list


def _overdue(reserve, n, recorded_by=None):
    Task.objects.bulk_create([
        Task(reserve=reserve, title=f"任务{i}", content="x", given_by="x", given_on=today() - 30 * DAY,
             due_on=today() - (i + 1) * DAY, recorded_by=recorded_by or reserve.mentor) for i in range(n)])


def test_overdue_list_scoped(client, office, village_a_user, village_b_user, mentor, other_mentor, reserve,
                             unit_user, committee):
    give(office, reserve, due_on=today())  # due today: not overdue
    _overdue(reserve, 2)
    done = give(office, reserve, given_on=today() - 10 * DAY, due_on=today() - 5 * DAY)
    practice.task_report(actor=office, task_id=done.pk, version=0, result="x", reported_on=today())
    url = reverse("cultivation:task_overdue")
    for user, count in [(office, 2), (village_a_user, 2), (mentor, 2), (village_b_user, 0), (other_mentor, 0),
                        (unit_user, 0)]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert page(response).count("data-task=") == count, user
    client.force_login(committee)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_overdue_list_constant_queries(client, office, town, mentor, n, django_assert_max_num_queries):
    for _ in range(n):
        _overdue(ReserveFactory(town=town, village=VillageFactory(town=town), mentor=mentor), 1)
    client.force_login(office)
    client.get(reverse("cultivation:task_overdue"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cultivation:task_overdue"))
    assert page(response).count("data-task=") == min(n, 20)


# ----------------------------------------------------------------------------- the reserve's page


def test_panel_and_timeline(office, committee, mentor, village_a_user, dept_x_user, reserve):
    task = give(office, reserve)
    practice.task_report(actor=village_a_user, task_id=task.pk, version=0, result="x", reported_on=today())
    practice.meeting_record(actor=office, reserve_id=reserve.pk, date=today() - DAY, meeting="党员大会")
    context = panel_context(reserve, mentor)
    assert [can for _, can in context["task_rows"]] == [
        {"report_task": False, "evaluate_task": True, "cancel_task": True}]
    assert context["can_give"] and not context["can_meet"]
    committee_context = panel_context(reserve, committee)
    assert not committee_context["can_give"] and not any(committee_context["task_rows"][0][1].values())
    assert panel_context(reserve, dept_x_user) is None
    labels = [item.label for item in timeline(reserve, office)]
    assert labels.count("交办任务") == 1 and "报告完成情况" in labels and "列席会议" in labels
    assert timeline(reserve, dept_x_user) == []


def test_panel_renders(office, reserve):
    from django.template.loader import render_to_string

    give(office, reserve)
    html = render_to_string("cultivation/_practice_panel.html", panel_context(reserve, office))
    assert "give-task" in html and "牵头整治村道环境" in html


def test_meeting_page(client, village_a_user, mentor, other_office, reserve):
    url = reverse("cultivation:meeting_new", args=[reserve.pk])
    client.force_login(mentor)
    assert client.get(url).status_code == 403
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    client.force_login(village_a_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": (today() + DAY).isoformat(), "meeting": "村民代表会议"})
    assert response.status_code == 200 and "会议日期不能晚于今天" in page(response)
    response = client.post(url, {"date": "2026-99-99", "meeting": "x" * 101})
    assert response.status_code == 200
    response = client.post(url, {"date": today().isoformat(), "meeting": "村“两委”联席会议", "note": "列席"})
    assert response.status_code == 302 and MeetingAttendance.objects.get().meeting == "村“两委”联席会议"


def test_the_unit_sees_its_own_overdue_tasks(client, unit_user, unit_reserve, reserve):
    _overdue(unit_reserve, 1, unit_user)
    _overdue(reserve, 1)
    client.force_login(unit_user)
    text = page(client.get(reverse("cultivation:task_overdue")))
    assert text.count("data-task=") == 1 and unit_reserve.name in text


@pytest.mark.parametrize("n", [2, 20])
def test_panel_constant_queries(office, mentor, reserve, n, django_assert_max_num_queries):
    from cultivation.models import Course, Enrolment

    _overdue(reserve, n)
    for i in range(n):
        course = Course.objects.create(town=reserve.town, kind=Course.Kind.SENT, title=f"培训{i}", organiser="县委党校",
                                       start=today() - 30 * DAY, end=today() - 29 * DAY, hours=8, recorded_by=office)
        Enrolment.objects.create(course=course, reserve=reserve, attended=True, recorded_by=office)
        MeetingAttendance.objects.create(reserve=reserve, date=today(), meeting=f"会议{i}", recorded_by=office)
    for user in (office, mentor):
        user = type(user).objects.get(pk=user.pk)  # no cached scope
        with django_assert_max_num_queries(6):
            context = panel_context(reserve, user)
        assert len(context["task_rows"]) == n and context["hours_by_year"][0][1] == 8 * n
        with django_assert_max_num_queries(8):
            assert len(timeline(reserve, user)) == 3 * n


# ----------------------------------------------------------------------------- double submits


@pytest.mark.parametrize(("change", "twice"), [
    ({}, True),
    ({"title": "另一项任务"}, False),
    ({"given_on": today() - 9 * DAY}, False),
    ({"due_on": today() + 21 * DAY}, False),
])
def test_the_same_task_given_twice_is_given_once(office, village_a_user, reserve, change, twice):
    """A double submit (same reserve, title, given and due days) gives the task once; a different one is given."""
    give(office, reserve)
    events = Event.objects.count()
    if twice:
        with pytest.raises(ActionRefused, match="该任务已交办"):
            give(village_a_user, reserve, **change)
        assert Task.objects.filter(reserve=reserve).count() == 1 and Event.objects.count() == events
    else:
        give(village_a_user, reserve, **change)
        assert Task.objects.filter(reserve=reserve).count() == 2


def test_a_cancelled_task_may_be_given_again(office, reserve):
    task = give(office, reserve)
    practice.task_cancel(actor=office, task_id=task.pk, version=task.version, reason="重新交办")
    assert give(office, reserve).pk != task.pk


def test_a_double_submitted_task_page_gives_once(client, office, reserve):
    client.force_login(office)
    data = {"title": "调研", "content": "完成一份调研报告", "given_by": "王书记", "given_on": today().isoformat(),
            "due_on": (today() + 10 * DAY).isoformat()}
    url = reverse("cultivation:task_new", args=[reserve.pk])
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200 and "该任务已交办" in page(response)
    assert Task.objects.filter(reserve=reserve).count() == 1


@pytest.mark.parametrize(("change", "twice"), [
    ({}, True),
    ({"meeting": "两委班子会议"}, False),
    ({"date": today() - DAY}, False),
])
def test_the_same_meeting_attended_twice_is_recorded_once(village_a_user, office, reserve, change, twice):
    fields = {"date": today(), "meeting": "村民代表会议", "note": "列席"}
    practice.meeting_record(actor=village_a_user, reserve_id=reserve.pk, **fields)
    fields.update(change, note="另一条说明")
    if twice:
        with pytest.raises(ActionRefused, match="该次列席会议已记录"):
            practice.meeting_record(actor=office, reserve_id=reserve.pk, **fields)
        assert MeetingAttendance.objects.filter(reserve=reserve).count() == 1
    else:
        practice.meeting_record(actor=office, reserve_id=reserve.pk, **fields)
        assert MeetingAttendance.objects.filter(reserve=reserve).count() == 2
