"""Uploaded documents: the type is decided by the content, never by the name."""

import io
import uuid
from functools import wraps

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
CONTENT_TYPES = {ext: mime for mime, ext in ALLOWED.items()}


def size_limit_text() -> str:
    """The upload limit in words: "5MB" (or "600KB" for a limit under a megabyte)."""
    limit = settings.UPLOAD_MAX_BYTES
    if limit < 1024 * 1024:
        return f"{limit / 1024:.0f}KB"
    return f"{limit / 1024 / 1024:.0f}MB"


def too_large_message(size: int) -> str:
    """What the user is told of a file over the limit, with how to make a photo smaller."""
    return _("文件过大（%(size).1f MB），不能超过%(limit)s。手机照片可用相册的“编辑→裁剪”只保留证件部分，"
             "或截屏后上传截图；扫描件请选择较低的分辨率（如150 dpi）。") % {
        "size": size / 1024 / 1024, "limit": size_limit_text()}


def validate_document(upload) -> str:
    """Check an uploaded ID-card copy and return its real extension; raise ValidationError otherwise."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(too_large_message(upload.size))
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


# --- refusing a file over the limit before it is stored --------------------------------------------------------

# What a form's other fields may add to the body besides its one file (a 自荐表 with 30 résumé lines is a few KB).
FORM_FIELDS_ALLOWANCE = 256 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips every file of a request whose body is larger than the upload limit allows (Content-Length), and any
    file that turns out larger than the limit as it arrives (a body sent without a length): nothing of it is kept,
    in memory or on disk, while the other fields are read as usual, so the form comes back with what was typed and
    a clear message (`request.upload_refused`) instead of a failed request.

    Put first in request.upload_handlers before the body is read (see `limit_upload_size`).
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES
        self.body_too_large = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_too_large = content_length is not None and content_length > self.limit + FORM_FIELDS_ALLOWANCE
        if self.body_too_large:
            self._refuse(content_length - FORM_FIELDS_ALLOWANCE)
        return None  # the other handlers parse the body

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.body_too_large:
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(self.received)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self, size):
        if self.request is not None:
            self.request.upload_refused = too_large_message(max(size, self.limit + 1))


def limit_upload_size(view):
    """A view that takes a file: files over the limit are refused before they are stored (SizeLimitUploadHandler).

    The upload handlers can change only before the body is read, and the CSRF check reads it: as Django documents
    for changing upload handlers, the view is exempted from the middleware's check and checks CSRF itself, after
    the handler is in place (csrf_protect).
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_refused = ""
        if request.method == "POST":
            request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


# --- an upload kept while its form is corrected -------------------------------------------------------------------

PENDING_DIR = "pending"
PENDING_MAX_AGE = 24 * 3600  # a kept upload is offered back for a day


# The form carries the kept upload as a token signed for this session (not a row of the session itself: the
# session is saved on every request, and the live eligibility check of the same form could otherwise write back
# a session read before the upload was kept, losing it).
def _salt(session) -> str:
    return f"reserve.uploads.pending:{session.session_key or ''}"


def _entry(session, token) -> dict | None:
    if not token:
        return None
    try:
        return signing.loads(str(token), salt=_salt(session), max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None


def stash_pending(session, upload) -> dict:
    """Keep an upload that passed its checks (already cleaned by the server) while its form is redisplayed with an
    error in another field: stored under a random name, offered back by a token only this session can use.
    Returns what the form shows of it."""
    ext = upload.name.rsplit(".", 1)[-1].lower()
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = default_storage.save(f"{PENDING_DIR}/{uuid.uuid4().hex}.{ext}", ContentFile(data))
    if session.session_key is None:
        session.save()
    token = signing.dumps({"name": name, "size": len(data), "ext": ext}, salt=_salt(session))
    return {"token": token, "size": len(data), "ext": ext}


def pending_info(session, token) -> dict | None:
    """What the form shows of a kept upload of this session (None for an unknown token or another session's)."""
    entry = _entry(session, token)
    if not entry:
        return None
    return {"token": str(token), "size": entry["size"], "ext": entry["ext"]}


def take_pending(session, token):
    """The kept upload of this session under `token`, as a new upload (None if there is none)."""
    entry = _entry(session, token)
    if not entry or entry.get("ext") not in CONTENT_TYPES or not default_storage.exists(entry["name"]):
        return None
    with default_storage.open(entry["name"], "rb") as f:
        data = f.read()
    return SimpleUploadedFile(server_name(entry["ext"]), data, content_type=CONTENT_TYPES[entry["ext"]])


def drop_pending(session, token) -> None:
    """Forget a kept upload and delete its file (once the form that needed it is saved, or it is replaced)."""
    entry = _entry(session, token)
    if entry and str(entry.get("name", "")).startswith(f"{PENDING_DIR}/"):
        default_storage.delete(entry["name"])
