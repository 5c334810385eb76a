"""Addresses of this part of the pool: the list, a reserve's page and the moves of its lifecycle."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.pool_list, name="pool_list"),
    path("<int:pk>/", views.reserve_detail, name="reserve_detail"),
    path("<int:pk>/action/<slug:action>/", views.reserve_action, name="reserve_action"),
    path("<int:pk>/use/", views.reserve_use, name="reserve_use"),
    path("<int:pk>/remove/", views.reserve_remove, name="reserve_remove"),
    path("<int:pk>/expire/", views.reserve_expire, name="reserve_expire"),
    path("<int:pk>/post/", views.reserve_change_post, name="reserve_change_post"),
    path("<int:pk>/tier/", views.reserve_change_tier, name="reserve_change_tier"),
    path("<int:pk>/activist/", views.reserve_activist, name="reserve_activist"),
]
