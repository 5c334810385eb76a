"""Issue 9 in 资格联审: every negative-list item checked by someone (7), a late department (12), dispatching
after the vetting deadline (3) and the vetting documents (19)."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import Status
from candidates.panels import round_links
from reserve.exceptions import ActionRefused
from reserve.models import AuditEntry, Event
from vetting import services
from vetting.models import NegativeItem, VettingRequest
from vetting.negative_list import suggest_departments
from vetting.selectors import department_queue, request_history

from ..factories import DepartmentFactory, NominationFactory, PersonFactory, RoundFactory, VillageFactory, png_upload
from ..helpers import message_texts, page, pdf_text
from . import joint_vetting_support as jv
from .joint_vetting_support import accepted, answer, dispatch, items_of, reload, request_of, status_of, today

nom, vetting_nom, req_x, req_y = jv.nom, jv.vetting_nom, jv.req_x, jv.req_y

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def paper():
    return ContentFile(png_upload().read(), name="paper.png")


def proxy(office, req, *, flag=(), signer="王经办", on=None, version="current", scan="default"):
    version = reload(req).version if version == "current" else version
    return services.proxy_answer_request(
        actor=office, request_id=req.pk, version=version, answers=jv.answers_for(req, flag=flag),
        paper_answer=paper() if scan == "default" else scan, paper_signer=signer, paper_date=on or today())


# =============================================================================================
# 7. every negative-list item is checked by someone
# =============================================================================================

@pytest.mark.parametrize("name, town, expected", [
    ("计生办", ["卫健办", "纪委"], ["卫健办"]),
    ("计生办", ["卫生健康办"], ["卫生健康办"]),
    ("国土所", ["自然资源所", "规划所"], ["自然资源所", "规划所"]),
    ("环保办", ["生态环境办"], ["生态环境办"]),
    ("扶贫办", ["乡村振兴办"], ["乡村振兴办"]),
    ("派出所", ["公安"], ["公安"]),
    ("派出所", ["青山公安派出所"], ["青山公安派出所"]),
    ("法庭", ["法院"], ["法院"]),
    ("纪委", ["纪检"], ["纪检"]),
    ("纪委", ["镇纪委", "纪检"], ["纪检"]),   # a name of the group before a name containing one
    ("信访办", ["信访办"], ["信访办"]),
    ("综治办", ["政法委"], ["政法委"]),
    ("市场监管所", ["工商所"], ["工商所"]),
    ("计生办", ["档案室", "财政所"], []),
    ("档案室", ["档案室"], ["档案室"]),         # the same name first, whatever the table says
])
def test_departments_are_suggested_by_the_table_of_equivalent_names(name, town, expected):
    departments = [DepartmentFactory.build(name=n) for n in town]
    assert [d.name for d in suggest_departments(name, departments)] == expected


@pytest.fixture
def renamed_town(town):
    """A town whose offices have the new names: 卫健办, 自然资源所, 生态环境办, 乡村振兴办 beside 纪委 and 派出所."""
    return {n: DepartmentFactory(town=town, name=n, order=i)
            for i, n in enumerate(["纪委", "派出所", "卫健办", "自然资源所", "生态环境办", "乡村振兴办", "信访办",
                                   "司法所", "民政所", "经管站", "审计所", "武装部"])}


def names(qs):
    return sorted(d.name for d in qs.all())


def test_the_list_of_a_renamed_town_is_suggested_then_confirmed_before_dispatch(
        client, office, round_, village_a, renamed_town):
    n = accepted(round_, village_a)
    services.ensure_negative_list(round_)
    items = {i.number: i for i in NegativeItem.objects.filter(round=round_)}
    assert names(items[5].departments) == [] and names(items[5].suggested_departments) == ["卫健办"]
    assert names(items[11].departments) == []
    assert names(items[11].suggested_departments) == ["生态环境办", "自然资源所"]
    assert names(items[8].departments) == ["审计所", "经管站"]
    assert names(items[8].suggested_departments) == ["乡村振兴办"]
    # Dispatch refuses, naming the items, until the office confirms.
    with pytest.raises(ActionRefused) as exc:
        dispatch(office, n)
    assert "第5、8、11项" in exc.value.message and "尚未确认" in exc.value.message
    client.force_login(office)
    url = reverse("vetting:negative_list", args=[round_.pk])
    html = page(client.get(url))
    assert "待确认" in html and "卫健办" in html
    data = {}
    for i in NegativeItem.objects.filter(round=round_).prefetch_related("departments", "suggested_departments"):
        data[f"n{i.pk}-text"] = i.text
        data[f"n{i.pk}-departments"] = [str(d.pk) for d in [*i.departments.all(), *i.suggested_departments.all()]]
    response = client.post(url, data)
    assert response.status_code == 302
    assert "下一步" in message_texts(response)[0]
    assert names(NegativeItem.objects.get(round=round_, number=5).departments) == ["卫健办"]
    assert not NegativeItem.suggested_departments.through.objects.exists()
    dispatch(office, n)
    assert {r.department.name for r in VettingRequest.objects.filter(nomination=n)} >= {"卫健办", "乡村振兴办"}


def test_dispatch_refuses_while_an_item_has_no_department_naming_it(office, round_, village_a, dept_x, dept_y):
    """The tests' town has only 纪委 and 派出所: items 5, 7, 8, 10, 11 and 12 are checked by nobody."""
    n = accepted(round_, village_a)
    with pytest.raises(ActionRefused) as exc:
        dispatch(office, n)
    assert "负面清单第5、7、8、10、11、12项没有指定审查部门" in exc.value.message
    assert status_of(n) == Status.ACCEPTED and not VettingRequest.objects.exists()
    # The batch refuses the same way, once per message.
    done, refused = services.dispatch_batch(actor=office, round_=round_)
    assert done == 0 and set(refused) == {exc.value.message}
    jv.every_negative_item_checked(round_, dept_x)
    assert services.dispatch_batch(actor=office, round_=round_) == (1, [])


def test_an_item_with_no_department_cannot_be_saved(client, office, round_, dept_x, dept_y):
    jv.every_negative_item_checked(round_, dept_x)
    item = NegativeItem.objects.get(round=round_, number=1)
    with pytest.raises(Exception, match="没有指定审查部门"):
        services.negative_item_save(actor=office, item=item, text="改过的文字", departments=[])
    assert reload(item).text != "改过的文字" and names(item.departments) == ["纪委"]
    # By the page: nothing of the list is saved, and the page says why.
    client.force_login(office)
    data = {}
    for i in NegativeItem.objects.filter(round=round_).prefetch_related("departments"):
        data[f"n{i.pk}-text"] = "改过的文字" if i.number == 2 else i.text
        data[f"n{i.pk}-departments"] = [] if i.number == 1 else [str(d.pk) for d in i.departments.all()]
    response = client.post(reverse("vetting:negative_list", args=[round_.pk]), data)
    assert response.status_code == 200
    assert "每一项都须至少由一个部门审查" in page(response)
    assert NegativeItem.objects.get(round=round_, number=2).text != "改过的文字"
    assert names(item.departments) == ["纪委"]


def test_the_negative_list_page_shows_the_items_with_the_rounds_years(client, office, town, dept_x):
    round_ = RoundFactory(town=town, year=2027)
    jv.every_negative_item_checked(round_, dept_x)
    client.force_login(office)
    html = page(client.get(reverse("vetting:negative_list", args=[round_.pk])))
    shown = re.sub(r"<details class=\"item-edit.*?</details>", "", html, flags=re.S)
    assert "{" not in re.sub(r"<script.*?</script>", "", shown, flags=re.S)
    assert f"{round_.negative_since_year}年以来曾被公安机关" in shown
    assert "{since_year}年以来" in html  # the editing form keeps the template


# =============================================================================================
# 3. dispatching after the vetting deadline
# =============================================================================================

@pytest.fixture
def late_round(round_, dept_x, dept_y):
    """The round's vetting deadline (review_end, the deadline a dispatch gives its requests) was yesterday."""
    round_.review_end = today() - DAY
    round_.save(update_fields=["review_end"])
    jv.every_negative_item_checked(round_, dept_x)
    return round_


@pytest.mark.parametrize("deadline, refused", [
    (None, "已过"),
    (-1, "早于今天"),
    (0, None),
    (14, None),
])
def test_a_dispatch_after_the_deadline_needs_a_new_one(office, late_round, village_a, deadline, refused):
    n = accepted(late_round, village_a)
    new = None if deadline is None else today() + datetime.timedelta(days=deadline)
    if refused:
        with pytest.raises(ActionRefused, match=refused):
            services.dispatch(actor=office, nomination_id=n.pk, deadline=new)
        assert status_of(n) == Status.ACCEPTED and not VettingRequest.objects.exists()
    else:
        services.dispatch(actor=office, nomination_id=n.pk, deadline=new)
        assert set(VettingRequest.objects.values_list("deadline", flat=True)) == {new}
        assert jv.events_of(n, "dispatch")[0].data == {"deadline": f"{new:%Y-%m-%d}"}


def test_the_nomination_pages_dispatch_button_says_a_new_deadline_is_needed(client, office, late_round, village_a):
    n = accepted(late_round, village_a)
    with pytest.raises(ActionRefused, match="须填写新的答复期限"):
        candidate_services.perform(actor=office, nomination_id=n.pk, action="dispatch")
    client.force_login(office)
    html = page(client.get(n.get_absolute_url()))
    assert reverse("vetting:nomination_dispatch", args=[n.pk]) in html
    url = reverse("vetting:nomination_dispatch", args=[n.pk])
    assert "已过" in page(client.get(url))
    response = client.post(url, {"deadline": ""})
    assert response.status_code == 200 and "请填写新的答复期限" in page(response)
    new = today() + 7 * DAY
    response = client.post(url, {"deadline": f"{new:%Y-%m-%d}"})
    assert response.status_code == 302
    assert status_of(n) == Status.VETTING
    assert "答复期限" in message_texts(response)[0]


def test_the_batch_dispatch_after_the_deadline_asks_for_a_new_one(client, office, late_round, village_a):
    n = accepted(late_round, village_a)
    client.force_login(office)
    ledger = page(client.get(reverse("vetting:ledger", args=[late_round.pk])))
    assert 'id="late-warning"' in ledger and 'name="deadline"' in ledger
    url = reverse("vetting:dispatch_round", args=[late_round.pk])
    response = client.post(url, {})
    assert any("新的答复期限" in m for m in message_texts(response))
    response = client.post(url, {"deadline": f"{today() - DAY:%Y-%m-%d}"})
    assert status_of(n) == Status.ACCEPTED
    new = today() + 5 * DAY
    response = client.post(url, {"deadline": f"{new:%Y-%m-%d}"})
    assert status_of(n) == Status.VETTING
    assert set(VettingRequest.objects.values_list("deadline", flat=True)) == {new}


# =============================================================================================
# 12. a late department
# =============================================================================================

def test_the_department_queue_counts_overdue_requests_among_those_to_do(client, office, round_, village_a,
                                                                       village_b, dept_x, dept_x_user, dept_y):
    jv.every_negative_item_checked(round_, dept_x)
    one, two = accepted(round_, village_a), accepted(round_, village_b)
    dispatch(office, one), dispatch(office, two)
    VettingRequest.objects.filter(pk=request_of(one, dept_x).pk).update(deadline=today() - DAY)
    queue = department_queue(dept_x_user, today=today())
    assert (len(queue["pending"]), len(queue["overdue"])) == (2, 1)
    client.force_login(dept_x_user)
    html = page(client.get(reverse("vetting:queue")))
    assert re.search(r"待审查\s*<span[^>]*>2</span>", html)


def test_the_office_reminds_a_late_department(client, office, vetting_nom, req_x, dept_x_user):
    services.remind_request(actor=office, request_id=req_x.pk, version=req_x.version)
    services.remind_request(actor=office, request_id=req_x.pk)
    x = reload(req_x)
    assert (x.reminder_count, x.status) == (2, VettingRequest.Status.PENDING)
    assert [e.action for e in request_history(x)] == ["vetting_remind", "vetting_remind"]
    assert AuditEntry.objects.filter(detail__event="vetting_remind").count() == 2
    client.force_login(office)
    response = client.post(reverse("vetting:request_remind", args=[req_x.pk]), {"version": str(x.version)})
    assert "第3次" in message_texts(response)[0]
    assert "已催办3次" in page(client.get(reverse("vetting:request_detail", args=[req_x.pk])))
    assert "已催办3次" in page(client.get(reverse("vetting:ledger", args=[vetting_nom.round_id])))
    client.force_login(dept_x_user)
    assert "已催办3次" in page(client.get(reverse("vetting:queue")))
    assert client.post(reverse("vetting:request_remind", args=[req_x.pk]), {}).status_code == 403
    # An answered request is not reminded.
    answer(dept_x_user, req_x)
    with pytest.raises(ActionRefused, match="已答复"):
        services.remind_request(actor=office, request_id=req_x.pk)


@pytest.mark.parametrize("days, reason, refused", [
    (10, "", "理由"),
    (None, "部门人手不足", "请填写新的答复期限"),
    (-1, "部门人手不足", "早于今天"),
    (0, "部门人手不足", "须晚于现在的答复期限"),   # today, while the deadline is later
    (40, "部门人手不足", None),
])
def test_the_office_extends_a_requests_deadline_with_a_reason(office, vetting_nom, req_x, days, reason, refused):
    deadline = None if days is None else today() + datetime.timedelta(days=days)
    if refused:
        with pytest.raises(ActionRefused, match=refused):
            services.extend_request(actor=office, request_id=req_x.pk, deadline=deadline, reason=reason)
        assert reload(req_x).deadline == req_x.deadline and request_history(req_x) == []
    else:
        services.extend_request(actor=office, request_id=req_x.pk, deadline=deadline, reason=reason)
        (event,) = request_history(req_x)
        assert reload(req_x).deadline == deadline
        assert (event.action, event.reason) == ("vetting_extend", reason)
        assert event.data["from"] == f"{req_x.deadline:%Y-%m-%d}" and event.data["to"] == f"{deadline:%Y-%m-%d}"


def test_the_office_enters_a_departments_paper_answer(client, office, vetting_nom, req_x, req_y, dept_x_user,
                                                      dept_y_user, django_capture_on_commit_callbacks):
    answer(dept_y_user, req_y)
    client.force_login(office)
    url = reverse("vetting:request_proxy_answer", args=[req_x.pk])
    data = {"version": str(req_x.version), "paper_signer": "李纪检", "paper_date": f"{today():%Y-%m-%d}"}
    for item in items_of(req_x):
        data[f"item{item.pk}-outcome"] = "clear"
    # Without the scan nothing is saved.
    response = client.post(url, data)
    assert response.status_code == 200 and "纸质回复扫描件" in page(response)
    assert reload(req_x).status == VettingRequest.Status.PENDING and not reload(req_x).findings.exists()
    response = client.post(url, {**data, "paper_answer": png_upload("回复.png")})
    assert response.status_code == 302
    x = reload(req_x)
    assert x.entered_by_office and x.proxy_entered_by == office and x.signed_by is None
    assert (x.paper_signer, x.signer_name) == ("李纪检", "李纪检")
    assert status_of(vetting_nom) == Status.VETTED  # the last answer: the nomination settles
    (event,) = [e for e in request_history(x) if e.action == "vetting_proxy_answer"]
    assert event.actor == office and event.data["proxy"] is True and event.data["paper_answer"]
    assert AuditEntry.objects.filter(detail__event="vetting_proxy_answer").exists()
    for page_url in (reverse("vetting:sheet", args=[vetting_nom.pk]),
                     reverse("vetting:ledger", args=[vetting_nom.round_id]),
                     reverse("vetting:request_detail", args=[x.pk])):
        assert "由组织办代为录入（附纸质回复）" in page(client.get(page_url)), page_url
    assert "代为录入" in pdf_text(client.get(reverse("vetting:sheet_pdf", args=[vetting_nom.pk])).content)
    assert "代为录入" in pdf_text(jv.ledger_pdf_of(client, vetting_nom.round_id, django_capture_on_commit_callbacks))
    response = client.get(reverse("vetting:paper_answer", args=[x.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert AuditEntry.objects.filter(detail__file="paper_answer").exists()


@pytest.mark.parametrize("change, refused", [
    ({"scan": None}, "扫描件"),
    ({"signer": "  "}, "签字人"),
    ({"on": "tomorrow"}, "不能晚于今天"),
    ({"version": 99}, "已被他人更新"),
])
def test_a_paper_answer_is_refused_whole(office, vetting_nom, req_x, change, refused):
    if change.get("on") == "tomorrow":
        change["on"] = today() + DAY
    with pytest.raises(Exception, match=refused):
        proxy(office, req_x, **change)
    x = reload(req_x)
    assert x.status == VettingRequest.Status.PENDING and not x.findings.exists() and not x.paper_answer


def test_a_paper_answer_is_only_for_a_pending_request_and_by_the_office(office, vetting_nom, req_x, dept_x_user):
    with pytest.raises(Exception):  # noqa: B017 — NotAllowed
        proxy(dept_x_user, req_x)
    answer(dept_x_user, req_x)
    with pytest.raises(ActionRefused, match="已答复"):
        proxy(office, req_x)


def test_the_department_corrects_a_paper_answer_in_its_own_name(office, vetting_nom, req_x, dept_x_user):
    proxy(office, req_x, flag=(1,))
    answer(dept_x_user, req_x)
    x = reload(req_x)
    assert not x.entered_by_office and x.signed_by == dept_x_user and not x.flagged


def test_changing_the_rounds_deadline_moves_the_open_requests(client, office, vetting_nom, req_x, req_y,
                                                              dept_y_user, round_):
    answer(dept_y_user, req_y)
    later = round_.review_end + 10 * DAY
    candidate_services.round_update(actor=office, round_id=round_.pk, review_end=later)
    assert list(services.requests_to_sync(reload(round_))) == [req_x]
    assert ("同步调整未答复请求的截止日期", reverse("vetting:sync_deadlines", args=[round_.pk])) in round_links(
        round_, office)
    client.force_login(office)
    assert "同步调整未答复请求的截止日期" in page(client.get(reverse("vetting:ledger", args=[round_.pk])))
    url = reverse("vetting:sync_deadlines", args=[round_.pk])
    assert vetting_nom.person.name in page(client.get(url))
    response = client.post(url)
    assert "已将1条" in message_texts(response)[0]
    assert reload(req_x).deadline == later and reload(req_y).deadline == req_y.deadline
    (event,) = request_history(req_x)
    assert event.action == "vetting_extend" and "同步" in event.reason
    assert services.sync_open_deadlines(actor=office, round_id=round_.pk) == 0


def test_the_sync_is_refused_when_the_rounds_deadline_has_passed(office, vetting_nom, req_x, round_):
    VettingRequest.objects.filter(pk=req_x.pk).update(deadline=today() - 5 * DAY)
    round_.review_end = today() - DAY
    round_.save(update_fields=["review_end"])
    with pytest.raises(ActionRefused, match="已过"):
        services.sync_open_deadlines(actor=office, round_id=round_.pk)


@pytest.mark.parametrize("user_fixture", ["dept_x_user", "committee", "other_office"])
def test_only_the_towns_office_chases_a_late_department(request, vetting_nom, req_x, user_fixture):
    user = request.getfixturevalue(user_fixture)
    for call in (lambda: services.remind_request(actor=user, request_id=req_x.pk),
                 lambda: services.extend_request(actor=user, request_id=req_x.pk, deadline=today() + 40 * DAY,
                                                 reason="理由"),
                 lambda: proxy(user, req_x),
                 lambda: services.sync_open_deadlines(actor=user, round_id=req_x.nomination.round_id)):
        with pytest.raises(Exception) as exc:
            call()
        assert type(exc.value).__name__ in ("NotAllowed", "NotFound")
    x = reload(req_x)
    assert (x.reminder_count, x.deadline, x.status) == (0, req_x.deadline, VettingRequest.Status.PENDING)
    assert not Event.objects.filter(action__in=["vetting_remind", "vetting_extend"]).exists()


# =============================================================================================
# 19. the vetting documents
# =============================================================================================

CJK_SPACE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef] +[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def test_the_sheet_shows_the_clerks_name_a_signature_space_per_department_and_the_issuer(
        client, office, vetting_nom, req_x, dept_x_user):
    dept_x_user.full_name = "周纪检"
    dept_x_user.save(update_fields=["full_name"])
    answer(dept_x_user, req_x)
    client.force_login(office)
    text = pdf_text(client.get(reverse("vetting:sheet_pdf", args=[vetting_nom.pk])).content)
    assert "周纪检" in text and "dept_x" not in text
    assert "签字（盖章）" in text
    assert "中共青山镇委员会组织办公室" in text
    html = render_to_string("vetting/sheet_pdf.html", {
        "n": vetting_nom, "requests": list(VettingRequest.objects.filter(nomination=vetting_nom)),
        "hukou": "东山村三组18号", "issuer": "中共青山镇委员会组织办公室", "issued_on": today()})
    assert html.count('<td class="sign"></td>') == 2  # one per department
    body = re.sub(r"<style.*?</style>|<[^>]+>", "", html, flags=re.S)
    assert not CJK_SPACE.search(body), CJK_SPACE.search(body)


def test_the_ledger_pdf_keeps_each_persons_row_whole_and_repeats_the_header(client, office, round_, dept_x,
                                                                             dept_y, dept_x_user, dept_y_user,
                                                                             django_capture_on_commit_callbacks):
    jv.every_negative_item_checked(round_, dept_x)
    dept_x_user.full_name, dept_y_user.full_name = "甲签字", "乙签字"
    dept_x_user.save(), dept_y_user.save()
    villages = [VillageFactory(town=round_.town, name=f"第{i}村") for i in range(6)]
    people = []
    for i in range(45):
        n = NominationFactory(round=round_, village=villages[i % 6], accepted=True,
                              person=PersonFactory(name=f"台账{i:02d}"))
        dispatch(office, n)
        answer(dept_x_user, request_of(n, dept_x), conclusion="")
        answer(dept_y_user, request_of(n, dept_y))
        people.append(n.person.name)
    client.force_login(office)
    from io import BytesIO

    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(BytesIO(jv.ledger_pdf_of(
        client, round_.pk, django_capture_on_commit_callbacks))).pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "序号" in text, f"no header on page {number}"
        on_page = [name for name in people if name in text]
        # A row split across pages would leave its signers' lines on the next page.
        assert text.count("甲签字") == text.count("乙签字") == len(on_page), f"page {number}"
    assert "中共青山镇委员会组织办公室" in pages[-1] and "制表日期" in pages[-1]
    assert sum(len([n for n in people if n in t]) for t in pages) == 45
