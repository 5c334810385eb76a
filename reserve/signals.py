"""Sign-in: its events in the audit log (success, failure — also a refusal by the lockout — and sign-out),
the session's sign-in time, and the hooks of the lockout (django-axes) that settings name."""

import time

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditEntry

# The session key holding the sign-in time (seconds since the epoch): the session ends SESSION_ABSOLUTE_AGE
# seconds after it (reserve.middleware.SessionLifetimeMiddleware).
SESSION_SIGNED_IN_AT = "reserve_signed_in_at"
# When the session's expiry was last renewed (reserve.middleware.SessionLifetimeMiddleware), epoch seconds.
SESSION_RENEWED_AT = "reserve_renewed_at"

LOCKOUT_USERNAME_MAX = 255  # django-axes' username columns (AccessAttempt, AccessLog, AccessFailureLog)


def lockout_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the name the lockout counts and keeps in its tables for a sign-in.

    The name as typed, but an ID number in it masked as the audit log masks it (reserve.audit.mask_text:
    110105********1234) — people type their ID number as a user name, and axes' tables are read by the
    security administrator — and cut to the 255 characters axes' columns hold (a longer name was a 500 on
    PostgreSQL). An account's own name is kept as it is, so it locks, and the security administrator sees
    which account is locked.
    """
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username") if request is not None else None
    if typed is None:
        return None
    return audit.mask_text(str(typed)).replace("\x00", "")[:LOCKOUT_USERNAME_MAX]


@receiver(user_logged_in, dispatch_uid="reserve_audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditEntry.Action.LOGIN, request=request, user=user)


@receiver(user_logged_in, dispatch_uid="reserve_signin_time")
def remember_signin_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGNED_IN_AT] = request.session[SESSION_RENEWED_AT] = int(time.time())


@receiver(user_logged_in, dispatch_uid="reserve_lockout_own_success")
def clear_own_failures(sender, request, user, **kwargs):
    """A correct login clears the failures of this account from this address, and nothing else.

    django-axes' AXES_RESET_ON_SUCCESS would also clear every failure counted against the address, on
    other accounts too: a holder of one account could then guess another's password without end,
    signing in to their own between guesses. It is off (settings); this takes its place.
    """
    if request is None:
        return
    from axes.utils import reset

    reset(ip=audit.client_network(request) or None,
          username=lockout_username(request, {"username": user.get_username()}))


@receiver(user_login_failed, dispatch_uid="reserve_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """The username as typed, never the password. django-axes sends this signal too when it refuses a
    locked-out account or address; its own receiver runs first (axes is installed before reserve) and
    marks the request, so the entry says whether the lockout refused or imposed it."""
    typed = str((credentials or {}).get("username") or "")
    locked = bool(getattr(request, "axes_locked_out", False)) if request is not None else False
    # AnonymousUser: the entry names the account typed, even when someone already signed in tries again.
    audit.record(AuditEntry.Action.LOGIN_FAILED, request=request, user=AnonymousUser(), username=typed,
                 detail={"locked_out": True} if locked else {})
    if request is not None:
        request._audit_recorded = True  # the lockout's 429 is this same refusal: not a second entry


@receiver(user_logged_out, dispatch_uid="reserve_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        audit.record(AuditEntry.Action.LOGOUT, request=request, user=user)
