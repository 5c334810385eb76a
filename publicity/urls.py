from django.urls import path

from . import views, views_public

app_name = "publicity"

urlpatterns = [
    # The organisation office (and, reading, the committee and the village of a notice)
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/period/", views.notice_period, name="notice_period"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/confirm/", views.notice_confirm, name="notice_confirm"),
    path("notices/<int:pk>/objections/new/", views.objection_new, name="objection_new"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("calendar/", views.calendar_days, name="calendar"),
    # The public: no login
    path("p/<str:token>/", views_public.public_notice, name="public_notice"),
    path("p/<str:token>/receipt/<str:receipt>/", views_public.public_receipt, name="public_receipt"),
]
