"""Archival documents (reserve.pdf, `archival=True`, the default): PDF/A-3a — the XMP metadata declares
PDF/A part 3, conformance A; an sRGB output intent; every font embedded — and tagged for screen readers
(a structure tree, marked content, the document's language), still drawn with the CJK fonts. A
published notice's stored file is such a document."""

import io
import re

import pytest
from pypdf import PdfReader

from reserve.pdf import ARCHIVAL_VARIANT, html_to_pdf, render_pdf
from tests.helpers import pdf_text
from tests.reserve.test_pdf import BODY_FACE, FALLBACK_FACE, OUTSIDE_NOTO, RARE, glyph_faces, sample_context


def xmp(pdf: bytes) -> str:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode("utf-8")


def pdfa_id(pdf: bytes) -> tuple[str, str] | None:
    """(part, conformance) as the XMP metadata declares them (pdfaid:part, pdfaid:conformance), or None."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    if "/Metadata" not in root:
        return None
    text = xmp(pdf)
    part = re.search(r'pdfaid:part(?:="|>)(\d)', text)
    conformance = re.search(r'pdfaid:conformance(?:="|>)([ABU])', text)
    return (part.group(1), conformance.group(1)) if part and conformance else None


def assert_archival_and_tagged(pdf: bytes):
    assert pdf.startswith(b"%PDF-1.7")
    assert pdfa_id(pdf) == ("3", "A"), xmp(pdf)[:600]
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    # Tagged: the logical structure a screen reader follows, and the language its voice reads in.
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "zh-Hans"
    # Self-contained: the colour space declared, every font in the file.
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [str(i["/S"]) for i in intents] == ["/GTS_PDFA1"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), descriptor


def test_the_variant_is_a_known_weasyprint_variant():
    from weasyprint.pdf import VARIANTS

    assert ARCHIVAL_VARIANT in VARIANTS
    assert ARCHIVAL_VARIANT == "pdf/a-3a"


def test_a_rendered_document_is_tagged_pdf_a_drawn_with_the_cjk_fonts():
    context = sample_context()
    context["rows"][0]["name"] = "王" + OUTSIDE_NOTO
    pdf = render_pdf("pdf/sample.html", context)
    assert_archival_and_tagged(pdf)
    text = pdf_text(pdf)
    assert "关于青山镇村级后备干部拟定人选的公示" in text
    assert "李㛃" in text
    # The rare characters still have glyphs, from the faces tests/reserve/test_pdf.py expects.
    faces = glyph_faces(pdf, RARE + OUTSIDE_NOTO)
    assert {faces.get(ch) for ch in RARE} == {BODY_FACE}
    assert faces.get(OUTSIDE_NOTO) == FALLBACK_FACE


def test_the_title_is_in_the_metadata():
    pdf = render_pdf("pdf/sample.html", sample_context())
    assert "关于青山镇村级后备干部拟定人选的公示" in xmp(pdf)


def test_archival_false_gives_a_plain_pdf():
    html = '<html lang="zh-Hans"><body><p>草稿 张喆</p></body></html>'
    plain = html_to_pdf(html, archival=False)
    assert pdfa_id(plain) is None
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(plain)).trailer["/Root"]
    assert pdfa_id(html_to_pdf(html)) == ("3", "A")


@pytest.mark.django_db
def test_a_published_notice_is_stored_as_tagged_pdf_a(office, village_a_user, round_, village_a, no_network):
    # The notice as the URL table makes it (tests/test_urls.py): published through the service, which
    # renders its PDF once and stores it.
    from tests.test_urls import _notice_obj

    objs = {"users": {"office": office, "village": village_a_user}, "round": round_, "village": village_a}
    notice = _notice_obj(objs)
    with notice.pdf.open("rb") as f:
        stored = f.read()
    assert_archival_and_tagged(stored)
    assert notice.title in re.sub(r"\s+", "", pdf_text(stored))
    assert no_network == []
