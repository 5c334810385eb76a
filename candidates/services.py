"""Writes on nominations: the 自荐表 and every workflow action.

Each action checks the actor's role and scope, checks the guard, changes the status under a row
lock, and writes its event, all in one transaction. Status changes nowhere else.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from reserve.roles import Role, has_role, roles_of
from reserve.services import ActionRefused, record_event, require_office

from .eligibility import Applicant, evaluate
from .models import ROUND_PARAMETER_FIELDS, CommitteeRelative, Round, FamilyMember, Nomination, Person, ResumeEntry, Status
from .selectors import nominations_visible_to
from .workflow import CLOSED, EDITABLE, TRANSITIONS

PERSON_FIELDS = ("id_number", "name", "gender", "birth_date")


def local_today() -> datetime.date:
    return timezone.localdate()


def _apply_eligibility(nomination, relatives=None) -> bool:
    """Evaluate and store the basic conditions; True when the outcome changed."""
    result = evaluate(Applicant.from_nomination(nomination, relatives), nomination.round)
    changed = nomination.is_eligible != result.eligible or nomination.eligibility != result.as_json()
    nomination.is_eligible = result.eligible
    nomination.eligibility = result.as_json()
    return changed


def _person_for(data) -> Person:
    # Found again across rounds by the keyed hash of the number (the number itself is encrypted).
    person, _created = Person.objects.get_or_create_by_id_number(
        data["id_number"], defaults={k: data[k] for k in ("name", "gender", "birth_date")},
    )
    if any(getattr(person, k) != data[k] for k in ("name", "gender", "birth_date")):
        for k in ("name", "gender", "birth_date"):
            setattr(person, k, data[k])
        person.save(update_fields=["name", "gender", "birth_date"])
    return person


def _save_rows(nomination, *, resume, family, relatives) -> None:
    nomination.resume.all().delete()
    nomination.family.all().delete()
    nomination.committee_relatives.all().delete()
    ResumeEntry.objects.bulk_create(ResumeEntry(nomination=nomination, **row) for row in resume)
    FamilyMember.objects.bulk_create(FamilyMember(nomination=nomination, **row) for row in family)
    CommitteeRelative.objects.bulk_create(
        CommitteeRelative(
            nomination=nomination, cadre=row["cadre"], relation=row["relation"],
            cadre_name=f"{row['cadre'].name}（{row['cadre'].post}）",
        )
        for row in relatives
    )


def _relative_labels(relatives):
    return [f"{r['cadre'].name}（{r['cadre'].post}）（{r['relation']}）" for r in relatives]


def _duplicate_error():
    return ValidationError({"id_number": _("此人在本批次已有自荐表，同一人每批次只能报名一次。")})


def _check_duplicate(round_, person, exclude_pk=None):
    qs = Nomination.objects.filter(round=round_, person=person).exclude(status=Status.WITHDRAWN)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _duplicate_error()


def nomination_create(*, actor, round_: Round, person_data, fields, resume=(), family=(), relatives=(),
                      id_card_copy=None) -> Nomination:
    """A village branch fills a new 自荐表 for a person of its own village (status draft)."""
    if not has_role(actor, Role.VILLAGE) or not actor.village_id:
        raise PermissionDenied
    if round_.town_id != actor.village.town_id:
        raise PermissionDenied
    if round_.status != Round.Status.OPEN:
        raise ValidationError(_("本批次已结束，不能再填写自荐表。"))
    try:
        with transaction.atomic():
            person = _person_for(person_data)
            _check_duplicate(round_, person)
            nomination = Nomination(round=round_, village=actor.village, person=person, created_by=actor, **fields)
            if id_card_copy is not None:
                nomination.id_card_copy = id_card_copy
            _apply_eligibility(nomination, _relative_labels(relatives))
            nomination.save()
            _save_rows(nomination, resume=resume, family=family, relatives=relatives)
            record_event(nomination, action="create", actor=actor, to_status=nomination.status)
    except IntegrityError:
        # Two submissions of the same person raced past the check: the constraint decides.
        raise _duplicate_error() from None
    return nomination


def nomination_update(*, actor, nomination_id: int, person_data, fields, resume=(), family=(), relatives=(),
                      id_card_copy=None) -> Nomination:
    """The village branch changes its form while it is a draft or has been returned."""
    if not has_role(actor, Role.VILLAGE):
        raise PermissionDenied
    try:
        with transaction.atomic():
            nomination = nominations_visible_to(actor).select_for_update().get(pk=nomination_id)
            if nomination.status not in EDITABLE:
                raise ActionRefused(_("自荐表已提交，不能修改。"))
            person = _person_for(person_data)
            _check_duplicate(nomination.round, person, exclude_pk=nomination.pk)
            nomination.person = person
            for name, value in fields.items():
                setattr(nomination, name, value)
            if id_card_copy is not None:
                nomination.id_card_copy = id_card_copy
            _apply_eligibility(nomination, _relative_labels(relatives))
            nomination.save()
            _save_rows(nomination, resume=resume, family=family, relatives=relatives)
            record_event(nomination, action="update", actor=actor, from_status=nomination.status,
                         to_status=nomination.status)
    except Nomination.DoesNotExist:
        raise Http404 from None
    except IntegrityError:
        raise _duplicate_error() from None
    return nomination


def guard_submit(nomination, actor, today) -> str | None:
    round_ = nomination.round
    if not round_.nomination_window_open(today):
        return _("不在自荐报名时间内（%(a)s至%(b)s），不能提交。") % {
            "a": f"{round_.nomination_start:%Y-%m-%d}", "b": f"{round_.nomination_end:%Y-%m-%d}",
        }
    if not nomination.id_card_copy:
        return _("请先上传身份证复印件。")
    return None


def guard_accept(nomination, actor, today) -> str | None:
    if not nomination.is_eligible:
        return _("不符合基本条件，不能受理；请退回并说明理由。")
    return None


def _guard(transition, nomination, actor, today) -> str | None:
    return import_string(transition.guard)(nomination, actor, today) if transition.guard else None


def available_actions(nomination, user, *, today=None):
    """The buttons this user may press on this nomination now, each with why it is refused (or None)."""
    today = today or local_today()
    roles = roles_of(user)
    found = []
    for transition in TRANSITIONS.values():
        if transition.manual and nomination.status in transition.allowed_sources(roles):
            found.append((transition, _guard(transition, nomination, user, today)))
    return found


def lock_nomination(actor, nomination_id: int) -> Nomination:
    """Lock a nomination in the actor's scope for a change (inside a transaction); 404 outside it."""
    try:
        return (
            nominations_visible_to(actor).select_for_update(of=("self",))
            .select_related("round", "village", "person").get(pk=nomination_id)
        )
    except Nomination.DoesNotExist:
        raise Http404 from None


def apply_transition(nomination, action: str, *, actor, reason: str = "", today=None, data=None) -> Nomination:
    """Move a locked nomination along one row of the workflow table and write its event.

    The caller holds the row lock inside a transaction (lock_nomination, or its own select_for_update).
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ActionRefused(_("未知操作。"))
    today = today or local_today()
    reason = (reason or "").strip()
    if transition.system:
        sources = {s for role_sources in transition.sources_by_role.values() for s in role_sources}
    else:
        sources = transition.allowed_sources(roles_of(actor))
        if not sources:
            raise PermissionDenied
    if nomination.status not in sources:
        raise ActionRefused(
            _("当前状态为“%(s)s”，不能%(a)s。") % {"s": Status(nomination.status).label, "a": transition.label}
        )
    if transition.needs_reason and not reason:
        raise ActionRefused(_("请填写%(a)s理由。") % {"a": transition.label})
    refusal = _guard(transition, nomination, actor, today)
    if refusal:
        raise ActionRefused(refusal)
    before = nomination.status
    nomination.status = transition.target
    update = ["status", "updated_at"]
    if transition.action == "submit":
        nomination.submitted_at = timezone.now()
        update.append("submitted_at")
    nomination.save(update_fields=update)
    record_event(nomination, action=action, actor=actor, from_status=before, to_status=nomination.status,
                 reason=reason, data=data)
    if transition.effect:
        import_string(transition.effect)(nomination, actor, today)
    return nomination


def perform(*, actor, nomination_id: int, action: str, reason: str = "", today=None) -> Nomination:
    """Run one workflow action as its own transaction.

    Raises Http404 for a nomination outside the actor's scope, PermissionDenied for a role that may
    never take this action, and ActionRefused (with a Chinese message) for anything not allowed now.
    """
    if action not in TRANSITIONS or not TRANSITIONS[action].manual:
        raise ActionRefused(_("未知操作。"))
    with transaction.atomic():
        nomination = lock_nomination(actor, nomination_id)
        return apply_transition(nomination, action, actor=actor, reason=reason, today=today)


def reevaluate_round(round_, *, actor) -> int:
    """Re-evaluate every open nomination of a round after its parameters changed.

    Stores the new explanation of every open nomination; returns how many changed outcome
    (eligible ↔ not eligible), and each of those gets an event in its timeline.
    """
    nominations = list(
        Nomination.objects.filter(round=round_).exclude(status__in=CLOSED)
        .select_related("village", "hukou_village", "person")
        .prefetch_related("committee_relatives")
    )
    changed, flipped = [], 0
    for nomination in nominations:
        nomination.round = round_
        was = nomination.is_eligible
        if _apply_eligibility(nomination):
            changed.append(nomination)
            if was != nomination.is_eligible:
                flipped += 1
                record_event(nomination, action="eligibility_changed", actor=actor,
                             from_status=nomination.status, to_status=nomination.status,
                             data={"eligible": nomination.is_eligible})
    Nomination.objects.bulk_update(changed, ["is_eligible", "eligibility"], batch_size=500)
    return flipped


# --- rounds and their parameters -------------------------------------------------------------

def round_create(*, actor, town, **params) -> Round:
    require_office(actor, town)
    round_ = Round(town=town, **params)
    round_.full_clean()
    with transaction.atomic():
        round_.save()
        record_event(round_, action="round_create", actor=actor, to_status=round_.status)
    return round_


def round_update(*, actor, round_id: int, **params) -> Round:
    """Change a round's parameters and re-evaluate the open nominations under the new ones."""
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_id)
        require_office(actor, round_.town)
        before = {f: getattr(round_, f) for f in ROUND_PARAMETER_FIELDS}
        for name, value in params.items():
            if name not in ROUND_PARAMETER_FIELDS:
                raise ValueError(f"not a round parameter: {name}")
            setattr(round_, name, value)
        round_.full_clean()
        round_.save()
        changed = {
            f: [str(before[f]), str(getattr(round_, f))]
            for f in ROUND_PARAMETER_FIELDS
            if before[f] != getattr(round_, f)
        }
        flipped = 0
        if changed:
            record_event(round_, action="round_update", actor=actor, data={"changed": changed})
            flipped = reevaluate_round(round_, actor=actor)
    round_.reevaluated_changes = flipped
    return round_
