"""Addresses of assessment's adjustments part, under /pool/."""

urlpatterns = []
