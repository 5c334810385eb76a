from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import RelaxationCategory
from .models import Round, VillageCadre


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RoundForm(forms.ModelForm):
    relaxation_categories = forms.MultipleChoiceField(
        label=_("可放宽条件的类别"),
        choices=RelaxationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("学历原则上须达到最低学历；以上类别可放宽（村级方案第二条）。"),
    )

    class Meta:
        model = Round
        fields = [
            "name", "year", "status",
            "reserves_per_village", "female_extra_reserves", "female_age_limit",
            "age_limit", "age_reference_date", "min_education",
            "relaxation_categories", "relaxed_min_education", "relaxed_age_extra",
            "negative_since_year", "probation_recovery_years", "expulsion_years", "family_planning_years",
            "nomination_start", "nomination_end", "review_start", "review_end",
            "inspection_start", "inspection_end", "publicity_start", "publicity_working_days",
            "reserve_term_years", "appraisal_pass_numerator", "appraisal_pass_denominator",
            "appraisal_turnout_numerator", "appraisal_turnout_denominator",
        ]
        widgets = {
            name: DateInput()
            for name in (
                "age_reference_date", "nomination_start", "nomination_end", "review_start", "review_end",
                "inspection_start", "inspection_end", "publicity_start",
            )
        }

    SECTIONS = (
        (_("基本信息"), ("name", "year", "status")),
        (_("推选数量"), ("reserves_per_village", "female_extra_reserves", "female_age_limit")),
        (_("基本条件"), ("age_limit", "age_reference_date", "min_education", "relaxation_categories",
                     "relaxed_min_education", "relaxed_age_extra")),
        (_("负面清单中的年限"), ("negative_since_year", "probation_recovery_years", "expulsion_years",
                           "family_planning_years")),
        (_("各阶段时间"), ("nomination_start", "nomination_end", "review_start", "review_end",
                       "inspection_start", "inspection_end", "publicity_start", "publicity_working_days",
                       "reserve_term_years")),
        (_("民主测评通过条件"), ("appraisal_pass_numerator", "appraisal_pass_denominator",
                         "appraisal_turnout_numerator", "appraisal_turnout_denominator")),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


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
