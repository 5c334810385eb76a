"""两委 vacancies (职数空缺) and their filling — village plan §四.4: 村“两委”干部出现缺额，优先从后备干部中推选产生.

A vacancy is recorded by the office, or by a village branch for its own village (post, the day it arose — not in
the future —, a reason). Its first candidates are the village's active reserves (its village reserve cadres and
the tier-3 reserves of that village), ranked by their latest confirmed assessment: not vetoed first, then flagged
优先使用 first, then by grade, total (higher first) and rank; those never assessed last. The office fills it:

- from the pool: one of those candidates, on a day (not in the future, not before the vacancy arose, not before
  the reserve entered the pool) — in one transaction the vacancy is locked, then the reserve
  (training.workflow.lock_reserve), the reserve is appointed (任用: training.services.use_locked, with the
  vacancy's post and the vacancy's id in the event's data) and the vacancy is closed;
- by other means (a note: 换届选举产生, 上级选派 …), with no reserve.

A filled vacancy is closed: filling it again is refused (a replayed or stale form included).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reserve import audit, events
from reserve.dates import checked_day, iso
from reserve.exceptions import ActionRefused
from reserve.models import AuditEntry, Village, VillageCadre
from reserve.roles import Role
from reserve.scope import Scope
from reserve.services import record_event
from reserve.text import typed_text
from reserve.workflow import local_today
from training.models import Reserve, Tier
from training.services import use_locked
from training.workflow import lock_reserve

from .models import Assessment, Grade, Vacancy

READERS = (Role.OFFICE, Role.COMMITTEE, Role.VILLAGE)
RECORDERS = (Role.OFFICE, Role.VILLAGE)
FILLERS = (Role.OFFICE,)
# The reserves of a village who are its first candidates: its village reserve cadres and its tier-3 reserves
# (successors to the village's secretary and director).
CANDIDATE_TIERS = (Tier.VILLAGE, Tier.THIRD)
POST_MAX = 50
REASON_MAX = 200
NOTE_MAX = 200
EARLIEST = datetime.date(2000, 1, 1)


class VacancyEvent(events.EventKind):
    CREATED = "vacancy_create", gettext_lazy("记录两委职数空缺")
    FILLED = "vacancy_filled", gettext_lazy("从后备干部中推选补齐空缺")
    FILLED_OTHER = "vacancy_filled_other", gettext_lazy("以其他方式补齐空缺")


events.register(VacancyEvent)


# --- reads -----------------------------------------------------------------------------------------------------


def vacancies_visible_to(user) -> QuerySet[Vacancy]:
    return Scope.for_user(user).filter(Vacancy)


def vacancy_rows(user, *, state: str = "", village_id: int | None = None) -> QuerySet[Vacancy]:
    """The vacancies this user sees (the office and committee: the town's; a village branch: its own), open first,
    newest first; `state`: "open", "filled" or "" (all); `village_id`: one village's."""
    rows = vacancies_visible_to(user).select_related("village", "filled_by")
    if village_id:
        rows = rows.filter(village_id=village_id)
    if state == "open":
        rows = rows.filter(filled_on__isnull=True)
    elif state == "filled":
        rows = rows.filter(filled_on__isnull=False)
    return rows.order_by(F("filled_on").asc(nulls_first=True), "-arose_on", "-id")


def get_vacancy_for_user_or_404(user, pk) -> Vacancy:
    return Scope.for_user(user).get(Vacancy.objects.select_related("village", "village__town", "filled_by"), pk)


def villages_for(user) -> QuerySet[Village]:
    """The villages this user may record a vacancy of (the office: the town's; a village branch: its own)."""
    return Scope.for_user(user).filter(Village, roles=RECORDERS).order_by("order", "pk")


def _latest(field):
    latest = (Assessment.objects.filter(reserve_id=OuterRef("pk"), status=Assessment.Status.CONFIRMED)
              .order_by("-year", "-confirmed_on", "-id"))
    return Subquery(latest.values(field)[:1])


GRADE_ORDER = {Grade.EXCELLENT.value: 0, Grade.COMPETENT.value: 1, Grade.BASIC.value: 2, Grade.INCOMPETENT.value: 3}


def candidate_rows(vacancy) -> QuerySet[Reserve]:
    """The vacancy's first candidates, ranked (see the module's docstring). Each row carries `a_id`, the id of its
    latest confirmed assessment (None: never assessed); `attach_assessments` loads them for a page."""
    rows = (Reserve.objects.filter(village_id=vacancy.village_id, status=Reserve.Status.ACTIVE,
                                   tier__in=[int(t) for t in CANDIDATE_TIERS])
            .select_related("village")
            .annotate(a_id=_latest("pk"), a_veto=_latest("veto_reason"), a_priority=_latest("priority"),
                      a_grade=_latest("grade"), a_total=_latest("total"), a_rank=_latest("rank"))
            .annotate(
                a_assessed=Case(When(a_id__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
                a_vetoed=Case(When(~Q(a_veto="") & Q(a_veto__isnull=False), then=Value(1)), default=Value(0),
                              output_field=IntegerField()),
                a_first=Case(When(a_priority=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
                a_grade_order=Case(*(When(a_grade=g, then=Value(n)) for g, n in GRADE_ORDER.items()),
                                   default=Value(9), output_field=IntegerField())))
    return rows.order_by("a_assessed", "a_vetoed", "a_first", "a_grade_order", F("a_total").desc(nulls_last=True),
                         F("a_rank").asc(nulls_last=True), "start_date", "pk")


def attach_assessments(reserves) -> None:
    """Set `assessment` (the latest confirmed one, with its round, or None) on each reserve of a page (one query),
    and what the row shows, computed once here: the tier's and the grade's labels and the link to the reserve's
    page."""
    reserves = list(reserves)
    ids = [r.a_id for r in reserves if r.a_id]
    found = {a.pk: a for a in Assessment.objects.filter(pk__in=ids).select_related("round")} if ids else {}
    tiers = {value: str(label) for value, label in Tier.choices}
    grades = {value: str(label) for value, label in Grade.choices}
    for r in reserves:
        r.assessment = found.get(r.a_id)
        r.tier_label = tiers.get(r.tier, r.tier)
        r.url = reverse("training:reserve_detail", args=[r.pk])
        if r.assessment is not None:
            r.assessment.grade_label = grades.get(r.assessment.grade, r.assessment.grade)


def open_vacancy_counts(village_ids) -> dict[int, int]:
    """Open vacancies per village (one grouped query)."""
    from django.db.models import Count

    rows = (Vacancy.objects.filter(village_id__in=list(village_ids), filled_on__isnull=True)
            .values("village_id").annotate(n=Count("id")))
    return {row["village_id"]: row["n"] for row in rows}


# --- writes ----------------------------------------------------------------------------------------------------




def vacancy_create(*, actor, village_id, post: str, arose_on, reason: str = "", today=None) -> Vacancy:
    """记录两委职数空缺: the office for a village of its town, a village branch for its own village (another
    village or town: NotFound; the committee, which reads: NotAllowed)."""
    today = today or local_today()
    scope = Scope.for_user(actor)
    scope.require_role(*RECORDERS)
    post = typed_text(post, _("空缺职务"), POST_MAX)
    reason = typed_text(reason, _("空缺原因"), REASON_MAX, required=False)
    arose_on = checked_day(arose_on, _("出现空缺日期"), today, earliest=EARLIEST)
    with transaction.atomic(durable=True):
        village = scope.get(Village.objects.select_for_update(), village_id, roles=RECORDERS)
        if Vacancy.objects.filter(village=village, post=post, arose_on=arose_on, filled_on__isnull=True).exists():
            raise ActionRefused(_("%(v)s已记录%(d)s出现的“%(p)s”空缺，尚未补齐，请勿重复记录。") % {
                "v": village.name, "d": iso(arose_on), "p": post})
        vacancy = Vacancy.objects.create(village=village, post=post, arose_on=arose_on, reason=reason,
                                         recorded_by=actor)
        record_event(vacancy, action=VacancyEvent.CREATED, actor=actor,
                     data={"post": post, "date": iso(arose_on), "village": village.pk})
        return vacancy


def _lock_open(actor, vacancy_id) -> Vacancy:
    scope = Scope.for_user(actor)
    vacancy = scope.get(Vacancy.objects.select_for_update(of=("self",)).select_related("village"), vacancy_id,
                        roles=FILLERS)
    if vacancy.filled_on is not None:
        raise ActionRefused(_("该空缺已于%(d)s补齐，不能重复补齐。") % {"d": iso(vacancy.filled_on)})
    return vacancy


def candidate_refusal(vacancy, reserve) -> str:
    """Why `reserve` is not one of the vacancy's candidates ("" when it is)."""
    if reserve.village_id != vacancy.village_id or reserve.tier not in [int(t) for t in CANDIDATE_TIERS]:
        return _("%(n)s不是%(v)s的后备干部，只能从本村的后备干部中推选。") % {
            "n": reserve.name, "v": vacancy.village.name}
    if reserve.status != Reserve.Status.ACTIVE:
        return _("%(n)s当前状态为“%(s)s”，不是培养中的后备干部。") % {
            "n": reserve.name, "s": reserve.get_status_display()}
    return ""


def vacancy_fill(*, actor, vacancy_id, reserve_id, filled_on, today=None) -> Vacancy:
    """补齐空缺 from the pool (the office): one of the village's active reserves is appointed (任用) to the vacant
    post on `filled_on`, and the vacancy is closed — one transaction (vacancy, then reserve, locked)."""
    today = today or local_today()
    Scope.for_user(actor).require_role(*FILLERS)
    with transaction.atomic(durable=True):
        vacancy = _lock_open(actor, vacancy_id)
        filled_on = checked_day(filled_on, _("推选任用日期"), today, earliest=EARLIEST,
                                not_before=vacancy.arose_on, not_before_what=_("出现空缺日期"))
        reserve = lock_reserve(actor, reserve_id)
        refusal = candidate_refusal(vacancy, reserve)
        if refusal:
            raise ActionRefused(refusal)
        use_locked(reserve, actor=actor, post=vacancy.post, used_on=filled_on, today=today,
                   data={"vacancy": vacancy.pk})
        vacancy.filled_on, vacancy.filled_by, vacancy.filled_note = filled_on, reserve, ""
        vacancy.save(update_fields=["filled_on", "filled_by", "filled_note"])
        record_event(vacancy, action=VacancyEvent.FILLED, actor=actor,
                     data={"reserve": reserve.pk, "date": iso(filled_on)})
        _join_roster(vacancy, reserve, actor)
        return vacancy


def _join_roster(vacancy, reserve, actor) -> None:
    """The appointed reserve joins the village's 两委 roster in the vacant post (the roster the female-reserve rule
    reads), as the clerk would have typed it; without a gender or birth date the roster is left to the clerk."""
    if not (reserve.gender and reserve.birth_date):
        return
    cadre = VillageCadre.objects.create(village=vacancy.village, name=reserve.name, gender=reserve.gender,
                                        birth_date=reserve.birth_date, post=vacancy.post)
    audit.record(AuditEntry.Action.CREATE, user=actor, obj=cadre,
                 detail={"village": vacancy.village.name, "vacancy": vacancy.pk})
    record_event(vacancy.village, action="roster_update", actor=actor,
                 data={"saved": [cadre.name], "deleted": [], "vacancy": vacancy.pk})


def vacancy_fill_other(*, actor, vacancy_id, filled_on, note: str, today=None) -> Vacancy:
    """补齐空缺 by other means (the office): a note says how (换届选举产生, 上级选派 …); no reserve."""
    today = today or local_today()
    Scope.for_user(actor).require_role(*FILLERS)
    note = typed_text(note, _("补齐说明"), NOTE_MAX)
    with transaction.atomic(durable=True):
        vacancy = _lock_open(actor, vacancy_id)
        filled_on = checked_day(filled_on, _("补齐日期"), today, earliest=EARLIEST,
                                not_before=vacancy.arose_on, not_before_what=_("出现空缺日期"))
        vacancy.filled_on, vacancy.filled_by, vacancy.filled_note = filled_on, None, note
        vacancy.save(update_fields=["filled_on", "filled_by", "filled_note"])
        record_event(vacancy, action=VacancyEvent.FILLED_OTHER, actor=actor, data={"date": iso(filled_on)})
        return vacancy
