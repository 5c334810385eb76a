"""The system administrator's pages: organisations and accounts only, no candidate data.

The audit log is deliberately not registered here: nobody changes or deletes its rows. Changes to
accounts and to the 两委 roster made here are written to it (field names only, never a password hash).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry, Department, Town, User, Village, VillageCadre
from .roles import Role

# Form fields whose values, or even whose change, say something about a password: named as "password".
_PASSWORD_FIELDS = {"password", "password1", "password2", "usable_password"}


def _changed_fields(form) -> list[str]:
    names = []
    for name in getattr(form, "changed_data", []) if form is not None else []:
        name = "password" if name in _PASSWORD_FIELDS else name
        if name not in names:
            names.append(name)
    return names


class AuditedAdminMixin:
    """Writes every create, change and delete made in the admin to the audit log."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE
        audit.record(action, request=request, obj=obj, detail={"via": "admin", "changed": _changed_fields(form)})

    def delete_model(self, request, obj):
        audit.record(AuditEntry.Action.DELETE, request=request, obj=obj, detail={"via": "admin"})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(AuditEntry.Action.DELETE, request=request, obj=obj, detail={"via": "admin"})
        super().delete_queryset(request, queryset)


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["name", "party_committee_name", "require_otp_for_office"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "town", "order"]
    list_filter = ["town", "kind"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "order"]
    list_filter = ["town"]


@admin.register(VillageCadre)
class VillageCadreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "post", "village"]
    list_filter = ["village__town", "village"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
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

    # 三员分立: the system administrator is a staff account with model permissions, not a superuser.
    # It gives roles (groups), never superuser status or single permissions, never touches a
    # superuser's account, and cannot change its own roles.
    NOT_FOR_STAFF = ("is_superuser", "user_permissions")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [(title, {**opts, "fields": tuple(f for f in opts["fields"] if f not in self.NOT_FOR_STAFF)})
                for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            fields += ["groups", "is_staff", "is_active"]
        return fields

    def save_related(self, request, form, formsets, change):
        """The system and security administrators work in the admin: their accounts are staff."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not user.is_staff and user.groups.filter(name__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN]).exists():
            user.is_staff = True
            user.save(update_fields=["is_staff"])

    def user_change_password(self, request, id, form_url=""):
        """The admin's own password page for an account: a successful change is an update of it."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                audit.record(AuditEntry.Action.UPDATE, request=request, obj=user,
                             detail={"via": "admin", "changed": ["password"]})
        return response
