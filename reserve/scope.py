"""The scope object: what an actor may see and act on, decided in one place.

Each role is bound to a unit — the office and the committee to their town, a village branch to its
village, a department's clerk to the department, a unit's head to the unit, a mentor to their own account — and each model
declares once, per role, the path from a row to that unit:

    declare(Nomination, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town", Role.VILLAGE: "village"})

`Scope.for_user(user)` (and `request.scope`, built once per request) then answers for every
declared model: `scope.filter(queryset)` keeps the rows the actor may see, `scope.get(queryset, pk)`
finds one or raises NotFound (the same for "no such row" and "not yours"), `scope.require(obj)`
refuses an object outside the scope, and `scope.require_role(...)` a role that may never act.
A rule for a new role or model is one entry in the declaration of that model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .exceptions import NotAllowed, NotFound
from .roles import ADMIN_ROLES, Role, roles_of

# The unit each role is bound to; the value is the name of the Scope attribute holding its id.
ROLE_UNITS = {
    Role.OFFICE: "town_id",
    Role.COMMITTEE: "town_id",
    Role.VILLAGE: "village_id",
    Role.DEPARTMENT: "department_id",
    Role.MENTOR: "user_id",
    Role.UNIT: "unit_id",
}

# model -> {role: [(path from a row to a unit ("" when the row is the unit itself), the Scope attribute
# holding that unit's id), ...]}
_rules: dict[type, dict[str, list[tuple[str, str]]]] = {}


def declare(model, paths_by_role: dict) -> None:
    """Declare, for one model, which roles see its rows and through which path.

    A path alone leads to the role's own unit (ROLE_UNITS); a pair (path, "town_id") leads to
    another unit of the actor, e.g. the rounds of a village branch's town; a list of them is any of
    several paths (an account belongs to a town directly or through its village or department).
    """
    unknown = set(paths_by_role) - set(ROLE_UNITS)
    if unknown:
        raise ValueError(f"roles without a unit: {sorted(unknown)}")

    def entries(role, entry):
        items = entry if isinstance(entry, list) else [entry]
        return [(item, ROLE_UNITS[role]) if isinstance(item, str) else tuple(item) for item in items]

    _rules[model] = {role: entries(role, entry) for role, entry in paths_by_role.items()}


def rule_for(model) -> dict[str, list[tuple[str, str]]]:
    try:
        return _rules[model]
    except KeyError:
        raise LookupError(f"no scope declared for {model.__name__}") from None


def _column(path: str) -> str:
    """The lookup of the unit's id: "round__town" -> "round__town_id", "" -> "pk"."""
    return f"{path}_id" if path else "pk"


def _walk(obj, path: str):
    """The id of the unit at the end of a path from an object (follows loaded relations)."""
    if not path:
        return obj.pk
    *relations, last = path.split("__")
    for name in relations:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


@dataclass(frozen=True)
class Scope:
    roles: frozenset = field(default_factory=frozenset)
    user_id: int | None = None
    town_id: int | None = None
    village_id: int | None = None
    department_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def for_user(cls, user) -> Scope:
        """The scope of an account, built once and kept on the user object."""
        cached = getattr(user, "_scope", None)
        if cached is not None:
            return cached
        roles = roles_of(user)
        if not roles:
            scope = cls()
        else:
            village = user.village if user.village_id else None
            department = user.department if user.department_id else None
            unit = user.unit if user.unit_id else None
            # The town of an account: its own, else its village's, department's or unit's.
            town_id = user.town_id or (village.town_id if village else None) or (
                department.town_id if department else None) or (unit.town_id if unit else None)
            scope = cls(roles=roles, user_id=user.pk, town_id=town_id, village_id=user.village_id,
                        department_id=user.department_id, unit_id=user.unit_id)
        if getattr(user, "is_authenticated", False):
            user._scope = scope
        return scope

    # --- roles -------------------------------------------------------------------------------

    def has(self, *roles) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_business(self) -> bool:
        """A role of the selection and the pool (the administrators see no candidate data)."""
        return bool(self.roles - ADMIN_ROLES)

    def require_role(self, *roles) -> None:
        if not self.has(*roles):
            raise NotAllowed

    # --- objects -----------------------------------------------------------------------------

    def condition(self, model, *, roles=None) -> Q | None:
        """The filter of the rows of `model` this actor may see (through `roles` only, if given);
        None when it may see none."""
        condition = None
        for role, paths in rule_for(model).items():
            if role not in self.roles or (roles is not None and role not in roles):
                continue
            for path, unit_attr in paths:
                unit = getattr(self, unit_attr)
                if unit is None:
                    continue
                q = Q(**{_column(path): unit})
                condition = q if condition is None else condition | q
        return condition

    def filter(self, queryset, *, roles=None) -> QuerySet:
        """The rows of a queryset (or a model) this actor may see."""
        if not isinstance(queryset, QuerySet):
            queryset = queryset._default_manager.all()
        condition = self.condition(queryset.model, roles=roles)
        return queryset.none() if condition is None else queryset.filter(condition)

    def get(self, queryset, pk, *, roles=None):
        """One row in scope, or NotFound — the same for a row that does not exist and one not yours."""
        queryset = self.filter(queryset, roles=roles)
        if pk is None:
            raise NotFound
        try:
            return queryset.get(pk=pk)
        except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
            raise NotFound from None

    def can_see(self, obj, *, roles=None) -> bool:
        for role, paths in rule_for(type(obj)).items():
            if role not in self.roles or (roles is not None and role not in roles):
                continue
            for path, unit_attr in paths:
                unit = getattr(self, unit_attr)
                if unit is not None and _walk(obj, path) == unit:
                    return True
        return False

    def require(self, obj, *, roles=None) -> None:
        """Refuse an object outside this actor's scope (through `roles` only, if given)."""
        if obj is None or not self.can_see(obj, roles=roles):
            raise NotFound
