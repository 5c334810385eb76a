"""Registrations of assessment's priority part, connected from AssessmentConfig.ready(): the marks beside a
reserve's name on the pool list (优先使用, 考核靠后, 一票否决 in the latest confirmed round), and the same marks on
a reserve's page."""


def marks_panel(reserve, user):
    """The marks of a reserve's latest confirmed assessment on its page (None: no mark, no card)."""
    from reserve.roles import Role
    from reserve.scope import Scope

    from .priority import pool_marks

    scope = Scope.for_user(user)
    if not scope.has(Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT, Role.MENTOR) or not scope.can_see(reserve):
        return None
    marks = pool_marks([reserve.pk], user).get(reserve.pk)
    if not marks:
        return None
    return {"reserve": reserve, "marks": marks, "town_view": scope.has(Role.OFFICE, Role.COMMITTEE)}


def connect():
    from training.panels import register_pool_marks, register_reserve_panel

    from . import vacancies  # noqa: F401  (registers the vacancies' event kinds)
    from .priority import pool_marks

    register_pool_marks(pool_marks)
    register_reserve_panel("assessment/priority_panel.html", marks_panel)
