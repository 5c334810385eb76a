"""Pages of rounds (选拔批次) and of villages with their quota (推选数量)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reserve.forms import add_errors
from reserve.permissions import role_required
from reserve.roles import Role, roles_of
from reserve.selectors import get_village_for_user_or_404, villages_visible_to
from reserve.services import cadres_of

from .forms import RoundForm
from .panels import round_links
from .quota import quotas_for
from .selectors import get_round_for_user_or_404, nomination_list, round_for_user, rounds_visible_to
from .services import round_create, round_update


def start_page(user):
    """A village branch starts on its village's page; the office and the committee on the nominations."""
    roles = roles_of(user)
    if Role.VILLAGE in roles and user.village_id:
        return reverse("village_detail", args=[user.village_id])
    if roles & {Role.OFFICE, Role.COMMITTEE}:
        return reverse("candidates:nomination_list")
    return None


@role_required(Role.OFFICE, Role.COMMITTEE)
def round_list(request):
    return render(request, "candidates/round_list.html", {"rounds": rounds_visible_to(request.user)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def round_new(request):
    form = RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        params = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            round_ = round_create(actor=request.user, town=request.user.town, **params)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("已创建选拔批次“%(n)s”。") % {"n": round_.name})
            return redirect(round_)
    return render(request, "candidates/round_form.html", {"form": form})


@role_required(Role.OFFICE, Role.COMMITTEE)
def round_detail(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    villages = list(villages_visible_to(request.user))
    quotas = quotas_for(round_, villages)
    rows = [(v, quotas[v.pk]) for v in villages]
    return render(request, "candidates/round_detail.html", {
        "round": round_, "rows": rows, "links": round_links(round_, request.user)})


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    form = RoundForm(request.POST if request.method == "POST" else None, instance=round_)
    if request.method == "POST" and form.is_valid():
        params = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            round_ = round_update(actor=request.user, round_id=round_.pk, **params)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("已保存批次参数；重新审核了未结束的自荐表，%(n)d份的审核结果有变化。")
                % {"n": round_.reevaluated_changes},
            )
            return redirect(round_)
    return render(request, "candidates/round_form.html", {"form": form, "round": round_})


@role_required(Role.OFFICE, Role.COMMITTEE)
def village_list(request):
    round_ = round_from_request(request, default="latest")
    villages = list(villages_visible_to(request.user))
    quotas = quotas_for(round_, villages) if round_ else {}
    return render(request, "candidates/village_list.html", {
        "round": round_, "rows": [(v, quotas.get(v.pk)) for v in villages],
        "rounds": rounds_visible_to(request.user),
    })


@role_required(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
def village_detail(request, pk):
    village = get_village_for_user_or_404(request.user, pk)
    round_ = round_from_request(request, default="latest")
    quota = quotas_for(round_, [village])[village.pk] if round_ else None
    nominations = nomination_list(request.user, round_id=round_.pk if round_ else None, village_id=village.pk)
    return render(request, "candidates/village_detail.html", {
        "village": village, "round": round_, "quota": quota, "cadres": cadres_of(village),
        "nominations": nominations, "rounds": rounds_visible_to(request.user),
    })


def round_from_request(request, *, default, strict=True, data=None):
    """The round a page is about: ?round= (or that field of `data`, e.g. request.POST), scoped — another
    town's round is 404 — else `default` ("current" or "latest"); see selectors.round_for_user."""
    raw = (request.GET if data is None else data).get("round")
    return round_for_user(request.user, raw, default=default, strict=strict)
