"""Roles are Django groups; this module is the one place that names them and reads them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE = "village_branch", _("村党支部")
    OFFICE = "org_office", _("镇组织办")
    DEPARTMENT = "vetting_department", _("联审部门")
    COMMITTEE = "committee_member", _("镇党委成员")
    MENTOR = "mentor", _("引路人")
    # The head of a unit whose staff are in the pool (机关科室, 站所, enterprise …): its own reserves only.
    UNIT = "unit_head", _("单位（科室、站所、企业）")
    # Administrators (等保 三员分立). They run the system, not the selection: none of them is given any
    # candidate data by the selectors. The system administrator keeps accounts and organisations in the
    # admin (/admin/, a staff account); the security administrator sees and lifts login lockouts there;
    # the audit administrator reads the audit log (the audit page, URL name "audit_log", lets this role in).
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The roles that take part in the selection and see its data, each within its scope.
BUSINESS_ROLES = frozenset({Role.VILLAGE, Role.OFFICE, Role.DEPARTMENT, Role.COMMITTEE, Role.MENTOR, Role.UNIT})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The administrators who work in the admin (/admin/): their accounts are staff, and no other account is.
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


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


def role_label(code) -> str:
    """A role by its Chinese label; a code that names no role as it is."""
    return str(Role(code).label) if code in Role.values else str(code)


def _labels(codes) -> str:
    return "、".join(role_label(code) for code in sorted(codes))


# Account names attackers try first: no account may take one (the admin's forms, create_admin).
RESERVED_USERNAMES = frozenset({"admin", "root", "administrator", "superuser", "sa", "system", "test", "guest"})


def username_refusal(username: str) -> str:
    """Why an account may not be named so ("" if it may)."""
    if (username or "").strip().lower() in RESERVED_USERNAMES:
        return gettext("“%(n)s”是攻击者首先尝试的默认账号名，请换一个。") % {"n": username.strip()}
    return ""


def role_conflict(codes) -> str:
    """Why one account may not hold these roles together ("" when it may).

    三员分立: each administrator's role is held alone — not with another administrator's, nor with any role of
    the selection (office, village, department, committee, mentor …). Codes that name no role are ignored.
    """
    codes = frozenset(str(c) for c in codes) & frozenset(Role.values)
    admins = codes & ADMIN_ROLES
    if len(admins) > 1:
        return gettext("系统管理员、安全管理员、审计管理员的职责相互分离，一个账号只能担任其中一个（所选：%(roles)s）。") % {
            "roles": _labels(admins)}
    if admins and codes - admins:
        return gettext("管理员角色（%(admin)s）不能与业务角色（%(others)s）授予同一个账号，请为业务另建账号。") % {
            "admin": _labels(admins), "others": _labels(codes - admins)}
    return ""


def check_roles(codes) -> None:
    """Refuse (ValidationError) a combination of roles one account may not hold."""
    message = role_conflict(codes)
    if message:
        raise ValidationError(message, code="role_conflict")


def refuse_conflicting_roles(sender, instance, action, reverse, model, pk_set, **kwargs):
    """The same rule for every write of the accounts' groups (m2m_changed of User.groups, connected in
    reserve.models): whatever adds a role — a form, a changelist action, code, `groups.add` from either
    side — is refused before the row is written."""
    if action != "pre_add" or not pk_set:
        return
    if not reverse:  # instance: a user; pk_set: groups
        names = set(instance.groups.values_list("name", flat=True))
        names |= set(model.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        check_roles(names)
        return
    for user in model.objects.filter(pk__in=pk_set).prefetch_related("groups"):  # instance: a group
        check_roles({g.name for g in user.groups.all()} | {instance.name})
