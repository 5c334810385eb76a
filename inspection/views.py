"""Pages of the organisational inspection (组织考察): talks, the democratic appraisal (民主测评), the
inspection report (考察材料), and the town committee's decision (镇党委研究确定).

Views parse the request, call one service and render. Scope comes from the selectors (another town's
nomination, session or meeting is a 404); the role layer from role_required (the office writes, the
committee reads and records its meetings' decisions).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from candidates.models import Status
from candidates.selectors import get_nomination_for_user_or_404, nominations_visible_to
from candidates.services import local_today
from reserve.permissions import role_required
from reserve.roles import Role, has_role
from reserve.selectors import parse_pk, villages_visible_to
from candidates.selectors import current_round, get_round_for_user_or_404, rounds_visible_to
from reserve.exceptions import ActionRefused
from candidates.views_rounds import selected_round
from reserve.forms import add_errors

from . import appraisal, documents, services
from .forms import (
    DecisionForm, MeetingForm, ReportForm, SessionForm, TalkForm, TallyForm, body_without_title,
    draft_without_signature,
)
from .models import QUALITIES, InspectionReport, Tally, VoterCategory
from .selectors import meetings_visible_to, nominations_in, sessions_visible_to

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
        "options": [(o, c, result.share(c)) for o, c in zip(result.options, result.counts)],
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
        rows.append((quality, [(o, c, base.share(c)) for o, c in zip(session.options, counts)]))
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


def _session_nominations(user, session, tallies_by_nomination):
    """The nominations a session is about: those of its village and round under inspection, and any
    other that already has ballots recorded in it (it may have moved on since)."""
    nominations = list(nominations_in(user, session.round, Status.INSPECTION).filter(village=session.village))
    extra = set(tallies_by_nomination) - {n.pk for n in nominations}
    if extra:
        nominations += list(nominations_visible_to(user).filter(pk__in=extra)
                            .select_related("person", "village").order_by("id"))
    return nominations


def _tallies_by_nomination(session):
    grouped = {}
    for t in Tally.objects.filter(session=session):
        grouped.setdefault(t.nomination_id, []).append(t)
    return grouped


def _round_for_new(request):
    """The round named by ?round= (scoped), else the current one; None if there is neither."""
    raw = request.GET.get("round")
    if raw:
        if parse_pk(raw) is None:
            raise Http404
        return get_round_for_user_or_404(request.user, parse_pk(raw))
    return current_round(request.user)


# --- inspection of one nomination -----------------------------------------------------------------

@role_required(*READERS)
@require_GET
def inspection(request, pk):
    user = request.user
    nomination = get_nomination_for_user_or_404(user, pk)
    tallies = {}
    for t in Tally.objects.filter(nomination=nomination):
        tallies.setdefault(t.session_id, []).append(t)
    appraisals = [
        _appraisal_view(session, tallies.get(session.pk, []), nomination.round, result)
        for session, result in services.appraisal_results(nomination)
    ]
    in_inspection = nomination.status == Status.INSPECTION
    return render(request, "inspection/inspection.html", {
        "n": nomination,
        "talks": nomination.talks.all(),
        "appraisals": appraisals,
        "threshold": _threshold(nomination.round),
        "report": InspectionReport.objects.filter(nomination=nomination).select_related("updated_by").first(),
        "in_inspection": in_inspection,
        "propose_refusal": services.guard_propose(nomination, user, local_today()) if in_inspection else None,
        "can_edit": in_inspection and has_role(user, Role.OFFICE),
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
            messages.success(request, _("已记录个别谈话。"))
            return redirect("inspection:inspection", pk=nomination.pk)
    return render(request, "inspection/talk_form.html", {"n": nomination, "form": form})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    report = InspectionReport.objects.filter(nomination=nomination).first()
    if report is not None:
        initial = {"text": report.text, "inspectors": report.inspectors, "report_date": report.report_date}
    else:
        draft = documents.draft_report(nomination, services.appraisal_results(nomination), list(nomination.talks.all()))
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
            messages.success(request, _("已保存考察材料。"))
            return redirect("inspection:inspection", pk=nomination.pk)
    return render(request, "inspection/report_form.html", {"n": nomination, "form": form, "report": report})


@role_required(*READERS)
@require_GET
def report_print(request, pk):
    nomination = get_nomination_for_user_or_404(request.user, pk)
    report = InspectionReport.objects.filter(nomination=nomination).first()
    if report is None:
        messages.info(request, _("尚未保存考察材料。"))
        return redirect("inspection:inspection", pk=nomination.pk)
    title = _("%(name)s同志考察材料") % {"name": nomination.person.name}
    return render(request, "inspection/report_print.html", {
        "n": nomination, "report": report, "title": title,
        "paragraphs": [line.strip() for line in body_without_title(report.text, title).split("\n") if line.strip()],
    })


# --- 民主测评 ---------------------------------------------------------------------------------------

@role_required(*READERS)
@require_GET
def session_list(request):
    round_ = selected_round(request)
    sessions = (sessions_visible_to(request.user).filter(round=round_).annotate(tally_count=Count("tallies"))
                if round_ else [])
    return render(request, "inspection/session_list.html", {
        "round": round_, "rounds": rounds_visible_to(request.user), "sessions": sessions,
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def session_new(request):
    round_ = _round_for_new(request)
    if round_ is None:
        messages.error(request, _("当前没有进行中的选拔批次，不能组织民主测评。"))
        return redirect("inspection:session_list")
    villages = villages_visible_to(request.user)
    raw_village = request.GET.get("village", "")
    initial = {"village": villages.filter(pk=parse_pk(raw_village)).first()} if parse_pk(raw_village) else {}
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
            messages.success(request, _("已创建民主测评。"))
            return redirect(session)
    return render(request, "inspection/session_form.html", {"form": form, "round": round_})


@role_required(*READERS)
@require_GET
def session_detail(request, pk):
    user = request.user
    session = get_object_or_404(sessions_visible_to(user), pk=pk)
    tallies = _tallies_by_nomination(session)
    rows = [
        {"n": n, "appraisal": _appraisal_view(session, tallies.get(n.pk, []), session.round),
         "can_tally": n.status == Status.INSPECTION and has_role(user, Role.OFFICE)}
        for n in _session_nominations(user, session, tallies)
    ]
    return render(request, "inspection/session_detail.html", {
        "session": session, "rows": rows, "threshold": _threshold(session.round),
        "pass_label": "+".join(session.options[: session.pass_options]),
    })


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def tally_edit(request, pk, nomination_pk):
    user = request.user
    session = get_object_or_404(sessions_visible_to(user), pk=pk)
    nomination = get_nomination_for_user_or_404(user, nomination_pk)
    if nomination.village_id != session.village_id or nomination.round_id != session.round_id:
        raise Http404
    existing = {t.category: t for t in Tally.objects.filter(session=session, nomination=nomination)}
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
                try:
                    # One transaction for every category: a later category's error undoes the earlier ones.
                    with transaction.atomic():
                        for value, form in filled:
                            try:
                                services.tally_record(actor=user, session_id=session.pk, nomination_id=nomination.pk,
                                                      category=value, **form.service_fields())
                            except ValidationError as e:
                                add_errors(form, e)
                                raise
                except ValidationError:
                    page_error = _("计票结果有误，本次填写的内容均未保存，请修改后重新提交。")
                except ActionRefused as e:
                    page_error = e.message
                else:
                    messages.success(request, _("已保存%(name)s的计票结果。") % {"name": nomination.person.name})
                    return redirect(session)
    return render(request, "inspection/tally_form.html", {
        "session": session, "n": nomination, "forms": [form for _value, form in forms], "page_error": page_error,
        "qualities": QUALITIES,
    })


@role_required(*READERS)
@require_GET
def ballot(request, pk):
    user = request.user
    session = get_object_or_404(sessions_visible_to(user), pk=pk)
    nominations = list(nominations_in(user, session.round, Status.INSPECTION).filter(village=session.village))
    return render(request, "inspection/ballot.html", {
        "session": session, "nominations": nominations, "qualities": QUALITIES,
        "title": _("%(village)s村级后备干部人选民主测评票") % {"village": session.village.name},
    })


@role_required(*READERS)
@require_GET
def tally_sheet(request, pk):
    user = request.user
    session = get_object_or_404(sessions_visible_to(user), pk=pk)
    tallies = _tallies_by_nomination(session)
    rows = [{"n": n, "appraisal": _appraisal_view(session, tallies.get(n.pk, []), session.round)}
            for n in _session_nominations(user, session, tallies)]
    return render(request, "inspection/tally_sheet.html", {
        "session": session, "rows": rows, "threshold": _threshold(session.round),
        "blank_span": 2 * len(session.options) + 4,
        "title": _("%(village)s村级后备干部人选民主测评计票表") % {"village": session.village.name},
    })


# --- 镇党委研究确定 ----------------------------------------------------------------------------------

@role_required(*READERS)
@require_GET
def meeting_list(request):
    round_ = selected_round(request)
    meetings = (meetings_visible_to(request.user).filter(round=round_).annotate(decision_count=Count("decisions"))
                if round_ else [])
    return render(request, "inspection/meeting_list.html", {
        "round": round_, "rounds": rounds_visible_to(request.user), "meetings": meetings,
    })


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    round_ = _round_for_new(request)
    if round_ is None:
        messages.error(request, _("当前没有进行中的选拔批次，不能登记党委会议。"))
        return redirect("inspection:meeting_list")
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, round_=round_, **form.service_fields())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("已登记党委会议。"))
            return redirect(meeting)
    return render(request, "inspection/meeting_form.html", {"form": form, "round": round_})


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    user = request.user
    meeting = get_object_or_404(meetings_visible_to(user), pk=pk)
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
                                           outcome=d["outcome"], reason=d["reason"])
            except ActionRefused as e:
                messages.error(request, e.message)
            else:
                messages.success(request, _("已记录对%(name)s的研究结果：%(outcome)s。") % {
                    "name": decision.nomination.person.name, "outcome": decision.get_outcome_display()})
                return redirect(meeting)
    rows = []
    for n in nominations_in(user, meeting.round, Status.PROPOSED):
        results = services.appraisal_results(n)
        rows.append({
            "n": n,
            "form": bound if bound is not None and bound_id == n.pk else DecisionForm(nomination_id=n.pk),
            "appraisal": results[0][1].wording() if results else None,
            "inspection_url": reverse("inspection:inspection", args=[n.pk]),
        })
    decisions = meeting.decisions.select_related("nomination__person", "nomination__village").order_by("id")
    return render(request, "inspection/meeting_detail.html", {
        "meeting": meeting, "rows": rows, "decisions": decisions,
    })
