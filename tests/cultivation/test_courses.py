"""Training (学习培训): courses in the four forms, enrolment within the town, attendance, hours per year, the course
list and page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cultivation import courses
from cultivation.models import Course, Enrolment, Grade
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.roles import Role
from training.models import Reserve

from ..factories import PoolTermFactory, ReserveFactory, UserFactory, VillageFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def create(office, **overrides):
    fields = {"kind": Course.Kind.CLASS, "topic": Course.Topic.THEORY, "title": "党的二十大精神专题培训",
              "organiser": "镇党委", "start": today() - 20 * DAY, "end": today() - 18 * DAY, "hours": 12}
    fields.update(overrides)
    return courses.course_create(actor=office, **fields)


@pytest.fixture
def reserve(town, village_a):
    return ReserveFactory(town=town, village=village_a)


# ----------------------------------------------------------------------------- courses


def test_a_town_class_needs_a_topic(office):
    with pytest.raises(ActionRefused, match="培训类别"):
        create(office, topic="")
    assert create(office).topic == Course.Topic.THEORY
    assert create(office, kind=Course.Kind.SENT, topic="theory").topic == ""


@pytest.mark.parametrize(("start", "end", "message"), [
    (0, -1, "培训不能在开始之前结束"),
    (-4000, -3999, "五年之内"),
])
def test_course_dates(office, start, end, message):
    with pytest.raises(ActionRefused, match=message):
        create(office, start=today() + start * DAY, end=today() + end * DAY)
    assert not Course.objects.exists()


@pytest.mark.parametrize("hours", [-1, "abc", "1e9"])
def test_hours_must_be_a_sensible_number(office, hours):
    with pytest.raises(ActionRefused):
        create(office, hours=hours)


def test_rotation_subsidy_defaults_from_the_pool_term(office, town):
    PoolTermFactory(town=town, start=today().replace(day=1) - 800 * DAY, rotation_subsidy_per_day=Decimal("25"))
    rotation = create(office, kind=Course.Kind.ROTATION, topic="", organiser="镇农业农村办")
    assert rotation.subsidy_per_day == Decimal("25.00") and rotation.meals_provided
    own = create(office, kind=Course.Kind.ROTATION, subsidy_per_day=Decimal("30"), meals_provided=False)
    assert own.subsidy_per_day == Decimal("30.00") and not own.meals_provided
    assert create(office, kind=Course.Kind.INTERNSHIP, subsidy_per_day=Decimal("30")).subsidy_per_day is None


def test_only_the_office_creates(committee, mentor):
    for user in (committee, mentor):
        with pytest.raises(NotAllowed):
            create(user)


def test_course_form_shows_the_date_message(client, office):
    client.force_login(office)
    response = client.post(reverse("cultivation:course_new"), {
        "kind": "sent", "title": "县委党校青干班", "organiser": "县委党校", "start": today().isoformat(),
        "end": (today() - DAY).isoformat(), "hours": "40"})
    assert response.status_code == 200 and "培训不能在开始之前结束" in page(response)
    assert not Course.objects.exists()


# ----------------------------------------------------------------------------- enrolment


def test_enrol_and_duplicate_message(office, reserve):
    course = create(office)
    enrolment = courses.course_enrol(actor=office, course_id=course.pk, reserve_id=reserve.pk)
    assert enrolment.sending_unit == reserve.village.name
    with pytest.raises(ActionRefused, match="不能重复添加"):
        courses.course_enrol(actor=office, course_id=course.pk, reserve_id=reserve.pk)
    assert Enrolment.objects.count() == 1


def test_enrolment_across_towns_refused(office, other_office, other_town, reserve):
    course = create(office)
    stranger = ReserveFactory(town=other_town)
    with pytest.raises(NotFound):
        courses.course_enrol(actor=office, course_id=course.pk, reserve_id=stranger.pk)
    with pytest.raises(NotFound):  # another town's course
        courses.course_enrol(actor=other_office, course_id=course.pk, reserve_id=stranger.pk)
    assert not Enrolment.objects.exists()


def test_only_active_reserves_enrolled(office, reserve):
    Reserve.objects.filter(pk=reserve.pk).update(status=Reserve.Status.EXPIRED)
    with pytest.raises(ActionRefused, match="只有培养中的后备干部"):
        courses.course_enrol(actor=office, course_id=create(office).pk, reserve_id=reserve.pk)


def test_enrol_through_the_page(client, office, other_town, reserve):
    course = create(office)
    url = reverse("cultivation:course_detail", args=[course.pk])
    client.force_login(office)
    assert client.post(url, {"reserve": reserve.pk}).status_code == 302
    # The same reserve again, another town's, a garbage id: a message on the form, never a 500.
    for value in (reserve.pk, ReserveFactory(town=other_town).pk, "9" * 40):
        response = client.post(url, {"reserve": value})
        assert response.status_code == 200 and "所选人员不在本镇培养中的后备干部之列" in page(response)
    assert Enrolment.objects.count() == 1


def test_course_pages_by_role(client, office, committee, other_office, mentor, dept_x_user, village_a_user, reserve):
    course = create(office)
    url = reverse("cultivation:course_detail", args=[course.pk])
    for user, status in [(office, 200), (committee, 200), (other_office, 404), (mentor, 403), (dept_x_user, 403),
                         (village_a_user, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.get(reverse("cultivation:course_list")).status_code == (200 if status != 403 else 403)
    client.force_login(committee)
    assert client.post(url, {"reserve": reserve.pk}).status_code == 403


def test_course_list_filters(client, office):
    create(office, title="甲", start=today() - 400 * DAY, end=today() - 399 * DAY)
    create(office, title="乙", kind=Course.Kind.SENT)
    client.force_login(office)
    url = reverse("cultivation:course_list")
    assert page(client.get(url)).count("data-course=") == 2
    assert page(client.get(url, {"kind": "sent"})).count("data-course=") == 1
    year = (today() - 400 * DAY).year
    assert page(client.get(url, {"year": year})).count("data-course=") == (
        2 if (today() - 20 * DAY).year == year else 1)
    assert client.get(url, {"kind": "<x>", "year": "abc"}).status_code == 200


@pytest.mark.parametrize("n", [3, 25])
def test_course_page_constant_queries(client, office, town, n, django_assert_max_num_queries):
    course = create(office)
    for _ in range(n):
        courses.course_enrol(actor=office, course_id=course.pk,
                             reserve_id=ReserveFactory(town=town, village=VillageFactory(town=town)).pk)
    client.force_login(office)
    url = reverse("cultivation:course_detail", args=[course.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert page(response).count("data-enrolment=") == min(n, 20)
    with django_assert_max_num_queries(12):
        client.get(reverse("cultivation:course_list"))


# ----------------------------------------------------------------------------- attendance and hours


def test_attendance_and_hours_per_year(office, reserve, town):
    this_year = create(office, hours=12)  # 20 days ago
    older = create(office, title="旧", hours=8, start=today() - 400 * DAY, end=today() - 399 * DAY)
    missed = create(office, title="缺", hours=30)
    for course in (this_year, older, missed):
        courses.course_enrol(actor=office, course_id=course.pk, reserve_id=reserve.pk)
    # Enrolled, attendance not recorded yet: no hours (a course not held yet counts nothing).
    assert not dict(courses.training_hours_by_year(reserve))
    assert Enrolment.objects.get(course=this_year).attended is None
    courses.enrolment_record(actor=office, enrolment_id=Enrolment.objects.get(course=this_year).pk, attended=True)
    older_enrolment = Enrolment.objects.get(course=older)
    courses.enrolment_record(actor=office, enrolment_id=older_enrolment.pk, attended=True, hours="6.5",
                             grade=Grade.GOOD, result="结业")
    courses.enrolment_record(actor=office, enrolment_id=Enrolment.objects.get(course=missed).pk, attended=False)
    by_year = dict(courses.training_hours_by_year(reserve))
    a, b = this_year.start.year, older.start.year
    if a == b:
        assert by_year == {a: Decimal("18.5")}
    else:
        assert by_year == {a: Decimal("12"), b: Decimal("6.5")}
    with pytest.raises(ActionRefused):
        courses.enrolment_record(actor=office, enrolment_id=older_enrolment.pk, attended=True, hours=-2)


def test_attendance_page(client, office, other_office, reserve):
    course = create(office)
    enrolment = courses.course_enrol(actor=office, course_id=course.pk, reserve_id=reserve.pk)
    url = reverse("cultivation:enrolment_edit", args=[enrolment.pk])
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    client.force_login(office)
    response = client.post(url, {"attended": "1", "hours": "10", "grade": "excellent", "result": "优秀学员"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.hours, enrolment.grade) == (Decimal("10.0"), Grade.EXCELLENT)
    response = client.post(url, {"hours": "-3"})
    assert response.status_code == 200


def test_unit_head_sees_no_courses(client, town, reserve):
    from ..factories import UnitFactory

    unit = UnitFactory(town=town)
    user = UserFactory(username="u1", town=town, unit=unit, role=Role.UNIT)
    client.force_login(user)
    assert client.get(reverse("cultivation:course_list")).status_code == 403


def test_course_created_through_the_page(client, office, town):
    client.force_login(office)
    response = client.post(reverse("cultivation:course_new"), {
        "kind": "rotation", "title": "镇机关定岗轮训", "organiser": "镇党政办", "start": today().isoformat(),
        "end": (today() + 30 * DAY).isoformat(), "hours": "0", "meals_provided": "on"})
    course = Course.objects.get()
    assert response.status_code == 302 and response.url == reverse("cultivation:course_detail", args=[course.pk])
    assert course.subsidy_per_day == Decimal("20.00") and course.meals_provided and course.town == town
    response = client.post(reverse("cultivation:course_new"), {
        "kind": "class", "title": "x", "organiser": "y", "start": today().isoformat(), "end": today().isoformat(),
        "hours": "2"})
    assert response.status_code == 200 and "镇办培训班请选择培训类别" in page(response)


@pytest.mark.parametrize(("course_hours", "hours", "refused"), [
    (8, "8", False),
    (8, "8.1", True),
    (8, "9999.9", True),
    (0, "40", False),  # a course without hours (a posting) takes the hours recorded
])
def test_hours_above_the_courses_are_refused(client, office, reserve, course_hours, hours, refused):
    """An 8-hour class cannot be attended for more than 8 hours: the typo would inflate the hours per year."""
    course = create(office, hours=course_hours)
    enrolment = courses.course_enrol(actor=office, course_id=course.pk, reserve_id=reserve.pk)
    client.force_login(office)
    response = client.post(reverse("cultivation:enrolment_edit", args=[enrolment.pk]),
                           {"attended": "1", "hours": hours, "grade": "", "result": ""})
    enrolment.refresh_from_db()
    if refused:
        assert response.status_code == 200 and "不能超过本次培训的学时" in page(response)
        assert enrolment.attended is None and enrolment.hours is None
    else:
        assert response.status_code == 302 and enrolment.hours == Decimal(hours)
