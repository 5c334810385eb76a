"""How people enter the pool besides a selection round (four-tier plan §三(二)3), the relaxation of a tier's
conditions afterwards, the pool terms' parameters and the follow-up of those appointed.

Ways in:
- 镇党委会研究确定 (tiers 1–3): decided in a committee meeting (PoolMeeting) → active, source COMMITTEE;
- 推荐 (tier 4): a unit account for its unit, a village account for its village, or the office → proposed, then
  reviewed by the office (approve_reserve / decline_reserve on RESERVE_WORKFLOW);
- 立即补进 and 引进人才: the office, any tier, with the committee meeting for tiers 1–3.

Every way finds the person by ID number (the same Person across rounds and entries; an existing person's identity
is never overwritten), refuses a second active or proposed record of the person in the town, evaluates the tier's
conditions on the entry day (training.tiers) and refuses unmet ones unless an age or education condition is
relaxed with a reason and an approver. Each write is one durable transaction with its event.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import Person
from reserve import events, idnumber
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.forms import check_plausible_date
from reserve.models import Town, Unit, Village
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.workflow import local_today

from . import tiers
from .models import COMMITTEE_TIERS, FollowUpVisit, PoolMeeting, PoolTerm, Reserve, Tier
from .services import pool_term_for, term_end_for
from .workflow import RESERVE_WORKFLOW, PoolEvent

# Events of this module's records besides PoolEvent (a committee meeting, a pool term).
events.register({"pool_meeting_create": gettext_lazy("登记党委会议（人才库）"),
                 "pool_term_create": gettext_lazy("新建人才库届期"),
                 "pool_term_update": gettext_lazy("修改人才库参数")})

S = Reserve.Status
OPEN_STATUSES = (S.ACTIVE, S.PROPOSED)
# The earliest date of a record of the pool (a meeting, an approval, a visit): as the other stages bound theirs.
EARLIEST_RECORD = datetime.date(2000, 1, 1)
ENTRY_TIERS = (Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.FOURTH)

# Who may enter people by which way.
WAY_ROLES = {
    Reserve.Source.COMMITTEE: (Role.OFFICE, Role.COMMITTEE),
    Reserve.Source.RECOMMENDED: (Role.OFFICE, Role.UNIT, Role.VILLAGE),
    Reserve.Source.ADDED: (Role.OFFICE,),
    Reserve.Source.RECRUITED: (Role.OFFICE,),
}
WAYS = tuple(WAY_ROLES)


def ways_for(user) -> list[str]:
    scope = Scope.for_user(user)
    return [way for way, roles in WAY_ROLES.items() if scope.has(*roles)]


def _scope_with_town(actor) -> Scope:
    scope = Scope.for_user(actor)
    if not scope.town_id:
        raise NotAllowed
    return scope


# --- committee meetings ---------------------------------------------------------------------------


def attendee_names(text: str) -> list[str]:
    return [n for n in re.split(r"[,，、;；\s]+", text or "") if n]


def plausible(errors: dict, name: str, day, *, earliest=EARLIEST_RECORD) -> None:
    """Put the project's bound of a typed date (reserve.forms.check_plausible_date) on `errors[name]`."""
    if day is None or name in errors:
        return
    try:
        check_plausible_date(day, earliest=earliest)
    except ValidationError as e:
        errors[name] = e.messages


def meeting_create(*, actor, date: datetime.date, attendees: str, minutes_ref: str = "", note: str = "",
                   today=None) -> PoolMeeting:
    """Record a meeting of the town committee (镇党委会) deciding on the pool: not dated in the future nor before
    2000, its members present named; the same meeting (town, date, minutes number and attendees) only once."""
    scope = _scope_with_town(actor)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    today = today or local_today()
    errors = {}
    if date is None:
        errors["date"] = _("请填写会议日期。")
    elif date > today:
        errors["date"] = _("会议日期不能晚于今天。")
    plausible(errors, "date", date)
    names = attendee_names(attendees)
    if not names:
        errors["attendees"] = _("请填写出席会议的委员姓名。")
    elif len(set(names)) != len(names):
        errors["attendees"] = _("出席委员名单中有重复的姓名：%(n)s。") % {
            "n": "、".join(sorted({n for n in names if names.count(n) > 1}))}
    if errors:
        raise ValidationError(errors)
    meeting = PoolMeeting(town_id=scope.town_id, date=date, attendees="、".join(names),
                          minutes_ref=clean_text(minutes_ref), note=clean_text(note), recorded_by=actor)
    meeting.full_clean()
    with transaction.atomic(durable=True):
        # The town's row serialises two submits of the same form (a double click).
        Town.objects.select_for_update().filter(pk=scope.town_id).first()
        if PoolMeeting.objects.filter(town_id=scope.town_id, date=date, minutes_ref=meeting.minutes_ref,
                                      attendees=meeting.attendees).exists():
            raise ValidationError(_("%(d)s的这次党委会议（出席委员相同）已经登记，请勿重复提交。") % {"d": cn_date(date)})
        meeting.save()
        record_event(meeting, action="pool_meeting_create", actor=actor,
                     data={"date": f"{date:%Y-%m-%d}", "attendees": len(names)})
    return meeting


# --- entering the pool ------------------------------------------------------------------------------


@dataclass
class Entry:
    """What an entry form gives: the person, the tier and unit, how they entered, the facts of the conditions and
    an optional relaxation."""

    id_number: str
    name: str
    tier: int
    source: str
    village_id: int | None = None
    unit_id: int | None = None
    meeting_id: int | None = None
    recommended_by: str = ""
    entry_note: str = ""
    facts: dict = field(default_factory=dict)  # Reserve fields: education, post, civil_servant …
    relaxation_reason: str = ""
    relaxation_approved_by: str = ""
    relaxation_approved_on: datetime.date | None = None


# The dates of an entry's facts, with their labels: not in the future, not before the person's birth.
FACT_DATES = {"party_join_date": gettext_lazy("入党时间"), "middle_post_since": gettext_lazy("任中层职务时间"),
              "organ_work_since": gettext_lazy("参加机关工作时间"),
              "village_cadre_since": gettext_lazy("任村（社区）干部时间")}

FACT_FIELDS = ("political_status", "party_join_date", "fulltime_education", "education", "post", "phone",
               "civil_servant", "middle_post_since", "organ_work_since", "village_cadre_since", "project_amount",
               "field_experience", "speciality")


def parse_id_number(raw: str, today) -> idnumber.IdNumber:
    try:
        return idnumber.parse(raw, today=today)
    except ValidationError as e:
        raise ValidationError({"id_number": e.messages}) from None


def _place(scope: Scope, entry: Entry):
    """The village or unit the reserve belongs to, checked against the actor: exactly one of them, of the actor's
    town; a unit account its own unit only, a village account its own village only (another one: NotFound)."""
    if bool(entry.village_id) == bool(entry.unit_id):
        raise ValidationError({"unit": _("请选择所在村（社区）或所在单位（二者选一）。")})
    office = scope.has(Role.OFFICE, Role.COMMITTEE)
    if entry.village_id:
        if not office and not scope.has(Role.VILLAGE):
            raise ActionRefused(_("单位账号只能推荐本单位的人员。"))
        village = Village.objects.filter(town_id=scope.town_id, pk=entry.village_id).first()
        if village is None or (not office and village.pk != scope.village_id):
            raise NotFound
        return village, None
    if not office and not scope.has(Role.UNIT):
        raise ActionRefused(_("村（社区）党组织只能推荐本村（社区）的人员。"))
    unit = Unit.objects.filter(town_id=scope.town_id, pk=entry.unit_id).first()
    if unit is None or (not office and unit.pk != scope.unit_id):
        raise NotFound
    return None, unit


def _where(reserve) -> str:
    return _("%(u)s，%(t)s，%(s)s") % {"u": reserve.unit_name, "t": Tier(reserve.tier).label,
                                     "s": reserve.get_status_display()}


def conditions_message(missing) -> str:
    return _("不符合%(n)d项梯队条件：%(c)s") % {
        "n": len(missing), "c": "；".join(f"{c.title}（{c.message}）" for c in missing)}


def check_relaxation_fields(reason, approved_by, approved_on, today, *, required=True) -> dict:
    errors = {}
    if required and not clean_text(reason):
        errors["relaxation_reason"] = _("放宽条件须填写理由。")
    if required and not clean_text(approved_by):
        errors["relaxation_approved_by"] = _("放宽条件须填写批准人。")
    if approved_on is not None and approved_on > today:
        errors["relaxation_approved_on"] = _("批准日期不能晚于今天。")
    plausible(errors, "relaxation_approved_on", approved_on)
    return errors


def check_fact_dates(facts: dict, birth_date: datetime.date, today) -> dict:
    """The dates of an entry's facts: each typed day plausible (reserve.forms.check_plausible_date), not in the
    future and not before the person's birth (by the ID number)."""
    errors = {}
    for name, label in FACT_DATES.items():
        day = facts.get(name)
        if day is None:
            continue
        if day > today:
            errors[name] = _("%(w)s不能晚于今天。") % {"w": label}
        elif day < birth_date:
            errors[name] = _("%(w)s（%(d)s）不能早于出生日期（%(b)s，以身份证号码为准）。") % {
                "w": label, "d": cn_date(day), "b": cn_date(birth_date)}
        plausible(errors, name, day, earliest=datetime.date(1900, 1, 1))
    return errors


def enter(*, actor, entry: Entry, today=None) -> Reserve:
    """A person enters the pool by one of the ways (Entry.source). Returns the new Reserve (active, or proposed
    for a recommendation)."""
    scope = _scope_with_town(actor)
    source = entry.source
    if source not in WAY_ROLES:
        raise ActionRefused(_("未知的入库方式。"))
    scope.require_role(*WAY_ROLES[source])
    today = today or local_today()
    try:
        tier = Tier(int(entry.tier))
    except (TypeError, ValueError):
        raise ValidationError({"tier": _("请选择梯队。")}) from None
    if tier not in ENTRY_TIERS:
        raise ValidationError({"tier": _("村级后备干部经选拔入库，此处只能录入第一至第四梯队。")})
    if source == Reserve.Source.COMMITTEE and tier not in COMMITTEE_TIERS:
        raise ValidationError({"tier": _("镇党委会研究确定的是第一至第三梯队；第四梯队由单位推荐、党建办审核。")})
    if source == Reserve.Source.RECOMMENDED and tier != Tier.FOURTH:
        raise ValidationError({"tier": _("推荐入库只适用于第四梯队；第一至第三梯队须经镇党委会研究确定。")})
    parsed = parse_id_number(entry.id_number, today)
    name = clean_text(entry.name)
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    village, unit = _place(scope, entry)
    meeting = None
    if tier in COMMITTEE_TIERS:
        if not entry.meeting_id:
            raise ValidationError({"meeting": _("第一至第三梯队须经镇党委会研究确定，请选择党委会议。")})
        meeting = PoolMeeting.objects.filter(town_id=scope.town_id, pk=entry.meeting_id).first()
        if meeting is None:
            raise NotFound
        if meeting.date > today:
            raise ValidationError({"meeting": _("会议日期晚于今天。")})
    elif entry.meeting_id:
        meeting = PoolMeeting.objects.filter(town_id=scope.town_id, pk=entry.meeting_id).first()
        if meeting is None:
            raise NotFound
    office = scope.has(Role.OFFICE)
    relaxing = bool(clean_text(entry.relaxation_reason) or clean_text(entry.relaxation_approved_by))
    if relaxing and not office:
        raise ValidationError({"relaxation_reason": _("放宽年龄、学历条件由镇党建办决定，请联系镇党建办录入。")})
    errors = check_relaxation_fields(entry.relaxation_reason, entry.relaxation_approved_by,
                                     entry.relaxation_approved_on, today, required=relaxing)
    if errors:
        raise ValidationError(errors)
    recommended_by = clean_text(entry.recommended_by)
    if source == Reserve.Source.RECOMMENDED and not recommended_by:
        if scope.has(Role.OFFICE):
            raise ValidationError({"recommended_by": _("请填写推荐的办公室、中心或村（社区）党组织。")})
        recommended_by = village.name + _("党组织") if village else unit.name
    facts = {k: v for k, v in entry.facts.items() if k in FACT_FIELDS}
    errors = check_fact_dates(facts, parsed.birth_date, today)
    if errors:
        raise ValidationError(errors)
    for key in ("post", "phone", "field_experience", "speciality"):
        facts[key] = clean_text(facts.get(key, ""))
    with transaction.atomic(durable=True):
        term = pool_term_for(Town.objects.get(pk=scope.town_id), today)
        person, _created = Person.objects.get_or_create_by_id_number(
            parsed.number, defaults={"name": name, "gender": parsed.gender, "birth_date": parsed.birth_date})
        person = Person.objects.select_for_update().get(pk=person.pk)
        existing = (Reserve.objects.filter(town_id=scope.town_id, person=person, status__in=OPEN_STATUSES)
                    .select_related("village", "unit").first())
        if existing is not None:
            if not scope.can_see(existing):
                # Outside the actor's scope: nothing of the record (name, unit, tier, status) is told.
                raise ActionRefused(_("该同志已在本镇人才库中，请与镇党建办联系。"))
            raise ActionRefused(_("%(n)s已在本镇人才库中（%(w)s），不能重复入库。") % {
                "n": existing.name, "w": _where(existing)})
        reserve = Reserve(
            town_id=scope.town_id, term=term, person=person, name=name, tier=tier, village=village, unit=unit,
            status=S.PROPOSED if source == Reserve.Source.RECOMMENDED else S.ACTIVE, source=source,
            meeting=meeting, recommended_by=recommended_by if source == Reserve.Source.RECOMMENDED else "",
            entry_note=clean_text(entry.entry_note), gender=person.gender, birth_date=person.birth_date,
            relaxation_reason=clean_text(entry.relaxation_reason),
            relaxation_approved_by=clean_text(entry.relaxation_approved_by),
            relaxation_approved_on=(entry.relaxation_approved_on or today) if relaxing else None,
            start_date=today, term_start=today, term_end=term_end_for(today, term.term_years), **facts,
        )
        missing = tiers.unmet(reserve, tier, term, today)
        if missing:
            relaxable = [c for c in missing if c.relaxable]
            hint = ""
            if relaxable and len(relaxable) == len(missing):
                hint = (_("特别优秀的，可由镇党建办填写放宽理由和批准人后录入。") if not office
                        else _("如特别优秀需放宽年龄、学历要求，请填写放宽理由和批准人。"))
            raise ValidationError(conditions_message(missing) + (" " + hint if hint else ""))
        reserve.meets_conditions = True
        reserve.full_clean(exclude=["person", "term", "town"])
        reserve.save()
        kind = PoolEvent.RESERVE_PROPOSED if reserve.status == S.PROPOSED else PoolEvent.RESERVE_ADDED
        data = {"source": source, "tier": int(tier), "unit": reserve.unit_name,
                "meeting": f"{meeting.date:%Y-%m-%d}" if meeting else "",
                "term_end": f"{reserve.term_end:%Y-%m-%d}"}
        if relaxing:
            data["relaxation"] = {"approved_by": reserve.relaxation_approved_by,
                                  "approved_on": f"{reserve.relaxation_approved_on:%Y-%m-%d}"}
        record_event(reserve, action=kind.value, actor=actor, to_status=reserve.status, data=data,
                     reason=reserve.relaxation_reason)
    return reserve


# --- the office's review of recommendations -------------------------------------------------------------


def review(*, actor, reserve_id, action: str, reason: str = "", version=None, today=None) -> Reserve:
    """The office approves (审核通过，入库) or declines (审核不通过, with a reason) a recommendation."""
    if action not in ("approve_reserve", "decline_reserve"):
        raise ActionRefused(_("未知操作。"))
    Scope.for_user(actor).require_role(Role.OFFICE)
    return RESERVE_WORKFLOW.perform(actor=actor, pk=reserve_id, action=action, reason=reason, version=version,
                                    today=today)


def guard_conditions_met(reserve, actor, today) -> str | None:
    """approve_reserve: the tier's conditions on the day of approval (a relaxation may be recorded first)."""
    missing = tiers.unmet(reserve, reserve.tier, reserve.term, today)
    if missing:
        return conditions_message(missing) + _(" 如特别优秀需放宽年龄、学历要求，请先记录放宽条件。")
    return None


def start_first_term(reserve, actor, today) -> None:
    """approve_reserve: the reserve's first term starts on the day the office approves."""
    term = pool_term_for(reserve.town, today)
    reserve.term = term
    reserve.start_date = today
    reserve.term_start = today
    reserve.term_end = term_end_for(today, term.term_years)
    reserve.meets_conditions = tiers.meets(reserve, reserve.tier, term, today)
    reserve.save(update_fields=["term", "start_date", "term_start", "term_end", "meets_conditions", "updated_at"])


# --- relaxation afterwards ------------------------------------------------------------------------------


def _lock(actor, reserve_id, roles) -> Reserve:
    scope = Scope.for_user(actor)
    return scope.get(Reserve.objects.select_for_update(of=("self",)).select_related("term", "town"), reserve_id,
                     roles=set(roles))


def relaxation_record(*, actor, reserve_id, reason: str, approved_by: str, approved_on: datetime.date | None,
                      version=None, today=None) -> Reserve:
    """The office records a relaxation of the age and education conditions (特别优秀的，可适当放宽) on a reserve:
    the reason and who approved it, on a day not in the future."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or local_today()
    errors = check_relaxation_fields(reason, approved_by, approved_on, today)
    if approved_on is None and "relaxation_approved_on" not in errors:
        errors["relaxation_approved_on"] = _("请填写批准日期。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        reserve = _lock(actor, reserve_id, (Role.OFFICE,))
        RESERVE_WORKFLOW.check_version(reserve, version)
        if reserve.status not in OPEN_STATUSES:
            raise ActionRefused(_("当前状态为“%(s)s”，不能放宽条件。") % {"s": reserve.get_status_display()})
        if reserve.tier == Tier.VILLAGE:
            raise ActionRefused(_("村级后备干部的放宽条件在选拔中由组织办决定，此处不能记录。"))
        reserve.relaxation_reason = clean_text(reason)
        reserve.relaxation_approved_by = clean_text(approved_by)
        reserve.relaxation_approved_on = approved_on
        reserve.meets_conditions = tiers.meets(reserve, reserve.tier, reserve.term, tiers.reference_day(reserve))
        reserve.version += 1
        reserve.full_clean(exclude=["person", "term", "town", "nomination", "round", "meeting", "mentor"])
        reserve.save(update_fields=["relaxation_reason", "relaxation_approved_by", "relaxation_approved_on",
                                    "meets_conditions", "version", "updated_at"])
        record_event(reserve, action=PoolEvent.RELAXATION.value, actor=actor, reason=reserve.relaxation_reason,
                     data={"approved_by": reserve.relaxation_approved_by, "approved_on": f"{approved_on:%Y-%m-%d}",
                           "meets_conditions": reserve.meets_conditions})
    return reserve


# --- pool terms -------------------------------------------------------------------------------------------

# Bounds of a term's parameters (the form says the same): a value outside them is a typing error.
TERM_BOUNDS = {
    "period_years_min": (1, 10), "period_years_max": (1, 10),
    "target_tier1": (0, 1000), "target_tier2": (0, 1000), "target_tier3": (0, 1000), "target_tier4": (0, 5000),
    "age_limit_tier1": (18, 60), "age_limit_tier2": (18, 60), "age_limit_tier3": (18, 60),
    "age_limit_tier4": (18, 65),
    "tier1_middle_post_years": (0, 20), "tier2_organ_work_years": (0, 20), "tier3_project_amount": (1, 100000),
    "term_years": (1, 5), "renewal_notice_days": (1, 365), "talks_per_year": (1, 24),
    "due_talk_working_days": (1, 60), "mentor_within_days": (1, 365), "rotation_subsidy_per_day": (0, 1000),
}
TERM_FIELDS = ("name", "start", *TERM_BOUNDS)


def check_term(values: dict) -> dict:
    errors = {}
    for name, (low, high) in TERM_BOUNDS.items():
        value = values.get(name)
        if value is None:
            errors[name] = _("请填写此项。")
        elif not low <= value <= high:
            errors[name] = _("应在%(a)s至%(b)s之间。") % {"a": low, "b": high}
    start = values.get("start")
    if start is None:
        errors["start"] = _("请填写开始年月。")
    elif start.day != 1:
        errors["start"] = _("开始年月取该月1日。")
    elif not datetime.date(2000, 1, 1) <= start <= datetime.date(2100, 12, 1):
        errors["start"] = _("开始年月不在合理范围内。")
    low, high = values.get("period_years_min"), values.get("period_years_max")
    if low is not None and high is not None and low > high and "period_years_max" not in errors:
        errors["period_years_max"] = _("计划用时的止不能少于起（%(a)d年）。") % {"a": low}
    if not clean_text(values.get("name")):
        errors["name"] = _("请填写名称。")
    return errors


def reevaluate(term: PoolTerm) -> int:
    """Re-evaluate meets_conditions of the active and proposed reserves of a term (after its parameters
    changed), each on their own reference day; the number changed."""
    changed = []
    for reserve in term.reserves.filter(status__in=OPEN_STATUSES).select_related("nomination"):
        reserve.term = term
        now = tiers.meets(reserve, reserve.tier, term, tiers.reference_day(reserve))
        if now != reserve.meets_conditions:
            reserve.meets_conditions = now
            changed.append(reserve)
    Reserve.objects.bulk_update(changed, ["meets_conditions"])
    return len(changed)


def term_save(*, actor, values: dict, term_id=None) -> tuple[PoolTerm, int]:
    """Create (term_id None) or edit a pool term of the office's town; an edit re-evaluates the conditions of its
    active reserves. Returns the term and how many reserves' meets_conditions changed."""
    scope = _scope_with_town(actor)
    scope.require_role(Role.OFFICE)
    values = {k: v for k, v in values.items() if k in TERM_FIELDS}
    if "name" in values:
        values["name"] = clean_text(values["name"])
    errors = check_term(values)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        if term_id is None:
            term = PoolTerm(town_id=scope.town_id)
        else:
            term = scope.get(PoolTerm.objects.select_for_update(), term_id, roles={Role.OFFICE})
        clash = PoolTerm.objects.filter(town_id=scope.town_id, start=values["start"]).exclude(pk=term.pk)
        if clash.exists():
            raise ValidationError({"start": _("本镇已有%(m)s开始的人才库届期。") % {
                "m": f"{values['start'].year}年{values['start'].month}月"}})
        before = {k: getattr(term, k) for k in TERM_FIELDS} if term.pk else {}
        for key, value in values.items():
            setattr(term, key, value)
        term.full_clean(exclude=["town"])
        created = term.pk is None
        term.save()
        changed = 0 if created else reevaluate(term)
        record_event(term, action="pool_term_create" if created else "pool_term_update", actor=actor,
                     data={"changed": sorted(k for k in TERM_FIELDS if before and before[k] != getattr(term, k)),
                           "reevaluated": changed})
    return term, changed


# --- follow-up of those appointed -----------------------------------------------------------------------

FOLLOW_UP_ROLES = (Role.OFFICE, Role.UNIT, Role.VILLAGE)


def follow_up_record(*, actor, reserve_id, date: datetime.date | None, visited_by: str, content: str,
                     today=None) -> FollowUpVisit:
    """回访跟踪 of a reserve appointed (已任用): by the office or the reserve's unit or village, on a day not in
    the future and not before the appointment."""
    Scope.for_user(actor).require_role(*FOLLOW_UP_ROLES)
    today = today or local_today()
    errors = {}
    if not clean_text(visited_by):
        errors["visited_by"] = _("请填写回访人。")
    if not clean_text(content):
        errors["content"] = _("请填写回访情况。")
    if date is None:
        errors["date"] = _("请填写回访日期。")
    elif date > today:
        errors["date"] = _("回访日期不能晚于今天。")
    plausible(errors, "date", date)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        reserve = _lock(actor, reserve_id, FOLLOW_UP_ROLES)
        if reserve.status != S.USED:
            raise ActionRefused(_("回访跟踪只适用于已任用的后备干部（当前状态：%(s)s）。") % {
                "s": reserve.get_status_display()})
        if reserve.used_on and date < reserve.used_on:
            raise ValidationError({"date": _("回访日期不能早于任用日期（%(d)s）。") % {"d": cn_date(reserve.used_on)}})
        visit = FollowUpVisit(reserve=reserve, date=date, visited_by=clean_text(visited_by),
                              content=clean_text(content), recorded_by=actor)
        # The reserve's row is locked: a second submit of the same visit waits here and is refused.
        if FollowUpVisit.objects.filter(reserve=reserve, date=date, visited_by=visit.visited_by,
                                        content=visit.content).exists():
            raise ActionRefused(_("%(d)s%(v)s的这次回访已经记录，请勿重复提交。") % {
                "d": cn_date(date), "v": visit.visited_by})
        visit.full_clean(exclude=["reserve", "recorded_by"])
        visit.save()
        record_event(reserve, action=PoolEvent.FOLLOW_UP.value, actor=actor,
                     data={"date": f"{date:%Y-%m-%d}", "visited_by": visit.visited_by})
    return visit


def preview(*, actor, entry: Entry, today=None) -> list:
    """The tier's conditions for an entry being filled (read only): [] when the ID number or tier is not usable
    yet."""
    today = today or local_today()
    scope = _scope_with_town(actor)
    try:
        tier = Tier(int(entry.tier))
        parsed = idnumber.parse(entry.id_number, today=today)
    except (TypeError, ValueError, ValidationError):
        return []
    term = PoolTerm.objects.filter(town_id=scope.town_id, start__lte=today).order_by("-start", "-id").first() or \
        PoolTerm(town_id=scope.town_id, start=today.replace(day=1))
    values = {k: v for k, v in entry.facts.items() if k in tiers.Facts.FIELDS}
    values["field_experience"] = values.get("field_experience") or ""
    facts = tiers.Facts(**values, birth_date=parsed.birth_date, relaxation_reason=entry.relaxation_reason or "",
                        relaxation_approved_by=entry.relaxation_approved_by or "",
                        relaxation_approved_on=entry.relaxation_approved_on)
    return tiers.evaluate(facts, tier, term, today)


def decline_reasons(reserve_ids) -> dict[int, str]:
    """The reason of the latest decline of each of these reserves (one query), for the recommender."""
    from django.contrib.contenttypes.models import ContentType

    from reserve.models import Event

    if not reserve_ids:
        return {}
    found = {}
    rows = (Event.objects.filter(content_type=ContentType.objects.get_for_model(Reserve),
                                 object_id__in=reserve_ids, action="decline_reserve")
            .order_by("at", "id").values_list("object_id", "reason"))
    for object_id, reason in rows:
        found[int(object_id)] = reason
    return found
