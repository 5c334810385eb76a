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


# links(village, user) -> [(label, address)] under the 两委 roster of a village's page (the pool's 两委 vacancies).
_village_links: list[Callable] = []


def register_village_links(links: Callable) -> None:
    if links not in _village_links:
        _village_links.append(links)


def village_links(village, user) -> list[tuple[str, str]]:
    """(label, address) of what later stages offer under a village's 两委 roster, for this user."""
    return [link for links in _village_links for link in links(village, user)]


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


# Events of a nomination's timeline that only the office reads in full: joint vetting's answers and the office's
# decisions on them, whose reasons quote the findings and whose actors (the departments' clerks) say which
# department answered. Another role (the village branch, the committee) sees a "hidden" event not at all, and
# any other of them without its reason and its actor: it sees that the person did not pass vetting, not why.
_office_only_events: dict[str, bool] = {}


def register_office_only_event(action: str, *, hidden: bool = False) -> None:
    _office_only_events[action] = _office_only_events.get(action, False) or hidden


def office_only_event(action: str) -> bool | None:
    """None: an event every reader of the nomination sees in full; True: hidden from all but the office; False:
    shown to the others without its reason and actor."""
    return _office_only_events.get(action)


# The nomination's own steps of joint vetting: the office's reasons quote the departments' findings.
register_office_only_event("disqualify")
register_office_only_event("reopen_vetting")
# The office's correction of a person's identity: the others see that it was made, not the old and new values
# (nor who made it).
register_office_only_event("identity_correct")


# The page of the pool where a person who entered it from a nomination is managed now (registered by the pool):
# page(nomination) -> its address, or "" when the nomination's person is not (or no longer) in the pool.
_pool_pages: list[Callable] = []


def register_pool_page(page: Callable) -> None:
    if page not in _pool_pages:
        _pool_pages.append(page)


def pool_page_for(nomination) -> str:
    """The address of the pool's page of the reserve this nomination became ("" if none)."""
    if nomination is None:
        return ""
    for page in _pool_pages:
        url = page(nomination)
        if url:
            return url
    return ""
