"""Addresses of assessment's rounds part, under /pool/: the scheme, the rounds, an assessment's form and veto."""

from django.urls import path

from . import views_mine
from . import views_rounds as views

urlpatterns = [
    path("assessment/", views.round_list, name="round_list"),
    path("assessment/new/", views.round_new, name="round_new"),
    path("assessment/mine/", views_mine.mine, name="mine"),
    path("assessment/scheme/", views.scheme, name="scheme"),
    path("assessment/<int:pk>/", views.round_detail, name="round_detail"),
    path("assessment/<int:pk>/add/", views.round_add, name="round_add"),
    path("assessment/<int:pk>/action/<slug:action>/", views.round_action, name="round_action"),
    path("assessment/entry/<int:pk>/", views.assessment_edit, name="assessment_edit"),
    path("assessment/entry/<int:pk>/action/<slug:action>/", views.assessment_action, name="assessment_action"),
    path("assessment/entry/<int:pk>/veto/", views.assessment_veto, name="assessment_veto"),
]
