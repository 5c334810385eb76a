from django.utils.functional import SimpleLazyObject

from reserve.roles import roles_of

from .selectors import current_round_for_menu


def current_round(request):
    """The open round of the user's town, for the navigation (read only if a page uses it; cached a short while)."""
    user = getattr(request, "user", None)
    return {"current_round": SimpleLazyObject(lambda: current_round_for_menu(user)) if roles_of(user) else None}
