"""Assessment rounds (issue 12 points 1–3): opening a round, scoring, the assessment's and the round's workflow,
the veto, the ranking per tier with its flags, the pages and who may use them, the reserve page's card and history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import rounds, scoring
from assessment.models import Assessment, AssessmentRound, Grade, Scheme
from assessment.workflow import ASSESSMENT_WORKFLOW, ROUND_WORKFLOW, rank_round
from cultivation.models import Course, Enrolment, HeartTalk, Task
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event
from reserve.roles import Role
from training.models import Reserve, Tier

from ..factories import AssessmentFactory, AssessmentRoundFactory, PoolTermFactory, ReserveFactory, UserFactory
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)
YEAR = today().year - 1
FULL = {"de": "18", "neng": "13", "qin": "13", "ji": "27", "lian": "19"}  # 90 → 优秀


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=datetime.date(YEAR - 1, 1, 1))


def make_reserve(town, term, **fields):
    start = fields.pop("start_date", datetime.date(YEAR - 1, 3, 1))
    fields.setdefault("term_start", start)
    fields.setdefault("term_end", fields["term_start"].replace(year=fields["term_start"].year + 2) - DAY)
    return ReserveFactory(town=town, term=term, start_date=start, **fields)


@pytest.fixture
def reserve(town, term, village_a, mentor):
    return make_reserve(town, term, village=village_a, mentor=mentor)


@pytest.fixture
def opened(office, term, reserve):
    return rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)


def score(actor, assessment, scores=None, **subs):
    values = {"items": dict(scores if scores is not None else FULL)}
    values.update(subs)
    return rounds.assessment_save(actor=actor, assessment_id=assessment.pk, version=reload(assessment).version,
                                  values=values)


def act(actor, assessment, action, reason=""):
    return rounds.assessment_perform(actor=actor, assessment_id=assessment.pk, action=action,
                                     version=reload(assessment).version, reason=reason)


def veto(actor, assessment, **overrides):
    fields = {"reason": "违纪违法", "note": "受到党内警告处分", "approver": "镇党委书记 王某", "on": today()}
    fields.update(overrides)
    return rounds.assessment_veto(actor=actor, assessment_id=assessment.pk, version=reload(assessment).version,
                                  **fields)


def confirm_round(actor, round_):
    return rounds.round_perform(actor=actor, round_id=round_.pk, action="confirm_round",
                                version=reload(round_).version)


# --------------------------------------------------------------------------- opening a round


def test_open_copies_the_scheme_and_makes_a_draft_per_reserve(office, town, term, reserve):
    Scheme.objects.create(town=town, bottom_percent=15)
    done = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)
    round_ = done.round
    assert (done.made, done.skipped) == (1, 0)
    assert round_.title == f"{YEAR}年度后备干部考核"
    assert round_.bottom_percent == 15 and round_.items[0]["name"] == "德"
    a = Assessment.objects.get(round=round_)
    assert (a.reserve, a.kind, a.year, a.tier, a.status) == (reserve, "annual", YEAR, Tier.VILLAGE, "draft")
    assert Event.objects.filter(action="assessment_round_opened", object_id=round_.pk).exists()
    # A later change of the scheme does not rewrite the round.
    Scheme.objects.filter(town=town).update(bottom_percent=30)
    assert reload(round_).bottom_percent == 15


def test_annual_takes_the_terms_active_reserves_who_entered_by_the_year_end(office, town, term, village_a):
    inside = make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR, 12, 31))
    make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR + 1, 1, 1))  # entered after
    make_reserve(town, term, village=village_a, status=Reserve.Status.REMOVED)
    make_reserve(town, PoolTermFactory(town=town), village=village_a)  # another pool term
    done = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)
    assert list(done.round.assessments.values_list("reserve", flat=True)) == [inside.pk]


def test_final_takes_those_whose_term_ends_within_the_notice_days(office, town, term, village_a):
    ending = make_reserve(town, term, village=village_a, term_start=today() - 700 * DAY,
                          term_end=today() + (term.renewal_notice_days - 1) * DAY)
    make_reserve(town, term, village=village_a, term_start=today() - 100 * DAY, term_end=today() + 600 * DAY)
    done = rounds.round_open(actor=office, kind="final", year=today().year, term_id=term.pk)
    assert list(done.round.assessments.values_list("reserve", flat=True)) == [ending.pk]
    assert done.round.title == f"{term.name}期满总结性考核"


@pytest.mark.parametrize(("year", "message"), [
    (today().year + 1, "不能是将来的年度"),
    (1999, "不能是将来的年度"),
    (YEAR - 2, "早于人才库届期的开始年度"),
])
def test_open_refuses_a_bad_year(office, term, reserve, year, message):
    with pytest.raises(ActionRefused, match=message):
        rounds.round_open(actor=office, kind="annual", year=year, term_id=term.pk)
    assert not AssessmentRound.objects.exists()


def test_open_refuses_a_second_round_and_nobody_to_assess(office, town, term, reserve):
    rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)
    with pytest.raises(ActionRefused, match="不能重复发起"):
        rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)
    empty = PoolTermFactory(town=town, start=datetime.date(YEAR, 1, 1))
    with pytest.raises(ActionRefused, match="没有需要考核的后备干部"):
        rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=empty.pk)
    assert AssessmentRound.objects.count() == 1


def test_a_reserve_already_assessed_for_the_kind_and_year_is_skipped(office, town, term, reserve, village_a):
    other = make_reserve(town, term, village=village_a)
    AssessmentFactory(round=AssessmentRoundFactory(town=town, year=YEAR), reserve=reserve)
    done = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk)
    assert (done.made, done.skipped) == (1, 1)
    assert list(done.round.assessments.values_list("reserve", flat=True)) == [other.pk]


def test_add_those_who_entered_since(office, town, term, reserve, village_a, opened):
    late = make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR, 11, 1))
    Assessment.objects.filter(reserve=late).delete()
    Assessment.objects.filter(round=opened.round, reserve=late).delete()
    added = rounds.round_add(actor=office, round_id=opened.round.pk, version=reload(opened.round).version)
    assert added.made == 1
    with pytest.raises(ActionRefused, match="没有需要补充"):
        rounds.round_add(actor=office, round_id=opened.round.pk, version=reload(opened.round).version)


def test_only_the_office_opens(committee, term, reserve):
    with pytest.raises(NotAllowed):
        rounds.round_open(actor=committee, kind="annual", year=YEAR, term_id=term.pk)


def test_another_towns_office_cannot_use_the_term(other_office, term, reserve):
    with pytest.raises(NotFound):
        rounds.round_open(actor=other_office, kind="annual", year=YEAR, term_id=term.pk)


# --------------------------------------------------------------------------- scoring and the assessment's workflow


def test_scores_total_and_grade(office, opened):
    a = opened.round.assessments.get()
    score(office, a, {**FULL, "ji": ""})
    a = reload(a)
    assert a.total is None and a.grade == "" and "ji" not in a.scores
    score(office, a, democratic=D("88"))
    a = reload(a)
    assert a.total == D("90.00") and a.grade == Grade.EXCELLENT and a.democratic_score == D("88.0")
    assert Event.objects.filter(action="assessment_scored", object_id=a.pk).count() == 2


def test_submit_needs_every_item_and_every_counted_sub_score(office, opened):
    round_ = opened.round
    AssessmentRound.objects.filter(pk=round_.pk).update(sub_shares={"mentor": 20, "unit": 0, "democratic": 0})
    a = round_.assessments.get()
    score(office, a, {**FULL, "de": ""})
    with pytest.raises(ActionRefused, match="德"):
        act(office, a, "submit_assessment")
    score(office, a)
    with pytest.raises(ActionRefused, match="引路人评分"):
        act(office, a, "submit_assessment")
    score(office, a, mentor=D("100"))
    act(office, a, "submit_assessment")
    a = reload(a)
    # 90 × 0.8 + 20 × 100 / 100 = 92
    assert (a.status, a.total, a.grade) == ("submitted", D("92.00"), Grade.EXCELLENT)


def test_submit_return_confirm_and_the_lock(office, opened):
    a = opened.round.assessments.get()
    score(office, a)
    act(office, a, "submit_assessment")
    with pytest.raises(ActionRefused, match="先退回"):
        score(office, a, {**FULL, "de": "1"})
    with pytest.raises(ActionRefused, match="理由"):
        act(office, a, "return_assessment")
    act(office, a, "return_assessment", reason="德的评分有误")
    assert reload(a).status == "draft"
    score(office, a, {**FULL, "de": "20"})
    act(office, a, "submit_assessment")
    act(office, a, "confirm_assessment")
    a = reload(a)
    assert (a.status, a.confirmed_by, a.confirmed_on, a.total) == ("confirmed", office, today(), D("92.00"))
    with pytest.raises(ActionRefused, match="已锁定"):
        score(office, a, {**FULL, "de": "1"})
    with pytest.raises(ActionRefused):
        act(office, a, "return_assessment", reason="再改")
    with pytest.raises(ActionRefused):
        veto(office, a)
    actions = list(Event.objects.filter(object_id=a.pk, action__endswith="_assessment").values_list("action", flat=True))
    assert actions == ["submit_assessment", "return_assessment", "submit_assessment", "confirm_assessment"]


def test_a_stale_form_is_refused(office, opened):
    a = opened.round.assessments.get()
    version = a.version
    score(office, a)
    with pytest.raises(ActionRefused, match="刷新页面"):
        rounds.assessment_save(actor=office, assessment_id=a.pk, version=version, values={"items": FULL})
    with pytest.raises(ActionRefused, match="刷新页面"):
        rounds.assessment_perform(actor=office, assessment_id=a.pk, action="submit_assessment", version=version)


def test_who_fills_what(office, committee, mentor, village_a_user, unit_user, town, term, opened, reserve, unit_a):
    a = opened.round.assessments.get()
    assert rounds.editable_fields(a, office) == rounds.ALL_FIELDS
    assert rounds.editable_fields(a, mentor) == {"mentor"}
    assert rounds.editable_fields(a, village_a_user) == {"unit"}
    assert rounds.editable_fields(a, committee) == frozenset()
    rounds.assessment_save(actor=mentor, assessment_id=a.pk, version=a.version, values={"mentor": D("95")})
    rounds.assessment_save(actor=village_a_user, assessment_id=a.pk, version=a.version + 1, values={"unit": D("85")})
    a = reload(a)
    assert (a.mentor_score, a.unit_score, a.scores) == (D("95.0"), D("85.0"), {})
    # A field that is not theirs: refused, nothing written.
    with pytest.raises(NotAllowed):
        rounds.assessment_save(actor=mentor, assessment_id=a.pk, version=a.version, values={"items": FULL})
    with pytest.raises(NotAllowed):
        rounds.assessment_save(actor=village_a_user, assessment_id=a.pk, version=a.version, values={"mentor": 1})
    with pytest.raises(NotAllowed):
        rounds.assessment_save(actor=committee, assessment_id=a.pk, version=a.version, values={})
    # A unit head scores the unit's score of its own unit's reserves only.
    unit_reserve = make_reserve(town, term, unit=unit_a, tier=Tier.FOURTH)
    mine = AssessmentFactory(round=opened.round, reserve=unit_reserve)
    assert rounds.editable_fields(mine, unit_user) == {"unit"}
    with pytest.raises(NotFound):
        rounds.assessment_save(actor=unit_user, assessment_id=a.pk, version=a.version, values={"unit": 1})
    assert reload(a).unit_score == D("85.0")


def test_another_mentors_reserve_is_not_found(town, opened):
    other = UserFactory(username="mentor2", town=town, role=Role.MENTOR)
    a = opened.round.assessments.get()
    with pytest.raises(NotFound):
        rounds.assessment_save(actor=other, assessment_id=a.pk, version=a.version, values={"mentor": D("90")})


# --------------------------------------------------------------------------- veto


def test_veto_overrides_a_top_score_and_leaves_the_ranking(office, town, term, village_a, opened, reserve):
    second = make_reserve(town, term, village=village_a)
    rounds.round_add(actor=office, round_id=opened.round.pk, version=reload(opened.round).version)
    top = Assessment.objects.get(reserve=reserve)
    other = Assessment.objects.get(reserve=second)
    score(office, top, {"de": "20", "neng": "15", "qin": "15", "ji": "30", "lian": "20"})  # 100
    score(office, other, {**FULL, "ji": "20"})  # 83
    veto(office, top)
    top = reload(top)
    assert (top.status, top.grade, top.total, top.veto_reason, top.veto_approver) == (
        "submitted", Grade.INCOMPETENT, D("100.00"), "违纪违法", "镇党委书记 王某")
    ev = Event.objects.get(object_id=top.pk, action="veto_assessment")
    assert ev.reason == "违纪违法" and ev.data["approver"] == "镇党委书记 王某"
    with pytest.raises(ActionRefused, match="已一票否决"):
        veto(office, top, reason="弄虚作假")
    # Returned and submitted again, a vetoed assessment keeps its veto and its grade.
    act(office, top, "return_assessment", reason="补充评语")
    score(office, top, {"de": "20", "neng": "15", "qin": "15", "ji": "30", "lian": "20"})
    act(office, top, "submit_assessment")
    assert reload(top).grade == Grade.INCOMPETENT
    act(office, other, "submit_assessment")
    confirm_round(office, opened.round)
    top, other = reload(top), reload(other)
    assert (top.rank, top.ranked_of, top.priority, top.lagging) == (None, None, False, True)
    assert (other.rank, other.ranked_of, other.priority) == (1, 1, True)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"reason": "迟到"}, "选择否决理由"),
    ({"reason": ""}, "选择否决理由"),
    ({"approver": "  "}, "批准人"),
    ({"note": ""}, "否决说明"),
    ({"on": today() + DAY}, "不能晚于今天"),
    ({"on": datetime.date(YEAR - 1, 12, 31)}, "不能早于考核年度"),
    ({"on": None}, "否决日期"),
])
def test_veto_refusals(office, opened, overrides, message):
    a = opened.round.assessments.get()
    with pytest.raises(ActionRefused, match=message):
        veto(office, a, **overrides)
    a = reload(a)
    assert (a.veto_reason, a.status, a.grade) == ("", "draft", "")
    assert not Event.objects.filter(action="veto_assessment").exists()


def test_only_the_office_vetoes(committee, opened):
    with pytest.raises(NotAllowed):
        veto(committee, opened.round.assessments.get())


# --------------------------------------------------------------------------- the round: confirmation and ranking


def _tier_round(office, town, term, village_a, unit_a, totals_village, totals_unit):
    """A round with village reserves and tier-4 reserves, each scored to the given totals and submitted."""
    for _t in totals_village:
        make_reserve(town, term, village=village_a)
    for _t in totals_unit:
        make_reserve(town, term, unit=unit_a, tier=Tier.FOURTH, village=None)
    round_ = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round
    AssessmentRound.objects.filter(pk=round_.pk).update(items=[{"key": "a", "name": "实绩", "weight": 100}])
    by_tier = {Tier.VILLAGE: list(totals_village), Tier.FOURTH: list(totals_unit)}
    for a in round_.assessments.order_by("pk"):
        total = by_tier[a.tier].pop(0)
        score(office, a, {"a": total})
        act(office, a, "submit_assessment")
    return reload(round_)


def test_confirm_round_refused_while_a_draft_is_left(office, opened, town, term, village_a):
    make_reserve(town, term, village=village_a)
    rounds.round_add(actor=office, round_id=opened.round.pk, version=reload(opened.round).version)
    first, second = opened.round.assessments.order_by("pk")
    score(office, first)
    act(office, first, "submit_assessment")
    with pytest.raises(ActionRefused, match="尚有1人未提交"):
        confirm_round(office, opened.round)
    assert reload(opened.round).status == "open" and reload(first).status == "submitted"


def test_confirm_round_confirms_ranks_and_flags_each_tier(office, town, term, village_a, unit_a):
    # 7 village reserves: top 20% of 7 → 1, bottom 10% of 7 → 1; 3 tier-4: top 1, bottom 1.
    round_ = _tier_round(office, town, term, village_a, unit_a,
                         ["95", "88", "80", "76", "70", "90", "78"], ["91", "60", "85"])
    AssessmentRound.objects.filter(pk=round_.pk).update(top_percent={**round_.top_percent, "5": 20, "4": 10})
    confirm_round(office, round_)
    round_ = reload(round_)
    assert (round_.status, round_.confirmed_on) == ("confirmed", today())
    rows = {(a.tier, a.rank): a for a in Assessment.objects.filter(round=round_)}
    village = [rows[(Tier.VILLAGE, r)] for r in range(1, 8)]
    assert [str(a.total) for a in village] == ["95.00", "90.00", "88.00", "80.00", "78.00", "76.00", "70.00"]
    assert {a.ranked_of for a in village} == {7}
    assert [a.priority for a in village] == [True] + [False] * 6
    # 70 is 基本称职 and in the bottom share; 76 is 称职.
    assert [a.lagging for a in village] == [False] * 6 + [True]
    tier4 = [rows[(Tier.FOURTH, r)] for r in range(1, 4)]
    assert [str(a.total) for a in tier4] == ["91.00", "85.00", "60.00"]
    assert [a.priority for a in tier4] == [True, False, False]
    assert [a.lagging for a in tier4] == [False, False, True]
    assert all(a.status == "confirmed" for a in rows.values())
    assert Event.objects.filter(action="confirm_assessment").count() == 10
    assert Event.objects.filter(action="confirm_round", object_id=round_.pk).count() == 1
    # A confirmed round is locked.
    with pytest.raises(ActionRefused):
        confirm_round(office, round_)
    with pytest.raises(ActionRefused, match="已确认"):
        rounds.round_add(actor=office, round_id=round_.pk, version=round_.version)


def test_lagging_by_grade_and_a_basic_grade_is_not_priority(office, town, term, village_a, unit_a):
    round_ = _tier_round(office, town, term, village_a, unit_a, ["65", "62"], [])
    confirm_round(office, round_)
    first, second = Assessment.objects.filter(round=round_).order_by("rank")
    assert (first.rank, first.grade, first.priority, first.lagging) == (1, Grade.BASIC, False, True)
    assert (second.rank, second.priority, second.lagging) == (2, False, True)


def test_ranking_ties_follow_the_stated_order(office, town, term, village_a):
    early = make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR - 1, 1, 5))
    late = make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR - 1, 6, 5))
    heavy = make_reserve(town, term, village=village_a, start_date=datetime.date(YEAR - 1, 9, 5))
    round_ = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round
    same = {"de": "18", "neng": "13", "qin": "13", "ji": "26", "lian": "19"}  # 89
    for r, scores in ((early, same), (late, same), (heavy, {**same, "ji": "27", "de": "17"})):  # also 89, 绩 27
        a = Assessment.objects.get(round=round_, reserve=r)
        score(office, a, scores)
        act(office, a, "submit_assessment")
    confirm_round(office, round_)
    ranks = {a.reserve_id: a.rank for a in Assessment.objects.filter(round=round_)}
    assert [ranks[heavy.pk], ranks[early.pk], ranks[late.pk]] == [1, 2, 3]


def test_later_effects_run_after_the_ranking(office, opened):
    seen = []

    def later(round_, actor, today_):
        seen.append(list(Assessment.objects.filter(round=round_).values_list("rank", "status")))

    ROUND_WORKFLOW.add_effect("confirm_round", later)
    try:
        a = opened.round.assessments.get()
        score(office, a)
        act(office, a, "submit_assessment")
        confirm_round(office, opened.round)
    finally:
        ROUND_WORKFLOW._effects["confirm_round"].remove(later)
    assert seen == [[(1, "confirmed")]]


def test_rank_round_is_idempotent(office, opened):
    a = opened.round.assessments.get()
    score(office, a)
    act(office, a, "submit_assessment")
    confirm_round(office, opened.round)
    rank_round(reload(opened.round))
    assert (reload(a).rank, reload(a).ranked_of) == (1, 1)


# --------------------------------------------------------------------------- pages and roles


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


@pytest.mark.parametrize(("who", "status"), [
    ("office", 200), ("committee", 200), ("village_a_user", 403), ("unit_user", 403), ("mentor", 403),
    ("dept_x_user", 403), ("other_office", 404),
])
def test_round_page_by_role(client, request, opened, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("round_detail", opened.round.pk)).status_code == status
    list_status = 200 if status == 404 else status
    assert client.get(url("round_list")).status_code == list_status
    assert client.get(url("scheme")).status_code == list_status


@pytest.mark.parametrize(("who", "status"), [
    ("office", 200), ("committee", 200), ("village_a_user", 200), ("mentor", 200), ("unit_user", 404),
    ("village_b_user", 404), ("dept_x_user", 403), ("other_office", 404),
])
def test_assessment_page_by_role(client, request, opened, who, status):
    client.force_login(request.getfixturevalue(who))
    a = opened.round.assessments.get()
    assert client.get(url("assessment_edit", a.pk)).status_code == status


def test_new_round_page_is_the_offices(client, office, committee, term, reserve):
    client.force_login(committee)
    assert client.get(url("round_new")).status_code == 403
    client.force_login(office)
    assert client.get(url("round_new")).status_code == 200
    response = client.post(url("round_new"), {"kind": "annual", "year": YEAR, "term": term.pk, "title": ""})
    round_ = AssessmentRound.objects.get()
    assert response.status_code == 302 and response.url == url("round_detail", round_.pk)
    assert any("1人参加考核" in m for m in message_texts(response))


def test_the_office_scores_submits_and_confirms_through_the_pages(client, office, opened):
    a = opened.round.assessments.get()
    client.force_login(office)
    body = page(client.get(url("assessment_edit", a.pk)))
    assert "德（20分）" in body and "本年度培训" in body
    data = {"version": a.version, **{f"item_{k}": v for k, v in FULL.items()}, "democratic": "90", "comment": "好"}
    response = client.post(url("assessment_edit", a.pk), data)
    assert response.status_code == 302
    a = reload(a)
    assert a.total == D("90.00") and a.comment == "好"
    response = client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": a.version})
    assert reload(a).status == "submitted"
    response = client.post(url("round_action", opened.round.pk, "confirm_round"),
                           {"version": reload(opened.round).version})
    assert any("排名已确定" in m for m in message_texts(response))
    body = page(client.get(url("round_detail", opened.round.pk)))
    assert "优先使用" in body and "预排名" not in body.split("排名：")[0]


def test_the_round_page_shows_a_provisional_ranking(client, office, opened):
    a = opened.round.assessments.get()
    score(office, a)
    client.force_login(office)
    body = page(client.get(url("round_detail", opened.round.pk)))
    assert "1/1" in body and "预排名" in body and 'data-confirm="' in body


def test_provisional_ranks_of_the_pages_tiers_are_those_of_the_whole_round(town, term, village_a):
    """The round's page ranks only the tiers it shows (a rank needs its whole tier, not the others): the same ranks
    as the whole round's ranking, which are those scoring.rank gives the assessments themselves (ties broken by the
    heavier items, then the earlier entry); the vetoed and those without a total are not ranked."""
    round_ = AssessmentRoundFactory(town=town, term=term)
    keys = [item["key"] for item in scoring.ordered_items(round_.items)]
    totals = [D("90"), D("90"), D("85.5"), D("70"), None, D("95")]
    for tier in (Tier.VILLAGE, Tier.THIRD):
        for i, total in enumerate(totals):
            r = make_reserve(town, term, village=village_a, tier=tier, start_date=today() - datetime.timedelta(days=i))
            AssessmentFactory(round=round_, reserve=r, total=total, scores={keys[0]: 20 + i % 2, keys[1]: 10},
                              veto_reason="违法违纪" if i == 5 and tier == Tier.THIRD else "")
    whole = rounds.provisional_ranks(round_)
    for tier in (Tier.VILLAGE, Tier.THIRD):
        members = list(Assessment.objects.filter(round=round_, tier=tier, total__isnull=False).select_related("reserve"))
        expected = {a.pk: (n, len(scoring.rank(members, round_.items)))
                    for n, a in enumerate(scoring.rank(members, round_.items), start=1)}
        assert rounds.provisional_ranks(round_, {int(tier)}) == expected
        assert {pk: rank for pk, rank in whole.items() if pk in {a.pk for a in members}} == expected
    assert len(whole) == 5 + 4  # the vetoed and those without a total are not ranked


def test_a_committee_member_reads_but_never_writes(client, committee, opened):
    a = opened.round.assessments.get()
    client.force_login(committee)
    body = page(client.get(url("assessment_edit", a.pk)))
    assert 'id="assessment-form"' not in body
    assert client.post(url("assessment_edit", a.pk), {"version": a.version, "item_de": "1"}).status_code == 403
    assert client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": 0}).status_code == 403
    assert client.post(url("round_action", opened.round.pk, "confirm_round"), {"version": 0}).status_code == 403
    assert client.post(url("scheme"), {}).status_code == 403
    assert client.post(url("round_new"), {}).status_code == 403
    assert client.get(url("assessment_veto", a.pk)).status_code == 403
    assert reload(a).version == a.version


def test_a_mentor_sees_only_their_field(client, mentor, opened):
    a = opened.round.assessments.get()
    client.force_login(mentor)
    body = page(client.get(url("assessment_edit", a.pk)))
    assert 'name="mentor"' in body and 'name="item_de"' not in body and 'name="unit"' not in body
    response = client.post(url("assessment_edit", a.pk), {"version": a.version, "mentor": "93.5", "item_de": "20"})
    assert response.status_code == 302
    a = reload(a)
    assert a.mentor_score == D("93.5") and a.scores == {}


def test_scheme_page_saves_and_a_new_round_copies_it(client, office, town, term, reserve):
    client.force_login(office)
    assert client.get(url("scheme")).status_code == 200
    scheme = Scheme.objects.get(town=town)
    data = {"items-TOTAL_FORMS": "10", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "10", "items-0-name": "德", "items-0-weight": "40", "items-1-name": "绩",
            "items-1-weight": "50", "items-2-name": "创新", "items-2-weight": "10",
            "band_excellent": "85", "band_competent": "70", "band_basic": "55",
            "veto_reasons": "违纪违法\n弄虚作假\n", "bottom_percent": "5", "share_mentor": "10", "share_unit": "0",
            "share_democratic": "20", **{f"top_{t.value}": "30" for t in Tier}}
    response = client.post(url("scheme"), data)
    assert response.status_code == 302, page(response)
    scheme = reload(scheme)
    assert [(i["key"], i["name"], i["weight"]) for i in scheme.items] == [("de", "德", 40), ("ji", "绩", 50),
                                                                             ("k1", "创新", 10)]
    assert scheme.bands[0] == {"grade": "excellent", "min": 85} and scheme.veto_reasons == ["违纪违法", "弄虚作假"]
    assert scheme.sub_shares == {"mentor": 10, "unit": 0, "democratic": 20} and scheme.updated_by == office
    assert Event.objects.filter(action="assessment_scheme_update").count() == 1
    round_ = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round
    assert round_.items == scheme.items and round_.top_percent["1"] == 30


def test_evidence_of_the_year(office, opened, reserve):
    a = opened.round.assessments.get()
    tz = timezone.get_current_timezone()
    Task.objects.create(reserve=reserve, title="整治村道", content="x", given_by="张", given_on=datetime.date(YEAR, 3, 1),
                        due_on=datetime.date(YEAR, 4, 1), recorded_by=office)
    Task.objects.create(reserve=reserve, title="去年的任务", content="x", given_by="张",
                        given_on=datetime.date(YEAR - 1, 3, 1), due_on=datetime.date(YEAR - 1, 4, 1), recorded_by=office)
    course = Course.objects.create(town=reserve.town, kind=Course.Kind.CLASS, title="党课", organiser="镇党委",
                                   start=datetime.date(YEAR, 5, 1), end=datetime.date(YEAR, 5, 1), hours=D("6"),
                                   recorded_by=office)
    Enrolment.objects.create(course=course, reserve=reserve, attended=True, recorded_by=office)
    for month in (2, 9):
        HeartTalk.objects.create(reserve=reserve, held_at=datetime.datetime(YEAR, month, 3, 10, tzinfo=tz), place="村部",
                                 talker="李", topic="t", content="c", recorded_by=office)
    HeartTalk.objects.create(reserve=reserve, held_at=datetime.datetime(YEAR + 1, 1, 3, 10, tzinfo=tz), place="村部",
                             talker="李", topic="t", content="c", recorded_by=office)
    found = rounds.evidence(rounds.assessment_for_user_or_404(office, a.pk), office)
    assert [t.title for t in found.tasks] == ["整治村道"]
    assert len(found.talks) == 2
    assert found.hours == D("6")


def test_round_page_queries_are_constant(client, office, town, term, village_a, unit_a):
    def build(n):
        for _i in range(n):
            make_reserve(town, term, village=village_a)

    build(3)
    round_ = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round
    for a in round_.assessments.all():
        score(office, a)
    client.force_login(office)
    client.get(url("round_detail", round_.pk))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("round_detail", round_.pk)).status_code == 200
    build(27)
    rounds.round_add(actor=office, round_id=round_.pk, version=reload(round_).version)
    for a in round_.assessments.filter(scores={}):
        score(office, a)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("round_detail", round_.pk))
    assert response.status_code == 200 and "第1/2页" in page(response)
    assert len(large) == len(small)
    with CaptureQueriesContext(connection) as listed:
        client.get(url("round_list"))
    assert len(listed) < 15


# --------------------------------------------------------------------------- the reserve's page


def test_the_reserve_page_card_and_history(client, office, mentor, opened, reserve):
    a = opened.round.assessments.get()
    score(office, a)
    client.force_login(mentor)
    body = page(client.get(reserve.get_absolute_url()))
    assert 'id="assessment-panel"' in body and "90.00" not in body  # not confirmed: no result for the mentor
    act(office, a, "submit_assessment")
    confirm_round(office, opened.round)
    body = page(client.get(reserve.get_absolute_url()))
    assert "90.00" in body and "1/1" in body and "优秀" in body
    assert f"{YEAR}年度后备干部考核：优秀" in body  # the history


def test_no_card_for_a_reserve_never_assessed_unless_town(client, village_a_user, office, town, term, village_a):
    other = make_reserve(town, term, village=village_a)
    client.force_login(village_a_user)
    assert 'id="assessment-panel"' not in page(client.get(other.get_absolute_url()))
    client.force_login(office)
    assert 'id="assessment-panel"' in page(client.get(other.get_absolute_url()))


def test_action_names_of_the_workflows():
    assert set(ASSESSMENT_WORKFLOW.transitions) == {"submit_assessment", "return_assessment", "confirm_assessment",
                                                    "veto_assessment"}
    assert set(ROUND_WORKFLOW.transitions) == {"confirm_round"}
    assert scoring.share_count(7, 10) == 1


def test_the_confirmation_checks_the_drafts_again_under_lock(office, opened):
    from assessment.workflow import effect_confirm_round

    a = opened.round.assessments.get()
    with pytest.raises(ActionRefused, match="尚有1人未提交"):
        effect_confirm_round(reload(opened.round), office, today())
    assert reload(a).status == "draft"


def test_the_veto_is_in_the_history(client, office, opened, reserve):
    a = opened.round.assessments.get()
    veto(office, a)
    client.force_login(office)
    body = page(client.get(reserve.get_absolute_url()))
    assert f"{YEAR}年度后备干部考核：违纪违法" in body and "否决" in body


def test_round_rows_put_the_unscored_and_the_unranked_last(office, town, term, village_a, opened, reserve):
    make_reserve(town, term, village=village_a)
    rounds.round_add(actor=office, round_id=opened.round.pk, version=reload(opened.round).version)
    scored = Assessment.objects.get(round=opened.round, reserve=reserve)
    unscored = Assessment.objects.exclude(pk=scored.pk).get()
    score(office, scored)
    assert [a.pk for a in rounds.round_rows(reload(opened.round))] == [scored.pk, unscored.pk]
    veto(office, scored)
    score(office, unscored)
    act(office, unscored, "submit_assessment")
    confirm_round(office, opened.round)
    assert [a.pk for a in rounds.round_rows(reload(opened.round))] == [unscored.pk, scored.pk]
