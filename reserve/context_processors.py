from .roles import Role, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    roles = roles_of(user)
    return {
        "is_office": Role.OFFICE in roles,
        "is_village": Role.VILLAGE in roles,
        "is_committee": Role.COMMITTEE in roles,
        "is_department": Role.DEPARTMENT in roles,
        "is_mentor": Role.MENTOR in roles,
        "is_unit": Role.UNIT in roles,
        "is_system_admin": Role.SYSTEM_ADMIN in roles,
        "is_security_admin": Role.SECURITY_ADMIN in roles,
        "is_audit_admin": Role.AUDIT_ADMIN in roles,
        "role_labels": [Role(r).label for r in sorted(roles)],
    }
