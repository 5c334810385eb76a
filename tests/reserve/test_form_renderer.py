"""reserve.form_renderer: the stock text inputs, check boxes, text areas and selects come out byte for byte as
Django's own templates write them — for every kind, every value (none, empty, text to escape, safe text, dates,
numbers), grouped options, and every field of the app's forms that can be made without arguments; any other
template is Django's."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from reserve.form_renderer import FastWidgetRenderer
from tests.reserve.test_crispy_fast import app_forms

FAST, STOCK = FastWidgetRenderer(), DjangoTemplates()

WIDGETS = [
    forms.TextInput(), forms.TextInput(attrs={"class": "a b", "placeholder": '<"x">', "maxlength": 10}),
    forms.NumberInput(attrs={"min": 0, "step": "0.1"}), forms.EmailInput(), forms.URLInput(),
    forms.PasswordInput(render_value=True), forms.HiddenInput(), forms.DateInput(attrs={"type": "date"}),
    forms.DateTimeInput(), forms.TimeInput(), forms.SearchInput(), forms.TelInput(), forms.ColorInput(),
    forms.CheckboxInput(), forms.CheckboxInput(attrs={"disabled": True, "data-x": False}),
    forms.Textarea(), forms.Textarea(attrs={"rows": 3, "cols": 20}),
    forms.Select(choices=[("", "—"), ("a", "甲 & <乙>"), (1, 1)]),
    forms.Select(choices=[("组一", [("a", "甲"), ("b", "乙")]), ("c", "丙")]),
    forms.SelectMultiple(choices=[("a", "甲"), ("b", "乙")]),
    forms.NullBooleanSelect(),
]
VALUES = [None, "", "王 <b>&\"'", mark_safe("<i>safe</i>"), 0, 12.5, datetime.date(2026, 12, 1),
          datetime.datetime(2026, 12, 1, 9, 30), True, False, "a", ["a", "b"], "1"]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
def test_each_stock_widget_renders_as_djangos_templates(widget):
    for value in VALUES:
        for attrs in (None, {"id": "id_x", "required": True, "aria-describedby": "id_x_helptext"}):
            try:
                stock = widget.render("field<1>", value, attrs=attrs, renderer=STOCK)
            except TypeError:  # a value this widget cannot take (a list for NullBooleanSelect): the same error
                with pytest.raises(TypeError):
                    widget.render("field<1>", value, attrs=attrs, renderer=FAST)
                continue
            fast = widget.render("field<1>", value, attrs=attrs, renderer=FAST)
            assert fast == stock, f"{type(widget).__name__} {value!r}:\n{fast}\n---\n{stock}"


def test_other_templates_are_djangos():
    widget = forms.RadioSelect(choices=[("y", "是"), ("n", "否")])
    assert widget.render("r", "y", renderer=FAST) == widget.render("r", "y", renderer=STOCK)
    upload = forms.ClearableFileInput()
    assert upload.render("f", None, renderer=FAST) == upload.render("f", None, renderer=STOCK)


def test_the_project_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "reserve.form_renderer.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


@pytest.mark.django_db
def test_every_field_of_the_apps_forms_that_need_no_arguments():
    compared = 0
    for form in app_forms():
        for field in form:
            fast = field.as_widget()
            form.renderer = STOCK
            stock = field.as_widget()
            form.renderer = FAST
            assert fast == stock, f"{type(form).__name__}.{field.name}:\n{fast}\n---\n{stock}"
            compared += 1
    assert compared >= 100
