from django.urls import path

from . import views

app_name = "candidates"

urlpatterns = [
    path("", views.nomination_list, name="nomination_list"),
    path("new/", views.nomination_new, name="nomination_new"),
    path("check/", views.eligibility_check, name="eligibility_check"),
    path("<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("<int:pk>/id-card/", views.nomination_id_card, name="nomination_id_card"),
    path("<int:pk>/form.pdf", views.nomination_form_pdf, name="nomination_form_pdf"),
    # Before the action pattern, which would take "id-number" for an action's slug.
    path("<int:pk>/id-number/", views.nomination_id_number, name="nomination_id_number"),
    path("<int:pk>/relaxation/", views.nomination_relaxation, name="nomination_relaxation"),
    path("<int:pk>/identity/", views.nomination_identity, name="nomination_identity"),
    path("<int:pk>/<slug:action>/", views.nomination_action, name="nomination_action"),
]
