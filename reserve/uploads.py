"""Uploaded documents: the type is decided by the content, never by the name."""

import io
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
CONTENT_TYPES = {ext: mime for mime, ext in ALLOWED.items()}


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


# Re-encoded images are at most this wide and high (a phone photo of an ID card needs far less), and an
# image that claims more pixels than this is refused before it is decoded (a decompression bomb).
MAX_IMAGE_SIDE = 4000
MAX_IMAGE_PIXELS = 50_000_000
PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}


def clean_document(upload):
    """Check an upload (validate_document) and return a new upload made by the server.

    Images are decoded and encoded anew in the same format: only the pixels survive, so EXIF (GPS
    position, camera), text chunks, colour profiles and any bytes hidden after the image data are
    gone; the EXIF orientation is applied first, and the size is capped at MAX_IMAGE_SIDE. A PDF is
    kept as it is, up to its last end-of-file marker. Either way the name is chosen by the server.
    """
    ext = validate_document(upload)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if ext == "pdf":
        end = data.rfind(b"%%EOF") + len(b"%%EOF")
        data = data[:end] + b"\n"
    else:
        data = reencode_image(data, ext)
    return SimpleUploadedFile(server_name(ext), data, content_type=CONTENT_TYPES[ext])


def reencode_image(data: bytes, ext: str) -> bytes:
    """The pixels of a JPEG or PNG, upright and at most MAX_IMAGE_SIDE, in a fresh file of the same format."""
    fmt = PIL_FORMATS[ext]
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("图片尺寸过大（%(w)d×%(h)d 像素），请缩小后再上传。") % {"w": width, "h": height})
            img = ImageOps.exif_transpose(img)
            img = _plain_mode(img, fmt)
            img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            # A new image from the raw pixels alone: nothing of the original file's metadata comes along.
            clean = Image.frombytes(img.mode, img.size, img.tobytes())
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("图片文件已损坏，无法打开。")) from None
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def _plain_mode(img, fmt: str):
    """The image in a mode its format stores directly: L or RGB for JPEG; L, LA, RGB or RGBA for PNG."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if fmt == "JPEG":
        return img if img.mode in ("L", "RGB") else img.convert("RGB")
    if img.mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if img.mode.startswith("I"):  # 16-bit grey: scale to 8 bits rather than clip
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if img.mode in ("1", "F"):
        return img.convert("L")
    return img.convert("RGBA" if has_alpha else "RGB")


def server_name(ext: str) -> str:
    """A name chosen by the server; nothing of the uploader's file name is kept."""
    return f"{uuid.uuid4().hex}.{ext}"


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
