"""Forms of practice and training. They only parse input: the rules and every write are in practice.py and
courses.py."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput, ModelChoiceField
from training.models import TEXT_MAX

from .models import Course, Grade

TEXTAREA = forms.Textarea(attrs={"rows": 3})
# Dates further than this from today are typos (a year 2206): refused by the form before any rule.
PLAUSIBLE = datetime.timedelta(days=10 * 366)


class PlausibleDateField(forms.DateField):
    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and abs(day - timezone.localdate()) > PLAUSIBLE:
            raise forms.ValidationError(_("日期不在合理范围内，请核对。"))
        return day


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务名称"), max_length=100)
    content = forms.CharField(label=_("任务内容和要求"), max_length=TEXT_MAX, widget=TEXTAREA)
    given_by = forms.CharField(label=_("交办人"), max_length=60)
    given_on = PlausibleDateField(label=_("交办日期"))
    due_on = PlausibleDateField(label=_("完成期限"))


class ReportForm(VersionForm):
    result = forms.CharField(label=_("完成情况"), max_length=TEXT_MAX, widget=TEXTAREA)
    reported_on = PlausibleDateField(label=_("完成日期"))


class EvaluateForm(VersionForm):
    grade = forms.ChoiceField(label=_("评价等次"), choices=Grade.choices)
    comment = forms.CharField(label=_("评价意见"), max_length=TEXT_MAX, widget=TEXTAREA)


class CancelForm(VersionForm):
    reason = forms.CharField(label=_("取消理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(forms.Form):
    date = PlausibleDateField(label=_("会议日期"))
    meeting = forms.CharField(label=_("会议名称"), max_length=100, help_text=_("如：东山村“四议两公开”村民代表会议"))
    note = forms.CharField(label=_("参与情况"), max_length=TEXT_MAX, widget=TEXTAREA, required=False)


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label=_("培养方式"), choices=Course.Kind.choices)
    topic = forms.ChoiceField(label=_("培训类别"), choices=[("", "—")] + list(Course.Topic.choices), required=False,
                              help_text=_("镇办培训班（学习一批）必填"))
    title = forms.CharField(label=_("名称"), max_length=100)
    organiser = forms.CharField(label=_("举办（接收）单位"), max_length=100,
                                help_text=_("上派轮训、实习锻炼：接收单位"))
    start = PlausibleDateField(label=_("开始日期"))
    end = PlausibleDateField(label=_("结束日期"))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    hours = forms.DecimalField(label=_("学时"), min_value=0, max_digits=6, decimal_places=1, initial=Decimal(0))
    subsidy_per_day = forms.DecimalField(label=_("补贴标准（元/工作日）"), min_value=0, max_digits=6, decimal_places=2,
                                         required=False, help_text=_("上派轮训：不填则按人才库届期的标准"))
    meals_provided = forms.BooleanField(label=_("镇政府保障工作用餐"), required=False, initial=True)
    note = forms.CharField(label=_("说明"), max_length=TEXT_MAX, widget=TEXTAREA, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期早于开始日期：培训不能在开始之前结束，请检查日期。"))
        if data.get("kind") == Course.Kind.CLASS and not data.get("topic"):
            self.add_error("topic", _("镇办培训班请选择培训类别（理论、业务或实践）。"))
        return data


class ReserveChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit_name}）"


class EnrolForm(forms.Form):
    reserve = ReserveChoiceField(label=_("后备干部"), queryset=None,
                                 error_messages={"invalid_choice": _("所选人员不在本镇培养中的后备干部之列，或已参训。")})
    sending_unit = forms.CharField(label=_("派出单位"), max_length=100, required=False,
                                   help_text=_("不填则为其所在村（社区）或单位"))

    def __init__(self, *args, reserves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reserve"].queryset = reserves


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(label=_("参加情况"), choices=[("1", _("已参加")), ("0", _("未参加"))],
                                      coerce=lambda v: v == "1", widget=forms.RadioSelect)
    hours = forms.DecimalField(label=_("实际学时"), min_value=0, max_digits=6, decimal_places=1, required=False,
                               help_text=_("不填则按培训学时计"))
    sending_unit = forms.CharField(label=_("派出单位"), max_length=100, required=False)
    result = forms.CharField(label=_("学习（轮训）成果"), max_length=TEXT_MAX, widget=TEXTAREA, required=False)
    grade = forms.ChoiceField(label=_("等次"), choices=[("", "—")] + list(Grade.choices), required=False)


class CourseFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("培养方式"), choices=[("", _("全部"))] + list(Course.Kind.choices), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
