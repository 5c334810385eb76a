"""What every signed-in request reads about its account — its roles, its scope, whether it has an authenticator app,
whether a second factor is required of it — and the menu's data (the current round), kept in the cache for a short
while instead of being read afresh with four to six queries on every request (issue 13 §2).

The cached facts stay correct after a change:
- the account's own row (town, village, department, unit, superuser, active) is read on every request anyway: the
  facts are rebuilt when it differs from the row they were built from — an `update()` that sends no signal too;
- a change of an account's roles (User.groups, from either side) or authenticator apps (TOTPDevice) gives that
  account a new token, and a change of a town, village, department, unit or group, of the settings the second
  factor reads, or of whatever a stage registers with `forget_on_change` (candidates: rounds, for the menu) a new
  generation to everyone: the facts built under the old ones are rebuilt on the next request. Both are renewed when
  the change is made and again when its transaction commits, so that a request that read the rows in between (or
  that writes its facts back late) cannot keep the old facts.
With the cache every app process shares (REDIS_URL, production) a change holds from the next request on, on every
server. With a per-process memory cache (no REDIS_URL: the one-process setup) a change made by another process
(a manage.py command) holds within FACTS_TTL seconds — as does a change that sends no signal (rows of User.groups
written through its table rather than through user.groups or group.user_set, an update() of a town).
"""

import uuid

from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

FACTS_TTL = 60  # seconds
_GENERATION = "user-facts:generation"
# The settings the facts are built from (reserve.otp.requirement).
_SETTINGS = frozenset({"REQUIRE_OTP_FOR_ADMINS"})


def _key(user_id) -> str:
    return f"user-facts:{user_id}"


def _token_key(user_id) -> str:
    return f"user-facts-token:{user_id}"


def _fingerprint(user) -> tuple:
    """The fields of the account's own row the facts are built from."""
    return (user.town_id, user.village_id, user.department_id, user.unit_id, user.is_superuser, user.is_active)


def _build(user, generation: tuple) -> dict:
    from .otp import has_confirmed_device, otp_required
    from .roles import roles_of
    from .scope import Scope

    return {
        "generation": generation, "fingerprint": _fingerprint(user), "roles": roles_of(user),
        "scope": Scope.for_user(user), "device": has_confirmed_device(user), "otp_required": otp_required(user),
        "menu": {},
    }


def facts_of(user) -> dict:
    """The facts of a signed-in account, once per request object: from the cache, or built and cached. The roles
    and the scope are put on the user object, where reserve.roles.roles_of and Scope.for_user look first."""
    facts = getattr(user, "_facts", None)
    if facts is not None:
        return facts
    found = cache.get_many([_GENERATION, _token_key(user.pk), _key(user.pk)])
    generation = (found.get(_GENERATION, ""), found.get(_token_key(user.pk), ""))
    facts = found.get(_key(user.pk))
    if not facts or facts["generation"] != generation or facts["fingerprint"] != _fingerprint(user):
        facts = _build(user, generation)
        cache.set(_key(user.pk), facts, FACTS_TTL)
    user._role_cache = facts["roles"]
    user._scope = facts["scope"]
    user._facts = facts
    return facts


def remembered(user, name: str, compute):
    """A value of the menu for this account (`compute()` once, then from the cache with the account's facts)."""
    facts = facts_of(user)
    menu = facts["menu"]
    if name not in menu:
        menu[name] = compute()
        cache.set(_key(user.pk), facts, FACTS_TTL)  # an old generation stays old: written back, it is not used
    return menu[name]


def _renew(key: str) -> None:
    """A new token under `key`: now, and again when the current transaction commits."""
    cache.set(key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def forget_everyone() -> None:
    """Every account's facts are rebuilt on its next request."""
    _renew(_GENERATION)


def forget_account(user_id) -> None:
    """This account's facts are rebuilt on its next request."""
    _renew(_token_key(user_id))


def _forget(**kwargs) -> None:
    forget_everyone()


def _forget_device_owner(instance, **kwargs) -> None:
    forget_account(instance.user_id)


def _forget_on_roles(action, instance, reverse, pk_set, **kwargs) -> None:
    """User.groups changed: from the account's side (user.groups.add), that account; from a group's side
    (group.user_set.add), the accounts named — everyone's when they are not (clear)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        forget_account(instance.pk)
    elif pk_set:
        for pk in pk_set:
            forget_account(pk)
    else:
        forget_everyone()


def _forget_on_setting(setting, **kwargs) -> None:
    if setting in _SETTINGS:
        cache.set(_GENERATION, uuid.uuid4().hex, None)  # not a database change: no transaction to wait for


def forget_on_change(*models) -> None:
    """Everyone's facts are forgotten when a row of one of these models is saved or deleted."""
    for model in models:
        uid = f"user-facts-{model._meta.label}"
        post_save.connect(_forget, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(_forget, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


def connect() -> None:
    """Connect the receivers that keep the facts correct (reserve.apps.ReserveConfig.ready)."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import Department, Town, Unit, User, Village

    forget_on_change(Town, Village, Department, Unit, Group)
    post_save.connect(_forget_device_owner, sender=TOTPDevice, dispatch_uid="user-facts-device-save", weak=False)
    post_delete.connect(_forget_device_owner, sender=TOTPDevice, dispatch_uid="user-facts-device-delete", weak=False)
    m2m_changed.connect(_forget_on_roles, sender=User.groups.through, dispatch_uid="user-facts-roles", weak=False)
    setting_changed.connect(_forget_on_setting, dispatch_uid="user-facts-settings", weak=False)
