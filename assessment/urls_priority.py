"""Addresses of assessment's priority part, under /pool/."""

urlpatterns = []
