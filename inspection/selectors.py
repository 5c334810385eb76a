"""Scoped reads for the inspection and the committee's decisions."""

from django.db.models import Count, QuerySet

from candidates.models import Nomination, Status
from reserve.exceptions import NotFound
from reserve.roles import Role, roles_of
from reserve.scope import Scope, declare

from .models import AppraisalSession, CommitteeDecision, CommitteeMeeting, InspectionReport, Tally

declare(AppraisalSession, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})
declare(CommitteeMeeting, {Role.OFFICE: "round__town", Role.COMMITTEE: "round__town"})


def sessions_visible_to(user) -> QuerySet[AppraisalSession]:
    return Scope.for_user(user).filter(AppraisalSession.objects.select_related("village", "round"))


def meetings_visible_to(user) -> QuerySet[CommitteeMeeting]:
    return Scope.for_user(user).filter(CommitteeMeeting.objects.select_related("round"))


def nominations_in(user, round_, status) -> QuerySet[Nomination]:
    from candidates.selectors import nominations_visible_to

    return (nominations_visible_to(user).filter(round=round_, status=status)
            .select_related("person", "village").order_by("village__order", "id"))


def nomination_panel(nomination, user) -> dict | None:
    """The link to the inspection record, once the nomination has reached the inspection."""
    from candidates.workflow import INSPECTED

    if nomination.status in INSPECTED and roles_of(user) & {Role.OFFICE, Role.COMMITTEE}:
        return {}
    return None


# --- the pages of the inspection and of the committee's meetings ----------------------------------

def get_session_for_user_or_404(user, pk) -> AppraisalSession:
    return Scope.for_user(user).get(sessions_visible_to(user), pk)


def get_meeting_for_user_or_404(user, pk) -> CommitteeMeeting:
    return Scope.for_user(user).get(meetings_visible_to(user), pk)


def sessions_of_round(user, round_) -> QuerySet[AppraisalSession]:
    """The appraisal sessions of a round (none without a round), each with its number of tallies."""
    if round_ is None:
        return AppraisalSession.objects.none()
    return sessions_visible_to(user).filter(round=round_).annotate(tally_count=Count("tallies"))


def meetings_of_round(user, round_) -> QuerySet[CommitteeMeeting]:
    """The committee's meetings of a round (none without a round), each with its number of decisions."""
    if round_ is None:
        return CommitteeMeeting.objects.none()
    return meetings_visible_to(user).filter(round=round_).annotate(decision_count=Count("decisions"))


def may_record_inspection(nomination, user) -> bool:
    """Whether this user may record the inspection of this nomination now (talks, tallies, the report):
    the office, while the nomination is under inspection (the services check again)."""
    return nomination.status == Status.INSPECTION and Scope.for_user(user).has(Role.OFFICE)


def inspection_state(nomination, user, today) -> dict:
    """What the inspection page says of the proposal to the committee: whether the nomination is under
    inspection, why it may not be proposed yet (the guards of the workflow's `propose`; None: it may),
    and whether this user may record the inspection."""
    from candidates.workflow import NOMINATION_WORKFLOW

    in_inspection = nomination.status in NOMINATION_WORKFLOW["propose"].all_sources
    return {
        "in_inspection": in_inspection,
        "propose_refusal": NOMINATION_WORKFLOW.refusal(nomination, "propose", user, today) if in_inspection else None,
        "can_edit": may_record_inspection(nomination, user),
    }


def inspection_report(nomination) -> InspectionReport | None:
    return InspectionReport.objects.filter(nomination=nomination).select_related("updated_by").first()


def tallies_by_session(nomination) -> dict[int, list[Tally]]:
    """A nomination's tallies, by session id."""
    grouped = {}
    for t in Tally.objects.filter(nomination=nomination):
        grouped.setdefault(t.session_id, []).append(t)
    return grouped


def tallies_by_nomination(session) -> dict[int, list[Tally]]:
    """A session's tallies, by nomination id."""
    grouped = {}
    for t in Tally.objects.filter(session=session):
        grouped.setdefault(t.nomination_id, []).append(t)
    return grouped


def tallies_by_category(session, nomination) -> dict[str, Tally]:
    """The tallies of one nomination in one session, by voter category."""
    return {t.category: t for t in Tally.objects.filter(session=session, nomination=nomination)}


def ballot_nominations(user, session) -> list[Nomination]:
    """The nominations a session's ballot lists: those of its village and round under inspection."""
    return list(nominations_in(user, session.round, Status.INSPECTION).filter(village=session.village))


def session_nominations(user, session, tallies_by_nomination) -> list[Nomination]:
    """The nominations a session is about: those on its ballot, and any other that already has ballots
    recorded in it (it may have moved on since)."""
    from candidates.selectors import nominations_visible_to

    nominations = ballot_nominations(user, session)
    extra = set(tallies_by_nomination) - {n.pk for n in nominations}
    if extra:
        nominations += list(nominations_visible_to(user).filter(pk__in=extra)
                            .select_related("person", "village").order_by("id"))
    return nominations


def session_nomination_or_404(user, session, nomination_pk) -> Nomination:
    """A nomination of a session's village and round (NotFound for any other, or one out of scope)."""
    from candidates.selectors import get_nomination_for_user_or_404

    nomination = get_nomination_for_user_or_404(user, nomination_pk)
    if nomination.village_id != session.village_id or nomination.round_id != session.round_id:
        raise NotFound
    return nomination


def awaiting_decision(user, round_) -> QuerySet[Nomination]:
    """The nominations of a round the committee may decide on (proposed by the office)."""
    return nominations_in(user, round_, Status.PROPOSED)


def meeting_decisions(meeting) -> QuerySet[CommitteeDecision]:
    return meeting.decisions.select_related("nomination__person", "nomination__village").order_by("id")
