from django.utils.functional import SimpleLazyObject

from reserve.roles import roles_of

from .selectors import current_round as current_round_of


def current_round(request):
    """The open round of the user's town, for the navigation (read only if a page uses it)."""
    user = getattr(request, "user", None)
    return {"current_round": SimpleLazyObject(lambda: current_round_of(user)) if roles_of(user) else None}
