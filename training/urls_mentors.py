"""Addresses of the mentor pages (结对帮扶), under /pool/."""

from django.urls import path

from . import views_mentors

urlpatterns = [
    path("<int:pk>/mentor/", views_mentors.mentor_pair, name="mentor_pair"),
    path("mentors/", views_mentors.mentor_list, name="mentor_list"),
    path("mentors/unpaired/", views_mentors.mentor_unpaired, name="mentor_unpaired"),
]
