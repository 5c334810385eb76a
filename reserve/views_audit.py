"""The audit page: the audit log filtered, paged, exported.

An organisation office sees the entries of the accounts of its own town (office, committee, village
branches, departments, mentors), and the failed sign-ins typed with one of their usernames. The audit
administrator (等保 三员分立, if that role exists) sees every entry. Nobody changes or deletes an entry
here or anywhere else in the application.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import audit
from .excel import xlsx_response
from .models import AuditEntry
from .permissions import role_required
from .roles import Role, roles_of
from .selectors import AUDIT_ADMIN, audit_log_entries, user_town_id

PAGE_SIZE = 50
READERS = tuple(r for r in (Role.OFFICE, AUDIT_ADMIN) if r)

# Labels of the keys the application writes into an entry's detail.
DETAIL_LABELS = {
    "event": gettext_lazy("操作"), "from": gettext_lazy("原状态"), "to": gettext_lazy("新状态"),
    "reason": gettext_lazy("理由"), "data": gettext_lazy("内容"), "changed": gettext_lazy("修改项"),
    "status": gettext_lazy("状态码"), "method": gettext_lazy("请求方式"), "locked_out": gettext_lazy("已被锁定"),
    "name": gettext_lazy("姓名"), "phone": gettext_lazy("电话"), "post": gettext_lazy("职务"),
    "village": gettext_lazy("村（社区）"), "page": gettext_lazy("页面"), "file": gettext_lazy("文件"),
    "channel": gettext_lazy("反映方式"), "notice": gettext_lazy("公示编号"), "entry": gettext_lazy("反映对象编号"),
    "late": gettext_lazy("逾期"), "via": gettext_lazy("途径"), "rows": gettext_lazy("行数"),
    "filters": gettext_lazy("筛选条件"), "id_number": gettext_lazy("身份证号码"),
    "findings": gettext_lazy("审查结论"), "objector": gettext_lazy("反映人信息"), "field": gettext_lazy("字段"),
    "item": gettext_lazy("审查事项"), "finding": gettext_lazy("审查结论编号"), "with_reason": gettext_lazy("附理由"),
    "repeated": gettext_lazy("同一地址此前未逐条记录的同类拒绝次数"),
    "others": gettext_lazy("其他地址未逐条记录的拒绝次数"),
}


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


def _town_entries(request):
    if not (AUDIT_ADMIN and AUDIT_ADMIN in roles_of(request.user)) and not user_town_id(request.user):
        raise PermissionDenied  # an office account bound to no town
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, filters, audit_log_entries(request.user, filters)


def _roles(codes: str) -> str:
    labels = []
    for code in filter(None, (codes or "").split(",")):
        labels.append(str(Role(code).label) if code in Role.values else code)
    return "、".join(labels)


VALUE_LABELS = {"full": gettext_lazy("完整显示"), "masked": gettext_lazy("部分隐去")}


def _value(value) -> str:
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {_value(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def summary(detail) -> str:
    if not isinstance(detail, dict):
        return _value(detail)
    return "；".join(f"{DETAIL_LABELS.get(k, k)}：{_value(v)}" for k, v in detail.items() if v not in ("", None, [], {}))


def _object_kind(entry) -> str:
    return str(entry.content_type.name) if entry.content_type_id and entry.content_type else ""


def _object_shown(entry, kind: str) -> str:
    """The object as the page shows it: its label (自荐表 #12), with its type before it where the label lacks it."""
    if not entry.object_repr:
        return ""
    return entry.object_repr if not kind or entry.object_repr.startswith(kind) else f"{kind} {entry.object_repr}"


def _user_label(entry) -> str:
    full_name = entry.user.full_name if entry.user_id and entry.user else ""
    return f"{entry.username}（{full_name}）" if full_name else entry.username


def _rows(entries):
    for e in entries:
        kind = _object_kind(e)
        yield {
            "entry": e, "user": _user_label(e), "roles": _roles(e.roles), "action": e.get_action_display(),
            "kind": kind, "object": _object_shown(e, kind), "summary": summary(e.detail),
        }


@role_required(*READERS)
@require_GET
def audit_log(request):
    form, _filters, entries = _town_entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reserve/audit_log.html", {
        "form": form, "page": page, "rows": list(_rows(page.object_list)), "query": query.urlencode(),
    })


EXPORT_HEADERS = (
    gettext_lazy("时间"), gettext_lazy("账号"), gettext_lazy("角色"), gettext_lazy("地址"), gettext_lazy("类型"),
    gettext_lazy("对象类型"), gettext_lazy("对象"), gettext_lazy("对象编号"), gettext_lazy("网址"),
    gettext_lazy("详情"),
)


@role_required(*READERS)
@require_GET
def audit_export(request):
    _form, filters, entries = _town_entries(request)
    count = 0

    def rows():
        nonlocal count
        for row in _rows(entries.iterator(chunk_size=1000)):
            count += 1
            e = row["entry"]
            yield (e.at, row["user"], row["roles"], e.address, row["action"], row["kind"], e.object_repr,
                   e.object_id, e.path, row["summary"])

    response = xlsx_response(f"审计日志-{timezone.localdate():%Y%m%d}.xlsx", EXPORT_HEADERS, rows(),
                             sheet_title=_("审计日志"))
    audit.record(AuditEntry.Action.EXPORT, request=request,
                 detail={"page": "audit_log", "filters": filters, "rows": count})
    return response
