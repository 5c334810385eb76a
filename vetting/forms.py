from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import ModelMultipleChoiceField
from reserve.models import Department
from reserve.uploads import clean_document

from .models import Finding, NegativeItem, VettingRequest


class FindingForm(forms.Form):
    """One negative-list item in a department's answer."""

    outcome = forms.ChoiceField(label=_("审查结果"), choices=Finding.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("附件"), required=False,
                                 help_text=_("可选：JPG、PNG 或 PDF，不超过5MB"))

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            upload = clean_document(upload)  # re-encoded, with a name chosen by the server
        return upload

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Finding.Outcome.FLAGGED and not (data.get("note") or "").strip():
            self.add_error("note", _("有此情形的，请写明具体情况。"))
        return data


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    conclusion = forms.CharField(
        label=_("审查结论"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不填则按各项结果自动生成"),
    )


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("处理意见"),
        choices=[(VettingRequest.Decision.CONFIRMED, _("确认不符合条件（资格审查不通过）")),
                 (VettingRequest.Decision.OVERRULED, _("不予采纳，视为通过"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开启理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NegativeItemForm(forms.ModelForm):
    departments = ModelMultipleChoiceField(
        label=_("负责审查的部门"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NegativeItem
        fields = ["text", "departments"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(town=town)
