"""Delete the ID-card copies kept for forms being corrected that no form will take any more (older than a day)."""

from django.core.management.base import BaseCommand

from reserve.uploads import purge_pending


class Command(BaseCommand):
    help = "删除超过一天、已不会再被表单使用的暂存上传文件（可每天由 cron 运行）。"

    def handle(self, *args, **options):
        deleted = purge_pending()
        self.stdout.write(f"deleted {deleted} kept upload(s)")
