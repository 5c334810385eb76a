"""The one-person file (一人一档): everything the earlier stages recorded about one reserve, gathered in sections and
in time order, for the town's office and committee.

One function reads it, `dossier_of(user, reserve)`: the page, the A4 PDF and each member of a ZIP batch all show
what it returns. Every part is read through the stage's own scoped reads (what the user may see there, the
user sees here) in a fixed number of queries whatever the number of records (tests/dossier/test_dossier.py
counts them). What the file leaves out, on purpose:

- the content of the inspection's individual talks (个别谈话: what each interviewee said, and who) and of the pool's
  谈心谈话 — the file keeps their dates, categories or kinds and the talkers; the 考察材料 is the inspection's
  written summary and is kept whole;
- the vetting departments' findings for the committee: findings are the office's and the departments' only
  (vetting.selectors); the committee reads the one-sentence result it reads before deciding
  (inspection.selectors.vetting_summary);
- an objection's content and who lodged it: the file counts objections and gives each one's outcome;
- the phone number, the address and the ID-card copy; the ID number only masked (reserve.idnumber.mask).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve import idnumber
from reserve.choices import Education, Gender, TalkCategory
from reserve.roles import Role
from reserve.scope import Scope
from training.models import TIER_SHORT, Reserve, Tier
from training.panels import when_key

# The roles that read a dossier: the town's office and its committee (others: 403).
READERS = (Role.OFFICE, Role.COMMITTEE)
# The role that downloads the files of a tier, a village or a unit as one ZIP.
BATCH_ROLES = (Role.OFFICE,)


# What a file reads with its reserve, in the same query: the reserve's own facts and, when it came through a
# selection round, the 自荐表 with its round and villages, its 考察材料 and its 公示 (each at most one row).
FETCH = ("town", "term", "village", "unit", "mentor", "person", "meeting", "round", "nomination__round",
         "nomination__village", "nomination__hukou_village", "nomination__inspection_report",
         "nomination__notice_entry__notice")


# One file's reserve is read in two queries, not one: its own facts, then its 自荐表 with what the file reads with
# it. Joined in one statement, the fifteen tables cost PostgreSQL ~10 ms to plan for a 0.7 ms read (a batch of files
# — dossier.jobs — reads them all with FETCH: one plan for many reserves).
OWN_FETCH = tuple(f for f in FETCH if not f.startswith("nomination__"))
NOMINATION_FETCH = tuple(f.removeprefix("nomination__") for f in FETCH if f.startswith("nomination__"))


def get_reserve_for_dossier_or_404(user, pk) -> Reserve:
    """A reserve of the user's town, read as its office or committee (NotFound for any other, or a garbage id)."""
    from candidates.models import Nomination

    reserve = Scope.for_user(user).get(Reserve.objects.select_related(*OWN_FETCH), pk, roles=set(READERS))
    if reserve.nomination_id:
        reserve.nomination = Nomination.objects.select_related(*NOMINATION_FETCH).get(pk=reserve.nomination_id)
    return reserve


def batch_reserves(user, *, tier=None, village_id=None, unit_id=None, status=None) -> QuerySet[Reserve]:
    """The reserves of the office's town in a batch: a tier, a village or a unit (any of them together), of one
    status (None: every status), in the pool list's order."""
    rows = Scope.for_user(user).filter(Reserve.objects.all(), roles=set(BATCH_ROLES))
    if tier:
        rows = rows.filter(tier=tier)
    if village_id:
        rows = rows.filter(village_id=village_id)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("tier", "village__order", "unit__order", "start_date", "pk")


# ----------------------------------------------------------------------------------------------- the dossier


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.date | datetime.datetime
    label: str
    text: str = ""
    actor: str = ""
    reason: str = ""
    url: str = ""  # the record's page (the web page links it; the PDF does not)

    @property
    def day(self) -> datetime.date:
        return _day(self.when)

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)


def _day(when) -> datetime.date:
    if isinstance(when, datetime.datetime):
        return (timezone.localtime(when) if timezone.is_aware(when) else when).date()
    return when


@dataclass
class Dossier:
    reserve: Reserve
    printed_on: datetime.date
    issuer: str
    basic: list[tuple[str, str]] = field(default_factory=list)
    nomination: object = None  # the 自荐表, when the reserve came through a selection round
    resume: list = field(default_factory=list)
    family: list = field(default_factory=list)
    relatives: list = field(default_factory=list)
    vetting_rows: list = field(default_factory=list)  # the office: one row per department
    vetting_summary: str = ""
    talks: list = field(default_factory=list)
    talk_counts: list[tuple[str, int]] = field(default_factory=list)
    appraisals: list = field(default_factory=list)  # (session, Result, passes)
    report: object = None
    decisions: list = field(default_factory=list)
    notice: object = None
    objections: list = field(default_factory=list)
    objection_total: int = 0
    entry: list[tuple[str, str]] = field(default_factory=list)
    terms: list = field(default_factory=list)
    mentorships: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    enrolments: list = field(default_factory=list)
    hours_by_year: list[tuple[int, Decimal]] = field(default_factory=list)
    heart_talks: list = field(default_factory=list)
    due_talks: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)  # rows of a long section left out (see `newest`)

    @property
    def talk_total(self) -> int:
        return sum(count for _label, count in self.talk_counts)

    @property
    def total_hours(self) -> Decimal:
        return sum((hours for _year, hours in self.hours_by_year), Decimal(0))


def _label(choices, value) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def issuing_body(town) -> str:
    """The heading of the file: the town's party committee (中共××镇委员会)."""
    return town.party_committee_name or _("中共%(t)s委员会") % {"t": town.name}


def _basic(reserve, nomination) -> list[tuple[str, str]]:
    from reserve.dates import cn_date

    person = reserve.person
    rows = [
        (_("姓名"), reserve.name),
        (_("性别"), _label(Gender, reserve.gender or person.gender)),
        (_("出生日期"), cn_date(reserve.birth_date or person.birth_date)),
        (_("身份证号码"), idnumber.mask(person.id_number)),
    ]
    if nomination is not None:
        rows += [(_("民族"), nomination.ethnicity), (_("籍贯"), nomination.native_place)]
    rows += [
        (_("政治面貌"), reserve.get_political_status_display()),
        (_("入党时间"), cn_date(reserve.party_join_date)),
        (_("全日制学历"), _label(Education, reserve.fulltime_education)),
        (_("最高学历"), _label(Education, reserve.education)),
        (_("现工作单位及职务"), reserve.post),
        (_("类别"), str(TIER_SHORT.get(reserve.tier, _label(Tier, reserve.tier)))),
        (_("所在村（社区）或单位"), reserve.unit_name),
        (_("状态"), reserve.get_status_display()),
    ]
    if reserve.speciality:
        rows.append((_("专长"), reserve.speciality))
    if reserve.used_on:
        rows.append((_("任用"), f"{cn_date(reserve.used_on)} {reserve.used_post}".strip()))
    if reserve.ended_on:
        rows.append((_("出库日期"), cn_date(reserve.ended_on)))
    return [(label, value or "—") for label, value in rows]


def _entry(reserve) -> list[tuple[str, str]]:
    from reserve.dates import cn_date

    rows = [(_("入库方式"), reserve.get_source_display()), (_("入库日期"), cn_date(reserve.start_date)),
            (_("人才库届期"), reserve.term.name)]
    if reserve.round_id:
        rows.append((_("选拔批次"), reserve.round.name))
    if reserve.meeting_id:
        meeting = reserve.meeting
        rows.append((_("党委会研究"), " ".join(x for x in (cn_date(meeting.date), meeting.minutes_ref) if x)))
    if reserve.recommended_by:
        rows.append((_("推荐组织"), reserve.recommended_by))
    if reserve.relaxation_reason:
        rows.append((_("放宽条件"), _("%(r)s（批准人：%(a)s，%(d)s）") % {
            "r": reserve.relaxation_reason, "a": reserve.relaxation_approved_by or "—",
            "d": cn_date(reserve.relaxation_approved_on) or "—"}))
    if reserve.activist_recommended_on:
        rows.append((_("推荐为入党积极分子"), " ".join(
            x for x in (cn_date(reserve.activist_recommended_on), reserve.activist_note) if x)))
    return rows


def _one(obj, name):
    """A one-to-one record of `obj` (read with it: FETCH), or None."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _selection(dossier: Dossier, user, scope: Scope, history: list[HistoryRow]) -> None:
    """Sections 2–5: the 自荐表, the joint vetting, the inspection, the committee's decision and the 公示."""
    from candidates.models import Nomination
    from candidates.selectors import timeline_rows
    from inspection.appraisal import combine
    from inspection.models import AppraisalSession, CommitteeDecision, Talk, Tally
    from inspection.selectors import vetting_summary_of
    from publicity.models import Objection
    from reserve.choices import VoterCategory
    from training.selectors import related_events
    from vetting.models import Finding, VettingRequest

    reserve = dossier.reserve
    if not reserve.nomination_id:
        return
    nomination = reserve.nomination  # read with the reserve (FETCH), in the user's scope as the nomination's
    if not scope.can_see(nomination):
        return
    dossier.nomination = nomination
    dossier.resume = list(nomination.resume.all())
    dossier.family = list(nomination.family.all())
    dossier.relatives = list(nomination.committee_relatives.all())

    # 3. 资格联审: the office reads each department's answer and findings; the committee the one sentence.
    if scope.has(Role.OFFICE):
        dossier.vetting_rows = list(
            scope.filter(VettingRequest.objects.filter(nomination=nomination), roles={Role.OFFICE})
            .select_related("department", "signed_by", "proxy_entered_by", "decided_by")
            .prefetch_related(Prefetch("findings", queryset=Finding.objects.select_related("item")))
            .order_by("department__order", "id"))
        requests = dossier.vetting_rows  # every request of the nomination: it is of the office's town
    else:
        requests = list(nomination.vetting_requests.all())
    dossier.vetting_summary = vetting_summary_of(requests)

    # 4. 组织考察: the talks (no content), the appraisal's results, the 考察材料.
    dossier.talks = list(Talk.objects.filter(nomination=nomination).order_by("date", "id")
                         .only("date", "place", "talkers", "category", "nomination_id"))
    counts = Counter(t.category for t in dossier.talks)
    dossier.talk_counts = [(str(label), counts[value]) for value, label in TalkCategory.choices if counts[value]]
    tallies: dict[AppraisalSession, list] = {}
    for tally in Tally.objects.filter(nomination=nomination).select_related("session", "session__village"):
        tallies.setdefault(tally.session, []).append(tally)
    for session, rows in sorted(tallies.items(), key=lambda pair: (pair[0].date, pair[0].pk)):
        result = combine(rows, session, VoterCategory.values)
        dossier.appraisals.append({"session": session, "wording": result.wording(),
                                   "passes": result.passes(nomination.round)})
    dossier.report = _one(nomination, "inspection_report")

    # 5. 党委会研究 and 公示.
    dossier.decisions = list(CommitteeDecision.objects.filter(nomination=nomination).select_related("meeting")
                             .order_by("meeting__date", "id"))
    entry = _one(nomination, "notice_entry")
    if entry is not None:
        dossier.notice = entry.notice
        dossier.objections = list(Objection.objects.filter(entry=entry).order_by("received_at", "id")
                                  .only("receipt", "channel", "received_at", "status", "concluded_at",
                                        "decided_at", "is_late", "entry_id"))
        dossier.objection_total = len(dossier.objections)

    # The nomination's events, read with the reserve's own (the history's) in one query.
    for event, label, status in timeline_rows(related_events(reserve, user, Nomination, [nomination.pk]), user):
        history.append(HistoryRow(event.at, str(label), str(status),
                                  actor=str(event.actor) if event.actor_id and event.actor else "",
                                  reason=event.reason or ""))
    for decision in dossier.decisions:
        history.append(HistoryRow(decision.meeting.date, _("镇党委会研究"), decision.get_outcome_display()))
    if dossier.notice is not None:
        notice = dossier.notice
        history.append(HistoryRow(notice.start_date, _("公示"), _("%(t)s（%(a)s至%(b)s）") % {
            "t": notice.title, "a": notice.start_date.isoformat(), "b": notice.end_date.isoformat()}))


def _pool(dossier: Dossier, user) -> None:
    """Sections 6–7: terms, mentors, follow-ups; tasks, meetings, training with hours, talks, due talks."""
    from cultivation import courses, practice, talks
    from training.mentors import pairings_of
    from training.selectors import follow_ups_seen_by, term_history

    reserve = dossier.reserve
    # The same reads as the reserve's history below (training.panels.read_once: one query per kind of record). The
    # reserve is one of the office's or committee's town (get_reserve_for_dossier_or_404), whose pairings these
    # roles all see (Mentorship's scope: reserve__town).
    dossier.terms = term_history(reserve, user)
    dossier.mentorships = list(pairings_of(reserve))
    dossier.follow_ups = list(follow_ups_seen_by(reserve, user))
    dossier.tasks = sorted(practice.tasks_seen_by(reserve, user), key=lambda t: (t.given_on, t.pk))
    dossier.meetings = list(practice.meetings_seen_by(reserve, user))  # oldest first
    enrolments = courses.enrolments_seen_by(reserve, user)[::-1]  # the earliest course first
    dossier.enrolments = [(e, courses.enrolment_hours(e)) for e in enrolments]
    dossier.hours_by_year = sorted(courses.training_hours_by_year(reserve, enrolments))
    dossier.heart_talks = talks.talks_seen_by(user, reserve)[::-1]  # oldest first
    dossier.due_talks = list(talks.due_talks_seen_by(user, reserve))  # in the order they arose


def _assessment(dossier: Dossier, user) -> None:
    """Section 8: the assessments (grade, rank, priority, veto) and the adjustments, from the reads the history's
    sources share. (Their entries of the history come from the assessment's own timeline sources, through
    training.selectors.reserve_history.)"""
    from assessment.adjustments import adjustments_seen_by
    from assessment.rounds import assessments_seen_by

    reserve = dossier.reserve
    dossier.assessments = sorted(assessments_seen_by(reserve, user), key=lambda a: (a.year, a.kind, a.pk))
    dossier.adjustments = adjustments_seen_by(reserve, user)[::-1]  # the earliest first


# ----------------------------------------------------------------------------------------------- the history

# "引路人：引路人 郑国华": a label followed by an account's full name that begins with the same word.
_REPEATED_LABEL = re.compile(r"(^|[（(，,；;　 ])([^：:（）()，,；;\s]{1,12})[：:]\s*\2[ 　]+(?=\S)")


def _without_repeated_label(text: str) -> str:
    """ "引路人：引路人 郑国华" → "引路人：郑国华" (an account's full name that repeats the label before it)."""
    return _REPEATED_LABEL.sub(lambda m: f"{m.group(1)}{m.group(2)}：", text or "")


def _history(dossier: Dossier, user, selection: list[HistoryRow]) -> list[HistoryRow]:
    """The selection's rows and the pool's (training.selectors.reserve_history, whose sources say what each record
    is), no label repeated in its text."""
    from training.selectors import reserve_history

    rows = list(selection)
    rows += [HistoryRow(row.when, row.label, _without_repeated_label(row.text), actor=row.actor, reason=row.reason,
                        url=row.url) for row in reserve_history(dossier.reserve, user)]
    return sorted(rows, key=lambda row: when_key(row.when))


# ----------------------------------------------------------------------------------------------- bounds

# The sections that grow with the years in the pool (and the history): the PDF prints the newest rows of each
# (documents.PDF_ROWS, fewer if the file would still be too large), the page shows them a page at a time.
LONG_SECTIONS = ("talks", "objections", "mentorships", "follow_ups", "tasks", "meetings", "enrolments",
                 "heart_talks", "due_talks", "assessments", "adjustments", "history")


# The history has several rows per record of the other sections (a selection alone writes some thirty): it keeps
# this many times the rows of the others.
HISTORY_FACTOR = 4


def newest(dossier: Dossier, limit: int) -> Dossier:
    """A copy of the file with each long section cut to its newest `limit` rows (the history to HISTORY_FACTOR
    times as many), in time order still; the copy's `omitted` says how many rows each section left out ("另有M条
    较早的记录，详见系统")."""
    cut = {}
    omitted = {}
    for name in LONG_SECTIONS:
        rows = getattr(dossier, name)
        limit_here = limit * HISTORY_FACTOR if name == "history" else limit
        if len(rows) > limit_here:
            cut[name] = rows[len(rows) - limit_here:]
            omitted[name] = len(rows) - limit_here
    return dataclasses.replace(dossier, **cut, omitted=omitted)


def dossier_of(user, reserve: Reserve, *, today: datetime.date | None = None) -> Dossier:
    """The file of one reserve as this user may read it (the reserve found by get_reserve_for_dossier_or_404)."""
    scope = Scope.for_user(user)
    today = today or timezone.localdate()
    dossier = Dossier(reserve=reserve, printed_on=today, issuer=issuing_body(reserve.town))
    history: list[HistoryRow] = []
    _selection(dossier, user, scope, history)
    dossier.basic = _basic(reserve, dossier.nomination)
    dossier.entry = _entry(reserve)
    _pool(dossier, user)
    _assessment(dossier, user)
    dossier.history = _history(dossier, user, history)
    return dossier
