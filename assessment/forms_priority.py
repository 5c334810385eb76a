"""Forms of the priority lists and of the 两委 vacancies. A choice that names nothing of the user's (another town's
village, a garbage id) is an invalid choice or, in the services, a 404 — never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import ModelChoiceField
from reserve.models import Village
from training.models import Tier

from .vacancies import NOTE_MAX, POST_MAX, REASON_MAX

PAGE_SIZE = 25


def DATE_INPUT():  # noqa: N802  (a widget factory used like a class)
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class TierFilterForm(forms.Form):
    """?tier= of the priority list (an unknown value is ignored)."""

    tier = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部类别")), *Tier.choices])

    def tier_value(self):
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get("tier")


class VacancyFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部")), ("open", _("未补齐")), ("filled", _("已补齐"))])
    village = ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none(), required=False,
                               empty_label=_("全部"))

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages if villages is not None else Village.objects.none()

    def state_value(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data.get("state") or ""

    def village_id(self) -> int | None:
        """The chosen village (one of the user's; anything else is no filter)."""
        if not self.is_bound or not self.is_valid() or not self.cleaned_data.get("village"):
            return None
        return self.cleaned_data["village"].pk


class VacancyForm(forms.Form):
    village = ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none(), empty_label=_("请选择"))
    post = forms.CharField(label=_("空缺职务"), max_length=POST_MAX,
                           help_text=_("如：村党支部委员、村委会委员、村委会主任"))
    arose_on = forms.DateField(label=_("出现空缺日期"), widget=DATE_INPUT())
    reason = forms.CharField(label=_("空缺原因"), max_length=REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：辞职、调离、去世、被罢免"))

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages if villages is not None else Village.objects.none()


class FillForm(forms.Form):
    """补齐空缺: from the pool (a candidate) or by other means (a note)."""

    MODES = (("reserve", _("从本村后备干部中推选")), ("other", _("以其他方式补齐")))

    mode = forms.ChoiceField(choices=MODES, widget=forms.HiddenInput)
    reserve = forms.CharField(required=False, max_length=20)
    filled_on = forms.DateField(label=_("日期"), widget=DATE_INPUT())
    note = forms.CharField(label=_("补齐说明"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("如：换届选举产生、上级选派"))

    def clean_reserve(self):
        raw = (self.cleaned_data.get("reserve") or "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= 2**63 - 1:
            raise forms.ValidationError(_("请选择一名后备干部。"))
        return int(raw)

    def clean(self):
        data = super().clean()
        if data.get("mode") == "reserve" and not data.get("reserve") and "reserve" not in self.errors:
            self.add_error("reserve", _("请选择一名后备干部。"))
        if data.get("mode") == "other" and not (data.get("note") or "").strip() and "note" not in self.errors:
            self.add_error("note", _("请填写补齐说明。"))
        return data
