"""Attacks on the pool's pages (issue 11, "Bad input and permissions"), through the test client, as an insider
and as an outsider: training (the pool, entry, terms, mentors) and cultivation (practice, courses, talks).

- scope: another village's, unit's, mentor's or town's object → 404; a role that never acts → 403; and in both
  cases nothing written (rows and events counted before and after);
- ids smuggled in form fields (reserve, mentor, meeting, unit, village) of another town, and garbage ids;
- input: overlong text, dates in the future, dates before the step they depend on, empty required fields,
  HTML in text fields rendered back, formula-looking text, the ID number's full-width digits and lower-case x,
  a bad checksum, a relaxation without a reason, garbage GET parameters;
- workflow: steps skipped, stale forms, double submits, two actions from stale pages;
- never a 500, and a Chinese message on a refusal.

Each test passes when the app behaves as the issue asks; a failing one is a bug (listed in H7's report).
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Person
from cultivation.models import Course, DueTalk, Enrolment, Grade, HeartTalk, MeetingAttendance, TalkKind, Task
from reserve.choices import Education as E
from reserve.choices import PoliticalStatus
from reserve.models import Event
from reserve.roles import Role
from training import tiers
from training.entry import TERM_FIELDS
from training.models import FollowUpVisit, Mentorship, PoolMeeting, PoolTerm, Reserve, Tier

from ..factories import (
    DepartmentFactory,
    PersonFactory,
    PoolTermFactory,
    ReserveFactory,
    TownFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    make_id,
)
from ..helpers import message_texts, page, rows_made_once, today, years_ago

pytestmark = pytest.mark.django_db

D = datetime.timedelta
S = Reserve.Status
CJK = re.compile(r"[\u4e00-\u9fff]")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/","点我")'
HUGE = "99999999999999999999999"


def iso(day) -> str:
    return day.isoformat()


def held(day, hour=9) -> str:
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def T() -> datetime.date:  # noqa: N802
    return today()


# --------------------------------------------------------------------------- what is written


MODELS = (Reserve, Mentorship, FollowUpVisit, PoolMeeting, PoolTerm, Person, Task, MeetingAttendance, Course,
          Enrolment, HeartTalk, DueTalk, Event)


def snapshot():
    """Every row count the pool's pages write (one query), and the fields of the rows they change in place."""
    from django.db import connection

    counts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)})" for m in MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return (
        dict(zip([m.__name__ for m in MODELS], row, strict=True)),
        sorted(Reserve.objects.values_list(
            "pk", "status", "version", "post", "mentor_id", "tier", "term_end", "term_number", "used_post",
            "ended_on", "activist_recommended_on", "relaxation_reason", "last_talk_on", "meets_conditions")),
        sorted(Task.objects.values_list("pk", "status", "version", "result", "grade", "comment")),
        sorted(Enrolment.objects.values_list("pk", "attended", "hours", "result", "grade", "sending_unit")),
        sorted(PoolTerm.objects.values_list("pk", "name", "age_limit_tier1", "target_tier1")),
        sorted(Mentorship.objects.values_list("pk", "mentor_id", "end")),
    )


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


# --------------------------------------------------------------------------- the world attacked


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("attack-pool-media")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, media_root):
    """Two towns; in ours two villages and two units, each with reserves; mentors; meetings, courses, tasks. Made
    once for the module (tests.helpers.rows_made_once): each test runs in a savepoint rolled back after it."""
    with rows_made_once(django_db_blocker, media_root):
        yield _world()


@pytest.fixture
def w(built, db):
    return built


def _user_fixture(name):
    @pytest.fixture(name=name)
    def fixture(w):
        return getattr(w, name)
    return fixture


for _name in ("town", "other_town", "village_a", "village_b", "unit_a", "office", "committee", "village_a_user",
              "village_b_user", "dept_x_user", "mentor", "other_office", "unit_user"):
    globals()[f"fixture_{_name}"] = _user_fixture(_name)


def writer(w, key):
    """Who makes the move of `key`: the office, but for a removal — only the committee (镇党委) removes a reserve."""
    return w.committee if key == "remove" else w.office


def _world():
    ns = SimpleNamespace()
    ns.town, ns.other_town = TownFactory(name="青山镇"), TownFactory(name="绿水镇")
    town, other_town = ns.town, ns.other_town
    village_a = ns.village_a = VillageFactory(town=town, name="东山村")
    village_b = ns.village_b = VillageFactory(town=town, name="西岭村")
    unit_a = ns.unit_a = UnitFactory(town=town, name="农业服务中心")
    office = ns.office = UserFactory(username="office", town=town, role=Role.OFFICE)
    ns.committee = UserFactory(username="committee", town=town, role=Role.COMMITTEE)
    ns.village_a_user = UserFactory(username="cun_a", town=town, village=village_a, role=Role.VILLAGE)
    ns.village_b_user = UserFactory(username="cun_b", town=town, village=village_b, role=Role.VILLAGE)
    dept = DepartmentFactory(town=town, name="纪委")
    ns.dept_x_user = UserFactory(username="dept_x", town=town, department=dept, role=Role.DEPARTMENT)
    mentor = ns.mentor = UserFactory(username="mentor", town=town, role=Role.MENTOR)
    other_office = ns.other_office = UserFactory(username="office2", town=other_town, role=Role.OFFICE)
    ns.unit_user = UserFactory(username="unit_a", town=town, unit=unit_a, role=Role.UNIT)
    t = T()
    ns.term = PoolTermFactory(town=town)
    ns.other_term = PoolTermFactory(town=other_town)
    ns.other_unit = UnitFactory(town=town, name="财政所")
    ns.other_mentor = UserFactory(username="mentor_b", town=town, role=Role.MENTOR)
    ns.foreign_mentor = UserFactory(username="mentor_x", town=other_town, role=Role.MENTOR)
    ns.reserve = ReserveFactory(town=town, term=ns.term, village=village_a, mentor=mentor, name="张村甲")
    Mentorship.objects.create(reserve=ns.reserve, mentor=mentor, start=ns.reserve.start_date, basis="单位推荐",
                              proposed_by="东山村", recorded_by=office)
    ns.reserve_b = ReserveFactory(town=town, term=ns.term, village=village_b, mentor=ns.other_mentor, name="李村乙")
    ns.unit_reserve = ReserveFactory(town=town, term=ns.term, unit=unit_a, tier=Tier.FOURTH, name="王站丙",
                                     field_experience="农技推广")
    ns.other_unit_reserve = ReserveFactory(town=town, term=ns.term, unit=ns.other_unit, tier=Tier.FOURTH,
                                           name="赵所丁", field_experience="财务")
    ns.foreign_village = VillageFactory(town=other_town, name="外镇村")
    ns.foreign_unit = UnitFactory(town=other_town, name="外镇站")
    ns.foreign = ReserveFactory(town=other_town, term=ns.other_term, village=ns.foreign_village, name="钱外镇")
    ns.proposed = ReserveFactory(town=town, term=ns.term, unit=unit_a, tier=Tier.FOURTH, status=S.PROPOSED,
                                 source=Reserve.Source.RECOMMENDED, name="孙推荐", field_experience="养殖")
    used = {"status": S.USED, "used_post": "村委会主任", "used_on": t - D(days=10), "ended_on": t - D(days=10)}
    ns.used_a = ReserveFactory(town=town, term=ns.term, village=village_a, name="周任用", **used)
    ns.used_b = ReserveFactory(town=town, term=ns.term, village=village_b, name="吴任用", **used)
    ns.used_other_unit = ReserveFactory(town=town, term=ns.term, unit=ns.other_unit, tier=Tier.FOURTH,
                                        name="郑任用", **used)
    ns.removed = ReserveFactory(town=town, term=ns.term, village=village_a, status=S.REMOVED, mentor=mentor,
                                name="冯出库", ended_on=t - D(days=5))
    ns.meeting = PoolMeeting.objects.create(town=town, date=t - D(days=30), attendees="甲、乙", recorded_by=office)
    ns.foreign_meeting = PoolMeeting.objects.create(town=other_town, date=t - D(days=30), attendees="丙外镇委员",
                                                    recorded_by=other_office)
    course = {"kind": Course.Kind.CLASS, "topic": Course.Topic.THEORY, "organiser": "镇党委",
              "start": t - D(days=5), "end": t - D(days=3), "hours": 8}
    ns.course = Course.objects.create(town=town, title="理论班", recorded_by=office, **course)
    ns.foreign_course = Course.objects.create(town=other_town, title="外镇班", recorded_by=other_office, **course)
    ns.enrolment = Enrolment.objects.create(course=ns.course, reserve=ns.reserve, recorded_by=office)
    task = {"content": "完成一份调研报告", "given_by": "王书记", "given_on": t - D(days=20), "due_on": t + D(days=10),
            "recorded_by": office}
    ns.task = Task.objects.create(reserve=ns.reserve, title="调研甲", **task)
    ns.task_reported = Task.objects.create(reserve=ns.reserve, title="调研甲2", status=Task.Status.REPORTED,
                                           result="已完成", reported_on=t - D(days=1), **task)
    ns.task_b = Task.objects.create(reserve=ns.reserve_b, title="调研乙", **task)
    ns.task_b_reported = Task.objects.create(reserve=ns.reserve_b, title="调研乙2", status=Task.Status.REPORTED,
                                             result="已完成", reported_on=t - D(days=1), **task)
    ns.task_ou = Task.objects.create(reserve=ns.other_unit_reserve, title="调研丁", **task)
    ns.task_unit_reported = Task.objects.create(reserve=ns.unit_reserve, title="调研丙2", status=Task.Status.REPORTED,
                                                result="已完成", reported_on=t - D(days=1), **task)
    return ns


# --------------------------------------------------------------------------- the pages and valid input for each

# key: (URL name, extra URL args after the target's pk, the payload of a valid POST)
ROUTES = {
    "use": ("training:reserve_use", ()),
    "remove": ("training:reserve_remove", ()),
    "expire": ("training:reserve_expire", ()),
    "post": ("training:reserve_change_post", ()),
    "tier": ("training:reserve_change_tier", ()),
    "activist": ("training:reserve_activist", ()),
    "action": ("training:reserve_action", ("decline_reserve",)),
    "relax": ("training:relaxation_new", ()),
    "followup": ("training:followup_new", ()),
    "pair": ("training:mentor_pair", ()),
    "decide": ("training:review_decide", ()),
    "term": ("training:term_edit", ()),
    "task": ("cultivation:task_new", ()),
    "attend": ("cultivation:meeting_new", ()),
    "report": ("cultivation:task_detail", ()),
    "evaluate": ("cultivation:task_detail", ()),
    "cancel": ("cultivation:task_detail", ()),
    "enrol": ("cultivation:course_detail", ()),
    "attendance": ("cultivation:enrolment_edit", ()),
    "talk": ("cultivation:talk_new", ()),
    "due": ("cultivation:due_talk_new", ()),
}
# Pages with no object in their address.
PLAIN = {
    "entry": "training:entry_new",
    "pool_meeting": "training:meeting_new",
    "term_new": "training:term_new",
    "course": "cultivation:course_new",
}
POST_ONLY = {"action", "decide"}


def term_payload(term=None, **changes):
    values = {name: getattr(term or PoolTerm(), name) for name in TERM_FIELDS}
    values["name"] = "新届期" if term is None else term.name
    values["start"] = (term.start if term else T().replace(day=1)).strftime("%Y-%m")
    values.update(changes)
    return {k: str(v) for k, v in values.items()}


def entry_payload(**changes):
    data = {"name": "孙立", "id_number": make_id(years_ago(30), seq=77), "tier": "4",
            "education": str(E.HIGH_SCHOOL), "field_experience": "养殖大户", "recommended_by": "农业服务中心党支部"}
    data.update(changes)
    return data


def payload(key, ns, **changes) -> dict:
    t = T()
    data = {
        "use": lambda: {"version": "0", "post": "村委会主任", "used_on": iso(t - D(days=1))},
        "remove": lambda: {"version": "0", "reason": "不再适合", "approver": "镇党委书记", "ended_on": iso(t)},
        "expire": lambda: {"version": "0", "reason": "期满不再续期"},
        "post": lambda: {"version": "0", "post": "村党支部副书记", "changed_on": iso(t)},
        "tier": lambda: {"version": "0", "tier": "4", "reason": "党委会研究"},
        "activist": lambda: {"version": "0", "recommended_on": iso(t), "note": "表现突出"},
        "action": lambda: {"version": "0", "reason": "不符合条件"},
        "relax": lambda: {"version": "0", "relaxation_reason": "业绩突出", "relaxation_approved_by": "镇党委书记",
                          "relaxation_approved_on": iso(t)},
        "followup": lambda: {"date": iso(t), "visited_by": "王书记", "content": "履职良好"},
        "pair": lambda: {"mentor": str(ns.other_mentor.pk), "start": iso(t), "proposed_by": "东山村",
                         "basis": "单位推荐、党建办指定"},
        "decide": lambda: {"action": "decline_reserve", "version": "0", "reason": "经历不足"},
        "term": lambda: term_payload(ns.term, age_limit_tier1="36"),
        "task": lambda: {"title": "调研", "content": "完成一份调研报告", "given_by": "王书记", "given_on": iso(t),
                         "due_on": iso(t + D(days=10))},
        "attend": lambda: {"date": iso(t), "meeting": "村民代表会议", "note": "列席"},
        "report": lambda: {"op": "report", "report-version": "0", "report-result": "已完成",
                           "report-reported_on": iso(t)},
        "evaluate": lambda: {"op": "evaluate", "evaluate-version": "0", "evaluate-grade": Grade.GOOD,
                             "evaluate-comment": "完成得好"},
        "cancel": lambda: {"op": "cancel", "cancel-version": "0", "cancel-reason": "不再需要"},
        "enrol": lambda: {"reserve": str(ns.reserve_b.pk), "sending_unit": ""},
        "attendance": lambda: {"attended": "1", "hours": "6", "result": "结业", "grade": Grade.GOOD},
        "talk": lambda: {"held_at": held(t - D(days=1)), "kind": TalkKind.REGULAR, "place": "村委会",
                         "talker": "王书记", "topic": "工作近况", "content": "谈了工作和思想情况", "follow_up": ""},
        "due": lambda: {"kind": TalkKind.SETBACK, "reason": "项目受挫", "arose_on": iso(t)},
        "entry": lambda: entry_payload(unit=str(ns.unit_reserve.unit_id)),
        "pool_meeting": lambda: {"date": iso(t), "attendees": "甲、乙、丙", "minutes_ref": "", "note": ""},
        "term_new": lambda: term_payload(None, start=(t.replace(day=1) + D(days=40)).strftime("%Y-%m")),
        "course": lambda: {"kind": Course.Kind.CLASS, "topic": Course.Topic.THEORY, "title": "新班",
                           "organiser": "镇党委", "start": iso(t), "end": iso(t), "hours": "4"},
    }[key]()
    data.update(changes)
    return data


def url_of(key, ns, target=None) -> str:
    if key in PLAIN:
        return reverse(PLAIN[key]) + ("?way=recommended" if key == "entry" else "")
    name, extra = ROUTES[key]
    obj = getattr(ns, target) if isinstance(target, str) else target
    return reverse(name, args=[obj.pk, *extra])


# --------------------------------------------------------------------------- the valid input works (the attacks
# below are refused for their scope or role, not because their input is bad)

RIGHTFUL = [
    ("office", "use", "reserve"), ("committee", "remove", "reserve"), ("office", "post", "reserve"),
    ("office", "tier", "reserve_b"), ("office", "activist", "reserve"), ("office", "relax", "unit_reserve"),
    ("office", "followup", "used_a"), ("office", "pair", "reserve_b"), ("office", "decide", "proposed"),
    ("office", "term", "term"), ("office", "task", "reserve"), ("office", "attend", "reserve"),
    ("office", "report", "task"), ("office", "evaluate", "task_reported"), ("office", "cancel", "task"),
    ("office", "enrol", "course"), ("office", "attendance", "enrolment"), ("office", "talk", "reserve"),
    ("office", "due", "reserve"), ("office", "entry", None), ("office", "pool_meeting", None),
    ("office", "term_new", None), ("office", "course", None),
    ("village_a_user", "post", "reserve"), ("village_a_user", "activist", "reserve"),
    ("village_a_user", "task", "reserve"), ("village_a_user", "attend", "reserve"),
    ("village_a_user", "talk", "reserve"), ("village_a_user", "followup", "used_a"),
    ("village_a_user", "report", "task"),
    ("unit_user", "post", "unit_reserve"), ("unit_user", "task", "unit_reserve"), ("unit_user", "entry", None),
    ("mentor", "task", "reserve"), ("mentor", "talk", "reserve"), ("mentor", "evaluate", "task_reported"),
    ("committee", "talk", "reserve"), ("committee", "pool_meeting", None),
]


@pytest.mark.parametrize(("who", "key", "target"), RIGHTFUL, ids=[f"{a}-{b}" for a, b, _c in RIGHTFUL])
def test_the_rightful_user_writes_with_this_input(client, request, w, who, key, target):
    if key == "relax":  # over tier 4's 45: a relaxation to record
        Reserve.objects.filter(pk=w.unit_reserve.pk).update(birth_date=years_ago(50))
    if key == "tier":  # tier 4's conditions are checked on a tier change: the experience it asks for
        Reserve.objects.filter(pk=w.reserve_b.pk).update(field_experience="养殖大户")
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    response = client.post(url_of(key, w, target), payload(key, w))
    assert response.status_code == 302, page(response)[-3000:]
    assert snapshot() != before


# --------------------------------------------------------------------------- scope and role: 404 / 403, nothing written

OTHER_OFFICE = [(k, t) for k, t in [
    ("use", "reserve"), ("expire", "reserve"), ("post", "reserve"), ("tier", "reserve"),
    ("activist", "reserve"), ("action", "proposed"), ("relax", "unit_reserve"), ("followup", "used_a"),
    ("pair", "reserve_b"), ("decide", "proposed"), ("term", "term"), ("task", "reserve"), ("attend", "reserve"),
    ("report", "task"), ("evaluate", "task_reported"), ("cancel", "task"), ("enrol", "course"),
    ("attendance", "enrolment"), ("talk", "reserve"), ("due", "reserve"),
]]
NEVER_ACTS = {
    # the committee reads the pool; it decides in its meetings and records talks (a tier 1–3 mentor)
    "committee": ["use", "expire", "post", "tier", "activist", "action", "relax", "followup", "pair",
                  "decide", "term", "task", "attend", "report", "evaluate", "cancel", "enrol", "attendance", "due"],
    # the office proposes a removal (assessment's adjustments); only the committee removes
    "office": ["remove"],
    "dept_x_user": list(ROUTES),
    "mentor": ["use", "remove", "expire", "post", "tier", "activist", "action", "relax", "followup", "pair",
               "decide", "term", "attend", "report", "enrol", "attendance", "due"],
    "village_a_user": ["use", "remove", "expire", "tier", "action", "relax", "pair", "decide", "term", "enrol",
                       "attendance", "due", "evaluate"],
    "unit_user": ["use", "remove", "expire", "tier", "action", "relax", "pair", "decide", "term", "enrol",
                  "attendance", "due", "evaluate"],
}
# The target each role would be allowed to see (so that the answer is about the role, not the scope).
OWN_TARGET = {
    "use": "reserve", "remove": "reserve", "expire": "reserve", "post": "reserve", "tier": "reserve",
    "activist": "reserve", "action": "proposed", "relax": "unit_reserve", "followup": "used_a",
    "pair": "reserve", "decide": "proposed", "term": "term", "task": "reserve", "attend": "reserve",
    "report": "task", "evaluate": "task_reported", "cancel": "task", "enrol": "course", "attendance": "enrolment",
    "talk": "reserve", "due": "reserve",
}
UNIT_TARGET = {"use": "unit_reserve", "remove": "unit_reserve", "expire": "unit_reserve", "tier": "unit_reserve",
               "action": "proposed", "relax": "unit_reserve", "pair": "unit_reserve", "due": "unit_reserve",
               "evaluate": "task_unit_reported"}
OUT_OF_SCOPE = [
    ("village_a_user", "post", "reserve_b"), ("village_a_user", "activist", "reserve_b"),
    ("village_a_user", "task", "reserve_b"), ("village_a_user", "attend", "reserve_b"),
    ("village_a_user", "talk", "reserve_b"), ("village_a_user", "followup", "used_b"),
    ("village_a_user", "report", "task_b"), ("village_a_user", "cancel", "task_b"),
    ("village_a_user", "talk", "foreign"), ("village_a_user", "task", "unit_reserve"),
    ("unit_user", "post", "other_unit_reserve"), ("unit_user", "activist", "other_unit_reserve"),
    ("unit_user", "task", "other_unit_reserve"), ("unit_user", "attend", "other_unit_reserve"),
    ("unit_user", "talk", "other_unit_reserve"), ("unit_user", "followup", "used_other_unit"),
    ("unit_user", "report", "task_ou"), ("unit_user", "cancel", "task_ou"), ("unit_user", "talk", "reserve"),
    ("mentor", "task", "reserve_b"), ("mentor", "talk", "reserve_b"), ("mentor", "evaluate", "task_b_reported"),
    ("mentor", "cancel", "task_b"), ("mentor", "talk", "unit_reserve"), ("mentor", "talk", "foreign"),
    ("office", "talk", "foreign"), ("office", "task", "foreign"), ("office", "use", "foreign"),
    ("office", "pair", "foreign"), ("committee", "talk", "foreign"),
]
SCOPE_CASES = (
    [("other_office", k, t, 404) for k, t in OTHER_OFFICE]
    + [(who, k, t, 404) for who, k, t in OUT_OF_SCOPE]
    + [(who, k, (UNIT_TARGET.get(k, OWN_TARGET[k]) if who == "unit_user" else OWN_TARGET[k]), 403)
       for who, keys in NEVER_ACTS.items() for k in keys]
)


@pytest.mark.parametrize(("who", "key", "target", "status"), SCOPE_CASES,
                         ids=[f"{a}-{b}-{c}-{d}" for a, b, c, d in SCOPE_CASES])
def test_a_write_out_of_scope_or_role_is_refused_and_writes_nothing(client, request, w, who, key, target, status):
    """The POST, and the GET of the form page too (where the page has a form: not the bare buttons, nor the task's
    and the course's pages, which their readers may open)."""
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    response = client.post(url_of(key, w, target), payload(key, w))
    assert response.status_code == status
    assert snapshot() == before
    if key not in POST_ONLY | {"report", "evaluate", "cancel", "enrol"}:
        assert client.get(url_of(key, w, target)).status_code == status


PLAIN_NEVER = [("committee", "course"), ("committee", "term_new"), ("mentor", "entry"), ("mentor", "course"),
               ("mentor", "pool_meeting"), ("dept_x_user", "entry"), ("dept_x_user", "pool_meeting"),
               ("dept_x_user", "course"), ("village_a_user", "pool_meeting"), ("village_a_user", "course"),
               ("unit_user", "term_new"), ("unit_user", "course")]


@pytest.mark.parametrize(("who", "key"), PLAIN_NEVER, ids=[f"{a}-{b}" for a, b in PLAIN_NEVER])
def test_a_role_that_never_creates_is_403(client, request, w, who, key):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    assert client.post(url_of(key, w), payload(key, w)).status_code == 403
    assert snapshot() == before


def test_anonymous_writes_nothing(client, w):
    before = snapshot()
    for key in [*ROUTES, *PLAIN]:
        response = client.post(url_of(key, w, OWN_TARGET.get(key)), payload(key, w))
        assert response.status_code in (302, 403), key
        if response.status_code == 302:
            assert reverse("login") in response["Location"], key
    assert snapshot() == before


def test_a_replaced_mentor_no_longer_records(client, w, office, mentor):
    """After the office names another mentor, the old one's open talk form is a 404."""
    client.force_login(office)
    client.post(url_of("pair", w, "reserve"), payload("pair", w))
    assert Reserve.objects.get(pk=w.reserve.pk).mentor_id == w.other_mentor.pk
    client.force_login(mentor)
    before = snapshot()
    assert client.post(url_of("talk", w, "reserve"), payload("talk", w)).status_code == 404
    assert client.post(url_of("task", w, "reserve"), payload("task", w)).status_code == 404
    assert snapshot() == before


def test_the_refusal_pages_are_in_chinese(client, w, village_a_user):
    client.force_login(village_a_user)
    assert chinese(page(client.post(url_of("talk", w, "reserve_b"), payload("talk", w))))
    assert chinese(page(client.post(url_of("use", w, "reserve"), payload("use", w))))


# --------------------------------------------------------------------------- ids smuggled in form fields


def test_an_enrolment_of_another_towns_reserve_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("enrol", w, "course"), payload("enrol", w, reserve=str(w.foreign.pk)))
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert chinese(page(response))
    assert snapshot() == before


def test_another_towns_course_cannot_take_our_reserve(client, w, office):
    client.force_login(office)
    before = snapshot()
    assert client.post(url_of("enrol", w, "foreign_course"), payload("enrol", w)).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("field,value", [
    ("mentor", "foreign_mentor"), ("mentor", "office"), ("mentor", "village_a_user"), ("mentor", "dept_x_user"),
])
def test_a_pairing_with_a_mentor_not_of_the_town_or_role_is_refused(client, request, w, office, field, value):
    client.force_login(office)
    user = getattr(w, value, None) or request.getfixturevalue(value)
    before = snapshot()
    response = client.post(url_of("pair", w, "reserve_b"), payload("pair", w, mentor=str(user.pk)))
    assert response.status_code == 200
    assert "不能担任" in page(response) or "请刷新页面" in page(response)
    assert snapshot() == before


def test_a_tier_one_pairing_with_another_towns_meeting_is_refused(client, w, office, committee):
    r = ReserveFactory(town=w.term.town, term=w.term, unit=w.other_unit, tier=Tier.FIRST, name="陈一梯",
                       start_date=T() - D(days=10))
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("pair", w, r), {"mentor": str(committee.pk), "start": iso(T()),
                                                  "meeting": str(w.foreign_meeting.pk), "basis": "党委会"})
    assert response.status_code == 200 and "党委会研究记录" in page(response)
    assert snapshot() == before
    response = client.post(url_of("pair", w, r), {"mentor": str(committee.pk), "start": iso(T()),
                                                  "meeting": str(w.meeting.pk), "basis": "党委会"})
    assert response.status_code == 302, page(response)[-2000:]


@pytest.mark.parametrize("changes,who", [
    ({"unit": "foreign_unit"}, "office"),
    ({"village": "foreign_village", "unit": ""}, "office"),
    ({"unit": "other_unit"}, "unit_user"),
    ({"village": "village_b", "unit": ""}, "village_a_user"),
    ({"village": "village_a", "unit": "unit_a"}, "village_a_user"),
    ({"village": "village_a", "unit": ""}, "unit_user"),
], ids=["office-foreign-unit", "office-foreign-village", "unit-other-unit", "village-other-village",
        "village-with-a-unit", "unit-with-a-village"])
def test_an_entry_with_a_smuggled_place_is_refused(client, request, w, changes, who):
    client.force_login(request.getfixturevalue(who))
    data = entry_payload()
    for field, name in changes.items():
        obj = getattr(w, name, None) if name else None
        if name and obj is None:
            obj = request.getfixturevalue(name)
        data[field] = str(obj.pk) if obj else ""
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=recommended", data)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert chinese(page(response))
    assert snapshot() == before


def test_an_entry_with_another_towns_meeting_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    data = committee_entry(w, meeting=str(w.foreign_meeting.pk))
    response = client.post(reverse("training:entry_new") + "?way=committee", data)
    assert response.status_code in (200, 404)
    assert snapshot() == before


# --------------------------------------------------------------------------- garbage ids

ID_PAGES = [k for k in ROUTES if k not in POST_ONLY]


@pytest.mark.parametrize("key", ID_PAGES)
def test_a_garbage_id_in_the_address_is_404(client, w, office, key):
    client.force_login(writer(w, key))
    name, extra = ROUTES[key]
    before = snapshot()
    for pk in ["0", "2147483648", "9223372036854775807", "9223372036854775808", HUGE]:
        url = reverse(name, args=[0, *extra]).replace("/0/", f"/{pk}/", 1)
        assert client.get(url).status_code == 404, url
        assert client.post(url, payload(key, w)).status_code == 404, url
    assert snapshot() == before


@pytest.mark.parametrize("path", ["-1/", "abc/", "1e3/", "１２/", "%00/", "1.5/"])
def test_a_non_number_in_the_address_is_404(client, w, office, path):
    client.force_login(office)
    assert client.get("/pool/" + path).status_code == 404
    assert client.post("/pool/" + path + "use/", payload("use", w)).status_code == 404


@pytest.mark.parametrize("pk", ["0", "2147483648", HUGE])
def test_a_garbage_id_in_the_post_only_addresses_is_404(client, w, office, pk):
    client.force_login(office)
    before = snapshot()
    for key in POST_ONLY:
        name, extra = ROUTES[key]
        url = reverse(name, args=[0, *extra]).replace("/0/", f"/{pk}/", 1)
        assert client.post(url, payload(key, w)).status_code == 404
    assert snapshot() == before


GARBAGE = ["abc", "-1", "0", HUGE, "1e3", "１", " ", "1;DROP TABLE x", "[1]"]
# The values a field takes as valid (an optional version or grade left blank, a number of hours).
VALID_FOR = {"version": {"0", " "}, "report-version": {"0"}, "decide-version": {"0"}, "grade": {" "},
             "hours": {"0", "1e3", "１", " "}}
FIELD_CASES = [
    (key, field, target, value)
    for key, field, target in [
        ("pair", "mentor", "reserve_b"), ("enrol", "reserve", "course"), ("tier", "tier", "reserve"),
        ("talk", "kind", "reserve"), ("due", "kind", "reserve"), ("evaluate", "evaluate-grade", "task_reported"),
        ("attendance", "grade", "enrolment"), ("report", "report-version", "task"), ("use", "version", "reserve"),
        ("action", "version", "proposed"), ("attendance", "hours", "enrolment"), ("talk", "held_at", "reserve"),
        ("task", "due_on", "reserve"), ("use", "used_on", "reserve"),
    ]
    for value in GARBAGE
    if value not in VALID_FOR.get(field, set()) and not (key == "decide" and value == "0")
]


FIELD_KEYS = sorted({(k, f, t) for k, f, t, _v in FIELD_CASES})


@pytest.mark.parametrize(("key", "field", "target"), FIELD_KEYS, ids=[f"{k}-{f}" for k, f, _t in FIELD_KEYS])
def test_a_garbage_value_in_a_form_field_is_refused(client, w, office, key, field, target):
    client.force_login(office)
    before = snapshot()
    for value in [v for k, f, t, v in FIELD_CASES if (k, f, t) == (key, field, target)]:
        response = client.post(url_of(key, w, target), payload(key, w, **{field: value}))
        assert response.status_code in (200, 302), value
        assert snapshot() == before, value
        text = page(response) if response.status_code == 200 else " ".join(message_texts(response))
        assert chinese(text), value


@pytest.mark.parametrize("value", ["abc", "-1", "0", HUGE, "1e3"])
def test_a_garbage_version_of_a_decision_is_refused(client, w, office, value):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("decide", w, "proposed"), payload("decide", w, version=value))
    assert response.status_code == 302
    if value != "0":
        assert snapshot() == before
        assert any(chinese(m) for m in message_texts(response))


def committee_entry(w, **changes):
    data = entry_payload(tier="2", unit=str(w.other_unit.pk), meeting=str(w.meeting.pk),
                         id_number=make_id(years_ago(30), seq=81), education=str(E.BACHELOR),
                         fulltime_education=str(E.BACHELOR), organ_work_since=iso(years_ago(5)),
                         political_status=PoliticalStatus.PARTY_MEMBER, party_join_date=iso(years_ago(8)))
    data.update(changes)
    return data


def test_the_committee_entry_used_below_is_valid(client, w, office):
    client.force_login(office)
    response = client.post(reverse("training:entry_new") + "?way=committee", committee_entry(w))
    assert response.status_code == 302, page(response)[-2000:]


@pytest.mark.parametrize("field", ["unit", "meeting", "tier", "education", "political_status", "project_amount",
                                   "organ_work_since"])
def test_a_garbage_value_on_the_entry_form_is_refused(client, w, office, field):
    client.force_login(office)
    before = snapshot()
    for value in ["abc", "-1", HUGE, "1e3"]:
        response = client.post(reverse("training:entry_new") + "?way=committee",
                               committee_entry(w, **{field: value}))
        assert response.status_code == 200, value
        assert snapshot() == before, value


# --------------------------------------------------------------------------- overlong text

OVERLONG = [
    ("task", "title", 101), ("task", "content", 1001), ("task", "given_by", 61),
    ("attend", "meeting", 101), ("attend", "note", 1001),
    ("talk", "place", 101), ("talk", "talker", 61), ("talk", "topic", 101), ("talk", "content", 1001),
    ("talk", "follow_up", 1001), ("due", "reason", 201),
    ("use", "post", 101), ("remove", "reason", 1001), ("remove", "approver", 61), ("expire", "reason", 1001),
    ("post", "post", 101), ("tier", "reason", 1001), ("activist", "note", 201),
    ("relax", "relaxation_reason", 1001), ("relax", "relaxation_approved_by", 61),
    ("followup", "visited_by", 61), ("followup", "content", 1001),
    ("pair", "basis", 201), ("pair", "proposed_by", 61),
    ("report", "report-result", 1001), ("evaluate", "evaluate-comment", 1001), ("cancel", "cancel-reason", 1001),
    ("attendance", "result", 1001), ("attendance", "sending_unit", 101), ("enrol", "sending_unit", 101),
    ("action", "reason", 1001), ("decide", "reason", 1001), ("term", "name", 61),
    ("entry", "name", 31), ("entry", "post", 101), ("entry", "phone", 21), ("entry", "speciality", 101),
    ("entry", "field_experience", 1001), ("entry", "entry_note", 1001), ("entry", "recommended_by", 61),
    ("pool_meeting", "attendees", 1001), ("pool_meeting", "note", 1001), ("pool_meeting", "minutes_ref", 61),
    ("course", "title", 101), ("course", "organiser", 101), ("course", "place", 101), ("course", "note", 1001),
]
TARGET_FOR = {**OWN_TARGET, "relax": "unit_reserve", "pair": "reserve_b", "action": "proposed",
              "tier": "reserve_b"}


@pytest.mark.parametrize(("key", "field", "n"), OVERLONG, ids=[f"{k}-{f}" for k, f, _n in OVERLONG])
def test_overlong_text_is_refused_with_a_message(client, w, office, key, field, n):
    if key == "relax":
        Reserve.objects.filter(pk=w.unit_reserve.pk).update(birth_date=years_ago(50))
    client.force_login(writer(w, key))
    before = snapshot()
    response = client.post(url_of(key, w, TARGET_FOR.get(key)), payload(key, w, **{field: "长" * n}))
    assert response.status_code in (200, 302)
    assert snapshot() == before
    text = page(response) if response.status_code == 200 else " ".join(message_texts(response))
    assert chinese(text) and ("超过" in text or "最多" in text or "不能" in text), text[-2000:]


# --------------------------------------------------------------------------- dates in the future


FUTURE = [
    ("task", "given_on"), ("attend", "date"), ("use", "used_on"), ("remove", "ended_on"), ("post", "changed_on"),
    ("activist", "recommended_on"), ("relax", "relaxation_approved_on"), ("followup", "date"), ("pair", "start"),
    ("report", "report-reported_on"), ("due", "arose_on"), ("pool_meeting", "date"),
    ("entry", "party_join_date"), ("entry", "relaxation_approved_on"),
]


@pytest.mark.parametrize(("key", "field"), FUTURE, ids=[f"{k}-{f}" for k, f in FUTURE])
def test_a_past_date_given_in_the_future_is_refused(client, w, office, key, field):
    client.force_login(writer(w, key))
    before = snapshot()
    for ahead in (1, 400):
        changes = {field: iso(T() + D(days=ahead))}
        if key == "task":
            changes["due_on"] = iso(T() + D(days=ahead + 10))
        if key == "entry" and field == "relaxation_approved_on":
            changes.update(relaxation_reason="特别优秀", relaxation_approved_by="书记")
        response = client.post(url_of(key, w, TARGET_FOR.get(key)), payload(key, w, **changes))
        assert response.status_code == 200, ahead
        assert snapshot() == before, ahead
        assert chinese(page(response))


@pytest.mark.parametrize("ahead", [D(hours=2), D(days=1), D(days=4000)])
def test_a_talk_in_the_future_is_refused(client, w, mentor, ahead):
    client.force_login(mentor)
    when = timezone.localtime() + ahead
    before = snapshot()
    response = client.post(url_of("talk", w, "reserve"), payload("talk", w, held_at=f"{when:%Y-%m-%dT%H:%M}"))
    assert response.status_code == 200
    assert "不能晚于现在" in page(response) or "合理范围" in page(response)
    assert snapshot() == before


# --------------------------------------------------------------------------- dates at the ends of the calendar

CALENDAR_ENDS = [
    ("task", "given_on"), ("task", "due_on"), ("attend", "date"), ("use", "used_on"), ("remove", "ended_on"),
    ("post", "changed_on"), ("activist", "recommended_on"), ("followup", "date"), ("pair", "start"),
    ("report", "report-reported_on"), ("due", "arose_on"), ("course", "start"), ("course", "end"),
    ("entry", "party_join_date"), ("pool_meeting", "date"), ("relax", "relaxation_approved_on"),
    ("term_new", "start"), ("talk", "held_at"),
]


@pytest.mark.parametrize(("key", "field"), CALENDAR_ENDS, ids=[f"{k}-{f}" for k, f in CALENDAR_ENDS])
def test_a_date_at_the_ends_of_the_calendar_is_refused(client, w, office, key, field):
    """Year 1 and year 9999 (a typo, or a hand-made request) are refused with a message, never a 500."""
    if key == "relax":
        Reserve.objects.filter(pk=w.unit_reserve.pk).update(birth_date=years_ago(50))
    client.force_login(writer(w, key))
    before = snapshot()
    for value in ("0001-01-01", "1899-12-31", "9999-12-31"):
        if key == "talk":
            value += "T00:00"
        elif key == "term_new":
            value = value[:7]
        response = client.post(url_of(key, w, TARGET_FOR.get(key)), payload(key, w, **{field: value}))
        assert response.status_code == 200, value
        assert chinese(page(response))
        assert snapshot() == before, value


# --------------------------------------------------------------------------- dates before the step they depend on


def before_entry(w):
    return iso(w.reserve.start_date - D(days=1))


def test_a_task_due_before_it_is_given_is_refused(client, w, village_a_user):
    client.force_login(village_a_user)
    before = snapshot()
    response = client.post(url_of("task", w, "reserve"),
                           payload("task", w, given_on=iso(T()), due_on=iso(T() - D(days=1))))
    assert response.status_code == 200 and "早于交办日期" in page(response)
    assert snapshot() == before


def test_a_course_ending_before_it_starts_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("course", w), payload("course", w, start=iso(T()), end=iso(T() - D(days=1))))
    assert response.status_code == 200 and "结束日期早于开始日期" in page(response)
    assert snapshot() == before


DEPENDS = [
    ("task", {"given_on": "entry-1", "due_on": "today"}, "入库日期"),
    ("attend", {"date": "entry-1"}, "入库日期"),
    ("talk", {"held_at": "entry-1T"}, "入库日期"),
    ("use", {"used_on": "entry-1"}, "入库日期"),
    ("remove", {"ended_on": "entry-1"}, "入库日期"),
    ("post", {"changed_on": "entry-1"}, "入库日期"),
    ("activist", {"recommended_on": "entry-1"}, "入库日期"),
    ("pair", {"start": "entry-1"}, "入库日期"),
    ("due", {"arose_on": "entry-1"}, "入库日期"),
    ("report", {"report-reported_on": "given-1"}, "交办日期"),
]


@pytest.mark.parametrize(("key", "changes", "says"), DEPENDS, ids=[d[0] for d in DEPENDS])
def test_a_date_before_the_step_it_depends_on_is_refused(client, w, office, key, changes, says):
    client.force_login(writer(w, key))
    target = {"pair": "reserve_b"}.get(key, OWN_TARGET.get(key))
    start = getattr(w, target).start_date if key != "report" else w.task.given_on
    values = {}
    for field, spec in changes.items():
        if spec == "entry-1":
            values[field] = iso(start - D(days=1))
        elif spec == "entry-1T":
            values[field] = held(start - D(days=1))
        elif spec == "given-1":
            values[field] = iso(w.task.given_on - D(days=1))
        else:
            values[field] = iso(T())
    before = snapshot()
    response = client.post(url_of(key, w, target), payload(key, w, **values))
    assert response.status_code == 200 and says in page(response)
    assert snapshot() == before


def test_a_follow_up_before_the_appointment_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("followup", w, "used_a"),
                           payload("followup", w, date=iso(w.used_a.used_on - D(days=1))))
    assert response.status_code == 200 and "任用日期" in page(response)
    assert snapshot() == before


def test_a_tier_one_pairing_before_the_committee_decided_is_refused(client, w, office, committee):
    r = ReserveFactory(town=w.term.town, term=w.term, unit=w.other_unit, tier=Tier.FIRST, name="陈一梯",
                       start_date=T() - D(days=60))
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("pair", w, r), {"mentor": str(committee.pk), "basis": "党委会",
                                                  "start": iso(w.meeting.date - D(days=1)),
                                                  "meeting": str(w.meeting.pk)})
    assert response.status_code == 200 and "须先研究确定" in page(response)
    assert snapshot() == before


def test_a_mentor_change_dated_before_the_current_pairing_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    Mentorship.objects.filter(reserve=w.reserve).update(start=T() - D(days=3))
    before = snapshot()
    response = client.post(url_of("pair", w, "reserve"), payload("pair", w, start=iso(T() - D(days=5))))
    assert response.status_code == 200 and "现任引路人的结对日期" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize("field", ["party_join_date", "middle_post_since", "organ_work_since",
                                   "village_cadre_since"])
def test_an_entry_date_before_the_persons_birth_is_refused(client, w, office, field):
    """A party membership or a post from before the person was born (by the ID number) is a typing error; taken,
    it even counts as years in a post for the tier's conditions."""
    client.force_login(office)
    data = committee_entry(w, **{field: iso(years_ago(30) - D(days=400))})
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=committee", data)
    assert response.status_code == 200, "entered with a date before the person's birth"
    assert snapshot() == before


# --------------------------------------------------------------------------- empty required fields

EMPTY = [("task", "reserve"), ("attend", "reserve"), ("talk", "reserve"), ("due", "reserve"), ("use", "reserve"),
         ("remove", "reserve"), ("expire", "reserve"), ("post", "reserve"), ("tier", "reserve"),
         ("activist", "reserve"), ("relax", "unit_reserve"), ("followup", "used_a"), ("pair", "reserve_b"),
         ("term", "term"), ("report", "task"), ("evaluate", "task_reported"), ("cancel", "task"),
         ("enrol", "course"), ("entry", None), ("pool_meeting", None), ("term_new", None), ("course", None)]


@pytest.mark.parametrize(("key", "target"), EMPTY, ids=[k for k, _t in EMPTY])
def test_empty_required_fields_are_refused(client, w, office, key, target):
    client.force_login(writer(w, key))
    before = snapshot()
    for blank in ["", "   ", "\u200b\u3000"]:
        data = {k: blank for k in payload(key, w)}
        if key in ("report", "evaluate", "cancel"):
            data.update(op=key, **{f"{key}-version": "0"})
        response = client.post(url_of(key, w, target), data)
        assert response.status_code == 200, repr(blank)
        assert snapshot() == before, repr(blank)
        assert chinese(page(response))


@pytest.mark.parametrize("key", ["action", "decide"])
@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u3000"])
def test_a_decline_without_a_reason_is_refused(client, w, office, key, blank):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of(key, w, "proposed"), payload(key, w, reason=blank))
    assert response.status_code == 302
    assert "理由" in " ".join(message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("blank", ["", "  ", "\u200b"])
def test_a_relaxation_without_a_reason_is_refused(client, w, office, blank):
    Reserve.objects.filter(pk=w.unit_reserve.pk).update(birth_date=years_ago(50))
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("relax", w, "unit_reserve"), payload("relax", w, relaxation_reason=blank))
    assert response.status_code == 200 and "放宽条件须填写理由" in page(response)
    response = client.post(reverse("training:entry_new") + "?way=added", entry_payload(
        unit=str(w.other_unit.pk), id_number=make_id(years_ago(50), seq=3), relaxation_reason=blank,
        relaxation_approved_by="镇党委书记", relaxation_approved_on=iso(T())))
    assert response.status_code == 200
    assert snapshot() == before


def test_a_relaxation_without_an_approver_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=added", entry_payload(
        unit=str(w.other_unit.pk), id_number=make_id(years_ago(50), seq=3), relaxation_reason="特别优秀",
        relaxation_approved_by="", relaxation_approved_on=iso(T())))
    assert response.status_code == 200 and "批准人" in page(response)
    assert snapshot() == before


# --------------------------------------------------------------------------- HTML and formulas rendered back


def _assert_escaped(text):
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in text


def test_html_in_text_fields_is_escaped_wherever_it_is_shown(client, w, office, village_a_user, mentor):
    client.force_login(village_a_user)
    assert client.post(url_of("task", w, "reserve"), payload("task", w, title=XSS[:100], content=XSS,
                                                             given_by=XSS[:60])).status_code == 302
    assert client.post(url_of("attend", w, "reserve"), payload("attend", w, meeting=XSS[:100],
                                                               note=XSS)).status_code == 302
    client.force_login(mentor)
    assert client.post(url_of("talk", w, "reserve"), payload("talk", w, topic=XSS[:100], content=XSS,
                                                             place=XSS[:100], talker=XSS[:60],
                                                             follow_up=XSS)).status_code == 302
    client.force_login(office)
    assert client.post(url_of("post", w, "reserve"), payload("post", w, post=XSS[:100])).status_code == 302
    assert client.post(url_of("activist", w, "reserve"), payload("activist", w, version="1",
                                                                 note=XSS[:200])).status_code == 302
    assert client.post(url_of("due", w, "reserve"), payload("due", w, reason=XSS)).status_code == 302
    assert client.post(url_of("followup", w, "used_a"), payload("followup", w, content=XSS,
                                                                visited_by=XSS[:60])).status_code == 302
    client.force_login(w.committee)
    assert client.post(url_of("remove", w, "reserve_b"), payload("remove", w, reason=XSS,
                                                                 approver=XSS[:60])).status_code == 302
    client.force_login(office)
    assert client.post(url_of("decide", w, "proposed"), payload("decide", w, reason=XSS)).status_code == 302
    assert client.post(url_of("attendance", w, "enrolment"), payload("attendance", w, result=XSS,
                                                                      sending_unit=XSS[:100])).status_code == 302
    response = client.post(url_of("course", w), payload("course", w, title=XSS[:100], organiser=XSS[:100],
                                                        place=XSS[:100], note=XSS))
    assert response.status_code == 302
    course = Course.objects.get(title=XSS[:100])
    response = client.post(url_of("pool_meeting", w), payload("pool_meeting", w, note=XSS, minutes_ref=XSS[:60]))
    assert response.status_code == 302
    meeting = PoolMeeting.objects.get(minutes_ref=XSS[:60])
    response = client.post(reverse("training:entry_new") + "?way=added", entry_payload(
        name=XSS[:30], unit=str(w.other_unit.pk), post=XSS[:100], speciality=XSS[:100], entry_note=XSS),
        follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "<script>alert" not in page(response) and "&lt;script&gt;" in page(response)  # the success message
    entered = Reserve.objects.get(name=XSS[:30])
    task = Task.objects.get(title=XSS[:100])
    pages = [
        reverse("training:reserve_detail", args=[w.reserve.pk]),
        reverse("training:reserve_detail", args=[w.reserve_b.pk]),
        reverse("training:reserve_detail", args=[w.used_a.pk]),
        reverse("training:reserve_detail", args=[entered.pk]),
        *(reverse(name, args=[entered.pk]) for name in (
            "training:reserve_use", "training:reserve_change_post",
            "training:reserve_activist", "training:mentor_pair", "training:relaxation_new",
            "cultivation:talk_new", "cultivation:task_new", "cultivation:due_talk_new", "cultivation:meeting_new",
            "cultivation:talk_list")),
        reverse("training:pool_list"), reverse("training:pool_list") + "?q=" + "<script>",
        reverse("training:review_list") + "?all=1",
        reverse("training:meeting_list"), reverse("training:meeting_detail", args=[meeting.pk]),
        reverse("training:followup_new", args=[w.used_a.pk]),
        reverse("training:mentor_pair", args=[w.reserve.pk]),
        reverse("cultivation:task_detail", args=[task.pk]),
        reverse("cultivation:talk_list", args=[w.reserve.pk]),
        reverse("cultivation:talk_overdue"), reverse("cultivation:talk_missing"),
        reverse("cultivation:course_list"), reverse("cultivation:course_detail", args=[course.pk]),
        reverse("cultivation:course_detail", args=[w.course.pk]),
        reverse("cultivation:enrolment_edit", args=[w.enrolment.pk]),
        reverse("cultivation:task_overdue"),
    ]
    shown = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = page(response)
        assert "<script>alert" not in text and "<img src=x" not in text, url
        shown += "&lt;script&gt;" in text
    client.force_login(w.committee)  # the removal page is the committee's
    text = page(client.get(reverse("training:reserve_remove", args=[entered.pk])))
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert shown >= 5
    client.force_login(mentor)
    for url in (reverse("cultivation:mentor_desk"), reverse("training:reserve_detail", args=[w.reserve.pk]),
                reverse("cultivation:task_detail", args=[task.pk])):
        text = page(client.get(url))
        assert "<script>alert" not in text and "<img src=x" not in text, url


def test_html_in_a_refused_form_is_escaped_when_shown_again(client, w, office):
    client.force_login(office)
    response = client.post(url_of("task", w, "reserve"), payload("task", w, title=XSS[:100],
                                                                 due_on=iso(T() - D(days=30))))
    assert response.status_code == 200
    _assert_escaped(page(response))


def test_formula_looking_text_is_kept_as_typed_and_shown_as_text(client, w, office, mentor):
    client.force_login(mentor)
    assert client.post(url_of("talk", w, "reserve"), payload("talk", w, topic=FORMULA,
                                                             content="+1+1\n-2\n@SUM(A1)")).status_code == 302
    talk = HeartTalk.objects.get(reserve=w.reserve)
    assert talk.topic == FORMULA
    client.force_login(office)
    text = page(client.get(reverse("cultivation:talk_list", args=[w.reserve.pk])))
    assert FORMULA.replace('"', "&quot;") in text


# --------------------------------------------------------------------------- the ID number on the entry form


def _fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(f) for c, f in zip("0123456789X", "０１２３４５６７８９ｘ", strict=True)})


def _id_ending_in_x(birth):
    for seq in range(500):
        number = make_id(birth, seq=seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no ID number ending in X")


@pytest.mark.parametrize("form", ["fullwidth", "lower_x", "spaced"])
def test_the_id_number_in_another_form_finds_the_same_person(client, w, office, form):
    number = _id_ending_in_x(years_ago(30))
    person = PersonFactory(id_number=number, birth_date=years_ago(30))
    typed = {"fullwidth": _fullwidth(number), "lower_x": number[:-1] + "x",
             "spaced": f" {number[:6]} {number[6:14]} {number[14:].lower()} "}[form]
    client.force_login(office)
    people = Person.objects.count()
    response = client.post(reverse("training:entry_new") + "?way=added",
                           entry_payload(id_number=typed, unit=str(w.other_unit.pk), name=person.name))
    assert response.status_code == 302, page(response)[-2000:]
    reserve = Reserve.objects.get(person__id_number=number)
    assert reserve.person_id == person.pk
    assert Person.objects.count() == people


@pytest.mark.parametrize("bad,says", [
    ("checksum", "校验位"), ("short", "18位"), ("letters", "前17位"), ("area", "省级"), ("birth", "出生日期"),
    ("future", "出生日期"), ("old15", "15位"),
])
def test_a_bad_id_number_is_refused(client, w, office, bad, says):
    good = make_id(years_ago(30), seq=5)
    last = "0" if good[-1] != "0" else "1"
    value = {"checksum": good[:-1] + last, "short": good[:-1], "letters": "A" + good[1:], "area": "99" + good[2:],
             "birth": good[:10] + "1341" + good[14:], "future": make_id(T() + D(days=400), seq=5),
             "old15": "330781950615123"}[bad]
    client.force_login(office)
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=added",
                           entry_payload(id_number=value, unit=str(w.other_unit.pk)))
    assert response.status_code == 200 and says in page(response)
    assert snapshot() == before


def test_the_same_person_twice_is_refused(client, w, office, unit_user):
    """A unit's double submit of its recommendation, then the office entering the same person another way."""
    client.force_login(unit_user)
    data = entry_payload(unit=str(w.unit_reserve.unit_id))
    assert client.post(reverse("training:entry_new") + "?way=recommended", data).status_code == 302
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=recommended", data)
    assert response.status_code == 200 and "不能重复入库" in page(response)
    client.force_login(office)
    response = client.post(reverse("training:entry_new") + "?way=added",
                           {**data, "id_number": data["id_number"].lower(), "unit": str(w.other_unit.pk)})
    assert response.status_code == 200 and "不能重复入库" in page(response)
    assert snapshot() == before


# --------------------------------------------------------------------------- GET parameters

GARBAGE_QUERY = ("?page=999999&tier=abc&age=../..&unit=v../..&status=%3Cscript%3E&term=" + HUGE
                 + "&education=-1&gender=%00&political_status=x&q=%00&activist=maybe&ending=1&kind=zz&year=" + HUGE
                 + "&all=2&way=../..&meeting=" + HUGE)
LIST_PAGES = {
    "office": ["training:pool_list", "training:review_list", "training:meeting_list", "training:term_list",
               "training:mentor_list", "training:mentor_unpaired", "training:entry_new",
               "cultivation:task_overdue", "cultivation:course_list", "cultivation:talk_overdue",
               "cultivation:talk_missing"],
    "committee": ["training:pool_list", "training:meeting_list", "training:term_list", "training:mentor_list",
                  "training:mentor_unpaired", "cultivation:course_list", "cultivation:talk_overdue",
                  "cultivation:talk_missing", "cultivation:mentor_desk", "training:entry_new"],
    "village_a_user": ["training:pool_list", "training:review_list", "training:entry_new",
                       "cultivation:task_overdue"],
    "unit_user": ["training:pool_list", "training:review_list", "training:entry_new", "cultivation:task_overdue"],
    "mentor": ["training:pool_list", "cultivation:task_overdue", "cultivation:talk_overdue",
               "cultivation:talk_missing", "cultivation:mentor_desk"],
}
LIST_CASES = [(who, name) for who, names in LIST_PAGES.items() for name in names]


@pytest.mark.parametrize(("who", "name"), LIST_CASES, ids=[f"{a}-{b}" for a, b in LIST_CASES])
def test_garbage_parameters_on_a_list_never_fail(client, request, w, who, name):
    client.force_login(request.getfixturevalue(who))
    for query in [GARBAGE_QUERY, "?page=-1", "?page=0", "?page=abc", "?page=" + HUGE,
                  "?tier=" + HUGE + "&unit=u" + HUGE + "&age=46&status=renewal_due"]:
        assert client.get(reverse(name) + query).status_code == 200, query


@pytest.mark.parametrize("name,target", [
    ("training:reserve_detail", "reserve"), ("cultivation:talk_list", "reserve"),
    ("cultivation:talk_new", "reserve"), ("cultivation:course_detail", "course"),
    ("training:followup_new", "used_a"), ("training:mentor_pair", "reserve"),
    ("cultivation:task_detail", "task"),
])
def test_garbage_parameters_on_an_objects_page_never_fail(client, w, office, name, target):
    client.force_login(office)
    response = client.get(reverse(name, args=[getattr(w, target).pk]) + GARBAGE_QUERY + "&kind=<script>")
    assert response.status_code == 200


def test_the_subsidy_pages_refuse_garbage_months(client, w, office):
    rotation = Course.objects.create(town=w.term.town, kind=Course.Kind.ROTATION, title="轮训", organiser="县委组织部",
                                     start=T() - D(days=40), end=T() - D(days=5), subsidy_per_day=20,
                                     recorded_by=office)
    enrolment = Enrolment.objects.create(course=rotation, reserve=w.reserve, recorded_by=office)
    client.force_login(office)
    assert client.get(reverse("cultivation:subsidy_detail", args=[enrolment.pk])).status_code == 200
    for year, month in ((0, 0), (T().year, 13), (99999, 1), (int(HUGE), 1), (T().year + 3, 1)):
        url = reverse("cultivation:subsidy_pdf", args=[enrolment.pk, 1, 1]).replace("/1-1.pdf", f"/{year}-{month}.pdf")
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("cultivation:subsidy_detail", args=[w.enrolment.pk])).status_code == 404


# --------------------------------------------------------------------------- workflow: steps skipped


def test_approving_a_reserve_not_proposed_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("decide", w, "reserve"), {"action": "approve_reserve", "version": "0"})
    assert response.status_code == 302
    assert any("不能" in m for m in message_texts(response))
    response = client.post(reverse("training:reserve_action", args=[w.reserve.pk, "approve_reserve"]),
                           {"version": "0"})
    assert response.status_code == 302 and any(chinese(m) for m in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("action", ["use_reserve", "remove_reserve", "change_post", "change_tier", "nonsense",
                                    "approve_reserve", "..%2F..", "renew_reserve"])
def test_a_move_by_the_button_address_that_has_its_own_page_is_refused(client, w, office, action):
    """The moves taken on their own page (with a post, date, approver) cannot be taken by the bare button."""
    client.force_login(office)
    before = snapshot()
    response = client.post(f"/pool/{w.reserve.pk}/action/{action}/", {"version": "0", "reason": "理由"})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert any(chinese(m) for m in message_texts(response))
    assert snapshot() == before


def test_renewing_too_early_and_expiring_before_the_end_are_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    response = client.post(reverse("training:reserve_action", args=[w.reserve.pk, "renew_reserve"]),
                           {"version": "0"})
    assert any("届满前" in m for m in message_texts(response))
    response = client.post(reverse("training:reserve_action", args=[w.reserve.pk, "expire_reserve"]),
                           {"version": "0", "reason": "期满"})
    assert any("尚未届满" in m for m in message_texts(response))
    response = client.post(url_of("expire", w, "reserve"), payload("expire", w))
    assert response.status_code == 200 and "尚未届满" in page(response)
    assert snapshot() == before


def test_renewing_a_removed_or_used_reserve_is_refused(client, w, office):
    Reserve.objects.filter(pk=w.removed.pk).update(term_end=T() - D(days=3))
    client.force_login(office)
    before = snapshot()
    for r in (w.removed, w.used_a):
        response = client.post(reverse("training:reserve_action", args=[r.pk, "renew_reserve"]), {"version": "0"})
        assert any("不能" in m for m in message_texts(response))
    assert snapshot() == before


def test_evaluating_a_task_not_reported_is_refused(client, w, office, mentor):
    for user in (office, mentor):
        client.force_login(user)
        before = snapshot()
        response = client.post(url_of("evaluate", w, "task"), payload("evaluate", w))
        assert response.status_code == 200 and "不能评价" in page(response)
        assert snapshot() == before


def test_reporting_an_evaluated_or_cancelled_task_is_refused(client, w, office):
    client.force_login(office)
    assert client.post(url_of("evaluate", w, "task_reported"), payload("evaluate", w)).status_code == 302
    assert client.post(url_of("cancel", w, "task"), payload("cancel", w)).status_code == 302
    before = snapshot()
    for target in ("task", "task_reported"):
        response = client.post(url_of("report", w, target), payload("report", w, **{"report-version": "1"}))
        assert response.status_code == 200 and "不能" in page(response)
        response = client.post(url_of("cancel", w, "task_reported"), payload("cancel", w, **{"cancel-version": "1"}))
        assert response.status_code == 200
    assert snapshot() == before


def test_an_unknown_task_operation_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    for op in ("", "delete", "evaluate_task", "<script>"):
        response = client.post(url_of("report", w, "task"), payload("report", w, op=op))
        assert response.status_code == 302 and any(chinese(m) for m in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("status", [S.REMOVED, S.EXPIRED, S.USED, S.PROPOSED, S.DECLINED])
def test_a_reserve_out_of_cultivation_gets_no_task_meeting_course_or_mentor(client, w, office, status):
    Reserve.objects.filter(pk=w.reserve_b.pk).update(status=status)
    client.force_login(office)
    before = snapshot()
    for key in ("task", "attend", "pair", "post", "tier", "use", "activist"):
        response = client.post(url_of(key, w, "reserve_b"), payload(key, w))
        assert response.status_code == 200, key
        assert chinese(page(response))
    response = client.post(url_of("enrol", w, "course"), payload("enrol", w))
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("status", [S.REMOVED, S.EXPIRED, S.PROPOSED, S.DECLINED])
def test_a_talk_for_a_reserve_out_of_the_pool_is_refused(client, w, office, status):
    Reserve.objects.filter(pk=w.reserve_b.pk).update(status=status)
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("talk", w, "reserve_b"), payload("talk", w))
    assert response.status_code == 200 and "不再记录谈心谈话" in page(response)
    response = client.post(url_of("due", w, "reserve_b"), payload("due", w))
    assert response.status_code == 200
    assert snapshot() == before


def test_a_talk_with_an_appointed_reserve_is_recorded(client, w, office):
    """提拔重用时必谈: an appointed reserve is still talked to (and followed up)."""
    client.force_login(office)
    response = client.post(url_of("talk", w, "used_a"), payload("talk", w, kind=TalkKind.PROMOTION))
    assert response.status_code == 302
    assert HeartTalk.objects.filter(reserve=w.used_a).count() == 1


def test_a_follow_up_of_a_reserve_not_appointed_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    for target in ("reserve", "removed", "proposed"):
        response = client.post(url_of("followup", w, target), payload("followup", w))
        assert response.status_code == 200 and "只适用于已任用" in page(response)
    assert snapshot() == before


def test_a_relaxation_on_a_village_or_closed_reserve_is_refused(client, w, office):
    client.force_login(office)
    before = snapshot()
    for target in ("reserve", "used_a", "removed"):
        response = client.post(url_of("relax", w, target), payload("relax", w))
        assert response.status_code == 200 and chinese(page(response))
    assert snapshot() == before


def test_a_tier_change_re_evaluates_the_tier_conditions(client, w, office):
    """A village reserve cadre (高中) put in tier 1 (全日制本科, civil servant, middle post) by a tier change: either
    refused, or no longer shown as meeting the tier's conditions."""
    client.force_login(office)
    response = client.post(url_of("tier", w, "reserve_b"), payload("tier", w, tier="1"))
    r = Reserve.objects.select_related("term").get(pk=w.reserve_b.pk)
    if response.status_code == 302 and r.tier == Tier.FIRST:
        assert r.meets_conditions == tiers.meets(r, r.tier, r.term, tiers.reference_day(r)), \
            "moved to tier 1 and still flagged as meeting its conditions"


# --------------------------------------------------------------------------- stale forms and double submits


def test_a_stale_use_form_after_a_post_change_is_refused(client, w, office, village_a_user):
    client.force_login(office)
    assert 'value="0"' in page(client.get(url_of("use", w, "reserve")))
    client.force_login(village_a_user)
    assert client.post(url_of("post", w, "reserve"), payload("post", w)).status_code == 302
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("use", w, "reserve"), payload("use", w, version="0"))
    assert response.status_code == 200 and "已被他人更新" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize("first,second", [("remove", "use"), ("use", "remove"), ("remove", "post"),
                                          ("use", "tier"), ("remove", "activist"), ("use", "expire")])
def test_two_moves_from_stale_pages_one_after_the_other(client, w, office, first, second):
    client.force_login(writer(w, first))
    assert client.post(url_of(first, w, "reserve"), payload(first, w)).status_code == 302
    before = snapshot()
    client.force_login(writer(w, second))
    response = client.post(url_of(second, w, "reserve"), payload(second, w, version="0"))
    assert response.status_code == 200
    assert "已被他人更新" in page(response) or "不能" in page(response)
    assert snapshot() == before


def test_a_stale_decision_after_a_decline_is_refused(client, w, office):
    client.force_login(office)
    assert client.post(url_of("decide", w, "proposed"), payload("decide", w)).status_code == 302
    before = snapshot()
    response = client.post(url_of("decide", w, "proposed"), {"action": "approve_reserve", "version": "0"})
    assert any("已被他人更新" in m or "不能" in m for m in message_texts(response))
    assert snapshot() == before


def test_a_stale_task_evaluation_is_refused(client, w, office, mentor):
    client.force_login(office)
    assert client.post(url_of("cancel", w, "task_reported"), payload("cancel", w)).status_code == 302
    client.force_login(mentor)
    before = snapshot()
    response = client.post(url_of("evaluate", w, "task_reported"), payload("evaluate", w))
    assert response.status_code == 200 and ("已被他人更新" in page(response) or "不能" in page(response))
    assert snapshot() == before


def test_a_double_evaluation_is_refused(client, w, office, mentor):
    client.force_login(mentor)
    assert client.post(url_of("evaluate", w, "task_reported"), payload("evaluate", w)).status_code == 302
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("evaluate", w, "task_reported"), payload("evaluate", w, **{
        "evaluate-grade": Grade.POOR}))
    assert response.status_code == 200
    assert snapshot() == before
    assert Task.objects.get(pk=w.task_reported.pk).grade == Grade.GOOD


def test_a_double_enrolment_is_refused(client, w, office):
    client.force_login(office)
    assert client.post(url_of("enrol", w, "course"), payload("enrol", w)).status_code == 302
    before = snapshot()
    response = client.post(url_of("enrol", w, "course"), payload("enrol", w))
    assert response.status_code == 200 and chinese(page(response))
    assert Enrolment.objects.filter(course=w.course, reserve=w.reserve_b).count() == 1
    assert snapshot() == before


def test_a_double_pairing_is_refused(client, w, office):
    client.force_login(office)
    new = UserFactory(username="mentor_c", town=w.term.town, role=Role.MENTOR)
    assert client.post(url_of("pair", w, "reserve_b"), payload("pair", w, mentor=str(new.pk))).status_code == 302
    before = snapshot()
    response = client.post(url_of("pair", w, "reserve_b"), payload("pair", w, mentor=str(new.pk)))
    assert response.status_code == 200 and "已是该同志的引路人" in page(response)
    assert Mentorship.objects.filter(reserve=w.reserve_b, end__isnull=True).count() == 1
    assert snapshot() == before


def test_a_pairing_from_a_stale_page_does_not_silently_replace_the_new_mentor(client, w, office, town):
    """Two clerks open the pairing page of a reserve without a mentor; the first names A, the second (whose page
    still shows no mentor, so no 'replace' confirmation) names B: the second is told the pairing changed, instead
    of replacing A without knowing."""
    r = w.unit_reserve
    a = UserFactory(username="mentor_a2", town=town, role=Role.MENTOR)
    b = UserFactory(username="mentor_b2", town=town, role=Role.MENTOR)
    client.force_login(office)
    stale = page(client.get(url_of("pair", w, r)))
    assert "更换引路人" not in stale
    seen = re.search(r'name="seen_mentor" value="(\d+)"', stale).group(1)  # what both clerks' pages carry
    assert client.post(url_of("pair", w, r), payload("pair", w, mentor=str(a.pk), seen_mentor=seen)).status_code == 302
    before = snapshot()
    response = client.post(url_of("pair", w, r), payload("pair", w, mentor=str(b.pk), seen_mentor=seen))
    assert response.status_code == 200, "a stale pairing page replaced the mentor just named"
    assert snapshot() == before


def test_a_double_submitted_talk_is_recorded_once(client, w, mentor):
    """The same talk (same reserve, minute, talker, kind, topic) sent twice — a double tap on a phone — counts once
    toward the yearly minimum."""
    client.force_login(mentor)
    data = payload("talk", w)
    assert client.post(url_of("talk", w, "reserve"), data).status_code == 302
    response = client.post(url_of("talk", w, "reserve"), data)
    assert response.status_code in (200, 302)
    assert HeartTalk.objects.filter(reserve=w.reserve).count() == 1, "the same talk was recorded twice"


def test_a_double_submitted_due_talk_is_made_once(client, w, office):
    client.force_login(office)
    assert client.post(url_of("due", w, "reserve"), payload("due", w)).status_code == 302
    client.post(url_of("due", w, "reserve"), payload("due", w))
    assert DueTalk.objects.filter(reserve=w.reserve, kind=TalkKind.SETBACK).count() == 1


def test_a_double_submitted_decision_and_move(client, w, office):
    client.force_login(office)
    for _i in range(2):
        client.post(url_of("decide", w, "proposed"), payload("decide", w))
        client.post(url_of("use", w, "reserve"), payload("use", w))
    assert Event.objects.filter(action="decline_reserve", object_id=w.proposed.pk).count() == 1
    assert Event.objects.filter(action="use_reserve", object_id=w.reserve.pk).count() == 1
    assert DueTalk.objects.filter(reserve=w.reserve, kind=TalkKind.PROMOTION).count() == 1


def test_a_stale_talk_page_for_a_reserve_removed_meanwhile_is_refused(client, w, office, mentor):
    client.force_login(mentor)
    assert client.get(url_of("talk", w, "reserve")).status_code == 200
    client.force_login(w.committee)
    assert client.post(url_of("remove", w, "reserve"), payload("remove", w)).status_code == 302
    client.force_login(mentor)
    before = snapshot()
    response = client.post(url_of("talk", w, "reserve"), payload("talk", w))
    assert response.status_code in (200, 404)
    assert snapshot() == before


def test_the_removed_reserve_no_longer_counts_and_no_longer_shows_to_the_mentor_as_theirs(client, w, office, mentor):
    client.force_login(mentor)
    assert reverse("cultivation:talk_new", args=[w.reserve.pk]) in page(client.get(reverse("cultivation:mentor_desk")))
    client.force_login(w.committee)
    assert client.post(url_of("remove", w, "reserve"), payload("remove", w)).status_code == 302
    client.force_login(mentor)
    desk = page(client.get(reverse("cultivation:mentor_desk")))
    assert reverse("cultivation:talk_new", args=[w.reserve.pk]) not in desk
    for name in ("cultivation:talk_missing", "cultivation:talk_overdue"):
        assert "张村甲" not in page(client.get(reverse(name)))


# --------------------------------------------------------------------------- what a refusal tells, and the outsider


@pytest.mark.parametrize("who,target", [("unit_user", "other_unit_reserve"), ("village_a_user", "reserve_b"),
                                        ("unit_user", "reserve_b")])
def test_a_duplicate_refusal_does_not_tell_a_unit_about_another_units_reserve(client, request, w, who, target):
    """A unit or village account typing the ID number of a reserve it may not see learns only that the person is
    already in the pool — not their name as recorded, unit, tier or status (it could otherwise probe ID numbers to
    read another unit's pool)."""
    other = getattr(w, target)
    client.force_login(request.getfixturevalue(who))
    own = {"unit_user": {"unit": str(w.unit_a.pk)}, "village_a_user": {"village": str(w.village_a.pk)}}[who]
    before = snapshot()
    response = client.post(reverse("training:entry_new") + "?way=recommended",
                           entry_payload(id_number=other.person.id_number, name="化名", **own))
    assert response.status_code == 200
    text = page(response)
    assert "不能重复" in text or "已在" in text
    assert other.name not in text and other.unit_name not in text, "another unit's reserve is described"
    assert snapshot() == before


@pytest.mark.parametrize("key,target", [("talk", "reserve"), ("use", "reserve"), ("task", "reserve"),
                                        ("enrol", "course"), ("decide", "proposed"), ("action", "proposed")])
def test_a_cross_site_post_without_the_csrf_token_writes_nothing(w, office, key, target):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    before = snapshot()
    assert client.post(url_of(key, w, target), payload(key, w)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("key,target", [("action", "proposed"), ("decide", "proposed"), ("use", "reserve"),
                                        ("talk", "reserve"), ("enrol", "course")])
def test_other_methods_are_refused(client, w, office, key, target):
    client.force_login(office)
    before = snapshot()
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(url_of(key, w, target)).status_code == 405, method
    assert snapshot() == before
    if key in POST_ONLY:
        assert client.get(url_of(key, w, target)).status_code == 405


NUL_FIELDS = [("task", "title"), ("task", "content"), ("talk", "content"), ("talk", "topic"), ("remove", "reason"),
              ("remove", "approver"), ("post", "post"), ("followup", "content"), ("pair", "basis"),
              ("entry", "name"), ("entry", "id_number"), ("pool_meeting", "attendees"), ("course", "title"),
              ("due", "reason"), ("attendance", "result"), ("action", "reason"), ("decide", "reason"),
              ("evaluate", "evaluate-comment"), ("activist", "note"), ("relax", "relaxation_reason")]


@pytest.mark.parametrize(("key", "field"), NUL_FIELDS, ids=[f"{k}-{f}" for k, f in NUL_FIELDS])
def test_a_nul_character_in_text_is_refused_not_a_500(client, w, office, key, field):
    if key == "relax":
        Reserve.objects.filter(pk=w.unit_reserve.pk).update(birth_date=years_ago(50))
    client.force_login(writer(w, key))
    before = snapshot()
    response = client.post(url_of(key, w, TARGET_FOR.get(key)), payload(key, w, **{field: "甲\x00乙"}))
    assert response.status_code in (200, 302)
    assert snapshot() == before


def test_an_approval_of_a_recommendation_that_fails_the_conditions_is_refused(client, w, office):
    Reserve.objects.filter(pk=w.proposed.pk).update(birth_date=years_ago(50))
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("decide", w, "proposed"), {"action": "approve_reserve", "version": "0"})
    assert any("梯队条件" in m for m in message_texts(response))
    assert snapshot() == before


@pytest.mark.parametrize("target,tier", [("unit_reserve", "5"), ("reserve", "5"), ("reserve", "0"),
                                         ("reserve", "6")])
def test_a_tier_change_to_an_impossible_tier_is_refused(client, w, office, target, tier):
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("tier", w, target), payload("tier", w, tier=tier))
    assert response.status_code == 200 and chinese(page(response))
    assert snapshot() == before


READ_SCOPE = [
    ("mentor", "training:reserve_detail", "reserve_b"), ("mentor", "cultivation:talk_list", "reserve_b"),
    ("mentor", "cultivation:task_detail", "task_b"), ("mentor", "training:reserve_detail", "foreign"),
    ("village_a_user", "training:reserve_detail", "reserve_b"), ("village_a_user", "cultivation:task_detail", "task_b"),
    ("village_a_user", "cultivation:talk_list", "unit_reserve"),
    ("unit_user", "training:reserve_detail", "other_unit_reserve"), ("unit_user", "cultivation:task_detail", "task_ou"),
    ("unit_user", "training:reserve_detail", "reserve"), ("other_office", "training:reserve_detail", "reserve"),
    ("other_office", "cultivation:course_detail", "course"), ("other_office", "training:meeting_detail", "meeting"),
    ("other_office", "cultivation:talk_list", "reserve"), ("office", "training:reserve_detail", "foreign"),
    ("office", "cultivation:course_detail", "foreign_course"), ("office", "training:meeting_detail", "foreign_meeting"),
    ("committee", "training:reserve_detail", "foreign"),
]


@pytest.mark.parametrize(("who", "name", "target"), READ_SCOPE, ids=[f"{a}-{b}-{c}" for a, b, c in READ_SCOPE])
def test_reading_another_units_or_towns_object_is_404(client, request, w, who, name, target):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name, args=[getattr(w, target).pk]))
    assert response.status_code == 404
    obj = getattr(w, target)
    # A meeting's str is its date, whose digits can turn up in any page (a CSRF token); its attendees cannot.
    assert (obj.attendees if isinstance(obj, PoolMeeting) else str(obj)[:2]) not in page(response)


@pytest.mark.parametrize("who", ["mentor", "village_a_user", "unit_user"])
def test_a_list_shows_only_the_own_reserves(client, request, w, who):
    client.force_login(request.getfixturevalue(who))
    own = {"mentor": {"张村甲"}, "village_a_user": {"张村甲", "周任用"}, "unit_user": {"王站丙", "孙推荐"}}[who]
    everyone = {"张村甲", "李村乙", "王站丙", "赵所丁", "钱外镇", "孙推荐", "周任用", "吴任用", "郑任用"}
    for name in ("training:pool_list", "cultivation:task_overdue"):
        text = page(client.get(reverse(name) + "?status="))
        assert not {n for n in everyone - own if n in text}, name


def test_a_double_submitted_renewal_renews_once(client, w, office):
    Reserve.objects.filter(pk=w.reserve.pk).update(term_end=T() + D(days=10))
    client.force_login(office)
    url = reverse("training:reserve_action", args=[w.reserve.pk, "renew_reserve"])
    assert client.post(url, {"version": "0"}).status_code == 302
    response = client.post(url, {"version": "0"})
    assert any("已被他人更新" in m or "届满前" in m for m in message_texts(response))
    r = Reserve.objects.get(pk=w.reserve.pk)
    assert r.term_number == 2 and Event.objects.filter(action="renew_reserve", object_id=r.pk).count() == 1


@pytest.mark.parametrize("move", ["remove", "expire"])
def test_a_reserve_leaving_the_pool_is_no_longer_the_mentors(client, w, office, mentor, move):
    """调整出库 / 期满出库: the person is no longer cultivated, so the pairing (结对帮扶) ends with it — the mentor's
    scope (Reserve.mentor) no longer opens their file, and the history keeps the pairing with its end."""
    Reserve.objects.filter(pk=w.reserve.pk).update(term_end=T() - D(days=2))
    client.force_login(writer(w, move))
    assert client.post(url_of(move, w, "reserve"), payload(move, w)).status_code == 302
    assert not Mentorship.objects.filter(reserve=w.reserve, end__isnull=True).exists(), "the pairing is still open"
    client.force_login(mentor)
    assert client.get(reverse("training:reserve_detail", args=[w.reserve.pk])).status_code == 404


def test_no_subsidy_for_a_rotation_not_attended(client, w, office):
    """上派轮训 marked 未参加 (attended=False) on its enrolment: the sending unit pays nothing for it — the statement
    is refused or comes to 0 working days and 0 元."""
    rotation = Course.objects.create(town=w.town, kind=Course.Kind.ROTATION, title="轮训", organiser="县委组织部",
                                     start=T() - D(days=40), end=T() - D(days=5), subsidy_per_day=20,
                                     recorded_by=office)
    enrolment = Enrolment.objects.create(course=rotation, reserve=w.reserve, recorded_by=office)
    client.force_login(office)
    response = client.post(reverse("cultivation:enrolment_edit", args=[enrolment.pk]),
                           payload("attendance", w, attended="0", hours="", result="", grade=""))
    assert response.status_code == 302
    assert not Enrolment.objects.get(pk=enrolment.pk).attended
    response = client.get(reverse("cultivation:subsidy_detail", args=[enrolment.pk]))
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        total = re.search(r'id="subsidy-total">([^<]*)<', page(response)).group(1)
        assert "合计：0个工作日" in total and "，0元" in total.replace(".00", ""), total


def test_a_units_subsidy_statement_of_another_units_posting_is_404(client, w, office, unit_user):
    rotation = Course.objects.create(town=w.town, kind=Course.Kind.ROTATION, title="轮训", organiser="县委组织部",
                                     start=T() - D(days=40), end=T() - D(days=5), subsidy_per_day=20,
                                     recorded_by=office)
    mine = Enrolment.objects.create(course=rotation, reserve=w.unit_reserve, recorded_by=office)
    theirs = Enrolment.objects.create(course=rotation, reserve=w.other_unit_reserve, recorded_by=office)
    client.force_login(unit_user)
    assert client.get(reverse("cultivation:subsidy_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("cultivation:subsidy_detail", args=[theirs.pk])).status_code == 404
    month = rotation.start
    url = reverse("cultivation:subsidy_pdf", args=[theirs.pk, month.year, month.month])
    assert client.get(url).status_code == 404


def test_attended_hours_above_the_courses_are_refused(client, w, office):
    """An 8-hour class cannot be attended for 9999.9 hours: the typo would inflate the reserve's hours per year."""
    client.force_login(office)
    before = snapshot()
    response = client.post(url_of("attendance", w, "enrolment"), payload("attendance", w, hours="9999.9"))
    assert response.status_code == 200, "9999.9 hours recorded for an 8-hour class"
    assert snapshot() == before
