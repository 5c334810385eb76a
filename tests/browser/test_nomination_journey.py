"""The 自荐表 journey in a real browser: the village branch fills and submits, the office accepts or returns."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from candidates import services
from candidates.models import Nomination, Status
from reserve.choices import Education, Gender, PoliticalStatus
from reserve.models import Event
from tests.factories import make_id, png_upload

pytestmark = pytest.mark.browser

PASSWORD = "Tusk-Pine-2026"  # tests.factories.UserFactory
BIRTH = datetime.date(1995, 6, 15)


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (210, 210, 210)).save(buf, format="PNG")
    return buf.getvalue()


def submitted_nomination(user, round_, *, name, birth, gender, seq, **fields):
    """A nomination made and submitted through the services, as the village branch would."""
    nomination = services.nomination_create(
        actor=user, round_=round_,
        person_data={"id_number": make_id(birth, gender, seq=seq), "name": name, "gender": gender,
                     "birth_date": birth},
        fields={"political_status": PoliticalStatus.MASSES, "hukou_village": user.village,
                "fulltime_education": Education.HIGH_SCHOOL, "work_unit_post": "个体经营",
                "phone": "13900002222", "statement": "热心村务。", **fields},
        id_card_copy=png_upload(),
    )
    return services.perform(actor=user, nomination_id=nomination.pk, action="submit")


def user_menu(page):
    """The navbar dropdown that holds the logout form (the navbar has other dropdowns too)."""
    return page.locator(".navbar .dropdown:has(form[action$='/accounts/logout/']) > .dropdown-toggle")


def log_in(page, username):
    page.goto("/accounts/login/")
    expect(page.locator("h1")).to_have_text("村级后备干部选拔培养管理系统")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(user_menu(page)).to_contain_text(username)


def log_out(page):
    user_menu(page).click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(user_menu(page)).to_have_count(0)


def status_badge(page):
    return page.locator("h1 .status-badge")


def timeline_events(page):
    return page.locator("#timeline li[data-event]").evaluate_all("els => els.map(e => e.dataset.event)")


def test_village_submits_and_office_accepts(page, problems, screenshot, round_, village_a, village_a_user,
                                            village_b_user, office):
    name = "王晓东"
    id_number = make_id(BIRTH, Gender.MALE, seq=57)
    # Another village's submitted nomination in the same round (over the age limit), for the name filter to hide.
    submitted_nomination(village_b_user, round_, name="赵大勇", birth=datetime.date(1990, 1, 20),
                         gender=Gender.MALE, seq=31)

    # --- The village branch fills the 自荐表 -------------------------------------------------------
    log_in(page, village_a_user.username)
    page.locator(".navbar").get_by_role("link", name="填写自荐表").click()
    expect(page).to_have_url(re.compile(r"/nominations/new/$"))
    expect(page.locator("h1.page-title")).to_contain_text("青山镇村级后备干部人选自荐表")
    expect(page.locator("#eligibility-panel")).to_have_count(0)  # nothing checked before anything is typed

    page.fill("#id_name", name)
    page.fill("#id_id_number", id_number)
    page.press("#id_id_number", "Tab")  # change: the script fills birth date and gender from the number
    expect(page.locator("#id_birth_date")).to_have_value("1995-06-15")
    expect(page.locator("#id_gender")).to_have_value(Gender.MALE)

    # The live check runs: the 户籍 is preset to the village, but no education is given yet.
    panel = page.locator("#eligibility-panel")
    expect(panel).to_have_attribute("data-eligible", "no")
    expect(panel.locator('li[data-rule="education"]')).to_have_attribute("data-outcome", "fail")
    expect(panel.locator('li[data-rule="hukou"]')).to_have_attribute("data-outcome", "pass")
    expect(panel.locator(".card-header .rule-fail")).to_have_text("不符合")

    expect(page.locator("#id_hukou_village")).to_have_value(str(village_a.pk))
    page.select_option("#id_political_status", PoliticalStatus.LEAGUE_MEMBER)
    page.fill("#id_native_place", "浙江兰溪")
    page.fill("#id_hukou_address", "东山村3组18号")
    page.select_option("#id_fulltime_education", str(Education.BACHELOR))
    page.fill("#id_fulltime_school", "浙江农林大学 农学")
    page.fill("#id_work_unit_post", "东山村家庭农场 负责人")
    page.fill("#id_phone", "138 0000 1234")
    page.fill("#id_speciality", "农业技术推广")
    page.fill("#id_statement", "大学毕业后返乡创业，经营家庭农场五年，带动村民增收。")
    page.set_input_files("#id_id_card_copy", files=[
        {"name": "身份证.png", "mimeType": "image/png", "buffer": png_bytes()},
    ])
    # 个人简历: the first row is there; a second one is added by the button.
    page.fill("#id_resume-0-start", "2013-09")  # a year and month (<input type="month">)
    page.fill("#id_resume-0-end", "2017-06")
    page.fill("#id_resume-0-unit_post", "浙江农林大学农学专业学习")
    page.locator('[data-add-row="resume"]').click()
    expect(page.locator("#id_resume-TOTAL_FORMS")).to_have_value("2")
    page.fill("#id_resume-1-start", "2017-07")
    page.fill("#id_resume-1-unit_post", "东山村家庭农场负责人")
    page.fill("#id_family-0-relation", "父亲")
    page.fill("#id_family-0-name", "王建国")
    page.select_option("#id_family-0-political_status", PoliticalStatus.MASSES)
    page.fill("#id_family-0-work_unit_post", "务农")
    page.press("#id_family-0-work_unit_post", "Tab")
    page.wait_for_load_state("networkidle")  # the last live check has answered

    expect(panel).to_have_attribute("data-eligible", "yes")
    expect(panel.locator(".card-header .rule-pass")).to_have_text("符合")
    expect(panel.locator("li[data-rule]")).to_have_count(4)
    expect(page.locator("#id-number-live")).to_have_text("✓ 号码校验通过")
    expect(panel.locator('li[data-outcome="fail"]')).to_have_count(0)
    expect(panel.locator('li[data-rule="education"]')).to_contain_text("大学本科")
    screenshot(page, "01-nomination-form")

    # --- Save as a draft ---------------------------------------------------------------------------
    page.locator('#nomination-form button[data-save="bottom"]').click()
    expect(page).to_have_url(re.compile(r"/nominations/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("自荐表已保存为草稿")
    expect(status_badge(page)).to_have_text("草稿")
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-eligible", "yes")
    expect(page.get_by_role("link", name="下载查看")).to_be_visible()  # the ID-card copy is stored
    assert timeline_events(page) == ["create"]
    nomination = Nomination.objects.get(person__id_number=id_number)
    assert nomination.status == Status.DRAFT

    # --- Submit to the office (confirm dialog) -----------------------------------------------------
    dialogs = []

    def accept_dialog(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.accept()

    page.once("dialog", accept_dialog)
    submit = page.locator('button[data-action="submit"]')
    expect(submit).to_be_enabled()
    expect(submit).to_have_text("提交镇组织办")
    submit.click()
    expect(status_badge(page)).to_have_text("已提交")
    assert dialogs == [("confirm", "提交后不能再修改，确认提交？")]
    expect(page.locator(".alert-success")).to_contain_text("已提交镇组织办，等待组织办受理。")
    expect(page.locator('button[data-action="submit"]')).to_have_count(0)
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    expect(page.locator('#timeline li[data-event="create"]')).to_contain_text("填写自荐表")
    expect(page.locator('#timeline li[data-event="submit"]')).to_contain_text("提交镇组织办")
    assert timeline_events(page) == ["create", "submit"]
    screenshot(page, "02-detail-after-submit")
    log_out(page)

    # --- The office finds it, opens it and accepts it ----------------------------------------------
    log_in(page, office.username)
    page.locator(".navbar").get_by_role("link", name="自荐表", exact=True).click()
    rows = page.locator("#nomination-table tbody tr")
    expect(rows).to_have_count(2)
    screenshot(page, "03-office-list")
    page.fill("#id_q", name)
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text("东山村")
    expect(rows.first.locator(".status-badge")).to_have_text("已提交")
    expect(rows.first.locator(".rule-pass")).to_have_text("✓ 符合")
    expect(page.locator("#id_q")).to_have_value(name)
    screenshot(page, "04-office-list-filtered")

    rows.first.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(rf"/nominations/{nomination.pk}/$"))
    expect(status_badge(page)).to_have_text("已提交")
    accept = page.locator('button[data-action="accept"]')
    expect(accept).to_be_enabled()
    expect(accept).to_have_text("受理")
    page.once("dialog", accept_dialog)
    accept.click()
    expect(status_badge(page)).to_have_text("已受理")
    assert dialogs[-1] == ("confirm", "受理后进入资格审查，不能再退回村党组织修改。确认受理？")
    expect(page.locator(".alert-success")).to_contain_text("已受理，下一步：发起资格联审。")
    expect(page.locator('button[data-action="accept"]')).to_have_count(0)
    expect(page.locator('#timeline li[data-event="accept"]')).to_contain_text("受理")
    expect(page.locator('#timeline li[data-event="accept"]')).to_contain_text(office.username)
    assert timeline_events(page) == ["create", "submit", "accept"]
    screenshot(page, "05-office-detail-accepted")

    # --- The database ------------------------------------------------------------------------------
    nomination.refresh_from_db()
    assert nomination.status == Status.ACCEPTED
    assert nomination.submitted_at is not None
    assert nomination.is_eligible is True
    assert nomination.village == village_a and nomination.hukou_village == village_a
    assert nomination.created_by == village_a_user
    assert nomination.person.name == name
    assert (nomination.person.gender, nomination.person.birth_date) == (Gender.MALE, BIRTH)
    assert nomination.political_status == PoliticalStatus.LEAGUE_MEMBER
    assert nomination.fulltime_education == Education.BACHELOR
    assert nomination.phone == "13800001234"
    assert [r.unit_post for r in nomination.resume.all()] == ["浙江农林大学农学专业学习", "东山村家庭农场负责人"]
    assert [(f.relation, f.name) for f in nomination.family.all()] == [("父亲", "王建国")]
    assert re.fullmatch(r"id_cards/\d{4}/[0-9a-f]{32}\.png", nomination.id_card_copy.name)
    from reserve.uploads import read_document

    assert read_document(nomination.id_card_copy)[:8] == b"\x89PNG\r\n\x1a\n"  # stored encrypted, read decrypted
    events = list(Event.objects.filter(object_id=nomination.pk, content_type__model="nomination"))
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in events] == [
        ("create", village_a_user, "", Status.DRAFT),
        ("submit", village_a_user, Status.DRAFT, Status.SUBMITTED),
        ("accept", office, Status.SUBMITTED, Status.ACCEPTED),
    ]
    problems.assert_none()


def test_office_returns_with_reason_and_village_sees_it(page, problems, screenshot, round_, village_a,
                                                        village_a_user, office):
    name = "李春燕"
    nomination = submitted_nomination(
        village_a_user, round_, name=name, birth=datetime.date(1992, 3, 8), gender=Gender.FEMALE, seq=27,
        political_status=PoliticalStatus.PARTY_MEMBER, party_join_date=datetime.date(2014, 7, 1),
        fulltime_education=Education.COLLEGE, work_unit_post="东山村妇联执委",
    )
    reason = "身份证复印件不清晰，请重新上传正反面。"

    log_in(page, office.username)
    page.goto(f"/nominations/{nomination.pk}/")
    expect(status_badge(page)).to_have_text("已提交")
    reason_box = page.locator("#reason-text-return")
    expect(reason_box).to_be_hidden()
    page.locator('button[data-action="return"]').click()
    expect(reason_box).to_be_visible()
    reason_box.fill(reason)
    page.once("dialog", lambda dialog: dialog.accept())  # 退回后由村党组织修改…确认退回？
    page.get_by_role("button", name="确认退回").click()
    expect(status_badge(page)).to_have_text("已退回")
    expect(page.locator('#timeline li[data-event="return"]')).to_contain_text(f"理由：{reason}")
    assert timeline_events(page) == ["create", "submit", "return"]
    log_out(page)

    log_in(page, village_a_user.username)
    page.locator(".navbar").get_by_role("link", name="自荐表", exact=True).click()
    row = page.locator("#nomination-table tbody tr", has_text=name)
    expect(row.locator(".status-badge")).to_have_text("已退回")
    row.get_by_role("link", name=name).click()
    expect(status_badge(page)).to_have_text("已退回")
    expect(page.locator(".alert-warning", has_text="退回理由")).to_have_text(f"退回理由：{reason}")
    expect(page.get_by_role("link", name="修改")).to_be_visible()  # a returned form can be corrected
    expect(page.locator('button[data-action="submit"]')).to_be_enabled()  # and submitted again
    screenshot(page, "06-village-returned")

    nomination.refresh_from_db()
    assert nomination.status == Status.RETURNED
    last = Event.objects.filter(object_id=nomination.pk, content_type__model="nomination").last()
    assert (last.action, last.actor, last.from_status, last.to_status, last.reason) == (
        "return", office, Status.SUBMITTED, Status.RETURNED, reason,
    )
    problems.assert_none()
