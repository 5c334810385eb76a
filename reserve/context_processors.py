from .roles import Role, roles_of


def navigation(request):
    roles = roles_of(getattr(request, "user", None))
    return {
        "is_office": Role.OFFICE in roles,
        "is_village": Role.VILLAGE in roles,
        "is_committee": Role.COMMITTEE in roles,
        "is_department": Role.DEPARTMENT in roles,
        "is_mentor": Role.MENTOR in roles,
        "role_labels": [Role(r).label for r in sorted(roles)],
    }
