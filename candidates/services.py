"""Writes on nominations: the 自荐表 and every workflow action.

Each action checks the actor's role and scope, checks the guard, changes the status under a row
lock, and writes its event, all in one transaction. Status changes nowhere else.
"""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reserve.choices import RelaxationCategory
from reserve.dates import cn_date, cn_month
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.uploads import replace_document
from reserve.workflow import local_today  # noqa: F401 (the one "today" of every service)

from .eligibility import FAIL, RELAXABLE_RULES, Applicant, evaluate
from .models import (
    ROUND_PARAMETER_FIELDS,
    WITHDRAWN_STATUSES,
    CommitteeRelative,
    FamilyMember,
    Nomination,
    Person,
    ResumeEntry,
    Round,
    Status,
)
from .workflow import (
    CLOSED,
    EDITABLE,
    NOMINATION_WORKFLOW,
    RELAXABLE,
    lock_nomination,  # noqa: F401 (for later stages)
)

PERSON_FIELDS = ("id_number", "name", "gender", "birth_date")


def _apply_eligibility(nomination, relatives=None) -> bool:
    """Evaluate and store the basic conditions; True when the outcome changed."""
    result = evaluate(Applicant.from_nomination(nomination, relatives), nomination.round)
    changed = nomination.is_eligible != result.eligible or nomination.eligibility != result.as_json()
    nomination.is_eligible = result.eligible
    nomination.eligibility = result.as_json()
    return changed


def _person_for(data, *, own_nomination=None) -> Person:
    """The person of this ID number, found again across rounds by the keyed hash of the number (the number itself
    is encrypted), or created from the form. An existing person's identity fields are never written from a
    自荐表: they are shared with other rounds and towns (person_correct_identity is the one way to change them) —
    except the name of a person no other nomination refers to, which the village may still correct on the
    nomination that created it."""
    person, _created = Person.objects.get_or_create_by_id_number(
        data["id_number"], defaults={k: data[k] for k in ("name", "gender", "birth_date")},
    )
    if (own_nomination is not None and person.name != data["name"]
            and not person.nominations.exclude(pk=own_nomination.pk).exists()):
        person.name = data["name"]
        person.save(update_fields=["name"])
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
    # Neutral: it must not tell a village that the number is nominated in another village (or by whom).
    return ValidationError({"id_number": _("该身份证号码本批次不能再填写自荐表，请核对号码；如有疑问，请联系镇组织办。")})


def _check_duplicate(round_, person, exclude_pk=None):
    qs = Nomination.objects.filter(round=round_, person=person).exclude(status__in=WITHDRAWN_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _duplicate_error()


def nomination_create(*, actor, round_: Round, person_data, fields, resume=(), family=(), relatives=(),
                      id_card_copy=None) -> Nomination:
    """A village branch fills a new 自荐表 for a person of its own village (status draft)."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.VILLAGE)
    if not scope.village_id:
        raise NotAllowed
    scope.require(round_, roles={Role.VILLAGE})
    if round_.status != Round.Status.OPEN:
        raise ValidationError(_("本批次已结束，不能再填写自荐表。"))
    try:
        with transaction.atomic():
            _check_resume(resume, person_data["birth_date"])
            person = _person_for(person_data)
            _check_duplicate(round_, person)
            nomination = Nomination(round=round_, village=actor.village, person=person, name=person_data["name"],
                                    created_by=actor, **fields)
            if id_card_copy is not None:  # encrypted at rest; the copy it replaces deleted once committed
                replace_document(nomination, "id_card_copy", id_card_copy)
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
    scope = Scope.for_user(actor)
    scope.require_role(Role.VILLAGE)
    try:
        with transaction.atomic():
            nomination = scope.get(Nomination.objects.select_for_update(), nomination_id, roles={Role.VILLAGE})
            if nomination.status not in EDITABLE:
                raise ActionRefused(_("自荐表已提交，不能修改。"))
            _check_resume(resume, person_data["birth_date"])
            person = _person_for(person_data, own_nomination=nomination)
            _check_duplicate(nomination.round, person, exclude_pk=nomination.pk)
            nomination.person = person
            nomination.name = person_data["name"]
            for name, value in fields.items():
                setattr(nomination, name, value)
            if id_card_copy is not None:  # encrypted at rest; the copy it replaces deleted once committed
                replace_document(nomination, "id_card_copy", id_card_copy)
            _apply_eligibility(nomination, _relative_labels(relatives))
            nomination.save()
            _save_rows(nomination, resume=resume, family=family, relatives=relatives)
            record_event(nomination, action="update", actor=actor, from_status=nomination.status,
                         to_status=nomination.status)
    except IntegrityError:
        raise _duplicate_error() from None
    return nomination


# --- a person's identity ----------------------------------------------------------------------

def person_correct_identity(*, actor, nomination_id: int, name: str = "", id_number: str = "") -> Person:
    """The office corrects a person's identity (name; ID number, and with it the birth date and gender it encodes)
    from the page of one of its town's nominations. A field left blank stays as it is; at least one is given.

    The person row is shared by every round and town the person was nominated in, so only the office of the town
    that holds the person's current records may change it (candidates.selectors.person_record_town_id). The
    nomination whose page it is takes the corrected name too; other nominations keep the name as filed (their
    lists, notices and PDFs do not change). In the same transaction every nomination of the person still open (an
    open round, not closed: candidates.workflow.CLOSED) has its basic conditions evaluated again under the new
    birth date — a closed one keeps its history — and each of them, with the page's own, gets an event in its
    timeline. The audit log gets the changed fields' names, the old and new name and the old and new number
    masked — never the birth date or gender, which with the masked number would rebuild the whole number.
    """
    from reserve import audit, idnumber

    from .selectors import person_record_town_id

    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    name = clean_text(name or "")
    number = idnumber.normalise(id_number or "")
    if not name and not number:
        raise ActionRefused(_("请填写要更正的姓名或身份证号码（不填的一项保持不变）。"))
    if len(name) > Person._meta.get_field("name").max_length:
        raise ActionRefused(_("姓名不能超过%(n)d个字。") % {"n": Person._meta.get_field("name").max_length})
    parsed = None
    if number:
        try:
            parsed = idnumber.parse(number, today=local_today())
        except ValidationError as e:
            raise ActionRefused("".join(e.messages)) from None
    with transaction.atomic(durable=True):
        nomination = lock_nomination(actor, nomination_id)
        if nomination.status == Status.DRAFT:
            raise NotFound  # a village's draft is its own (candidates.selectors.nominations_visible_to)
        person = Person.objects.select_for_update().get(pk=nomination.person_id)
        if person_record_town_id(person) != nomination.round.town_id:
            raise ActionRefused(_("此人当前的档案不在本镇，身份信息须由其档案所在镇的组织办更正。"))
        new = {"name": name} if name else {}
        if parsed is not None:
            new.update(id_number=parsed.number, gender=parsed.gender, birth_date=parsed.birth_date)
        old = {k: getattr(person, k) for k in new}
        changed = [k for k in new if old[k] != new[k]]
        if not changed:
            raise ActionRefused(_("身份信息没有变化。"))
        if "id_number" in changed and Person.objects.by_id_number(parsed.number).exclude(pk=person.pk).exists():
            raise ActionRefused(_("该身份证号码已属于系统中的另一人，请核对号码。"))
        for k in changed:
            setattr(person, k, new[k])
        person.save(update_fields=changed)
        if name and nomination.name != name:
            nomination.name = name
            nomination.save(update_fields=["name", "updated_at"])

        # What the audit log and the timelines keep: field names, names, masked numbers (no birth date, no gender).
        values = {k: [idnumber.mask(old[k]), idnumber.mask(new[k])] if k == "id_number" else [old[k], new[k]]
                  for k in ("name", "id_number") if k in changed}
        audit.record(audit.AuditEntry.Action.UPDATE, user=actor, obj=person, detail={
            "field": "identity", "nomination": nomination.pk, "fields": changed, "changed": values,
        })
        reevaluated = {n.pk: n for n in _reevaluate_person(person)}
        touched = {**reevaluated}
        touched.setdefault(nomination.pk, nomination)
        for each in sorted(touched.values(), key=lambda n: n.pk):
            data = {"changed": changed, **values}
            if each.pk in reevaluated:
                data["eligible"] = each.is_eligible
            record_event(each, action="identity_correct", actor=actor, from_status=each.status,
                         to_status=each.status, data=data)
    return person


def _reevaluate_person(person) -> list[Nomination]:
    """Evaluate again, and store, the basic conditions of every nomination of the person still open (an open
    round, a status not closed), locked; the caller holds a transaction. Closed ones keep their history."""
    nominations = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(person=person, round__status=Round.Status.OPEN).exclude(status__in=CLOSED)
        .select_related("round", "village", "hukou_village", "person").order_by("pk")
    )
    changed = [n for n in nominations if _apply_eligibility(n)]
    Nomination.objects.bulk_update(changed, ["is_eligible", "eligibility"])
    return nominations


def resume_line_error(start, end, birth_date, today) -> tuple[str, str] | None:
    """The rule of a 个人简历 line (起止年月, kept as the 1st of the month): it starts neither before the person's
    birth month nor after this month, and ends neither before it starts nor after this month.

    (the field at fault, "start" or "end", and why), or None when the line holds.
    """
    this_month = today.replace(day=1)
    if birth_date and start and start < birth_date.replace(day=1):
        return "start", _("起始年月不能早于出生年月（%(d)s）。") % {"d": cn_month(birth_date)}
    if start and start > this_month:
        return "start", _("起始年月不能晚于本月。")
    if end and end > this_month:
        return "end", _("截止年月不能晚于本月；仍在该单位的，截止年月不填（至今）。")
    if start and end and end < start:
        return "end", _("截止时间不能早于起始时间。")
    return None


def _check_resume(resume, birth_date) -> None:
    """Refuse the whole form when a 简历 line breaks resume_line_error (the form shows it on the row)."""
    today = local_today()
    for row in resume:
        found = resume_line_error(row.get("start"), row.get("end"), birth_date, today)
        if found:
            raise ValidationError(_("个人简历“%(u)s”：%(m)s") % {"u": row.get("unit_post", ""), "m": found[1]})


def done_message(nomination, action: str) -> str:
    """What the user is told after an action: the transition's own words (what happened and what comes next),
    else its label and the status the nomination is now in."""
    transition = NOMINATION_WORKFLOW[action]
    if transition.done:
        return str(transition.done)
    return _("已%(a)s，当前状态：%(s)s。") % {"a": transition.label, "s": nomination.get_status_display()}


def relaxable_failures(nomination) -> list[str]:
    """The codes of the basic conditions an office relaxation could satisfy that this nomination fails without
    one (education; age when the round relaxes it)."""
    applicant = dataclasses.replace(Applicant.from_nomination(nomination), office_relaxation="")
    return [r.code for r in evaluate(applicant, nomination.round).rules
            if r.outcome == FAIL and r.code in RELAXABLE_RULES]


def record_relaxation(*, actor, nomination_id: int, category: str, reason: str, approved_by: str,
                      approved_on: datetime.date, today=None) -> Nomination:
    """The office records its decision to relax a basic condition the candidate fails (the plan's 放宽条件):
    which category, why, who approved it and when. Stored on the nomination, re-evaluated at once, and written
    as an event of the nomination (and so to the audit log).

    Refused (ActionRefused) for a draft or a closed nomination, a category the round does not relax, a
    candidate who fails no condition a relaxation can satisfy, a missing reason or approver, and a date after
    today or before the round's year.
    """
    today = today or local_today()
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    reason, approved_by = clean_text(reason), clean_text(approved_by)
    with transaction.atomic(durable=True):
        nomination = lock_nomination(actor, nomination_id)
        if nomination.status not in RELAXABLE:
            raise ActionRefused(_("当前状态为“%(s)s”，不能记录放宽条件的决定。") % {"s": nomination.get_status_display()})
        round_ = nomination.round
        if category not in RelaxationCategory.values:
            raise ActionRefused(_("请选择放宽条件的类别。"))
        label = RelaxationCategory(category).label
        if category not in (round_.relaxation_categories or []):
            raise ActionRefused(_("本批次不对“%(c)s”放宽条件（见批次参数“可放宽条件的类别”）。") % {"c": label})
        if not reason:
            raise ActionRefused(_("请填写放宽理由。"))
        if not approved_by:
            raise ActionRefused(_("请填写批准人。"))
        if approved_on is None or approved_on > today or approved_on.year < round_.year - 1:
            raise ActionRefused(_("批准日期须在%(y)d年以后，且不晚于今天。") % {"y": round_.year - 1})
        if not relaxable_failures(nomination):
            raise ActionRefused(_("该人选不存在可放宽的不符合条件（学历、年龄），无需记录放宽决定。"))
        nomination.relaxation_decided = category
        nomination.relaxation_reason = reason
        nomination.relaxation_approved_by = approved_by
        nomination.relaxation_approved_on = approved_on
        nomination.relaxation_recorded_by = actor
        _apply_eligibility(nomination)
        nomination.save(update_fields=[
            "relaxation_decided", "relaxation_reason", "relaxation_approved_by", "relaxation_approved_on",
            "relaxation_recorded_by", "is_eligible", "eligibility", "updated_at",
        ])
        record_event(nomination, action="relaxation", actor=actor, from_status=nomination.status,
                     to_status=nomination.status, reason=reason,
                     data={"category": category, "category_label": str(label), "approved_by": approved_by,
                           "approved_on": approved_on.isoformat(), "approved_on_text": cn_date(approved_on),
                           "eligible": nomination.is_eligible})
    return nomination


def relaxation_done_message(nomination) -> str:
    """What the office is told after recording a relaxation: the outcome of the new check and what comes next."""
    if not nomination.is_eligible:
        return _("已记录放宽条件的决定；重新审核后仍不符合基本条件，请查看审核结果。")
    if nomination.status == Status.SUBMITTED:
        return _("已记录放宽条件的决定，重新审核后符合基本条件，下一步：受理。")
    return _("已记录放宽条件的决定，重新审核后符合基本条件。")


def available_actions(nomination, user, *, today=None):
    """The buttons this user may press on this nomination now, each with why it is refused (or None)."""
    return NOMINATION_WORKFLOW.available_actions(nomination, user, today=today)


def apply_transition(nomination, action: str, *, actor, reason: str = "", today=None, data=None) -> Nomination:
    """Move a locked nomination along one row of the workflow table and write its event.

    The caller holds the row lock inside a transaction (lock_nomination, or its own select_for_update).
    """
    return NOMINATION_WORKFLOW.apply(nomination, action, actor=actor, reason=reason, today=today, data=data)


def perform(*, actor, nomination_id: int, action: str, reason: str = "", today=None, override: str = "") -> Nomination:
    """Run one workflow action (a button on the nomination's page) as its own transaction.

    Raises NotFound for a nomination outside the actor's scope, NotAllowed for a role that may
    never take this action, and ActionRefused (with a Chinese message) for anything not allowed now.
    """
    return NOMINATION_WORKFLOW.perform(actor=actor, pk=nomination_id, action=action, reason=reason, today=today,
                                       override=override)


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
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    scope.require(town, roles={Role.OFFICE})
    round_ = Round(town=town, **params)
    round_.full_clean()
    with transaction.atomic():
        round_.save()
        record_event(round_, action="round_create", actor=actor, to_status=round_.status)
    return round_


def round_update(*, actor, round_id: int, **params) -> Round:
    """Change a round's parameters and re-evaluate the open nominations under the new ones."""
    scope = Scope.for_user(actor)
    scope.require_role(Role.OFFICE)
    with transaction.atomic():
        round_ = scope.get(Round.objects.select_for_update(), round_id, roles={Role.OFFICE})
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
