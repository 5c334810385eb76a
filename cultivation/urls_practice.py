"""Addresses of practice (tasks, meetings attended) and training (courses, enrolments, the rotation subsidy)."""

from django.urls import path

from . import views_practice as views

urlpatterns = [
    path("<int:reserve_pk>/tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/overdue/", views.task_overdue, name="task_overdue"),
    path("<int:reserve_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("enrolments/<int:pk>/", views.enrolment_edit, name="enrolment_edit"),
    path("enrolments/<int:pk>/subsidy/", views.subsidy_detail, name="subsidy_detail"),
    path("enrolments/<int:pk>/subsidy/<int:year>-<int:month>.pdf", views.subsidy_pdf, name="subsidy_pdf"),
]
