"""A file over the upload limit on the vetting pages (issue 10 §11, a new user's tryout): named as soon as it is
chosen, with its real size and advice for a scan, by the 自荐表's own script (static/js/upload_size.js) — not only
after 签字提交, with the size of the part the server read."""

import re

import pytest
from playwright.sync_api import expect

from tests.vetting import joint_vetting_support as jv

from .test_nomination_journey import log_in

nom, vetting_nom, req_x = jv.nom, jv.vetting_nom, jv.req_x

pytestmark = pytest.mark.browser


def pdf_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 15) + b"\n%%EOF\n"


def test_a_department_is_told_of_an_attachment_over_the_limit_when_it_is_chosen(page, problems, settings,
                                                                                  dept_x_user, req_x):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    item = jv.items_of(req_x)[0]
    log_in(page, dept_x_user.username)
    page.goto(f"/vetting/requests/{req_x.pk}/")
    field = page.locator(f"#id_item{item.pk}-attachment")
    field.set_input_files(files=[{"name": "回复.pdf", "mimeType": "application/pdf",
                                  "buffer": pdf_of(int(7.3 * 1024 * 1024))}])
    note = page.locator(f"#id_item{item.pk}-attachment-note")
    expect(note).to_have_text(re.compile(r"^文件过大（7\.3 MB），不能超过1MB。扫描件请选择较低的分辨率"))
    expect(note).not_to_contain_text("证件")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    assert page.evaluate(f"document.getElementById('id_item{item.pk}-attachment').files.length") == 0

    # A file within the limit, chosen instead, clears the message.
    field.set_input_files(files=[{"name": "回复.pdf", "mimeType": "application/pdf", "buffer": pdf_of(50_000)}])
    expect(note).to_have_text("")
    expect(field).not_to_have_class(re.compile(r"\bis-invalid\b"))
    problems.assert_none()


def test_the_office_is_told_of_a_paper_answer_over_the_limit_when_it_is_chosen(page, problems, settings, office,
                                                                                req_x):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    log_in(page, office.username)
    page.goto(f"/vetting/requests/{req_x.pk}/proxy-answer/")
    page.locator("#id_paper_answer").set_input_files(files=[{"name": "纸质回复.pdf", "mimeType": "application/pdf",
                                                             "buffer": pdf_of(int(2.4 * 1024 * 1024))}])
    expect(page.locator("#id_paper_answer-note")).to_have_text(re.compile(r"^文件过大（2\.4 MB），不能超过1MB。扫描件"))
    problems.assert_none()
