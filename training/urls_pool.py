"""Addresses of this part of the pool (filled by its pages)."""

urlpatterns = []
