"""Forms of the assessment pages: the scheme, a new round, an assessment's scores, the veto, a button's reason.

The rules are the services' (assessment.scoring, assessment.rounds): a form parses, a service decides. A field with
garbage is refused with a Chinese message, never a 500.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from reserve.forms import ModelChoiceField
from reserve.workflow import REASON_MAX_LENGTH
from training.models import TEXT_MAX, TIER_SHORT, Tier

from . import scoring
from .models import Assessment, AssessmentRound
from .rounds import APPROVER_MAX_LENGTH, FIELD_COMMENT, FIELD_DEMOCRATIC, FIELD_ITEMS, FIELD_MENTOR, FIELD_UNIT
from .workflow import STALE

PAGE_SIZE = 25


def DATE_INPUT():  # noqa: N802  (a widget factory used like a class)
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def percent_field(label, **kwargs):
    return forms.IntegerField(label=label, min_value=0, max_value=100, **kwargs)


class VersionForm(forms.Form):
    """The version of the row the page was drawn from, required: missing or garbage is a stale page."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1,
                                 error_messages={k: STALE for k in ("required", "invalid", "min_value", "max_value")})

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "version" in self._errors:
            errors = self._errors.pop("version")
            self.add_error(None, errors)


# ----------------------------------------------------------------------------- the scheme


class ItemForm(forms.Form):
    name = forms.CharField(label=_("考核项目"), max_length=scoring.ITEM_NAME_MAX, required=False)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("weight") and "weight" not in self.errors:
            self.add_error("weight", _("请填写权重。"))
        if data.get("weight") and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("请填写考核项目名称。"))
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=0, max_num=scoring.MAX_ITEMS, absolute_max=scoring.MAX_ITEMS,
                                    validate_max=True)


def item_formset(data=None, *, items=()):
    """The items' formset: the scheme's items and blank rows up to MAX_ITEMS."""
    initial = [{"name": i["name"], "weight": i["weight"]} for i in items]
    initial += [{} for _n in range(scoring.MAX_ITEMS - len(initial))]
    return ItemFormSet(data, initial=initial, prefix="items")


def formset_items(formset) -> list[dict]:
    return [{"name": f.cleaned_data["name"], "weight": f.cleaned_data["weight"]}
            for f in formset.forms if f.cleaned_data.get("name")]


class SchemeForm(forms.Form):
    band_excellent = percent_field(_("优秀（不低于）"))
    band_competent = percent_field(_("称职（不低于）"))
    band_basic = percent_field(_("基本称职（不低于）"), help_text=_("低于此分数为不称职"))
    veto_reasons = forms.CharField(label=_("一票否决情形"), widget=forms.Textarea(attrs={"rows": 5}),
                                   max_length=2000, help_text=_("每行一项，1至20项，每项不超过60字"))
    bottom_percent = percent_field(_("排名靠后比例（%）"), help_text=_("各梯队参与排名人数中排名最后的比例，列入提醒"))
    share_mentor = percent_field(_("引路人评分占比（%）"))
    share_unit = percent_field(_("所在单位评分占比（%）"))
    share_democratic = percent_field(_("民主评议占比（%）"), help_text=_("为0时仅作参考，不计入总分；三项之和不超过100"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for tier in Tier:
            self.fields[f"top_{tier.value}"] = percent_field(
                _("%(t)s优先使用比例（%%）") % {"t": TIER_SHORT[tier]})

    @classmethod
    def initial_of(cls, scheme) -> dict:
        bands = {b["grade"]: b["min"] for b in scheme.bands}
        initial = {
            "band_excellent": bands.get("excellent"), "band_competent": bands.get("competent"),
            "band_basic": bands.get("basic"), "veto_reasons": "\n".join(scheme.veto_reasons),
            "bottom_percent": scheme.bottom_percent,
            **{f"share_{k}": scheme.sub_shares.get(k, 0) for k in scoring.SUB_KEYS},
        }
        for tier in Tier:
            initial[f"top_{tier.value}"] = scheme.top_percent.get(str(tier.value), 0)
        return initial

    def tier_fields(self):
        return [self[f"top_{tier.value}"] for tier in Tier]

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "bands": [d["band_excellent"], d["band_competent"], d["band_basic"]],
            "veto_reasons": d["veto_reasons"].splitlines(),
            "top_percent": {str(t.value): d[f"top_{t.value}"] for t in Tier},
            "bottom_percent": d["bottom_percent"],
            "sub_shares": {k: d[f"share_{k}"] for k in scoring.SUB_KEYS},
        }


# ----------------------------------------------------------------------------- rounds


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("考核类型"), choices=AssessmentRound.Kind.choices)
    year = forms.IntegerField(label=_("考核年度"), min_value=1900, max_value=2999)
    term = ModelChoiceField(label=_("人才库届期"), queryset=None)
    title = forms.CharField(label=_("名称"), max_length=60, required=False,
                            help_text=_("不填则为“某年度后备干部考核”或“某届期满总结性考核”"))

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms


class ActionForm(VersionForm):
    reason = forms.CharField(label=_("理由"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea)


class RoundFilterForm(forms.Form):
    """The round page's filters (GET); an unknown value is left out."""

    tier = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部类别")), *Tier.choices],
                                  widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Assessment.Status.choices],
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {"tier": None, "status": None}
        return {"tier": self.cleaned_data.get("tier"), "status": self.cleaned_data.get("status") or None}


# ----------------------------------------------------------------------------- an assessment


def _score_field(label, maximum):
    return forms.CharField(label=label, required=False, max_length=8,
                           help_text=_("0至%(m)s分，最多一位小数") % {"m": maximum},
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class AssessmentForm(VersionForm):
    """The fields this user fills (rounds.editable_fields); each score checked by scoring.score_value."""

    SUB_LABELS = {FIELD_MENTOR: _("引路人评分"), FIELD_UNIT: _("所在单位评分"), FIELD_DEMOCRATIC: _("民主评议得分")}

    def __init__(self, *args, assessment, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.editable = fields
        self.items = assessment.round.items
        if FIELD_ITEMS in fields:
            for item in self.items:
                self.fields[f"item_{item['key']}"] = _score_field(
                    _("%(n)s（%(w)s分）") % {"n": item["name"], "w": item["weight"]}, item["weight"])
        for key in (FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC):
            if key in fields:
                self.fields[key] = _score_field(self.SUB_LABELS[key], 100)
        if FIELD_COMMENT in fields:
            self.fields[FIELD_COMMENT] = forms.CharField(label=_("考核评语"), required=False, max_length=TEXT_MAX,
                                                         widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_of(cls, assessment) -> dict:
        initial = {"version": assessment.version, "comment": assessment.comment}
        for key, value in (assessment.scores or {}).items():
            initial[f"item_{key}"] = value
        for key, field in scoring.SUB_FIELDS.items():
            value = getattr(assessment, field)
            initial[key] = "" if value is None else str(value)
        return initial

    def clean(self):
        data = super().clean()
        maxima = {f"item_{i['key']}": i["weight"] for i in self.items}
        maxima.update({k: 100 for k in (FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC)})
        for name, maximum in maxima.items():
            value = data.get(name)
            if name in self.fields and value not in (None, ""):
                try:
                    data[name] = scoring.score_value(value, maximum)
                except ValueError as error:
                    self.add_error(name, str(error))
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        values = {}
        if FIELD_ITEMS in self.editable:
            values[FIELD_ITEMS] = {i["key"]: d.get(f"item_{i['key']}") for i in self.items}
        for key in (FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC, FIELD_COMMENT):
            if key in self.editable:
                values[key] = d.get(key)
        return values

    def item_fields(self):
        return [self[f"item_{i['key']}"] for i in self.items if f"item_{i['key']}" in self.fields]

    def sub_fields(self):
        return [self[k] for k in (FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC) if k in self.fields]


class VetoForm(VersionForm):
    reason = forms.ChoiceField(label=_("一票否决情形"))
    note = forms.CharField(label=_("否决说明"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    approver = forms.CharField(label=_("批准人"), max_length=APPROVER_MAX_LENGTH,
                               help_text=_("如：镇党委书记 张某某；或党委会研究"))
    on = forms.DateField(label=_("否决日期"), widget=DATE_INPUT())

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("请选择")), *((r, r) for r in reasons)]
