"""Writes for 组织考察 (individual talks, 民主测评, 考察材料) and 镇党委研究确定 (the committee's decision).

Each change to a nomination's record locks the nomination first (candidates.services.lock_nomination)
and moves it only through candidates.services.apply_transition.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candidates.models import Round, Status
from candidates.services import apply_transition, local_today, lock_nomination
from candidates.workflow import NOMINATION_WORKFLOW
from reserve import events
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.models import Village
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text

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
from .selectors import (
    inspection_missing,
    proposed_on,
    quorum_met,
    quorum_text,
    quota_text,
    village_quota,
)


class InspectionEvent(events.EventKind):
    """Events of the inspection and the committee's decision (on a nomination, a session, a meeting)."""

    TALK = "talk", _("个别谈话")
    APPRAISAL_TALLY = "appraisal_tally", _("民主测评计票")
    REPORT = "report", _("考察材料")
    SESSION_CREATE = "session_create", _("组织民主测评")
    SESSION_REPEAT = "session_repeat", _("再次组织民主测评")
    MEETING_CREATE = "meeting_create", _("记录党委会议")


events.register(InspectionEvent)


# --- inspection -------------------------------------------------------------------------------

def _require_office_inspection(actor, nomination_id):
    Scope.for_user(actor).require_role(Role.OFFICE)
    nomination = lock_nomination(actor, nomination_id)
    if nomination.status != Status.INSPECTION:
        raise ActionRefused(_("该人选不在组织考察阶段。"))
    return nomination


def check_talk_date(round_, day, today, *, what=None) -> None:
    """A talk (or an appraisal session, `what`) is recorded after it took place, during its round: not before the
    round's nomination began, not after today."""
    if day is None:
        return
    what = what or _("谈话时间")
    if day > today:
        raise ValidationError({"date": _("%(w)s不能晚于今天。") % {"w": what}})
    if day < round_.nomination_start:
        raise ValidationError({"date": _("%(w)s不能早于本批次自荐报名开始日期（%(d)s）。")
                               % {"w": what, "d": cn_date(round_.nomination_start)}})


def talk_add(*, actor, nomination_id: int, today=None, **fields) -> Talk:
    with transaction.atomic():
        nomination = _require_office_inspection(actor, nomination_id)
        check_talk_date(nomination.round, fields.get("date"), today or local_today())
        talk = Talk(nomination=nomination, recorded_by=actor, **fields)
        talk.full_clean()
        talk.save()
        record_event(nomination, action="talk", actor=actor, from_status=nomination.status,
                     to_status=nomination.status, data={"interviewee": talk.interviewee,
                                                        "category": talk.get_category_display()})
    return talk


def earlier_sessions(round_, village):
    """The appraisal sessions already held for a village in a round, oldest first."""
    return list(AppraisalSession.objects.filter(round=round_, village=village).order_by("date", "id"))


def check_repeat_reason(earlier, reason: str) -> None:
    """A village's second (third …) session of a round — after a failed appraisal, say — is held only for a
    reason the office records: a failed result is never quietly replaced."""
    if earlier and not clean_text(reason):
        raise ValidationError({"repeat_reason": _(
            "本村本批次已于%(d)s组织过民主测评，再次测评须填写理由（两次测评均保留在记录和考察材料中）。")
            % {"d": "、".join(cn_date(s.date) for s in earlier)}})


def session_create(*, actor, round_, village, repeat_reason: str = "", today=None, **fields) -> AppraisalSession:
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(round_, roles={Role.OFFICE})
    scope.require(village, roles={Role.OFFICE})
    if round_.status != round_.Status.OPEN:
        raise ActionRefused(_("本批次已结束。"))
    # The newest session is the one that counts: a date in the future would win over every real one.
    check_talk_date(round_, fields.get("date"), today or local_today(), what=_("测评日期"))
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
    session.repeat_reason = clean_text(repeat_reason)
    session.full_clean()
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).first()  # one session decided at a time
        earlier = earlier_sessions(round_, village)
        check_repeat_reason(earlier, session.repeat_reason)
        if not earlier:
            session.repeat_reason = ""
        session.save()
        if earlier:
            record_event(session, action="session_repeat", actor=actor, reason=session.repeat_reason,
                         data={"earlier": [s.pk for s in earlier]})
        else:
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


def guard_propose(nomination, actor, today):
    """The nomination's inspection is complete (selectors.inspection_missing): every missing part, in words."""
    missing = inspection_missing(nomination)
    return "".join(missing) if missing else None


def report_save(*, actor, nomination_id: int, text: str, inspectors: str = "", report_date=None) -> InspectionReport:
    Scope.for_user(actor).require_role(Role.OFFICE)
    if not clean_text(text):
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

def check_meeting(meeting, today) -> None:
    """A meeting's date and attendance tell the truth: not dated in the future; 应到 at least 1, 实到 not more
    than 应到, and the members present named, as many names as 实到."""
    errors = {}
    if meeting.date and meeting.date > today:
        errors["date"] = _("会议日期不能晚于今天。")
    elif meeting.date and meeting.date < meeting.round.nomination_start:
        errors["date"] = _("会议日期不能早于本批次自荐报名开始日期（%(d)s）。") % {
            "d": cn_date(meeting.round.nomination_start)}
    total, present = meeting.members_total, meeting.members_present
    if total is None or total < 1:
        errors["members_total"] = _("请填写党委应到委员人数（至少1人）。")
    if present is None:
        errors["members_present"] = _("请填写实到委员人数。")
    elif total is not None and present > total:
        errors["members_present"] = _("实到人数（%(p)d）不能多于应到人数（%(t)d）。") % {"p": present, "t": total}
    names = attendee_names(meeting.attendees)
    if not names:
        errors["attendees"] = _("请填写出席会议的委员姓名。")
    elif len(set(names)) != len(names):
        errors["attendees"] = _("出席委员名单中有重复的姓名：%(n)s。") % {
            "n": "、".join(sorted({n for n in names if names.count(n) > 1}))}
    elif present is not None and "members_present" not in errors and len(names) != present:
        errors["attendees"] = _("出席委员名单列出%(n)d人，与实到人数%(p)d不一致。") % {"n": len(names), "p": present}
    if errors:
        raise ValidationError(errors)


def attendee_names(text: str) -> list[str]:
    """The names of a list typed with 顿号, commas or spaces."""
    return [n for n in re.split(r"[,，、;；\s]+", text or "") if n]


def meeting_create(*, actor, round_, date, attendees: str, members_total: int | None, members_present: int | None,
                   minutes_ref: str = "", today=None) -> CommitteeMeeting:
    """Record a committee meeting with its attendance (who, 应到, 实到). A meeting below the round's quorum is
    recorded as it happened, but can decide nothing (decide refuses)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    scope.require(round_, roles={Role.OFFICE, Role.COMMITTEE})
    meeting = CommitteeMeeting(round=round_, recorded_by=actor, date=date, attendees="、".join(attendee_names(attendees)),
                               members_total=members_total, members_present=members_present,
                               minutes_ref=clean_text(minutes_ref))
    check_meeting(meeting, today or local_today())
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        record_event(meeting, action="meeting_create", actor=actor,
                     data={"date": f"{meeting.date:%Y-%m-%d}", "members_total": members_total,
                           "members_present": members_present, "quorum_met": quorum_met(meeting)})
    return meeting


class QuotaExceeded(ActionRefused):
    """Approving this nomination would exceed its village's remaining places: `message` gives the numbers; the
    decision is recorded only with the committee's reason."""

    def __init__(self, message, numbers):
        super().__init__(message)
        self.numbers = numbers


def check_decision_date(meeting, nomination) -> None:
    """A meeting decides only on candidates proposed (待党委研究) on or before its date."""
    proposed = proposed_on(nomination)
    if proposed is not None and meeting.date < proposed:
        raise ActionRefused(_("%(name)s于%(p)s提交党委研究，晚于本次会议日期（%(m)s），不能由本次会议研究。") % {
            "name": nomination.name, "p": cn_date(proposed), "m": cn_date(meeting.date)})


def check_quota(nomination, quota_reason: str) -> dict | None:
    """Approving beyond the village's remaining places (candidates.quota) needs the committee's reason; returns
    the numbers to record when the reason is given (None within the places)."""
    quota = village_quota(nomination)
    if quota.remaining >= 1:
        return None
    numbers = {"target": quota.target, "base_target": quota.base_target, "female_target": quota.female_target,
               "reserves": quota.reserves, "approved": quota.approved, "remaining": quota.remaining}
    if not clean_text(quota_reason):
        raise QuotaExceeded(quota_text(nomination, quota) + _("再同意1名将超出名额；如确需同意，请填写超出名额的理由。"),
                            numbers)
    return numbers


def decide(*, actor, meeting, nomination_id: int, outcome: str, reason: str = "", quota_reason: str = "",
           today=None) -> CommitteeDecision:
    """Record the committee's decision on one proposed nomination and move it accordingly. The decision is
    dated by its meeting: the move is taken on the meeting's date."""
    if outcome not in CommitteeDecision.Outcome.values:
        raise ActionRefused(_("请选择研究结果。"))
    Scope.for_user(actor).require(meeting)
    today = today or local_today()
    if not quorum_met(meeting):
        raise ActionRefused(_("本次会议到会人数未达规定比例，不能记录研究结果：") + quorum_text(meeting))
    if meeting.date > today:
        raise ActionRefused(_("会议日期晚于今天，不能记录研究结果。"))
    action = "approve" if outcome == CommitteeDecision.Outcome.APPROVE else "reject"
    with transaction.atomic():
        nomination = lock_nomination(actor, nomination_id)
        if nomination.round_id != meeting.round_id:
            raise ActionRefused(_("该人选不属于本次会议的批次。"))
        NOMINATION_WORKFLOW.check(nomination, action, actor=actor, reason=reason, today=meeting.date)
        check_decision_date(meeting, nomination)
        numbers = None
        if action == "approve":
            Village.objects.select_for_update().filter(pk=nomination.village_id).first()  # one approval at a time
            numbers = check_quota(nomination, quota_reason)
        data = {"meeting": meeting.pk, "meeting_date": f"{meeting.date:%Y-%m-%d}"}
        if numbers is not None:
            data.update({"over_quota": numbers, "quota_reason": clean_text(quota_reason)})
        apply_transition(nomination, action, actor=actor, reason=reason, today=meeting.date, data=data)
        decision = CommitteeDecision.objects.create(
            meeting=meeting, nomination=nomination, outcome=outcome, reason=clean_text(reason),
            quota_reason=clean_text(quota_reason) if numbers is not None else "", quota_numbers=numbers or {})
    return decision
