"""The demo town's reserve pool (后备干部库) and its cultivation, built through the pool's services.

Called at the end of demo.data.build(). Everything is dated relative to the build's `today` and never after it:
each step is taken through its service on its own day — the service is given that day as `today`, and the clock
(django.utils.timezone.now) reads that day while it runs (`_Context.clock`), so that its events, the time its
rows were recorded and the rules that compare them (a committee decides only proposals made before its meeting)
agree. The history of every reserve reads as if people had done it over the last two years:

- a pool term (2 years a term, the plan's targets) and four committee meetings (镇党委会) of the pool;
- last year's selection round run to its end for six villages: the confirmed nominees are the village reserve
  cadres (村级后备干部) — the selection's own services, from the 自荐表 to 确认入库;
- tiers 1–3 decided by the committee, tier 4 recommended by units and a village and reviewed by the office, one
  立即补进 (later put in tier 3 by the committee), one 引进人才, one recommendation still awaiting review, one
  relaxation of the age condition;
- mentors: members of the leadership team for tiers 1–3, mentor accounts for the others, one change of mentor,
  one reserve still without a mentor past the plan's 30 days;
- tasks (overdue, in progress, reported, evaluated), meetings attended, courses in the four forms — among them a
  上派轮训 posting over National Day (2026-09-28 → 2026-10-16 when the build runs after it) — with enrolments;
- talks (some reserves short of the yearly minimum), due talks made by a post change and an appointment (one
  overdue, one answered), one added by hand;
- terms: one ending within 60 days, one past its end (待续期); one reserve appointed (任用) with a follow-up visit,
  one village reserve removed (调整出库), one non-party reserve recommended as 入党积极分子.

Where no service exists the rows are not made here: every row below comes from a service call.
"""

import contextlib
import datetime
import itertools
from unittest import mock

from django.utils import timezone

from reserve import idnumber
from reserve.choices import Education, Gender, PoliticalStatus
from reserve.models import Unit, User
from reserve.roles import Role

# Accounts the pool adds to the demo (demo.data.build creates them with the demo password).
EXTRA_ACCOUNTS = (
    ("dw02", Role.COMMITTEE, "镇党委 李镇长"),
    ("dw03", Role.COMMITTEE, "镇党委 王副书记"),
    ("ylr02", Role.MENTOR, "引路人 陈建华"),
    ("ylr03", Role.MENTOR, "引路人 林玉兰"),
)
# The units beyond the villages (name, kind, the head's account, the head's name).
UNITS = (
    ("党政办", Unit.Kind.OFFICE, "dy01", "党政办 主任 吴海波"),
    ("农业农村办", Unit.Kind.OFFICE, "dy02", "农业农村办 主任 刘振东"),
    ("财政所", Unit.Kind.STATION, "dy03", "财政所 所长 许丽萍"),
    ("青山绿源农业科技有限公司", Unit.Kind.ENTERPRISE, "dy04", "绿源公司 总经理 梁志刚"),
)
AREA = "330782"  # the pool's entries get ID numbers of another county than the selection's, so none collide
SECRETARY = "镇党委书记 孙立新"

M, F = Gender.MALE, Gender.FEMALE
PARTY, MASSES = PoliticalStatus.PARTY_MEMBER, PoliticalStatus.MASSES
HIGH, COLLEGE, BACHELOR, MASTER = Education.HIGH_SCHOOL, Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE

# The committee's meetings on the pool: days before today.
MEETINGS = (
    (760, "研究确定首批第一至第三梯队后备干部人选及引路人"),
    (710, "研究确定第二梯队后备干部补充人选"),
    (400, "研究确定2025年度第一至第三梯队后备干部人选及引路人"),
    (60, "研究确定第三梯队后备干部补充人选"),
)

# The reserves of the talent plan's tiers: key, name, gender, age, tier, place ("u:<unit>" or "v:<village index>"),
# how they entered (source, days ago, the meeting's days ago or the recommending account), the facts, and the
# relaxation reason if any.
C, R, A, X = "committee", "recommended", "added", "recruited"
TIER_PEOPLE = (
    ("t1a", "吴卓然", M, 33, 1, "u:党政办", C, 400, 400, dict(
        post="党政办副主任", civil_servant=True, fulltime_education=BACHELOR, education=MASTER, political_status=PARTY,
        middle_post_years=3, speciality="文字综合、基层治理")),
    ("t1b", "钱晓燕", F, 34, 1, "u:财政所", C, 400, 400, dict(
        post="财政所副所长", civil_servant=True, fulltime_education=BACHELOR, education=BACHELOR, political_status=PARTY,
        middle_post_years=4, speciality="财务管理")),
    ("t2a", "孙浩", M, 31, 2, "u:农业农村办", C, 710, 710, dict(
        post="农业农村办科员", fulltime_education=COLLEGE, education=BACHELOR, political_status=PARTY, organ_work_years=5,
        speciality="农业项目管理")),
    ("t2b", "周思婷", F, 29, 2, "u:党政办", C, 400, 400, dict(
        post="党政办科员", fulltime_education=BACHELOR, education=BACHELOR, political_status=PARTY, organ_work_years=4)),
    ("t2c", "郑宇辰", M, 37, 2, "u:财政所", C, 400, 400, dict(
        post="财政所科员", fulltime_education=COLLEGE, education=BACHELOR, political_status=PARTY, organ_work_years=10,
        speciality="乡村振兴项目"), "长期在乡村振兴项目一线，工作实绩突出，经镇党委会研究同意放宽年龄要求"),
    ("t3a", "何建军", M, 38, 3, "v:0", C, 760, 760, dict(
        post="东山村党支部委员", fulltime_education=HIGH, education=COLLEGE, political_status=PARTY,
        village_cadre_years=6)),
    ("t3b", "林丽华", F, 35, 3, "v:3", C, 400, 400, dict(
        post="北庄村股份经济合作社理事长", fulltime_education=HIGH, education=HIGH, political_status=PARTY,
        project_amount=150)),
    ("t3c", "谢志刚", M, 39, 3, "v:7", C, 400, 400, dict(
        post="枫林社区居委会委员", fulltime_education=COLLEGE, education=COLLEGE, political_status=PARTY,
        village_cadre_years=4)),
    ("t3d", "朱晓敏", F, 36, 3, "v:5", C, 60, 60, dict(
        post="杏花村妇联主席", fulltime_education=HIGH, education=COLLEGE, political_status=PARTY, village_cadre_years=3)),
    ("t4a", "曹文韬", M, 32, 4, "u:青山绿源农业科技有限公司", R, 380, "dy04", dict(
        post="绿源公司技术部经理", fulltime_education=BACHELOR, education=BACHELOR, political_status=PARTY,
        field_experience="从事设施农业技术推广8年，带动周边农户种植草莓300余亩", speciality="设施农业")),
    ("t4b", "彭雨桐", F, 28, 4, "u:农业农村办", R, 380, "dy02", dict(
        post="农业农村办农技员", fulltime_education=BACHELOR, education=BACHELOR, political_status=PARTY,
        field_experience="农产品电商直播运营3年，年销售额500余万元", speciality="电子商务")),
    ("t4c", "唐国勇", M, 41, 4, "v:1", R, 300, "cun02", dict(
        post="西岭村生猪养殖场负责人", fulltime_education=HIGH, education=HIGH, political_status=PARTY,
        field_experience="生猪养殖15年，年出栏3000头，带动12户村民就业", speciality="畜牧养殖")),
    ("t4d", "宋欣妍", F, 27, 4, "u:青山绿源农业科技有限公司", X, 200, None, dict(
        post="绿源公司研发专员", fulltime_education=MASTER, education=MASTER, political_status=MASSES,
        field_experience="浙江大学农学硕士，从事茶叶病虫害绿色防控研究", speciality="植物保护")),
    ("t4e", "董家磊", M, 35, 4, "v:4", A, 90, None, dict(
        post="柳河村家庭农场主", fulltime_education=COLLEGE, education=COLLEGE, political_status=PARTY,
        field_experience="经营家庭农场600亩，获评市级示范家庭农场", speciality="粮食种植", project_amount=300)),
    ("t4f", "袁静怡", F, 30, 4, "u:财政所", R, 5, "dy03", dict(
        post="财政所会计", fulltime_education=BACHELOR, education=BACHELOR, political_status=PARTY,
        field_experience="中级会计师，负责村级财务代理记账5年", speciality="会计")),
    ("t4g", "潘海涛", M, 39, 4, "u:农业农村办", R, 700, "dy02", dict(
        post="农机服务中心技术员", fulltime_education=COLLEGE, education=COLLEGE, political_status=PARTY,
        field_experience="农机维修与推广12年", speciality="农机")),
)

# The mentors: tiers 1–3 the leadership team (with the meeting that named them), the others the mentor accounts.
MENTORS = {
    "t1a": "dw01", "t1b": "dw01", "t2a": "dw02", "t2b": "dw02", "t2c": "dw03", "t3a": "dw01", "t3b": "dw03",
    "t3c": "dw02", "t4a": "ylr02", "t4b": "ylr01", "t4c": "ylr03", "t4d": "ylr01", "t4e": "ylr03", "t4g": "ylr01",
}  # t3d has none yet (decided 60 days ago: past the plan's 30 days); t4f awaits review


def build(*, town, office, villages, village_users, today, rng):
    users = {u.username: u for u in User.objects.filter(
        username__in=["dw01", "dw02", "dw03", "ylr01", "ylr02", "ylr03", "dy01", "dy02", "dy03", "dy04",
                      *(u.username for u in village_users.values())])}
    users["zzb"] = office
    ctx = _Context(town=town, office=office, villages=villages, users=users, today=today, rng=rng)
    _term(ctx)
    ctx.village_reserves = _last_years_round(ctx, village_users)
    _meetings(ctx)
    _enter_tiers(ctx)
    _pair_mentors(ctx)
    _practice(ctx)
    _courses(ctx)
    _talks(ctx)
    _moves(ctx)
    # Two years of assessments, a veto, a removal and a 两委 vacancy (demo/assessment.py).
    from demo import assessment

    assessment.build(ctx)


class _Context:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
        self.reserves = {}
        self.meetings = {}
        self.village_reserves = []
        self.seq = 0

    @contextlib.contextmanager
    def clock(self, days_ago: int, hour: int = 16):
        """The services run as on that day (at `hour` local time): timezone.now(), and with it localdate(), the
        events' and rows' recorded times. Each reading is a microsecond later than the one before."""
        start = self.at(days_ago, hour).astimezone(datetime.UTC)
        ticks = itertools.count()

        def now():
            return start + datetime.timedelta(microseconds=next(ticks))

        with mock.patch("django.utils.timezone.now", now):
            yield

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def at(self, days_ago: int, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(self.day(days_ago), datetime.time(hour, 0),
                                         tzinfo=timezone.get_current_timezone())

    def id_number(self, birth: datetime.date, gender: str) -> str:
        self.seq += 1
        digit = (self.seq * 2 + (1 if gender == M else 0)) % 10
        first17 = f"{AREA}{birth:%Y%m%d}{self.seq % 100:02d}{digit}"
        return first17 + idnumber.check_char(first17)

    def years_ago(self, years: int, days_ago: int = 0) -> datetime.date:
        day = self.day(days_ago)
        try:
            return day.replace(year=day.year - years)
        except ValueError:
            return day.replace(year=day.year - years, day=28)


# ----------------------------------------------------------------------------------------------- the term


def _term(ctx):
    """The pool term the plan started with (从20xx年x月开始): two-year terms, the plan's targets."""
    from training import entry
    from training.models import PoolTerm

    start = ctx.day(800).replace(day=1)
    defaults = {f.name: f.default for f in PoolTerm._meta.fields if f.name in entry.TERM_BOUNDS}
    values = {**defaults, "name": f"{start.year}年起后备干部人才库", "start": start, "target_tier1": 5,
              "target_tier2": 12, "target_tier3": 15, "target_tier4": 40}
    with ctx.clock(800):
        entry.term_save(actor=ctx.office, values=values)


# ----------------------------------------------------------------------------------------------- village reserves


def _last_years_round(ctx, village_users):
    """Last year's selection round, run to its end in six villages through the selection's services; its
    confirmed nominees are the village reserve cadres. Returns their Reserve rows."""
    from candidates import services as nomination_services
    from candidates.models import Nomination, Round
    from demo.data import _nomination
    from inspection import services as inspection_services
    from inspection.models import TalkCategory
    from publicity import services as publicity
    from training.models import Reserve
    from vetting import services as vetting
    from vetting.models import Finding
    from vetting.selectors import items_for_department

    office, rng = ctx.office, ctx.rng
    base = 420  # the round's committee meeting and publicity: 420 days ago

    def d(n):  # n days before the base day
        return ctx.day(base + n)

    def on(n):  # the clock on that day
        return ctx.clock(base + n)

    round_ = Round.objects.create(
        town=ctx.town, year=d(0).year, name=f"{d(0).year}年度村级后备干部选拔", age_reference_date=d(40),
        nomination_start=d(40), nomination_end=d(25), review_start=d(24), review_end=d(-5), inspection_start=d(4),
        inspection_end=d(-15), publicity_start=d(0),
    )
    # Six villages whose places this year's round does not already fill (its approved and publicised nominees
    # count against the same places).
    busy = set(Nomination.objects.filter(round__town=ctx.town, status__in=("proposed", "approved", "publicised"))
               .values_list("village_id", flat=True))
    chosen = [v for v in ctx.villages if v.pk not in busy][:6]
    with on(30):
        for village in chosen:
            for _k in range(3):  # three forms, of which the eligible are accepted
                _nomination(rng, round_, village, ctx.villages, village_users[village.pk], office, "accepted", None,
                            d(0), special=False)
    accepted = list(Nomination.objects.filter(round=round_, status="accepted").order_by("village__order", "id"))
    per_village = {}
    for n in accepted:
        per_village.setdefault(n.village_id, []).append(n)
    going = [n for ns in per_village.values() for n in ns[:2]]
    with on(20):
        for n in going:
            nomination_services.perform(actor=office, nomination_id=n.pk, action="dispatch", today=d(20))
    clerks = {u.department_id: u for u in User.objects.filter(department__town=ctx.town)}
    with on(12):
        for n in going:
            for r in Nomination.objects.get(pk=n.pk).vetting_requests.select_related("department"):
                answers = {item.pk: (Finding.Outcome.CLEAR, "", None)
                           for item in items_for_department(round_, r.department)}
                vetting.answer_request(actor=clerks[r.department_id], request_id=r.pk, version=r.version,
                                       answers=answers, today=d(12))
    vetted = list(Nomination.objects.filter(round=round_, status="vetted").select_related("village", "person")
                  .order_by("village__order", "id"))
    with on(3):
        for n in vetted:
            nomination_services.perform(actor=office, nomination_id=n.pk, action="start_inspection", today=d(3))
    for n in vetted:
        for who, cat in (("村党支部书记", TalkCategory.COMMITTEE), ("原村委会主任", TalkCategory.FORMER_CADRE),
                         ("老党员代表", TalkCategory.PARTY_REP), ("群众代表", TalkCategory.MASSES_REP)):
            with on(2):
                inspection_services.talk_add(actor=office, nomination_id=n.pk, date=d(2),
                                             place=f"{n.village.name}村委会", talkers="组织办 周敏、刘强",
                                             interviewee=who, category=cat,
                                             content="该同志工作积极，群众基础好，能够带头发展产业。")
    sessions = {}
    for n in vetted:
        _inspect(ctx, base, round_, n, sessions)
    with on(0):
        meeting = inspection_services.meeting_create(
            actor=office, round_=round_, date=d(0), members_total=7, members_present=6,
            attendees="孙立新、李镇长、王副书记、周敏、刘强、王建华", minutes_ref=f"党委会〔{d(0).year}〕21号", today=d(0))
        for n in vetted:
            inspection_services.decide(actor=office, meeting=meeting, nomination_id=n.pk, outcome="approve",
                                       today=d(0))

    def public_url(notice):
        return f"http://127.0.0.1:8000/p/{notice.token}/"

    contact = {"contact_phone": ctx.town.office_phone or "0579-8888 1234",
               "contact_address": ctx.town.office_address or f"{ctx.town.name}人民政府三楼组织办"}
    for village_id in sessions:
        village = next(v for v in ctx.villages if v.pk == village_id)
        with on(0):
            notice = publicity.notice_publish(actor=office, round_=round_, village=village, start_date=d(0),
                                              public_url_for=public_url, today=d(0), **contact)
        confirm_on = publicity.confirmable_from(notice)
        with ctx.clock((ctx.today - confirm_on).days):
            publicity.confirm_batch(actor=office, notice=notice, today=confirm_on)
    return list(Reserve.objects.filter(round=round_).select_related("village").order_by("village__order", "id"))


def _inspect(ctx, base, round_, n, sessions):
    """A nomination's 民主测评 tallies and 考察材料 (two days and a day before the meeting), then 提交党委研究."""
    from candidates import services as nomination_services
    from inspection import services as inspection_services
    from inspection.models import VoterCategory

    office = ctx.office
    with ctx.clock(base + 2):
        session = sessions.get(n.village_id)
        if session is None:
            session = sessions[n.village_id] = inspection_services.session_create(
                actor=office, round_=round_, village=n.village, date=ctx.day(base + 2),
                place=f"{n.village.name}党员活动室", entitled_party_member=30, entitled_villager_rep=20,
                entitled_committee=6)
        for category, (issued, returned, valid, counts) in {
            VoterCategory.PARTY_MEMBER: (28, 28, 27, [16, 8, 2, 1]),
            VoterCategory.VILLAGER_REP: (19, 19, 19, [11, 6, 2, 0]),
            VoterCategory.COMMITTEE: (6, 6, 6, [4, 2, 0, 0]),
        }.items():
            inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=n.pk,
                                             category=category, issued=issued, returned=returned, valid=valid,
                                             counts=counts)
    with ctx.clock(base + 1):
        inspection_services.report_save(
            actor=office, nomination_id=n.pk, inspectors="组织办 周敏、刘强", report_date=ctx.day(base + 1),
            text=f"{n.person.name}同志政治立场坚定，工作积极主动，群众基础较好。经个别谈话和民主测评，考察组认为该同志"
                 "符合村级后备干部条件。")
        nomination_services.perform(actor=office, nomination_id=n.pk, action="propose", today=ctx.day(base + 1))


# ----------------------------------------------------------------------------------------------- tiers 1–4


def _meetings(ctx):
    from training import entry

    for days_ago, note in MEETINGS:
        day = ctx.day(days_ago)
        with ctx.clock(days_ago, hour=11):
            ctx.meetings[days_ago] = entry.meeting_create(
                actor=ctx.office, date=day, attendees="孙立新、李镇长、王副书记、周敏、刘强", note=note,
                minutes_ref=f"党委会〔{day.year}〕{days_ago % 37 + 3}号", today=day)


def _place(ctx, place):
    kind, value = place.split(":", 1)
    if kind == "v":
        return {"village_id": ctx.villages[int(value)].pk}
    return {"unit_id": Unit.objects.get(town=ctx.town, name=value).pk}


def _facts(ctx, facts, birth, entered_days_ago):
    facts = dict(facts)
    out = {k: v for k, v in facts.items() if not k.endswith("_years")}
    if "middle_post_years" in facts:
        out["middle_post_since"] = ctx.years_ago(facts["middle_post_years"], entered_days_ago)
    if "organ_work_years" in facts:
        out["organ_work_since"] = ctx.years_ago(facts["organ_work_years"], entered_days_ago)
    if "village_cadre_years" in facts:
        out["village_cadre_since"] = ctx.years_ago(facts["village_cadre_years"], entered_days_ago)
    if out.get("political_status") == PARTY:
        out["party_join_date"] = datetime.date(birth.year + 22, 7, 1)
    out["phone"] = f"139{ctx.rng.randint(10000000, 99999999)}"
    return out


def _enter_tiers(ctx):
    from training import entry
    from training.models import Reserve

    for row in TIER_PEOPLE:
        key, name, gender, age, tier, place, source, days_ago, by, facts = row[:10]
        relaxation = row[10] if len(row) > 10 else ""
        day = ctx.day(days_ago)
        birth = ctx.years_ago(age, days_ago) - datetime.timedelta(days=40 + 11 * len(ctx.reserves))
        meeting = ctx.meetings.get(by) if source == C else None
        actor = ctx.users[by] if source == R else ctx.office
        e = entry.Entry(
            id_number=ctx.id_number(birth, gender), name=name, tier=tier,
            source={C: Reserve.Source.COMMITTEE, R: Reserve.Source.RECOMMENDED, A: Reserve.Source.ADDED,
                    X: Reserve.Source.RECRUITED}[source],
            meeting_id=meeting.pk if meeting else None,
            recommended_by="" if source != R else "",
            entry_note={A: "在防汛抢险中表现突出，经镇党委同意立即补进人才库。",
                        X: "2025年度引进的农业专业硕士。"}.get(source, ""),
            facts=_facts(ctx, facts, birth, days_ago),
            relaxation_reason=relaxation, relaxation_approved_by=SECRETARY if relaxation else "",
            relaxation_approved_on=day if relaxation else None,
            **_place(ctx, place))
        with ctx.clock(days_ago):
            reserve = entry.enter(actor=actor, entry=e, today=day)
        if source == R and days_ago > 30:  # the office reviews a recommendation ten days later; t4f still waits
            with ctx.clock(days_ago - 10):
                reserve = entry.review(actor=ctx.office, reserve_id=reserve.pk, action="approve_reserve",
                                       today=ctx.day(days_ago - 10))
        ctx.reserves[key] = Reserve.objects.get(pk=reserve.pk)


def _pair_mentors(ctx):
    from training import mentors
    from training.models import Reserve

    for key, username in MENTORS.items():
        reserve = ctx.reserves[key]
        committee = reserve.tier <= 3
        start = reserve.start_date + datetime.timedelta(days=0 if committee else 7)
        meeting = ctx.meetings[min(m for m in ctx.meetings if ctx.day(m) <= start)] if committee else None
        meeting = reserve.meeting or meeting
        with ctx.clock((ctx.today - start).days, hour=17):
            mentors.pair_mentor(ctx.office, reserve.pk, ctx.users[username].pk, start,
                                "镇党委会研究确定" if committee else "单位推荐、党建办指定",
                                meeting_id=meeting.pk if meeting else None,
                                proposed_by="" if committee else reserve.unit_name[:60], today=start)
    # A change of mentor: 曹文韬 from 陈建华 to 郑国华, 120 days ago.
    with ctx.clock(120):
        mentors.pair_mentor(ctx.office, ctx.reserves["t4a"].pk, ctx.users["ylr01"].pk, ctx.day(120),
                            "单位推荐、党建办指定（原引路人工作调整）", proposed_by=ctx.reserves["t4a"].unit_name,
                            today=ctx.day(120))
    # The village reserve cadres: mentors named a week after they entered (the last one waits).
    for i, reserve in enumerate(ctx.village_reserves[:-1]):
        start = reserve.start_date + datetime.timedelta(days=7)
        with ctx.clock((ctx.today - start).days):
            mentors.pair_mentor(ctx.office, reserve.pk, ctx.users[("ylr01", "ylr03")[i % 2]].pk, start,
                                "村党组织提议、党建办指定", proposed_by=f"{reserve.village.name}党支部", today=start)
    for key, reserve in list(ctx.reserves.items()):
        ctx.reserves[key] = Reserve.objects.get(pk=reserve.pk)
    ctx.village_reserves = [Reserve.objects.select_related("village").get(pk=r.pk) for r in ctx.village_reserves]


# ----------------------------------------------------------------------------------------------- practice


def _practice(ctx):
    from cultivation import practice
    from cultivation.models import Grade

    r, v = ctx.reserves, ctx.village_reserves
    office = ctx.office
    village_user = {u.village_id: u for u in ctx.users.values() if u.village_id}

    def give(actor, reserve, title, content, given, due, given_by="镇组织办"):
        with ctx.clock(given):
            return practice.task_give(actor=actor, reserve_id=reserve.pk, title=title, content=content,
                                      given_by=given_by, given_on=ctx.day(given), due_on=ctx.day(due),
                                      today=ctx.day(given))

    def report(actor, task, result, days_ago):
        with ctx.clock(days_ago):
            return practice.task_report(actor=actor, task_id=task.pk, version=task.version, result=result,
                                        reported_on=ctx.day(days_ago), today=ctx.day(days_ago))

    def evaluate(actor, task, grade, comment, days_ago):
        with ctx.clock(days_ago):
            return practice.task_evaluate(actor=actor, task_id=task.pk, version=task.version, grade=grade,
                                          comment=comment, today=ctx.day(days_ago))

    # Overdue (still in progress after the due date).
    give(office, r["t2a"], "起草全镇乡村振兴年度工作总结", "梳理全年重点项目进展，形成不少于5000字的总结初稿。", 60, 15)
    give(village_user[v[0].village_id], v[0], "牵头组织村级垃圾分类宣传", "入户宣传覆盖率达到90%以上，建立台账。",
         45, 5, given_by=f"{v[0].village.name}党支部")
    # In progress.
    give(office, r["t3b"], "推进北庄村集体经济增收项目", "完成光伏项目前期调研和村民代表会议表决。", 10, -20)
    give(ctx.users["ylr01"], v[2], "撰写一篇村情民意调研报告", "走访不少于20户农户，形成调研报告。", 30, -30,
         given_by="引路人 郑国华")
    give(ctx.users["dy02"], r["t4b"], "策划农产品直播带货专场", "联系3家以上合作社，完成一场直播。", 20, -10,
         given_by="农业农村办")
    # Reported, awaiting the mentor's evaluation.
    t = give(office, r["t1a"], "牵头起草基层治理创新试点方案", "结合本镇实际，提出网格化治理试点方案。", 120, 60)
    report(office, t, "方案已起草完成，经党政办公会讨论通过。", 65)
    t = give(village_user[v[1].village_id], v[1], "协助开展村级换届选举准备", "负责选民登记和宣传发动。", 90, 50,
             given_by=f"{v[1].village.name}党支部")
    report(village_user[v[1].village_id], t, "完成选民登记1260人，张贴宣传材料40余处。", 52)
    # Evaluated: by the mentor and by the office.
    t = give(office, r["t4a"], "推广设施草莓标准化种植技术", "培训农户不少于50人次，建立示范大棚2个。", 200, 150)
    t = report(office, t, "培训农户86人次，建成示范大棚3个。", 152)
    evaluate(ctx.users["ylr01"], t, Grade.EXCELLENT, "超额完成任务，示范带动效果明显。", 110)
    t = give(office, v[3], "参与村级财务公开整改", "配合完成近三年财务公开资料整理。", 160, 120)
    t = report(office, t, "整理资料42卷，按期完成整改。", 125)
    evaluate(office, t, Grade.GOOD, "工作细致，按期完成。", 118)
    t = give(office, r["t1b"], "牵头开展村级财务审计", "完成6个村近两年的财务审计。", 180, 130)
    t = report(office, t, "审计6个村，提出整改建议15条。", 131)
    evaluate(office, t, Grade.EXCELLENT, "审计扎实，建议有针对性。", 125)
    # Meetings attended (列席).
    for actor, reserve, days_ago, meeting in (
            (office, r["t2a"], 25, "镇党委扩大会议"),
            (office, r["t1a"], 70, "镇党政联席会议"),
            (village_user[r["t3a"].village_id], r["t3a"], 40, "东山村两委联席会议"),
            (village_user[v[0].village_id], v[0], 35, f"{v[0].village.name}村民代表大会"),
            (village_user[v[2].village_id], v[2], 15, f"{v[2].village.name}两委联席会议"),
            (ctx.users["dy04"], r["t4a"], 55, "绿源公司年度经营分析会"),
    ):
        with ctx.clock(days_ago, hour=18):
            practice.meeting_record(actor=actor, reserve_id=reserve.pk, date=ctx.day(days_ago), meeting=meeting,
                                    note="列席会议并作交流发言。", today=ctx.day(days_ago))


# ----------------------------------------------------------------------------------------------- courses


def national_day_posting(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 上派轮训 posting over the latest National Day that is over by `today`: 9-28 → 10-16 (in 2026: 11 working
    days on the official calendar — 10-1 to 10-7 off, Saturday 10-10 an adjusted working day — 220 元 at 20 元)."""
    year = today.year if today >= datetime.date(today.year, 10, 16) else today.year - 1
    return datetime.date(year, 9, 28), datetime.date(year, 10, 16)


def _courses(ctx):
    from cultivation import courses
    from cultivation.models import Course, Grade

    r, v, office = ctx.reserves, ctx.village_reserves, ctx.office
    K = Course.Kind

    def course(kind, title, organiser, start, end, hours, place, topic="", **kw):
        recorded = (ctx.today - start).days + 10  # recorded ten days before it starts
        with ctx.clock(recorded):
            return courses.course_create(actor=office, kind=kind, title=title, organiser=organiser, start=start,
                                         end=end, topic=topic, place=place, hours=hours, today=ctx.day(recorded), **kw)

    rot_start, rot_end = national_day_posting(ctx.today)
    plan = (
        (course(K.CLASS, f"{ctx.day(150).year}年度后备干部理论学习班", "镇党委组织办", ctx.day(150), ctx.day(148), 16,
                "镇党校", topic=Course.Topic.THEORY),
         [r["t1a"], r["t2a"], r["t2b"], r["t3a"], r["t3b"], v[0], v[1], v[2]]),
        (course(K.CLASS, "基层治理业务培训班", "镇党委组织办", ctx.day(45), ctx.day(44), 8, "镇便民服务中心",
                topic=Course.Topic.BUSINESS), [r["t3c"], r["t4c"], v[3], v[4]]),
        (course(K.SENT, "县委党校中青年干部培训班", "县委党校", ctx.day(240), ctx.day(211), 120, "县委党校"),
         [r["t1a"], r["t2c"]]),
        (course(K.ROTATION, "上派轮训：县农业农村局定岗轮训", "县农业农村局", rot_start, rot_end, 0, "县农业农村局",
                meals_provided=True, note="定岗于县农业农村局乡村产业科，镇政府保障工作用餐。"),
         [r["t4b"], r["t3c"], v[2]]),
        (course(K.INTERNSHIP, "跨单位交流实习：镇财政所", "镇财政所", ctx.day(80), ctx.day(20), 0, "镇财政所"),
         [r["t2c"]]),
    )
    for c, reserves in plan:
        for reserve in reserves:
            with ctx.clock((ctx.today - c.start).days + 5):
                enrolment = courses.course_enrol(actor=office, course_id=c.pk, reserve_id=reserve.pk,
                                                 sending_unit=reserve.unit_name)
            with ctx.clock((ctx.today - c.end).days, hour=18):
                courses.enrolment_record(actor=office, enrolment_id=enrolment.pk, attended=True,
                                         result="按期完成学习（轮训）任务。",
                                         grade=ctx.rng.choice([Grade.EXCELLENT, Grade.GOOD]))


# ----------------------------------------------------------------------------------------------- talks


def _talks(ctx):
    from cultivation import talks
    from cultivation.models import TalkKind

    r, v = ctx.reserves, ctx.village_reserves
    year_start = datetime.date(ctx.today.year, 1, 1)
    # Days ago of the talks of each reserve (within this year where it can be): some have the yearly two, some
    # one, some none.
    counts = {"t1a": 3, "t1b": 2, "t2a": 2, "t2b": 1, "t2c": 2, "t3a": 0, "t3b": 2, "t3c": 1, "t4a": 2, "t4b": 2,
              "t4c": 1, "t4d": 2, "t4e": 0, "t4g": 1}
    items = [(r[k], n) for k, n in counts.items()] + [(res, (2, 1, 2, 0, 2, 1, 1, 0)[i % 8])
                                                      for i, res in enumerate(v) if res is not v[-2]]
    span = max(2, (ctx.today - year_start).days)
    for reserve, n in items:
        mentor = reserve.mentor
        for k in range(n):
            days_ago = max(1, span * (k + 1) // (n + 1) - ctx.rng.randint(0, 5))
            if ctx.day(days_ago) <= reserve.start_date:
                continue
            actor = mentor if mentor is not None else ctx.office
            with ctx.clock(days_ago):
                talks.record_talk(actor, reserve.pk, ctx.at(days_ago, 15), "镇组织办谈话室", str(actor),
                                  TalkKind.REGULAR, "思想和工作情况", "了解近期工作、学习和思想状况，肯定成绩，指出不足，"
                                  "提出下一步努力方向。", "下月跟进任务完成情况。")


# ----------------------------------------------------------------------------------------------- moves


def _moves(ctx):
    from cultivation import talks
    from cultivation.models import TalkKind
    from training import entry, mentors, services

    r, v, office = ctx.reserves, ctx.village_reserves, ctx.office
    # 任用 100 days ago (a talk becomes due: 提拔重用时必谈), answered ten days later; a follow-up visit since.
    with ctx.clock(100):
        services.reserve_use(actor=office, reserve_id=r["t1b"].pk, post="财政所所长", used_on=ctx.day(100),
                             today=ctx.day(100))
    with ctx.clock(90):
        talks.record_talk(office, r["t1b"].pk, ctx.at(90, 10), "镇党委书记办公室", SECRETARY, TalkKind.PROMOTION,
                          "任职谈话", "提出任职要求，强调廉洁自律，做好财政所工作。", "三个月后回访。")
    with ctx.clock(40):
        entry.follow_up_record(actor=office, reserve_id=r["t1b"].pk, date=ctx.day(40), visited_by="组织办 周敏",
                               content="到财政所回访，该同志适应新岗位快，干部职工评价较好。", today=ctx.day(40))
    # 岗位调整 30 days ago: its due talk is overdue; another 3 days ago: still open, not yet due.
    with ctx.clock(30):
        services.reserve_change_post(actor=office, reserve_id=r["t2a"].pk, post="农业农村办副主任（试用）",
                                     changed_on=ctx.day(30), today=ctx.day(30))
    with ctx.clock(3):
        services.reserve_change_post(actor=office, reserve_id=r["t3c"].pk, post="枫林社区居委会副主任",
                                     changed_on=ctx.day(3), today=ctx.day(3))
    # 遇到挫折时必谈, added by the office.
    with ctx.clock(10):
        talks.add_due_talk(office, r["t4c"].pk, TalkKind.SETBACK, "所办养殖场受非洲猪瘟影响减产", ctx.day(10),
                           today=ctx.day(10))
    # 调整出库: a village reserve cadre leaves (the village's place is free again).
    with ctx.clock(30):
        services.reserve_remove(actor=ctx.users["dw01"], reserve_id=v[-2].pk, reason="本人长期外出务工，无法参加培养，本人申请退出。",
                                approver=SECRETARY, ended_on=ctx.day(30), today=ctx.day(30))
    # The family farmer added to tier 4 put in tier 3 by the committee (the meeting 60 days ago: he manages a
    # project above the tier's amount), which names a member of the leadership team as his mentor.
    with ctx.clock(58):
        services.reserve_change_tier(actor=office, reserve_id=r["t4e"].pk, tier=3, meeting_id=ctx.meetings[60].pk,
                                     reason="经镇党委会研究，列入第三梯队村（社区）书记后备人选。", today=ctx.day(58))
    with ctx.clock(58, hour=17):
        mentors.pair_mentor(office, r["t4e"].pk, ctx.users["dw03"].pk, ctx.day(58), "镇党委会研究确定",
                            meeting_id=ctx.meetings[60].pk, today=ctx.day(58))
    # 入党积极分子: a non-party reserve recommended by the office.
    with ctx.clock(20):
        services.reserve_mark_activist(actor=office, reserve_id=r["t4d"].pk, recommended_on=ctx.day(20),
                                       note="经绿源公司党支部推荐，列为入党积极分子培养对象。", today=ctx.day(20))
