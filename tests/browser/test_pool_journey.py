"""The reserve pool (后备干部人才库) in a real browser.

1. The office (desktop) pairs a tier-4 reserve of a 站所 with a mentor and changes a village reserve's mentor
   (a window.confirm, accepted), sees the mentors on the reserves' pages and in the list; registers a town class,
   enrols the tier-4 reserve, records the attendance, and sees the year's training hours on the reserve's page.
2. A mentor (phone width, 390 px) signs in, lands on the desk, sees the paired reserve and the talk a post change
   made due (调整岗位时必谈), records the talk, and sees it answered on the desk and on the reserve's page; no page
   of the journey scrolls sideways.
3. A unit head signs in, lands on /pool/ and sees only the unit's reserves (another's reserve is a 404).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cultivation.models import Course, DueTalk, Enrolment, Grade, HeartTalk, TalkKind
from reserve.roles import Role
from tests.browser.conftest import PHONE
from tests.browser.test_nomination_journey import user_menu
from tests.browser.test_publicity_journey import accept_dialogs, flash
from tests.factories import PersonFactory, PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from tests.helpers import PASSWORD
from training import mentors, services
from training.models import Mentorship, Reserve, Tier

pytestmark = pytest.mark.browser

MENTOR_NAME = "李建国"
OTHER_MENTOR_NAME = "王秀兰"
TIER4_NAME = "上官云飞"  # distinctive names: each appears nowhere else on the pages
VILLAGE_NAME = "东方明月"
OTHER_UNIT_NAME = "欧阳志远"
COURSE_TITLE = "2026年后备干部政治理论学习班"
TALK_TOPIC = "新岗位的工作打算"
TALK_CONTENT = "了解调整到镇农技推广站后的工作情况，交流新岗位的工作思路和困难。"
NEW_POST = "镇农技推广站站长助理"


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, name="2026—2028年度后备干部人才库")


@pytest.fixture
def pool_mentor(town):
    """A mentor account (Role.MENTOR) of the town, with a name the pages show."""
    return UserFactory(username="mentor_li", full_name=MENTOR_NAME, town=town, role=Role.MENTOR)


@pytest.fixture
def other_mentor(town):
    return UserFactory(username="mentor_wang", full_name=OTHER_MENTOR_NAME, town=town, role=Role.MENTOR)


def tier4_reserve(term, unit, name, **kwargs) -> Reserve:
    return ReserveFactory(town=term.town, term=term, tier=Tier.FOURTH, unit=unit, post="农技员",
                          person=PersonFactory(name=name, birth_date=datetime.date(1990, 5, 20)), **kwargs)


def village_reserve(term, village, name) -> Reserve:
    return ReserveFactory(town=term.town, term=term, village=village, person=PersonFactory(name=name))


def pool_row(page, reserve):
    return page.locator(f'#pool-table tr[data-reserve="{reserve.pk}"]')


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url}: {width}px wide at a {PHONE['width']}px screen"


@pytest.fixture
def phone_page(chromium, live_server, problems):
    """A phone-sized page (390 px) in a fresh context, watched for errors."""
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


def log_in(page, user):
    """Sign in through the sign-in form; the menu then names the account (its full name when it has one)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(user_menu(page)).to_contain_text(str(user))


def open_pool_menu(page, name):
    page.locator(".navbar").get_by_role("button", name="后备干部库").or_(
        page.locator(".navbar").get_by_role("link", name="后备干部库")).click()
    page.locator(".navbar .dropdown-menu").get_by_role("link", name=name, exact=True).click()


def test_office_pairs_mentor_and_enrols_in_course(page, problems, screenshot, town, term, unit_a, village_a,
                                                  office, pool_mentor, other_mentor):
    today = timezone.localdate()
    station = tier4_reserve(term, unit_a, TIER4_NAME)
    villager = village_reserve(term, village_a, VILLAGE_NAME)
    mentors.pair_mentor(office, villager.pk, other_mentor.pk, villager.start_date, "单位推荐、党建办指定",
                        proposed_by="东山村党总支", today=today)

    # --- The list: the tier-4 reserve has no mentor yet ----------------------------------------------
    log_in(page, office)
    open_pool_menu(page, "人才库")
    expect(page).to_have_url(re.compile(r"/pool/$"))
    expect(page.locator("h1.page-title")).to_contain_text("后备干部人才库")
    expect(pool_row(page, station)).to_contain_text("第四梯队")
    expect(pool_row(page, station)).to_contain_text(unit_a.name)
    expect(pool_row(page, station)).to_contain_text("未明确")
    expect(pool_row(page, villager)).to_contain_text(OTHER_MENTOR_NAME)
    screenshot(page, "pool-01-list-office")

    # --- The tier-4 reserve's page → pair a mentor (designated by the office on the unit's proposal) ------
    pool_row(page, station).get_by_role("link", name=TIER4_NAME).click()
    expect(page).to_have_url(re.compile(rf"/pool/{station.pk}/$"))
    expect(page.locator("h1.page-title")).to_contain_text(TIER4_NAME)
    expect(page.locator("#mentor")).to_have_text("尚未明确")
    expect(page.locator("#mentor-panel")).to_contain_text("尚未明确引路人。")
    page.locator('#mentor-panel [data-action="pair-mentor"]').click()
    expect(page).to_have_url(re.compile(rf"/pool/{station.pk}/mentor/$"))
    expect(page.locator("h1.page-title")).to_have_text(f"明确引路人：{TIER4_NAME}")
    expect(page.locator("#id_meeting")).to_have_count(0)  # tier 4: no committee decision needed
    expect(page.locator("#id_proposed_by")).to_have_value(unit_a.name)
    expect(page.locator("#id_start")).to_have_value(today.isoformat())
    # Only MENTOR accounts of the town are offered (the office is not).
    options = page.locator("#id_mentor option").all_inner_texts()
    assert MENTOR_NAME in options and OTHER_MENTOR_NAME in options and office.username not in options, options
    page.select_option("#id_mentor", label=MENTOR_NAME)
    screenshot(page, "pool-02-pair-form")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/pool/{station.pk}/$"))
    expect(flash(page)).to_contain_text(f"已明确{TIER4_NAME}的引路人：{MENTOR_NAME}（自{today:%Y-%m-%d}起）")
    expect(page.locator("#mentor")).to_have_text(MENTOR_NAME)
    expect(page.locator("#mentor-panel")).to_contain_text(f"{today:%Y-%m-%d} 至 今：{MENTOR_NAME}")
    expect(page.locator("#mentor-panel")).to_contain_text("单位推荐、党建办指定")
    expect(page.locator("#timeline")).to_contain_text(MENTOR_NAME)
    screenshot(page, "pool-03-reserve-paired")

    # --- The village reserve: change its mentor (asked first) -------------------------------------------
    page.goto(f"/pool/{villager.pk}/")
    expect(page.locator("#mentor")).to_have_text(OTHER_MENTOR_NAME)
    page.locator('#mentor-panel [data-action="pair-mentor"]').click()
    expect(page.locator("h1.page-title")).to_have_text(f"更换引路人：{VILLAGE_NAME}")
    page.select_option("#id_mentor", label=MENTOR_NAME)
    asked = accept_dialogs(page)
    page.get_by_role("button", name="更换引路人").click()
    expect(page).to_have_url(re.compile(rf"/pool/{villager.pk}/$"))
    expect(page.locator("#mentor")).to_have_text(MENTOR_NAME)
    panel = page.locator("#mentor-panel")
    expect(panel).to_contain_text(f"至 今：{MENTOR_NAME}")
    expect(panel).to_contain_text(OTHER_MENTOR_NAME)  # the history is kept

    # … and both mentors are in the list.
    page.get_by_role("link", name="返回人才库").click()
    expect(pool_row(page, station)).to_contain_text(MENTOR_NAME)
    expect(pool_row(page, villager)).to_contain_text(MENTOR_NAME)
    expect(pool_row(page, villager)).not_to_contain_text(OTHER_MENTOR_NAME)

    # --- A town class: register it, enrol the reserve, record the attendance -----------------------------
    open_pool_menu(page, "学习培训")
    expect(page).to_have_url(re.compile(r"/pool/courses/$"))
    page.get_by_role("link", name="登记培训").click()
    expect(page).to_have_url(re.compile(r"/pool/courses/new/$"))
    start = today - datetime.timedelta(days=3)
    page.select_option("#id_kind", label="学习一批（镇办培训班）")
    page.select_option("#id_topic", label="理论")
    page.fill("#id_title", COURSE_TITLE)
    page.fill("#id_organiser", "中共青山镇委员会")
    page.fill("#id_place", "镇党校三楼会议室")
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", (start + datetime.timedelta(days=1)).isoformat())
    page.fill("#id_hours", "16")
    screenshot(page, "pool-04-course-form")
    page.locator("#course-form").get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/pool/courses/\d+/$"))
    expect(flash(page)).to_contain_text(f"已登记“{COURSE_TITLE}”，下一步：添加参训人员。")
    expect(page.locator("h1.page-title")).to_have_text(COURSE_TITLE)
    expect(page.locator("#enrolments tbody")).to_contain_text("尚无参训人员。")

    page.select_option("#id_reserve", label=f"{TIER4_NAME}（{unit_a.name}）")
    page.locator("#enrol-form").get_by_role("button", name="添加").click()
    expect(flash(page)).to_contain_text(f"已添加参训人员：{TIER4_NAME}。")
    enrolment = Enrolment.objects.get(reserve=station)
    row = page.locator(f'#enrolments tr[data-enrolment="{enrolment.pk}"]')
    expect(row).to_contain_text(TIER4_NAME)
    screenshot(page, "pool-05-course-enrolled")

    expect(row).to_contain_text("未记录")
    row.get_by_role("link", name="记录参训情况").click()
    expect(page).to_have_url(re.compile(rf"/pool/enrolments/{enrolment.pk}/$"))
    page.get_by_label("已参加").check()
    page.fill("#id_hours", "12.5")
    page.select_option("#id_grade", label="优秀")
    page.fill("#id_result", "完成全部理论课程，撰写心得体会一篇。")
    page.locator("#attendance-form").get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/pool/courses/{enrolment.course_id}/$"))
    expect(flash(page)).to_contain_text(f"已记录{TIER4_NAME}的参训情况。")
    expect(row).to_contain_text("已参加")
    expect(row).to_contain_text("12.5")
    expect(row).to_contain_text("优秀")

    # --- The reserve's page shows the course and the year's hours ------------------------------------------
    row.get_by_role("link", name=TIER4_NAME).click()
    expect(page).to_have_url(re.compile(rf"/pool/{station.pk}/$"))
    expect(page.locator("#practice-courses")).to_contain_text(f"学习一批（镇办培训班）：{COURSE_TITLE}")
    expect(page.locator("#practice-courses")).to_contain_text("优秀")
    expect(page.locator("#training-hours")).to_have_text(f"培训学时：{start.year}年12.5学时")
    screenshot(page, "pool-06-reserve-hours")

    # --- The database at the end ------------------------------------------------------------------
    station.refresh_from_db()
    villager.refresh_from_db()
    assert station.mentor_id == pool_mentor.pk and villager.mentor_id == pool_mentor.pk
    pairing = Mentorship.objects.get(reserve=station)
    assert (pairing.start, pairing.end, pairing.proposed_by, pairing.meeting_id) == (today, None, unit_a.name, None)
    assert list(Mentorship.objects.filter(reserve=villager).order_by("id").values_list("mentor_id", flat=True)) == [
        other_mentor.pk, pool_mentor.pk]
    course = Course.objects.get()
    assert (course.kind, course.title, course.start, course.hours) == (Course.Kind.CLASS, COURSE_TITLE, start, 16)
    enrolment.refresh_from_db()
    assert (enrolment.attended, enrolment.hours, enrolment.grade) == (True, 12.5, Grade.EXCELLENT)
    # Changing a mentor was asked first (checked last: the journey above holds either way).
    assert asked == [("confirm", "确认更换引路人？原引路人将不再看到该同志的信息。")], (
        f"changing the mentor was not confirmed: {asked}")
    problems.assert_none()


def test_mentor_records_talk_on_phone(phone_page, problems, screenshot, town, term, unit_a, village_a, office,
                                      pool_mentor, other_mentor):
    page = phone_page
    today = timezone.localdate()
    station = tier4_reserve(term, unit_a, TIER4_NAME)
    others = village_reserve(term, village_a, OTHER_UNIT_NAME)  # another mentor's: never on this desk
    mentors.pair_mentor(office, station.pk, pool_mentor.pk, station.start_date, "单位推荐、党建办指定",
                        proposed_by=unit_a.name, today=today)
    mentors.pair_mentor(office, others.pk, other_mentor.pk, others.start_date, "单位推荐、党建办指定",
                        proposed_by=village_a.name, today=today)
    # A post change makes a talk due (调整岗位时必谈).
    services.reserve_change_post(actor=office, reserve_id=station.pk, post=NEW_POST, changed_on=today)
    due = DueTalk.objects.get(reserve=station)
    assert (due.kind, due.talk_id) == (TalkKind.POST_CHANGE, None)

    # --- The mentor signs in and lands on the desk -------------------------------------------------
    log_in(page, pool_mentor)
    expect(page).to_have_url(re.compile(r"/pool/desk/$"))
    expect(page.locator("h1.page-title")).to_have_text("我结对的后备干部")
    reserves = page.locator("#desk-reserves")
    expect(reserves.locator("li[data-reserve]")).to_have_count(1)
    expect(reserves).to_contain_text(TIER4_NAME)
    expect(reserves).to_contain_text("尚未谈话")
    expect(reserves).not_to_contain_text(OTHER_UNIT_NAME)
    due_item = page.locator(f'#desk-due li[data-due-talk="{due.pk}"]')
    expect(due_item).to_contain_text(TIER4_NAME)
    expect(due_item).to_contain_text("调整岗位时必谈")
    expect(due_item).to_contain_text(NEW_POST)
    no_sideways_scroll(page)
    screenshot(page, "pool-07-mentor-desk")

    # --- 记录谈话 from the due talk ----------------------------------------------------------------
    due_item.get_by_role("link", name="记录谈话").click()
    expect(page).to_have_url(re.compile(rf"/pool/{station.pk}/talks/new/\?kind=post_change$"))
    expect(page.locator("h1.page-title")).to_have_text(f"记录谈心谈话：{TIER4_NAME}")
    expect(page.locator("#due-talks")).to_contain_text("调整岗位时必谈")
    expect(page.locator("#id_kind")).to_have_value(TalkKind.POST_CHANGE)
    expect(page.locator("#id_talker")).to_have_value(MENTOR_NAME)
    held_at = page.locator("#id_held_at").input_value()
    assert held_at.startswith(today.isoformat()), held_at
    no_sideways_scroll(page)
    page.fill("#id_place", "镇农技推广站办公室")
    page.fill("#id_topic", TALK_TOPIC)
    page.fill("#id_content", TALK_CONTENT)
    page.fill("#id_follow_up", "一个月后再了解适应情况。")
    screenshot(page, "pool-08-talk-form-phone")
    page.locator('[data-action="save-talk"]').click()

    # --- Back on the desk: the due talk is answered ---------------------------------------------------
    expect(page).to_have_url(re.compile(r"/pool/desk/$"))
    expect(flash(page)).to_contain_text(f"已记录与{TIER4_NAME}的谈心谈话。“调整岗位时必谈”事项已完成。")
    expect(page.locator("#desk-due")).to_have_count(0)
    row = reserves.locator(f'li[data-reserve="{station.pk}"]')
    expect(row).to_contain_text("距上次谈话0天")
    expect(row).to_contain_text(f"本年1/{term.talks_per_year}次")
    no_sideways_scroll(page)
    screenshot(page, "pool-09-mentor-desk-after")

    # --- The reserve's page shows the talk, and no talk due any more ------------------------------------
    page.goto(f"/pool/{station.pk}/")
    expect(page.locator("h1.page-title")).to_contain_text(TIER4_NAME)
    expect(page.locator("#post")).to_have_text(NEW_POST)
    expect(page.locator("#last-talk")).to_contain_text("0天")
    panel = page.locator("#talk-panel")
    expect(panel).to_contain_text(TALK_TOPIC)
    expect(panel).to_contain_text("调整岗位时必谈")
    expect(panel).not_to_contain_text("待谈事项")
    no_sideways_scroll(page)
    screenshot(page, "pool-10-reserve-talk-phone")

    # Another mentor's reserve is not there for this mentor.
    assert page.request.get(f"/pool/{others.pk}/").status == 404
    assert page.request.get(f"/pool/{others.pk}/talks/new/").status == 404

    talk = HeartTalk.objects.get()
    due.refresh_from_db()
    assert (talk.reserve_id, talk.kind, talk.topic, talk.recorded_by_id) == (
        station.pk, TalkKind.POST_CHANGE, TALK_TOPIC, pool_mentor.pk)
    assert due.talk_id == talk.pk
    station.refresh_from_db()
    assert station.last_talk_on == today
    problems.assert_none()


def test_unit_head_sees_only_the_units_reserves(page, problems, screenshot, town, term, unit_a, village_a,
                                                unit_user):
    other_unit = UnitFactory(town=town, name="文化站")
    own = [tier4_reserve(term, unit_a, TIER4_NAME), tier4_reserve(term, unit_a, "慕容清风")]
    foreign = [tier4_reserve(term, other_unit, OTHER_UNIT_NAME), village_reserve(term, village_a, VILLAGE_NAME)]

    log_in(page, unit_user)
    expect(page).to_have_url(re.compile(r"/pool/$"))
    expect(page.locator(".navbar").get_by_role("link", name="本单位后备干部")).to_be_visible()
    rows = page.locator("#pool-table tbody tr[data-reserve]")
    expect(rows).to_have_count(2)
    for reserve in own:
        expect(pool_row(page, reserve)).to_contain_text(reserve.name)
        expect(pool_row(page, reserve)).to_contain_text(unit_a.name)
    table = page.locator("#pool-table")
    for reserve in foreign:
        expect(table).not_to_contain_text(reserve.name)
    expect(page.locator("#pool-summary")).to_have_count(0)  # the town's targets are not the unit's
    screenshot(page, "pool-11-list-unit")

    pool_row(page, own[0]).get_by_role("link", name=own[0].name).click()
    expect(page).to_have_url(re.compile(rf"/pool/{own[0].pk}/$"))
    expect(page.locator("h1.page-title")).to_contain_text(own[0].name)
    for reserve in foreign:
        assert page.request.get(f"/pool/{reserve.pk}/").status == 404
    problems.assert_none()
