"""两委 vacancies (issue 12 point 5, village plan §四.4): recording, the village's reserves as first candidates in
ranked order, filling from the pool (the reserve appointed in the same transaction) or by other means, and who may
do what."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import vacancies
from assessment.models import Grade, Vacancy
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from training.models import Reserve, Tier

from ..factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    PersonFactory,
    PoolTermFactory,
    ReserveFactory,
    UnitFactory,
    VillageFactory,
)
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta
LIST = reverse("assessment:vacancy_list")
NEW = reverse("assessment:vacancy_new")


def detail(v):
    return reverse("assessment:vacancy_detail", args=[v.pk])


def fill(v):
    return reverse("assessment:vacancy_fill", args=[v.pk])


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


def person_reserve(town, term, name, **kw):
    return ReserveFactory(town=town, term=term, name=name, person=PersonFactory(name=name), **kw)


def vacancy(village, user, **kw):
    kw.setdefault("post", "村委会委员")
    kw.setdefault("arose_on", today() - D(days=20))
    return Vacancy.objects.create(village=village, recorded_by=user, **kw)


@pytest.fixture
def ranked(town, term, village_a, village_b, office):
    """Village A's reserves: two assessed in the latest round (one flagged), one graded 优秀 but not flagged, one
    vetoed, one never assessed, one tier 3; plus another village's, a used one and a tier-4 one (not candidates)."""
    old = AssessmentRoundFactory(town=town, term=term, status="confirmed", year=today().year - 2,
                                 confirmed_on=today() - D(days=400))
    rnd = AssessmentRoundFactory(town=town, term=term, status="confirmed", year=today().year - 1,
                                 confirmed_on=today() - D(days=30))

    def assess(round_, r, **kw):
        kw.setdefault("total", Decimal("80"))
        return AssessmentFactory(round=round_, reserve=r, status="confirmed", confirmed_on=round_.confirmed_on, **kw)

    rows = {}
    rows["plain"] = person_reserve(town, term, "称职者", village=village_a)
    assess(rnd, rows["plain"], grade=Grade.COMPETENT, total=Decimal("85"), rank=3, ranked_of=5)
    rows["top"] = person_reserve(town, term, "优先者", village=village_a)
    assess(old, rows["top"], grade=Grade.COMPETENT, total=Decimal("70"), rank=5, ranked_of=5)
    assess(rnd, rows["top"], grade=Grade.EXCELLENT, total=Decimal("92"), rank=1, ranked_of=5, priority=True)
    rows["excellent"] = person_reserve(town, term, "优秀者", village=village_a)
    assess(rnd, rows["excellent"], grade=Grade.EXCELLENT, total=Decimal("90"), rank=2, ranked_of=5)
    rows["vetoed"] = person_reserve(town, term, "否决者", village=village_a)
    assess(rnd, rows["vetoed"], grade=Grade.INCOMPETENT, total=Decimal("99"), veto_reason="违纪违法")
    rows["new"] = person_reserve(town, term, "新入库者", village=village_a)
    rows["third"] = person_reserve(town, term, "三梯队", village=village_a, tier=Tier.THIRD)
    assess(rnd, rows["third"], grade=Grade.COMPETENT, total=Decimal("88"), rank=1, ranked_of=2, priority=True)
    rows["other_village"] = person_reserve(town, term, "西岭人", village=village_b)
    rows["used"] = person_reserve(town, term, "已任用", village=village_a, status=Reserve.Status.USED)
    rows["unit"] = person_reserve(town, term, "单位人", unit=UnitFactory(town=town), village=None, tier=Tier.FOURTH)
    rows["vacancy"] = vacancy(village_a, office)
    return rows


def candidate_names(client, user, v):
    client.force_login(user)
    response = client.get(detail(v))
    assert response.status_code == 200
    return [r.name for r in response.context["page"]]


# --- the candidates ------------------------------------------------------------------------------------------


def test_candidates_are_the_villages_active_reserves_ranked(client, office, ranked):
    assert candidate_names(client, office, ranked["vacancy"]) == [
        "优先者", "三梯队", "优秀者", "称职者", "否决者", "新入库者"]


def test_the_page_shows_grades_and_says_who_was_not_assessed(client, office, ranked):
    client.force_login(office)
    text = page(client.get(detail(ranked["vacancy"])))
    assert "未参加考核" in text and "优秀" in text and "一票否决" in text and "优先使用" in text
    assert 'name="reserve"' in text and 'id="fill-other"' in text


def test_the_candidates_take_a_constant_number_of_queries(client, office, town, term, village_a):
    rnd = AssessmentRoundFactory(town=town, term=term, status="confirmed", confirmed_on=today() - D(days=3))
    v = vacancy(village_a, office)

    def make(n):
        for i in range(n):
            r = ReserveFactory(town=town, term=term, village=village_a)
            if i % 2:
                AssessmentFactory(round=rnd, reserve=r, status="confirmed", total=Decimal(60 + i % 40),
                                  grade=Grade.COMPETENT, rank=i + 1, ranked_of=30)

    make(3)
    client.force_login(office)
    client.get(detail(v))
    with CaptureQueriesContext(connection) as small:
        client.get(detail(v))
    make(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(detail(v))
    assert len(large) == len(small) and len(response.context["page"].object_list) == 25


# --- filling -------------------------------------------------------------------------------------------------


def test_fill_from_the_pool(client, office, ranked):
    v, r = ranked["vacancy"], ranked["excellent"]
    client.force_login(office)
    response = client.post(fill(v), {"mode": "reserve", "reserve": r.pk, "filled_on": today().isoformat()})
    assert response.status_code == 302
    assert any("已推选优秀者" in m for m in message_texts(response))
    v.refresh_from_db()
    r.refresh_from_db()
    assert (v.filled_on, v.filled_by_id) == (today(), r.pk)
    assert r.status == Reserve.Status.USED and r.used_post == "村委会委员" and r.used_on == today()
    use = Event.objects.get(content_type=ContentType.objects.get_for_model(Reserve), object_id=r.pk,
                            action="use_reserve")
    assert use.data["vacancy"] == v.pk and use.data["post"] == "村委会委员"
    assert Event.objects.filter(content_type=ContentType.objects.get_for_model(Vacancy), object_id=v.pk,
                                action="vacancy_filled").exists()
    text = page(client.get(detail(v)))
    assert 'data-state="filled"' in text and "优秀者" in text and 'id="fill-form"' not in text
    # the appointed reserve joins the village's 两委 roster in the vacant post
    from reserve.models import VillageCadre

    cadre = VillageCadre.objects.get(village=v.village, name=r.name)
    assert (cadre.post, cadre.gender, cadre.birth_date) == ("村委会委员", r.gender, r.birth_date)
    assert r.name in page(client.get(reverse("village_detail", args=[v.village.pk])))


def test_fill_by_other_means(client, office, ranked):
    v = ranked["vacancy"]
    client.force_login(office)
    client.post(fill(v), {"mode": "other", "filled_on": today().isoformat(), "note": "换届选举产生"})
    v.refresh_from_db()
    assert v.filled_on == today() and v.filled_by is None and v.filled_note == "换届选举产生"
    assert not Reserve.objects.filter(status=Reserve.Status.USED, used_post="村委会委员").exists()
    assert not v.village.cadres.exists()  # filled by someone the system does not know: the clerk updates the roster
    text = page(client.get(detail(v)))
    assert 'data-state="filled"' in text and "换届选举产生" in text and 'id="candidate-table"' not in text
    assert "已补齐" in page(client.get(LIST))


def test_a_filled_vacancy_is_closed(client, office, ranked):
    v = ranked["vacancy"]
    vacancies.vacancy_fill(actor=office, vacancy_id=v.pk, reserve_id=ranked["top"].pk, filled_on=today())
    with pytest.raises(ActionRefused, match="不能重复补齐"):
        vacancies.vacancy_fill(actor=office, vacancy_id=v.pk, reserve_id=ranked["plain"].pk, filled_on=today())
    with pytest.raises(ActionRefused, match="不能重复补齐"):
        vacancies.vacancy_fill_other(actor=office, vacancy_id=v.pk, filled_on=today(), note="再补")
    ranked["plain"].refresh_from_db()
    assert ranked["plain"].status == Reserve.Status.ACTIVE


@pytest.mark.parametrize("key, message", [
    ("other_village", "只能从本村的后备干部中推选"),
    ("unit", "只能从本村的后备干部中推选"),
    ("used", "不是培养中的后备干部"),
])
def test_only_the_villages_active_reserves_fill_it(office, ranked, key, message):
    with pytest.raises(ActionRefused, match=message):
        vacancies.vacancy_fill(actor=office, vacancy_id=ranked["vacancy"].pk, reserve_id=ranked[key].pk,
                               filled_on=today())
    ranked["vacancy"].refresh_from_db()
    assert ranked["vacancy"].filled_on is None


@pytest.mark.parametrize("days, message", [
    (-1, "不能晚于今天"),  # tomorrow
    (21, "不能早于出现空缺日期"),  # before the vacancy arose (20 days ago)
])
def test_fill_dates(office, ranked, days, message):
    with pytest.raises(ActionRefused, match=message):
        vacancies.vacancy_fill(actor=office, vacancy_id=ranked["vacancy"].pk, reserve_id=ranked["top"].pk,
                               filled_on=today() - D(days=days))


def test_fill_before_the_reserve_entered_the_pool(office, ranked):
    r = ranked["top"]
    Reserve.objects.filter(pk=r.pk).update(start_date=today() - D(days=5))
    with pytest.raises(ActionRefused, match="不能早于入库日期"):
        vacancies.vacancy_fill(actor=office, vacancy_id=ranked["vacancy"].pk, reserve_id=r.pk,
                               filled_on=today() - D(days=10))
    ranked["vacancy"].refresh_from_db()
    assert ranked["vacancy"].filled_on is None


# --- recording --------------------------------------------------------------------------------------------------


def test_the_office_records_a_vacancy(client, office, village_a):
    client.force_login(office)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {"village": village_a.pk, "post": "村党支部委员", "arose_on": today().isoformat(),
                                 "reason": "辞职"})
    v = Vacancy.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(v)
    assert (v.village, v.post, v.reason, v.recorded_by) == (village_a, "村党支部委员", "辞职", office)
    assert Event.objects.filter(action="vacancy_create", object_id=v.pk).exists()


def test_a_village_records_its_own_only(client, village_a_user, village_a, village_b):
    client.force_login(village_a_user)
    response = client.get(NEW)
    assert list(response.context["form"].fields["village"].queryset) == [village_a]
    response = client.post(NEW, {"village": village_b.pk, "post": "委员", "arose_on": today().isoformat()})
    assert response.status_code == 200 and not Vacancy.objects.exists()
    client.post(NEW, {"village": village_a.pk, "post": "委员", "arose_on": today().isoformat()})
    assert Vacancy.objects.get().village == village_a
    with pytest.raises(NotFound):
        vacancies.vacancy_create(actor=village_a_user, village_id=village_b.pk, post="委员", arose_on=today())


def test_a_double_submit_records_one(office, village_a):
    vacancies.vacancy_create(actor=office, village_id=village_a.pk, post="委员", arose_on=today())
    with pytest.raises(ActionRefused, match="请勿重复记录"):
        vacancies.vacancy_create(actor=office, village_id=village_a.pk, post="委员", arose_on=today())
    assert Vacancy.objects.count() == 1


def test_the_committee_reads_only(committee, village_a, office):
    with pytest.raises(NotAllowed):
        vacancies.vacancy_create(actor=committee, village_id=village_a.pk, post="委员", arose_on=today())
    with pytest.raises(NotAllowed):
        vacancies.vacancy_fill_other(actor=committee, vacancy_id=vacancy(village_a, office).pk, filled_on=today(),
                                     note="x")


# --- who sees what ---------------------------------------------------------------------------------------------


@pytest.fixture
def both(village_a, village_b, office, other_town):
    other_village = VillageFactory(town=other_town)
    return {"a": vacancy(village_a, office, post="甲村委员"), "b": vacancy(village_b, office, post="乙村委员"),
            "x": vacancy(other_village, office, post="外镇委员")}


@pytest.mark.parametrize("who, seen", [
    ("office", {"甲村委员", "乙村委员"}), ("committee", {"甲村委员", "乙村委员"}),
    ("village_a_user", {"甲村委员"}), ("village_b_user", {"乙村委员"}), ("other_office", {"外镇委员"}),
])
def test_the_list_per_role(client, request, both, who, seen):
    client.force_login(request.getfixturevalue(who))
    response = client.get(LIST)
    assert {v.post for v in response.context["page"]} == seen


@pytest.mark.parametrize("who, key, list_, new, detail_, fill_", [
    ("office", "a", 200, 200, 200, 405),
    ("committee", "a", 200, 403, 200, 403),
    ("village_a_user", "a", 200, 200, 200, 403),
    ("village_a_user", "b", 200, 200, 404, 403),
    ("other_office", "a", 200, 200, 404, 405),
    ("unit_user", "a", 403, 403, 403, 403),
    ("mentor", "a", 403, 403, 403, 403),
    ("dept_x_user", "a", 403, 403, 403, 403),
])
def test_get_answers(client, request, both, who, key, list_, new, detail_, fill_):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == list_
    assert client.get(NEW).status_code == new
    assert client.get(detail(both[key])).status_code == detail_
    assert client.get(fill(both[key])).status_code == fill_


def test_the_committee_and_village_see_no_fill_buttons(client, committee, village_a_user, both):
    for user in (committee, village_a_user):
        client.force_login(user)
        text = page(client.get(detail(both["a"])))
        assert 'id="fill-form"' not in text and 'id="fill-other"' not in text


def test_open_first_then_newest(client, office, village_a):
    filled = vacancy(village_a, office, post="已补", arose_on=today() - D(days=50), filled_on=today() - D(days=1),
                     filled_note="换届")
    older = vacancy(village_a, office, post="旧空缺", arose_on=today() - D(days=40))
    newer = vacancy(village_a, office, post="新空缺", arose_on=today() - D(days=2))
    client.force_login(office)
    assert [v.pk for v in client.get(LIST).context["page"]] == [newer.pk, older.pk, filled.pk]
    assert [v.pk for v in client.get(LIST + "?state=filled").context["page"]] == [filled.pk]
    assert [v.pk for v in client.get(LIST + "?state=open").context["page"]] == [newer.pk, older.pk]


def test_the_list_takes_a_constant_number_of_queries(client, office, town, term, village_a):
    r = ReserveFactory(town=town, term=term, village=village_a, status=Reserve.Status.USED)

    def make(n):
        for i in range(n):
            vacancy(village_a, office, post=f"委员{i}", filled_on=today() if i % 2 else None,
                    filled_by=r if i % 2 else None)

    make(3)
    client.force_login(office)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    make(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(LIST)
    assert len(large) == len(small) and len(response.context["page"].object_list) == 25
