"""我的考核评分 (/pool/assessment/mine/): a mentor, a unit's head and a village branch find the assessments they score.

- who may open it (mentor, unit, village: 200; office, committee, department: 403; anonymous: the login page);
- what each sees: only the assessments of open rounds of their own reserves (scope), split 待评分 (their sub-score
  empty) and 已评分, with the reserve, the tier, the round, the field they give and what it counts for
  (占总分x% / 仅供参考，不计入总分), and a link to the form; a locked (submitted) one says why and has no 评分 button;
- a user with two duties (mentor and village branch) waits on both;
- paginated (25), query count the same for 3 and 30 rows (both tabs);
- attacks: garbage tab and page, POST, another mentor's, village's, town's reserves, a confirmed round.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import rounds
from assessment.models import Assessment, AssessmentRound
from reserve.roles import Role
from training.models import Tier

from ..factories import PoolTermFactory, ReserveFactory, UserFactory, VillageFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)
YEAR = today().year - 1
MINE = reverse("assessment:mine")
FULL = {"de": "18", "neng": "13", "qin": "13", "ji": "27", "lian": "19"}


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=datetime.date(YEAR - 1, 1, 1))


def make_reserve(town, term, **fields):
    start = datetime.date(YEAR - 1, 3, 1)
    return ReserveFactory(town=town, term=term, start_date=start, term_start=start,
                          term_end=start.replace(year=start.year + 2) - DAY, **fields)


@pytest.fixture
def reserve(town, term, village_a, mentor):
    return make_reserve(town, term, village=village_a, mentor=mentor)


@pytest.fixture
def unit_reserve(town, term, unit_a):
    return make_reserve(town, term, unit=unit_a, tier=Tier.FOURTH)


def open_round(office, term):
    return rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round


def a_of(round_, reserve):
    return Assessment.objects.get(round=round_, reserve=reserve)


def save(actor, assessment, **values):
    return rounds.assessment_save(actor=actor, assessment_id=assessment.pk, version=reload(assessment).version,
                                  values=values)


def rows(response) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'<tr data-assessment="(\d+)"', page(response))]


# --------------------------------------------------------------------------- who may open it


@pytest.mark.parametrize(("who", "status"), [
    ("mentor", 200), ("village_a_user", 200), ("unit_user", 200),
    ("office", 403), ("committee", 403), ("dept_x_user", 403),
])
def test_who_may_open_it(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(MINE).status_code == status


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(MINE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_post_is_refused(client, mentor):
    client.force_login(mentor)
    assert client.post(MINE, {"tab": "done"}).status_code == 405


# --------------------------------------------------------------------------- what each sees


def test_the_mentor_finds_what_to_score_and_what_it_counts_for(client, office, mentor, town, term, reserve,
                                                              village_a):
    other = make_reserve(town, term, village=village_a, mentor=UserFactory(town=town, role=Role.MENTOR))
    round_ = open_round(office, term)
    client.force_login(mentor)
    response = client.get(MINE)
    body = page(response)
    a = a_of(round_, reserve)
    assert rows(response) == [a.pk]  # not the other mentor's reserve
    assert a_of(round_, other).pk not in rows(response)
    assert reserve.name in body and round_.title in body and "村级后备干部" in body
    assert 'data-duty="mentor"' in body and "引路人评分" in body and 'data-duty="unit"' not in body
    assert "仅供参考，不计入总分" in body  # the default scheme counts no sub-score
    assert f'href="{reverse("assessment:assessment_edit", args=[a.pk])}"' in body and 'data-action="score"' in body
    assert "table-mobile-cards" in body and 'data-label="' in body  # readable as cards at phone width
    # The round counts the mentor's score: the page says how much.
    AssessmentRound.objects.filter(pk=round_.pk).update(sub_shares={"mentor": 20, "unit": 0, "democratic": 0})
    body = page(client.get(MINE))
    assert "占总分20%" in body and "仅供参考，不计入总分" not in body.split('id="mine"')[1]
    # Scored: the row moves to 已评分 with the score given.
    save(mentor, a, mentor="88.5")
    assert rows(client.get(MINE)) == []
    done = client.get(MINE, {"tab": "done"})
    assert rows(done) == [a.pk] and "88.5" in page(done) and "修改评分" in page(done)


def test_the_village_and_the_unit_give_the_units_score_of_their_own(client, office, town, term, reserve,
                                                                    unit_reserve, village_a_user, village_b_user,
                                                                    unit_user):
    round_ = open_round(office, term)
    village_row, unit_row = a_of(round_, reserve), a_of(round_, unit_reserve)
    for user, expected in ((village_a_user, [village_row.pk]), (unit_user, [unit_row.pk]), (village_b_user, [])):
        client.force_login(user)
        response = client.get(MINE)
        assert rows(response) == expected, user
        if expected:
            assert 'data-duty="unit"' in page(response) and "所在单位评分" in page(response)
            assert 'data-duty="mentor"' not in page(response)
    save(village_a_user, village_row, unit="80")
    client.force_login(village_a_user)
    assert rows(client.get(MINE)) == [] and rows(client.get(MINE, {"tab": "done"})) == [village_row.pk]
    assert rounds.scorer_counts(village_a_user) == {"pending": 0, "done": 1}
    assert rounds.scorer_counts(unit_user) == {"pending": 1, "done": 0}


def test_scoring_through_the_link_moves_the_row(client, office, mentor, term, reserve):
    round_ = open_round(office, term)
    a = a_of(round_, reserve)
    client.force_login(mentor)
    form = client.get(reverse("assessment:assessment_edit", args=[a.pk]))
    assert 'name="mentor"' in page(form)
    response = client.post(reverse("assessment:assessment_edit", args=[a.pk]), {"version": a.version, "mentor": "90"})
    assert response.status_code == 302
    assert rows(client.get(MINE)) == [] and rows(client.get(MINE, {"tab": "done"})) == [a.pk]


def test_a_user_with_two_duties_waits_on_both(client, office, town, term, village_a):
    both = UserFactory(town=town, village=village_a, role=Role.VILLAGE)
    both.groups.add(Group.objects.get_or_create(name=Role.MENTOR)[0])
    reserve = make_reserve(town, term, village=village_a, mentor=both)
    round_ = open_round(office, term)
    a = a_of(round_, reserve)
    assert [d.key for d in rounds.scorer_duties(a, both)] == ["mentor", "unit"]
    save(both, a, mentor="90")
    assert list(rounds.scorer_assessments(both, pending=True)) == [a]
    save(both, a, unit="85")
    assert list(rounds.scorer_assessments(both, pending=True)) == []
    assert list(rounds.scorer_assessments(both, pending=False)) == [a]
    client.force_login(both)
    body = page(client.get(MINE, {"tab": "done"}))
    assert 'data-duty="mentor"' in body and 'data-duty="unit"' in body and "90.0" in body and "85.0" in body


def test_a_submitted_one_is_listed_locked_after_the_drafts(client, office, mentor, town, term, reserve, village_a):
    second = make_reserve(town, term, village=village_a, mentor=mentor)
    round_ = open_round(office, term)
    first_a, second_a = a_of(round_, reserve), a_of(round_, second)
    # The office scores the first and submits it without the mentor's score (it is for reference only).
    save(office, first_a, items=FULL)
    rounds.assessment_perform(actor=office, assessment_id=first_a.pk, action="submit_assessment",
                              version=reload(first_a).version)
    client.force_login(mentor)
    response = client.get(MINE)
    assert rows(response) == [second_a.pk, first_a.pk]  # the draft, which can be scored, first
    body = page(response)
    locked_row = body.split(f'data-assessment="{first_a.pk}"')[1].split("</tr>")[0]
    assert "data-lock" in locked_row and "如需修改请先退回" in locked_row and 'data-action="score"' not in locked_row
    assert "查看" in locked_row


def test_a_confirmed_round_is_not_listed(client, office, mentor, term, reserve):
    round_ = open_round(office, term)
    AssessmentRound.objects.filter(pk=round_.pk).update(status=AssessmentRound.Status.CONFIRMED)
    client.force_login(mentor)
    assert rows(client.get(MINE)) == [] and rows(client.get(MINE, {"tab": "done"})) == []
    assert "没有待评分的考核。" in page(client.get(MINE))
    assert rounds.scorer_counts(mentor) == {"pending": 0, "done": 0}


def test_another_towns_reserves_never_appear(client, office, mentor, other_town, other_office, term, reserve):
    other_term = PoolTermFactory(town=other_town, start=datetime.date(YEAR - 1, 1, 1))
    other_village = VillageFactory(town=other_town)
    other_mentor = UserFactory(town=other_town, role=Role.MENTOR)
    far = make_reserve(other_town, other_term, village=other_village, mentor=other_mentor)
    open_round(office, term)
    far_round = open_round(other_office, other_term)
    client.force_login(mentor)
    assert a_of(far_round, far).pk not in rows(client.get(MINE))
    client.force_login(other_mentor)
    assert rows(client.get(MINE)) == [a_of(far_round, far).pk]


def test_the_selectors_refuse_the_office_and_the_committee(office, committee):
    from reserve.exceptions import NotAllowed

    for user in (office, committee):
        with pytest.raises(NotAllowed):
            rounds.scorer_assessments(user, pending=True)
        with pytest.raises(NotAllowed):
            rounds.scorer_counts(user)


@pytest.mark.parametrize("query", [
    {"tab": "x" * 5000}, {"tab": "done", "page": "abc"}, {"page": "-5"}, {"page": "99999999999999999999"},
    {"page": "1e9"}, {"page": "nan"}, {"tab": ["done", "pending"]}, {"tab": "<script>"},
])
def test_garbage_in_the_query_is_harmless(client, office, mentor, term, reserve, query):
    open_round(office, term)
    client.force_login(mentor)
    response = client.get(MINE, query)
    assert response.status_code == 200
    assert "<script>" not in page(response).split('id="mine-tabs"')[1]


# --------------------------------------------------------------------------- shares, table-driven


@pytest.mark.parametrize(("shares", "mentor_note", "unit_note"), [
    ({"mentor": 0, "unit": 0, "democratic": 0}, "仅供参考，不计入总分", "仅供参考，不计入总分"),
    ({"mentor": 20, "unit": 0, "democratic": 0}, "占总分20%", "仅供参考，不计入总分"),
    ({"mentor": 0, "unit": 15, "democratic": 10}, "仅供参考，不计入总分", "占总分15%"),
    ({}, "仅供参考，不计入总分", "仅供参考，不计入总分"),  # a share missing from the round: not counted
])
def test_what_each_duty_counts_for(office, term, reserve, village_a_user, mentor, shares, mentor_note, unit_note):
    round_ = open_round(office, term)
    AssessmentRound.objects.filter(pk=round_.pk).update(sub_shares=shares)
    a = Assessment.objects.select_related("round", "reserve").get(round=round_, reserve=reserve)
    (mentor_duty,) = rounds.scorer_duties(a, mentor)
    (unit_duty,) = rounds.scorer_duties(a, village_a_user)
    assert (mentor_duty.key, unit_duty.key) == ("mentor", "unit")
    assert mentor_duty.counted == (mentor_note != "仅供参考，不计入总分")
    assert unit_duty.counted == (unit_note != "仅供参考，不计入总分")
    assert (mentor_duty.share, unit_duty.share) == (shares.get("mentor", 0), shares.get("unit", 0))


@pytest.mark.parametrize(("value", "share"), [(20, 20), ("20", 20), (None, 0), ("abc", 0), (-5, 0), (0, 0)])
def test_share_of(value, share):
    assert rounds.share_of({"mentor": value}, "mentor") == share


# --------------------------------------------------------------------------- a page of 25, constant queries


@pytest.mark.parametrize("tab", ["pending", "done"])
def test_paginated_with_constant_queries(client, office, mentor, town, term, village_a, tab):
    def build(n):
        for _i in range(n):
            make_reserve(town, term, village=village_a, mentor=mentor)

    def score_all():
        if tab == "done":
            for a in Assessment.objects.filter(mentor_score__isnull=True):
                save(mentor, a, mentor="80")

    build(3)
    round_ = open_round(office, term)
    score_all()
    client.force_login(mentor)
    client.get(MINE, {"tab": tab})
    with CaptureQueriesContext(connection) as small:
        response = client.get(MINE, {"tab": tab})
    assert len(rows(response)) == 3
    build(27)
    rounds.round_add(actor=office, round_id=round_.pk, version=reload(round_).version)
    score_all()
    with CaptureQueriesContext(connection) as large:
        response = client.get(MINE, {"tab": tab})
    assert len(rows(response)) == 25 and "第1/2页，共30人" in page(response)
    assert f"?tab={tab}&page=2" in page(response)
    assert len(large) == len(small)
    second = client.get(MINE, {"tab": tab, "page": "2"})
    assert len(rows(second)) == 5
