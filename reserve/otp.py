"""The optional second factor: a TOTP authenticator app (django-otp), after the password.

A user may enrol one app (reserve.views_otp.otp_setup); from then on every session asks for its code
after the password (reserve.middleware.SecondFactorMiddleware). A town can require it of its
organisation office's accounts (Town.require_otp_for_office).
"""

from base64 import b32encode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import Role, roles_of

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
    """A user with an authenticator app who has not given its code in this session."""
    return not is_verified(user) and has_confirmed_device(user)


def office_requires_otp(user) -> bool:
    """The user is an organisation office account of a town that requires the second factor."""
    if Role.OFFICE not in roles_of(user) or not user.town_id:
        return False
    return bool(user.town.require_otp_for_office)


def needs_enrolment(user) -> bool:
    """Required to use a second factor and not verified with one (so: none enrolled yet)."""
    return not is_verified(user) and office_requires_otp(user)


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
