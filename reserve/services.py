"""Writes on the core: events, towns, the 两委 roster, the town's calendar, accounts."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, events
from .exceptions import NotAllowed
from .models import DEFAULT_DEPARTMENTS, AuditEntry, Department, Event, Town, VillageCadre
from .roles import Role
from .scope import Scope


class CoreEvent(events.EventKind):
    """Events on the core's records."""

    ROSTER_UPDATE = "roster_update", gettext_lazy("修改两委成员名单")
    CALENDAR_UPDATE = "calendar_update", gettext_lazy("修改工作日调整表")


events.register(CoreEvent)

# Events whose caller writes its own, finer audit entries (one per person changed).
_AUDITED_BY_CALLER = frozenset({"roster_update"})


def _audit_action(action: str) -> str:
    """The audit log's kind of an event: a create or update of a record, else a workflow step."""
    if action == "create" or action.endswith("_create"):
        return AuditEntry.Action.CREATE
    if action == "update" or action.endswith("_update"):
        return AuditEntry.Action.UPDATE
    return AuditEntry.Action.WORKFLOW


def record_event(subject, *, action, actor, from_status="", to_status="", reason="", data=None) -> Event:
    """One workflow step, also written to the audit log with the address of the request being served (there
    without its content: reserve.audit.event_detail)."""
    event = Event.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
    if action not in _AUDITED_BY_CALLER:
        # The audit copy says what was done, not its content (no reason text, no data values): the event
        # keeps those for the office.
        detail = audit.event_detail(action=action, from_status=from_status, to_status=to_status, reason=reason,
                                    data=data)
        # actor None (an objection lodged on the public page): the request's own (anonymous) user.
        audit.record(_audit_action(action), user=actor, obj=subject, detail=detail)
    return event


def town_create(*, name: str, party_committee_name: str = "") -> Town:
    with transaction.atomic():
        town = Town.objects.create(name=name, party_committee_name=party_committee_name or f"中共{name}委员会")
        Department.objects.bulk_create(
            Department(town=town, name=dept, order=i) for i, dept in enumerate(DEFAULT_DEPARTMENTS, start=1)
        )
    return town


def roster_save(*, actor, village, formset) -> None:
    """Save the edited 两委 roster of a village (a validated model formset)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE, Role.VILLAGE)
    scope.require(village, roles={Role.OFFICE, Role.VILLAGE})
    if not formset.is_valid():
        raise ValidationError(_("两委成员信息有误，请检查。"))
    with transaction.atomic():
        cadres = formset.save(commit=False)
        changed_fields = {obj.pk: fields for obj, fields in formset.changed_objects}
        for cadre in cadres:
            created = cadre.pk is None
            cadre.village = village
            cadre.full_clean()
            cadre.save()
            detail = {"village": village.name}  # no name: the audit log names the row by its id
            if created:
                audit.record(AuditEntry.Action.CREATE, user=actor, obj=cadre, detail=detail)
            else:
                audit.record(AuditEntry.Action.UPDATE, user=actor, obj=cadre,
                             detail={**detail, "changed": list(changed_fields.get(cadre.pk, []))})
        for cadre in formset.deleted_objects:
            audit.record(AuditEntry.Action.DELETE, user=actor, obj=cadre, detail={"village": village.name})
            cadre.delete()
        record_event(
            village, action="roster_update", actor=actor,
            data={
                "saved": [c.name for c in cadres],
                "deleted": [c.name for c in formset.deleted_objects],
            },
        )


def calendar_save(*, actor, formset) -> None:
    """Save the edited working-day table of the actor's town (a validated CalendarDay model formset,
    whose queryset is that town's rows). Deletions go first, so a date may move from one row to another."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    if not scope.town_id:
        raise NotAllowed
    if not formset.is_valid():
        raise ValidationError(_("工作日调整表有误，请检查。"))
    for day in formset.get_queryset():
        scope.require(day)
    try:
        with transaction.atomic():
            days = formset.save(commit=False)
            deleted = list(formset.deleted_objects)
            for day in deleted:
                day.delete()
            for day in days:
                day.town_id = scope.town_id
                day.save()
            record_event(
                actor.town, action="calendar_update", actor=actor,
                data={
                    "saved": [f"{d.date:%Y-%m-%d} {'上班' if d.is_workday else '放假'}" for d in days],
                    "deleted": [f"{d.date:%Y-%m-%d}" for d in deleted],
                },
            )
    except IntegrityError:
        # Another clerk saved the same date meanwhile: the unique constraint decides.
        raise ValidationError(_("有日期与本镇已有的记录重复，请刷新页面后重试。")) from None


def password_changed(*, user) -> None:
    """The user has set their own password: a forced change is done."""
    audit.record(AuditEntry.Action.UPDATE, user=user, obj=user, detail={"changed": ["password"]})
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


def cadres_of(village):
    return VillageCadre.objects.filter(village=village)
