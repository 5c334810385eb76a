"""Pages of rounds (选拔批次) and of villages with their quota (推选数量)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reserve.forms import add_errors
from reserve.permissions import role_required
from reserve.roles import Role, roles_of
from reserve.selectors import get_village_for_user_or_404, villages_visible_to
from reserve.services import cadres_of
from reserve.workflow import local_today

from .forms import RoundForm
from .models import Round, Status
from .panels import round_links, village_links
from .quota import is_refill, quotas_for, refill_initial, shortfalls
from .selectors import (
    VILLAGE_PAGE_SIZE,
    get_round_for_user_or_404,
    round_for_user,
    rounds_visible_to,
    village_nominations,
)
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
    """The rounds, and the villages whose places are not all taken under the current (else the latest) round's
    quota — a removal, an appointment or an expiry frees a place — with the office's button to open a round that
    fills them (补充推选)."""
    latest = round_for_user(request.user, None, default="latest")
    short = shortfalls(latest, list(villages_visible_to(request.user))) if latest else []
    return render(request, "candidates/round_list.html", {
        "rounds": rounds_visible_to(request.user), "quota_round": latest, "shortfalls": short,
        "shortfall_total": sum(q.remaining for _v, q in short)})


def _refill_source(request):
    """The round whose shortfall a new round fills (?refill=<its id>, scoped: another town's is 404), or None."""
    if "refill" not in request.GET:
        return None
    return round_for_user(request.user, request.GET.get("refill"), default="latest")


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def round_new(request):
    source = _refill_source(request)
    initial = None
    short = []
    if source is not None:
        today = local_today()
        taken = Round.objects.filter(town_id=source.town_id, year=today.year).values_list("name", flat=True)
        initial = refill_initial(source, today, taken_names=list(taken))
        short = shortfalls(source, list(villages_visible_to(request.user)))
    form = RoundForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        params = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            round_ = round_create(actor=request.user, town=request.user.town, **params)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("已创建选拔批次“%(n)s”。") % {"n": round_.name})
            return redirect(round_)
    return render(request, "candidates/round_form.html", {"form": form, "refill_source": source,
                                                          "shortfalls": short})


@role_required(Role.OFFICE, Role.COMMITTEE)
def round_detail(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    villages = list(villages_visible_to(request.user))
    quotas = quotas_for(round_, villages)
    rows = [(v, quotas[v.pk]) for v in villages]
    return render(request, "candidates/round_detail.html", {
        "round": round_, "rows": rows, "links": round_links(round_, request.user), "is_refill": is_refill(round_)})


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
    status = request.GET.get("status") if request.GET.get("status") in Status.values else ""
    nominations = village_nominations(request.user, village, round_id=round_.pk if round_ else None, status=status)
    page = Paginator(nominations, VILLAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"round": round_.pk if round_ else "", "status": status})
    return render(request, "candidates/village_detail.html", {
        "village": village, "round": round_, "quota": quota, "cadres": cadres_of(village),
        "nominations": page, "page": page, "status": status, "statuses": Status.choices, "query": query,
        "rounds": rounds_visible_to(request.user), "village_links": village_links(village, request.user),
    })


def round_from_request(request, *, default, strict=True, data=None):
    """The round a page is about: ?round= (or that field of `data`, e.g. request.POST), scoped — another
    town's round is 404 — else `default` ("current" or "latest"); see selectors.round_for_user."""
    raw = (request.GET if data is None else data).get("round")
    return round_for_user(request.user, raw, default=default, strict=strict)
