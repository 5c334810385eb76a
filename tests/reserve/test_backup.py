"""Backup and restore (issue 5 §13): `manage.py backup` and `manage.py restore`.

A backup of a database with users, a town and nominations with an uploaded ID-card copy is restored
into a NEW empty database: every table has the same number of rows, the uploaded files are back, and
a user signs in against the restored database.
"""

import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reserve import backup as backup_module
from reserve.models import User
from reserve.roles import Role

from ..factories import NominationFactory, RoundFactory, TownFactory, UserFactory, VillageFactory, png_upload
from .databases import environment, files_under, login_result, manage, new_database, row_counts

PASSWORD = "Tusk-Pine-2026"
ARGON2 = ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def make_data():
    town = TownFactory(name="备份镇")
    village = VillageFactory(town=town, name="备份村")
    office = UserFactory(username="backup_office", town=town, role=Role.OFFICE)
    clerk = UserFactory(username="backup_village", town=town, village=village, role=Role.VILLAGE)
    round_ = RoundFactory(town=town)
    nominations = [
        NominationFactory(round=round_, village=village, created_by=clerk, id_card_copy=png_upload())
        for _ in range(2)
    ]
    return office, nominations


@pytest.mark.django_db(transaction=True)  # committed rows: pg_dump reads them from another connection
def test_backup_of_the_test_database_restores_into_a_new_empty_one(settings, tmp_path):
    settings.PASSWORD_HASHERS = ARGON2  # the subprocess that signs in knows these hashers, not the tests' MD5
    office, nominations = make_data()
    source_media = files_under(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert len(source_media) == 2 and all(n.id_card_copy.name in source_media for n in nominations)

    archive = tmp_path / "reserve.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "2 uploaded files" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    source_counts = backup_module.row_counts()
    assert source_counts["candidates_nomination"] == 2
    assert source_counts["reserve_user"] == User.objects.count() >= 2
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == source_counts
    assert {f"media/{n.id_card_copy.name}" for n in nominations} <= names

    with new_database(tmp_path, "restore") as (kind, locator, url):
        media = tmp_path / "restored-media"
        env = environment(url, media)
        result = manage("restore", str(archive), env=env)
        assert "same row counts" in result.stdout
        assert row_counts(kind, locator) == source_counts  # every table, before anyone signs in
        assert files_under(media) == source_media

        signed_in = login_result(env, "backup_office", PASSWORD)
        assert signed_in["status"] == 302 and signed_in["user_id"] == str(office.pk)
        assert signed_in["home"] in (200, 302)
        assert signed_in["wrong_status"] == 200  # a wrong password is still refused

        again = manage("restore", str(archive), env=env, check=False)
        assert again.returncode != 0 and "not empty" in again.stderr


SEED_SCRIPT = """
from tests.factories import NominationFactory, RoundFactory, TownFactory, UserFactory, VillageFactory, png_upload
town = TownFactory(name="文件镇")
village = VillageFactory(town=town, name="文件村")
UserFactory(username="file_office", town=town, role="org_office")
clerk = UserFactory(username="file_village", town=town, village=village, role="village_branch")
round_ = RoundFactory(town=town)
for _ in range(3):
    NominationFactory(round=round_, village=village, created_by=clerk, id_card_copy=png_upload())
"""


@pytest.mark.subprocess  # its own SQLite files, whatever the test database: run once (on PostgreSQL, by bin/test)
def test_a_sqlite_file_is_backed_up_and_restored_by_the_commands(tmp_path):
    """The SQLite path end to end, on any test run: migrate a file, fill it, back it up, restore it."""
    source = tmp_path / "source.sqlite3"
    source_env = environment(f"sqlite:///{source}", tmp_path / "media")
    manage("migrate", "--noinput", "-v0", env=source_env)
    manage("shell", "-v0", "-c", SEED_SCRIPT, env=source_env)
    archive = tmp_path / "file.tar.gz"
    manage("backup", "--output", str(archive), env=source_env)
    source_counts = row_counts("sqlite", source)
    assert source_counts["candidates_nomination"] == 3 and source_counts["reserve_user"] == 2

    target = tmp_path / "restored.sqlite3"
    assert not target.exists()
    target_env = environment(f"sqlite:///{target}", tmp_path / "restored-media")
    manage("restore", str(archive), env=target_env)
    assert row_counts("sqlite", target) == source_counts
    assert files_under(tmp_path / "restored-media") == files_under(tmp_path / "media")
    assert len(files_under(tmp_path / "media")) == 3
    signed_in = login_result(target_env, "file_office", PASSWORD)
    assert signed_in["status"] == 302 and signed_in["user_id"]

    refused = manage("restore", str(archive), env=target_env, check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    forced = manage("restore", str(archive), "--force", env=target_env)
    assert "same row counts" in forced.stdout
    counts = row_counts("sqlite", target)
    assert counts == source_counts  # the sign-in's own rows (session, audit) are gone again


# Not inside a test's transaction: SQLite's backup of a connection in a write transaction waits for ever, and with
# BEGIN IMMEDIATE (reserve/settings.py, issue 9 §13) every transaction is one from its start.
def test_restore_refuses_a_database_that_is_not_empty(transactional_db, tmp_path):
    archive = tmp_path / "x.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_restore_refuses_a_backup_of_the_other_kind_of_database(db, tmp_path):
    archive = tmp_path / "other.tar.gz"
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    manifest = json.dumps({"format": 1, "vendor": other, "database": backup_module.DUMP_NAMES[other],
                           "tables": {}, "media_files": 0}).encode()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "media/../../evil", "other/file"])
def test_restore_refuses_an_archive_entry_outside_media(db, tmp_path, name):
    archive = tmp_path / "evil.tar.gz"
    vendor = connection.vendor
    manifest = json.dumps({"format": 1, "vendor": vendor, "database": backup_module.DUMP_NAMES[vendor],
                           "tables": {}, "media_files": 1}).encode()
    with tarfile.open(archive, "w:gz") as tar:
        for entry, data in (("manifest.json", manifest), (name, b"x")):
            info = tarfile.TarInfo(entry)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="unexpected entry"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert not (tmp_path / "evil.txt").exists()


def test_backup_does_not_overwrite_an_existing_file(db, tmp_path):
    archive = tmp_path / "exists.tar.gz"
    archive.write_bytes(b"keep")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=archive, stdout=io.StringIO())
    assert archive.read_bytes() == b"keep"


def test_pg_dump_matches_the_server_version(db):
    """pg_dump and pg_restore come from Debian's postgresql-client and are not older than the server."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL client programs are checked on a PostgreSQL run")
    connection.ensure_connection()
    major = connection.pg_version // 10000
    for tool in ("pg_dump", "pg_restore"):
        assert backup_module.pg_tool(tool, major)
    with pytest.raises(backup_module.BackupError, match="older than the server"):
        backup_module.pg_tool("pg_dump", major + 1)
