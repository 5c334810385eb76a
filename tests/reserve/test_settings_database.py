"""What reserve/settings.py makes of the environment (issue 9 §13, §14): SQLite set up for concurrent use, and
the static files served from the collected manifest under the manifest storage.

Each case reads the settings afresh in a new interpreter, with only the environment given."""

import json
import os
import subprocess
import sys

import pytest

from .databases import BASE_DIR

READ = """
import json
import reserve.settings as s
print(json.dumps({"options": s.DATABASES["default"].get("OPTIONS", {}), "engine": s.DATABASES["default"]["ENGINE"],
                  "finders": s.WHITENOISE_USE_FINDERS, "storage": s.STORAGES["staticfiles"]["BACKEND"]}))
"""


def settings_with(**environ) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SQLITE_BUSY_TIMEOUT", "STATICFILES_BACKEND")}
    env.update(environ)
    result = subprocess.run([sys.executable, "-c", READ], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("url", ["sqlite:///var/db.sqlite3", ""], ids=["sqlite-url", "default"])
def test_sqlite_is_set_up_for_saves_at_the_same_moment(url):
    found = settings_with(**({"DATABASE_URL": url} if url else {}))
    assert found["engine"] == "django.db.backends.sqlite3"
    options = found["options"]
    assert options["transaction_mode"] == "IMMEDIATE"  # a save takes the write lock first, then waits its turn
    assert options["timeout"] >= 10  # seconds a save may wait for another's
    pragmas = [p.strip().replace(" ", "").lower() for p in options["init_command"].split(";") if p.strip()]
    assert "pragmajournal_mode=wal" in pragmas
    assert "pragmasynchronous=normal" in pragmas


def test_the_sqlite_busy_timeout_comes_from_the_environment():
    assert settings_with(DATABASE_URL="sqlite:///var/db.sqlite3", SQLITE_BUSY_TIMEOUT="45")["options"]["timeout"] == 45


def test_postgresql_gets_no_sqlite_options():
    found = settings_with(DATABASE_URL="postgres://reserve@db.example:5432/reserve")
    assert found["engine"] == "django.db.backends.postgresql"
    assert not {"transaction_mode", "init_command", "timeout"} & set(found["options"])


def test_whitenoise_serves_the_collected_files_under_the_manifest_storage():
    manifest = settings_with(STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage")
    assert manifest["finders"] is False
    plain = settings_with()
    assert plain["finders"] is True and "Manifest" not in plain["storage"]
