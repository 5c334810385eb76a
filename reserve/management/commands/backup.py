from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reserve.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (PostgreSQL: pg_dump --format=custom; SQLite: an online copy) and every "
            "uploaded document (MEDIA_ROOT) into one archive, readable by its owner only. "
            "Restore it with `manage.py restore ARCHIVE`.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path,
                            help="where to write the archive (default: var/backups/reserve-<date>-<time>.tar.gz)")

    def handle(self, *args, output=None, **options):
        try:
            path, manifest = backup(output)
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {manifest['vendor']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['media_files']} uploaded files -> {path}"
        ))
