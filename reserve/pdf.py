"""Printed documents: a Django template rendered to an A4 PDF with WeasyPrint.

Every PDF the app produces goes through `render_pdf` — but the round's 资格联审台账, a table of up to
thousands of rows drawn without a layout engine by vetting.ledger_pdf (fpdf2) — and every PDF it sends through
`pdf_response`.

What a document may load is decided here, once, by `StaticOnlyURLFetcher`: the app's own static
files (a "/static/..." URL, resolved through the staticfiles finders, then STATIC_ROOT) and
`data:` URLs. Everything else — http(s) to any other place, file:// paths, ftp — is refused
without opening a socket, so a person's name that contains `<img src="http://...">` (escaped by
the template anyway) can never make the server fetch anything. WeasyPrint logs a refused resource
as a warning and renders the document without it.

Fonts are not fetched at all: the print stylesheet names system fonts from Debian packages
(installed by bin/setup); the choice is measured in benchmarks/pdf_fonts.py.

Every document is archival by default (`archival=True`): PDF/A-3a (ISO 19005-3, conformance level A),
that is PDF/A-3b's self-contained file (fonts embedded, an sRGB output intent, XMP metadata declaring
`pdfaid:part` 3) and a tagged logical structure with the document's language, which screen readers
and text extraction follow (WeasyPrint's `pdf_variant`; its `pdf_tags`, which level A turns on).
Published notices are stored as they were rendered, so archives keep that file. `archival=False`
gives a plain PDF, for a draft nobody keeps.

Every render is bounded (issue 10 §8), since WeasyPrint has no timeout of its own and its layout time grows
with the text (a 600,000-character statement once took 190 s):

- in size: HTML above `PDF_MAX_HTML_BYTES` (default 512 KB; the largest real document, a 自荐表 with every field
  at its length limit, is about 60 KB) is refused before any layout;
- in time: the layout runs in a child process forked for it, killed after `PDF_RENDER_TIMEOUT` seconds
  (default 30; 0 renders in the calling process). WeasyPrint's log records (a refused URL …) are passed back
  to the caller's loggers.

Either refusal raises `PdfRefused` (an ActionRefused with a Chinese message), which
reserve.middleware.DomainErrorMiddleware answers with that message (503), never a 500.

Measured (December 2026, the development VM, 2 vCPU): with every text field at its length limit (issue 10 §8) the
largest 自荐表 (statement 3,000 and awards 2,000 characters, 30 résumé and 30 family rows) renders in about 5 s;
a vetting sheet with 12 departments each flagging all 13 items with 1,000-character notes (533 KB of HTML) took
56 s — it is now refused by the size bound, and anything under it that lays out slowly (long text in a table cell
is laid out in quadratic time: 2,000 characters in an auto-width cell took 12.7 s) is stopped by the time bound.
So no render holds a worker longer than PDF_RENDER_TIMEOUT (plus the fork, a few milliseconds).
"""

from __future__ import annotations

import logging
import mimetypes
import multiprocessing
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .downloads import attachment_disposition
from .exceptions import ActionRefused

# The origin that relative URLs ("/static/css/print.css") are resolved against when no request is
# given. ".invalid" is reserved (RFC 2606): it can never name a real host.
INTERNAL_BASE_URL = "https://reserve.invalid/"


class RefusedURL(ValueError):
    """A document asked for a resource it may not load."""


class PdfRefused(ActionRefused):
    """A document too large to render, or whose render ran past the time allowed."""


DEFAULT_MAX_HTML_BYTES = 512 * 1024
DEFAULT_RENDER_TIMEOUT = 30  # seconds


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the app's static files and data: URLs.

    It never calls urllib's openers: `fetch` is replaced whole, so no handler (HTTP, FTP, file)
    of the parent class is ever reached.
    """

    def __init__(self, base_url: str = INTERNAL_BASE_URL):
        super().__init__(allowed_protocols=("data", "http", "https"), allow_redirects=False,
                         fail_on_errors=False)
        self.static_prefix = _static_prefix(base_url)

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return self._fetch_data(url)
        if scheme in ("http", "https") and url.startswith(self.static_prefix):
            path = urlsplit(url).path[len(urlsplit(self.static_prefix).path):]
            return self._fetch_static(url, unquote(path))
        raise RefusedURL(f"PDF documents may load only the app's static files, not {url[:200]!r}")

    def open(self, url, data=None, timeout=None):
        # urllib-style entry point some callers use: same rules, never the parent's openers.
        return self.fetch(url.full_url if isinstance(url, Request) else url)

    @staticmethod
    def _fetch_data(url):
        response = DataHandler().data_open(Request(url))
        return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers["Content-Type"]})

    @staticmethod
    def _fetch_static(url, path):
        path = posixpath.normpath(path).lstrip("/")
        if not path or path == "." or path.startswith("../") or "\\" in path or "\x00" in path:
            raise RefusedURL(f"Not a static file: {url[:200]!r}")
        found = None
        try:
            found = finders.find(path)
        except SuspiciousFileOperation:
            found = None
        if not found and settings.STATIC_ROOT:
            try:
                candidate = safe_join(settings.STATIC_ROOT, path)
            except SuspiciousFileOperation:
                candidate = None
            if candidate and Path(candidate).is_file():
                found = candidate
        if not found:
            raise RefusedURL(f"No such static file: {url[:200]!r}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})


def _static_prefix(base_url: str) -> str:
    """The absolute URL prefix of the app's static files as the document sees them."""
    static_url = settings.STATIC_URL or "/static/"
    if urlsplit(static_url).scheme:  # an absolute STATIC_URL (a CDN): its files are still ours
        return static_url
    base = urlsplit(base_url)
    return f"{base.scheme}://{base.netloc}/{static_url.lstrip('/')}"


def _base_url(request) -> str:
    return request.build_absolute_uri("/") if request is not None else INTERNAL_BASE_URL


# PDF/A-3 (level A: tagged): self-contained for archives, structured for screen readers. Part 3
# rather than 2 so that a later document may carry its sources as attachments (e.g. a dossier).
ARCHIVAL_VARIANT = "pdf/a-3a"


def html_to_pdf(html: str, *, base_url: str = INTERNAL_BASE_URL, stylesheets=None, archival: bool = True) -> bytes:
    """HTML text to PDF bytes with the locked-down fetcher, within the size and time bounds (PdfRefused
    beyond them). `stylesheets`: extra CSS strings; `archival`: PDF/A-3a, tagged (see the module's docstring)."""
    size = len(html.encode("utf-8")) + sum(len(css.encode("utf-8")) for css in stylesheets or ())
    if size > getattr(settings, "PDF_MAX_HTML_BYTES", DEFAULT_MAX_HTML_BYTES):
        raise PdfRefused(_("文档内容过多，无法生成PDF。请精简相关内容后重试，或联系系统管理员。"))
    args = (html, base_url, tuple(stylesheets or ()), archival)
    timeout = getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_RENDER_TIMEOUT)
    if not timeout or "fork" not in multiprocessing.get_all_start_methods():
        return _write_pdf(*args)
    return _write_pdf_in_child(args, timeout)


def _write_pdf(html, base_url, stylesheets, archival) -> bytes:
    fetcher = StaticOnlyURLFetcher(base_url)
    extra = [CSS(string=css, base_url=base_url, url_fetcher=fetcher) for css in stylesheets or ()]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    options = {"pdf_variant": ARCHIVAL_VARIANT, "pdf_tags": True} if archival else {}
    return document.write_pdf(stylesheets=extra or None, **options)


class _Collect(logging.Handler):
    """The child's WeasyPrint log records, made plain enough to send back."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        record.msg, record.args = record.getMessage(), None
        record.exc_info = record.exc_text = record.stack_info = None
        self.records.append(record)


def _child(conn, args) -> None:
    """The render, in the forked child: the PDF (or the failure) and the log records go back through `conn`."""
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    saved = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [collect], False  # the parent's handlers emit them, once
    try:
        try:
            result = (True, _write_pdf(*args))
        except Exception as e:  # noqa: BLE001 — sent to the parent, which raises it there
            result = (False, f"{type(e).__name__}: {e}")
        conn.send((*result, collect.records))
    finally:
        logger.handlers, logger.propagate = saved
        conn.close()


def _write_pdf_in_child(args, timeout) -> bytes:
    """Render in a process forked for it and wait at most `timeout` seconds (then kill it: PdfRefused).

    Forked, not spawned: the child has the parent's loaded Django, settings and fonts at no cost, and touches
    nothing it shares (no database, no file but the static ones it reads); it leaves with os._exit, through
    multiprocessing, so nothing of the parent's (a database connection) is closed or flushed from it."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise PdfRefused(_("生成PDF超时（超过%(s)d秒），已停止。请精简相关内容后重试，或联系系统管理员。")
                             % {"s": timeout})
        ok, payload, records = receive.recv()
    except EOFError:
        raise RuntimeError("the PDF render process ended without an answer") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    for record in records:
        logging.getLogger(record.name).handle(record)
    if not ok:
        raise RuntimeError(f"PDF render failed: {payload}")
    return payload


def render_pdf(template_name: str, context: dict | None, *, request=None, archival: bool = True) -> bytes:
    """Render a Django template (usually extending pdf/base.html) to an A4 PDF, as bytes: archival
    PDF/A-3a unless `archival=False`."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, base_url=_base_url(request), archival=archival)


def refused_response(request, refusal: PdfRefused) -> HttpResponse:
    """The answer to a PDF download refused by the bounds: its message, on a page of its own (503)."""
    from django.shortcuts import render

    return render(request, "public_base.html", {"page_title": _("无法生成PDF"), "message": refusal.message},
                  status=503)




def pdf_response(pdf_bytes: bytes, filename: str) -> HttpResponse:
    """An attachment response for a PDF; `filename` may be Chinese (sent per RFC 5987/6266)."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(filename, extension=".pdf")
    response["Content-Length"] = str(len(pdf_bytes))
    response["X-Content-Type-Options"] = "nosniff"
    # Printed documents carry personal data: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response
