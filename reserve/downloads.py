"""How a download names its file: one rule for every attachment the application sends (a PDF, a generated file)."""

import re
from urllib.parse import quote

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def attachment_disposition(filename: str, *, extension: str) -> str:
    """The Content-Disposition of an attachment named `filename` (Chinese allowed, RFC 5987/6266): the name without
    anything a path or a header could misread, ending in `extension` (".pdf"), and an ASCII fallback for clients that
    do not read filename* ("document.pdf" when nothing ASCII is left)."""
    name = _UNSAFE_FILENAME.sub("_", filename).strip(" ._") or "document"
    if not name.lower().endswith(extension):
        name += extension
    ascii_name = name.encode("ascii", "ignore").decode().strip(" ._-")
    if not ascii_name or ascii_name.lower() == extension.lstrip("."):
        ascii_name = "document" + extension
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name, safe="")}'
