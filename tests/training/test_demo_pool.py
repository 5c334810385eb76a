"""The demo town's reserve pool (demo/pool.py, run by demo.data.build): every tier filled, the lists living, nothing
dated after the build's day, and every page of the pool answering its roles on the demo's data."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Adjustment, Assessment, AssessmentRound, Grade, Vacancy
from benchmarks import pool_pages
from cultivation.models import Course, DueTalk, Enrolment, HeartTalk, MeetingAttendance, Task
from demo import data as demo
from demo import pool as demo_pool
from reserve.choices import PoliticalStatus
from reserve.models import Event, Town, User
from reserve.roles import Role
from training.models import FollowUpVisit, Mentorship, PoolMeeting, PoolTerm, Reserve, Tier

from ..helpers import page, rows_made_once
from ..helpers import today as local_today

pytestmark = pytest.mark.django_db
S = Reserve.Status


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-pool-media")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, media_root):
    """The demo built once for the module (the notices' PDFs stubbed: they are not what is tested here)."""
    from publicity import services as publicity_services

    day = local_today()
    with rows_made_once(django_db_blocker, media_root), pytest.MonkeyPatch.context() as mp:
        mp.setattr(publicity_services, "render_pdf", lambda *a, **k: b"%PDF-1.7 test\n%%EOF")
        logins = demo.build(today=day)
        this_year = (day - datetime.timedelta(days=8)).year
        yield {"today": day, "logins": logins, "town": Town.objects.get(name=demo.TOWN_NAME),
               "rounds": (this_year - 1, this_year)}


def reserve(name) -> Reserve:
    return Reserve.objects.get(name=name)


def user(username) -> User:
    return User.objects.get(username=username)


def client_for(username) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


# ----------------------------------------------------------------------------------------------- what is there


def test_every_tier_has_active_reserves(built):
    active = Reserve.objects.filter(town=built["town"], status=S.ACTIVE)
    for tier in Tier:
        assert active.filter(tier=tier).exists(), tier.label
    assert active.filter(tier=Tier.VILLAGE).values("village").distinct().count() >= 4  # across villages
    assert active.filter(unit__isnull=False).values("unit").distinct().count() == len(demo_pool.UNITS)


@pytest.mark.parametrize("what, condition", [
    ("任用", {"status": S.USED, "used_post__gt": ""}),
    ("调整出库 (a village reserve)", {"status": S.REMOVED, "tier": Tier.VILLAGE}),
    ("推荐待审核 (tier 4)", {"status": S.PROPOSED, "tier": Tier.FOURTH}),
    ("入党积极分子 (not a party member)", {"activist_recommended_on__isnull": False, "political_status": PoliticalStatus.MASSES}),
    ("放宽条件", {"relaxation_reason__gt": "", "relaxation_approved_by__gt": ""}),
    ("立即补进", {"source": Reserve.Source.ADDED}),
    ("引进人才", {"source": Reserve.Source.RECRUITED}),
    ("镇党委会研究确定", {"source": Reserve.Source.COMMITTEE, "meeting__isnull": False}),
    ("from a selection round", {"source": Reserve.Source.SELECTION, "nomination__status": "reserve"}),
])
def test_the_pool_holds_every_case(built, what, condition):
    assert Reserve.objects.filter(town=built["town"], **condition).exists(), what


def test_terms_ending_soon_and_past_their_end(built):
    today = built["today"]
    active = Reserve.objects.filter(town=built["town"], status=S.ACTIVE)
    assert active.filter(term_end__lt=today).exists()  # 待续期
    assert active.filter(term_end__gte=today, term_end__lte=today + datetime.timedelta(days=60)).count() >= 2


def test_mentors_followups_practice_courses_talks(built):
    town, today = built["town"], built["today"]
    assert Mentorship.objects.filter(reserve__town=town, end__isnull=False).exists()  # a change of mentor
    assert Reserve.objects.filter(town=town, status=S.ACTIVE, mentor__isnull=True).exists()  # one still unpaired
    committee_paired = Reserve.objects.filter(town=town, tier__in=(1, 2, 3), mentor__isnull=False)
    assert committee_paired.exists()
    assert not committee_paired.exclude(mentor__groups__name=Role.COMMITTEE).exists()
    assert FollowUpVisit.objects.filter(reserve__status=S.USED).exists()
    tasks = Task.objects.filter(reserve__town=town)
    assert tasks.filter(status=Task.Status.GIVEN, due_on__lt=today).exists()  # overdue
    assert tasks.filter(status=Task.Status.REPORTED).exists()
    assert tasks.filter(status=Task.Status.EVALUATED).exists()
    assert MeetingAttendance.objects.filter(reserve__town=town).count() >= 3
    assert set(Course.objects.filter(town=town).values_list("kind", flat=True)) == set(Course.Kind.values)
    rotation = Course.objects.get(town=town, kind=Course.Kind.ROTATION)
    assert (rotation.start.month, rotation.start.day, rotation.end.month, rotation.end.day) == (9, 28, 10, 16)
    assert Enrolment.objects.filter(course=rotation).count() >= 2
    due = DueTalk.objects.filter(reserve__town=town)
    assert due.filter(talk__isnull=True, due_on__lt=today).exists()  # overdue
    assert due.filter(talk__isnull=False).exists()  # answered
    assert HeartTalk.objects.filter(reserve__town=town).count() >= 20


def test_the_new_accounts_are_printed(built):
    usernames = {row[0] for row in built["logins"]}
    assert {"dw02", "dw03", "ylr02", "ylr03", "dy01", "dy02", "dy03", "dy04"} <= usernames
    for username in ("dy01", "dy02", "dy03", "dy04"):
        head = user(username)
        assert head.unit is not None and head.groups.filter(name=Role.UNIT).exists()


# Every date a record says something happened on (deadlines and term ends may lie ahead).
HAPPENED = [
    (Reserve, ("start_date", "term_start", "used_on", "ended_on", "activist_recommended_on",
               "relaxation_approved_on", "created_at")),
    (PoolTerm, ("start",)), (PoolMeeting, ("date", "created_at")), (Mentorship, ("start", "end", "created_at")),
    (FollowUpVisit, ("date",)), (Task, ("given_on", "reported_on", "evaluated_on", "created_at")),
    (MeetingAttendance, ("date",)), (Course, ("start", "end", "created_at")), (Enrolment, ("created_at",)),
    (HeartTalk, ("held_at", "created_at")), (DueTalk, ("arose_on", "created_at")), (Event, ("at",)),
    (AssessmentRound, ("opened_on", "confirmed_on", "created_at")), (Assessment, ("veto_on", "confirmed_on")),
    (Adjustment, ("flagged_on", "proposed_on", "decided_on", "created_at")), (Vacancy, ("arose_on", "created_at")),
]


@pytest.mark.parametrize("model, fields", HAPPENED, ids=[m.__name__ for m, _f in HAPPENED])
def test_nothing_is_dated_after_the_build_day(built, model, fields):
    today = built["today"]
    for field in fields:
        values = [v for v in model.objects.values_list(field, flat=True) if v is not None]
        days = [timezone.localdate(v) if isinstance(v, datetime.datetime) else v for v in values]
        assert days, (model.__name__, field)
        assert max(days) <= today, (model.__name__, field, max(days))


def test_a_reserves_history_runs_in_the_order_it_happened(built):
    """The clock of each step is its day: a reserve's events are in the order of the days they tell of."""
    from django.contrib.contenttypes.models import ContentType

    someone = reserve("孙浩")
    events = Event.objects.filter(content_type=ContentType.objects.get_for_model(Reserve), object_id=someone.pk)
    actions = list(events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[0] == "reserve_added"
    assert actions.index("mentor_paired") < actions.index("change_post")
    assert timezone.localdate(events.get(action="reserve_added").at) == someone.start_date


# ----------------------------------------------------------------------------------------------- the pages


def test_every_pool_page_answers_its_roles_on_the_demo(built):
    """The benchmark's table of pages (benchmarks/pool_pages.PAGES), asked on the demo's objects: 200 for each
    role of its row (office; mentor; unit head; village; committee)."""
    town = built["town"]
    paired = reserve("彭雨桐")  # tier 4 of 农业农村办 (dy02), paired with 郑国华 (ylr01), on the rotation
    rotation = Course.objects.get(town=town, kind=Course.Kind.ROTATION)
    objects = {
        "reserve": paired, "renewal_due": reserve("何建军"), "nonparty": reserve("宋欣妍"), "used": reserve("钱晓燕"),
        "proposed": reserve("袁静怡"), "pool_meeting": PoolMeeting.objects.filter(town=town).first(),
        "term": PoolTerm.objects.get(town=town), "course": rotation,
        "enrolment": Enrolment.objects.select_related("course").get(course=rotation, reserve=paired),
        "task": Task.objects.filter(reserve=paired).first(),
        # assessment: last year's round, this year's (both confirmed in the demo), the paired reserve's assessment,
        # the veto's removal proposal, the 两委 vacancy
        "assessment_round": AssessmentRound.objects.get(town=town, year=built["rounds"][0]),
        "open_round": AssessmentRound.objects.get(town=town, year=built["rounds"][1]),
        "assessment": Assessment.objects.get(reserve=paired, year=built["rounds"][1]),
        "adjustment": Adjustment.objects.get(reserve=reserve("曹文韬")),
        "vacancy": Vacancy.objects.get(village__town=town),
    }
    assert paired.mentor == user("ylr01") and paired.unit == user("dy02").unit
    users = {"office": user("zzb"), "committee": user("dw01"), "village": user("cun01"), "unit": user("dy02"),
             "mentor": user("ylr01")}
    results = pool_pages.measure(pool_pages.Built(users=users, objects=objects), runs=0, memory=False)
    assert {r.role for r in results} == set(users)
    assert [(r.url, r.role, r.status) for r in results if r.status != 200] == []


def names_on(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return page(response)


@pytest.mark.parametrize("username, url_name, query, shown", [
    ("zzb", "training:pool_list", "", ["吴卓然", "孙浩", "何建军", "曹文韬"]),
    ("zzb", "training:pool_list", "?ending=on", ["孙浩", "何建军", "潘海涛"]),
    ("zzb", "training:pool_list", "?activist=on", ["宋欣妍"]),
    ("zzb", "training:review_list", "", ["袁静怡"]),
    ("zzb", "training:mentor_unpaired", "", ["朱晓敏"]),
    ("zzb", "training:mentor_list", "", ["郑国华", "孙书记"]),
    ("zzb", "training:meeting_list", "", ["研究确定"]),
    ("zzb", "cultivation:task_overdue", "", ["孙浩"]),
    ("zzb", "cultivation:talk_overdue", "", ["孙浩"]),
    ("zzb", "cultivation:talk_missing", "", ["何建军"]),
    ("zzb", "cultivation:course_list", "", ["上派轮训", "县委党校"]),
    ("ylr01", "cultivation:mentor_desk", "", ["彭雨桐", "宋欣妍"]),
    ("ylr01", "training:pool_list", "", ["彭雨桐"]),
    ("dy02", "training:pool_list", "", ["彭雨桐", "孙浩"]),
    ("dy04", "training:pool_list", "", ["曹文韬", "宋欣妍"]),
    ("dw01", "cultivation:mentor_desk", "", ["吴卓然"]),
])
def test_the_lists_show_living_rows(built, username, url_name, query, shown):
    text = names_on(client_for(username), reverse(url_name) + query)
    for name in shown:
        assert name in text, (url_name, name)


def test_a_village_sees_its_own_reserves_and_no_others(built):
    village = user("cun01").village
    own = Reserve.objects.filter(village=village)
    assert own.exists()
    text = names_on(client_for("cun01"), reverse("training:pool_list"))
    for r in own:
        assert r.name in text
    for other in Reserve.objects.exclude(village=village).exclude(name__in=[r.name for r in own]):
        assert not re.search(rf">\s*{other.name}\s*<", text), other.name
    client = client_for("cun01")
    assert client.get(reverse("training:reserve_detail", args=[own.first().pk])).status_code == 200
    assert client.get(reverse("training:reserve_detail", args=[reserve("彭雨桐").pk])).status_code == 404


# ----------------------------------------------------------------------------------------------- assessment


def test_two_years_of_assessments_confirmed_and_ranked(built):
    rounds = AssessmentRound.objects.filter(town=built["town"]).order_by("year")
    assert [(r.year, r.status) for r in rounds] == [(y, "confirmed") for y in built["rounds"]]
    for r in rounds:
        assessed = Assessment.objects.filter(round=r)
        assert assessed.count() > 15 and not assessed.exclude(status="confirmed").exists()
        assert not assessed.filter(veto_reason="", rank__isnull=True).exists()  # all but the vetoed are ranked


def test_a_veto_overrides_the_top_score(built):
    vetoed = Assessment.objects.get(reserve=reserve("曹文韬"), year=built["rounds"][1])
    tier = Assessment.objects.filter(round=vetoed.round, tier=vetoed.tier)
    assert vetoed.veto_reason == "造成恶劣影响" and vetoed.grade == Grade.INCOMPETENT and vetoed.rank is None
    assert vetoed.total == max(a.total for a in tier) and not vetoed.priority
    assert Adjustment.objects.get(reserve=vetoed.reserve).get_status_display() == "待组织办提出意见"


def test_a_tie_is_broken_by_the_earlier_entry(built):
    first, second = (Assessment.objects.get(reserve=reserve(n), year=built["rounds"][1]) for n in ("周思婷", "郑宇辰"))
    assert first.total == second.total and first.scores == second.scores
    earlier, later = sorted((first, second), key=lambda a: a.reserve.start_date)
    assert (earlier.rank, later.rank) == (1, 2)


def test_a_reserve_warned_and_one_removed_after_two_lagging_years(built):
    warned = DueTalk.objects.filter(reserve__town=built["town"], kind="assessment", reason__contains="提醒谈话")
    assert warned.filter(arose_on__year=built["rounds"][1]).exists()
    removed = Adjustment.objects.get(status="approved")
    assert removed.cause == Adjustment.Cause.LAGGING_TWICE and removed.reserve.status == S.REMOVED
    assert Assessment.objects.filter(reserve=removed.reserve, lagging=True).count() == 2
    assert removed.decided_by == user("dw01")


def test_a_village_with_a_vacancy_lists_its_reserves_ranked(built):
    vacancy = Vacancy.objects.get(village__town=built["town"], filled_on__isnull=True)
    text = names_on(client_for("zzb"), reverse("assessment:vacancy_detail", args=[vacancy.pk]))
    for r in Reserve.objects.filter(village=vacancy.village, status=S.ACTIVE):
        assert r.name in text
