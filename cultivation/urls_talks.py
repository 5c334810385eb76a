"""Addresses of this part of cultivation (filled by its pages)."""

urlpatterns = []
