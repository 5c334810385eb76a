"""django-crispy-forms' template library with `as_crispy_field` rendered in Python for the common widgets.

Every form of the app renders its fields with `{{ form.x|as_crispy_field }}` (crispy-bootstrap5). Crispy renders
each field through its `bootstrap5/field.html` template and three nested includes — about 1 ms a field on this
machine, so a form of 34 fields spent ~40 ms in it before the page's own work (issue 13: the county budgets, every
page ≤ 50 ms). The app's templates load this library (`{% load crispy_fast %}`) instead of crispy's
`crispy_forms_tags`: it holds crispy's tags and filters unchanged and this `as_crispy_field`: the same markup
(tests/reserve/test_crispy_fast.py renders every field of every form of the app both ways and compares the HTML),
built with format_html for text inputs, text areas, selects, check boxes,
check-box lists and radio buttons; file inputs and multi-widgets — rarer and more intricate — still go through
crispy's template.
"""

from crispy_forms.templatetags import crispy_forms_filters, crispy_forms_tags
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from reserve.form_renderer import flat_attrs

__all__ = ["register", "as_crispy_field", "fast_field"]

register = template.Library()  # crispy's tags and filters, then this as_crispy_field in place of crispy's
register.tags.update(crispy_forms_tags.register.tags)
register.filters.update(crispy_forms_tags.register.filters)

_FALLBACK = (forms.FileInput, forms.MultiWidget)


def _widget_class(field, widget, extra: str) -> str:
    """The class attribute crispy's {% crispy_field %} gives the widget: its own classes, its class name in lower
    case (unless already there), then each of `extra`'s classes not yet present."""
    name = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    present = css.split()
    for cls in extra.split():
        if cls not in present:
            css += f" {cls}"
            present.append(cls)
    return css


def _errors(field):
    """crispy's field_errors_block.html."""
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>', field.errors.field_id,
        format_html_join("", '<p id="error_{}_{}"><strong>{}</strong></p>',
                         ((i, field.auto_id, error) for i, error in enumerate(field.errors, 1))))


def _help(field):
    """crispy's help_text.html."""
    parts = []
    if field.help_text:
        help_text = mark_safe(field.help_text)  # crispy prints help_text|safe: the form's own text, not input
        if field.auto_id:
            parts.append(format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, help_text))
        else:
            parts.append(format_html('<div class="form-text">{}</div>', help_text))
    return mark_safe("".join(parts))


def _errors_and_help(field):
    return mark_safe(_errors(field) + _help(field))


def _choice_list(field, widget):
    """crispy's radio_checkbox_select.html: a form-check per option (grouped options under their group's name),
    the errors in the last option, then the help text."""
    invalid = " is-invalid" if field.errors else ""
    id_ = widget.attrs.get("id") or field.auto_id
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()),
                              field.build_widget_attrs({"id": id_} if id_ else {}))
    parts = []
    for g, (group, options, _index) in enumerate(groups):
        if group:
            parts.append(format_html("<strong>{}</strong>", group))
        for i, option in enumerate(options):
            last = g == len(groups) - 1 and i == len(options) - 1
            parts.append(format_html(
                '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"{}>'
                '<label for="{}" class="form-check-label">{}</label>{}</div>', option["type"], invalid,
                field.html_name, option["value"], mark_safe(flat_attrs(option["attrs"])), option["attrs"].get("id", ""),
                option["label"], _errors(field) if last else ""))
    return format_html("<div>{}</div>{}", mark_safe("".join(parts)), _help(field))


def _widget(field, widget, extra: str):
    """The widget as str(field) renders it (with the hidden initial input of show_hidden_initial), with the class
    attribute crispy gives it."""
    rendered = field.as_widget(attrs={"class": _widget_class(field, widget, extra)})
    if field.field.show_hidden_initial:
        rendered += field.as_hidden(only_initial=True)
    return rendered


def _required_mark(field):
    return mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""


def fast_field(field):
    """The markup of crispy-bootstrap5's field.html for `field`, or None when crispy's template must render it."""
    widget = field.field.widget
    if isinstance(widget, _FALLBACK) or hasattr(widget, "widget"):
        return None
    if field.is_hidden:
        return str(field)
    required = " requiredField" if field.field.required else ""
    css_classes = field.css_classes()
    wrapper_extra = f" {css_classes}" if css_classes else ""
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        rendered = _widget(field, widget, "form-check-input" + invalid)
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}<label for="{}" class="form-check-label{}">'
            "{}{}</label>{}</div></div>",
            field.auto_id, wrapper_extra, rendered, field.id_for_label, required, field.label, _required_mark(field),
            _errors_and_help(field))
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple, its subclass
        rendered, after = _choice_list(field, widget), ""
    else:
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        rendered, after = _widget(field, widget, base + invalid), _errors_and_help(field)
    label = ""
    if field.label:
        use_fieldset = field.use_fieldset
        tag = "legend" if use_fieldset else "label"
        label = format_html(
            '{}<{}{} class="form-label{}{}">{}{}</{}>',
            format_html('<fieldset{}>', format_html(' aria-describedby="{}"', field.aria_describedby)
                        if field.aria_describedby else "") if use_fieldset else "",
            tag, format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            required, " fs-6" if use_fieldset else "", field.label, _required_mark(field), tag)
    closing = mark_safe("</fieldset>") if field.use_fieldset and field.label else ""
    return format_html('<div id="div_{}" class="mb-3{}">{}{}{}{}</div>', field.auto_id, wrapper_extra, label,
                       rendered, after, closing)


@register.filter(name="as_crispy_field")
def as_crispy_field(field, template_pack=crispy_forms_filters.TEMPLATE_PACK, label_class="", field_class=""):
    if (template_pack == "bootstrap5" and not label_class and not field_class
            and isinstance(field, forms.BoundField) and getattr(field.form, "helper", None) is None):
        html = fast_field(field)
        if html is not None:
            return html
    return crispy_forms_filters.as_crispy_field(field, template_pack, label_class, field_class)
