"""Pages of assessment rounds: the scheme, the rounds, a round with its ranking, an assessment's form and veto.

Views parse the request, call one service or selector and render. The role layer is role_required (a role that never
sees the page: 403); scope is the selectors' (another town's round, another mentor's reserve: 404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reserve.exceptions import ActionRefused, NotAllowed
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today
from training.models import TIER_SHORT, PoolTerm

from . import rounds, scoring
from .forms_rounds import (
    PAGE_SIZE,
    ActionForm,
    AssessmentForm,
    RoundFilterForm,
    RoundForm,
    SchemeForm,
    VersionForm,
    VetoForm,
    formset_items,
    item_formset,
)
from .models import AssessmentRound
from .workflow import ASSESSMENT_WORKFLOW, ROUND_WORKFLOW


def _errors(form) -> str:
    return "；".join(f"{form.fields[name].label}：{' '.join(errs)}" if name in form.fields else " ".join(errs)
                    for name, errs in form.errors.items())


# ----------------------------------------------------------------------------- the scheme


@role_required(*rounds.READERS)
@require_http_methods(["GET", "POST"])
def scheme(request):
    user = request.user
    scheme_ = rounds.scheme_of(user)
    is_office = Scope.for_user(user).has(Role.OFFICE)
    if request.method == "POST":
        if not is_office:
            raise NotAllowed
        form, formset = SchemeForm(request.POST), item_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                rounds.scheme_save(actor=user, items=formset_items(formset), **form.values())
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("已保存考核办法，此后发起的考核按此执行。"))
                return redirect("assessment:scheme")
        elif not formset.is_valid():
            form.add_error(None, _("考核项目填写有误，请检查。") + " ".join(formset.non_form_errors()))
    else:
        form, formset = SchemeForm(initial=SchemeForm.initial_of(scheme_)), item_formset(items=scheme_.items)
    labels = dict(scoring.Grade.choices)
    return render(request, "assessment/scheme_form.html", {
        "scheme": scheme_, "form": form, "formset": formset, "is_office": is_office,
        "bands": [(labels.get(b["grade"], b["grade"]), b["min"]) for b in scheme_.bands],
        "tiers": [(TIER_SHORT.get(int(t), t), p) for t, p in sorted(scheme_.top_percent.items())]})


# ----------------------------------------------------------------------------- rounds


@role_required(*rounds.READERS)
@require_GET
def round_list(request):
    user = request.user
    page = Paginator(rounds.rounds_visible_to(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/round_list.html", {
        "page": page, "is_office": Scope.for_user(user).has(Role.OFFICE)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def round_new(request):
    user = request.user
    terms = rounds.pool_terms_for_rounds(user)
    queryset = PoolTerm.objects.filter(pk__in=[t.pk for t in terms]).order_by("-start", "-id")
    today = local_today()
    form = RoundForm(request.POST if request.method == "POST" else None, terms=queryset,
                     initial={"year": today.year if today.month == 12 else today.year - 1,
                              "term": terms[0].pk if terms else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            opened = rounds.round_open(actor=user, kind=d["kind"], year=d["year"], term_id=d["term"].pk,
                                       title=d["title"], today=today)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            text = _("已发起“%(t)s”，%(n)d人参加考核。") % {"t": opened.round.title, "n": opened.made}
            if opened.skipped:
                text += _("另有%(k)d人已参加同一年度的同类考核，未重复列入。") % {"k": opened.skipped}
            messages.success(request, text)
            return redirect(opened.round)
    return render(request, "assessment/round_form.html", {"form": form, "has_terms": bool(terms)})


@role_required(*rounds.READERS)
@require_GET
def round_detail(request, pk):
    user = request.user
    round_ = rounds.round_for_user_or_404(user, pk)
    filters = RoundFilterForm(request.GET or None)
    chosen = filters.filters()
    page = Paginator(rounds.round_rows(round_, **chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    confirmed = round_.status == AssessmentRound.Status.CONFIRMED
    rounds.mark_round_rows(round_, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    is_office = Scope.for_user(user).has(Role.OFFICE)
    return render(request, "assessment/round_detail.html", {
        "round": round_, "page": page, "filters": filters, "query": query.urlencode(), "confirmed": confirmed,
        "counts": rounds.round_counts(round_), "tiers": rounds.round_tiers(round_),
        "actions": ROUND_WORKFLOW.available_actions(round_, user) if is_office else [],
        "is_office": is_office, "items": round_.items, "sub_shares": round_.sub_shares,
        "bands": [(dict(scoring.Grade.choices).get(b["grade"]), b["min"]) for b in round_.bands]})


@role_required(Role.OFFICE)
@require_POST
def round_action(request, pk, action):
    round_ = rounds.round_for_user_or_404(request.user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未办理：") + _errors(form))
        return redirect(round_)
    try:
        rounds.round_perform(actor=request.user, round_id=round_.pk, action=action,
                             version=form.cleaned_data["version"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        transition = ROUND_WORKFLOW.transitions.get(action)
        messages.success(request, str(transition.done) if transition else _("已办理。"))
    return redirect(round_)


@role_required(Role.OFFICE)
@require_POST
def round_add(request, pk):
    round_ = rounds.round_for_user_or_404(request.user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未办理：") + _errors(form))
        return redirect(round_)
    try:
        added = rounds.round_add(actor=request.user, round_id=round_.pk, version=form.cleaned_data["version"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已补充%(n)d人参加考核。") % {"n": added.made})
    return redirect(round_)


# ----------------------------------------------------------------------------- an assessment


@role_required(*rounds.ENTRY_READERS)
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    user = request.user
    assessment = rounds.assessment_for_user_or_404(user, pk)
    fields = rounds.editable_fields(assessment, user)
    locked = rounds.lock_refusal(assessment)
    form = None
    if fields and not locked:
        form = AssessmentForm(request.POST if request.method == "POST" else None, assessment=assessment,
                              fields=fields, initial=AssessmentForm.initial_of(assessment))
    if request.method == "POST":
        if not fields:
            raise NotAllowed
        if form is None:
            messages.error(request, locked)
            return redirect("assessment:assessment_edit", pk=assessment.pk)
        if form.is_valid():
            try:
                rounds.assessment_save(actor=user, assessment_id=assessment.pk, version=form.cleaned_data["version"],
                                       values=form.values())
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("已保存评分。"))
                return redirect("assessment:assessment_edit", pk=assessment.pk)
    scope = Scope.for_user(user)
    is_office = scope.has(Role.OFFICE)
    return render(request, "assessment/assessment_form.html", {
        "a": assessment, "round": assessment.round, "reserve": assessment.reserve, "form": form, "locked": locked,
        "items": rounds.item_rows(assessment), "evidence": rounds.evidence(assessment, user),
        "actions": ASSESSMENT_WORKFLOW.available_actions(assessment, user) if is_office else [],
        "can_veto": is_office and ASSESSMENT_WORKFLOW.can(assessment, "veto_assessment", user),
        "is_office": is_office, "can_see_round": scope.has(*rounds.READERS),
        # The office and the committee see the result as it is made; a scorer sees it once confirmed.
        "show_result": scope.has(*rounds.READERS) or assessment.status == assessment.Status.CONFIRMED,
        "sub_shares": assessment.round.sub_shares, "share_texts": rounds.share_texts(assessment.round.sub_shares)})


@role_required(Role.OFFICE)
@require_POST
def assessment_action(request, pk, action):
    assessment = rounds.assessment_for_user_or_404(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未办理：") + _errors(form))
        return redirect("assessment:assessment_edit", pk=assessment.pk)
    try:
        rounds.assessment_perform(actor=request.user, assessment_id=assessment.pk, action=action,
                                  version=form.cleaned_data["version"], reason=form.cleaned_data["reason"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        transition = ASSESSMENT_WORKFLOW.transitions.get(action)
        messages.success(request, str(transition.done) if transition else _("已办理。"))
    return redirect("assessment:assessment_edit", pk=assessment.pk)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def assessment_veto(request, pk):
    user = request.user
    assessment = rounds.assessment_for_user_or_404(user, pk)
    form = VetoForm(request.POST if request.method == "POST" else None, reasons=assessment.round.veto_reasons,
                    initial={"version": assessment.version, "on": local_today()})
    refusal = None
    if not ASSESSMENT_WORKFLOW.can(assessment, "veto_assessment", user):
        try:
            ASSESSMENT_WORKFLOW.check(assessment, "veto_assessment", actor=user)
        except ActionRefused as e:
            refusal = e.message
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rounds.assessment_veto(actor=user, assessment_id=assessment.pk, version=d["version"], reason=d["reason"],
                                   note=d["note"], approver=d["approver"], on=d["on"])
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, str(ASSESSMENT_WORKFLOW["veto_assessment"].done))
            return redirect("assessment:assessment_edit", pk=assessment.pk)
    return render(request, "assessment/assessment_veto.html", {
        "a": assessment, "reserve": assessment.reserve, "round": assessment.round, "form": form, "refusal": refusal,
        "transition": ASSESSMENT_WORKFLOW["veto_assessment"]})
