"""The evidence beside an assessment's form (rounds.evidence) and the sub-scores' notes of the form.

- 年度考核: the records of the assessment's year (unchanged: "2025年度实绩记录", 本年度…);
- 期满总结性考核: the records of the whole term assessed (term_start … min(term_end, today)), headed
  "本届（起至止）实绩记录", with a note while the term is not over; after a renewal (续期) the old term;
- more than 50 talks: the count is exact, the list says how many are left out;
- a sub-score whose share in the round is 0 says "仅供参考，不计入总分", a counted one "占总分x%", in the form of every
  role that fills it and in the result.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import rounds
from assessment.models import Assessment, AssessmentRound
from cultivation.models import Course, Enrolment, HeartTalk, Task
from training.models import Tier
from training.services import reserve_renew

from ..factories import AssessmentFactory, AssessmentRoundFactory, PoolTermFactory, ReserveFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)
YEAR = today().year - 1


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=today() - 1200 * DAY)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def task(reserve, office, title, given_on, evaluated_on=None):
    return Task.objects.create(reserve=reserve, title=title, content="x", given_by="张", given_on=given_on,
                               due_on=given_on + 30 * DAY, evaluated_on=evaluated_on, recorded_by=office)


def talk(reserve, office, day):
    return HeartTalk.objects.create(reserve=reserve, held_at=at(day), place="村部", talker="李书记", topic="t",
                                    content="c", recorded_by=office)


def course(reserve, office, start, hours, *, attended=True, own_hours=None):
    c = Course.objects.create(town=reserve.town, kind=Course.Kind.CLASS, title=f"党课{start}", organiser="镇党委",
                              start=start, end=start, hours=D(hours), recorded_by=office)
    Enrolment.objects.create(course=c, reserve=reserve, attended=attended, recorded_by=office,
                             hours=None if own_hours is None else D(own_hours))


def final_assessment(town, term, reserve):
    round_ = AssessmentRoundFactory(town=town, term=term, kind=AssessmentRound.Kind.FINAL, year=today().year,
                                    title="期满总结性考核")
    return AssessmentFactory(round=round_, reserve=reserve)


def loaded(a):
    return Assessment.objects.select_related("round", "reserve").get(pk=a.pk)


def edit_page(client, user, a):
    client.force_login(user)
    response = client.get(reverse("assessment:assessment_edit", args=[a.pk]))
    assert response.status_code == 200
    return page(response)


# --------------------------------------------------------------------------- the annual assessment: its year


def test_annual_evidence_is_the_year(client, office, town, term, village_a):
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=datetime.date(YEAR - 1, 3, 1),
                             term_start=datetime.date(YEAR - 1, 3, 1), term_end=datetime.date(YEAR + 1, 2, 28))
    round_ = AssessmentRoundFactory(town=town, term=term, year=YEAR)
    a = AssessmentFactory(round=round_, reserve=reserve)
    task(reserve, office, "本年任务", datetime.date(YEAR, 3, 1))
    task(reserve, office, "去年交办今年评价", datetime.date(YEAR - 1, 11, 1), evaluated_on=datetime.date(YEAR, 1, 5))
    task(reserve, office, "去年任务", datetime.date(YEAR - 1, 3, 1))
    course(reserve, office, datetime.date(YEAR, 5, 1), "6")
    course(reserve, office, datetime.date(YEAR - 1, 5, 1), "8")
    talk(reserve, office, datetime.date(YEAR, 1, 1))
    talk(reserve, office, datetime.date(YEAR, 12, 31))
    talk(reserve, office, datetime.date(YEAR - 1, 12, 31))
    found = rounds.evidence(loaded(a), office)
    assert not found.final and (found.start, found.end) == (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    assert [t.title for t in found.tasks] == ["去年交办今年评价", "本年任务"]
    assert found.hours == D("6") and found.talk_count == 2 and len(found.talks) == 2
    body = edit_page(client, office, a)
    assert f"{YEAR}年度实绩记录" in body and 'data-period="year"' in body
    assert "本年度培训6学时" in body and "本年度谈话2次" in body and "本届" not in body.split('id="assessment-evidence"')[1]


# --------------------------------------------------------------------------- the final assessment: the whole term


def test_final_evidence_is_the_whole_term_up_to_today(client, office, town, term, village_a):
    start, end = today() - 400 * DAY, today() + 330 * DAY
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=start - 800 * DAY,
                             term_start=start, term_end=end, term_number=2)
    a = final_assessment(town, term, reserve)
    task(reserve, office, "上一届任务", start - 100 * DAY)
    task(reserve, office, "上一届交办本届评价", start - 40 * DAY, evaluated_on=start + 5 * DAY)
    task(reserve, office, "本届首日任务", start)
    task(reserve, office, "本届近期任务", today() - 20 * DAY)
    course(reserve, office, start - 10 * DAY, "8")                      # before the term
    course(reserve, office, start + 30 * DAY, "6")                      # counted
    course(reserve, office, today() - 30 * DAY, "8", own_hours="3.5")  # counted with its own hours
    course(reserve, office, today() - 60 * DAY, "5", attended=False)   # not attended
    talk(reserve, office, start - DAY)
    talk(reserve, office, start)
    talk(reserve, office, today() - 200 * DAY)
    talk(reserve, office, today() - 2 * DAY)
    talk(reserve, office, today() + 3 * DAY)  # a wrongly future-dated talk is not counted
    found = rounds.evidence(loaded(a), office)
    assert found.final and (found.term_start, found.term_end) == (start, end)
    assert (found.start, found.end) == (start, today()) and found.until_today
    assert [t.title for t in found.tasks] == ["上一届交办本届评价", "本届首日任务", "本届近期任务"]
    assert found.hours == D("9.5")
    assert found.talk_count == 3 and [t.held_at.date() for t in found.talks] == [
        start, today() - 200 * DAY, today() - 2 * DAY]
    body = edit_page(client, office, a)
    assert f"本届（{start:%Y-%m-%d}至{end:%Y-%m-%d}）实绩记录" in body and 'data-period="term"' in body
    assert f"本届尚未期满，记录统计至{today():%Y-%m-%d}。" in body
    assert "本届培训9.5学时" in body and "本届谈话3次" in body
    assert "年度实绩记录" not in body and "本年度" not in body.split('id="assessment-evidence"')[1]


def test_final_evidence_of_a_term_already_over_stops_at_its_end(client, office, town, term, village_a):
    start, end = today() - 800 * DAY, today() - 70 * DAY
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=start, term_start=start,
                             term_end=end)
    a = final_assessment(town, term, reserve)
    task(reserve, office, "届内任务", end - 10 * DAY)
    task(reserve, office, "届满后任务", end + DAY)
    talk(reserve, office, end)
    talk(reserve, office, end + DAY)
    found = rounds.evidence(loaded(a), office)
    assert (found.start, found.end) == (start, end) and not found.until_today
    assert [t.title for t in found.tasks] == ["届内任务"] and found.talk_count == 1
    body = edit_page(client, office, a)
    assert f"本届（{start:%Y-%m-%d}至{end:%Y-%m-%d}）实绩记录" in body and "记录统计至" not in body


def test_final_evidence_without_records(client, mentor, office, town, term, village_a):
    start = today() - 700 * DAY
    reserve = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, start_date=start,
                             term_start=start, term_end=today() + 30 * DAY)
    a = final_assessment(town, term, reserve)
    body = edit_page(client, mentor, a)  # the mentor sees the same panel beside their field
    assert "本届无任务记录。" in body and "本届培训0学时" in body and "本届无谈话记录。" in body


def test_after_a_renewal_the_final_evidence_is_the_old_term(client, office, town, term, village_a):
    start, end = today() - 700 * DAY, today() + 20 * DAY  # within the notice days: renewable
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=start, term_start=start,
                             term_end=end)
    a = final_assessment(town, term, reserve)
    talk(reserve, office, start + 10 * DAY)
    reserve_renew(actor=office, reserve_id=reserve.pk, version=reserve.version)
    renewed = reload(reserve)
    assert renewed.term_start == end + DAY  # the reserve is in its next term now
    found = rounds.evidence(loaded(a), office)
    assert (found.term_start, found.term_end) == (start, end) and found.talk_count == 1
    assert f"本届（{start:%Y-%m-%d}至{end:%Y-%m-%d}）实绩记录" in edit_page(client, office, a)
    # An assessment made after the renewal assesses the new term.
    round_ = a.round
    a.delete()
    later = AssessmentFactory(round=round_, reserve=renewed)
    assert rounds.assessed_term(loaded(later)) == (renewed.term_start, renewed.term_end)


@pytest.mark.parametrize(("kind", "year_offset", "expected"), [
    ("annual", -1, lambda r, y: (datetime.date(y, 1, 1), datetime.date(y, 12, 31))),
    ("annual", -2, lambda r, y: (datetime.date(y, 1, 1), datetime.date(y, 12, 31))),
    ("final", 0, lambda r, y: (r.term_start, min(r.term_end, today()))),
])
def test_evidence_period(office, town, term, village_a, kind, year_offset, expected):
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=today() - 500 * DAY,
                             term_start=today() - 500 * DAY, term_end=today() + 200 * DAY)
    year = today().year + year_offset
    round_ = AssessmentRoundFactory(town=town, term=term, kind=kind, year=year)
    a = loaded(AssessmentFactory(round=round_, reserve=reserve))
    assert rounds.evidence_period(a) == expected(reserve, year)


def test_many_talks_are_counted_exactly(client, office, town, term, village_a):
    reserve = ReserveFactory(town=town, term=term, village=village_a, start_date=datetime.date(YEAR - 1, 3, 1),
                             term_start=datetime.date(YEAR - 1, 3, 1), term_end=datetime.date(YEAR + 1, 2, 28))
    a = AssessmentFactory(round=AssessmentRoundFactory(town=town, term=term, year=YEAR), reserve=reserve)
    first = datetime.date(YEAR, 1, 1)
    HeartTalk.objects.bulk_create(
        HeartTalk(reserve=reserve, held_at=at(first + n * 6 * DAY), place="村部", talker="李", topic="t", content="c",
                  recorded_by=office) for n in range(52))
    found = rounds.evidence(loaded(a), office)
    assert found.talk_count == 52 and len(found.talks) == rounds.EVIDENCE_LIMIT and found.truncated_talks == 2
    body = edit_page(client, office, a)
    assert "本年度谈话52次" in body and "另有2次谈话未列出。" in body


# --------------------------------------------------------------------------- the sub-scores' notes in the form


NOT_COUNTED = "仅供参考，不计入总分"


def note(body, key):
    return body.split(f'data-share-note="{key}">')[1].split("</div>")[0]


def result_note(body, key):
    return body.split(f'data-share="{key}">')[1].split("</span>")[0]


@pytest.mark.parametrize(("shares", "expected"), [
    ({"mentor": 0, "unit": 0, "democratic": 0}, {"mentor": NOT_COUNTED, "unit": NOT_COUNTED, "democratic": NOT_COUNTED}),
    ({"mentor": 20, "unit": 0, "democratic": 0}, {"mentor": "占总分20%", "unit": NOT_COUNTED, "democratic": NOT_COUNTED}),
    ({"mentor": 10, "unit": 15, "democratic": 25}, {"mentor": "占总分10%", "unit": "占总分15%", "democratic": "占总分25%"}),
    ({"mentor": 0, "unit": 30}, {"mentor": NOT_COUNTED, "unit": "占总分30%", "democratic": NOT_COUNTED}),
])
@pytest.mark.parametrize("who", ["office", "mentor", "village_a_user", "unit_user"])
def test_each_sub_score_says_what_it_counts_for(client, request, town, term, village_a, unit_a, mentor, shares,
                                               expected, who):
    user = request.getfixturevalue(who)
    if who == "unit_user":
        reserve = ReserveFactory(town=town, term=term, unit=unit_a, tier=Tier.FOURTH)
    else:
        reserve = ReserveFactory(town=town, term=term, village=village_a, mentor=mentor)
    round_ = AssessmentRoundFactory(town=town, term=term, sub_shares=shares)
    a = AssessmentFactory(round=round_, reserve=reserve)
    body = edit_page(client, user, a)
    fields = {"office": ["mentor", "unit", "democratic"], "mentor": ["mentor"], "village_a_user": ["unit"],
              "unit_user": ["unit"]}[who]
    for key in ("mentor", "unit", "democratic"):
        if key in fields:
            assert f'name="{key}"' in body
            assert note(body, key).strip() == expected[key], key
        else:
            assert f'data-share-note="{key}"' not in body
    if who == "office":  # the office sees the result as it is made, each sub-score with its share
        for key in ("mentor", "unit", "democratic"):
            assert result_note(body, key).strip() == expected[key]


def test_the_note_follows_the_round_not_the_scheme(client, office, town, term, village_a, mentor):
    from assessment.models import Scheme

    Scheme.objects.create(town=town, sub_shares={"mentor": 40, "unit": 0, "democratic": 0})
    round_ = AssessmentRoundFactory(town=town, term=term)  # opened with the default shares: all 0
    a = AssessmentFactory(round=round_, reserve=ReserveFactory(town=town, term=term, village=village_a, mentor=mentor))
    body = edit_page(client, mentor, a)
    assert note(body, "mentor").strip() == NOT_COUNTED and "占总分40%" not in body
