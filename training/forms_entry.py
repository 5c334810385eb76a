"""Forms of the ways into the pool, the review of recommendations, relaxation, pool terms and follow-up."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.forms import MonthField
from reserve import idnumber
from reserve.choices import Education, PoliticalStatus
from reserve.forms import DateInput, ModelChoiceField, check_plausible_date
from reserve.models import Unit, Village
from reserve.roles import Role
from reserve.scope import Scope

from .entry import TERM_BOUNDS, TERM_FIELDS, check_term
from .models import TEXT_MAX, PoolMeeting, PoolTerm, Reserve, Tier

EDUCATION_CHOICES = [("", "---------"), *Education.choices]


def _past_date(label, required=False):
    return forms.DateField(label=label, required=required, widget=DateInput())


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("会议日期"), widget=DateInput())
    attendees = forms.CharField(label=_("出席委员"), max_length=TEXT_MAX,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("姓名之间用顿号、逗号或空格分隔"))
    minutes_ref = forms.CharField(label=_("会议记录编号"), max_length=60, required=False)
    note = forms.CharField(label=_("研究事项"), max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class EntryForm(forms.Form):
    """One person entering the pool by one way (source)."""

    name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = forms.CharField(label=_("身份证号码"), max_length=40,
                                help_text=_("18位，末位可为X；出生日期和性别以身份证号码为准"),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    tier = forms.TypedChoiceField(label=_("梯队"), coerce=int)
    village = ModelChoiceField(label=_("所在村（社区）"), queryset=Village.objects.none(), required=False)
    unit = ModelChoiceField(label=_("所在单位"), queryset=Unit.objects.none(), required=False,
                            help_text=_("村（社区）与单位二者选一"))
    meeting = ModelChoiceField(label=_("党委会研究"), queryset=PoolMeeting.objects.none(), required=False,
                               help_text=_("第一至第三梯队须经镇党委会研究确定"))
    recommended_by = forms.CharField(label=_("推荐组织"), max_length=60, required=False,
                                     help_text=_("推荐的办公室、中心或村（社区）党组织"))
    political_status = forms.ChoiceField(label=_("政治面貌"), required=False,
                                         choices=[("", "---------"), *PoliticalStatus.choices])
    party_join_date = _past_date(_("入党时间"))
    fulltime_education = forms.TypedChoiceField(label=_("全日制学历"), choices=EDUCATION_CHOICES, coerce=int,
                                                empty_value=None, required=False)
    education = forms.TypedChoiceField(label=_("最高学历"), choices=EDUCATION_CHOICES, coerce=int,
                                       empty_value=None, required=False, help_text=_("含在职教育"))
    post = forms.CharField(label=_("现工作单位及职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    civil_servant = forms.BooleanField(label=_("具有公务员身份"), required=False)
    middle_post_since = _past_date(_("任中层职务时间"))
    organ_work_since = _past_date(_("参加机关工作时间"))
    village_cadre_since = _past_date(_("任村（社区）干部时间"))
    project_amount = forms.IntegerField(label=_("管理项目金额（万元）"), min_value=0, max_value=10_000_000,
                                        required=False)
    field_experience = forms.CharField(label=_("技术、行业经验"), max_length=TEXT_MAX, required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    speciality = forms.CharField(label=_("专长"), max_length=100, required=False)
    entry_note = forms.CharField(label=_("入库说明"), max_length=TEXT_MAX, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    relaxation_reason = forms.CharField(label=_("放宽条件理由"), max_length=TEXT_MAX, required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}),
                                        help_text=_("特别优秀的，可适当放宽年龄和学历要求；须填写理由和批准人"))
    relaxation_approved_by = forms.CharField(label=_("批准人"), max_length=60, required=False)
    relaxation_approved_on = _past_date(_("批准日期"))

    FACTS = ("political_status", "party_join_date", "fulltime_education", "education", "post", "phone",
             "civil_servant", "middle_post_since", "organ_work_since", "village_cadre_since", "project_amount",
             "field_experience", "speciality")
    DATES = ("party_join_date", "middle_post_since", "organ_work_since", "village_cadre_since",
             "relaxation_approved_on")

    def __init__(self, *args, user, source, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        scope = Scope.for_user(user)
        office = scope.has(Role.OFFICE, Role.COMMITTEE)
        if source == Reserve.Source.COMMITTEE:
            tiers = (Tier.FIRST, Tier.SECOND, Tier.THIRD)
        elif source == Reserve.Source.RECOMMENDED:
            tiers = (Tier.FOURTH,)
        else:
            tiers = (Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.FOURTH)
        self.fields["tier"].choices = [(int(t), Tier(t).label) for t in tiers]
        self.fields["village"].queryset = Village.objects.filter(town=town)
        self.fields["unit"].queryset = Unit.objects.filter(town=town)
        self.fields["meeting"].queryset = PoolMeeting.objects.filter(town=town).order_by("-date", "-id")
        for name in ("village", "unit", "meeting"):
            self.fields[name].empty_label = _("请选择")
        if not office:
            # A unit account posts its own unit, a village account its own village: the other field is hidden
            # (a value posted there anyway is refused by the service).
            if scope.has(Role.UNIT) and scope.unit_id:
                unit = Unit.objects.filter(pk=scope.unit_id).first()
                self.fields["unit"].widget.choices = [(unit.pk, unit.name)] if unit else []
                self.fields["unit"].initial = scope.unit_id
                self.fields["unit"].help_text = ""
                self.fields["village"].widget = forms.HiddenInput()
            elif scope.has(Role.VILLAGE) and scope.village_id:
                village = Village.objects.filter(pk=scope.village_id).first()
                self.fields["village"].widget.choices = [(village.pk, village.name)] if village else []
                self.fields["village"].initial = scope.village_id
                self.fields["unit"].widget = forms.HiddenInput()
                self.fields["unit"].help_text = ""
            for name in ("relaxation_reason", "relaxation_approved_by", "relaxation_approved_on", "recommended_by",
                         "meeting"):
                del self.fields[name]
        elif source == Reserve.Source.RECOMMENDED:
            del self.fields["meeting"]
        else:
            del self.fields["recommended_by"]
        if not scope.has(Role.OFFICE):
            for name in ("relaxation_reason", "relaxation_approved_by", "relaxation_approved_on"):
                self.fields.pop(name, None)
        if len(tiers) == 1:
            self.fields["tier"].initial = int(tiers[0])
        if tiers == (Tier.FOURTH,):
            # Tier 4 reads the age and the field experience only.
            for name in ("civil_servant", "middle_post_since", "organ_work_since", "village_cadre_since",
                         "project_amount"):
                del self.fields[name]

    def sections(self):
        groups = (
            (_("人员"), ("name", "id_number", "tier", "village", "unit", "meeting", "recommended_by")),
            (_("基本情况"), ("political_status", "party_join_date", "fulltime_education", "education", "post",
                         "phone", "speciality")),
            (_("梯队条件"), ("civil_servant", "middle_post_since", "organ_work_since", "village_cadre_since",
                         "project_amount", "field_experience")),
            (_("放宽条件"), ("relaxation_reason", "relaxation_approved_by", "relaxation_approved_on")),
            (_("说明"), ("entry_note",)),
        )
        found = []
        for title, names in groups:
            fields = [self[n] for n in names if n in self.fields and not self.fields[n].widget.is_hidden]
            if fields:
                found.append((title, fields))
        return found

    def clean_id_number(self):
        return idnumber.normalise(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        for name in self.DATES:
            day = data.get(name)
            if day is not None:
                try:
                    check_plausible_date(day)
                except forms.ValidationError as e:
                    self.add_error(name, e)
        return data

    def entry_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "id_number": d["id_number"], "name": d["name"], "tier": d["tier"], "source": self.source,
            "village_id": d["village"].pk if d.get("village") else None,
            "unit_id": d["unit"].pk if d.get("unit") else None,
            "meeting_id": d["meeting"].pk if d.get("meeting") else None,
            "recommended_by": d.get("recommended_by", ""), "entry_note": d.get("entry_note", ""),
            "facts": {name: d.get(name) for name in self.FACTS if name in d},
            "relaxation_reason": d.get("relaxation_reason", ""),
            "relaxation_approved_by": d.get("relaxation_approved_by", ""),
            "relaxation_approved_on": d.get("relaxation_approved_on"),
        }


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve_reserve", _("审核通过")), ("decline_reserve", _("审核不通过"))])
    reason = forms.CharField(label=_("理由"), max_length=TEXT_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"max_length": _("理由不能超过1000字。")})
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput())


class RelaxationForm(forms.Form):
    relaxation_reason = forms.CharField(label=_("放宽条件理由"), max_length=TEXT_MAX, required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        help_text=_("特别优秀的，可适当放宽年龄和学历要求（只放宽这两项）"))
    relaxation_approved_by = forms.CharField(label=_("批准人"), max_length=60, required=False)
    relaxation_approved_on = forms.DateField(label=_("批准日期"), widget=DateInput())
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput())


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("回访日期"), widget=DateInput())
    visited_by = forms.CharField(label=_("回访人"), max_length=60)
    content = forms.CharField(label=_("回访情况"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class PoolTermForm(forms.ModelForm):
    """A pool term's parameters; the start is a year and month (the 1st of it)."""

    start = MonthField(label=_("开始年月"), help_text=_("方案“从20xx年x月开始”"))

    class Meta:
        model = PoolTerm
        fields = list(TERM_FIELDS)

    SECTIONS = (
        (_("届期"), ("name", "start", "period_years_min", "period_years_max", "term_years")),
        (_("各梯队目标人数"), ("target_tier1", "target_tier2", "target_tier3", "target_tier4")),
        (_("梯队条件"), ("age_limit_tier1", "age_limit_tier2", "age_limit_tier3", "age_limit_tier4",
                     "tier1_middle_post_years", "tier2_organ_work_years", "tier3_project_amount")),
        (_("日常管理"), ("renewal_notice_days", "talks_per_year", "due_talk_working_days", "mentor_within_days",
                     "rotation_subsidy_per_day")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in TERM_BOUNDS.items():
            field = self.fields[name]
            field.widget.attrs.update({"min": low, "max": high})
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
        if not self.instance.pk and not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("start", datetime.date(today.year, today.month, 1))

    def sections(self):
        return [(title, [self[n] for n in names]) for title, names in self.SECTIONS]

    def clean(self):
        data = super().clean()
        for name, message in check_term(data).items():
            if name not in self.errors and data.get(name) is not None:
                self.add_error(name, message)
        return data
