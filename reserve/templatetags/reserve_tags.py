"""The project's template tags and filters: {% load reserve_tags %}.

- `day|cn_date` (2026年12月1日) and `day|cn_month` (2026年12月): the one Chinese date format, the same
  as reserve.dates writes in documents; an empty value gives "" (so `|default:"—"` still works).
- `{% status_badge obj %}`: a badge of an object's status, in the colour its model declares next to
  its status choices (`BADGES = {status: "css classes"}`).
"""

import datetime
import functools

from django import template
from django.utils import timezone
from django.utils.html import format_html

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
