"""The pool's list and a reserve's page, and the moves of a reserve's lifecycle (each on its own small page).

Views parse the request, call one service and render. Scope comes from the selectors (a reserve out of the
user's scope is a 404); the role layer from role_required (a department's clerk: 403).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reserve import idnumber
from reserve.exceptions import ActionRefused, NotAllowed
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today

from . import selectors, services, tiers
from .forms import (
    PAGE_SIZE,
    ActionForm,
    ActivistForm,
    ChangePostForm,
    ChangeTierForm,
    ExpireForm,
    PoolFilterForm,
    RemoveForm,
    UseForm,
)
from .models import TIER_SHORT, Tier
from .panels import pool_marks, reserve_panels
from .workflow import RESERVE_WORKFLOW

READERS = (Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT, Role.MENTOR)
TOWN_ROLES = (Role.OFFICE, Role.COMMITTEE)


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[name].label}：{' '.join(errs)}" if name in form.fields else " ".join(errs)
                    for name, errs in form.errors.items())


@role_required(*READERS)
@require_GET
def pool_list(request):
    user = request.user
    today = local_today()
    scope = Scope.for_user(user)
    villages, units = selectors.pool_units(user)
    terms = selectors.pool_terms_of(user)
    form = PoolFilterForm(request.GET or None, villages=villages, units=units, terms=terms)
    rows = selectors.pool_rows(user, today=today, **form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    marks = pool_marks([reserve.pk for reserve in page], user)  # one call for the page (training.panels)
    for reserve in page:
        reserve.marks = marks.get(reserve.pk, [])
        reserve.days_since_talk = (today - reserve.last_talk_on).days if reserve.last_talk_on else None
        reserve.badge = selectors.status_badge(reserve, today)
        reserve.tier_label = reserve.get_tier_display()
        reserve.tier_short = TIER_SHORT.get(reserve.tier, reserve.tier_label)
    query = request.GET.copy()
    query.pop("page", None)
    town_view = scope.has(*TOWN_ROLES) and scope.town_id is not None
    summary = selectors.pool_summary(user, today, terms) if town_view else None
    return render(request, "training/pool_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "today": today, "summary": summary,
        "ending_count": summary.ending if summary else None,
        "filtered": bool(request.GET.keys() - {"page"}),
    })


def _detail_context(request, reserve) -> dict:
    user = request.user
    today = local_today()
    scope = Scope.for_user(user)
    actions = RESERVE_WORKFLOW.available_actions(reserve, user, today=today)
    office = scope.has(Role.OFFICE)
    reserve.badge = selectors.status_badge(reserve, today)
    moves = {t.action for t in RESERVE_WORKFLOW.values()
             if reserve.status in t.allowed_sources(scope.roles) and not t.manual}
    return {
        "r": reserve, "today": today,
        "actions": actions,
        "can_use": "use_reserve" in moves, "can_remove": "remove_reserve" in moves,
        "can_change_post": "change_post" in moves, "can_change_tier": "change_tier" in moves,
        "can_mark_activist": services.may_mark_activist(reserve, user),
        "is_party_member": reserve.political_status in selectors.PARTY_STATUSES,
        "renewal_due": reserve.renewal_due(today),
        # Evaluated afresh, as the conditions card below it is (the stored flag is the list's filter).
        "conditions_met": tiers.meets(reserve, reserve.tier, reserve.term, tiers.reference_day(reserve)),
        "id_number_display": idnumber.mask(reserve.person.id_number),
        "timeline": selectors.reserve_history(reserve, user),
        "terms": selectors.term_history(reserve, user),
        "panels": [render_to_string(template, {**context, "panel": context}, request=request)
                   for template, context in reserve_panels(reserve, user)],
        "is_office": office,
        "can_see_nomination": scope.has(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE),
        "days_since_talk": (today - reserve.last_talk_on).days if reserve.last_talk_on else None,
    }


@role_required(*READERS)
@require_GET
def reserve_detail(request, pk):
    reserve = selectors.get_reserve_for_user_or_404(request.user, pk)
    return render(request, "training/reserve_detail.html", _detail_context(request, reserve))


@role_required(Role.OFFICE)
@require_POST
def reserve_action(request, pk, action):
    """A button of the reserve's page: approve, decline, renew, expire (with a reason where the move needs one)."""
    reserve = selectors.get_reserve_for_user_or_404(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未办理：") + _form_errors(form))
        return redirect(reserve)
    try:
        services.reserve_perform(actor=request.user, reserve_id=reserve.pk, action=action,
                                 reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
    except ActionRefused as e:
        messages.error(request, e.message)
    else:
        transition = RESERVE_WORKFLOW.transitions.get(action)
        messages.success(request, str(transition.done or _("已办理。")) if transition else _("已办理。"))
    return redirect(reserve)


def _move_page(request, pk, *, form_class, template, title, run, initial=None, may=None, warning=None):
    """A move's page: GET shows the form; POST runs the service, then back to the reserve's page (or the form again
    with the refusal)."""
    reserve = selectors.get_reserve_for_user_or_404(request.user, pk)
    if may is not None and not may(reserve):
        raise NotAllowed
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                done = run(reserve, form.cleaned_data)
            except ActionRefused as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, done)
                return redirect(reserve)
    else:
        form = form_class(initial={"version": reserve.version, **(initial or {})})
    return render(request, template, {"r": reserve, "form": form, "title": title,
                                      "warning": warning(reserve) if warning else ""})


def _done(action) -> str:
    return str(RESERVE_WORKFLOW[action].done or _("已办理。"))


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def reserve_use(request, pk):
    def run(reserve, d):
        services.reserve_use(actor=request.user, reserve_id=reserve.pk, post=d["post"], used_on=d["used_on"],
                             version=d["version"])
        return _done("use_reserve")

    return _move_page(request, pk, form_class=UseForm, template="training/reserve_move.html", title=_("任用"),
                      run=run, initial={"used_on": local_today()})


@role_required(Role.COMMITTEE)
@require_http_methods(["GET", "POST"])
def reserve_remove(request, pk):
    def run(reserve, d):
        services.reserve_remove(actor=request.user, reserve_id=reserve.pk, reason=d["reason"],
                                approver=d["approver"], ended_on=d["ended_on"], version=d["version"])
        return _done("remove_reserve")

    return _move_page(request, pk, form_class=RemoveForm, template="training/reserve_move.html",
                      title=_("调整出库"), run=run, initial={"ended_on": local_today(), "approver": str(request.user)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def reserve_expire(request, pk):
    def run(reserve, d):
        services.reserve_expire(actor=request.user, reserve_id=reserve.pk, reason=d["reason"], version=d["version"])
        return _done("expire_reserve")

    return _move_page(request, pk, form_class=ExpireForm, template="training/reserve_move.html",
                      title=_("期满不再续期"), run=run)


@role_required(Role.OFFICE, Role.UNIT, Role.VILLAGE)
@require_http_methods(["GET", "POST"])
def reserve_change_post(request, pk):
    def run(reserve, d):
        services.reserve_change_post(actor=request.user, reserve_id=reserve.pk, post=d["post"],
                                     changed_on=d["changed_on"], version=d["version"])
        return _done("change_post")

    return _move_page(request, pk, form_class=ChangePostForm, template="training/reserve_move.html",
                      title=_("岗位调整"), run=run, initial={"changed_on": local_today()})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def reserve_change_tier(request, pk):
    def run(reserve, d):
        meeting = d.get("meeting")
        moved = services.reserve_change_tier(actor=request.user, reserve_id=reserve.pk, tier=d["tier"],
                                             reason=d["reason"], meeting_id=meeting.pk if meeting else None,
                                             version=d["version"])
        return _("已调整为%(t)s。") % {"t": Tier(moved.tier).label}

    town_id = Scope.for_user(request.user).town_id

    def form_class(*args, **kwargs):
        return ChangeTierForm(*args, town_id=town_id, **kwargs)

    return _move_page(request, pk, form_class=form_class, template="training/reserve_move.html",
                      title=_("调整梯队"), run=run)


@role_required(Role.OFFICE, Role.VILLAGE, Role.UNIT)
@require_http_methods(["GET", "POST"])
def reserve_activist(request, pk):
    def run(reserve, d):
        services.reserve_mark_activist(actor=request.user, reserve_id=reserve.pk,
                                       recommended_on=d["recommended_on"], note=d["note"], version=d["version"])
        return _("已记录推荐为入党积极分子。")

    return _move_page(request, pk, form_class=ActivistForm, template="training/reserve_move.html",
                      title=_("推荐为入党积极分子"), run=run, initial={"recommended_on": local_today()},
                      warning=services.activist_refusal)
