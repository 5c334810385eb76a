"""Two app servers, one database, one Redis (issue 13 §5): the app servers keep no state.

Gunicorn servers A and B (docs/deploy/gunicorn.conf.py; production settings: DEBUG off, HTTPS and TRUSTED_PROXY on,
the same secrets, REDIS_URL) on loopback ports, against the PostgreSQL test database (a transactional test: its rows
are committed, so the servers see them, and are flushed after) and Redis database 5 — one pair with the files on a
disk both share (MEDIA_ROOT) and sessions in the database, one pair with the files in an S3-compatible bucket (moto's
server on a loopback port) and sessions in Redis; all four started at once. Spoken to over plain HTTP as nginx
speaks to them (Host, X-Real-IP, X-Forwarded-Proto: https), the browser's cookies carried by hand from one server
to the other, it proves:
  (a) a user signed in through A is served by B with the same cookie;
  (b) a lockout counted on A holds on B (django-axes: five failures on A, the right password refused on B);
  (c) an ID-card copy uploaded through the 自荐表 form on A downloads through B."""

import base64
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from django.db import connection
from django.urls import reverse

from candidates.models import Nomination
from reserve.choices import Gender
from reserve.roles import Role
from tests.candidates.test_views import BIRTH, form_data
from tests.factories import RoundFactory, TownFactory, UserFactory, VillageFactory, make_id
from tests.helpers import PASSWORD
from tests.reserve.databases import BASE_DIR, pg_url

pytestmark = [pytest.mark.subprocess, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOST = "reserve.test"  # the name both servers answer to, behind one nginx
REDIS_URL = "redis://127.0.0.1:6379/5"
ARGON2 = ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
S3_KEY, S3_SECRET, S3_REGION = "testing-key", "testing-secret", "us-east-1"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the servers


def production_env() -> dict[str, str]:
    """The environment of every app server of the deployment: production settings, the same secrets, the same
    database and Redis."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "DJANGO_", "GUNICORN_", "STORAGE_", "SESSION_", "MEDIA_", "WEB_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "reserve.settings", "DEBUG": "false", "HTTPS": "true", "TRUSTED_PROXY": "true",
        "ALLOWED_HOSTS": HOST, "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": pg_url(connection.settings_dict["NAME"]), "REDIS_URL": REDIS_URL,
        "PYTHONWARNINGS": "ignore",
    })
    return env


@contextlib.contextmanager
def servers(tmp_path: Path, envs: dict[str, dict]):
    """A gunicorn server per name, each with the production config file and its environment (one worker: the
    servers are what is proved apart, and the machine has two cores), all started at once: yields {name: base URL};
    stopped by SIGINT (gunicorn's quick shutdown) after."""
    ports = {name: free_port() for name in envs}
    processes = []
    try:
        for name, env in envs.items():
            log = open(tmp_path / f"gunicorn-{name}.log", "w")  # noqa: SIM115 — closed with its process
            processes.append((subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-c", "docs/deploy/gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{ports[name]}", "--workers", "1", "reserve.wsgi:application"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True), log))
        for (process, log), port in zip(processes, ports.values(), strict=True):
            wait_until_listening(process, port, Path(log.name))
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        for process, _log in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
        for process, log in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()


def wait_until_listening(process, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert process.poll() is None, f"gunicorn stopped ({process.returncode}):\n{log.read_text()}"
        assert time.monotonic() < deadline, f"gunicorn did not listen in {STARTUP_SECONDS} s:\n{log.read_text()}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)


class Browser:
    """One browser behind nginx: its cookies (Secure, __Host-: kept here by hand, since the servers are spoken to
    over plain HTTP as nginx speaks to them), the headers nginx sets, and no redirect followed."""

    def __init__(self, ip: str):
        self.cookies: dict[str, str] = {}
        self.ip = ip

    def request(self, base: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, "X-Real-IP": self.ip, "X-Forwarded-Proto": "https",
                   "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, base + path, headers=headers, allow_redirects=False, timeout=30,
                                    **kwargs)
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def form_token(self, base: str, path: str) -> str:
        response = self.request(base, "GET", path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)

    def sign_in(self, base: str, username: str, password: str) -> requests.Response:
        token = self.form_token(base, "/accounts/login/")
        return self.request(base, "POST", "/accounts/login/", data={
            "csrfmiddlewaretoken": token, "username": username, "password": password})


# --------------------------------------------------------------------------- the data and the bucket


@pytest.fixture
def bucket():
    """A bucket of moto's S3 server on a loopback port: the environment naming it, and a reader of its objects."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint, name = f"http://{host}:{port}", f"reserve-{uuid.uuid4().hex[:12]}"
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION, aws_access_key_id=S3_KEY,
                          aws_secret_access_key=S3_SECRET)
        s3.create_bucket(Bucket=name)
        yield ({"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": endpoint,
                "AWS_S3_REGION_NAME": S3_REGION, "AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET},
               lambda key: s3.get_object(Bucket=name, Key=key)["Body"].read())
    finally:
        server.stop()


@pytest.fixture
def village(settings, transactional_db):
    """A town with an open round, a village and three of its accounts, committed (the servers read them)."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers on one database: PostgreSQL (this run uses SQLite)")
    settings.PASSWORD_HASHERS = ARGON2  # the servers know these hashers, not the tests' fast one
    redis.Redis.from_url(REDIS_URL).flushdb()  # Redis database 5 is this test's: no counters of an earlier run
    town = TownFactory(name="青山镇")
    village = VillageFactory(town=town, name="东山村")
    RoundFactory(town=town)
    for username in ("cun_a", "cun_b", "cun_locked"):
        UserFactory(username=username, town=town, village=village, role=Role.VILLAGE)
    return village


# --------------------------------------------------------------------------- what is proved


def signed_in_on_one_served_by_the_other(a: str, b: str, username: str, village) -> Browser:
    """(a) Signed in through A, served by B with the same cookie; without it, B asks for a sign-in."""
    user = Browser("203.0.113.10")
    assert user.sign_in(a, username, PASSWORD).status_code == 302
    assert "__Host-sessionid" in user.cookies
    home = user.request(b, "GET", "/")  # a village's start page is its village
    assert home.status_code == 302 and home.headers["Location"] == f"/villages/{village.pk}/"
    village_page = user.request(b, "GET", home.headers["Location"])
    assert village_page.status_code == 200 and username in village_page.text and "东山村" in village_page.text
    stranger = Browser("203.0.113.10").request(b, "GET", home.headers["Location"])
    assert stranger.status_code == 302 and stranger.headers["Location"].startswith("/accounts/login/")
    return user


def locked_out_on_one_refused_by_the_other(a: str, b: str, username: str) -> None:
    """(b) Five wrong passwords on A (from five addresses: the account's limit, not an address's): B refuses the
    right one."""
    for n in range(5):
        assert Browser(f"198.51.100.{n + 1}").sign_in(a, username, "Wrong-pass-0").status_code != 302
    refused = Browser("198.51.100.99").sign_in(b, username, PASSWORD)
    assert refused.status_code != 302 and "登录已暂时锁定" in refused.text


def uploaded_on_one_downloaded_from_the_other(user: Browser, a: str, b: str, village, seq: int, stored_bytes):
    """(c) An ID-card copy uploaded through the 自荐表 form on A downloads through B, from the shared storage."""
    name = f"李{seq}明"
    fields = form_data(village, name=name, id_number=make_id(BIRTH, Gender.MALE, seq=seq))
    upload = fields.pop("id_card_copy")
    new = reverse("candidates:nomination_new")
    fields["csrfmiddlewaretoken"] = user.form_token(a, new)
    saved = user.request(a, "POST", new, data=fields,
                         files={"id_card_copy": (upload.name, upload.read(), upload.content_type)})
    assert saved.status_code == 302, saved.text[:2000]
    nomination = Nomination.objects.get(name=name)
    assert saved.headers["Location"] == nomination.get_absolute_url()
    assert stored_bytes(nomination.id_card_copy.name)  # in the shared directory, or in the bucket
    copy = user.request(b, "GET", reverse("candidates:nomination_id_card", args=[nomination.pk]))
    assert copy.status_code == 200 and copy.headers["Content-Type"] == "image/png"
    assert copy.content.startswith(b"\x89PNG")


def test_two_servers_share_sessions_lockouts_and_files(tmp_path, village, bucket):
    bucket_env, bucket_bytes = bucket
    media = tmp_path / "shared-media"
    deployment = production_env()
    disk = {**deployment, "STORAGE_BACKEND": "local", "MEDIA_ROOT": str(media)}  # sessions in the database
    s3 = {**deployment, **bucket_env, "SESSION_ENGINE": "django.contrib.sessions.backends.cache"}  # in Redis
    with servers(tmp_path, {"A": disk, "B": disk, "A-s3": s3, "B-s3": s3}) as url:
        user = signed_in_on_one_served_by_the_other(url["A"], url["B"], "cun_a", village)
        locked_out_on_one_refused_by_the_other(url["A"], url["B"], "cun_locked")
        uploaded_on_one_downloaded_from_the_other(user, url["A"], url["B"], village, 41,
                                                  lambda name: (media / name).read_bytes())

        user = signed_in_on_one_served_by_the_other(url["A-s3"], url["B-s3"], "cun_b", village)
        uploaded_on_one_downloaded_from_the_other(user, url["A-s3"], url["B-s3"], village, 42, bucket_bytes)
