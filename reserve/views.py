from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from candidates.quota import quotas_for
from candidates.selectors import nomination_list

from .forms import CadreFormSet, RoundForm
from .permissions import role_required
from .roles import Role, roles_of
from .selectors import (
    current_round, get_round_for_user_or_404, parse_pk, get_village_for_user_or_404, rounds_visible_to,
    villages_visible_to,
)
from .services import cadres_of, password_changed, round_create, round_update, roster_save


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, which also lifts a forced change."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=self.request.user)
        return response


def home(request):
    roles = roles_of(request.user)
    if Role.VILLAGE in roles and request.user.village_id:
        return redirect("village_detail", pk=request.user.village_id)
    if roles & {Role.OFFICE, Role.COMMITTEE}:
        return redirect("candidates:nomination_list")
    if Role.DEPARTMENT in roles and request.user.department_id:
        return redirect("vetting:queue")
    return render(request, "reserve/home.html", {"round": current_round(request.user)})


@role_required(Role.OFFICE, Role.COMMITTEE)
def round_list(request):
    return render(request, "reserve/round_list.html", {"rounds": rounds_visible_to(request.user)})


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
    return render(request, "reserve/round_form.html", {"form": form})


@role_required(Role.OFFICE, Role.COMMITTEE)
def round_detail(request, pk):
    round_ = get_round_for_user_or_404(request.user, pk)
    villages = list(villages_visible_to(request.user))
    quotas = quotas_for(round_, villages)
    rows = [(v, quotas[v.pk]) for v in villages]
    return render(request, "reserve/round_detail.html", {"round": round_, "rows": rows})


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
    return render(request, "reserve/round_form.html", {"form": form, "round": round_})


@role_required(Role.OFFICE, Role.COMMITTEE)
def village_list(request):
    round_ = selected_round(request)
    villages = list(villages_visible_to(request.user))
    quotas = quotas_for(round_, villages) if round_ else {}
    return render(request, "reserve/village_list.html", {
        "round": round_, "rows": [(v, quotas.get(v.pk)) for v in villages],
        "rounds": rounds_visible_to(request.user),
    })


@role_required(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
def village_detail(request, pk):
    village = get_village_for_user_or_404(request.user, pk)
    round_ = selected_round(request)
    quota = quotas_for(round_, [village])[village.pk] if round_ else None
    nominations = nomination_list(request.user, round_id=round_.pk if round_ else None, village_id=village.pk)
    return render(request, "reserve/village_detail.html", {
        "village": village, "round": round_, "quota": quota, "cadres": cadres_of(village),
        "nominations": nominations, "rounds": rounds_visible_to(request.user),
    })


@role_required(Role.OFFICE, Role.VILLAGE)
@require_http_methods(["GET", "POST"])
def roster_edit(request, pk):
    village = get_village_for_user_or_404(request.user, pk)
    formset = CadreFormSet(request.POST if request.method == "POST" else None, queryset=cadres_of(village), prefix="cadres")
    if request.method == "POST" and formset.is_valid():
        roster_save(actor=request.user, village=village, formset=formset)
        messages.success(request, _("已保存“两委”成员名单。"))
        return redirect(village)
    return render(request, "reserve/roster_form.html", {"village": village, "formset": formset})


def selected_round(request):
    """The round named by ?round= (scoped: another town's round is 404), else the current one."""
    raw = request.GET.get("round")
    if raw:
        if parse_pk(raw) is None:
            raise Http404
        return get_round_for_user_or_404(request.user, parse_pk(raw))
    return current_round(request.user) or rounds_visible_to(request.user).first()


def add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)
