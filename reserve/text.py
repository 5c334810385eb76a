"""Text typed into a form, as the rules read it."""

import unicodedata


def clean_text(value) -> str:
    """The text without invisible format characters (zero-width spaces, joiners, BOM: Unicode category Cf) and
    without surrounding whitespace (an ideographic space included): what a reason required by a rule must still
    have to count as given."""
    text = "".join(ch for ch in str(value or "") if unicodedata.category(ch) != "Cf")
    return text.strip()


def typed_text(value, what, limit: int, *, required: bool = True) -> str:
    """A text a service takes from a form, cleaned (clean_text): refused with a Chinese message naming the field
    (`what`) when a required one is empty or when it is longer than `limit` characters."""
    from django.utils.translation import gettext as _

    from .exceptions import ActionRefused

    text = clean_text(value)
    if required and not text:
        raise ActionRefused(_("请填写%(w)s。") % {"w": what})
    if len(text) > limit:
        raise ActionRefused(_("%(w)s不能超过%(n)d字。") % {"w": what, "n": limit})
    return text
