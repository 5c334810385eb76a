"""Reads of the priority uses of a confirmed assessment (four-tier plan §五(二)(三)2, village plan §四.4).

- the priority list of a round: per tier, in rank order, the assessments flagged 优先使用/优先推荐 when the round
  was confirmed (the round's top_percent, 前xx%), with the plan's words for that tier; a vetoed one is never listed;
- the lists of §五(三)2: 提拔使用 (tier 1, and tiers 2–3, flagged) and 上级调训 (tiers 1–3 flagged:
  优先推荐参加区级及以上高层次培训), of reserves still in training (active);
- the 入党积极分子 candidates (village plan §四.4): active reserves not party members, graded 优秀 in the latest
  confirmed round of their town, not yet recommended;
- the marks beside a reserve's name on the pool list and page: 优先使用, 考核靠后, 一票否决 in the latest confirmed
  round of the town (one query for a whole page).

Each list is a QuerySet the page paginates: a constant number of queries whatever its length.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reserve.choices import PoliticalStatus
from reserve.exceptions import NotFound
from reserve.roles import Role
from reserve.scope import Scope
from training.models import TIER_SHORT, Reserve, Tier
from training.selectors import PARTY_STATUSES
from training.services import may_mark_activist

from .models import Assessment, AssessmentRound, Grade

READERS = (Role.OFFICE, Role.COMMITTEE)
CONFIRMED = AssessmentRound.Status.CONFIRMED

# The plan's words for the priority of each tier (four-tier plan §五(二), village plan §四.4).
PLAN_WORDS = {
    Tier.FIRST: gettext_lazy("镇党委适时向上级提出使用建议"),
    Tier.SECOND: gettext_lazy("出现职数空缺或新一轮选任时优先推荐使用"),
    Tier.THIRD: gettext_lazy("出现职数空缺或新一轮选任时优先推荐使用"),
    Tier.FOURTH: gettext_lazy("镇党委、政府搭建发展平台"),
    Tier.VILLAGE: gettext_lazy("村“两委”出现缺额时优先推选"),
}
# §五(三)2: tiers 1–3 are preferred for promotion and sent first to district-level and higher training.
PROMOTION_TIERS = (Tier.FIRST, Tier.SECOND, Tier.THIRD)
TRAINING_WORDS = gettext_lazy("优先推荐参加区级及以上高层次培训")

# The lists of the priority page: key -> (title, tiers or None for all).
LISTS = {
    "all": (gettext_lazy("优先使用（推荐）名单"), None),
    "use": (gettext_lazy("提拔使用优先名单"), PROMOTION_TIERS),
    "training": (gettext_lazy("上级调训优先推荐名单"), PROMOTION_TIERS),
}


def _town_id(user):
    return Scope.for_user(user).town_id


# --- rounds ----------------------------------------------------------------------------------------------------


def confirmed_rounds(town_id) -> QuerySet[AssessmentRound]:
    """The town's confirmed rounds, latest first (by year, then the day confirmed)."""
    return (AssessmentRound.objects.filter(town_id=town_id, status=CONFIRMED)
            .order_by("-year", "-confirmed_on", "-id"))


def latest_confirmed_round(town_id, kind=None) -> AssessmentRound | None:
    """The town's latest confirmed round (of `kind`, 年度考核 or 期满总结性考核, if given), or None."""
    rounds = confirmed_rounds(town_id)
    if kind:
        rounds = rounds.filter(kind=kind)
    return rounds.first()


def rounds_for(user) -> list[AssessmentRound]:
    """The confirmed rounds of the user's town (the page's choice of round)."""
    town_id = _town_id(user)
    return list(confirmed_rounds(town_id)) if town_id else []


def round_for(user, raw_pk) -> AssessmentRound | None:
    """The round a page is about: ?round= of the user's town and confirmed (anything else: NotFound), else the
    latest confirmed annual round — the whole pool ranked (an end-of-term round ranks only the reserves whose term
    closes) —, else the latest confirmed round (None when there is none)."""
    town_id = _town_id(user)
    if raw_pk in (None, ""):
        if not town_id:
            return None
        return (latest_confirmed_round(town_id, AssessmentRound.Kind.ANNUAL)
                or latest_confirmed_round(town_id))
    return Scope.for_user(user).get(AssessmentRound.objects.filter(status=CONFIRMED), raw_pk)


# --- the priority list -----------------------------------------------------------------------------------------


def _list_spec(which: str):
    try:
        return LISTS[which]
    except KeyError:
        raise NotFound from None


def priority_rows(round_, which: str = "all", tier=None) -> QuerySet[Assessment]:
    """The assessments of a confirmed round flagged 优先使用/优先推荐, in tier and rank order; never a vetoed one.
    `which`: "all" (every tier), "use" (提拔使用) or "training" (上级调训): tiers 1–3, of reserves still in
    training."""
    _title, tiers = _list_spec(which)
    rows = Assessment.objects.filter(round=round_, status=Assessment.Status.CONFIRMED, priority=True, veto_reason="")
    if tiers is not None:
        rows = rows.filter(tier__in=[int(t) for t in tiers], reserve__status=Reserve.Status.ACTIVE)
    if tier is not None:
        rows = rows.filter(tier=tier)
    return (rows.select_related("reserve", "reserve__village", "reserve__unit")
            .order_by("tier", "rank", "-total", "reserve__name", "pk"))


def mark_priority_rows(rows, which: str = "all") -> list[Assessment]:
    """Give each assessment of a page (or of the PDF) of a priority list what its row shows, computed once here:
    the plan's words for its tier, its rank as text, its tier's, grade's and reserve status's labels and the link to
    the reserve's page."""
    rows = list(rows)
    words = {int(t): words_for(t, which) for t in Tier}
    tiers = {value: str(label) for value, label in Tier.choices}
    grades = {value: str(label) for value, label in Grade.choices}
    statuses = {value: str(label) for value, label in Reserve.Status.choices}
    rank_text = _("第%(r)s名/%(n)s人")
    for a in rows:
        a.words = words.get(a.tier, "")
        a.tier_label = tiers.get(a.tier, a.tier)
        a.rank_text = rank_text % {"r": a.rank, "n": a.ranked_of} if a.rank else ""
        a.grade_label = grades.get(a.grade, a.grade)
        a.reserve_status = statuses.get(a.reserve.status, a.reserve.status)
        a.reserve_url = reverse("training:reserve_detail", args=[a.reserve_id])
    return rows


@dataclass(frozen=True)
class TierSummary:
    tier: int
    label: str
    words: str
    percent: int | None
    ranked: int  # the tier's confirmed, not vetoed, assessments (those ranked)
    listed: int  # of them flagged priority (in this list)


def words_for(tier, which: str = "all") -> str:
    if which == "training":
        return str(TRAINING_WORDS)
    return str(PLAN_WORDS.get(Tier(tier), ""))


def tier_summaries(round_, which: str = "all") -> list[TierSummary]:
    """Per tier of the list: the round's top share (前xx%), how many were ranked and how many are listed (one
    grouped query)."""
    _title, tiers = _list_spec(which)
    tiers = list(tiers) if tiers is not None else list(Tier)
    base = Assessment.objects.filter(round=round_, status=Assessment.Status.CONFIRMED, veto_reason="")
    listed = Q(priority=True)
    if which != "all":
        # A probe of each row's reserve (its primary key), not a join of every reserve of the county.
        listed &= Q(Exists(Reserve.objects.filter(pk=OuterRef("reserve_id"), status=Reserve.Status.ACTIVE)))
    counts = {row["tier"]: row for row in base.values("tier").annotate(ranked=Count("id"),
                                                                       listed=Count("id", filter=listed))}
    top = round_.top_percent if isinstance(round_.top_percent, dict) else {}
    result = []
    for t in tiers:
        row = counts.get(int(t), {})
        percent = top.get(str(int(t)))
        result.append(TierSummary(
            tier=int(t), label=str(TIER_SHORT[Tier(t)]), words=words_for(t, which),
            percent=percent if isinstance(percent, int) else None,
            ranked=row.get("ranked", 0), listed=row.get("listed", 0)))
    return result


def list_title(which: str) -> str:
    return str(_list_spec(which)[0])


# --- 入党积极分子 ------------------------------------------------------------------------------------------------


ACTIVIST_READERS = (Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)


def latest_of_each_reserve() -> Subquery:
    """The id of the latest confirmed assessment of the reserve of the outer row (by year, then the day confirmed):
    each reserve's own latest result, whichever round it came from — an end-of-term round of a few reserves does not
    hide the annual results of the others."""
    return Subquery(Assessment.objects.filter(reserve_id=OuterRef("reserve_id"), status=Assessment.Status.CONFIRMED)
                    .order_by("-year", "-confirmed_on", "-id").values("pk")[:1])


def activist_candidates(user, round_=None) -> QuerySet[Assessment]:
    """Village plan §四.4: the reserves this user sees, in training, not party members (not 中共党员/预备党员),
    graded 优秀 in their latest confirmed assessment (or in `round_`), not vetoed, not yet recommended as
    入党积极分子 — their assessments, best first."""
    scope = Scope.for_user(user)
    if not scope.town_id:
        return Assessment.objects.none()
    rows = Assessment.objects.filter(round=round_) if round_ is not None else Assessment.objects.filter(
        pk=latest_of_each_reserve())
    visible = scope.filter(Reserve, roles=ACTIVIST_READERS)
    return (rows.filter(
        status=Assessment.Status.CONFIRMED, grade=Grade.EXCELLENT, veto_reason="",
        reserve__in=visible.filter(status=Reserve.Status.ACTIVE, activist_recommended_on__isnull=True)
        .exclude(political_status__in=[str(s) for s in PARTY_STATUSES]))
        .select_related("reserve", "reserve__village", "reserve__unit")
        .order_by("reserve__village__order", "reserve__unit__order", "-total", "reserve__name", "pk"))


def mark_activist_rows(rows, user) -> list[Assessment]:
    """Give each candidate of a page what its row shows, computed once here: whether this user may recommend the
    reserve (training.services.may_mark_activist), the tier's, the political status's and the grade's labels and
    the links to the reserve's page and to its recommendation."""
    rows = list(rows)
    tiers = {value: str(label) for value, label in Tier.choices}
    political = {value: str(label) for value, label in PoliticalStatus.choices}
    grades = {value: str(label) for value, label in Grade.choices}
    for a in rows:
        r = a.reserve
        a.may_mark = may_mark_activist(r, user)
        a.tier_label = tiers.get(r.tier, r.tier)
        a.political_label = political.get(r.political_status, r.political_status) if r.political_status else ""
        a.grade_label = grades.get(a.grade, a.grade)
        a.reserve_url = reverse("training:reserve_detail", args=[r.pk])
        a.mark_url = reverse("training:reserve_activist", args=[r.pk]) if a.may_mark else ""
    return rows


def activist_rule(political_status, grade, vetoed: bool, recommended: bool, active: bool = True) -> bool:
    """The rule of the list, for one reserve (what activist_candidates selects; used by the tests' table)."""
    return (active and political_status not in PARTY_STATUSES and grade == Grade.EXCELLENT and not vetoed
            and not recommended)


# --- the marks of the pool list and of a reserve's page ----------------------------------------------------------


def pool_marks(reserve_ids, user) -> dict[int, list[tuple[str, str, str]]]:
    """{reserve id: [(label, css class, title)]}: 优先使用, 考核靠后, 一票否决 in each reserve's latest confirmed
    assessment, for the reserves of a page (one query; none without ids or a town)."""
    ids = [int(pk) for pk in reserve_ids]
    town_id = _town_id(user)
    if not ids or not town_id:
        return {}
    rows = (Assessment.objects.filter(reserve_id__in=ids, reserve__town_id=town_id, status=Assessment.Status.CONFIRMED,
                                      pk=latest_of_each_reserve())
            .filter(Q(priority=True) | Q(lagging=True) | ~Q(veto_reason=""))
            .values_list("reserve_id", "priority", "lagging", "veto_reason", "rank", "ranked_of", "round__title",
                         "round__year"))
    return _marks(rows)


def _latest_key(assessment) -> tuple:
    """latest_of_each_reserve's order (year, then the day confirmed — a missing day first, as PostgreSQL sorts a
    NULL in a descending order — then the id), as a key whose largest is the latest."""
    confirmed_on = assessment.confirmed_on
    return (assessment.year, confirmed_on is None, confirmed_on or datetime.date.min, assessment.pk)


def reserve_marks(reserve, assessments, user) -> list[tuple[str, str, str]]:
    """pool_marks of one reserve, from its assessments already read (rounds.assessments_seen_by: all of the
    reserve's, for a user who sees the reserve), without a query."""
    town_id = _town_id(user)
    if not town_id or reserve.town_id != town_id:
        return []
    confirmed = [a for a in assessments if a.reserve_id == reserve.pk and a.status == Assessment.Status.CONFIRMED]
    if not confirmed:
        return []
    a = max(confirmed, key=_latest_key)
    if not (a.priority or a.lagging or a.veto_reason):
        return []
    return _marks([(a.reserve_id, a.priority, a.lagging, a.veto_reason, a.rank, a.ranked_of, a.round.title,
                    a.round.year)]).get(reserve.pk, [])


def _marks(rows) -> dict[int, list[tuple[str, str, str]]]:
    """The marks of rows (reserve id, priority, lagging, veto reason, rank, ranked of, the round's title and year)."""
    marks: dict[int, list[tuple[str, str, str]]] = {}
    for reserve_id, priority, lagging, veto, rank, ranked_of, title, year in rows:
        found = marks.setdefault(reserve_id, [])
        title = title if str(year) in title else f"{year}年{title}"
        if veto:
            found.append((_("一票否决"), "text-bg-danger", _("%(t)s：一票否决（%(r)s）") % {"t": title, "r": veto}))
            continue  # a veto overrides any score: neither priority nor lagging is shown beside it
        place = _("（第%(a)s/%(b)s名）") % {"a": rank, "b": ranked_of} if rank and ranked_of else ""
        if priority:
            found.append((_("优先使用"), "text-bg-success",
                          _("%(t)s：排名靠前%(p)s，优先使用（推荐）") % {"t": title, "p": place}))
        if lagging:
            found.append((_("考核靠后"), "text-bg-warning",
                          _("%(t)s：考核靠后%(p)s，应提醒谈话") % {"t": title, "p": place}))
    return marks
