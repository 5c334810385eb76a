"""Assessment rounds and scores (考核): the services (each write one durable transaction, with its event) and the
scoped reads of the rounds' pages.

Who acts (reserve.scope, assessment.selectors):
- the office opens a round, adds those who entered since, enters the item scores, the democratic evaluation, the
  comment (and, from paper forms, the mentor's and the unit's scores), submits, returns, confirms, vetoes, confirms
  the round;
- a reserve's mentor enters only the mentor's score of the reserves paired with them; a unit's head only the unit's
  score of its unit's reserves; a village branch only the unit's score of its village's reserves;
- the committee reads.

An assessment is edited only while it is a draft of an open round; a submitted one is returned first, a confirmed one
is locked.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cultivation.courses import enrolment_hours
from cultivation.models import Enrolment, HeartTalk, Task
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused, NotAllowed
from reserve.models import Event
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text, typed_text
from reserve.workflow import REASON_MAX_LENGTH, local_today
from training.models import TEXT_MAX, TIER_SHORT, PoolTerm, Reserve, Tier

from . import scoring
from .models import Assessment, AssessmentRound, Scheme
from .workflow import ASSESSMENT_WORKFLOW, ROUND_WORKFLOW, AssessmentEvent, lock_assessment, lock_round, refresh_result

AS = Assessment.Status
RS = AssessmentRound.Status
Kind = AssessmentRound.Kind

READERS = (Role.OFFICE, Role.COMMITTEE)
# Who may open an assessment's page: the town's office and committee, and the scorers of a sub-score.
ENTRY_READERS = (Role.OFFICE, Role.COMMITTEE, Role.MENTOR, Role.UNIT, Role.VILLAGE)
VETO_REASONS_MAX = 20
VETO_REASON_MAX_LENGTH = 60
APPROVER_MAX_LENGTH = 60
TITLE_MAX_LENGTH = 60
FIRST_YEAR = 2000
# What each field of the entry form is ("items": every item score).
FIELD_ITEMS, FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC, FIELD_COMMENT = "items", "mentor", "unit", "democratic", "comment"
ALL_FIELDS = frozenset({FIELD_ITEMS, FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC, FIELD_COMMENT})




def _percent(value, what: str) -> int:
    number = scoring._whole(value)
    if number is None or not 0 <= number <= 100:
        raise ActionRefused(_("%(w)s须为0至100的整数。") % {"w": what})
    return number


# ----------------------------------------------------------------------------- the scheme (考核办法)


def scheme_of(user) -> Scheme:
    """The scheme of the user's town, made with the defaults the first time it is read (office, committee)."""
    scope = Scope.for_user(user)
    scope.require_role(*READERS)
    if scope.town_id is None:
        raise NotAllowed
    scheme, _created = Scheme.objects.get_or_create(town_id=scope.town_id)
    return scheme


def _item_keys(items, old_items) -> list[dict]:
    """The items with their keys: an item keeps the key of the old item of the same name, a new one gets a new key."""
    old = {item["name"]: item["key"] for item in old_items or []}
    used = set(old.values())
    result = []
    n = 1
    for item in items:
        name = clean_text(item.get("name"))
        key = old.get(name)
        if key is None:
            while f"k{n}" in used:
                n += 1
            key = f"k{n}"
            used.add(key)
        result.append({"key": key, "name": name, "weight": scoring._whole(item.get("weight"))})
    return result


def veto_reasons_error(reasons) -> str | None:
    if not reasons:
        return _("请至少设置一项一票否决情形。")
    if len(reasons) > VETO_REASONS_MAX:
        return _("一票否决情形不能超过%(n)d项。") % {"n": VETO_REASONS_MAX}
    seen = set()
    for reason in reasons:
        if scoring.has_control(reason):
            return _("一票否决情形不能含有控制字符。")
        if len(reason) > VETO_REASON_MAX_LENGTH:
            return _("一票否决情形“%(r)s…”超过%(n)d字。") % {"r": reason[:10], "n": VETO_REASON_MAX_LENGTH}
        if reason in seen:
            return _("一票否决情形“%(r)s”重复。") % {"r": reason}
        seen.add(reason)
    return None


def sub_shares_error(shares) -> str | None:
    if sum(shares.values()) > 100:
        return _("引路人、所在单位和民主评议的占比之和不能超过100%。")
    return None


def scheme_save(*, actor, items, bands, veto_reasons, top_percent, bottom_percent, sub_shares) -> Scheme:
    """Save the town's scheme (the office). items: [{"name", "weight"}]; bands: [excellent, competent, basic] lowest
    totals; veto_reasons: texts; top_percent: {tier value: percent}; sub_shares: {"mentor", "unit", "democratic"}."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    problem = scoring.weights_error(items)
    if problem:
        raise ActionRefused(problem)
    band_rows = [{"grade": grade.value, "min": scoring._whole(low)}
                 for grade, low in zip(scoring.BAND_GRADES, bands, strict=False)]
    problem = scoring.bands_error(band_rows) if len(bands) == len(scoring.BAND_GRADES) else scoring.bands_error([])
    if problem:
        raise ActionRefused(problem)
    reasons = [clean_text(r) for r in veto_reasons if clean_text(r)]
    problem = veto_reasons_error(reasons)
    if problem:
        raise ActionRefused(problem)
    top = {str(t.value): _percent(top_percent.get(str(t.value), top_percent.get(t.value)),
                                  _("%(t)s优先使用比例") % {"t": t.label}) for t in Tier}
    bottom = _percent(bottom_percent, _("排名靠后比例"))
    labels = {"mentor": _("引路人评分占比"), "unit": _("所在单位评分占比"), "democratic": _("民主评议占比")}
    shares = {key: _percent(sub_shares.get(key), labels[key]) for key in scoring.SUB_KEYS}
    problem = sub_shares_error(shares)
    if problem:
        raise ActionRefused(problem)
    with transaction.atomic(durable=True):
        scheme, _created = Scheme.objects.select_for_update().get_or_create(town_id=scope.town_id)
        scheme.items = _item_keys(items, scheme.items)
        scheme.bands, scheme.veto_reasons, scheme.top_percent = band_rows, reasons, top
        scheme.bottom_percent, scheme.sub_shares, scheme.updated_by = bottom, shares, actor
        scheme.save()
        record_event(scheme, action=AssessmentEvent.SCHEME_UPDATE, actor=actor)
    return scheme


# ----------------------------------------------------------------------------- rounds


def default_title(kind, year, term) -> str:
    if kind == Kind.FINAL:
        return _("%(t)s期满总结性考核") % {"t": term.name}
    return _("%(y)d年度后备干部考核") % {"y": year}


def round_targets(term, kind, year, today) -> list[Reserve]:
    """The reserves a round assesses: annual — the pool term's active reserves who entered on or before 31 December
    of the year; final — its active reserves whose term ends within the pool term's notice days (届满提醒天数) or has
    ended."""
    rows = Reserve.objects.filter(term=term, status=Reserve.Status.ACTIVE)
    if kind == Kind.FINAL:
        rows = rows.filter(term_end__lte=today + datetime.timedelta(days=term.renewal_notice_days))
    else:
        rows = rows.filter(start_date__lte=datetime.date(year, 12, 31))
    return list(rows.order_by("pk"))


def _new_assessments(round_, targets) -> tuple[int, int]:
    """Make the draft assessments of the targets not yet assessed for the round's kind and year; (made, skipped)."""
    done = set(Assessment.objects.filter(kind=round_.kind, year=round_.year, reserve__in=targets)
               .values_list("reserve_id", flat=True))
    fresh = [r for r in targets if r.pk not in done]
    Assessment.objects.bulk_create(
        Assessment(round=round_, reserve=r, kind=round_.kind, year=round_.year, tier=r.tier) for r in fresh)
    return len(fresh), len(done)


def rule_round_year(kind, year, term, today) -> str | None:
    if year is None or not FIRST_YEAR <= year <= today.year:
        return _("考核年度须在%(a)d年至%(b)d年之间（不能是将来的年度）。") % {"a": FIRST_YEAR, "b": today.year}
    if year < term.start.year:
        return _("考核年度（%(y)d年）早于人才库届期的开始年度（%(s)d年）。") % {"y": year, "s": term.start.year}
    return None


@dataclass(frozen=True)
class Opened:
    round: AssessmentRound
    made: int
    skipped: int


DUPLICATE_ROUND = _("该届期%(y)d年的%(k)s已经发起，不能重复发起。")


def round_open(*, actor, kind, year, term_id, title="", today=None) -> Opened:
    """Open a round (the office): copy the town's scheme and make a draft assessment per reserve assessed (see
    round_targets); those already assessed for the same kind and year are skipped (and counted)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    today = today or local_today()
    if kind not in Kind.values:
        raise ActionRefused(_("请选择考核类型。"))
    title = typed_text(title, _("名称"), limit=TITLE_MAX_LENGTH, required=False)
    term = scope.get(PoolTerm.objects.all(), term_id, roles={Role.OFFICE})
    problem = rule_round_year(kind, year, term, today)
    if problem:
        raise ActionRefused(problem)
    duplicate = DUPLICATE_ROUND % {"y": year, "k": Kind(kind).label}
    try:
        with transaction.atomic(durable=True):
            if AssessmentRound.objects.filter(town_id=term.town_id, term=term, kind=kind, year=year).exists():
                raise ActionRefused(duplicate)
            scheme, _created = Scheme.objects.get_or_create(town_id=term.town_id)
            targets = round_targets(term, kind, year, today)
            round_ = AssessmentRound.objects.create(
                town_id=term.town_id, term=term, kind=kind, year=year, title=title or default_title(kind, year, term),
                opened_on=today, items=scheme.items, bands=scheme.bands, veto_reasons=scheme.veto_reasons,
                top_percent=scheme.top_percent, bottom_percent=scheme.bottom_percent, sub_shares=scheme.sub_shares,
                opened_by=actor)
            made, skipped = _new_assessments(round_, targets)
            if not made:
                raise ActionRefused(_("没有需要考核的后备干部（%(n)d人已参加%(y)d年的%(k)s）。") % {
                    "n": skipped, "y": year, "k": Kind(kind).label} if skipped else
                    _("没有需要考核的后备干部：该届期没有符合条件的在库后备干部。"))
            record_event(round_, action=AssessmentEvent.ROUND_OPENED, actor=actor, to_status=RS.OPEN,
                         data={"made": made, "skipped": skipped})
    except IntegrityError:
        raise ActionRefused(duplicate) from None
    return Opened(round_, made, skipped)


def round_add(*, actor, round_id, version, today=None) -> Opened:
    """Add to an open round the reserves it assesses who are not in it yet (entered since it was opened)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    today = today or local_today()
    try:
        with transaction.atomic(durable=True):
            round_ = lock_round(actor, round_id)
            ROUND_WORKFLOW.check_version(round_, version)
            if round_.status != RS.OPEN:
                raise ActionRefused(_("该考核已确认，不能再补充考核对象。"))
            targets = round_targets(round_.term, round_.kind, round_.year, today)
            made, skipped = _new_assessments(round_, targets)
            if not made:
                raise ActionRefused(_("没有需要补充考核的后备干部。"))
            round_.version += 1
            round_.save(update_fields=["version"])
            record_event(round_, action=AssessmentEvent.ROUND_ADDED, actor=actor, data={"made": made})
    except IntegrityError:
        raise ActionRefused(_("考核对象已被他人补充，请刷新页面。")) from None
    return Opened(round_, made, skipped)


def round_perform(*, actor, round_id, action, version) -> AssessmentRound:
    """A button of the round's page (confirm_round)."""
    return ROUND_WORKFLOW.perform(actor=actor, pk=round_id, action=action, version=version)


# ----------------------------------------------------------------------------- an assessment


def editable_fields(assessment, user) -> frozenset[str]:
    """The fields of the entry form this user fills for this assessment (whatever its status): the office all of
    them; the reserve's mentor the mentor's score; the unit's head and the village branch the unit's score."""
    scope = Scope.for_user(user)
    if scope.has(Role.OFFICE) and scope.can_see(assessment, roles={Role.OFFICE}):
        return ALL_FIELDS
    fields = set()
    if scope.has(Role.MENTOR) and scope.can_see(assessment, roles={Role.MENTOR}):
        fields.add(FIELD_MENTOR)
    if scope.has(Role.UNIT, Role.VILLAGE) and scope.can_see(assessment, roles={Role.UNIT, Role.VILLAGE}):
        fields.add(FIELD_UNIT)
    return frozenset(fields)


def lock_refusal(assessment) -> str | None:
    """Why an assessment cannot be edited now, or None."""
    if assessment.status == AS.CONFIRMED or assessment.round.status != RS.OPEN:
        return _("该考核结果已确认，已锁定，不能修改。")
    if assessment.status == AS.SUBMITTED:
        return _("该考核结果已提交，如需修改请先退回。")
    return None


def _score(value, maximum, what):
    if value is None or value == "":
        return None
    try:
        return scoring.score_value(value, maximum)
    except ValueError as error:
        raise ActionRefused(f"{what}：{error}") from None


def assessment_save(*, actor, assessment_id, version, values: dict) -> Assessment:
    """Save what this user may fill of a draft assessment. values: {"items": {key: score}, "mentor", "unit",
    "democratic", "comment"} — only the keys the user fills are read (another key is refused); a blank score is
    cleared. The total and grade are computed when every needed score is there."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE, Role.MENTOR, Role.UNIT, Role.VILLAGE)
    with transaction.atomic(durable=True):
        assessment = lock_assessment(actor, assessment_id)
        allowed = editable_fields(assessment, actor)
        if not allowed or set(values) - allowed:
            raise NotAllowed
        ASSESSMENT_WORKFLOW.check_version(assessment, version)
        problem = lock_refusal(assessment)
        if problem:
            raise ActionRefused(problem)
        items = assessment.round.items
        changed = []
        if FIELD_ITEMS in values:
            given = values[FIELD_ITEMS] or {}
            unknown = set(given) - {item["key"] for item in items}
            if unknown:
                raise ActionRefused(_("考核项目不存在，请刷新页面。"))
            scores = {}
            for item in items:
                value = _score(given.get(item["key"]), item["weight"], item["name"])
                if value is not None:
                    scores[item["key"]] = str(value)
            assessment.scores = scores
            changed.append("scores")
        labels = {FIELD_MENTOR: _("引路人评分"), FIELD_UNIT: _("所在单位评分"), FIELD_DEMOCRATIC: _("民主评议得分")}
        for key in (FIELD_MENTOR, FIELD_UNIT, FIELD_DEMOCRATIC):
            if key in values:
                setattr(assessment, scoring.SUB_FIELDS[key], _score(values[key], 100, labels[key]))
                changed.append(scoring.SUB_FIELDS[key])
        if FIELD_COMMENT in values:
            assessment.comment = typed_text(values[FIELD_COMMENT], _("考核评语"), limit=TEXT_MAX, required=False)
            changed.append("comment")
        changed += refresh_result(assessment)
        if Role.OFFICE in scope.roles and FIELD_ITEMS in allowed:
            assessment.drafted_by = actor
            changed.append("drafted_by")
        assessment.version += 1
        assessment.save(update_fields=[*changed, "version", "updated_at"])
        record_event(assessment, action=AssessmentEvent.SCORED, actor=actor,
                     data={"fields": sorted(values)})
    return assessment


def assessment_perform(*, actor, assessment_id, action, version, reason="") -> Assessment:
    """A button of the assessment's page: submit, return (with a reason), confirm."""
    return ASSESSMENT_WORKFLOW.perform(actor=actor, pk=assessment_id, action=action, reason=reason, version=version)


def rule_veto_date(on: datetime.date, round_, today: datetime.date) -> str | None:
    if on > today:
        return _("否决日期不能晚于今天。")
    start = datetime.date(round_.year, 1, 1)
    if on < start:
        return _("否决日期不能早于考核年度的开始（%(d)s）。") % {"d": cn_date(start)}
    return None


def assessment_veto(*, actor, assessment_id, version, reason, note, approver, on, today=None) -> Assessment:
    """一票否决 (the office): one of the round's veto reasons, a note, who approved it and when. The grade becomes
    不称职 whatever the scores, the assessment is left out of the ranking and waits for confirmation."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or local_today()
    reason = clean_text(reason)
    note = typed_text(note, _("否决说明"), limit=min(TEXT_MAX, REASON_MAX_LENGTH))
    approver = typed_text(approver, _("批准人"), limit=APPROVER_MAX_LENGTH)
    if not isinstance(on, datetime.date):
        raise ActionRefused(_("请填写否决日期。"))
    with transaction.atomic(durable=True):
        assessment = lock_assessment(actor, assessment_id)
        ASSESSMENT_WORKFLOW.check(assessment, "veto_assessment", actor=actor, today=today, version=version)
        if not reason or reason not in assessment.round.veto_reasons:
            raise ActionRefused(_("请从本次考核规定的一票否决情形中选择否决理由。"))
        problem = rule_veto_date(on, assessment.round, today)
        if problem:
            raise ActionRefused(problem)
        ASSESSMENT_WORKFLOW.apply(assessment, "veto_assessment", actor=actor, today=today, version=version,
                                  reason=reason, data={"approver": approver, "on": on.isoformat()})
        assessment.veto_reason, assessment.veto_note = reason, note
        assessment.veto_approver, assessment.veto_on = approver, on
        update = ["veto_reason", "veto_note", "veto_approver", "veto_on", *refresh_result(assessment)]
        assessment.save(update_fields=update)
    return assessment


# ----------------------------------------------------------------------------- reads


def rounds_visible_to(user):
    scope = Scope.for_user(user)
    scope.require_role(*READERS)
    return (scope.filter(AssessmentRound.objects.select_related("term"))
            .annotate(assessed=Count("assessments")).order_by("-year", "-id"))


def round_for_user_or_404(user, pk) -> AssessmentRound:
    scope = Scope.for_user(user)
    scope.require_role(*READERS)
    return scope.get(AssessmentRound.objects.select_related("term", "opened_by"), pk)


def pool_terms_for_rounds(user) -> list[PoolTerm]:
    return list(Scope.for_user(user).filter(PoolTerm, roles={Role.OFFICE}).order_by("-start", "-id"))


def round_counts(round_) -> dict:
    """{status: count} of a round's assessments, and "vetoed"."""
    row = Assessment.objects.filter(round=round_).aggregate(
        total=Count("pk"), vetoed=Count("pk", filter=~Q(veto_reason="")),
        **{s: Count("pk", filter=Q(status=s)) for s in AS.values})
    return row


def round_tiers(round_) -> list[tuple[int, str, int]]:
    """(tier, label, count) of the tiers assessed in a round."""
    labels = dict(Tier.choices)
    rows = (Assessment.objects.filter(round=round_).values("tier").annotate(n=Count("pk")).order_by("tier"))
    return [(row["tier"], labels.get(row["tier"], row["tier"]), row["n"]) for row in rows]


def round_rows(round_, *, tier=None, status=None):
    """The assessments of a round for its page, filtered: by tier, then by rank (a confirmed round) or by total."""
    rows = Assessment.objects.filter(round=round_).select_related("reserve", "reserve__village", "reserve__unit")
    if tier:
        rows = rows.filter(tier=tier)
    if status:
        rows = rows.filter(status=status)
    if round_.status == RS.CONFIRMED:
        return rows.order_by("tier", F("rank").asc(nulls_last=True), "pk")
    return rows.order_by("tier", F("total").desc(nulls_last=True), "pk")


@dataclass(frozen=True)
class _Ranked:
    """What scoring.ranking_key and scoring.rankable read of an assessment (no model instance per row)."""

    pk: int
    total: Decimal
    scores: dict
    vetoed: bool
    reserve: _RankedReserve


@dataclass(frozen=True)
class _RankedReserve:
    pk: int
    start_date: datetime.date | None


def provisional_ranks(round_, tiers=None) -> dict[int, tuple[int, int]]:
    """{assessment id: (rank, of)} of an open round (预排名): each tier ranked as the confirmation would, over the
    assessments with a total (one query). `tiers`: only these tiers (those of the page shown) — a rank needs its
    whole tier, not the others."""
    rows = Assessment.objects.filter(round=round_, total__isnull=False)
    if tiers is not None:
        rows = rows.filter(tier__in=list(tiers))
    by_tier: dict[int, list] = {}
    for pk, tier, total, scores, veto, reserve_id, start in rows.order_by().values_list(
            "pk", "tier", "total", "scores", "veto_reason", "reserve_id", "reserve__start_date"):
        by_tier.setdefault(tier, []).append(_Ranked(pk, total, scores, bool(veto), _RankedReserve(reserve_id, start)))
    ranks = {}
    for members in by_tier.values():
        ranked = scoring.rank(members, round_.items)
        for position, a in enumerate(ranked, start=1):
            ranks[a.pk] = (position, len(ranked))
    return ranks


def mark_round_rows(round_, rows) -> None:
    """Give each assessment of a round's page what its row shows, computed once here: the item scores, the rank
    shown (the confirmed rank, or the provisional one of an open round: one query, over the page's tiers only), the
    tier's short name, the grade's and the status's labels and the link to its page."""
    rows = list(rows)
    confirmed = round_.status == RS.CONFIRMED
    provisional = {} if confirmed or not rows else provisional_ranks(round_, {a.tier for a in rows})
    grades = {value: str(label) for value, label in scoring.Grade.choices}
    statuses = {value: str(label) for value, label in AS.choices}
    tiers = {value: str(TIER_SHORT.get(value, label)) for value, label in Tier.choices}
    items = [(item["name"], item["key"]) for item in round_.items]
    for a in rows:
        scores = a.scores or {}
        a.item_scores = [(name, scores.get(key)) for name, key in items]
        a.shown_rank = (a.rank, a.ranked_of) if confirmed else provisional.get(a.pk)
        a.tier_short = tiers.get(a.tier, a.tier)
        a.grade_label = grades.get(a.grade, a.grade)
        a.status_label = statuses.get(a.status, a.status)
        a.url = reverse("assessment:assessment_edit", args=[a.pk])


def assessment_for_user_or_404(user, pk) -> Assessment:
    scope = Scope.for_user(user)
    scope.require_role(*ENTRY_READERS)
    return scope.get(Assessment.objects.select_related(
        "round", "reserve", "reserve__village", "reserve__unit", "reserve__mentor", "confirmed_by"), pk)


@dataclass(frozen=True)
class Evidence:
    """What the records say of a reserve's year (年度考核) or of its whole term (期满总结性考核), shown beside the
    assessment's form: the period covered (start … end), and for a final assessment the term it assesses."""

    year: int
    tasks: list
    hours: Decimal
    talks: list
    start: datetime.date | None = None
    end: datetime.date | None = None
    final: bool = False
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    # How many tasks and talks the period holds (the lists show at most EVIDENCE_LIMIT of each).
    task_count: int = 0
    talk_count: int = 0

    @property
    def truncated_tasks(self) -> int:
        return max(self.task_count - len(self.tasks), 0)

    @property
    def truncated_talks(self) -> int:
        return max(self.talk_count - len(self.talks), 0)

    @property
    def until_today(self) -> bool:
        """A final assessment's term not over yet: the records are counted up to today."""
        return bool(self.final and self.term_end and self.end and self.end < self.term_end)


EVIDENCE_LIMIT = 50
# The reserve's renewal (续期, training.workflow): its event keeps the old term.
RENEW_ACTION = "renew_reserve"


def assessed_term(assessment) -> tuple[datetime.date, datetime.date]:
    """The term (本届起, 本届止) a final assessment assesses: the reserve's term when the assessment was made — the
    current one, or, when the reserve has been renewed (续期) since, the old term kept in the first renewal's event
    after it (one query)."""
    reserve = assessment.reserve
    renewal = (Event.objects.filter(content_type=ContentType.objects.get_for_model(Reserve), object_id=reserve.pk,
                                    action=RENEW_ACTION, at__gt=assessment.created_at)
               .order_by("at", "pk").only("data").first())
    old = (renewal.data or {}).get("old_term") if renewal else None
    if isinstance(old, dict):
        try:
            return datetime.date.fromisoformat(old["start"]), datetime.date.fromisoformat(old["end"])
        except (KeyError, TypeError, ValueError):
            pass
    return reserve.term_start, reserve.term_end


def evidence_period(assessment, today=None) -> tuple[datetime.date, datetime.date]:
    """The days whose records an assessment weighs: an annual one its year (1 January … 31 December); a final one
    (期满总结性考核) the whole term assessed, from its first day to its last or to today when it is not over."""
    if assessment.kind == Kind.FINAL:
        start, end = assessed_term(assessment)
        return start, min(end, today or local_today())
    return datetime.date(assessment.year, 1, 1), datetime.date(assessment.year, 12, 31)


def evidence(assessment, user, *, today=None) -> Evidence:
    """The reserve's records of the period the assessment weighs (evidence_period), as far as the user sees them:
    tasks given or evaluated in it (with grades), training hours of the courses that started in it (the rule of
    cultivation.courses.training_hours_by_year: attended, the enrolment's hours or else the course's) and talks held
    in it."""
    scope = Scope.for_user(user)
    reserve = assessment.reserve
    final = assessment.kind == Kind.FINAL
    term_start, term_end = assessed_term(assessment) if final else (None, None)
    if final:
        start, end = term_start, min(term_end, today or local_today())
    else:
        start, end = evidence_period(assessment)
    task_rows = (scope.filter(Task.objects.filter(reserve=reserve))
                 .filter(Q(given_on__range=(start, end)) | Q(evaluated_on__range=(start, end))))
    tasks = list(task_rows.order_by("given_on", "pk")[:EVIDENCE_LIMIT + 1])
    task_count = task_rows.count() if len(tasks) > EVIDENCE_LIMIT else len(tasks)
    enrolments = list(scope.filter(Enrolment.objects.filter(reserve=reserve, course__start__range=(start, end)))
                      .select_related("course"))
    hours = sum((enrolment_hours(e) for e in enrolments), Decimal(0))
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    talk_rows = scope.filter(HeartTalk.objects.filter(reserve=reserve, held_at__gte=begin, held_at__lt=until))
    talks = list(talk_rows.order_by("held_at", "pk")[:EVIDENCE_LIMIT + 1])
    talk_count = talk_rows.count() if len(talks) > EVIDENCE_LIMIT else len(talks)
    return Evidence(assessment.year, tasks[:EVIDENCE_LIMIT], hours, talks[:EVIDENCE_LIMIT], start=start, end=end,
                    final=final, term_start=term_start, term_end=term_end, task_count=task_count,
                    talk_count=talk_count)


# ----------------------------------------------------------------------------- a scorer's list (我的考核评分)


SCORER_ROLES = (Role.MENTOR, Role.UNIT, Role.VILLAGE)
# The sub-score each scorer gives and the roles it is given through (as editable_fields): a mentor the mentor's score
# of the reserves paired with them, a unit's head and a village branch the unit's score of their own reserves.
SCORER_DUTIES = ((FIELD_MENTOR, frozenset({Role.MENTOR})), (FIELD_UNIT, frozenset({Role.UNIT, Role.VILLAGE})))


@dataclass(frozen=True)
class Duty:
    """A sub-score a scorer gives in an assessment: which, its label, the score given (None: not yet) and its share
    of the total in the round (0: for reference only, not counted)."""

    key: str
    label: str
    value: Decimal | None
    share: int

    @property
    def counted(self) -> bool:
        return self.share > 0

    @property
    def share_text(self) -> str:
        return share_text(self.share)


def share_of(shares, key) -> int:
    """A sub-score's share of the total (percent) in a round's sub_shares; 0 when absent or not a number."""
    try:
        return max(int((shares or {}).get(key) or 0), 0)
    except (TypeError, ValueError):
        return 0


def share_text(share) -> str:
    """What a sub-score counts for in its round (its percent of the total; 0 or none: for reference only)."""
    if share:
        return _("占总分%(x)s%%") % {"x": share}
    return _("仅供参考，不计入总分")


def share_texts(shares) -> dict[str, str]:
    """{sub-score key: share_text} of a round's sub_shares."""
    return {key: share_text((shares or {}).get(key)) for key in scoring.SUB_KEYS}


def sub_label(key) -> str:
    return {FIELD_MENTOR: _("引路人评分"), FIELD_UNIT: _("所在单位评分"), FIELD_DEMOCRATIC: _("民主评议得分")}[key]


def _scorer_conditions(user) -> tuple[Q | None, Q | None]:
    """(the assessments the user scores a sub-score of, those of them where one of the user's sub-scores is empty)."""
    scope = Scope.for_user(user)
    scope.require_role(*SCORER_ROLES)
    duties = []
    for key, roles in SCORER_DUTIES:
        condition = scope.condition(Assessment, roles=roles) if scope.has(*roles) else None
        if condition is not None:
            duties.append((key, condition))
    if not duties:
        return None, None
    mine = reduce(operator.or_, (condition for _key, condition in duties))
    empty = reduce(operator.or_, (condition & Q(**{f"{scoring.SUB_FIELDS[key]}__isnull": True})
                                  for key, condition in duties))
    return mine, empty


def scorer_assessments(user, *, pending: bool):
    """The assessments of open rounds that a mentor, a unit's head or a village branch scores (their sub-score):
    pending (待评分) — one of their sub-scores still empty; done (已评分) — all of them given. Drafts first (those
    the user can score now; a submitted or confirmed one is locked), then the latest year, the round, the tier, the
    reserve's entry. Scoped: another mentor's, unit's or village's reserves never appear."""
    mine, empty = _scorer_conditions(user)
    if mine is None:
        return Assessment.objects.none()
    rows = Assessment.objects.filter(mine, round__status=RS.OPEN).filter(empty if pending else ~empty)
    return (rows.select_related("round", "reserve", "reserve__village", "reserve__unit")
            .annotate(locked_first=Case(When(status=AS.DRAFT, then=Value(0)), default=Value(1),
                                        output_field=IntegerField()))
            .order_by("locked_first", "-round__year", "round_id", "tier", "reserve__start_date", "pk"))


def scorer_counts(user) -> dict[str, int]:
    """{"pending", "done"}: how many assessments of open rounds the user has still to score and has scored (one
    query)."""
    mine, empty = _scorer_conditions(user)
    if mine is None:
        return {"pending": 0, "done": 0}
    row = Assessment.objects.filter(mine, round__status=RS.OPEN).aggregate(
        total=Count("pk"), pending=Count("pk", filter=empty))
    return {"pending": row["pending"], "done": row["total"] - row["pending"]}


def scorer_duties(assessment, user) -> list[Duty]:
    """The sub-scores this user gives in an assessment (round and reserve loaded: no query)."""
    scope = Scope.for_user(user)
    shares = assessment.round.sub_shares
    return [Duty(key, sub_label(key), getattr(assessment, scoring.SUB_FIELDS[key]), share_of(shares, key))
            for key, roles in SCORER_DUTIES if scope.has(*roles) and scope.can_see(assessment, roles=roles)]


def mark_scorer_rows(assessments, user) -> None:
    """Give each assessment of a scorer's page what its row shows, computed once here: its duties (with what each
    counts for), why it cannot be scored now (None: it can), its tier's short name and status's label and the
    links to the reserve's and to the assessment's page."""
    tiers = {value: str(TIER_SHORT.get(value, label)) for value, label in Tier.choices}
    statuses = {value: str(label) for value, label in AS.choices}
    for a in assessments:
        a.duties = scorer_duties(a, user)
        a.lock = lock_refusal(a)
        a.tier_short = tiers.get(a.tier, a.tier)
        a.status_label = statuses.get(a.status, a.status)
        a.reserve_url = reverse("training:reserve_detail", args=[a.reserve_id])
        a.url = reverse("assessment:assessment_edit", args=[a.pk])


def assessments_of(reserve, user):
    """A reserve's assessments this user sees, the latest first (each one's reserve is this reserve object: the
    scope checks of the rows ask no query)."""
    return (Scope.for_user(user).filter(reserve.assessments.all())
            .select_related("round").order_by("-year", "-pk"))


def assessments_seen_by(reserve, user) -> list[Assessment]:
    """assessments_of, read once per reserve object and user: the assessments card, the marks, the history and the
    one-person file share the read."""
    from training.panels import read_once

    return read_once(reserve, ("assessments", user.pk), lambda: list(assessments_of(reserve, user)))


def item_rows(assessment) -> list[tuple[dict, str | None]]:
    """(item, score) of each item of the assessment's round, in the scheme's order."""
    scores = assessment.scores or {}
    return [(item, scores.get(item["key"])) for item in assessment.round.items]
