"""Remove audit-log rows older than the retention period (settings.AUDIT_RETENTION_DAYS, at least 180).

The only code that deletes audit rows. On PostgreSQL the table's trigger refuses UPDATE and DELETE
unless the transaction has set `reserve.audit_purge` to 'on': this command sets it for its own
transaction only, deletes the old rows and nothing else, and sets it back before committing.

In production the app's own database role may not delete audit rows at all (manage.py setup_db_roles):
this command then connects as the tables' owner role, through the database alias `audit_purge`
(AUDIT_PURGE_DATABASE_URL) when it is set, else `--database`, else DATABASE_URL (run it with the
owner's DATABASE_URL).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.connection import ConnectionDoesNotExist

from reserve.models import AuditEntry

MINIMUM_DAYS = 180
PURGE_ALIAS = "audit_purge"


def retention_days() -> int:
    days = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    if not isinstance(days, int) or days < MINIMUM_DAYS:
        raise CommandError(f"AUDIT_RETENTION_DAYS must be at least {MINIMUM_DAYS} days (it is {days!r}).")
    return days


def default_alias() -> str:
    return PURGE_ALIAS if PURGE_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


def purge(*, now=None, dry_run=False, using=None) -> int:
    """Delete the rows older than the retention period; the number of rows (to be) deleted."""
    using = using or default_alias()
    connection = connections[using]
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    old = AuditEntry.objects.using(using).filter(at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic(using=using):
        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('reserve.audit_purge', 'on', true)")
        deleted, _by_model = old.delete()
        if postgres:
            # Back off before the block ends: inside an outer transaction a local setting would otherwise
            # outlive it. (On an error the block's rollback undoes the setting anyway.)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('reserve.audit_purge', 'off', true)")
    return deleted


class Command(BaseCommand):
    help = "删除超过保存期限（AUDIT_RETENTION_DAYS，不少于180天）的审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数，不删除。")
        parser.add_argument("--database", default=None,
                            help="数据库别名（默认：设置了 AUDIT_PURGE_DATABASE_URL 时为 audit_purge，否则 default）")

    def handle(self, *args, dry_run=False, database=None, **options):
        days = retention_days()
        using = database or default_alias()
        try:
            connections[using]
        except ConnectionDoesNotExist:
            raise CommandError(f"No database alias {using!r}.") from None
        if connections[using].settings_dict.get("NAME") != connections[DEFAULT_DB_ALIAS].settings_dict.get("NAME"):
            raise CommandError(f"The database {using!r} is not the app's database (DATABASE_URL): nothing deleted.")
        try:
            n = purge(dry_run=dry_run, using=using)
        except DatabaseError as e:
            raise CommandError(f"Nothing deleted: {str(e).strip()}. Run purge_audit as the tables' owner role "
                               f"(AUDIT_PURGE_DATABASE_URL, see README: Database roles).") from None
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {n} audit entries older than {days} days")
