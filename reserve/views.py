from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import CadreFormSet, PasswordChangeForm
from .home import start_page_for
from .permissions import role_required
from .roles import Role
from .selectors import get_village_for_user_or_404
from .services import cadres_of, password_changed, roster_save


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change, which also lifts a forced change. A wrong current password is a failed login of
    the account (PasswordChangeForm); when it brings the lockout, the session is signed out and django-axes'
    middleware answers with the lockout page, as at the login page."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            logout(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=self.request.user)
        return response


def home(request):
    """The start page of the user's role, as the stages registered it; else a page of links."""
    target = start_page_for(request.user)
    if target:
        return redirect(target)
    return render(request, "reserve/home.html")


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
