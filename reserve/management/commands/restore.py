from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reserve.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore an archive written by `manage.py backup` into the database DATABASE_URL names and "
            "into MEDIA_ROOT. Both must be empty (a new database made with createdb, or a SQLite file not yet "
            "created) unless --force is given. Every table's row count is checked against the backup.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true",
                            help="replace a database that is not empty and write over files in MEDIA_ROOT")

    def handle(self, *args, archive, force=False, **options):
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            manifest, counts = restore(archive, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored the backup of {manifest['created_at']}: {len(manifest['tables'])} tables with the same "
            f"row counts ({sum(manifest['tables'].values())} rows), {manifest['media_files']} uploaded files."
        ))
