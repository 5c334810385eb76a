"""Registrations of assessment's rounds part, connected from AssessmentConfig.ready(): the assessments card of a
reserve's page and the entries of the reserve's history (results confirmed, vetoes)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reserve.roles import Role
from reserve.scope import Scope
from training.panels import TimelineItem, register_reserve_panel, register_timeline_source

from . import rounds
from .models import Assessment

PANEL = "assessment/_assessment_panel.html"
TOWN_ROLES = (Role.OFFICE, Role.COMMITTEE)


def _shows_result(assessment, scope) -> bool:
    """The office and the committee see a result as it is being made; the others once it is confirmed."""
    return scope.has(*TOWN_ROLES) or assessment.status == Assessment.Status.CONFIRMED


def panel_context(reserve, user):
    """The assessments card of a reserve's page (None: a role that sees no assessments, or nothing to show)."""
    scope = Scope.for_user(user)
    if not scope.has(*rounds.ENTRY_READERS):
        return None
    rows = []
    for a in rounds.assessments_seen_by(reserve, user):
        fields = rounds.editable_fields(a, user)
        rows.append({"a": a, "result": _shows_result(a, scope),
                     "can_score": bool(fields) and rounds.lock_refusal(a) is None})
    if not rows and not scope.has(*TOWN_ROLES):
        return None
    return {"reserve": reserve, "rows": rows}


def timeline(reserve, user) -> list[TimelineItem]:
    """Confirmed results (grade, rank) and vetoes, as far as the user sees them."""
    scope = Scope.for_user(user)
    if not scope.has(*rounds.ENTRY_READERS):
        return []
    items = []
    for a in rounds.assessments_seen_by(reserve, user):
        url = reverse("assessment:assessment_edit", args=[a.pk])
        if a.veto_on and _shows_result(a, scope):
            items.append(TimelineItem(a.veto_on, _("一票否决"), f"{a.round.title}：{a.veto_reason}", url))
        if a.confirmed_on:
            text = f"{a.round.title}：{a.get_grade_display()}"
            if a.total is not None:
                text += _("，总分%(t)s") % {"t": a.total}
            if a.rank:
                text += _("，梯队内第%(r)d名（共%(n)d人）") % {"r": a.rank, "n": a.ranked_of}
            if a.priority:
                text += _("，优先使用")
            items.append(TimelineItem(a.confirmed_on, _("考核结果"), text, url))
    return items


def connect():
    register_reserve_panel(PANEL, panel_context)
    register_timeline_source(timeline, covers=("confirm_assessment", "veto_assessment"))
