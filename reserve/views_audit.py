"""The audit page: the audit log filtered, paged, exported.

An organisation office sees the entries of the accounts of its own town (office, committee, village
branches, departments, mentors), and the failed sign-ins typed with one of their usernames. The audit
administrator (等保 三员分立, if that role exists) sees every entry. Nobody changes or deletes an entry
here or anywhere else in the application.
"""

import datetime
import json
import re

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import audit, events, jobs
from .excel import write_xlsx, xlsx_response
from .models import AuditEntry
from .permissions import role_required
from .roles import Role, has_role, role_label, roles_of
from .selectors import AUDIT_ADMIN, audit_log_entries, audit_log_page, user_town_id

PAGE_SIZE = 50
EXPORT_CHUNK = 2000  # rows read from the database at a time by the export
READERS = tuple(r for r in (Role.OFFICE, AUDIT_ADMIN) if r)

# Labels of the keys the application writes into an entry's detail, in the order the page shows them (PostgreSQL's
# jsonb keeps no order of its own).
DETAIL_LABELS = {
    "event": gettext_lazy("操作"), "from": gettext_lazy("原状态"), "to": gettext_lazy("新状态"),
    "with_reason": gettext_lazy("附理由"), "late": gettext_lazy("逾期"), "proxy": gettext_lazy("代为录入"),
    "via": gettext_lazy("途径"), "admin_action": gettext_lazy("后台批量操作"), "model": gettext_lazy("数据类型"),
    "selected": gettext_lazy("所选记录编号"), "field": gettext_lazy("字段"), "nomination": gettext_lazy("自荐表编号"),
    "fields": gettext_lazy("修改项"), "changed": gettext_lazy("修改项"), "values": gettext_lazy("字段值"),
    "must_change_password": gettext_lazy("下次登录须修改密码"), "password_login": gettext_lazy("可用密码登录"),
    "authenticators_removed": gettext_lazy("解除绑定的验证器数"),
    "page": gettext_lazy("页面"), "file": gettext_lazy("文件"), "findings": gettext_lazy("涉及审查结论"),
    "objector": gettext_lazy("涉及反映人信息"), "id_number": gettext_lazy("身份证号码"),
    "item": gettext_lazy("审查事项"), "finding": gettext_lazy("审查结论编号"),
    "channel": gettext_lazy("反映方式"), "notice": gettext_lazy("公示编号"), "entry": gettext_lazy("反映对象编号"),
    "name": gettext_lazy("姓名"), "phone": gettext_lazy("电话"), "early": gettext_lazy("公示开始前收到"),
    "village": gettext_lazy("村（社区）"), "post": gettext_lazy("职务"),
    "status": gettext_lazy("状态码"), "method": gettext_lazy("请求方式"), "locked_out": gettext_lazy("已被锁定"),
    "repeated": gettext_lazy("同一地址此前未逐条记录的同类拒绝次数"),
    "others": gettext_lazy("其他地址未逐条记录的拒绝次数"),
    "filters": gettext_lazy("筛选条件"), "rows": gettext_lazy("行数"), "job": gettext_lazy("后台任务编号"),
    "reason": gettext_lazy("理由"), "data": gettext_lazy("内容"),
}
_KEY_ORDER = {key: i for i, key in enumerate(DETAIL_LABELS)}

# Labels of the coded values of some keys.
VALUE_LABELS = {
    "via": {"admin": gettext_lazy("管理后台"), "create_admin --reset": gettext_lazy("服务器命令（重置管理员密码）")},
    "id_number": {"full": gettext_lazy("完整显示"), "masked": gettext_lazy("部分隐去")},
    "field": {"identity": gettext_lazy("身份信息（姓名、性别、出生日期、身份证号码）")},
    "page": {
        "request_detail": gettext_lazy("部门审查请求"), "ledger": gettext_lazy("资格联审台账"),
        "sheet": gettext_lazy("资格审查表"), "objection_detail": gettext_lazy("异议详情"),
        "audit_log": gettext_lazy("审计日志"),
    },
    "file": {
        "id_card": gettext_lazy("身份证复印件"), "paper_answer": gettext_lazy("部门纸质回复"),
        "finding_attachment": gettext_lazy("审查附件"), "ledger_pdf": gettext_lazy("资格联审台账（PDF）"),
        "sheet_pdf": gettext_lazy("资格审查表（PDF）"), "inspection_report_pdf": gettext_lazy("考察材料（PDF）"),
        "audit_log_xlsx": gettext_lazy("审计日志（Excel）"),
        "ballot_pdf": gettext_lazy("民主测评票（PDF）"), "tally_sheet_pdf": gettext_lazy("民主测评计票表（PDF）"),
    },
    "admin_action": {"delete_selected": gettext_lazy("删除所选")},
}

# Names of fields and models whose own verbose name is untranslated (django-axes', django-otp's) or too generic.
FIELD_LABELS = {
    "username": gettext_lazy("账号"), "ip_address": gettext_lazy("IP地址"), "path_info": gettext_lazy("网址"),
    "attempt_time": gettext_lazy("时间"), "failures_since_start": gettext_lazy("失败次数"),
    "logout_time": gettext_lazy("退出时间"), "locked_out": gettext_lazy("已被锁定"),
    "user_agent": gettext_lazy("浏览器标识"), "http_accept": gettext_lazy("HTTP Accept"),
    "get_data": gettext_lazy("GET数据"), "post_data": gettext_lazy("POST数据"),
    "session_hash": gettext_lazy("会话标识摘要"), "user": gettext_lazy("账号"), "name": gettext_lazy("名称"),
    "confirmed": gettext_lazy("已确认"), "created_at": gettext_lazy("创建时间"),
    "last_used_at": gettext_lazy("最近使用时间"), "throttling_failure_timestamp": gettext_lazy("最近验证失败时间"),
    "throttling_failure_count": gettext_lazy("连续验证失败次数"), "password": gettext_lazy("密码"),
    "groups": gettext_lazy("角色"), "permissions": gettext_lazy("权限"),
}
MODEL_LABELS = {
    "axes.AccessAttempt": gettext_lazy("登录失败记录"), "axes.AccessLog": gettext_lazy("登录记录"),
    "axes.AccessFailureLog": gettext_lazy("登录失败日志"), "otp_totp.TOTPDevice": gettext_lazy("验证器"),
    "auth.Group": gettext_lazy("角色"),
}
_EMPTY = ("", None, [], {})
_AWARE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


class AuditFilterForm(forms.Form):
    # The log names an object by its type and id (自荐表 #12), never by a person's name.
    person = forms.CharField(label=gettext_lazy("对象（类型或编号）"), required=False, max_length=50)
    user = forms.CharField(label=gettext_lazy("操作账号"), required=False, max_length=150)
    date_from = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("结束日期"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("类型"), required=False,
                               choices=[("", gettext_lazy("全部类型")), *AuditEntry.Action.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


def _reads_every_town(user) -> bool:
    return bool(AUDIT_ADMIN and AUDIT_ADMIN in roles_of(user))


def _town_entries(request):
    if not _reads_every_town(request.user) and not user_town_id(request.user):
        raise PermissionDenied  # an office account bound to no town
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, filters, audit_log_entries(request.user, filters)


def _roles(codes: str) -> str:
    return "、".join(role_label(code) for code in filter(None, (codes or "").split(",")))


# --------------------------------------------------------------------------- an entry's detail, in Chinese
#
# The detail is what reserve.audit and the admin's audit wrote (codes, field names, flags: no content). It is
# read here with the entry's model (its content type): event codes through reserve.events.label, statuses and
# coded values through the model's choices, field names through the model's verbose names, the other keys
# through DETAIL_LABELS. A key or value nobody labelled is shown as written, so that nothing is hidden.


def _translated(text) -> bool:
    return any(ord(ch) > 127 for ch in str(text))


def _model_of(entry):
    return entry.content_type.model_class() if entry.content_type_id and entry.content_type else None


def _model_name(model) -> str:
    return str(MODEL_LABELS.get(model._meta.label) or model._meta.verbose_name)


def _field(model, name):
    """The model's field of this name (or is_<name>, as a flag "late" of a field is_late), or None."""
    if model is None or not isinstance(name, str):
        return None
    for candidate in (name, f"is_{name}"):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):  # not a reverse relation
            return field
    return None


def _is_role(model, field) -> bool:
    """Whether the field's values are role codes (an account's groups, a group's name)."""
    if field is None:
        return False
    return (field.is_relation and field.related_model is Group) or (model is Group and field.name == "name")


def _field_label(model, name) -> str:
    field = _field(model, name)
    if field is not None and field.is_relation and field.related_model is Group:
        return str(FIELD_LABELS["groups"])
    if field is not None and _translated(field.verbose_name):
        return str(field.verbose_name)
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(field.verbose_name) if field is not None else str(name)


def _key_label(key, model) -> str:
    if key in DETAIL_LABELS:
        return str(DETAIL_LABELS[key])
    return _field_label(model, key) if _field(model, key) is not None or key in FIELD_LABELS else str(key)


def _local_minute(text: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _value(value, *, key="", model=None) -> str:
    """One value as the page shows it: yes/no, lists joined, coded values by their label, times local."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v, key=key, model=model) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{_key_label(k, model)}：{_value(v, key=k, model=model)}" for k, v in value.items()
                        if v not in _EMPTY)
    if isinstance(value, str):
        labels = VALUE_LABELS.get(key, {})
        if value in labels:
            return str(labels[value])
        field = _field(model, key)
        if _is_role(model, field):
            return role_label(value)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if _AWARE_TIME.match(value):
            return _local_minute(value)
    return str(value)


def _model_named(label) -> str:
    try:
        return _model_name(apps.get_model(label))
    except (LookupError, ValueError):
        return str(label)


def _filters(filters: dict) -> str:
    fields = AuditFilterForm.base_fields
    parts = []
    for key, value in filters.items():
        if key == "action" and value in AuditEntry.Action.values:
            value = AuditEntry.Action(value).label
        parts.append(f"{fields[key].label if key in fields else key}：{_value(value)}")
    return "，".join(parts)


def _shown(key, value, model) -> str:
    """The value of one key of the detail."""
    if key == "event" and isinstance(value, str):
        return str(events.label(value))
    if key in ("from", "to") and isinstance(value, str):
        return _value(value, key="status", model=model)  # by the model's status choices
    if key == "model" and isinstance(value, str):
        return _model_named(value)
    if key in ("changed", "fields") and isinstance(value, list):  # field names
        return "、".join(_field_label(model, name) for name in value)
    if key == "filters" and isinstance(value, dict):
        return _filters(value)
    return _value(value, key=key, model=model)


def _change(model, name, value) -> str:
    """One field of a write: 字段：旧值 → 新值 (a create: 字段：新值; a delete: 字段：值)."""
    label = _field_label(model, name)

    def shown(v):
        return _value(v, key=name, model=model) if v not in _EMPTY else _("（空）")

    if isinstance(value, dict) and set(value) <= {"old", "new"} and "new" in value:
        if "old" in value:
            return f"{label}：{shown(value['old'])} → {shown(value['new'])}"
        return f"{label}：{shown(value['new'])}"
    if isinstance(value, list) and len(value) == 2:  # [old, new] (the correction of an identity)
        return f"{label}：{shown(value[0])} → {shown(value[1])}"
    return f"{label}：{shown(value)}"


def summary(detail, model=None) -> str:
    """An entry's detail in Chinese; `model`: the class of the entry's object (its content type), if any."""
    if not isinstance(detail, dict):
        return _value(detail)
    parts = []
    for key, value in sorted(detail.items(), key=lambda item: _KEY_ORDER.get(item[0], len(_KEY_ORDER))):
        if value in _EMPTY:
            continue
        if key in ("values", "changed") and isinstance(value, dict):  # field → old and new, or the value
            parts += [_change(model, name, v) for name, v in value.items()]
        else:
            parts.append(f"{_key_label(key, model)}：{_shown(key, value, model)}")
    return "；".join(parts)


def _object_kind(model) -> str:
    return _model_name(model) if model is not None else ""


def _object_shown(label: str, kind: str) -> str:
    """The object as the page shows it: its label (自荐表 #12), with its type before it where the label lacks it."""
    if not label:
        return ""
    return label if not kind or label.startswith(kind) else f"{kind} {label}"


def _user_label(entry) -> str:
    full_name = entry.user.full_name if entry.user_id and entry.user else ""
    return f"{entry.username}（{full_name}）" if full_name else entry.username


class _Labels:
    """The labels of the rows of one page or one export, each worked out once: an export repeats the same roles,
    actions, object types and (mostly) details over and over, and working them out takes a millisecond a row."""

    SUMMARIES_KEPT = 20000

    def __init__(self):
        self.actions = {value: str(label) for value, label in AuditEntry.Action.choices}
        self.roles, self.kinds, self.summaries, self.names = {}, {}, {}, {}

    def role_list(self, codes: str) -> str:
        if codes not in self.roles:
            self.roles[codes] = _roles(codes)
        return self.roles[codes]

    def kind(self, model) -> str:
        if model not in self.kinds:
            self.kinds[model] = _object_kind(model)
        return self.kinds[model]

    def object_label(self, entry, model) -> str:
        """The entry's label of its object, its type named in Chinese where the model's own name is not
        (the model's names looked up once)."""
        label = entry.object_repr or ""
        if model is None:
            return label
        if model not in self.names:
            self.names[model] = (str(model._meta.verbose_name), _model_name(model))
        own, shown = self.names[model]
        return shown + label[len(own):] if label.startswith(f"{own} #") else label

    def summary(self, detail, model) -> str:
        key = (model, json.dumps(detail, sort_keys=True, default=str))
        shown = self.summaries.get(key)
        if shown is None:
            shown = summary(detail, model)
            if len(self.summaries) < self.SUMMARIES_KEPT:
                self.summaries[key] = shown
        return shown


def _rows(entries):
    labels = _Labels()
    for e in entries:
        model = _model_of(e)
        kind = labels.kind(model)
        label = labels.object_label(e, model)
        yield {
            "entry": e, "user": _user_label(e), "roles": labels.role_list(e.roles),
            "action": labels.actions.get(e.action, e.action), "kind": kind, "label": label,
            "object": _object_shown(label, kind), "summary": labels.summary(e.detail, model),
        }


@role_required(*READERS)
@require_GET
def audit_log(request):
    form, filters, _entries = _town_entries(request)
    log = audit_log_page(request.user, filters, size=PAGE_SIZE, before=request.GET.get("before"),
                         after=request.GET.get("after"))
    query = request.GET.copy()
    for key in ("page", "before", "after"):
        query.pop(key, None)
    return render(request, "reserve/audit_log.html", {
        "form": form, "log": log, "rows": list(_rows(log.entries)),
        "query": query.urlencode(), "reads_every_town": _reads_every_town(request.user),
    })


EXPORT_HEADERS = (
    gettext_lazy("时间"), gettext_lazy("账号"), gettext_lazy("角色"), gettext_lazy("地址"), gettext_lazy("类型"),
    gettext_lazy("对象类型"), gettext_lazy("对象"), gettext_lazy("对象编号"), gettext_lazy("网址"),
    gettext_lazy("详情"),
)


EXPORT_KIND = "audit_log_xlsx"


def _export_filename() -> str:
    return f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"


def _export_rows(entries, progress=None, total=0):
    """The export's rows, read from the database in chunks; progress(done, total) every 500 rows."""
    for done, row in enumerate(_rows(entries.iterator(chunk_size=EXPORT_CHUNK)), start=1):
        e = row["entry"]
        yield (e.at, row["user"], row["roles"], e.address, row["action"], row["kind"], row["label"],
               e.object_id, e.path, row["summary"])
        if progress is not None and done % 500 == 0:
            progress(done, total)


def _export_query(request) -> dict:
    """The filters of the export as the form received them (JSON, for a job's params)."""
    return {name: request.GET[name] for name in AuditFilterForm.base_fields if request.GET.get(name)}


@role_required(*READERS)
@require_GET
def audit_export(request):
    """The filtered log as Excel: at once up to settings.EXPORT_INLINE_ROWS rows, else made in the background
    (a job: the user is sent to its page). Either way the export is audited with its filters and row count — a job's
    twice: when it is asked (with the job's number) and when the file is written (with the rows it holds). Whether
    it is a job is told by counting at most one row beyond the limit, not all the rows (a town's log holds hundreds
    of thousands: counting them took most of the request, issue 13)."""
    form, filters, entries = _town_entries(request)
    if form.is_bound and not form.is_valid():
        # Never the whole log in place of what was asked, nor a job of filters that cannot be kept (a NUL byte).
        messages.error(request, _("筛选条件有误，未导出。请在审计日志页按提示改正筛选条件后再导出。"))
        return redirect(f"{reverse('audit_log')}?{request.GET.urlencode()}")
    limit = settings.EXPORT_INLINE_ROWS
    if entries[:limit + 1].count() > limit:
        job = jobs.start(request.user, EXPORT_KIND, params={"query": _export_query(request)},
                         title=_("审计日志导出（%(rows)s条以上）") % {"rows": limit})
        audit.record(AuditEntry.Action.EXPORT, request=request,
                     detail={"page": "audit_log", "filters": filters, "job": job.pk})
        return redirect(job.get_absolute_url())
    rows = list(_export_rows(entries))
    response = xlsx_response(_export_filename(), EXPORT_HEADERS, rows, sheet_title=_("审计日志"))
    audit.record(AuditEntry.Action.EXPORT, request=request,
                 detail={"page": "audit_log", "filters": filters, "rows": len(rows)})
    return response


def export_allowed(job) -> None:
    """The export's owner still reads the audit log (a role of READERS, and a town unless they read every town)."""
    owner = job.owner
    if not has_role(owner, *READERS) or not (_reads_every_town(owner) or user_town_id(owner)):
        raise jobs.JobRefused(_("您已无权导出审计日志。"))


def run_export(job, out, progress) -> str:
    """The export as a job: the owner's scope and the filters checked again now, then written row by row."""
    owner = job.owner
    export_allowed(job)
    form = AuditFilterForm(job.params.get("query") or {})
    if not form.is_valid():
        raise jobs.JobRefused(_("筛选条件有误，请在审计日志页重新筛选后导出。"))
    filters = {k: v for k, v in form.cleaned_data.items() if v}
    entries = audit_log_entries(owner, filters)
    total = entries.count()
    progress(0, total)
    write_xlsx(out, EXPORT_HEADERS, _export_rows(entries, progress, total), sheet_title=_("审计日志"))
    progress(total, total)
    audit.record(AuditEntry.Action.EXPORT, user=owner,
                 detail={"page": "audit_log", "filters": filters, "rows": total, "job": job.pk})
    return _export_filename()


jobs.register(EXPORT_KIND, run=run_export, check=export_allowed)
