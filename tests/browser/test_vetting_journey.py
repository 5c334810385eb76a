"""资格联审 → 组织考察 → 镇党委研究确定 in a real browser.

The office dispatches an accepted nomination to the departments (纪委 and 派出所, the two the default
negative list maps to in this town); each department's clerk answers item by item from its queue; the
office overrules 派出所's flag; then the office runs the inspection (a talk, a 民主测评 with its tally,
the ballot, the 考察材料) and proposes the nomination; the committee records 同意 at a meeting.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates import services as candidate_services
from candidates.models import Nomination, Status
from inspection import services as inspection_services
from inspection.models import AppraisalSession, CommitteeDecision, CommitteeMeeting, InspectionReport, Talk, Tally
from reserve.choices import Education, Gender, PoliticalStatus
from reserve.models import Event
from tests.browser.test_nomination_journey import log_in, log_out, status_badge, timeline_events
from tests.factories import make_id, png_upload
from tests.helpers import every_negative_item_checked, pdf_text
from vetting.models import Finding, NegativeItem, VettingRequest

pytestmark = pytest.mark.browser

NAME = "陈立新"
BIRTH = datetime.date(1993, 4, 12)
STATEMENT = "担任村民小组长三年，带头修缮村道并组建农机合作社。"
PHONE = "13900002468"
HUKOU_ADDRESS = "东山村5组21号"
FLAG_NOTE = "2023年8月因酒后滋事被处以行政拘留5日。"
OVERRULE_REASON = "经核实系他人冒用身份证登记，已由派出所出具更正说明。"
# 纪委 checks items 1, 2, 4 and 13 of the default negative list, and the office gave it the items no department of
# this town is named for (every item must be checked by someone); 派出所 checks 3, 6 and 9.
JIWEI_ITEMS = ["1", "2", "4", "5", "7", "8", "10", "11", "12", "13"]
PAICHUSUO_ITEMS = ["3", "6", "9"]
# The passing tally: 32 of 35 entitled returned, 27 of 31 valid ballots 优秀+称职.
TALLY = {
    "party_member": (20, 18, 17, [10, 4, 2, 1]),
    "villager_rep": (10, 9, 9, [5, 3, 1, 0]),
    "committee": (5, 5, 5, [3, 2, 0, 0]),
}
TALKS_LINE = "六、个别谈话情况：共个别谈话4人次，其中两委成员1人、退职村干部1人、党员代表1人、群众代表1人。"
WORDING = ("应参加35人，共发票35张，收回32张，其中有效票31张。优秀18票、称职9票、基本称职3票、不称职1票；"
           "优秀+称职合计27票，占有效票的87.1%。")


def accepted_nomination(village_user, office, round_):
    """A nomination made, submitted and accepted through the services."""
    nomination = candidate_services.nomination_create(
        actor=village_user, round_=round_,
        person_data={"id_number": make_id(BIRTH, Gender.MALE, seq=83), "name": NAME, "gender": Gender.MALE,
                     "birth_date": BIRTH},
        fields={"political_status": PoliticalStatus.PARTY_MEMBER, "party_join_date": datetime.date(2015, 7, 1),
                "hukou_village": village_user.village, "hukou_address": HUKOU_ADDRESS,
                "native_place": "浙江兰溪", "fulltime_education": Education.COLLEGE,
                "work_unit_post": "东山村农机合作社 理事长", "phone": PHONE, "statement": STATEMENT},
        id_card_copy=png_upload(),
    )
    candidate_services.perform(actor=village_user, nomination_id=nomination.pk, action="submit")
    return candidate_services.perform(actor=office, nomination_id=nomination.pk, action="accept")


def flash(page):
    """The success message of the last action (Django's messages, not the page's own alerts)."""
    return page.locator(".alert-success[role=alert]")


def office_menu(page, item):
    """Open the office's 审查考察 dropdown and follow one of its links."""
    navbar = page.locator(".navbar")
    navbar.get_by_role("button", name="审查考察").or_(navbar.get_by_role("link", name="审查考察")).click()
    navbar.locator(".dropdown-menu").get_by_role("link", name=item).click()


def queue_row(page, tab, nomination):
    return page.locator(f"#tab-{tab} tr[data-request]", has_text=nomination.person.name)


def department_answers(page, problems, screenshot, *, user, department, items, nomination, flag=None, shot=None):
    """The department's clerk answers from the queue: every item 无此情形, or one flagged with a note."""
    log_in(page, user.username)
    expect(page).to_have_url(re.compile(r"/vetting/queue/$"))  # a department user lands on its queue
    page.locator(".navbar").get_by_role("link", name="审查任务").click()
    expect(page).to_have_url(re.compile(r"/vetting/queue/$"))
    expect(page.locator("h1")).to_have_text(f"{department} · 资格审查任务")
    pending = queue_row(page, "pending", nomination)
    expect(pending).to_be_visible()
    expect(pending).to_contain_text("东山村")
    expect(pending).to_contain_text("待审查")
    expect(page.locator("#queue-tabs").get_by_role("link", name=re.compile("已答复"))).to_have_text(re.compile(r"已答复\s*0"))
    if shot:
        screenshot(page, f"{shot}-queue")

    pending.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(r"/vetting/requests/\d+/$"))
    problems.assert_none()  # the answer page opened (no server error)
    expect(page.locator("h1")).to_have_text(f"{department} · 资格审查：{NAME}")
    # Only what the vetting needs: no 自荐理由, no phone, no education; the full ID number (it is checked
    # against the department's own records).
    subject = page.locator(".card", has_text="审查对象")
    expect(subject.locator("dt")).to_have_text(["姓名", "性别", "出生日期", "身份证号码", "户籍", "住址"])
    expect(subject.locator("dd")).to_have_text(
        [NAME, "男", "1993年4月12日", nomination.person.id_number, "东山村", HUKOU_ADDRESS])
    body = page.locator("body")
    expect(body).not_to_contain_text(STATEMENT)
    expect(body).not_to_contain_text("自荐理由")
    expect(body).not_to_contain_text(PHONE)
    expect(body).not_to_contain_text("农机合作社")

    rows = page.locator(".formset-row[data-item]")
    expect(rows).to_have_count(len(items))
    assert rows.evaluate_all("els => els.map(e => e.dataset.item)") == items
    expect(page.locator("form.card")).not_to_contain_text("{")  # every placeholder of the items filled in
    expect(page.locator(".formset-row input[type=radio]:checked")).to_have_count(0)  # nothing preselected
    if flag:
        # Item by item, one of them flagged with a note.
        for number in items:
            row = page.locator(f'.formset-row[data-item="{number}"]')
            if number == flag[0]:
                row.get_by_label("有此情形").check()
                row.locator("textarea").fill(flag[1])
            else:
                row.get_by_label("无此情形").check()
    else:
        # All at once: the header's button marks every item 无此情形.
        page.get_by_role("button", name="全部标为无此情形").click()
        for number in items:
            expect(page.locator(f'.formset-row[data-item="{number}"]').get_by_label("无此情形")).to_be_checked()
    if shot:
        screenshot(page, f"{shot}-answer-form")
    page.get_by_role("button", name="签字提交").click()

    expect(page).to_have_url(re.compile(r"/vetting/queue/$"))
    expect(flash(page)).to_contain_text("已签字提交本部门的审查结论。")
    expect(page.locator("#tab-pending")).to_contain_text("没有待审查的人选。")
    page.locator("#queue-tabs").get_by_role("link", name=re.compile("已答复")).click()  # one tab a page, 25 a page
    expect(page).to_have_url(re.compile(r"/vetting/queue/\?tab=done$"))
    expect(page.locator("#tab-done")).to_be_visible()
    done = queue_row(page, "done", nomination)
    expect(done).to_be_visible()
    expect(done).to_contain_text("已答复")
    if flag:
        expect(done.locator(".badge")).to_have_text("报告问题")
    else:
        expect(done.locator(".badge")).to_have_count(0)
    if shot:
        screenshot(page, f"{shot}-queue-answered")
    log_out(page)


def test_vetting_inspection_and_committee_decision(page, problems, screenshot, round_, village_a, village_a_user,
                                                   office, committee, dept_x, dept_y, dept_x_user, dept_y_user):
    today = timezone.localdate()
    nomination = accepted_nomination(village_a_user, office, round_)
    assert nomination.status == Status.ACCEPTED
    every_negative_item_checked(round_, dept_x)

    # --- 1. The office dispatches the joint vetting -------------------------------------------------
    log_in(page, office.username)
    page.locator(".navbar").get_by_role("link", name="自荐表", exact=True).click()
    page.locator("#nomination-table tbody tr", has_text=NAME).get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(status_badge(page)).to_have_text("已受理")
    expect(page.locator("#vetting-card")).to_have_count(0)
    dispatch = page.locator('button[data-action="dispatch"]')
    expect(dispatch).to_have_text("发起资格联审")
    expect(dispatch).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation, where the button asks one
    dispatch.click()
    expect(flash(page)).to_contain_text(re.compile("操作已完成|资格联审"))
    expect(status_badge(page)).to_have_text("资格审查中")
    card = page.locator("#vetting-card")
    expect(card.locator(".card-header")).to_contain_text("资格联审")
    expect(card.locator("li[data-department]")).to_have_count(2)
    for department in ("纪委", "派出所"):
        expect(card.locator(f'li[data-department="{department}"]')).to_contain_text("待审查")
    expect(card.locator(".badge")).to_have_count(0)  # nothing overdue
    assert timeline_events(page) == ["create", "submit", "accept", "dispatch"]
    screenshot(page, "vetting-01-office-dispatched")
    log_out(page)

    # Only the two departments of the town that the default list names got a request.
    assert sorted(VettingRequest.objects.filter(nomination=nomination).values_list("department__name", flat=True)) \
        == ["派出所", "纪委"]
    assert NegativeItem.objects.filter(round=round_).count() == 13

    # --- 2. 纪委 answers: nothing found -------------------------------------------------------------
    department_answers(page, problems, screenshot, user=dept_x_user, department="纪委", items=JIWEI_ITEMS,
                       nomination=nomination, shot="vetting-02-dept")

    # --- 3. 派出所 answers: item 6 flagged ---------------------------------------------------------
    department_answers(page, problems, screenshot, user=dept_y_user, department="派出所", items=PAICHUSUO_ITEMS,
                       nomination=nomination, flag=("6", FLAG_NOTE), shot="vetting-03-dept-flag")
    nomination.refresh_from_db()
    assert nomination.status == Status.VETTING  # a flag holds the nomination until the office decides

    # --- 4. The office overrules the flag ----------------------------------------------------------
    log_in(page, office.username)
    office_menu(page, "待处理的审查问题")
    expect(page).to_have_url(re.compile(r"/vetting/flags/$"))
    flags = page.locator("table tbody tr")
    expect(flags).to_have_count(1)
    expect(flags.first).to_contain_text(NAME)
    expect(flags.first).to_contain_text("派出所")
    expect(flags.first).to_contain_text("经审查，存在负面清单第6项所列情形。")
    screenshot(page, "vetting-04-office-flags")
    flags.first.get_by_role("link", name=NAME).click()

    expect(page).to_have_url(re.compile(r"/vetting/requests/\d+/$"))
    problems.assert_none()  # the decision page opened (no server error)
    expect(page.locator("h1")).to_have_text(f"派出所 · 资格审查：{NAME}")
    answer = page.locator(".card", has=page.locator(".card-header", has_text="派出所"))
    expect(answer.locator(".card-header")).to_contain_text("报告问题")
    expect(answer.locator("li.rule-fail")).to_have_count(1)
    expect(answer.locator("li.rule-fail")).to_contain_text("（6）有此情形")
    expect(answer.locator("li.rule-fail")).to_contain_text(f"说明：{FLAG_NOTE}")
    expect(answer.locator("li.rule-pass")).to_have_count(2)
    expect(answer).to_contain_text(f"签字人：{dept_y_user.username}")
    # The office sees the ID number masked.
    expect(page.locator(".card", has_text="审查对象")).not_to_contain_text(nomination.person.id_number)
    decide = page.locator("form[action$='/decide/']")
    expect(decide.locator(".card-header")).to_have_text("组织办处理")
    screenshot(page, "vetting-05-office-flag-decision")
    decide.get_by_label("不予采纳，视为通过").check()
    decide.locator("textarea[name=reason]").fill(OVERRULE_REASON)
    decide.get_by_role("button", name="提交处理意见").click()

    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(flash(page)).to_contain_text("已处理该部门的审查意见。")
    expect(status_badge(page)).to_have_text("资格审查通过")
    expect(card.locator('li[data-department="纪委"]')).to_contain_text("通过")
    expect(card.locator('li[data-department="派出所"]')).to_contain_text("报告问题（不予采纳）")
    assert timeline_events(page) == ["create", "submit", "accept", "dispatch", "vetting_answer", "vetting_answer",
                                     "vetting_overrule", "vet_clear"]
    expect(page.locator('#timeline li[data-event="vetting_overrule"]')).to_contain_text(f"理由：{OVERRULE_REASON}")
    expect(page.locator('#timeline li[data-event="vet_clear"]')).to_contain_text("资格联审通过")
    expect(page.locator("body")).to_contain_text("资格审查通过")

    # --- 5. The inspection -------------------------------------------------------------------------
    start = page.locator('button[data-action="start_inspection"]')
    expect(start).to_have_text("开始组织考察")
    start.click()
    expect(status_badge(page)).to_have_text("组织考察中")
    propose = page.locator('button[data-action="propose"]')
    expect(propose).to_have_text("考察合格，提交党委研究")
    expect(propose).to_be_disabled()  # no talk, no appraisal yet
    expect(page.locator(".alert-warning", has_text="考察合格，提交党委研究：")).to_contain_text("尚未记录个别谈话。")
    page.get_by_role("link", name="组织考察情况（个别谈话、民主测评、考察材料）").click()

    expect(page).to_have_url(re.compile(rf"/vetting/nominations/{nomination.pk}/inspection/$"))
    expect(page.locator("h1")).to_contain_text(f"组织考察：{NAME}")
    expect(page.locator("#propose-refusal")).to_contain_text("尚未记录个别谈话。")
    expect(page.locator("#talks tbody")).to_contain_text("尚未记录个别谈话。")

    # A talk.
    page.locator("#add-talk").click()
    expect(page.locator("h1")).to_have_text(f"记录个别谈话：{NAME}")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_place", "东山村党群服务中心")
    page.fill("#id_talkers", "李明、张华")
    page.fill("#id_interviewee", "周建国")
    page.select_option("#id_category", label="两委成员")
    page.fill("#id_content", "认为该同志工作踏实，群众基础好，能带头发展合作经济。")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/vetting/nominations/{nomination.pk}/inspection/$"))
    expect(flash(page)).to_contain_text("已记录个别谈话。")
    talk_row = page.locator("#talks tbody tr")
    expect(talk_row).to_have_count(1)
    expect(talk_row.locator("td")).to_have_text([today.isoformat(), "东山村党群服务中心", "李明、张华", "周建国", "两委成员",
                                                 "认为该同志工作踏实，群众基础好，能带头发展合作经济。"])
    expect(page.locator("#propose-refusal")).to_contain_text("尚未录入民主测评结果。")
    # The round requires talks of every category (issue 9): what is missing is named.
    expect(page.locator("#propose-refusal")).to_contain_text("个别谈话尚缺以下对象类别：退职村干部、党员代表、群众代表。")
    for who, category in (("刘老支书", "former_cadre"), ("陈党员", "party_rep"), ("吴村民", "masses_rep")):
        inspection_services.talk_add(actor=office, nomination_id=nomination.pk, date=today, place="东山村党群服务中心",
                                     talkers="李明、张华", interviewee=who, category=category, content="反映良好。")

    # A 民主测评 session for the village.
    office_menu(page, "民主测评")
    expect(page).to_have_url(re.compile(r"/vetting/sessions/"))
    page.get_by_role("link", name="组织民主测评").click()
    expect(page.locator("h1")).to_have_text("组织民主测评")
    expect(page.locator("#id_village")).to_have_value(str(village_a.pk))
    expect(page.locator("#id_options")).to_have_value("优秀、称职、基本称职、不称职")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_place", "东山村党群服务中心")
    page.fill("#id_entitled_party_member", "20")
    page.fill("#id_entitled_villager_rep", "10")
    page.fill("#id_entitled_committee", "5")
    page.once("dialog", lambda dialog: dialog.accept())  # 民主测评创建后将一直保留在记录中…确认创建？
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/vetting/sessions/\d+/$"))
    expect(flash(page)).to_contain_text("已创建民主测评。下一步：")
    expect(page.locator("h1")).to_have_text("民主测评：东山村")
    session = AppraisalSession.objects.get(round=round_, village=village_a)
    tally_card = page.locator(f'.nomination-tally[data-nomination="{nomination.pk}"]')
    expect(tally_card).to_contain_text("尚未录入计票结果。")
    tally_card.get_by_role("link", name="录入计票").click()

    # The tally: first one that does not add up (committee: 6 returned of 5 issued) — nothing is saved,
    # not even the two categories that were right.
    expect(page).to_have_url(re.compile(rf"/vetting/sessions/{session.pk}/tally/{nomination.pk}/$"))
    expect(page.locator("h1")).to_have_text(f"录入计票结果：{NAME}")
    expect(page.locator(".tally-category .card-header")).to_have_text(["党员", "村民代表", "两委成员"])
    screenshot(page, "vetting-06-tally-form")
    wrong = dict(TALLY, committee=(5, 6, 5, [3, 2, 0, 0]))
    for category, (issued, returned, valid, counts) in wrong.items():
        page.fill(f"#id_{category}-issued", str(issued))
        page.fill(f"#id_{category}-returned", str(returned))
        page.fill(f"#id_{category}-valid", str(valid))
        for i, c in enumerate(counts):
            page.fill(f"#id_{category}-count_{i}", str(c))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#page-error")).to_have_text("计票结果有误，本次填写的内容均未保存，请修改后重新提交。")
    committee_card = page.locator('.tally-category[data-category="committee"]')
    expect(committee_card.locator(".alert-danger")).to_contain_text("收回票数（6）多于发出票数（5）。")
    expect(page.locator('.tally-category[data-category="party_member"] .alert-danger')).to_have_count(0)
    expect(page.locator("#id_party_member-issued")).to_have_value("20")  # what was typed is kept
    expect(page.locator("#id_committee-returned")).to_have_value("6")
    assert Tally.objects.count() == 0
    assert not Event.objects.filter(action="appraisal_tally").exists()
    screenshot(page, "vetting-07-tally-form-error")

    page.fill("#id_committee-returned", "5")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/vetting/sessions/{session.pk}/$"))
    expect(flash(page)).to_contain_text(f"已保存{NAME}的计票结果。")
    expect(tally_card.locator(".badge.text-bg-success")).to_have_text("达到通过条件")
    expect(tally_card.locator(".wording")).to_have_text(WORDING)
    expect(tally_card.get_by_role("link", name="修改计票")).to_be_visible()

    # The ballot is an A4 PDF that lists the nomination.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载测评票（PDF）").click()
    ballot = pdf_text(Path(download.value.path()).read_bytes()).replace("\n", "")
    assert "东山村村级后备干部人选民主测评票" in ballot and NAME in ballot and "1993.04" in ballot
    problems.assert_none()

    # Back to the inspection page: now ready to propose; the report is drafted and edited.
    tally_card.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/vetting/nominations/{nomination.pk}/inspection/$"))
    expect(page.locator("#propose-refusal")).to_have_text("暂不能提交党委研究：尚未起草考察材料。")
    expect(page.locator(".appraisal .wording")).to_have_text(WORDING)
    expect(page.locator("#report-status")).to_contain_text("尚未起草考察材料。")
    report_link = page.locator("#edit-report")
    expect(report_link).to_have_text("起草考察材料")
    report_link.click()

    expect(page.locator("h1")).to_have_text(f"考察材料：{NAME}")
    text_box = page.locator("#id_text")
    draft = text_box.input_value()
    assert draft.startswith(f"{NAME}同志考察材料\n"), draft[:80]
    assert STATEMENT in draft and WORDING in draft and TALKS_LINE in draft
    assert "考察组：" not in draft  # the signature comes from the two fields below
    edited = (draft.replace("（请根据个别谈话和测评情况填写）", "政治立场坚定，积极参加组织生活。")
              .replace("三、廉洁自律方面（廉）：（请填写）", "三、廉洁自律方面（廉）：遵守廉洁自律各项规定。")
              .replace("四、主要缺点和不足：（请填写）", "四、主要缺点和不足：理论学习有待加强。"))
    assert "（请" not in edited
    text_box.fill(edited)
    page.fill("#id_inspectors", "李明、张华")
    page.fill("#id_report_date", today.isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/vetting/nominations/{nomination.pk}/inspection/$"))
    expect(flash(page)).to_contain_text("已保存考察材料。")
    expect(page.locator("#propose-ready")).to_be_visible()
    expect(page.locator("#propose-refusal")).to_have_count(0)
    expect(page.locator("#report-status")).to_contain_text("已保存（")
    expect(page.locator("#report-status")).to_contain_text("考察人：李明、张华")
    expect(page.locator("#report-status")).to_contain_text(f"日期：{today.year}年{today.month}月{today.day}日")
    expect(page.locator("#edit-report")).to_have_text("修改考察材料")
    expect(page.get_by_role("link", name="下载考察材料（PDF）")).to_be_visible()
    screenshot(page, "vetting-09-inspection")

    page.get_by_role("link", name="查看自荐表").click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(propose).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())  # 提交党委研究后…确认提交？
    propose.click()
    expect(flash(page)).to_contain_text("已提交党委研究")
    expect(status_badge(page)).to_have_text("考察合格，待党委研究")
    expect(page.locator('button[data-action="propose"]')).to_have_count(0)
    problems.assert_none()
    log_out(page)

    # --- 6. The committee decides --------------------------------------------------------------------
    log_in(page, committee.username)
    page.locator(".navbar").get_by_role("link", name="党委研究").click()
    expect(page).to_have_url(re.compile(r"/vetting/meetings/"))
    expect(page.locator("#meetings tbody")).to_contain_text("本批次尚未登记党委会议。")
    page.get_by_role("link", name="登记党委会议").click()
    expect(page.locator("h1")).to_have_text("登记党委会议")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_members_total", "5")
    page.fill("#id_members_present", "4")
    page.fill("#id_attendees", "王书记、李副书记、张委员、赵委员")
    page.fill("#id_minutes_ref", "青党会〔2026〕7号")
    page.once("dialog", lambda dialog: dialog.accept())  # 党委会议登记后不能修改或删除…确认登记？
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/vetting/meetings/\d+/$"))
    expect(flash(page)).to_contain_text("已登记党委会议。")
    expect(page.locator("h1")).to_have_text(f"镇党委会议（{today.year}年{today.month}月{today.day}日）")
    row = page.locator(f'#proposed li[data-nomination="{nomination.pk}"]')
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text(f"民主测评：{WORDING}")
    expect(row.get_by_role("link", name="考察情况")).to_be_visible()
    expect(page.locator("#decisions tbody")).to_contain_text("本次会议尚未记录研究结果。")
    screenshot(page, "vetting-10-meeting")
    row.get_by_label("同意", exact=True).check()
    page.once("dialog", lambda dialog: dialog.accept())  # 研究结果记录后不能修改…确认记录？
    row.get_by_role("button", name="记录研究结果").click()
    expect(flash(page)).to_contain_text(f"已记录对{NAME}的研究结果：同意。")
    expect(page.locator("#proposed")).to_contain_text("本批次暂无待党委研究的人选。")
    decision_row = page.locator("#decisions tbody tr")
    expect(decision_row).to_have_count(1)
    expect(decision_row.locator("td")).to_have_text([NAME, "东山村", "同意", "—"])
    screenshot(page, "vetting-11-meeting-decided")

    decision_row.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(status_badge(page)).to_have_text("党委研究确定")
    expect(page.locator('#timeline li[data-event="approve"]')).to_contain_text("党委研究同意")
    expect(page.locator('#timeline li[data-event="approve"]')).to_contain_text(committee.username)
    assert timeline_events(page)[-1] == "approve"

    # --- The database ------------------------------------------------------------------------------
    nomination.refresh_from_db()
    assert nomination.status == Status.APPROVED
    events = list(Event.objects.filter(object_id=nomination.pk, content_type__model="nomination"))
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in events] == [
        ("create", village_a_user, "", Status.DRAFT),
        ("submit", village_a_user, Status.DRAFT, Status.SUBMITTED),
        ("accept", office, Status.SUBMITTED, Status.ACCEPTED),
        ("dispatch", office, Status.ACCEPTED, Status.VETTING),
        ("vetting_answer", dept_x_user, Status.VETTING, Status.VETTING),
        ("vetting_answer", dept_y_user, Status.VETTING, Status.VETTING),
        ("vetting_overrule", office, Status.VETTING, Status.VETTING),
        ("vet_clear", office, Status.VETTING, Status.VETTED),
        ("start_inspection", office, Status.VETTED, Status.INSPECTION),
        ("talk", office, Status.INSPECTION, Status.INSPECTION),
        ("talk", office, Status.INSPECTION, Status.INSPECTION),
        ("talk", office, Status.INSPECTION, Status.INSPECTION),
        ("talk", office, Status.INSPECTION, Status.INSPECTION),
        ("appraisal_tally", office, Status.INSPECTION, Status.INSPECTION),
        ("appraisal_tally", office, Status.INSPECTION, Status.INSPECTION),
        ("appraisal_tally", office, Status.INSPECTION, Status.INSPECTION),
        ("report", office, Status.INSPECTION, Status.INSPECTION),
        ("propose", office, Status.INSPECTION, Status.PROPOSED),
        ("approve", committee, Status.PROPOSED, Status.APPROVED),
    ]
    assert [e.data.get("department") for e in events if e.action == "vetting_answer"] == ["纪委", "派出所"]
    assert events[6].reason == OVERRULE_REASON

    requests = {r.department.name: r for r in VettingRequest.objects.filter(nomination=nomination)}
    jiwei, paichusuo = requests["纪委"], requests["派出所"]
    # The vetting ended: both answers are locked (only the office's reopen could change one now).
    assert (jiwei.status, jiwei.flagged, jiwei.signed_by, jiwei.decision) == (
        VettingRequest.Status.LOCKED, False, dept_x_user, "")
    assert jiwei.conclusion == "经审查，未发现负面清单所列情形。"
    assert (paichusuo.status, paichusuo.flagged, paichusuo.signed_by) == (
        VettingRequest.Status.LOCKED, True, dept_y_user)
    assert (paichusuo.decision, paichusuo.decision_reason, paichusuo.decided_by) == (
        VettingRequest.Decision.OVERRULED, OVERRULE_REASON, office)
    findings = {(f.request.department.name, f.item.number): (f.outcome, f.note)
                for f in Finding.objects.filter(request__nomination=nomination)
                .select_related("request__department", "item")}
    assert findings == {
        **{("纪委", int(n)): (Finding.Outcome.CLEAR, "") for n in JIWEI_ITEMS},
        **{("派出所", int(n)): (Finding.Outcome.CLEAR, "") for n in PAICHUSUO_ITEMS if n != "6"},
        ("派出所", 6): (Finding.Outcome.FLAGGED, FLAG_NOTE),
    }

    talk = Talk.objects.filter(nomination=nomination).order_by("id").first()
    assert [t.category for t in Talk.objects.filter(nomination=nomination).order_by("id")] == [
        "committee", "former_cadre", "party_rep", "masses_rep"]
    assert (talk.date, talk.interviewee, talk.category, talk.recorded_by) == (today, "周建国", "committee", office)
    assert (session.entitled_party_member, session.entitled_villager_rep, session.entitled_committee) == (20, 10, 5)
    tallies = {t.category: (t.issued, t.returned, t.valid, t.counts)
               for t in Tally.objects.filter(nomination=nomination)}
    assert tallies == {category: (i, r, v, c) for category, (i, r, v, c) in TALLY.items()}
    report = InspectionReport.objects.get(nomination=nomination)
    assert report.text == edited.replace("\r\n", "\n").rstrip()
    assert (report.inspectors, report.report_date, report.updated_by) == ("李明、张华", today, office)
    meeting = CommitteeMeeting.objects.get(round=round_)
    assert (meeting.minutes_ref, meeting.recorded_by) == ("青党会〔2026〕7号", committee)
    assert (meeting.members_total, meeting.members_present, meeting.attendees) == (5, 4, "王书记、李副书记、张委员、赵委员")
    decision = CommitteeDecision.objects.get(nomination=nomination)
    assert (decision.meeting, decision.outcome) == (meeting, CommitteeDecision.Outcome.APPROVE)
    assert Nomination.objects.filter(status=Status.APPROVED).count() == 1
    problems.assert_none()
