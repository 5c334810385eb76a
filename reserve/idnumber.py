"""The 18-digit resident identity number (GB 11643-1999).

One module reads, normalises and checks an ID number; every form, import and rule calls it.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: remainder -> check character

# Province-level codes (first two digits) in use.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82", "83",
    }
)

_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: str.isdigit() would admit other scripts' digits
_FULLWIDTH = {ord(c): ord(a) for c, a in zip("０１２３４５６７８９ｘＸ", "0123456789XX", strict=True)}


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F", as reserve.choices.Gender


def normalise(raw: str) -> str:
    """Full-width digits to ASCII, lower-case x to X, spaces removed."""
    return "".join(str(raw or "").translate(_FULLWIDTH).split()).upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=False))
    return CHECK_CHARS[total % 11]


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Return the normalised number with the birth date and gender it encodes, or raise ValidationError."""
    number = normalise(raw)
    if len(number) == 15 and re.fullmatch(r"[0-9]{15}", number):
        raise ValidationError(_("15位第一代身份证已于2013年1月1日停止使用，请填写18位身份证号码。"), code="old")
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位，现为%(n)d位。") % {"n": len(number)}, code="length")
    if not _SHAPE.fullmatch(number):
        raise ValidationError(_("身份证号码前17位须为数字，最后一位为数字或X。"), code="chars")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码前两位（省级行政区代码）无效。"), code="area")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期（第7至14位）不是有效日期。"), code="birth") from None
    today = today or datetime.date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期（第7至14位）不在合理范围内。"), code="birth_range")
    if check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新填写。"), code="checksum")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, birth_date=birth, gender=gender)


def mask(number: str) -> str:
    """Show the first six and last four characters only, e.g. 110105********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
