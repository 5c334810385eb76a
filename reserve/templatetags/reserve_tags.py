"""The project's template tags and filters: {% load reserve_tags %}.

- `day|cn_date` (2026年12月1日) and `day|cn_month` (2026年12月): the one Chinese date format, the same
  as reserve.dates writes in documents; an empty value gives "" (so `|default:"—"` still works).
- `{% status_badge obj %}`: a badge of an object's status, in the colour its model declares next to
  its status choices (`BADGES = {status: "css classes"}`).
- `options|option_tags`: a select's options, (value, label, selected) each, as <option> tags.
- `{% audit_rows rows %}`: the audit log's rows (reserve.views_audit), built in Python.
"""

import datetime
import functools

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from reserve import dates

register = template.Library()


def _day(value):
    """The date of a date or a datetime (an aware datetime in the current time zone), else None."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def cn_date(value) -> str:
    return dates.cn_date(_day(value))


@register.filter
def cn_month(value) -> str:
    return dates.cn_month(_day(value))


@register.simple_tag
def status_badge(obj) -> str:
    """<span class="badge …" data-state="…">label</span> for obj.status: the label is the status choice's
    (obj.get_status_display()), the classes those the model declares for it in BADGES."""
    value = obj.status
    model = type(obj)
    css = model.BADGES.get(value, "text-bg-secondary")
    labels = _status_labels(model)  # get_status_display()'s labels, the choices read once
    label = labels.get(value, value) if labels is not None else obj.get_status_display()
    return format_html('<span class="badge {}" data-state="{}">{}</span>', css, value, label)


@functools.cache
def _status_labels(model) -> dict | None:
    """{status: its (lazy, translated when shown) label} of a model's status field — what get_status_display() finds,
    without building the choices' dict again at every row of a list; None when the status is not a field (a
    property with its own get_status_display, as a 公示's)."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        return dict(model._meta.get_field("status").flatchoices)
    except FieldDoesNotExist:
        return None


@register.filter
def option_tags(options) -> str:
    """A select's options — (value, label, selected) each — as <option> tags (a list's filter of many options drawn
    through the template was a good part of its time, issue 13)."""
    return mark_safe("".join(  # noqa: S308 — values and labels escaped
        f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'
        for value, label, selected in options))


@register.simple_tag
def audit_rows(rows) -> str:
    """The audit log's rows (reserve.views_audit._rows: the entry with its labels worked out), built in Python: 50
    rows of seven cells drawn through the template were most of the page's time beyond its SQL (issue 13)."""
    from django.utils.translation import gettext

    at, user, roles, address, action, obj, detail = (escape(gettext(w)) for w in (
        "时间", "账号", "角色", "地址", "类型", "对象", "详情"))

    def shown(value) -> str:
        return escape(value) if value else "—"

    out = []
    for row in rows:
        e = row["entry"]
        moment = f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}" if e.at else ""
        path = f'<span class="d-block text-muted">{escape(e.path)}</span>' if e.path else ""
        thing = f"<span>{escape(row['object'])}</span>" if row["object"] else "—"
        out.append(
            f'    <tr>\n      <td data-label="{at}" class="text-nowrap">{moment}</td>\n'
            f'      <td data-label="{user}">{shown(row["user"])}</td>\n'
            f'      <td data-label="{roles}" class="text-nowrap">{shown(row["roles"])}</td>\n'
            f'      <td data-label="{address}">{shown(e.address)}</td>\n'
            f'      <td data-label="{action}" class="text-nowrap">{escape(row["action"])}</td>\n'
            f'      <td data-label="{obj}">{thing}</td>\n'
            f'      <td data-label="{detail}" class="small text-break"><span>{escape(row["summary"] or "")}{path}</span></td>\n'
            f'    </tr>\n')
    return mark_safe("".join(out))  # noqa: S308 — every value escaped
