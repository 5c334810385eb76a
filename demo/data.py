"""Demo data: one town with villages, departments, one account per role, rosters and nominations.

Everything is made through the same services a user would call, so the demo has real events.
"""

import datetime
import functools
import io
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from candidates import services as nomination_services
from candidates.models import Round
from demo import pool
from reserve import idnumber
from reserve.choices import Education, Gender, PoliticalStatus, RelaxationCategory
from reserve.models import Department, Town, Unit, User, Village, VillageCadre
from reserve.roles import Role
from reserve.services import town_create

DEMO_PASSWORD = "Demo@2026"
TOWN_NAME = "青山镇"
VILLAGES = [
    ("东山村", "village"), ("西岭村", "village"), ("南湖村", "village"), ("北庄村", "village"),
    ("柳河村", "village"), ("杏花村", "village"), ("石桥村", "village"), ("枫林社区", "community"),
    ("桃源村", "village"), ("清泉村", "village"), ("龙潭村", "village"), ("新华社区", "community"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN_M = ["建国", "志强", "伟", "军", "涛", "磊", "明", "超", "勇", "杰", "浩然", "子轩", "宇航", "文博", "喆"]
GIVEN_F = ["秀英", "丽", "敏", "静", "燕", "芳", "婷", "慧", "雪梅", "晓红", "欣怡", "雨涵", "梓涵", "堃"]
POSTS = ["党支部书记、村委会主任", "党支部副书记", "村委会副主任", "党支部委员", "村委会委员", "妇联主席"]
ADMIN_ACCOUNTS = (
    ("xtgl", Role.SYSTEM_ADMIN, "系统管理员 钱工", True),
    ("aqgl", Role.SECURITY_ADMIN, "安全管理员 冯工", True),
    ("sjgl", Role.AUDIT_ADMIN, "审计管理员 褚工", False),
)
AREA = "330781"  # a county-level area code in the format the ID number uses


def make_id_number(rng, birth: datetime.date, gender: str) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if gender == Gender.MALE else rng.choice([0, 2, 4, 6, 8]))
    first17 = f"{AREA}{birth:%Y%m%d}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (230, 236, 245)).save(buf, format="PNG")
    return SimpleUploadedFile("idcard.png", buf.getvalue(), content_type="image/png")


@functools.cache
def _password_hash():
    return make_password(DEMO_PASSWORD)  # one slow hash shared by every demo account


def _name(rng, gender):
    return rng.choice(SURNAMES) + rng.choice(GIVEN_M if gender == Gender.MALE else GIVEN_F)


def _user(username, role, *, full_name, town=None, village=None, department=None, unit=None, staff=False):
    user = User(username=username, full_name=full_name, town=town, village=village, department=department,
                unit=unit, is_staff=staff)
    user.password = _password_hash()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])  # a flushed test database has no groups
    return user


def build(today: datetime.date | None = None, seed: int = 2026) -> list[tuple[str, str, str]]:
    """Build the demo town. Returns (username, role label, unit) rows for printing.

    The organisation is made in one transaction, then every workflow step through the services, each
    in its own transaction. A build stopped part-way leaves the town (seed_demo then says the demo
    exists; start again from an empty database).
    """
    rng = random.Random(seed)
    today = today or datetime.date.today()
    logins = []
    with transaction.atomic():
        town = town_create(name=TOWN_NAME)
        town.office_phone = "0579-8888 1234"
        town.office_address = f"{TOWN_NAME}人民政府三楼组织办"
        town.save(update_fields=["office_phone", "office_address"])
        villages = [
            Village.objects.create(town=town, name=name, kind=kind, order=i)
            for i, (name, kind) in enumerate(VILLAGES, start=1)
        ]
        office = _user("zzb", Role.OFFICE, full_name="组织办 周敏", town=town)
        logins.append(("zzb", Role.OFFICE.label, town.name))
        _user("dw01", Role.COMMITTEE, full_name="镇党委 孙书记", town=town)
        logins.append(("dw01", Role.COMMITTEE.label, town.name))
        _user("ylr01", Role.MENTOR, full_name="引路人 郑国华", town=town)
        logins.append(("ylr01", Role.MENTOR.label, town.name))
        # The reserve pool (demo/pool.py): two more members of the leadership team (mentors of tiers 1–3), two
        # more mentors (tier 4 and village reserves), the units beyond the villages and one head per unit.
        for username, role, full_name in pool.EXTRA_ACCOUNTS:
            _user(username, role, full_name=full_name, town=town)
            logins.append((username, role.label, town.name))
        for i, (name, kind, username, head) in enumerate(pool.UNITS, start=1):
            unit = Unit.objects.create(town=town, name=name, kind=kind, order=i)
            _user(username, Role.UNIT, full_name=head, town=town, unit=unit)
            logins.append((username, Role.UNIT.label, name))
        # The three administrators (三员分立): demo accounts only, none named admin or root; a
        # production set-up creates its own with `manage.py create_admin`.
        for username, role, full_name, staff in ADMIN_ACCOUNTS:
            _user(username, role, full_name=full_name, staff=staff)
            logins.append((username, role.label, "管理后台" if staff else "审计日志"))
        for i, dept in enumerate(Department.objects.filter(town=town), start=1):
            username = f"bm{i:02d}"
            # The clerk's real name: it is what the 联审表 prints beside the department's seal.
            _user(username, Role.DEPARTMENT, full_name=_name(rng, rng.choice([Gender.MALE, Gender.FEMALE])), town=town,
                  department=dept)
            logins.append((username, Role.DEPARTMENT.label, dept.name))
        village_users = {}
        for i, village in enumerate(villages, start=1):
            username = f"cun{i:02d}"
            village_users[village.pk] = _user(
                username, Role.VILLAGE, full_name=f"{village.name}党支部", town=town, village=village
            )
            logins.append((username, Role.VILLAGE.label, village.name))

        for i, village in enumerate(villages):
            for post in POSTS:
                # Every third village has no young woman on its 两委, so the female rule shows.
                gender = Gender.FEMALE if post == "妇联主席" else rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
                young = not (i % 3 == 0 and gender == Gender.FEMALE)
                age = rng.randint(28, 34) if young and gender == Gender.FEMALE else rng.randint(38, 58)
                VillageCadre.objects.create(
                    village=village, name=_name(rng, gender), gender=gender, post=post,
                    birth_date=datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
                )

        # Today lies in the round's 组织考察 stage: the forms came in a month ago, the departments answered two
        # weeks ago, and the inspection began this week. Every step below is taken on its day of this timeline.
        round_ = Round.objects.create(
            town=town, year=today.year, name=f"{today.year}年度村级后备干部选拔",
            age_reference_date=today - datetime.timedelta(days=40),
            nomination_start=today - datetime.timedelta(days=40), nomination_end=today - datetime.timedelta(days=25),
            review_start=today - datetime.timedelta(days=24), review_end=today + datetime.timedelta(days=5),
            inspection_start=today - datetime.timedelta(days=4), inspection_end=today + datetime.timedelta(days=15),
            publicity_start=today,
        )

    # The organisation above is made in one transaction; every step of the workflow below is its own
    # durable transaction, as when people work (the workflow engine's actions refuse to nest).
    plans = [
        ("draft", None), ("accepted", None), ("submitted", None), ("accepted", None),
        ("returned", "请补充个人简历中2015年至2018年的经历。"), ("accepted", None),
        ("withdrawn", "本人因外出务工，申请撤回。"), ("accepted", None), ("submitted", None),
    ]
    for i, village in enumerate(villages):
        actor = village_users[village.pk]
        for k in range(3 + i % 3):
            target, reason = plans[(i + k) % len(plans)]
            _nomination(rng, round_, village, villages, actor, office, target, reason, today, special=(i + k) % 9 == 4)
    _advance(round_, office, today)
    # The reserve pool and its cultivation, through their services (demo/pool.py).
    pool.build(town=town, office=office, villages=villages, village_users=village_users, today=today, rng=rng)
    return logins


def _day(today, days_ago):
    return today - datetime.timedelta(days=days_ago)


def _advance(round_, office, today):
    """Move some accepted nominations on through vetting, inspection and the committee's decision, each step on
    its day: dispatched 20 days ago, answered 12 days ago, inspected this week, decided by today's meeting."""
    from candidates.models import Nomination
    from inspection import services as inspection_services
    from inspection.models import TalkCategory, VoterCategory
    from vetting import services as vetting
    from vetting.models import Finding
    from vetting.selectors import items_for_department

    accepted = list(Nomination.objects.filter(round=round_, status="accepted").order_by("village__order", "id"))
    for n in accepted[: max(len(accepted) - 2, 0)]:  # leave two to dispatch by hand
        nomination_services.perform(actor=office, nomination_id=n.pk, action="dispatch", today=_day(today, 20))
    dispatched = accepted[: max(len(accepted) - 2, 0)]
    clerks = {u.department_id: u for u in User.objects.filter(department__town=round_.town)}
    for idx, n in enumerate(dispatched):
        requests = list(n.vetting_requests.select_related("department"))
        # The first stays untouched (every department pending); the others get answers.
        answering = [] if idx == 0 else requests if idx != 1 else requests[: len(requests) // 2]
        for r in answering:
            items = items_for_department(round_, r.department)
            flag = idx == 2 and r.department.name == "派出所"
            answers = {
                item.pk: (Finding.Outcome.FLAGGED, "2024年3月因打架斗殴被行政拘留5日。", None)
                if flag and item.number == 6 else (Finding.Outcome.CLEAR, "", None)
                for item in items
            }
            vetting.answer_request(actor=clerks[r.department_id], request_id=r.pk, version=r.version,
                                   answers=answers, today=_day(today, 12))
    vetted = list(Nomination.objects.filter(round=round_, status="vetted").order_by("village__order", "id"))
    for n in vetted[:4]:
        nomination_services.perform(actor=office, nomination_id=n.pk, action="start_inspection", today=_day(today, 3))
    inspected = list(Nomination.objects.filter(round=round_, status="inspection").select_related("village"))
    for n in inspected[:3]:
        for who, cat in (("村党支部书记", TalkCategory.COMMITTEE), ("原村委会主任", TalkCategory.FORMER_CADRE),
                         ("老党员代表", TalkCategory.PARTY_REP), ("群众代表", TalkCategory.MASSES_REP)):
            inspection_services.talk_add(actor=office, nomination_id=n.pk, date=_day(today, 2),
                                         place=f"{n.village.name}村委会",
                             talkers="组织办 周敏、刘强", interviewee=who, category=cat,
                             content="该同志工作积极，群众基础好，能够带头发展产业。")
        session = inspection_services.session_create(actor=office, round_=round_, village=n.village,
                                                     date=_day(today, 2),
                                         place=f"{n.village.name}党员活动室", entitled_party_member=30,
                                         entitled_villager_rep=20, entitled_committee=6)
        for category, (issued, returned, valid, counts) in {
            VoterCategory.PARTY_MEMBER: (28, 28, 27, [15, 9, 2, 1]),
            VoterCategory.VILLAGER_REP: (19, 19, 19, [10, 6, 3, 0]),
            VoterCategory.COMMITTEE: (6, 6, 6, [4, 2, 0, 0]),
        }.items():
            inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=n.pk, category=category,
                                 issued=issued, returned=returned, valid=valid, counts=counts)
        inspection_services.report_save(
            actor=office, nomination_id=n.pk, inspectors="组织办 周敏、刘强", report_date=_day(today, 1),
            text=f"{n.person.name}同志政治立场坚定，遵守村规民约，工作积极主动，群众基础较好。经个别谈话和民主测评，"
                 "考察组认为该同志符合村级后备干部条件。")
    proposed = []
    for n in inspected[:3]:
        nomination_services.perform(actor=office, nomination_id=n.pk, action="propose", today=_day(today, 1))
        proposed.append(n)
    if not proposed:
        return
    # The committee meets today (a meeting is not dated before the proposals it decides on, which the system
    # recorded today), seven members, five present.
    meeting = inspection_services.meeting_create(actor=office, round_=round_, date=today, members_total=7,
                                                 members_present=5, attendees="孙书记、李镇长、周敏、刘强、王建华",
                                                 minutes_ref=f"党委会〔{today.year}〕18号", today=today)
    for n in proposed[:2]:
        inspection_services.decide(actor=office, meeting=meeting, nomination_id=n.pk, outcome="approve", today=today)
    _publicise(round_, office, today, [n for n in proposed[:2]])


def _publicise(round_, office, today, nominations):
    """One notice in force from today (with an objection from the public), one that starts tomorrow."""
    from django.conf import settings

    from publicity import services as publicity

    def public_url(notice):
        return f"{settings.PUBLIC_BASE_URL or 'http://127.0.0.1:8000'}/p/{notice.token}/"

    contact = {"contact_phone": "0579-8888 1234", "contact_address": f"{round_.town.name}人民政府三楼组织办"}
    for n, start in zip(nominations, (today, today + datetime.timedelta(days=1)), strict=False):
        notice = publicity.notice_publish(actor=office, round_=round_, village=n.village, start_date=start,
                                          public_url_for=public_url, today=today, **contact)
        if start == today:
            publicity.objection_lodge_public(notice=notice, content="听说该同志曾在外务工期间与人发生纠纷，请组织核实。",
                                             entry=notice.entries.first())


def _nomination(rng, round_, village, villages, actor, office, target, reason, today, special):
    gender = rng.choice([Gender.MALE, Gender.FEMALE])
    age = rng.randint(23, 36)
    birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    edu = rng.choice([Education.JUNIOR_HIGH, Education.HIGH_SCHOOL, Education.COLLEGE, Education.COLLEGE, Education.BACHELOR])
    party = rng.random() < 0.6
    hukou = village if rng.random() < 0.9 else rng.choice(villages)
    fields = {
        "ethnicity": "汉族", "native_place": "浙江兰溪", "birthplace": "浙江兰溪",
        "political_status": PoliticalStatus.PARTY_MEMBER if party else PoliticalStatus.MASSES,
        "party_join_date": datetime.date(birth.year + 22, 7, 1) if party else None,
        "work_start_date": datetime.date(birth.year + 20, 9, 1), "health": "健康",
        "hukou_village": hukou, "hukou_address": f"{hukou.name}{rng.randint(1, 9)}组{rng.randint(1, 60)}号",
        "fulltime_education": edu, "fulltime_school": "" if edu < Education.COLLEGE else "浙江农林大学 农学",
        "inservice_education": None, "inservice_school": "",
        "work_unit_post": rng.choice(["个体经营", "村股份经济合作社 会计", "家庭农场 负责人", "村便民服务中心 代办员"]),
        "phone": f"13{rng.randint(100000000, 999999999)}", "speciality": rng.choice(["电子商务", "农技推广", "财务", ""]),
        "awards_punishments": rng.choice(["", "2023年被评为镇优秀共产党员"]),
        "statement": "本人热爱农村工作，熟悉村情民意，愿意为村集体经济发展和群众服务贡献力量。",
        "relaxation_category": "", "relaxation_note": "",
    }
    if edu < Education.HIGH_SCHOOL:
        fields["relaxation_category"] = RelaxationCategory.COOP_LEADER if special else ""
    name = _name(rng, gender)
    nomination = nomination_services.nomination_create(
        actor=actor, round_=round_,
        person_data={"id_number": make_id_number(rng, birth, gender), "name": name, "gender": gender, "birth_date": birth},
        fields=fields,
        resume=[{"start": datetime.date(birth.year + 18, 9, 1), "end": datetime.date(birth.year + 21, 7, 1), "unit_post": "县职业中学 学生"},
                {"start": datetime.date(birth.year + 21, 8, 1), "end": None, "unit_post": fields["work_unit_post"]}],
        family=[{"relation": "父亲", "name": name[0] + "德明", "birth_date": datetime.date(birth.year - 27, 3, 1),
                 "political_status": PoliticalStatus.MASSES, "work_unit_post": "务农"}],
        id_card_copy=_png(),
    )
    if target == "draft":
        return
    nomination_services.perform(actor=actor, nomination_id=nomination.pk, action="submit", today=_day(today, 30))
    handled = _day(today, 24)
    if target == "accepted":
        if not nomination.is_eligible:
            target, reason = "returned", "不符合基本条件，退回。"
        else:
            nomination_services.perform(actor=office, nomination_id=nomination.pk, action="accept", today=handled)
            return
    if target == "returned":
        nomination_services.perform(actor=office, nomination_id=nomination.pk, action="return", reason=reason,
                                    today=handled)
    elif target == "withdrawn":
        nomination_services.perform(actor=actor, nomination_id=nomination.pk, action="withdraw", reason=reason,
                                    today=_day(today, 28))


def exists() -> bool:
    return Town.objects.filter(name=TOWN_NAME).exists()

