"""Writes for 资格联审 (joint vetting on the negative list).

Every change that can move a nomination locks the nomination row first and then the request row
(vetting.workflow.lock_request: always in that order, so two actions never deadlock), and moves the
request through its workflow (which checks the version the user's form was drawn from) and the
nomination only through the nomination's workflow.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Round, Status
from candidates.services import apply_transition, perform
from reserve.exceptions import ActionRefused
from reserve.models import Department
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event

from .models import PLACEHOLDER, Finding, NegativeItem, VettingRequest
from .negative_list import DEFAULT_ITEMS
from .selectors import items_for_department
from .workflow import REQUEST_WORKFLOW, lock_request

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
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(item)
    for department in departments:
        scope.require(department, roles={Role.OFFICE})
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


def negative_list_save(*, actor, changes) -> None:
    """Save the changed items of a round's negative list, all or none: changes = [(item, text, departments)]."""
    with transaction.atomic():
        for item, text, departments in changes:
            negative_item_save(actor=actor, item=item, text=text, departments=departments)


# --- dispatch ---------------------------------------------------------------------------------

def responsible_departments(round_):
    return Department.objects.filter(negative_items__round=round_).distinct().order_by("order", "id")


def _departments_at_dispatch(round_):
    """The departments a dispatch would ask, read only: the round's list, or (before its first
    dispatch made it) the departments of the town named by the default list."""
    if NegativeItem.objects.filter(round=round_).exists():
        return responsible_departments(round_)
    names = {name for _number, _text, names in DEFAULT_ITEMS for name in names}
    return Department.objects.filter(town_id=round_.town_id, name__in=names)


def guard_dispatch(nomination, actor, today):
    """Registered on the nomination's dispatch. Reads only: the list is made by the dispatch itself."""
    if not _departments_at_dispatch(nomination.round).exists():
        return _("本批次负面清单未指定任何审查部门，请先在“负面清单”中指定。")
    return None


def create_requests(nomination, actor, today):
    """Effect of dispatch: a request to every department responsible for an item of the round."""
    ensure_negative_list(nomination.round)
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

def settle(nomination, actor, today=None) -> None:
    """All departments answered clear (or overruled) → the nomination is vetted (its effect, registered
    in vetting's AppConfig, locks the answers)."""
    requests = list(nomination.vetting_requests.all())
    if requests and all(r.cleared for r in requests) and nomination.status == Status.VETTING:
        apply_transition(nomination, "vet_clear", actor=actor, today=today)


def answer_request(*, actor, request_id: int, version, answers: dict, conclusion: str = "", today=None):
    """A department signs off its findings: answers maps item id -> (outcome, note, attachment or None)."""
    Scope.for_user(actor).require_role(Role.DEPARTMENT)
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        # Refused (stale form, answer locked, vetting over) before any finding is written.
        REQUEST_WORKFLOW.check(request, "answer", actor=actor, today=today, version=version)
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
        request.flagged = bool(flagged_numbers)
        request.conclusion = conclusion.strip() or (
            _("经审查，未发现负面清单所列情形。") if not flagged_numbers
            else _("经审查，存在负面清单第%(n)s项所列情形。") % {"n": "、".join(map(str, sorted(flagged_numbers)))}
        )
        request.signed_by = actor
        request.signed_at = timezone.now()
        request.save(update_fields=["flagged", "conclusion", "signed_by", "signed_at"])
        REQUEST_WORKFLOW.apply(request, "answer", actor=actor, today=today, version=version)
        record_event(nomination, action="vetting_answer", actor=actor, from_status=nomination.status,
                     to_status=nomination.status,
                     data={"department": request.department.name, "flagged": sorted(flagged_numbers)})
        settle(nomination, actor, today)
    return request


def decide_flag(*, actor, request_id: int, version, decision: str, reason: str, today=None):
    """The office confirms a department's flag (disqualified) or overrules it with a written reason."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    reason = (reason or "").strip()
    if decision not in (VettingRequest.Decision.CONFIRMED, VettingRequest.Decision.OVERRULED):
        raise ActionRefused(_("请选择处理意见。"))
    if not reason:
        raise ActionRefused(_("请写明处理理由。"))
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        REQUEST_WORKFLOW.apply(request, "decide", actor=actor, reason=reason, today=today, version=version,
                               data={"decision": decision})
        request.decision = decision
        request.decision_reason = reason
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        data = {"department": request.department.name}
        if decision == VettingRequest.Decision.CONFIRMED:
            apply_transition(nomination, "disqualify", actor=actor, reason=reason, today=today, data=data)
        else:
            record_event(nomination, action="vetting_overrule", actor=actor, from_status=nomination.status,
                         to_status=nomination.status, reason=reason, data=data)
            settle(nomination, actor, today)
    return request


def reopen_request(*, actor, request_id: int, reason: str, today=None):
    """The office lets a department answer again (after the office acted, only it can)."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("请写明重新开启的理由。"))
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        REQUEST_WORKFLOW.apply(request, "reopen", actor=actor, reason=reason, today=today)
        request.decision = ""
        request.decision_reason = ""
        request.decided_by = None
        request.decided_at = None
        request.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        data = {"department": request.department.name}
        if nomination.status == Status.VETTING:
            record_event(nomination, action="vetting_reopen", actor=actor, from_status=nomination.status,
                         to_status=nomination.status, reason=reason, data=data)
        else:
            apply_transition(nomination, "reopen_vetting", actor=actor, reason=reason, today=today, data=data)
    return request
