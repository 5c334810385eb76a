"""Addresses of talks (谈心谈话, 四必谈) and the mentor's desk, under /pool/."""

from django.urls import path

from . import views_talks

urlpatterns = [
    path("desk/", views_talks.mentor_desk, name="mentor_desk"),
    path("talks/overdue/", views_talks.talk_overdue, name="talk_overdue"),
    path("talks/missing/", views_talks.talk_missing, name="talk_missing"),
    path("<int:pk>/talks/", views_talks.talk_list, name="talk_list"),
    path("<int:pk>/talks/new/", views_talks.talk_new, name="talk_new"),
    path("<int:pk>/talks/due/new/", views_talks.due_talk_new, name="due_talk_new"),
]
