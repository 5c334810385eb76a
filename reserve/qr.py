"""QR codes for printed notices: an SVG data: URI, so the PDF renderer loads nothing from outside."""

import base64
import functools
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    image.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=512)
def public_qr_data_uri(url: str) -> str:
    """qr_data_uri of a public address (a 公示's page), drawn once per process: drawing one costs ~20 ms and the
    office's notice page shows it on every visit. Never for a secret (the authenticator app's key is drawn anew
    and kept nowhere)."""
    return qr_data_uri(url)
