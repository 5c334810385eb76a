"""The system and security administrators' pages: organisations, accounts, lockouts; no candidate data.

The audit log is deliberately not registered here: nobody changes or deletes its rows. Every create, change
and delete made in the admin — on every model registered in it, third-party ones included — is written to it
with the fields changed (old → new for a field that is no secret; a password hash or an authenticator's key
never): `audit_every_admin`, run from ReserveConfig.ready() once every app has registered its models.

三员分立 (reserve.roles): an administrator's role is held alone; the system administrator gives the roles of
the selection only (administrators are created at the server, `manage.py create_admin`) and cannot change,
reset or remove another administrator's account or authenticator; a password set in the admin is good for one
sign-in only, at which the person must choose their own.
"""

import functools
import re

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_q import models as django_q_models

from . import audit
from .models import AuditEntry, Department, Town, Unit, User, Village, VillageCadre
from .roles import ADMIN_ROLES, STAFF_ROLES, role_conflict, role_label, username_refusal

# --------------------------------------------------------------------------- the audit of every admin write

# Fields whose value (and, for the forms' own password fields, whose name) must never reach the log.
_PASSWORD_FIELDS = {"password", "password1", "password2", "usable_password", "set_usable_password"}
_SECRET_NAME = re.compile(r"password|secret|token|salt|hash|(^|_)key$", re.IGNORECASE)
_MAX_VALUE = 200  # characters of one value kept in the log


def is_secret(name: str) -> bool:
    return name in _PASSWORD_FIELDS or bool(_SECRET_NAME.search(name))


def _display(value):
    """A value as the log keeps it: objects by their name, text cut at _MAX_VALUE characters."""
    if isinstance(value, (list, tuple)):
        return [_display(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, models.Model):
        value = str(value)
    elif hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        value = value.name or ""
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "…"


def _fields(model):
    """The fields a row holds: concrete ones (a relation by its object) and many-to-many ones."""
    opts = model._meta
    return [f for f in opts.concrete_fields if not f.primary_key] + list(opts.many_to_many)


# Fields holding a person's own data: named when changed, their values never kept (the audit administrator sees
# who changed what on which row, not the people's data — issue 10 §7).
_PERSONAL = {
    "reserve.User": {"full_name", "first_name", "last_name", "email"},
    "reserve.VillageCadre": {"name", "gender", "birth_date"},
}


# Fields not kept at all: what a sign-in's client sent (django-axes' user agent, Accept header, GET and POST data,
# CSRF token included) — the lockout's account, address and counts are what the audit needs.
_CLIENT_DATA = {"user_agent", "http_accept", "get_data", "post_data"}
_NOT_KEPT = {
    "axes.AccessAttempt": _CLIENT_DATA,
    "axes.AccessLog": _CLIENT_DATA,
    "axes.AccessFailureLog": _CLIENT_DATA,
}


def snapshot(obj) -> dict:
    """name → (value compared, value shown or None for a secret or a person's data) of a row as stored now."""
    values = {}
    personal = _PERSONAL.get(obj._meta.label, set())
    not_kept = _NOT_KEPT.get(obj._meta.label, set())
    for field in _fields(type(obj)):
        if field.name in not_kept:
            continue
        if field.many_to_many:
            current = sorted(str(o) for o in getattr(obj, field.name).all()) if obj.pk else []
        elif field.is_relation:
            try:
                current = getattr(obj, field.name)
            except field.related_model.DoesNotExist:
                current = None
            current = None if current is None else (current.pk, str(current))
        else:
            current = field.value_from_object(obj)
        values[field.name] = (current, None if is_secret(field.name) or field.name in personal else _display(
            current[1] if isinstance(current, tuple) else current))
    return values


def stored(obj) -> dict:
    """The snapshot of the row as the database holds it (not the instance a form has changed already)."""
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    return snapshot(fresh) if fresh is not None else {}


def changes(before: dict, after: dict, extra=()) -> dict:
    """The audit detail of a write: the names changed, and old → new of those that are no secret."""
    names, values = [], {}
    for name, (new, shown) in after.items():
        old, old_shown = before.get(name, (None, None))
        if name in before and old == new:
            continue
        if name not in before and new in (None, "", [], False):  # a create: the fields given
            continue
        names.append(name)
        if not is_secret(name) and (shown is not None or old_shown is not None):
            values[name] = {"old": old_shown, "new": shown} if name in before else {"new": shown}
    for name in extra:  # form fields that are no model field (a new password): named only
        name = "password" if name in _PASSWORD_FIELDS else name
        if name not in names:
            names.append(name)
    return {"via": "admin", "changed": names, "values": values}


def _form_only_changes(form) -> list[str]:
    model_fields = {f.name for f in _fields(form._meta.model)} if getattr(form, "_meta", None) else set()
    return [n for n in getattr(form, "changed_data", []) if n not in model_fields]


class AuditedAdminMixin:
    """Writes every create, change and delete made in the admin to the audit log, each in one transaction with
    the write: save (add and change pages, the changelist's editable columns, inline rows), delete (the delete
    page and the changelist's "delete selected"), and any other changelist action.

    Every admin has it, so it also keeps a list's filters from reaching the database with a value the column
    cannot hold: an address filter that is no address (django-axes' lists; PostgreSQL's inet answered 500)."""

    def changelist_view(self, request, extra_context=None):
        bad = [key for key, value in request.GET.items() if _address_lookup(self.model, key) and not _is_ip(value)]
        if bad:
            query = request.GET.copy()
            for key in bad:
                del query[key]
            from django.contrib import messages
            from django.shortcuts import redirect

            messages.warning(request, _("筛选条件中的IP地址无效，已忽略。"))
            return redirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        form._audit_before = stored(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        detail = changes(getattr(form, "_audit_before", {}), stored(obj), extra=_form_only_changes(form))
        if detail["changed"] or not change:
            audit.record(AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
                         request=request, obj=obj, detail=detail)
        for formset in formsets:
            self._audit_formset(request, formset)

    @staticmethod
    def _audit_formset(request, formset):
        for inline in getattr(formset, "new_objects", []):
            audit.record(AuditEntry.Action.CREATE, request=request, obj=inline, detail=changes({}, snapshot(inline)))
        for inline, names in getattr(formset, "changed_objects", []):
            audit.record(AuditEntry.Action.UPDATE, request=request, obj=inline, detail={
                "via": "admin", "changed": ["password" if n in _PASSWORD_FIELDS else n for n in names]})
        for inline in getattr(formset, "deleted_objects", []):
            audit.record(AuditEntry.Action.DELETE, request=request, obj=inline, detail=_deleted(inline))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(AuditEntry.Action.DELETE, request=request, obj=obj, detail=_deleted(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(AuditEntry.Action.DELETE, request=request, obj=obj, detail=_deleted(obj))
            super().delete_queryset(request, queryset)

    def get_actions(self, request):
        """Every changelist action but "delete selected" (whose deletes delete_queryset records) is recorded as
        run, with the rows it was run on."""
        actions = super().get_actions(request)
        return {name: (func if name == "delete_selected" else _audited_action(func, name), name, description)
                for name, (func, name, description) in actions.items()}


def _address_lookup(model, key: str) -> bool:
    """A list filter's key that compares an IP address field of the model (ip_address, ip_address__exact …)."""
    try:
        field = model._meta.get_field(key.split("__", 1)[0])
    except Exception:  # noqa: BLE001 — not a field: the admin's own parameters (q, o, p, e …)
        return False
    return isinstance(field, models.GenericIPAddressField) and key.split("__")[-1] in {
        key.split("__", 1)[0], "exact", "iexact"}


def _is_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _deleted(obj) -> dict:
    """What a deleted row held (no secret's value)."""
    return {"via": "admin", "values": {name: shown for name, (_value, shown) in snapshot(obj).items()
                                       if shown not in (None, "", [])}}


def _audited_action(func, name):
    @functools.wraps(func)
    def run(modeladmin, request, queryset):
        with transaction.atomic():
            selected = [str(pk) for pk in queryset.values_list("pk", flat=True)[:100]]
            response = func(modeladmin, request, queryset)
            audit.record(AuditEntry.Action.UPDATE, request=request, detail={
                "via": "admin", "admin_action": name, "model": modeladmin.model._meta.label, "selected": selected})
        return response

    return run


def audit_every_admin(site=None) -> None:
    """Give every ModelAdmin registered on the site the audit (reserve.apps.ReserveConfig.ready calls this once
    every app's admin module has registered its models, django-axes' and django-otp's included)."""
    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        cls = type(model_admin)
        audited = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {"__module__": cls.__module__})
        site._registry[model] = audited(model, site)


# --------------------------------------------------------------------------- organisations


@admin.register(Town)
class TownAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "party_committee_name", "require_otp_for_office", "require_otp_for_departments"]


@admin.register(Village)
class VillageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "town", "order"]
    list_filter = ["town", "kind"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "town", "order"]
    list_filter = ["town"]


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "town", "order"]
    list_filter = ["town", "kind"]


@admin.register(VillageCadre)
class VillageCadreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "post", "village"]
    list_filter = ["village__town", "village"]


# --------------------------------------------------------------------------- accounts (三员分立)


def holds_admin_role(user) -> bool:
    return user.groups.filter(name__in=ADMIN_ROLES).exists()


def may_manage(request, user) -> bool:
    """A superuser manages every account; anyone else (the system administrator) only accounts that hold no
    administrator's role — not another administrator's, nor its own (its password: the sign-in pages)."""
    return request.user.is_superuser or user is None or not holds_admin_role(user)


def _role_choice_label(group) -> str:
    """A role (group) as the admin's form lists it: its Chinese label (reserve.roles), or the group's name."""
    return role_label(group.name)


class RolesFormMixin:
    """The roles listed by their Chinese labels, and the roles chosen refused when one account may not hold them
    together (reserve.roles)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:  # the queryset and widget stay the admin's (formfield_for_manytomany)
            self.fields["groups"].label_from_instance = _role_choice_label

    def clean_username(self):
        username = super().clean_username() if hasattr(super(), "clean_username") else self.cleaned_data["username"]
        refusal = username_refusal(username)
        if refusal:
            raise ValidationError(refusal)
        return username

    def clean(self):
        data = super().clean()
        groups = data.get("groups")
        if groups is not None:
            message = role_conflict(g.name for g in groups)
            if message:
                self.add_error("groups" if "groups" in self.fields else None, message)
        return data


class AccountChangeForm(RolesFormMixin, UserChangeForm):
    pass


class AccountCreationForm(RolesFormMixin, AdminUserCreationForm):
    pass


class OneTimePasswordForm(AdminPasswordChangeForm):
    """The admin's password page for another account: the password it sets is good for one sign-in only, at
    which the person must choose their own (must_change_password); set and audited in one transaction."""

    def save(self, commit=True):
        with transaction.atomic():
            user = super().save(commit=False)
            user.must_change_password = True
            if commit:
                user.save()
                audit.record(AuditEntry.Action.UPDATE, obj=user, detail={
                    "via": "admin", "changed": ["password"], "must_change_password": True,
                    "password_login": user.has_usable_password()})
        return user


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = OneTimePasswordForm
    list_display = ["username", "full_name", "town", "village", "department", "unit", "is_active"]
    list_filter = ["groups", "town", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("所属单位"), {"fields": ("full_name", "town", "village", "department", "unit", "must_change_password")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("所属单位"), {"fields": ("full_name", "town", "village", "department", "unit", "groups")}),
    )

    # 三员分立: the system administrator is a staff account with model permissions, not a superuser.
    # It gives the roles of the selection (groups), never an administrator's role, superuser status or single
    # permissions; it never touches a superuser's account nor an administrator's (its own included).
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
        # Only the person's own change of password lifts a forced change; staff status follows the role.
        fields = [*super().get_readonly_fields(request, obj), "must_change_password"]
        if not request.user.is_superuser:
            fields.append("is_staff")
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(name__in=ADMIN_ROLES)  # administrators: create_admin
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_manage(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected" on the changelist: the same rule as the delete page.
        if not request.user.is_superuser and queryset.filter(groups__name__in=ADMIN_ROLES).exists():
            raise PermissionDenied(_("管理员账号只能在服务器上用 manage.py create_admin 管理。"))
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the person sets their own password at first login
        groups = form.cleaned_data.get("groups")
        if groups is not None:
            roles = {g.name for g in groups}
            if roles & STAFF_ROLES:
                obj.is_staff = True  # the system and security administrators work in the admin
            elif not request.user.is_superuser:
                obj.is_staff = False  # and nobody else does
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- lockouts (django-axes)


class LockoutAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    """django-axes' login failures per account and address; deleting one lifts that lockout (audited, with the
    account and address). Its action "clean up expired attempts" is left out: it needs the sign-in's request
    and answered 500 in the admin; the lockout counts no expired attempt anyway."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("cleanup_expired_attempts", None)
        return actions


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LockoutAdmin)


# --------------------------------------------------------------------------- authenticators (django-otp)


class AuthenticatorAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    """django-otp's page of authenticators (it never shows a key: OTP_ADMIN_HIDE_SENSITIVE_DATA). The system
    administrator removes a lost one so that the person enrols again — but not an administrator's."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_manage(request, obj and obj.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_manage(request, obj and obj.user)

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser and queryset.filter(user__groups__name__in=ADMIN_ROLES).exists():
            raise PermissionDenied(_("管理员账号的验证器只能由服务器上的运维人员解除绑定。"))
        super().delete_queryset(request, queryset)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuthenticatorAdmin)


# --------------------------------------------------------------------------- the background jobs' queue (django-q2)

# Not administered here: django-q2's queue, schedules and task records hold the jobs' arguments and results
# (reserve/jobs.py); a job is seen by its owner on 我的文件, and nobody edits the queue by hand.
for _model in (django_q_models.Schedule, django_q_models.Success, django_q_models.Failure, django_q_models.OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
