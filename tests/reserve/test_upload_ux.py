"""Upload UX found by a new user's tryout (issue 10 §11/§13): the 自荐表's edit page names the stored ID-card copy
and links the download view, never the storage path; a file over the limit on the vetting pages is named with its
real size and advice that fits an attachment, and is checked in the browser by the same script as the 自荐表's; the
413 page looks like the other error pages, words the size as the script does and links back."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Nomination
from reserve.audit import AuditEntry
from reserve.uploads import (
    ATTACHMENT_HINT,
    ID_CARD_HINT,
    too_large_message,
    too_large_pattern,
)
from tests.candidates import test_views as cv
from tests.candidates.test_views import form_data
from tests.helpers import page
from tests.reserve.test_upload_security import HUGE, UnreadableBody, _finding_data
from tests.vetting import joint_vetting_support as jv

nom, vetting_nom, req_x = jv.nom, jv.vetting_nom, jv.req_x
nom_a = cv.nom_a  # village A's draft with an ID-card copy, made through the service

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
STATIC_JS = Path(django_settings.BASE_DIR) / "static" / "js"


def big_jpeg(size: int, name="scan.jpg"):
    """A file of `size` bytes that starts as a JPEG (it never gets as far as being decoded)."""
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0" + b"0" * (size - 4), content_type="image/jpeg")


# --------------------------------------------------------------------------- 1: the stored ID-card copy

def test_the_edit_page_names_the_stored_copy_and_links_the_download_view_not_its_path(client, village_a_user,
                                                                                       nom_a):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_edit", args=[nom_a.pk])))
    stored = nom_a.id_card_copy.name
    assert stored and stored not in html and stored.rsplit("/", 1)[-1] not in html  # no storage path, no file name
    assert "目前" not in html and "清除" not in html  # not Django's ClearableFileInput
    current = re.search(r'<div[^>]*id="id-card-current".*?</div>', html, re.S).group(0)
    assert "已上传身份证复印件" in current
    download = reverse("candidates:nomination_id_card", args=[nom_a.pk])
    assert f'href="{download}"' in current
    assert "如需更换，请重新选择文件" in current and 'data-rechoose="id_id_card_copy"' in current
    assert re.search(r'<input type="file" name="id_card_copy"[^>]*id="id_id_card_copy"', html)
    # The link opens the copy (the village may while its form is a draft); one audit row for the one download.
    before = AuditEntry.objects.count()
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.count() == before + 1


def test_the_stored_copy_stays_named_after_a_refused_save_and_is_kept(client, village_a_user, village_a, round_,
                                                                      nom_a):
    client.force_login(village_a_user)
    data = form_data(village_a, round_, phone="12", name=nom_a.name, id_number=nom_a.person.id_number)
    del data["id_card_copy"]  # not chosen again: the stored one stays
    response = client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert "已上传身份证复印件" in html and nom_a.id_card_copy.name not in html
    assert Nomination.objects.get(pk=nom_a.pk).id_card_copy.name == nom_a.id_card_copy.name


def test_a_new_form_names_no_stored_copy(client, village_a_user, round_):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_new")))
    assert "已上传身份证复印件" not in html and 'id="id-card-current"' not in html


# --------------------------------------------------------------------------- 2: a file over the limit, on the server

def test_a_vetting_attachment_over_the_limit_is_named_with_its_real_size_and_advice_for_a_scan(
        client, dept_x_user, req_x, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MIB
    item = jv.items_of(req_x)[0]
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           _finding_data(req_x, **{f"item{item.pk}-attachment": big_jpeg(int(1.7 * MIB))}))
    assert response.status_code == 200
    html = page(response)
    assert "文件过大（1.7 MB），不能超过1MB。" in html  # the real size, not the part read before it was refused
    assert str(ATTACHMENT_HINT) in html
    assert "证件部分" not in html  # advice for an ID-card photo
    assert not jv.reload(req_x).findings.exists()


def test_a_paper_answer_over_the_limit_is_named_with_its_real_size_and_advice_for_a_scan(
        client, office, req_x, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MIB
    client.force_login(office)
    data = {"version": str(jv.reload(req_x).version), "paper_signer": "张三", "paper_date": "2026-05-10",
            "conclusion": "", "paper_answer": big_jpeg(int(2.4 * MIB))}
    for item in jv.items_of(req_x):
        data[f"item{item.pk}-outcome"] = "clear"
    response = client.post(reverse("vetting:request_proxy_answer", args=[req_x.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert "文件过大（2.4 MB），不能超过1MB。" in html
    assert str(ATTACHMENT_HINT) in html and "证件部分" not in html
    assert "请上传该部门签字盖章的纸质回复扫描件" not in html  # it was uploaded: refused, not missing
    assert not jv.reload(req_x).answered


def test_an_id_card_copy_over_the_limit_is_named_with_its_real_size_and_advice_for_a_photo(
        client, village_a_user, village_a, round_, settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 1 * MIB
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"),
                           form_data(village_a, round_, id_card_copy=big_jpeg(int(1.2 * MIB), "IMG_0001.jpg")))
    assert response.status_code == 200
    html = page(response)
    assert "文件过大（1.2 MB），不能超过1MB。" in html and str(ID_CARD_HINT) in html
    assert Nomination.objects.count() == 0
    assert not (tmp_path / "media").exists() or not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_a_file_within_the_limit_beside_a_refused_one_is_still_read(client, dept_x_user, req_x, settings):
    """Only the file over the limit is refused: another item's attachment in the same answer arrives whole."""
    settings.UPLOAD_MAX_BYTES = 1 * MIB
    first, second = jv.items_of(req_x)[:2]
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]), _finding_data(req_x, **{
        f"item{first.pk}-attachment": big_jpeg(int(1.5 * MIB)),
        f"item{second.pk}-attachment": big_jpeg(300_000, "small.jpg")}))
    files = response.wsgi_request.FILES
    assert f"item{first.pk}-attachment" not in files
    assert files[f"item{second.pk}-attachment"].size == 300_000


# --------------------------------------------------------------------------- 2: the same check in the browser

@pytest.mark.parametrize("who, url_name", [("department", "vetting:request_detail"),
                                           ("office", "vetting:request_proxy_answer")])
def test_the_vetting_pages_check_the_size_in_the_browser_with_the_forms_script(client, dept_x_user, office, req_x,
                                                                              who, url_name):
    client.force_login({"department": dept_x_user, "office": office}[who])
    html = page(client.get(reverse(url_name, args=[req_x.pk])))
    inputs = re.findall(r'<input type="file"[^>]*>', html)
    assert inputs
    for tag in inputs:
        assert 'data-max-bytes="5242880"' in tag
        assert f'data-msg-too-large="{too_large_pattern(ATTACHMENT_HINT)}"' in tag
        assert "证件部分" not in tag
    assert "/static/js/upload_size.js" in html


def test_the_id_card_field_is_checked_by_the_same_script(client, village_a_user, round_):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_new")))
    tag = re.search(r'<input type="file" name="id_card_copy"[^>]*>', html).group(0)
    assert f'data-msg-too-large="{too_large_pattern(ID_CARD_HINT)}"' in tag
    assert html.index("/static/js/upload_size.js") < html.index("/static/js/nomination_form.js")


def test_the_size_check_is_written_once():
    """One script checks and shrinks a chosen file for every page (no copy of it in a page's own script)."""
    holders = sorted(p.name for p in STATIC_JS.glob("*.js") if "createImageBitmap" in p.read_text())
    assert holders == ["upload_size.js"]


def test_the_script_and_the_server_word_a_file_over_the_limit_alike():
    for hint in (ID_CARD_HINT, ATTACHMENT_HINT):
        assert too_large_pattern(hint).replace("%s", "7.3 MB") == too_large_message(int(7.3 * MIB), hint)
    script = (STATIC_JS / "upload_size.js").read_text()
    assert '" KB"' in script and '" MB"' in script and "toFixed(1)" in script  # as size_text: "600 KB", "7.3 MB"


def test_a_small_limit_gives_sizes_in_kb_not_zero_mb(settings):
    settings.UPLOAD_MAX_BYTES = 600 * 1024
    assert too_large_message(700 * 1024).startswith("文件过大（700 KB），不能超过600KB。")


# --------------------------------------------------------------------------- 3: the 413 page

def _post_unread(client, url, **headers):
    return client.post(url, {"x": "1"}, CONTENT_LENGTH=HUGE, **{"wsgi.input": UnreadableBody()}, **headers)


def test_the_413_page_links_back_to_the_form_it_came_from(client, village_a_user, round_):
    client.force_login(village_a_user)
    form = "http://testserver" + reverse("candidates:nomination_new")
    response = _post_unread(client, reverse("candidates:nomination_new"), HTTP_REFERER=form)
    assert response.status_code == 413
    html = page(response)
    assert f'<a href="{form}">返回刚才的页面</a>' in html
    # Worded as the page's script words a file over the limit, with the declared size.
    assert too_large_message(int(HUGE)) in html and "文件过大（300.0 MB），不能超过5MB。" in html
    # Laid out as the other stand-alone error pages.
    assert "<title>提交的文件过大 · 村级后备干部选拔培养管理系统</title>" in html
    assert "<h1>提交的文件过大</h1>" in html and "如多次出现，请联系镇组织办。" in html and "本次提交未保存" in html


@pytest.mark.parametrize("referer", ["https://evil.example/nominations/new/", "javascript:alert(1)", None])
def test_the_413_page_links_home_for_a_referer_of_another_site_or_none(client, village_a_user, round_, referer):
    client.force_login(village_a_user)
    headers = {"HTTP_REFERER": referer} if referer else {}
    html = page(_post_unread(client, reverse("candidates:nomination_new"), **headers))
    assert f'<a href="{reverse("home")}">返回首页</a>' in html
    assert "evil.example" not in html and "javascript:" not in html


def test_the_413_page_of_a_vetting_answer_gives_the_total(client, dept_x_user, req_x):
    client.force_login(dept_x_user)
    url = reverse("vetting:request_detail", args=[req_x.pk])
    html = page(_post_unread(client, url, HTTP_REFERER=f"http://testserver{url}"))
    assert "上传的文件合计过大（300.0 MB）" in html and "每个文件不能超过5MB" in html
    assert f'<a href="http://testserver{url}">返回刚才的页面</a>' in html


def test_the_answer_forms_state_the_limit_of_the_setting(settings):
    """Found by the new-user tryout: the help texts said 5MB whatever UPLOAD_MAX_BYTES said."""
    from vetting.forms import FindingForm, ProxyAnswerForm

    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    assert "不超过2MB" in str(FindingForm(item=None).fields["attachment"].help_text)
    assert "不超过2MB" in str(ProxyAnswerForm().fields["paper_answer"].help_text)
