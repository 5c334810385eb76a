"""The annual assessment of the pool (年度考核, issue 12) in a real browser.

One journey, in the order the town works:
1. The office (desktop) sets the village reserves' top share (前xx%) on the 考核办法 page and opens the annual
   assessment of last year (考核调整 → 考核 → 发起考核: kind, year, pool term) for seven reserves of two tiers
   (村级后备干部 and 第四梯队) made beforehand.
2. A mentor at phone width (390 px) opens the assessment of their paired reserve from the desk and the reserve's
   page and enters only the mentor's score (no item, democratic or comment field) — before the round is confirmed.
3. The office scores two village reserves through the form (德 能 勤 绩 廉, democratic score, comment), with the
   year's evidence (tasks, talks, training hours) beside the form, and submits them (a window.confirm, accepted);
   the others are scored through the services; one with the best score is vetoed on the veto page (reason from the
   list, note, approver, date). The office confirms the round (asked first) and sees the ranks per tier, the 优先使用
   marks and the vetoed one unranked.
4. The office opens 优先使用名单: the top share of each tier in rank order, the vetoed one absent; downloads the
   A4 PDF; sees the 入党积极分子 candidates (graded 优秀, not party members), records a 两委 vacancy of a village and
   sees the village's reserves listed first-to-last (the 优先使用 one first); sees the 优先使用 and 一票否决 marks
   on the pool list.
Every main page is photographed at desktop and phone width (artifacts/screenshots/browser/assessment-*.png), and
none scrolls sideways at 390 px.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment import rounds
from assessment.models import Assessment, AssessmentRound, Grade, Scheme
from cultivation.models import Course, Enrolment, HeartTalk, TalkKind, Task
from cultivation.models import Grade as TaskGrade
from reserve.roles import Role
from tests.browser.conftest import PHONE
from tests.browser.test_pool_journey import log_in, no_sideways_scroll, pool_row
from tests.browser.test_publicity_journey import accept_dialogs, flash
from tests.factories import PersonFactory, PoolTermFactory, ReserveFactory, UserFactory
from training import mentors
from training.models import Reserve, Tier

pytestmark = pytest.mark.browser

YEAR = timezone.localdate().year - 1  # the annual assessment of last year
DAY = datetime.timedelta(days=1)
TERM_NAME = f"{YEAR}—{YEAR + 2}年度后备干部人才库"
ROUND_TITLE = f"{YEAR}年度后备干部考核"
MENTOR_NAME = "李建国"
# Distinctive names: each appears nowhere else on the pages.
V1, V2, V3, V4 = "司马青云", "诸葛明远", "公孙晓月", "东方一鸣"  # village reserves (V4 is vetoed)
T1, T2, T3 = "皇甫振华", "令狐思远", "独孤秋实"  # tier-4 reserves of a 站所
TASK_TITLE = "牵头整治村内河道环境"
TALK_TOPIC = "年度工作回顾与打算"
COURSE_TITLE = f"{YEAR}年后备干部政治理论学习班"
COMMENT = "政治立场坚定，牵头完成河道整治任务，群众评价好。"


def scores(de, neng, qin, ji, lian) -> dict:
    return {"de": str(de), "neng": str(neng), "qin": str(qin), "ji": str(ji), "lian": str(lian)}


# Scored through the services (the form is exercised on V1 and V2): totals 80, 98 (then vetoed), 92, 85, 70.
SERVICE_SCORES = {V3: scores(16, 12, 12, 24, 16), V4: scores(20, 15, 15, 29, 19), T1: scores(19, 14, 14, 27, 18),
                  T2: scores(17, 13, 13, 25, 17), T3: scores(14, 10, 10, 20, 16)}


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, name=TERM_NAME, start=datetime.date(YEAR, 1, 1))


@pytest.fixture
def pool_mentor(town):
    return UserFactory(username="mentor_li", full_name=MENTOR_NAME, town=town, role=Role.MENTOR)


@pytest.fixture
def mentor_page(chromium, live_server, problems):
    """A phone-sized page (390 px) in a fresh context, watched for errors."""
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


def make_reserve(term, name, *, village=None, unit=None, tier=Tier.VILLAGE, **fields) -> Reserve:
    start = datetime.date(YEAR, 3, 1)
    return ReserveFactory(town=term.town, term=term, tier=tier, village=village, unit=unit, start_date=start,
                          term_start=start, term_end=start.replace(year=start.year + 2) - DAY,
                          person=PersonFactory(name=name, birth_date=datetime.date(1991, 4, 12)), **fields)


def add_evidence(reserve, office):
    """Last year's records of a reserve: an evaluated task, a talk, a town class attended."""
    Task.objects.create(reserve=reserve, title=TASK_TITLE, content="牵头组织村内河道清淤和垃圾清理。",
                        given_by="镇党委", given_on=datetime.date(YEAR, 4, 8), due_on=datetime.date(YEAR, 6, 30),
                        status=Task.Status.EVALUATED, result="按期完成。", reported_on=datetime.date(YEAR, 6, 20),
                        grade=TaskGrade.EXCELLENT, evaluated_by=office, evaluated_on=datetime.date(YEAR, 7, 1),
                        recorded_by=office)
    HeartTalk.objects.create(reserve=reserve, held_at=datetime.datetime(YEAR, 9, 15, 10, tzinfo=timezone.get_current_timezone()),
                             place="镇党建办", talker=MENTOR_NAME, kind=TalkKind.REGULAR, topic=TALK_TOPIC,
                             content="交流一年来的工作情况。", recorded_by=office)
    course = Course.objects.create(town=reserve.town, kind=Course.Kind.CLASS, title=COURSE_TITLE, organiser="镇党校",
                                   start=datetime.date(YEAR, 5, 12), end=datetime.date(YEAR, 5, 13),
                                   hours=Decimal("16"), recorded_by=office)
    Enrolment.objects.create(course=course, reserve=reserve, attended=True, hours=Decimal("12.5"), recorded_by=office)


def assessment_of(reserve) -> Assessment:
    return Assessment.objects.get(reserve=reserve, year=YEAR)


def score_by_service(office, reserve, items):
    a = assessment_of(reserve)
    a = rounds.assessment_save(actor=office, assessment_id=a.pk, version=a.version, values={"items": items})
    if reserve.name != V4:  # vetoed from its draft on the veto page
        rounds.assessment_perform(actor=office, assessment_id=a.pk, action="submit_assessment", version=a.version)


def open_menu(page, menu, name):
    page.locator(".navbar").get_by_role("button", name=menu).or_(
        page.locator(".navbar").get_by_role("link", name=menu, exact=True)).click()
    page.locator(".navbar .dropdown-menu").get_by_role("link", name=name, exact=True).click()


def assessment_row(page, assessment):
    return page.locator(f'#assessments tr[data-assessment="{assessment.pk}"]')


def score_in_form(page, items: dict, democratic: str, comment: str):
    for key, value in items.items():
        page.fill(f"#id_item_{key}", value)
    page.fill("#id_democratic", democratic)
    page.fill("#id_comment", comment)


def test_office_confirms_round_and_prints_priority_list(page, mentor_page, problems, screenshot, town, term,
                                                        village_a, village_b, unit_a, office, pool_mentor):
    today = timezone.localdate()
    v1 = make_reserve(term, V1, village=village_a)
    v2 = make_reserve(term, V2, village=village_b)
    v3 = make_reserve(term, V3, village=village_a)
    v4 = make_reserve(term, V4, village=village_b)
    t1, t2, t3 = (make_reserve(term, name, unit=unit_a, tier=Tier.FOURTH, post="农技员") for name in (T1, T2, T3))
    add_evidence(v1, office)
    mentors.pair_mentor(office, v2.pk, pool_mentor.pk, v2.start_date, "单位推荐、党建办指定",
                        proposed_by=village_b.name, today=today)
    asked = accept_dialogs(page)

    # --- 考核办法: the village reserves' top share is 50% (the others keep 20%) -----------------------------
    log_in(page, office)
    open_menu(page, "考核调整", "考核办法")
    expect(page).to_have_url(re.compile(r"/pool/assessment/scheme/$"))
    expect(page.locator("#id_top_5")).to_have_value("20")
    page.fill("#id_top_5", "50")
    screenshot(page, "assessment-01-scheme")
    page.get_by_role("button", name="保存考核办法").click()
    expect(flash(page)).to_contain_text("已保存考核办法")
    expect(page.locator("#id_top_5")).to_have_value("50")
    assert Scheme.objects.get(town=town).top_percent[str(Tier.VILLAGE.value)] == 50

    # --- 发起考核: annual, last year, the pool term ---------------------------------------------------------
    open_menu(page, "考核调整", "考核")
    expect(page).to_have_url(re.compile(r"/pool/assessment/$"))
    expect(page.locator("#rounds tbody")).to_contain_text("尚未发起考核。")
    page.locator('[data-action="round-new"]').click()
    expect(page).to_have_url(re.compile(r"/pool/assessment/new/$"))
    page.select_option("#id_kind", label="年度考核")
    page.fill("#id_year", str(YEAR))
    page.select_option("#id_term", value=str(term.pk))
    screenshot(page, "assessment-02-round-form")
    page.locator("#round-form").get_by_role("button", name="发起考核").click()
    expect(page).to_have_url(re.compile(r"/pool/assessment/\d+/$"))
    expect(flash(page)).to_contain_text(f"已发起“{ROUND_TITLE}”，7人参加考核。")
    round_ = AssessmentRound.objects.get()
    round_url = f"/pool/assessment/{round_.pk}/"
    expect(page.locator("h1.page-title")).to_contain_text(ROUND_TITLE)
    expect(page.locator('[data-count="draft"]')).to_have_text("7")
    expect(page.locator('[data-action="confirm_round"]')).to_be_disabled()
    expect(page.locator('[data-refusal="confirm_round"]')).to_contain_text("尚有7人未提交考核结果")
    screenshot(page, "assessment-03-round-open")

    # --- The mentor, on a phone, enters the mentor's score of the paired reserve (before the confirmation) ------
    phone = mentor_page
    log_in(phone, pool_mentor)
    expect(phone).to_have_url(re.compile(r"/pool/desk/$"))
    no_sideways_scroll(phone)
    phone.locator(f'#desk-reserves li[data-reserve="{v2.pk}"]').get_by_role("link", name=V2).first.click()
    expect(phone).to_have_url(re.compile(rf"/pool/{v2.pk}/$"))
    panel = phone.locator("#assessment-panel")
    expect(panel).to_contain_text(str(YEAR))
    expect(panel).to_contain_text("填写中")
    screenshot(phone, "assessment-03b-mentor-reserve")
    panel.get_by_role("link", name="评分").click()
    a2 = assessment_of(v2)
    expect(phone).to_have_url(re.compile(rf"/pool/assessment/entry/{a2.pk}/$"))
    expect(phone.locator("h1.page-title")).to_contain_text(V2)
    for absent in ("#id_item_de", "#id_item_ji", "#id_democratic", "#id_unit", "#id_comment"):
        expect(phone.locator(absent)).to_have_count(0)
    expect(phone.locator("#assessment-result")).to_contain_text("考核结果经组织办确认后显示。")
    expect(phone.locator('[data-action="veto_assessment"]')).to_have_count(0)
    phone.fill("#id_mentor", "91.5")
    no_sideways_scroll(phone)
    screenshot(phone, "assessment-04-mentor-form")
    phone.locator("#assessment-form").get_by_role("button", name="保存评分").click()
    expect(flash(phone)).to_contain_text("已保存评分。")
    expect(phone.locator("#id_mentor")).to_have_value("91.5")
    no_sideways_scroll(phone)
    a2.refresh_from_db()
    assert (a2.mentor_score, a2.scores, a2.status) == (Decimal("91.5"), {}, Assessment.Status.DRAFT)

    # --- The office scores V1 in the form, with the year's evidence beside it, and submits ---------------------
    a1 = assessment_of(v1)
    page.goto(round_url)
    assessment_row(page, a1).get_by_role("link", name=V1).click()
    expect(page).to_have_url(re.compile(rf"/pool/assessment/entry/{a1.pk}/$"))
    evidence = page.locator("#assessment-evidence")
    expect(evidence).to_contain_text(f"{YEAR}年度实绩记录")
    expect(page.locator("#evidence-tasks")).to_contain_text(TASK_TITLE)
    expect(page.locator("#evidence-tasks")).to_contain_text("优秀")
    expect(page.locator("#evidence-hours")).to_have_text("本年度培训12.5学时")
    expect(page.locator("#evidence-talks")).to_contain_text("本年度谈话1次")
    expect(evidence).to_contain_text(MENTOR_NAME)
    score_in_form(page, scores(19, 14, 14, "28.5", "19.5"), "92.5", COMMENT)
    screenshot(page, "assessment-05-office-form")
    page.locator("#assessment-form").get_by_role("button", name="保存评分").click()
    expect(flash(page)).to_contain_text("已保存评分。")
    expect(page.locator("#assessment-total")).to_have_text("95.00")
    expect(page.locator("#assessment-grade")).to_have_text("优秀")
    expect(page.locator("#id_item_ji")).to_have_value("28.5")
    page.locator('[data-action="submit_assessment"]').click()
    expect(flash(page)).to_contain_text("已提交，总分和等次已计算")
    expect(page.locator("h1.page-title")).to_contain_text("已提交")
    expect(page.locator("#assessment-form")).to_have_count(0)
    expect(page.locator("#assessment-locked")).to_contain_text("已提交，如需修改请先退回")
    screenshot(page, "assessment-06-office-submitted")

    # --- … and V2 (the mentor's score is there, for reference) ---------------------------------------------
    page.goto(round_url)
    assessment_row(page, a2).get_by_role("link", name=V2).click()
    expect(page).to_have_url(re.compile(rf"/pool/assessment/entry/{a2.pk}/$"))
    expect(page.locator("#id_mentor")).to_have_value("91.5")
    expect(page.locator("#evidence-tasks")).to_have_count(0)
    expect(page.locator("#assessment-evidence")).to_contain_text("本年度无任务记录。")
    score_in_form(page, scores(18, 13, 13, 26, 18), "86", "工作踏实，群众基础较好。")
    page.locator("#assessment-form").get_by_role("button", name="保存评分").click()
    expect(flash(page)).to_contain_text("已保存评分。")
    expect(page.locator("#assessment-total")).to_have_text("88.00")
    expect(page.locator("#assessment-grade")).to_have_text("称职")
    page.locator('[data-action="submit_assessment"]').click()
    expect(flash(page)).to_contain_text("已提交")

    # --- The others through the services; V4's best score is then vetoed on the veto page --------------------
    for reserve in (v3, v4, t1, t2, t3):
        score_by_service(office, reserve, SERVICE_SCORES[reserve.name])
    a4 = assessment_of(v4)
    assert (a4.total, a4.grade) == (Decimal("98.00"), Grade.EXCELLENT)
    page.goto(f"/pool/assessment/entry/{a4.pk}/")
    page.locator('#assessment-actions [data-action="veto_assessment"]').click()
    expect(page).to_have_url(re.compile(rf"/pool/assessment/entry/{a4.pk}/veto/$"))
    expect(page.locator("h1.page-title")).to_have_text(f"一票否决：{V4}")
    expect(page.locator("#id_on")).to_have_value(today.isoformat())
    page.select_option("#id_reason", label="违纪违法")
    page.fill("#id_note", "因违规发放补助受到党内警告处分。")
    page.fill("#id_approver", "镇党委书记 王某某")
    screenshot(page, "assessment-07-veto-form")
    page.locator("#veto-form").get_by_role("button", name="确认一票否决").click()
    expect(page).to_have_url(re.compile(rf"/pool/assessment/entry/{a4.pk}/$"))
    expect(flash(page)).to_contain_text("已一票否决，等次为不称职")
    expect(page.locator("#assessment-grade")).to_have_text("不称职")
    expect(page.locator("#assessment-veto")).to_contain_text("违纪违法：因违规发放补助受到党内警告处分。")
    expect(page.locator("#assessment-veto")).to_contain_text("镇党委书记 王某某")

    # --- The round: all submitted; confirm it (asked first) → ranks, 优先使用, the vetoed one unranked ---------
    page.goto(round_url)
    expect(page.locator('[data-count="submitted"]')).to_have_text("7")
    expect(page.locator('[data-count="vetoed"]')).to_have_text("1")
    expect(assessment_row(page, a1)).to_contain_text("预排名")
    page.locator('[data-action="confirm_round"]').click()
    expect(flash(page)).to_contain_text("已确认，各梯队排名已确定。")
    expect(page.locator("h1.page-title")).to_contain_text("已确认")
    expect(page.locator('[data-count="confirmed"]')).to_have_text("7")
    expect(page.locator('[data-action="confirm_round"]')).to_have_count(0)
    expected = {  # reserve: (rank, marks present, marks absent)
        v1: ("1/3", ["优先使用"], ["考核靠后", "一票否决"]),
        v2: ("2/3", ["优先使用"], ["考核靠后", "一票否决"]),  # 50% of 3 → 1.5 → 2
        v3: ("3/3", [], ["优先使用", "一票否决"]),
        v4: ("—", ["一票否决"], ["优先使用"]),
        t1: ("1/3", ["优先使用"], ["考核靠后"]),  # 20% of 3 → 0.6 → 1
        t2: ("2/3", [], ["优先使用", "考核靠后"]),
        t3: ("3/3", ["考核靠后"], ["优先使用"]),  # 70: 基本称职
    }
    for reserve, (rank, present, absent) in expected.items():
        row = assessment_row(page, assessment_of(reserve))
        expect(row.locator("td").first).to_have_text(rank)
        marks = row.locator("td").last
        for mark in present:
            expect(marks).to_contain_text(mark)
        for mark in absent:
            expect(marks).not_to_contain_text(mark)
    # In tier then rank order: the fourth tier first, the vetoed last of the village reserves.
    names = page.locator("#assessments tbody tr td:nth-child(2)").all_inner_texts()
    assert names == [T1, T2, T3, V1, V2, V3, V4], names
    screenshot(page, "assessment-08-round-confirmed")
    page.locator("#round-actions").get_by_role("link", name="返回考核").click()
    expect(page).to_have_url(re.compile(r"/pool/assessment/$"))
    round_row = page.locator(f'#rounds tr[data-round="{round_.pk}"]')
    expect(round_row).to_contain_text(ROUND_TITLE)
    expect(round_row).to_contain_text("已确认")
    expect(round_row.locator('td[data-label="人数"]')).to_have_text("7")
    screenshot(page, "assessment-08b-round-list")

    # A confirmed assessment is locked, for the office and for the mentor.
    page.goto(f"/pool/assessment/entry/{a1.pk}/")
    expect(page.locator("#assessment-locked")).to_contain_text("已锁定")
    expect(page.locator("#assessment-result")).to_contain_text("1/3")
    phone.goto(f"/pool/assessment/entry/{a2.pk}/")
    expect(phone.locator("#assessment-form")).to_have_count(0)
    expect(phone.locator("#assessment-locked")).to_contain_text("已锁定")
    expect(phone.locator("#assessment-grade")).to_have_text("称职")
    no_sideways_scroll(phone)

    # --- 优先使用名单: the top share of each tier in rank order, the vetoed one absent; the PDF ---------------
    open_menu(page, "考核调整", "优先使用名单")
    expect(page).to_have_url(re.compile(r"/pool/priority/$"))
    expect(page.locator("h1.page-title")).to_contain_text("优先使用（推荐）名单")
    expect(page.locator("h1.page-title")).to_contain_text(ROUND_TITLE)
    village_card = page.locator(f'#priority-summary [data-tier="{Tier.VILLAGE.value}"]')
    expect(village_card).to_contain_text("前50%")
    expect(village_card).to_contain_text("列入2人 / 参与排名3人")
    tier4_card = page.locator(f'#priority-summary [data-tier="{Tier.FOURTH.value}"]')
    expect(tier4_card).to_contain_text("前20%")
    expect(tier4_card).to_contain_text("列入1人 / 参与排名3人")
    table = page.locator("#priority-table")
    listed = table.locator("tbody tr[data-assessment] td:nth-child(2)").all_inner_texts()
    assert listed == [T1, V1, V2], listed
    expect(table.locator(f'tr[data-reserve="{v1.pk}"]')).to_contain_text("第1名/3人")
    expect(table.locator(f'tr[data-reserve="{v2.pk}"]')).to_contain_text("第2名/3人")
    expect(table.locator(f'[data-tier-head="{Tier.VILLAGE.value}"]')).to_contain_text("村“两委”出现缺额时优先推选")
    expect(table).not_to_contain_text(V4)
    expect(table).not_to_contain_text(V3)
    screenshot(page, "assessment-09-priority-list")

    # The PDF is made in the background (tests run the worker's task at once): the button leads to the job's page.
    page.locator("#priority-pdf").click()
    expect(page).to_have_url(re.compile(r"/files/\d+/$"))
    with page.expect_download() as download_info:
        page.locator("#job-status a.btn").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    page.go_back()  # from the job's page (我的文件) to the list
    expect(page).to_have_url(re.compile(r"/pool/priority/$"))

    # --- The other priority uses: 入党积极分子 (non-party, graded 优秀) and a 两委 vacancy's candidates ----------
    page.locator("#priority-tabs").get_by_role("link", name="入党积极分子").click()
    expect(page).to_have_url(re.compile(r"/pool/activists/$"))
    activists = page.locator("#activist-table")
    expect(activists.locator("tbody tr[data-reserve]")).to_have_count(2)
    for reserve in (v1, t1):  # 95 and 92: 优秀; V4 (98) is vetoed, the others are 称职 or below
        expect(activists.locator(f'tr[data-reserve="{reserve.pk}"]')).to_contain_text("优秀")
    screenshot(page, "assessment-10-activists")

    open_menu(page, "考核调整", "两委职数空缺")
    expect(page).to_have_url(re.compile(r"/pool/vacancies/$"))
    page.locator("#vacancy-new").click()
    page.select_option("#id_village", label=village_a.name)
    page.fill("#id_post", "村委会委员")
    page.fill("#id_reason", "辞职")
    screenshot(page, "assessment-11-vacancy-form")
    page.locator("#vacancy-form").get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/pool/vacancies/\d+/$"))
    expect(flash(page)).to_contain_text(f"已记录{village_a.name}的“村委会委员”空缺")
    candidates = page.locator("#candidate-table tbody tr[data-reserve]")
    expect(candidates).to_have_count(2)  # 东山村's reserves, the one put forward first
    expect(candidates.nth(0)).to_contain_text(V1)
    expect(candidates.nth(0)).to_contain_text("优先使用")
    expect(candidates.nth(1)).to_contain_text(V3)
    screenshot(page, "assessment-12-vacancy-candidates")

    # --- The pool list shows the marks of the latest confirmed round ------------------------------------------
    open_menu(page, "后备干部库", "人才库")
    expect(page).to_have_url(re.compile(r"/pool/$"))
    for reserve in (v1, v2, t1):
        expect(pool_row(page, reserve).locator("[data-mark]")).to_have_text(["优先使用"])
    expect(pool_row(page, v4).locator("[data-mark]")).to_have_text(["一票否决"])
    expect(pool_row(page, t3).locator("[data-mark]")).to_have_text(["考核靠后"])
    for reserve in (v3, t2):
        expect(pool_row(page, reserve).locator("[data-mark]")).to_have_count(0)
    screenshot(page, "assessment-13-pool-marks")

    # … and the reserve's page: the marks card and the assessments card.
    pool_row(page, v1).get_by_role("link", name=V1).click()
    expect(page).to_have_url(re.compile(rf"/pool/{v1.pk}/$"))
    expect(page.locator("#priority-marks")).to_contain_text("优先使用")
    result = page.locator(f'#reserve-assessments tr[data-assessment="{a1.pk}"]')
    for text in ("95.00", "优秀", "1/3", "优先"):
        expect(result).to_contain_text(text)
    expect(result.get_by_role("link", name="查看")).to_be_visible()  # confirmed: locked
    screenshot(page, "assessment-14-reserve-page")

    # --- The database at the end ------------------------------------------------------------------------
    round_.refresh_from_db()
    assert (round_.status, round_.confirmed_on) == (AssessmentRound.Status.CONFIRMED, today)
    a1.refresh_from_db()
    assert {k: Decimal(v) for k, v in a1.scores.items()} == {
        k: Decimal(v) for k, v in scores(19, 14, 14, "28.5", "19.5").items()}
    assert a1.democratic_score == Decimal("92.5")
    assert (a1.total, a1.grade, a1.rank, a1.ranked_of, a1.priority, a1.comment) == (
        Decimal("95.00"), Grade.EXCELLENT, 1, 3, True, COMMENT)
    a4.refresh_from_db()
    assert (a4.grade, a4.rank, a4.priority, a4.veto_reason, a4.veto_approver, a4.veto_on) == (
        Grade.INCOMPETENT, None, False, "违纪违法", "镇党委书记 王某某", today)
    # Each confirmation was asked first (checked last: the journey above holds either way).
    assert [kind for kind, _message in asked] == ["confirm"] * 4, asked
    assert asked[-1][1].startswith("确认后全部考核结果锁定"), asked
    problems.assert_none()
