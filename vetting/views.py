from django.contrib import messages
from django.core.exceptions import ValidationError
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
from reserve.uploads import document_response

from . import services
from .forms import AnswerForm, DecisionForm, FindingForm, NegativeItemForm, ReopenForm
from .selectors import (
    department_queue,
    findings_of,
    flags_awaiting_decision,
    get_finding_or_404,
    get_request_for_user_or_404,
    is_asked_department,
    items_for_department,
    ledger_rows,
    negative_items_of,
    sheet_requests,
)
from .workflow import REQUEST_WORKFLOW


def start_page(user):
    """A department's clerk starts on the department's queue."""
    if Role.DEPARTMENT in roles_of(user) and user.department_id:
        return reverse("vetting:queue")
    return None


@role_required(Role.DEPARTMENT)
def queue(request):
    today = timezone.localdate()
    return render(request, "vetting/queue.html", {"queue": department_queue(request.user, today=today),
                                                  "today": today})


def _finding_forms(req, data=None, files=None):
    existing = {f.item_id: f for f in req.findings.all()}
    forms = []
    for item in items_for_department(req.nomination.round, req.department):
        found = existing.get(item.pk)
        initial = {"outcome": found.outcome, "note": found.note} if found else {}
        forms.append(FindingForm(data, files, prefix=f"item{item.pk}", item=item, initial=initial))
    return forms


@role_required(Role.DEPARTMENT, Role.OFFICE)
@require_http_methods(["GET", "POST"])
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
        if request.method == "POST" and answer_form.is_valid() and all([f.is_valid() for f in finding_forms]):
            answers = {
                f.item.pk: (f.cleaned_data["outcome"], f.cleaned_data["note"], f.cleaned_data.get("attachment"))
                for f in finding_forms
            }
            try:
                services.answer_request(actor=request.user, request_id=req.pk,
                                        version=answer_form.cleaned_data["version"], answers=answers,
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


@role_required(Role.DEPARTMENT, Role.OFFICE)
def finding_attachment(request, pk, finding_pk):
    req = get_request_for_user_or_404(request.user, pk)
    finding = get_finding_or_404(req, finding_pk)
    response = document_response(finding.attachment, f"审查附件-{finding.item.number}")
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=req,
                 detail={"file": "finding_attachment", "finding": finding.pk, "item": finding.item.number})
    return response


@role_required(Role.OFFICE)
def flags(request):
    return render(request, "vetting/flags.html", {"flags": flags_awaiting_decision(request.user)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def negative_list(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    services.ensure_negative_list(round_)
    items = negative_items_of(round_)
    data = request.POST if request.method == "POST" else None
    forms = [NegativeItemForm(data, instance=i, prefix=f"n{i.pk}", town=round_.town) for i in items]
    if request.method == "POST" and all([f.is_valid() for f in forms]):
        changes = [(form.instance, form.cleaned_data["text"], list(form.cleaned_data["departments"]))
                   for form in forms if form.has_changed()]
        try:
            services.negative_list_save(actor=request.user, changes=changes)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已保存负面清单及审查部门。"))
            return redirect("vetting:negative_list", pk=round_.pk)
    return render(request, "vetting/negative_list.html", {"round": round_, "rows": list(zip(items, forms, strict=True))})


@role_required(Role.OFFICE)
@require_POST
def dispatch_round(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    done, refused = services.dispatch_batch(actor=request.user, round_=round_)
    if done:
        messages.success(request, _("已对%(n)d名已受理人选发起资格联审。") % {"n": done})
    elif not refused:
        messages.info(request, _("没有待发起资格联审的已受理人选。"))
    for message in sorted(set(refused)):
        messages.error(request, message)
    return redirect("vetting:ledger", pk=round_.pk)


def _ledger_context(request, round_):
    return {"round": round_, "rows": ledger_rows(request.user, round_), "today": timezone.localdate(),
            "departments": services.responsible_departments(round_)}


@role_required(Role.OFFICE)
def ledger(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    context = _ledger_context(request, round_)
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=round_,
                 detail={"page": "ledger", "findings": True, "rows": len(context["rows"])})
    return render(request, "vetting/ledger.html", context)


@role_required(Role.OFFICE)
def ledger_pdf(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    context = _ledger_context(request, round_)
    pdf = render_pdf("vetting/ledger_pdf.html", context, request=request)
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=round_,
                 detail={"file": "ledger_pdf", "findings": True, "rows": len(context["rows"])})
    return pdf_response(pdf, f"资格联审台账-{round_.name}.pdf")


def _sheet_context(request, nomination):
    return {"n": nomination, "requests": sheet_requests(nomination),
            "id_number": idnumber.mask(nomination.person.id_number)}


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
    return pdf_response(pdf, f"资格审查表-{nomination.person.name}.pdf")
