"""The arithmetic of an assessment (assessment.scoring): weights, bands, scores, totals, shares, ranking — tables."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from assessment import scoring
from assessment.models import DEFAULT_BANDS, DEFAULT_ITEMS, Grade

D = Decimal
ITEMS = [dict(i) for i in DEFAULT_ITEMS]  # 德20 能15 勤15 绩30 廉20


def items(*weights, names=None):
    names = names or [f"项{i}" for i in range(len(weights))]
    return [{"key": f"k{i}", "name": n, "weight": w} for i, (n, w) in enumerate(zip(names, weights, strict=True))]


# --------------------------------------------------------------------------- weights


@pytest.mark.parametrize(("given", "problem"), [
    (ITEMS, None),
    (items(100), None),
    (items(50, 50), None),
    ([], "至少"),
    (items(20, 15, 15, 30, 19), "之和须为100，现为99"),
    (items(20, 15, 15, 30, 21), "之和须为100，现为101"),
    (items(0, 100), "正整数"),
    (items(-10, 110), "正整数"),
    ([{"key": "a", "name": "德", "weight": 50.5}, {"key": "b", "name": "能", "weight": 49.5}], "正整数"),
    ([{"key": "a", "name": "德", "weight": True}, {"key": "b", "name": "能", "weight": 99}], "正整数"),
    ([{"key": "a", "name": "德", "weight": "abc"}], "正整数"),
    (items(50, 50, names=["德", "德"]), "重复"),
    (items(50, 50, names=["德", "  "]), "不能为空"),
    (items(50, 50, names=["德", "一二三四五六七八九十一"]), "超过10个字"),
    (items(*([10] * 10)), None),
    (items(*([9] * 11 + [1])), "不能超过10个"),
])
def test_weights_error(given, problem):
    found = scoring.weights_error(given)
    if problem is None:
        assert found is None
    else:
        assert problem in found


# --------------------------------------------------------------------------- bands and grades


def bands(a, b, c):
    return [{"grade": "excellent", "min": a}, {"grade": "competent", "min": b}, {"grade": "basic", "min": c}]


@pytest.mark.parametrize(("given", "problem"), [
    (DEFAULT_BANDS, None),
    (bands(100, 50, 0), None),
    (bands(90, 90, 60), "递减"),
    (bands(90, 95, 60), "递减"),
    (bands(101, 75, 60), "0至100"),
    (bands(90, 75, -1), "0至100"),
    (bands(90, 75, "x"), "0至100"),
    (bands(90, 75, 60)[:2], "三个等次"),
    ([{"grade": "competent", "min": 90}, {"grade": "excellent", "min": 75}, {"grade": "basic", "min": 60}], "依次"),
    ("90,75,60", "三个等次"),
])
def test_bands_error(given, problem):
    found = scoring.bands_error(given)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(("total", "grade"), [
    ("100", Grade.EXCELLENT), ("90", Grade.EXCELLENT), ("89.99", Grade.COMPETENT), ("75", Grade.COMPETENT),
    ("74.99", Grade.BASIC), ("60", Grade.BASIC), ("59.99", Grade.INCOMPETENT), ("0", Grade.INCOMPETENT),
])
def test_grade_for_default_bands(total, grade):
    assert scoring.grade_for(D(total), DEFAULT_BANDS) == grade


def test_grade_for_other_bands():
    assert scoring.grade_for(D("85"), bands(85, 70, 50)) == Grade.EXCELLENT
    assert scoring.grade_for(D("49.9"), bands(85, 70, 50)) == Grade.INCOMPETENT


# --------------------------------------------------------------------------- one score as typed


@pytest.mark.parametrize(("value", "maximum", "expected"), [
    ("18", 20, D("18.0")), ("18.5", 20, D("18.5")), ("0", 20, D("0.0")), ("20", 20, D("20.0")), (" 7.0 ", 15, D("7.0")),
    ("100", 100, D("100.0")), ("１８", 20, D("18.0")),  # full-width digits read as digits
])
def test_score_value_accepts(value, maximum, expected):
    assert scoring.score_value(value, maximum) == expected


@pytest.mark.parametrize(("value", "maximum", "problem"), [
    ("", 20, "请填写"), (None, 20, "请填写"), ("20.5", 20, "0至20"), ("-1", 20, "0至20"), ("-0.1", 20, "0至20"),
    ("nan", 20, "数字"), ("NaN", 20, "数字"), ("inf", 20, "数字"), ("-Infinity", 20, "数字"), ("1e9", 20, "数字"),
    ("1E1", 20, "数字"), ("18.55", 20, "一位小数"), ("abc", 20, "数字"), ("99999999999999999999", 20, "数字"),
    ("0x10", 20, "数字"), ("1_0", 20, "数字"),
])
def test_score_value_refuses(value, maximum, problem):
    with pytest.raises(ValueError, match=problem):
        scoring.score_value(value, maximum)


# --------------------------------------------------------------------------- totals


FULL = {"de": "18", "neng": "13.5", "qin": "12", "ji": "27", "lian": "19"}  # 89.5
NO_SHARES = {"mentor": 0, "unit": 0, "democratic": 0}


@pytest.mark.parametrize(("scores", "subs", "shares", "total"), [
    (FULL, {}, NO_SHARES, D("89.50")),
    (FULL, {"mentor": D("60"), "unit": D("70"), "democratic": D("80")}, NO_SHARES, D("89.50")),  # reference only
    # 89.5 × 0.8 + 20 × 100 / 100 = 71.6 + 20
    (FULL, {"mentor": D("100")}, {"mentor": 20, "unit": 0, "democratic": 0}, D("91.60")),
    # 89.5 × 0.7 + 10 × 80/100 + 20 × 90/100 = 62.65 + 8 + 18
    (FULL, {"unit": D("80"), "democratic": D("90")}, {"mentor": 0, "unit": 10, "democratic": 20}, D("88.65")),
    # 89.5 × 0.67 + 33 × 77.7 / 100 = 59.965 + 25.641 = 85.606 → 85.61 (half up)
    (FULL, {"democratic": D("77.7")}, {"mentor": 0, "unit": 0, "democratic": 33}, D("85.61")),
    # 0.5 × 0.99 + 1 × 0.5/100 = 0.495 + 0.005 = 0.500 → 0.50
    ({"de": "0.5", "neng": "0", "qin": "0", "ji": "0", "lian": "0"}, {"mentor": D("0.5")},
     {"mentor": 1, "unit": 0, "democratic": 0}, D("0.50")),
    # 0.1 × 0.95 + 5 × 0 / 100 = 0.095 → 0.10 (half up)
    ({"de": "0.1", "neng": "0", "qin": "0", "ji": "0", "lian": "0"}, {"democratic": D("0")},
     {"mentor": 0, "unit": 0, "democratic": 5}, D("0.10")),
])
def test_total_for(scores, subs, shares, total):
    assert scoring.total_for(scores, ITEMS, subs, shares) == total


def test_total_rounds_half_up():
    # A single item of 100: 0.5 × 0.99 = 0.495 → 0.50 (half up, not to even); 0.5 × 0.97 = 0.485 → 0.49.
    one = [{"key": "a", "name": "甲", "weight": 100}]
    assert scoring.total_for({"a": "0.5"}, one, {"democratic": D("0")}, {"democratic": 1}) == D("0.50")
    assert scoring.total_for({"a": "0.5"}, one, {"democratic": D("0")}, {"democratic": 3}) == D("0.49")


def test_total_refuses_a_missing_item_or_counted_sub():
    with pytest.raises(ValueError, match="勤"):
        scoring.total_for({k: v for k, v in FULL.items() if k != "qin"}, ITEMS, {}, NO_SHARES)
    with pytest.raises(ValueError):
        scoring.total_for(FULL, ITEMS, {}, {"mentor": 10, "unit": 0, "democratic": 0})
    # A sub-score with a share of 0 may be missing.
    assert scoring.total_for(FULL, ITEMS, {"mentor": None}, NO_SHARES) == D("89.50")


# --------------------------------------------------------------------------- share_count (前xx%)


@pytest.mark.parametrize(("n", "percent", "count"), [
    (7, 10, 1),  # 0.7 → 1
    (15, 10, 2),  # 1.5 → 2 (half up)
    (7, 20, 1),  # 1.4 → 1
    (10, 25, 3),  # 2.5 → 3
    (10, 20, 2),
    (3, 10, 1),  # 0.3 → at least 1
    (1, 1, 1),
    (7, 0, 0),
    (0, 20, 0),
    (4, 100, 4),
    (14, 10, 1),  # 1.4 → 1
    (25, 10, 3),  # 2.5 → 3
])
def test_share_count(n, percent, count):
    assert scoring.share_count(n, percent) == count


@pytest.mark.parametrize(("n", "percent", "count"), [
    (3, 10, 0),  # 0.3 → 0: the bottom share of a small tier of good results warns nobody
    (4, 10, 0),
    (5, 10, 1),  # 0.5 → 1 (half up)
    (7, 10, 1),
    (11, 10, 1),
    (15, 10, 2),
    (7, 0, 0),
])
def test_the_bottom_share_takes_no_minimum(n, percent, count):
    assert scoring.share_count(n, percent, minimum=0) == count


# --------------------------------------------------------------------------- ranking and ties


def a(pk, total, scores=None, start=datetime.date(2024, 1, 1), reserve_id=None, veto=""):
    return SimpleNamespace(pk=pk, total=D(total), scores=scores or {}, veto_reason=veto, vetoed=bool(veto),
                           reserve=SimpleNamespace(pk=reserve_id or pk, start_date=start))


def order(rows):
    return [x.pk for x in scoring.rank(rows, ITEMS)]


def test_ranked_by_total():
    assert order([a(1, "80"), a(2, "95"), a(3, "88.5")]) == [2, 3, 1]


def test_tie_broken_by_the_heaviest_item_first():
    # Equal totals: 绩 (30) decides first.
    x = a(1, "90", {"ji": "27", "de": "19"})
    y = a(2, "90", {"ji": "28", "de": "18"})
    assert order([x, y]) == [2, 1]


def test_tie_on_the_heaviest_item_goes_to_equal_weights_in_scheme_order():
    # 绩 equal; 德 (20) and 廉 (20) have equal weights: 德 comes first in the scheme.
    x = a(1, "90", {"ji": "27", "de": "18", "lian": "20"})
    y = a(2, "90", {"ji": "27", "de": "19", "lian": "19"})
    assert order([x, y]) == [2, 1]
    assert [i["key"] for i in scoring.ordered_items(ITEMS)] == ["ji", "de", "lian", "neng", "qin"]


def test_tie_on_every_item_goes_to_the_earlier_pool_entry():
    same = {"ji": "27", "de": "18"}
    x = a(1, "90", same, start=datetime.date(2024, 5, 1))
    y = a(2, "90", same, start=datetime.date(2023, 5, 1))
    assert order([x, y]) == [2, 1]


def test_tie_on_everything_goes_to_the_lower_reserve_id():
    same = {"ji": "27"}
    x = a(1, "90", same, reserve_id=9)
    y = a(2, "90", same, reserve_id=4)
    assert order([x, y]) == [2, 1]


def test_vetoed_are_not_ranked_whatever_their_total():
    assert order([a(1, "99", veto="违纪违法"), a(2, "70"), a(3, "80")]) == [3, 2]


@pytest.mark.parametrize(("position", "n", "grade", "top", "bottom", "expected"), [
    (1, 10, Grade.EXCELLENT, 2, 1, (True, False)),
    (2, 10, Grade.COMPETENT, 2, 1, (True, False)),
    (3, 10, Grade.EXCELLENT, 2, 1, (False, False)),
    (10, 10, Grade.COMPETENT, 2, 1, (False, True)),  # the bottom share
    (2, 10, Grade.BASIC, 2, 1, (False, True)),  # 基本称职: never priority, always lagging
    (5, 10, Grade.INCOMPETENT, 2, 1, (False, True)),
    (1, 1, Grade.EXCELLENT, 1, 1, (True, False)),  # a tier of one: top and bottom overlap, the top wins
    (2, 2, Grade.COMPETENT, 1, 1, (False, True)),
])
def test_flags(position, n, grade, top, bottom, expected):
    assert scoring.flags(position, n, grade, top=top, bottom=bottom) == expected


@pytest.mark.parametrize("typed", ["-0", "-0.0", "0", "+0.0"])
def test_a_negative_zero_is_zero(typed):
    assert str(scoring.score_value(typed, 20)) == "0.0"


@pytest.mark.parametrize("name", ["德\x07", "德\n能", "德\u2028能", "德\u200b能"])
def test_an_item_name_with_a_control_character_is_refused(name):
    items = [{"name": name, "weight": 50}, {"name": "绩", "weight": 50}]
    assert "控制字符" in scoring.weights_error(items)


@pytest.mark.parametrize("reason", ["违纪\x00违法", "违纪\u2029", "恶劣\x1b影响"])
def test_a_veto_reason_with_a_control_character_is_refused(reason):
    from assessment.rounds import veto_reasons_error

    assert "控制字符" in veto_reasons_error(["违纪违法", reason])
