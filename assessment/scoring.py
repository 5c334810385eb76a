"""The arithmetic of an assessment (考核): pure functions, no database.

- `weights_error(items)`: the scheme's scored items (德、能、勤、绩、廉 …) — at least one, names given, unique and at
  most 10 characters, weights positive whole numbers summing to 100.
- `bands_error(bands)`, `grade_for(total, bands)`: the grade bands — the lowest total of 优秀, 称职 and 基本称职, strictly
  decreasing, from 0 to 100; a total at or above a band's lowest gets that grade (best first), a total below the last
  band is 不称职.
- `score_value(value, maximum)`: one score as typed — a number from 0 to `maximum` with at most one decimal.
- `total_for(scores, items, subs, shares)`: the total of an assessment (see its docstring), rounded half up to two
  decimals.
- `share_count(n, percent)`: how many of n reserves make up a percentage (前xx%, the bottom share).
- `ranking_key(assessment, items)` / `rank(assessments, items)`: the order within a tier, ties broken in a stated,
  deterministic way (see `ranking_key`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import Grade

ITEM_NAME_MAX = 10
MAX_ITEMS = 10
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
# The sub-scores (0–100 each) and the Assessment field holding each.
SUB_KEYS = ("mentor", "unit", "democratic")
SUB_FIELDS = {"mentor": "mentor_score", "unit": "unit_score", "democratic": "democratic_score"}
# The grades a band names, best first (the grade below the last band is 不称职).
BAND_GRADES = (Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC)
# The grades that count as lagging (基本称职 and below).
LAGGING_GRADES = (Grade.BASIC, Grade.INCOMPETENT)
# A number as typed: digits with an optional sign and decimal part (no exponent, no "nan", no underscores).
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def _whole(value) -> int | None:
    """A whole number (an int, or a string of digits); None for anything else (bool, float, 1.5, "abc")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 6:
        return int(value.strip())
    return None


def has_control(text: str) -> bool:
    """Whether a short name holds a control, line or paragraph separator or format character (a name is one line
    printed in tables, PDFs and file names)."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def weights_error(items) -> str | None:
    """Why a list of scored items ({"name", "weight"}) is not a valid scheme, or None."""
    if not items:
        return _("请至少设置一个考核项目。")
    if len(items) > MAX_ITEMS:
        return _("考核项目不能超过%(n)d个。") % {"n": MAX_ITEMS}
    names = set()
    total = 0
    for item in items:
        name = str(item.get("name") or "").strip()
        if not name:
            return _("考核项目名称不能为空。")
        if has_control(name):
            return _("考核项目名称不能含有控制字符或换行。")
        if len(name) > ITEM_NAME_MAX:
            return _("考核项目名称“%(n)s”超过%(m)d个字。") % {"n": name[:20], "m": ITEM_NAME_MAX}
        if name in names:
            return _("考核项目“%(n)s”重复。") % {"n": name}
        names.add(name)
        weight = _whole(item.get("weight"))
        if weight is None or weight <= 0:
            return _("考核项目“%(n)s”的权重须为正整数。") % {"n": name}
        total += weight
    if total != 100:
        return _("各考核项目权重之和须为100，现为%(t)d。") % {"t": total}
    return None


def bands_error(bands) -> str | None:
    """Why the grade bands (the lowest total of 优秀, 称职, 基本称职, in that order) are not valid, or None."""
    if not isinstance(bands, list | tuple) or len(bands) != len(BAND_GRADES):
        return _("请设置优秀、称职、基本称职三个等次的分数线。")
    previous = None
    for band, grade in zip(bands, BAND_GRADES, strict=True):
        if band.get("grade") != grade.value:
            return _("等次分数线须依次为优秀、称职、基本称职。")
        low = _whole(band.get("min"))
        if low is None or not 0 <= low <= 100:
            return _("%(g)s的分数线须为0至100的整数。") % {"g": grade.label}
        if previous is not None and low >= previous:
            return _("等次分数线须从高到低递减：%(g)s的分数线（%(a)d）须低于上一等次（%(b)d）。") % {
                "g": grade.label, "a": low, "b": previous}
        previous = low
    return None


def grade_for(total, bands) -> Grade:
    """The grade of a total: the first band (best first) whose lowest total it reaches; 不称职 below the last."""
    total = Decimal(str(total))
    for band in bands:
        if total >= Decimal(str(band["min"])):
            return Grade(band["grade"])
    return Grade.INCOMPETENT


def score_value(value, maximum) -> Decimal:
    """A score as typed: a number from 0 to `maximum` with at most one decimal. ValueError (a Chinese message)
    otherwise — empty, text, "nan", "inf", "1e9", negative, two decimals."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError(_("请填写分数。"))
    if len(text) > 8:
        raise ValueError(_("分数须为数字，最多一位小数。"))
    if not _NUMBER.match(text):
        raise ValueError(_("分数须为数字，最多一位小数。"))
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(_("分数须为数字，最多一位小数。")) from None
    if number != number.quantize(ONE_PLACE, rounding=ROUND_HALF_UP):
        raise ValueError(_("分数最多保留一位小数。"))
    if number < 0 or number > Decimal(str(maximum)):
        raise ValueError(_("分数须在0至%(m)s之间。") % {"m": maximum})
    return abs(number.quantize(ONE_PLACE))  # abs: "-0" and "-0.0" are 0.0, never shown as -0.0


def items_total(scores, items) -> Decimal:
    """The sum of the item scores (each item's score must be present)."""
    return sum((Decimal(str(scores[item["key"]])) for item in items), Decimal(0))


def missing_items(scores, items) -> list[str]:
    """The names of the items with no score."""
    return [item["name"] for item in items if scores.get(item["key"]) in (None, "")]


def missing_subs(subs, shares) -> list[str]:
    """The sub-scores counted in the total (share > 0) that are not given."""
    return [key for key in SUB_KEYS if int(shares.get(key) or 0) > 0 and subs.get(key) is None]


def total_for(scores, items, subs, shares) -> Decimal:
    """The total of an assessment, rounded half up to two decimals.

    items_total = Σ the item scores (each from 0 to its weight, the weights summing to 100);
    total = items_total × (100 − Σ shares) / 100 + Σ share × sub / 100,
    where the sub-scores (mentor, unit, democratic evaluation) are each from 0 to 100 and a share of 0 means the
    sub-score is shown for reference only. With every share 0 the total is the items' sum. A missing item score, or
    a missing sub-score whose share is positive, is a ValueError.
    """
    missing = missing_items(scores, items)
    if missing:
        raise ValueError(_("尚未评分：%(n)s。") % {"n": "、".join(missing)})
    if missing_subs(subs, shares):
        raise ValueError(_("计入总分的评分来源尚未评分。"))
    counted = {key: Decimal(str(shares.get(key) or 0)) for key in SUB_KEYS}
    total = items_total(scores, items) * (HUNDRED - sum(counted.values())) / HUNDRED
    for key, share in counted.items():
        if share > 0:
            total += share * Decimal(str(subs[key])) / HUNDRED
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def share_count(n: int, percent, *, minimum: int = 1) -> int:
    """How many of n reserves make up `percent` per cent (前xx%, the bottom share).

    The rule: n × percent / 100 rounded half up (x.5 goes up), never more than n, and — for the top share, whose
    purpose is to put someone forward — at least `minimum` (1) when percent > 0 and n > 0: a small tier still has
    its first. So 10% of 7 → 1 (0.7 → 1), 10% of 15 → 2 (1.5 → 2), 20% of 7 → 1 (1.4 → 1), 25% of 10 → 3
    (2.5 → 3), 0% of anything → 0. The bottom share (考核靠后, a warning) takes no minimum (`minimum=0`): 10% of 3
    → 0, so a small tier of good results warns nobody; 10% of 7 → 1.
    """
    percent = Decimal(str(percent or 0))
    if n <= 0 or percent <= 0:
        return 0
    count = int((Decimal(n) * percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(n, max(minimum, count))


def ordered_items(items) -> list[dict]:
    """The items by descending weight; equal weights in the scheme's order (the tie-breaks of the ranking)."""
    return [item for _index, item in sorted(enumerate(items), key=lambda pair: (-int(pair[1]["weight"]), pair[0]))]


def ranking_key(assessment, items) -> tuple:
    """The sort key of an assessment within its tier (ascending = better first):

    1. the total, higher first;
    2. then the item scores in order of descending weight (equal weights: the scheme's order), higher first —
       with the default scheme 绩 (30), then 德 (20), 廉 (20), 能 (15), 勤 (15);
    3. then the earlier entry into the pool (Reserve.start_date);
    4. then the lower reserve id (the earlier record).

    No two reserves share a key, so the ranks 1..n are distinct.
    """
    scores = assessment.scores or {}
    by_item = tuple(-Decimal(str(scores.get(item["key"]) or 0)) for item in ordered_items(items))
    reserve = assessment.reserve
    return (-Decimal(str(assessment.total)), *by_item, reserve.start_date or datetime.date.max, reserve.pk)


def rankable(assessment) -> bool:
    """Ranked: not vetoed (a veto excludes from the ranking) and with a total."""
    return not assessment.vetoed and assessment.total is not None


def rank(assessments, items) -> list:
    """The rankable assessments of one tier, best first (rank = position + 1); the vetoed are left out."""
    return sorted((a for a in assessments if rankable(a)), key=lambda a: ranking_key(a, items))


def flags(position: int, n: int, grade: str, *, top: int, bottom: int) -> tuple[bool, bool]:
    """(priority, lagging) of the ranked assessment at 1-based `position` of n, given the top and bottom counts.

    - priority (优先使用/优先推荐): within the top share and graded 优秀 or 称职 (a 基本称职 result is never put
      forward, whatever the rank);
    - lagging (考核靠后): graded 基本称职 or 不称职, or within the bottom share but not within the top share (in a tier
      of one or two the shares overlap; the top wins).
    The vetoed are not ranked and are always lagging (see the round's confirmation).
    """
    in_top = position <= top
    in_bottom = position > n - bottom and not in_top
    poor = grade in LAGGING_GRADES
    return in_top and not poor, poor or in_bottom
