"""The audit log: one function writes it, nothing changes or deletes it.

Every login (success and failure), denied access, change of personal data, view or download of a
sensitive record (an ID number shown whole, vetting findings, an ID-card image) and workflow action
is recorded with time, user, role, address, the object's type and id and which fields changed. ID
numbers are masked before they reach the log.

What it does not hold: the content of what was done. An object is named by its type and id (an
account by its username), never by a person's name (`object_label`); a workflow step keeps its
action and statuses, not its reason or data (`event_detail`: those stay in the event, the domain's
own history, seen by the office). The audit administrator reads who did what to which record, not
findings, outcomes, reasons or names.

Anonymous denials (a 403 or 429 answered to a visitor not signed in, a sign-in refused by the
lockout) are aggregated so that nobody can flood the log: at most one row per client address, kind
and status in each minute (`DENIAL_WINDOW_SECONDS`), and at most `ANONYMOUS_ROWS_PER_WINDOW` such
rows a minute from all addresses together; the denials not written one by one are counted in the
cache and the count is written with the next row of the same kind from that address ("repeated";
"others" for the overall cap). When the cache is unreachable every denial is recorded.
"""

import contextvars
import hashlib
import logging
import re
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from .idnumber import mask
from .models import AuditEntry
from .roles import roles_of

logger = logging.getLogger(__name__)

PATH_MAX = 200  # characters of the path kept (the query string is never kept)
OBJECT_REPR_MAX = 200
USERNAME_MAX = 150  # an account's username is at most this long (AbstractUser); a typed name is cut to it
DENIAL_WINDOW_SECONDS = 60
ANONYMOUS_ROWS_PER_WINDOW = 120
_PENDING_SECONDS = 30 * 24 * 3600  # how long an unwritten count waits for the next row
_OTHERS_KEY = "audit:anon:others"

# Anything that may be an ID number: 18 characters (17 digits and a digit or X) or the old 15 digits, written
# together, with spaces or hyphens between groups, or inside other text ("abc330781…def") — not inside a longer run
# of digits. Its digits are masked as the number's (first six and last four shown).
_ID_LIKE = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){13,16}(?:[ \-]?[0-9Xx])(?![0-9Xx])")

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


def _mask_id_like(match) -> str:
    digits = re.sub(r"[ \-]", "", match.group(0))
    return mask(digits) if len(digits) in (15, 18) else match.group(0)


def mask_text(value):
    """Mask anything that looks like an ID number (_ID_LIKE), in strings, lists and dicts alike."""
    if isinstance(value, str):
        return _ID_LIKE.sub(_mask_id_like, value)
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


def client_network(request) -> str:
    """The client as the lockout counts it (AXES_CLIENT_IP_CALLABLE): its address, an IPv6 one by its /64 — one
    client holds a whole /64, and could otherwise guess across accounts from a fresh address each time."""
    return client_address(request, network=True)


def client_address(request, *, network: bool = False) -> str:
    """The client's address: the one function that the audit log, the lockout (django-axes:
    AXES_CLIENT_IP_CALLABLE) and the throttles (django-ratelimit: RATELIMIT_IP_META_KEY) all use.

    REMOTE_ADDR, or — behind the documented reverse proxy (TRUSTED_PROXY=true) — the X-Real-IP header
    it sets from the connection; never a header the client controls otherwise. A header missing or not
    an address falls back to REMOTE_ADDR, and a request with no valid address at all is the unspecified
    address 0.0.0.0 (one shared bucket), so that no caller stores or parses garbage. Without a request: "".

    network=True: an IPv6 address reduced to its /64 (RATELIMIT_IPV6_MASK), as django-ratelimit's own
    "ip" key groups it: one client holds a whole /64.
    """
    if request is None:
        return ""
    import ipaddress

    from django.conf import settings

    meta = request.META
    candidates = [meta.get("HTTP_X_REAL_IP", "")] if getattr(settings, "TRUSTED_PROXY", False) else []
    candidates.append(meta.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(str(candidate).strip().split("%", 1)[0])
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if network and address.version == 6:
            prefix = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
            address = ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address
        return str(address)
    return "0.0.0.0"


def record(action: str, *, request=None, user=None, obj=None, username: str = "", detail=None):
    """Append one entry. `action` is one of AuditEntry.Action; `detail` a JSON-able dict of what changed
    (no content: no names, findings, reasons — see the module's docstring).

    Without `request`, the request being served (if any) gives the address and path; without `user`,
    that request's user. Returns the entry, or None for an anonymous denial only counted (aggregated).
    """
    if request is None:
        request = current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    address = client_address(request)[:64]
    detail = mask_text(_plain(detail or {}))
    if _anonymous_denial(action, authenticated, detail):
        # Keyed by the client's network (an IPv6 /64 is one client), as the throttles count it.
        detail = _aggregated(action, detail, client_address(request, network=True))
        if detail is None:
            return None
    return AuditEntry.objects.create(
        action=action,
        user=user if authenticated else None,
        username=_text(user.get_username() if authenticated else mask_text(username or ""))[:USERNAME_MAX],
        roles=",".join(sorted(roles_of(user))) if authenticated else "",
        address=address,
        path=_text(request.path if request is not None else "")[:PATH_MAX],
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_label(obj),
        detail=detail,
    )


# --------------------------------------------------------------------------- what an entry holds (no content)

def object_label(obj) -> str:
    """How an entry names its object: an account by its username, anything else by its type and id
    ("自荐表 #12") — never by str(obj), which for a nomination, a person or a roster row is a person's name."""
    if obj is None:
        return ""
    if isinstance(obj, get_user_model()):
        return _text(mask_text(obj.get_username()))[:OBJECT_REPR_MAX]
    return _text(f"{obj._meta.verbose_name} #{obj.pk}")[:OBJECT_REPR_MAX]


def event_detail(*, action: str, from_status: str = "", to_status: str = "", reason: str = "", data=None) -> dict:
    """The audit copy of a workflow event (reserve.services.record_event): what was done, not its content.

    Kept: the event's action, the statuses, that a reason was given, that it was done outside its stage's
    window, the names of the fields changed and yes/no flags. Left in the event only: the reason's text and
    every other value of its data (findings, departments, decisions, names, notes, dates)."""
    detail = {"event": action}
    if from_status or to_status:
        detail.update({"from": from_status, "to": to_status})
    if reason:
        detail["with_reason"] = True
    for key, value in (data or {}).items():
        if key == "override":
            detail["late"] = True
        elif key == "changed" and isinstance(value, (list, tuple)) and all(
                isinstance(v, str) and v.isidentifier() for v in value):
            detail["changed"] = list(value)  # field names
        elif isinstance(value, bool):
            detail[key] = value
    return detail


# --------------------------------------------------------------------------- anonymous denials, aggregated

def _anonymous_denial(action: str, authenticated: bool, detail: dict) -> bool:
    if authenticated:
        return False
    return action == AuditEntry.Action.DENIED or (
        action == AuditEntry.Action.LOGIN_FAILED and bool(detail.get("locked_out")))


def _flood_key(action: str, detail: dict, address: str) -> str:
    kind = f"{action}:{detail.get('status', '')}:{'locked' if detail.get('locked_out') else ''}"
    digest = hashlib.sha256(f"{kind}|{address}".encode()).hexdigest()[:32]
    return f"audit:anon:{digest}"


def _take(key: str) -> int:
    """The count kept under key, taken (decremented by what was read, so a concurrent increment stays)."""
    n = cache.get(key) or 0
    if n:
        cache.decr(key, n)
    return n


def _count(key: str) -> None:
    if not cache.add(key, 1, timeout=_PENDING_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=_PENDING_SECONDS)


def _aggregated(action: str, detail: dict, address: str):
    """The detail to write for an anonymous denial, or None when it is only counted (see the module's
    docstring). Any failure of the cache: the detail as it is (recorded, never lost)."""
    key = _flood_key(action, detail, address)
    try:
        if not cache.add(f"{key}:open", 1, timeout=DENIAL_WINDOW_SECONDS):
            _count(f"{key}:n")  # this address already has its row for this minute
            return None
        window = f"{_OTHERS_KEY}:open"
        cache.add(window, 0, timeout=DENIAL_WINDOW_SECONDS)
        if cache.incr(window) > ANONYMOUS_ROWS_PER_WINDOW:
            cache.delete(f"{key}:open")  # this address gets its row once the overall cap allows
            _count(f"{_OTHERS_KEY}:n")
            return None
        extra = {}
        if repeated := _take(f"{key}:n"):
            extra["repeated"] = repeated
        if others := _take(f"{_OTHERS_KEY}:n"):
            extra["others"] = others
        return {**detail, **extra}
    except Exception:  # noqa: BLE001 — the cache down (Redis unreachable): record every denial
        logger.warning("audit: the cache is unavailable, anonymous denials are recorded one by one", exc_info=True)
        return detail
