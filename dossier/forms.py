"""The filter of a batch of files (the ZIP): a tier, a village or a unit of the office's town, and a status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import Reserve, Tier

ALL_STATUSES = "all"
STATUS_CHOICES = [(Reserve.Status.ACTIVE.value, Reserve.Status.ACTIVE.label), (ALL_STATUSES, _("全部状态")),
                  *((value, label) for value, label in Reserve.Status.choices if value != Reserve.Status.ACTIVE)]


class BatchForm(forms.Form):
    """GET: ?tier=…&village=…&unit=…&status=… — at least one of tier, village and unit."""

    tier = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部类别")), *Tier.choices])
    village = forms.TypedChoiceField(label=_("村（社区）"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("单位"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def __init__(self, data=None, *, villages=(), units=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["village"].choices = [("", _("全部村（社区）")), *((v.pk, v.name) for v in villages)]
        self.fields["unit"].choices = [("", _("全部单位")), *((u.pk, u.name) for u in units)]

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in ("tier", "village", "unit")):
            raise forms.ValidationError(_("请至少选择类别、村（社区）或单位中的一项。"))
        return data

    def filters(self) -> dict:
        d = self.cleaned_data
        status = d.get("status") or Reserve.Status.ACTIVE
        return {"tier": d.get("tier"), "village_id": d.get("village"), "unit_id": d.get("unit"),
                "status": None if status == ALL_STATUSES else status}
