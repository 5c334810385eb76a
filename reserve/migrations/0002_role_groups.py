"""The role groups: the five roles of the selection and the three administrators' (等保 三员分立).

village_branch, org_office, vetting_department, committee_member, mentor: no model permission (the
selectors scope what each sees).
system_admin   系统管理员  accounts, towns, villages, departments in the admin; removes a lost
                           authenticator app (no key is ever shown)
security_admin 安全管理员  the login lockouts in the admin (django-axes): reads them, lifts one
audit_admin    审计管理员  no model permission: the audit page lets the role in

None of the administrators is given a permission on candidate data (nominations, people, vetting,
notices), and the selectors give these roles nothing. The migration creates groups only, never an
account.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_GROUPS = ["village_branch", "org_office", "vetting_department", "committee_member", "mentor"]

GROUP_PERMISSIONS = {
    "system_admin": [
        ("reserve", f"{verb}_{model}")
        for model in ("user", "town", "village", "department")
        for verb in ("add", "change", "delete", "view")
    ] + [("otp_totp", "view_totpdevice"), ("otp_totp", "delete_totpdevice")],
    "security_admin": [
        ("axes", "view_accessattempt"), ("axes", "delete_accessattempt"),
        ("axes", "view_accesslog"), ("axes", "view_accessfailurelog"),
    ],
    "audit_admin": [],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them now.
    for label in ("reserve", "axes", "otp_totp"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    for name, codes in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        perms = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codes
        ]
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLE_GROUPS, *GROUP_PERMISSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reserve", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
