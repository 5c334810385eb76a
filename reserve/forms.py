from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import VillageCadre


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CadreForm(forms.ModelForm):
    class Meta:
        model = VillageCadre
        fields = ["name", "gender", "birth_date", "post"]
        widgets = {"birth_date": DateInput()}

    def clean_birth_date(self):
        return check_plausible_date(self.cleaned_data["birth_date"])


CadreFormSet = forms.modelformset_factory(VillageCadre, form=CadreForm, extra=2, can_delete=True)


# --- form fields shared by every app ---------------------------------------------------------------

MAX_PK = 2**63 - 1


def _is_pk(value) -> bool:
    text = str(value).strip()
    # Length first: int() of thousands of digits is refused by Python itself (ValueError).
    return len(text) <= 19 and text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one object whose id is refused as an invalid choice unless it is a positive 64-bit
    integer, before any query (SQLite cannot even bind a larger one)."""

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, self.queryset.model) and not _is_pk(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            if not isinstance(pk, self.queryset.model) and not _is_pk(pk):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": pk})
        return super()._check_values(value)


def check_plausible_date(day, *, earliest=None, field_label=""):
    """A date a person typed: not after today and not before `earliest` (default 1900-01-01)."""
    import datetime

    from django.utils import timezone

    earliest = earliest or datetime.date(1900, 1, 1)
    if day > timezone.localdate():
        raise forms.ValidationError(_("日期不能晚于今天。"))
    if day < earliest:
        raise forms.ValidationError(_("日期不能早于%(d)s。") % {"d": f"{earliest:%Y-%m-%d}"})
    return day


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where it names one, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


class LoginForm(AuthenticationForm):
    """Django's sign-in form, which refuses a name longer than any account's before authenticating.

    Django's form draws the name's maximum length but does not check it, so a name of thousands of
    characters reached the lockout's table (django-axes keeps 255) and answered 500 on PostgreSQL
    (found by fuzzing). Such a name is no account: the same "wrong name or password" answer.
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > get_user_model()._meta.get_field("username").max_length:
            raise self.get_invalid_login_error()
        return super().clean()


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's sign-in form (/admin/login/, the system and security administrators'), with the same refusal
    of an overlong name: without it a name of 256 characters or more still answered 500 on PostgreSQL there
    (issue 9 §15)."""
