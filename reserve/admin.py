"""The system administrator's pages: organisations and accounts only, no candidate data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Town, User, Village, VillageCadre


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["name", "party_committee_name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "town", "order"]
    list_filter = ["town", "kind"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "order"]
    list_filter = ["town"]


@admin.register(VillageCadre)
class VillageCadreAdmin(admin.ModelAdmin):
    list_display = ["name", "post", "village"]
    list_filter = ["village__town", "village"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "town", "village", "department", "is_active"]
    list_filter = ["groups", "town", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("所属单位"), {"fields": ("full_name", "town", "village", "department", "must_change_password")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("所属单位"), {"fields": ("full_name", "town", "village", "department", "groups")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the person sets their own password at first login
        super().save_model(request, obj, form, change)
