"""Uploaded files in an S3-compatible object store (issue 13 §5): STORAGE_BACKEND=s3, django-storages.

Against a real S3 server on a loopback port: moto's (`moto.server.ThreadedMotoServer`, the S3 API over HTTP, run in
a thread of the test process), with a bucket of each test's own. An ID-card copy uploaded through the 自荐表 form
lands in the bucket, encrypted, and comes back through the scoped download; a file gone from the bucket is a 404
that says so; a store that cannot be reached is a 503 that says so (the failure logged), never a 500. Re-encryption
(rotate_encryption_keys) and the kept uploads of a form being corrected work on the bucket too; backup refuses it.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import uuid

import boto3
import pytest
from botocore.config import Config
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from candidates.models import Nomination
from reserve import crypto, uploads
from reserve.backup import BackupError, media_root
from tests.candidates.test_views import ID_MALE, form_data
from tests.factories import NominationFactory, png_upload
from tests.helpers import close_response, page

from .databases import BASE_DIR

REGION = "us-east-1"
CREDENTIALS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free loopback port, for the module: its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_options(endpoint: str, bucket: str) -> dict:
    """The default storage's OPTIONS as reserve/settings.py makes them for STORAGE_BACKEND=s3."""
    return {"bucket_name": bucket, "endpoint_url": endpoint, "region_name": REGION, **CREDENTIALS,
            "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
            "client_config": Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1},
                                    signature_version="s3v4", s3={"addressing_style": "path"})}


def client_for(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=CREDENTIALS["access_key"], aws_secret_access_key=CREDENTIALS["secret_key"])


@pytest.fixture
def bucket(s3_server, settings):
    """A new bucket of this test, made the default storage: (boto3 client, bucket name)."""
    name = f"reserve-{uuid.uuid4().hex[:12]}"
    s3 = client_for(s3_server)
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server, name)}}
    return s3, name


@pytest.fixture
def unreachable_store(settings):
    """The default storage pointed at a loopback port nothing listens on."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(f"http://127.0.0.1:{free_port()}", "reserve-gone")}}


def keys(s3, bucket_name, prefix="") -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket_name, Prefix=prefix).get("Contents", [])]


def body(s3, bucket_name, key) -> bytes:
    return s3.get_object(Bucket=bucket_name, Key=key)["Body"].read()


def download(client, nomination):
    """GET the ID-card copy of a nomination: (status, content type, body, text of a page)."""
    response = client.get(reverse("candidates:nomination_id_card", args=[nomination.pk]))
    try:
        if response.streaming:
            return response.status_code, response["Content-Type"], b"".join(response.streaming_content), ""
        return response.status_code, response["Content-Type"], response.content, page(response)
    finally:
        close_response(response)


# --------------------------------------------------------------------------- the settings


READ_STORAGE = """
import json
import reserve.settings as s
d = s.STORAGES["default"]
options = {k: v for k, v in d.get("OPTIONS", {}).items() if k != "client_config"}
config = d.get("OPTIONS", {}).get("client_config")
if config is not None:
    options["connect_timeout"] = config.connect_timeout
    options["retries"] = config.retries
print(json.dumps({"backend": d["BACKEND"], "options": options}))
"""


def storage_settings(**environ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_BACKEND", "MEDIA_ROOT"))}
    env.update(environ)
    return subprocess.run([sys.executable, "-c", READ_STORAGE], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=60)


def test_storage_backend_s3_is_a_private_bucket_named_by_the_environment():
    result = storage_settings(STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="reserve-files",
                              AWS_S3_ENDPOINT_URL="http://minio.internal:9000", AWS_S3_REGION_NAME="cn-east-1",
                              AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="not-a-real-secret")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["backend"] == "storages.backends.s3.S3Storage"
    options = found["options"]
    assert options["bucket_name"] == "reserve-files" and options["endpoint_url"] == "http://minio.internal:9000"
    assert options["region_name"] == "cn-east-1"
    assert options["access_key"] == "AKIDEXAMPLE" and options["secret_key"] == "not-a-real-secret"
    assert options["default_acl"] == "private"  # never public-read
    assert options["querystring_auth"] is True  # any URL it would make is signed and expires
    assert options["file_overwrite"] is False  # a taken name gets another, as on disk
    assert options["connect_timeout"] <= 10 and options["retries"]["max_attempts"] <= 3  # an outage fails fast


def test_the_default_is_the_local_directory(tmp_path):
    result = storage_settings(MEDIA_ROOT=str(tmp_path / "files"))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"backend": "django.core.files.storage.FileSystemStorage",
                     "options": {"location": str(tmp_path / "files")}}


def test_an_unknown_storage_backend_is_refused_at_start():
    result = storage_settings(STORAGE_BACKEND="ftp")
    assert result.returncode != 0 and "STORAGE_BACKEND must be local or s3" in result.stderr


# --------------------------------------------------------------------------- upload, download, scope


def test_an_id_card_copy_uploaded_through_the_form_lands_in_the_bucket_and_is_served_back(
        client, bucket, village_a_user, village_b_user, office, other_office, village_a, round_, media_root):
    s3, bucket_name = bucket
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a))
    assert response.status_code == 302
    nomination = Nomination.objects.get(person__id_number=ID_MALE)

    # In the bucket, under the name the row keeps, encrypted at rest; nothing on this server's disk.
    stored = keys(s3, bucket_name, "id_cards/")
    assert stored == [nomination.id_card_copy.name]
    assert crypto.is_encrypted_file(body(s3, bucket_name, stored[0]))
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))

    # Served back, decrypted, through the scoped view only.
    for user in (village_a_user, office):
        client.force_login(user)
        status, content_type, data, _text = download(client, nomination)
        assert (status, content_type) == (200, "image/png") and data.startswith(b"\x89PNG")
    for user, refused in ((village_b_user, 404), (other_office, 404)):
        client.force_login(user)
        assert download(client, nomination)[0] == refused


def test_a_file_gone_from_the_bucket_is_a_404_that_says_so(client, bucket, office, round_, village_a):
    s3, bucket_name = bucket
    nomination = NominationFactory(round=round_, village=village_a, id_card_copy=png_upload())
    s3.delete_object(Bucket=bucket_name, Key=nomination.id_card_copy.name)
    client.force_login(office)
    status, _type, _data, text = download(client, nomination)
    assert status == 404 and "找不到这份文件" in text


def test_an_unreachable_store_is_a_503_that_says_so_for_a_download(client, unreachable_store, office, round_,
                                                                  village_a, caplog):
    # A row naming a stored file (the name given, nothing uploaded: the store is down).
    nomination = NominationFactory(round=round_, village=village_a, id_card_copy="id_cards/2026/0123456789abcdef.png")
    client.force_login(office)
    status, _type, _data, text = download(client, nomination)
    assert status == 503 and "文件存储暂时无法访问" in text
    assert any("File storage failed" in r.getMessage() for r in caplog.records)  # the administrator learns why


def test_an_unreachable_store_is_a_503_for_an_upload_and_nothing_is_saved(client, unreachable_store,
                                                                         village_a_user, village_a, round_):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a))
    assert response.status_code == 503 and "文件存储暂时无法访问" in page(response)
    assert not Nomination.objects.exists()


# --------------------------------------------------------------------------- re-encryption, kept uploads, backup


def test_rotation_re_encrypts_a_file_in_the_bucket_under_the_same_name(bucket):
    s3, bucket_name = bucket
    name = default_storage.save("id_cards/2026/plain.png", ContentFile(b"\x89PNG plain copy"))
    field_file = NominationFactory.build().id_card_copy
    field_file.name = name
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        assert uploads.encrypt_stored(field_file)  # stored before encryption: encrypted now
        first = body(s3, bucket_name, name)
        assert crypto.is_encrypted_file(first)
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b, key_a]):
        assert uploads.encrypt_stored(field_file)  # re-encrypted with the new first key
    assert keys(s3, bucket_name) == [name]  # replaced in place, no second object
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b]):  # the old key can go
        assert uploads.read_document(field_file) == b"\x89PNG plain copy"
    field_file.name = "id_cards/2026/gone.png"
    assert uploads.encrypt_stored(field_file) is False  # a row naming a missing file: skipped, not an error


def test_kept_uploads_are_stored_and_purged_in_the_bucket(bucket, client, db):
    s3, bucket_name = bucket
    session = client.session
    kept = uploads.stash_pending(session, png_upload())
    assert len(keys(s3, bucket_name, f"{uploads.PENDING_DIR}/")) == 1
    assert uploads.take_pending(session, kept["token"]).read().startswith(b"\x89PNG")
    later = timezone.now() + datetime.timedelta(seconds=uploads.PENDING_MAX_AGE + 60)
    assert uploads.purge_pending(now=later) == 1
    assert keys(s3, bucket_name, f"{uploads.PENDING_DIR}/") == []
    assert uploads.take_pending(session, kept["token"]) is None


def test_backup_refuses_files_kept_in_an_object_store_before_writing_anything(bucket, tmp_path):
    with pytest.raises(BackupError, match="not kept on this server's disk"):
        media_root()
    output = tmp_path / "backups" / "reserve.tar.gz"
    with pytest.raises(CommandError, match="backup and restore copy a local MEDIA_ROOT only"):
        call_command("backup", output=output)
    assert not output.parent.exists()
