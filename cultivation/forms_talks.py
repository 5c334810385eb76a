"""Forms of talks (谈心谈话) and due talks (四必谈). They only parse input: the rules are in cultivation.talks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput

from .models import TalkKind
from .talks import DUE_KINDS, PLACE_MAX, REASON_MAX, TALKER_MAX, TEXT_MAX, TOPIC_MAX


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _required(label):
    return {"required": _("请填写%(f)s。") % {"f": label}}


class TalkForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("谈话时间"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("请填写谈话时间。"), "invalid": _("请填写有效的日期和时间。")})
    kind = forms.ChoiceField(label=_("谈话类型"), choices=TalkKind.choices,
                             error_messages={"required": _("请选择谈话类型。"),
                                             "invalid_choice": _("请选择谈话类型。")})
    place = forms.CharField(label=_("地点"), max_length=PLACE_MAX, error_messages=_required(_("地点")))
    talker = forms.CharField(label=_("谈话人"), max_length=TALKER_MAX, error_messages=_required(_("谈话人")))
    topic = forms.CharField(label=_("谈话主题"), max_length=TOPIC_MAX, error_messages=_required(_("谈话主题")))
    content = forms.CharField(label=_("谈话内容"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages=_required(_("谈话内容")))
    follow_up = forms.CharField(label=_("后续跟进"), max_length=TEXT_MAX, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("需要跟进帮助解决的问题、下一步措施"))


class DueTalkForm(forms.Form):
    kind = forms.ChoiceField(label=_("谈话类型"), choices=[(k.value, k.label) for k in DUE_KINDS],
                             initial=TalkKind.SETBACK,
                             error_messages={"required": _("请选择“四必谈”的谈话类型。"),
                                             "invalid_choice": _("请选择“四必谈”的谈话类型。")})
    reason = forms.CharField(label=_("事由"), max_length=REASON_MAX, error_messages=_required(_("事由")))
    arose_on = forms.DateField(label=_("发生日期"), widget=DateInput(),
                               error_messages={"required": _("请填写发生日期。"), "invalid": _("请填写有效的日期。")})
