"""Pages of the organisational inspection (组织考察): talks, the democratic appraisal (民主测评), the
inspection report (考察材料), and the town committee's decision (镇党委研究确定).

Views parse the request, call one service and render. Scope comes from the selectors (another town's
nomination, session or meeting is a 404); the role layer from role_required (the office writes, the
committee reads and records its meetings' decisions).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from candidates.selectors import get_nomination_for_user_or_404, rounds_visible_to
from candidates.services import local_today
from candidates.views_rounds import round_from_request
from reserve import audit
from reserve.exceptions import ActionRefused
from reserve.forms import add_errors
from reserve.pdf import pdf_response, render_pdf
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.selectors import parse_pk, villages_visible_to, visible_village_or_none

from . import appraisal, documents, jobs, services
from .forms import (
    DecisionForm,
    MeetingFilterForm,
    MeetingForm,
    ReportForm,
    SessionForm,
    TalkForm,
    TallyForm,
    body_without_title,
    draft_without_signature,
)
from .models import QUALITIES, VoterCategory
from .selectors import (
    appraisal_record,
    appraisal_results,
    ballot_nominations,
    decision_candidates,
    decision_rows,
    get_meeting_for_user_or_404,
    get_session_for_user_or_404,
    inspection_report,
    inspection_state,
    may_record_inspection,
    meeting_decisions,
    meetings_of_round,
    page_of,
    quorum_met,
    quorum_text,
    session_nomination_or_404,
    session_nominations,
    sessions_of_round,
    tallies_by_category,
    tallies_by_nomination,
)

READERS = (Role.OFFICE, Role.COMMITTEE)


# --- presentation helpers (no rule of their own: they only lay out what appraisal.py computes) -----

def _percent(fraction) -> str:
    return appraisal.percent(fraction) if fraction is not None else "—"


def _result_view(result, round_):
    return {
        "result": result,
        "wording": result.wording(),
        "approval": _percent(result.approval),
        "turnout": _percent(result.turnout),
        "passes": result.passes(round_),
        "options": [(o, c, result.share(c)) for o, c in zip(result.options, result.counts, strict=False)],
    }


def _quality_rows(session, tallies):
    """The five-quality counts per option, added over the voter categories that rated it, each with its
    share of those categories' valid ballots; qualities never rated are left out."""
    width = len(session.options)
    rows = []
    for quality in QUALITIES:
        rated = [t for t in tallies if (t.qualities or {}).get(quality)]
        if not rated:
            continue
        counts = [0] * width
        for t in rated:
            for i, c in enumerate(t.qualities[quality][:width]):
                counts[i] += c
        base = appraisal.Result(entitled=0, issued=0, returned=0, valid=sum(t.valid for t in rated),
                                counts=tuple(counts), options=tuple(session.options), pass_options=0)
        rows.append((quality, [(o, c, base.share(c)) for o, c in zip(session.options, counts, strict=False)]))
    return rows


def _appraisal_view(session, tallies, round_, result=None):
    """A session's tallies for one nomination: a row per voter category, the total, the qualities."""
    by_category = {t.category: t for t in tallies}
    rows = []
    for value, label in VoterCategory.choices:
        t = by_category.get(value)
        rows.append({
            "category": label, "entitled": session.entitled(value), "tally": t,
            "view": _result_view(appraisal.combine([t], session, [value]), round_) if t else None,
        })
    if result is None and tallies:
        result = appraisal.combine(tallies, session, VoterCategory.values)
    total = _result_view(result, round_) if result is not None else None
    return {
        "session": session, "rows": rows, "total": total,
        "qualities": _quality_rows(session, tallies),
        "pass_label": "+".join(session.options[: session.pass_options]),
    }


def _threshold(round_):
    return {
        "pass": f"{round_.appraisal_pass_numerator}/{round_.appraisal_pass_denominator}",
        "turnout": f"{round_.appraisal_turnout_numerator}/{round_.appraisal_turnout_denominator}",
    }


# --- inspection of one nomination -----------------------------------------------------------------

@role_required(*READERS)
@require_GET
def inspection(request, pk):
    user = request.user
    nomination = get_nomination_for_user_or_404(user, pk)
    results, tallies = appraisal_record(nomination)
    appraisals = [
        _appraisal_view(session, tallies.get(session.pk, []), nomination.round, result)
        for session, result in results
    ]
    return render(request, "inspection/inspection.html", {
        "n": nomination,
        "talks": nomination.talks.all(),
        "appraisals": appraisals,
        "threshold": _threshold(nomination.round),
        "report": inspection_report(nomination),
        **inspection_state(nomination, user, local_today()),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def talk_new(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    form = TalkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.talk_add(actor=request.user, nomination_id=nomination.pk, **form.service_fields())
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已记录个别谈话。下一步：继续记录其他对象类别的谈话，或组织民主测评。"))
            return redirect("inspection:inspection", pk=nomination.pk)
    return render(request, "inspection/talk_form.html", {"n": nomination, "form": form})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    report = inspection_report(nomination)
    if report is not None:
        initial = {"text": report.text, "inspectors": report.inspectors, "report_date": report.report_date}
    else:
        draft = documents.draft_report(nomination, appraisal_results(nomination), list(nomination.talks.all()))
        initial = {"text": draft_without_signature(draft)}
    form = ReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.report_save(actor=request.user, nomination_id=nomination.pk, text=d["text"],
                                 inspectors=d["inspectors"], report_date=d["report_date"])
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已保存考察材料。考察完成后，可在自荐表页面提交党委研究。"))
            return redirect("inspection:inspection", pk=nomination.pk)
    return render(request, "inspection/report_form.html", {"n": nomination, "form": form, "report": report})


@role_required(*READERS)
@require_GET
def report_print(request, pk):
    """The 考察材料 as an A4 PDF: the saved text, the signature, and — when the appraisal was held more than
    once — every session's result (all stay on the record)."""
    nomination = get_nomination_for_user_or_404(request.user, pk)
    report = inspection_report(nomination)
    if report is None:
        messages.info(request, _("尚未保存考察材料，请先起草并保存，再下载PDF。"))
        return redirect("inspection:inspection", pk=nomination.pk)
    title = _("%(name)s同志考察材料") % {"name": nomination.name}
    results = appraisal_results(nomination)
    return _pdf_download(request, "inspection/report_pdf.html", {
        "n": nomination, "report": report, "title": title,
        "paragraphs": [line.strip() for line in body_without_title(report.text, title).split("\n") if line.strip()],
        "sessions": documents.session_lines(nomination, list(reversed(results))) if len(results) > 1 else [],
    }, obj=nomination, file="inspection_report_pdf")


def _pdf_download(request, template_name, context, *, obj, file):
    """A printed document as an A4 PDF download named by its title, the download recorded in the audit log."""
    pdf = render_pdf(template_name, context, request=request)
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=obj, detail={"file": file})
    return pdf_response(pdf, f"{context['title']}.pdf")


# --- 民主测评 ---------------------------------------------------------------------------------------

@role_required(*READERS)
@require_GET
def session_list(request):
    round_ = round_from_request(request, default="latest")
    return render(request, "inspection/session_list.html", {
        "round": round_, "rounds": rounds_visible_to(request.user), "sessions": sessions_of_round(request.user, round_),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def session_new(request):
    round_ = round_from_request(request, default="current")
    if round_ is None:
        messages.error(request, _("当前没有进行中的选拔批次，不能组织民主测评。"))
        return redirect("inspection:session_list")
    villages = villages_visible_to(request.user)
    village = visible_village_or_none(request.user, request.GET.get("village", ""))
    initial = {"village": village} if village else {}
    form = SessionForm(request.POST if request.method == "POST" else None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, round_=round_,
                                              village=form.cleaned_data["village"], **form.service_fields())
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已创建民主测评。下一步：下载测评票组织投票，测评后逐人录入计票结果。"))
            return redirect(session)
    return render(request, "inspection/session_form.html", {"form": form, "round": round_})


# A session's page shows its nominations' tallies a page at a time (the 计票表 PDF holds them all).
SESSION_PAGE_SIZE = 10


@role_required(*READERS)
@require_GET
def session_detail(request, pk):
    user = request.user
    session = get_session_for_user_or_404(user, pk)
    page = Paginator(session_nominations(user, session), SESSION_PAGE_SIZE).get_page(request.GET.get("page"))
    tallies = tallies_by_nomination(session, page.object_list)
    rows = [
        {"n": n, "appraisal": _appraisal_view(session, tallies.get(n.pk, []), session.round),
         "can_tally": may_record_inspection(n, user)}
        for n in page.object_list
    ]
    return render(request, "inspection/session_detail.html", {
        "session": session, "rows": rows, "page": page, "threshold": _threshold(session.round),
        "pass_label": "+".join(session.options[: session.pass_options]),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def tally_edit(request, pk, nomination_pk):
    user = request.user
    session = get_session_for_user_or_404(user, pk)
    nomination = session_nomination_or_404(user, session, nomination_pk)
    existing = tallies_by_category(session, nomination)
    data = request.POST if request.method == "POST" else None
    forms = [
        (value, TallyForm(data, prefix=value, options=session.options, label=label,
                          initial=TallyForm.initial_from(existing.get(value))))
        for value, label in VoterCategory.choices
    ]
    page_error = None
    if request.method == "POST":
        valid = [form.is_valid() for _value, form in forms]  # every form validated, so each shows its errors
        if not all(valid):
            page_error = _("请检查标红的栏目；本次填写的内容均未保存。")
        else:
            filled = [(value, form) for value, form in forms if not form.is_blank]
            if not filled:
                page_error = _("请至少填写一类投票人的计票结果。")
            else:
                forms_by_category = dict(filled)
                try:
                    services.tallies_record(actor=user, session_id=session.pk, nomination_id=nomination.pk,
                                            tallies={value: form.service_fields() for value, form in filled})
                except services.TallyError as e:
                    add_errors(forms_by_category[e.category], e.error)
                    page_error = _("计票结果有误，本次填写的内容均未保存，请修改后重新提交。")
                except ValidationError:
                    page_error = _("计票结果有误，本次填写的内容均未保存，请修改后重新提交。")
                except ActionRefused as e:
                    page_error = e.message
                else:
                    messages.success(request, _("已保存%(name)s的计票结果。下一步：录入其他人选的计票结果，或到考察页面起草考察材料。")
                                     % {"name": nomination.name})
                    return redirect(session)
    return render(request, "inspection/tally_form.html", {
        "session": session, "n": nomination, "forms": [form for _value, form in forms], "page_error": page_error,
        "qualities": QUALITIES,
    })


def _document_title(kind, session) -> str:
    if kind == jobs.BALLOT:
        return _("%(village)s村级后备干部人选民主测评票") % {"village": session.village.name}
    return _("%(village)s村级后备干部人选民主测评计票表") % {"village": session.village.name}


def session_document(user, kind, session) -> tuple[str, dict]:
    """The template and context of one of a session's printed documents (jobs.BALLOT, jobs.TALLY_SHEET), as the
    request or the background job renders it."""
    title = _document_title(kind, session)
    if kind == jobs.BALLOT:
        nominations = list(ballot_nominations(user, session))
        return "inspection/ballot_pdf.html", {
            "session": session, "nominations": nominations, "rows": nominations, "qualities": QUALITIES,
            "title": title,
        }
    tallies = tallies_by_nomination(session)
    rows = [{"n": n, "appraisal": _appraisal_view(session, tallies.get(n.pk, []), session.round)}
            for n in session_nominations(user, session)]
    return "inspection/tally_sheet_pdf.html", {
        "session": session, "rows": rows, "threshold": _threshold(session.round),
        "blank_span": 2 * len(session.options) + 4, "title": title,
    }


def _session_pdf(request, pk, kind, file):
    """A session's document as an A4 PDF: in the request for a session of at most jobs.INLINE_NOMINATIONS
    nominations, else made in the background (inspection.jobs) — the user is sent to the job's page."""
    user = request.user
    session = get_session_for_user_or_404(user, pk)
    count = (ballot_nominations(user, session) if kind == jobs.BALLOT else session_nominations(user, session)).count()
    if count > jobs.INLINE_NOMINATIONS:
        job = jobs.start(user, kind, session, _document_title(kind, session))
        audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=session,
                     detail={"file": file, "job": job.pk})
        return redirect(job.get_absolute_url())
    template, context = session_document(user, kind, session)
    return _pdf_download(request, template, context, obj=session, file=file)


@role_required(*READERS)
@require_GET
def ballot(request, pk):
    """The 民主测评票 as an A4 PDF."""
    return _session_pdf(request, pk, jobs.BALLOT, "ballot_pdf")


@role_required(*READERS)
@require_GET
def tally_sheet(request, pk):
    """The 民主测评计票表 as an A4 (landscape) PDF."""
    return _session_pdf(request, pk, jobs.TALLY_SHEET, "tally_sheet_pdf")


# --- 镇党委研究确定 ----------------------------------------------------------------------------------

@role_required(*READERS)
@require_GET
def meeting_list(request):
    round_ = round_from_request(request, default="latest")
    return render(request, "inspection/meeting_list.html", {
        "round": round_, "rounds": rounds_visible_to(request.user), "meetings": meetings_of_round(request.user, round_),
    })


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    round_ = round_from_request(request, default="current")
    if round_ is None:
        messages.error(request, _("当前没有进行中的选拔批次，不能登记党委会议。"))
        return redirect("inspection:meeting_list")
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, round_=round_, **form.service_fields())
        except ValidationError as e:
            add_errors(form, e)
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            if quorum_met(meeting):
                messages.success(request, _("已登记党委会议。下一步：逐一记录对待研究人选的研究结果。"))
            else:
                messages.warning(request, _("已登记党委会议，但到会人数未达规定比例，本次会议不能记录研究结果。")
                                 + quorum_text(meeting))
            return redirect(meeting)
    return render(request, "inspection/meeting_form.html", {"form": form, "round": round_})


# A meeting's page lists a page of each: the nominations awaiting a decision (each with its facts and its form) and
# the decisions the meeting recorded.
AWAITING_PAGE_SIZE = 10
DECISIONS_PAGE_SIZE = 25


# The fields of a blank decision form differ from one nomination to the next only by its id (the hidden field, the
# fields' ids): they are rendered once a page for this stand-in id, which each row replaces by its own.
_ANY_NOMINATION = "987654321987"


def _blank_decision_fields(request) -> str:
    return render_to_string("inspection/_decision_fields.html",
                            {"form": DecisionForm(nomination_id=int(_ANY_NOMINATION))}, request=request)


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    """A committee meeting: its attendance, a page of the nominations awaiting its decision (each with a decision
    form) and a page of the decisions it recorded, both filtered by village, the decisions also by outcome. A
    decision is posted to the page as shown (its filters and pages in the query string) and returns to it."""
    user = request.user
    meeting = get_meeting_for_user_or_404(user, pk)
    filter_form = MeetingFilterForm(request.GET or None, villages=list(villages_visible_to(user)))
    filters = filter_form.filters()
    pages = {key: request.GET.get(key, "") for key in ("page", "decided")}
    shown = "&".join(part for part in (filter_form.query(), urlencode({k: v for k, v in pages.items() if v})) if part)
    bound, bound_id = None, None
    if request.method == "POST":
        raw = request.POST.get("nomination", "")
        bound_id = parse_pk(raw)
        bound = DecisionForm(request.POST, nomination_id=bound_id)
        if not bound.is_valid():
            messages.error(request, _("请检查填写的研究结果。"))
        else:
            d = bound.cleaned_data
            try:
                decision = services.decide(actor=user, meeting=meeting, nomination_id=d["nomination"],
                                           outcome=d["outcome"], reason=d["reason"], quota_reason=d["quota_reason"])
            except services.QuotaExceeded as e:
                bound.add_error("quota_reason", e.message)
                messages.error(request, e.message)
            except ActionRefused as e:
                messages.error(request, e.message)
            else:
                name = decision.nomination.name
                if decision.outcome == decision.Outcome.APPROVE:
                    messages.success(request, _("已记录对%(name)s的研究结果：同意。下一步：由组织办发布公示。")
                                     % {"name": name})
                else:
                    messages.success(request, _("已记录对%(name)s的研究结果：不同意。该人选不再进入公示。")
                                     % {"name": name})
                return redirect(f"{meeting.get_absolute_url()}?{shown}" if shown else meeting.get_absolute_url())
    awaiting = page_of(decision_candidates(user, meeting, village_id=filters["village_id"]), pages["page"],
                       AWAITING_PAGE_SIZE)
    rows = decision_rows(meeting, awaiting.object_list)
    blank = _blank_decision_fields(request) if rows else ""
    for row in rows:
        n = row["n"]
        if bound is not None and bound_id == n.pk:
            row["form"] = bound  # with its errors
        else:
            row["fields"] = mark_safe(blank.replace(_ANY_NOMINATION, str(n.pk)))
        row["inspection_url"] = reverse("inspection:inspection", args=[n.pk])
    decided = page_of(meeting_decisions(meeting, **filters), pages["decided"], DECISIONS_PAGE_SIZE)
    query = filter_form.query()
    return render(request, "inspection/meeting_detail.html", {
        "meeting": meeting, "rows": rows, "awaiting": awaiting, "decided": decided, "filter_form": filter_form,
        "shown": shown, "filtered": any(filters.values()),
        "awaiting_query": "&".join(p for p in (query, f"decided={decided.number}") if p),
        "decided_query": "&".join(p for p in (query, f"page={awaiting.number}") if p),
        "quorum_met": quorum_met(meeting), "quorum_text": quorum_text(meeting),
    })
