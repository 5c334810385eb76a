"""Remove audit-log rows older than the retention period (settings.AUDIT_RETENTION_DAYS, at least 180).

The only code that deletes audit rows. On PostgreSQL the table's trigger refuses UPDATE and DELETE
unless the transaction has set `reserve.audit_purge` to 'on': this command sets it for its own
transaction only, deletes the old rows and nothing else, and sets it back before committing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from reserve.models import AuditEntry

MINIMUM_DAYS = 180


def retention_days() -> int:
    days = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    if not isinstance(days, int) or days < MINIMUM_DAYS:
        raise CommandError(f"AUDIT_RETENTION_DAYS must be at least {MINIMUM_DAYS} days (it is {days!r}).")
    return days


def purge(*, now=None, dry_run=False) -> int:
    """Delete the rows older than the retention period; the number of rows (to be) deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    old = AuditEntry.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
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

    def handle(self, *args, dry_run=False, **options):
        days = retention_days()
        n = purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {n} audit entries older than {days} days")
