"""The priority uses of a confirmed assessment (issue 12 points 3 and 5): the priority list per tier (and its PDF),
提拔使用 and 上级调训, the 入党积极分子 candidates, the marks on the pool list and on a reserve's page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from assessment import priority
from assessment.models import Grade
from reserve import jobs
from reserve.choices import PoliticalStatus
from reserve.models import AuditEntry, Job
from reserve.scope import Scope
from training.models import Reserve, Tier

from ..factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    PersonFactory,
    PoolTermFactory,
    ReserveFactory,
    UnitFactory,
)
from ..helpers import page, pdf_text, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta
LIST = reverse("assessment:priority_list")
USE = reverse("assessment:priority_use")
TRAINING = reverse("assessment:priority_training")
PDF = reverse("assessment:priority_pdf")
ACTIVISTS = reverse("assessment:activist_list")
POOL = reverse("training:pool_list")


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


def confirmed_round(town, term, *, year=None, days_ago=5, **kw):
    return AssessmentRoundFactory(town=town, term=term, status="confirmed", year=year or today().year - 1,
                                  confirmed_on=today() - D(days=days_ago), **kw)


_seq = iter(range(10**6))


def reserve(town, term, *, tier=Tier.VILLAGE, village=None, unit=None, name=None, **kw):
    name = name or f"人员{next(_seq)}"
    if tier in (Tier.FIRST, Tier.SECOND, Tier.FOURTH) and unit is None:
        unit = UnitFactory(town=town)
    if unit is not None:
        kw.update(unit=unit, village=None)
    elif village is not None:
        kw["village"] = village
    return ReserveFactory(town=town, term=term, tier=tier, name=name, person=PersonFactory(name=name), **kw)


def assess(round_, r, *, rank=None, ranked_of=None, total="80", grade=Grade.COMPETENT, priority_=False,
           lagging=False, veto="", **kw):
    return AssessmentFactory(round=round_, reserve=r, status="confirmed", total=Decimal(total), grade=grade,
                             rank=rank, ranked_of=ranked_of, priority=priority_, lagging=lagging, veto_reason=veto,
                             confirmed_on=round_.confirmed_on, **kw)


@pytest.fixture
def world(town, term, village_a, village_b):
    """A confirmed round: tier 1 of 5 (top 20%: 1 flagged), tier 3 of 3 (1 flagged), village reserves of 10
    (top 20%: 2 flagged; the vetoed best total is neither ranked nor flagged), tier 4 of 2 (1 flagged, since used)."""
    rnd = confirmed_round(town, term, top_percent={"1": 20, "2": 20, "3": 34, "4": 50, "5": 20})
    rows = {}
    for i in range(5):
        r = reserve(town, term, tier=Tier.FIRST, name=f"一梯{i + 1}")
        rows[r.name] = assess(rnd, r, rank=i + 1, ranked_of=5, total=str(95 - i), priority_=i == 0)
    for i in range(3):
        r = reserve(town, term, tier=Tier.THIRD, village=village_a, name=f"三梯{i + 1}")
        rows[r.name] = assess(rnd, r, rank=i + 1, ranked_of=3, total=str(90 - i), priority_=i == 0)
    for i in range(10):
        r = reserve(town, term, village=village_a if i % 2 else village_b, name=f"村级{i + 1}")
        rows[r.name] = assess(rnd, r, rank=i + 1, ranked_of=10, total=str(89 - i), priority_=i < 2,
                              grade=Grade.EXCELLENT if i < 3 else Grade.COMPETENT)
    vetoed = reserve(town, term, village=village_a, name="否决者")
    rows["否决者"] = assess(rnd, vetoed, total="99", veto="违纪违法", grade=Grade.INCOMPETENT)
    used = reserve(town, term, tier=Tier.FOURTH, name="已任用者", status=Reserve.Status.USED)
    rows["已任用者"] = assess(rnd, used, rank=1, ranked_of=2, total="88", priority_=True)
    other = reserve(town, term, tier=Tier.FOURTH, name="四梯二")
    rows["四梯二"] = assess(rnd, other, rank=2, ranked_of=2, total="70")
    return {"round": rnd, "rows": rows}


def names(response):
    return [a.reserve.name for a in response.context["page"]]


# --- the rounds ------------------------------------------------------------------------------------------------


def test_latest_confirmed_round(town, term):
    assert priority.latest_confirmed_round(town.pk) is None
    AssessmentRoundFactory(town=town, term=term, year=today().year)  # open: never the latest confirmed
    old = confirmed_round(town, term, year=today().year - 2, days_ago=300)
    assert priority.latest_confirmed_round(town.pk) == old
    new = confirmed_round(town, term, year=today().year - 1, days_ago=3)
    final = confirmed_round(town, term, year=today().year - 1, days_ago=1, kind="final")
    assert priority.latest_confirmed_round(town.pk) == final
    assert priority.latest_confirmed_round(town.pk, kind="annual") == new
    assert priority.latest_confirmed_round(town.pk, kind="final") == final


# --- the priority list -------------------------------------------------------------------------------------------


def test_the_list_in_tier_and_rank_order_without_the_vetoed(client, office, world):
    client.force_login(office)
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["一梯1", "三梯1", "已任用者", "村级1", "村级2"]
    text = page(response)
    assert "否决者" not in text
    for words in ("镇党委适时向上级提出使用建议", "出现职数空缺或新一轮选任时优先推荐使用", "镇党委、政府搭建发展平台",
                  "村“两委”出现缺额时优先推选"):
        assert words in text
    assert 'action="/pool/priority/pdf/"' in text and f'name="round" value="{world["round"].pk}"' in text


def test_the_summaries_take_the_rounds_top_percent(client, office, world):
    client.force_login(office)
    summaries = {s.tier: s for s in client.get(LIST).context["summaries"]}
    assert (summaries[1].percent, summaries[1].ranked, summaries[1].listed) == (20, 5, 1)
    assert (summaries[3].percent, summaries[3].listed) == (34, 1)
    assert (summaries[5].percent, summaries[5].ranked, summaries[5].listed) == (20, 10, 2)  # the vetoed: not ranked
    assert summaries[2].ranked == 0 and summaries[4].percent == 50


def test_a_tier_filter(client, office, world):
    client.force_login(office)
    assert names(client.get(LIST + "?tier=5")) == ["村级1", "村级2"]
    assert names(client.get(LIST + "?tier=3")) == ["三梯1"]
    assert names(client.get(LIST + "?tier=abc")) == ["一梯1", "三梯1", "已任用者", "村级1", "村级2"]


def test_the_use_and_training_lists_are_tiers_1_to_3_still_in_training(client, office, world, town):
    client.force_login(office)
    assert names(client.get(USE)) == ["一梯1", "三梯1"]
    response = client.get(TRAINING)
    assert names(response) == ["一梯1", "三梯1"]
    assert "优先推荐参加区级及以上高层次培训" in page(response)
    world["rows"]["一梯1"].reserve.status = Reserve.Status.REMOVED
    world["rows"]["一梯1"].reserve.save()
    assert names(client.get(USE)) == ["三梯1"]
    assert names(client.get(LIST))[0] == "一梯1"  # the round's list keeps what the round decided


def test_choosing_an_older_round(client, office, world, town, term):
    older = confirmed_round(town, term, year=today().year - 2, days_ago=400)
    assess(older, reserve(town, term, name="旧年优先"), rank=1, ranked_of=1, priority_=True)
    client.force_login(office)
    assert client.get(LIST).context["round"] == world["round"]
    assert names(client.get(LIST + f"?round={older.pk}")) == ["旧年优先"]


def test_no_round_yet(client, office):
    client.force_login(office)
    response = client.get(LIST)
    assert response.status_code == 200 and 'id="no-round"' in page(response)
    response = client.post(PDF)
    assert response.status_code == 302 and response["Location"] == LIST


def test_an_open_round_is_not_listed(client, office, town, term):
    rnd = AssessmentRoundFactory(town=town, term=term)
    client.force_login(office)
    assert client.get(LIST + f"?round={rnd.pk}").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("office", 200), ("committee", 200), ("village_a_user", 403), ("unit_user", 403), ("mentor", 403),
    ("dept_x_user", 403),
])
def test_who_reads_the_priority_lists(client, request, world, who, status):
    client.force_login(request.getfixturevalue(who))
    for url in (LIST, USE, TRAINING):
        assert client.get(url).status_code == status
    # The PDF is made in the background: the button (a POST) sends a reader to the job's page.
    assert client.post(PDF, {"list": "use"}).status_code == (302 if status == 200 else status)


def test_another_towns_round_is_404(client, other_office, world):
    client.force_login(other_office)
    assert client.get(LIST + f"?round={world['round'].pk}").status_code == 404
    assert client.post(PDF, {"round": world["round"].pk}).status_code == 404
    response = client.get(LIST)
    assert response.status_code == 200 and response.context["round"] is None


def pdf_job(client, capture, data: dict) -> Job:
    """POST the list page's PDF button: a job (run on commit: the tests run django-q2 in sync mode)."""
    with capture(execute=True):
        response = client.post(PDF, data)
    assert response.status_code == 302
    match = resolve(response["Location"])
    assert match.url_name == "job_detail"
    return Job.objects.get(pk=match.kwargs["pk"])


def test_the_pdf_names_the_listed_and_is_audited(client, committee, world, town, django_capture_on_commit_callbacks):
    client.force_login(committee)
    job = pdf_job(client, django_capture_on_commit_callbacks, {"round": world["round"].pk})
    assert job.status == Job.Status.DONE, job.message
    assert job.owner == committee and job.filename.endswith(".pdf") and world["round"].title in job.filename
    with job.file.open("rb") as f:
        text = pdf_text(f.read())
    for name in ("一梯1", "三梯1", "已任用者", "村级1", "村级2"):
        assert name in text
    assert "否决者" not in text and "一梯2" not in text
    assert (town.party_committee_name or f"中共{town.name}委员会") in text
    assert world["round"].title in text
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).latest("pk")
    assert entry.detail["file"] == "priority_pdf" and entry.object_id == str(world["round"].pk)
    assert entry.detail["job"] == job.pk
    made = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("pk")
    assert made.detail["file"] == "priority_pdf" and made.detail["rows"] == job.total
    assert client.post(PDF, {"list": "nonsense"}).status_code == 404
    assert client.get(PDF + f"?round={world['round'].pk}").status_code == 405  # a GET starts nothing


def test_the_pdf_of_a_list_keeps_its_tiers(client, office, world, django_capture_on_commit_callbacks):
    client.force_login(office)
    job = pdf_job(client, django_capture_on_commit_callbacks, {"round": world["round"].pk, "list": "use"})
    assert job.status == Job.Status.DONE, job.message
    with job.file.open("rb") as f:
        text = pdf_text(f.read())
    assert "一梯1" in text and "村级1" not in text  # 提拔使用: tiers 1–3 only


def test_the_pdf_job_checks_the_owners_scope_when_it_runs(client, office, world, django_capture_on_commit_callbacks):
    """The job runs later than asked: an owner who lost the town's roles meanwhile gets a refusal, not the list."""
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(PDF, {"round": world["round"].pk})
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    office.groups.clear()
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.file and "无权" in job.message


def _many(town, term, rnd, n):
    for _i in range(n):
        assess(rnd, reserve(town, term, tier=Tier.THIRD), rank=1, ranked_of=1, priority_=True)


@pytest.mark.parametrize("url", [LIST, USE, LIST + "?tier=3"])
def test_the_list_takes_a_constant_number_of_queries(client, office, town, term, url):
    rnd = confirmed_round(town, term)
    _many(town, term, rnd, 3)
    client.force_login(office)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _many(town, term, rnd, 27)
    client.get(url)  # the account's cached facts, renewed by the rows just made (reserve.request_facts)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large) == len(small)
    assert len(response.context["page"].object_list) == 25


# --- 入党积极分子 ------------------------------------------------------------------------------------------------


P = PoliticalStatus


@pytest.mark.parametrize("status, grade, recommended, listed", [
    (P.MASSES, Grade.EXCELLENT, False, True),
    (P.LEAGUE_MEMBER, Grade.EXCELLENT, False, True),
    (P.OTHER_PARTY, Grade.EXCELLENT, False, True),
    (P.PARTY_MEMBER, Grade.EXCELLENT, False, False),
    (P.PROBATIONARY, Grade.EXCELLENT, False, False),
    (P.MASSES, Grade.COMPETENT, False, False),
    (P.MASSES, Grade.BASIC, False, False),
    (P.MASSES, Grade.INCOMPETENT, False, False),
    (P.LEAGUE_MEMBER, Grade.COMPETENT, False, False),
    (P.MASSES, Grade.EXCELLENT, True, False),
    (P.PARTY_MEMBER, Grade.COMPETENT, True, False),
])
def test_the_activist_rule(client, office, town, term, village_a, status, grade, recommended, listed):
    rnd = confirmed_round(town, term)
    r = reserve(town, term, village=village_a, name="候选人", political_status=status,
                activist_recommended_on=today() if recommended else None)
    assess(rnd, r, grade=grade)
    found = [a.reserve.name for a in priority.activist_candidates(office)]
    assert (found == ["候选人"]) is listed
    assert priority.activist_rule(status, grade, False, recommended) is listed


def test_activists_only_from_the_latest_round_active_and_not_vetoed(client, office, town, term, village_a):
    old = confirmed_round(town, term, year=today().year - 2, days_ago=400)
    rnd = confirmed_round(town, term)
    was = reserve(town, term, village=village_a, name="去年优秀")
    assess(old, was, grade=Grade.EXCELLENT)
    assess(rnd, was, grade=Grade.COMPETENT)
    assess(rnd, reserve(town, term, village=village_a, name="已出库", status=Reserve.Status.REMOVED),
           grade=Grade.EXCELLENT)
    assess(rnd, reserve(town, term, village=village_a, name="否决"), grade=Grade.EXCELLENT, veto="违纪违法")
    assess(rnd, reserve(town, term, village=village_a, name="今年优秀"), grade=Grade.EXCELLENT)
    client.force_login(office)
    assert names(client.get(ACTIVISTS)) == ["今年优秀"]


def test_activists_per_role(client, office, committee, village_a_user, village_b_user, town, term, village_a,
                            village_b):
    rnd = confirmed_round(town, term)
    a = reserve(town, term, village=village_a, name="东山优秀")
    assess(rnd, a, grade=Grade.EXCELLENT)
    assess(rnd, reserve(town, term, village=village_b, name="西岭优秀"), grade=Grade.EXCELLENT)
    client.force_login(office)
    response = client.get(ACTIVISTS)
    assert sorted(names(response)) == ["东山优秀", "西岭优秀"]
    assert reverse("training:reserve_activist", args=[a.pk]) in page(response)
    client.force_login(committee)
    response = client.get(ACTIVISTS)
    assert sorted(names(response)) == ["东山优秀", "西岭优秀"]
    assert 'data-action="activist"' not in page(response)  # the committee reads
    client.force_login(village_a_user)
    response = client.get(ACTIVISTS)
    assert names(response) == ["东山优秀"] and 'data-action="activist"' in page(response)
    client.force_login(village_b_user)
    assert names(client.get(ACTIVISTS)) == ["西岭优秀"]


@pytest.mark.parametrize("who, status", [("unit_user", 403), ("mentor", 403), ("dept_x_user", 403),
                                          ("other_office", 200)])
def test_activists_refused_roles(client, request, town, term, village_a, who, status):
    assess(confirmed_round(town, term), reserve(town, term, village=village_a, name="东山优秀"),
           grade=Grade.EXCELLENT)
    client.force_login(request.getfixturevalue(who))
    response = client.get(ACTIVISTS)
    assert response.status_code == status
    if status == 200:
        assert "东山优秀" not in page(response)


def test_the_activist_list_takes_a_constant_number_of_queries(client, office, town, term, village_a):
    rnd = confirmed_round(town, term)

    def make(n):
        for _i in range(n):
            assess(rnd, reserve(town, term, village=village_a), grade=Grade.EXCELLENT)

    make(3)
    client.force_login(office)
    client.get(ACTIVISTS)
    with CaptureQueriesContext(connection) as small:
        client.get(ACTIVISTS)
    make(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(ACTIVISTS)
    assert len(large) == len(small) and len(response.context["page"].object_list) == 25


# --- the marks ---------------------------------------------------------------------------------------------------


def _marks(response):
    return {r.name: [m[0] for m in r.marks] for r in response.context["page"]}


def test_the_pool_list_shows_the_marks_of_the_latest_round(client, office, town, term, village_a):
    old = confirmed_round(town, term, year=today().year - 2, days_ago=400)
    rnd = confirmed_round(town, term)
    top = reserve(town, term, village=village_a, name="优先者")
    low = reserve(town, term, village=village_a, name="靠后者")
    vetoed = reserve(town, term, village=village_a, name="否决者")
    before = reserve(town, term, village=village_a, name="去年优先")
    plain = reserve(town, term, village=village_a, name="平常者")
    assess(rnd, top, rank=1, ranked_of=4, priority_=True)
    assess(rnd, low, rank=4, ranked_of=4, lagging=True)
    assess(rnd, vetoed, veto="违纪违法", priority_=True)  # a veto overrides: no priority mark beside it
    assess(old, before, rank=1, ranked_of=3, priority_=True)
    assess(rnd, before, rank=2, ranked_of=4)
    assess(rnd, plain, rank=3, ranked_of=4)
    client.force_login(office)
    response = client.get(POOL)
    marks = _marks(response)
    assert marks["优先者"] == ["优先使用"] and marks["靠后者"] == ["考核靠后"] and marks["否决者"] == ["一票否决"]
    assert marks["去年优先"] == [] and marks["平常者"] == []
    text = page(response)
    assert str(rnd.year) in text and "第1/4名" in text and "data-mark" in text


def test_the_reserve_page_shows_its_marks(client, office, village_a_user, town, term, village_a):
    rnd = confirmed_round(town, term)
    top = reserve(town, term, village=village_a, name="优先者")
    plain = reserve(town, term, village=village_a, name="平常者")
    assess(rnd, top, rank=1, ranked_of=2, priority_=True)
    assess(rnd, plain, rank=2, ranked_of=2)
    for user in (office, village_a_user):
        client.force_login(user)
        text = page(client.get(reverse("training:reserve_detail", args=[top.pk])))
        assert 'id="priority-marks"' in text and "优先使用" in text
        assert 'id="priority-marks"' not in page(client.get(reverse("training:reserve_detail", args=[plain.pk])))


def test_marks_take_one_query_and_the_pool_list_stays_constant(client, office, town, term, village_a):
    rnd = confirmed_round(town, term)

    def make(n):
        for i in range(n):
            assess(rnd, reserve(town, term, village=village_a), rank=i + 1, ranked_of=n, priority_=i % 2 == 0,
                   lagging=i % 3 == 0)

    make(3)
    ids = list(Reserve.objects.values_list("pk", flat=True))
    Scope.for_user(office)  # built once per request (request.scope)
    with CaptureQueriesContext(connection) as q:
        priority.pool_marks(ids, office)
    assert len(q) == 1
    client.force_login(office)
    client.get(POOL)
    with CaptureQueriesContext(connection) as small:
        client.get(POOL)
    make(27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(POOL)
    assert len(large) == len(small)
    assert sum(1 for r in response.context["page"] if r.marks) > 5


def test_no_marks_for_another_town(other_office, town, term, village_a):
    rnd = confirmed_round(town, term)
    r = reserve(town, term, village=village_a)
    assess(rnd, r, rank=1, ranked_of=1, priority_=True)
    assert priority.pool_marks([r.pk], other_office) == {}
    assert priority.pool_marks([], other_office) == {}


@pytest.mark.parametrize("name, kwargs", [
    ("assessment:priority_list", {}), ("assessment:priority_use", {}), ("assessment:priority_training", {}),
    ("assessment:priority_pdf", {}), ("assessment:activist_list", {}), ("assessment:vacancy_list", {}),
    ("assessment:vacancy_new", {}), ("assessment:vacancy_detail", {"pk": 1}), ("assessment:vacancy_fill", {"pk": 1}),
])
def test_anonymous_is_sent_to_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and "login" in response["Location"]
