"""The optional second factor: a TOTP authenticator app (django-otp), after the password.

A user may enrol one app (reserve.views_otp.otp_setup); from then on every session asks for its code
after the password (reserve.middleware.SecondFactorMiddleware). It is required (`requirement`) of:
- the three administrators (and any superuser) when settings.REQUIRE_OTP_FOR_ADMINS is on (by default
  wherever HTTPS=true, i.e. in production);
- a town's organisation office (Town.require_otp_for_office) and its vetting departments
  (Town.require_otp_for_departments), as the town chooses in the admin.
Such an account is sent to enrol before anything else and cannot remove its app.
"""

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ADMIN_ROLES, Role, roles_of

DEVICE_NAME = "authenticator"


def is_verified(user) -> bool:
    """Whether this session's user gave a code of a confirmed device (set by django_otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def unverified_device_user(user) -> bool:
    """A user with an authenticator app who has not given its code in this session (whether the account has one:
    from its cached facts, reserve.request_facts, renewed when a device changes)."""
    from .request_facts import facts_of

    return not is_verified(user) and facts_of(user)["device"]


def _town_of(user):
    if user.town_id:
        return user.town
    if getattr(user, "department_id", None):
        return user.department.town
    return None


def requirement(user) -> str:
    """Who requires this user to use a second factor, as the pages say it ("" when nobody does)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    roles = roles_of(user)
    if (roles & ADMIN_ROLES or user.is_superuser) and getattr(settings, "REQUIRE_OTP_FOR_ADMINS", False):
        return _("系统要求管理员账号使用两步验证")
    town = _town_of(user) if roles & {Role.OFFICE, Role.DEPARTMENT} else None
    if town is not None:
        if Role.OFFICE in roles and town.require_otp_for_office:
            return _("本镇要求组织办账号使用两步验证")
        if Role.DEPARTMENT in roles and town.require_otp_for_departments:
            return _("本镇要求联审部门账号使用两步验证")
    return ""


def otp_required(user) -> bool:
    return bool(requirement(user))


def needs_enrolment(user) -> bool:
    """Required to use a second factor and not verified with one (so: none enrolled yet); whether it is required:
    from the account's cached facts (reserve.request_facts)."""
    from .request_facts import facts_of

    return not is_verified(user) and facts_of(user)["otp_required"]


def pending_device(user) -> TOTPDevice:
    """The user's device being enrolled (not yet confirmed by a code): the same one until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def check_token(device, token: str) -> tuple[bool, bool]:
    """(accepted, throttled): verify a code against one device, under a row lock so that two
    concurrent requests cannot both use one code; a code is accepted once only (django-otp keeps the
    last time step used), and repeated failures make the next try wait (1, 2, 4 … seconds)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _info = locked.verify_is_allowed()
        if not allowed:
            return False, True
        accepted = locked.verify_token(token)
    if accepted:
        device.refresh_from_db()
    return accepted, False


def enrol(device) -> None:
    """Confirm a pending device; any other device of the user is removed (one app per account)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def remove_devices(user) -> int:
    return TOTPDevice.objects.filter(user=user).delete()[0]
