import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reserve import idnumber
from reserve.choices import Gender, PoliticalStatus, RelaxationCategory, TalkCategory, VoterCategory
from reserve.dates import age_on
from reserve.forms import DateInput, ModelChoiceField, check_plausible_date
from reserve.models import Village, VillageCadre
from reserve.uploads import ID_CARD_HINT, LimitedFileInput, clean_document, size_limit_text

from .eligibility import relaxed_conditions
from .models import (
    ROUND_PARAMETER_FIELDS,
    ROUND_PARAMETER_SECTIONS,
    FamilyMember,
    Nomination,
    ResumeEntry,
    Round,
    Status,
)
from .services import resume_line_error

PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)


class MonthInput(forms.DateInput):
    """A year and month (<input type="month">, YYYY-MM)."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A year and month (简历 起止年月, 家庭成员 出生年月), kept as the 1st of the month. A whole date (YYYY-MM-DD)
    is also taken, as the month it falls in."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y.%m", "%Y/%m"]
    default_error_messages = {"invalid": _("请填写年月，如 2015-09。")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if isinstance(day, datetime.date) else day


class RoundForm(forms.ModelForm):
    relaxation_categories = forms.MultipleChoiceField(
        label=_("可放宽条件的类别"),
        choices=RelaxationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("学历原则上须达到最低学历；以上类别可放宽（村级方案第二条）。"),
    )
    required_talk_categories = forms.MultipleChoiceField(
        label=_("个别谈话须覆盖的对象类别"), choices=TalkCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("每类至少谈话一人，方可提交党委研究（村级方案第三条）。"),
    )
    required_appraisal_categories = forms.MultipleChoiceField(
        label=_("民主测评须包含的投票人类别"), choices=VoterCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Round
        fields = list(ROUND_PARAMETER_FIELDS)
        widgets = {name: DateInput() for name in Round.DATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # May be left empty (clean_public_list_days), so that a form drawn before the field existed still saves.
        self.fields["public_list_days"].required = False

    def clean_public_list_days(self):
        value = self.cleaned_data.get("public_list_days")
        if value is None:  # left empty: as it was (a new round: the model's default)
            return self.instance.public_list_days if self.instance.pk else Round._meta.get_field(
                "public_list_days").default
        return value

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in ROUND_PARAMETER_SECTIONS]


class NominationForm(forms.ModelForm):
    """The 自荐表. Identity fields belong to the person; the rest to this round's nomination."""

    name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=40,
        help_text=_("18位，末位可为X；填写后自动带出出生日期和性别"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "---------"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput())

    class Meta:
        model = Nomination
        fields = [
            "ethnicity", "native_place", "birthplace", "political_status", "party_join_date",
            "work_start_date", "health", "hukou_village", "hukou_address",
            "fulltime_education", "fulltime_school", "inservice_education", "inservice_school",
            "work_unit_post", "phone", "speciality", "awards_punishments", "statement",
            "relaxation_category", "relaxation_note", "id_card_copy",
        ]
        field_classes = {"hukou_village": ModelChoiceField}
        widgets = {
            "party_join_date": DateInput(),
            "work_start_date": DateInput(),
            "awards_punishments": forms.Textarea(attrs={"rows": 3}),
            "statement": forms.Textarea(attrs={"rows": 5}),
            "relaxation_note": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            # A plain file input: the page says itself that a copy is stored, with the link to the download view.
            "id_card_copy": LimitedFileInput(hint=ID_CARD_HINT),
        }

    SECTIONS = (
        (_("基本情况"), ("name", "id_number", "gender", "birth_date", "ethnicity", "native_place", "birthplace",
                     "political_status", "party_join_date", "work_start_date", "health")),
        (_("户籍"), ("hukou_village", "hukou_address")),
        (_("学历"), ("fulltime_education", "fulltime_school", "inservice_education", "inservice_school")),
        (_("工作与联系方式"), ("work_unit_post", "phone", "speciality")),
        (_("自荐理由与奖惩"), ("statement", "awards_punishments")),
        (_("放宽条件"), ("relaxation_category", "relaxation_note")),
        (_("附件"), ("id_card_copy",)),
    )

    def __init__(self, *args, town, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hukou_village"].queryset = Village.objects.filter(town=town)
        self.fields["hukou_village"].empty_label = _("请选择")
        if self.instance.pk:
            person = self.instance.person
            self.initial.update(
                name=self.instance.name, id_number=person.id_number, gender=person.gender,
                birth_date=person.birth_date,
            )
        self.fields["phone"].help_text = _("手机号码或固定电话")
        self.fields["id_card_copy"].help_text = _(
            "JPG、PNG 图片或 PDF 文件，不超过%(n)s；提交前必须上传。手机照片过大时会自动压缩；"
            "仍然过大的，可用手机相册的“编辑→裁剪”只保留证件部分，或截屏后上传截图。") % {"n": size_limit_text()}
        if round_ is not None:
            self.fields["relaxation_category"].help_text = _("本批次放宽条件：%(w)s。是否放宽由镇组织办决定。") % {
                "w": "；".join(relaxed_conditions(round_))}

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_id_number(self):
        try:
            return idnumber.parse(self.cleaned_data["id_number"], today=timezone.localdate())
        except ValidationError as e:
            raise ValidationError(e.messages) from None

    def clean_phone(self):
        phone = "".join(self.cleaned_data["phone"].split()).replace("－", "-")
        digits = phone.replace("-", "")
        if not re.fullmatch(r"[0-9]{7,13}", digits):
            raise ValidationError(_("请填写有效的电话号码（手机11位，或带区号的固定电话）。"))
        if len(digits) == 11 and "-" not in phone and not digits.startswith("1"):
            raise ValidationError(_("手机号码应以1开头。"))
        return phone

    def clean_id_card_copy(self):
        upload = self.cleaned_data.get("id_card_copy")
        if upload and hasattr(upload, "content_type"):  # a new file, not the stored one
            upload = clean_document(upload)  # re-encoded, with a name chosen by the server
        return upload

    def clean(self):
        data = super().clean()
        parsed = data.get("id_number")
        if isinstance(parsed, idnumber.IdNumber):
            gender, birth = data.get("gender"), data.get("birth_date")
            if gender and gender != parsed.gender:
                self.add_error("gender", _("性别与身份证号码不符（身份证号码显示为%(g)s）。")
                               % {"g": Gender(parsed.gender).label})
            if birth and birth != parsed.birth_date:
                self.add_error("birth_date", _("出生日期与身份证号码不符（身份证号码显示为%(d)s）。")
                               % {"d": f"{parsed.birth_date:%Y-%m-%d}"})
            data["gender"], data["birth_date"] = parsed.gender, parsed.birth_date
            born = parsed.birth_date
            today = timezone.localdate()
            if age_on(born, today) < 18:
                self.add_error("id_number", _("自荐人未满18周岁。"))
            join = data.get("party_join_date")
            if join and (join > today or age_on(born, join) < 18):
                self.add_error("party_join_date", _("入党时间须在年满18周岁之后且不晚于今天。"))
            work = data.get("work_start_date")
            if work and (work > today or work < born):
                self.add_error("work_start_date", _("参加工作时间须在出生之后且不晚于今天。"))
        if data.get("political_status") in PARTY and not data.get("party_join_date"):
            self.add_error("party_join_date", _("党员请填写入党时间。"))
        if data.get("fulltime_education") is None and data.get("inservice_education") is None:
            self.add_error("fulltime_education", _("请至少填写全日制学历或在职学历中的一项。"))
        if data.get("relaxation_category") == RelaxationCategory.SPECIAL and not (data.get("relaxation_note") or "").strip():
            self.add_error("relaxation_note", _("申请按其他特殊情况放宽条件，须写明情况。"))
        return data

    def person_data(self):
        parsed = self.cleaned_data["id_number"]
        return {
            "id_number": parsed.number, "name": self.cleaned_data["name"].strip(),
            "gender": parsed.gender, "birth_date": parsed.birth_date,
        }

    def nomination_fields(self):
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "id_card_copy"
        }

    def new_upload(self):
        upload = self.cleaned_data.get("id_card_copy")
        return upload if upload and hasattr(upload, "content_type") else None


class ResumeEntryForm(forms.ModelForm):
    """A 个人简历 line: 起止年月. `birth_date` (the person's, from the ID number) is set by the view once the
    main form is read; the rule is candidates.services.resume_line_error."""

    start = MonthField(label=_("起始年月"))
    end = MonthField(label=_("截止年月"), required=False, help_text=_("至今可不填"))

    class Meta:
        model = ResumeEntry
        fields = ["start", "end", "unit_post"]

    def __init__(self, *args, birth_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        found = resume_line_error(start, end, self.birth_date, timezone.localdate())
        if found:
            self.add_error(*found)
        return data


class FamilyMemberForm(forms.ModelForm):
    birth_date = MonthField(label=_("出生年月"), required=False)

    class Meta:
        model = FamilyMember
        fields = ["relation", "name", "birth_date", "political_status", "work_unit_post"]

    def clean_birth_date(self):
        birth = self.cleaned_data.get("birth_date")
        if birth and birth > timezone.localdate():
            raise ValidationError(_("出生年月不能晚于本月。"))
        if birth and birth.year < 1900:
            raise ValidationError(_("出生年月不能早于1900年。"))
        return birth


class CommitteeRelativeForm(forms.Form):
    cadre = ModelChoiceField(label=_("两委成员"), queryset=VillageCadre.objects.none())
    relation = forms.CharField(label=_("亲属关系"), max_length=20, help_text=_("如：父子、叔侄、姻亲"))

    def __init__(self, *args, village=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = VillageCadre.objects.filter(village=village)


ResumeFormSet = forms.formset_factory(ResumeEntryForm, extra=1, can_delete=True, max_num=30, validate_max=True)
FamilyFormSet = forms.formset_factory(FamilyMemberForm, extra=1, can_delete=True, max_num=30, validate_max=True)
RelativeFormSet = forms.formset_factory(CommitteeRelativeForm, extra=0, can_delete=True, max_num=10, validate_max=True)


def formset_rows(formset) -> list[dict]:
    """The filled, not deleted rows of a valid formset, as plain dicts."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class NominationFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或身份证号码"), required=False, max_length=40)
    village = ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none(), required=False,
                                     empty_label=_("全部村（社区）"))
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *Status.choices], required=False)
    eligible = forms.ChoiceField(
        label=_("基本条件"), required=False,
        choices=[("", _("全部")), ("yes", _("符合")), ("no", _("不符合"))],
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class RelaxationForm(forms.Form):
    """The office's decision to relax a basic condition (candidates.services.record_relaxation)."""

    category = forms.ChoiceField(label=_("放宽类别"), choices=[("", _("请选择")), *RelaxationCategory.choices])
    reason = forms.CharField(label=_("放宽理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    approved_by = forms.CharField(label=_("批准人"), max_length=60,
                                  help_text=_("如：镇党委书记 王某某，或 镇党委会议"))
    approved_on = forms.DateField(label=_("批准日期"), widget=DateInput())

    def clean_approved_on(self):
        return check_plausible_date(self.cleaned_data["approved_on"], earliest=datetime.date(2000, 1, 1))


class IdentityForm(forms.Form):
    """The office's correction of a person's identity (candidates.services.person_correct_identity): a field left
    blank stays as it is, so that a name is corrected without typing the ID number again; at least one is given."""

    name = forms.CharField(label=_("姓名"), max_length=30, required=False, help_text=_("不填则姓名不变"))
    id_number = forms.CharField(label=_("身份证号码"), max_length=40, required=False,
                                help_text=_("不填则号码不变；更正后出生日期和性别随号码更正"))

    def clean_id_number(self):
        number = idnumber.normalise(self.cleaned_data.get("id_number", ""))
        if not number:
            return ""
        try:
            return idnumber.parse(number, today=timezone.localdate()).number
        except ValidationError as e:
            raise ValidationError(e.messages) from None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("name") and not data.get("id_number"):
            raise ValidationError(_("请填写要更正的姓名或身份证号码（不填的一项保持不变）。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    # Why the office acts outside the stage's window (reserve.workflow.Window), when it does.
    override = forms.CharField(label=_("时间外办理的理由"), required=False, max_length=500)
