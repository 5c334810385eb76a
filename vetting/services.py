"""Writes for 资格联审 (joint vetting on the negative list).

Every change that can move a nomination locks the nomination row first and then the request row
(vetting.workflow.lock_request: always in that order, so two actions never deadlock), and moves the
request through its workflow (which checks the version the user's form was drawn from) and the
nomination only through the nomination's workflow.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Round, Status
from candidates.services import apply_transition
from reserve.exceptions import ActionRefused
from reserve.models import Department
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.uploads import replace_document

from .models import PLACEHOLDER, Finding, NegativeItem, VettingRequest, VettingSummary
from .negative_list import DEFAULT_ITEMS, suggest_departments
from .selectors import dispatch_deadline_passed, items_for_department
from .workflow import REQUEST_WORKFLOW, lock_request

# --- the negative list ------------------------------------------------------------------------

def default_mapping(town_id) -> list[tuple]:
    """The default list as it maps onto a town's departments: (number, text, departments of the same name,
    departments suggested by the table of equivalent names for a name the town does not have)."""
    departments = list(Department.objects.filter(town_id=town_id).order_by("order", "id"))
    rows = []
    for number, text, names in DEFAULT_ITEMS:
        exact, suggested = [], []
        for name in names:
            same = [d for d in departments if d.name == name]
            if same:
                exact += same
            else:
                suggested += suggest_departments(name, departments)
        exact = list(dict.fromkeys(exact))
        suggested = [d for d in dict.fromkeys(suggested) if d not in exact]
        rows.append((number, text, exact, suggested))
    return rows


def ensure_negative_list(round_) -> None:
    """Give a round the default negative list and department mapping, once: the town's departments of the
    same names are set, those of equivalent names only suggested (the office confirms them).

    The round's row is locked while the list is checked and made, so two first dispatches (or a
    dispatch and the list page) never both make it, nor see half of it.
    """
    if NegativeItem.objects.filter(round=round_).exists():  # made already (it is never unmade): no lock
        return
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).first()
        if NegativeItem.objects.filter(round=round_).exists():
            return
        for number, text, exact, suggested in default_mapping(round_.town_id):
            item = NegativeItem.objects.create(round=round_, number=number, text=text)
            item.departments.set(exact)
            item.suggested_departments.set(suggested)


def _negative_list_rows(items, round_) -> list[tuple]:
    """(number, departments, suggested departments) of each item of the round's list (prefetched), or, before
    the list is made, of what the default list would give this town."""
    if items:
        return [(i.number, list(i.departments.all()), list(i.suggested_departments.all())) for i in items]
    return [(number, exact, suggested) for number, _t, exact, suggested in default_mapping(round_.town_id)]


def _negative_list_items(round_) -> list[NegativeItem]:
    return list(NegativeItem.objects.filter(round=round_).prefetch_related("departments", "suggested_departments"))


def _gaps(rows) -> tuple[list[int], list[int]]:
    unchecked = [n for n, exact, suggested in rows if not exact and not suggested]
    unconfirmed = [n for n, exact, suggested in rows if suggested]
    return unchecked, unconfirmed


def negative_list_gaps(round_) -> tuple[list[int], list[int]]:
    """The rule that every item is checked by someone: (numbers of the items no department checks, numbers of
    the items whose suggested departments the office has not confirmed yet). Reads only: before the list
    is made, what the default list would give this town."""
    return _gaps(_negative_list_rows(_negative_list_items(round_), round_))


def _refusal_of(rows) -> str | None:
    unchecked, unconfirmed = _gaps(rows)
    if len(unchecked) == len(rows):
        return _("本批次负面清单未指定任何审查部门，请先在“负面清单”中指定。")
    parts = []
    if unchecked:
        parts.append(_("负面清单第%(n)s项没有指定审查部门") % {"n": "、".join(map(str, unchecked))})
    if unconfirmed:
        parts.append(_("第%(n)s项的审查部门是按部门名称对照建议的，尚未确认") % {"n": "、".join(map(str, unconfirmed))})
    if not parts:
        return None
    return _("%(why)s。每一项都须有部门审查，请先在“负面清单”中指定或确认审查部门，再发起资格联审。") % {
        "why": "；".join(parts)}


def negative_list_refusal(round_, *, items=None) -> str | None:
    """Why the round's list does not allow a dispatch yet (an item checked by nobody, or a suggestion not
    confirmed), naming the items; None when every item has a confirmed department. items: the round's items
    already read with their departments and suggestions prefetched (else they are read)."""
    return _refusal_of(_negative_list_rows(_negative_list_items(round_) if items is None else items, round_))


def negative_list_overview(round_) -> tuple[list[Department], str | None]:
    """The departments the round's list names (responsible_departments, in their order) and the list's refusal
    (negative_list_refusal), from one read of the list: for the ledger's page."""
    items = _negative_list_items(round_)
    departments = sorted({d for i in items for d in i.departments.all()}, key=lambda d: (d.order, d.pk))
    return departments, _refusal_of(_negative_list_rows(items, round_))


def negative_item_save(*, actor, item, text: str, departments) -> NegativeItem:
    """Save one item of a round's list with the departments that check it (which confirms any suggestion)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(item)
    for department in departments:
        scope.require(department, roles={Role.OFFICE})
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValidationError(_("条目中的占位符写法有误，只能使用 {since_year}、{probation_years}、{expulsion_years}、"
                                "{family_planning_years}。"))
    if not list(departments):
        raise ValidationError(_("第%(n)d项没有指定审查部门：每一项都须至少由一个部门审查。") % {"n": item.number})
    with transaction.atomic():
        before = (item.text, sorted(d.name for d in item.departments.all()))
        suggested = sorted(d.name for d in item.suggested_departments.all())
        item.text = text
        item.save(update_fields=["text"])
        item.departments.set(departments)
        item.suggested_departments.clear()
        data = {"number": item.number, "before": before[0], "departments_before": before[1],
                "after": text, "departments_after": sorted(d.name for d in departments)}
        if suggested:
            data["suggestion_confirmed"] = suggested
        record_event(item.round, action="negative_item_update", actor=actor, data=data)
    return item


def negative_list_save(*, actor, changes) -> None:
    """Save the changed items of a round's negative list, all or none: changes = [(item, text, departments)]."""
    with transaction.atomic():
        for item, text, departments in changes:
            negative_item_save(actor=actor, item=item, text=text, departments=departments)


# --- dispatch ---------------------------------------------------------------------------------

def responsible_departments(round_):
    return Department.objects.filter(negative_items__round=round_).distinct().order_by("order", "id")


def dispatch_deadline_refusal(round_, deadline, today) -> str | None:
    """Why a dispatch with this deadline (None: the round's) is refused, or None."""
    if deadline is None:
        if dispatch_deadline_passed(round_, today):
            return _("本批次资格审查截止日期（%(d)s）已过，发起资格联审须填写新的答复期限（不早于今天）；"
                     "请在“资格联审台账”或本人选的“资格联审”卡片中发起。") % {"d": f"{round_.review_end:%Y-%m-%d}"}
        return None
    if deadline < today:
        return _("新的答复期限（%(d)s）早于今天，请重新填写。") % {"d": f"{deadline:%Y-%m-%d}"}
    return None


def guard_dispatch(nomination, actor, today):
    """Registered on the nomination's dispatch. Reads only: the list is made by the dispatch itself."""
    return (negative_list_refusal(nomination.round)
            or dispatch_deadline_refusal(nomination.round, getattr(nomination, "vetting_deadline", None), today))


# --- the nomination's summary (what the ledger filters and counts by) -------------------------------
# A request is open until its department answers (待审; 逾期 once its deadline has passed); an answer reports a
# problem (有问题反馈) when it flags one, whatever the office decided since.
SUMMARY_OPEN = Q(status=VettingRequest.Status.PENDING)
SUMMARY_PROBLEM = ~SUMMARY_OPEN & Q(flagged=True)
SUMMARY_FIELDS = ("open_count", "problem_count", "next_deadline")


def _summary_values() -> dict:
    return {"requests": Count("pk"), "open_count": Count("pk", filter=SUMMARY_OPEN),
            "problem_count": Count("pk", filter=SUMMARY_PROBLEM),
            "next_deadline": Min("deadline", filter=SUMMARY_OPEN)}


def refresh_summary(nomination) -> None:
    """Recompute a nomination's VettingSummary from its requests (none: no summary), in two queries. Called,
    in the same transaction, by every service that creates requests or changes their status or deadline."""
    found = VettingRequest.objects.filter(nomination_id=nomination.pk).aggregate(**_summary_values())
    if not found.pop("requests"):
        VettingSummary.objects.filter(nomination_id=nomination.pk).delete()
        return
    _upsert_summaries([VettingSummary(nomination_id=nomination.pk, round_id=nomination.round_id, **found)])


def rebuild_round_summaries(round_) -> int:
    """Recompute the summaries of every nomination of a round from their requests (rows written in bulk:
    the benchmarks' builders, a repair); returns how many."""
    per_nomination = (VettingRequest.objects.filter(nomination__round=round_).values("nomination_id")
                      .annotate(**_summary_values()).order_by("nomination_id"))
    VettingSummary.objects.filter(round=round_).delete()
    rows = [VettingSummary(nomination_id=row["nomination_id"], round_id=round_.pk,
                           **{f: row[f] for f in SUMMARY_FIELDS}) for row in per_nomination]
    VettingSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _upsert_summaries(rows) -> None:
    VettingSummary.objects.bulk_create(rows, update_conflicts=True, unique_fields=["nomination"],
                                       update_fields=list(SUMMARY_FIELDS))


# --- dispatch ----------------------------------------------------------------------------------------

def create_requests(nomination, actor, today):
    """Effect of dispatch: a request to every department responsible for an item of the round, due at the
    round's vetting deadline (or the new deadline the office gave a late dispatch)."""
    ensure_negative_list(nomination.round)
    deadline = getattr(nomination, "vetting_deadline", None) or nomination.round.review_end
    existing = set(nomination.vetting_requests.values_list("department_id", flat=True))
    VettingRequest.objects.bulk_create(
        VettingRequest(nomination=nomination, department=d, deadline=deadline)
        for d in responsible_departments(nomination.round) if d.pk not in existing
    )
    refresh_summary(nomination)


def dispatch(*, actor, nomination_id: int, deadline=None, today=None):
    """Dispatch one accepted nomination; deadline: the requests' deadline when the round's has passed."""
    from candidates.workflow import NOMINATION_WORKFLOW

    Scope.for_user(actor).require_role(Role.OFFICE)
    with transaction.atomic(durable=True):
        nomination = NOMINATION_WORKFLOW.lock(actor, nomination_id)
        nomination.vetting_deadline = deadline
        data = {"deadline": f"{deadline:%Y-%m-%d}"} if deadline else None
        return apply_transition(nomination, "dispatch", actor=actor, today=today, data=data)


def dispatch_batch(*, actor, round_, deadline=None, today=None) -> tuple[int, list[str]]:
    """Dispatch every accepted nomination of a round; returns how many, and why any were refused."""
    from candidates.selectors import nominations_visible_to

    ids = list(nominations_visible_to(actor).filter(round=round_, status=Status.ACCEPTED).values_list("pk", flat=True))
    done, refused = 0, []
    for pk in ids:
        try:
            dispatch(actor=actor, nomination_id=pk, deadline=deadline, today=today)
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


def _write_findings(request, answers: dict, conclusion: str) -> list[int]:
    """Write a request's findings from answers (item id -> (outcome, note, attachment or None)) and its
    conclusion; refuses (before writing anything) an answer that misses an item of the department's or
    flags one without a note. Returns the flagged item numbers. The caller holds the lock."""
    items = {i.pk: i for i in items_for_department(request.nomination.round, request.department)}
    missing = [i.number for pk, i in items.items() if pk not in answers]
    if missing or set(answers) - set(items):
        raise ValidationError(_("请对本部门负责的每一项作出结论（缺第%(n)s项）。")
                              % {"n": "、".join(str(n) for n in missing) or "?"})
    flagged_numbers = []
    for pk, (outcome, note, _attachment) in answers.items():
        if outcome not in Finding.Outcome.values:
            raise ValidationError(_("审查结果无效。"))
        if outcome == Finding.Outcome.FLAGGED:
            if not clean_text(note):
                raise ValidationError(_("第%(n)d项有此情形，请写明具体情况。") % {"n": items[pk].number})
            flagged_numbers.append(items[pk].number)
    for pk, (outcome, note, attachment) in answers.items():
        finding, _created = Finding.objects.get_or_create(
            request=request, item=items[pk], defaults={"outcome": outcome, "note": note}
        )
        finding.outcome, finding.note = outcome, note
        if attachment is not None:  # the attachment it replaces is deleted once committed
            replace_document(finding, "attachment", attachment)
        finding.save()
    request.flagged = bool(flagged_numbers)
    request.conclusion = clean_text(conclusion) or (
        _("经审查，未发现负面清单所列情形。") if not flagged_numbers
        else _("经审查，存在负面清单第%(n)s项所列情形。") % {"n": "、".join(map(str, sorted(flagged_numbers)))}
    )
    return flagged_numbers


def answer_request(*, actor, request_id: int, version, answers: dict, conclusion: str = "", today=None):
    """A department signs off its findings: answers maps item id -> (outcome, note, attachment or None)."""
    Scope.for_user(actor).require_role(Role.DEPARTMENT)
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        # Refused (stale form, answer locked, vetting over) before any finding is written.
        REQUEST_WORKFLOW.check(request, "answer", actor=actor, today=today, version=version)
        flagged_numbers = _write_findings(request, answers, conclusion)
        request.signed_by = actor
        request.signed_at = timezone.now()
        # The department's own answer replaces one the office entered from its paper reply.
        request.proxy_entered_by = None
        request.paper_signer, request.paper_date = "", None
        request.save(update_fields=["flagged", "conclusion", "signed_by", "signed_at", "proxy_entered_by",
                                    "paper_signer", "paper_date"])
        REQUEST_WORKFLOW.apply(request, "answer", actor=actor, today=today, version=version)
        refresh_summary(nomination)
        record_event(nomination, action="vetting_answer", actor=actor, from_status=nomination.status,
                     to_status=nomination.status,
                     data={"department": request.department.name, "flagged": sorted(flagged_numbers)})
        settle(nomination, actor, today)
    return request


# --- a late department ------------------------------------------------------------------------

def remind_request(*, actor, request_id: int, version=None, today=None) -> VettingRequest:
    """The office reminds a department of a pending request (催办): counted on the request, with its event."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        request.reminder_count += 1
        request.last_reminded_at = timezone.now()
        request.save(update_fields=["reminder_count", "last_reminded_at"])
        REQUEST_WORKFLOW.apply(request, "vetting_remind", actor=actor, today=today, version=version,
                               data={"department": request.department.name, "count": request.reminder_count,
                                     "deadline": f"{request.deadline:%Y-%m-%d}"})
    return request


def deadline_refusal(request, deadline, today) -> str | None:
    """The rule of a request's new deadline: a date, not before today, later than its current deadline."""
    if deadline is None:
        return _("请填写新的答复期限。")
    if deadline < today:
        return _("新的答复期限（%(d)s）早于今天，请重新填写。") % {"d": f"{deadline:%Y-%m-%d}"}
    if deadline <= request.deadline:
        return _("新的答复期限须晚于现在的答复期限（%(d)s）。") % {"d": f"{request.deadline:%Y-%m-%d}"}
    return None


def _move_deadline(request, deadline, *, actor, reason, today, version=None) -> None:
    """Move a locked request's deadline through the workflow (its event records from, to and why)."""
    refusal = deadline_refusal(request, deadline, today)
    if refusal:
        raise ActionRefused(refusal)
    REQUEST_WORKFLOW.check(request, "vetting_extend", actor=actor, reason=reason, today=today, version=version)
    before = request.deadline
    request.deadline = deadline
    request.save(update_fields=["deadline"])
    REQUEST_WORKFLOW.apply(request, "vetting_extend", actor=actor, reason=reason, today=today, version=version,
                           data={"department": request.department.name, "from": f"{before:%Y-%m-%d}",
                                 "to": f"{deadline:%Y-%m-%d}"})


def extend_request(*, actor, request_id: int, deadline, reason: str, version=None, today=None) -> VettingRequest:
    """The office gives a department more time on a pending request, with a reason."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or timezone.localdate()
    reason = clean_text(reason)
    if not reason:
        raise ActionRefused(_("请写明延长答复期限的理由。"))
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        _move_deadline(request, deadline, actor=actor, reason=reason, today=today, version=version)
        refresh_summary(request.nomination)
    return request


def proxy_answer_request(*, actor, request_id: int, version, answers: dict, paper_answer, paper_signer: str,
                         paper_date, conclusion: str = "", today=None) -> VettingRequest:
    """The office records a department's answer on its behalf from the department's signed paper reply,
    whose scan is kept with the request (代为录入, shown as such on the sheet and the ledger)."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or timezone.localdate()
    paper_signer = clean_text(paper_signer)
    if not paper_answer:
        raise ValidationError(_("请上传该部门签字盖章的纸质回复扫描件（JPG、PNG 或 PDF）。"))
    if not paper_signer:
        raise ValidationError(_("请填写纸质回复上的签字人姓名。"))
    if paper_date is None:
        raise ValidationError(_("请填写纸质回复的日期。"))
    if paper_date > today:
        raise ValidationError(_("纸质回复的日期不能晚于今天。"))
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        REQUEST_WORKFLOW.check(request, "vetting_proxy_answer", actor=actor, today=today, version=version)
        if paper_date < request.created_at.date():
            raise ValidationError(_("纸质回复的日期早于发起资格联审的日期（%(d)s），请核对。")
                                  % {"d": f"{request.created_at:%Y-%m-%d}"})
        flagged_numbers = _write_findings(request, answers, conclusion)
        request.signed_by = None
        request.signed_at = timezone.now()
        request.proxy_entered_by = actor
        replace_document(request, "paper_answer", paper_answer)  # a replaced scan is deleted once committed
        request.paper_signer, request.paper_date = paper_signer, paper_date
        request.save(update_fields=["flagged", "conclusion", "signed_by", "signed_at", "proxy_entered_by",
                                    "paper_answer", "paper_signer", "paper_date"])
        data = {"department": request.department.name, "flagged": sorted(flagged_numbers), "proxy": True,
                "paper_signer": paper_signer, "paper_date": f"{paper_date:%Y-%m-%d}",
                "paper_answer": request.paper_answer.name}
        REQUEST_WORKFLOW.apply(request, "vetting_proxy_answer", actor=actor, today=today, version=version, data=data)
        refresh_summary(nomination)
        record_event(nomination, action="vetting_answer", actor=actor, from_status=nomination.status,
                     to_status=nomination.status, data=data)
        settle(nomination, actor, today)
    return request


def requests_to_sync(round_):
    """The open requests of a round whose deadline is earlier than the round's vetting deadline (moved later
    since they were sent); a later deadline given to one request on its own is left as it is."""
    # A nomination's summary holds the earliest deadline of its open requests: only the nominations whose
    # earliest is before the round's (index vetting_summary_deadline) are read, not every request of the round.
    return (VettingRequest.objects.filter(nomination__round=round_, status=VettingRequest.Status.PENDING,
                                          nomination__status=Status.VETTING, deadline__lt=round_.review_end,
                                          nomination__vetting_summary__round=round_,
                                          nomination__vetting_summary__next_deadline__lt=round_.review_end)
            .select_related("department", "nomination__person").order_by("nomination_id", "department__order"))


def sync_open_deadlines(*, actor, round_id: int, today=None) -> int:
    """Move the deadline of every open request of the round to the round's (changed) vetting deadline, each
    through the request's workflow with its event; returns how many moved."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    today = today or timezone.localdate()
    round_ = scope.get(Round.objects.all(), round_id, roles={Role.OFFICE})
    if round_.review_end < today:
        raise ActionRefused(_("本批次资格审查截止日期（%(d)s）已过；请先在批次参数中修改截止日期，再同步调整。")
                            % {"d": f"{round_.review_end:%Y-%m-%d}"})
    reason = _("批次资格审查截止日期调整为%(d)s，同步调整答复期限") % {"d": f"{round_.review_end:%Y-%m-%d}"}
    moved, nominations = 0, {}
    with transaction.atomic(durable=True):
        for pk in list(requests_to_sync(round_).values_list("pk", flat=True)):
            request = lock_request(actor, pk)
            if request.status == VettingRequest.Status.PENDING and request.deadline < round_.review_end:
                _move_deadline(request, round_.review_end, actor=actor, reason=reason, today=today)
                moved += 1
                nominations.setdefault(request.nomination_id, request.nomination)
        for nomination in nominations.values():  # once per nomination, not per request moved
            refresh_summary(nomination)
    return moved


def decide_flag(*, actor, request_id: int, version, decision: str, reason: str, today=None):
    """The office confirms a department's flag (disqualified) or overrules it with a written reason."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    reason = clean_text(reason)
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
    reason = clean_text(reason)
    if not reason:
        raise ActionRefused(_("请写明重新开启的理由。"))
    with transaction.atomic(durable=True):
        request = lock_request(actor, request_id)
        nomination = request.nomination
        REQUEST_WORKFLOW.apply(request, "reopen", actor=actor, reason=reason, today=today)
        refresh_summary(nomination)
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
