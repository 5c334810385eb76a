"""The demo town's assessments and adjustments (考核激励, 动态调整), built through assessment's services.

Called at the end of demo.pool.build(), with its context (the same clock: every step runs as on its own day).
Two years of annual assessments (年度考核):

- last year's, opened 330 days ago and confirmed five days later: every reserve scored by the office (items of the
  default scheme 德20 能15 勤15 绩30 廉20), the mentors and units giving their sub-scores; one village reserve
  graded 基本称职 — warned (提醒谈话, a due talk, answered);
- this year's, opened eight days ago and confirmed four days ago: two tier-2 reserves tie on every score (the
  earlier entry ranks first), a tier-4 reserve with the top score is vetoed (一票否决: 造成恶劣影响), the village
  reserve lagging for the second year is proposed for removal by the office and removed on the committee's
  approval (his village's place is free again: the quota page shows the shortfall), another village reserve is
  warned for the first time; the veto's removal still waits for the office;
- a 两委 vacancy (村委会委员) in a village with reserves, recorded ten days ago and not yet filled: its page lists the
  village's reserves ranked by this year's result.
"""

# Scores of the items (德 能 勤 绩 廉) by person: the keys of demo.pool's TIER_PEOPLE, and "v<k>" for the k-th
# village reserve cadre. Anyone not named scores GOOD.
GOOD = (18, 13, 13, 26, 18)  # 88: 称职
EXCELLENT = (19, 14, 14, 28, 19)  # 94: 优秀
WEAK = (14, 10, 10, 18, 14)  # 66: 基本称职
LAST_YEAR = {"t1a": EXCELLENT, "t2a": EXCELLENT, "t3a": (19, 14, 13, 27, 19), "t4a": EXCELLENT, "v0": WEAK}
THIS_YEAR = {
    "t1a": EXCELLENT, "t2b": (19, 13, 13, 27, 18), "t2c": (19, 13, 13, 27, 18),  # a tie: 90 and 绩 27 each
    "t3a": EXCELLENT, "t3b": (19, 14, 14, 28, 18), "t4a": (20, 15, 15, 29, 20),  # t4a: the top score, vetoed
    "t4g": EXCELLENT, "v0": (13, 10, 9, 17, 14), "v1": EXCELLENT, "v2": WEAK,
}
VETOED = "t4a"


def _people(ctx) -> dict:
    """Who is who: the tier people by their key, the village reserves as v0, v1 … (those still active)."""
    people = dict(ctx.reserves)
    for k, reserve in enumerate(ctx.village_reserves):
        people[f"v{k}"] = reserve
    return people


def _score_round(ctx, round_, days_ago: int, plan: dict) -> None:
    """The office scores every assessment of the round; the mentor and the unit (or village) give their sub-scores
    where they have an account."""
    from assessment import rounds
    from assessment.models import Assessment

    by_reserve = {key: reserve.pk for key, reserve in _people(ctx).items()}
    key_of = {pk: key for key, pk in by_reserve.items()}
    with ctx.clock(days_ago):
        for assessment in Assessment.objects.filter(round=round_).select_related("reserve").order_by("pk"):
            key = key_of.get(assessment.reserve_id)
            items = plan.get(key, GOOD)
            values = {"items": {item["key"]: str(score) for item, score in zip(round_.items, items, strict=True)},
                      "democratic": str(80 + sum(items) // 10), "comment": _comment(sum(items))}
            rounds.assessment_save(actor=ctx.office, assessment_id=assessment.pk, version=assessment.version,
                                   values=values)


def _comment(total: int) -> str:
    if total >= 90:
        return "政治立场坚定，工作主动，完成任务出色，群众认可度高。"
    if total >= 75:
        return "能较好完成交办任务，工作作风扎实，需进一步提高统筹协调能力。"
    return "工作主动性不足，交办任务完成不够及时，需加强学习、改进作风。"


def _submit_all(ctx, round_, days_ago: int) -> None:
    from assessment import rounds
    from assessment.models import Assessment

    with ctx.clock(days_ago):
        for assessment in Assessment.objects.filter(round=round_, status="draft").order_by("pk"):
            rounds.assessment_perform(actor=ctx.office, assessment_id=assessment.pk, action="submit_assessment",
                                      version=assessment.version)


def _confirm(ctx, round_, days_ago: int) -> None:
    from assessment import rounds

    round_.refresh_from_db()
    with ctx.clock(days_ago):
        rounds.round_perform(actor=ctx.office, round_id=round_.pk, action="confirm_round", version=round_.version)


def _year_round(ctx, *, year: int, opened: int, plan: dict, veto: str | None, confirmed: int):
    from assessment import rounds
    from assessment.models import Assessment
    from training.models import PoolTerm

    term = PoolTerm.objects.filter(town=ctx.town).order_by("start", "pk").first()
    with ctx.clock(opened):
        opened_round = rounds.round_open(actor=ctx.office, kind="annual", year=year, term_id=term.pk,
                                         today=ctx.day(opened)).round
    _score_round(ctx, opened_round, opened - 1, plan)
    if veto:
        reserve = _people(ctx)[veto]
        assessment = Assessment.objects.get(round=opened_round, reserve=reserve)
        with ctx.clock(opened - 2):
            rounds.assessment_veto(
                actor=ctx.office, assessment_id=assessment.pk, version=assessment.version, reason="造成恶劣影响",
                note="所在企业发生安全生产事故，本人作为技术部负责人负有直接责任，造成不良社会影响。",
                approver="镇党委书记 孙立新", on=ctx.day(opened - 2), today=ctx.day(opened - 2))
    _submit_all(ctx, opened_round, opened - 2)
    _confirm(ctx, opened_round, confirmed)
    return opened_round


def _answer_due_talks(ctx, days_ago: int) -> None:
    """The warnings' talks of last year are held (提醒谈话 by the secretary)."""
    from cultivation import talks
    from cultivation.models import DueTalk, TalkKind

    with ctx.clock(days_ago):
        for due in DueTalk.objects.filter(reserve__town=ctx.town, kind=TalkKind.ASSESSMENT, talk__isnull=True,
                                          arose_on__lte=ctx.day(days_ago)).select_related("reserve"):
            talks.record_talk(ctx.office, due.reserve_id, ctx.at(days_ago, 10), "镇组织办谈话室", "镇党委书记 孙立新",
                              TalkKind.ASSESSMENT, "考核结果反馈",
                              "反馈年度考核结果，指出存在的差距，提出改进要求。", "三个月后了解改进情况。")


def build(ctx) -> None:
    from assessment import adjustments, vacancies
    from assessment.models import Adjustment

    this_year = ctx.day(8).year  # the year of this year's round (the build may run in the first days of a year)
    _year_round(ctx, year=this_year - 1, opened=330, plan=LAST_YEAR, veto=None, confirmed=325)
    _answer_due_talks(ctx, 318)
    _year_round(ctx, year=this_year, opened=8, plan=THIS_YEAR, veto=VETOED, confirmed=4)
    # The second year lagging: the office proposes the removal, the committee approves it.
    lagging = _people(ctx)["v0"]
    adjustment = Adjustment.objects.get(reserve=lagging, status="flagged")
    with ctx.clock(3):
        adjustment = adjustments.adjustment_perform(
            actor=ctx.office, adjustment_id=adjustment.pk, action="propose_adjustment", version=adjustment.version,
            reason="连续两年年度考核靠后，经谈话提醒后仍未达到要求，建议调整出库。", today=ctx.day(3))
    with ctx.clock(2):
        adjustments.adjustment_perform(
            actor=ctx.users["dw01"], adjustment_id=adjustment.pk, action="approve_adjustment",
            version=adjustment.version, reason="经镇党委会研究，同意调整出库。", today=ctx.day(2))
    # A 两委 vacancy in the village of a reserve ranked this year.
    village = _people(ctx)["v1"].village
    with ctx.clock(10):
        vacancies.vacancy_create(actor=ctx.office, village_id=village.pk, post="村委会委员", arose_on=ctx.day(12),
                                 reason="原村委会委员因病辞职", today=ctx.day(10))
