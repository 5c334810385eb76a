"""Forms of the adjustments' pages (调整出库). They only parse input: the rules are in assessment.adjustments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import TEXT_MAX

from .adjustments import STALE
from .models import Adjustment

STATUS_CHOICES = [("", _("全部状态")), *Adjustment.Status.choices]


class AdjustmentFilterForm(forms.Form):
    """The list's filter (GET). A value it does not know is ignored, never a 500."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def status_value(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data.get("status") or ""


class AdjustmentActionForm(forms.Form):
    """A button of an adjustment's page: the version the page was drawn from (required: a POST without it, or
    with garbage in it, is refused as a stale page) and the reason or opinion."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1,
        error_messages={key: STALE for key in ("required", "invalid", "min_value", "max_value")})
    reason = forms.CharField(label=_("理由"), required=False, max_length=TEXT_MAX, widget=forms.Textarea,
                             error_messages={"max_length": _("理由不能超过%(limit_value)d字。")})

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "version" in self._errors:
            del self._errors["version"]
            self.cleaned_data.pop("version", None)
            self.add_error(None, STALE)


class AdjustmentRaiseForm(forms.Form):
    """The office proposes the removal of a reserve (不再符合后备干部条件)."""

    reason = forms.CharField(
        label=_("调整出库理由（组织办意见）"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明不再符合后备干部条件的具体情形；报镇党委审批，批准后方调整出库。"),
        error_messages={"required": _("请填写调整出库的理由。"), "max_length": _("理由不能超过%(limit_value)d字。")})
