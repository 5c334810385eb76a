"""Pages of assessment, under /pool/."""

app_name = "assessment"
urlpatterns = []
