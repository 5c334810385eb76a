"""Helpers for tests that need a database of their own beside the test database: a new empty one on the
same PostgreSQL server (created and dropped here) or a new SQLite file, and manage.py run against it in
a subprocess, the way an administrator runs it."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _pg_params(dbname):
    s = connection.settings_dict
    params = {"dbname": dbname, "user": s.get("USER") or None, "password": s.get("PASSWORD") or None,
              "host": s.get("HOST") or None, "port": s.get("PORT") or None}
    return {k: v for k, v in params.items() if v is not None}


def pg_connect(dbname):
    import psycopg2

    conn = psycopg2.connect(**_pg_params(dbname))
    conn.autocommit = True
    return conn


def pg_url(dbname) -> str:
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "localhost"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{dbname}"


@contextlib.contextmanager
def new_postgresql_database(prefix="helper"):
    """A new, empty PostgreSQL database on the test server: yields its name and URL; dropped after."""
    name = f"{connection.settings_dict['NAME']}_{prefix}_{uuid.uuid4().hex[:8]}"[:63]
    admin = pg_connect("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name, pg_url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextlib.contextmanager
def new_database(tmp_path, prefix="helper"):
    """A new, empty database of the kind the tests run on: (kind, locator, DATABASE_URL)."""
    if is_postgresql():
        with new_postgresql_database(prefix) as (name, url):
            yield "postgresql", name, url
    else:
        path = tmp_path / f"{prefix}-{uuid.uuid4().hex[:8]}.sqlite3"
        yield "sqlite", path, f"sqlite:///{path}"


def _tables_sql(kind):
    from reserve.backup import PG_TABLES_SQL, SQLITE_TABLES_SQL

    return PG_TABLES_SQL if kind == "postgresql" else SQLITE_TABLES_SQL


@contextlib.contextmanager
def open_database(kind, locator):
    conn = pg_connect(locator) if kind == "postgresql" else sqlite3.connect(locator)
    try:
        yield conn
    finally:
        conn.close()


def row_counts(kind, locator) -> dict[str, int]:
    """Every table of another database and its number of rows."""
    with open_database(kind, locator) as conn:
        cursor = conn.cursor()
        cursor.execute(_tables_sql(kind))
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def query(kind, locator, sql) -> list[tuple]:
    with open_database(kind, locator) as conn:
        cursor = conn.cursor()
        cursor.execute(sql)
        return cursor.fetchall()


def environment(database_url, media_root) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), REDIS_URL="", ALLOWED_HOSTS="testserver",
               DJANGO_SETTINGS_MODULE="reserve.settings", PYTHONWARNINGS="ignore")
    return env


def manage(*args, env, stdin=None, check=True) -> subprocess.CompletedProcess:
    """python manage.py ARGS in a subprocess, with DATABASE_URL and MEDIA_ROOT from env."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, input=stdin,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# Signs in through the login page of the app running on another database (the test client, in a subprocess).
LOGIN_SCRIPT = """
import json, os
from django.test import Client
client = Client()
response = client.post("/accounts/login/", {"username": os.environ["LOGIN_USER"], "password": os.environ["LOGIN_PASSWORD"]})
signed_in = client.session.get("_auth_user_id")
home = client.get("/")
wrong = Client().post("/accounts/login/", {"username": os.environ["LOGIN_USER"], "password": "Wrong-pass-0"})
print("RESULT " + json.dumps({"status": response.status_code, "user_id": signed_in, "home": home.status_code,
                              "wrong_status": wrong.status_code}))
"""


def login_result(env, username, password) -> dict:
    import json

    env = {**env, "LOGIN_USER": username, "LOGIN_PASSWORD": password}
    result = manage("shell", "-v0", "-c", LOGIN_SCRIPT, env=env)
    line = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def files_under(root: Path) -> dict[str, bytes]:
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
