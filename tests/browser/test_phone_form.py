"""The 自荐表 on a phone (issue 9, items 16 and 18): a village secretary at 390 px fills the form, chooses the ID-card
image, saves with a mistake, corrects it and saves from the bottom of the form — and the image is kept."""

import datetime
import io
import re

import pytest
from PIL import Image, ImageFilter
from playwright.sync_api import expect

from candidates.models import Nomination, Status
from reserve.choices import Education, Gender, PoliticalStatus
from tests.factories import make_id

from .conftest import PHONE
from .test_nomination_journey import log_in, status_badge

pytestmark = pytest.mark.browser

BIRTH = datetime.date(1994, 4, 9)
SCREENSHOTS = "/tmp"


def jpeg_bytes(width=64, height=40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (190, 200, 210)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def phone(chromium, live_server, problems):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


def test_phone_saves_from_the_bottom_after_an_error_and_keeps_the_image(phone, problems, round_, village_a,
                                                                        village_a_user):
    page = phone
    name = "陈小芳"
    number = make_id(BIRTH, Gender.FEMALE, seq=66)
    log_in(page, village_a_user.username)
    page.goto("/nominations/new/")
    expect(page.locator("h1.page-title")).to_contain_text("村级后备干部人选自荐表")

    # The actions are reachable at the bottom of the screen from the start, however tall the form is.
    bottom_save = page.locator('#nomination-form button[data-save="bottom"]')
    expect(bottom_save).to_be_in_viewport()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * PHONE["height"], height  # a form of several screens: the point of the bar

    # The ID number is checked as it is typed: a wrong check digit is named under the field.
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    page.locator("#id_id_number").press_sequentially(wrong)
    expect(page.locator("#id-number-live")).to_have_text("身份证号码校验位不正确，请核对后重新填写。")
    expect(page.locator("#id_id_number")).to_have_class(re.compile(r"\bis-invalid\b"))
    page.fill("#id_id_number", "")
    page.locator("#id_id_number").press_sequentially(number)
    expect(page.locator("#id-number-live")).to_have_text("✓ 号码校验通过")
    page.press("#id_id_number", "Tab")
    expect(page.locator("#id_birth_date")).to_have_value(f"{BIRTH:%Y-%m-%d}")

    page.fill("#id_name", name)
    page.select_option("#id_political_status", PoliticalStatus.MASSES)
    page.select_option("#id_fulltime_education", str(Education.COLLEGE))
    page.fill("#id_work_unit_post", "东山村电商服务站 站长")
    page.fill("#id_phone", "12")  # a mistake: not a phone number
    page.fill("#id_statement", "返乡开网店，带动村民销售农产品。")
    page.set_input_files("#id_id_card_copy", files=[
        {"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
    ])
    page.fill("#id_resume-0-start", "2012-09")
    page.fill("#id_resume-0-end", "2015-06")
    page.fill("#id_resume-0-unit_post", "金华职业技术学院电子商务专业学习")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=f"{SCREENSHOTS}/phone-form-filled.png", full_page=False)

    # Saved from the bottom: refused, with the error beside the field and the image kept, not dropped.
    bottom_save.click()
    expect(page.locator(".alert-danger").first).to_contain_text("表单中有错误")
    expect(page.locator("#id_phone")).to_have_class(re.compile(r"\bis-invalid\b"))
    kept = page.locator("#id-card-pending")
    expect(kept).to_contain_text("已暂存刚才选择的身份证复印件")
    expect(kept.get_by_role("button", name="重新选择")).to_be_visible()
    expect(page.locator("#id_resume-0-start")).to_have_value("2012-09")
    assert Nomination.objects.count() == 0
    page.locator("#id_phone").scroll_into_view_if_needed()
    page.screenshot(path=f"{SCREENSHOTS}/phone-form-error.png", full_page=False)

    # Corrected, and saved from the bottom again without choosing the image again.
    page.fill("#id_phone", "13800001234")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(bottom_save).to_be_in_viewport()
    page.screenshot(path=f"{SCREENSHOTS}/phone-form-bottom.png", full_page=False)
    bottom_save.click()
    expect(page).to_have_url(re.compile(r"/nominations/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("自荐表已保存为草稿")
    expect(status_badge(page)).to_have_text("草稿")
    expect(page.get_by_role("link", name="下载查看")).to_be_visible()  # the ID-card copy is stored

    n = Nomination.objects.get(person__name=name)
    assert n.status == Status.DRAFT and n.phone == "13800001234"
    assert re.fullmatch(r"id_cards/\d{4}/[0-9a-f]{32}\.jpg", n.id_card_copy.name)
    from reserve.uploads import read_document

    assert read_document(n.id_card_copy)[:3] == b"\xff\xd8\xff"  # stored encrypted, read decrypted
    assert [(r.start, r.end) for r in n.resume.all()] == [(datetime.date(2012, 9, 1), datetime.date(2015, 6, 1))]
    problems.assert_none()


def test_a_phone_photo_over_the_limit_is_shrunk_before_it_is_sent(phone, problems, settings, round_, village_a,
                                                                   village_a_user):
    """A photo larger than the limit is drawn smaller in the browser (canvas, JPEG) and sent within it."""
    settings.UPLOAD_MAX_BYTES = 600_000
    page = phone
    log_in(page, village_a_user.username)
    page.goto("/nominations/new/")
    # A 3000×2000 photo with fine grain (it compresses as poorly as a phone's): about 1.2 MB as a JPEG.
    grainy = Image.effect_noise((3000, 2000), 60).filter(ImageFilter.GaussianBlur(2)).convert("RGB")
    buf = io.BytesIO()
    grainy.save(buf, format="JPEG", quality=95)
    big = buf.getvalue()
    assert len(big) > settings.UPLOAD_MAX_BYTES
    page.set_input_files("#id_id_card_copy", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                                     "buffer": big}])
    expect(page.locator("#id-card-note")).to_contain_text("已在手机上压缩")
    size = page.evaluate("document.getElementById('id_id_card_copy').files[0].size")
    assert size <= settings.UPLOAD_MAX_BYTES
    problems.assert_none()
