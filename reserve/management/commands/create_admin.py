"""Create an administrator's account (系统管理员, 安全管理员 or 审计管理员) at set-up.

Nothing creates an account by itself: `migrate` makes none, and a production set-up runs this once
for each administrator (the system administrator then makes the other accounts in the admin).
"""

import getpass
import sys

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reserve.models import User
from reserve.roles import ADMIN_ROLES, Role

STAFF_ROLES = {Role.SYSTEM_ADMIN.value, Role.SECURITY_ADMIN.value}  # they work in /admin/
RESERVED_NAMES = {"admin", "root", "administrator", "superuser", "sa", "system", "test", "guest"}


class Command(BaseCommand):
    help = ("Create an administrator account: system_admin (accounts and organisations in /admin/), "
            "security_admin (login lockouts in /admin/) or audit_admin (the audit log). "
            "The password is asked for twice, or read from standard input when it is not a terminal.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(r.value for r in ADMIN_ROLES))
        parser.add_argument("--full-name", default="")

    def handle(self, *args, username, role, full_name, **options):
        username = username.strip()
        if not username:
            raise CommandError("The username is empty.")
        if username.lower() in RESERVED_NAMES:
            raise CommandError(f"“{username}” is a default name that attackers try first: choose another.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named “{username}” exists already.")
        password = self._password()
        user = User(username=username, full_name=full_name, is_staff=role in STAFF_ROLES)
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            group, _created = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({Role(role).label})."))

    def _password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
