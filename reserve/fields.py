"""Model fields for ID numbers encrypted at rest (reserve.crypto).

`EncryptedIdNumberField` keeps a Fernet token in its column and the plain, normalised number on the
instance: `person.id_number` reads as the number, `Person(id_number=...)` and `create(id_number=...)`
store a token. A token is random, so the column cannot be searched: the sibling
`IdNumberHashField` holds the keyed hash (HMAC-SHA256) of the number, set on every save, and the
`exact` and `in` lookups of the encrypted field are answered through it — `filter(id_number=n)` and
`filter(person__id_number=n)` compare hashes. Every other lookup (contains, startswith, ordering
comparisons…) is refused with a FieldError instead of silently matching nothing.
"""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In

from . import crypto
from .idnumber import normalise


class EncryptedIdNumberField(models.TextField):
    description = "An ID number, encrypted at rest (Fernet), found through its keyed hash"

    def __init__(self, *args, hash_field: str = "id_number_hash", **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field != "id_number_hash":
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(normalise(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return HashExact
        if lookup_name == "in":
            return HashIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django raises FieldError("Unsupported lookup …")

    def get_transform(self, lookup_name):
        return None


class IdNumberHashField(models.CharField):
    """The keyed hash of a sibling encrypted field (`source`), recomputed whenever the row is saved."""

    description = "Keyed hash (HMAC-SHA256, hex) of an ID number"

    def __init__(self, *args, source: str = "id_number", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.source != "id_number":
            kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        number = getattr(model_instance, self.source)
        value = crypto.id_hash(number) if number else None
        setattr(model_instance, self.attname, value)
        return value


class _ThroughHash:
    """A lookup on the encrypted column rewritten as the same lookup on the hash column of its row."""

    def __init__(self, lhs, rhs):
        if not isinstance(lhs, Col):
            raise FieldError("An encrypted ID number can only be compared as a plain column.")
        if hasattr(rhs, "resolve_expression"):
            raise FieldError("An encrypted ID number can only be compared with given numbers, not an expression.")
        hash_field = lhs.target.model._meta.get_field(lhs.target.hash_field)
        super().__init__(Col(lhs.alias, hash_field), self.hash_rhs(rhs))


class HashExact(_ThroughHash, Exact):
    @staticmethod
    def hash_rhs(rhs):
        return None if rhs is None else crypto.id_hash(rhs)


class HashIn(_ThroughHash, In):
    @staticmethod
    def hash_rhs(rhs):
        return [crypto.id_hash(v) for v in rhs if v is not None]
