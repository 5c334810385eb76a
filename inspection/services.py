"""Writes for 组织考察 (individual talks, 民主测评, 考察材料) and 镇党委研究确定 (the committee's decision).

Each change to a nomination's record locks the nomination first (candidates.services.lock_nomination)
and moves it only through candidates.services.apply_transition.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Status
from candidates.services import apply_transition, lock_nomination
from reserve import events
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event

from . import appraisal
from .models import (
    QUALITIES,
    AppraisalSession,
    CommitteeDecision,
    CommitteeMeeting,
    InspectionReport,
    Talk,
    Tally,
    VoterCategory,
)


class InspectionEvent(events.EventKind):
    """Events of the inspection and the committee's decision (on a nomination, a session, a meeting)."""

    TALK = "talk", _("个别谈话")
    APPRAISAL_TALLY = "appraisal_tally", _("民主测评计票")
    REPORT = "report", _("考察材料")
    SESSION_CREATE = "session_create", _("组织民主测评")
    MEETING_CREATE = "meeting_create", _("记录党委会议")


events.register(InspectionEvent)


# --- inspection -------------------------------------------------------------------------------

def _require_office_inspection(actor, nomination_id):
    Scope.for_user(actor).require_role(Role.OFFICE)
    nomination = lock_nomination(actor, nomination_id)
    if nomination.status != Status.INSPECTION:
        raise ActionRefused(_("该人选不在组织考察阶段。"))
    return nomination


def talk_add(*, actor, nomination_id: int, **fields) -> Talk:
    with transaction.atomic():
        nomination = _require_office_inspection(actor, nomination_id)
        talk = Talk(nomination=nomination, recorded_by=actor, **fields)
        talk.full_clean()
        talk.save()
        record_event(nomination, action="talk", actor=actor, from_status=nomination.status,
                     to_status=nomination.status, data={"interviewee": talk.interviewee,
                                                        "category": talk.get_category_display()})
    return talk


def session_create(*, actor, round_, village, **fields) -> AppraisalSession:
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(round_, roles={Role.OFFICE})
    scope.require(village, roles={Role.OFFICE})
    if round_.status != round_.Status.OPEN:
        raise ActionRefused(_("本批次已结束。"))
    session = AppraisalSession(round=round_, village=village, recorded_by=actor, **fields)
    options = [str(o).strip() for o in session.options if str(o).strip()]
    if len(options) < 2:
        raise ValidationError({"options": _("至少需要两个评价选项。")})
    if len(set(options)) != len(options):
        raise ValidationError({"options": _("评价选项不能重复。")})
    if session.pass_options < 1:
        raise ValidationError({"pass_options": _("计入通过票的选项数至少为1。")})
    if session.pass_options >= len(options):
        raise ValidationError({"pass_options": _("计入通过票的选项数须小于选项总数。")})
    session.options = options
    session.full_clean()
    with transaction.atomic():
        session.save()
        record_event(session, action="session_create", actor=actor)
    return session


def tally_record(*, actor, session_id: int, nomination_id: int, category: str, issued: int, returned: int,
                 valid: int, counts: list[int], qualities: dict | None = None) -> Tally:
    """Record (or correct) the ballots of one voter category for one nomination in a session."""
    with transaction.atomic():
        nomination = _require_office_inspection(actor, nomination_id)
        session = Scope.for_user(actor).get(AppraisalSession, session_id)
        if nomination.village_id != session.village_id or nomination.round_id != session.round_id:
            raise ActionRefused(_("该人选不属于这次测评所在的村和批次。"))
        if category not in VoterCategory.values:
            raise ValidationError(_("投票人类别无效。"))
        if len(counts) != len(session.options):
            raise ValidationError(_("各选项票数的个数与评价选项不一致。"))
        appraisal.check_tally(issued=issued, returned=returned, valid=valid, counts=counts,
                              entitled=session.entitled(category))
        for quality, q_counts in (qualities or {}).items():
            if (quality not in QUALITIES or not isinstance(q_counts, (list, tuple))
                    or len(q_counts) != len(session.options)
                    or any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in q_counts)):
                raise ValidationError(_("五个方面评价的格式有误（须为各选项的非负票数）。"))
            if sum(q_counts) > valid:
                raise ValidationError(_("“%(q)s”的评价票数之和（%(s)d）多于有效票数（%(v)d）。")
                                      % {"q": quality, "s": sum(q_counts), "v": valid})
        tally, _created = Tally.objects.update_or_create(
            session=session, nomination=nomination, category=category,
            defaults={"issued": issued, "returned": returned, "valid": valid, "counts": list(counts),
                      "qualities": qualities or {}},
        )
        record_event(nomination, action="appraisal_tally", actor=actor, from_status=nomination.status,
                     to_status=nomination.status,
                     data={"session": session.pk, "category": category, "issued": issued, "returned": returned,
                           "valid": valid, "counts": list(counts)})
    return tally


class TallyError(ValidationError):
    """A tally of one voter category refused: `category` says which, `error` what (a ValidationError)."""

    def __init__(self, category, error):
        super().__init__(error.messages)
        self.category = category
        self.error = error


def tallies_record(*, actor, session_id: int, nomination_id: int, tallies: dict) -> list[Tally]:
    """Record the ballots of several voter categories at once, all or none: tallies = {category: fields}.
    A category's error undoes the others and is raised as TallyError naming the category."""
    recorded = []
    with transaction.atomic():
        for category, fields in tallies.items():
            try:
                recorded.append(tally_record(actor=actor, session_id=session_id, nomination_id=nomination_id,
                                             category=category, **fields))
            except ValidationError as e:
                raise TallyError(category, e) from e
    return recorded


def appraisal_results(nomination) -> list[tuple[AppraisalSession, appraisal.Result]]:
    """The combined result of each session that has tallies for this nomination, newest first."""
    tallies = list(Tally.objects.filter(nomination=nomination).select_related("session"))
    by_session = {}
    for t in tallies:
        by_session.setdefault(t.session, []).append(t)
    results = [(s, appraisal.combine(ts, s, VoterCategory.values)) for s, ts in by_session.items()]
    results.sort(key=lambda pair: (pair[0].date, pair[0].pk), reverse=True)
    return results


def guard_propose(nomination, actor, today):
    if not Talk.objects.filter(nomination=nomination).exists():
        return _("尚未记录个别谈话。")
    results = appraisal_results(nomination)
    if not results:
        return _("尚未录入民主测评结果。")
    session, result = results[0]
    if not result.passes(nomination.round):
        r = nomination.round
        return _("最近一次民主测评未达到通过条件（优秀+称职须占有效票%(a)d/%(b)d以上，参评率须达%(c)d/%(d)d）：%(w)s") % {
            "a": r.appraisal_pass_numerator, "b": r.appraisal_pass_denominator,
            "c": r.appraisal_turnout_numerator, "d": r.appraisal_turnout_denominator, "w": result.wording(),
        }
    return None


def report_save(*, actor, nomination_id: int, text: str, inspectors: str = "", report_date=None) -> InspectionReport:
    Scope.for_user(actor).require_role(Role.OFFICE)
    if not (text or "").strip():
        raise ValidationError({"text": _("考察材料不能为空。")})
    with transaction.atomic():
        nomination = lock_nomination(actor, nomination_id)
        if nomination.status not in (Status.INSPECTION, Status.PROPOSED):
            raise ActionRefused(_("只有组织考察阶段可以修改考察材料。"))
        report, created = InspectionReport.objects.update_or_create(
            nomination=nomination,
            defaults={"text": text, "inspectors": inspectors, "report_date": report_date, "updated_by": actor},
        )
        record_event(nomination, action="report", actor=actor, from_status=nomination.status,
                     to_status=nomination.status, data={"created": created})
    return report


# --- the committee's decision -----------------------------------------------------------------

def meeting_create(*, actor, round_, **fields) -> CommitteeMeeting:
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    scope.require(round_, roles={Role.OFFICE, Role.COMMITTEE})
    meeting = CommitteeMeeting(round=round_, recorded_by=actor, **fields)
    meeting.full_clean()
    meeting.save()
    record_event(meeting, action="meeting_create", actor=actor)
    return meeting


def decide(*, actor, meeting, nomination_id: int, outcome: str, reason: str = "", today=None) -> CommitteeDecision:
    """Record the committee's decision on one proposed nomination and move it accordingly."""
    if outcome not in CommitteeDecision.Outcome.values:
        raise ActionRefused(_("请选择研究结果。"))
    Scope.for_user(actor).require(meeting)
    with transaction.atomic():
        nomination = lock_nomination(actor, nomination_id)
        if nomination.round_id != meeting.round_id:
            raise ActionRefused(_("该人选不属于本次会议的批次。"))
        action = "approve" if outcome == CommitteeDecision.Outcome.APPROVE else "reject"
        apply_transition(nomination, action, actor=actor, reason=reason, today=today,
                         data={"meeting": meeting.pk, "meeting_date": f"{meeting.date:%Y-%m-%d}"})
        decision = CommitteeDecision.objects.create(meeting=meeting, nomination=nomination, outcome=outcome,
                                                    reason=(reason or "").strip())
    return decision
