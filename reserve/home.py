"""Where each account starts: every stage registers, from its AppConfig.ready(), a function that
names the start page of the accounts it serves (or None), so the core never names a stage."""

from collections.abc import Callable

_start_pages: list[Callable] = []


def register_start_page(start_page: Callable) -> None:
    """start_page(user) -> a URL (or a model instance with get_absolute_url), or None."""
    if start_page not in _start_pages:
        _start_pages.append(start_page)


def start_page_for(user):
    """The first registered start page that claims this user, in the order the apps are installed."""
    for start_page in _start_pages:
        target = start_page(user)
        if target:
            return target
    return None
