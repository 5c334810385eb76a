"""Addresses of assessment's adjustments part (调整出库), under /pool/."""

from django.urls import path

from . import views_adjustments

urlpatterns = [
    path("adjustments/", views_adjustments.adjustment_list, name="adjustment_list"),
    path("adjustments/<int:pk>/", views_adjustments.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/<slug:action>/", views_adjustments.adjustment_action, name="adjustment_action"),
    path("<int:reserve_pk>/adjustments/new/", views_adjustments.adjustment_new, name="adjustment_new"),
]
