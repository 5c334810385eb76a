"""The audit page reads in Chinese (the audit administrator's tryout): an entry's detail by labels, not the codes
the application writes; the admin's old → new values with role labels and local times; no client data of a
sign-in in a lifted lockout's entry; the page's intro per reader; the admin's account form lists roles by their
labels."""

import datetime
import io
import re

import openpyxl
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from candidates.models import Nomination, Person
from publicity.models import Objection
from reserve import audit
from reserve.models import AuditEntry, Town, User
from reserve.roles import Role
from reserve.views_audit import summary
from vetting.models import VettingRequest

from .. import helpers
from ..factories import UserFactory

A = AuditEntry.Action
LOCAL_NOW = timezone.make_aware(datetime.datetime(2026, 12, 6, 15, 21, 11, 980489), datetime.UTC)

# (what the application writes, the entry's model) → what the page shows
TYPICAL = [
    ({"event": "close", "from": "answered", "to": "locked"}, VettingRequest,
     "操作：资格审查结束，锁定答复；原状态：已答复；新状态：已锁定"),
    ({"event": "disqualify", "from": "vetting", "to": "disqualified", "with_reason": True, "late": True}, Nomination,
     "操作：确认资格审查不通过；原状态：资格审查中；新状态：资格审查未通过；附理由：是；逾期：是"),
    ({"page": "request_detail", "findings": True, "id_number": "masked"}, VettingRequest,
     "页面：部门审查请求；涉及审查结论：是；身份证号码：部分隐去"),
    ({"channel": "online", "notice": 3, "entry": 5, "name": "有", "phone": "无", "late": False, "early": False},
     Objection, "逾期：否；反映方式：网上反映；公示编号：3；反映对象编号：5；姓名：有；电话：无；公示开始前收到：否"),
    ({"field": "identity", "nomination": 7, "fields": ["name", "id_number", "gender", "birth_date"],
      "changed": {"name": ["甲某", "乙某"], "id_number": ["110105********1234", "110105********1235"]}}, Person,
     "字段：身份信息（姓名、性别、出生日期、身份证号码）；自荐表编号：7；修改项：姓名、身份证号码、性别、出生日期；"
     "姓名：甲某 → 乙某；身份证号码：110105********1234 → 110105********1235"),
    ({"file": "finding_attachment", "finding": 9}, VettingRequest, "文件：审查附件；审查结论编号：9"),
    ({"via": "admin", "changed": ["is_active", "date_joined", "groups"],
      "values": {"is_active": {"new": True}, "date_joined": {"new": str(LOCAL_NOW)},
                 "groups": {"new": ["village_branch"]}}}, User,
     "途径：管理后台；修改项：有效、加入日期、角色；有效：是；加入日期：2026-12-06 23:21；角色：村党支部"),
    ({"via": "admin", "changed": ["groups", "town"],
      "values": {"groups": {"old": ["village_branch"], "new": ["org_office"]}, "town": {"old": None, "new": "甲镇"}}},
     User, "途径：管理后台；修改项：角色、所属镇；角色：村党支部 → 镇组织办；所属镇：（空） → 甲镇"),
    ({"via": "admin", "changed": ["require_otp_for_office"],
      "values": {"require_otp_for_office": {"old": True, "new": False}}}, Town,
     "途径：管理后台；修改项：组织办账号须启用两步验证；组织办账号须启用两步验证：是 → 否"),
    ({"via": "admin", "changed": ["password"], "must_change_password": True, "password_login": True}, User,
     "途径：管理后台；修改项：密码；下次登录须修改密码：是；可用密码登录：是"),
    ({"via": "create_admin --reset", "changed": ["password"], "must_change_password": True,
      "authenticators_removed": 1}, User,
     "途径：服务器命令（重置管理员密码）；修改项：密码；下次登录须修改密码：是；解除绑定的验证器数：1"),
    ({"via": "admin", "values": {"username": "zhangsan", "ip_address": "10.1.1.1", "failures_since_start": 5}},
     AccessAttempt, "途径：管理后台；账号：zhangsan；IP地址：10.1.1.1；失败次数：5"),
    ({"via": "admin", "admin_action": "delete_selected", "model": "reserve.Town", "selected": ["1", "2"]}, None,
     "途径：管理后台；后台批量操作：删除所选；数据类型：镇；所选记录编号：1、2"),
    ({"via": "admin", "values": {"name": "village_branch"}}, Group, "途径：管理后台；名称：村党支部"),
    ({"status": 403, "method": "POST", "repeated": 4, "others": 2}, None,
     "状态码：403；请求方式：POST；同一地址此前未逐条记录的同类拒绝次数：4；其他地址未逐条记录的拒绝次数：2"),
    ({"page": "audit_log", "filters": {"user": "cun_a", "action": "login"}, "rows": 3}, None,
     "页面：审计日志；筛选条件：操作账号：cun_a，类型：登录成功；行数：3"),
    ({"locked_out": True}, None, "已被锁定：是"),
]
# Words the table above may show as they are: data (an account's name, an HTTP method), not codes.
NOT_CODES = {"cun_a", "zhangsan", "POST", "IP"}


@pytest.mark.parametrize("detail, model, expected", TYPICAL)
def test_a_typical_entry_reads_in_chinese(detail, model, expected):
    text = summary(detail, model)
    assert text == expected
    assert not set(re.findall(r"[A-Za-z_]{2,}", text)) - NOT_CODES, text


def test_a_key_or_value_nobody_labelled_is_still_shown():
    assert summary({"mystery": "x_code", "event": "no_such_event"}) == "操作：no_such_event；mystery：x_code"


def test_the_keys_are_shown_in_one_order_whatever_order_the_database_keeps():
    assert summary({"to": "locked", "from": "answered", "event": "close"}, VettingRequest) == (
        "操作：资格审查结束，锁定答复；原状态：已答复；新状态：已锁定")


def test_an_event_field_name_of_the_entrys_model_reads_by_its_verbose_name():
    from candidates.models import Round

    assert summary({"event": "round_update", "changed": ["review_end"]}, Round) == (
        f"操作：修改批次参数；修改项：{Round._meta.get_field('review_end').verbose_name}")


def test_every_registered_event_has_a_chinese_label():
    from reserve import events

    assert events._labels
    for kind in events._labels:
        assert re.search(r"[\u4e00-\u9fff]", str(events.label(kind))), kind


# --------------------------------------------------------------------------- the page and its export


def _export_cells(client) -> str:
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)


def test_the_page_and_the_export_show_the_details_in_chinese(client, office, town):
    target = UserFactory(username="cun_x", town=town, role=Role.VILLAGE)
    audit.record(A.UPDATE, user=office, obj=target, detail={
        "via": "admin", "changed": ["is_active", "date_joined", "groups"],
        "values": {"is_active": {"old": True, "new": False}, "date_joined": {"new": str(LOCAL_NOW)},
                   "groups": {"old": [], "new": ["village_branch"]}}})
    attempt = AccessAttempt.objects.create(username="zhangsan", ip_address="10.1.1.1", failures_since_start=5)
    audit.record(A.DELETE, user=office, obj=attempt, detail={"via": "admin", "values": {"username": "zhangsan"}})
    auditor = UserFactory(username="sjgl", role=Role.AUDIT_ADMIN)
    client.force_login(auditor)
    html = helpers.page(client.get(reverse("audit_log")))
    cells = _export_cells(client)
    for text in (html, cells):
        assert "有效：是 → 否" in text and "加入日期：2026-12-06 23:21" in text and "角色：（空） → 村党支部" in text
        assert f"登录失败记录 #{attempt.pk}" in text
        for code in ("via", "admin", "is_active", "date_joined", "village_branch", "values", "access attempt"):
            assert code not in text.replace("/admin/", ""), code


def test_the_intro_says_whose_entries_the_reader_sees(client, office):
    client.force_login(office)
    html = helpers.page(client.get(reverse("audit_log")))
    assert "本镇各账号" in html and "各镇全部账号" not in html
    client.force_login(UserFactory(username="sjgl", role=Role.AUDIT_ADMIN))
    html = helpers.page(client.get(reverse("audit_log")))
    assert "各镇全部账号" in html and "本镇各账号" not in html


# --------------------------------------------------------------------------- the admin


def test_lifting_a_lockout_keeps_no_client_data_of_the_sign_in(admin_client):
    attempt = AccessAttempt.objects.create(
        username="zhangsan", ip_address="10.1.1.1", user_agent="Mozilla/5.0 (UA-7731)", http_accept="text/html-7731",
        path_info="/accounts/login/", get_data="next=/x-7731", post_data="csrfmiddlewaretoken=TOKEN7731&username=z",
        failures_since_start=5)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    entry = AuditEntry.objects.get(action=A.DELETE, object_id=str(attempt.pk), content_type__app_label="axes")
    values = entry.detail["values"]
    assert values["username"] == "zhangsan" and values["ip_address"] == "10.1.1.1"
    assert values["failures_since_start"] == 5
    assert not {"user_agent", "http_accept", "get_data", "post_data"} & set(values)
    assert "7731" not in str(entry.detail)


def test_the_account_form_lists_the_roles_by_their_labels(admin_client):
    Group.objects.get_or_create(name=Role.VILLAGE)
    Group.objects.get_or_create(name=Role.OFFICE)
    user = UserFactory(username="clerk9", role=Role.OFFICE)
    for url in (reverse("admin:reserve_user_add"), reverse("admin:reserve_user_change", args=[user.pk])):
        html = helpers.page(admin_client.get(url))
        options = re.findall(r"<select[^>]*name=\"groups\"[^>]*>(.*?)</select>", html, re.S)
        assert options, url
        shown = re.findall(r"<option[^>]*>([^<]*)</option>", options[0])
        assert "村党支部" in shown and "镇组织办" in shown, shown
        assert Role.VILLAGE not in shown and Role.OFFICE not in shown


def test_a_workflow_step_and_an_admin_change_read_in_chinese_on_the_page(client, admin_client, office, round_,
                                                                          village_a):
    from reserve.services import record_event

    from ..factories import NominationFactory
    from .test_admin_audit import form_data

    nomination = NominationFactory(round=round_, village=village_a)
    record_event(nomination, action="disqualify", actor=office, from_status="vetting", to_status="disqualified",
                 reason="理由")
    Group.objects.get_or_create(name=Role.VILLAGE)
    clerk = UserFactory(username="clerk9", town=office.town, role=Role.OFFICE)
    url = reverse("admin:reserve_user_change", args=[clerk.pk])
    data = form_data(admin_client, url, User, {"groups": str(Group.objects.get(name=Role.VILLAGE).pk)})
    data.pop("is_active", None)
    assert admin_client.post(url, data).status_code == 302
    client.force_login(UserFactory(username="sjgl", role=Role.AUDIT_ADMIN))
    html = helpers.page(client.get(reverse("audit_log")))
    assert "操作：确认资格审查不通过；原状态：资格审查中；新状态：资格审查未通过；附理由：是" in html
    assert "有效：是 → 否" in html and "角色：镇组织办 → 村党支部" in html
    assert "village_branch" not in html and "disqualify" not in html
