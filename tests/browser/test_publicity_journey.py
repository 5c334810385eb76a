"""公示 in a real browser: the office publishes a notice, the public lodges an objection, the office
verifies it and finds it true, the committee cancels the candidacy, the public page marks the person and the
objector's receipt says the matter is concluded; and, separately, the office enters a paper notice posted weeks
ago and confirms its people into the reserve pool once its period has ended.

The publish form shows the period live (notice_period.js asks the server for a fragment); publishing
asks a window.confirm (app.js, data-confirm) which the test accepts. The public page is opened in a
new browser context without cookies, as a villager scanning the QR code would.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Nomination, Status
from publicity import services
from publicity.models import Notice, Objection
from reserve.models import Event
from reserve.workdays import Calendar
from tests.browser.conftest import DESKTOP
from tests.browser.test_nomination_journey import log_in, status_badge, timeline_events
from tests.factories import NominationFactory, PersonFactory, RoundFactory, TownFactory
from training.models import Reserve

pytestmark = pytest.mark.browser

OFFICE_PHONE = "0579-8888 1234"
OFFICE_ADDRESS = "青山镇人民政府三楼组织办"
ROUND_NAME = "2026年青山镇村级后备干部选拔"
NAME = "欧阳晓峰"  # distinctive: appears nowhere else on the pages
OTHER_NAME = "司马文静"
OBJECTION_TEXT = "反映该同志在村道旁违规搭建彩钢棚约四十平方米，至今未拆除。"
VERIFIER = "组织办 周建华"
VERIFICATION = "经实地查看并询问村委，该同志确于2025年在村道旁搭建彩钢棚，未办理审批手续，至今未拆除。"
REASON = "经核实反映属实，存在违规搭建行为，根据选拔条件不予确定为后备干部人选。"
COMMITTEE_REASON = "镇党委会议研究：违规搭建属实，取消其后备干部人选资格。"


@pytest.fixture
def town(db):
    """青山镇, with the office's contacts the publish form starts from."""
    return TownFactory(name="青山镇", office_phone=OFFICE_PHONE, office_address=OFFICE_ADDRESS)


@pytest.fixture
def round_(town):
    return RoundFactory(town=town, name=ROUND_NAME, publicity_days=5)


def approved(round_, village, name, creator) -> Nomination:
    """Test set-up: a nomination the committee has approved (the vetting journey covers getting there)."""
    return NominationFactory(round=round_, village=village, approved=True, created_by=creator,
                             person=PersonFactory(name=name, birth_date=datetime.date(1992, 3, 8)),
                             work_unit_post="东山村股份经济合作社 会计")


def start_in_force_today(town) -> datetime.date:
    """The latest working day on or before today: a period starting there includes today (its second
    working day, if any, comes after today)."""
    calendar = Calendar.for_town(town)
    day = timezone.localdate()
    while not calendar.is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


def cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def new_page(chromium, live_server, problems):
    """new_page(): a desktop page in another fresh context (no cookies), watched for errors."""
    contexts = []

    def make():
        context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai",
                                       base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


def accept_dialogs(page):
    """Accept every window.confirm on the page; return the list of (type, message) asked."""
    asked = []

    def accept(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.accept()

    page.on("dialog", accept)
    return asked


def flash(page):
    return page.locator(".alert-success[role=alert]")


def period_text(page):
    return page.locator("#period-result [data-period]")


def test_publish_objection_upheld(page, new_page, problems, screenshot, town, round_, village_a,
                                  village_a_user, office, committee):
    nomination = approved(round_, village_a, NAME, village_a_user)
    today = timezone.localdate()
    start = start_in_force_today(town)

    # --- The office opens the publish form from 公示 -----------------------------------------------
    log_in(page, office.username)
    page.locator(".navbar").get_by_role("link", name="公示", exact=True).click()
    expect(page).to_have_url(re.compile(r"/notices/$"))
    expect(page.locator("h1.page-title")).to_have_text("村级后备干部人选公示")
    expect(page.locator("#pending")).to_contain_text("本批次有1名经党委研究确定的人选尚未公示。")
    expect(page.locator("#notices tbody")).to_contain_text("本批次尚未发布公示。")
    page.locator('a[data-action="publish"]').click()
    expect(page).to_have_url(re.compile(rf"/notices/new/\?round={round_.pk}$"))
    page.wait_for_load_state("load")  # notice_period.js listens to the date field only once it has run
    expect(page.locator("h1.page-title")).to_have_text("发布公示")
    expect(page.locator("#period-slot").locator("xpath=..").locator(".card-header")).to_have_text("公示期（5个工作日）")
    # The contacts come from the town; the village is listed with the name of its approved person.
    expect(page.locator("#id_contact_phone")).to_have_value(OFFICE_PHONE)
    expect(page.locator("#id_contact_address")).to_have_value(OFFICE_ADDRESS)
    village_box = page.get_by_label(f"东山村（{NAME}）")
    expect(village_box).not_to_be_checked()

    # The period follows the start date: 国庆 2026 (10月1日–7日) is skipped, 10月10日 is a 调休 working day.
    page.fill("#id_start_date", "2026-09-29")
    expect(period_text(page)).to_have_text("公示时间：2026年9月29日至2026年10月10日（5个工作日）")
    expect(period_text(page)).to_have_attribute("data-period", "2026-09-29/2026-10-10")
    # … a start in the past is refused: the public would get none of its days.
    expect(page.locator("#date-problem")).to_contain_text("公示期不能从过去开始")
    expect(page.locator("#calendar-warning")).to_have_count(0)
    screenshot(page, "publicity-01-publish-form-period")

    # A year without official holiday data: the period is an estimate, and the form says so.
    page.fill("#id_start_date", "2031-03-03")
    expect(period_text(page)).to_have_text("公示时间：2031年3月3日至2031年3月7日（5个工作日）")
    warning = page.locator("#calendar-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("系统尚无2031年的国家法定节假日安排")
    expect(warning.get_by_role("link", name="维护本镇工作日调整表")).to_be_visible()
    screenshot(page, "publicity-02-publish-form-warning")

    # Back to a start so that the notice is in force today (on a day off: a paper notice posted on the last
    # working day, entered today); tick the village and publish.
    if start == today:
        page.fill("#id_start_date", start.isoformat())
    else:
        page.get_by_label("纸质公示已先行张贴").check()
        page.fill("#id_posted_on", start.isoformat())
    expect(page.locator("#date-problem")).to_have_count(0)
    expect(page.locator("#calendar-warning")).to_have_count(0)
    expect(period_text(page)).to_contain_text(f"公示时间：{cn(start)}至")
    period = period_text(page).get_attribute("data-period")
    period_start, period_end = (datetime.date.fromisoformat(d) for d in period.split("/"))
    assert period_start <= today <= period_end, (period, today)
    village_box.check()
    asked = accept_dialogs(page)
    page.locator('button[data-action="publish"]').click()
    expect(page).to_have_url(re.compile(r"/notices/\d+/$"))
    assert asked == [("confirm", "公示发布后不能修改或撤回，所选村（社区）的人选将进入公示期，期满前不能确认入库。确认发布？")]
    expect(flash(page)).to_contain_text("已发布1份公示（东山村）")
    expect(flash(page)).to_contain_text(f"公示期满后（{cn(period_end + datetime.timedelta(days=1))}起）可确认入库")

    # --- The notice (office view) ---------------------------------------------------------------
    notice = Notice.objects.get(village=village_a)
    assert (notice.start_date, notice.end_date, notice.days) == (period_start, period_end, 5)
    expect(page.locator("h1.page-title")).to_contain_text("东山村 · 后备干部人选公示")
    expect(page.locator("h1 .notice-state")).to_have_text("公示中")
    expect(page.locator("#notice-status")).to_contain_text(f"公示中，至{cn(period_end)}期满")
    text = page.locator("#notice-text")
    expect(text.locator("h1.notice-title")).to_have_text("关于东山村村级后备干部人选的公示")
    expect(text).to_contain_text("经镇党委研究，拟确定以下同志为东山村村级后备干部人选，现予以公示。")
    expect(text).to_contain_text(f"公示时间：{cn(period_start)}至{cn(period_end)}（5个工作日）。")
    expect(text).to_contain_text(f"联系电话：{OFFICE_PHONE}；来信来访地址：{OFFICE_ADDRESS}。")
    expect(text).to_contain_text("中共青山镇委员会")
    row = text.locator("table.notice-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["1", NAME, "男", "1992.03", "高中（中专、职高、技校）", "群众", "东山村股份经济合作社 会计"])
    expect(page.locator("#notice-qr")).to_be_visible()
    people = page.locator(f'#people tr[data-nomination="{nomination.pk}"]')
    expect(people.locator(".status-badge")).to_have_text("公示中")
    expect(people).to_contain_text(
        f"公示期至{cn(period_end)}，期满后（{cn(period_end + datetime.timedelta(days=1))}起）才能确认入库。")
    expect(page.locator('button[data-action="confirm_reserve"]')).to_be_disabled()
    expect(page.locator("#objections tbody")).to_contain_text("尚未收到异议。")
    screenshot(page, "publicity-03-notice-office")

    # The stored PDF answers as a PDF.
    pdf_link = page.locator('a[data-action="pdf"]')
    expect(pdf_link).to_have_text("下载公示PDF")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The nomination itself is 公示中.
    people.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(status_badge(page)).to_have_text("公示中")
    assert "publish" in timeline_events(page)
    page.go_back()
    public_url = page.locator("#public-url").get_attribute("href")
    assert re.search(rf"/p/{re.escape(notice.token)}/$", public_url), public_url

    # --- An anonymous visitor, in a browser without the office's cookies --------------------------
    visitor = new_page()
    visitor.goto(public_url)
    expect(visitor.locator(".navbar")).to_have_count(0)  # no app navigation, no sign-in
    expect(visitor.locator("#notice-state")).to_contain_text(f"公示期内（至{cn(period_end)}）。")
    expect(visitor.locator("#notice-state")).to_contain_text(
        f"公示时间：{period_start:%Y}年{period_start.month}月{period_start.day}日至"
        f"{period_end:%Y}年{period_end.month}月{period_end.day}日（5个工作日）")
    expect(visitor.locator("h1.notice-title")).to_have_text("关于东山村村级后备干部人选的公示")
    expect(visitor.locator("article")).to_contain_text("经镇党委研究，拟确定以下同志为东山村村级后备干部人选")
    expect(visitor.locator("article")).to_contain_text(f"联系电话：{OFFICE_PHONE}")
    expect(visitor.locator("table.notice-table tbody tr td.name")).to_have_text([NAME])
    expect(visitor.locator("#late-note")).to_have_count(0)
    screenshot(visitor, "publicity-04-public-notice")

    visitor.fill("#id_content", OBJECTION_TEXT)
    visitor.select_option("#id_entry", label=NAME)
    expect(visitor.locator("#id_name")).to_have_value("")
    visitor.get_by_role("button", name="提交反映").click()
    expect(visitor).to_have_url(re.compile(rf"/p/{re.escape(notice.token)}/receipt/[^/]+/#receipt$"))
    expect(visitor.locator("#receipt h1")).to_have_text("您的反映已收到")
    receipt = visitor.locator("#receipt-number").inner_text().strip()
    assert re.fullmatch(r"YY\d{8}-[A-Z2-9]{6}", receipt), receipt
    expect(visitor.locator("#receipt")).to_contain_text("关于东山村村级后备干部人选的公示")
    expect(visitor.locator("#receipt")).not_to_contain_text(OBJECTION_TEXT)  # never shown back
    expect(visitor.locator("#receipt")).not_to_contain_text("逾期")
    screenshot(visitor, "publicity-05-public-receipt")
    objection = Objection.objects.get(receipt=receipt)
    assert (objection.channel, objection.name, objection.phone, objection.content, objection.is_late) == (
        Objection.Channel.ONLINE, "", "", OBJECTION_TEXT, False)
    assert objection.entry.nomination_id == nomination.pk

    # --- The office opens the objection from the notice page -------------------------------------
    page.reload()
    objection_row = page.locator(f'#objections tr[data-objection="{objection.pk}"]')
    expect(objection_row).to_contain_text("网上反映")
    expect(objection_row).to_contain_text(NAME)
    expect(objection_row).to_contain_text("待核实")
    # An open objection about the person: still not confirmable (the period has not ended either).
    expect(page.locator('button[data-action="confirm_reserve"]')).to_be_disabled()
    objection_row.get_by_role("link", name=receipt).click()
    expect(page).to_have_url(re.compile(rf"/objections/{objection.pk}/$"))
    expect(page.locator("h1.page-title")).to_contain_text(f"异议 {receipt}")
    expect(page.locator("h1 .badge")).to_have_text("待核实")
    expect(page.locator(".fields")).to_contain_text(OBJECTION_TEXT)
    expect(page.locator(".fields")).to_contain_text("匿名")
    expect(page.locator(".fields")).to_contain_text("群众网上提交")
    expect(page.locator("#objection-entry")).to_contain_text(NAME)
    expect(page.locator("#objection-entry .status-badge")).to_have_text("公示中")
    expect(page.locator("#assign-form")).to_have_count(0)  # the visitor named the person
    expect(page.locator("#conclude-form")).to_have_count(0)
    screenshot(page, "publicity-06-objection-open")

    page.fill("#id_verify-verified_by", VERIFIER)
    page.fill("#id_verify-verification", VERIFICATION)
    page.get_by_role("button", name="记录核实情况").click()
    expect(flash(page)).to_contain_text("已记录核实情况。")
    expect(page.locator("h1 .badge")).to_have_text("已核实，待结论")
    expect(page.locator("#verification")).to_contain_text(f"核实人：{VERIFIER}")
    expect(page.locator("#verification")).to_contain_text(VERIFICATION)
    expect(page.locator("#verify-form")).to_have_count(0)

    # The office finds it true: that proposes the change, asked first with its consequence.
    asked.clear()
    page.get_by_label("反映属实（提请镇党委研究是否取消人选资格）").check()
    page.fill("#id_conclude-reason", REASON)
    page.get_by_role("button", name="提交结论").click()
    expect(flash(page)).to_contain_text("已认定反映属实并提请镇党委研究")
    assert len(asked) == 1 and "提请镇党委研究" in asked[0][1], asked
    expect(page.locator("h1 .badge")).to_have_text("反映属实，待党委研究")
    expect(page.locator("#conclusion")).to_contain_text("反映属实，提请镇党委研究")
    expect(page.locator("#conclusion")).to_contain_text(REASON)
    expect(page.locator("#conclusion")).to_contain_text(office.username)
    expect(page.locator("#objection-entry .status-badge")).to_have_text("公示中")  # not cancelled by the office
    expect(page.locator("#awaiting-committee")).to_be_visible()
    expect(page.locator("#conclude-form")).to_have_count(0)
    screenshot(page, "publicity-07-objection-referred")

    # --- The committee decides, on the notice's page ------------------------------------------------
    member = new_page()
    member_asked = accept_dialogs(member)
    log_in(member, committee.username)
    member.goto(notice.get_absolute_url())
    matter = member.locator(f'#referred [data-referred="{objection.pk}"]')
    expect(matter).to_contain_text(OBJECTION_TEXT)
    expect(matter).to_contain_text(VERIFICATION)
    expect(matter).to_contain_text(REASON)
    matter.get_by_label("取消人选资格").check()
    matter.get_by_label("党委研究意见").fill(COMMITTEE_REASON)
    screenshot(member, "publicity-07b-committee-decides")
    matter.get_by_role("button", name="记录党委研究决定").click()
    expect(flash(member)).to_contain_text(f"已记录党委研究决定：取消{NAME}的人选资格")
    assert len(member_asked) == 1 and "不再作为拟确定人选" in member_asked[0][1], member_asked
    expect(member.locator("#referred")).to_have_count(0)
    expect(member.locator("table.notice-table tbody tr td.name")).to_contain_text("已不再作为拟确定人选")

    # --- The public page no longer names the person (issue 10 §15), nor says why; the receipt says 已办结 ----
    visitor.goto(public_url)
    expect(visitor.locator("table.notice-table tbody tr")).to_have_count(0)
    expect(visitor.locator("body")).not_to_contain_text(NAME)
    expect(visitor.locator("#not-accepting")).to_be_visible()
    expect(visitor.locator("#id_content")).to_have_count(0)
    expect(visitor.locator("body")).not_to_contain_text(COMMITTEE_REASON)
    visitor.goto(f"{public_url}receipt/{receipt}/")
    expect(visitor.locator("#receipt-state")).to_contain_text("已办结")
    expect(visitor.locator("#receipt")).not_to_contain_text(COMMITTEE_REASON)
    expect(visitor.locator("#receipt")).not_to_contain_text(VERIFICATION)

    # --- Back at the office: the objection is concluded -------------------------------------------
    page.reload()
    expect(page.locator("h1 .badge")).to_have_text("反映属实，已取消人选资格")
    expect(page.locator("#committee-decision")).to_contain_text(COMMITTEE_REASON)
    expect(page.locator("#committee-decision")).to_contain_text(committee.username)
    expect(page.locator("#objection-entry .status-badge")).to_have_text("未确定")
    expect(page.get_by_text("该异议已办结。")).to_be_visible()
    expect(page.locator("#decide-form")).to_have_count(0)
    screenshot(page, "publicity-07c-objection-upheld")

    # --- The nomination: 未确定, the reason in its timeline ---------------------------------------
    page.locator("#objection-entry").get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(status_badge(page)).to_have_text("未确定")
    upheld = page.locator('#timeline li[data-event="uphold_objection"]')
    expect(upheld).to_contain_text("异议属实，取消人选资格")
    expect(upheld).to_contain_text("（→未确定）")
    expect(upheld).to_contain_text(f"理由：{COMMITTEE_REASON}")
    events = timeline_events(page)
    assert (events.index("publish") < events.index("objection") < events.index("refer_objection")
            < events.index("uphold_objection")), events

    # --- The database at the end ----------------------------------------------------------------
    nomination.refresh_from_db()
    assert nomination.status == Status.REJECTED
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert (objection.verified_by, objection.verification) == (VERIFIER, VERIFICATION)
    assert (objection.conclusion_reason, objection.concluded_by) == (REASON, office)
    assert (objection.decision_reason, objection.decided_by) == (COMMITTEE_REASON, committee)
    assert notice.entries.get().nomination_id == nomination.pk
    assert notice.entries.get().withdrawn_on == today
    last = Event.objects.filter(action="uphold_objection").get()
    assert (last.from_status, last.to_status, last.reason, last.actor) == (
        Status.PUBLICISED, Status.REJECTED, COMMITTEE_REASON, committee)
    assert not Reserve.objects.exists()
    problems.assert_none()


def test_ended_notice_confirmed_into_reserve(page, problems, monkeypatch, screenshot, round_, village_a,
                                             village_a_user, office):
    # The PDF is not what this case is about: publish without WeasyPrint.
    monkeypatch.setattr(services, "render_pdf", lambda *a, **k: b"%PDF-1.7 test\n%%EOF")
    nomination = approved(round_, village_a, OTHER_NAME, village_a_user)
    today = timezone.localdate()
    posted = today - datetime.timedelta(days=42)  # a paper notice posted six weeks ago, entered today
    notice = services.notice_publish(
        actor=office, round_=round_, village=village_a, posted_on=posted,
        contact_phone=OFFICE_PHONE, contact_address=OFFICE_ADDRESS,
        public_url_for=lambda n: f"http://testserver/p/{n.token}/",
    )
    assert notice.ended(today) and notice.posted_before_entry

    log_in(page, office.username)
    page.goto(notice.get_absolute_url())
    expect(page.locator("h1 .notice-state")).to_have_text("已期满")
    expect(page.locator("#notice-status")).to_contain_text(f"已于{cn(notice.end_date)}期满")
    expect(page.locator("#objections tbody")).to_contain_text("尚未收到异议。")
    expect(page.locator("#posted-before-entry")).to_contain_text(f"张贴日期{cn(posted)}，{cn(today)}由{office.username}录入系统")
    person = page.locator(f'#people tr[data-nomination="{nomination.pk}"]')
    expect(person.locator(".status-badge")).to_have_text("公示中")
    expect(person).to_contain_text("可以确认入库")
    confirm = page.locator('button[data-action="confirm_reserve"]')
    expect(confirm).to_have_text("公示期满，确认入库")
    expect(confirm).to_be_enabled()
    screenshot(page, "publicity-08-notice-ended")
    asked = accept_dialogs(page)
    confirm.click()
    expect(flash(page)).to_contain_text("已确认1人进入后备干部库")
    assert len(asked) == 1 and "不能撤销" in asked[0][1], asked
    expect(person.locator(".status-badge")).to_have_text("已入库")
    expect(page.locator('button[data-action="confirm_reserve"]')).to_have_count(0)  # nobody left publicised
    screenshot(page, "publicity-09-notice-confirmed")

    person.get_by_role("link", name=OTHER_NAME).click()
    expect(status_badge(page)).to_have_text("已入库")
    expect(page.locator('#timeline li[data-event="confirm_reserve"]')).to_contain_text("公示期满，确认入库")

    nomination.refresh_from_db()
    assert nomination.status == Status.RESERVE
    reserve = Reserve.objects.get()
    assert (reserve.nomination_id, reserve.person_id, reserve.round_id, reserve.village_id) == (
        nomination.pk, nomination.person_id, round_.pk, village_a.pk)
    assert reserve.status == Reserve.Status.ACTIVE
    assert reserve.start_date == today
    # The pool term's term (PoolTerm.term_years, 2 by default): two years from today, less a day.
    years_later = (today.replace(year=today.year + 2) if (today.month, today.day) != (2, 29)
                   else datetime.date(today.year + 2, 2, 28))
    assert reserve.term_end == years_later - datetime.timedelta(days=1)
    problems.assert_none()
