from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
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
    """Django's sign-in form.

    A name longer than any account's goes through authenticate() like any other name: the same "wrong name or
    password" answer, counted by the lockout and audited. django-axes keeps it cut to the 255 characters of its
    column (reserve.signals.lockout_username; a longer one was a 500 on PostgreSQL, found by fuzzing), the audit
    log to 150. (Refusing it before authenticate(), as this form once did, left such tries uncounted.)
    """


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, whose current-password check is a sign-in attempt of the account.

    The current password is checked through authenticate() with the request, as the login page checks it: a
    wrong one is a failed login of the account (django-axes counts it against the account and the address,
    and the audit log records it, reserve.signals), and once the account or address is locked out the check
    is refused as the login is (the view then signs the session out). Otherwise a stolen session could guess
    the password without limit.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        if self.request is None:
            return super().clean_old_password()
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password

    def clean(self):
        """The new password differs from the current one: a one-time password an administrator set must really be
        replaced, so that the administrator no longer knows the account's password (三员分立)."""
        data = super().clean()
        old, new = data.get("old_password"), data.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("新密码不能与当前密码相同。"))
        return data


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's sign-in form (/admin/login/, the system and security administrators'), as the sign-in page's:
    an overlong name is an ordinary failed login there too (a name of 256 characters or more once answered 500
    on PostgreSQL there, issue 9 §15)."""
