"""The audit log: one function writes it, nothing changes or deletes it.

Every login (success and failure), denied access, change of personal data, view or download of a
sensitive record (an ID number shown whole, vetting findings, an ID-card image) and workflow action
is recorded with time, user, role, address, object and what changed. ID numbers are masked before
they reach the log.
"""

import contextvars
import re
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType

from .idnumber import mask
from .models import AuditEntry
from .roles import roles_of

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")

# The request being served (set by reserve.middleware.AuditContextMiddleware), so that a service can
# audit with the user's address without being handed the request.
_current_request = contextvars.ContextVar("reserve_audit_request", default=None)


def current_request():
    return _current_request.get()


@contextmanager
def request_context(request):
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def mask_text(value):
    """Mask anything that looks like an 18-digit ID number, in strings, lists and dicts alike."""
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda m: mask(m.group(0)), value)
    if isinstance(value, dict):
        return {k: mask_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_text(v) for v in value]
    return value


def _plain(value):
    """A JSON-able copy: dates, lazy translations and the like become their text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _text(str(value))


def _text(value: str) -> str:
    """Without NUL characters, which PostgreSQL text and jsonb cannot hold (a path may carry %00)."""
    return value.replace("\x00", "")


def client_address(request) -> str:
    if request is None:
        return ""
    from django.conf import settings

    if getattr(settings, "RATELIMIT_IP_META_KEY", "REMOTE_ADDR") == "HTTP_X_REAL_IP":
        return request.META.get("HTTP_X_REAL_IP", "") or request.META.get("REMOTE_ADDR", "")
    return request.META.get("REMOTE_ADDR", "")


def record(action: str, *, request=None, user=None, obj=None, username: str = "", detail=None) -> AuditEntry:
    """Append one entry. `action` is one of AuditEntry.Action; `detail` a JSON-able dict of what changed.

    Without `request`, the request being served (if any) gives the address and path; without `user`,
    that request's user.
    """
    if request is None:
        request = current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        action=action,
        user=user if authenticated else None,
        username=_text(user.get_username() if authenticated else mask_text(username or ""))[:150],
        roles=",".join(sorted(roles_of(user))) if authenticated else "",
        address=client_address(request)[:64],
        path=_text(request.path if request is not None else "")[:300],
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_text(mask_text(str(obj)))[:200] if obj is not None else "",
        detail=mask_text(_plain(detail or {})),
    )
