"""The 自荐表 as it is filled in (issue 9, items 2, 16, 18, 19 and the messages after an action): résumé lines
within the person's life, year-and-month fields, finding a person by ID number through the keyed hash, files
over the limit refused before they are stored, an ID-card copy kept while the form is corrected, the printed
form's title, and what the user is told after each action."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import services
from candidates.models import Nomination, Status
from candidates.workflow import NOMINATION_WORKFLOW
from reserve import crypto
from reserve.choices import Gender
from tests.factories import NominationFactory, PersonFactory, make_id, png_upload
from tests.helpers import message_texts, page, today

from .test_views import BIRTH, ID_MALE, counts, form_data, pending_files, stored_files

pytestmark = pytest.mark.django_db


def month(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def this_month() -> datetime.date:
    return today().replace(day=1)


def next_month() -> datetime.date:
    return (this_month() + datetime.timedelta(days=32)).replace(day=1)


# --------------------------------------------------------------------------- item 2: résumé lines

# start, end, the field at fault (None: the line holds)
RESUME_LINES = [
    (datetime.date(1996, 3, 1), None, None),  # the birth month itself
    (datetime.date(2014, 9, 1), datetime.date(2018, 6, 1), None),
    (datetime.date(1996, 2, 1), None, "start"),  # the month before the birth
    (datetime.date(1, 1, 1), None, "start"),
    (next_month(), None, "start"),
    (datetime.date(2014, 9, 1), next_month(), "end"),
    (datetime.date(2018, 9, 1), datetime.date(2014, 6, 1), "end"),
]


@pytest.mark.parametrize("start, end, fault", RESUME_LINES)
def test_resume_line_rule(start, end, fault):
    found = services.resume_line_error(start, end, BIRTH, today())
    assert (found[0] if found else None) == fault


@pytest.mark.parametrize("start, words", [
    ("1996-02", "起始年月不能早于出生年月（1996年3月）。"),
    ("0001-01", "起始年月不能早于出生年月（1996年3月）。"),
    (month(next_month()), "起始年月不能晚于本月。"),
])
def test_a_resume_line_before_birth_or_in_the_future_is_refused(client, village_a_user, village_a, round_, start,
                                                                words, tmp_path):
    client.force_login(village_a_user)
    before = counts()
    data = form_data(village_a, round_, **{"resume-TOTAL_FORMS": "1", "resume-0-start": start,
                                          "resume-0-end": "", "resume-0-unit_post": "兰溪一中学习"})
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 200
    assert words in page(response)
    assert counts() == before
    assert stored_files(tmp_path) == []


def test_the_service_refuses_a_resume_line_before_birth_too(village_a_user, round_, village_a):
    from django.core.exceptions import ValidationError

    from .test_services import create, person_data

    with pytest.raises(ValidationError) as exc:
        create(village_a_user, round_, person=person_data(birth=BIRTH),
               resume=[{"start": datetime.date(1990, 1, 1), "end": None, "unit_post": "出生前"}])
    assert "起始年月不能早于出生年月" in str(exc.value)
    assert Nomination.objects.count() == 0


# --------------------------------------------------------------------------- item 18: year and month

def test_resume_and_family_take_a_year_and_month(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    data = form_data(village_a, round_, **{
        "resume-TOTAL_FORMS": "1", "resume-0-start": "2014-09", "resume-0-end": "2018-06",
        "resume-0-unit_post": "浙江农林大学学习",
        "family-TOTAL_FORMS": "1", "family-0-relation": "父亲", "family-0-name": "李建国",
        "family-0-birth_date": "1968-03", "family-0-political_status": "masses", "family-0-work_unit_post": "务农",
    })
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 302
    n = Nomination.objects.get(person__id_number=ID_MALE)
    line = n.resume.get()
    assert (line.start, line.end) == (datetime.date(2014, 9, 1), datetime.date(2018, 6, 1))
    assert n.family.get().birth_date == datetime.date(1968, 3, 1)
    html = page(client.get(reverse("candidates:nomination_edit", args=[n.pk])))
    assert 'type="month" name="resume-0-start" value="2014-09"' in html
    assert 'type="month" name="family-0-birth_date" value="1968-03"' in html


def test_a_month_that_is_not_one_is_refused_in_chinese(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    data = form_data(village_a, round_, **{"resume-TOTAL_FORMS": "1", "resume-0-start": "2014-13",
                                          "resume-0-unit_post": "某单位"})
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 200
    assert "请填写年月，如 2015-09。" in page(response)


def test_the_id_number_is_checked_as_it_is_typed(client, village_a_user, round_):
    """The form carries the words of each check for the script (static/js/nomination_form.js) and a place under the
    field for them (the script's checksum itself is driven in tests/browser/test_phone_form.py)."""
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_new")))
    assert 'id="id-number-live"' in html
    assert 'data-msg-id-checksum="身份证号码校验位不正确，请核对后重新填写。"' in html


# --------------------------------------------------------------------------- item 18: find by ID number

@pytest.fixture
def listed(round_, village_a, village_b):
    people = [PersonFactory(name="钱一", birth_date=datetime.date(1994, 1, 2), gender=Gender.FEMALE),
              PersonFactory(name="孙二")]
    for person, village in zip(people, (village_a, village_b), strict=True):
        NominationFactory(round=round_, village=village, person=person, submitted=True)
    return people


@pytest.mark.parametrize("typed, finds", [
    (lambda p: p.id_number, ["钱一"]),
    (lambda p: p.id_number.lower(), ["钱一"]),
    (lambda p: " ".join([p.id_number[:6], p.id_number[6:14], p.id_number[14:]]), ["钱一"]),
    (lambda p: p.id_number[:10], []),  # a part of a number finds nobody: there is nothing to scan
    (lambda p: "钱", ["钱一"]),  # a name, as before
])
def test_the_list_finds_a_person_by_id_number(client, office, listed, typed, finds):
    client.force_login(office)
    html = page(client.get(reverse("candidates:nomination_list"), {"q": typed(listed[0])}))
    assert [name for name in ("钱一", "孙二") if name in html] == finds


def test_the_id_number_is_found_through_its_keyed_hash(client, office, listed):
    client.force_login(office)
    number = listed[0].id_number
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("candidates:nomination_list"), {"q": number})
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert crypto.id_hash(number) in sql
    assert number not in sql


def test_the_village_finds_only_its_own_by_id_number(client, village_b_user, listed):
    client.force_login(village_b_user)
    html = page(client.get(reverse("candidates:nomination_list"), {"q": listed[0].id_number}))
    assert "钱一" not in html


# --------------------------------------------------------------------------- item 18: size before storing

def _big(n: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * n, content_type="image/jpeg")


# A body whose Content-Length is over the limit is refused (413) before it is read:
# tests/reserve/test_upload_security.py::test_every_upload_view_refuses_a_huge_body_before_reading_it
@pytest.mark.parametrize("limit, size", [
    (200_000, 300_000),  # within the body's allowance, found as the file arrives
])
def test_a_file_over_the_limit_is_refused_in_chinese_and_not_stored(client, settings, village_a_user, village_a,
                                                                    round_, tmp_path, limit, size):
    settings.UPLOAD_MAX_BYTES = limit
    client.force_login(village_a_user)
    before = counts()
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, id_card_copy=_big(size),
                                                                         name="王大力"))
    assert response.status_code == 200
    html = page(response)
    assert "文件过大" in html and "不能超过" in html and "裁剪" in html
    assert 'value="王大力"' in html  # what was typed is kept
    assert counts() == before
    assert stored_files(tmp_path) == [] and pending_files(tmp_path) == []


def test_the_size_limit_keeps_the_csrf_check(village_a_user, village_a, round_):
    client = Client(enforce_csrf_checks=True)
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_))
    assert response.status_code == 403
    assert Nomination.objects.count() == 0


def test_the_limit_says_how_to_make_a_photo_smaller(client, village_a_user, round_):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_new")))
    assert "不超过5MB" in html and "自动压缩" in html and "截屏" in html
    assert 'data-max-bytes="5242880"' in html


# --------------------------------------------------------------------------- item 16: the chosen file is kept

def test_an_upload_that_passed_is_kept_while_the_form_is_corrected(client, village_a_user, village_a, round_,
                                                                   tmp_path):
    client.force_login(village_a_user)
    url = reverse("candidates:nomination_new")
    first = client.post(url, form_data(village_a, round_, phone="12"))
    assert first.status_code == 200
    html = page(first)
    assert "已暂存刚才选择的身份证复印件" in html and "重新选择" in html
    token = first.context["pending"]["token"]
    assert f'name="id_card_pending" value="{token}"' in html
    assert len(pending_files(tmp_path)) == 1 and stored_files(tmp_path) == []

    data = form_data(village_a, round_, id_card_pending=token)
    del data["id_card_copy"]  # not chosen again
    second = client.post(url, data)
    assert second.status_code == 302
    n = Nomination.objects.get(person__id_number=ID_MALE)
    assert n.id_card_copy and n.id_card_copy.name.endswith(".png")
    assert pending_files(tmp_path) == []  # taken into the nomination
    assert services.NOMINATION_WORKFLOW.can(n, "submit", village_a_user)


def test_another_session_cannot_use_a_kept_upload(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    url = reverse("candidates:nomination_new")
    token = client.post(url, form_data(village_a, round_, phone="12")).context["pending"]["token"]
    other = Client()
    other.force_login(village_a_user)  # the same account, another session
    data = form_data(village_a, round_, id_card_pending=token)
    del data["id_card_copy"]
    assert other.post(url, data).status_code == 302
    assert not Nomination.objects.get(person__id_number=ID_MALE).id_card_copy


def test_a_new_choice_replaces_the_kept_upload(client, village_a_user, village_a, round_, tmp_path):
    client.force_login(village_a_user)
    url = reverse("candidates:nomination_new")
    token = client.post(url, form_data(village_a, round_, phone="12")).context["pending"]["token"]
    response = client.post(url, form_data(village_a, round_, id_card_pending=token, id_card_copy=png_upload()))
    assert response.status_code == 302
    assert pending_files(tmp_path) == []


def test_the_actions_are_at_the_bottom_of_the_form(client, village_a_user, round_):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_new")))
    bottom = html.index('id="form-actions-bottom"')
    assert html.index('data-save="bottom"') > bottom
    assert html.index('data-save="bottom"') > html.index('data-formset="relatives"')  # after the last section
    assert "sticky-bottom" in html[bottom - 200:bottom]


# --------------------------------------------------------------------------- item 19: the 自荐表 PDF

def test_the_form_pdf_is_titled_with_the_plan_s_words(rf, round_, village_a):
    n = NominationFactory(round=round_, village=village_a, hukou_address=f"{village_a.name}3组18号")
    html = render_to_string("candidates/nomination_form_pdf.html", {
        "n": n, "id_number": "330781********1234", "resume": [], "family_rows": [None] * 4, "relatives": [],
        "age": 30})
    town = round_.town.name
    assert f"<h1>{town}村级后备干部人选自荐表</h1>" in html
    assert f"<title>{town}村级后备干部人选自荐表（{n.person.name}）</title>" in html
    assert f"<td colspan=\"6\">{village_a.name}3组18号</td>" in html  # the village not repeated, no stray space


@pytest.mark.parametrize("village, address, text", [
    ("东山村", "东山村3组18号", "东山村3组18号"),
    ("东山村", "3组18号", "东山村3组18号"),
    ("东山村", "", "东山村"),
])
def test_hukou_text(village, address, text, village_a):
    village_a.name = village
    n = Nomination(hukou_village=village_a, hukou_address=address)
    assert n.hukou_text == text


# --------------------------------------------------------------------------- what the user is told

DONE = {
    "submit": "已提交镇组织办，等待组织办受理。",
    "accept": "已受理，下一步：发起资格联审。",
    "return": "已退回村党组织，等待修改后重新提交。",
    "withdraw": "已撤回，本自荐表不再参加本批次选拔。",
    "revoke": "已撤销该人选，不再参加本批次选拔。",
    "start_inspection": "已开始组织考察，下一步：个别谈话和民主测评。",
    "propose": "已提交党委研究，下一步：镇党委研究确定。",
    "fail_inspection": "已记录考察不合格，该人选不再进入下一环节。",
    "confirm_reserve": "已确认入库，该人选已进入后备干部库，下一步：安排培养。",
}


@pytest.mark.parametrize("action", sorted(DONE))
def test_each_action_says_its_consequence_and_what_comes_next(action):
    t = NOMINATION_WORKFLOW[action]
    assert str(t.done) == DONE[action]
    assert str(t.confirm).endswith("？") and len(str(t.confirm)) > 8


def test_an_action_without_its_own_words_says_its_label_and_the_new_status():
    n = Nomination(status=Status.VETTING)
    assert services.done_message(n, "dispatch") == "已发起资格联审，当前状态：资格审查中。"


def test_the_message_after_submitting(client, village_a_user, village_a, round_):
    n = NominationFactory(round=round_, village=village_a, created_by=village_a_user, id_card_copy=png_upload(),
                          person=PersonFactory(id_number=make_id(BIRTH, Gender.MALE, seq=3)))
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[n.pk, "submit"]))
    assert message_texts(response) == ["已提交镇组织办，等待组织办受理。"]


def test_a_kept_upload_survives_a_request_that_writes_back_an_older_session(client, village_a_user, village_a, round_):
    """The form's live eligibility check runs beside the save: when it saves the session (its renewal), a check
    that read the session before the upload was kept writes that older session back. The kept upload must not
    depend on it (found by the phone browser test under load)."""
    client.force_login(village_a_user)
    url = reverse("candidates:nomination_new")
    before = dict(client.session.items())  # what a concurrent request read
    token = client.post(url, form_data(village_a, round_, phone="12")).context["pending"]["token"]
    session = client.session
    for key in list(session.keys()):
        del session[key]
    session.update(before)  # …and wrote back when it finished
    session.save()
    data = form_data(village_a, round_, id_card_pending=token)
    del data["id_card_copy"]
    assert client.post(url, data).status_code == 302
    assert Nomination.objects.get(person__id_number=ID_MALE).id_card_copy
