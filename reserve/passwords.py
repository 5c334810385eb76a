"""Password rules beyond Django's own validators."""

import functools
import gzip
import string
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c in string.digits),
    ("symbol", lambda c: not c.isalnum() or not c.isascii()),
)


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for _name, test in CLASSES if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d种。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(n)d种。") % {"n": self.min_classes}


@functools.lru_cache(maxsize=4)
def _common_words(path: str) -> frozenset:
    """The entries of the common-password list made of letters only (admin, demo, woaini …)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return frozenset(w for w in (line.strip().lower() for line in f) if w.isascii() and w.isalpha())


class CommonWordVariantValidator:
    """A common word or the account's own name dressed up with digits and symbols: "Demo2026!", "Admin@1234",
    "Cun11@2026" for the account cun11. The letters of the password, in order and in lower case, may not be a
    letters-only entry of the common-password list (reserve/common-passwords.txt.gz) nor the letters of the user
    name — the variants that an exact comparison with the list (CommonPasswordValidator) lets through."""

    def __init__(self, password_list_path=None):
        self.password_list_path = str(password_list_path or Path(__file__).with_name("common-passwords.txt.gz"))

    @staticmethod
    def letters(text: str) -> str:
        return "".join(c for c in text.lower() if c.isascii() and c.isalpha())

    def validate(self, password, user=None):
        core = self.letters(password)
        username = self.letters(user.get_username()) if user is not None else ""
        if core and (core in _common_words(self.password_list_path) or core == username):
            raise ValidationError(_("密码不能只是常见单词或用户名加上数字、符号，请换一个不易猜到的组合。"),
                                  code="password_common_variant")

    def get_help_text(self):
        return _("不能只是常见单词或用户名加上数字、符号。")
