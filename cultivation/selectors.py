"""Scoped reads of cultivation (practice, training, talks), and the scope declarations of its models."""

from reserve.roles import Role
from reserve.scope import declare

from .models import Course, DueTalk, Enrolment, HeartTalk, MeetingAttendance, Task

# A record about a reserve is seen by whoever sees the reserve (training.selectors).
_BY_RESERVE = {
    Role.OFFICE: "reserve__town", Role.COMMITTEE: "reserve__town", Role.VILLAGE: "reserve__village",
    Role.UNIT: "reserve__unit", Role.MENTOR: "reserve__mentor",
}
for _model in (Task, MeetingAttendance, HeartTalk, DueTalk):
    declare(_model, _BY_RESERVE)
declare(Enrolment, {
    Role.OFFICE: "course__town", Role.COMMITTEE: "course__town", Role.VILLAGE: "reserve__village",
    Role.UNIT: "reserve__unit", Role.MENTOR: "reserve__mentor",
})
declare(Course, {Role.OFFICE: "town", Role.COMMITTEE: "town"})
