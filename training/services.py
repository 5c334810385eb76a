"""Writes on the reserve pool."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from reserve.dates import add_years, checked_day, iso
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text, typed_text
from reserve.workflow import local_today

from . import tiers
from .models import COMMITTEE_TIERS, TIER_SHORT, PoolMeeting, PoolTerm, Reserve, Tier
from .selectors import PARTY_STATUSES, current_pool_term
from .workflow import RESERVE_WORKFLOW, PoolEvent, lock_reserve


def term_end_for(start: datetime.date, years: int) -> datetime.date:
    """The last day of a term of `years` starting on `start` (两年一届: 2026-12-06 → 2028-12-05)."""
    return add_years(start, years) - datetime.timedelta(days=1)


def pool_term_for(town, day: datetime.date) -> PoolTerm:
    """The town's pool term in force on `day` (the latest started on or before it); a town without one gets its
    first, with the plan's defaults, starting that month (the office then sets its targets)."""
    term = current_pool_term(town.pk, day)
    if term is None:
        term = PoolTerm.objects.create(town=town, name=_("%(y)d年起后备干部人才库") % {"y": day.year},
                                       start=day.replace(day=1))
    return term


def create_reserve(nomination, actor, today):
    """Effect of confirm_reserve: the person enters the pool as a village reserve cadre, for the pool term's term
    length, starting today, with the facts of the 自荐表."""
    town = nomination.round.town
    term = pool_term_for(town, today)
    person = nomination.person
    Reserve.objects.create(
        town=town, term=term, person=person, name=nomination.name, tier=Tier.VILLAGE,
        village=nomination.village, source=Reserve.Source.SELECTION, nomination=nomination, round=nomination.round,
        gender=person.gender, birth_date=person.birth_date, political_status=nomination.political_status,
        party_join_date=nomination.party_join_date, fulltime_education=nomination.fulltime_education,
        education=max(nomination.fulltime_education or 0, nomination.inservice_education or 0) or None,
        post=nomination.work_unit_post, phone=nomination.phone, speciality=nomination.speciality,
        meets_conditions=nomination.is_eligible,
        start_date=today, term_start=today, term_end=term_end_for(today, term.term_years),
    )


# --- the lifecycle of a reserve (H1): each move through RESERVE_WORKFLOW, in one durable transaction ----------




POST_MAX = 100  # characters of a post (Reserve.post, used_post)
NAME_MAX = 60  # characters of an approver's name


def _save(reserve, *fields):
    reserve.save(update_fields=[*fields, "updated_at"])


def reserve_use(*, actor, reserve_id, post: str, used_on, version=None, today=None) -> Reserve:
    """任用: the reserve is appointed to a post on a day (not in the future, not before entering the pool)."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        return use_locked(reserve, actor=actor, post=post, used_on=used_on, version=version, today=today)


def use_locked(reserve, *, actor, post: str, used_on, today, version=None, data=None) -> Reserve:
    """任用 of a reserve the caller has locked (lock_reserve) in its own transaction: a 两委 vacancy filled
    (assessment) appoints the reserve and records the vacancy's filling in one transaction."""
    RESERVE_WORKFLOW.check(reserve, "use_reserve", actor=actor, today=today, version=version)
    post = typed_text(post, _("任用职务"), POST_MAX)
    checked_day(used_on, _("任用日期"), today, not_before=reserve.start_date, not_before_what=_("入库日期"))
    reserve.used_post, reserve.used_on, reserve.ended_on = post, used_on, used_on
    _save(reserve, "used_post", "used_on", "ended_on")
    return RESERVE_WORKFLOW.apply(reserve, "use_reserve", actor=actor, today=today, version=version,
                                  data={**(data or {}), "post": post, "date": iso(used_on)})


def reserve_remove(*, actor, reserve_id, reason: str, approver: str, ended_on=None, version=None,
                   today=None) -> Reserve:
    """调整出库: with a reason and who approved it; the reserve no longer takes a place."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        return remove_locked(reserve, actor=actor, reason=reason, approver=approver, ended_on=ended_on,
                             version=version, today=today)


def remove_locked(reserve, *, actor, reason: str, approver: str, today, ended_on=None, version=None,
                  data=None) -> Reserve:
    """调整出库 of a reserve the caller has locked (lock_reserve) in its own transaction: the committee's approval
    of an adjustment (assessment) removes the reserve and records its decision in one transaction."""
    ended_on = ended_on or today
    RESERVE_WORKFLOW.check(reserve, "remove_reserve", actor=actor, reason=reason, today=today, version=version)
    approver = typed_text(approver, _("批准人"), NAME_MAX)
    checked_day(ended_on, _("出库日期"), today, not_before=reserve.start_date, not_before_what=_("入库日期"))
    reserve.ended_on = ended_on
    _save(reserve, "ended_on")
    return RESERVE_WORKFLOW.apply(reserve, "remove_reserve", actor=actor, reason=reason, today=today,
                                  version=version,
                                  data={**(data or {}), "approver": approver, "date": iso(ended_on)})


def reserve_renew(*, actor, reserve_id, version=None, today=None) -> Reserve:
    """续期: a new term from the day after the old one ended, for the pool term's term length; the old term is kept
    in the event."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        RESERVE_WORKFLOW.check(reserve, "renew_reserve", actor=actor, today=today, version=version)
        old = {"start": iso(reserve.term_start), "end": iso(reserve.term_end), "number": reserve.term_number}
        new_start = reserve.term_end + datetime.timedelta(days=1)
        new_end = term_end_for(new_start, reserve.term.term_years)
        new = {"start": iso(new_start), "end": iso(new_end), "number": reserve.term_number + 1}
        # The guards read the old term: move first, then write the new term (in this transaction).
        RESERVE_WORKFLOW.apply(reserve, "renew_reserve", actor=actor, today=today, version=version,
                               data={"old_term": old, "new_term": new})
        reserve.term_start, reserve.term_end, reserve.term_number = new_start, new_end, reserve.term_number + 1
        _save(reserve, "term_start", "term_end", "term_number")
        return reserve


def reserve_expire(*, actor, reserve_id, reason: str, version=None, today=None) -> Reserve:
    """期满不再续期: after the end of the term, with a reason."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        RESERVE_WORKFLOW.check(reserve, "expire_reserve", actor=actor, reason=reason, today=today, version=version)
        reserve.ended_on = today
        _save(reserve, "ended_on")
        return RESERVE_WORKFLOW.apply(reserve, "expire_reserve", actor=actor, reason=reason, today=today,
                                      version=version, data={"term_end": iso(reserve.term_end)})


def reserve_change_post(*, actor, reserve_id, post: str, changed_on, version=None, today=None) -> Reserve:
    """岗位调整: the reserve's new post from a day; the event keeps the old and the new."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        RESERVE_WORKFLOW.check(reserve, "change_post", actor=actor, today=today, version=version)
        post = typed_text(post, _("新岗位"), POST_MAX)
        checked_day(changed_on, _("调整日期"), today, not_before=reserve.start_date, not_before_what=_("入库日期"))
        if post == reserve.post:
            raise ActionRefused(_("新岗位与现岗位相同。"))
        old = reserve.post
        reserve.post = post
        _save(reserve, "post")
        return RESERVE_WORKFLOW.apply(reserve, "change_post", actor=actor, today=today, version=version,
                                      data={"old_post": old, "new_post": post, "date": iso(changed_on)})


def tier_change_refusal(reserve, tier, today) -> str:
    """Why `reserve` may not be put in `tier` today ("" when it may): the new tier's conditions on the change day
    (training.tiers, the one place that decides them; an age or education condition counts as met only with a
    recorded relaxation)."""
    missing = tiers.unmet(reserve, tier, reserve.term, today)
    if not missing:
        return ""
    text = _("不符合%(t)s的%(n)d项条件：%(c)s。") % {
        "t": TIER_SHORT[Tier(tier)], "n": len(missing),
        "c": "；".join(f"{c.title}（{c.message}）" for c in missing)}
    if all(c.relaxable for c in missing):
        text += _(" 如特别优秀需放宽年龄、学历要求，请先记录放宽条件。")
    return text


def reserve_change_tier(*, actor, reserve_id, tier, reason: str, meeting_id=None, version=None,
                        today=None) -> Reserve:
    """调整梯队 (the office, with a reason): e.g. a village reserve cadre put in tier 3 by the committee.

    The new tier's conditions are evaluated on the change day and must be met (tier_change_refusal); a change into
    tiers 1–3 is the committee's decision (镇党委会研究确定, as an entry into them): a PoolMeeting of the town, not
    after today and not before the reserve entered the pool, which becomes the reserve's deciding meeting.
    meets_conditions is set from the evaluation. The mentor is kept; a tier 1–3 reserve whose mentor was not named
    by the committee is shown so on the mentor card (to be named again)."""
    today = today or local_today()
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        RESERVE_WORKFLOW.check(reserve, "change_tier", actor=actor, reason=reason, today=today, version=version)
        try:
            tier = Tier(int(tier))
        except (TypeError, ValueError):
            raise ActionRefused(_("请选择梯队。")) from None
        if tier == reserve.tier:
            raise ActionRefused(_("新梯队与现梯队相同。"))
        if tier == Tier.VILLAGE and not reserve.village_id:
            raise ActionRefused(_("村级后备干部须属于村（社区），该同志属于%(u)s。") % {"u": reserve.unit_name})
        meeting = None
        if meeting_id:
            meeting = PoolMeeting.objects.filter(town_id=reserve.town_id, pk=meeting_id).first()
            if meeting is None:
                raise ActionRefused(_("所选党委会议不存在。"))
        if tier in COMMITTEE_TIERS:
            if meeting is None:
                raise ActionRefused(_("调整为第一至第三梯队须经镇党委会研究确定，请选择党委会议。"))
            if meeting.date > today:
                raise ActionRefused(_("党委会议日期晚于今天。"))
            if meeting.date < reserve.start_date:
                raise ActionRefused(_("党委会议日期（%(m)s）早于该同志的入库日期（%(d)s）。") % {
                    "m": iso(meeting.date), "d": iso(reserve.start_date)})
        refusal = tier_change_refusal(reserve, tier, today)
        if refusal:
            raise ActionRefused(refusal)
        old = reserve.tier
        reserve.tier = tier
        reserve.meets_conditions = True
        reserve.tier_since = today
        fields = ["tier", "meets_conditions", "tier_since"]
        if tier in COMMITTEE_TIERS:
            reserve.meeting = meeting
            fields.append("meeting")
        _save(reserve, *fields)
        return RESERVE_WORKFLOW.apply(reserve, "change_tier", actor=actor, reason=reason, today=today,
                                      version=version,
                                      data={"old_tier": int(old), "new_tier": int(tier),
                                            "old_tier_label": str(TIER_SHORT[Tier(old)]),
                                            "new_tier_label": str(TIER_SHORT[tier]),
                                            "meeting": iso(meeting.date) if meeting else "",
                                            "conditions_on": iso(today)})


ACTIVIST_ROLES = (Role.OFFICE, Role.VILLAGE, Role.UNIT)
NOTE_MAX = 200


def activist_refusal(reserve) -> str:
    """Why this reserve cannot be recommended as 入党积极分子 ("" if they can)."""
    if reserve.political_status in PARTY_STATUSES:
        return _("%(n)s已是%(p)s，不能推荐为入党积极分子。") % {
            "n": reserve.name, "p": reserve.get_political_status_display()}
    if reserve.status != Reserve.Status.ACTIVE:
        return _("只有培养中的后备干部可以推荐为入党积极分子。")
    return ""


def may_mark_activist(reserve, user) -> bool:
    scope = Scope.for_user(user)
    return (reserve.status == Reserve.Status.ACTIVE and reserve.political_status not in PARTY_STATUSES
            and scope.can_see(reserve, roles=ACTIVIST_ROLES))


def reserve_mark_activist(*, actor, reserve_id, recommended_on, note: str = "", version=None,
                          today=None) -> Reserve:
    """Village plan §四.4: a non-party reserve recommended as 入党积极分子 (the office, or the reserve's village or
    unit), with a date and a note."""
    today = today or local_today()
    scope = Scope.for_user(actor)
    scope.require_role(*ACTIVIST_ROLES)
    with transaction.atomic(durable=True):
        reserve = scope.get(Reserve.objects.select_for_update(of=("self",)), reserve_id, roles=ACTIVIST_ROLES)
        RESERVE_WORKFLOW.check_version(reserve, version)
        refusal = activist_refusal(reserve)
        if refusal:
            raise ActionRefused(refusal)
        checked_day(recommended_on, _("推荐日期"), today, not_before=reserve.start_date,
                    not_before_what=_("入库日期"))
        note = clean_text(note or "")
        if len(note) > NOTE_MAX:
            raise ActionRefused(_("推荐说明不能超过%(n)d字。") % {"n": NOTE_MAX})
        reserve.activist_recommended_on, reserve.activist_note = recommended_on, note
        reserve.version += 1
        _save(reserve, "activist_recommended_on", "activist_note", "version")
        record_event(reserve, action=PoolEvent.ACTIVIST, actor=actor, from_status=reserve.status,
                     to_status=reserve.status, data={"activist_on": iso(recommended_on), "note": note})
        return reserve


def reserve_perform(*, actor, reserve_id, action: str, reason: str = "", version=None, today=None) -> Reserve:
    """A button of a reserve's page: renew and expire through their services, the others (approve, decline)
    through the workflow."""
    if action == "renew_reserve":
        return reserve_renew(actor=actor, reserve_id=reserve_id, version=version, today=today)
    if action == "expire_reserve":
        return reserve_expire(actor=actor, reserve_id=reserve_id, reason=reason, version=version, today=today)
    return RESERVE_WORKFLOW.perform(actor=actor, pk=reserve_id, action=action, reason=reason, today=today,
                                    version=version)
