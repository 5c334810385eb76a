"""Writes for 资格联审, 组织考察 and 镇党委研究确定.

Every change that can move a nomination locks the nomination row first and then the request row
(always in that order, so two actions never deadlock), checks the version the user's form was drawn
from, and moves the nomination only through candidates.services.apply_transition.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Nomination, Status
from candidates.services import apply_transition, lock_nomination, perform
from reserve.models import Department, Round
from reserve.roles import Role, has_role
from reserve.services import ActionRefused, record_event

from . import appraisal
from .models import (
    QUALITIES, AppraisalSession, CommitteeDecision, CommitteeMeeting, Finding, InspectionReport, NegativeItem, Tally,
    Talk, VettingRequest, VoterCategory,
)
from .models import PLACEHOLDER
from .negative_list import DEFAULT_ITEMS
from .selectors import items_for_department, vetting_requests_visible_to


# --- the negative list ------------------------------------------------------------------------

def ensure_negative_list(round_) -> None:
    """Give a round the default negative list and department mapping, once.

    The round's row is locked while the list is checked and made, so two first dispatches (or a
    dispatch and the list page) never both make it, nor see half of it.
    """
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        if NegativeItem.objects.filter(round=round_).exists():
            return
        departments = {d.name: d for d in Department.objects.filter(town_id=round_.town_id)}
        for number, text, names in DEFAULT_ITEMS:
            item = NegativeItem.objects.create(round=round_, number=number, text=text)
            item.departments.set([departments[n] for n in names if n in departments])


def negative_item_save(*, actor, item, text: str, departments) -> NegativeItem:
    if not has_role(actor, Role.OFFICE) or item.round.town_id != actor.town_id:
        raise PermissionDenied
    if any(d.town_id != actor.town_id for d in departments):
        raise PermissionDenied
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValidationError(_("条目中的占位符写法有误，只能使用 {since_year}、{probation_years}、{expulsion_years}、"
                                "{family_planning_years}。"))
    with transaction.atomic():
        before = (item.text, sorted(d.name for d in item.departments.all()))
        item.text = text
        item.save(update_fields=["text"])
        item.departments.set(departments)
        record_event(item.round, action="negative_item_update", actor=actor,
                     data={"number": item.number, "before": before[0], "departments_before": before[1],
                           "after": text, "departments_after": sorted(d.name for d in departments)})
    return item


# --- dispatch ---------------------------------------------------------------------------------

def responsible_departments(round_):
    return Department.objects.filter(negative_items__round=round_).distinct().order_by("order", "id")


def guard_dispatch(nomination, actor, today):
    ensure_negative_list(nomination.round)
    if not responsible_departments(nomination.round).exists():
        return _("本批次负面清单未指定任何审查部门，请先在“负面清单”中指定。")
    return None


def create_requests(nomination, actor, today):
    """Effect of dispatch: a request to every department responsible for an item of the round."""
    existing = set(nomination.vetting_requests.values_list("department_id", flat=True))
    VettingRequest.objects.bulk_create(
        VettingRequest(nomination=nomination, department=d, deadline=nomination.round.review_end)
        for d in responsible_departments(nomination.round) if d.pk not in existing
    )


def dispatch_batch(*, actor, round_) -> tuple[int, list[str]]:
    """Dispatch every accepted nomination of a round; returns how many, and why any were refused."""
    from candidates.selectors import nominations_visible_to

    ids = list(nominations_visible_to(actor).filter(round=round_, status=Status.ACCEPTED).values_list("pk", flat=True))
    done, refused = 0, []
    for pk in ids:
        try:
            perform(actor=actor, nomination_id=pk, action="dispatch")
            done += 1
        except ActionRefused as e:
            refused.append(e.message)
    return done, refused


# --- department answers -----------------------------------------------------------------------

def _lock_request(actor, request_id):
    """Lock the nomination, then the request; 404 for a request outside the actor's scope."""
    try:
        request = vetting_requests_visible_to(actor).get(pk=request_id)
    except VettingRequest.DoesNotExist:
        raise Http404 from None
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("round", "person", "village").get(
        pk=request.nomination_id
    )
    request = VettingRequest.objects.select_for_update(of=("self",)).select_related("department").get(pk=request_id)
    return nomination, request


def _check_version(request, version):
    if version is not None and int(version) != request.version:
        raise ActionRefused(_("这条审查请求已被他人更新，请刷新页面查看最新内容后再操作。"))


def settle(nomination, actor, today=None) -> None:
    """All departments answered clear (or overruled) → the nomination is vetted."""
    requests = list(nomination.vetting_requests.all())
    if requests and all(r.cleared for r in requests) and nomination.status == Status.VETTING:
        apply_transition(nomination, "vet_clear", actor=actor, today=today)
        nomination.vetting_requests.update(locked=True)


def answer_request(*, actor, request_id: int, version, answers: dict, conclusion: str = "", today=None):
    """A department signs off its findings: answers maps item id -> (outcome, note, attachment or None)."""
    if not has_role(actor, Role.DEPARTMENT):
        raise PermissionDenied
    with transaction.atomic():
        nomination, request = _lock_request(actor, request_id)
        _check_version(request, version)
        if request.locked or request.decision:
            raise ActionRefused(_("镇组织办已处理本部门的答复；如需更正，请联系镇组织办重新开启。"))
        if nomination.status != Status.VETTING:
            raise ActionRefused(_("该人选已不在资格审查阶段；如需更正，请联系镇组织办重新开启。"))
        items = {i.pk: i for i in items_for_department(nomination.round, request.department)}
        missing = [i.number for pk, i in items.items() if pk not in answers]
        if missing or set(answers) - set(items):
            raise ValidationError(_("请对本部门负责的每一项作出结论（缺第%(n)s项）。")
                                  % {"n": "、".join(str(n) for n in missing) or "?"})
        flagged_numbers = []
        for pk, (outcome, note, attachment) in answers.items():
            if outcome not in Finding.Outcome.values:
                raise ValidationError(_("审查结果无效。"))
            if outcome == Finding.Outcome.FLAGGED:
                if not (note or "").strip():
                    raise ValidationError(_("第%(n)d项有此情形，请写明具体情况。") % {"n": items[pk].number})
                flagged_numbers.append(items[pk].number)
            finding, _created = Finding.objects.get_or_create(
                request=request, item=items[pk], defaults={"outcome": outcome, "note": note}
            )
            finding.outcome, finding.note = outcome, note
            if attachment is not None:
                finding.attachment = attachment
            finding.save()
        request.status = VettingRequest.Status.ANSWERED
        request.flagged = bool(flagged_numbers)
        request.conclusion = conclusion.strip() or (
            _("经审查，未发现负面清单所列情形。") if not flagged_numbers
            else _("经审查，存在负面清单第%(n)s项所列情形。") % {"n": "、".join(map(str, sorted(flagged_numbers)))}
        )
        request.signed_by = actor
        request.signed_at = timezone.now()
        request.version += 1
        request.save()
        record_event(nomination, action="vetting_answer", actor=actor, from_status=nomination.status,
                     to_status=nomination.status,
                     data={"department": request.department.name, "flagged": sorted(flagged_numbers)})
        settle(nomination, actor, today)
    return request


def decide_flag(*, actor, request_id: int, version, decision: str, reason: str, today=None):
    """The office confirms a department's flag (disqualified) or overrules it with a written reason."""
    if not has_role(actor, Role.OFFICE):
        raise PermissionDenied
    reason = (reason or "").strip()
    if decision not in (VettingRequest.Decision.CONFIRMED, VettingRequest.Decision.OVERRULED):
        raise ActionRefused(_("请选择处理意见。"))
    if not reason:
        raise ActionRefused(_("请写明处理理由。"))
    with transaction.atomic():
        nomination, request = _lock_request(actor, request_id)
        _check_version(request, version)
        if request.status != VettingRequest.Status.ANSWERED or not request.flagged:
            raise ActionRefused(_("该部门没有报告问题，无需处理。"))
        if request.decision:
            raise ActionRefused(_("已处理过该部门的答复。"))
        if nomination.status != Status.VETTING:
            raise ActionRefused(_("该人选已不在资格审查阶段。"))
        request.decision = decision
        request.decision_reason = reason
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.locked = True
        request.version += 1
        request.save()
        data = {"department": request.department.name}
        if decision == VettingRequest.Decision.CONFIRMED:
            apply_transition(nomination, "disqualify", actor=actor, reason=reason, today=today, data=data)
            nomination.vetting_requests.filter(status=VettingRequest.Status.ANSWERED).update(locked=True)
        else:
            record_event(nomination, action="vetting_overrule", actor=actor, from_status=nomination.status,
                         to_status=nomination.status, reason=reason, data=data)
            settle(nomination, actor, today)
    return request


def reopen_request(*, actor, request_id: int, reason: str, today=None):
    """The office lets a department answer again (after the office acted, only it can)."""
    if not has_role(actor, Role.OFFICE):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("请写明重新开启的理由。"))
    with transaction.atomic():
        nomination, request = _lock_request(actor, request_id)
        if nomination.status not in (Status.VETTING, Status.VETTED, Status.DISQUALIFIED):
            raise ActionRefused(_("该人选已进入后续环节，不能重新开启资格审查。"))
        if request.status == VettingRequest.Status.PENDING:
            raise ActionRefused(_("该部门尚未答复，无需重新开启。"))
        if nomination.status == Status.DISQUALIFIED and request.decision != VettingRequest.Decision.CONFIRMED:
            raise ActionRefused(_("该人选已因其他部门的意见被确认不符合条件；如需复查，请先重新开启该部门的审查。"))
        request.status = VettingRequest.Status.PENDING
        request.locked = False
        request.decision = ""
        request.decision_reason = ""
        request.decided_by = None
        request.decided_at = None
        request.version += 1
        request.save()
        data = {"department": request.department.name}
        if nomination.status == Status.VETTING:
            record_event(nomination, action="vetting_reopen", actor=actor, from_status=nomination.status,
                         to_status=nomination.status, reason=reason, data=data)
        else:
            apply_transition(nomination, "reopen_vetting", actor=actor, reason=reason, today=today, data=data)
    return request


# --- inspection -------------------------------------------------------------------------------

def _require_office_inspection(actor, nomination_id):
    if not has_role(actor, Role.OFFICE):
        raise PermissionDenied
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
    if not has_role(actor, Role.OFFICE) or round_.town_id != actor.town_id or village.town_id != actor.town_id:
        raise PermissionDenied
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
    from .selectors import sessions_visible_to

    with transaction.atomic():
        nomination = _require_office_inspection(actor, nomination_id)
        session = sessions_visible_to(actor).filter(pk=session_id).first()
        if session is None:
            raise Http404
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
    if not has_role(actor, Role.OFFICE):
        raise PermissionDenied
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
    if not has_role(actor, Role.OFFICE, Role.COMMITTEE) or round_.town_id != actor.town_id:
        raise PermissionDenied
    meeting = CommitteeMeeting(round=round_, recorded_by=actor, **fields)
    meeting.full_clean()
    meeting.save()
    record_event(meeting, action="meeting_create", actor=actor)
    return meeting


def decide(*, actor, meeting, nomination_id: int, outcome: str, reason: str = "", today=None) -> CommitteeDecision:
    """Record the committee's decision on one proposed nomination and move it accordingly."""
    if outcome not in CommitteeDecision.Outcome.values:
        raise ActionRefused(_("请选择研究结果。"))
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
