"""The rotation subsidy (上派轮训, 派出单位按20元/工作日): working days per calendar month on the official calendar
with the town's own entries, the Monday–Friday fallback with its warning, the page and the printed statement."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cultivation import courses
from cultivation.models import Course, Enrolment
from reserve.models import CalendarDay
from reserve.roles import Role
from reserve.workdays import official_data_for

from ..factories import ReserveFactory, UnitFactory, UserFactory
from ..helpers import page, pdf_text, today

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="镇社会事务办")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="unit_head", town=unit.town, unit=unit, role=Role.UNIT)


@pytest.fixture
def reserve(town, unit):
    return ReserveFactory(town=town, unit=unit, tier=2, name="周立新", person__name="周立新")


def posting(town, office, reserve, start, end, rate="20", attended=True):
    """A rotation posting of `reserve` (made directly: the dates may lie outside the form's five years), attended
    unless told (only an attended posting is paid)."""
    course = Course.objects.create(town=town, kind=Course.Kind.ROTATION, title="定岗轮训", organiser="县农业农村局",
                                   start=start, end=end, subsidy_per_day=Decimal(rate), recorded_by=office)
    return Enrolment.objects.create(course=course, reserve=reserve, sending_unit=reserve.unit.name,
                                    recorded_by=office, attended=attended)


def test_national_day_2026(town, office, reserve):
    """2026-09-28 (Mon) → 2026-10-12 (Mon): 1–7 October are the National Day holiday and Saturday 10 October is a
    make-up working day (调休上班), Sunday 11 October is off."""
    months = courses.rotation_months(posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12)))
    assert [(m.month, m.days, m.amount) for m in months] == [
        (D(2026, 9, 1), (D(2026, 9, 28), D(2026, 9, 29), D(2026, 9, 30)), Decimal("60.00")),
        (D(2026, 10, 1), (D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 12)), Decimal("80.00")),
    ]
    assert not any(m.is_estimate for m in months)


def test_a_town_entry_changes_the_count(town, other_town, office, reserve):
    enrolment = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12))
    CalendarDay.objects.create(town=town, date=D(2026, 10, 9), is_workday=False, note="本镇调休")
    CalendarDay.objects.create(town=town, date=D(2026, 10, 11), is_workday=True, note="防汛值班")
    CalendarDay.objects.create(town=other_town, date=D(2026, 9, 29), is_workday=False)  # another town's: no effect
    september, october = courses.rotation_months(enrolment)
    assert september.count == 3
    assert october.days == (D(2026, 10, 8), D(2026, 10, 10), D(2026, 10, 11), D(2026, 10, 12))


def _unknown_year() -> int:
    year = today().year
    while official_data_for(year):
        year += 1
    return year


def test_a_year_unknown_to_the_calendar_is_counted_monday_to_friday_with_a_warning(client, town, office, reserve):
    year = _unknown_year()
    start = D(year, 3, 1)
    end = start + datetime.timedelta(days=13)  # two whole weeks: ten weekdays
    enrolment = posting(town, office, reserve, start, end)
    (march,) = courses.rotation_months(enrolment)
    assert march.count == 10 and march.unknown_years == (year,)
    assert all(day.weekday() < 5 for day in march.days)
    client.force_login(office)
    response = client.get(reverse("cultivation:subsidy_detail", args=[enrolment.pk]))
    text = page(response)
    assert 'id="calendar-warning"' in text and f"系统尚无{year}年的国家法定节假日安排" in text
    known = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12))
    assert 'id="calendar-warning"' not in page(client.get(reverse("cultivation:subsidy_detail", args=[known.pk])))


def test_not_a_rotation_has_no_subsidy(client, town, office, reserve):
    enrolment = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12))
    Course.objects.filter(pk=enrolment.course_id).update(kind=Course.Kind.SENT)
    client.force_login(office)
    assert client.get(reverse("cultivation:subsidy_detail", args=[enrolment.pk])).status_code == 404


def test_subsidy_page_by_role(client, town, office, committee, other_office, unit_user, mentor, dept_x_user, reserve):
    enrolment = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12))
    other_units = ReserveFactory(town=town, unit=UnitFactory(town=town))
    stranger = posting(town, office, other_units, D(2026, 9, 28), D(2026, 10, 12))
    url = reverse("cultivation:subsidy_detail", args=[enrolment.pk])
    for user, status in [(office, 200), (committee, 200), (unit_user, 200), (other_office, 404), (mentor, 403),
                         (dept_x_user, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(unit_user)
    assert client.get(reverse("cultivation:subsidy_detail", args=[stranger.pk])).status_code == 404
    response = client.get(url)
    assert 'data-amount="60.00"' in page(response) and 'data-amount="80.00"' in page(response)
    # A month the posting does not cover.
    assert client.get(reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 2026, 11])).status_code == 404
    assert client.get(reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 2026, 13])).status_code == 404


def test_the_printed_statement(client, town, office, reserve):
    enrolment = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12))
    client.force_login(office)
    response = client.get(reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 2026, 10]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("青山镇上派轮训补贴发放表", "2026年10月", "周立新", "镇社会事务办", "县农业农村局",
                     "10月8日、10月9日、10月10日、10月12日", "20.00元/工作日", "80.00元", "镇政府保障工作用餐",
                     "派出单位（盖章）", "经办人（签字）"):
        assert expected in text.replace(" ", "").replace("\n", ""), expected


@pytest.mark.parametrize(("attended", "says"), [
    (None, "参加情况未记录"),
    (False, "未参加本次上派轮训"),
])
def test_no_statement_for_a_posting_not_attended_or_not_recorded(client, town, office, reserve, attended, says):
    """Only a posting attended is paid: not attended, or its attendance not yet recorded, the page says so, shows
    no month and no PDF link, and the PDF is a 404."""
    enrolment = posting(town, office, reserve, D(2026, 9, 28), D(2026, 10, 12), attended=attended)
    assert courses.rotation_months(enrolment) == []
    client.force_login(office)
    response = client.get(reverse("cultivation:subsidy_detail", args=[enrolment.pk]))
    text = page(response)
    assert response.status_code == 200 and says in text and 'id="subsidy-refusal"' in text
    assert "合计：0个工作日，0元" in text and ".pdf" not in text
    assert (reverse("cultivation:enrolment_edit", args=[enrolment.pk]) in text) == (attended is None)
    for month in (9, 10):
        assert client.get(reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 2026, month])).status_code == 404
    Enrolment.objects.filter(pk=enrolment.pk).update(attended=True)
    assert client.get(reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 2026, 10])).status_code == 200
