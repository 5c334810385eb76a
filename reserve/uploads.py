"""Uploaded documents: the type is decided by the content, never by the name."""

import io
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def validate_document(upload) -> str:
    """Check an uploaded ID-card copy and return its real extension; raise ValidationError otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），不能超过 %(limit).0f MB。")
            % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(_("文件内容不是 JPG、PNG 或 PDF，请上传身份证复印件的照片或扫描件。"))
    ext = ALLOWED[kind.mime]
    if ext == "pdf":
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("PDF 文件不完整或已损坏。"))
    else:
        try:
            upload.seek(0)
            with Image.open(io.BytesIO(upload.read())) as img:
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(_("图片文件已损坏，无法打开。")) from None
        finally:
            upload.seek(0)
    return ext


def server_name(ext: str) -> str:
    """A name chosen by the server; nothing of the uploader's file name is kept."""
    return f"{uuid.uuid4().hex}.{ext}"


CONTENT_TYPES = {ext: mime for mime, ext in ALLOWED.items()}


def document_response(field_file, filename_stem: str):
    """Send a stored upload as a download, never rendered inline, with the type it was checked to be."""
    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404
    ext = field_file.name.rsplit(".", 1)[-1].lower()
    if ext not in CONTENT_TYPES:
        raise Http404
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=f"{filename_stem}.{ext}",
                            content_type=CONTENT_TYPES[ext])
    response["X-Content-Type-Options"] = "nosniff"
    return response
