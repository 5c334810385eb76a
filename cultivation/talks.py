"""Talks with the reserves (谈心谈话) and the talks the plan requires after an event (四必谈): services and
selectors.

Not to be confused with the inspection stage's 个别谈话 (inspection.models.HeartTalk: a talk about a candidate with
people who know them): these are the pool's talks with a reserve, and keep the name 谈心谈话 in code and UI.

- record_talk: the office and the committee (their town), the reserve's mentor (only their own reserves: another's
  is a 404), the reserve's unit account and village account. A talk of a 四必谈 kind answers the oldest open due
  talk of that kind of the reserve; Reserve.last_talk_on keeps the latest talk's day.
- make_talk_due: a 四必谈 becomes due after a post change (change_post), an appointment (use_reserve), an
  assessment (the assessment issue calls it) or, added by the office by hand (add_due_talk), a setback. It is due
  within the pool term's due_talk_working_days working days after the day it arose, on the town's calendar.
- the lists: overdue due talks and reserves short of the yearly minimum (talks this calendar year fewer than the
  pool term's talks_per_year), for the office (the town) and for each mentor (their own).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reserve import events
from reserve.dates import cn_date
from reserve.exceptions import ActionRefused
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import clean_text
from reserve.workdays import add_working_days, official_data_for
from reserve.workflow import local_today
from training.models import Reserve
from training.workflow import lock_reserve

from .models import DueTalk, HeartTalk, TalkKind, Task


class TalkEvent(events.EventKind):
    TALK_RECORDED = "talk_recorded", gettext_lazy("记录谈心谈话")
    TALK_DUE = "talk_due", gettext_lazy("应谈事项（四必谈）")


events.register(TalkEvent)

# Who records a talk: the office and the committee (the town), the reserve's mentor, unit and village accounts.
TALK_WRITERS = (Role.OFFICE, Role.COMMITTEE, Role.MENTOR, Role.UNIT, Role.VILLAGE)
# Who reads a reserve's talks: whoever sees the reserve.
TALK_READERS = TALK_WRITERS
# Who has the lists of overdue and missing talks: the office and the committee (the town), a mentor (their own).
LIST_READERS = (Role.OFFICE, Role.COMMITTEE, Role.MENTOR)
# The kinds of 四必谈 (a due talk is one of these; a regular talk answers none).
DUE_KINDS = (TalkKind.POST_CHANGE, TalkKind.PROMOTION, TalkKind.SETBACK, TalkKind.ASSESSMENT)
# The statuses in which talks are held: in cultivation, and appointed (提拔重用时必谈, 回访跟踪).
TALKABLE = (Reserve.Status.ACTIVE, Reserve.Status.USED)

TALK_ALREADY = gettext_lazy("该次谈话已记录（同一时间、谈话人、类型和主题的谈话已有记录），不再重复记录。")

PLACE_MAX, TALKER_MAX, TOPIC_MAX, TEXT_MAX, REASON_MAX = 100, 60, 100, 1000, 200


# ----------------------------------------------------------------------------- due talks (四必谈)


def due_date_for(reserve, arose_on: datetime.date):
    """The period of the pool term's due_talk_working_days working days after the day the event arose, on the
    town's calendar (reserve.workdays): its end is the due day."""
    days = max(1, reserve.term.due_talk_working_days)
    return add_working_days(arose_on + datetime.timedelta(days=1), days, town=reserve.town)


def calendar_note(start: datetime.date, end: datetime.date) -> str:
    """The visible warning when the official calendar does not know a year of the period (as the 公示 does)."""
    unknown = [y for y in range(start.year, end.year + 1) if not official_data_for(y)]
    if not unknown:
        return ""
    years = "、".join(str(y) for y in unknown)
    return _("系统尚无%(y)s年的国家法定节假日安排，应谈期限按周一至周五及本镇维护的节假日调整计算，请核对。") % {"y": years}


def due_talk_note(due) -> str:
    return calendar_note(due.arose_on, due.due_on)


def make_talk_due(reserve, kind, reason, arose_on: datetime.date, *, actor=None) -> DueTalk:
    """A 四必谈 of a reserve becomes due (called inside the caller's transaction: a workflow effect, the
    assessment, add_due_talk). The same kind arisen the same day and still open is not made twice."""
    if kind not in DUE_KINDS:
        raise ValueError(f"not a kind of 四必谈: {kind!r}")
    reason = clean_text(reason)[:REASON_MAX] or str(TalkKind(kind).label)
    existing = DueTalk.objects.filter(reserve=reserve, kind=kind, arose_on=arose_on, talk__isnull=True).first()
    if existing is not None:
        return existing
    period = due_date_for(reserve, arose_on)
    due = DueTalk.objects.create(reserve=reserve, kind=kind, reason=reason, arose_on=arose_on, due_on=period.end)
    due.calendar_note = calendar_note(arose_on, period.end)
    record_event(reserve, action=TalkEvent.TALK_DUE, actor=actor, data={
        "due_talk": due.pk, "kind": kind, "arose_on": arose_on.isoformat(), "due_on": period.end.isoformat(),
        "estimated": bool(due.calendar_note)})
    return due


def add_due_talk(actor, reserve_id, kind, reason, arose_on, *, today=None) -> DueTalk:
    """The office adds a due talk by hand (e.g. 遇到挫折时必谈), with its reason."""
    Scope.for_user(actor).require_role(Role.OFFICE)
    today = today or local_today()
    reason = clean_text(reason)
    errors = {}
    if kind not in DUE_KINDS:
        errors["kind"] = _("请选择“四必谈”的谈话类型。")
    if not reason:
        errors["reason"] = _("请填写事由。")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("事由不能超过%(n)d字。") % {"n": REASON_MAX}
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        _require_talkable(reserve)
        if not isinstance(arose_on, datetime.date):
            errors["arose_on"] = _("请填写发生日期。")
        elif arose_on > today:
            errors["arose_on"] = _("发生日期（%(d)s）不能晚于今天。") % {"d": cn_date(arose_on)}
        elif arose_on < reserve.start_date:
            errors["arose_on"] = _("发生日期（%(d)s）不能早于该同志的入库日期（%(s)s）。") % {
                "d": cn_date(arose_on), "s": cn_date(reserve.start_date)}
        if errors:
            raise ValidationError(errors)
        return make_talk_due(reserve, kind, reason, arose_on, actor=actor)


# ----------------------------------------------------------------------------- talks


def _require_talkable(reserve) -> None:
    if reserve.status not in TALKABLE:
        raise ActionRefused(_("该同志当前状态为“%(s)s”，不再记录谈心谈话。") % {"s": reserve.get_status_display()})


def _text(errors, field, value, limit, label, required=True) -> str:
    value = clean_text(value)
    if required and not value:
        errors[field] = _("请填写%(f)s。") % {"f": label}
    elif len(value) > limit:
        errors[field] = _("%(f)s不能超过%(n)d字。") % {"f": label, "n": limit}
    return value


def record_talk(actor, reserve_id, held_at, place, talker, kind, topic, content, follow_up, *, now=None) -> HeartTalk:
    """Record a 谈心谈话 with a reserve. NotAllowed for a role that never records talks (a department), NotFound
    for a reserve outside the actor's scope (a mentor's for another's reserve, another town's), ActionRefused for
    a reserve no longer in cultivation, ValidationError by field for bad input."""
    scope = Scope.for_user(actor)
    scope.require_role(*TALK_WRITERS)
    now = now or timezone.now()
    errors = {}
    place = _text(errors, "place", place, PLACE_MAX, _("地点"))
    talker = _text(errors, "talker", talker, TALKER_MAX, _("谈话人"))
    topic = _text(errors, "topic", topic, TOPIC_MAX, _("谈话主题"))
    content = _text(errors, "content", content, TEXT_MAX, _("谈话内容"))
    follow_up = _text(errors, "follow_up", follow_up, TEXT_MAX, _("后续跟进"), required=False)
    if kind not in TalkKind.values:
        errors["kind"] = _("请选择谈话类型。")
    if isinstance(held_at, datetime.datetime) and timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    with transaction.atomic(durable=True):
        reserve = lock_reserve(actor, reserve_id)
        _require_talkable(reserve)
        held_on = None
        if not isinstance(held_at, datetime.datetime):
            errors["held_at"] = _("请填写谈话时间。")
        elif held_at > now:
            errors["held_at"] = _("谈话时间（%(t)s）不能晚于现在。") % {
                "t": f"{timezone.localtime(held_at):%Y-%m-%d %H:%M}"}
        else:
            held_on = timezone.localdate(held_at)
            if held_on < reserve.start_date:
                errors["held_at"] = _("谈话日期（%(d)s）不能早于该同志的入库日期（%(s)s）。") % {
                    "d": cn_date(held_on), "s": cn_date(reserve.start_date)}
        if errors:
            raise ValidationError(errors)
        # A double tap sends the same talk twice: it is held (and counts toward the yearly minimum) once.
        if HeartTalk.objects.filter(reserve=reserve, held_at=held_at, kind=kind, topic=topic,
                                    talker=talker).exists():
            raise ActionRefused(TALK_ALREADY)
        talk = HeartTalk.objects.create(reserve=reserve, held_at=held_at, place=place, talker=talker, kind=kind,
                                   topic=topic, content=content, follow_up=follow_up, recorded_by=actor)
        answered = None
        if kind in DUE_KINDS:
            answered = (DueTalk.objects.select_for_update()
                        .filter(reserve=reserve, kind=kind, talk__isnull=True, arose_on__lte=held_on)
                        .order_by("arose_on", "due_on", "id").first())
            if answered is not None:
                answered.talk = talk
                answered.save(update_fields=["talk"])
        if reserve.last_talk_on is None or held_on > reserve.last_talk_on:
            reserve.last_talk_on = held_on
            reserve.save(update_fields=["last_talk_on", "updated_at"])
        record_event(reserve, action=TalkEvent.TALK_RECORDED, actor=actor, data={
            "talk": talk.pk, "kind": kind, "held_on": held_on.isoformat(),
            "due_talk": answered.pk if answered else None})
    talk.answered = answered
    return talk


# ----------------------------------------------------------------------------- reads


def may_record_talk(user, reserve) -> bool:
    scope = Scope.for_user(user)
    return scope.has(*TALK_WRITERS) and reserve.status in TALKABLE and scope.can_see(reserve)


def _year_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(today.year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(today.year + 1, 1, 1, tzinfo=tz)


def talks_this_year_count(today: datetime.date) -> Coalesce:
    """The number of talks held this calendar year with the reserve of the outer row: a subquery per reserve on the
    (reserve, held_at) index, not a join of every talk of the town grouped by reserve."""
    start, end = _year_bounds(today)
    held = (HeartTalk.objects.filter(reserve_id=OuterRef("pk"), held_at__gte=start, held_at__lt=end).order_by()
            .values("reserve_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(held, output_field=IntegerField()), 0)


def _scoped(user, rows, own: bool, mentor_path: str):
    """The rows of a list this user reads: the town's (office, committee) or a mentor's own (own=True: the
    reserves paired with this account now — a mentor, or a committee member who is a tier 1–3 mentor)."""
    scope = Scope.for_user(user)
    scope.require_role(*LIST_READERS)
    if own:
        return rows.filter(**{mentor_path: user.pk})
    return scope.filter(rows)


def talks_of(user, reserve) -> QuerySet[HeartTalk]:
    """A reserve's talks, newest first (the reserve is one the user sees)."""
    return (Scope.for_user(user).filter(reserve.talks.all())
            .select_related("recorded_by").order_by("-held_at", "-id"))


def open_due_talks_of(reserve) -> QuerySet[DueTalk]:
    return DueTalk.objects.filter(reserve=reserve, talk__isnull=True).order_by("due_on", "id")


def talks_count_this_year(reserve, today) -> int:
    start, end = _year_bounds(today)
    return HeartTalk.objects.filter(reserve=reserve, held_at__gte=start, held_at__lt=end).count()


def talks_seen_by(user, reserve) -> list[HeartTalk]:
    """talks_of (newest first), read once per reserve object and user: the talk card, the history and the
    one-person file share the read."""
    from training.panels import read_once

    return read_once(reserve, ("talks", user.pk), lambda: list(talks_of(user, reserve)))


def held_this_year(talks, today) -> int:
    """How many of these talks were held in today's calendar year (the town's clock), as talks_count_this_year
    counts them, from talks already read."""
    start, end = _year_bounds(today)
    return sum(1 for talk in talks if start <= talk.held_at < end)


def due_talks_seen_by(user, reserve) -> list[DueTalk]:
    """A reserve's due talks (四必谈) the user may see, with the talks that answered them, in the order they arose;
    read once per reserve object and user: the talk card (the open ones), the history and the one-person file
    share the read."""
    from training.panels import read_once

    return read_once(reserve, ("due_talks", user.pk), lambda: list(
        Scope.for_user(user).filter(reserve.due_talks.all()).select_related("talk").order_by("arose_on", "id")))


def open_due_talks(user, *, own=False) -> QuerySet[DueTalk]:
    """Due talks not yet held, of reserves in cultivation or appointed, earliest due first."""
    rows = _scoped(user, DueTalk.objects.filter(talk__isnull=True, reserve__status__in=TALKABLE), own,
                   "reserve__mentor_id")
    return (rows.select_related("reserve__village", "reserve__unit", "reserve__mentor")
            .order_by("due_on", "id"))


def overdue_due_talks(user, today=None, *, own=False) -> QuerySet[DueTalk]:
    """Due talks past their due day (due_on < today) and not held."""
    return open_due_talks(user, own=own).filter(due_on__lt=today or local_today())


def reserves_short_of_talks(user, today=None, *, own=False) -> QuerySet[Reserve]:
    """Active reserves with fewer talks this calendar year than the pool term's talks_per_year, fewest first."""
    today = today or local_today()
    rows = (_scoped(user, Reserve.objects.filter(status=Reserve.Status.ACTIVE), own, "mentor_id")
            .annotate(talks_this_year=talks_this_year_count(today))
            .filter(talks_this_year__lt=F("term__talks_per_year")))
    return (rows.select_related("term", "village", "unit", "mentor")
            .order_by("talks_this_year", F("last_talk_on").asc(nulls_first=True), "id"))


def mentor_reserves(user, today=None) -> QuerySet[Reserve]:
    """The reserves in cultivation paired with this mentor now, with talks this year; longest without a talk
    first."""
    today = today or local_today()
    return (Reserve.objects.filter(mentor=user, status=Reserve.Status.ACTIVE)
            .annotate(talks_this_year=talks_this_year_count(today))
            .select_related("term", "village", "unit")
            .order_by(F("last_talk_on").asc(nulls_first=True), "start_date", "id"))


def tasks_to_evaluate(user) -> QuerySet[Task]:
    """Tasks of this mentor's reserves in cultivation (培养中) reported and awaiting an evaluation (read only here);
    a reserve that left the pool or was appointed is no longer cultivated by tasks."""
    return (Task.objects.filter(reserve__mentor=user, reserve__status=Reserve.Status.ACTIVE,
                                status=Task.Status.REPORTED)
            .select_related("reserve").order_by("reported_on", "due_on", "id"))


def days_since(day, today) -> int | None:
    return (today - day).days if day else None


def mark_due_rows(rows, today) -> list[DueTalk]:
    """Give each due talk of a list's page what its row shows, computed once here: the days past its due day, its
    kind's label, the reserve's mentor and the links to the reserve's talks and to recording one."""
    rows = list(rows)
    kinds = {value: str(label) for value, label in TalkKind.choices}
    for d in rows:
        d.days_over = (today - d.due_on).days
        d.kind_label = kinds.get(d.kind, d.kind)
        d.mentor_name = str(d.reserve.mentor) if d.reserve.mentor_id else ""
        d.list_url = reverse("cultivation:talk_list", args=[d.reserve_id])
        d.new_url = reverse("cultivation:talk_new", args=[d.reserve_id])
    return rows


def mark_short_rows(rows, today) -> list[Reserve]:
    """Give each reserve of a list of talks this year (those short of them, a mentor's desk) what its row shows,
    computed once here: the days since its last talk, whether it is short of the year's talks, its tier's label and
    the links to its page, to its talks and to recording one."""
    rows = list(rows)
    tiers = {value: str(label) for value, label in Reserve._meta.get_field("tier").flatchoices}
    for r in rows:
        r.days_since_talk = days_since(r.last_talk_on, today)
        r.tier_label = tiers.get(r.tier, r.tier)
        r.list_url = reverse("cultivation:talk_list", args=[r.pk])
        r.new_url = reverse("cultivation:talk_new", args=[r.pk])
        r.detail_url = reverse("training:reserve_detail", args=[r.pk])
        r.short = r.talks_this_year < r.term.talks_per_year
    return rows
