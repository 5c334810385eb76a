"""The conditions of each tier of the talent plan (§三(二)2), evaluated and explained in one place.

Every caller — the entry forms and services, a relaxation, a change of the pool term's parameters, the panel on a
reserve's page — asks `evaluate()`; no other code decides whether a reserve meets the conditions of their tier.
Each limit is a parameter of the pool term (PoolTerm): the age limit per tier, the years in a post, the project
amount of tier 3.

Ages are full years (周岁) on the reference day (the entry or decision date); "以下" includes the number (35周岁以下:
35 passes, 36 does not). Years in a post are whole years up to the reference day (任职满两年: since on or before
the same day two years earlier).

Village reserve cadres (Tier.VILLAGE) were chosen by a selection round, whose basic conditions the selection
checked (candidates.eligibility): they are not checked again here, the condition reads the nomination's result.

Relaxation (特别优秀的，可适当放宽年龄和学历要求): only the age and education conditions may be relaxed, and only once
a reason and an approver are recorded (Reserve.relaxation_*); then an unmet one of them is shown as met, "放宽（理由）".
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reserve.choices import Education
from reserve.dates import age_on, cn_date, years_before

from .models import Tier

# The conditions a relaxation may satisfy.
RELAXABLE = ("age", "education")


@dataclass(frozen=True)
class Condition:
    code: str  # age, education, middle_post, civil_servant, organ_work, village_or_project, experience, selection
    title: str
    met: bool
    message: str
    relaxed: bool = False  # met only through the recorded relaxation

    @property
    def relaxable(self) -> bool:
        return self.code in RELAXABLE

    @property
    def symbol(self) -> str:
        return "✓" if self.met else "✗"


@dataclass(frozen=True)
class Facts:
    """What the conditions read of a person: built from a reserve or from an entry form being filled."""

    birth_date: datetime.date | None = None
    fulltime_education: int | None = None
    education: int | None = None
    civil_servant: bool = False
    middle_post_since: datetime.date | None = None
    organ_work_since: datetime.date | None = None
    village_cadre_since: datetime.date | None = None
    project_amount: int | None = None
    field_experience: str = ""
    relaxation_reason: str = ""
    relaxation_approved_by: str = ""
    relaxation_approved_on: datetime.date | None = None
    # Village reserve cadres: the selection's result (None: no selection on record).
    selection_eligible: bool | None = None

    FIELDS = ("birth_date", "fulltime_education", "education", "civil_servant", "middle_post_since",
              "organ_work_since", "village_cadre_since", "project_amount", "field_experience",
              "relaxation_reason", "relaxation_approved_by", "relaxation_approved_on")

    @classmethod
    def of(cls, reserve) -> "Facts":
        values = {name: getattr(reserve, name) for name in cls.FIELDS}
        values["field_experience"] = values["field_experience"] or ""
        values["relaxation_reason"] = values["relaxation_reason"] or ""
        values["relaxation_approved_by"] = values["relaxation_approved_by"] or ""
        selection = None
        if getattr(reserve, "nomination_id", None):
            selection = reserve.nomination.is_eligible
        return cls(**values, selection_eligible=selection)

    @property
    def relaxation_recorded(self) -> bool:
        return bool(self.relaxation_reason.strip() and self.relaxation_approved_by.strip())

    @property
    def highest_education(self) -> int | None:
        levels = [e for e in (self.fulltime_education, self.education) if e is not None]
        return max(levels) if levels else None


def whole_years(since: datetime.date, on: datetime.date) -> int:
    """Whole years from `since` to `on` (as age_on counts a birthday)."""
    return age_on(since, on)


# --- the single conditions ----------------------------------------------------------------------


def _relax(condition: Condition, facts: Facts) -> Condition:
    """An unmet age or education condition is met by a recorded relaxation: "放宽（理由）"."""
    if condition.met or not condition.relaxable or not facts.relaxation_recorded:
        return condition
    message = condition.message + _("放宽（%(r)s；%(by)s批准%(d)s）") % {
        "r": facts.relaxation_reason.strip(), "by": facts.relaxation_approved_by.strip(),
        "d": ("，" + cn_date(facts.relaxation_approved_on)) if facts.relaxation_approved_on else ""}
    return Condition(condition.code, condition.title, True, message, relaxed=True)


def check_age(facts: Facts, limit: int, on: datetime.date) -> Condition:
    title = _("年龄%(n)d周岁以下") % {"n": limit}
    if facts.birth_date is None:
        return Condition("age", title, False, _("缺少出生日期。"))
    age = age_on(facts.birth_date, on)
    params = {"d": cn_date(on), "a": age, "n": limit}
    if age <= limit:
        return Condition("age", title, True, _("截至%(d)s年满%(a)d周岁，未超过%(n)d周岁。") % params)
    return Condition("age", title, False, _("截至%(d)s年满%(a)d周岁，超过%(n)d周岁。") % params)


def check_education(facts: Facts, minimum: int, *, fulltime: bool) -> Condition:
    minimum = Education(minimum)
    if fulltime:
        title = _("全日制%(e)s及以上学历") % {"e": minimum.label}
        level, what = facts.fulltime_education, _("全日制学历")
    else:
        title = _("%(e)s及以上学历") % {"e": minimum.label}
        level, what = facts.highest_education, _("最高学历")
    if level is None:
        return Condition("education", title, False, _("未填写%(w)s。") % {"w": what})
    label = Education(level).label
    if level >= minimum:
        return Condition("education", title, True, _("%(w)s为%(e)s，符合要求。") % {"w": what, "e": label})
    return Condition("education", title, False,
                     _("%(w)s为%(e)s，低于%(m)s。") % {"w": what, "e": label, "m": minimum.label})


def check_years(code: str, title: str, since: datetime.date | None, years: int, on: datetime.date,
                missing: str, what: str) -> Condition:
    if since is None:
        return Condition(code, title, False, missing)
    if since > on:
        return Condition(code, title, False, _("%(w)s（%(s)s）晚于%(d)s。") % {
            "w": what, "s": cn_date(since), "d": cn_date(on)})
    full = whole_years(since, on)
    params = {"w": what, "s": cn_date(since), "d": cn_date(on), "y": full, "n": years}
    if since <= years_before(on, years):
        return Condition(code, title, True, _("%(w)s为%(s)s，截至%(d)s满%(y)d年，不少于%(n)d年。") % params)
    return Condition(code, title, False, _("%(w)s为%(s)s，截至%(d)s满%(y)d年，不足%(n)d年。") % params)


def check_civil_servant(facts: Facts) -> Condition:
    title = _("公务员身份")
    if facts.civil_servant:
        return Condition("civil_servant", title, True, _("具有公务员身份。"))
    return Condition("civil_servant", title, False, _("不具有公务员身份。"))


def check_village_or_project(facts: Facts, amount: int, on: datetime.date) -> Condition:
    title = _("有村、社区干部任职经历或管理项目%(n)d万元以上") % {"n": amount}
    if facts.village_cadre_since is not None and facts.village_cadre_since <= on:
        return Condition("village_or_project", title, True,
                         _("%(s)s起任村（社区）干部，有任职经历。") % {"s": cn_date(facts.village_cadre_since)})
    if facts.project_amount is not None and facts.project_amount >= amount:
        return Condition("village_or_project", title, True,
                         _("管理项目金额%(a)d万元，达到%(n)d万元。") % {"a": facts.project_amount, "n": amount})
    if facts.project_amount is not None:
        return Condition("village_or_project", title, False,
                         _("无村（社区）干部任职经历，管理项目金额%(a)d万元，不足%(n)d万元。") % {
                             "a": facts.project_amount, "n": amount})
    return Condition("village_or_project", title, False, _("无村（社区）干部任职经历，也未填写管理项目金额。"))


def check_experience(facts: Facts) -> Condition:
    title = _("在相关技术、行业等方面有一定经验")
    text = (facts.field_experience or "").strip()
    if text:
        return Condition("experience", title, True, text if len(text) <= 60 else text[:60] + "…")
    return Condition("experience", title, False, _("未填写技术、行业方面的经验。"))


def check_selection(facts: Facts) -> Condition:
    title = _("村级后备干部基本条件")
    if facts.selection_eligible is None:
        return Condition("selection", title, False, _("无选拔记录，村级后备干部须经选拔确定。"))
    if facts.selection_eligible:
        return Condition("selection", title, True, _("已在选拔中经资格审查，符合村级后备干部基本条件。"))
    return Condition("selection", title, False, _("选拔记录显示不符合村级后备干部基本条件。"))


# --- the tiers ------------------------------------------------------------------------------------


def evaluate(reserve_or_facts, tier, term, on: datetime.date) -> list[Condition]:
    """The conditions of `tier` under the pool term `term` on the reference day `on`, each met or not with a
    sentence; the recorded relaxation applied to the age and education conditions."""
    facts = reserve_or_facts if isinstance(reserve_or_facts, Facts) else Facts.of(reserve_or_facts)
    tier = Tier(int(tier))
    if tier == Tier.VILLAGE:
        return [check_selection(facts)]
    found = [check_age(facts, term.age_limit_of(tier), on)]
    if tier == Tier.FIRST:
        found += [
            check_education(facts, Education.BACHELOR, fulltime=True),
            check_years("middle_post", _("%(n)d年以上中层任职经历") % {"n": term.tier1_middle_post_years},
                        facts.middle_post_since, term.tier1_middle_post_years, on,
                        _("未填写任中层职务时间。"), _("任中层职务时间")),
            check_civil_servant(facts),
        ]
    elif tier == Tier.SECOND:
        found += [
            check_education(facts, Education.COLLEGE, fulltime=False),
            check_years("organ_work", _("%(n)d年以上机关工作经历") % {"n": term.tier2_organ_work_years},
                        facts.organ_work_since, term.tier2_organ_work_years, on,
                        _("未填写参加机关工作时间。"), _("参加机关工作时间")),
        ]
    elif tier == Tier.THIRD:
        found += [
            check_education(facts, Education.HIGH_SCHOOL, fulltime=False),
            check_village_or_project(facts, term.tier3_project_amount, on),
        ]
    else:
        found += [check_experience(facts)]
    return [_relax(c, facts) for c in found]


def unmet(reserve_or_facts, tier, term, on: datetime.date) -> list[Condition]:
    return [c for c in evaluate(reserve_or_facts, tier, term, on) if not c.met]


def meets(reserve_or_facts, tier, term, on: datetime.date) -> bool:
    return not unmet(reserve_or_facts, tier, term, on)


def reference_day(reserve) -> datetime.date:
    """The day a reserve's conditions are read on: the day of its latest tier change, else the day it entered (or
    was decided into) the pool."""
    return getattr(reserve, "tier_since", None) or reserve.start_date
