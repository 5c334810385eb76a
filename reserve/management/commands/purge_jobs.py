"""Remove the generated files (我的文件, reserve/jobs.py) older than settings.JOB_RETENTION_DAYS (default 7):
the stored file and the job's row. Run it daily (cron, or a systemd timer) beside purge_audit."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from reserve.models import Job


def purge(*, now=None, dry_run=False) -> int:
    """Delete the jobs asked for before the retention period, and their files; the number of jobs (to be) deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.JOB_RETENTION_DAYS)
    old = Job.objects.filter(created_at__lt=cutoff).order_by("pk")
    if dry_run:
        return old.count()
    deleted = 0
    for job in old.only("pk", "file").iterator(chunk_size=500):
        if job.file:
            job.file.storage.delete(job.file.name)  # a file already gone is not an error
        Job.objects.filter(pk=job.pk).delete()
        deleted += 1
    return deleted


class Command(BaseCommand):
    help = "删除超过保存期限（JOB_RETENTION_DAYS，默认7天）的后台生成文件及其记录。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的份数，不删除。")

    def handle(self, *args, dry_run=False, **options):
        n = purge(dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {n} 份超过 {settings.JOB_RETENTION_DAYS} 天的生成文件。")
