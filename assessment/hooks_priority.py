"""Registrations of assessment's priority part, connected from AssessmentConfig.ready(): the marks beside a
reserve's name on the pool list (优先使用, 考核靠后, 一票否决 in the latest confirmed round), and the same marks on
a reserve's page."""


def marks_panel(reserve, user):
    """The marks of a reserve's latest confirmed assessment on its page (None: no mark, no card)."""
    from reserve.roles import Role
    from reserve.scope import Scope

    from .priority import reserve_marks
    from .rounds import assessments_seen_by

    scope = Scope.for_user(user)
    if not scope.has(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT, Role.MENTOR) or not scope.can_see(reserve):
        return None
    # From the assessments card's read (the user sees the reserve, and so all its assessments): no query of its own.
    marks = reserve_marks(reserve, assessments_seen_by(reserve, user), user)
    if not marks:
        return None
    return {"reserve": reserve, "marks": marks, "town_view": scope.has(Role.OFFICE, Role.COMMITTEE)}


def village_links(village, user) -> list[tuple[str, str]]:
    """Under a village's 两委 roster: its open vacancies (职数空缺) and, for who may record one, the form."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from reserve.scope import Scope

    from .vacancies import READERS, RECORDERS, open_vacancy_counts

    scope = Scope.for_user(user)
    if not scope.has(*READERS):
        return []
    links = []
    count = open_vacancy_counts([village.pk]).get(village.pk, 0)
    if count:
        links.append((_("“两委”职数空缺%(n)d个") % {"n": count},
                      reverse("assessment:vacancy_list") + f"?state=open&village={village.pk}"))
    if scope.has(*RECORDERS):
        links.append((_("登记职数空缺"), reverse("assessment:vacancy_new") + f"?village={village.pk}"))
    return links


def connect():
    from candidates.panels import register_village_links
    from training.panels import register_pool_marks, register_reserve_panel

    from . import vacancies  # noqa: F401  (registers the vacancies' event kinds)
    from .priority import pool_marks

    register_pool_marks(pool_marks)
    register_reserve_panel("assessment/priority_panel.html", marks_panel)
    register_village_links(village_links)
