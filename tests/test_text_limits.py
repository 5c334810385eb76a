"""Every text a user can type has a length limit that fits its purpose (issue 10 §8): in the model (a TextField's
max_length, which its model forms enforce) and in every form of the project. One very long text field used to
tie up the server (a 600,000-character 自荐表 statement made its PDF take minutes)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models

from tests.test_architecture import STAGES

PROJECT_APPS = tuple(STAGES)  # every stage, so that a new app is checked as it is added

# Text fields no form reaches, each with why and where its length is bounded instead.
UNREACHED = {
    # The ID number's ciphertext column: the number is typed into a forms.CharField(max_length=40) and parsed to
    # its 18 characters (reserve.idnumber.parse) before it reaches the model.
    ("candidates", "Person", "id_number"),
}


def _project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def _text_fields():
    for model in _project_models():
        for field in model._meta.get_fields():
            if isinstance(field, (models.CharField, models.TextField)) and field.editable and not field.choices:
                yield model, field


@pytest.mark.parametrize("model, field", list(_text_fields()),
                         ids=lambda v: getattr(v, "__name__", getattr(v, "name", str(v))))
def test_every_editable_text_field_of_a_model_has_a_max_length(model, field):
    key = (model._meta.app_label, model.__name__, field.name)
    if key in UNREACHED:
        return
    assert field.max_length, f"{model.__name__}.{field.name} has no max_length"


def test_the_listed_exceptions_are_still_text_fields_without_a_form():
    """An exception stays justified: the field exists, and no model form of the project names it."""
    for app_label, model_name, field_name in UNREACHED:
        model = apps.get_model(app_label, model_name)
        assert isinstance(model._meta.get_field(field_name), (models.CharField, models.TextField))
        for form_class in _project_forms():
            meta = getattr(form_class, "_meta", None)
            if getattr(meta, "model", None) is model:
                assert field_name not in form_class.base_fields, form_class


def _project_forms():
    """Every form class defined in the project's apps' modules (forms.py, forms_public.py, admin.py, views …)."""
    found = set()
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        names = [app] + [m.name for m in pkgutil.walk_packages(package.__path__, prefix=f"{app}.")
                         if ".migrations" not in m.name and ".management" not in m.name]
        for module_name in names:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__.split(".")[0] in PROJECT_APPS:
                    found.add(obj)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


# Form fields whose length another rule bounds, each with why.
FORM_EXCEPTIONS = {
    # Passwords: Django's own password fields (the hashers bound the work: Argon2 hashes the whole input, and the
    # request body is capped by DATA_UPLOAD_MAX_MEMORY_SIZE). Another item of issue 10 owns the sign-in forms.
    "password", "password1", "password2", "old_password", "new_password1", "new_password2",
}


def _fields_of(form_class):
    """The fields of a form as drawn (some set their limits in __init__, e.g. Django's AuthenticationForm); the
    declared ones for a form that cannot be drawn without its arguments."""
    try:
        return form_class().fields
    except Exception:  # noqa: BLE001 — a form that needs arguments (town=, notice= …)
        return form_class.base_fields


def _text_form_fields():
    for form_class in _project_forms():
        for name, field in _fields_of(form_class).items():
            if type(field) in (forms.CharField, forms.RegexField, forms.SlugField) or (
                    isinstance(field, forms.CharField) and not isinstance(
                        field, (forms.EmailField, forms.URLField, forms.UUIDField, forms.GenericIPAddressField))):
                yield form_class, name, field


@pytest.mark.parametrize("form_class, name, field", list(_text_form_fields()),
                         ids=lambda v: getattr(v, "__qualname__", v if isinstance(v, str) else ""))
def test_every_text_field_of_a_form_has_a_max_length(form_class, name, field):
    if name in FORM_EXCEPTIONS:
        return
    assert field.max_length, f"{form_class.__module__}.{form_class.__qualname__}.{name} has no max_length"


def test_the_forms_were_found():
    """The walk above reaches the forms it is about (a broken walk would make the property test vacuous)."""
    names = {f"{c.__module__}.{c.__qualname__}" for c in _project_forms()}
    for expected in ("candidates.forms.NominationForm", "inspection.forms.ReportForm", "inspection.forms.TalkForm",
                     "vetting.forms.NegativeItemForm", "publicity.forms.ObjectionRecordForm",
                     "publicity.forms_public.PublicObjectionForm"):
        assert expected in names
