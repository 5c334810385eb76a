"""Typed event kinds: each app declares its kinds as an EventKind enum with their Chinese labels
beside them and registers it (the workflow engine registers the actions of every transition table
itself). `label(kind)` is what a timeline shows."""

from django.db import models

_labels: dict[str, str] = {}


class EventKind(models.TextChoices):
    """Base of every app's enum of event kinds (a value is what Event.action stores)."""


def register(kinds) -> None:
    """Register an EventKind enum (or a mapping of kind -> label); a kind is owned by one app, and the
    first registration of a kind is the one kept."""
    items = kinds.items() if isinstance(kinds, dict) else ((k.value, k.label) for k in kinds)
    for value, label in items:
        _labels.setdefault(value, label)


def label(kind: str) -> str:
    """The Chinese label of an event kind; the kind itself for one nobody registered."""
    return _labels.get(kind, kind)
