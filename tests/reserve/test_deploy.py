"""Deployment settings (issue 5 §12): check --deploy clean, headers, foreign hosts, error pages."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import path

BASE = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    env = {
        **os.environ, "DEBUG": "false", "HTTPS": "true", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "reserve.example.gov.cn", "REDIS_URL": "redis://127.0.0.1:6379/9",
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy-check.sqlite3",
        # The ID-number keys (reserve/crypto.py): a Fernet key and the keyed-hash secret.
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by bin/test for the browser tests, never in production
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=BASE, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.subprocess
def test_check_deploy_refuses_the_development_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "HTTPS": "true", "ALLOWED_HOSTS": "reserve.example.gov.cn",
           "REDIS_URL": "redis://127.0.0.1:6379/9", "DATABASE_URL": f"sqlite:///{tmp_path}/deploy-check.sqlite3"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=BASE, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "security.W009" in result.stdout + result.stderr


def test_security_headers_on_a_page(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp


def test_pages_have_no_inline_script_or_style():
    """The policy forbids inline code: no template may carry any (PDF templates are not served)."""
    offenders = []
    for template in (BASE / "templates").rglob("*.html"):
        if "pdf" in template.name or template.parent.name == "pdf":
            continue
        text = template.read_text(encoding="utf-8")
        for marker in ("<style", "<script>", ' onclick=', ' onsubmit=', ' onchange=', ' style="'):
            if marker in text:
                offenders.append(f"{template.relative_to(BASE)}: {marker.strip()}")
    assert offenders == []


def test_a_foreign_host_header_gets_400(client, db):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400


def _boom(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_error_page_shows_no_trace(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret-internal-detail" not in body and "Traceback" not in body
    assert "系统暂时出现问题" in body
