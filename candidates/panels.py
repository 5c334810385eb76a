"""What later stages add to selection's pages — cards on a nomination's page (the vetting answers,
the inspection link), buttons on a round's page (the negative list, the vetting ledger) — registered
from their own AppConfig.ready(), so that selection never names a later stage."""

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


@dataclass(frozen=True)
class RoundLink:
    label: str
    url_name: str  # reversed with the round's id
    roles: frozenset


_round_links: list[RoundLink] = []


def register_round_link(label, url_name: str, roles) -> None:
    """A button on a round's page that leads to a later stage's page of that round."""
    if all(link.url_name != url_name for link in _round_links):
        _round_links.append(RoundLink(label, url_name, frozenset(roles)))


def round_links(round_, user) -> list[tuple[str, str]]:
    """(label, address) of each registered link of a round this user's roles may follow."""
    from django.urls import reverse

    from reserve.scope import Scope

    scope = Scope.for_user(user)
    return [(link.label, reverse(link.url_name, args=[round_.pk])) for link in _round_links if scope.has(*link.roles)]
