"""Pages of 调整出库 (动态调整): the list, an adjustment's page and its buttons, and the office's proposal for a
reserve. Views parse the request, call one service or selector and render; scope from the scope object (another
town's adjustment or reserve is a 404), the role layer from role_required (403)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reserve.exceptions import ActionRefused
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope
from reserve.workflow import local_today
from training.selectors import get_reserve_for_user_or_404

from . import adjustments
from .forms_adjustments import AdjustmentActionForm, AdjustmentFilterForm, AdjustmentRaiseForm
from .models import Adjustment

PAGE_SIZE = 25
badge = adjustments.badge


def _errors(form) -> str:
    return "；".join(" ".join(str(e) for e in errs) for errs in form.errors.values())


@role_required(*adjustments.READERS)
@require_GET
def adjustment_list(request):
    user = request.user
    scope = Scope.for_user(user)
    data = request.GET.copy()
    # The committee lands on what waits for its approval.
    if "status" not in data and scope.has(Role.COMMITTEE) and not scope.has(Role.OFFICE):
        data["status"] = Adjustment.Status.PROPOSED
    form = AdjustmentFilterForm(data)
    status = form.status_value()
    page = Paginator(adjustments.adjustment_rows(user, status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = adjustments.mark_adjustment_rows(page.object_list)
    query = data.copy()
    query.pop("page", None)
    return render(request, "assessment/adjustment_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "status": status,
        "counts": adjustments.counts_by_status(user), "statuses": Adjustment.Status.choices,
    })


@role_required(*adjustments.READERS)
@require_GET
def adjustment_detail(request, pk):
    user = request.user
    adjustment = adjustments.get_adjustment_for_user_or_404(user, pk)
    adjustment.badge = badge(adjustment)
    today = local_today()
    return render(request, "assessment/adjustment_detail.html", {
        "a": adjustment, "r": adjustment.reserve,
        "actions": adjustments.ADJUSTMENT_WORKFLOW.available_actions(adjustment, user, today=today),
        "history": adjustments.adjustment_history(adjustment),
        "not_in_pool": adjustments.reserve_refusal(adjustment.reserve) if adjustment.status in adjustments.OPEN
        else None,
    })


@role_required(*adjustments.READERS)
@require_POST
def adjustment_action(request, pk, action):
    adjustment = adjustments.get_adjustment_for_user_or_404(request.user, pk)
    form = AdjustmentActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未办理：") + _errors(form))
        return redirect("assessment:adjustment_detail", adjustment.pk)
    try:
        adjustments.adjustment_perform(actor=request.user, adjustment_id=adjustment.pk, action=action,
                                       reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
    except ActionRefused as e:
        messages.error(request, _("未办理：") + str(e.message))
    else:
        transition = adjustments.ADJUSTMENT_WORKFLOW[action]
        messages.success(request, str(transition.done or _("已办理。")))
    return redirect("assessment:adjustment_detail", adjustment.pk)


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def adjustment_new(request, reserve_pk):
    user = request.user
    reserve = get_reserve_for_user_or_404(user, reserve_pk)
    existing = adjustments.open_adjustment_of(reserve)
    refusal = ""
    if existing is None and reserve.status != reserve.Status.ACTIVE:
        refusal = _("%(n)s当前状态为“%(s)s”，不在库中培养，不能提出调整出库。") % {
            "n": reserve.name, "s": reserve.get_status_display()}
    form = AdjustmentRaiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = adjustments.adjustment_raise(actor=user, reserve_id=reserve.pk,
                                                      reason=form.cleaned_data["reason"])
        except ActionRefused as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("已提出调整出库，报镇党委审批。"))
            return redirect("assessment:adjustment_detail", adjustment.pk)
    return render(request, "assessment/adjustment_form.html", {
        "r": reserve, "form": form, "existing": existing, "refusal": refusal})
