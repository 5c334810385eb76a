"""Writes for 资格联审 (joint vetting on the negative list).

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
from candidates.models import Round
from reserve.models import Department
from reserve.roles import Role, has_role
from reserve.services import ActionRefused, record_event

from .models import PLACEHOLDER, Finding, NegativeItem, VettingRequest
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
