"""The 资格联审 pages: who sees which page (403 by role, 404 by object), the department's queue and
answer form, what the department is shown about the person, the office's flags page, and the PDFs."""

import datetime
import html as htmllib
import re

import pytest
from django.urls import reverse

from candidates.models import Status
from reserve.roles import Role
from vetting.models import Finding, NegativeItem, VettingRequest
from vetting.negative_list import DEFAULT_ITEMS

from ..factories import PersonFactory, RoundFactory, UserFactory, VillageFactory, png_upload
from ..helpers import message_texts, page
from . import joint_vetting_support as jv
from .joint_vetting_support import CONFIRMED, accepted, answer, dispatch, items_of, reload, request_of, status_of, today

# Fixtures shared by the vetting test modules.
nom, vetting_nom, req_x, req_y, family_member = jv.nom, jv.vetting_nom, jv.req_x, jv.req_y, jv.family_member
other_town_dept, other_town_dept_user = jv.other_town_dept, jv.other_town_dept_user

pytestmark = pytest.mark.django_db


def answer_post(req, *, version, flagged=None, note="", conclusion=""):
    """The POST of the department's answer form: every item clear, except item number `flagged`."""
    data = {"version": str(version), "conclusion": conclusion}
    for item in items_of(req):
        outcome = "flagged" if item.number == flagged else "clear"
        data[f"item{item.pk}-outcome"] = outcome
        data[f"item{item.pk}-note"] = note if item.number == flagged else ""
    return data


def post_form_on_page(client, page_url, action_url, **values):
    """Submit the form the page renders for action_url: its hidden inputs as rendered, and each visible field
    whose name ends with one of the given keys (so a form prefix does not matter)."""
    html = page(client.get(page_url))
    found = re.search(r'<form[^>]*action="%s"[^>]*>(.*?)</form>' % re.escape(action_url), html, re.S)
    assert found, f"no form posting to {action_url} on {page_url}"
    form = found.group(1)
    data = {name: htmllib.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    data.pop("csrfmiddlewaretoken", None)
    for name in set(re.findall(r'name="([^"]+)"', form)) - {"csrfmiddlewaretoken"}:
        key = name.rsplit("-", 1)[-1]
        if key in values:
            data[name] = values[key]
    missing = set(values) - {name.rsplit("-", 1)[-1] for name in data}
    assert not missing, f"the form has no field {missing}"
    return client.post(action_url, data)


@pytest.fixture
def foreign_request(other_town, other_town_dept):
    """A request to the 纪委 of another town, about a person of that town."""
    round_ = RoundFactory(town=other_town)
    n = accepted(round_, VillageFactory(town=other_town), person=PersonFactory(name="外镇人"))
    jv.every_negative_item_checked(round_, other_town_dept)
    office = UserFactory(username="office_foreign", town=other_town, role=Role.OFFICE)
    dispatch(office, n)
    return request_of(n, other_town_dept)


# --------------------------------------------------------------------------- role and object scope


def _vetting_pages(req, nomination):
    return {
        "queue": reverse("vetting:queue"),
        "flags": reverse("vetting:flags"),
        "request_detail": reverse("vetting:request_detail", args=[req.pk]),
        "ledger": reverse("vetting:ledger", args=[nomination.round_id]),
        "ledger_pdf": reverse("vetting:ledger_pdf", args=[nomination.round_id]),
        "sheet": reverse("vetting:sheet", args=[nomination.pk]),
        "sheet_pdf": reverse("vetting:sheet_pdf", args=[nomination.pk]),
        "negative_list": reverse("vetting:negative_list", args=[nomination.round_id]),
    }


@pytest.mark.parametrize("name", ["queue", "flags", "request_detail", "ledger", "ledger_pdf", "sheet", "sheet_pdf",
                                  "negative_list"])
@pytest.mark.parametrize("user_fixture", ["village_a_user", "village_b_user", "committee", "mentor"])
def test_other_roles_get_403_on_every_vetting_page(request, client, vetting_nom, req_x, name, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(_vetting_pages(req_x, vetting_nom)[name]).status_code == 403


@pytest.mark.parametrize("name,args", [("request_decide", "req"), ("request_reopen", "req"),
                                       ("dispatch_round", "round")])
@pytest.mark.parametrize("user_fixture", ["village_a_user", "committee", "mentor", "dept_x_user"])
def test_other_roles_get_403_on_the_offices_posts(request, client, vetting_nom, req_x, dept_x_user, name, args,
                                                  user_fixture):
    answer(dept_x_user, req_x, flag=(1,))
    before = (reload(req_x).decision, reload(req_x).status, status_of(vetting_nom))
    client.force_login(request.getfixturevalue(user_fixture))
    pk = req_x.pk if args == "req" else vetting_nom.round_id
    response = client.post(reverse(f"vetting:{name}", args=[pk]),
                           {"version": "2", "decision": CONFIRMED, "reason": "理由"})
    assert response.status_code == 403
    assert (reload(req_x).decision, reload(req_x).status, status_of(vetting_nom)) == before


@pytest.mark.parametrize("name", ["flags", "ledger", "ledger_pdf", "sheet", "sheet_pdf", "negative_list"])
def test_a_department_gets_403_on_the_offices_pages(client, vetting_nom, req_x, dept_x_user, name):
    client.force_login(dept_x_user)
    assert client.get(_vetting_pages(req_x, vetting_nom)[name]).status_code == 403


def test_the_office_gets_403_on_the_department_queue(client, office):
    client.force_login(office)
    assert client.get(reverse("vetting:queue")).status_code == 403


@pytest.mark.parametrize("name", ["request_detail", "ledger", "ledger_pdf", "sheet", "sheet_pdf", "negative_list"])
def test_another_towns_office_gets_404(client, vetting_nom, req_x, other_office, name):
    client.force_login(other_office)
    assert client.get(_vetting_pages(req_x, vetting_nom)[name]).status_code == 404


def test_another_towns_office_cannot_decide_or_reopen_by_url(client, vetting_nom, req_x, dept_x_user,
                                                             other_office):
    answer(dept_x_user, req_x, flag=(1,))
    client.force_login(other_office)
    data = {"version": "2", "decision": CONFIRMED, "reason": "理由"}
    assert client.post(reverse("vetting:request_decide", args=[req_x.pk]), data).status_code == 404
    assert client.post(reverse("vetting:request_reopen", args=[req_x.pk]), data).status_code == 404
    assert status_of(vetting_nom) == Status.VETTING and reload(req_x).decision == ""


def test_another_departments_request_page_is_404(client, vetting_nom, req_x, req_y, dept_x_user):
    client.force_login(dept_x_user)
    assert client.get(reverse("vetting:request_detail", args=[req_y.pk])).status_code == 404
    response = client.post(reverse("vetting:request_detail", args=[req_y.pk]), answer_post(req_y, version=1))
    assert response.status_code == 404
    assert reload(req_y).status == "pending" and not Finding.objects.exists()


def test_a_same_named_department_of_another_town_gets_404(client, vetting_nom, req_x, other_town_dept_user):
    client.force_login(other_town_dept_user)
    assert client.get(reverse("vetting:request_detail", args=[req_x.pk])).status_code == 404


# --------------------------------------------------------------------------- the department's queue


def test_the_queue_lists_only_the_departments_own_requests(client, office, round_, village_b, vetting_nom, req_x,
                                                          req_y, dept_x, dept_x_user, foreign_request):
    second = accepted(round_, village_b)
    dispatch(office, second)
    client.force_login(dept_x_user)
    response = client.get(reverse("vetting:queue"))
    assert response.status_code == 200
    html = page(response)
    own = {req_x.pk, request_of(second, dept_x).pk}
    for pk in own:
        assert f'data-request="{pk}"' in html
    for other in VettingRequest.objects.exclude(pk__in=own):
        assert f'data-request="{other.pk}"' not in html
    assert "外镇人" not in html


def test_the_queue_marks_an_overdue_request(client, vetting_nom, req_x, dept_x_user):
    VettingRequest.objects.filter(pk=req_x.pk).update(deadline=today() - datetime.timedelta(days=2))
    client.force_login(dept_x_user)
    response = client.get(reverse("vetting:queue"))
    assert [r.pk for r in response.context["queue"]["overdue"]] == [req_x.pk]
    assert [r.pk for r in response.context["queue"]["pending"]] == [req_x.pk]  # overdue is still to do
    html = page(response)
    assert "已逾期" in html and "有1名人选已超过答复期限" in html


# --------------------------------------------------------------------------- the answer form


def test_a_department_posts_a_flag_with_a_note_and_the_office_sees_it(client, vetting_nom, req_x, dept_x_user,
                                                                     office):
    client.force_login(dept_x_user)
    page_before = client.get(reverse("vetting:request_detail", args=[req_x.pk]))
    assert page_before.status_code == 200
    assert 'name="version"' in page(page_before)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           answer_post(req_x, version=1, flagged=4, note="2024年受留党察看处分"))
    assert response.status_code == 302 and response["Location"] == reverse("vetting:queue")
    req = reload(req_x)
    assert (req.status, req.flagged, req.signed_by) == ("answered", True, dept_x_user)
    finding = req.findings.get(item__number=4)
    assert (finding.outcome, finding.note) == ("flagged", "2024年受留党察看处分")
    assert status_of(vetting_nom) == Status.VETTING

    client.force_login(office)
    flags = client.get(reverse("vetting:flags"))
    assert flags.status_code == 200
    assert [r.pk for r in flags.context["flags"]] == [req_x.pk]
    html = page(flags)
    assert "赵审查" in html and "纪委" in html and "第4项" in html
    assert reverse("vetting:request_detail", args=[req_x.pk]) in html
    # The office's view of the request shows the note.
    detail = page(client.get(reverse("vetting:request_detail", args=[req_x.pk])))
    assert "2024年受留党察看处分" in detail


def test_a_flag_without_a_note_is_refused_by_the_form(client, vetting_nom, req_x, dept_x_user):
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           answer_post(req_x, version=1, flagged=1, note="  "))
    assert response.status_code == 200
    assert "请写明具体情况" in page(response)
    assert reload(req_x).status == "pending" and not Finding.objects.exists()


def test_a_stale_answer_form_is_refused_with_a_message(client, vetting_nom, req_x, dept_x_user):
    client.force_login(dept_x_user)
    url = reverse("vetting:request_detail", args=[req_x.pk])
    assert client.post(url, answer_post(req_x, version=1, flagged=1, note="第一次")).status_code == 302
    response = client.post(url, answer_post(req_x, version=1))  # the same old page, submitted again
    assert response.status_code == 302 and response["Location"] == url
    assert any("已被他人更新" in m for m in message_texts(response))
    req = reload(req_x)
    assert req.flagged and req.version == 2
    assert req.findings.get(item__number=1).note == "第一次"


def test_the_answer_form_is_gone_once_the_office_decided(client, vetting_nom, req_x, dept_x_user, office):
    answer(dept_x_user, req_x, flag=(1,))
    client.force_login(office)
    detail = reverse("vetting:request_detail", args=[req_x.pk])
    response = post_form_on_page(client, detail, reverse("vetting:request_decide", args=[req_x.pk]),
                                 decision=CONFIRMED, reason="经核实属实")
    assert response.status_code == 302
    assert status_of(vetting_nom) == Status.DISQUALIFIED
    client.force_login(dept_x_user)
    url = reverse("vetting:request_detail", args=[req_x.pk])
    html = page(client.get(url))
    assert "签字提交" not in html and "如需更正，请联系镇组织办重新开启" in html
    response = client.post(url, answer_post(req_x, version=reload(req_x).version))
    assert reload(req_x).flagged and reload(req_x).decision == CONFIRMED
    assert any("重新开启" in m for m in message_texts(response))


def test_the_office_reopens_by_the_page_and_the_department_answers_again(client, vetting_nom, req_x, req_y,
                                                                        dept_x_user, dept_y_user, office):
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1,))
    client.force_login(office)
    detail = reverse("vetting:request_detail", args=[req_x.pk])
    post_form_on_page(client, detail, reverse("vetting:request_decide", args=[req_x.pk]), decision=CONFIRMED,
                      reason="属实")
    assert status_of(vetting_nom) == Status.DISQUALIFIED
    reopen = reverse("vetting:request_reopen", args=[req_x.pk])
    assert post_form_on_page(client, detail, reopen, reason="").status_code == 302
    assert status_of(vetting_nom) == Status.DISQUALIFIED  # no reason, no reopen
    assert post_form_on_page(client, detail, reopen, reason="纪委来函更正").status_code == 302
    assert status_of(vetting_nom) == Status.VETTING
    client.force_login(dept_x_user)
    response = client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                           answer_post(req_x, version=reload(req_x).version))
    assert response.status_code == 302
    assert status_of(vetting_nom) == Status.VETTED


# --------------------------------------------------------------------------- what the department is shown


def test_the_department_sees_only_what_vetting_needs(client, vetting_nom, req_x, req_y, dept_x_user, dept_y_user,
                                                     family_member):
    answer(dept_y_user, req_y, flag=(3,), note="派出所独有说明文字", conclusion="派出所独有结论文字")
    client.force_login(dept_x_user)
    response = client.get(reverse("vetting:request_detail", args=[req_x.pk]))
    assert response.status_code == 200
    html = page(response)
    person = vetting_nom.person
    # What vetting needs: name, gender, birth date, full ID number, 户籍, address.
    assert person.name in html
    assert "男" in html
    assert "1995年6月15日" in html
    assert person.id_number in html
    assert "东山村" in html
    assert "东山村三组18号" in html
    # Its own items, to answer.
    for item in items_of(req_x):
        assert item.display_text in html
    # Not the rest of the 自荐表, nor another department's answer.
    assert "自荐理由独有文字" not in html
    assert "猕猴桃" not in html
    assert "13912345678" not in html
    assert "赵家父亲名" not in html and "县农机站" not in html
    assert "派出所独有说明文字" not in html
    assert "派出所独有结论文字" not in html


def test_the_department_does_not_see_another_departments_answer_after_its_own(client, vetting_nom, req_x, req_y,
                                                                             dept_x_user, dept_y_user):
    answer(dept_y_user, req_y, flag=(3,), note="派出所独有说明文字", conclusion="派出所独有结论文字")
    answer(dept_x_user, req_x, flag=(1,), note="纪委自己的说明")
    client.force_login(dept_x_user)
    html = page(client.get(reverse("vetting:request_detail", args=[req_x.pk])))
    assert "纪委自己的说明" in html
    assert "派出所独有说明文字" not in html and "派出所独有结论文字" not in html


def test_the_office_sees_a_masked_id_number_and_cannot_post_an_answer(client, vetting_nom, req_x, office):
    client.force_login(office)
    response = client.get(reverse("vetting:request_detail", args=[req_x.pk]))
    assert response.status_code == 200
    assert vetting_nom.person.id_number not in page(response)
    assert client.post(reverse("vetting:request_detail", args=[req_x.pk]),
                       answer_post(req_x, version=1)).status_code == 404
    assert reload(req_x).status == "pending"


# --------------------------------------------------------------------------- the office's pages


def test_the_office_dispatches_a_round_from_its_page(client, office, nom, round_):
    client.force_login(office)
    response = client.post(reverse("vetting:dispatch_round", args=[round_.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("vetting:ledger", args=[round_.pk])
    assert status_of(nom) == Status.VETTING
    assert VettingRequest.objects.filter(nomination=nom).count() == 2
    ledger = client.get(reverse("vetting:ledger", args=[round_.pk]))
    assert ledger.status_code == 200 and "赵审查" in page(ledger)


def test_the_negative_list_page_refuses_a_bad_placeholder(client, office, round_, dept_x, dept_y):
    jv.every_negative_item_checked(round_, dept_x)
    client.force_login(office)
    url = reverse("vetting:negative_list", args=[round_.pk])
    assert client.get(url).status_code == 200
    items = list(NegativeItem.objects.filter(round=round_).prefetch_related("departments"))
    assert len(items) == 13

    def post_data(changes):
        data = {}
        for i in items:
            data[f"n{i.pk}-text"] = changes.get(i.number, i.text)
            data[f"n{i.pk}-departments"] = [str(d.pk) for d in i.departments.all()]
        return data

    response = client.post(url, post_data({6: "{since_yeer}年以来曾被拘留的"}))
    assert response.status_code == 200
    assert any("占位符" in m for m in message_texts(response))
    assert NegativeItem.objects.get(round=round_, number=6).text == DEFAULT_ITEMS[5][1]

    response = client.post(url, post_data({6: "{since_year}年以来曾被拘留的"}))
    assert response.status_code == 302
    assert NegativeItem.objects.get(round=round_, number=6).text == "{since_year}年以来曾被拘留的"


def test_the_ledger_and_sheet_pdfs(client, office, dept_x_user, vetting_nom, req_x,
                                  django_capture_on_commit_callbacks):
    answer(dept_x_user, req_x, flag=(1,))
    client.force_login(office)
    response = client.get(reverse("vetting:sheet_pdf", args=[vetting_nom.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # the ledger's PDF is made in the background (tests/vetting/test_ledger_pdf_job.py)
    assert jv.ledger_pdf_of(client, vetting_nom.round_id, django_capture_on_commit_callbacks).startswith(b"%PDF")
    client.force_login(dept_x_user)
    for url in (reverse("vetting:ledger_pdf", args=[vetting_nom.round_id]),
                reverse("vetting:sheet_pdf", args=[vetting_nom.pk])):
        assert client.get(url).status_code == 403


def test_the_sheet_page_shows_each_departments_conclusion_to_the_office(client, office, dept_x_user, vetting_nom,
                                                                        req_x):
    answer(dept_x_user, req_x, flag=(2,), note="不服从村党组织领导的具体情况")
    client.force_login(office)
    response = client.get(reverse("vetting:sheet", args=[vetting_nom.pk]))
    assert response.status_code == 200
    html = page(response)
    assert "不服从村党组织领导的具体情况" in html
    assert "尚未答复" in html  # 派出所
    assert vetting_nom.person.id_number not in html


# --------------------------------------------------------------------------- a finding's attachment


def test_a_findings_attachment_is_seen_only_by_its_department_and_the_office(
        client, vetting_nom, req_x, dept_x_user, dept_y_user, office, other_office, village_a_user):
    data = answer_post(req_x, version=1, flagged=1, note="见附件")
    first = items_of(req_x)[0]
    assert first.number == 1
    data[f"item{first.pk}-attachment"] = png_upload("处分决定.png")
    client.force_login(dept_x_user)
    assert client.post(reverse("vetting:request_detail", args=[req_x.pk]), data).status_code == 302
    finding = reload(req_x).findings.get(item__number=1)
    assert finding.attachment and finding.attachment.name.endswith(".png")
    assert "处分决定" not in finding.attachment.name  # the server names the file
    url = reverse("vetting:finding_attachment", args=[req_x.pk, finding.pk])
    for user, expected in ((dept_x_user, 200), (office, 200), (dept_y_user, 404), (other_office, 404),
                           (village_a_user, 403)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")
