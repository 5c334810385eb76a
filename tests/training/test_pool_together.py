"""How the parts of the pool work together on a reserve's page and through its moves: each record once in the
history, a pairing ended when the reserve leaves the pool, the conditions shown as evaluated now, the term's moves
offered only in their time, the objection page pointing to the person's place in the pool."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation import talks
from cultivation.models import TalkKind
from training import mentors, services
from training.models import Mentorship, Tier

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


@pytest.fixture
def reserve(town, term, village_a):
    return ReserveFactory(town=town, term=term, village=village_a, name="张村", start_date=today() - D(days=100))


def _pair(office, reserve, mentor, start):
    return mentors.pair_mentor(office, reserve.pk, mentor.pk, start, "党建办指定", proposed_by="东山村党支部")


def test_each_record_is_once_in_the_history(client, office, mentor, reserve):
    _pair(office, reserve, mentor, today() - D(days=50))
    talks.record_talk(office, reserve.pk, timezone.now() - D(days=1), "镇党委办公室", "王书记", TalkKind.REGULAR,
                      "思想动态", "谈了近期工作。", "")
    client.force_login(office)
    rows = client.get(reverse("training:reserve_detail", args=[reserve.pk])).context["timeline"]
    labels = [row.label for row in rows]
    # the pairing and the talk each once (their records), not again as the bare events that wrote them
    assert labels.count("结对帮扶") == 1 and "明确引路人" not in labels
    assert labels.count("谈心谈话") == 1 and "记录谈心谈话" not in labels


@pytest.mark.parametrize("move", ["remove", "expire"])
def test_leaving_the_pool_ends_the_pairing(client, office, committee, mentor, reserve, move):
    _pair(office, reserve, mentor, today() - D(days=50))
    if move == "remove":
        services.reserve_remove(actor=committee, reserve_id=reserve.pk, reason="本人申请退出", approver="张书记")
    else:
        type(reserve).objects.filter(pk=reserve.pk).update(term_end=today() - D(days=1))
        services.reserve_expire(actor=office, reserve_id=reserve.pk, reason="期满不再续期")
    pairing = Mentorship.objects.get(reserve=reserve)
    assert pairing.end == today()
    reserve.refresh_from_db()
    assert reserve.mentor_id is None
    client.force_login(mentor)
    assert client.get(reverse("training:reserve_detail", args=[reserve.pk])).status_code == 404
    assert "张村" not in page(client.get(reverse("training:pool_list")))


def test_an_appointed_reserve_keeps_its_mentor(office, mentor, reserve):
    _pair(office, reserve, mentor, today() - D(days=50))
    services.reserve_use(actor=office, reserve_id=reserve.pk, post="村委会副主任", used_on=today())
    reserve.refresh_from_db()
    assert reserve.mentor_id == mentor.pk and Mentorship.objects.get(reserve=reserve).end is None


def test_the_page_shows_the_conditions_as_evaluated_now(client, office, town, term):
    """A stored flag set at entry does not contradict the conditions card: a tier-4 reserve without field experience
    shows 不符合 in both places."""
    station = ReserveFactory(town=town, term=term, village=None, unit=UnitFactory(town=town), tier=Tier.FOURTH,
                             field_experience="", meets_conditions=True)
    client.force_login(office)
    response = client.get(reverse("training:reserve_detail", args=[station.pk]))
    assert response.context["conditions_met"] is False
    assert "✓ 符合" not in page(response)


def test_the_terms_moves_are_offered_in_their_time(client, office, town, term, village_a):
    far = ReserveFactory(town=town, term=term, village=village_a, term_end=today() + D(days=300))
    near = ReserveFactory(town=town, term=term, village=village_a, term_end=today() + D(days=30))
    client.force_login(office)
    far_page = page(client.get(reverse("training:reserve_detail", args=[far.pk])))
    near_page = page(client.get(reverse("training:reserve_detail", args=[near.pk])))
    assert 'data-action="renew_reserve"' not in far_page and 'data-action="expire_reserve"' not in far_page
    assert 'data-action="renew_reserve">' in near_page  # renewable within the notice days
    assert 'data-action="expire_reserve"' not in near_page  # not ended yet


def test_the_mentors_desk_links_to_the_reserves_page(client, office, mentor, reserve):
    _pair(office, reserve, mentor, today() - D(days=50))
    client.force_login(mentor)
    text = page(client.get(reverse("cultivation:mentor_desk")))
    assert f'href="{reverse("training:reserve_detail", args=[reserve.pk])}"' in text


def test_a_unit_head_and_a_mentor_start_on_their_pages(client, town, unit_user, mentor):
    client.force_login(unit_user)
    assert client.get(reverse("home"))["Location"] == reverse("training:pool_list")
    client.force_login(mentor)
    assert client.get(reverse("home"))["Location"] == reverse("cultivation:mentor_desk")


@pytest.mark.parametrize("n", [3, 25])
def test_a_meetings_page_is_paginated_in_constant_queries(client, office, town, term, village_a, n,
                                                          django_assert_max_num_queries):
    from training.models import PoolMeeting

    meeting = PoolMeeting.objects.create(town=town, date=today(), attendees="张书记", recorded_by=office)
    for i in range(n):
        ReserveFactory(town=town, term=term, village=None, unit=UnitFactory(town=town), tier=Tier.SECOND,
                       meeting=meeting, name=f"会定{i:02d}")
    client.force_login(office)
    url = reverse("training:meeting_detail", args=[meeting.pk])
    client.get(url)  # the session and the user's scope, read once
    with django_assert_max_num_queries(12):
        text = page(client.get(url))
    assert text.count("会定") == min(n, 20)
    if n > 20:
        assert "第1/2页" in text and "会定24" in page(client.get(url + "?page=2"))


def test_the_enrolment_choice_is_bounded_and_searchable(client, office, town, term, village_a, monkeypatch):
    from cultivation import views_practice
    from cultivation.models import Course

    monkeypatch.setattr(views_practice, "ENROL_CHOICES", 3)
    for i in range(5):
        ReserveFactory(town=town, term=term, village=village_a, name=f"参训{i}")
    course = Course.objects.create(town=town, kind=Course.Kind.CLASS, topic=Course.Topic.THEORY, title="理论班",
                                   organiser="党建办", start=today(), end=today(), hours=8, recorded_by=office)
    client.force_login(office)
    url = reverse("cultivation:course_detail", args=[course.pk])
    text = page(client.get(url))
    assert len(re.findall(r'<option value="\d+"', text)) == 3 and 'id="enrol-more"' in text
    found = page(client.get(url + "?who=参训4"))
    assert "参训4" in found and "参训0" not in found and 'id="enrol-more"' not in found
    # A reserve beyond the listed ones is still enrolled when posted (the POST is checked against all)
    from training.models import Reserve

    beyond = Reserve.objects.get(name="参训4")
    response = client.post(url, {"reserve": beyond.pk, "sending_unit": ""})
    assert response.status_code == 302 and course.enrolments.filter(reserve=beyond).exists()


def test_hours_show_without_a_trailing_zero(client, office, town, term, village_a):
    from cultivation.models import Course, Enrolment

    reserve = ReserveFactory(town=town, term=term, village=village_a)
    course = Course.objects.create(town=town, kind=Course.Kind.SENT, title="党校班", organiser="县委党校",
                                   start=today(), end=today(), hours=16, recorded_by=office)
    Enrolment.objects.create(course=course, reserve=reserve, attended=True, recorded_by=office)
    client.force_login(office)
    text = page(client.get(reverse("cultivation:course_detail", args=[course.pk])))
    assert "16.0" not in text and ">16<" in text
    assert f"{today().year}年16学时" in page(client.get(reverse("training:reserve_detail", args=[reserve.pk])))
