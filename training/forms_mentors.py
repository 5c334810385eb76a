"""The pairing form (结对帮扶). It only parses input: the rules are in training.mentors.pair_mentor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput, ModelChoiceField

from .mentors import BASIS_MAX, PROPOSED_BY_MAX, eligible_mentors, needs_committee, pool_meetings_of


class MentorChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class MeetingChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        note = f" {obj.note[:30]}" if obj.note else ""
        ref = f"（{obj.minutes_ref}）" if obj.minutes_ref else ""
        return f"{obj.date:%Y-%m-%d}{ref}{note}"


class PairForm(forms.Form):
    mentor = MentorChoiceField(
        label=_("引路人"), queryset=None,
        error_messages={"required": _("请选择引路人。"),
                        "invalid_choice": _("所选账号不能担任该同志的引路人，请刷新页面后重新选择。")})
    start = forms.DateField(label=_("结对日期"), widget=DateInput(),
                            error_messages={"required": _("请填写结对日期。"), "invalid": _("请填写有效的日期。")})
    meeting = MeetingChoiceField(
        label=_("党委会研究"), queryset=None, required=False,
        help_text=_("第一至第三梯队：引路人由镇党委会研究确定，请选择该次会议。"),
        error_messages={"invalid_choice": _("所选党委会研究记录不存在，请刷新页面后重新选择。")})
    proposed_by = forms.CharField(label=_("提议单位"), max_length=PROPOSED_BY_MAX, required=False,
                                  help_text=_("第四梯队和村级后备干部：由所在单位提议、党建办指定。"))
    basis = forms.CharField(label=_("依据"), max_length=BASIS_MAX, required=False,
                            help_text=_("如：镇党委会研究确定；单位推荐、党建办指定"))

    def __init__(self, *args, reserve, **kwargs):
        super().__init__(*args, **kwargs)
        self.reserve = reserve
        self.fields["mentor"].queryset = eligible_mentors(reserve)
        if needs_committee(reserve):
            self.fields["meeting"].queryset = pool_meetings_of(reserve.town_id)
            self.fields["meeting"].required = True
            self.fields["meeting"].error_messages["required"] = _(
                "第一至第三梯队的引路人须经镇党委会研究确定，请选择党委会研究记录。")
            del self.fields["proposed_by"]
        else:
            del self.fields["meeting"]
            self.fields["proposed_by"].required = True
            self.fields["proposed_by"].error_messages["required"] = _(
                "请填写提议单位（引路人由党建办根据单位提议指定）。")
