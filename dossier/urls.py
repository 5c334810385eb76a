"""Pages of dossier (一人一档), under /pool/."""

from django.urls import path

from . import views

app_name = "dossier"
urlpatterns = [
    path("<int:pk>/dossier/", views.dossier, name="dossier"),
    path("<int:pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("dossiers.zip", views.dossier_zip, name="dossier_zip"),
]
