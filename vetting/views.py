from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.selectors import get_nomination_for_user_or_404, get_round_for_user_or_404
from reserve import audit, idnumber
from reserve.exceptions import ActionRefused
from reserve.pdf import pdf_response, render_pdf
from reserve.permissions import role_required
from reserve.roles import Role, roles_of
from reserve.selectors import villages_visible_to, visible_village_or_none
from reserve.uploads import add_upload_refusals, document_response, limit_upload_size

from . import jobs as ledger_jobs
from . import services
from .forms import (
    AnswerForm,
    DecisionForm,
    DispatchForm,
    ExtendForm,
    FindingForm,
    LedgerFilterForm,
    NegativeItemForm,
    ProxyAnswerForm,
    RemindForm,
    ReopenForm,
)
from .selectors import (
    LEDGER_PAGE_SIZE,
    LEDGER_STATES,
    QUEUE_TABS,
    department_queue,
    department_queue_counts,
    dispatch_deadline_passed,
    findings_of,
    flags_page,
    get_finding_or_404,
    get_request_for_user_or_404,
    is_asked_department,
    issuing_body,
    items_for_department,
    ledger_counts,
    ledger_nominations,
    ledger_rows,
    negative_items_of,
    request_history,
    sheet_requests,
    town_departments,
)
from .workflow import REQUEST_WORKFLOW

# The files one answer may carry at most (a scan per flagged item, the paper reply): the body's limit
# (reserve.uploads.body_limit), above which the answer is refused before it is read.
ANSWER_FILES = 4


QUEUE_PAGE_SIZE = 25


def start_page(user):
    """A department's clerk starts on the department's queue."""
    if Role.DEPARTMENT in roles_of(user) and user.department_id:
        return reverse("vetting:queue")
    return None


@role_required(Role.DEPARTMENT)
def queue(request):
    """The department's queue: one tab at a time (?tab=), 25 requests a page."""
    today = timezone.localdate()
    queue = department_queue(request.user, today=today)
    tab = request.GET.get("tab") if request.GET.get("tab") in QUEUE_TABS else "pending"
    counts = department_queue_counts(request.user, today=today)
    paginator = Paginator(queue[tab], QUEUE_PAGE_SIZE)
    paginator.count = counts[tab]  # known from the counts: no second count of the same rows
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "vetting/queue.html", {
        "queue": queue, "counts": counts, "tab": tab, "page": page, "today": today})


def _finding_forms(req, data=None, files=None):
    existing = {f.item_id: f for f in req.findings.all()}
    forms = []
    for item in items_for_department(req.nomination.round, req.department):
        found = existing.get(item.pk)
        initial = {"outcome": found.outcome, "note": found.note} if found else {}
        forms.append(FindingForm(data, files, prefix=f"item{item.pk}", item=item, initial=initial))
    return forms


def _answers(finding_forms) -> dict:
    """The valid finding forms as the services take them: item id -> (outcome, note, attachment or None)."""
    return {f.item.pk: (f.cleaned_data["outcome"], f.cleaned_data["note"], f.cleaned_data.get("attachment"))
            for f in finding_forms}


def _form_errors(request, form) -> None:
    """Every error of an invalid form as a message (for a form posted from another page)."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@role_required(Role.DEPARTMENT, Role.OFFICE)
@require_http_methods(["GET", "POST"])
@limit_upload_size(files=ANSWER_FILES)
def request_detail(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    is_department = is_asked_department(req, request.user)
    today = timezone.localdate()
    finding_forms = answer_form = None
    if is_department:
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        finding_forms = _finding_forms(req, data, files)
        answer_form = AnswerForm(data, initial={"version": req.version, "conclusion": req.conclusion})
        if request.method == "POST":
            add_upload_refusals(request, finding_forms)  # a file over the limit, skipped as it arrived
        if request.method == "POST" and answer_form.is_valid() and all([f.is_valid() for f in finding_forms]):
            try:
                services.answer_request(actor=request.user, request_id=req.pk,
                                        version=answer_form.cleaned_data["version"], answers=_answers(finding_forms),
                                        conclusion=answer_form.cleaned_data["conclusion"])
            except ActionRefused as e:
                messages.error(request, e.message)
                return redirect(req)
            except ValidationError as e:
                answer_form.add_error(None, e)
            else:
                messages.success(request, _("已签字提交本部门的审查结论。"))
                return redirect("vetting:queue")
    elif request.method == "POST":
        raise Http404
    nomination = req.nomination
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=req, detail={
        "page": "request_detail", "findings": True, "id_number": "full" if is_department else "masked"})
    return render(request, "vetting/request_detail.html", {
        "req": req, "n": nomination, "person": nomination.person,
        "id_number": nomination.person.id_number if is_department else idnumber.mask(nomination.person.id_number),
        "findings": findings_of(req),
        "finding_forms": finding_forms, "answer_form": answer_form,
        "can_answer": is_department and REQUEST_WORKFLOW.can(req, "answer", request.user, today=today),
        "is_department": is_department, "overdue": req.is_overdue(today),
        "awaiting_decision": req.awaiting_decision,
        "decision_form": DecisionForm(initial={"version": req.version}),
        "reopen_form": ReopenForm(prefix="reopen"),
        "history": request_history(req),
        # The office's moves on a late department's pending request.
        "can_chase": not is_department and REQUEST_WORKFLOW.can(req, "vetting_remind", request.user, today=today),
        "remind_form": RemindForm(initial={"version": req.version}),
        "extend_form": ExtendForm(initial={"version": req.version}, prefix="extend"),
    })


@role_required(Role.OFFICE)
@require_POST
def request_decide(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理意见并写明理由。"))
        return redirect(req)
    try:
        services.decide_flag(actor=request.user, request_id=req.pk, version=form.cleaned_data["version"],
                             decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已处理该部门的审查意见。"))
    return redirect(req.nomination)


@role_required(Role.OFFICE)
@require_POST
def request_reopen(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    form = ReopenForm(request.POST, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("请写明重新开启的理由。"))
        return redirect(req)
    try:
        services.reopen_request(actor=request.user, request_id=req.pk, reason=form.cleaned_data["reason"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已重新开启，该部门可以重新答复。"))
    return redirect(req)


@role_required(Role.OFFICE)
@require_POST
def request_remind(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    form = RemindForm(request.POST)
    try:
        req = services.remind_request(actor=request.user, request_id=req.pk,
                                      version=form.cleaned_data["version"] if form.is_valid() else None)
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已向%(d)s催办（第%(n)d次），已记录。请电话或当面通知该部门在%(t)s前答复；"
                                    "仍不答复的，可以延长答复期限或凭纸质回复代为录入。")
                         % {"d": req.department.name, "n": req.reminder_count, "t": f"{req.deadline:%Y-%m-%d}"})
    return redirect(req)


@role_required(Role.OFFICE)
@require_POST
def request_extend(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    form = ExtendForm(request.POST, prefix="extend")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(req)
    try:
        req = services.extend_request(actor=request.user, request_id=req.pk, deadline=form.cleaned_data["deadline"],
                                      reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已将%(d)s的答复期限延长至%(t)s，已记录理由。该部门可在新期限前答复。")
                         % {"d": req.department.name, "t": f"{req.deadline:%Y-%m-%d}"})
    return redirect(req)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
@limit_upload_size(files=ANSWER_FILES + 1)
def request_proxy_answer(request, pk):
    """The office enters a department's answer from the department's signed paper reply."""
    req = get_request_for_user_or_404(request.user, pk)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    finding_forms = _finding_forms(req, data, files)
    form = ProxyAnswerForm(data, files, initial={"version": req.version})
    if request.method == "POST":
        add_upload_refusals(request, [form, *finding_forms])  # a file over the limit, skipped as it arrived
    if request.method == "POST" and form.is_valid() and all([f.is_valid() for f in finding_forms]):
        try:
            req = services.proxy_answer_request(
                actor=request.user, request_id=req.pk, version=form.cleaned_data["version"],
                answers=_answers(finding_forms),
                paper_answer=form.cleaned_data["paper_answer"], paper_signer=form.cleaned_data["paper_signer"],
                paper_date=form.cleaned_data["paper_date"], conclusion=form.cleaned_data["conclusion"])
        except ActionRefused as e:
            messages.error(request, e.message)
            return redirect(req)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            if req.flagged:
                messages.success(request, _("已代为录入%(d)s的答复（附纸质回复），该部门报告了问题：下一步请处理该问题。")
                                 % {"d": req.department.name})
            else:
                messages.success(request, _("已代为录入%(d)s的答复（附纸质回复）。其他部门都已答复且无问题的，"
                                            "该人选即通过资格联审。") % {"d": req.department.name})
            return redirect(req)
    return render(request, "vetting/proxy_answer.html", {
        "req": req, "n": req.nomination, "form": form, "finding_forms": finding_forms,
        "can_proxy": REQUEST_WORKFLOW.can(req, "vetting_proxy_answer", request.user, today=today),
    })


@role_required(Role.DEPARTMENT, Role.OFFICE)
def paper_answer(request, pk):
    req = get_request_for_user_or_404(request.user, pk)
    if not req.paper_answer:
        raise Http404
    response = document_response(req.paper_answer, f"纸质回复-{req.department.name}")
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=req, detail={"file": "paper_answer"})
    return response


@role_required(Role.DEPARTMENT, Role.OFFICE)
def finding_attachment(request, pk, finding_pk):
    req = get_request_for_user_or_404(request.user, pk)
    finding = get_finding_or_404(req, finding_pk)
    response = document_response(finding.attachment, f"审查附件-{finding.item.number}")
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=req,
                 detail={"file": "finding_attachment", "finding": finding.pk})
    return response


@role_required(Role.OFFICE)
def flags(request):
    """The flags awaiting the office's decision, 25 a page (336 in the largest town of a county, issue 13)."""
    page = flags_page(request.user, request.GET.get("page"), QUEUE_PAGE_SIZE)
    return render(request, "vetting/flags.html", {"flags": page, "page": page})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def negative_list(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    services.ensure_negative_list(round_)
    items = negative_items_of(round_)
    departments = town_departments(round_.town_id)
    data = request.POST if request.method == "POST" else None
    forms = [NegativeItemForm(data, instance=i, prefix=f"n{i.pk}", town_id=round_.town_id, departments=departments)
             for i in items]
    if request.method == "POST":
        if all([f.is_valid() for f in forms]):
            changes = [(form.instance, form.cleaned_data["text"], list(form.cleaned_data["departments"]))
                       for form in forms if form.needs_saving]
            try:
                services.negative_list_save(actor=request.user, changes=changes)
            except ValidationError as e:
                messages.error(request, "".join(e.messages))
            else:
                messages.success(request, _("已保存负面清单，每一项都已指定审查部门。下一步：在“资格联审台账”中发起资格联审。"))
                return redirect("vetting:negative_list", pk=round_.pk)
        else:
            messages.error(request, _("有条目未保存，请按提示修改（每一项都须至少勾选一个审查部门）。"))
    return render(request, "vetting/negative_list.html", {
        "round": round_, "rows": list(zip(items, forms, strict=True)),
        "refusal": services.negative_list_refusal(round_, items=items),
    })


@role_required(Role.OFFICE)
@require_POST
def dispatch_round(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    deadline = None
    if dispatch_deadline_passed(round_, timezone.localdate()):
        form = DispatchForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("vetting:ledger", pk=round_.pk)
        deadline = form.cleaned_data["deadline"]
    done, refused = services.dispatch_batch(actor=request.user, round_=round_, deadline=deadline)
    if done:
        messages.success(request, _("已对%(n)d名已受理人选发起资格联审，各审查部门将在“审查任务”中看到并逐项答复；"
                                    "答复期限%(d)s。") % {"n": done, "d": f"{deadline or round_.review_end:%Y-%m-%d}"})
    elif not refused:
        messages.info(request, _("没有待发起资格联审的已受理人选。"))
    for message in sorted(set(refused)):
        messages.error(request, message)
    return redirect("vetting:ledger", pk=round_.pk)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def nomination_dispatch(request, pk):
    """Dispatch one accepted nomination, with a new deadline when the round's vetting deadline has passed."""
    nomination = get_nomination_for_user_or_404(request.user, pk)
    today = timezone.localdate()
    late = dispatch_deadline_passed(nomination.round, today)
    form = DispatchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (form.is_valid() or not late):
        deadline = form.cleaned_data.get("deadline") if late else None
        try:
            services.dispatch(actor=request.user, nomination_id=nomination.pk, deadline=deadline)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已对%(p)s发起资格联审，各审查部门将逐项答复；答复期限%(d)s。")
                             % {"p": nomination.name, "d": f"{deadline or nomination.round.review_end:%Y-%m-%d}"})
            return redirect(nomination)
    return render(request, "vetting/dispatch.html", {
        "n": nomination, "round": nomination.round, "form": form, "late": late,
        "refusal": services.negative_list_refusal(nomination.round),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def sync_deadlines(request, pk):
    """同步调整未答复请求的截止日期: after the round's vetting deadline moved later."""
    round_ = get_round_for_user_or_404(request.user, pk)
    if request.method == "POST":
        try:
            moved = services.sync_open_deadlines(actor=request.user, round_id=round_.pk)
        except ActionRefused as e:
            messages.error(request, e.message)
        else:
            if moved:
                messages.success(request, _("已将%(n)d条未答复请求的答复期限调整为%(d)s，各部门按新期限答复。")
                                 % {"n": moved, "d": f"{round_.review_end:%Y-%m-%d}"})
            else:
                messages.info(request, _("没有需要调整的未答复请求。"))
            return redirect("vetting:ledger", pk=round_.pk)
    page = Paginator(services.requests_to_sync(round_), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "vetting/sync_deadlines.html", {
        "round": round_, "requests": page, "page": page,
        "passed": dispatch_deadline_passed(round_, timezone.localdate()),
    })


@role_required(Role.OFFICE)
def ledger(request, pk):
    """A round's ledger: one page of rows (LEDGER_PAGE_SIZE), filtered by village and by the answers' state, with
    each state's count; only the page's requests are read, and no ID number."""
    round_ = get_round_for_user_or_404(request.user, pk)
    today = timezone.localdate()
    form = LedgerFilterForm(request.GET or None, villages=list(villages_visible_to(request.user)))
    filters = form.filters()
    counts = ledger_counts(request.user, round_, today=today, village_id=filters["village_id"])
    paginator = Paginator(ledger_nominations(request.user, round_, today=today, **filters), LEDGER_PAGE_SIZE)
    paginator.count = counts[filters["state"]]  # known from the counts: no second count of the same rows
    page = paginator.get_page(request.GET.get("page"))
    departments, list_refusal = services.negative_list_overview(round_)
    rows = ledger_rows(request.user, page.object_list, departments)
    village_query = f"village={filters['village_id']}&" if filters["village_id"] else ""
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=round_,
                 detail={"page": "ledger", "findings": True, "rows": len(rows)})
    return render(request, "vetting/ledger.html", {
        "round": round_, "today": today, "departments": departments, "rows": rows, "page": page, "form": form,
        "state": filters["state"], "counts": counts,
        "states": [(key, label, counts[key]) for key, label in LEDGER_STATES.items()],
        "village_id": filters["village_id"], "village_query": village_query,
        "query": f"{village_query}state={filters['state']}",
        "late": dispatch_deadline_passed(round_, today), "dispatch_form": DispatchForm(),
        "to_sync": services.requests_to_sync(round_).count(), "list_refusal": list_refusal,
    })


@role_required(Role.OFFICE)
def ledger_pdf(request, pk):
    """The ledger's PDF — of the village the page is filtered by, or of the whole round — made in the background
    (vetting.jobs): the user is sent to the job's page, which offers the file when it is ready."""
    round_ = get_round_for_user_or_404(request.user, pk)
    village = None
    if request.GET.get("village"):
        village = visible_village_or_none(request.user, request.GET["village"])
        if village is None:
            messages.error(request, _("所选村（社区）不存在，请重新选择。"))
            return redirect("vetting:ledger", pk=round_.pk)
    job = ledger_jobs.start(request.user, round_, village)
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=round_, detail={
        "file": "ledger_pdf", "findings": True, "job": job.pk, "village": village.pk if village else None})
    return redirect(job.get_absolute_url())


def _sheet_context(request, nomination):
    return {"n": nomination, "requests": sheet_requests(nomination),
            "id_number": idnumber.mask(nomination.person.id_number), "issued_on": timezone.localdate(),
            "issuer": issuing_body(nomination.round.town), "hukou": nomination.hukou_text}


@role_required(Role.OFFICE)
def sheet(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=nomination,
                 detail={"page": "sheet", "findings": True})
    return render(request, "vetting/sheet.html", _sheet_context(request, nomination))


@role_required(Role.OFFICE)
def sheet_pdf(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    pdf = render_pdf("vetting/sheet_pdf.html", _sheet_context(request, nomination), request=request)
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=nomination,
                 detail={"file": "sheet_pdf", "findings": True})
    return pdf_response(pdf, f"资格审查表-{nomination.name}.pdf")
