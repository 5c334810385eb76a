"""Mentors (引路人 / 结对帮扶): pairing a reserve with a mentor, and the reads of the pairings.

Who may be a mentor (four-tier plan §五(一), village plan §四.1):
- tiers 1–3 (COMMITTEE_TIERS): a member of the town's leadership team (班子成员) — an active account of the town
  holding Role.COMMITTEE — named with the committee's decision (a PoolMeeting of the town, required). A committee
  member already sees the whole town, so Role.MENTOR is not required of them (they may hold it too);
- tier 4 and village reserves: an active account of the town holding Role.MENTOR, designated by the office on the
  unit's proposal (proposed_by, required).

A change of mentor ends the current pairing the day before the new one starts (the same day when the new one
starts on the day the old one did: a correction) and starts a new one; the history is kept (Mentorship), and
Reserve.mentor — what Role.MENTOR's scope reads — follows the current pairing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.models import User
from reserve.roles import Role, roles_of
from reserve.scope import Scope
from reserve.selectors import parse_pk
from reserve.services import record_event
from reserve.text import clean_text
from reserve.workflow import local_today

from .models import COMMITTEE_TIERS, Mentorship, PoolMeeting, Reserve
from .workflow import STALE, PoolEvent, lock_reserve

BASIS_MAX = 200
PROPOSED_BY_MAX = 60
# The statuses in which a reserve is paired (培养中).
PAIRABLE = (Reserve.Status.ACTIVE,)


def needs_committee(reserve) -> bool:
    """Tiers 1–3: the mentor is a member of the town's leadership team, named by the committee."""
    return reserve.tier in COMMITTEE_TIERS


def _town_q(town_id, prefix="") -> Q:
    """An account of the town: directly, or through its village, department or unit."""
    return (Q(**{f"{prefix}town_id": town_id}) | Q(**{f"{prefix}village__town_id": town_id})
            | Q(**{f"{prefix}department__town_id": town_id}) | Q(**{f"{prefix}unit__town_id": town_id}))


def mentor_role_for(reserve) -> str:
    return Role.COMMITTEE if needs_committee(reserve) else Role.MENTOR


def eligible_mentors(reserve) -> QuerySet[User]:
    """The accounts that may be named this reserve's mentor."""
    return (User.objects.filter(_town_q(reserve.town_id), is_active=True, groups__name=mentor_role_for(reserve))
            .distinct().order_by("full_name", "username"))


def pool_meetings_of(town_id) -> QuerySet[PoolMeeting]:
    return PoolMeeting.objects.filter(town_id=town_id).order_by("-date", "-id")


def mentor_refusal(reserve, mentor) -> str:
    """Why this account may not be this reserve's mentor ("" when it may)."""
    if mentor is None:
        return _("所选引路人不存在。")
    if not mentor.is_active:
        return _("账号“%(u)s”已停用，不能担任引路人。") % {"u": mentor}
    scope = Scope.for_user(mentor)
    if scope.town_id != reserve.town_id:
        return _("“%(u)s”不是本镇的账号，不能担任本镇后备干部的引路人。") % {"u": mentor}
    roles = roles_of(mentor)
    if needs_committee(reserve):
        if Role.COMMITTEE not in roles:
            return _("第一至第三梯队后备干部的引路人须由镇领导班子成员（镇党委成员账号）担任，“%(u)s”不是。") % {"u": mentor}
    elif Role.MENTOR not in roles:
        return _("“%(u)s”没有引路人角色，请先由系统管理员为其开通引路人账号。") % {"u": mentor}
    return ""


def _validate(reserve, mentor, start, basis, meeting, proposed_by, today, current) -> dict:
    errors = {}
    refusal = mentor_refusal(reserve, mentor)
    if refusal:
        errors["mentor"] = refusal
    elif current is not None and current.mentor_id == mentor.pk:
        errors["mentor"] = _("“%(u)s”已是该同志的引路人。") % {"u": mentor}
    if not isinstance(start, datetime.date):
        errors["start"] = _("请填写结对日期。")
    elif start > today:
        errors["start"] = _("结对日期（%(d)s）不能晚于今天。") % {"d": cn_date(start)}
    elif start < reserve.start_date:
        errors["start"] = _("结对日期（%(d)s）不能早于该同志的入库日期（%(s)s）。") % {
            "d": cn_date(start), "s": cn_date(reserve.start_date)}
    elif current is not None and start < current.start:
        errors["start"] = _("结对日期（%(d)s）不能早于现任引路人的结对日期（%(s)s）。") % {
            "d": cn_date(start), "s": cn_date(current.start)}
    if len(basis) > BASIS_MAX:
        errors["basis"] = _("依据不能超过%(n)d字。") % {"n": BASIS_MAX}
    if len(proposed_by) > PROPOSED_BY_MAX:
        errors["proposed_by"] = _("提议单位不能超过%(n)d字。") % {"n": PROPOSED_BY_MAX}
    if needs_committee(reserve):
        if meeting is None:
            errors["meeting"] = _("第一至第三梯队的引路人须经镇党委会研究确定，请选择党委会研究记录。")
        elif isinstance(start, datetime.date) and meeting.date > start:
            errors["meeting"] = _("党委会研究日期（%(m)s）晚于结对日期：须先研究确定，再结对。") % {"m": cn_date(meeting.date)}
    elif not proposed_by:
        errors["proposed_by"] = _("请填写提议单位（引路人由党建办根据单位提议指定）。")
    return errors


# What a pairing page carries about the mentor it showed: NO_MENTOR_SEEN when it showed none, a user's pk when it
# showed that mentor; None when unknown (no check).
NO_MENTOR_SEEN = 0
GARBAGE_SEEN = -1


def parse_seen_mentor(raw) -> int | None:
    """The pairing page's hidden `seen_mentor` (None when absent; GARBAGE_SEEN when not a pk, refused as stale)."""
    if raw is None:
        return None
    value = parse_pk(str(raw))
    return GARBAGE_SEEN if value is None else value


def pair_mentor(actor, reserve_id, mentor_id, start, basis, meeting_id=None, proposed_by="", *, today=None,
                seen_mentor=None):
    """Name (or change) a reserve's mentor, from `start`; the office only. Returns the new Mentorship.

    `seen_mentor`: the mentor the page showed (NO_MENTOR_SEEN for none; None: not checked). When the reserve's
    mentor has changed since — another clerk paired it meanwhile — the pairing is refused (STALE) instead of
    silently replacing the mentor just named; naming the mentor it already has is refused as such.

    NotAllowed for another role, NotFound for a reserve outside the office's town, ActionRefused for a reserve not
    in cultivation or a stale page, ValidationError (by field: mentor, start, meeting, basis, proposed_by) for bad
    input.
    """
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or local_today()
    basis = clean_text(basis)
    proposed_by = clean_text(proposed_by)
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        if reserve.status not in PAIRABLE:
            raise ActionRefused(_("该同志当前状态为“%(s)s”，不能结对。") % {"s": reserve.get_status_display()})
        mentor = _user_or_none(mentor_id)
        meeting = None
        if meeting_id not in (None, ""):
            meeting = _pk_or_none(pool_meetings_of(reserve.town_id), meeting_id)
            if meeting is None:
                raise ValidationError({"meeting": _("所选党委会研究记录不存在。")})
        current = Mentorship.objects.select_for_update().filter(reserve=reserve, end__isnull=True).first()
        already = current is not None and mentor is not None and current.mentor_id == mentor.pk
        if seen_mentor is not None and not already and seen_mentor != (reserve.mentor_id or NO_MENTOR_SEEN):
            raise ActionRefused(STALE)
        errors = _validate(reserve, mentor, start, basis, meeting, proposed_by, today, current)
        if errors:
            raise ValidationError(errors)
        if current is not None:
            current.end = max(current.start, start - datetime.timedelta(days=1))
            current.save(update_fields=["end"])
            record_event(reserve, action=PoolEvent.MENTOR_ENDED, actor=actor, data={
                "mentor": current.mentor_id, "mentor_name": str(current.mentor), "end": current.end.isoformat()})
        pairing = Mentorship.objects.create(
            reserve=reserve, mentor=mentor, start=start, basis=basis, meeting=meeting,
            proposed_by=proposed_by if not needs_committee(reserve) else "", recorded_by=actor)
        reserve.mentor = mentor
        reserve.save(update_fields=["mentor", "updated_at"])
        record_event(reserve, action=PoolEvent.MENTOR_PAIRED, actor=actor, data={
            "mentor": mentor.pk, "mentor_name": str(mentor), "start": start.isoformat(),
            "meeting": meeting.pk if meeting else None, "changed": current is not None})
    return pairing


def _pk_or_none(queryset, raw):
    pk = parse_pk(None if raw is None else str(raw))
    return queryset.filter(pk=pk).first() if pk else None


def _user_or_none(raw):
    return _pk_or_none(User.objects.select_related("village", "department", "unit"), raw)


# ----------------------------------------------------------------------------- reads


def mentorships_of(reserve) -> QuerySet[Mentorship]:
    """The pairing history of a reserve, oldest first."""
    return Mentorship.objects.filter(reserve=reserve).select_related("mentor", "meeting", "recorded_by").order_by(
        "start", "id")


def pairings_of(reserve) -> list[Mentorship]:
    """The pairing history of a reserve (mentorships_of), read once per reserve object: its page's card, its
    history and its one-person file share it."""
    from .panels import read_once

    return read_once(reserve, "mentorships", lambda: list(mentorships_of(reserve)))


def town_mentors(user) -> QuerySet[User]:
    """The accounts of the actor's town that may be mentors (引路人 or 班子成员) or are one now, with how many
    active reserves each has now (office, committee)."""
    scope = Scope.for_user(user)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    active = Q(mentored_reserves__status=Reserve.Status.ACTIVE)
    mentors_now = Reserve.objects.filter(town_id=scope.town_id, mentor__isnull=False).values("mentor_id")
    return (User.objects.filter(_town_q(scope.town_id))
            .filter(Q(groups__name=Role.MENTOR) | Q(pk__in=mentors_now))
            .only("full_name", "username", "is_active")
            .annotate(reserve_count=Count("mentored_reserves", filter=active, distinct=True))
            .order_by("-reserve_count", "full_name", "username").distinct())


def reserves_without_mentor(user, today=None) -> QuerySet[Reserve]:
    """Active reserves of the town without a mentor past the pool term's mentor_within_days since they entered
    (明确引路人 within a month of joining), longest waiting first."""
    scope = Scope.for_user(user)
    scope.require_role(Role.OFFICE, Role.COMMITTEE)
    today = today or local_today()
    rows = scope.filter(Reserve.objects.filter(status=Reserve.Status.ACTIVE, mentor__isnull=True),
                        roles={Role.OFFICE, Role.COMMITTEE})
    # start_date + mentor_within_days < today, written as a comparison each database can make: the term's days are
    # few distinct values, so one condition per value keeps it in SQL.
    days = sorted(set(rows.values_list("term__mentor_within_days", flat=True)))
    condition = Q(pk__in=[])
    for d in days:
        condition |= Q(term__mentor_within_days=d, start_date__lt=today - datetime.timedelta(days=d))
    return (rows.filter(condition).select_related("term", "village", "unit").order_by("start_date", "id"))


def reserve_unpaired_overdue(reserve, today) -> bool:
    return (reserve.status == Reserve.Status.ACTIVE and reserve.mentor_id is None
            and reserve.start_date + datetime.timedelta(days=reserve.term.mentor_within_days) < today)



def end_pairing_on_leaving(reserve, actor, today):
    """Effect of a reserve leaving the pool (调整出库, 期满出库): the current pairing ends that day and the mentor
    no longer sees the reserve (the history keeps the pairing). An appointed reserve (任用) keeps its mentor for
    the talk after promotion and the follow-up."""
    current = Mentorship.objects.select_for_update().filter(reserve=reserve, end__isnull=True).first()
    if current is None:
        return
    current.end = max(current.start, today)
    current.save(update_fields=["end"])
    record_event(reserve, action=PoolEvent.MENTOR_ENDED, actor=actor, data={
        "mentor": current.mentor_id, "mentor_name": str(current.mentor), "end": current.end.isoformat(),
        "left_pool": reserve.status})
    reserve.mentor = None
    reserve.save(update_fields=["mentor", "updated_at"])
