"""Backup and restore (issue 5 §13): the database and the uploaded documents, in one archive.

The archive is a gzipped tar holding
  manifest.json     what was backed up: the database kind, every table with its row count, the files
  database.pgdump   PostgreSQL: `pg_dump --format=custom` of DATABASES["default"]
  database.sqlite3  SQLite: a consistent copy made with sqlite3's online backup API
  media/...         every uploaded document (MEDIA_ROOT), under its stored name

On PostgreSQL the row counts are read in the very snapshot pg_dump dumps (pg_export_snapshot), so the
restore can check that every table came back whole. The archive holds personal data: it is written
readable by its owner only, and must be kept like the database itself (with the encryption keys kept
apart from it).

The uploaded documents are read from, and restored into, a directory of this server: backup and restore work
with the local file storage only (STORAGE_BACKEND=local, MEDIA_ROOT). With the files in an object store
(STORAGE_BACKEND=s3) both refuse before doing anything; the bucket is then backed up by the store's own means
(versioning, replication, `aws s3 sync`, `mc mirror`) and the database with pg_dump.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_DIR = "media"


class BackupError(Exception):
    pass


# --------------------------------------------------------------------------- shared


def media_root() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            f"The uploaded files are not kept on this server's disk (STORAGES['default'] is "
            f"{type(storage).__module__}.{type(storage).__name__}): "
            "backup and restore copy a local MEDIA_ROOT only. Back up the bucket with the object store's own means "
            "(versioning, replication, `aws s3 sync`, `mc mirror`) and the database with pg_dump.")
    return Path(storage.location)


def media_files(root: Path) -> list[Path]:
    """The regular files under the media root, relative to it (symbolic links are not followed)."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root))
    return found


def default_output() -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"reserve-{stamp}.tar.gz"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


PG_TABLES_SQL = """
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_toast' AND pg_catalog.pg_table_is_visible(c.oid)
"""
SQLITE_TABLES_SQL = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def table_names(cursor, vendor: str) -> list[str]:
    cursor.execute(PG_TABLES_SQL if vendor == "postgresql" else SQLITE_TABLES_SQL)
    return sorted(row[0] for row in cursor.fetchall())


def row_counts(alias: str = "default") -> dict[str, int]:
    """Every table of a database and its number of rows."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return _count_rows(cursor, table_names(cursor, connection.vendor))


# --------------------------------------------------------------------------- PostgreSQL tools


def pg_environment(settings_dict) -> dict[str, str]:
    """libpq's environment for the client programs: no password on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def pg_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore, checked to be at least the server's major version."""
    bindir = os.environ.get("PG_BINDIR")
    path = str(Path(bindir) / name) if bindir else shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: apt-get install "
                          f"postgresql-client-{server_major}), or set PG_BINDIR to the directory holding it.")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    try:
        major = int(out.split(")", 1)[1].split()[0].split(".")[0])
    except (IndexError, ValueError):
        raise BackupError(f"Cannot read the version of {path}: {out.strip()}") from None
    if major < server_major:
        raise BackupError(f"{path} is version {major}, older than the server ({server_major}): install "
                          f"postgresql-client-{server_major}, or set PG_BINDIR.")
    return path


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()}")
    return result


# --------------------------------------------------------------------------- backup


def backup(output: Path | None = None, alias: str = "default") -> tuple[Path, dict]:
    """Write the archive; return its path and its manifest."""
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backing up a {vendor} database is not supported (PostgreSQL or SQLite).")
    root = media_root()  # refused first if the files are not on this server's disk
    output = Path(output or default_output())
    if output.exists():
        raise BackupError(f"{output} exists already: choose another name.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="reserve-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAMES[vendor]
        if vendor == "postgresql":
            tables = _dump_postgresql(connection, dump)
        else:
            tables = _dump_sqlite(connection, dump)
        files = media_files(root)  # after the database: every file a row names is there already
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "vendor": vendor,
            "django": django.get_version(),
            "database": DUMP_NAMES[vendor],
            "tables": tables,
            "media_files": len(files),
        }
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.datetime.now().timestamp())
                tar.addfile(info, BytesIO(data))
                tar.add(dump, arcname=DUMP_NAMES[vendor], recursive=False)
                for rel in files:
                    tar.add(root / rel, arcname=f"{MEDIA_DIR}/{rel.as_posix()}", recursive=False)
        except BaseException:
            output.unlink(missing_ok=True)
            raise
    return output, manifest


def _dump_postgresql(connection, dump: Path) -> dict[str, int]:
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    pg_dump = pg_tool("pg_dump", server_major)
    settings_dict = connection.settings_dict
    # A read-only snapshot: the rows counted here are the rows pg_dump writes.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _count_rows(cursor, table_names(cursor, "postgresql"))
            _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}",
                  settings_dict["NAME"]], pg_environment(settings_dict))
        raw.rollback()
    finally:
        raw.close()
    return tables


def _dump_sqlite(connection, dump: Path) -> dict[str, int]:
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)  # works for a file and for the tests' in-memory database
        return _count_rows(target.cursor(), table_names(target.cursor(), "sqlite"))
    finally:
        target.close()


# --------------------------------------------------------------------------- restore


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("Not a Reserve backup: no manifest.json in the archive.") from None
    manifest = json.load(tar.extractfile(member))
    if manifest.get("format") != FORMAT or manifest.get("vendor") not in DUMP_NAMES:
        raise BackupError(f"Unknown backup format: {manifest.get('format')!r}, {manifest.get('vendor')!r}.")
    return manifest


def _media_members(tar: tarfile.TarFile, manifest: dict) -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    """The archive's media files, each checked: a plain file with a relative name inside media/."""
    members = []
    for member in tar.getmembers():
        if member.name in (MANIFEST, manifest["database"]):
            continue
        path = PurePosixPath(member.name)
        if (path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != MEDIA_DIR
                or not (member.isfile() or member.isdir())):
            raise BackupError(f"Refusing an unexpected entry in the archive: {member.name!r}")
        if member.isfile():
            members.append((member, PurePosixPath(*path.parts[1:])))
    return members


def restore(archive: Path, *, force: bool = False, alias: str = "default") -> tuple[dict, dict[str, int]]:
    """Restore an archive into DATABASES[alias] and MEDIA_ROOT, which must be empty unless force.

    Returns the manifest and the row counts read back from the restored database (checked equal to
    the manifest's)."""
    connection = connections[alias]
    archive = Path(archive)
    with tarfile.open(archive, mode="r:*") as tar:
        manifest = read_manifest(tar)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"This backup is of a {manifest['vendor']} database; DATABASE_URL names a "
                              f"{connection.vendor} one.")
        media = _media_members(tar, manifest)
        existing = connection.introspection.table_names()
        if existing and not force:
            raise BackupError(f"The database {connection.settings_dict['NAME']} is not empty ({len(existing)} "
                              "tables): restore into a new, empty database, or pass --force to replace it.")
        root = media_root()
        if media_files(root) and not force:
            raise BackupError(f"MEDIA_ROOT ({root}) already holds files: restore into an empty directory, or "
                              "pass --force to write over them.")
        with tempfile.TemporaryDirectory(prefix="reserve-restore-") as tmp:
            dump = Path(tmp) / manifest["database"]
            with tar.extractfile(manifest["database"]) as src, open(dump, "wb") as dst:
                shutil.copyfileobj(src, dst)
            if connection.vendor == "postgresql":
                _restore_postgresql(connection, dump, clean=bool(existing))
            else:
                _restore_sqlite(connection, dump)
        counts = row_counts(alias)
        wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
        if wrong:
            detail = ", ".join(f"{t}: {n} in the backup, {m} restored" for t, (n, m) in sorted(wrong.items()))
            raise BackupError(f"The restored database differs from the backup: {detail}")
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = root.resolve()
        for member, rel in media:
            target = (root / Path(*rel.parts)).resolve()
            if base not in target.parents:
                raise BackupError(f"Refusing to write outside MEDIA_ROOT: {member.name!r}")
            with tar.extractfile(member) as src:
                write_media_file(base, target, src)
    return manifest, counts


def write_media_file(base: Path, target: Path, src) -> None:
    """Write a restored upload as the app stores one (settings.FILE_UPLOAD_PERMISSIONS): the file 0600, every
    directory made for it below the media root 0700."""
    missing = [d for d in [target.parent, *target.parent.parents] if base in d.parents and not d.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file written over (--force) too
    with os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst)


def _restore_postgresql(connection, dump: Path, *, clean: bool):
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    pg_restore = pg_tool("pg_restore", server_major)
    settings_dict = connection.settings_dict
    connection.close()
    args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={settings_dict['NAME']}", str(dump)], pg_environment(settings_dict))


def _restore_sqlite(connection, dump: Path):
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)  # replaces the whole target database
    finally:
        source.close()
