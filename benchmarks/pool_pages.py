"""Time every GET page of the reserve pool and its cultivation, at demo and at county scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pool .venv/bin/python benchmarks/pool_pages.py \
        --scale county [--runs 5] [--reuse]

Builds a pool in the database DATABASE_URL names (it must be set, and the database must hold no data unless
--reuse is given: then the pool an earlier run built there is measured again, or built if missing) with
bulk_create — `--scale demo`: one town, 12 villages, ~80 reserves; `--scale county`: 20 towns × 25 villages,
20,000 reserves across the tiers and units, ~3 talks, ~2 tasks, ~1 enrolment and ~1 meeting per reserve, 200
courses, mentors with ~20 reserves each (members of the leadership team for tiers 1–3, mentor accounts for the
others). The rows are those the services leave (with an entry event per reserve and one per status change), made
without the services for speed. Then asks each page of PAGES with Django's test client as the account of its row
(the town's office for every page; the mentor's desk as a mentor, the pool list as a village and a unit too) and
prints a Markdown table: the first request, the median and the slowest of the next --runs, the queries of one
request, the peak of Python's memory during one request (tracemalloc) and the page's size. Times are of the whole
request through the middleware (sessions, the audit log), with the connection opened per request as the app runs
by default (CONN_MAX_AGE 0).

The pages are discovered: every URL name of the "training:", "cultivation:" and "assessment:" namespaces that takes no argument
or one `pk` must have its row in PAGES (measured, or skipped with the reason, e.g. a POST-only action), and the
script fails listing those that have none — a page added to the app is added here (tests/training/
test_benchmark_smoke.py checks the same on every test run). A page answering other than 200 fails the run too.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

NAMESPACES = ("training", "cultivation", "assessment")
TOWN_PREFIX = "基准"  # the benchmark's towns are 基准1镇, 基准2镇 …


# ----------------------------------------------------------------------------------------------- the pages


@dataclass(frozen=True)
class Page:
    """One row of the benchmark: a URL name, the object its arguments come from (None: no argument; see
    Built.args), the query string, who asks (keys of Built.users), and the label printed."""

    name: str
    arg: str | None = None
    query: str = ""
    roles: tuple[str, ...] = ("office",)
    label: str = ""


@dataclass(frozen=True)
class Skip:
    """A pool URL name that is not measured, and why (e.g. it only answers POST)."""

    name: str
    reason: str


# Every pool URL name that takes no argument or one pk (these the check requires), and the others that have a GET
# page. Keep in step with training/urls_*.py and cultivation/urls_*.py: the script (and the smoke test) fails on
# a required name missing here, and on a name here the app does not have.
PAGES: tuple[Page | Skip, ...] = (
    # the pool list and a reserve's page (training/urls_pool.py)
    Page("training:pool_list", roles=("office", "committee", "village", "unit", "mentor"), label="人才库名册"),
    Page("training:pool_list", query="?tier=4", label="人才库名册 · 第四梯队"),
    Page("training:pool_list", query="?ending=on", label="人才库名册 · 即将届满或待续期"),
    Page("training:pool_list", query="?status=renewal_due", label="人才库名册 · 待续期"),
    Page("training:pool_list", query="?activist=on", label="人才库名册 · 入党积极分子推荐对象"),
    Page("training:pool_list", query="?gender=F&age=31-35&education=50", label="人才库名册 · 女、31—35岁、本科"),
    Page("training:pool_list", query="?page=3", label="人才库名册 · 第3页"),
    Page("training:reserve_detail", "reserve", roles=("office", "mentor"), label="后备干部页面"),
    Skip("training:reserve_action", "POST only (a workflow action's button)"),
    Page("training:reserve_use", "reserve", label="任用（表单）"),
    Page("training:reserve_remove", "reserve", roles=("committee",), label="调整出库（表单，党委）"),
    Page("training:reserve_expire", "renewal_due", label="期满出库（表单）"),
    Page("training:reserve_change_post", "reserve", label="岗位调整（表单）"),
    Page("training:reserve_change_tier", "reserve", label="调整梯队（表单）"),
    Page("training:reserve_activist", "nonparty", label="推荐入党积极分子（表单）"),
    # entry, committee meetings, terms, relaxations, follow-ups (training/urls_entry.py)
    Page("training:meeting_list", label="党委会研究（人才库）"),
    Page("training:meeting_new", label="记录党委会研究（表单）"),
    Page("training:meeting_detail", "pool_meeting", label="党委会研究页面"),
    Page("training:entry_new", roles=("office", "unit"), label="入库、推荐（表单）"),
    Page("training:review_list", roles=("office", "unit"), label="第四梯队推荐审核"),
    Skip("training:review_decide", "POST only (the review's buttons on review_list)"),
    Page("training:term_list", label="人才库届期"),
    Page("training:term_new", label="新建届期（表单）"),
    Page("training:term_edit", "term", label="修改届期（表单）"),
    Page("training:relaxation_new", "reserve", label="放宽梯队条件（表单）"),
    Page("training:followup_new", "used", label="回访跟踪（表单）"),
    # mentors (training/urls_mentors.py)
    Page("training:mentor_pair", "reserve", label="明确引路人（表单）"),
    Page("training:mentor_list", label="引路人一览"),
    Page("training:mentor_unpaired", label="未明确引路人"),
    # practice and courses (cultivation/urls_practice.py)
    Page("cultivation:task_new", "reserve", label="交办任务（表单）"),
    Page("cultivation:task_detail", "task", roles=("office", "mentor"), label="任务页面"),
    Page("cultivation:task_overdue", roles=("office", "mentor"), label="逾期任务"),
    Page("cultivation:meeting_new", "reserve", label="列席会议（表单）"),
    Page("cultivation:course_list", label="培训一览"),
    Page("cultivation:course_new", label="新建培训（表单）"),
    Page("cultivation:course_detail", "course", label="培训页面（上派轮训）"),
    Page("cultivation:enrolment_edit", "enrolment", label="参训情况（表单）"),
    Page("cultivation:subsidy_detail", "enrolment", roles=("office", "unit"), label="上派轮训补贴"),
    Page("cultivation:subsidy_pdf", "subsidy_month", label="上派轮训补贴表（PDF，一人一月）"),
    # talks and the mentor's desk (cultivation/urls_talks.py)
    Page("cultivation:mentor_desk", roles=("mentor",), label="引路人工作台"),
    Page("cultivation:talk_overdue", roles=("office", "mentor"), label="逾期未谈"),
    Page("cultivation:talk_missing", roles=("office", "mentor"), label="谈话次数不足"),
    Page("cultivation:talk_list", "reserve", roles=("office", "mentor"), label="谈心谈话记录"),
    Page("cultivation:talk_new", "reserve", roles=("office", "mentor"), label="记录谈心谈话（表单）"),
    Page("cultivation:due_talk_new", "reserve", label="应谈事项（表单）"),
    # assessment: the scheme, the rounds and an assessment's form (assessment/urls_rounds.py)
    Page("assessment:scheme", label="考核办法"),
    Page("assessment:round_list", label="考核一览"),
    Page("assessment:round_new", label="发起考核（表单）"),
    Page("assessment:round_detail", "assessment_round", label="考核页面（已确认，第1页）"),
    Page("assessment:round_detail", "assessment_round", query="?tier=5&page=2", label="考核页面 · 村级后备干部第2页"),
    Page("assessment:round_detail", "open_round", label="考核页面（考核中，预排名）"),
    Skip("assessment:round_add", "POST only (a button of the round's page)"),
    Skip("assessment:round_action", "POST only (the round's confirmation)"),
    Page("assessment:assessment_edit", "assessment", label="考核评分（表单，附当年实绩）"),
    Skip("assessment:assessment_action", "POST only (submit, return, confirm)"),
    Page("assessment:assessment_veto", "assessment", label="一票否决（表单）"),
    Page("assessment:mine", roles=("mentor", "village", "unit"), label="我的考核评分"),
    Page("assessment:mine", query="?tab=done", roles=("mentor",), label="我的考核评分 · 已评分"),
    # adjustments (assessment/urls_adjustments.py)
    Page("assessment:adjustment_list", roles=("office", "committee"), label="调整出库"),
    Page("assessment:adjustment_detail", "adjustment", label="调整出库事项"),
    Skip("assessment:adjustment_action", "POST only (propose, approve, reject, withdraw)"),
    Page("assessment:adjustment_new", "reserve", label="提出调整出库（表单）"),
    # priority uses, 入党积极分子 candidates, 两委 vacancies (assessment/urls_priority.py)
    Page("assessment:priority_list", roles=("office", "committee"), label="优先使用名单"),
    Page("assessment:priority_list", query="?tier=5&page=2", label="优先使用名单 · 村级后备干部第2页"),
    Page("assessment:priority_use", label="提拔使用名单"),
    Page("assessment:priority_training", label="上级调训名单"),
    Skip("assessment:priority_pdf", "POST only (the list page's button starts the PDF as a background job)"),
    Page("assessment:activist_list", roles=("office", "village"), label="入党积极分子推荐对象"),
    Page("assessment:vacancy_list", roles=("office", "village"), label="两委职数空缺"),
    Page("assessment:vacancy_new", label="登记职数空缺（表单）"),
    Page("assessment:vacancy_detail", "vacancy", label="职数空缺（人选排序）"),
    Skip("assessment:vacancy_fill", "POST only (the vacancy's fill form)"),
)


def discovered_names(namespaces=NAMESPACES) -> dict[str, tuple[str, ...]]:
    """Every URL name of the pool's namespaces (or of `namespaces`: None for the names outside any namespace) with
    its arguments (names of the route's converters)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns, namespace, inherited):
        for p in patterns:
            params = tuple(getattr(p.pattern, "converters", {}).keys()) or tuple(
                getattr(getattr(p.pattern, "regex", None), "groupindex", {}).keys())
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns, inherited + params)
            elif isinstance(p, URLPattern) and p.name and namespace in namespaces:
                found.setdefault(f"{namespace}:{p.name}" if namespace else p.name, inherited + params)

    walk(get_resolver().url_patterns, None, ())
    return found


def pool_page_names() -> set[str]:
    """The pool's URL names the benchmark must cover: no argument, or a single one (a reserve's, a course's …)."""
    return {name for name, params in discovered_names().items() if len(params) <= 1}


def coverage_problems() -> list[str]:
    """What is wrong with PAGES: pool URL names it does not cover, and names it lists that the app lacks."""
    listed = {row.name for row in PAGES}
    known = discovered_names()
    problems = [f"{name}: no row in benchmarks/pool_pages.py PAGES (measure it, or Skip it with the reason)"
                for name in sorted(pool_page_names() - listed)]
    problems += [f"{name}: in PAGES but not a URL name of the app" for name in sorted(listed - set(known))]
    return problems


# ----------------------------------------------------------------------------------------------- the scales


@dataclass(frozen=True)
class Scale:
    towns: int
    villages: int  # per town
    units: int  # per town
    reserves: int  # per town
    courses: int  # per town
    mentor_load: int = 20  # reserves per mentor
    talks: float = 3  # per reserve, on average
    tasks: float = 2
    meetings: float = 1


SCALES = {
    "tiny": Scale(towns=1, villages=2, units=2, reserves=14, courses=4, mentor_load=5),
    "demo": Scale(towns=1, villages=12, units=4, reserves=80, courses=8),
    "county": Scale(towns=20, villages=25, units=8, reserves=1000, courses=10),
}

# The share of each tier among a town's reserves (village reserve cadres are half of them).
TIER_WEIGHTS = ((1, 2), (2, 8), (3, 10), (4, 30), (5, 50))
UNIT_KINDS = ("office", "station", "enterprise", "other")
UNIT_NAMES = ("党政办", "农业农村办", "财政所", "经济发展办", "社会事务办", "综合执法队", "农商银行支行", "绿源农业合作社")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ("建国", "志强", "伟", "军", "涛", "秀英", "丽", "敏", "静", "燕", "浩然", "子轩", "雨涵", "梓涵", "喆", "堃")


@dataclass
class Built:
    """What the pages are asked with: the accounts of town 1 and objects of it, and the counts of rows."""

    users: dict = field(default_factory=dict)  # role key -> User
    objects: dict = field(default_factory=dict)  # Page.arg -> a model instance
    counts: dict = field(default_factory=dict)

    def args(self, key) -> list:
        if key is None:
            return []
        if key == "subsidy_month":  # the rotation enrolment and the first month of its posting
            enrolment = self.objects["enrolment"]
            return [enrolment.pk, enrolment.course.start.year, enrolment.course.start.month]
        return [self.objects[key].pk]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _id_number(birth: datetime.date, male: bool, used: dict, area: str = "330781") -> str:
    from reserve import idnumber

    n = used.get((area, birth, male), 0)
    used[(area, birth, male)] = n + 1
    seq = n * 2 + (1 if male else 0)  # the 17th digit: odd for a man
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def build(scale: Scale, today: datetime.date | None = None, seed: int = 11) -> Built:
    """Build the pool at `scale` with bulk_create (no services: the rows as the services would leave them)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from candidates.models import Person
    from cultivation.models import Course, DueTalk, Enrolment, Grade, HeartTalk, MeetingAttendance, TalkKind, Task
    from reserve.choices import Education, PoliticalStatus
    from reserve.models import Event, Town, Unit, User, Village
    from reserve.roles import Role
    from training.models import FollowUpVisit, Mentorship, PoolMeeting, PoolTerm, Reserve, Tier

    rng = random.Random(seed)
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    password = make_password("Bench@2026")
    # get_or_create: the groups come from a migration, and a flushed test database has none
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    built = Built()
    S = Reserve.Status
    tier_cycle = [t for t, w in TIER_WEIGHTS for _ in range(w)]
    used_ids: dict = {}
    ct_reserve = ContentType.objects.get_for_model(Reserve)

    def day(days_ago: int) -> datetime.date:
        return today - datetime.timedelta(days=days_ago)

    def at(d: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(d, datetime.time(hour, 0), tzinfo=tz)

    with transaction.atomic():
        for ti in range(scale.towns):
            town = Town.objects.create(name=f"{TOWN_PREFIX}{ti + 1}镇", party_committee_name=f"中共{TOWN_PREFIX}{ti + 1}镇委员会")
            villages = Village.objects.bulk_create(
                [Village(town=town, name=f"第{v + 1}村", order=v) for v in range(scale.villages)])
            units = Unit.objects.bulk_create(
                [Unit(town=town, name=UNIT_NAMES[u % len(UNIT_NAMES)] + ("" if u < len(UNIT_NAMES) else str(u)),
                      kind=UNIT_KINDS[u % len(UNIT_KINDS)], order=u) for u in range(scale.units)])
            # The first rows are the measured ones: one per tier (active), then a used and a proposed.
            tiers = [i + 1 if i < 5 else 4 if i == 6 else tier_cycle[rng.randrange(len(tier_cycle))]
                     for i in range(scale.reserves)]
            # Tiers 1–3 are mentored by the committee's members (班子成员), the others by mentor accounts.
            n_leaders = max(1, -(-sum(t in (1, 2, 3) for t in tiers) // scale.mentor_load))
            n_mentors = max(1, -(-sum(t in (4, 5) for t in tiers) // scale.mentor_load))
            prefix = f"t{ti + 1:02d}"
            users = [User(username=f"{prefix}zzb", full_name="组织办", town=town, password=password)]
            users += [User(username=f"{prefix}dw{m + 1:02d}", full_name=f"党委委员{m + 1}", town=town, password=password)
                      for m in range(n_leaders)]
            users += [User(username=f"{prefix}cun{v.order + 1:02d}", full_name=f"{v.name}党支部", town=town, village=v,
                           password=password) for v in villages]
            users += [User(username=f"{prefix}dy{u.order + 1:02d}", full_name=f"{u.name}负责人", town=town, unit=u,
                           password=password) for u in units]
            users += [User(username=f"{prefix}ylr{m + 1:03d}", full_name=f"引路人{m + 1}", town=town, password=password)
                      for m in range(n_mentors)]
            users = User.objects.bulk_create(users)
            office, leaders = users[0], users[1:1 + n_leaders]
            committee = leaders[0]
            rest = users[1 + n_leaders:]
            village_users, unit_users, mentors = (rest[:len(villages)], rest[len(villages):len(villages) + len(units)],
                                                  rest[len(villages) + len(units):])
            through = User.groups.through
            through.objects.bulk_create(
                [through(user_id=office.pk, group_id=groups[Role.OFFICE].pk)]
                + [through(user_id=u.pk, group_id=groups[Role.COMMITTEE].pk) for u in leaders]
                + [through(user_id=u.pk, group_id=groups[Role.VILLAGE].pk) for u in village_users]
                + [through(user_id=u.pk, group_id=groups[Role.UNIT].pk) for u in unit_users]
                + [through(user_id=u.pk, group_id=groups[Role.MENTOR].pk) for u in mentors])
            term = PoolTerm.objects.create(town=town, name=f"{today.year - 1}—{today.year + 2}年度后备干部人才库",
                                           start=day(400).replace(day=1), target_tier1=5, target_tier2=20,
                                           target_tier3=30, target_tier4=100)
            pool_meetings = PoolMeeting.objects.bulk_create(
                [PoolMeeting(town=town, date=day(d), attendees="孙书记、李镇长、周敏、刘强、王建华",
                             minutes_ref=f"党委会〔{day(d).year}〕{k + 3}号", note="研究确定后备干部人选及引路人",
                             recorded_by=office) for k, d in enumerate((700, 380, 90))])

            people, reserves = [], []
            for i in range(scale.reserves):
                tier = tiers[i]
                male = rng.random() < 0.6
                age = rng.randint(24, 34 if tier in (1, 2) else 44)
                birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                people.append(Person(name=name, gender="M" if male else "F", birth_date=birth,
                                     id_number=_id_number(birth, male, used_ids)))
                in_village = tier in (3, 5) or (tier == 4 and rng.random() < 0.4)
                start = day({3: 700, 4: 800}.get(i, rng.randint(30, 1000)))
                term_number = 1 + (today - start).days // 730
                if term_number > 1 and (i == 4 or rng.random() < 0.05):
                    term_number -= 1  # the term ended and the office has not decided yet: 待续期
                term_start = start + datetime.timedelta(days=730 * (term_number - 1))
                roll = rng.random()
                status = (S.ACTIVE if roll < 0.85 else S.USED if roll < 0.90 else S.REMOVED if roll < 0.94
                          else S.EXPIRED if roll < 0.97 else S.PROPOSED)
                status = {5: S.USED, 6: S.PROPOSED}.get(i, S.ACTIVE if i < 5 else status)
                party = rng.random() < 0.65 and i != 2
                edu = rng.choice((Education.HIGH_SCHOOL, Education.COLLEGE, Education.BACHELOR, Education.BACHELOR))
                reserves.append(Reserve(
                    town=town, term=term, name=name, tier=tier,
                    village=rng.choice(villages) if in_village else None,
                    unit=None if in_village else units[0] if i == 0 else rng.choice(units), status=status,
                    source=(Reserve.Source.SELECTION if tier == Tier.VILLAGE else Reserve.Source.COMMITTEE
                            if tier in (1, 2, 3) else Reserve.Source.RECOMMENDED),
                    meeting=pool_meetings[i % 3] if tier in (1, 2, 3) else None,
                    recommended_by="农业农村办" if tier == 4 else "",
                    gender="M" if male else "F", birth_date=birth,
                    political_status=PoliticalStatus.PARTY_MEMBER if party else PoliticalStatus.MASSES,
                    party_join_date=datetime.date(birth.year + 22, 7, 1) if party else None,
                    fulltime_education=edu, education=edu, post="科员" if tier in (1, 2) else "村委会委员",
                    phone=f"13{rng.randint(100000000, 999999999)}", civil_servant=tier == 1,
                    middle_post_since=day(900) if tier == 1 else None, organ_work_since=day(1200) if tier in (1, 2) else None,
                    village_cadre_since=day(1500) if tier == 3 else None, meets_conditions=rng.random() < 0.9,
                    start_date=start, term_start=term_start,
                    term_end=term_start + datetime.timedelta(days=729), term_number=term_number,
                    used_post="村党支部副书记" if status == S.USED else "", used_on=day(20) if status == S.USED else None,
                    ended_on=day(15) if status in (S.USED, S.REMOVED, S.EXPIRED) else None,
                    activist_recommended_on=day(60) if not party and rng.random() < 0.2 else None,
                ))
            people = Person.objects.bulk_create(people)
            for person, reserve in zip(people, reserves, strict=True):
                reserve.person = person
            # Each mentor takes ~mentor_load reserves of the town (the proposed have none yet).
            paired = [r for r in reserves if r.status != S.PROPOSED]
            for pool, who in ((leaders, [r for r in paired if r.tier <= 3]), (mentors, [r for r in paired if r.tier > 3])):
                for k, reserve in enumerate(who):
                    reserve.mentor = pool[k % len(pool)]
            reserves = Reserve.objects.bulk_create(reserves)

            mentorships, events, talks, due, tasks, meetings, visits = [], [], [], [], [], [], []
            for reserve in reserves:
                events.append(Event(content_type=ct_reserve, object_id=reserve.pk, action="reserve_added",
                                    actor=office, to_status=S.ACTIVE))
                if reserve.status in (S.USED, S.REMOVED, S.EXPIRED):
                    events.append(Event(content_type=ct_reserve, object_id=reserve.pk,
                                        action={S.USED: "use_reserve", S.REMOVED: "remove_reserve",
                                                S.EXPIRED: "expire_reserve"}[reserve.status],
                                        actor=office, from_status=S.ACTIVE, to_status=reserve.status,
                                        reason="" if reserve.status == S.USED else "本人申请"))
                if reserve.mentor_id:
                    mentorships.append(Mentorship(reserve=reserve, mentor=reserve.mentor, start=reserve.start_date,
                                                  basis="镇党委会研究确定" if reserve.tier <= 3 else "单位推荐、党建办指定",
                                                  recorded_by=office))
                if reserve.status == S.PROPOSED:
                    continue
                last = None
                for _k in range(rng.randint(0, int(2 * scale.talks))):
                    d = day(rng.randint(1, max(2, (today - reserve.start_date).days)))
                    talks.append(HeartTalk(reserve=reserve, held_at=at(d, 15), place="镇组织办谈话室", talker="引路人",
                                      kind=rng.choice(TalkKind.values), topic="思想和工作情况",
                                      content="了解近期工作和思想状况，提出下一步努力方向。", recorded_by=office))
                    last = max(last or d, d)
                reserve.last_talk_on = last
                if rng.random() < 0.2:
                    arose = day(rng.randint(1, 60))
                    due.append(DueTalk(reserve=reserve, kind=TalkKind.POST_CHANGE, reason="岗位调整", arose_on=arose,
                                       due_on=arose + datetime.timedelta(days=21)))
                for _k in range(rng.randint(0, int(2 * scale.tasks))):
                    given = day(rng.randint(10, 300))
                    due_on = given + datetime.timedelta(days=rng.randint(20, 90))
                    state = rng.choice(Task.Status.values[:3])
                    tasks.append(Task(reserve=reserve, title="牵头推进村集体经济项目", content="按期完成并报告完成情况。",
                                      given_by="镇组织办", given_on=given, due_on=due_on, status=state,
                                      result="已完成" if state != "given" else "", recorded_by=office,
                                      reported_on=min(due_on, today) if state != "given" else None,
                                      grade=Grade.GOOD if state == "evaluated" else "",
                                      comment="完成较好" if state == "evaluated" else "",
                                      evaluated_by=reserve.mentor if state == "evaluated" else None,
                                      evaluated_on=min(due_on, today) if state == "evaluated" else None))
                for _k in range(rng.randint(0, int(2 * scale.meetings))):
                    meetings.append(MeetingAttendance(reserve=reserve, date=day(rng.randint(1, 300)),
                                                      meeting="村两委联席会议", note="列席", recorded_by=office))
                if reserve.status == S.USED:
                    visits.append(FollowUpVisit(reserve=reserve, date=day(5), visited_by="组织办",
                                                content="任职后工作状态良好。", recorded_by=office))
            Reserve.objects.bulk_update([r for r in reserves if r.last_talk_on], ["last_talk_on"], batch_size=1000)
            Mentorship.objects.bulk_create(mentorships, batch_size=2000)
            Event.objects.bulk_create(events, batch_size=2000)
            talks = HeartTalk.objects.bulk_create(talks, batch_size=2000)
            DueTalk.objects.bulk_create(due, batch_size=2000)
            Task.objects.bulk_create(tasks, batch_size=2000)
            MeetingAttendance.objects.bulk_create(meetings, batch_size=2000)
            FollowUpVisit.objects.bulk_create(visits, batch_size=2000)

            kinds = Course.Kind.values
            courses = []
            for c in range(scale.courses):
                kind = kinds[c % len(kinds)]
                start = day(30 + 40 * c)
                courses.append(Course(town=town, kind=kind, topic="theory" if kind == "class" else "",
                                      title=f"{start.year}年第{c + 1}期后备干部培训", organiser="县委党校",
                                      start=start, end=start + datetime.timedelta(days=4 if kind != "rotation" else 18),
                                      place="镇党校", hours=16 if kind != "rotation" else 0,
                                      subsidy_per_day=20 if kind == "rotation" else None, recorded_by=office))
            courses = Course.objects.bulk_create(courses)
            active = [r for r in reserves if r.status != S.PROPOSED]
            Enrolment.objects.bulk_create(
                [Enrolment(course=courses[k % len(courses)], reserve=r, sending_unit=r.unit_name, attended=True,
                           result="按期结业", grade=Grade.GOOD, recorded_by=office) for k, r in enumerate(active)],
                batch_size=2000)

            assessed = _assessments(town=town, term=term, reserves=reserves, villages=villages, office=office,
                                    today=today, rng=rng)
            if ti == 0:
                built.users = {"office": office, "committee": committee, "village": village_users[0],
                               "unit": unit_users[0], "mentor": mentors[0]}
                # The reserve the reserve pages are asked for: active, paired with the measured mentor, with the
                # most talks and tasks among that mentor's.
                rich = [r for r in reserves if r.status == S.ACTIVE and r.mentor_id == mentors[0].pk]
                reserve = max(rich, key=lambda r: (sum(t.reserve_id == r.pk for t in tasks),
                                                   sum(t.reserve_id == r.pk for t in talks)))
                rotation = next(c for c in courses if c.kind == "rotation")
                # The rotation's enrolment of a reserve of the measured unit (the unit reads its subsidy).
                enrolment = (Enrolment.objects.filter(course=rotation, reserve=reserves[0]).first()
                             or Enrolment.objects.create(course=rotation, reserve=reserves[0], recorded_by=office,
                                                         sending_unit=reserves[0].unit_name, attended=True))
                built.objects = {
                    "reserve": reserve, "renewal_due": reserves[4], "nonparty": reserves[2], "used": reserves[5],
                    "proposed": reserves[6], "pool_meeting": pool_meetings[1], "term": term, "course": rotation,
                    "enrolment": enrolment,
                    "task": Task.objects.filter(reserve=reserve).order_by("pk").first() or Task.objects.create(
                        reserve=reserve, title="撰写村集体经济发展调研报告", content="一个月内完成。", given_by="镇组织办",
                        given_on=day(40), due_on=day(10), recorded_by=office),
                    **assessed,
                }
    built.counts = count_rows()
    return built


def _assessments(*, town, term, reserves, villages, office, today, rng) -> dict:
    """Assessment of a town's pool: last year's annual round confirmed (every active reserve scored, ranked per tier,
    the top 20% priority, the bottom 10% lagging, 1% vetoed), this year's open with drafts and submitted ones, an
    adjustment flagged for about 2% of the reserves, and a 两委 vacancy in every fifth village. Returns the objects
    the pages are asked for (town 1)."""
    from decimal import Decimal

    from assessment import models as am
    from assessment.models import Adjustment, Assessment, AssessmentRound, Grade, Vacancy
    from training.models import Reserve

    snapshot = {"items": am.DEFAULT_ITEMS, "bands": am.DEFAULT_BANDS, "veto_reasons": am.DEFAULT_VETO_REASONS,
                "top_percent": am.DEFAULT_TOP_PERCENT, "bottom_percent": am.DEFAULT_BOTTOM_PERCENT,
                "sub_shares": am.DEFAULT_SUB_SHARES}
    last = today.year - 1
    done = AssessmentRound.objects.create(
        town=town, term=term, kind="annual", year=last, title=f"{last}年度后备干部考核", opened_on=today.replace(
            month=1, day=1), confirmed_on=today.replace(month=1, day=20), status="confirmed", opened_by=office,
        **snapshot)
    current = AssessmentRound.objects.create(
        town=town, term=term, kind="annual", year=today.year, title=f"{today.year}年度后备干部考核",
        opened_on=today - datetime.timedelta(days=3), opened_by=office, **snapshot)
    active = [r for r in reserves if r.status == Reserve.Status.ACTIVE]

    def grade(total):
        return (Grade.EXCELLENT if total >= 90 else Grade.COMPETENT if total >= 75 else Grade.BASIC if total >= 60
                else Grade.INCOMPETENT)

    rows = []
    for r in active:
        scores = {"de": rng.randint(14, 20), "neng": rng.randint(9, 15), "qin": rng.randint(9, 15),
                  "ji": rng.randint(18, 30), "lian": rng.randint(14, 20)}
        total = Decimal(sum(scores.values()))
        vetoed = rng.random() < 0.01
        rows.append(Assessment(
            round=done, reserve=r, kind="annual", year=last, tier=r.tier, status="confirmed",
            scores={k: str(v) for k, v in scores.items()}, total=total,
            grade=Grade.INCOMPETENT if vetoed else grade(total), comment="工作认真负责，完成年度目标。",
            veto_reason="违纪违法" if vetoed else "", veto_approver="镇党委" if vetoed else "",
            veto_on=done.confirmed_on if vetoed else None, drafted_by=office, confirmed_by=office,
            confirmed_on=done.confirmed_on))
    by_tier: dict = {}
    for a in rows:
        if not a.veto_reason:
            by_tier.setdefault(a.tier, []).append(a)
    for group in by_tier.values():
        group.sort(key=lambda a: (-a.total, a.reserve.start_date, a.reserve.pk))
        n = len(group)
        top, bottom = max(1, round(n * 0.2)), max(1, round(n * 0.1))
        for k, a in enumerate(group, start=1):
            a.rank, a.ranked_of, a.priority = k, n, k <= top
            a.lagging = k > n - bottom or a.grade in (Grade.BASIC, Grade.INCOMPETENT)
    for a in rows:
        a.lagging = a.lagging or bool(a.veto_reason)
    rows = Assessment.objects.bulk_create(rows, batch_size=2000)
    drafts = Assessment.objects.bulk_create(
        [Assessment(round=current, reserve=r, kind="annual", year=today.year, tier=r.tier,
                    status="submitted" if k % 3 == 0 else "draft",
                    scores={"de": "18", "neng": "13", "qin": "12", "ji": "26", "lian": "19"} if k % 3 == 0 else {},
                    total=Decimal(88) if k % 3 == 0 else None, grade=Grade.COMPETENT if k % 3 == 0 else "",
                    drafted_by=office) for k, r in enumerate(active)], batch_size=2000)
    flagged = [a for a in rows if a.lagging][: max(1, len(active) // 50)]
    adjustments = Adjustment.objects.bulk_create(
        [Adjustment(reserve=a.reserve, assessment=a, cause=Adjustment.Cause.VETO if a.veto_reason
                    else Adjustment.Cause.LAGGING_TWICE, status="proposed" if k % 2 else "flagged",
                    flagged_on=done.confirmed_on, reason="连续两年考核靠后" if k % 2 else "",
                    proposed_by=office if k % 2 else None, proposed_on=done.confirmed_on if k % 2 else None)
         for k, a in enumerate(flagged)])
    vacancies = Vacancy.objects.bulk_create(
        [Vacancy(village=v, post="村委会委员", arose_on=today - datetime.timedelta(days=30), reason="原委员辞职",
                 recorded_by=office) for v in villages[::5]])
    return {"assessment_round": done, "open_round": current, "assessment": drafts[0],
            "adjustment": adjustments[0] if adjustments else None, "vacancy": vacancies[0]}


def count_rows() -> dict[str, int]:
    from assessment.models import Adjustment, Assessment, Vacancy
    from cultivation.models import Course, DueTalk, Enrolment, HeartTalk, MeetingAttendance, Task
    from reserve.models import Town, User, Village
    from training.models import Mentorship, Reserve

    return {"towns": Town.objects.count(), "villages": Village.objects.count(), "accounts": User.objects.count(),
            "reserves": Reserve.objects.count(), "mentorships": Mentorship.objects.count(),
            "talks": HeartTalk.objects.count(), "due talks": DueTalk.objects.count(), "tasks": Task.objects.count(),
            "meetings": MeetingAttendance.objects.count(), "courses": Course.objects.count(),
            "enrolments": Enrolment.objects.count(), "assessments": Assessment.objects.count(),
            "adjustments": Adjustment.objects.count(), "vacancies": Vacancy.objects.count()}


def reuse() -> Built | None:
    """The pool an earlier run built in this database (town 1's accounts, a reserve and a course), if any."""
    from django.db.models import Count

    from assessment.models import Adjustment, Assessment, AssessmentRound, Vacancy
    from cultivation.models import Course, Enrolment, Task
    from reserve.models import Town, User
    from reserve.roles import Role
    from training.models import PoolMeeting, PoolTerm, Reserve

    town = Town.objects.filter(name=f"{TOWN_PREFIX}1镇").first()
    if town is None:
        return None
    users = {key: User.objects.filter(town=town, groups__name=role).order_by("pk").first()
             for key, role in (("office", Role.OFFICE), ("committee", Role.COMMITTEE), ("village", Role.VILLAGE),
                               ("unit", Role.UNIT), ("mentor", Role.MENTOR))}
    reserve = (Reserve.objects.filter(town=town, status=Reserve.Status.ACTIVE, mentor=users["mentor"])
               .annotate(n=Count("tasks", distinct=True), m=Count("talks", distinct=True))
               .order_by("-n", "-m", "pk").first())
    first = list(Reserve.objects.filter(town=town).order_by("pk")[:7])
    course = Course.objects.filter(town=town, kind="rotation").order_by("pk").first()
    objects = {
        "reserve": reserve, "renewal_due": first[4], "nonparty": first[2], "used": first[5], "proposed": first[6],
        "pool_meeting": PoolMeeting.objects.filter(town=town).order_by("date", "pk")[1],
        "term": PoolTerm.objects.filter(town=town).order_by("pk").first(), "course": course,
        "enrolment": Enrolment.objects.select_related("course").get(course=course, reserve=first[0]),
        "task": Task.objects.filter(reserve=reserve).order_by("pk").first(),
        "assessment_round": AssessmentRound.objects.filter(town=town, status="confirmed").order_by("pk").first(),
        "open_round": AssessmentRound.objects.filter(town=town, status="open").order_by("pk").first(),
        "assessment": Assessment.objects.filter(round__town=town, round__status="open").order_by("pk").first(),
        "adjustment": Adjustment.objects.filter(reserve__town=town).order_by("pk").first(),
        "vacancy": Vacancy.objects.filter(village__town=town).order_by("pk").first(),
    }
    return Built(users=users, objects=objects, counts=count_rows())


# ----------------------------------------------------------------------------------------------- measuring


@dataclass
class Result:
    label: str
    name: str
    role: str
    url: str
    status: int
    first: float
    median: float
    slowest: float
    queries: int
    peak_kb: float
    size_kb: float


def url_of(page: Page, built: Built) -> str:
    from django.urls import reverse

    return reverse(page.name, args=built.args(page.arg)) + page.query


def measure(built: Built, runs: int = 5, pages=PAGES, memory: bool = True) -> list[Result]:
    """Ask every page of `pages` as each of its roles: one first request, `runs` timed ones, one counting queries
    and (memory) one under tracemalloc."""
    from django.db import connection
    from django.test import Client

    results = []
    clients = {}
    for page in pages:
        if isinstance(page, Skip):
            continue
        url = url_of(page, built)
        for role in page.roles:
            if role not in clients:
                clients[role] = Client()
                clients[role].force_login(built.users[role])
            client = clients[role]

            def get(client=client, url=url):
                response = client.get(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                return response.status_code, body

            t0 = time.perf_counter()
            status, body = get()
            first = time.perf_counter() - t0
            times = []
            for _i in range(runs):
                t0 = time.perf_counter()
                get()
                times.append(time.perf_counter() - t0)
            queries = []

            def counted(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(counted):
                get()
            peak = 0
            if memory:
                tracemalloc.start()
                try:
                    tracemalloc.reset_peak()
                    get()
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
            results.append(Result(page.label or page.name, page.name, role, url, status, first,
                                  statistics.median(times) if times else first, max(times) if times else first,
                                  len(queries), peak / 1024, len(body) / 1024))
    return results


ROLE_LABELS = {"office": "组织办", "committee": "党委委员", "village": "村党支部", "unit": "单位负责人", "mentor": "引路人"}


def header(scale_name: str, runs: int) -> str:
    import django
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            engine += f" (database {cursor.fetchone()[0]})"
    return (f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · scale {scale_name} · {engine} · "
            f"{platform.node()} · {os.cpu_count()} CPU {cpu} · load {load}\n"
            f"# Python {platform.python_version()} · Django {django.get_version()} · {runs} timed requests per row "
            f"after a first one")


def table(results: list[Result], counts: dict) -> str:
    lines = ["# rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), "",
             "| page | URL name | as | status | first ms | median ms | max ms | queries | peak KB | page KB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.label} | {r.name} | {ROLE_LABELS.get(r.role, r.role)} | {r.status} | {r.first * 1000:.0f} | "
                     f"{r.median * 1000:.0f} | {r.slowest * 1000:.0f} | {r.queries} | {r.peak_kb:,.0f} | "
                     f"{r.size_kb:.0f} |")
    skipped = [row for row in PAGES if isinstance(row, Skip)]
    if skipped:
        lines.append("")
        lines += [f"- not measured: {row.name} — {row.reason}" for row in skipped]
    return "\n".join(lines)


def has_data() -> bool:
    """Whether the database holds any data of the app (an empty or a new database holds none)."""
    from django.db import connection

    from reserve.models import Town, User

    tables = set(connection.introspection.table_names())
    if not {Town._meta.db_table, User._meta.db_table} <= tables:
        return False
    return Town.objects.exists() or User.objects.exists()


def setup_django() -> None:
    """Django for a benchmark run as a script (a smoke test calls main() in a process already configured)."""
    from django.conf import settings

    if settings.configured:
        return
    import warnings

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reserve.settings")
    os.environ.setdefault("REDIS_URL", "")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="run on a database that holds data: measure the pool an earlier run built there")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc request")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database of the benchmark's own (it is filled with a generated pool).",
              file=sys.stderr)
        return 2
    setup_django()
    from django.core.management import call_command

    problems = coverage_problems()
    if problems:
        print("Pool pages without a row in PAGES:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    built = None
    if has_data():
        if not args.reuse:
            print("The database holds data: give an empty database, or --reuse to measure the pool an earlier "
                  "run built there.", file=sys.stderr)
            return 2
        call_command("migrate", verbosity=0)
        built = reuse()
    else:
        call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    if built is None:
        built = build(SCALES[args.scale])
        print(f"# built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if connection_is_postgres():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = measure(built, runs=args.runs, memory=not args.no_memory)
    print(header(args.scale, args.runs))
    print(table(results, built.counts))
    failed = [r for r in results if r.status != 200]
    if failed:
        print("Pages not answering 200:\n  " + "\n  ".join(f"{r.url} as {r.role}: {r.status}" for r in failed),
              file=sys.stderr)
        return 1
    return 0


def connection_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


if __name__ == "__main__":
    sys.exit(main())
