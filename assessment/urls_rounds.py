"""Addresses of assessment's rounds part, under /pool/."""

urlpatterns = []
