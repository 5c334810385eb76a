"""Uploaded documents: the type is decided by the content, never by the name."""

import hashlib
import io
import uuid
from functools import wraps

import filetype
from django import forms as django_forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from PIL import Image, ImageOps, UnidentifiedImageError

from . import crypto
from .storage import StoredFileMissing, overwrite, read_bytes

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
CONTENT_TYPES = {ext: mime for mime, ext in ALLOWED.items()}


def size_limit_text() -> str:
    """The upload limit in words: "5MB" (or "600KB" for a limit under a megabyte)."""
    return limit_text(settings.UPLOAD_MAX_BYTES)


def size_text(size: int) -> str:
    """A file's size as the messages give it (and the page's script: upload_size.js): "7.3 MB", or "600 KB"."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# What the message on a file over the limit adds, by what the file is: an ID-card copy is a photo that can be cropped;
# an attachment or a paper answer is a scan of a document.
ID_CARD_HINT = gettext_lazy("手机照片可用相册的“编辑→裁剪”只保留证件部分，或截屏后上传截图；"
                            "扫描件请选择较低的分辨率（如150 dpi）。")
ATTACHMENT_HINT = gettext_lazy("扫描件请选择较低的分辨率（如150 dpi）或黑白模式重新扫描；"
                               "照片可用相册的“编辑→裁剪”只保留有文字的部分。")


def too_large_message(size: int | None, hint: str = "") -> str:
    """What the user is told of a file over the limit: its real size (None when it is not known: then no figure,
    rather than a wrong one) and `hint`, how to make this kind of file smaller. The page's script says the same
    (too_large_pattern)."""
    if size is None:
        text = _("文件过大，不能超过%(limit)s。") % {"limit": size_limit_text()}
    else:
        text = _("文件过大（%(size)s），不能超过%(limit)s。") % {"size": size_text(size), "limit": size_limit_text()}
    return f"{text}{hint}"


def too_large_pattern(hint: str = "") -> str:
    """too_large_message for the page's script, which fills in the size of the chosen file for "%s"."""
    return _("文件过大（%(size)s），不能超过%(limit)s。") % {"size": "%s", "limit": size_limit_text()} + str(hint)


class LimitedFileInput(django_forms.FileInput):
    """A file input that tells the page's script (static/js/upload_size.js) the upload limit and what to say of a
    file over it, so that a file too large is named as soon as it is chosen, not after the form is sent; a photo
    over it is made smaller in the browser. `hint`: how to make this kind of file smaller (ID_CARD_HINT,
    ATTACHMENT_HINT); the server's message on a file over the limit adds the same (add_upload_refusals).

    A plain FileInput, not Django's ClearableFileInput: a form that already holds a file says so itself, without
    the storage path (which is no URL: files are served only through views that check scope)."""

    ACCEPT = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"

    def __init__(self, attrs=None, *, hint=ATTACHMENT_HINT):
        super().__init__({"accept": self.ACCEPT, **(attrs or {})})
        self.too_large_hint = hint

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Read at render time: the limit is a setting.
        context["widget"]["attrs"].update({
            "data-max-bytes": str(settings.UPLOAD_MAX_BYTES),
            "data-msg-too-large": too_large_pattern(self.too_large_hint),
            "data-msg-shrunk": _("照片较大，已在手机上压缩为%s后上传。"),
        })
        return context


def validate_document(upload, hint=ID_CARD_HINT) -> str:
    """Check an uploaded document and return its real extension; raise ValidationError otherwise (`hint`: how to
    make this kind of file smaller, for one over the limit)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(too_large_message(upload.size, hint))
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(_("文件内容不是 JPG、PNG 或 PDF，请上传照片或扫描件。"))
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
        except Image.DecompressionBombError:
            # Pillow refuses to open an image that claims far more pixels than it allows (a tiny PNG can claim
            # 20000×20000): the same answer as an image over MAX_IMAGE_PIXELS, not a failed request.
            raise ValidationError(too_many_pixels_message()) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(_("图片文件已损坏，无法打开。")) from None
        finally:
            upload.seek(0)
    return ext


def too_many_pixels_message(width: int | None = None, height: int | None = None) -> str:
    """What the user is told of an image that claims more pixels than the server decodes."""
    if width and height:
        return _("图片尺寸过大（%(w)d×%(h)d 像素），请缩小后再上传。") % {"w": width, "h": height}
    return _("图片尺寸过大，请缩小后再上传。")


# Re-encoded images are at most this wide and high (a phone photo of an ID card needs far less), and an
# image that claims more pixels than this is refused before it is decoded (a decompression bomb).
MAX_IMAGE_SIDE = 4000
MAX_IMAGE_PIXELS = 50_000_000
# What one decode may cost (found by the attack: a 69-byte PNG of 1 × 49 million pixels took 1 GB and 8 s). A JPEG is
# decoded at a reduced scale (its decoder's draft mode: 1/2, 1/4, 1/8) to no less than JPEG_DRAFT_SIDE a side; a PNG
# has no such mode, so it may have at most MAX_PNG_PIXELS (4096 × 4096); and no image is longer than MAX_ASPECT
# times its width (a document, not a strip).
JPEG_DRAFT_SIDE = 2000
MAX_PNG_PIXELS = 4096 * 4096
MAX_ASPECT = 20
PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}


def clean_document(upload, *, hint=ID_CARD_HINT):
    """Check an upload (validate_document) and return a new upload made by the server.

    Images are decoded and encoded anew in the same format: only the pixels survive, so EXIF (GPS
    position, camera), text chunks, colour profiles and any bytes hidden after the image data are
    gone; the EXIF orientation is applied first, and the size is capped at MAX_IMAGE_SIDE. A PDF is read by a real
    parser, refused if it carries active content and written anew (clean_pdf). Either way the name is chosen by the
    server.
    """
    ext = validate_document(upload, hint)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if ext == "pdf":
        data = clean_pdf(data)
    else:
        data = reencode_image(data, ext)
    return SimpleUploadedFile(server_name(ext), data, content_type=CONTENT_TYPES[ext])


def reencode_image(data: bytes, ext: str) -> bytes:
    """The pixels of a JPEG or PNG, upright and at most MAX_IMAGE_SIDE, in a fresh file of the same format."""
    fmt = PIL_FORMATS[ext]
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            width, height = img.size
            limit = MAX_PNG_PIXELS if fmt == "PNG" else MAX_IMAGE_PIXELS
            if width * height > limit or max(width, height) > MAX_ASPECT * max(1, min(width, height)):
                raise ValidationError(too_many_pixels_message(width, height))
            if fmt == "JPEG":
                img.draft(img.mode, (JPEG_DRAFT_SIDE, JPEG_DRAFT_SIDE))
            img = ImageOps.exif_transpose(img)
            img = _plain_mode(img, fmt)
            img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            # A new image from the raw pixels alone: nothing of the original file's metadata comes along.
            clean = Image.frombytes(img.mode, img.size, img.tobytes())
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(too_many_pixels_message()) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("图片文件已损坏，无法打开。")) from None
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


# What makes a PDF do something when it is opened or clicked, rather than show pages: names of dictionary keys, and
# names given as an action's /S or an object's /Type or /Subtype. pypdf reads names with their #xx escapes decoded
# (/Java#53cript is /JavaScript) and objects packed in compressed object streams, where a byte scan sees nothing.
PDF_ACTIVE_KEYS = frozenset({
    "/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
    "/RichMediaContent", "/RichMediaSettings", "/XFA",
})
PDF_ACTIVE_TYPES = frozenset({
    "/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/RichMediaExecute", "/FileAttachment", "/SubmitForm",
    "/ImportData", "/GoToE", "/GoToR", "/Rendition", "/Movie", "/Sound",
})
PDF_TYPE_KEYS = ("/S", "/Type", "/Subtype")


class PdfRefused(Exception):
    """A PDF that is not taken: the message says why."""


def clean_pdf(data: bytes) -> bytes:
    """A PDF read with pypdf, refused (ValidationError) if any of its objects carries active content (JavaScript,
    an action on opening or on an event, a launched program, an embedded file, rich media, an XFA form) or if it
    cannot be read without a password; otherwise written anew by pypdf from the objects its pages need, so that
    nothing pypdf did not see (an earlier revision, bytes after the end, unreferenced objects) is kept."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfRefused(_("PDF 文件设有打开密码，请上传未加密的文件或照片。"))
        roots = [reader.trailer]
        for generation, numbers in reader.xref.items():
            roots += [IndirectObject(number, generation, reader) for number in numbers]
        roots += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
        if _pdf_has_active_content(roots):
            raise PdfRefused(_("PDF 文件含有脚本、自动操作或嵌入文件等活动内容，不能上传。"
                               "请上传扫描件的照片，或用扫描软件重新导出为普通 PDF。"))
        if not len(reader.pages):
            raise PdfRefused(_("PDF 文件没有页面。"))
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
    except PdfRefused as e:
        raise ValidationError(str(e)) from None
    except Exception:  # noqa: BLE001 — whatever a hostile file makes the parser raise, the answer is the same
        raise ValidationError(_("PDF 文件不完整或已损坏。")) from None
    return out.getvalue()


def _pdf_has_active_content(roots) -> bool:
    """Whether any object reachable from `roots` (pypdf objects) names active content; each object once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for name, value in obj.items():
                if name in PDF_ACTIVE_KEYS:
                    return True
                if name in PDF_TYPE_KEYS:
                    kind = value.get_object() if isinstance(value, IndirectObject) else value
                    if isinstance(kind, NameObject) and kind in PDF_ACTIVE_TYPES:
                        return True
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


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
    """Send a stored upload as a download, never rendered inline, with the type it was checked to be (decrypted
    when it is stored encrypted)."""
    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404
    ext = field_file.name.rsplit(".", 1)[-1].lower()
    if ext not in CONTENT_TYPES:
        raise Http404
    response = FileResponse(io.BytesIO(read_document(field_file)), as_attachment=True,
                            filename=f"{filename_stem}.{ext}", content_type=CONTENT_TYPES[ext])
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- stored files: encrypted at rest where the settings say so, the replaced one deleted --------------------------

def encrypted_at_rest(instance, field_name: str) -> bool:
    """Whether this file field's uploads are stored encrypted (settings.ENCRYPTED_UPLOADS: "app.Model.field")."""
    return f"{instance._meta.label}.{field_name}" in getattr(settings, "ENCRYPTED_UPLOADS", ())


def read_document(field_file) -> bytes:
    """The plain bytes of a stored upload: decrypted if it was stored encrypted (a file stored before encryption,
    until `rotate_encryption_keys` encrypts it, is read as it is). Every reader of an upload reads through here."""
    data = read_bytes(field_file)  # StoredFileMissing if the storage no longer holds it
    return crypto.decrypt_file(data) if crypto.is_encrypted_file(data) else data


def replace_document(instance, field_name: str, upload) -> None:
    """Put a new upload (already cleaned: clean_document) in a file field of a row the caller is about to save in
    its transaction: encrypted at rest if the field is one of settings.ENCRYPTED_UPLOADS, and the file it replaces
    deleted once that transaction has committed (a rolled-back change keeps the old file its row still names)."""
    field_file = getattr(instance, field_name)
    old_name, storage = field_file.name, field_file.storage
    if encrypted_at_rest(instance, field_name):
        upload.seek(0)
        upload = ContentFile(crypto.encrypt_file(upload.read()), name=upload.name)
    setattr(instance, field_name, upload)
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))


def encrypt_stored(field_file) -> bool:
    """Re-encrypt a stored file with the first key, or encrypt a file stored before encryption, in place (the new
    content replaces the old whole, under the same name, so a row never names a missing or half-written file:
    reserve.storage.overwrite, on disk or in an object store). Returns whether the file was rewritten (False for
    a missing one)."""
    if not field_file or not field_file.storage.exists(field_file.name):
        return False
    try:
        data = read_bytes(field_file)
    except StoredFileMissing:
        return False
    token = crypto.rotate_file(data) if crypto.is_encrypted_file(data) else crypto.encrypt_file(data)
    overwrite(field_file.storage, field_file.name, token)
    return True


# --- refusing a body or a file over the limit before it is read ---------------------------------------------------

# What a form's other fields may add to the body besides its files (a 自荐表 with 30 résumé lines is a few KB).
FORM_FIELDS_ALLOWANCE = 256 * 1024


def body_limit(files: int = 1) -> int:
    """The largest request body a view that takes up to `files` files accepts (Content-Length)."""
    return files * settings.UPLOAD_MAX_BYTES + FORM_FIELDS_ALLOWANCE


def content_length(request) -> int:
    """The body's declared length (Content-Length); 0 when absent or malformed, as Django then reads nothing."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


def limit_text(limit: int) -> str:
    """A limit in words: "5MB", "2.5MB", or "600KB" under a megabyte."""
    if limit < 1024 * 1024:
        return f"{limit / 1024:.0f}KB"
    mb = limit / 1024 / 1024
    return f"{mb:.0f}MB" if mb == int(mb) else f"{mb:.1f}MB"


def back_link(request) -> str:
    """Where the 413 page's link goes: back to the page the form was on (Referer) when it is one of this site's,
    otherwise the start page. Read from the headers only: the body is never read."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 — a host the site does not serve: no page of it to go back to
        host = None
    if referer and host and url_has_allowed_host_and_scheme(referer, allowed_hosts={host},
                                                             require_https=request.is_secure()):
        return referer
    return reverse("home")


def body_too_large(request, limit: int, *, files: int):
    """The 413 answer to a body declared larger than `limit` (of a view taking `files` files, maybe none), given
    before a byte of it is read. The size given is the declared one (Content-Length), worded as the page's script
    words a file over the limit (too_large_message)."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    size = content_length(request)
    if files == 1:
        message = too_large_message(size)
    elif files:
        message = _("上传的文件合计过大（%(size)s），一次提交合计不能超过%(total)s，每个文件不能超过%(limit)s。") % {
            "size": size_text(size), "total": limit_text(limit), "limit": size_limit_text()}
    else:
        message = _("提交的内容过大（%(size)s），不能超过%(limit)s。") % {
            "size": size_text(size), "limit": limit_text(limit)}
    back = back_link(request)
    # Rendered without the request: nothing of the page asks the (unread) request for anything.
    return HttpResponse(render_to_string("413.html", {
        "message": message, "back_url": back, "back_is_referer": back == request.META.get("HTTP_REFERER"),
    }), status=413)


class RequestBodyLimitMiddleware:
    """Refuses (413) a request whose Content-Length exceeds what its view accepts, before the body is read: a view
    that takes files says how many (`limit_upload_size(files=N)`: N × UPLOAD_MAX_BYTES and the form's fields);
    every other view takes no file, so DATA_UPLOAD_MAX_MEMORY_SIZE bounds its whole body (Django applies that
    setting to the fields only, and would otherwise stream any files of a multipart body to disk).

    Placed before CsrfViewMiddleware, whose check is the first to read the body. The web server caps the body
    too (client_max_body_size: docs/deploy/nginx.conf).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        files = getattr(view_func, "upload_files", 0)
        limit = body_limit(files) if files else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and content_length(request) > limit:
            return body_too_large(request, limit, files=files)
        return None


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses a file that turns out larger than the upload limit as it arrives (its Content-Length was within the
    view's limit, but this one file is not): nothing of it is kept, in memory or on disk, while the other fields
    are read as usual, so the form comes back with what was typed and a clear message on the file's field
    (add_upload_refusals). The rest of a refused file is counted, not kept, so that the message gives its real
    size (`request.refused_uploads`: field name → size in bytes).

    The only handler of the request (see `limit_upload_size`): a file within the limit is handed to the handlers
    Django would have used (`inner`, e.g. in memory, or in a temporary file when large), as Django's parser would;
    a refused one is given to none of them, so none can offer its first part as the upload.
    """

    def __init__(self, request, inner):
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES
        self.inner = list(inner)
        self.received = 0
        self.refused = False
        self.counters = [0] * len(self.inner)
        self.started = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        for handler in self.inner:
            result = handler.handle_raw_input(input_data, META, content_length, boundary, encoding)
            if result is not None:
                return result
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False
        self.counters = [0] * len(self.inner)
        self.started = []  # the inner handlers told of this file (a later one may hold an earlier file)
        for handler in self.inner:
            self.started.append(handler)
            try:
                handler.new_file(*args, **kwargs)
            except StopFutureHandlers:
                break

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused:
            return None
        if self.received > self.limit:
            self.refused = True
            for handler in self.started:  # what they hold of it goes (a temporary file is deleted)
                if getattr(handler, "file", None) is not None:
                    handler.file.close()
            return None
        chunk = raw_data
        for i, handler in enumerate(self.inner):
            length = len(chunk)
            chunk = handler.receive_data_chunk(chunk, self.counters[i])
            self.counters[i] += length
            if chunk is None:
                break
        return None

    def file_complete(self, file_size):
        if self.refused:
            if self.request is not None:
                self.request.refused_uploads[self.field_name] = file_size
            return None
        for i, handler in enumerate(self.inner):
            file_obj = handler.file_complete(self.counters[i])
            if file_obj:
                return file_obj
        return None

    def upload_interrupted(self):
        for handler in self.inner:
            handler.upload_interrupted()

    def upload_complete(self):
        for handler in self.inner:
            handler.upload_complete()


def limit_upload_size(view=None, *, files: int = 1):
    """A view that takes up to `files` files: a body declared larger than they may be is refused (413) before it is
    read, and a file over the limit is refused as it arrives, before it is stored (SizeLimitUploadHandler).

    The upload handlers can change only before the body is read, and the CSRF check reads it: as Django documents
    for changing upload handlers, the view is exempted from the middleware's check and checks CSRF itself, after
    the handler is in place (csrf_protect). RequestBodyLimitMiddleware reads `upload_files` to know the view's
    limit and refuses a body over it before the view is reached.
    """
    if view is None:
        return lambda v: limit_upload_size(v, files=files)
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.refused_uploads = {}
        if request.method == "POST":
            request.upload_handlers = [SizeLimitUploadHandler(request, request.upload_handlers)]
        return protected(request, *args, **kwargs)

    wrapped.upload_files = files
    return csrf_exempt(wrapped)


def refused_upload(request, name: str, hint: str = "") -> str:
    """The message for the file of field `name` (with its form's prefix) refused as it arrived, or ""."""
    sizes = getattr(request, "refused_uploads", {})
    return too_large_message(sizes[name], hint) if name in sizes else ""


def add_upload_refusals(request, forms) -> None:
    """Name on each form's file field the file refused for its size as it arrived (before the form is checked),
    with the advice its widget gives (LimitedFileInput's hint)."""
    for form in forms:
        for name, field in form.fields.items():
            if not isinstance(field, django_forms.FileField):
                continue
            message = refused_upload(request, form.add_prefix(name), getattr(field.widget, "too_large_hint", ""))
            if message:
                form.errors.pop(name, None)  # "please upload one" of a required field: it was uploaded, and refused
                form.add_error(name, message)


# --- an upload kept while its form is corrected -------------------------------------------------------------------

PENDING_DIR = "pending"
PENDING_MAX_AGE = 24 * 3600  # a kept upload is offered back for a day
PENDING_PER_SESSION = 4  # kept uploads of one session at most (a form in a few tabs); older ones are deleted


# The form carries the kept upload as a token signed for this session (not a row of the session itself: any
# request may save the session — its renewal, once a minute — and the live eligibility check of the same form could otherwise write back
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
    if session.session_key is None:
        session.save()
    owner = _pending_owner(session)
    # Encrypted as the stored copy will be: the kept file is an ID-card copy too.
    name = default_storage.save(f"{PENDING_DIR}/{owner}-{uuid.uuid4().hex}.{ext}",
                                ContentFile(crypto.encrypt_file(data)))
    purge_pending(keep_for=owner, keep=name)
    token = signing.dumps({"name": name, "size": len(data), "ext": ext}, salt=_salt(session))
    return {"token": token, "size": len(data), "ext": ext}


def _pending_owner(session) -> str:
    """The session's mark on its kept files' names (a digest: the session key itself is a secret)."""
    return hashlib.sha256(f"{_salt(session)}".encode()).hexdigest()[:16]


def purge_pending(*, keep_for: str = "", keep: str = "", now=None) -> int:
    """Delete the kept uploads no form will take any more: those older than PENDING_MAX_AGE (their tokens have
    expired), and of the session `keep_for` all but its PENDING_PER_SESSION newest (a form posted again and again
    without its token — abandoned, or an attempt to fill the disk). Runs whenever an upload is kept, and from
    `manage.py purge_pending_uploads` (e.g. daily from cron). Returns how many files were deleted."""
    now = now or timezone.now()
    try:
        names = default_storage.listdir(PENDING_DIR)[1]
    except FileNotFoundError:
        return 0
    expired, own = [], []
    for file_name in names:
        name = f"{PENDING_DIR}/{file_name}"
        try:
            modified = default_storage.get_modified_time(name)
        except FileNotFoundError:
            continue
        if (now - modified).total_seconds() > PENDING_MAX_AGE:
            expired.append(name)
        elif keep_for and file_name.startswith(f"{keep_for}-") and name != keep:
            own.append((modified, name))
    own.sort(reverse=True)
    doomed = expired + [name for _modified, name in own[PENDING_PER_SESSION - 1:]]
    for name in doomed:
        default_storage.delete(name)
    return len(doomed)


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
    try:
        data = read_document(default_storage.open(entry["name"], "rb"))
    except (crypto.DecryptionError, FileNotFoundError, StoredFileMissing):
        return None  # kept under a key since dropped, or deleted meanwhile: the form asks for the file again
    return SimpleUploadedFile(server_name(entry["ext"]), data, content_type=CONTENT_TYPES[entry["ext"]])


def drop_pending(session, token) -> None:
    """Forget a kept upload and delete its file (once the form that needed it is saved, or it is replaced)."""
    entry = _entry(session, token)
    if entry and str(entry.get("name", "")).startswith(f"{PENDING_DIR}/"):
        default_storage.delete(entry["name"])
