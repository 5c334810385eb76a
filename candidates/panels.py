"""Cards that later stages add to a nomination's page (the vetting answers, the inspection link),
registered from their own AppConfig.ready(), so that selection never names a later stage."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    # context(nomination, user) -> the panel's context for this user, or None to leave it out.
    context: Callable


_panels: list[Panel] = []


def register_nomination_panel(template: str, context: Callable) -> None:
    if all(p.template != template for p in _panels):
        _panels.append(Panel(template, context))


def nomination_panels(nomination, user) -> list[tuple[str, dict]]:
    """(template, context) of each registered panel this user is shown, in the order of registration."""
    found = []
    for panel in _panels:
        context = panel.context(nomination, user)
        if context is not None:
            found.append((panel.template, context))
    return found
