"""Forms of the pool's pages: the list's filters and the lifecycle moves of a reserve."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.choices import Education, Gender, PoliticalStatus
from reserve.forms import ModelChoiceField
from reserve.workflow import REASON_MAX_LENGTH

from .models import PoolMeeting, Reserve, Tier
from .selectors import RENEWAL_DUE
from .workflow import STALE

PAGE_SIZE = 25


def DATE_INPUT():  # noqa: N802  (a widget factory used like a class)
    """A date picker; its value in ISO form, which a browser's date input reads."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

# The list's age bands (周岁 on today): (value, label, lowest age, highest age), None = open.
AGE_BANDS = (
    ("30", _("30岁及以下"), None, 30),
    ("31-35", _("31—35岁"), 31, 35),
    ("36-40", _("36—40岁"), 36, 40),
    ("41-45", _("41—45岁"), 41, 45),
    ("46", _("45岁以上"), 46, None),
)
AGE_BAND_RANGES = {value: (low, high) for value, _label, low, high in AGE_BANDS}

STATUS_CHOICES = [("", _("全部状态")), (RENEWAL_DUE, _("待续期")), *Reserve.Status.choices]


class PoolFilterForm(forms.Form):
    """The pool list's filters (GET). A field with a value it does not know is left out, never a 500."""

    q = forms.CharField(label=_("姓名"), required=False, max_length=30)
    tier = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部类别")), *Tier.choices])
    unit = forms.ChoiceField(label=_("单位"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", _("全部")), *Gender.choices])
    age = forms.ChoiceField(label=_("年龄"), required=False,
                            choices=[("", _("全部年龄")), *((v, label) for v, label, _lo, _hi in AGE_BANDS)])
    education = forms.TypedChoiceField(label=_("最高学历"), required=False, coerce=int, empty_value=None,
                                       choices=[("", _("全部学历")), *Education.choices])
    political_status = forms.ChoiceField(label=_("政治面貌"), required=False,
                                         choices=[("", _("全部")), *PoliticalStatus.choices])
    term = forms.TypedChoiceField(label=_("人才库届期"), required=False, coerce=int, empty_value=None)
    activist = forms.BooleanField(label=_("入党积极分子推荐对象"), required=False)
    ending = forms.BooleanField(label=_("即将届满或待续期"), required=False)

    def __init__(self, data=None, *, villages=(), units=(), terms=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].choices = [
            ("", _("全部单位")),
            *((f"v{v.pk}", v.name) for v in villages),
            *((f"u{u.pk}", u.name) for u in units),
        ]
        self.fields["term"].choices = [("", _("全部届期")), *((t.pk, t.name) for t in terms)]

    # The fields the list's form shows as selects (the others: the name box and the two check boxes).
    SELECTS = ("tier", "unit", "status", "gender", "age", "education", "political_status", "term")

    def selects(self) -> list[tuple]:
        """(bound field, [(value, label, selected)]) of each select of the list's form, worked out once in Python
        (the template only writes them out)."""
        found = []
        for name in self.SELECTS:
            field = self[name]
            current = str(field.value()) if field.value() is not None else "None"
            found.append((field, [(value, label, str(value) == current) for value, label in field.field.choices]))
        return found

    def filters(self) -> dict:
        """The filters of the valid fields (an invalid one is ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        d = self.cleaned_data
        unit = d.get("unit") or ""
        return {
            "q": (d.get("q") or "").strip() or None,
            "tier": d.get("tier"),
            "village_id": int(unit[1:]) if unit.startswith("v") else None,
            "unit_id": int(unit[1:]) if unit.startswith("u") else None,
            "status": d.get("status") or None,
            "gender": d.get("gender") or None,
            "age_band": AGE_BAND_RANGES.get(d.get("age") or ""),
            "education": d.get("education"),
            "political_status": d.get("political_status") or None,
            "term_id": d.get("term"),
            "activist": bool(d.get("activist")),
            "ending": bool(d.get("ending")),
        }


class VersionForm(forms.Form):
    """The version of the reserve the page was drawn from (a stale form is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)


class RequiredVersionForm(forms.Form):
    """The version of the reserve the page was drawn from, required: a POST without it, or with garbage in it, is
    refused as a stale page (nothing written), never run without the stale check."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1,
        error_messages={key: STALE for key in ("required", "invalid", "min_value", "max_value")})

    def full_clean(self):
        super().full_clean()
        # The field is hidden: its refusal is shown with the form's own errors.
        if self.is_bound and "version" in self._errors:
            del self._errors["version"]
            self.cleaned_data.pop("version", None)
            self.add_error(None, STALE)


class ActionForm(RequiredVersionForm):
    reason = forms.CharField(label=_("理由"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea)


class UseForm(RequiredVersionForm):
    post = forms.CharField(label=_("任用职务"), max_length=100)
    used_on = forms.DateField(label=_("任用日期"), widget=DATE_INPUT())


class RemoveForm(RequiredVersionForm):
    reason = forms.CharField(label=_("调整出库理由"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))
    approver = forms.CharField(label=_("批准人"), max_length=60, help_text=_("如：镇党委书记 张某某；或党委会研究"))
    ended_on = forms.DateField(label=_("出库日期"), widget=DATE_INPUT())


class ExpireForm(RequiredVersionForm):
    reason = forms.CharField(label=_("不再续期的理由"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ChangePostForm(RequiredVersionForm):
    post = forms.CharField(label=_("新岗位（现工作单位及职务）"), max_length=100)
    changed_on = forms.DateField(label=_("调整日期"), widget=DATE_INPUT())


class ChangeTierForm(VersionForm):
    tier = forms.TypedChoiceField(label=_("调整为"), coerce=int, choices=Tier.choices,
                                  help_text=_("按调整当日核对新梯队的条件，不符合的不能调整"))
    meeting = ModelChoiceField(label=_("党委会研究"), queryset=PoolMeeting.objects.none(), required=False,
                               empty_label=_("请选择"),
                               help_text=_("调整为第一至第三梯队须经镇党委会研究确定"))
    reason = forms.CharField(label=_("调整理由"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, town_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = PoolMeeting.objects.filter(town_id=town_id).order_by("-date", "-id")


class ActivistForm(RequiredVersionForm):
    recommended_on = forms.DateField(label=_("推荐日期"), widget=DATE_INPUT())
    note = forms.CharField(label=_("推荐说明"), max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
