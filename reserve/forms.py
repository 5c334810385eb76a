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


CadreFormSet = forms.modelformset_factory(VillageCadre, form=CadreForm, extra=2, can_delete=True)
