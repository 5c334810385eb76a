"""The negative list's department boxes rendered in Python.

The negative list page draws, for each of its 13 items, a check box per department of the town (12 at county scale,
issue 13): through crispy's check-box-list template (reserve.templatetags.crispy_fast leaves check-box lists to it)
that was most of the page's time. `department_boxes` gives the same markup as `|as_crispy_field` gives this field
(tests/vetting/test_page_queries.py compares both, with and without errors), built with format_html.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs(attrs) -> str:
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


@register.filter
def department_boxes(field):
    """A required CheckboxSelectMultiple field (no help text) as crispy-bootstrap5's as_crispy_field draws it."""
    invalid = " is-invalid" if field.errors else ""
    errors = ""
    if field.errors:
        errors = format_html('<div id="{}_error" class="invalid-feedback">{}</div>', field.errors.field_id,
                             format_html_join("", '<p id="error_{}_{}"><strong>{}</strong></p>',
                                              ((i, field.auto_id, e) for i, e in enumerate(field.errors, 1))))
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    options = [option for _group, group_options, _index in widget.optgroups(
        field.html_name, widget.format_value(field.value()), attrs) for option in group_options]
    boxes = format_html_join("", '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" '
                             'value="{}"{}><label for="{}" class="form-check-label">{}</label>{}</div>', (
                                 (o["type"], invalid, field.html_name, o["value"], _attrs(o["attrs"]),
                                  o["attrs"].get("id", ""), o["label"], errors if last else "")
                                 for o, last in ((o, i == len(options) - 1) for i, o in enumerate(options))))
    css = field.css_classes()
    aria = format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else ""
    return format_html('<div id="div_{}" class="mb-3{}"><fieldset{}><legend class="form-label{} fs-6">{}{}</legend>'
                       "<div>{}</div></fieldset></div>", field.auto_id, f" {css}" if css else "", aria,
                       " requiredField" if field.field.required else "", field.label,
                       mark_safe('<span class="asteriskField">*</span>') if field.field.required else "", boxes)


def _day(value) -> str:
    """A date or a moment as the ledger shows it ("n月j日", a moment in local time), as |date:"n月j日" does."""
    from django.utils import dateformat, timezone

    if value is None:
        return ""
    if hasattr(value, "astimezone") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "n月j日")


@register.simple_tag
def ledger_cell(request, today):
    """A department's cell of the ledger's page (the request, or None where it has none), built in Python: 30 rows
    × a dozen departments drew it through nested template tags, most of the page's time (issue 13)."""
    from django.utils.translation import gettext as _

    if request is None:
        return ""
    if not request.answered:
        late = format_html('<br><small class="rule-fail">{}</small>', _("逾期")) if request.deadline < today else ""
        reminded = format_html("<br><small>{}</small>", _("已催办%(n)s次") % {"n": request.reminder_count}) \
            if request.reminder_count else ""
        return format_html("{}{}{}", _("待审"), late, reminded)
    if request.flagged:
        answer = format_html('<span class="rule-fail">{}</span>{}', _("有问题"), format_html(
            "（{}）", request.get_decision_display()) if request.decision else "")
    else:
        answer = format_html('<span class="rule-pass">{}</span>', _("通过"))
    if request.entered_by_office:
        signed = format_html("{}<br>{}，{}", _("由组织办代为录入（附纸质回复）"), request.paper_signer,
                             _day(request.paper_date))
    else:
        signer = request.signer_name
        signed = format_html("{}{}", format_html("{}，", signer) if signer else "", _day(request.signed_at))
    return format_html("{}<br><small>{}</small>", answer, signed)
