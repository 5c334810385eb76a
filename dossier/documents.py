"""The printed file (一人一档) as an A4 PDF, and the files of a batch as one ZIP streamed as it is written.

The PDF goes through reserve.pdf (the locked-down fetcher, the size and time bounds, PDF/A-3a). The ZIP is written
member by member to a stream that keeps nothing it has handed on: after each member its bytes leave (Python's
zipfile writes to an unseekable stream with each member's sizes known when it is written, and the central
directory at the end), so the first bytes leave after the first file is rendered, and memory stays that of one
file whatever the batch's size. The batch is capped (settings.DOSSIER_ZIP_MAX, default 100 files).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from reserve.pdf import PdfRefused, render_pdf

from .selectors import dossier_of

PDF_TEMPLATE = "pdf/dossier.html"

# Anything that may not stand in a file name inside an archive: path separators, drive letters, control and
# format characters, and the characters Windows refuses.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"\\/:*?<>|]+')
NAME_MAX = 30  # characters of a name in a member's name (Reserve.name is at most 30)


def zip_max() -> int:
    return int(settings.DOSSIER_ZIP_MAX)


def title_of(reserve) -> str:
    return _("%(n)s 一人一档") % {"n": reserve.name}


def dossier_pdf(user, reserve, *, request=None, today=None) -> bytes:
    """The file of one reserve as an A4 PDF (reserve.pdf.render_pdf)."""
    dossier = dossier_of(user, reserve, today=today)
    return render_pdf(PDF_TEMPLATE, {"d": dossier, "r": reserve, "title": title_of(reserve)}, request=request)


def member_name(number: int, name: str, width: int = 3) -> str:
    """A member's name in the ZIP: "<序号>_<姓名>.pdf", the name without anything that could make a path (no "/",
    "\\", "..", drive letters, control characters) and never empty."""
    clean = _UNSAFE.sub("_", str(name or ""))[:NAME_MAX].strip(" ._") or _("未具名")
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
