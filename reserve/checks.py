"""System checks of the encryption-at-rest settings (reserve.crypto)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import crypto


@register(Tags.security)
def check_field_encryption_keys(app_configs, **kwargs):
    """A FIELD_ENCRYPTION_KEYS entry that is not a Fernet key stops every read of an ID number."""
    return [
        Error(
            f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key.",
            hint="Generate one with: python -c \"from cryptography.fernet import Fernet; "
                 "print(Fernet.generate_key().decode())\"",
            id="reserve.E101",
        )
        for position in crypto.invalid_key_positions()
    ]


@register(Tags.security, deploy=True)
def check_development_keys(app_configs, **kwargs):
    """With DEBUG off, the ID-number keys must come from the environment, not from SECRET_KEY."""
    if settings.DEBUG:
        return []
    return [
        Warning(
            f"{name} is not set: ID numbers are protected with a key derived from SECRET_KEY.",
            hint=f"Set {name} in the environment; reserve/crypto.py says how to move a database that "
                 "already holds ID numbers to the new keys.",
            id="reserve.W101" if name == "FIELD_ENCRYPTION_KEYS" else "reserve.W102",
        )
        for name, derived in crypto.using_development_keys().items()
        if derived
    ]
