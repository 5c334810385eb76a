"""The project's addresses: the composition root, the one module of the core that names every stage."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView
from django.views.static import serve

from candidates import views_rounds

from . import views, views_audit, views_jobs, views_otp
from .forms import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm  # refuses an overlong name, as the sign-in page does (issue 9 §15)
# The admin names the system, not Django ("Django 管理" puzzled the administrators trying it).
admin.site.site_header = gettext_lazy("村级后备干部管理 · 系统管理")
admin.site.site_title = gettext_lazy("村级后备干部管理")
admin.site.index_title = gettext_lazy("账号与组织机构")

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", login_not_required(serve), {"document_root": settings.BASE_DIR / "static", "path": "favicon.ico"},
         name="favicon"),  # for clients that ask for it without reading the pages' <link rel="icon">
    path("accounts/login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/otp/", views_otp.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views_otp.otp_verify, name="otp_verify"),
    path("accounts/otp/disable/", views_otp.otp_disable, name="otp_disable"),
    path("rounds/", views_rounds.round_list, name="round_list"),
    path("rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views_rounds.round_edit, name="round_edit"),
    path("villages/", views_rounds.village_list, name="village_list"),
    path("villages/<int:pk>/", views_rounds.village_detail, name="village_detail"),
    path("villages/<int:pk>/roster/", views.roster_edit, name="roster_edit"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export.xlsx", views_audit.audit_export, name="audit_export"),
    path("files/", views_jobs.job_list, name="job_list"),
    path("files/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("files/<int:pk>/download/", views_jobs.job_download, name="job_download"),
    path("nominations/", include("candidates.urls")),
    path("vetting/", include("vetting.urls")),
    path("vetting/", include("inspection.urls")),
    path("", include("publicity.urls")),
    path("pool/", include("training.urls")),
    path("pool/", include("cultivation.urls")),
    path("pool/", include("assessment.urls")),
    path("pool/", include("dossier.urls")),
    # The admin's own password page would check the current password without the lockout and the audit: the
    # one password page serves the staff too (reserve.views.PasswordChange).
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change"),
         name="admin_password_change"),
    path("admin/", admin.site.urls),
]
