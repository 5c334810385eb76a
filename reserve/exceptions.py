"""The domain's refusals, raised by services and selectors, never tied to HTTP.

One place maps them to answers (reserve.middleware.DomainErrorMiddleware): NotFound → 404 (the same
answer for "no such object" and "not yours"), NotAllowed → 403; a view that holds a form catches
ActionRefused and shows its message there.
"""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A refusal of the domain; `message` is what the user is told, in Chinese."""

    def __init__(self, message=""):
        super().__init__(message)
        self.message = message


class ActionRefused(DomainError):
    """An action that may not run now (wrong status, a guard, a stale form); the message says why."""


class NotFound(DomainError):
    """No such object in the actor's scope (answered 404 whether it does not exist or is not theirs)."""


class NotAllowed(DomainError, PermissionDenied):
    """The actor's role may never take this action (answered 403). Also a PermissionDenied, so that
    code written against Django's own refusal keeps working."""
