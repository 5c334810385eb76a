from django.urls import path

from . import views

app_name = "inspection"

# Mounted under vetting/ as before the inspection had its own app, so every address stays as it was.
urlpatterns = [
    # 组织考察
    path("nominations/<int:pk>/inspection/", views.inspection, name="inspection"),
    path("nominations/<int:pk>/talks/new/", views.talk_new, name="talk_new"),
    path("nominations/<int:pk>/report/", views.report_edit, name="report_edit"),
    path("nominations/<int:pk>/report/print/", views.report_print, name="report_print"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/tally/<int:nomination_pk>/", views.tally_edit, name="tally_edit"),
    path("sessions/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("sessions/<int:pk>/tally-sheet/", views.tally_sheet, name="tally_sheet"),
    # 镇党委研究确定
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
