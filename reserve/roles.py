"""Roles are Django groups; this module is the one place that names them and reads them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE = "village_branch", _("村党支部")
    OFFICE = "org_office", _("镇组织办")
    DEPARTMENT = "vetting_department", _("联审部门")
    COMMITTEE = "committee_member", _("镇党委成员")
    MENTOR = "mentor", _("引路人")
    # Administrators (等保 三员分立). They run the system, not the selection: none of them is given any
    # candidate data by the selectors. The system administrator keeps accounts and organisations in the
    # admin (/admin/, a staff account); the security administrator sees and lifts login lockouts there;
    # the audit administrator reads the audit log (the audit page, URL name "audit_log", lets this role in).
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The roles that take part in the selection and see its data, each within its scope.
BUSINESS_ROLES = frozenset({Role.VILLAGE, Role.OFFICE, Role.DEPARTMENT, Role.COMMITTEE, Role.MENTOR})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


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
