from django.urls import path

from . import views, views_inspection

app_name = "vetting"

urlpatterns = [
    # 资格联审
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/reopen/", views.request_reopen, name="request_reopen"),
    path("requests/<int:pk>/findings/<int:finding_pk>/attachment/", views.finding_attachment,
         name="finding_attachment"),
    path("flags/", views.flags, name="flags"),
    path("rounds/<int:pk>/negative-list/", views.negative_list, name="negative_list"),
    path("rounds/<int:pk>/dispatch/", views.dispatch_round, name="dispatch_round"),
    path("rounds/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("rounds/<int:pk>/ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("nominations/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("nominations/<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
    # 组织考察
    path("nominations/<int:pk>/inspection/", views_inspection.inspection, name="inspection"),
    path("nominations/<int:pk>/talks/new/", views_inspection.talk_new, name="talk_new"),
    path("nominations/<int:pk>/report/", views_inspection.report_edit, name="report_edit"),
    path("nominations/<int:pk>/report/print/", views_inspection.report_print, name="report_print"),
    path("sessions/", views_inspection.session_list, name="session_list"),
    path("sessions/new/", views_inspection.session_new, name="session_new"),
    path("sessions/<int:pk>/", views_inspection.session_detail, name="session_detail"),
    path("sessions/<int:pk>/tally/<int:nomination_pk>/", views_inspection.tally_edit, name="tally_edit"),
    path("sessions/<int:pk>/ballot/", views_inspection.ballot, name="ballot"),
    path("sessions/<int:pk>/tally-sheet/", views_inspection.tally_sheet, name="tally_sheet"),
    # 镇党委研究确定
    path("meetings/", views_inspection.meeting_list, name="meeting_list"),
    path("meetings/new/", views_inspection.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_inspection.meeting_detail, name="meeting_detail"),
]
