"""The generated input of the property tests: arbitrary values, files, and a POST body built from a form's valid
one (fuzzed); how many examples each test tries (fuzz_settings)."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from tests.helpers import examples

# Examples per test: the whole package runs in about two minutes per database on a 2-core machine.
# FORMS_FUZZ_SCALE=10 (say) multiplies them for a deeper run; so does the Hypothesis profile "deep"
# (HYPOTHESIS_PROFILE=deep: tests/conftest.py), which runs every one a thousand times.
SCALE = float(os.environ.get("FORMS_FUZZ_SCALE", "1"))
FUZZ = 12
VALID = 6


def fuzz_settings(n=FUZZ):
    return hsettings(max_examples=examples(max(1, round(n * SCALE))), deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                            HealthCheck.data_too_large])


# Every unicode category but the surrogates (which cannot be encoded into a request).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
CONTROL_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x9f), max_size=12)
NASTY = st.sampled_from([
    "", " ", "　", "\x00", "a\x00b", "\x00" * 5, "\t\r\n", "\r\n\r\n", "\x0b\x0c\x1b\x7f\x85", "\u202e\u2066",
    "\ufeff", "\u200b", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</textarea><b>x",
    "' OR '1'='1' --", "; DROP TABLE reserve_round;", "0", "-1", "1.5", "1e3", "1e309", "NaN", "inf", "-0",
    "32767", "32768", "65536", "2147483647", "2147483648", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "99999999999999999999999999999999", "０", "１２３", "١٢٣", "𝟙𝟚", "Ⅻ",
    "2026-02-30", "2026-13-01", "2026-00-10", "0000-00-00", "0001-01-01", "1899-12-31", "9999-12-31",
    "10000-01-01", "-2026-01-01", "2026/05/20", "2026年5月20日", "20260520", "2026-5-2", "2026-05-20T25:61",
    "2026-05-20T10:00", "2026-05-20 10:00:00+25:00", "2026-05-20T10:00:00Z", "99999-12-31T00:00",
    "yes", "no", "on", "off", "true", "false", "None", "null", "[]", "{}", "{", "}", "{0}", "{since_year}",
    "{since_year.real}", "{since_year.x}", "{since_year[0]}", "{since_year!r:>{width}}", "{__class__}", "%s",
    "%(n)d", "%", "\\", "../../etc/passwd", "😀", "𠀀", "X" * 31, "中" * 101, "1" * 19, "330781199506150017",
    "33078119950615001x", "110105200001010000", "²", "①", "²²²²²²²²", "٠٥٧٩٨٨٨٨١٢٣٤", "０５７９８８８８１２３４",
    "１３８００１３８０００", "0579－8888 1234", "+86 138 0000 0000",
])
INTEGERS = st.integers(min_value=-(2 ** 80), max_value=2 ** 80).map(str)
FLOATS = st.floats(allow_nan=True, allow_infinity=True).map(str)
DATES = st.dates().map(lambda d: d.isoformat())
DATETIMES = st.tuples(st.datetimes(), st.sampled_from("T ")).map(lambda t: t[0].isoformat(sep=t[1]))
HUGE = st.tuples(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3),
                 st.sampled_from([1001, 2001, 4001, 70_000])).map(lambda t: (t[0] * t[1])[: t[1]])
SCALAR = st.one_of(ANY_TEXT, CONTROL_TEXT, NASTY, NASTY, INTEGERS, FLOATS, DATES, DATETIMES, HUGE)
VALUE = st.one_of(SCALAR, st.lists(SCALAR, min_size=0, max_size=3))
EXTRA_KEY = st.one_of(ANY_TEXT, st.sampled_from([
    "csrfmiddlewaretoken", "op", "round", "next", "id", "pk", "status", "is_superuser", "town", "village",
    "created_by", "version", "nomination", "action", "DELETE", "form-TOTAL_FORMS",
]))


def _png(size=(20, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (180, 180, 180)).save(buf, format="PNG")
    return buf.getvalue()


FILE_BODIES = st.one_of(
    st.binary(max_size=64),
    st.just(b""),
    st.just(_png()),
    st.just(b"%PDF-1.4\n%%EOF"),
    st.just(b"%PDF-1.4 truncated"),
    st.just(_png()[:40]),  # a PNG header with nothing after it
    st.just(b"<html><script>alert(1)</script></html>"),
)
FILE_NAMES = st.sampled_from(["a.png", "a.pdf", "a.jpg", "../../x.png", "中文.png", "a.exe", "", "a" * 300 + ".png"])
FILES = st.builds(lambda body, name: SimpleUploadedFile(name or "x", body, content_type="image/png"),
                  FILE_BODIES, FILE_NAMES)


def fuzzed(base: dict, names, *, file_fields=()) -> st.SearchStrategy:
    """A POST body: a valid `base` (or nothing) with some of `names` overridden by arbitrary values,
    some removed, and some random extra keys added."""
    names = sorted(set(names) | set(base))
    value_for = {name: st.one_of(VALUE, FILES) if name in file_fields else VALUE for name in names}
    overrides = st.lists(st.sampled_from(names), unique=True, max_size=min(6, len(names))).flatmap(
        lambda keys: st.fixed_dictionaries({k: value_for[k] for k in keys}))
    return st.builds(
        _combine, st.booleans() if base else st.just(False), st.just(base), overrides,
        st.lists(st.sampled_from(names), unique=True, max_size=3),
        st.dictionaries(EXTRA_KEY, VALUE, max_size=2),
        st.booleans(),
    ).filter(lambda body: any(v != [] for v in body.values()))  # a browser always sends the form's fields: an
    # empty body has its own test (test_an_empty_post_is_refused_with_a_reason)


def _combine(use_base, base, overrides, removed, extra, urlencoded):
    data = dict(base) if use_base else {}
    data.update(overrides)
    for key in removed:
        if key not in overrides:
            data.pop(key, None)
    for key, value in extra.items():
        data.setdefault(key, value)
    return Body(data, urlencoded)


class Body(dict):
    """A POST body and how it is encoded (multipart unless urlencoded and no file is in it)."""

    def __init__(self, data, urlencoded=False):
        super().__init__(data)
        self.urlencoded = urlencoded and not any(isinstance(v, SimpleUploadedFile) for v in data.values())

    def __repr__(self):
        return f"Body({dict.__repr__(self)}, urlencoded={self.urlencoded})"


def names_text(alphabet="赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜明华建国秀英芳军", min_size=2,
               max_size=4):
    return st.text(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


PLAIN = st.text(st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\u3000\xa0"), min_size=1,
                max_size=60).filter(lambda s: s.strip())
