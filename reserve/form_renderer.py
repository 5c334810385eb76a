"""The form renderer (settings.FORM_RENDERER): Django's own, with its stock text inputs, check boxes, text areas and
selects written in Python rather than through their templates.

A widget is rendered by a template and two nested includes (input.html → attrs.html; select.html → one
select_option.html per option), about 0.3 ms a widget on this machine: the 自荐表 with its résumé and family rows
spent half its time there (issue 13: every page ≤ 50 ms). This renderer builds exactly the text Django's templates
build for those widget templates — same attributes in the same order, same escaping, same line breaks
(tests/reserve/test_form_renderer.py compares the two, byte for byte, for every kind) — and hands every other
template (file inputs, radio lists, a project's own widget templates, the form and field templates) to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_W = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(f"{_W}{name}.html" for name in (
    "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel",
    "color", "checkbox"))
TEXTAREA_TEMPLATE = f"{_W}textarea.html"
SELECT_TEMPLATE = f"{_W}select.html"
OPTION_TEMPLATE = f"{_W}select_option.html"


def flat_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"` for each attribute, ` name` for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{value}{flat_attrs(widget["attrs"])}>')


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{flat_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{flat_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f'\n  <option value="{conditional_escape(option["value"])}"{flat_attrs(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>\n')  # the option template's last line break
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return mark_safe(_input(widget))
            if template_name == TEXTAREA_TEMPLATE:
                return mark_safe(_textarea(widget))
            if template_name == SELECT_TEMPLATE:
                html = _select(widget)
                if html is not None:
                    return mark_safe(html)
        return super().render(template_name, context, request=request)
