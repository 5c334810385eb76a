from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import audit
from .exceptions import NotAllowed, NotFound
from .request_facts import facts_of
from .scope import Scope


class ForcePasswordChangeMiddleware:
    """An account an administrator created, or whose password an administrator set (the admin's password page),
    must set its own password before doing anything else (User.must_change_password, lifted only by the
    person's own change: reserve.services.password_changed)."""

    # The second factor comes first (SecondFactorMiddleware): its two pages stay open here.
    ALLOWED = ("password_change", "password_change_done", "logout", "otp_verify", "otp_setup")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class AuditContextMiddleware:
    """Makes the request being served available to reserve.audit.record (a context variable), and
    records denied access: every 403 and 429, and a 404 answered to a signed-in user on the
    application's own pages (not static files).

    It sits right after AuthenticationMiddleware, so the answers of the middleware inside it (the
    lockout's 429, the CSRF check's 403) pass through it too. A refused login already recorded by the
    login signal (reserve.signals) is not recorded a second time.
    """

    DENIED = (403, 429)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.request_context(request):
            response = self.get_response(request)
            if self._is_denial(request, response.status_code) and not getattr(request, "_audit_recorded", False):
                audit.record(audit.AuditEntry.Action.DENIED, request=request,
                             detail={"status": response.status_code, "method": request.method})
        return response

    @staticmethod
    def _is_denial(request, status: int) -> bool:
        if status in AuditContextMiddleware.DENIED:
            return True
        if status != 404:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        static = settings.STATIC_URL or "/static/"
        return not (request.path.startswith(static) or request.path == "/favicon.ico")


class SecondFactorMiddleware:
    """The second factor (django-otp, TOTP), after the password.

    A user who has confirmed an authenticator app gives its code (otp_verify) before anything else in
    each session. An account of whom the second factor is required (reserve.otp.requirement: the three
    administrators under REQUIRE_OTP_FOR_ADMINS, the office and the departments of a town that says so) and
    that has none yet is sent to enrol one (otp_setup) first. Sits after
    django_otp's OTPMiddleware, which tells whether this session has been verified. It is the first to read the
    account's roles: it loads the account's cached facts (reserve.request_facts), which the later steps use.
    """

    VERIFY_ALLOWED = ("otp_verify", "logout")
    SETUP_ALLOWED = ("otp_setup", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        static = settings.STATIC_URL or "/static/"
        if user is not None and user.is_authenticated and not request.path.startswith(static):
            from .otp import needs_enrolment, unverified_device_user

            facts_of(user)  # the account's cached facts, loaded first: the later steps read its roles and scope
            if unverified_device_user(user):
                if request.path not in {reverse(name) for name in self.VERIFY_ALLOWED}:
                    return redirect_with_next("otp_verify", request)
            elif needs_enrolment(user) and request.path not in {reverse(name) for name in self.SETUP_ALLOWED}:
                return redirect_with_next("otp_setup", request)
        return self.get_response(request)


def redirect_with_next(name, request):
    from urllib.parse import urlencode

    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class DomainErrorMiddleware:
    """The one place that turns the domain's refusals into answers: an object outside the actor's
    scope (NotFound) is 404, a role that may never act (NotAllowed) is 403 — each through Django's
    own error handling, so the error pages and the audit of denials are the usual ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.core.handlers.exception import response_for_exception
        from django.http import Http404

        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404())
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied())
        from .pdf import PdfRefused, refused_response

        if isinstance(exception, PdfRefused):  # a document over the render's size or time bound
            return refused_response(request, exception)
        from .storage import error_response

        return error_response(request, exception)  # a stored file missing, or the file storage failing


class SessionLifetimeMiddleware:
    """A session ends SESSION_ABSOLUTE_AGE seconds (default 12 hours) after the sign-in, however active it is,
    besides the 30 minutes without a request (SESSION_COOKIE_AGE). The sign-in time is kept in the session
    at login (reserve.signals.remember_signin_time); a session signed in before this rule existed is given
    the time it is first seen. An ended session is signed out (audited as a sign-out) and the request goes on
    as anonymous: the login page follows for any page that needs a sign-in. Sits right after
    AuthenticationMiddleware.

    It also keeps the idle limit: a signed-in session is marked for saving (which renews its expiry, 30 minutes
    on) when it was last renewed SESSION_REFRESH_INTERVAL seconds ago or more — not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            import time

            from django.contrib.auth import logout

            from .signals import SESSION_RENEWED_AT, SESSION_SIGNED_IN_AT

            now = int(time.time())
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            if not isinstance(signed_in_at, int):
                request.session[SESSION_SIGNED_IN_AT] = now
            elif now - signed_in_at >= settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                return self.get_response(request)
            renewed_at = request.session.get(SESSION_RENEWED_AT)
            if not isinstance(renewed_at, int) or not 0 <= now - renewed_at < settings.SESSION_REFRESH_INTERVAL:
                request.session[SESSION_RENEWED_AT] = now  # modified: saved with a new expiry after the response
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Every answer to a signed-in user (pages, downloads, redirects, errors) carries `Cache-Control: no-store,
    private` (Django's add_never_cache_headers): no browser cache, proxy or shared computer keeps a copy of
    personal data. Static files are not touched (WhiteNoise answers them before this, with its own long cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        static = settings.STATIC_URL or "/static/"
        if user is not None and user.is_authenticated and not request.path.startswith(static):
            from django.utils.cache import add_never_cache_headers

            add_never_cache_headers(response)
        return response
