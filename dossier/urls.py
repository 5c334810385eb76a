"""Pages of dossier, under /pool/."""

app_name = "dossier"
urlpatterns = []
