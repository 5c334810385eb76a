"""The workflow engine: one transition table per model with a status field.

A Workflow names its model's moves (Transition: the roles that may take it and from which statuses,
the target, a guard, an effect, whether a reason is required, the button's label and its confirm
text). Two functions use the table:

- `available_actions(obj, user)`: the buttons this user may press now, each with why it is
  refused (None when it may be pressed). Guards only read.
- `perform(actor=…, pk=…, action=…)`: in one durable transaction, lock the row in the actor's scope,
  then `apply` — check the role, the source status, the reason, the version the user's form was
  drawn from and the guards; change the status; write the typed event; run the effects. Files and
  other side effects of an effect go through `transaction.on_commit`.

`apply` is for a caller that already holds the row lock in its own transaction (a department's
answer that completes a nomination's vetting).

Later stages hook into an earlier stage's table from their own AppConfig.ready() with
`add_guard(action, fn)` and `add_effect(action, fn)`: the earlier stage never names them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events
from .exceptions import ActionRefused, NotAllowed
from .scope import Scope
from .text import clean_text

REASON_MAX_LENGTH = 1000  # characters of a reason (Event.reason), however it reaches an action

# guard(obj, actor, today) -> a refusal message, or None; effect(obj, actor, today) -> None
Guard = Callable[[object, object, datetime.date], str | None]
Effect = Callable[[object, object, datetime.date], None]


@dataclass(frozen=True)
class Window:
    """The stage window of the plan in which a move is normally made (资格审查 x月x日-x月x日 …).

    Outside it the move is not refused outright: the office records why it acts out of time (an
    audited override, kept in the move's event).
    """

    stage: str
    # bounds(obj) -> (first day, last day); either may be None (open on that side)
    bounds: Callable[[object], tuple[datetime.date | None, datetime.date | None]]

    def outside(self, obj, today: datetime.date) -> str | None:
        """Why today is outside the window (a Chinese sentence), or None when it is inside."""
        from .dates import cn_date

        first, last = self.bounds(obj)
        if first and today < first:
            return _("%(s)s自%(a)s开始，今天尚未开始。") % {"s": self.stage, "a": cn_date(first)}
        if last and today > last:
            return _("%(s)s已于%(b)s截止。") % {"s": self.stage, "b": cn_date(last)}
        return None


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    target: str
    # Which roles may take it, and from which statuses each of them may.
    sources_by_role: Mapping[str, tuple] = field(default_factory=dict)
    needs_reason: bool = False
    button: str = "primary"
    # What the user is asked before an irreversible move (its consequence in words), and told after it
    # (what happened and what comes next: "已受理，下一步：发起资格联审").
    confirm: str = ""
    done: str = ""
    # The plan's stage window; outside it the move needs an override reason (Workflow.check).
    window: Window | None = None
    guard: Guard | None = None
    effect: Effect | None = None
    # manual: offered as a button on the object's page; otherwise taken from its own page (a vetting
    # answer, a committee decision). system: taken by the system as the consequence of another
    # user's action, so no role is checked.
    manual: bool = True
    system: bool = False
    # Whether the button is drawn (disabled, with the refusal) while a guard refuses it; False for a move whose
    # time comes by itself (a term's renewal): it is offered only once it may be taken.
    offered_when_refused: bool = True
    # What the user is told when the object is in none of the source statuses: a text, or a function
    # of the object; by default "当前状态为…，不能…".
    refused: str | Callable | None = None

    def allowed_sources(self, roles) -> set:
        found = set()
        for role in roles:
            found |= set(self.sources_by_role.get(role, ()))
        return found

    @property
    def all_sources(self) -> set:
        return {s for sources in self.sources_by_role.values() for s in sources}


def local_today() -> datetime.date:
    return timezone.localdate()


class Option(NamedTuple):
    """A button of an object's page: its move, why it is refused now (or None), and why it is out of its
    stage's time (or None: then pressing it needs an override reason)."""

    transition: Transition
    refusal: str | None
    late: str | None


class Workflow:
    """The transition table of one model and the two functions that read it."""

    def __init__(self, model, transitions, *, lock: Callable, status_field: str = "status",
                 version_field: str | None = None, stale_message: str = ""):
        self.model = model
        self.transitions = {t.action: t for t in transitions}
        # lock(actor, pk) -> the row, locked, in the actor's scope (NotFound outside it); in a transaction
        self.lock = lock
        self.status_field = status_field
        self.version_field = version_field
        self.stale_message = stale_message
        self._guards: dict[str, list[Guard]] = defaultdict(list)
        self._effects: dict[str, list[Effect]] = defaultdict(list)
        events.register({t.action: t.label for t in transitions})

    def __getitem__(self, action) -> Transition:
        return self.transitions[action]

    def __contains__(self, action) -> bool:
        return action in self.transitions

    def values(self):
        return self.transitions.values()

    # --- the registry of later stages ---------------------------------------------------------

    def add_guard(self, action: str, guard: Guard) -> None:
        self[action]  # an unknown action is a programming error
        if guard not in self._guards[action]:
            self._guards[action].append(guard)

    def add_effect(self, action: str, effect: Effect) -> None:
        self[action]
        if effect not in self._effects[action]:
            self._effects[action].append(effect)

    def guards(self, action) -> list[Guard]:
        own = self[action].guard
        return ([own] if own else []) + self._guards[action]

    def effects(self, action) -> list[Effect]:
        own = self[action].effect
        return ([own] if own else []) + self._effects[action]

    def refusal(self, obj, action, actor, today) -> str | None:
        """Why the guards refuse this action now (the first refusal), or None."""
        for guard in self.guards(action):
            message = guard(obj, actor, today)
            if message:
                return message
        return None

    # --- reads -------------------------------------------------------------------------------

    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def available_actions(self, obj, user, *, today=None) -> list[Option]:
        """The buttons this user may press on this object now, each with why it is refused (or None)
        and why it is out of its stage's time (or None)."""
        today = today or local_today()
        roles = Scope.for_user(user).roles
        status = self.status_of(obj)
        options = [
            Option(t, self.refusal(obj, t.action, user, today), self.outside_window(obj, t.action, today))
            for t in self.transitions.values()
            if t.manual and status in t.allowed_sources(roles)
        ]
        return [o for o in options if o.refusal is None or o.transition.offered_when_refused]

    # --- writes ------------------------------------------------------------------------------

    def check_version(self, obj, version) -> None:
        """Refuse a form drawn from an older version of the row (another user changed it since)."""
        if self.version_field and version is not None and int(version) != getattr(obj, self.version_field):
            raise ActionRefused(self.stale_message or _("内容已被他人更新，请刷新页面后再操作。"))

    def outside_window(self, obj, action: str, today=None) -> str | None:
        """Why this move is out of its stage's time today (the override it then needs), or None."""
        window = self[action].window
        return window.outside(obj, today or local_today()) if window else None

    def check(self, obj, action: str, *, actor, reason: str = "", today=None, version=None,
              override: str = "") -> Transition:
        """Everything apply() checks before the move — role, version, source status, reason, guards —
        for a caller that must refuse before it writes anything else (a department's findings).

        Raises NotAllowed for a role that may never take this action and ActionRefused (with a
        Chinese message) for anything not allowed now.
        """
        transition = self.transitions.get(action)
        if transition is None:
            raise ActionRefused(_("未知操作。"))
        if transition.system:
            sources = transition.all_sources
        else:
            sources = transition.allowed_sources(Scope.for_user(actor).roles)
            if not sources:
                raise NotAllowed
        self.check_version(obj, version)
        if self.status_of(obj) not in sources:
            raise ActionRefused(self.refused_message(obj, transition))
        if transition.needs_reason and not clean_text(reason):
            raise ActionRefused(_("请填写%(a)s理由。") % {"a": transition.label})
        if max(len(reason or ""), len(override or "")) > REASON_MAX_LENGTH:
            raise ActionRefused(_("理由不能超过%(n)d字。") % {"n": REASON_MAX_LENGTH})
        late = self.outside_window(obj, action, today)
        if late and not clean_text(override):
            raise ActionRefused(late + _("如确需在规定时间外%(a)s，请填写理由（记入办理记录）。") % {"a": transition.label})
        refusal = self.refusal(obj, action, actor, today or local_today())
        if refusal:
            raise ActionRefused(refusal)
        return transition

    def apply(self, obj, action: str, *, actor, reason: str = "", today=None, data=None, version=None,
              event_subject=None, override: str = ""):
        """Move a locked row along one transition (after check()) and write its event (the caller
        holds the lock). An override reason for acting outside the stage's window is kept in the
        event's data (and so in the audit log)."""
        today = today or local_today()
        reason = clean_text(reason)
        override = clean_text(override)
        transition = self.check(obj, action, actor=actor, reason=reason, today=today, version=version,
                                override=override)
        late = self.outside_window(obj, action, today)
        if late:
            data = {**(data or {}), "override": {"reason": override, "window": late}}
        before = self.status_of(obj)
        setattr(obj, self.status_field, transition.target)
        update = [self.status_field]
        if self.version_field:
            setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
            update.append(self.version_field)
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            update.append("updated_at")
        obj.save(update_fields=update)
        from .services import record_event

        record_event(event_subject or obj, action=action, actor=actor, from_status=before,
                     to_status=transition.target, reason=reason, data=data)
        for effect in self.effects(action):
            effect(obj, actor, today)
        return obj

    def perform(self, *, actor, pk, action: str, reason: str = "", today=None, data=None, version=None,
                override: str = ""):
        """Run one manual action as its own durable transaction (a button on the object's page)."""
        transition = self.transitions.get(action)
        if transition is None or not transition.manual:
            raise ActionRefused(_("未知操作。"))
        with transaction.atomic(durable=True):
            obj = self.lock(actor, pk)
            return self.apply(obj, action, actor=actor, reason=reason, today=today, data=data, version=version,
                              override=override)

    def can(self, obj, action: str, user, *, today=None) -> bool:
        """Whether this user may take this action on this object now (role, status and guards)."""
        transition = self.transitions[action]
        sources = transition.all_sources if transition.system else transition.allowed_sources(
            Scope.for_user(user).roles)
        return self.status_of(obj) in sources and not self.refusal(obj, action, user, today or local_today())

    def refused_message(self, obj, transition) -> str:
        if callable(transition.refused):
            return transition.refused(obj)
        if transition.refused:
            return str(transition.refused)
        return _("当前状态为“%(s)s”，不能%(a)s。") % {"s": self.status_label(self.status_of(obj)), "a": transition.label}

    def status_label(self, value) -> str:
        field_ = self.model._meta.get_field(self.status_field)
        return dict(field_.flatchoices).get(value, value)
