"""The basic conditions of the village plan §二, as decided by candidates.eligibility.evaluate().

本村户籍; 年龄xx周岁以下 (以下 includes the number: age in full years on the round's reference date);
学历原则上高中及以上, 返乡创业大学生、合作社负责人、优秀退伍军人可适当放宽; relatives on the 两委 declared
and flagged (a warning, never a refusal).
"""

import dataclasses
import datetime

import pytest

from candidates.eligibility import FAIL, PASS, WARN, Applicant, evaluate
from reserve.choices import Education, RelaxationCategory

from ..factories import RoundFactory

D = datetime.date
REF = D(2026, 6, 30)
REF_TEXT = "2026年6月30日"
E = Education
R = RelaxationCategory


def make_round(**params):
    params.setdefault("age_reference_date", REF)
    return RoundFactory.build(**params)


def applicant(**overrides):
    base = dict(
        village_id=1,
        village_name="东山村",
        hukou_village_id=1,
        hukou_village_name="东山村",
        birth_date=D(1995, 6, 15),
        fulltime_education=E.HIGH_SCHOOL,
    )
    base.update(overrides)
    return Applicant(**base)


def rule(result, code):
    (found,) = [r for r in result.rules if r.code == code]
    return found


def test_defaults_of_an_unsaved_round_are_the_policy_defaults():
    r = make_round()
    assert r.age_limit == 35
    assert r.min_education == E.HIGH_SCHOOL
    assert r.relaxed_min_education == E.JUNIOR_HIGH
    assert r.relaxed_age_extra == 0
    assert set(r.relaxation_categories) == set(R.values)


def test_all_rules_evaluated_and_a_plain_applicant_is_eligible():
    result = evaluate(applicant(), make_round())
    assert [r.code for r in result.rules] == ["hukou", "age", "education", "relatives"]
    assert all(r.outcome == PASS for r in result.rules)
    assert result.eligible is True
    as_json = result.as_json()
    assert [row["code"] for row in as_json] == ["hukou", "age", "education", "relatives"]
    assert set(as_json[0]) == {"code", "title", "outcome", "message"}


# ---------------------------------------------------------------------------------------------
# 本村户籍
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hukou_id, hukou_name, outcome, fragments",
    [
        (1, "东山村", PASS, ["东山村"]),
        (2, "西岭村", FAIL, ["西岭村", "不是东山村户籍"]),
        (None, "", FAIL, ["未填写户籍"]),
    ],
)
def test_hukou(hukou_id, hukou_name, outcome, fragments):
    result = evaluate(applicant(hukou_village_id=hukou_id, hukou_village_name=hukou_name), make_round())
    found = rule(result, "hukou")
    assert found.outcome == outcome
    for fragment in fragments:
        assert fragment in found.message
    assert result.eligible is (outcome == PASS)


# ---------------------------------------------------------------------------------------------
# 年龄xx周岁以下
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth, limit, outcome, age",
    [
        (D(1990, 6, 30), 35, FAIL, 36),  # 36th birthday ON the reference date: out
        (D(1990, 7, 1), 35, PASS, 35),  # 36th birthday the day AFTER: in
        (D(1990, 6, 29), 35, FAIL, 36),
        (D(1991, 6, 30), 35, PASS, 35),  # 35th birthday on the reference date
        (D(2000, 1, 1), 35, PASS, 26),
        (D(1985, 6, 30), 40, FAIL, 41),  # a round with age limit 40
        (D(1985, 7, 1), 40, PASS, 40),
        (D(1990, 6, 30), 40, PASS, 36),
        (D(1995, 6, 30), 30, FAIL, 31),
        (D(1995, 7, 1), 30, PASS, 30),
    ],
)
def test_age_boundary(birth, limit, outcome, age):
    result = evaluate(applicant(birth_date=birth), make_round(age_limit=limit))
    found = rule(result, "age")
    assert found.outcome == outcome
    assert found.title == f"年龄{limit}周岁以下"
    assert REF_TEXT in found.message
    assert f"{age}周岁" in found.message
    assert f"{limit}周岁" in found.message
    assert ("超过" in found.message and "未超过" not in found.message) is (outcome == FAIL)
    assert result.eligible is (outcome == PASS)


@pytest.mark.parametrize(
    "reference, outcome",
    [
        (D(2024, 2, 28), PASS),  # born 29 Feb 1988: 35 the day before the leap-day birthday
        (D(2024, 2, 29), FAIL),  # 36 on 29 February 2024
    ],
)
def test_age_leap_day_birth(reference, outcome):
    result = evaluate(applicant(birth_date=D(1988, 2, 29)), make_round(age_reference_date=reference))
    assert rule(result, "age").outcome == outcome


def test_age_counts_on_the_reference_date_not_today():
    # 25 years old today, 36 on a reference date far in the future.
    born = D(2001, 1, 1)
    result = evaluate(applicant(birth_date=born), make_round(age_reference_date=D(2037, 1, 1)))
    assert rule(result, "age").outcome == FAIL
    assert "2037年1月1日" in rule(result, "age").message


def test_age_missing_birth_date_fails():
    found = rule(evaluate(applicant(birth_date=None), make_round()), "age")
    assert found.outcome == FAIL
    assert "出生日期" in found.message


# ---------------------------------------------------------------------------------------------
# 学历
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fulltime, inservice, minimum, outcome, fragments",
    [
        (E.HIGH_SCHOOL, None, E.HIGH_SCHOOL, PASS, ["高中"]),
        (E.BACHELOR, None, E.HIGH_SCHOOL, PASS, ["大学本科"]),
        (E.JUNIOR_HIGH, None, E.HIGH_SCHOOL, FAIL, ["初中", "低于高中"]),
        (E.PRIMARY, None, E.HIGH_SCHOOL, FAIL, ["小学", "低于高中"]),
        (E.JUNIOR_HIGH, E.COLLEGE, E.HIGH_SCHOOL, PASS, ["大专"]),  # the higher of the two counts
        (None, E.HIGH_SCHOOL, E.HIGH_SCHOOL, PASS, ["高中"]),
        (None, None, E.HIGH_SCHOOL, FAIL, ["未填写学历"]),
        (E.HIGH_SCHOOL, None, E.COLLEGE, FAIL, ["高中", "低于大专"]),  # a round asking for 大专+
        (E.COLLEGE, None, E.COLLEGE, PASS, ["大专"]),
    ],
)
def test_education(fulltime, inservice, minimum, outcome, fragments):
    r = make_round(min_education=minimum)
    found = rule(evaluate(applicant(fulltime_education=fulltime, inservice_education=inservice), r), "education")
    assert found.outcome == outcome
    assert found.title == f"{E(minimum).label}及以上学历"
    for fragment in fragments:
        assert fragment in found.message


@pytest.mark.parametrize(
    "category, education, relaxed_min, outcome, fragments",
    [
        (R.RETURNING_GRADUATE, E.JUNIOR_HIGH, E.JUNIOR_HIGH, PASS, ["返乡创业大学生", "放宽至初中", "组织办决定"]),
        (R.COOP_LEADER, E.JUNIOR_HIGH, E.JUNIOR_HIGH, PASS, ["合作社负责人", "初中"]),
        (R.VETERAN, E.JUNIOR_HIGH, E.JUNIOR_HIGH, PASS, ["优秀退伍军人", "初中"]),
        (R.VETERAN, E.PRIMARY, E.JUNIOR_HIGH, FAIL, ["优秀退伍军人", "即使", "低于初中"]),
        (R.VETERAN, E.PRIMARY, E.PRIMARY, PASS, ["小学"]),
        (R.COOP_LEADER, E.JUNIOR_HIGH, E.HIGH_SCHOOL, FAIL, ["合作社负责人", "低于高中"]),  # no relaxation set
    ],
)
def test_education_relaxed_by_the_office_s_decision(category, education, relaxed_min, outcome, fragments):
    """A relaxation the office recorded satisfies the education condition down to the round's relaxed minimum."""
    r = make_round(relaxed_min_education=relaxed_min)
    found = rule(
        evaluate(applicant(fulltime_education=education, office_relaxation=category), r), "education"
    )
    assert found.outcome == outcome
    for fragment in fragments:
        assert fragment in found.message


@pytest.mark.parametrize(
    "claim, note, categories, education, fragments",
    [
        (R.COOP_LEADER, "", None, E.JUNIOR_HIGH, ["申请按“合作社负责人”放宽条件，须经镇组织办决定"]),
        (R.VETERAN, "", None, E.JUNIOR_HIGH, ["须经镇组织办决定"]),
        (R.SPECIAL, "长期在村担任网格员。", None, E.JUNIOR_HIGH, ["须经镇组织办决定"]),
        (R.SPECIAL, "", None, E.JUNIOR_HIGH, ["未填写说明"]),
        (R.VETERAN, "", [R.COOP_LEADER], E.JUNIOR_HIGH, ["本批次不对“优秀退伍军人”放宽条件"]),
        (R.VETERAN, "", None, E.PRIMARY, ["即使按“优秀退伍军人”放宽，也低于初中"]),
    ],
)
def test_a_village_s_claim_alone_relaxes_nothing(claim, note, categories, education, fragments):
    """The plan's relaxation is decided by the office: a category the village names is shown, never applied."""
    params = {} if categories is None else {"relaxation_categories": categories}
    result = evaluate(applicant(fulltime_education=education, relaxation_category=claim, relaxation_note=note),
                      make_round(**params))
    found = rule(result, "education")
    assert found.outcome == FAIL
    assert result.eligible is False
    for fragment in fragments:
        assert fragment in found.message


@pytest.mark.parametrize(
    "extra, shows",
    [
        (0, ["学历可放宽至初中及以上", "年龄不放宽"]),
        (5, ["学历可放宽至初中及以上", "年龄可放宽至40周岁以下"]),
    ],
)
def test_a_claim_shows_which_conditions_it_relaxes(extra, shows):
    """The village's claim shows what the category would relax — age only if the round says so."""
    found = rule(evaluate(applicant(relaxation_category=R.VETERAN), make_round(relaxed_age_extra=extra)),
                 "relaxation")
    assert found.outcome == WARN
    assert "由镇组织办决定" in found.message
    for fragment in shows:
        assert fragment in found.message


def test_the_office_s_decision_is_shown_with_the_conditions():
    found = rule(evaluate(applicant(office_relaxation=R.COOP_LEADER,
                                    office_relaxation_text="镇党委书记王某于2026年6月1日批准，理由：带头致富"),
                          make_round()), "relaxation")
    assert found.outcome == PASS
    assert "组织办决定按“合作社负责人”放宽条件" in found.message and "王某" in found.message


def test_education_not_relaxed_for_a_category_the_round_does_not_allow():
    r = make_round(relaxation_categories=[R.RETURNING_GRADUATE, R.COOP_LEADER])
    result = evaluate(applicant(fulltime_education=E.JUNIOR_HIGH, relaxation_category=R.VETERAN), r)
    found = rule(result, "education")
    assert found.outcome == FAIL
    assert "本批次不对“优秀退伍军人”放宽条件" in found.message
    assert "初中" in found.message
    assert result.eligible is False


def test_education_not_relaxed_when_the_round_allows_no_category():
    r = make_round(relaxation_categories=[])
    found = rule(evaluate(applicant(fulltime_education=E.JUNIOR_HIGH, relaxation_category=R.COOP_LEADER), r),
                 "education")
    assert found.outcome == FAIL
    assert "合作社负责人" in found.message


@pytest.mark.parametrize(
    "note, fragment",
    [
        ("", "未填写说明"),
        ("   \n ", "未填写说明"),  # blank is no explanation
        ("长期在村担任网格员，群众基础好。", "须经镇组织办决定"),  # explained: waits for the office's decision
    ],
)
def test_special_case_needs_a_note(note, fragment):
    found = rule(
        evaluate(
            applicant(fulltime_education=E.JUNIOR_HIGH, relaxation_category=R.SPECIAL, relaxation_note=note),
            make_round(),
        ),
        "education",
    )
    assert found.outcome == FAIL
    assert fragment in found.message


def test_special_case_disabled_in_round_fails_even_with_note():
    r = make_round(relaxation_categories=[R.VETERAN])
    found = rule(
        evaluate(applicant(fulltime_education=E.JUNIOR_HIGH, relaxation_category=R.SPECIAL,
                           relaxation_note="有说明"), r),
        "education",
    )
    assert found.outcome == FAIL
    assert "本批次不对“其他特殊情况（需说明）”放宽条件" in found.message


def test_claimed_category_does_not_matter_when_education_meets_minimum():
    r = make_round(relaxation_categories=[])
    found = rule(evaluate(applicant(fulltime_education=E.COLLEGE, relaxation_category=R.VETERAN), r), "education")
    assert found.outcome == PASS


# ---------------------------------------------------------------------------------------------
# 放宽类别的年龄
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth, decided, claimed, extra, outcome, limit_in_message",
    [
        (D(1988, 6, 30), R.VETERAN, "", 5, PASS, 40),  # 38, relaxed to 40 by the office
        (D(1985, 7, 1), R.VETERAN, "", 5, PASS, 40),  # 40 exactly
        (D(1985, 6, 30), R.VETERAN, "", 5, FAIL, 40),  # 41: over even the relaxed limit
        (D(1988, 6, 30), "", "", 5, FAIL, 35),  # no relaxation
        (D(1988, 6, 30), "", R.VETERAN, 5, FAIL, 35),  # claimed by the village only: waits for the office
        (D(1988, 6, 30), R.SPECIAL, R.SPECIAL, 5, PASS, 40),
        (D(1990, 6, 30), R.VETERAN, R.VETERAN, 0, FAIL, 35),  # no age relaxation in this round
    ],
)
def test_relaxed_age_extra(birth, decided, claimed, extra, outcome, limit_in_message):
    r = make_round(relaxed_age_extra=extra)
    result = evaluate(
        applicant(birth_date=birth, relaxation_category=claimed, relaxation_note="说明" if claimed else "",
                  office_relaxation=decided, fulltime_education=E.HIGH_SCHOOL),
        r,
    )
    found = rule(result, "age")
    assert found.outcome == outcome
    assert found.title == "年龄35周岁以下"  # the title states the round's general limit
    assert f"{limit_in_message}周岁" in found.message
    assert REF_TEXT in found.message
    if outcome == PASS:
        assert "适用放宽条件" in found.message
        assert str(R(decided).label) in found.message
    if claimed and not decided and extra:
        assert "须经镇组织办决定" in found.message


def test_relaxed_age_note_absent_when_within_general_limit():
    r = make_round(relaxed_age_extra=5)
    found = rule(evaluate(applicant(birth_date=D(1995, 1, 1), office_relaxation=R.VETERAN), r), "age")
    assert found.outcome == PASS
    assert "适用放宽条件" not in found.message


# ---------------------------------------------------------------------------------------------
# 亲属任职申报
# ---------------------------------------------------------------------------------------------


def test_declared_relatives_warn_but_stay_eligible():
    relatives = ("李大山（党支部书记）（父子）", "王芳（委员）（姻亲）")
    result = evaluate(applicant(declared_relatives=relatives), make_round())
    found = rule(result, "relatives")
    assert found.outcome == WARN
    assert found.passed is True
    assert "李大山（党支部书记）（父子）" in found.message
    assert "王芳（委员）（姻亲）" in found.message
    assert "回避" in found.message
    assert result.eligible is True


def test_no_relatives_pass():
    found = rule(evaluate(applicant(), make_round()), "relatives")
    assert found.outcome == PASS


def test_warning_does_not_hide_a_failure():
    result = evaluate(
        applicant(declared_relatives=("李大山（父子）",), birth_date=D(1980, 1, 1)), make_round()
    )
    assert rule(result, "relatives").outcome == WARN
    assert rule(result, "age").outcome == FAIL
    assert result.eligible is False


def test_applicant_is_immutable():
    a = applicant()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.birth_date = D(1990, 1, 1)
