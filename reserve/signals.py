"""Sign-in events into the audit log: success, failure (also a refusal by the lockout), sign-out."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditEntry


@receiver(user_logged_in, dispatch_uid="reserve_audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditEntry.Action.LOGIN, request=request, user=user)


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
