"""Uploads (issue 5 §10): the type comes from the content, images are encoded anew, the server names the file."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from candidates.forms import NominationForm
from reserve.uploads import MAX_IMAGE_SIDE, clean_document
from vetting.forms import FindingForm

NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|pdf)")


def jpeg_with_gps(size=(64, 48), orientation=None) -> bytes:
    img = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (29.0, 5.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (120.0, 3.0, 4.0),
    }
    exif[ExifTags.IFD.GPSInfo] = gps
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, comment=b"secret comment")
    return buf.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San 13800000000")
    info.add_itxt("Comment", "拍摄于东山村", lang="zh", tkey="说明")
    info.add_text("Secret", "z" * 100, zip=True)
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (250, 0, 0)).save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_jpeg_loses_its_exif_and_gps():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as img:
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really carries a position
    cleaned = clean_document(upload(original, "IMG_0001 东山村.jpg"))
    data = cleaned.read()
    assert NAME.fullmatch(cleaned.name) and cleaned.name.endswith(".jpg")
    assert cleaned.content_type == "image/jpeg"
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        assert img.size == (64, 48)
        assert not img.getexif()
        assert "exif" not in img.info and "comment" not in img.info
    for marker in (b"Exif", b"PhoneMaker", b"Model X", b"secret comment"):
        assert marker not in data


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    cleaned = clean_document(upload(jpeg_with_gps(size=(60, 20), orientation=6)))  # 6: rotate 90°
    with Image.open(cleaned) as img:
        assert img.size == (20, 60)
        assert not img.getexif()


def test_a_png_loses_its_text_chunks():
    original = png_with_text()
    assert b"tEXt" in original and b"iTXt" in original and b"zTXt" in original
    cleaned = clean_document(upload(original, "scan.png", "image/png"))
    data = cleaned.read()
    assert NAME.fullmatch(cleaned.name) and cleaned.name.endswith(".png")
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"Author", b"Zhang", "拍摄于".encode()):
        assert chunk not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG" and img.size == (50, 40)
        assert img.getpixel((0, 0)) == (250, 0, 0)
        assert not getattr(img, "text", {})


def test_a_polyglot_png_with_appended_html_loses_the_appended_bytes():
    payload = b"<html><script>alert(document.cookie)</script></html>"
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 200, 0)).save(buf, format="PNG")
    polyglot = buf.getvalue() + payload
    cleaned = clean_document(upload(polyglot, "card.html", "text/html"))
    data = cleaned.read()
    assert cleaned.name.endswith(".png") and "card" not in cleaned.name
    assert b"<script" not in data and b"<html" not in data
    assert data.endswith(b"IEND\xaeB`\x82")  # the file ends with the PNG's own end chunk


def test_a_jpeg_with_appended_script_loses_it():
    data = jpeg_with_gps() + b"<script>alert(1)</script>"
    cleaned = clean_document(upload(data)).read()
    assert b"<script" not in cleaned
    assert cleaned.endswith(b"\xff\xd9")


def test_a_large_image_is_scaled_down():
    buf = io.BytesIO()
    Image.new("L", (MAX_IMAGE_SIDE * 2, 1000), 128).save(buf, format="PNG")
    cleaned = clean_document(upload(buf.getvalue(), "big.png", "image/png"))
    with Image.open(cleaned) as img:
        assert img.size == (MAX_IMAGE_SIDE, 500)


def test_a_palette_png_with_transparency_keeps_its_alpha():
    img = Image.new("P", (10, 10), 1)
    img.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    buf = io.BytesIO()
    img.save(buf, format="PNG", transparency=1)
    cleaned = clean_document(upload(buf.getvalue(), "p.png", "image/png"))
    with Image.open(cleaned) as out:
        assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 0


def test_an_image_claiming_too_many_pixels_is_refused():
    # A small PNG of 8000 x 8000 pixels (64 million): refused before it is decoded.
    buf = io.BytesIO()
    Image.new("1", (8000, 8000), 0).save(buf, format="PNG")
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError, match="尺寸过大"):
        clean_document(upload(buf.getvalue(), "bomb.png", "image/png"))


def test_a_truncated_image_is_refused():
    data = jpeg_with_gps()[:200]
    with pytest.raises(ValidationError):
        clean_document(upload(data))


def test_a_pdf_is_written_anew_without_what_follows_its_end_marker_and_gets_a_server_name():
    from .test_upload_security import plain_pdf

    pdf = plain_pdf()
    cleaned = clean_document(upload(pdf + b"<script>x</script>", "../../etc/passwd.pdf", "application/pdf"))
    assert NAME.fullmatch(cleaned.name) and cleaned.name.endswith(".pdf")
    data = cleaned.read()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") and b"<script>" not in data
    assert cleaned.content_type == "application/pdf"


def test_each_upload_gets_a_new_name():
    names = {clean_document(upload(jpeg_with_gps(), "same.jpg")).name for _ in range(3)}
    assert len(names) == 3


def test_the_finding_form_hands_on_the_reencoded_file(db):
    from vetting.models import NegativeItem

    item = NegativeItem(text="x")
    form = FindingForm(data={"outcome": "clear", "note": ""},
                       files={"attachment": upload(jpeg_with_gps(), "处分决定.jpg")}, item=item)
    assert form.is_valid(), form.errors
    attachment = form.cleaned_data["attachment"]
    assert NAME.fullmatch(attachment.name)
    assert b"PhoneMaker" not in attachment.read()


def test_the_nomination_form_cleans_the_id_card_copy(town):
    form = NominationForm(files={"id_card_copy": upload(png_with_text(), "身份证.png", "image/png")}, town=town)
    form.is_valid()
    assert "id_card_copy" not in form.errors
    copy = form.new_upload()
    assert NAME.fullmatch(copy.name) and copy.name.endswith(".png")
    assert b"Author" not in copy.read()
