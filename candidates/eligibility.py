"""The basic conditions of the village plan (§二), evaluated in one place.

Every caller — the live check on the form, saving a nomination, a change of the round's
parameters, the lists — asks `evaluate()`; no other code decides eligibility.

Relaxation (放宽条件) is decided by the organisation office, not claimed by the village: a category the
village names on the form is shown with what it would relax, and counts only once the office has recorded
its decision on the nomination (`office_relaxation`): education down to the round's relaxed minimum, and
age by the round's relaxed_age_extra when that is more than 0.
"""

import datetime
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from reserve.choices import Education, RelaxationCategory
from reserve.dates import age_on, cn_date

PASS, FAIL, WARN = "pass", "fail", "warn"


@dataclass(frozen=True)
class RuleResult:
    code: str
    title: str
    outcome: str  # PASS, FAIL or WARN (a warning never makes a nomination ineligible)
    message: str

    @property
    def passed(self):
        return self.outcome != FAIL


@dataclass(frozen=True)
class Applicant:
    """What the rules read of a nomination; built from a saved nomination or a form being filled."""

    village_id: int
    village_name: str
    hukou_village_id: int | None
    hukou_village_name: str
    birth_date: datetime.date | None
    fulltime_education: int | None = None
    inservice_education: int | None = None
    relaxation_category: str = ""
    relaxation_note: str = ""
    declared_relatives: tuple[str, ...] = field(default_factory=tuple)
    # The category of the office's recorded relaxation decision ("" when none), and its particulars.
    office_relaxation: str = ""
    office_relaxation_text: str = ""

    @classmethod
    def from_nomination(cls, nomination, relatives=None):
        if relatives is None:
            relatives = [f"{r.cadre_name}（{r.relation}）" for r in nomination.committee_relatives.all()]
        return cls(
            village_id=nomination.village_id,
            village_name=nomination.village.name,
            hukou_village_id=nomination.hukou_village_id,
            hukou_village_name=nomination.hukou_village.name if nomination.hukou_village_id else "",
            birth_date=nomination.person.birth_date if nomination.person_id else None,
            fulltime_education=nomination.fulltime_education,
            inservice_education=nomination.inservice_education,
            relaxation_category=nomination.relaxation_category,
            relaxation_note=nomination.relaxation_note,
            declared_relatives=tuple(relatives),
            office_relaxation=nomination.relaxation_decided,
            office_relaxation_text=_office_relaxation_text(nomination),
        )


def _office_relaxation_text(nomination) -> str:
    if not nomination.relaxation_decided:
        return ""
    return _("%(by)s于%(d)s批准，理由：%(r)s") % {
        "by": nomination.relaxation_approved_by, "d": cn_date(nomination.relaxation_approved_on),
        "r": nomination.relaxation_reason,
    }


@dataclass(frozen=True)
class EligibilityResult:
    rules: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.passed for r in self.rules)

    def as_json(self) -> list[dict]:
        return [asdict(r) for r in self.rules]


# The conditions an office relaxation can satisfy.
RELAXABLE_RULES = ("education", "age")


def relaxation_applies(applicant: Applicant, round_) -> bool:
    """Whether the relaxed conditions apply: only when the office has recorded its decision."""
    return bool(applicant.office_relaxation)


def claim_is_valid(applicant: Applicant, round_) -> bool:
    """A village's claimed category is one the round relaxes (and a special case is explained)."""
    category = applicant.relaxation_category
    if not category or category not in (round_.relaxation_categories or []):
        return False
    if category == RelaxationCategory.SPECIAL and not applicant.relaxation_note.strip():
        return False
    return True


def relaxed_conditions(round_) -> list[str]:
    """What a relaxation of this round relaxes, in words: education always, age only if the round says so."""
    found = [_("学历可放宽至%(e)s及以上") % {"e": Education(round_.relaxed_min_education).label}]
    if round_.relaxed_age_extra > 0:
        found.append(_("年龄可放宽至%(n)d周岁以下") % {"n": round_.age_limit + round_.relaxed_age_extra})
    else:
        found.append(_("年龄不放宽"))
    return found


def _pending_claim(applicant: Applicant) -> str:
    return _("申请按“%(c)s”放宽条件，须经镇组织办决定。") % {
        "c": RelaxationCategory(applicant.relaxation_category).label}


def _category_label(applicant: Applicant) -> str:
    return RelaxationCategory(applicant.office_relaxation).label


def check_hukou(applicant: Applicant, round_) -> RuleResult:
    title = _("本村户籍")
    if applicant.hukou_village_id is None:
        return RuleResult("hukou", title, FAIL, _("未填写户籍所在村（社区）。"))
    if applicant.hukou_village_id == applicant.village_id:
        return RuleResult("hukou", title, PASS, _("户籍在本村（%(v)s）。") % {"v": applicant.village_name})
    return RuleResult(
        "hukou", title, FAIL,
        _("户籍在%(h)s，不是%(v)s户籍。") % {"h": applicant.hukou_village_name, "v": applicant.village_name},
    )


def check_age(applicant: Applicant, round_) -> RuleResult:
    limit = round_.age_limit
    relaxed = relaxation_applies(applicant, round_) and round_.relaxed_age_extra > 0
    if relaxed:
        limit += round_.relaxed_age_extra
    title = _("年龄%(n)d周岁以下") % {"n": round_.age_limit}
    if applicant.birth_date is None:
        return RuleResult("age", title, FAIL, _("缺少出生日期。"))
    ref = round_.age_reference_date
    age = age_on(applicant.birth_date, ref)
    params = {"d": cn_date(ref), "a": age, "n": limit}
    if age <= limit:
        msg = _("截至%(d)s年满%(a)d周岁，未超过%(n)d周岁。") % params
        if relaxed and age > round_.age_limit:
            msg += _("（适用放宽条件：%(c)s，组织办决定）") % {"c": _category_label(applicant)}
        return RuleResult("age", title, PASS, msg)
    msg = _("截至%(d)s年满%(a)d周岁，超过%(n)d周岁。") % params
    if (not relaxed and claim_is_valid(applicant, round_) and round_.relaxed_age_extra > 0
            and age <= round_.age_limit + round_.relaxed_age_extra):
        msg += _pending_claim(applicant)
    return RuleResult("age", title, FAIL, msg)


def check_education(applicant: Applicant, round_) -> RuleResult:
    minimum = Education(round_.min_education)
    title = _("%(e)s及以上学历") % {"e": minimum.label}
    levels = [e for e in (applicant.fulltime_education, applicant.inservice_education) if e is not None]
    if not levels:
        return RuleResult("education", title, FAIL, _("未填写学历。"))
    highest = Education(max(levels))
    if highest >= minimum:
        return RuleResult("education", title, PASS, _("最高学历为%(e)s，符合要求。") % {"e": highest.label})
    relaxed_min = Education(round_.relaxed_min_education)
    if relaxation_applies(applicant, round_):
        category = _category_label(applicant)
        if highest >= relaxed_min:
            return RuleResult(
                "education", title, PASS,
                _("最高学历为%(e)s，低于%(m)s，但组织办决定按“%(c)s”放宽至%(r)s及以上，符合要求。")
                % {"e": highest.label, "m": minimum.label, "c": category, "r": relaxed_min.label},
            )
        return RuleResult(
            "education", title, FAIL,
            _("最高学历为%(e)s，即使按“%(c)s”放宽，也低于%(r)s。")
            % {"e": highest.label, "c": category, "r": relaxed_min.label},
        )
    msg = _("最高学历为%(e)s，低于%(m)s。") % {"e": highest.label, "m": minimum.label}
    if claim_is_valid(applicant, round_):
        if highest >= relaxed_min:
            msg += _pending_claim(applicant)
        else:
            msg += _("即使按“%(c)s”放宽，也低于%(r)s。") % {
                "c": RelaxationCategory(applicant.relaxation_category).label, "r": relaxed_min.label}
    elif applicant.relaxation_category:
        if applicant.relaxation_category not in (round_.relaxation_categories or []):
            msg += _("本批次不对“%(c)s”放宽条件。") % {
                "c": RelaxationCategory(applicant.relaxation_category).label
            }
        else:
            msg += _("申请按其他特殊情况放宽，但未填写说明。")
    return RuleResult("education", title, FAIL, msg)


def check_relatives(applicant: Applicant, round_) -> RuleResult:
    title = _("亲属任职申报")
    if applicant.declared_relatives:
        return RuleResult(
            "relatives", title, WARN,
            _("申报有亲属在本村“两委”任职：%(r)s。请在资格审查时注意回避。")
            % {"r": "、".join(applicant.declared_relatives)},
        )
    return RuleResult("relatives", title, PASS, _("未申报在本村“两委”任职的亲属。"))


def check_relaxation(applicant: Applicant, round_) -> RuleResult | None:
    """Not a condition: what a relaxation means for this applicant — the office's decision when recorded (shown
    wherever the conditions are), else the village's claim and what it would relax. None when neither."""
    title = _("放宽条件")
    if applicant.office_relaxation:
        return RuleResult(
            "relaxation", title, PASS,
            _("组织办决定按“%(c)s”放宽条件（%(w)s）：%(t)s。") % {
                "c": _category_label(applicant), "w": "；".join(relaxed_conditions(round_)),
                "t": applicant.office_relaxation_text},
        )
    if not applicant.relaxation_category:
        return None
    label = RelaxationCategory(applicant.relaxation_category).label
    if applicant.relaxation_category not in (round_.relaxation_categories or []):
        return RuleResult("relaxation", title, WARN, _("本批次不对“%(c)s”放宽条件。") % {"c": label})
    return RuleResult(
        "relaxation", title, WARN,
        _("申请按“%(c)s”放宽：%(w)s。是否放宽由镇组织办决定。") % {
            "c": label, "w": "；".join(relaxed_conditions(round_))},
    )


RULES = (check_hukou, check_age, check_education, check_relatives, check_relaxation)


def evaluate(applicant: Applicant, round_) -> EligibilityResult:
    results = (rule(applicant, round_) for rule in RULES)
    return EligibilityResult(rules=tuple(r for r in results if r is not None))
