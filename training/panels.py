"""What the pool's cultivation adds to a reserve's page — cards (tasks, courses, talks …) and entries of the
reserve's history in time order — registered from the later apps' AppConfig.ready(), so that the pool never
names them."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    # context(reserve, user) -> the panel's context for this user, or None to leave it out.
    context: Callable


@dataclass(frozen=True)
class TimelineItem:
    """One thing recorded about a reserve, for the history of their page (newest last)."""

    when: datetime.date | datetime.datetime
    label: str  # what kind of record (谈心谈话, 实践锻炼任务 …)
    text: str  # one line: what it was
    url: str = ""
    actor: str = ""  # who recorded it, where the record says


def when_key(when) -> tuple:
    """The sort key of a moment in a reserve's history: a day sorts before the times of that day; a time by the
    town's clock (a talk at 07:00 Beijing time is on its Beijing day)."""
    if isinstance(when, datetime.datetime):
        from django.utils import timezone

        local = timezone.localtime(when) if timezone.is_aware(when) else when
        return (local.date(), local.time())
    return (when, datetime.time.min)


def read_once(reserve, key, read: Callable):
    """What `read()` returns, read once per reserve object: a page's panels, its history's sources and the
    one-person file share one read of the same records (key: what is read, with the user when it is scoped)."""
    reads = reserve.__dict__.setdefault("_panel_reads", {})
    if key not in reads:
        reads[key] = read()
    return reads[key]


def was_read(reserve, key) -> bool:
    """Whether read_once has already read `key` for this reserve object."""
    return key in reserve.__dict__.get("_panel_reads", {})


_panels: list[Panel] = []
# source(reserve, user) -> list[TimelineItem] the user may see
_timeline_sources: list[Callable] = []
# Kinds of the reserve's own events a source already shows (its records say more than the event): the history
# lists the record, not the event as well.
_covered_kinds: set[str] = set()


def register_reserve_panel(template: str, context: Callable) -> None:
    if all(p.template != template for p in _panels):
        _panels.append(Panel(template, context))


def reserve_panels(reserve, user) -> list[tuple[str, dict]]:
    """(template, context) of each registered panel this user is shown, in the order of registration."""
    found = []
    for panel in _panels:
        context = panel.context(reserve, user)
        if context is not None:
            found.append((panel.template, context))
    return found


def register_timeline_source(source: Callable, *, covers=()) -> None:
    """A source of a reserve's history; `covers`: the kinds of events on the reserve its items stand for."""
    if source not in _timeline_sources:
        _timeline_sources.append(source)
    _covered_kinds.update(str(kind) for kind in covers)


# Records of a reserve whose own events its history shows (an adjustment's moves …): subjects(reserve, user) ->
# (model, ids of the records whose events this user's history shows) or None; their events are read with the
# reserve's own in one query (training.selectors.subject_events).
_event_subjects: list[Callable] = []


def register_event_subjects(subjects: Callable) -> None:
    if subjects not in _event_subjects:
        _event_subjects.append(subjects)


def event_subjects(reserve, user) -> list[tuple[type, list[int]]]:
    """(model, ids) of each registered kind of record whose events this user's history of the reserve shows."""
    found = []
    for subjects in _event_subjects:
        pair = subjects(reserve, user)
        if pair is not None and pair[1]:
            found.append((pair[0], list(pair[1])))
    return found


def covered_event_kinds() -> frozenset[str]:
    """The kinds of a reserve's events that a registered source already shows in the history."""
    return frozenset(_covered_kinds)


def timeline_items(reserve, user) -> list[TimelineItem]:
    """Everything the registered sources record about a reserve, that this user may see, oldest first."""
    items = [item for source in _timeline_sources for item in source(reserve, user)]
    return sorted(items, key=lambda item: when_key(item.when))


# Marks beside a reserve's name on the pool list (优先使用, 考核靠后 …): marks(reserve_ids, user) ->
# {reserve_id: [(label, css class, title)]}, called once per page with the ids of the page's rows.
_pool_marks: list[Callable] = []


def register_pool_marks(marks: Callable) -> None:
    if marks not in _pool_marks:
        _pool_marks.append(marks)


def pool_marks(reserve_ids, user) -> dict[int, list[tuple[str, str, str]]]:
    """The registered marks of these reserves for this user, in the order of registration (one call per source)."""
    ids = list(reserve_ids)
    found: dict[int, list[tuple[str, str, str]]] = {}
    if not ids:
        return found
    for marks in _pool_marks:
        for reserve_id, items in (marks(ids, user) or {}).items():
            found.setdefault(reserve_id, []).extend(items)
    return found
