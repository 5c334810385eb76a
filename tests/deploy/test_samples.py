"""The production samples of docs/deploy/ (issue 13 §5): the gunicorn settings, the systemd units and timers, the
environment file, nginx's site. What can be checked without a production machine is checked here: the gunicorn file
loads with the values the README gives, the units pass `systemd-analyze verify` (their /srv/reserve paths pointed
at this checkout), the environment file names every setting reserve/settings.py reads, and nginx serves no media."""

import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
BASE = DEPLOY.parents[1]
UNITS = ["reserve-web.service", "reserve-purge-audit.service", "reserve-purge-audit.timer",
         "reserve-backup.service", "reserve-backup.timer"]


def test_the_gunicorn_settings(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["workers"] == 5 and conf["worker_class"] == "sync"  # 2 × cores + 1
    assert conf["timeout"] == 60 and conf["bind"] == "127.0.0.1:8000"
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["preload_app"] is True
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 3


@pytest.mark.subprocess
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    for name in [*UNITS, "reserve-worker.service"]:
        if (DEPLOY / name).exists():
            (tmp_path / name).write_text((DEPLOY / name).read_text().replace("/srv/reserve", str(BASE)))
    result = subprocess.run([analyze, "verify", *sorted(p.name for p in tmp_path.iterdir())], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_the_timers_run_daily_and_start_their_service():
    for timer in ("reserve-purge-audit", "reserve-backup"):
        text = (DEPLOY / f"{timer}.timer").read_text()
        assert re.search(r"^OnCalendar=\*-\*-\* \d\d:\d\d:00$", text, re.M) and "Persistent=true" in text
        service = (DEPLOY / f"{timer}.service").read_text()
        assert "Type=oneshot" in service
    assert "manage.py purge_audit" in (DEPLOY / "reserve-purge-audit.service").read_text()
    assert "manage.py backup" in (DEPLOY / "reserve-backup.service").read_text()
    assert "gunicorn -c /srv/reserve/docs/deploy/gunicorn.conf.py" in (DEPLOY / "reserve-web.service").read_text()


def test_the_environment_file_names_every_setting():
    settings_source = (BASE / "reserve" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', settings_source))
    assert {"STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME", "SESSION_ENGINE", "REDIS_URL"} <= read
    sample = (DEPLOY / "reserve.env.example").read_text()
    assert sorted(n for n in read if not re.search(rf"^#?{n}=", sample, re.M)) == []
    # No real secret: every secret is a placeholder.
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY"):
        assert re.search(rf"^{name}=<[^>]+>$", sample, re.M), name


def test_nginx_serves_no_media_and_passes_the_client_to_the_app():
    conf = (DEPLOY / "nginx.conf").read_text()
    locations = re.findall(r"^\s*location\s+(\S+)\s*\{", conf, re.M)
    assert sorted(locations) == ["/", "/static/"]  # no location for uploaded or generated files
    assert not re.search(r"^\s*(alias|root)\s", conf, re.M)  # nothing read from the disk
    assert len(re.findall(r"proxy_set_header X-Real-IP \$remote_addr;", conf)) == len(locations)
    assert len(re.findall(r"proxy_set_header X-Forwarded-Proto \$scheme;", conf)) == len(locations)
