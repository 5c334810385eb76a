"""Forms of the office's publicity pages. They only parse input: every write goes through services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput, ModelChoiceField, ModelMultipleChoiceField
from reserve.models import CalendarDay

from .models import Objection


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VillageChoiceField(ModelMultipleChoiceField):
    """Villages with people awaiting publicity; each label lists those people's names."""

    def __init__(self, *args, names=None, **kwargs):
        self.names = names or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        names = self.names.get(obj.pk, [])
        return f"{obj.name}（{'、'.join(names)}）" if names else obj.name


class NoticeForm(forms.Form):
    villages = VillageChoiceField(
        label=_("公示的村（社区）"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("只列出有经党委研究确定、尚未公示人选的村（社区）；每村一份公示。"),
        error_messages={"required": _("请至少选择一个村（社区）。"),
                        "invalid_choice": _("所选村（社区）没有待公示的人选，请刷新页面后重新选择。"),
                        "invalid_pk_value": _("所选村（社区）无效。")},
    )
    start_date = forms.DateField(label=_("公示开始日期"), widget=DateInput(), required=False,
                                 help_text=_("最早为今天；按工作日计算的，如开始日期不是工作日，从其后的第一个工作日起计算。"))
    posted_first = forms.BooleanField(label=_("纸质公示已先行张贴"), required=False,
                                      help_text=_("公示已在村务公开栏等处张贴、现在补录进系统的，请勾选并填写张贴日期："
                                                  "公示期从张贴日期起计算，系统记录张贴日期、录入日期和录入人。"))
    posted_on = forms.DateField(label=_("张贴日期"), widget=DateInput(), required=False)
    contact_phone = forms.CharField(label=_("接受反映的联系电话"), max_length=40,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    contact_address = forms.CharField(label=_("来信来访地址"), max_length=120)

    def __init__(self, *args, villages, names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages
        self.fields["villages"].names = names

    @staticmethod
    def _within_a_year(day, what):
        today = timezone.localdate()
        if day is not None and day > today + datetime.timedelta(days=366):
            raise forms.ValidationError(_("%(w)s不能晚于一年以后。") % {"w": what})
        if day is not None and day < today - datetime.timedelta(days=366):
            raise forms.ValidationError(_("%(w)s不能早于一年以前。") % {"w": what})
        return day

    def clean(self):
        """Only the date of the chosen way counts: a paper notice's posting day, or else the start date. The other
        field may still hold a date typed before the box was ticked (or unticked): it is neither checked nor kept."""
        data = super().clean()
        if data.get("posted_first"):
            field, other, what, missing = "posted_on", "start_date", _("张贴日期"), _("请填写纸质公示的张贴日期。")
        else:
            field, other, what, missing = "start_date", "posted_on", _("公示开始日期"), _("请填写公示开始日期。")
        self._errors.pop(other, None)
        data.pop(other, None)
        if field not in self.errors:
            if data.get(field) is None:
                self.add_error(field, missing)
            else:
                try:
                    self._within_a_year(data[field], what)
                except forms.ValidationError as e:
                    self.add_error(field, e)
        return data

    def dates(self) -> dict:
        """The dates the service takes: a paper notice's posting day (its period starts then), or the start."""
        d = self.cleaned_data
        if d.get("posted_first"):
            return {"posted_on": d["posted_on"], "start_date": None}
        return {"posted_on": None, "start_date": d["start_date"]}


OFFICE_CHANNELS = [c for c in Objection.Channel.choices if c[0] != Objection.Channel.ONLINE]


class ObjectionRecordForm(forms.Form):
    """An objection received by phone, letter or visit, as the office records it."""

    channel = forms.ChoiceField(label=_("反映方式"), choices=OFFICE_CHANNELS, widget=forms.RadioSelect)
    received_at = forms.DateTimeField(label=_("收到时间"), widget=DateTimeInput())
    entry = ModelChoiceField(label=_("反映对象"), queryset=None, required=False,
                                   empty_label=_("（未指明，稍后指定）"))
    content = forms.CharField(label=_("反映内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    name = forms.CharField(label=_("反映人姓名"), max_length=30, required=False, help_text=_("可不填（匿名反映）"))
    phone = forms.CharField(label=_("反映人电话"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = notice.entries.all()
        self.notice = notice

    def clean_received_at(self):
        received = self.cleaned_data["received_at"]
        # Only what cannot be a date at all here (a year before 2000 overflowed on SQLite); the rules on the
        # time are the service's (publicity.services.check_received_at).
        if received.year < 2000:
            raise forms.ValidationError(_("收到时间不能早于公示发布日期。"))
        return received


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(_VersionedForm):
    entry = ModelChoiceField(label=_("反映对象"), queryset=None, empty_label=None)

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = objection.notice.entries.all()


class VerifyForm(_VersionedForm):
    verified_by = forms.CharField(label=_("核实人"), max_length=60)
    verification = forms.CharField(label=_("核实情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ConcludeForm(_VersionedForm):
    upheld = forms.TypedChoiceField(
        label=_("结论"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("反映属实（提请镇党委研究是否取消人选资格）")), ("no", _("反映不属实"))],
    )
    reason = forms.CharField(label=_("结论理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(_VersionedForm):
    """The committee's decision on an objection the office found true (the committee, or the office recording it)."""

    cancel = forms.TypedChoiceField(
        label=_("党委研究决定"), coerce=lambda v: v == "cancel", widget=forms.RadioSelect,
        choices=[("cancel", _("取消人选资格")), ("maintain", _("维持（不影响人选资格）"))],
        error_messages={"required": _("请选择党委研究决定。")},
    )
    reason = forms.CharField(label=_("党委研究意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明研究的会议及意见，如“X月X日党委会研究”。"),
                             error_messages={"required": _("请写明党委研究意见。")})


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        widgets = {"date": DateInput()}


class BaseCalendarDayFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            day = form.cleaned_data.get("date")
            if day is None:
                continue
            if day in seen:
                form.add_error("date", _("同一日期只能有一条。"))
            seen.add(day)


CalendarDayFormSet = forms.modelformset_factory(
    CalendarDay, form=CalendarDayForm, formset=BaseCalendarDayFormSet, extra=3, can_delete=True,
)
