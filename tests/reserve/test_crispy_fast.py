"""reserve.templatetags.crispy_fast: `as_crispy_field` built in Python gives the markup crispy-bootstrap5's template
gives (compared as HTML: same elements, attributes and text, whitespace aside), for every widget kind, with and
without errors, help text, a label, required — and for every field of every form of the app that can be made
without arguments; the widgets it does not handle still go through crispy's template."""

import importlib
import pkgutil

import pytest
from crispy_forms.templatetags import crispy_forms_filters
from django import forms
from django.template import engines
from django.test.html import parse_html

from reserve.templatetags import crispy_fast

APPS = ("reserve", "candidates", "vetting", "inspection", "publicity", "training", "cultivation", "assessment",
        "dossier")


def same_markup(field):
    fast = crispy_fast.fast_field(field)
    assert fast is not None, f"{field.name}: expected the fast path"
    slow = crispy_forms_filters.as_crispy_field(field)
    assert parse_html(str(fast)) == parse_html(str(slow)), f"{field.name}:\n{fast}\n---\n{slow}"


class EveryWidget(forms.Form):
    error_css_class = "has-error"
    required_css_class = "is-required"

    text = forms.CharField(label="姓名", help_text="<b>如</b>身份证所载")
    optional = forms.CharField(label="备注", required=False, widget=forms.TextInput(attrs={"class": "w-50"}))
    number = forms.IntegerField(label="名额", min_value=0)
    email = forms.EmailField(label="电子邮箱", required=False)
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(label="密码", widget=forms.PasswordInput)
    long = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}))
    choice = forms.ChoiceField(label="性别", choices=[("", "—"), ("m", "男"), ("f", "女")])
    many = forms.MultipleChoiceField(label="部门", choices=[("a", "纪委"), ("b", "派出所")], required=False)
    tick = forms.BooleanField(label="同意", help_text="须勾选")
    tick_optional = forms.BooleanField(label="可选", required=False)
    unlabelled = forms.CharField(label="", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    amount = forms.DecimalField(label="金额", max_digits=6, decimal_places=1)
    stamped = forms.DateTimeField(label="时间", show_hidden_initial=True, initial="2026-12-01 09:30")


@pytest.mark.parametrize("data", [None, {}, {"text": "<script>", "number": "-1", "day": "x", "choice": "z",
                                             "email": "nope", "amount": "1.25", "long": "a" * 3}])
def test_every_widget_kind_gives_crispys_markup(data):
    form = EveryWidget(data=data)
    if data is not None:
        form.is_valid()
    for field in form:
        same_markup(field)


def test_errors_on_a_bound_form_are_shown_with_their_ids():
    form = EveryWidget(data={"number": "-1"})
    assert not form.is_valid()
    html = str(crispy_fast.as_crispy_field(form["number"]))
    assert 'class="numberinput form-control is-invalid"' in html
    assert 'id="error_1_id_number"' in html and 'id="id_number_error"' in html


def test_radio_and_checkbox_lists_give_crispys_markup_and_files_still_use_its_template():
    class Rare(forms.Form):
        upload = forms.FileField(label="附件")
        radio = forms.ChoiceField(label="结论", choices=[("y", "是"), ("n", "否<b>")], widget=forms.RadioSelect,
                                  help_text="选一项")
        boxes = forms.MultipleChoiceField(label="多选", choices=[("组", [("a", "甲"), ("b", "乙")]), ("c", "丙")],
                                          widget=forms.CheckboxSelectMultiple)
        unlabelled = forms.MultipleChoiceField(label="", choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple,
                                               required=False)
        split = forms.SplitDateTimeField(label="时间")

    for data in (None, {"radio": "z"}):
        form = Rare(data=data)
        if data is not None:
            form.is_valid()
        for name in ("radio", "boxes", "unlabelled"):
            same_markup(form[name])
        for name in ("upload", "split"):
            assert crispy_fast.fast_field(form[name]) is None
            assert parse_html(str(crispy_fast.as_crispy_field(form[name]))) == parse_html(
                str(crispy_forms_filters.as_crispy_field(form[name])))


def test_templates_loading_crispy_fast_get_the_fast_filter_and_crispys_tags():
    engine = engines["django"].engine
    library = engine.template_libraries["crispy_fast"]
    assert library.filters["as_crispy_field"] is crispy_fast.as_crispy_field
    assert "crispy" in library.tags and "as_crispy_errors" in library.filters
    html = engines["django"].from_string("{% load crispy_fast %}{{ form.text|as_crispy_field }}").render(
        {"form": EveryWidget()})
    assert 'id="div_id_text"' in html and "asteriskField" in html


def test_the_apps_templates_load_the_fast_library():
    from pathlib import Path

    from django.conf import settings

    slow = [str(p) for p in Path(settings.BASE_DIR, "templates").rglob("*.html")
            if "crispy_forms_tags" in p.read_text(encoding="utf-8")]
    assert slow == [], "load crispy_fast instead of crispy_forms_tags"


def _app_form_classes():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith("forms"):
                importlib.import_module(f"{app}.{module.name}")
    seen, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS and cls not in seen:
            seen.append(cls)
    return seen


def app_forms():
    """Each form of the app that can be made without arguments, unbound and bound to empty data (validated); a
    form made for an object or a user is left to its pages' tests."""
    for cls in _app_form_classes():
        for data in (None, {}):
            try:
                form = cls(data=data)
                if data is not None:
                    form.is_valid()
                list(form)
            except (TypeError, KeyError, AttributeError, ValueError):
                break
            yield form


@pytest.mark.django_db
def test_every_field_of_the_apps_forms_that_need_no_arguments():
    compared = 0
    for form in app_forms():
        for field in form:
            if crispy_fast.fast_field(field) is not None:
                same_markup(field)
                compared += 1
    assert compared >= 100  # the app's forms hold several hundred fields; most are made without arguments
