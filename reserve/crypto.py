"""Encryption at rest of ID numbers (issue 5 §9) and of the uploaded ID-card copies (issue 10 §13), with the
`cryptography` package's Fernet.

Two keys come from the environment (read in settings.py):

  FIELD_ENCRYPTION_KEYS  comma-separated Fernet keys (`Fernet.generate_key()`). The first encrypts,
                         every one decrypts (MultiFernet). To rotate: put a new key first, deploy,
                         run `manage.py rotate_encryption_keys` (re-encrypts every row with the first
                         key), then drop the old key.
  ID_HASH_KEY            the secret of the keyed hash (HMAC-SHA256, hex) of the normalised number,
                         stored beside the ciphertext: the only way a number is found or kept unique.
                         Changing it needs `rotate_encryption_keys` at once, which re-hashes every row
                         (the numbers are decrypted for it); until then no number is found again.

Unset (a local run, the tests), both are derived from SECRET_KEY so that a development database
stays readable from run to run. Such keys change with SECRET_KEY and are as secret as it is:
`check --deploy` warns about them (reserve.checks), and production sets both variables. To move a
database written with the derived keys: print the derived encryption key once
(`manage.py shell -c "from reserve import crypto; print(crypto.development_encryption_key())"`), set
FIELD_ENCRYPTION_KEYS=<new key>,<derived key> and ID_HASH_KEY=<new secret>, run
`rotate_encryption_keys` (re-encrypts and re-hashes every row), then drop the derived key.
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .idnumber import normalise

_DEV_ENCRYPTION_LABEL = b"reserve.crypto:field-encryption:development"
_DEV_HASH_LABEL = b"reserve.crypto:id-hash:development"


class DecryptionError(Exception):
    """A stored value that none of the configured keys opens (a key was dropped too early, or is wrong)."""


def _derived(label: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).digest()


def development_encryption_key() -> str:
    """The Fernet key used when FIELD_ENCRYPTION_KEYS is unset: derived from SECRET_KEY."""
    return base64.urlsafe_b64encode(_derived(_DEV_ENCRYPTION_LABEL)).decode()


def using_development_keys() -> dict[str, bool]:
    """Which of the two keys fall back to the SECRET_KEY-derived development value."""
    return {
        "FIELD_ENCRYPTION_KEYS": not _configured_keys(),
        "ID_HASH_KEY": not getattr(settings, "ID_HASH_KEY", ""),
    }


def _configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str):
        keys = keys.split(",")
    return tuple(k.strip() for k in keys if k and k.strip())


def encryption_keys() -> tuple[str, ...]:
    """The Fernet keys in force, the encrypting one first."""
    return _configured_keys() or (development_encryption_key(),)


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as e:
        # Never echo a key: say which position is wrong.
        bad = next((i for i, k in enumerate(keys, 1) if not _valid_fernet_key(k)), "?")
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {bad} is not a Fernet key (32 bytes, URL-safe base64)."
        ) from e


def _valid_fernet_key(key: str) -> bool:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


def invalid_key_positions() -> list[int]:
    """1-based positions of configured FIELD_ENCRYPTION_KEYS that are not Fernet keys (for the checks)."""
    return [i for i, k in enumerate(_configured_keys(), 1) if not _valid_fernet_key(k)]


def fernet() -> MultiFernet:
    return _multi_fernet(encryption_keys())


def encrypt(plain: str) -> str:
    """A Fernet token (text) of the value; a new random token each call."""
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "An encrypted value could not be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed before rotate_encryption_keys ran?)."
        ) from None


def rotate(token: str) -> str:
    """The same value re-encrypted with the first key (MultiFernet.rotate)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("An encrypted value could not be decrypted with FIELD_ENCRYPTION_KEYS.") from None


# --- files (the uploaded ID-card copies): the same keys, the whole file one Fernet token --------------------------

# Every Fernet token starts with these bytes (the version byte 0x80 and a timestamp's leading zero bytes, in URL-safe
# base64); no JPEG, PNG or PDF does, so a stored file says by its first bytes whether it is encrypted.
FERNET_FILE_PREFIX = b"gAAAAA"


def is_encrypted_file(data: bytes) -> bool:
    return data.startswith(FERNET_FILE_PREFIX)


def encrypt_file(data: bytes) -> bytes:
    """The file's bytes as one Fernet token (with the first key)."""
    return fernet().encrypt(data)


def decrypt_file(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError(
            "An encrypted file could not be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed before rotate_encryption_keys ran?)."
        ) from None


def rotate_file(token: bytes) -> bytes:
    """The same file re-encrypted with the first key."""
    try:
        return fernet().rotate(token)
    except InvalidToken:
        raise DecryptionError("An encrypted file could not be decrypted with FIELD_ENCRYPTION_KEYS.") from None


def hash_key() -> bytes:
    key = getattr(settings, "ID_HASH_KEY", "")
    return key.encode() if key else _derived(_DEV_HASH_LABEL)


def id_hash(number: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of the normalised ID number under ID_HASH_KEY."""
    return hmac.new(hash_key(), normalise(number).encode(), hashlib.sha256).hexdigest()
