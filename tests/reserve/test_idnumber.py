"""The 18-digit resident ID number (GB 11643-1999) as read by reserve.idnumber.

The check character is recomputed here with the textbook ISO 7064 MOD 11-2 formula (weights 2^(17-i)
mod 11, check = (12 - sum mod 11) mod 11, 10 written X), independently of the module's tables.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reserve import idnumber
from tests.helpers import examples

TODAY = datetime.date(2026, 11, 27)


def iso_check(first17: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    r = (12 - total % 11) % 11
    return "X" if r == 10 else str(r)


def with_check(first17: str) -> str:
    assert len(first17) == 17
    return first17 + iso_check(first17)


def test_independent_check_formula_matches_known_sample():
    # The sample printed in GB 11643-1999 and countless forms.
    assert iso_check("11010519491231002") == "X"
    assert idnumber.check_char("11010519491231002") == "X"


# ---------------------------------------------------------------------------------------------
# Valid numbers, with their normalisation
# ---------------------------------------------------------------------------------------------

VALID = [
    # raw input, normalised number, birth date, gender
    ("11010519491231002X", "11010519491231002X", datetime.date(1949, 12, 31), "F"),
    ("11010519491231002x", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # lower-case x
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # full width
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", datetime.date(1949, 12, 31), "F"),
    (" 110105 19491231 002X ", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # spaces
    ("110105\u300019491231\t002x\n", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # ideographic space
    ("440304199003070018", "440304199003070018", datetime.date(1990, 3, 7), "M"),
    ("330781199506150019", "330781199506150019", datetime.date(1995, 6, 15), "M"),
    ("320102200002290021", "320102200002290021", datetime.date(2000, 2, 29), "F"),  # leap day
    (with_check("82000020010101003"), with_check("82000020010101003"), datetime.date(2001, 1, 1), "M"),  # 澳门
]


@pytest.mark.parametrize("raw, number, birth, gender", VALID)
def test_parse_valid(raw, number, birth, gender):
    parsed = idnumber.parse(raw, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.gender == gender


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("11010519491231002x", "11010519491231002X"),
        ("１２３ ４５６", "123456"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_normalise(raw, expected):
    assert idnumber.normalise(raw) == expected


def test_seventeenth_digit_decides_gender():
    for digit, gender in [("1", "M"), ("3", "M"), ("5", "M"), ("7", "M"), ("9", "M"),
                          ("0", "F"), ("2", "F"), ("4", "F"), ("6", "F"), ("8", "F")]:
        number = with_check(f"3307811995061500{digit}")
        assert idnumber.parse(number, today=TODAY).gender == gender, number


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------

INVALID = [
    # raw, error code, a fragment of the Chinese message
    ("110105194912310021", "checksum", "校验位"),  # wrong check digit
    ("11010519491231002Y", "chars", "数字或X"),
    ("110105194912310029", "checksum", "校验位"),
    ("440304199003070010", "checksum", "校验位"),
    ("110105491231002", "old", "15位"),  # first-generation number
    ("１１０１０５４９１２３１００２", "old", "2013年1月1日"),
    ("11010519491231002", "length", "17位"),
    ("11010519491231002X1", "length", "19位"),
    ("", "length", "0位"),
    ("1101051949123100XX", "chars", "前17位"),
    ("11010519491231-02X", "chars", "前17位"),
    (with_check("00010519491231002"), "area", "省级行政区代码"),
    (with_check("99010519491231002"), "area", "省级行政区代码"),
    (with_check("10010519491231002"), "area", "省级行政区代码"),
    (with_check("39010519491231002"), "area", "省级行政区代码"),
    (with_check("33078119950230001"), "birth", "出生日期"),  # 30 February
    (with_check("33078119950229001"), "birth", "出生日期"),  # 29 February in a common year
    (with_check("33078119951301001"), "birth", "出生日期"),  # month 13
    (with_check("33078119950000001"), "birth", "出生日期"),
    (with_check("33078120261128001"), "birth_range", "合理范围"),  # tomorrow
    (with_check("33078130000101001"), "birth_range", "合理范围"),
    (with_check("33078118991231001"), "birth_range", "合理范围"),
]


@pytest.mark.parametrize("raw, code, fragment", INVALID)
def test_parse_refuses(raw, code, fragment):
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(raw, today=TODAY)
    assert exc.value.code == code
    assert fragment in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X".replace("0", "\U0001d7ce"),  # mathematical bold zero
        "11010519491231002X".replace("9", "\u09ef"),  # Bengali nine
        "11010519491231002X".replace("1", "\u0661"),  # Arabic-Indic one
        "11010\u00b219491231002X",  # superscript two
        "110105194912310\u00b22X",  # superscript two in the gender digit
        "110105194912310\u2460\u2461X",  # circled digits
    ],
)
def test_other_digit_forms_are_refused_with_a_message(raw):
    """Only ASCII and full-width digits are read; any other 'digit' is refused, never stored or crashed on."""
    with pytest.raises(ValidationError):
        idnumber.parse(raw, today=TODAY)


def test_birth_date_today_is_not_in_the_future():
    number = with_check("33078120261127001")
    assert idnumber.parse(number, today=TODAY).birth_date == TODAY
    with pytest.raises(ValidationError):
        idnumber.parse(number, today=TODAY - datetime.timedelta(days=1))


def test_future_birth_date_refused_against_real_today():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    number = with_check(f"330781{tomorrow:%Y%m%d}001")
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(number)
    assert exc.value.code == "birth_range"


# ---------------------------------------------------------------------------------------------
# mask()
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, masked",
    [
        ("11010519491231002X", "110105********002X"),
        ("330781199506150019", "330781********0019"),
        ("", ""),
        (None, ""),
        ("1234567890", "**********"),
        ("123", "***"),
        ("12345678901", "123456*8901"),
    ],
)
def test_mask(number, masked):
    assert idnumber.mask(number) == masked


def test_mask_hides_the_birth_date():
    masked = idnumber.mask("11010519491231002X")
    assert "19491231" not in masked
    assert len(masked) == 18


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

province = st.sampled_from(sorted(idnumber.PROVINCE_CODES))
rest_of_area = st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}")
birth = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sequence = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def valid_numbers(draw):
    first17 = f"{draw(province)}{draw(rest_of_area)}{draw(birth):%Y%m%d}{draw(sequence)}"
    return with_check(first17)


@settings(max_examples=examples(300), deadline=None)
@given(valid_numbers())
@example("11010519491231002X")
@example("440304199003070018")
def test_random_valid_numbers_parse(number):
    parsed = idnumber.parse(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert parsed.gender == ("M" if int(number[16]) % 2 else "F")
    # Lower case and full-width forms of the same number read the same.
    fullwidth = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    assert idnumber.parse(fullwidth, today=TODAY) == parsed
    assert idnumber.parse(number.lower(), today=TODAY) == parsed


@settings(max_examples=examples(500), deadline=None)
@given(
    st.one_of(
        st.text(max_size=25),
        st.text(alphabet="0123456789Xx０１２３４５６７８９ｘＸ \u00b2\u0661\u09ef", min_size=15, max_size=20),
        valid_numbers().map(lambda n: n[:17] + "\u00b2"),
    )
)
def test_any_input_is_read_or_refused_with_a_validation_error(raw):
    try:
        parsed = idnumber.parse(raw, today=TODAY)
    except ValidationError as e:
        assert e.messages and all(m for m in e.messages)
    else:
        number = parsed.number
        assert len(number) == 18
        assert all(c in "0123456789" for c in number[:17]) and number[17] in "0123456789X"
        assert iso_check(number[:17]) == number[17]


# Zero of some Unicode scripts whose digits str.isdigit() accepts: Devanagari, Bengali, Thai,
# mathematical bold, fullwidth (the one that must be read).
OTHER_SCRIPT_ZEROS = [0x0966, 0x09E6, 0x0E50, 0x1D7CE]


@settings(max_examples=examples(200), deadline=None)
@given(valid_numbers(), st.integers(min_value=0, max_value=16), st.sampled_from(OTHER_SCRIPT_ZEROS))
def test_a_digit_in_another_script_is_refused(number, position, zero):
    """The same number with one digit written in another script: refused, not stored with that digit."""
    raw = number[:position] + chr(zero + int(number[position])) + number[position + 1:]
    with pytest.raises(ValidationError):
        idnumber.parse(raw, today=TODAY)


@settings(max_examples=examples(300), deadline=None)
@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=9))
@example("11010519491231002X", 17, 1)  # X replaced by a digit
@example("11010519491231002X", 16, 1)
def test_any_single_digit_substitution_is_refused(number, position, shift):
    old = number[position]
    new = str((int(old) + shift) % 10) if old.isdigit() else str(shift)
    assert new != old
    changed = number[:position] + new + number[position + 1:]
    # The MOD 11-2 check catches every single substitution by itself...
    assert iso_check(changed[:17]) != changed[17]
    # ...so parse must refuse, whether for the check character or (digits 1-2, 7-14) for another reason.
    with pytest.raises(ValidationError):
        idnumber.parse(changed, today=TODAY)
