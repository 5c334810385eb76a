"""Scoped reads for the inspection and the committee's decisions."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Nomination, Status
from reserve.choices import TalkCategory, VoterCategory
from reserve.dates import cn_date
from reserve.exceptions import NotFound
from reserve.models import Event
from reserve.roles import Role, roles_of
from reserve.scope import Scope, declare

from . import appraisal
from .models import AppraisalSession, CommitteeDecision, CommitteeMeeting, InspectionReport, Talk, Tally

declare(AppraisalSession, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})
declare(CommitteeMeeting, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})


def sessions_visible_to(user) -> QuerySet[AppraisalSession]:
    return Scope.for_user(user).filter(AppraisalSession.objects.select_related("village", "round"))


def meetings_visible_to(user) -> QuerySet[CommitteeMeeting]:
    return Scope.for_user(user).filter(CommitteeMeeting.objects.select_related("round"))


def nominations_in(user, round_, status) -> QuerySet[Nomination]:
    from candidates.selectors import nominations_visible_to

    return (nominations_visible_to(user).filter(round=round_, status=status)
            .select_related("person", "village").order_by("village__order", "id"))


def nomination_panel(nomination, user) -> dict | None:
    """The link to the inspection record, once the nomination has reached the inspection."""
    from candidates.workflow import INSPECTED

    if nomination.status in INSPECTED and roles_of(user) & {Role.OFFICE, Role.COMMITTEE}:
        return {}
    return None


# --- the pages of the inspection and of the committee's meetings ----------------------------------

def get_session_for_user_or_404(user, pk) -> AppraisalSession:
    return Scope.for_user(user).get(sessions_visible_to(user), pk)


def get_meeting_for_user_or_404(user, pk) -> CommitteeMeeting:
    return Scope.for_user(user).get(meetings_visible_to(user), pk)


def sessions_of_round(user, round_) -> QuerySet[AppraisalSession]:
    """The appraisal sessions of a round (none without a round), each with its number of tallies."""
    if round_ is None:
        return AppraisalSession.objects.none()
    return sessions_visible_to(user).filter(round=round_).annotate(tally_count=Count("tallies"))


def meetings_of_round(user, round_) -> QuerySet[CommitteeMeeting]:
    """The committee's meetings of a round (none without a round), each with its number of decisions."""
    if round_ is None:
        return CommitteeMeeting.objects.none()
    return meetings_visible_to(user).filter(round=round_).annotate(decision_count=Count("decisions"))


def may_record_inspection(nomination, user) -> bool:
    """Whether this user may record the inspection of this nomination now (talks, tallies, the report):
    the office, while the nomination is under inspection (the services check again)."""
    return nomination.status == Status.INSPECTION and Scope.for_user(user).has(Role.OFFICE)


def inspection_state(nomination, user, today) -> dict:
    """What the inspection page says of the proposal to the committee: whether the nomination is under
    inspection, why it may not be proposed yet (the guards of the workflow's `propose`; None: it may),
    and whether this user may record the inspection."""
    from candidates.workflow import NOMINATION_WORKFLOW

    propose = NOMINATION_WORKFLOW["propose"]
    in_inspection = nomination.status in propose.all_sources
    return {
        "in_inspection": in_inspection,
        "propose_confirm": propose.confirm,
        "propose_refusal": NOMINATION_WORKFLOW.refusal(nomination, "propose", user, today) if in_inspection else None,
        "can_edit": may_record_inspection(nomination, user),
    }


def inspection_report(nomination) -> InspectionReport | None:
    return InspectionReport.objects.filter(nomination=nomination).select_related("updated_by").first()


def tallies_by_nomination(session, nominations=None) -> dict[int, list[Tally]]:
    """A session's tallies, by nomination id: of these nominations only, if given (a page of them)."""
    qs = Tally.objects.filter(session=session)
    if nominations is not None:
        qs = qs.filter(nomination__in=[n.pk for n in nominations])
    grouped = {}
    for t in qs:
        grouped.setdefault(t.nomination_id, []).append(t)
    return grouped


def tallies_by_category(session, nomination) -> dict[str, Tally]:
    """The tallies of one nomination in one session, by voter category."""
    return {t.category: t for t in Tally.objects.filter(session=session, nomination=nomination)}


def ballot_nominations(user, session) -> QuerySet[Nomination]:
    """The nominations a session's ballot lists: those of its village and round under inspection."""
    return nominations_in(user, session.round, Status.INSPECTION).filter(village=session.village)


def session_nominations(user, session) -> QuerySet[Nomination]:
    """The nominations a session is about: those on its ballot (ballot_nominations), then any other that already
    has ballots recorded in it (it may have moved on since) — one query, to be paged or read whole."""
    from candidates.selectors import nominations_visible_to

    on_ballot = Q(status=Status.INSPECTION)
    tallied = Exists(Tally.objects.filter(session=session, nomination=OuterRef("pk")))
    # A session's tallies are all of its village and round (services.tally_record): the query stays within them.
    return (nominations_visible_to(user).filter(round=session.round_id, village=session.village_id)
            .filter(on_ballot | tallied)
            .annotate(off_ballot=Case(When(on_ballot, then=Value(0)), default=Value(1)))
            .select_related("person", "village").order_by("off_ballot", "id"))


def session_nomination_or_404(user, session, nomination_pk) -> Nomination:
    """A nomination of a session's village and round (NotFound for any other, or one out of scope)."""
    from candidates.selectors import get_nomination_for_user_or_404

    nomination = get_nomination_for_user_or_404(user, nomination_pk)
    if nomination.village_id != session.village_id or nomination.round_id != session.round_id:
        raise NotFound
    return nomination


def awaiting_decision(user, round_, *, village_id=None) -> QuerySet[Nomination]:
    """The nominations of a round the committee may decide on (proposed by the office), of one village or all."""
    qs = nominations_in(user, round_, Status.PROPOSED)
    return qs.filter(village_id=village_id) if village_id else qs


def meeting_decisions(meeting, *, village_id=None, outcome=None) -> QuerySet[CommitteeDecision]:
    """The decisions a meeting recorded, in the order recorded, of one village and one outcome or all."""
    qs = CommitteeDecision.objects.filter(meeting=meeting)
    if village_id:
        qs = qs.filter(nomination__village_id=village_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return (qs.select_related("nomination__village")
            .only("id", "outcome", "reason", "nomination__id", "nomination__name", "nomination__village__name")
            .order_by("id"))


# --- the rules the proposal to the committee and the committee's decisions read ------------------------

def appraisal_results(nomination) -> list[tuple[AppraisalSession, appraisal.Result]]:
    """The combined result of each session that has tallies for this nomination, newest first (every session
    stays on the record; the newest is the one that counts)."""
    return appraisal_results_of([nomination])[nomination.pk]


def appraisal_record(nomination) -> tuple[list[tuple[AppraisalSession, appraisal.Result]], dict[int, list[Tally]]]:
    """appraisal_results of a nomination, and its tallies by session id, in one query."""
    by_session = _tallies_by_session([nomination])[nomination.pk]
    return _results(by_session), {session.pk: tallies for session, tallies in by_session.items()}


def appraisal_results_of(nominations) -> dict[int, list[tuple[AppraisalSession, appraisal.Result]]]:
    """appraisal_results of each nomination, by its pk, in one query whatever their number."""
    return {pk: _results(by_session) for pk, by_session in _tallies_by_session(nominations).items()}


def _tallies_by_session(nominations) -> dict[int, dict[AppraisalSession, list[Tally]]]:
    """The tallies of each nomination (by its pk), by session, in one query."""
    by_nomination: dict[int, dict] = {n.pk: {} for n in nominations}
    for t in Tally.objects.filter(nomination__in=list(by_nomination)).select_related("session", "session__village"):
        by_nomination[t.nomination_id].setdefault(t.session, []).append(t)
    return by_nomination


def _results(by_session) -> list[tuple[AppraisalSession, appraisal.Result]]:
    pairs = [(s, appraisal.combine(ts, s, VoterCategory.values)) for s, ts in by_session.items()]
    pairs.sort(key=lambda pair: (pair[0].date, pair[0].pk), reverse=True)
    return pairs


def _labels(choices, values) -> str:
    labels = dict(choices.choices)
    return "、".join(str(labels.get(v, v)) for v in values)


def missing_talk_categories(nomination, done=None) -> list[str]:
    """The categories the round requires talks with (Round.required_talk_categories) that have none yet (`done`:
    the categories of the nomination's talks, if already read)."""
    required = [c for c in TalkCategory.values if c in set(nomination.round.required_talk_categories or [])]
    if done is None:
        done = set(Talk.objects.filter(nomination=nomination).values_list("category", flat=True))
    return [c for c in required if c not in done]


def appraisal_shortfall(nomination) -> str | None:
    """Why the nomination's democratic appraisal does not yet count (None: it does). The newest session
    counts: it must have ballots of every voter category the round requires
    (Round.required_appraisal_categories) and reach the round's pass and turnout shares."""
    by_session = _tallies_by_session([nomination])[nomination.pk]
    results = _results(by_session)
    if not results:
        return _("尚未录入民主测评结果。")
    session, result = results[0]
    r = nomination.round
    voted = {t.category for t in by_session[session] if t.issued > 0}
    required = [c for c in VoterCategory.values if c in set(r.required_appraisal_categories or [])]
    missing = [c for c in required if c not in voted]
    if missing:
        return _("民主测评（%(d)s）缺少以下投票人类别的测评票：%(c)s。") % {
            "d": cn_date(session.date), "c": _labels(VoterCategory, missing)}
    if not result.passes(r):
        return _("最近一次民主测评未达到通过条件（优秀+称职须占有效票%(a)d/%(b)d以上，参评率须达%(c)d/%(d)d）：%(w)s") % {
            "a": r.appraisal_pass_numerator, "b": r.appraisal_pass_denominator,
            "c": r.appraisal_turnout_numerator, "d": r.appraisal_turnout_denominator, "w": result.wording(),
        }
    return None


def inspection_missing(nomination) -> list[str]:
    """What the inspection still lacks before the nomination may be proposed to the committee, each in a
    sentence: talks of every required category, a passing appraisal by every required voter category, the
    drafted 考察材料 (empty: complete)."""
    missing = []
    done = set(Talk.objects.filter(nomination=nomination).values_list("category", flat=True))
    if not done:
        missing.append(_("尚未记录个别谈话。"))
    else:
        categories = missing_talk_categories(nomination, done)
        if categories:
            missing.append(_("个别谈话尚缺以下对象类别：%(c)s。") % {"c": _labels(TalkCategory, categories)})
    shortfall = appraisal_shortfall(nomination)
    if shortfall:
        missing.append(shortfall)
    report = InspectionReport.objects.filter(nomination=nomination).only("text").first()
    if report is None or not report.text.strip():
        missing.append(_("尚未起草考察材料。"))
    return missing


def proposed_on(nomination) -> datetime.date | None:
    """The day the nomination reached 待党委研究 (its latest `propose` event), in local time; None if it has
    no such event."""
    return proposed_dates([nomination]).get(nomination.pk)


def proposed_dates(nominations) -> dict[int, datetime.date]:
    """proposed_on of each nomination that has a `propose` event, by its pk, in one query."""
    events = (_propose_events().filter(object_id__in=[n.pk for n in nominations])
              .order_by("at", "id").only("object_id", "at"))
    return {e.object_id: timezone.localdate(e.at) for e in events}  # the latest event of each wins


def _propose_events() -> QuerySet[Event]:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(Nomination), action="propose")


def quorum_met(meeting) -> bool:
    """实到/应到 reaches the round's quorum (Round.committee_quorum_numerator/denominator)."""
    r = meeting.round
    total, present = meeting.members_total, meeting.members_present
    if not total or present is None:
        return False
    return present * r.committee_quorum_denominator >= r.committee_quorum_numerator * total


def quorum_text(meeting) -> str:
    r = meeting.round
    if not meeting.members_total or meeting.members_present is None:
        return _("尚未记录到会情况。")
    return _("应到委员%(t)d人，实到%(p)d人；须达应到人数的%(n)d/%(d)d以上。") % {
        "t": meeting.members_total, "p": meeting.members_present,
        "n": r.committee_quorum_numerator, "d": r.committee_quorum_denominator}


def village_quota(nomination):
    """The quota of the nomination's village in its round (candidates.quota: the pool of every round)."""
    from candidates.quota import quotas_for

    return quotas_for(nomination.round, [nomination.village])[nomination.village_id]


def quota_text(nomination, quota) -> str:
    """The numbers of a village's places, in words."""
    text = _("%(v)s推选名额%(t)d名（后备干部%(b)d名") % {
        "v": nomination.village.name, "t": quota.target, "b": quota.base_target}
    if quota.female_target:
        text += _("，另女性%(f)d名") % {"f": quota.female_target}
    text += _("），已入库%(r)d名、已同意待入库%(a)d名，剩余%(m)d名。") % {
        "r": quota.reserves, "a": quota.approved, "m": quota.remaining}
    if quota.female_missing:
        text += _("女性后备尚缺%(n)d名。") % {"n": quota.female_missing}
    return text


def current_conditions(nomination):
    """The basic conditions as they stand today (candidates.eligibility.evaluate, the one rule)."""
    from candidates.eligibility import Applicant, evaluate

    return evaluate(Applicant.from_nomination(nomination), nomination.round)


def vetting_summary(nomination) -> str:
    """The 资格联审 result in one sentence: how many departments answered, and what."""
    return vetting_summary_of(list(nomination.vetting_requests.all()))  # prefetched by decision_rows


def vetting_summary_of(requests) -> str:
    """vetting_summary of a nomination's requests already read (every one of them)."""
    from vetting.models import VettingRequest

    if not requests:
        return _("未发起资格联审。")
    answered = [r for r in requests if r.answered]
    flagged = [r for r in answered if r.flagged]
    text = _("%(n)d个部门，已答复%(a)d个") % {"n": len(requests), "a": len(answered)}
    if len(answered) < len(requests):
        text += _("，未答复%(p)d个") % {"p": len(requests) - len(answered)}
    if flagged:
        overruled = sum(1 for r in flagged if r.decision == VettingRequest.Decision.OVERRULED)
        confirmed = sum(1 for r in flagged if r.decision == VettingRequest.Decision.CONFIRMED)
        text += _("；报告问题%(f)d个（不予采纳%(o)d个、确认不符合%(c)d个）") % {
            "f": len(flagged), "o": overruled, "c": confirmed}
    else:
        text += _("，均无问题")
    cleared = all(r.cleared for r in requests)
    return text + (_("。联审通过。") if cleared else _("。联审未通过。"))


def page_of(rows: QuerySet, number, per_page: int) -> Page:
    """A page of `rows` (`number` as the query string gives it: not a number, the first page; beyond the end, the
    last) read with the count of all of them (COUNT(*) OVER ()), in one query instead of the paginator's count and
    then its rows. Only a number beyond the end costs another query (the count, to find the last page); an empty
    first page is known to be of none."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    shown = list(rows.annotate(total_rows=Window(Count("pk")))[(number - 1) * per_page:number * per_page])
    paginator = Paginator(rows, per_page)
    if shown or number == 1:
        paginator.count = shown[0].total_rows if shown else 0
        return Page(shown, number, paginator)
    return paginator.get_page(number)


def decision_candidates(user, meeting, *, village_id=None) -> QuerySet[Nomination]:
    """The nominations a meeting's page lists for a decision (awaiting_decision), with what decision_rows reads
    (the day each was proposed: its latest `propose` event, as proposed_dates reads it)."""
    latest = _propose_events().filter(object_id=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    return (awaiting_decision(user, meeting.round, village_id=village_id).select_related("round", "hukou_village")
            .prefetch_related("committee_relatives", "vetting_requests").annotate(proposed_at=Subquery(latest)))


def decision_rows(meeting, nominations) -> list[dict]:
    """Each of these nominations awaiting the committee's decision (a page of decision_candidates) with what the
    committee reads before deciding: the current basic conditions, the 资格联审 result, the latest appraisal, the
    village's places, the day it was proposed — in a fixed number of queries whatever the number of nominations."""
    from candidates.quota import quotas_for

    nominations = list(nominations)
    results = appraisal_results_of(nominations)
    quotas = quotas_for(meeting.round, list({n.village_id: n.village for n in nominations}.values()))
    rows = []
    for n in nominations:
        latest = results[n.pk][:1]
        quota = quotas[n.village_id]
        rows.append({
            "n": n,
            "conditions": current_conditions(n),
            "vetting": vetting_summary(n),
            "appraisal": latest[0][1].wording() if latest else None,
            "quota": quota,
            "quota_text": quota_text(n, quota),
            "proposed_on": timezone.localdate(n.proposed_at) if n.proposed_at else None,
        })
    return rows
