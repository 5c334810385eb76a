"""Pages of the priority uses of the assessment: the priority list of a round (and its PDF), the lists of
提拔使用 and 上级调训, the 入党积极分子 candidates, and the 两委 vacancies with their candidates and filling.

Views parse the request, call one selector or service and render. Scope comes from the scope object (another
town's round, another village's vacancy: 404), the role layer from role_required (403)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reserve import audit
from reserve.exceptions import ActionRefused
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.selectors import parse_pk
from reserve.workflow import local_today

from . import jobs as priority_jobs
from . import priority, vacancies
from .forms_priority import PAGE_SIZE, FillForm, TierFilterForm, VacancyFilterForm, VacancyForm

TOWN_ROLES = (Role.OFFICE, Role.COMMITTEE)


def _query(request, *drop) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


# --- the priority lists ------------------------------------------------------------------------------------------


@role_required(*TOWN_ROLES)
@require_GET
def priority_list(request, which="all"):
    user = request.user
    round_ = priority.round_for(user, request.GET.get("round"))
    form = TierFilterForm(request.GET or None)
    tier = form.tier_value()
    context = {"which": which, "title": priority.list_title(which), "round": round_,
               "rounds": priority.rounds_for(user), "form": form, "tier": tier,
               "lists": [(key, str(title)) for key, (title, _tiers) in priority.LISTS.items()]}
    if round_ is not None:
        rows = priority.priority_rows(round_, which, tier)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = priority.mark_priority_rows(page.object_list, which)
        context.update({"page": page, "summaries": priority.tier_summaries(round_, which),
                        "query": _query(request)})
    return render(request, "assessment/priority_list.html", context)


@role_required(*TOWN_ROLES)
@require_POST
def priority_pdf(request):
    """Start the list's PDF (the page's button), made in the background (assessment.jobs: it grows with the pool):
    the user is sent to the job's page, which offers the file when it is ready (我的文件)."""
    user = request.user
    which = request.POST.get("list") or "all"
    priority.list_title(which)  # an unknown list: 404
    round_ = priority.round_for(user, request.POST.get("round"))
    if round_ is None:
        messages.error(request, _("尚无已确认的考核，没有可打印的名单。"))
        return redirect("assessment:priority_list")
    job = priority_jobs.start(user, round_, which)
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=round_,
                 detail={"file": "priority_pdf", "list": which, "job": job.pk})
    return redirect(job.get_absolute_url())


# --- 入党积极分子 --------------------------------------------------------------------------------------------------


@role_required(*priority.ACTIVIST_READERS)
@require_GET
def activist_list(request):
    user = request.user
    scope = Scope.for_user(user)
    round_ = priority.latest_confirmed_round(scope.town_id) if scope.town_id else None
    rows = priority.activist_candidates(user, round_)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = priority.mark_activist_rows(page.object_list, user)
    return render(request, "assessment/activist_list.html", {
        "round": round_, "page": page, "query": _query(request)})


# --- 两委 vacancies ------------------------------------------------------------------------------------------------


@role_required(*vacancies.READERS)
@require_GET
def vacancy_list(request):
    user = request.user
    form = VacancyFilterForm(request.GET or None, villages=vacancies.villages_for(user))
    rows = vacancies.vacancy_rows(user, state=form.state_value(), village_id=form.village_id())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/vacancy_list.html", {
        "page": page, "form": form, "query": _query(request),
        "may_record": Scope.for_user(user).has(*vacancies.RECORDERS)})


@role_required(*vacancies.RECORDERS)
@require_http_methods(["GET", "POST"])
def vacancy_new(request):
    user = request.user
    villages = vacancies.villages_for(user)
    scope = Scope.for_user(user)
    initial = {"arose_on": local_today()}
    if scope.village_id and not scope.has(Role.OFFICE):
        initial["village"] = scope.village_id
    elif (chosen := parse_pk(request.GET.get("village"))) and villages.filter(pk=chosen).exists():
        initial["village"] = chosen  # from a village's page (its 两委 roster)
    form = VacancyForm(request.POST if request.method == "POST" else None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            vacancy = vacancies.vacancy_create(actor=user, village_id=d["village"].pk, post=d["post"],
                                               arose_on=d["arose_on"], reason=d["reason"])
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已记录%(v)s的“%(p)s”空缺。下一步：从本村后备干部中优先推选。") % {
                "v": vacancy.village.name, "p": vacancy.post})
            return redirect("assessment:vacancy_detail", vacancy.pk)
    return render(request, "assessment/vacancy_form.html", {"form": form})


@role_required(*vacancies.READERS)
@require_GET
def vacancy_detail(request, pk):
    user = request.user
    vacancy = vacancies.get_vacancy_for_user_or_404(user, pk)
    context = {"v": vacancy, "today": local_today(), "may_fill": False}
    if vacancy.filled_on is None:
        page = Paginator(vacancies.candidate_rows(vacancy), PAGE_SIZE).get_page(request.GET.get("page"))
        vacancies.attach_assessments(page.object_list)
        context.update({"page": page, "query": _query(request),
                        "may_fill": Scope.for_user(user).has(*vacancies.FILLERS)})
    return render(request, "assessment/vacancy_detail.html", context)


@role_required(*vacancies.FILLERS)
@require_POST
def vacancy_fill(request, pk):
    user = request.user
    vacancy = vacancies.get_vacancy_for_user_or_404(user, pk)
    form = FillForm(request.POST)
    if not form.is_valid():
        errors = "；".join(" ".join(errs) for errs in form.errors.values())
        messages.error(request, _("未补齐：") + errors)
        return redirect("assessment:vacancy_detail", vacancy.pk)
    d = form.cleaned_data
    try:
        if d["mode"] == "reserve":
            done = vacancies.vacancy_fill(actor=user, vacancy_id=vacancy.pk, reserve_id=d["reserve"],
                                          filled_on=d["filled_on"])
            text = _("已推选%(n)s补齐“%(p)s”空缺，并记录任用。下一步：按“四必谈”谈话。") % {
                "n": done.filled_by.name, "p": done.post}
        else:
            done = vacancies.vacancy_fill_other(actor=user, vacancy_id=vacancy.pk, filled_on=d["filled_on"],
                                                note=d["note"])
            text = _("已记录“%(p)s”空缺以其他方式补齐。") % {"p": done.post}
    except ActionRefused as e:
        messages.error(request, _("未补齐：") + e.message)
    else:
        messages.success(request, text)
    return redirect("assessment:vacancy_detail", vacancy.pk)
