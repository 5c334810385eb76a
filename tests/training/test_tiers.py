"""The tier conditions (training.tiers), table-driven: every condition at its boundary for each tier."""

import datetime
from dataclasses import replace

import pytest

from reserve.choices import Education as E
from training import tiers
from training.models import PoolTerm, Tier
from training.tiers import Facts

ON = datetime.date(2026, 6, 15)  # the reference day (entry / decision date)
DAY = datetime.timedelta(days=1)


def ago(years, on=ON):
    return tiers.years_before(on, years)


# A person meeting every condition of each tier on ON, at the default parameters (35/35/40/45, 2 years, 100万元).
BASE = {
    Tier.FIRST: Facts(birth_date=ago(35), fulltime_education=E.BACHELOR, education=E.BACHELOR, civil_servant=True,
                      middle_post_since=ago(2)),
    Tier.SECOND: Facts(birth_date=ago(35), fulltime_education=E.COLLEGE, education=E.COLLEGE, organ_work_since=ago(2)),
    Tier.THIRD: Facts(birth_date=ago(40), fulltime_education=E.HIGH_SCHOOL, education=E.HIGH_SCHOOL,
                      project_amount=100),
    Tier.FOURTH: Facts(birth_date=ago(45), fulltime_education=E.JUNIOR_HIGH, field_experience="从事茶叶种植十年"),
}
RELAXED = {"relaxation_reason": "获省级劳动模范称号", "relaxation_approved_by": "镇党委书记",
           "relaxation_approved_on": ON}

CASES = [
    # tier, changes, condition code, met
    # --- age: 以下 includes the number; the birthday on the reference day counts
    (Tier.FIRST, {}, "age", True),
    (Tier.FIRST, {"birth_date": ago(36)}, "age", False),
    (Tier.FIRST, {"birth_date": ago(36) + DAY}, "age", True),
    (Tier.FIRST, {"birth_date": None}, "age", False),
    (Tier.SECOND, {"birth_date": ago(36)}, "age", False),
    (Tier.SECOND, {"birth_date": ago(36) + DAY}, "age", True),
    (Tier.THIRD, {"birth_date": ago(41)}, "age", False),
    (Tier.THIRD, {"birth_date": ago(41) + DAY}, "age", True),
    (Tier.FOURTH, {"birth_date": ago(46)}, "age", False),
    (Tier.FOURTH, {"birth_date": ago(46) + DAY}, "age", True),
    # --- education: tier 1 full-time bachelor; tier 2 college; tier 3 high school (highest, in-service counts)
    (Tier.FIRST, {}, "education", True),
    (Tier.FIRST, {"fulltime_education": E.POSTGRADUATE}, "education", True),
    (Tier.FIRST, {"fulltime_education": E.COLLEGE}, "education", False),
    (Tier.FIRST, {"fulltime_education": E.COLLEGE, "education": E.POSTGRADUATE}, "education", False),
    (Tier.FIRST, {"fulltime_education": None}, "education", False),
    (Tier.SECOND, {"fulltime_education": E.HIGH_SCHOOL, "education": E.HIGH_SCHOOL}, "education", False),
    (Tier.SECOND, {"fulltime_education": E.HIGH_SCHOOL, "education": E.COLLEGE}, "education", True),
    (Tier.SECOND, {"fulltime_education": None, "education": None}, "education", False),
    (Tier.THIRD, {"fulltime_education": E.JUNIOR_HIGH, "education": E.JUNIOR_HIGH}, "education", False),
    (Tier.THIRD, {"fulltime_education": E.JUNIOR_HIGH, "education": E.HIGH_SCHOOL}, "education", True),
    # --- tier 1: two whole years in a middle post, civil servant
    (Tier.FIRST, {"middle_post_since": ago(2)}, "middle_post", True),
    (Tier.FIRST, {"middle_post_since": ago(2) + DAY}, "middle_post", False),
    (Tier.FIRST, {"middle_post_since": ago(10)}, "middle_post", True),
    (Tier.FIRST, {"middle_post_since": None}, "middle_post", False),
    (Tier.FIRST, {"middle_post_since": ON + DAY}, "middle_post", False),
    (Tier.FIRST, {"civil_servant": True}, "civil_servant", True),
    (Tier.FIRST, {"civil_servant": False}, "civil_servant", False),
    # --- tier 2: two whole years of organ work
    (Tier.SECOND, {"organ_work_since": ago(2)}, "organ_work", True),
    (Tier.SECOND, {"organ_work_since": ago(2) + DAY}, "organ_work", False),
    (Tier.SECOND, {"organ_work_since": None}, "organ_work", False),
    # --- tier 3: village cadre experience OR a project of 100万元
    (Tier.THIRD, {"project_amount": 100}, "village_or_project", True),
    (Tier.THIRD, {"project_amount": 99}, "village_or_project", False),
    (Tier.THIRD, {"project_amount": None}, "village_or_project", False),
    (Tier.THIRD, {"project_amount": None, "village_cadre_since": ON}, "village_or_project", True),
    (Tier.THIRD, {"project_amount": 5, "village_cadre_since": ago(1)}, "village_or_project", True),
    (Tier.THIRD, {"project_amount": None, "village_cadre_since": ON + DAY}, "village_or_project", False),
    # --- tier 4: field experience
    (Tier.FOURTH, {"field_experience": "带领合作社年销售额千万元"}, "experience", True),
    (Tier.FOURTH, {"field_experience": ""}, "experience", False),
    (Tier.FOURTH, {"field_experience": "   "}, "experience", False),
    # --- relaxation: age and education only, and only with a reason and an approver
    (Tier.FIRST, {"birth_date": ago(36), **RELAXED}, "age", True),
    (Tier.FIRST, {"fulltime_education": E.COLLEGE, **RELAXED}, "education", True),
    (Tier.THIRD, {"fulltime_education": E.PRIMARY, "education": E.PRIMARY, **RELAXED}, "education", True),
    (Tier.FIRST, {"civil_servant": False, **RELAXED}, "civil_servant", False),
    (Tier.FIRST, {"middle_post_since": None, **RELAXED}, "middle_post", False),
    (Tier.THIRD, {"project_amount": 99, **RELAXED}, "village_or_project", False),
    (Tier.FOURTH, {"field_experience": "", **RELAXED}, "experience", False),
    (Tier.FIRST, {"birth_date": ago(36), "relaxation_reason": "特别优秀"}, "age", False),
    (Tier.FIRST, {"birth_date": ago(36), "relaxation_approved_by": "书记"}, "age", False),
    (Tier.FIRST, {"birth_date": ago(36), "relaxation_reason": "  ", "relaxation_approved_by": "书记"}, "age", False),
]


def _condition(conditions, code):
    found = [c for c in conditions if c.code == code]
    assert len(found) == 1, [c.code for c in conditions]
    return found[0]


@pytest.mark.parametrize(("tier", "changes", "code", "met"), CASES)
def test_condition_at_its_boundary(tier, changes, code, met):
    facts = replace(BASE[tier], **changes)
    condition = _condition(tiers.evaluate(facts, tier, PoolTerm(), ON), code)
    assert condition.met is met, condition.message
    assert condition.message
    assert condition.relaxed is (met and "relaxation_reason" in changes and code in tiers.RELAXABLE
                                 and not _condition(tiers.evaluate(replace(facts, relaxation_reason=""), tier,
                                                                   PoolTerm(), ON), code).met)


@pytest.mark.parametrize("tier", [Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.FOURTH])
def test_base_person_meets_every_condition_of_the_tier(tier):
    conditions = tiers.evaluate(BASE[tier], tier, PoolTerm(), ON)
    assert all(c.met for c in conditions), [c.message for c in conditions if not c.met]
    assert tiers.unmet(BASE[tier], tier, PoolTerm(), ON) == []
    assert tiers.meets(BASE[tier], tier, PoolTerm(), ON)


EXPECTED_CODES = {
    Tier.FIRST: ["age", "education", "middle_post", "civil_servant"],
    Tier.SECOND: ["age", "education", "organ_work"],
    Tier.THIRD: ["age", "education", "village_or_project"],
    Tier.FOURTH: ["age", "experience"],
    Tier.VILLAGE: ["selection"],
}


@pytest.mark.parametrize(("tier", "codes"), EXPECTED_CODES.items())
def test_the_conditions_of_each_tier(tier, codes):
    assert [c.code for c in tiers.evaluate(BASE.get(tier, Facts()), tier, PoolTerm(), ON)] == codes


@pytest.mark.parametrize(("selection", "met"), [(True, True), (False, False), (None, False)])
def test_village_reserves_take_the_selections_result(selection, met):
    [condition] = tiers.evaluate(Facts(selection_eligible=selection), Tier.VILLAGE, PoolTerm(), ON)
    assert condition.met is met
    # The age of a village reserve is not checked again here: the selection did.
    [condition] = tiers.evaluate(Facts(selection_eligible=True, birth_date=ago(70)), Tier.VILLAGE, PoolTerm(), ON)
    assert condition.met


PARAMETERS = [
    # term parameters, tier, facts changes, code, met
    ({"age_limit_tier1": 30}, Tier.FIRST, {"birth_date": ago(31) + DAY}, "age", True),
    ({"age_limit_tier1": 30}, Tier.FIRST, {"birth_date": ago(31)}, "age", False),
    ({"tier1_middle_post_years": 3}, Tier.FIRST, {"middle_post_since": ago(2)}, "middle_post", False),
    ({"tier1_middle_post_years": 3}, Tier.FIRST, {"middle_post_since": ago(3)}, "middle_post", True),
    ({"tier2_organ_work_years": 1}, Tier.SECOND, {"organ_work_since": ago(1)}, "organ_work", True),
    ({"tier3_project_amount": 50}, Tier.THIRD, {"project_amount": 50}, "village_or_project", True),
    ({"tier3_project_amount": 50}, Tier.THIRD, {"project_amount": 49}, "village_or_project", False),
    ({"age_limit_tier4": 50}, Tier.FOURTH, {"birth_date": ago(50)}, "age", True),
]


@pytest.mark.parametrize(("params", "tier", "changes", "code", "met"), PARAMETERS)
def test_each_limit_is_a_parameter_of_the_term(params, tier, changes, code, met):
    condition = _condition(tiers.evaluate(replace(BASE[tier], **changes), tier, PoolTerm(**params), ON), code)
    assert condition.met is met


def test_relaxed_condition_says_so_with_the_reason():
    facts = replace(BASE[Tier.FIRST], birth_date=ago(37), **RELAXED)
    age = _condition(tiers.evaluate(facts, Tier.FIRST, PoolTerm(), ON), "age")
    assert age.met and age.relaxed
    assert "放宽（获省级劳动模范称号" in age.message and "镇党委书记" in age.message


def test_sentences_name_the_numbers():
    facts = replace(BASE[Tier.THIRD], project_amount=99)
    condition = _condition(tiers.evaluate(facts, Tier.THIRD, PoolTerm(), ON), "village_or_project")
    assert "99万元" in condition.message and "100万元" in condition.message
    age = _condition(tiers.evaluate(replace(BASE[Tier.FIRST], birth_date=ago(36)), Tier.FIRST, PoolTerm(), ON), "age")
    assert "36周岁" in age.message and "35周岁" in age.message and age.symbol == "✗"


@pytest.mark.parametrize(("day", "years", "expected"), [
    (datetime.date(2028, 2, 29), 2, datetime.date(2026, 2, 28)),
    (datetime.date(2026, 6, 15), 2, datetime.date(2024, 6, 15)),
])
def test_years_before(day, years, expected):
    assert tiers.years_before(day, years) == expected


def test_leap_day_post_counts_two_years_from_28_february():
    on = datetime.date(2028, 2, 29)
    facts = replace(BASE[Tier.FIRST], birth_date=tiers.years_before(on, 30), middle_post_since=datetime.date(2026, 2, 28))
    assert _condition(tiers.evaluate(facts, Tier.FIRST, PoolTerm(), on), "middle_post").met
    facts = replace(facts, middle_post_since=datetime.date(2026, 3, 1))
    assert not _condition(tiers.evaluate(facts, Tier.FIRST, PoolTerm(), on), "middle_post").met


@pytest.mark.django_db
def test_evaluate_reads_a_reserve_and_its_nomination():
    from tests.factories import NominationFactory, ReserveFactory

    reserve = ReserveFactory(tier=Tier.SECOND, birth_date=ago(30), education=E.COLLEGE, organ_work_since=ago(3))
    assert tiers.meets(reserve, reserve.tier, reserve.term, ON)
    nomination = NominationFactory()
    nomination.is_eligible = True
    village = ReserveFactory(nomination=nomination, village=nomination.village, town=nomination.village.town)
    assert tiers.meets(village, Tier.VILLAGE, village.term, ON)
    village.nomination.is_eligible = False
    assert not tiers.meets(village, Tier.VILLAGE, village.term, ON)
