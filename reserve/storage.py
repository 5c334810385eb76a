"""Stored files, whatever holds them (settings.STORAGES["default"]: a local directory, or an S3-compatible bucket).

Every uploaded file and generated document is written and read through Django's storage API (a FileField, or
`default_storage`), never through a path on this server's disk, so that any app server can serve a file another
stored. This module holds what the API leaves to the app:

- reading a stored file's bytes, with a missing file said as such (StoredFileMissing);
- writing a file again under its own name (`overwrite`: re-encryption with a new key), atomically on either kind;
- the answer a user gets when the store cannot be reached (an object store down, refusing the app's credentials,
  or its bucket gone): a page saying so (503), the failure logged for the administrator, never a 500.

Backup and restore (reserve/backup.py) work on a local directory only, and refuse any other storage.
"""

import contextlib
import logging
import os
import tempfile

from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .exceptions import DomainError

logger = logging.getLogger(__name__)


class StoredFileMissing(DomainError):
    """A row names a file the storage no longer holds (deleted by hand, or not restored)."""


def read_bytes(field_file) -> bytes:
    """The whole content of a stored file (a FieldFile, or a File opened from a storage)."""
    try:
        with field_file.open("rb") as f:
            return f.read()
    except FileNotFoundError:
        raise StoredFileMissing(_("找不到这份文件：文件存储中已没有它（可能已被删除，或备份尚未恢复）。"
                                  "请联系系统管理员。")) from None


def is_local(storage) -> bool:
    """Whether the storage keeps files in a directory of this server (backup and restore need one)."""
    return isinstance(storage, FileSystemStorage)


def overwrite(storage, name: str, data: bytes) -> None:
    """Write `data` as the file `name` already stored, replacing it whole: a reader sees the old file or the new
    one, never a part. On disk: a new file moved over the old one; in an object store: one upload under the
    same key (an object is replaced only when its upload completes)."""
    if is_local(storage):
        _replace_local(storage.path(name), data)
        return
    with storage.open(name, "wb") as f:
        f.write(data)


def _replace_local(path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rotate-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def is_outage(exception: BaseException) -> bool:
    """Whether an exception is the object store failing (unreachable, timing out, refusing the credentials or the
    bucket), as opposed to a fault of the app. A missing object is not one: the storage says FileNotFoundError."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # no S3 support installed: no such failure
        return False
    return isinstance(exception, BotoCoreError | ClientError)


def error_response(request, exception) -> HttpResponse | None:
    """The answer to a file that cannot be read or written (reserve.middleware.DomainErrorMiddleware), or None for
    any other exception: a missing file → 404 saying so; the store failing → 503 asking to try later."""
    from django.shortcuts import render

    if isinstance(exception, StoredFileMissing):
        return render(request, "public_base.html", {"page_title": _("文件不存在"), "message": exception.message},
                      status=404)
    if is_outage(exception):
        logger.error("File storage failed on %s: %r", request.path, exception)
        return render(request, "public_base.html", {
            "page_title": _("文件存储暂时无法访问"),
            "message": _("文件存储暂时无法访问，文件没有读取或保存。请稍后再试；如仍不行，请联系系统管理员。"),
        }, status=503)
    return None
