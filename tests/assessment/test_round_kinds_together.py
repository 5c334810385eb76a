"""What the first testers found when the kinds of rounds and the pool's moves meet (issue 12):

- an end-of-term round of a few reserves, confirmed after the annual one, must not hide the others' annual results:
  the pool's marks and the 入党积极分子 list read each reserve's own latest result, the priority list defaults to
  the latest annual round;
- a reserve who leaves the pool (任用, 调整出库) while a round is open keeps the assessment but takes no place in the
  tier's ranking and shares;
- two lagging annual years flag a removal whichever of the two rounds is confirmed last."""

import datetime

import pytest
from django.urls import reverse

from assessment import priority, rounds
from assessment.adjustments import on_round_confirmed
from assessment.models import Adjustment, Assessment, AssessmentRound, Grade
from reserve.choices import PoliticalStatus
from training.models import Reserve

from ..factories import AssessmentFactory, AssessmentRoundFactory, PoolTermFactory, ReserveFactory
from ..helpers import page, today
from .test_rounds import FULL, YEAR, act, confirm_round, make_reserve, reload, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=datetime.date(YEAR - 1, 1, 1))


def confirmed(town, term, *, kind="annual", year=YEAR, days_ago=0):
    return AssessmentRoundFactory(town=town, term=term, kind=kind, year=year, status="confirmed",
                                  confirmed_on=today() - datetime.timedelta(days=days_ago))


def result(round_, reserve, **fields):
    fields.setdefault("grade", Grade.COMPETENT)
    return AssessmentFactory(round=round_, reserve=reserve, status="confirmed", total="88.00", **fields)


def test_a_later_end_of_term_round_does_not_hide_the_annual_marks(town, term, office, village_a):
    kept, closing = (make_reserve(town, term, village=village_a) for _i in range(2))
    annual = confirmed(town, term, days_ago=20)
    result(annual, kept, priority=True, rank=1, ranked_of=2)
    result(annual, closing, lagging=True, rank=2, ranked_of=2)
    final = confirmed(town, term, kind="final", days_ago=1)
    result(final, closing, priority=True, rank=1, ranked_of=1)
    marks = priority.pool_marks([kept.pk, closing.pk], office)
    assert [m[0] for m in marks[kept.pk]] == ["优先使用"]  # still the annual result
    assert [m[0] for m in marks[closing.pk]] == ["优先使用"]  # its own latest: the end-of-term result
    assert final.title in marks[closing.pk][0][2] and "考核考核" not in marks[closing.pk][0][2]


def test_the_priority_list_defaults_to_the_latest_annual_round(client, town, term, office, village_a):
    kept, closing = (make_reserve(town, term, village=village_a, name=n) for n in ("年度甲", "期满乙"))
    annual = confirmed(town, term, days_ago=20)
    result(annual, kept, priority=True, rank=1, ranked_of=1)
    final = confirmed(town, term, kind="final", days_ago=1)
    result(final, closing, priority=True, rank=1, ranked_of=1)
    assert priority.round_for(office, None) == annual
    client.force_login(office)
    text = page(client.get(reverse("assessment:priority_list")))
    assert "年度甲" in text and "期满乙" not in text
    assert "期满乙" in page(client.get(reverse("assessment:priority_list"), {"round": final.pk}))


def test_the_activist_list_reads_each_reserves_latest_result(town, term, office, village_a):
    masses = {"political_status": PoliticalStatus.MASSES}
    excellent, other = (make_reserve(town, term, village=village_a, **masses) for _i in range(2))
    annual = confirmed(town, term, days_ago=20)
    result(annual, excellent, grade=Grade.EXCELLENT)
    result(annual, other, grade=Grade.EXCELLENT)
    final = confirmed(town, term, kind="final", days_ago=1)
    result(final, other, grade=Grade.COMPETENT)  # its latest result is no longer 优秀
    assert [a.reserve for a in priority.activist_candidates(office)] == [excellent]


def test_a_reserve_who_left_while_the_round_was_open_is_not_ranked(office, town, term, village_a):
    leaving, staying = (make_reserve(town, term, village=village_a) for _i in range(2))
    round_ = rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round
    top = dict(FULL, ji="30")  # the leaving reserve scores highest
    for reserve, scores in ((leaving, top), (staying, FULL)):
        assessment = Assessment.objects.get(round=round_, reserve=reserve)
        score(office, assessment, scores)
        act(office, assessment, "submit_assessment")
    Reserve.objects.filter(pk=leaving.pk).update(status=Reserve.Status.USED, used_post="村委会主任",
                                                 used_on=today(), ended_on=today())
    confirm_round(office, round_)
    gone, kept = (Assessment.objects.get(round=round_, reserve=r) for r in (leaving, staying))
    assert gone.status == "confirmed" and (gone.rank, gone.ranked_of, gone.priority, gone.lagging) == (
        None, None, False, False)
    assert (kept.rank, kept.ranked_of, kept.priority) == (1, 1, True)
    assert list(priority.priority_rows(reload(round_))) == [kept]


@pytest.mark.parametrize("confirmed_last", ["later year", "earlier year"])
def test_two_lagging_years_flag_a_removal_in_either_order(town, term, office, village_a, confirmed_last):
    reserve = ReserveFactory(town=town, term=term, village=village_a)
    earlier = AssessmentRoundFactory(town=town, term=term, year=YEAR - 1)
    later = AssessmentRoundFactory(town=town, term=term, year=YEAR)
    first, last = (earlier, later) if confirmed_last == "later year" else (later, earlier)
    for round_ in (first, last):
        result(round_, reserve, grade=Grade.BASIC, lagging=True, rank=3, ranked_of=3)
    AssessmentRound.objects.filter(pk__in=[first.pk, last.pk]).update(status="confirmed", confirmed_on=today())
    on_round_confirmed(reload(last), office, today())
    adjustment = Adjustment.objects.get(reserve=reserve)
    assert adjustment.cause == Adjustment.Cause.LAGGING_TWICE and adjustment.status == "flagged"
