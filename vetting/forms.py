from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput, ModelMultipleChoiceField
from reserve.models import Department
from reserve.uploads import ATTACHMENT_HINT, LimitedFileInput, clean_document, size_limit_text

from .models import Finding, NegativeItem, VettingRequest
from .selectors import LEDGER_STATES


class FindingForm(forms.Form):
    """One negative-list item in a department's answer."""

    outcome = forms.ChoiceField(label=_("审查结果"), choices=Finding.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("附件"), required=False, widget=LimitedFileInput(hint=ATTACHMENT_HINT))

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        # The limit of the setting (UPLOAD_MAX_BYTES), read when the form is made.
        self.fields["attachment"].help_text = _("可选：JPG、PNG 或 PDF，不超过%(n)s") % {"n": size_limit_text()}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            upload = clean_document(upload, hint=ATTACHMENT_HINT)  # re-encoded, with a name chosen by the server
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
        label=_("负责审查的部门"), queryset=Department.objects.none(), required=True,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("每一项都须至少由一个部门审查，请勾选审查部门。")},
    )

    class Meta:
        model = NegativeItem
        fields = ["text", "departments"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, town_id, departments=None, **kwargs):
        """departments: the town's departments, read once for every item of the list (the boxes are drawn from
        them); the field checks a posted choice against the town's departments in the database."""
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        field.queryset = Department.objects.filter(town_id=town_id)
        if departments is not None:
            field.choices = [(d.pk, field.label_from_instance(d)) for d in departments]
        self.fields["text"].help_text = _(
            "年份、年限写作占位符：{since_year}（“××年以来”的起始年份）、{probation_years}、{expulsion_years}、"
            "{family_planning_years}，页面和文书中显示为本批次参数的数字。")
        # Departments suggested by the table of equivalent names are offered ticked: saving confirms them.
        self.suggested = list(self.instance.suggested_departments.all()) if self.instance.pk else []
        if self.suggested and not self.is_bound:
            self.initial["departments"] = [d.pk for d in self.instance.departments.all()] + [
                d.pk for d in self.suggested]

    @property
    def needs_saving(self) -> bool:
        """Changed, or holding suggestions the office confirms by saving."""
        return self.has_changed() or bool(self.suggested)


class DispatchForm(forms.Form):
    """A dispatch after the round's vetting deadline: the requests need a new deadline."""

    deadline = forms.DateField(label=_("新的答复期限"), widget=DateInput(),
                               error_messages={"required": _("本批次资格审查截止日期已过，请填写新的答复期限。"),
                                               "invalid": _("请按“年-月-日”填写日期。")})


class RemindForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    deadline = forms.DateField(label=_("新的答复期限"), widget=DateInput(),
                               error_messages={"required": _("请填写新的答复期限。"),
                                               "invalid": _("请按“年-月-日”填写日期。")})
    reason = forms.CharField(label=_("延期理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请写明延长答复期限的理由。")})


class ProxyAnswerForm(forms.Form):
    """The office enters a department's answer from its signed paper reply."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    paper_answer = forms.FileField(label=_("纸质回复扫描件"), widget=LimitedFileInput(hint=ATTACHMENT_HINT),
                                   error_messages={"required": _("请上传该部门签字盖章的纸质回复扫描件。")})
    paper_signer = forms.CharField(label=_("纸质回复签字人"), max_length=30,
                                   error_messages={"required": _("请填写纸质回复上的签字人姓名。")})
    paper_date = forms.DateField(label=_("纸质回复日期"), widget=DateInput(),
                                 error_messages={"required": _("请填写纸质回复的日期。"),
                                                 "invalid": _("请按“年-月-日”填写日期。")})
    conclusion = forms.CharField(
        label=_("审查结论"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("照纸质回复填写；不填则按各项结果自动生成"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper_answer"].help_text = _("部门签字盖章的纸质回复：JPG、PNG 或 PDF，不超过%(n)s") % {
            "n": size_limit_text()}

    def clean_paper_answer(self):
        return clean_document(self.cleaned_data["paper_answer"], hint=ATTACHMENT_HINT)


class LedgerFilterForm(forms.Form):
    """The ledger's filter: one village of the town (or all) and the answers' state (LEDGER_STATES). The villages
    are given as a list (read once: the choices and the check of the one chosen)."""

    village = forms.ChoiceField(label=_("村（社区）"), required=False)
    state = forms.ChoiceField(label=_("答复情况"), choices=list(LEDGER_STATES.items()), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("全部村（社区）")), *((str(v.pk), v.name) for v in villages)]

    def filters(self) -> dict:
        """village_id and state as the ledger's selectors take them: the whole ledger for a form not valid."""
        if not self.is_bound or not self.is_valid():
            return {"village_id": None, "state": "all"}
        village = self.cleaned_data["village"]
        return {"village_id": int(village) if village else None, "state": self.cleaned_data["state"] or "all"}
