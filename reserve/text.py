"""Text typed into a form, as the rules read it."""

import unicodedata


def clean_text(value) -> str:
    """The text without invisible format characters (zero-width spaces, joiners, BOM: Unicode category Cf) and
    without surrounding whitespace (an ideographic space included): what a reason required by a rule must still
    have to count as given."""
    text = "".join(ch for ch in str(value or "") if unicodedata.category(ch) != "Cf")
    return text.strip()
