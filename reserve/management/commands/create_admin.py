"""Create an administrator's account (系统管理员, 安全管理员 or 审计管理员) at set-up, or reset one.

Nothing creates an account by itself: `migrate` makes none, and a production set-up runs this once
for each administrator (the system administrator then makes the other accounts in the admin, with the
roles of the selection only). An administrator's account is held with no other role (三员分立), and only
here — at the server — is one created or reset: `--reset` sets a password for one sign-in (the
administrator chooses their own at once) and removes the account's authenticator (a lost phone), audited.
"""

import getpass
import sys

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reserve import audit
from reserve.models import AuditEntry, User
from reserve.otp import remove_devices
from reserve.roles import ADMIN_ROLES, STAFF_ROLES, Role, check_roles, username_refusal


class Command(BaseCommand):
    help = ("Create an administrator account: system_admin (accounts and organisations in /admin/), "
            "security_admin (login lockouts in /admin/) or audit_admin (the audit log); with --reset, give an "
            "existing administrator a password for one sign-in and remove its authenticator. "
            "The password is asked for twice, or read from standard input when it is not a terminal.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(r.value for r in ADMIN_ROLES))
        parser.add_argument("--full-name", default="")
        parser.add_argument("--reset", action="store_true",
                            help="reset the password (to be changed at the next sign-in) and remove the "
                                 "authenticator of an existing administrator of this role")

    def handle(self, *args, username, role, full_name, reset, **options):
        username = username.strip()
        if not username:
            raise CommandError("The username is empty.")
        if reset:
            return self._reset(username, role)
        if username_refusal(username):
            raise CommandError(f"“{username}” is a default name that attackers try first: choose another.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named “{username}” exists already.")
        password = self._password()
        user = User(username=username, full_name=full_name, is_staff=role in STAFF_ROLES)
        self._validate(password, user)
        try:
            with transaction.atomic():
                check_roles([role])
                user.set_password(password)
                user.save()
                group, _created = Group.objects.get_or_create(name=role)
                user.groups.add(group)  # refused by reserve.roles if it made a combination one may not hold
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {username} ({Role(role).label})."))

    def _reset(self, username, role):
        user = User.objects.filter(username=username).first()
        if user is None or set(user.groups.values_list("name", flat=True)) != {role}:
            raise CommandError(f"“{username}” is no account holding the role {role} (and no other).")
        password = self._password()
        self._validate(password, user)
        with transaction.atomic():
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            removed = remove_devices(user)
            audit.record(AuditEntry.Action.UPDATE, user=None, obj=user, detail={
                "via": "create_admin --reset", "changed": ["password"], "must_change_password": True,
                "authenticators_removed": removed})
        self.stdout.write(self.style.SUCCESS(
            f"Reset {username}: the password must be changed at the next sign-in; "
            f"{removed} authenticator(s) removed."))

    @staticmethod
    def _validate(password, user):
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

    def _password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
