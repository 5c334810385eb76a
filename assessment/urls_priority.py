"""Addresses of assessment's priority part, under /pool/: the priority lists (and their PDF), the 入党积极分子
candidates, the 两委 vacancies."""

from django.urls import path

from . import views_priority as views

urlpatterns = [
    path("priority/", views.priority_list, name="priority_list"),
    path("priority/use/", views.priority_list, {"which": "use"}, name="priority_use"),
    path("priority/training/", views.priority_list, {"which": "training"}, name="priority_training"),
    path("priority/pdf/", views.priority_pdf, name="priority_pdf"),
    path("activists/", views.activist_list, name="activist_list"),
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", views.vacancy_new, name="vacancy_new"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:pk>/fill/", views.vacancy_fill, name="vacancy_fill"),
]
