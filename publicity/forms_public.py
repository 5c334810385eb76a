"""The objection form of the public notice page: the system's only form an anonymous visitor fills in.

Everything is plain text: nothing typed here is ever interpreted as HTML (templates escape it), and
every field has a length limit. Control characters other than line breaks and tabs are removed.
"""

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reserve.forms import ModelChoiceField

from .services import MAX_CONTENT

MAX_NAME = 30
MAX_PHONE = 30

# C0/C1 control characters except tab, line feed, carriage return; also the Unicode bidi overrides
# (a way to make a text read differently from what it contains).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str) -> str:
    r"""Line breaks as "\n" (a browser sends "\r\n": one character to the reader, and to the limit),
    no control characters, no surrounding white space."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


class PlainTextField(forms.CharField):
    """A CharField whose value is made plain text before it is checked (required, length)."""

    def to_python(self, value):
        return plain_text(super().to_python(value))


class TelInput(forms.TextInput):
    input_type = "tel"


class EntryChoiceField(ModelChoiceField):
    """The people of the notice, by name (a repeated name gets its number on the notice)."""

    repeated: frozenset = frozenset()

    def label_from_instance(self, obj):
        if obj.name in self.repeated:
            return _("%(name)s（第%(n)d位）") % {"name": obj.name, "n": obj.order}
        return obj.name


class PublicObjectionForm(forms.Form):
    content = PlainTextField(
        label=_("反映内容"),
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text=format_lazy(_("请实事求是地写明反映的具体问题（不超过{n}字）。"), n=MAX_CONTENT),
        error_messages={
            "required": _("请填写反映的具体内容。"),
            "max_length": _("反映内容不能超过%(limit_value)d字（现有%(show_value)d字）。"),
        },
    )
    entry = EntryChoiceField(
        label=_("反映对象"),
        queryset=None,
        required=False,
        empty_label=_("（不指定）"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("可不选；如针对某位公示对象，请选择其姓名。"),
        error_messages={"invalid_choice": _("反映对象不在本公示中。")},
    )
    name = PlainTextField(
        label=_("您的姓名"), max_length=MAX_NAME, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control"}),
        help_text=_("可不填（匿名反映）；提倡以真实姓名反映，便于核实和反馈。"),
        error_messages={"max_length": _("姓名不能超过%(limit_value)d个字。")},
    )
    phone = PlainTextField(
        label=_("联系电话"), max_length=MAX_PHONE, required=False,
        widget=TelInput(attrs={"autocomplete": "tel", "class": "form-control"}),
        help_text=_("可不填。仅供组织办核实时联系您，不会公开。"),
        validators=[RegexValidator(r"^[0-9０-９+＋\-－()（）\s转]*$", _("联系电话只能包含数字、空格和“-”“+”“（）”。"))],
        error_messages={"max_length": _("联系电话不能超过%(limit_value)d个字符。")},
    )

    def __init__(self, *args, notice, entries, **kwargs):
        """entries: the people objections may still be lodged against (publicity.selectors.proposed_entries)."""
        super().__init__(*args, **kwargs)
        self.notice = notice
        names = [e.name for e in notice.entries.all()]
        field = self.fields["entry"]
        field.queryset = entries
        field.repeated = frozenset(n for n in names if names.count(n) > 1)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
