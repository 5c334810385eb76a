"""The role layer of permissions; object scope is in the selectors."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import has_role


def role_required(*roles):
    """Refuse (403) a logged-in user who has none of these roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
