"""Addresses of how people enter the pool, pool terms, relaxation and follow-up."""

from django.urls import path

from . import views_entry as views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("entry/new/", views.entry_new, name="entry_new"),
    path("recommendations/", views.review_list, name="review_list"),
    path("recommendations/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("terms/", views.term_list, name="term_list"),
    path("terms/new/", views.term_edit, name="term_new"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("<int:pk>/relaxation/", views.relaxation_new, name="relaxation_new"),
    path("<int:pk>/follow-up/", views.followup_new, name="followup_new"),
]
