from django.urls import path

from . import views

app_name = "vetting"

urlpatterns = [
    # 资格联审
    path("queue/", views.queue, name="queue"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/reopen/", views.request_reopen, name="request_reopen"),
    path("requests/<int:pk>/remind/", views.request_remind, name="request_remind"),
    path("requests/<int:pk>/extend/", views.request_extend, name="request_extend"),
    path("requests/<int:pk>/proxy-answer/", views.request_proxy_answer, name="request_proxy_answer"),
    path("requests/<int:pk>/paper-answer/", views.paper_answer, name="paper_answer"),
    path("requests/<int:pk>/findings/<int:finding_pk>/attachment/", views.finding_attachment,
         name="finding_attachment"),
    path("flags/", views.flags, name="flags"),
    path("rounds/<int:pk>/negative-list/", views.negative_list, name="negative_list"),
    path("rounds/<int:pk>/dispatch/", views.dispatch_round, name="dispatch_round"),
    path("rounds/<int:pk>/sync-deadlines/", views.sync_deadlines, name="sync_deadlines"),
    path("rounds/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("rounds/<int:pk>/ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("nominations/<int:pk>/dispatch/", views.nomination_dispatch, name="nomination_dispatch"),
    path("nominations/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("nominations/<int:pk>/sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
]
