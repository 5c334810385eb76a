"""Roles are Django groups; this module is the one place that names them and reads them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE = "village_branch", _("村党支部")
    OFFICE = "org_office", _("镇组织办")
    DEPARTMENT = "vetting_department", _("联审部门")
    COMMITTEE = "committee_member", _("镇党委成员")
    MENTOR = "mentor", _("引路人")


def roles_of(user) -> frozenset[str]:
    """The role codes of a user, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & frozenset(Role.values)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))
