"""Forms of the organisational inspection (组织考察), the appraisal (民主测评) and the committee's decision.

The forms only parse and check what was typed; every write goes through vetting.services.
"""

import datetime
import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from reserve.forms import DateInput, ModelChoiceField, check_plausible_date

from .models import QUALITIES, REPORT_MAX, CommitteeDecision, Talk, default_appraisal_options

# Upper bound of any typed count: far above a village's voters, far below the database's integer range.
MAX_COUNT = 100000
MAX_OPTIONS = 8
MAX_OPTION_LENGTH = 10
OPTION_SEPARATORS = re.compile(r"[,，、;；/\s]+")


def _count_field(label, *, required=False, initial=None):
    return forms.IntegerField(
        label=label, required=required, min_value=0, max_value=MAX_COUNT, initial=initial,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_COUNT, "inputmode": "numeric"}),
    )


# --- 个别谈话 ---------------------------------------------------------------------------------------

class TalkForm(forms.ModelForm):
    """Parses a talk record; the view hands cleaned_data to services.talk_add (it never saves the form)."""

    class Meta:
        model = Talk
        fields = ["date", "place", "talkers", "interviewee", "category", "content"]
        widgets = {
            "date": DateInput(),
            "content": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "talkers": _("多人之间用顿号分隔"),
        }

    def clean_date(self):
        # A talk is recorded after it took place, in the round's year or the one before.
        return check_plausible_date(self.cleaned_data["date"], earliest=datetime.date(2000, 1, 1))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- 考察材料 ---------------------------------------------------------------------------------------

class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("考察材料"), strip=False, max_length=REPORT_MAX,
        widget=forms.Textarea(attrs={"rows": 28, "class": "report-text"}),
        help_text=_("落款的考察人和日期请填在下方两栏，打印时自动加在正文之后。"),
    )
    inspectors = forms.CharField(label=_("考察人"), max_length=100, required=False,
                                 help_text=_("多人之间用顿号分隔"))
    report_date = forms.DateField(label=_("日期"), required=False, widget=DateInput())

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n").rstrip()
        if not text.strip():
            raise ValidationError(_g("考察材料不能为空。"))
        return text


SIGNATURE_PLACEHOLDERS = ("考察组：", "年　月　日")


def draft_without_signature(draft: str) -> str:
    """A generated draft without its trailing signature placeholders (the form has fields for them)."""
    lines = draft.rstrip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].strip() in SIGNATURE_PLACEHOLDERS):
        lines.pop()
    return "\n".join(lines)


def body_without_title(text: str, title: str) -> str:
    """The report text for printing under its own title: a first line repeating the title is dropped."""
    lines = text.split("\n")
    if lines and lines[0].strip() == title:
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    return "\n".join(lines)


# --- 民主测评 ---------------------------------------------------------------------------------------

class SessionForm(forms.Form):
    village = ModelChoiceField(label=_("村（社区）"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("测评时间"), widget=DateInput())
    place = forms.CharField(label=_("测评地点"), max_length=80)
    options = forms.CharField(
        label=_("评价选项"), max_length=120, initial="、".join(default_appraisal_options()),
        help_text=_("按从好到差排列，用顿号或逗号分隔"),
    )
    pass_options = forms.IntegerField(
        label=_("计入通过票的选项数"), min_value=1, max_value=MAX_OPTIONS - 1, initial=2,
        help_text=_("排在前面的几项计入通过票，默认前两项（优秀+称职）"),
    )
    entitled_party_member = _count_field(_("应参加党员人数"), required=True, initial=0)
    entitled_villager_rep = _count_field(_("应参加村民代表人数"), required=True, initial=0)
    entitled_committee = _count_field(_("应参加两委成员人数"), required=True, initial=0)
    repeat_reason = forms.CharField(
        label=_("再次测评理由"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本村本批次已组织过民主测评时必填；前后各次测评均保留在记录和考察材料中"),
    )

    SERVICE_FIELDS = ("date", "place", "options", "pass_options",
                      "entitled_party_member", "entitled_villager_rep", "entitled_committee", "repeat_reason")

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        for name in ("entitled_party_member", "entitled_villager_rep", "entitled_committee"):
            self.fields[name].help_text = _("没有这类投票人时填0")

    def clean_options(self):
        options = [o for o in OPTION_SEPARATORS.split(self.cleaned_data["options"]) if o]
        if len(options) < 2:
            raise ValidationError(_g("至少需要两个评价选项。"))
        if len(options) > MAX_OPTIONS:
            raise ValidationError(_g("评价选项不能超过%(n)d个。") % {"n": MAX_OPTIONS})
        if len(set(options)) != len(options):
            raise ValidationError(_g("评价选项不能重复。"))
        if any(len(o) > MAX_OPTION_LENGTH for o in options):
            raise ValidationError(_g("每个评价选项不能超过%(n)d个字。") % {"n": MAX_OPTION_LENGTH})
        return options

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class TallyForm(forms.Form):
    """The ballots of one voter category for one nomination: issued, returned, valid, a count per option,
    and optionally the five-quality counts per option. A form left entirely blank means "not recorded"."""

    issued = _count_field(_("发出票数"))
    returned = _count_field(_("收回票数"))
    valid = _count_field(_("有效票数"))

    def __init__(self, *args, options, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_label = label
        self.options = list(options)
        self.is_blank = False
        for i, option in enumerate(self.options):
            self.fields[f"count_{i}"] = _count_field(option)
        for q, quality in enumerate(QUALITIES):
            for i, option in enumerate(self.options):
                self.fields[f"q{q}_{i}"] = _count_field(f"{quality}·{option}")

    @classmethod
    def initial_from(cls, tally) -> dict:
        if tally is None:
            return {}
        initial = {"issued": tally.issued, "returned": tally.returned, "valid": tally.valid}
        for i, c in enumerate(tally.counts):
            initial[f"count_{i}"] = c
        for q, quality in enumerate(QUALITIES):
            for i, c in enumerate((tally.qualities or {}).get(quality) or []):
                initial[f"q{q}_{i}"] = c
        return initial

    # Rendering helpers.
    def count_fields(self):
        return [self[f"count_{i}"] for i in range(len(self.options))]

    def quality_rows(self):
        return [(quality, [(option, self[f"q{q}_{i}"]) for i, option in enumerate(self.options)])
                for q, quality in enumerate(QUALITIES)]

    def quality_open(self) -> bool:
        """Show the five-quality table unfolded when it holds values or errors."""
        return any(field.errors or field.value() not in (None, "")
                   for _quality, cells in self.quality_rows() for _option, field in cells)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        main = ["issued", "returned", "valid"] + [f"count_{i}" for i in range(len(self.options))]
        quality_names = [f"q{q}_{i}" for q in range(len(QUALITIES)) for i in range(len(self.options))]
        self.is_blank = all(data.get(name) is None for name in main + quality_names)
        if self.is_blank:
            return data
        for name in ("issued", "returned", "valid"):
            if data.get(name) is None:
                self.add_error(name, _g("请填写%(f)s。") % {"f": self.fields[name].label})
        return data

    def service_fields(self) -> dict:
        """issued, returned, valid, counts and qualities for services.tally_record. A blank option count
        is 0; a quality whose counts are all blank is left out."""
        d = self.cleaned_data
        qualities = {}
        for q, quality in enumerate(QUALITIES):
            values = [d.get(f"q{q}_{i}") for i in range(len(self.options))]
            if any(v is not None for v in values):
                qualities[quality] = [v or 0 for v in values]
        return {
            "issued": d["issued"], "returned": d["returned"], "valid": d["valid"],
            "counts": [d.get(f"count_{i}") or 0 for i in range(len(self.options))],
            "qualities": qualities,
        }


# --- 镇党委研究确定 ----------------------------------------------------------------------------------

class MeetingForm(forms.Form):
    date = forms.DateField(label=_("会议日期"), widget=DateInput())
    members_total = forms.IntegerField(label=_("应到委员人数"), min_value=1, max_value=99,
                                       widget=forms.NumberInput(attrs={"min": 1, "max": 99, "inputmode": "numeric"}),
                                       help_text=_("镇党委委员总数"))
    members_present = forms.IntegerField(label=_("实到委员人数"), min_value=0, max_value=99,
                                         widget=forms.NumberInput(attrs={"min": 0, "max": 99, "inputmode": "numeric"}))
    attendees = forms.CharField(label=_("出席委员"), max_length=1000,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("出席会议的委员姓名，多人之间用顿号分隔；人数须与实到人数一致"))
    minutes_ref = forms.CharField(label=_("会议记录编号"), max_length=60, required=False)

    SERVICE_FIELDS = ("date", "members_total", "members_present", "attendees", "minutes_ref")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class DecisionForm(forms.Form):
    nomination = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(label=_("研究结果"), choices=CommitteeDecision.Outcome.choices,
                                widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_("不同意时必填"))
    quota_reason = forms.CharField(label=_("超出名额的理由"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("同意人数超出本村剩余名额时必填"))

    def __init__(self, *args, nomination_id=None, **kwargs):
        suffix = nomination_id if nomination_id is not None else "x"
        kwargs.setdefault("auto_id", f"id_%s_{suffix}")
        if nomination_id is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"nomination": nomination_id})
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = _g("请选择研究结果。")


class MeetingFilterForm(forms.Form):
    """The filter of a meeting's page: one village of the town (or all) — for both the nominations awaiting a
    decision and the decisions recorded — and one outcome of the decisions (or both). The villages are given as a
    list (read once: the choices and the check of the one chosen)."""

    village = forms.ChoiceField(label=_("村（社区）"), required=False)
    outcome = forms.ChoiceField(label=_("研究结果"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("全部村（社区）")), *((str(v.pk), v.name) for v in villages)]
        self.fields["outcome"].choices = [("", _("全部")), *CommitteeDecision.Outcome.choices]

    def filters(self) -> dict:
        """village_id and outcome as the selectors take them: no filter for a form not valid."""
        if not self.is_bound or not self.is_valid():
            return {"village_id": None, "outcome": None}
        village = self.cleaned_data["village"]
        return {"village_id": int(village) if village else None, "outcome": self.cleaned_data["outcome"] or None}

    def query(self) -> str:
        """The filters as a query string (without the pages), for the pager's links and the decision forms."""
        f = self.filters()
        return urlencode({k: v for k, v in (("village", f["village_id"]), ("outcome", f["outcome"])) if v})
