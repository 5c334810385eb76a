"""The printed file (一人一档) as an A4 PDF, and the files of a batch as one ZIP written member by member (by the
background worker: dossier.jobs).

The PDF goes through reserve.pdf (the locked-down fetcher, the size and time bounds, PDF/A-3a). The ZIP is written
member by member to a stream that keeps nothing it has handed on: after each member its bytes leave (Python's
zipfile writes to an unseekable stream with each member's sizes known when it is written, and the central
directory at the end), so the first bytes leave after the first file is rendered, and memory stays that of one
file whatever the batch's size. The batch is capped (settings.DOSSIER_ZIP_MAX, default 100 files).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.pdf import PdfRefused, render_pdf

from .selectors import dossier_of, newest

PDF_TEMPLATE = "pdf/dossier.html"

# Anything that may not stand in a file name inside an archive: path separators, drive letters, the characters
# Windows refuses, and every control, format, line or paragraph separator or surrogate code point (Unicode
# categories Cc, Cf, Zl, Zp, Cs: U+0000–U+001F, U+007F–U+009F, U+200B–U+200F, U+2028, U+2029, U+202A–U+202E,
# U+2060–U+2064, U+2066–U+2069, U+FEFF …).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_UNSAFE_CHARS = frozenset('"\\/:*?<>|')
_UNSAFE_RUNS = re.compile(r"\x00+")


def _unsafe(ch: str) -> bool:
    return ch in _UNSAFE_CHARS or unicodedata.category(ch) in _UNSAFE_CATEGORIES


def safe_name(text: str) -> str:
    """`text` with each run of characters that may not stand in a file name replaced by one "_"."""
    marked = "".join("\x00" if _unsafe(ch) else ch for ch in str(text or ""))
    return _UNSAFE_RUNS.sub("_", marked)


NAME_MAX = 30  # characters of a name in a member's name (Reserve.name is at most 30)


def zip_max() -> int:
    return int(settings.DOSSIER_ZIP_MAX)


def title_of(reserve) -> str:
    return _("%(n)s 一人一档") % {"n": reserve.name}


# The newest rows of each long section (tasks, talks, follow-ups, the history …) the PDF prints; the rows left out
# are counted ("另有M条，详见系统"). A file that would still exceed PDF_MAX_HTML_BYTES prints half as many, down to
# PDF_ROWS_MIN, so that the file of a long-serving reserve can always be printed.
PDF_ROWS = 40
PDF_ROWS_MIN = 5


def _html_bytes(context, request) -> int:
    return len(render_to_string(PDF_TEMPLATE, context, request=request).encode("utf-8"))


def pdf_context(user, reserve, *, request=None, today=None) -> dict:
    """The PDF's context: the file with its long sections cut to their newest rows (PDF_ROWS, fewer while the
    HTML would exceed settings.PDF_MAX_HTML_BYTES)."""
    from reserve.pdf import DEFAULT_MAX_HTML_BYTES

    dossier = dossier_of(user, reserve, today=today)
    budget = int(getattr(settings, "PDF_MAX_HTML_BYTES", DEFAULT_MAX_HTML_BYTES)) - 16 * 1024  # print.css's share
    limit = PDF_ROWS
    while True:
        context = {"d": newest(dossier, limit), "r": reserve, "title": title_of(reserve)}
        if limit <= PDF_ROWS_MIN or _html_bytes(context, request) <= budget:
            return context
        limit = max(PDF_ROWS_MIN, limit // 2)


def dossier_pdf(user, reserve, *, request=None, today=None) -> bytes:
    """The file of one reserve as an A4 PDF (reserve.pdf.render_pdf), each long section its newest rows."""
    return render_pdf(PDF_TEMPLATE, pdf_context(user, reserve, request=request, today=today), request=request)


def zip_name(count: int, *, village=None, unit=None, tier=None, status=None) -> str:
    """The ZIP's file name after its filter: "东山村一人一档（3份）.zip", "第四梯队（已任用）一人一档（2份）.zip" (a
    status named only when the batch is of one status)."""
    from training.models import TIER_SHORT, Reserve, Tier

    place = "".join(str(x.name) for x in (village, unit) if x is not None)
    if tier:
        place += str(TIER_SHORT.get(tier) or dict(Tier.choices).get(tier, ""))
    if status:
        place += f"（{dict(Reserve.Status.choices).get(status, status)}）"
    name = _("%(p)s一人一档（%(n)d份）.zip") % {"p": place, "n": count}
    return safe_name(name).strip(" ._") or "dossiers.zip"


def member_name(number: int, name: str, width: int = 3) -> str:
    """A member's name in the ZIP: "<序号>_<姓名>.pdf", the name without anything that could make a path (no "/",
    "\\", "..", drive letters, control characters) and never empty."""
    clean = safe_name(name)[:NAME_MAX].strip(" ._") or _("未具名")
    return f"{number:0{width}d}_{clean}.pdf"


class _Sink:
    """A write-only, unseekable stream that hands on what was written since the last call of `take`."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._offset = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(user, reserves: Iterable, *, request=None, today=None) -> Iterator[bytes]:
    """The ZIP of the files of `reserves` (in their order), yielded a member at a time."""
    reserves = list(reserves)
    width = max(3, len(str(len(reserves))))
    today = today or timezone.localdate()
    sink = _Sink()
    # The sink's tell() without seek(): zipfile writes as to an unseekable stream (sizes known per member).
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for number, reserve in enumerate(reserves, start=1):
            name = member_name(number, reserve.name, width)
            try:
                data = dossier_pdf(user, reserve, request=request, today=today)
            except PdfRefused as refusal:  # too large or too slow to render: say so in its place, go on
                name = name.removesuffix(".pdf") + "_未生成.txt"
                data = (_("%(n)s的一人一档未能生成：%(m)s") % {"n": reserve.name, "m": refusal.message}).encode()
            info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            yield sink.take()
    yield sink.take()  # the central directory
